"""``svcgen check``: does a committed client still match what its source generates?

The package is regenerated in memory and compared file by file with the
output folder. Only svcgen's files count: a file missing or changed, or one the
previous generation wrote (its manifest, see :mod:`svcgen.output.manifest`) that
would now be removed. Files svcgen does not own - the user's, hidden folders,
what a build or an install leaves behind - are listed apart and are not drift.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..output.manifest import INPUTS_KEY, PROVENANCE, owned_files
from ..output.paths import visible_files

#: A diff longer than this is summarised (the first lines, then counts).
MAX_DIFF_LINES = 400


@dataclass
class Drift:
    """How an output folder differs from freshly generated files."""

    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)
    #: files svcgen does not own: reported with ``-v``, never drift
    foreign: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changed or self.missing or self.extra)

    def report(self, max_lines: int = MAX_DIFF_LINES) -> str:
        """A unified diff, summarised when it is long, then one line per kind of change."""
        lines = self.diff[:max_lines]
        if len(self.diff) > max_lines:
            lines.append(f"... {len(self.diff) - max_lines} more diff lines not shown\n")
        summary = [
            f"{len(items)} {label}: {', '.join(items[:10])}{' ...' if len(items) > 10 else ''}\n"
            for label, items in (("changed", self.changed), ("missing", self.missing), ("no longer generated", self.extra))
            if items
        ]
        return "".join(lines) + "".join(summary)


def compare(files: dict[str, str], output: Path) -> Drift:
    """Compare generated ``files`` (path → text) with what is in ``output``."""
    drift = Drift()
    present = visible_files(output)
    for name in sorted(files):
        path = output / name
        if name not in present:
            drift.missing.append(name)
            drift.diff.extend(_unified("", files[name], name))
            continue
        try:
            current = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            current = None
        if current != files[name] and not _same_record(name, current, files[name]):
            drift.changed.append(name)
            drift.diff.extend(_unified(current or "", files[name], name))
    owned = set(owned_files(output).files)
    drift.extra = sorted((present & owned) - set(files))
    drift.foreign = sorted(present - owned - set(files))
    return drift


def _same_record(name: str, current: str | None, new: str) -> bool:
    """Whether two provenance files differ only in their inputs' fingerprint: a cache key (made
    with svcgen's own code, so it changes with every svcgen), not content."""
    if current is None or Path(name).name != PROVENANCE:
        return False
    try:
        old_record, new_record = json.loads(current), json.loads(new)
    except ValueError:
        return False
    if not isinstance(old_record, dict) or not isinstance(new_record, dict):
        return False
    old_record.pop(INPUTS_KEY, None)
    new_record.pop(INPUTS_KEY, None)
    return bool(old_record == new_record)


def recorded_library(output: Path, package: str) -> str | None:
    """The HTTP library the package in ``output`` says it was generated for (``_svcgen.json``), if readable."""
    try:
        record = json.loads((output / package / "_svcgen.json").read_text(encoding="utf-8"))
        library = record["options"].get("http_library", "httpx")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return library if isinstance(library, str) else None


def _unified(old: str, new: str, name: str) -> list[str]:
    lines = list(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{name}", f"b/{name}", n=2
        )
    )
    return [line if line.endswith("\n") else line + "\n" for line in lines]
