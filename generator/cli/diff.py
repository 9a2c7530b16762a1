"""``svcgen diff OLD NEW``: what changed for a client user, and the semver bump it implies.

Exit codes: 0 nothing breaks, 1 something breaks, 2 trouble (one line on stderr).
The command handles :class:`SvcgenError` itself, so it behaves the same when run
through ``svcgen``'s ``main()`` and when invoked as a standalone click command.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from .common import (
    Reporter,
    fail,
    global_flags,
    global_options,
    source_options,
    source_settings,
)
from ..config import Config
from ..core.errors import SvcgenError
from ..buildstep.project_config import override


@click.command("diff", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
@source_options
@global_options
def diff_command(old: str, new: str, as_json: bool, **flags: Any) -> None:
    """Report what changed for a client user from OLD to NEW (service URLs, spec URLs or files).

    Exit status: 0 when nothing breaks, 1 when something does, 2 on trouble.
    """
    flags = global_flags(flags)
    say = Reporter(flags["quiet"], flags["verbose"])
    from ..buildstep.api_diff import compare, human, report  # the models stage: loaded only when used
    from ..buildstep.api_surface import Surface, load_surface

    try:
        settings = source_settings(flags)
        surfaces: list[Surface] = []
        for source in (old, new):
            config = override(Config(source=source), **settings)
            surface, notes = load_surface(config)
            for note in notes:
                say(f"warning: {note}")
            surfaces.append(surface)
    except SvcgenError as exc:
        fail(exc.describe())
    except RecursionError:
        fail("the document is nested too deeply")
    changes = compare(surfaces[0], surfaces[1])
    if as_json:
        click.echo(json.dumps(report(changes), indent=2, ensure_ascii=False, default=str))
    else:
        for line in human(changes):
            click.echo(line)
    sys.exit(1 if any(change.breaking for change in changes) else 0)
