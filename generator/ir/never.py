"""Take out what a ``false`` schema forbids, and say so.

A property whose schema no value matches (``false``; a ``$ref`` to such a
component; an ``allOf`` holding one; an ``anyOf``/``oneOf`` of nothing else)
can never be sent or received: it is left out of the model and reported (a
required one as well: the server can never send it). A ``false`` union branch
is dropped; ``items: false`` means no items beyond ``prefixItems``
(``maxItems``); a ``false`` pattern property is dropped.
"""

from __future__ import annotations

from typing import Any

from ..source.boolean_schemas import is_never, map_document_schemas, map_subschemas
from ..core.errors import Diagnostic
from .schemas import SCHEMA_PREFIX


class _Never:
    """Decides whether a schema matches no value, following ``$ref``s into the components."""

    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components
        self.known: dict[str, bool] = {}

    def __call__(self, schema: Any) -> bool:
        if is_never(schema):
            return True
        if not isinstance(schema, dict):
            return False
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
            name = ref[len(SCHEMA_PREFIX) :].replace("~1", "/").replace("~0", "~")
            if name not in self.known:
                self.known[name] = False  # a cycle matches values until shown otherwise
                self.known[name] = self(self.components.get(name))
            return self.known[name]
        if isinstance(schema.get("allOf"), list) and any(self(part) for part in schema["allOf"]):
            return True
        return any(
            isinstance(schema.get(key), list) and schema[key] and all(self(part) for part in schema[key])
            for key in ("anyOf", "oneOf")
        )


def drop_never(document: dict[str, Any], diagnostics: list[Diagnostic]) -> dict[str, Any]:
    """``document`` without the properties, branches and items ``false`` forbids."""
    components = (document.get("components") or {}).get("schemas")
    never = _Never(components if isinstance(components, dict) else {})
    dropped: list[str] = []

    def fix(schema: Any) -> Any:
        schema = map_subschemas(schema, fix)
        if not isinstance(schema, dict):
            return schema
        properties = schema.get("properties")
        if isinstance(properties, dict) and any(never(value) for value in properties.values()):
            gone = [name for name, value in properties.items() if never(value)]
            dropped.extend(gone)
            schema = {**schema, "properties": {name: value for name, value in properties.items() if name not in gone}}
            if isinstance(schema.get("required"), list):
                schema["required"] = [name for name in schema["required"] if name not in gone]
        for key in ("anyOf", "oneOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and any(never(branch) for branch in branches):
                kept = [branch for branch in branches if not never(branch)]
                schema = {**schema, key: kept} if kept else schema
        if "items" in schema and never(schema["items"]):
            prefix = schema.get("prefixItems")
            schema = {key: value for key, value in schema.items() if key != "items"}
            schema["maxItems"] = len(prefix) if isinstance(prefix, list) else 0
        patterns = schema.get("patternProperties")
        if isinstance(patterns, dict) and any(never(value) for value in patterns.values()):
            schema = {**schema, "patternProperties": {k: v for k, v in patterns.items() if not never(v)}}
        return schema

    result = map_document_schemas(document, fix)
    for name in sorted(set(dropped)):
        diagnostics.append(
            Diagnostic("#/components/schemas", f"property {name[:60]!r} accepts no value (schema false): left out of its model")
        )
    return result
