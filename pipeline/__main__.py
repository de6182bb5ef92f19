"""``python -m pipeline``: the qujat command line."""

from pipeline.cli import main

main()
