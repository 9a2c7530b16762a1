"""The command line: parses flags into a :class:`Config` and calls the library.

Exit codes (DESIGN §2a): 0 success, 1 "different", 2 trouble. Errors are one
line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import keyword
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .config import Config
from .format import FORMATTERS
from .errors import SvcgenError
from .pipeline import fetch, generate


def _headers(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter("expected 'Name: value' (no ':' or no name found)", param_hint="--header")
        pairs.append((name.strip(), content.strip()))
    return tuple(pairs)


_source_options = [
    click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'", help="Extra header for fetching the document (never written anywhere)."),
    click.option("--token", envvar="SVCGEN_TOKEN", default=None, help="Bearer token for fetching the document; also read from SVCGEN_TOKEN. Never written anywhere."),
    click.option("--timeout", "fetch_timeout", type=float, default=30.0, show_default=True, help="Seconds to wait for the document."),
]


def _with_source_options(func: Any) -> Any:
    for option in reversed(_source_options):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="svcgen")
def cli() -> None:
    """Generate typed Python client packages from model-serving services' OpenAPI documents."""


@cli.command("generate")
@click.argument("source")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Folder to write the package project into.")
@click.option("--name", default=None, help="Python package name (default: from info.title, plus _client).")
@click.option("--package-version", default=None, help="Version of the generated package.")
@click.option("--force", is_flag=True, help="Replace a non-empty folder that svcgen did not generate.")
@click.option("--formatter", type=click.Choice(FORMATTERS), default="ruff", show_default=True, help="Formatting engine (same black-style output).")
@_with_source_options
def generate_command(source: str, output: Path, name: str | None, package_version: str | None, force: bool, formatter: str, headers: tuple[str, ...], token: str | None, fetch_timeout: float) -> None:
    """Generate a client package from SOURCE (service URL, spec URL or file)."""
    if name is not None and (not name.isidentifier() or keyword.iskeyword(name)):
        _fail(f"--name {name[:40]!r} is not a valid Python package name")
    config = Config(source=source, output=output, name=name, package_version=package_version, headers=_headers(headers), token=token or None, force=force, fetch_timeout=fetch_timeout, formatter=formatter)
    result = generate(config)
    for diagnostic in result.diagnostics:
        if diagnostic.level != "info":
            click.echo(diagnostic.describe(), err=True)
    click.echo(f"wrote {result.package} to {output}", err=True)


@cli.command("fetch")
@click.argument("source")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to save the document to.")
@_with_source_options
def fetch_command(source: str, output: Path, headers: tuple[str, ...], token: str | None, fetch_timeout: float) -> None:
    """Save SOURCE's document exactly as generation sees it."""
    config = Config(source=source, headers=_headers(headers), token=token or None, fetch_timeout=fetch_timeout)
    loaded = fetch(config)
    for note in loaded.notes:
        click.echo(f"warning: {note}", err=True)
    document = loaded.document
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"{output}: cannot write ({exc.strerror or exc})")
    click.echo(f"saved {output}", err=True)


def _fail(message: str) -> NoReturn:
    click.echo(f"svcgen: error: {message}", err=True)
    sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="svcgen", standalone_mode=False)
    except SvcgenError as exc:
        _fail(exc.describe())
    except click.exceptions.Abort:
        _fail("aborted")
    except click.ClickException as exc:
        _fail(exc.format_message())
    except KeyboardInterrupt:
        _fail("interrupted")
    except SystemExit:
        raise
    except RecursionError:
        _fail("the document is nested too deeply")
    except Exception as exc:  # a bug: still one line, never a traceback
        _fail(f"internal error ({type(exc).__name__}: {str(exc)[:200]}); please report it")
