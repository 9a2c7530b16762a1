"""Enum schemas made ready for the models stage: string enums are ``str`` enums whose members are
named after their values, as the service's own code most likely names them.

A service written ``class Sentiment(str, Enum): positive = "positive"`` publishes only the values,
so the member is ``Sentiment.positive`` whenever the value is a usable name; other values get a
snake_case name (``in-progress`` → ``in_progress``). Names that would hide an attribute of ``str``
(``upper``, ``title``, ``count``), of ``int`` (``real``, ``numerator``) or of the enum itself
(``name``, ``value``) take a trailing underscore, as keywords do.
"""

from __future__ import annotations

import keyword
import unicodedata
import warnings
from enum import Enum
from typing import Any, Callable

from ..ir.naming import snake, unique

#: Attributes of ``str``, ``int`` and ``Enum``: a member of that name would hide one of its value
#: type's attributes (``Kind.title``, ``Kind.real``) or the enum's own, and type checkers object.
_TAKEN_ATTRIBUTES = frozenset(dir(str)) | frozenset(dir(int)) | frozenset(dir(Enum)) | {"name", "value", "mro"}


def member_names(values: list[str]) -> list[str]:
    """One distinct identifier per value, in order."""
    taken: set[str] = set()
    return [unique(_member_name(value), taken) for value in values]


def _member_name(value: str) -> str:
    usable = value.isidentifier() and unicodedata.normalize("NFKC", value) == value and not value.startswith("_")
    name = value if usable else snake(value, fallback="member")
    if keyword.iskeyword(name) or name in _TAKEN_ATTRIBUTES:
        name += "_"
    return name


def prepared_enum(schema: dict[str, Any]) -> dict[str, Any]:
    """A string enum's schema with its member names and its type (``str``) said outright; a
    nullable one (``None`` among the values) stays a plain enum, its ``None`` member ``none``."""
    values = schema.get("enum")
    if not isinstance(values, list) or not values or not all(isinstance(value, str) or value is None for value in values):
        return schema
    distinct = list(dict.fromkeys(values))
    strings = [value for value in distinct if value is not None]
    if not strings:
        return schema
    names = iter(member_names([*strings, "none"] if None in distinct else strings))
    by_value = {value: next(names) for value in strings}
    result = {**schema, "enum": distinct, "x-enum-varnames": [by_value[value] if value is not None else next(names) for value in distinct]}
    if "type" not in result and None not in distinct:
        result["type"] = "string"
    return result


def without_enum_bases(schema: dict[str, Any], resolve: Callable[[str], Any]) -> dict[str, Any]:
    """``allOf: [{$ref: SomeEnum}]`` next to object properties: the models stage would subclass
    the enum (``class X(SomeEnum)`` with fields), which Python refuses when the package is
    imported. No value is both an enum member and an object: the object part is kept."""
    branches = schema["allOf"]
    objects = isinstance(schema.get("properties"), dict) or any(
        isinstance(branch, dict) and isinstance(branch.get("properties"), dict) for branch in branches
    )
    if not objects:
        return schema
    kept = [branch for branch in branches if not _is_enum_ref(branch, resolve)]
    if len(kept) == len(branches):
        return schema
    warnings.warn("allOf joins an enum and an object: only the object is modelled")
    result = {key: value for key, value in schema.items() if key != "allOf"}
    if kept:
        result["allOf"] = kept
    return result


def _is_enum_ref(branch: Any, resolve: Callable[[str], Any]) -> bool:
    target = resolve(branch["$ref"]) if isinstance(branch, dict) and isinstance(branch.get("$ref"), str) else None
    return isinstance(target, dict) and "enum" in target
