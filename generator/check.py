"""``svcgen check``: does a committed client still match what its source generates?

The package is regenerated in memory and compared file by file with the
output folder. Files a build or an install leaves behind (``__pycache__``,
``*.egg-info``, ``build/``, ``dist/``) are not part of the comparison; any
other file svcgen would not write counts as drift.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path

#: Produced by building or installing the package, never by svcgen.
_IGNORED_PARTS = ("__pycache__", "build", "dist", ".mypy_cache", ".pytest_cache")
_IGNORED_SUFFIXES = (".pyc", ".pyo")
#: A diff longer than this is summarised (the first lines, then counts).
MAX_DIFF_LINES = 400


@dataclass
class Drift:
    """How an output folder differs from freshly generated files."""

    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changed or self.missing or self.extra)

    def report(self, max_lines: int = MAX_DIFF_LINES) -> str:
        """A unified diff, summarised when it is long, then one line per kind of change."""
        lines = self.diff[:max_lines]
        if len(self.diff) > max_lines:
            lines.append(f"... {len(self.diff) - max_lines} more diff lines not shown\n")
        summary = [
            f"{len(items)} {label}: {', '.join(items[:10])}{' ...' if len(items) > 10 else ''}\n"
            for label, items in (("changed", self.changed), ("missing", self.missing), ("unexpected", self.extra))
            if items
        ]
        return "".join(lines) + "".join(summary)


def compare(files: dict[str, str], output: Path) -> Drift:
    """Compare generated ``files`` (path → text) with what is in ``output``."""
    drift = Drift()
    present = _existing(output)
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
        if current != files[name]:
            drift.changed.append(name)
            drift.diff.extend(_unified(current or "", files[name], name))
    drift.extra = sorted(present - set(files))
    return drift


def recorded_library(output: Path, package: str) -> str | None:
    """The HTTP library the package in ``output`` says it was generated for (``_svcgen.json``), if readable."""
    try:
        record = json.loads((output / package / "_svcgen.json").read_text(encoding="utf-8"))
        library = record["options"].get("http_library", "httpx")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return library if isinstance(library, str) else None


def _existing(output: Path) -> set[str]:
    if not output.is_dir():
        return set()
    found: set[str] = set()
    for path in output.rglob("*"):
        relative = path.relative_to(output)
        if not path.is_file() or path.suffix in _IGNORED_SUFFIXES:
            continue
        if any(part in _IGNORED_PARTS or part.endswith(".egg-info") for part in relative.parts):
            continue
        found.add(relative.as_posix())
    return found


def _unified(old: str, new: str, name: str) -> list[str]:
    lines = list(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{name}", f"b/{name}", n=2
        )
    )
    return [line if line.endswith("\n") else line + "\n" for line in lines]
