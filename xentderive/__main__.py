"""`python -m xentderive` runs the command line (Ctrl-C while it starts is exit 130 too)."""

import sys

try:
    from .cli import main
except KeyboardInterrupt:
    sys.stderr.write("xentderive: interrupted\n")
    sys.exit(130)

main(prog_name="xentderive")
