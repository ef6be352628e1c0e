"""The console script's entry point: Ctrl-C during start-up (importing click) is exit 130, one line."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("xentderive: interrupted\n")
        sys.exit(130)
    run()
