"""What every svcgen command shares: the options for reading a source, and failing with one line.

Secrets (``--token``, ``--header`` values) are remembered here so that no
message svcgen prints can ever contain them, whatever path an error took.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from .errors import SvcgenError
from .limits import DEFAULT_MAX_BYTES
from .secrets import SECRETS

F = TypeVar("F", bound=Callable[..., Any])

_SOURCE_OPTIONS = (
    click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'", help="Extra header for fetching the document (never written anywhere)."),
    click.option("--token", envvar="SVCGEN_TOKEN", default=None, help="Bearer token for fetching the document; also read from SVCGEN_TOKEN. Never written anywhere."),
    click.option("--timeout", "fetch_timeout", type=float, default=None, help="Seconds to wait for the document [default: 30]."),
    click.option("--max-spec-bytes", type=click.IntRange(min=1), default=None, help=f"Refuse documents larger than this [default: {DEFAULT_MAX_BYTES} (64 MiB)]."),
    click.option("--insecure", is_flag=True, default=None, help="Do not verify TLS certificates when fetching (prints a warning)."),
    click.option("--allow-remote-refs", is_flag=True, default=None, help="Fetch $refs to other http(s) documents (refused by default)."),
    click.option("--ref-root", type=click.Path(path_type=Path, file_okay=False), default=None, help="Folder that relative file $refs may point into, e.g. ../common.yaml (default: the spec's folder; it must hold the spec)."),
)


def source_options(func: F) -> F:
    """Add the options that say how to read a source to a command."""
    for option in reversed(_SOURCE_OPTIONS):
        func = option(func)
    return func


def source_settings(flags: dict[str, Any]) -> dict[str, Any]:
    """``Config`` fields from the source options that were given (``None`` for the rest)."""
    token = flags.pop("token", None) or None
    SECRETS.add(token)
    headers = parse_headers(flags.pop("headers", ()))
    settings = {
        "token": token,
        "headers": headers or None,
        "fetch_timeout": flags.pop("fetch_timeout", None),
        "max_document_bytes": flags.pop("max_spec_bytes", None),
        "insecure": flags.pop("insecure", None) or None,
        "allow_remote_refs": flags.pop("allow_remote_refs", None) or None,
        "ref_root": flags.pop("ref_root", None),
    }
    return settings


def parse_headers(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``("Name: value", ...)`` → pairs; the value is never echoed back in an error."""
    pairs = []
    for value in values:
        name, sep, content = value.partition(":")
        SECRETS.add(content.strip())
        if not sep or not name.strip():
            raise SvcgenError("--header: expected 'Name: value' (no ':' or no name found)")
        pairs.append((name.strip(), content.strip()))
    return tuple(pairs)


def fail(message: str) -> NoReturn:
    """Exit 2 with one line on stderr (DESIGN §2a), never showing a secret."""
    click.echo(f"svcgen: error: {SECRETS.redact(message)}", err=True)
    sys.exit(2)
