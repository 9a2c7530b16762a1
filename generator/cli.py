"""The command line: parses flags into a :class:`Config` and calls the library.

Exit codes (DESIGN §2a): 0 success, 1 "different", 2 trouble. Errors are one
line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import keyword
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from . import __version__
from .check import compare, recorded_library
from .cli_build import build_command
from .cli_diff import diff_command
from .cli_common import fail, source_options, source_settings
from .config import Config
from .http_library import HTTP_LIBRARIES
from .errors import Diagnostic, SvcgenError
from .format import FORMATTERS
from .pipeline import fetch, generate
from .secrets import SECRETS
from .project_config import find_config, load_clients, override


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="svcgen")
def cli() -> None:
    """Generate typed Python client packages from model-serving services' OpenAPI documents."""


def _with_generation_options(func: Any) -> Any:
    options = [
        click.option("--name", default=None, help="Python package name (default: from info.title, plus _client)."),
        click.option("--package-version", default=None, help="Version of the generated package."),
        click.option("--formatter", type=click.Choice(FORMATTERS), default=None, help="Formatting engine, same black-style output [default: ruff]."),
        click.option("--http-library", default=None, help=f"HTTP library the client is built on: {' or '.join(HTTP_LIBRARIES)} (httpx2 needs Python 3.11+) [default: httpx]."),
        click.option("--include-tag", "include_tags", multiple=True, help="Only operations with this tag (repeatable)."),
        click.option("--exclude-tag", "exclude_tags", multiple=True, help="Leave out operations with this tag (repeatable)."),
        click.option("--include-path", "include_paths", multiple=True, help="Only operations whose path matches this glob (repeatable)."),
        click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), default=None, help="pyproject.toml with [tool.svcgen] (default: found from the current folder upwards)."),
        click.option("-q", "--quiet", is_flag=True, help="Print errors only."),
        click.option("-v", "--verbose", is_flag=True, help="Also print notes (info diagnostics)."),
    ]
    for option in reversed(options):
        func = option(func)
    return source_options(func)


@cli.command("generate")
@click.argument("source", required=False)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="Folder to write the package project into.")
@click.option("--force", is_flag=True, help="Replace a non-empty folder that svcgen did not generate.")
@_with_generation_options
def generate_command(source: str | None, output: Path | None, force: bool, **flags: Any) -> None:
    """Generate a client package from SOURCE (service URL, spec URL or file).

    Without SOURCE, generates every client declared in [tool.svcgen].
    """
    say = _Reporter(flags["quiet"], flags["verbose"])
    for config in _configs(source, output, flags):
        config = replace(config, force=force or config.force)
        result = generate(config, say.progress)
        say.diagnostics(result.diagnostics)
        say(f"wrote {result.package} to {config.output}")


@cli.command("check")
@click.argument("source", required=False)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="The committed package project folder to compare with.")
@_with_generation_options
def check_command(source: str | None, output: Path | None, **flags: Any) -> None:
    """Check that OUTDIR is exactly what SOURCE generates now: exit 0 if so, 1 with a diff if not.

    Without SOURCE, checks every client declared in [tool.svcgen]. An
    unreadable source is trouble (exit 2), not drift.
    """
    say = _Reporter(flags["quiet"], flags["verbose"])
    drifted: list[str] = []
    for config in _configs(source, output, flags):
        target = config.output or Path(".")
        result = generate(replace(config, output=None), say.progress)
        say.diagnostics(result.diagnostics)
        drift = compare(result.files, target)
        if drift:
            drifted.append(str(target))
            click.echo(drift.report(), nl=False)
            recorded = recorded_library(target, result.package)
            if recorded in HTTP_LIBRARIES and recorded != config.http_library:
                say(f"note: {target} was generated with --http-library {recorded}, checked with {config.http_library}")
            say(f"drift: {target} differs from what {config.source} generates now")
        else:
            say(f"up to date: {target}")
    if drifted:
        sys.exit(1)


class _Reporter:
    """Messages on stderr: errors always, warnings and results unless quiet, notes when verbose,
    progress only on a terminal."""

    def __init__(self, quiet: bool, verbose: bool) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.interactive = sys.stderr.isatty() and not quiet

    def __call__(self, message: str) -> None:
        if not self.quiet:
            click.echo(SECRETS.redact(message), err=True)

    def progress(self, stage: str) -> None:
        if self.interactive:
            click.echo(f"svcgen: {stage}...", err=True)

    def diagnostics(self, diagnostics: list[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            if diagnostic.level != "info" or self.verbose:
                self(diagnostic.describe())


def _configs(source: str | None, output: Path | None, flags: dict[str, Any]) -> list[Config]:
    """The clients to work on: the one named on the command line, or those of [tool.svcgen]."""
    given = {
        **source_settings(flags),
        "formatter": flags["formatter"],
        "http_library": flags["http_library"],
        "include_tags": tuple(flags["include_tags"]) or None,
        "exclude_tags": tuple(flags["exclude_tags"]) or None,
        "include_paths": tuple(flags["include_paths"]) or None,
    }
    single = {"name": flags["name"], "package_version": flags["package_version"], "output": output}
    name = flags["name"]
    if name is not None and (not name.isidentifier() or keyword.iskeyword(name)):
        fail(f"--name {name[:40]!r} is not a valid Python package name")
    if source is not None:
        if output is None:
            fail("missing option -o/--output (needed with SOURCE)")
        return [override(Config(source=source), **given, **single)]
    path = flags["config_path"] or find_config(Path.cwd())
    if path is None:
        fail("no SOURCE given and no pyproject.toml with [tool.svcgen] found here or above")
    clients = load_clients(path)
    if len(clients) > 1 and any(value is not None for value in single.values()):
        fail("--name, --package-version and -o apply to one client; the configuration declares several")
    return [override(client, **given, **single) for client in clients]


@cli.command("fetch")
@click.argument("source")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to save the document to.")
@source_options
def fetch_command(source: str, output: Path, **flags: Any) -> None:
    """Save SOURCE's document exactly as generation sees it."""
    config = override(Config(source=source), **source_settings(flags))
    loaded = fetch(config)
    for note in loaded.notes:
        click.echo(f"warning: {note}", err=True)
    document = loaded.document
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{output}: cannot write ({exc.strerror or exc})")
    click.echo(f"saved {output}", err=True)


cli.add_command(diff_command)
cli.add_command(build_command)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="svcgen", standalone_mode=False)
    except SvcgenError as exc:
        fail(exc.describe())
    except click.exceptions.Abort:
        fail("aborted")
    except click.ClickException as exc:
        fail(exc.format_message())
    except KeyboardInterrupt:
        fail("interrupted")
    except SystemExit:
        raise
    except RecursionError:
        fail("the document is nested too deeply")
    except Exception as exc:  # a bug: still one line, never a traceback
        fail(f"internal error ({type(exc).__name__}: {str(exc)[:200]}); please report it")
