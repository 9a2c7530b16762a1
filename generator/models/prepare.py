"""The schemas as the models stage reads them: only what the models can keep.

In: the IR's schemas (component name → JSON schema). Out: the OpenAPI document handed to
datamodel-code-generator, each schema cleaned (:func:`models_document`), and the resolver the
fix-ups use to follow a local ``$ref`` (:func:`schema_resolver`).
"""

from __future__ import annotations

import functools
import json
import re
import warnings
from typing import Any

from pydantic_core import SchemaError, SchemaValidator, core_schema

from ..core.escape import clean_text
from ..source.schema_keys import model_schema
from .defaults import NO_DEFAULT, Resolver, empty_collection_defaults, fit_default, schema_types
from .discriminators import fitted_discriminator
from .enums import prepared_enum, without_enum_bases


def models_document(schemas: dict[str, Any], resolver: Resolver) -> dict[str, Any]:
    """The document the models stage reads: the schemas, with only what the models can keep."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "models", "version": "0"},
        "paths": {},
        "components": {"schemas": {name: _component(_prepare(model_schema(schema), resolver)) for name, schema in schemas.items()}},
    }


def schema_resolver(schemas: dict[str, Any]) -> Resolver:
    prefix = "#/components/schemas/"
    return lambda ref: schemas.get(ref[len(prefix) :]) if ref.startswith(prefix) else None


def _component(schema: Any) -> Any:
    """A scalar component becomes a root model; the models stage would copy its default onto
    every field referring to it (``x: ParallelToolCalls = True``), which no type checker accepts."""
    if isinstance(schema, dict) and "default" in schema and "enum" not in schema:
        kinds = schema_types(schema)
        if kinds and not {"object", "array"} & set(kinds):
            return {key: value for key, value in schema.items() if key != "default"}
    return schema


def _prepare(schema: Any, resolve: Resolver) -> Any:
    """Make a schema say only what the models can keep.

    Property titles go (they only add noise to ``Field(...)``); arrays without
    ``items`` hold anything; ``format: email`` is a plain string (pydantic's
    ``EmailStr`` needs email-validator, which generated packages do not
    depend on); a ``default`` that does not fit its own schema is dropped.
    """
    if isinstance(schema, list):
        return [_prepare(item, resolve) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            result[key] = {name: _prepare(_untitled(prop), resolve) for name, prop in value.items()}
        elif key in ("default", "enum", "const", "example", "examples") or key.startswith("x-"):
            result[key] = value
        elif key == "description" and isinstance(value, str):
            # becomes a docstring: no controls, separators or bidi characters (as escape.docstring)
            result[key] = clean_text(value)
        else:
            result[key] = _prepare(value, resolve)
    if isinstance(result.get("allOf"), list):
        result = without_enum_bases(result, resolve)
    result = prepared_enum(result)
    if isinstance(result.get("discriminator"), dict):
        result = fitted_discriminator(result, resolve)
    if "pattern" in result and not usable_pattern(result["pattern"]):
        del result["pattern"]
    if isinstance(result.get("patternProperties"), dict):
        result["patternProperties"] = {key: value for key, value in result["patternProperties"].items() if usable_pattern(key)}
    if "array" in schema_types(result) and "items" not in result and "prefixItems" not in result:
        result["items"] = {}
    # pydantic turns a deprecated field into a descriptor that warns on every read
    # (and that stubs cannot describe); the description still says so.
    result.pop("deprecated", None)
    if result.get("format") in ("email", "idn-email"):
        del result["format"]
    if "const" in result and not isinstance(result["const"], (str, int, bool, type(None))):
        result = _const_as_type(result)
    if isinstance(result.get("properties"), dict):
        result["properties"] = empty_collection_defaults(result["properties"], result.get("required"))
    if "default" in result:
        fitted = fit_default(result, resolve)
        if fitted is NO_DEFAULT:
            del result["default"]
        else:
            result["default"] = fitted
    return result


def _const_as_type(schema: dict[str, Any]) -> dict[str, Any]:
    """A ``const`` no ``Literal`` can hold (a float, an object, an array): the models stage would
    write ``ratio: float = None`` for an optional one, which no type checker accepts. The field
    gets the constant's JSON type instead; the server still checks the value."""
    value = schema["const"]
    kind = "number" if isinstance(value, float) else "object" if isinstance(value, dict) else "array"
    warnings.warn(f"const {json.dumps(value)[:60]} is no Literal type: only its type ({kind}) is checked client-side")
    result = {key: item for key, item in schema.items() if key != "const"}
    result.setdefault("type", kind)
    return result


def usable_pattern(pattern: object) -> bool:
    """A ``pattern`` the models can keep: pydantic compiles it when the model class is created,
    so one it cannot compile (a typo, ECMA-only syntax) would make the whole package fail to
    import. Kept only when both of pydantic's engines take it (Rust's ``regex``, the default, and
    Python's ``re``), so no model needs ``regex_engine`` either; the server still checks it."""
    if isinstance(pattern, str) and _compiles(pattern):
        return True
    warnings.warn(f"pattern {str(pattern)[:60]!r} is not a regular expression both of pydantic's engines take: not checked client-side")
    return False


@functools.lru_cache(maxsize=4096)
def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
        SchemaValidator(core_schema.str_schema(pattern=pattern))
    except (re.error, SchemaError, RecursionError, OverflowError, ValueError):
        return False
    return True


def _untitled(schema: Any) -> Any:
    if isinstance(schema, dict) and "title" in schema:
        return {k: v for k, v in schema.items() if k != "title"}
    return schema
