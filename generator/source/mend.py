"""Mend the defects of a document that change nothing in the client, with a warning each.

Validation against the OpenAPI model reports every defect. Those where the
intent is clear and the client comes out the same are mended instead of
refusing the document:

- a missing or malformed ``info``, ``info.title`` or ``info.version``
  (the package name then comes from ``--name`` or the default ``api_client``,
  its version from ``--package-version`` or ``0.1.0``); a number as the
  version is its text;
- a response without its required ``description``;
- a 3.0-style ``examples`` map where 3.1 wants a list (the values are kept);
- a malformed text or documentation field (``description``, ``summary``,
  ``example``, ``externalDocs``, ``contact``, ``license``...): dropped.

Anything else (a wrong type, a missing ``name`` or ``in``, an unknown
parameter location...) would make the client wrong, and stays a refusal.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import Diagnostic

#: Fields that only document: dropped when malformed.
DOCUMENTATION = frozenset(
    {"description", "summary", "example", "examples", "externalDocs", "contact", "license", "termsOfService"}
)
#: Fields filled in when missing or malformed → their default.
_FILL: dict[str, Any] = {"#/info": {"title": "API", "version": ""}, "#/info/title": "API", "#/info/version": ""}


def mend(document: dict[str, Any], errors: list[dict[str, Any]], notes: list[Diagnostic]) -> bool:
    """Mend ``document`` in place where ``errors`` (pydantic's) allow; whether anything was mended."""
    mended = False
    for error in errors:
        found = _locate(document, tuple(error["loc"]))
        if found is None:
            continue
        parent, key, where = found
        if _mend_one(parent, key, error["type"], where, notes):
            mended = True
    return mended


def _mend_one(parent: dict[str, Any], key: str, kind: str, where: str, notes: list[Diagnostic]) -> bool:
    value = parent.get(key)
    if where in _FILL:
        if where != "#/info" and isinstance(value, (int, float)) and not isinstance(value, bool):
            parent[key] = str(value)
            notes.append(Diagnostic(where, f"a number where text belongs: read as {parent[key]!r}"))
            return True
        parent[key] = dict(_FILL[where]) if where == "#/info" else _FILL[where]
        gets = "the default version 0.1.0" if where == "#/info/version" else "the default name api_client"
        notes.append(Diagnostic(where, f"{'missing' if kind == 'missing' else 'malformed'}: the package gets {gets}"))
        return True
    if key == "description" and kind == "missing" and "/responses/" in where:
        parent[key] = ""
        notes.append(Diagnostic(where, "a response without its description: none given"))
        return True
    if key not in DOCUMENTATION or kind == "missing" or key not in parent:
        return False
    if key == "examples" and isinstance(value, dict):
        parent[key] = [item.get("value") if isinstance(item, dict) and "value" in item else item for item in value.values()]
        notes.append(Diagnostic(where, "an OpenAPI 3.0 examples map where 3.1 wants a list: read as the list of its values"))
        return True
    del parent[key]
    notes.append(Diagnostic(where, f"malformed {key}: ignored"))
    return True


def _locate(document: dict[str, Any], loc: tuple[Any, ...]) -> tuple[dict[str, Any], str, str] | None:
    """The mapping holding the field ``loc`` names, the field's key and its JSON pointer.

    pydantic puts the name of the union member it tried into the location
    (``.../200/Response/description``): a part that is no key of the node
    it is read against is such a name, and skipped.
    """
    node: Any = document
    parts: list[str] = []
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, dict) and last and isinstance(part, str):
            return node, part, "#/" + "/".join([*parts, _escape(part)])
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict) and (part[:1].isupper() or "[" in part):
            continue
        else:
            return None
        parts.append(_escape(str(part)))
    return None


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
