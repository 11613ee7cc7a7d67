"""`python -m fvi` runs the command line."""

from fvi.cli import main

main()
