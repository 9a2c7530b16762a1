"""What every svcgen command shares: the options for reading a source, the global
options, validated values, messages, and failing with one line.

``-v``, ``-q`` and ``--config`` are accepted before the subcommand (options of
the ``svcgen`` group) and after it (options of the command); :func:`global_flags`
merges the two. Secrets (``--token``, ``--header`` values) are remembered here so that no
message svcgen prints can ever contain them, whatever path an error took.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from ..config import Config
from ..core.errors import Diagnostic, SvcgenError
from ..output.format import FORMATTERS
from ..output.http_library import HTTP_LIBRARIES
from ..source.limits import DEFAULT_MAX_BYTES
from ..buildstep.project_config import find_config, load_clients, override
from ..source.secrets import SECRETS
from ..buildstep.validate import package_name, package_version
from .process import usable_cpus

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


def validated_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback: ``--name`` is checked as soon as it is read."""
    return None if value is None else _checked(package_name, value)


def validated_version(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback: ``--package-version`` must be a PEP 440 version."""
    return None if value is None else _checked(package_version, value)


def _checked(check: Callable[[str], str], value: str) -> str:
    try:
        return check(value)
    except SvcgenError as exc:
        fail(exc.describe())


GLOBAL_OPTIONS = (
    click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), default=None, help="pyproject.toml with [tool.svcgen] (default: found from the current folder upwards)."),
    click.option("-q", "--quiet", is_flag=True, help="Print errors only."),
    click.option("-v", "--verbose", is_flag=True, help="Also print notes: info diagnostics, and the files svcgen left alone."),
)


def global_options(func: F) -> F:
    """Add ``--config``, ``-q`` and ``-v`` to a command (the group has them too)."""
    for option in reversed(GLOBAL_OPTIONS):
        func = option(func)
    return func


def global_flags(flags: dict[str, Any]) -> dict[str, Any]:
    """``flags`` with ``quiet``, ``verbose`` and ``config_path`` also taken from before the subcommand."""
    context = click.get_current_context(silent=True)
    given = (context.find_root().obj if context is not None else None) or {}
    merged = dict(flags)
    merged["quiet"] = bool(flags.get("quiet") or given.get("quiet"))
    merged["verbose"] = bool(flags.get("verbose") or given.get("verbose"))
    merged["config_path"] = flags.get("config_path") or given.get("config_path")
    return merged


class Reporter:
    """Messages on stderr: errors always, warnings and results unless quiet, notes when verbose,
    progress only on a terminal."""

    def __init__(self, quiet: bool, verbose: bool) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.interactive = sys.stderr.isatty() and not quiet

    def __call__(self, message: str) -> None:
        if not self.quiet:
            click.echo(SECRETS.redact(message), err=True)

    def note(self, message: str) -> None:
        if self.verbose:
            self(message)

    def progress(self, stage: str) -> None:
        if self.interactive:
            click.echo(f"svcgen: {stage}...", err=True)

    def diagnostics(self, diagnostics: list[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            if diagnostic.level != "info" or self.verbose:
                self(diagnostic.describe())


def listing(names: list[str], limit: int = 10) -> str:
    """``a, b, c`` - at most ``limit`` names, then how many more."""
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def configs(source: str | None, output: Path | None, flags: dict[str, Any]) -> list[Config]:
    """The clients to work on: the one named on the command line, or those of [tool.svcgen]."""
    given = {
        **source_settings(flags),
        "formatter": flags["formatter"],
        "http_library": flags["http_library"],
        "include_tags": tuple(flags["include_tags"]) or None,
        "exclude_tags": tuple(flags["exclude_tags"]) or None,
        "include_paths": tuple(flags["include_paths"]) or None,
        "jobs": flags["jobs"] or usable_cpus(),
    }
    single = {"name": flags["name"], "package_version": flags["package_version"], "output": output}
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


#: ``--full`` of ``check`` and ``generate``: never answer from the inputs' fingerprint alone.
full_option = click.option(
    "--full", is_flag=True, help="Generate even when the inputs' fingerprint says nothing changed (see README: build-time checks)."
)


#: ``--jobs`` of the commands that generate.
jobs_option = click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="Processes to generate with; the output is the same [default: the cores svcgen may use]."
)


def with_generation_options(func: Any) -> Any:
    options = [
        click.option("--name", default=None, callback=validated_name, help="Python package name (default: from info.title, plus _client)."),
        click.option("--package-version", default=None, callback=validated_version, help="Version of the generated package (PEP 440)."),
        click.option("--formatter", type=click.Choice(FORMATTERS), default=None, help="Formatting engine, same black-style output [default: ruff]."),
        click.option("--http-library", default=None, help=f"HTTP library the client is built on: {' or '.join(HTTP_LIBRARIES)} (httpx2 needs Python 3.11+) [default: httpx]."),
        click.option("--include-tag", "include_tags", multiple=True, help="Only operations with this tag (repeatable)."),
        click.option("--exclude-tag", "exclude_tags", multiple=True, help="Leave out operations with this tag (repeatable)."),
        click.option("--include-path", "include_paths", multiple=True, help="Only operations whose path matches this glob (repeatable)."),
        jobs_option,
    ]
    for option in reversed(options):
        func = option(func)
    return source_options(global_options(func))
