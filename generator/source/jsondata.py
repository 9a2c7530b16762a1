"""The document as JSON data: string keys, JSON values, whoever built the mapping.

A document read by :mod:`svcgen.source.load` is already JSON data. A library caller
may pass what ``yaml.safe_load`` gave them instead: integer keys next to
string ones (``responses: {200: ..., default: ...}``), ``true``/``null``
keys, dates. Every later stage, and the document's hash, then sees the same
document a JSON file with that content would give: keys become strings as
JSON writes them (``200`` → ``"200"``, ``True`` → ``"true"``, ``None`` →
``"null"``), dates become ISO text, tuples lists.
"""

from __future__ import annotations

import datetime
from typing import Any

from ..core.errors import SvcgenError
from .limits import check_depth


def json_document(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` as JSON data (the very object when it already is)."""
    check_depth(document, "the document")
    converted = _convert(document, "#")
    assert isinstance(converted, dict)
    return converted


def _convert(node: Any, where: str) -> Any:
    if isinstance(node, dict):
        result = {}
        changed = False
        for key, value in node.items():
            text = key if isinstance(key, str) else _key(key, where)
            new = _convert(value, f"{where}/{text}")
            if text in result:
                raise SvcgenError(f"two keys read as {text[:40]!r}", where=where[:200])
            result[text] = new
            changed = changed or text is not key or new is not value
        return result if changed else node
    if isinstance(node, (list, tuple)):
        items = [_convert(item, f"{where}/{index}") for index, item in enumerate(node)]
        unchanged = isinstance(node, list) and all(new is old for new, old in zip(items, node))
        return node if unchanged else items
    if node is None or isinstance(node, (str, bool, int, float)):
        return node
    if isinstance(node, (datetime.date, datetime.time)):
        return node.isoformat()
    raise SvcgenError(f"a {type(node).__name__} value is not JSON data", where=where[:200])


def _key(key: object, where: str) -> str:
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return str(key)
    raise SvcgenError(f"a {type(key).__name__} key is not JSON data", where=where[:200])
