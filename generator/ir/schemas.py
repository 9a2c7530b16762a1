"""Component schemas: their Python class names, ``$ref`` rewriting, and tie-back.

Component keys become class names here (``ResultIODescriptor`` → ``Result``,
BentoML's ``score__Input`` → ``ScoreInput``) and every local ``$ref`` in the
document is rewritten to the new key, so the models stage names each class
exactly as the client module expects.
"""

from __future__ import annotations

import json
from typing import Any

from ..core.errors import SvcgenError
from . import naming

SCHEMA_PREFIX = "#/components/schemas/"
BENTOML_OUTPUT_SUFFIX = "IODescriptor"
BENTOML_INPUT_SEPARATOR = "__Input"


def component_names(keys: list[str], reserved: set[str]) -> dict[str, str]:
    """Map each component key to a unique, clean class name."""
    taken = set(reserved)
    names: dict[str, str] = {}
    # Names that need no cleaning go first so that e.g. ``Result`` keeps its
    # name and ``ResultIODescriptor`` becomes ``Result2`` rather than the reverse.
    ordered = sorted(keys, key=lambda key: _clean_base(key) != key)
    for key in ordered:
        base = _clean_base(key)
        if base in naming.PACKAGE_NAMES:
            base += "Model"
        names[key] = naming.unique(base, taken, separator="")
    return {key: names[key] for key in keys}


def output_copies(components: dict[str, Any]) -> dict[str, str]:
    """BentoML's ``<Model>IODescriptor`` components that are copies of ``<Model>`` (an API's output
    or root input, written again without the docstring): key → the original's key. The copy would
    be a second class (``Review2``) in the public surface."""
    copies: dict[str, str] = {}
    for key, schema in components.items():
        original = str(key)[: -len(BENTOML_OUTPUT_SUFFIX)] if str(key).endswith(BENTOML_OUTPUT_SUFFIX) else None
        if original and original in components and _shape(schema) == _shape(components[original]):
            copies[str(key)] = original
    return copies


def error_only(document: dict[str, Any]) -> set[str]:
    """Components only error answers (4xx, 5xx) use, directly or not: BentoML's
    ``InvalidArgument``/``NotFound``/``InternalServerError`` bodies, which errors carry as
    ``.body``, are no API models of their own."""
    success: list[Any] = []
    errors: list[Any] = []
    for item in (document.get("paths") or {}).values():
        for op in item.values() if isinstance(item, dict) else ():
            if not isinstance(op, dict):
                continue
            responses = op.get("responses") if isinstance(op.get("responses"), dict) else {}
            for code, answer in responses.items():
                (errors if str(code)[:1] in ("4", "5") else success).append(answer)
            success.extend(value for key, value in op.items() if key != "responses")
        success.extend(value for key, value in item.items() if key not in METHOD_KEYS) if isinstance(item, dict) else None
    components = (document.get("components") or {}).get("schemas") or {}
    return _reached(errors, components) - _reached(success, components)


#: Keys of a path item that hold operations.
METHOD_KEYS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def _reached(roots: list[Any], components: dict[str, Any]) -> set[str]:
    """The component keys ``roots`` refer to, directly or through other components."""
    found: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
                key = _unescape(ref[len(SCHEMA_PREFIX) :].partition("/")[0])
                if key not in found and key in components:
                    found.add(key)
                    stack.append(components[key])
            stack.extend(value for name, value in node.items() if name != "$ref")
    return found


def _clean_base(key: str) -> str:
    if key.endswith(BENTOML_INPUT_SEPARATOR) and len(key) > len(BENTOML_INPUT_SEPARATOR):
        return naming.pascal(key[: -len(BENTOML_INPUT_SEPARATOR)]) + "Input"
    if key.endswith(BENTOML_OUTPUT_SUFFIX) and len(key) > len(BENTOML_OUTPUT_SUFFIX):
        key = key[: -len(BENTOML_OUTPUT_SUFFIX)]
    return naming.pascal(key)


def rewrite_refs(node: Any, names: dict[str, str]) -> Any:
    """Return ``node`` with ``#/components/schemas/<key>`` refs pointing at the new names."""
    if isinstance(node, list):
        return [rewrite_refs(item, names) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            result[key] = _rewrite_ref(value, names)
        elif key == "discriminator" and isinstance(value, dict) and isinstance(value.get("mapping"), dict):
            result[key] = {**value, "mapping": _rewrite_mapping(value["mapping"], names)}
        elif key in ("example", "examples", "default", "enum", "const"):
            result[key] = value
        else:
            result[key] = rewrite_refs(value, names)
    return result


def _rewrite_ref(ref: str, names: dict[str, str]) -> str:
    if not ref.startswith(SCHEMA_PREFIX):
        return ref
    rest = ref[len(SCHEMA_PREFIX) :]
    key, slash, tail = rest.partition("/")
    key = _unescape(key)
    if key not in names:
        raise SvcgenError(f"$ref {ref[:80]!r} points to a schema that does not exist")
    return SCHEMA_PREFIX + names[key] + slash + tail


def _rewrite_mapping(mapping: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A discriminator mapping pointing at the new names; an entry whose schema does not exist is
    left out (the variants' own values still tag them)."""
    result = {}
    for value, target in mapping.items():
        if isinstance(target, str) and target.startswith(SCHEMA_PREFIX):
            key = _unescape(target[len(SCHEMA_PREFIX) :].partition("/")[0])
            if key not in names:
                continue
            target = _rewrite_ref(target, names)
        result[value] = target
    return result


def resolve(document: dict[str, Any], ref: str) -> Any:
    """Follow a local JSON pointer (``#/components/parameters/Limit``)."""
    if not ref.startswith("#"):
        raise SvcgenError(f"external $ref {ref[:80]!r} is not supported")
    node: Any = document
    for raw in ref[1:].lstrip("/").split("/") if ref != "#" else []:
        part = _unescape(raw)
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise SvcgenError(f"$ref {ref[:80]!r} does not resolve")
    return node


def deref(document: dict[str, Any], node: Any, *, limit: int = 64) -> Any:
    """Follow ``$ref`` objects (for parameters, bodies, responses) until a real node."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        seen += 1
        if seen > limit:
            raise SvcgenError(f"$ref chain starting at {node['$ref'][:80]!r} never ends")
        node = resolve(document, node["$ref"])
    return node


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


class TieBack:
    """Find the component an inline schema is a copy of (BentoML inlines them)."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self._by_shape: dict[str, list[str]] = {}
        for name, schema in schemas.items():
            self._by_shape.setdefault(_shape(schema), []).append(name)

    def find(self, schema: Any, prefer: list[str]) -> str | None:
        if not isinstance(schema, dict) or schema.get("type") != "object" or not schema.get("properties"):
            return None
        candidates = self._by_shape.get(_shape(schema), [])
        for name in prefer:
            if name in candidates:
                return name
        return candidates[0] if candidates else None


def _shape(schema: Any) -> str:
    if isinstance(schema, dict):
        schema = {k: v for k, v in schema.items() if k not in ("title", "description", "root_input")}
    return json.dumps(schema, sort_keys=True, default=str)
