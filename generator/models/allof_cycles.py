"""``allOf`` inheritance that goes round in a circle.

``A: {allOf: [{$ref: B}], properties: {a}}`` with ``B: {allOf: [{$ref: A}], properties: {b}}``
is a valid document: both are "an object with ``a`` and ``b``". The models stage
turns each ``allOf`` reference into a base class, and no class can be its own
ancestor, so within each circle (a strongly connected group of schemas joined
by ``allOf`` references) a reference to a member of the same group is replaced
by that member's own part: its keywords without those references. References
out of the group stay base classes.
"""

from __future__ import annotations

from typing import Any

from .graph import strongly_connected

_PREFIX = "#/components/schemas/"


def break_allof_cycles(schemas: dict[str, Any]) -> dict[str, Any]:
    """``schemas`` (name → schema) with no ``allOf`` reference circle; the same object when there is none."""
    schemas = _unwound_parent_unions(schemas)
    edges = {name: _allof_refs(schema) & set(schemas) for name, schema in schemas.items()}
    groups = [group for group in _strongly_connected(edges) if len(group) > 1 or next(iter(group)) in edges[next(iter(group))]]
    if not groups:
        return schemas
    result = dict(schemas)
    for group in groups:
        own = {name: _without_refs_to(schemas[name], group) for name in group}
        for name in group:
            schema = schemas[name]
            branches = [
                own[_target(branch)] if _target(branch) in group and _target(branch) != name else branch
                for branch in schema["allOf"]
                if _target(branch) != name
            ]
            result[name] = {**schema, "allOf": branches} if branches else {k: v for k, v in schema.items() if k != "allOf"}
    return result


def _unwound_parent_unions(schemas: dict[str, Any]) -> dict[str, Any]:
    """The polymorphism idiom: ``Pet: {oneOf: [Cat, Dog], discriminator}`` and
    ``Cat: {allOf: [{$ref: Pet}, {properties: ...}]}``. Cat is one of the union it extends, so the
    reference says only what Pet says besides the union (common properties, ``type``): that part
    is copied in its place, and Cat is a model of its own rather than a copy per variant."""
    result = schemas
    for name, schema in schemas.items():
        branches = schema.get("allOf") if isinstance(schema, dict) else None
        if not isinstance(branches, list):
            continue
        unwound = [_parent_part(branch, name, schemas) for branch in branches]
        if any(new is not old for new, old in zip(unwound, branches)):
            kept = [branch for branch in unwound if branch != {}]
            result = {**result} if result is schemas else result
            result[name] = {**schema, "allOf": kept} if kept else {k: v for k, v in schema.items() if k != "allOf"}
    return result


def _parent_part(branch: Any, child: str, schemas: dict[str, Any]) -> Any:
    parent = schemas.get(_target(branch) or "")
    if not isinstance(parent, dict):
        return branch
    variants = [_target(item) for key in ("oneOf", "anyOf") for item in parent.get(key) or [] if isinstance(parent.get(key), list)]
    if child not in variants:
        return branch
    part = {k: v for k, v in parent.items() if k not in ("oneOf", "anyOf", "discriminator", "title", "description")}
    return {} if set(part) <= {"type"} else part


def _target(branch: Any) -> str | None:
    ref = branch.get("$ref") if isinstance(branch, dict) else None
    if isinstance(ref, str) and ref.startswith(_PREFIX) and "/" not in ref[len(_PREFIX) :]:
        return ref[len(_PREFIX) :].replace("~1", "/").replace("~0", "~")
    return None


def _allof_refs(schema: Any) -> set[str]:
    branches = schema.get("allOf") if isinstance(schema, dict) else None
    return {name for name in map(_target, branches) if name} if isinstance(branches, list) else set()


def _without_refs_to(schema: dict[str, Any], group: set[str]) -> dict[str, Any]:
    """A member's own part: its keywords, with its ``allOf`` references into ``group`` left out."""
    kept = [branch for branch in schema.get("allOf") or [] if _target(branch) not in group]
    part = {key: value for key, value in schema.items() if key not in ("allOf", "title")}
    return {**part, "allOf": kept} if kept else part


def _strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """The groups of components whose ``allOf`` references go round (names in sorted order)."""
    return [set(group) for group in strongly_connected(sorted(edges), edges)]
