"""`python -m xentderive` runs the command line."""

from .entry import main

main()
