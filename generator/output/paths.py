"""Which relative paths svcgen may write: inside the output folder, portable, never hidden.

Every path of a generated tree, and every path read back from a manifest on
disk (which anyone could have edited), goes through :func:`is_safe_path` before
svcgen writes, replaces or removes anything there. A part that starts with a
dot is refused, so hidden folders (``.git``, ``.venv``) are never touched.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..core.errors import SvcgenError

_SAFE_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def is_safe_path(name: str) -> bool:
    """True for a relative POSIX path with plain, visible, portable parts (written as strings:
    a no-change check runs it over every file of a large package)."""
    return all(
        part not in ("", ".", "..") and _SAFE_PART.match(part) and part.split(".")[0].lower() not in _WINDOWS_RESERVED
        for part in name.split("/")
    )


def check_paths(files: dict[str, str]) -> None:
    """Refuse any path that could land outside the output folder or collide by case."""
    seen: dict[str, str] = {}
    for name in files:
        if not is_safe_path(name):
            raise SvcgenError(f"refusing to write unsafe path {name[:80]!r}")
        folded = name.lower()
        if folded in seen:
            raise SvcgenError(f"file names {seen[folded]!r} and {name!r} differ only by case")
        seen[folded] = name


def visible_files(folder: Path) -> set[str]:
    """The files below ``folder`` a user would see: not in hidden folders, no bytecode caches."""
    found: set[str] = set()
    if folder.is_symlink() or not folder.is_dir():
        return found
    for current, dirs, files in os.walk(folder):
        dirs[:] = [name for name in dirs if not name.startswith(".") and name != "__pycache__"]
        base = Path(current).relative_to(folder)
        for name in files:
            if not name.startswith(".") and not name.endswith((".pyc", ".pyo")):
                found.add((base / name).as_posix())
    return found


def through_link(folder: Path, name: str) -> bool:
    """True when a folder on the way to ``folder/name`` is a symbolic link (svcgen never acts through one)."""
    parts = name.split("/")[:-1]
    return any(folder.joinpath(*parts[: depth + 1]).is_symlink() for depth in range(len(parts)))
