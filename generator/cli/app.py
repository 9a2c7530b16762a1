"""The command line: parses flags into a :class:`Config` and calls the library.

Exit codes (DESIGN §2a): 0 success, 1 "different", 2 trouble. Errors are one
line on stderr, never a traceback. ``-v``, ``-q`` and ``--config`` work before
or after the subcommand.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from .build import build_command
from .check import check_command
from .common import (
    GLOBAL_OPTIONS,
    Reporter,
    full_option,
    configs,
    fail,
    global_flags,
    global_options,
    listing,
    source_options,
    source_settings,
    with_generation_options,
)
from .diff import diff_command
from .process import tune_collector
from ..config import Config
from ..core.errors import SvcgenError
from ..core.version import __version__
from ..buildstep.shortcut import foreign_files, unchanged
from ..buildstep.project_config import override
from ..output.write import WriteReport


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="svcgen")
@click.pass_context
def cli(ctx: click.Context, /, **flags: Any) -> None:
    """Generate typed Python client packages from model-serving services' OpenAPI documents."""
    ctx.obj = flags
    tune_collector()


for _option in GLOBAL_OPTIONS:  # appended to the group in this order
    cli = _option(cli)


@cli.command("generate")
@click.argument("source", required=False)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="Folder to write the package project into.")
@click.option("--force", is_flag=True, help="Write into a non-empty folder svcgen did not generate (only svcgen's files are written; nothing is deleted).")
@full_option
@with_generation_options
def generate_command(source: str | None, output: Path | None, force: bool, full: bool, **flags: Any) -> None:
    """Generate a client package from SOURCE (service URL, spec URL or file).

    Without SOURCE, generates every client declared in [tool.svcgen]. svcgen
    replaces and removes only files it wrote; everything else is left as it is.
    When the inputs' fingerprint is the one the folder records and no file svcgen
    wrote was changed, nothing is generated or written (--full: generate anyway).
    """
    flags = global_flags(flags)
    say = Reporter(flags["quiet"], flags["verbose"])
    for config in configs(source, output, flags):
        config = replace(config, force=force or config.force)
        if not full and config.output is not None and unchanged(config, config.output):
            say(f"up to date: {config.output} (inputs unchanged; nothing written)")
            left = foreign_files(config.output) if say.verbose else []
            if left:
                say.note(f"left {len(left)} files svcgen did not write: {listing(left)} (hidden folders are never touched)")
            continue
        from ..pipeline import generate  # the whole pipeline: loaded only when there is work

        result = generate(config, say.progress)
        say.diagnostics(result.diagnostics)
        if result.written is not None:
            _report_write(say, result.written)
        say(f"wrote {result.package} to {config.output}")


def _report_write(say: Reporter, written: WriteReport) -> None:
    for note in written.notes:
        say(f"note: {note}")
    if written.replaced_edits:
        say(f"warning: replaced {len(written.replaced_edits)} generated files that had been edited: {listing(written.replaced_edits)}")
    if written.edited:
        say(f"warning: left {len(written.edited)} files an earlier generation wrote and you edited since: {listing(written.edited)}")
    if written.removed:
        say.note(f"removed {len(written.removed)} files the previous generation wrote: {listing(written.removed)}")
    say.note(f"{len(written.written)} files written, the others unchanged")
    left = written.left() if say.verbose else []
    if left:
        say.note(f"left {len(left)} files svcgen did not write: {listing(left)} (hidden folders are never touched)")


@cli.command("fetch")
@click.argument("source")
@click.option("-o", "--output", required=True, help="File to save the document to ('-' for standard output).")
@source_options
@global_options
def fetch_command(source: str, output: str, **flags: Any) -> None:
    """Save SOURCE's document exactly as generation sees it."""
    flags = global_flags(flags)
    say = Reporter(flags["quiet"], flags["verbose"])
    from ..pipeline import fetch

    config = override(Config(source=source), **source_settings(flags))
    loaded = fetch(config)
    for note in loaded.notes:
        say(f"warning: {note}")
    text = json.dumps(loaded.document, indent=2, ensure_ascii=False) + "\n"
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(output)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{target}: cannot write ({exc.strerror or exc})")
    say(f"saved {target}")


cli.add_command(check_command)
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
