"""``svcgen check``: exit 0 when a committed client is what its source generates now, 1 if not.

A folder that does not exist, or holds no svcgen output, is answered in one
line ("not generated yet", exit 1) rather than with a diff of every file.
Files svcgen does not own (see :mod:`svcgen.output.manifest`) are never drift; ``-v``
lists them. An unreadable source is trouble (exit 2), not drift.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from ..buildstep.check import compare, recorded_library
from .common import (
    Reporter,
    configs,
    full_option,
    global_flags,
    listing,
    with_generation_options,
)
from ..output.http_library import HTTP_LIBRARIES
from ..output.manifest import owned_files
from ..buildstep.shortcut import foreign_files, unchanged
from ..output.transaction import STAGE


@click.command("check")
@click.argument("source", required=False)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="The committed package project folder to compare with.")
@full_option
@with_generation_options
def check_command(source: str | None, output: Path | None, full: bool, **flags: Any) -> None:
    """Check that OUTDIR is exactly what SOURCE generates now: exit 0 if so, 1 with a diff if not.

    Without SOURCE, checks every client declared in [tool.svcgen]. An
    unreadable source is trouble (exit 2), not drift. When the inputs' fingerprint
    is the one OUTDIR records and no file svcgen wrote was changed, the answer
    comes without generating (--full: generate and compare anyway).
    """
    flags = global_flags(flags)
    say = Reporter(flags["quiet"], flags["verbose"])
    drifted: list[str] = []
    for config in configs(source, output, flags):
        target = config.output or Path(".")
        if not full and unchanged(config, target, cache=True):
            foreign = foreign_files(target) if say.verbose else []
            if foreign:
                say.note(f"{len(foreign)} files svcgen did not write (not compared): {listing(foreign)}")
            say(f"up to date: {target} (inputs unchanged)")
            continue
        from ..pipeline import generate  # the whole pipeline: loaded only when there is work

        result = generate(replace(config, output=None), say.progress)
        say.diagnostics(result.diagnostics)
        absent = _not_generated(target)
        if absent:
            drifted.append(str(target))
            say(f"drift: {target}: not generated yet ({absent}); run svcgen generate to create it")
            continue
        if (target / STAGE).exists():
            say(f"note: {target}: a generation was interrupted there; svcgen generate completes or undoes it")
        drift = compare(result.files, target)
        if drift.foreign:
            say.note(f"{len(drift.foreign)} files svcgen did not write (not compared): {listing(drift.foreign)}")
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


def _not_generated(target: Path) -> str | None:
    """Why ``target`` holds no svcgen output, or ``None`` when it does."""
    if not target.exists():
        return "no such folder"
    if not target.is_dir():
        return "not a folder"
    if not owned_files(target).generated:
        return "no svcgen output in it"
    return None
