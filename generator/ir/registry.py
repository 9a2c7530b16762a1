"""The schemas handed to the models stage: components plus per-operation synthetics."""

from __future__ import annotations

from typing import Any

from . import naming
from .schemas import SCHEMA_PREFIX, TieBack, deref


class SchemaRegistry:
    """Component schemas (under their class names) and synthetic ones.

    A synthetic schema stands for an inline body, response or parameter set.
    Object schemas become real model classes; any other shape is *scratch*:
    the models stage generates it only to read its type annotation, then
    drops the class.
    """

    def __init__(self, components: dict[str, Any], renamed: dict[str, str]) -> None:
        self.schemas: dict[str, Any] = dict(components)
        self.scratch_names: set[str] = set()
        self.holders: set[str] = set()
        self.internal: set[str] = set()
        self.renamed = renamed
        self.bentoml_inputs = {new for old, new in renamed.items() if old.endswith("__Input")}
        self._components = set(components)
        self._taken = set(components) | set(naming.PACKAGE_NAMES)
        self._tie_back = TieBack(components)
        self._document = {"components": {"schemas": self.schemas}}

    def scratch(self, name: str, schema: dict[str, Any]) -> str:
        """A class generated only to learn an annotation (dropped when it is a root model)."""
        name = self._claim(name)
        self.schemas[name] = schema
        self.scratch_names.add(name)
        return name

    def holder(self, name: str, properties: dict[str, Any], required: list[str]) -> str:
        """A scratch object whose fields' annotations type one operation's parameters."""
        name = self.scratch(name, {"type": "object", "properties": properties, "required": required})
        self.holders.add(name)
        return name

    def model_for(self, schema: Any, name: str, *, prefer: list[str]) -> str:
        """The class that validates ``schema``: a component, or a new synthetic one."""
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if ref.startswith(SCHEMA_PREFIX) and "/" not in ref[len(SCHEMA_PREFIX) :]:
                return ref[len(SCHEMA_PREFIX) :]
        found = self._tie_back.find(schema, [self.renamed.get(p, p) for p in prefer])
        if found is not None:
            return found
        if not isinstance(schema, dict):
            schema = {}
        if _is_object_model(schema):
            name = self._claim(name)
            self.schemas[name] = schema
            return name
        return self.scratch(name, schema)

    def mark_flattened(self, name: str) -> None:
        """A body model whose fields became keyword arguments: not exported at top level."""
        if name in self.bentoml_inputs or name not in self._components:
            self.internal.add(name)

    def resolved(self, schema: Any) -> Any:
        return deref(self._document, schema)

    def _claim(self, name: str) -> str:
        base, counter = name, 2
        lowered = {taken.lower() for taken in self._taken}
        while name in self._taken or name.lower() in lowered:
            name = f"{base}{counter}"
            counter += 1
        self._taken.add(name)
        return name


def _is_object_model(schema: dict[str, Any]) -> bool:
    return schema.get("type") in ("object", None) and isinstance(schema.get("properties"), dict) and bool(schema["properties"])
