"""`python -m xentderive` runs the command line."""

from .cli import main

main(prog_name="xentderive")
