"""Which stubtest allowlists of a generated project apply on a given Python."""

from __future__ import annotations

from pathlib import Path


def allowlists(project: Path, version: str) -> list[Path]:
    """The project's allowlist, and its allowlist for Python ``version`` when it ships one."""
    found = [project / "stubtest-allowlist.txt"]
    specific = project / f"stubtest-allowlist-py{version.replace('.', '')}.txt"
    if specific.is_file():
        found.append(specific)
    return [path for path in found if path.is_file()]
