"""``svcgen build``: generate a client package and build its wheel and sdist.

``build_command`` is a standalone click command: it reports a
:class:`SvcgenError` as one ``svcgen: error: ...`` line on stderr and exits
with status 2 whether it runs on its own or registered on the ``svcgen`` group.
"""

from __future__ import annotations

import keyword
from pathlib import Path

import click

from .cli_common import fail, parse_headers
from .config import Config
from .errors import SvcgenError
from .project_config import find_config, load_clients, override
from .wheel import build_dists


@click.command("build", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("source", required=False)
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), default=None, help="pyproject.toml with [tool.svcgen] (default: found from the current folder upwards); used without SOURCE.")
@click.option("-d", "--dist-dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to put the wheel and the sdist in.")
@click.option("--name", default=None, help="Python package name (default: from info.title, plus _client).")
@click.option("--package-version", default=None, help="Version of the package (default: the document's info.version when valid, else 0.1.0).")
@click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'", help="Extra header for fetching the document (never written anywhere).")
@click.option("--token", envvar="SVCGEN_TOKEN", default=None, help="Bearer token for fetching the document; also read from SVCGEN_TOKEN. Never written anywhere.")
@click.option("--timeout", "fetch_timeout", type=float, default=None, help="Seconds to wait for the document [default: 30].")
@click.option("--no-isolation", is_flag=True, help="Build with this Python's installed backend instead of a fresh isolated environment (offline use).")
def build_command(source: str | None, config_path: Path | None, dist_dir: Path, name: str | None, package_version: str | None, headers: tuple[str, ...], token: str | None, fetch_timeout: float | None, no_isolation: bool) -> None:
    """Generate a client package from SOURCE and build a reproducible wheel and sdist of it.

    Without SOURCE, builds every client declared in [tool.svcgen].
    """
    if name is not None and (not name.isidentifier() or keyword.iskeyword(name)):
        fail(f"--name {name[:40]!r} is not a valid Python package name")
    try:
        given = {
            "name": name,
            "package_version": package_version,
            "headers": parse_headers(headers) or None,
            "token": token or None,
            "fetch_timeout": fetch_timeout,
        }
        if source is not None:
            configs = [override(Config(source=source), **given)]
        else:
            path = config_path or find_config(Path.cwd())
            if path is None:
                fail("no SOURCE given and no pyproject.toml with [tool.svcgen] found here or above")
            configs = load_clients(path)
            if len(configs) > 1 and (name or package_version):
                fail("--name and --package-version apply to one client; the configuration declares several")
            configs = [override(config, **given) for config in configs]
        for config in configs:
            built = build_dists(config, dist_dir, isolation=not no_isolation)
            for diagnostic in built.diagnostics:
                if diagnostic.level != "info":
                    click.echo(diagnostic.describe(), err=True)
            click.echo(str(built.wheel))
            click.echo(str(built.sdist))
            click.echo(f"built {built.package}", err=True)
    except SvcgenError as exc:
        fail(exc.describe())
