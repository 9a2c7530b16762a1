"""What of a schema the models stage may see: standard keywords only (an allowlist).

datamodel-code-generator reads more than JSON Schema. Keys of its own name
Python code: ``customTypePath`` (a field's type, imported from any module),
``customBasePath`` (a model's base classes), ``x-python-type`` and
``x-python-import`` (a type, with its import), ``default_factory`` (a callable);
others rename classes, fields and enum members or mark class variables
(``x-enumNames``, ``x-enum-varnames``, ``x-is-base-class``, ``x-is-classvar``,
``x-datamodel-code-generator-*``...). A spec must never steer the generated
code, and a list of forbidden keys is only as good as one's reading of the
library's next release, so the schemas handed to it keep only the keywords of
JSON Schema (2020-12, with draft 4-7 spellings) and of OpenAPI 3.0/3.1 that
say what a value may be; every other key is dropped, at every depth, while
the names under ``properties``, ``$defs``... are kept as names.

Dropped as well, though standard: ``$id``, ``$schema``, ``$anchor``, the
dynamic and recursive references (they move where ``$ref``s resolve, which
svcgen has already decided), ``$comment``, ``xml`` and ``externalDocs`` (they
say nothing about a value). svcgen's own extensions are added after this
filter (``x-enum-varnames`` in :mod:`svcgen.models.enums`).
"""

from __future__ import annotations

from typing import Any

#: Keywords whose value is one schema.
SCHEMA = frozenset(
    {
        "not", "if", "then", "else", "contains", "propertyNames", "additionalProperties",
        "unevaluatedProperties", "unevaluatedItems", "additionalItems", "contentSchema",
    }
)
#: Keywords whose value is a list of schemas.
SCHEMA_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
#: Keywords whose value maps names (or patterns) to schemas.
SCHEMA_MAP = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
#: Keywords whose value is data, kept as written.
DATA = frozenset(
    {
        "$ref", "type", "enum", "const", "default", "example", "examples", "required", "format",
        "pattern", "title", "description", "deprecated", "readOnly", "writeOnly", "nullable",
        "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "maxItems", "minItems", "uniqueItems", "maxContains", "minContains",
        "maxProperties", "minProperties", "dependentRequired", "contentEncoding", "contentMediaType",
    }
)
#: Every keyword the models stage is given.
KEYWORDS = SCHEMA | SCHEMA_LIST | SCHEMA_MAP | DATA | {"items", "dependencies", "discriminator"}


def model_schema(schema: Any) -> Any:
    """``schema`` with only the standard keywords, at every depth (booleans and non-schemas as they are)."""
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key in DATA:
            result[key] = value
        elif key in SCHEMA:
            result[key] = model_schema(value)
        elif key in SCHEMA_LIST:
            result[key] = [model_schema(item) for item in value] if isinstance(value, list) else value
        elif key in SCHEMA_MAP:
            result[key] = {name: model_schema(item) for name, item in value.items()} if isinstance(value, dict) else value
        elif key == "items":
            # a list is draft 4-2019's tuple form (``prefixItems`` today)
            result[key] = [model_schema(item) for item in value] if isinstance(value, list) else model_schema(value)
        elif key == "dependencies" and isinstance(value, dict):
            # draft 7: each value is a schema or a list of property names
            result[key] = {name: model_schema(item) for name, item in value.items()}
        elif key == "discriminator" and isinstance(value, dict):
            result[key] = {part: value[part] for part in ("propertyName", "mapping") if part in value}
            if isinstance(value.get("mapping"), dict):
                # local schema references only: the library reads any other as a file or a URL
                result[key]["mapping"] = {tag: target for tag, target in value["mapping"].items() if _local(target)}
    return result


def _local(target: object) -> bool:
    return isinstance(target, str) and target.startswith("#/components/schemas/")
