"""Stage 4 (input side): discriminators the models stage and pydantic can use as written.

pydantic builds a discriminated union when a model class is created, so a discriminator that
does not fit its variants would make the whole package fail to import; and without a
``mapping`` the models stage tags each variant with its schema name (OpenAPI's implicit
mapping) even where the variant declares its own values (``type: {enum: [web_search_preview]}``),
so every real answer would be rejected.
"""

from __future__ import annotations

import warnings
from typing import Any

from .defaults import Resolver

#: How deep ``$ref``/``allOf`` chains are followed to find a variant's property.
_MAX_DEPTH = 16


def fitted_discriminator(schema: dict[str, Any], resolve: Resolver) -> dict[str, Any]:
    """``schema`` (a union with a discriminator) without an unusable discriminator, and with a
    mapping for the values its variants declare themselves."""
    if not _usable(schema, resolve):
        return {key: value for key, value in schema.items() if key != "discriminator"}
    return _with_declared_tags(schema, resolve)


def _with_declared_tags(schema: dict[str, Any], resolve: Resolver) -> dict[str, Any]:
    """Map each value a variant's property declares (``const`` or a string ``enum``) to that
    variant, where the mapping does not already say where the value or the variant goes."""
    discriminator = schema["discriminator"]
    branches = schema.get("oneOf", schema.get("anyOf"))
    if not isinstance(branches, list):
        return schema
    given = discriminator.get("mapping")
    mapping: dict[str, Any] = dict(given) if isinstance(given, dict) else {}
    mapped = {target for target in mapping.values() if isinstance(target, str)}
    added: dict[str, str] = {}
    for branch in branches:
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if not isinstance(ref, str) or ref in mapped:
            continue
        for tag in _declared_tags(branch, discriminator["propertyName"], resolve) or []:
            if tag in mapping or tag in added:
                # two variants claim one value: no discriminated union can tell them apart
                warnings.warn(f"discriminator value {tag[:60]!r} names two variants: validated variant by variant")
                return {key: value for key, value in schema.items() if key != "discriminator"}
            added[tag] = ref
    if not added:
        return schema
    return {**schema, "discriminator": {**discriminator, "mapping": {**mapping, **added}}}


def _declared_tags(schema: Any, name: str, resolve: Resolver, depth: int = 0) -> list[str] | None:
    """The string values a variant declares for its property ``name``, if it declares any."""
    if depth > _MAX_DEPTH or not isinstance(schema, dict):
        return None
    if isinstance(schema.get("$ref"), str):
        return _declared_tags(resolve(schema["$ref"]), name, resolve, depth + 1)
    properties = schema.get("properties")
    if isinstance(properties, dict) and name in properties:
        return _values(properties[name], resolve)
    for part in schema.get("allOf") or []:
        found = _declared_tags(part, name, resolve, depth + 1)
        if found is not None:
            return found
    return None


def _values(schema: Any, resolve: Resolver, depth: int = 0) -> list[str] | None:
    if depth > _MAX_DEPTH or not isinstance(schema, dict):
        return None
    if isinstance(schema.get("$ref"), str):
        return _values(resolve(schema["$ref"]), resolve, depth + 1)
    if isinstance(schema.get("const"), str):
        return [schema["const"]]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and all(isinstance(value, str) for value in enum):
        return list(dict.fromkeys(enum))
    return None


def _usable(schema: dict[str, Any], resolve: Resolver) -> bool:
    """pydantic builds a discriminated union when the model class is created: every variant must
    be an object with the discriminating property, else the whole package fails to import. A
    discriminator that cannot be used leaves a plain union (validated variant by variant)."""
    name = schema["discriminator"].get("propertyName")
    branches = schema.get("oneOf", schema.get("anyOf"))
    if branches is None:
        return True  # on a base schema: the models stage reads it from the subtypes
    usable = isinstance(name, str) and isinstance(branches, list) and bool(branches)
    usable = usable and all(_has_property(branch, name, resolve) for branch in branches)
    if not usable:
        warnings.warn(f"discriminator {str(name)[:60]!r} is not used: not every variant is an object with that property")
    return usable


def _has_property(schema: Any, name: str, resolve: Resolver, depth: int = 0) -> bool:
    """``schema`` is an object that declares property ``name`` (through ``$ref`` and ``allOf``), or
    a union of such objects (a nested discriminated union)."""
    if depth > _MAX_DEPTH or not isinstance(schema, dict):
        return False
    if isinstance(schema.get("$ref"), str):
        return _has_property(resolve(schema["$ref"]), name, resolve, depth + 1)
    if "$recursiveRef" in schema or "$dynamicRef" in schema:
        return True  # resolved by the models stage itself
    properties = schema.get("properties")
    if isinstance(properties, dict) and name in properties:
        return True
    parts = schema.get("allOf")
    if isinstance(parts, list) and any(_has_property(part, name, resolve, depth + 1) for part in parts):
        return True
    variants = schema.get("oneOf", schema.get("anyOf"))
    return isinstance(variants, list) and bool(variants) and all(_has_property(item, name, resolve, depth + 1) for item in variants)
