"""Schema ``$ref``s to places other than a component schema.

A local ``$ref`` is a JSON pointer into the document, and a schema may point
anywhere a schema is: ``#/components/parameters/Limit/schema``,
``#/paths/~1companies~1{companyId}/parameters/0/schema``. The models stage
sees only the component schemas, so such a target is copied in place of the
``$ref`` (its own ``$ref``s followed the same way); a target that contains a
``$ref`` back to itself becomes a component schema of its own instead, named
after the pointer. A pointer that leads nowhere is refused, naming it.
"""

from __future__ import annotations

from typing import Any

from ..source.boolean_schemas import NEVER, map_document_schemas, map_subschemas
from ..core.errors import SvcgenError
from .naming import pascal, unique
from .schemas import SCHEMA_PREFIX, resolve

#: Pointer segments that say where, not what: left out of a hoisted schema's name.
_NOISE = frozenset({"components", "paths", "schema", "schemas", "content", "parameters", "properties", "items", "responses", "requestBody"})

#: Keywords next to a ``$ref`` that only annotate: merged into a copied target.
_ANNOTATIONS = frozenset({"title", "description", "deprecated", "readOnly", "writeOnly", "example", "examples", "default"})


def inline_local_refs(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every schema ``$ref`` pointing at a component schema (or into one)."""
    inliner = _Inliner(document)
    result = map_document_schemas(document, inliner.schema)
    if not inliner.hoisted:
        return result
    components = dict(result.get("components") or {})
    components["schemas"] = {**(components.get("schemas") or {}), **inliner.new}
    return {**result, "components": components}


def _in_components(pointer: str) -> bool:
    return pointer.startswith(SCHEMA_PREFIX) and len(pointer) > len(SCHEMA_PREFIX)


class _Inliner:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.stack: list[str] = []
        self.hoisted: dict[str, str] = {}
        self.new: dict[str, Any] = {}
        schemas = (document.get("components") or {}).get("schemas")
        self.taken = set(schemas) if isinstance(schemas, dict) else set()

    def schema(self, node: Any) -> Any:
        node = map_subschemas(node, self.schema)
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            return self._ref(node)
        return node

    def _ref(self, node: dict[str, Any]) -> Any:
        pointer = node["$ref"]
        if not pointer.startswith("#"):
            return node
        if _in_components(pointer):
            if "/" in pointer[len(SCHEMA_PREFIX) :]:
                resolve(self.document, pointer)  # a pointer into a component: it must lead somewhere
            return node
        rest = {key: value for key, value in node.items() if key != "$ref"}
        if pointer in self.hoisted or pointer in self.stack:
            key = self.hoisted.setdefault(pointer, unique(self._name(pointer), self.taken, separator=""))
            return self._with(rest, {"$ref": SCHEMA_PREFIX + key.replace("~", "~0").replace("/", "~1")})
        target = resolve(self.document, pointer)
        if isinstance(target, bool):
            target = {} if target else dict(NEVER)
        if not isinstance(target, dict):
            raise SvcgenError(f"$ref {pointer[:80]!r} does not point to a schema")
        self.stack.append(pointer)
        inlined = self.schema(target)
        self.stack.pop()
        if pointer in self.hoisted:  # the target refers to itself: a component holds it
            self.new[self.hoisted[pointer]] = inlined
            inlined = {"$ref": SCHEMA_PREFIX + self.hoisted[pointer].replace("~", "~0").replace("/", "~1")}
        return self._with(rest, inlined)

    @staticmethod
    def _with(rest: dict[str, Any], target: Any) -> Any:
        """The target, with the keywords written next to the ``$ref`` (3.1 allows them) applied too."""
        if not rest:
            return target
        if isinstance(target, dict) and "$ref" not in target and set(rest) <= _ANNOTATIONS:
            return {**target, **rest}
        return {**rest, "allOf": [*(rest.get("allOf") or []), target]}

    @staticmethod
    def _name(pointer: str) -> str:
        parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/") if part]
        words = [part for part in parts if part not in _NOISE and not part.isdigit()]
        return pascal(" ".join(words[-3:]), fallback="Schema")
