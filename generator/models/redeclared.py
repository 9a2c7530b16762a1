"""``allOf`` children that redeclare an inherited field as something their parent does not allow.

``Dog: {allOf: [{$ref: Pet}, {properties: {kind: {enum: [dog]}}}]}`` where Pet's
``kind`` is another enum, or a child that makes a required field optional,
is valid JSON Schema (both must hold) but no Python subclass: a type checker
rejects a field whose type is not a subtype of the inherited one. The models
stage makes such a child a subclass; this module finds those children in the
module text, and the models stage generates them again with the parent's
schema copied in place of the reference (a model of its own with the fields
of both, no longer a subclass of that parent).
"""

from __future__ import annotations

import ast
from typing import Any

_PREFIX = "#/components/schemas/"
_BUILTINS = {"str": str, "int": int, "float": (int, float), "bool": bool}


def conflicting_parents(text: str, components: set[str]) -> dict[str, set[str]]:
    """Component class → the component bases it redeclares a field of incompatibly."""
    tree = ast.parse(text)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    fields = {name: _fields(node) for name, node in classes.items()}
    found: dict[str, set[str]] = {}
    for name, node in classes.items():
        if name not in components:
            continue
        for base in (ast.unparse(item) for item in node.bases):
            inherited = _inherited(base, classes, fields)
            for field, (annotation, default_none) in fields[name].items():
                ok = annotation is None or field not in inherited or _compatible(annotation, inherited[field])
                if not ok or (default_none and annotation is not None and not _optional(annotation) and field in inherited):
                    if base in components:
                        found.setdefault(name, set()).add(base)
    return found


def inlined_parents(schemas: dict[str, Any], conflicts: dict[str, set[str]]) -> dict[str, Any]:
    """``schemas`` with each conflicting parent reference of a child replaced by the parent's schema
    (also inside a parent copied in an earlier round: it is an ``allOf`` branch of the child)."""
    result = dict(schemas)
    for child, parents in conflicts.items():
        if isinstance(schemas.get(child), dict):
            result[child] = _replaced(schemas[child], parents, schemas)
    return result


def _replaced(schema: dict[str, Any], parents: set[str], schemas: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(schema.get("allOf"), list):
        return schema
    branches = []
    for branch in schema["allOf"]:
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        target = ref[len(_PREFIX) :] if isinstance(ref, str) and ref.startswith(_PREFIX) else None
        if target in parents and isinstance(schemas.get(target), dict):
            branch = {key: value for key, value in schemas[target].items() if key not in ("title", "description")}
        elif isinstance(branch, dict) and "$ref" not in branch:
            branch = _replaced(branch, parents, schemas)
        branches.append(branch)
    return {**schema, "allOf": branches}


def _fields(node: ast.ClassDef) -> dict[str, tuple[ast.expr | None, bool]]:
    result: dict[str, tuple[ast.expr | None, bool]] = {}
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            default_none = isinstance(statement.value, ast.Constant) and statement.value.value is None
            result[statement.target.id] = (_plain(statement.annotation), default_none)
    return result


def _inherited(base: str, classes: dict[str, ast.ClassDef], fields: dict[str, Any], depth: int = 0) -> dict[str, ast.expr]:
    if base not in classes or depth > 32:
        return {}
    found: dict[str, ast.expr] = {}
    for item in reversed(classes[base].bases):
        found.update(_inherited(ast.unparse(item), classes, fields, depth + 1))
    found.update({name: annotation for name, (annotation, _none) in fields[base].items() if annotation is not None})
    return found


def _plain(node: ast.expr) -> ast.expr:
    """``Annotated[X, ...]`` → ``X``."""
    if isinstance(node, ast.Subscript) and ast.unparse(node.value).startswith("Annotated") and isinstance(node.slice, ast.Tuple):
        return _plain(node.slice.elts[0])
    return node


def _members(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _members(node.left) + _members(node.right)
    return [node]


def _optional(node: ast.expr) -> bool:
    return any(ast.unparse(member) in ("None", "Any") for member in _members(node))


def _compatible(child: ast.expr, base: ast.expr) -> bool:
    """Whether every member of the child's union is one of the base's (or a literal of a base builtin)."""
    allowed = {ast.unparse(member) for member in _members(base)}
    if "Any" in allowed:
        return True
    return all(ast.unparse(member) in allowed or _literal_of(member, allowed) for member in _members(child))


def _literal_of(member: ast.expr, allowed: set[str]) -> bool:
    if not (isinstance(member, ast.Subscript) and ast.unparse(member.value).startswith("Literal")):
        return False
    values = member.slice.elts if isinstance(member.slice, ast.Tuple) else [member.slice]
    kinds = tuple(kind for name, kind in _BUILTINS.items() if name in allowed)
    return bool(kinds) and all(isinstance(value, ast.Constant) and isinstance(value.value, kinds) for value in values)
