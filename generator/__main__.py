"""``python -m svcgen``."""

from .cli import main

main()
