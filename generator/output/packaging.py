"""What the generated project's build backend packs: derived from the files svcgen wrote.

The wheel and sdist of a generated client must hold every module svcgen wrote,
whatever shape the models take (one module, or a package split for large APIs),
and nothing else: not a package search, which would also pack a user's own
folders kept beside the client. So the ``pyproject.toml`` lists the packages
and the data files by name, read off the file tree itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Packing:
    """The import packages (dotted, sorted) and, per package, its non-module files (sorted)."""

    packages: list[str]
    package_data: dict[str, list[str]] = field(default_factory=dict)


def packing(files: Mapping[str, str], package: str) -> Packing:
    """The packages under ``package`` that hold an ``__init__.py``, and the other files each one ships."""
    folders: set[PurePosixPath] = set()
    data: dict[PurePosixPath, list[str]] = {}
    for relative in files:
        path = PurePosixPath(relative)
        if path.parts[0] != package:
            continue
        if path.name == "__init__.py":
            folders.add(path.parent)
        elif path.suffix != ".py":
            data.setdefault(path.parent, []).append(path.name)
    packages = sorted(".".join(folder.parts) for folder in folders)
    package_data = {
        ".".join(folder.parts): sorted(names) for folder, names in sorted(data.items()) if folder in folders
    }
    return Packing(packages, package_data)
