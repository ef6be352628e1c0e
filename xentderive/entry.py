"""The command line's entry point (console script and `python -m xentderive`).

Ctrl-C is exit 130 and one line from the first statement on: the handler goes in before
click, SymPy or mpmath load (mpmath's import swallows a KeyboardInterrupt), and whatever
the command ends with, an interrupt that arrived decides the exit code.
"""

from __future__ import annotations

from . import interrupt


def main() -> None:
    interrupt.install()
    try:
        from .cli import main as run

        run(prog_name="xentderive")
    except SystemExit:
        if interrupt.pending():
            interrupt.leave()
        raise
    except KeyboardInterrupt:
        interrupt.leave()
    except BaseException:
        if interrupt.pending():
            interrupt.leave()
        raise
    if interrupt.pending():
        interrupt.leave()
