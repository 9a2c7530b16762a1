"""Generate a client for part of a large API: ``--include-tag``, ``--exclude-tag``, ``--include-path``.

An operation is kept when it has one of the included tags (if any are given),
none of the excluded tags, and its path matches one of the included globs (if
any are given; ``fnmatch`` style, ``*`` crosses ``/``). All schemas are kept:
models stay complete whichever operations use them.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from ..core.errors import SvcgenError
from .spec import METHODS


def select_operations(
    document: dict[str, Any], include_tags: tuple[str, ...], exclude_tags: tuple[str, ...], include_paths: tuple[str, ...]
) -> dict[str, Any]:
    if not (include_tags or exclude_tags or include_paths):
        return document
    paths: dict[str, Any] = {}
    kept = 0
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        if include_paths and not any(fnmatchcase(str(path), pattern) for pattern in include_paths):
            continue
        selected = {key: value for key, value in item.items() if key not in METHODS or _wanted(value, include_tags, exclude_tags)}
        if any(key in METHODS for key in selected):
            paths[path] = selected
            kept += sum(1 for key in selected if key in METHODS)
    if kept == 0:
        raise SvcgenError("no operation matches the --include-tag/--exclude-tag/--include-path filters")
    return {**document, "paths": paths}


def _wanted(operation: Any, include_tags: tuple[str, ...], exclude_tags: tuple[str, ...]) -> bool:
    tags = set(operation.get("tags") or []) if isinstance(operation, dict) else set()
    if include_tags and not tags & set(include_tags):
        return False
    return not tags & set(exclude_tags)
