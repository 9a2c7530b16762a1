"""Bind the IR's type placeholders to annotations read back from the model module."""

from __future__ import annotations

import ast

from ..errors import SvcgenError
from ..models import ModelModule
from .model import Api, TypeRef

#: Where names used in annotations come from when the model module did not import them.
_BUILTIN_SOURCES = {"Any": "typing", "Mapping": "collections.abc"}


def bind_types(api: Api, models: ModelModule) -> None:
    """Fill every ``TypeRef.annotation`` and the client module's imports."""
    for op in api.operations:
        for param in op.arguments:
            _bind(param.type, models)
            if param.location == "body" and op.body is not None and op.body.kind == "json":
                param.type.annotation = accept_mappings(param.type.annotation, models)
        if op.body is not None:
            _bind(op.body.model, models)
        if op.response.type is not None:
            _bind(op.response.type, models)
    kept = set(models.classes)
    api.public_models = sorted(name for name in kept if name not in api.internal_models)
    api.model_imports = _imports(api, models)


def _bind(ref: TypeRef, models: ModelModule) -> None:
    if not ref.schema:
        return
    fields = models.fields.get(ref.schema)
    if fields is None:
        raise SvcgenError(f"internal error: no model {ref.schema!r}")
    if ref.field is not None:
        if ref.field not in fields:
            raise SvcgenError(f"internal error: model {ref.schema!r} has no field {ref.field!r}")
        ref.annotation = fields[ref.field]
    elif ref.schema in models.classes:
        ref.annotation = ref.schema
    elif None in fields:
        ref.annotation = fields[None]
    else:
        raise SvcgenError(f"internal error: model {ref.schema!r} was dropped")


def accept_mappings(annotation: str, models: ModelModule) -> str:
    """``Transaction | None`` → ``Transaction | Mapping[str, Any] | None``: a plain mapping is validated into the model."""
    members = _union_members(ast.parse(annotation, mode="eval").body)
    result: list[str] = []
    for member in members:
        text = ast.unparse(member)
        result.append(text)
        if isinstance(member, ast.Name) and member.id in models.classes and member.id not in models.enums:
            result.append("Mapping[str, Any]")
    return " | ".join(dict.fromkeys(result))


def _union_members(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_union_members(node.left), *_union_members(node.right)]
    return [node]


def _imports(api: Api, models: ModelModule) -> list[tuple[str, list[str]]]:
    """``from X import a, b`` lines the client module needs for its annotations."""
    names: set[str] = set()
    for op in api.operations:
        refs = [p.type for p in op.arguments]
        if op.body is not None:
            refs.append(op.body.model)
        if op.response.type is not None:
            refs.append(op.response.type)
        for ref in refs:
            for node in ast.walk(ast.parse(ref.annotation, mode="eval")):
                if isinstance(node, ast.Name):
                    names.add(node.id)
    by_module: dict[str, set[str]] = {}
    model_classes = set(models.classes)
    for name in names:
        if name in model_classes:
            by_module.setdefault(".models", set()).add(name)
        elif name in models.imports:
            by_module.setdefault(models.imports[name], set()).add(name)
        elif name in _BUILTIN_SOURCES:
            by_module.setdefault(_BUILTIN_SOURCES[name], set()).add(name)
    return sorted((module, sorted(found)) for module, found in by_module.items())
