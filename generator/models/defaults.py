"""Schema defaults the models can state as Python values.

Real documents carry defaults that do not fit their own schema: numbers and
``null`` written as strings (``"1024"``, ``"null"``), ``{}`` on a date-time or
on a reference to a model, durations and paths as text for typed fields. A
model field would then claim a value of the wrong type; a default only fills in
what the server left out, so one that does not fit is dropped (the field stays
optional) rather than written into code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

#: Looks up ``#/components/schemas/<name>`` (None when it is not there).
Resolver = Callable[[str], Any]

NO_DEFAULT: Any = object()
_COMPOSED = ("$ref", "allOf", "anyOf", "oneOf")
#: String formats the models keep as ``str``; other formats become other types.
_TEXT_FORMATS = frozenset({"", "password", "hostname", "regex", "string", "text"})


def fit_default(schema: dict[str, Any], resolve: Resolver) -> Any:
    """The schema's default as a fitting value, or ``NO_DEFAULT`` when none fits."""
    value = schema["default"]
    if any(key in schema for key in _COMPOSED) and not schema_types(schema):
        return _fit_composed(value, schema, resolve)
    if isinstance(value, str) and value == "null" and not schema_types(schema):
        # ``default: "null"`` on a nullable reference (Hugging Face TGI) means None.
        return None
    if _fits(value, schema):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return NO_DEFAULT
        if _fits(parsed, schema):
            return parsed
    return NO_DEFAULT


def _fit_composed(value: Any, schema: dict[str, Any], resolve: Resolver) -> Any:
    """A default on a reference: ``None`` where null is allowed, a scalar only where every
    referenced schema is a scalar or an enum it fits (the models write it as that type)."""
    branches = [schema] if "$ref" in schema else []
    for key in ("allOf", "anyOf", "oneOf"):
        branches += [item for item in schema.get(key) or [] if isinstance(item, dict)]
    refs = ["$ref" in branch for branch in branches]
    targets = [resolve(str(branch["$ref"])) if "$ref" in branch else branch for branch in branches]
    if value is None or value == "null":
        return None if any(isinstance(t, dict) and "null" in schema_types(t) for t in targets) else NO_DEFAULT
    real = [(ref, t) for ref, t in zip(refs, targets) if not (isinstance(t, dict) and schema_types(t) == ["null"])]
    if isinstance(value, (dict, list)) or not real:
        return NO_DEFAULT
    for branch_is_ref, target in real:
        if not isinstance(target, dict) or any(key in target for key in _COMPOSED) or not schema_types(target):
            return NO_DEFAULT
        if "object" in schema_types(target) or "array" in schema_types(target) or not _fits(value, target):
            return NO_DEFAULT
        if branch_is_ref and "enum" not in target:
            # A referenced scalar becomes a root model (``ParallelToolCalls(RootModel[bool])``),
            # which a plain ``True`` is not; only enum members are written as defaults.
            return NO_DEFAULT
    return value


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    if isinstance(schema.get("enum"), list) and value not in schema["enum"]:
        return False
    if "const" in schema and value != schema["const"]:
        return False
    kinds = schema_types(schema)
    if not kinds:
        return True
    if isinstance(value, str) and "string" in kinds and str(schema.get("format", "")) not in _TEXT_FORMATS:
        return False
    if not any(_is(value, kind) for kind in kinds):
        return False
    return _members_fit(value, schema)


def _members_fit(value: Any, schema: dict[str, Any]) -> bool:
    """The entries of an object or array default fit their own schemas (``{"x": "P1D"}`` for
    durations does not: the model holds ``timedelta`` values)."""
    if isinstance(value, dict):
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        extra = schema.get("additionalProperties")
        return all(_member_fits(item, properties.get(key, extra)) for key, item in value.items())
    if isinstance(value, list):
        return all(_member_fits(item, schema.get("items")) for item in value)
    return True


def _member_fits(value: Any, schema: Any) -> bool:
    if not isinstance(schema, dict) or not schema:
        return True
    if any(key in schema for key in _COMPOSED):
        return False
    return _fits(value, schema)


def _is(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return False


def schema_types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [str(item) for item in kind]
    return []


def empty_collection_defaults(properties: dict[str, Any], required: object) -> dict[str, Any]:
    """An optional list or map that is not nullable and has no default is empty when left out,
    not ``None`` (pydantic writes no default for ``Field(default_factory=list)``): typed
    ``list[str] = []`` rather than ``list[str] | None = None``, a ``None`` the server refuses."""
    needed = set(required) if isinstance(required, list) else set()
    result = dict(properties)
    for name, prop in properties.items():
        if name in needed or not isinstance(prop, dict) or {"default", "$ref", "minItems", "minProperties"} & set(prop):
            continue
        kinds = schema_types(prop)
        if kinds == ["array"] and not ({"anyOf", "oneOf", "allOf"} & set(prop)):
            result[name] = {**prop, "default": []}
        elif kinds == ["object"] and "properties" not in prop and isinstance(prop.get("additionalProperties"), dict):
            result[name] = {**prop, "default": {}}
    return result
