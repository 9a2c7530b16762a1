"""``svcgen build``: generate a client package and build its wheel and sdist.

``build_command`` is a standalone click command: it reports a
:class:`SvcgenError` as one ``svcgen: error: ...`` line on stderr and exits
with status 2 whether it runs on its own or registered on the ``svcgen`` group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .common import (
    Reporter,
    fail,
    global_flags,
    global_options,
    jobs_option,
    source_options,
    source_settings,
    validated_name,
    validated_version,
)
from .process import usable_cpus
from ..config import Config
from ..core.errors import SvcgenError
from ..buildstep.project_config import find_config, load_clients, override


@click.command("build", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("source", required=False)
@click.option("-d", "--dist-dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to put the wheel and the sdist in.")
@click.option("--name", default=None, callback=validated_name, help="Python package name (default: from info.title, plus _client).")
@click.option("--package-version", default=None, callback=validated_version, help="Version of the package, PEP 440 (default: the document's info.version when valid, else 0.1.0).")
@source_options
@global_options
@click.option("--no-isolation", is_flag=True, help="Build with this Python's installed backend instead of a fresh isolated environment (offline use).")
@jobs_option
def build_command(
    source: str | None, dist_dir: Path, name: str | None, package_version: str | None, no_isolation: bool, jobs: int | None, **flags: Any
) -> None:
    """Generate a client package from SOURCE and build a reproducible wheel and sdist of it.

    Without SOURCE, builds every client declared in [tool.svcgen].
    """
    flags = global_flags(flags)
    config_path, say = flags["config_path"], Reporter(flags["quiet"], flags["verbose"])
    try:
        given = {
            "name": name,
            "package_version": package_version,
            "jobs": jobs or usable_cpus(),
            **source_settings(flags),
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
            from ..buildstep.wheel import build_dists  # the whole pipeline: loaded only when used

            built = build_dists(config, dist_dir, isolation=not no_isolation)
            say.diagnostics(built.diagnostics)
            click.echo(str(built.wheel))
            click.echo(str(built.sdist))
            say(f"built {built.package}")
    except SvcgenError as exc:
        fail(exc.describe())
