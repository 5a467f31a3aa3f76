"""`python -m fairloop` runs the CLI."""

from fairloop.cli import main

main()
