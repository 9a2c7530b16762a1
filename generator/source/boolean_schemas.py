"""Boolean schemas (OpenAPI 3.1 / JSON Schema): ``true`` accepts any value, ``false`` none.

``properties: {anything: true}``, ``items: false`` and ``anyOf: [true, ...]`` are valid
3.1, but the document model and the models stage expect objects. Normalising
writes ``true`` as ``{}`` and ``false`` as :data:`NEVER` (``{"not": {}}``) wherever a
schema is expected (``additionalProperties`` keeps its boolean: everything reads
it). :func:`map_document_schemas` and :func:`map_subschemas` find those places;
:mod:`svcgen.ir.never` then takes out what ``false`` forbids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .schema_keys import SCHEMA, SCHEMA_LIST, SCHEMA_MAP

#: The schema no value matches (``false``).
NEVER: dict[str, Any] = {"not": {}}
#: Where a boolean stays as it is: every reader takes ``additionalProperties: false``.
KEEP_BOOLEAN = frozenset({"additionalProperties"})
#: Objects of the document whose keys are names, not fields (a parameter may be called ``schema``).
_NAME_MAPS = frozenset({"paths", "webhooks", "callbacks", "content", "responses", "headers", "encoding", "links", "variables"})
#: Values that are data, never objects of the document.
_DATA = frozenset({"example", "examples", "default", "enum", "const", "value", "mapping"})

Schema = Callable[[Any], Any]


def expand_booleans(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every boolean schema written as an object (a new mapping where one changes)."""
    return map_document_schemas(document, _expanded)


def _expanded(schema: Any) -> Any:
    if schema is True:
        return {}
    if schema is False:
        return dict(NEVER)
    return map_subschemas(schema, _expanded, keep_booleans=True)


def is_never(schema: Any) -> bool:
    """``false``, or ``{"not": {}}`` with nothing else that constrains (annotations may stay)."""
    if schema is False:
        return True
    return isinstance(schema, dict) and schema.get("not") == {} and not set(schema) - {"not", "title", "description", "deprecated"}


def map_subschemas(schema: Any, fn: Schema, *, keep_booleans: bool = False) -> Any:
    """``schema`` with ``fn`` applied to each of its immediate subschemas (names kept as names)."""
    if not isinstance(schema, dict):
        return schema
    result = dict(schema)
    for key, value in schema.items():
        if keep_booleans and key in KEEP_BOOLEAN and isinstance(value, bool):
            continue
        if key in SCHEMA:
            result[key] = fn(value)
        elif key in SCHEMA_LIST and isinstance(value, list):
            result[key] = [fn(item) for item in value]
        elif key in SCHEMA_MAP and isinstance(value, dict):
            result[key] = {name: fn(item) for name, item in value.items()}
        elif key == "items":
            result[key] = [fn(item) for item in value] if isinstance(value, list) else fn(value)
        elif key == "dependencies" and isinstance(value, dict):
            result[key] = {name: item if isinstance(item, list) else fn(item) for name, item in value.items()}
    return result


def map_document_schemas(document: dict[str, Any], fn: Schema) -> dict[str, Any]:
    """``document`` with ``fn`` applied to each schema at the top of a schema position: the
    component schemas and every ``schema`` / ``itemSchema`` of a parameter, header or media type."""
    result = _objects(document, fn, names=False)
    assert isinstance(result, dict)
    return result


def _objects(node: Any, fn: Schema, *, names: bool) -> Any:
    if isinstance(node, list):
        return [_objects(item, fn, names=False) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if names:
            result[key] = _objects(value, fn, names=False)
        elif key in ("schema", "itemSchema"):
            result[key] = fn(value)
        elif key in _DATA or key.startswith("x-"):
            result[key] = value
        elif key == "components" and isinstance(value, dict):
            result[key] = {
                section: {name: fn(item) for name, item in entries.items()} if section == "schemas" and isinstance(entries, dict)
                else _objects(entries, fn, names=True)
                for section, entries in value.items()
            }
        else:
            result[key] = _objects(value, fn, names=key in _NAME_MAPS)
    return result
