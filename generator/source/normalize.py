"""Bring a raw document to the OpenAPI 3.1 shape the later stages expect.

BentoML labels its documents 3.0.2 but writes 3.1 schemas and its own
``tensor``/``dataframe``/``file`` types; real 3.0 documents use ``nullable``
and boolean ``exclusiveMinimum``. Everything becomes plain 3.1 JSON Schema
here, with BentoML's original type kept under ``x-bentoml-type``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from .boolean_schemas import expand_booleans
from .bundle import is_external, is_reference
from ..core.errors import SvcgenError
from .limits import MAX_DEPTH

JSON_SCHEMA_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})
BENTOML_TYPES = frozenset({"tensor", "dataframe", "file"})
#: Keys whose values are data, not schemas: never rewritten.
#: Keys whose values are data, not schemas (``securitySchemes`` entries have a ``type`` of their own).
DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const", "securitySchemes"})
#: Mappings whose keys are names chosen by the author, never keywords.
NAME_MAPPINGS = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "responses", "schemas", "paths"}
)
#: String formats that mean "binary content as base64 text" (3.0 ``byte``; ``base64`` in the wild).
BASE64_FORMATS = frozenset({"byte", "base64"})
_VERSION = re.compile(r"^3\.[01](\.\d+)?(-.+)?$")


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    """Return a normalised deep copy of ``raw``, labelled OpenAPI 3.1.0."""
    check_version(raw)
    document = expand_booleans(_walk(raw, "#", 0))
    document["openapi"] = "3.1.0"
    return document


def check_version(raw: dict[str, Any]) -> None:
    version = raw.get("openapi")
    if version is None:
        if "swagger" in raw:
            raise SvcgenError(
                "OpenAPI 2.0 (Swagger) documents are not supported: convert it to OpenAPI 3 first"
            )
        raise SvcgenError("not an OpenAPI document: it has no 'openapi' version field")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise SvcgenError(f"unsupported OpenAPI version {str(version)[:40]!r}: svcgen reads 3.0 and 3.1")


def _walk(node: Any, where: str, depth: int, names: bool = False) -> Any:
    """Rewrite every schema below ``node``; ``names`` marks a mapping whose keys are names
    (``properties``, ``responses``…), so a property called ``default`` is still a schema."""
    if depth > MAX_DEPTH:
        raise SvcgenError(f"document nests deeper than {MAX_DEPTH} levels", where=where)
    if isinstance(node, list):
        return [_walk(item, f"{where}/{index}", depth + 1) for index, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        key = str(key)
        if not names and (key in DATA_KEYS or key.startswith("x-")):
            result[key] = value
        else:
            child_names = not names and key in NAME_MAPPINGS
            result[key] = _walk(value, f"{where}/{_escape_pointer(key)}", depth + 1, child_names)
    if names:
        return result
    if result.get("enum") == []:
        # "one of no values" is what authors write for "not constrained yet" (Discord):
        # OpenAPI parsers reject it, and no value could ever be sent, so it means nothing.
        del result["enum"]
    ref = result.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#"):
        raise SvcgenError(f"external $ref {ref[:80]!r} is not supported", where=where)
    if isinstance(result.get("discriminator"), dict) and isinstance(result["discriminator"].get("mapping"), dict):
        result["discriminator"] = {**result["discriminator"], "mapping": _local_mapping(result["discriminator"]["mapping"], where)}
    if isinstance(ref, str) and "%" in ref:
        # a URI fragment: its JSON pointer may be percent-encoded (``~1companies~1%7BcompanyId%7D``)
        result["$ref"] = unquote(ref)
    if "type" in result and (result["type"] is None or (isinstance(result["type"], list) and None in result["type"])):
        # YAML reads an unquoted ``type: null`` (or ``[string, null]``) as null: the author wrote "null"
        kind = result["type"]
        result["type"] = "null" if kind is None else ["null" if item is None else item for item in kind]
    if isinstance(result.get("items"), list) and "prefixItems" not in result:
        result = _tuple_items(result)
    if _looks_like_schema(result):
        result = _schema_to_31(result, where)
    return fold_nullable(result)


def _local_mapping(mapping: dict[str, Any], where: str) -> dict[str, Any]:
    """A discriminator mapping's values as local references: a component name (``Pet``) is
    ``#/components/schemas/Pet``; one to another document must have been bundled in on loading."""
    result: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, str) and is_external(value):
            raise SvcgenError(f"external discriminator mapping {value[:80]!r} is not supported", where=where)
        if isinstance(value, str) and not is_reference(value):
            value = f"#/components/schemas/{_escape_pointer(value)}"
        elif isinstance(value, str) and "%" in value:
            value = unquote(value)
        result[key] = value
    return result


def _tuple_items(schema: dict[str, Any]) -> dict[str, Any]:
    """Draft 4-2019's ``items: [A, B]`` (with ``additionalItems`` for the rest) is 2020-12's
    ``prefixItems: [A, B]`` (with ``items``); OpenAPI 3.1 reads only the latter."""
    result = {key: value for key, value in schema.items() if key not in ("items", "additionalItems")}
    result["prefixItems"] = schema["items"]
    if "additionalItems" in schema:
        result["items"] = schema["additionalItems"]
    return result


def _looks_like_schema(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    return (
        isinstance(kind, (str, list))
        or isinstance(node.get("nullable"), bool)
        or isinstance(node.get("exclusiveMinimum"), bool)
        or isinstance(node.get("exclusiveMaximum"), bool)
    )


def _schema_to_31(schema: dict[str, Any], where: str) -> dict[str, Any]:
    schema = dict(schema)
    kind = schema.get("type")
    if isinstance(kind, str) and kind not in JSON_SCHEMA_TYPES:
        if kind not in BENTOML_TYPES:
            raise SvcgenError(f"unsupported schema type {kind[:40]!r}", where=where)
        schema = _bentoml_type(schema)
    elif isinstance(kind, list):
        unknown = [k for k in kind if k not in JSON_SCHEMA_TYPES]
        if unknown:
            raise SvcgenError(f"unsupported schema type {str(unknown[0])[:40]!r}", where=where)
    if _is_base64(schema):
        schema["format"] = "binary"
        schema["x-svcgen-encoding"] = "base64"
        schema.pop("contentEncoding", None)
    for bound in ("Minimum", "Maximum"):
        flag = schema.get(f"exclusive{bound}")
        if isinstance(flag, bool):
            del schema[f"exclusive{bound}"]
            if flag and f"{bound.lower()}" in schema:
                schema[f"exclusive{bound}"] = schema.pop(bound.lower())
    if "nullable" in schema:
        if schema.pop("nullable") is True:
            schema = _make_nullable(schema)
    return schema


def _is_base64(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if not (kind == "string" or (isinstance(kind, list) and "string" in kind)):
        return False
    return schema.get("format") in BASE64_FORMATS or schema.get("contentEncoding") == "base64"


def _bentoml_type(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema["type"]
    schema["x-bentoml-type"] = kind
    if kind == "tensor":
        schema["type"] = "array"
    elif kind == "dataframe":
        orient = schema.get("orient", "records")
        if orient in ("records", "values", "split"):
            schema["type"] = "array"
        else:
            schema["type"] = "object"
    else:
        schema["type"] = "string"
        schema["format"] = "binary"
    return schema


def fold_nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``anyOf: [T, {type: null}]`` with a plain ``T`` → ``type: [T, "null"]``; ``default: null`` implies nullable.

    Both spell the same thing; one spelling lets equal schemas compare equal
    (BentoML inlines a copy that drops the ``null`` branch but keeps
    ``default: null``) and gives simpler models.
    """
    if schema.get("default", ...) is None and isinstance(schema.get("type"), str) and schema["type"] != "null":
        schema = {**schema, "type": [schema["type"], "null"]}
    branches = schema.get("anyOf")
    if not isinstance(branches, list) or len(branches) != 2 or {"type": "null"} not in branches:
        return schema
    other = branches[0] if branches[1] == {"type": "null"} else branches[1]
    if not isinstance(other, dict) or not isinstance(other.get("type"), str) or other["type"] in ("object", "array"):
        return schema
    if "$ref" in other or "enum" in other or set(other) & set(schema) - {"anyOf"}:
        return schema
    folded = {k: v for k, v in schema.items() if k != "anyOf"}
    folded.update(other)
    folded["type"] = [other["type"], "null"]
    return folded


def _make_nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    composed = any(key in schema for key in ("anyOf", "oneOf", "allOf", "$ref"))
    if isinstance(kind, str) and not composed:
        schema["type"] = [kind, "null"]
        if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        return schema
    if isinstance(kind, list) and not composed:
        if "null" not in kind:
            schema["type"] = [*kind, "null"]
        return schema
    outer = {k: schema.pop(k) for k in ("description", "default", "title") if k in schema}
    return {"anyOf": [schema, {"type": "null"}], **outer}


def _escape_pointer(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
