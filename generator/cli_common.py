"""What every svcgen command shares: reading ``--header`` values and failing with one line."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from .errors import SvcgenError


def parse_headers(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``("Name: value", ...)`` → pairs; the value is never echoed back in an error."""
    pairs = []
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not name.strip():
            raise SvcgenError("--header: expected 'Name: value' (no ':' or no name found)")
        pairs.append((name.strip(), content.strip()))
    return tuple(pairs)


def fail(message: str) -> NoReturn:
    """Exit 2 with one line on stderr (DESIGN §2a)."""
    click.echo(f"svcgen: error: {message}", err=True)
    sys.exit(2)
