"""What a client user sees of an API: the comparable "surface" ``svcgen diff`` works on.

The surface is built from the same IR as generation (parse → build_api →
generate_models → bind_types) and stops before rendering and formatting, so the
annotations are exactly the ones the generated client and models carry:

- operations, keyed by HTTP method and path template (placeholder names
  blanked, so renaming ``{id}`` to ``{item_id}`` is a parameter change, not a
  new operation), with the client method name, every keyword argument
  (parameters and flattened body fields: annotation, required, location, wire
  name, and an ML payload's declared dtype/shape/orient/media type), the request body's media type and the return type;
- model classes: field wire name → (annotation, required), and whether
  the client sends them (request side), receives them (response side) or both;
- enum classes: their values with their member names, and side likewise.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

from ..config import Config
from ..core.errors import SvcgenError
from ..ir import build_api
from ..models.bind import bind_types
from ..ir.api import Api
from ..ir.model import Operation
from ..ir.naming import PACKAGE_NAMES
from ..ir.payloads import Codec
from ..source.jsondata import json_document
from ..models.generate import generate_models
from ..models.module import ModelModule
from ..models.params import declared
from ..pipeline import fetch
from ..source.spec import parse

REQUEST = "request"
RESPONSE = "response"
#: The key of a root model's value in :attr:`ModelSurface.fields`.
ROOT = "(root)"


@dataclass(frozen=True)
class Argument:
    """One keyword argument of a client method."""

    name: str
    wire_name: str
    location: str
    required: bool
    annotation: str
    #: An ML payload's declared encoding: ``dtype``/``shape``/``orient``/``media_type`` → value.
    encoding: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Returns:
    """What a client method gives back: ``shape`` is ``value``, ``task`` or ``stream:<mode>``."""

    shape: str
    annotation: str

    def describe(self) -> str:
        if self.shape == "task":
            return f"TaskAPI[{self.annotation}]"
        if self.shape.startswith("stream:"):
            return f"ResponseStream[{self.annotation}]"
        return self.annotation


@dataclass(frozen=True)
class OperationSurface:
    key: str
    method: str
    path: str
    name: str
    arguments: dict[str, Argument]
    body_media_type: str | None
    returns: Returns
    deprecated: bool

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class FieldSurface:
    annotation: str
    required: bool


@dataclass
class ModelSurface:
    name: str
    fields: dict[str, FieldSurface]
    sides: set[str] = field(default_factory=set)
    #: Not exported: a flattened request body's class, whose fields are keyword arguments.
    internal: bool = False


@dataclass
class EnumSurface:
    name: str
    values: list[Any]
    sides: set[str] = field(default_factory=set)
    #: The Python member name of each value (``Sentiment.positive``).
    members: dict[Any, str] = field(default_factory=dict)


@dataclass
class Surface:
    operations: dict[str, OperationSurface]
    models: dict[str, ModelSurface]
    enums: dict[str, EnumSurface]


def operation_key(method: str, path: str) -> str:
    """``DELETE /items/{}``: the identity of an operation across two documents."""
    return f"{method.upper()} {re.sub(r'{[^}]*}', '{}', path)}"


def load_surface(config: Config) -> tuple[Surface, list[str]]:
    """Fetch ``config.source`` as ``svcgen generate`` does; return its surface and the loader's notes."""
    loaded = fetch(config)
    try:
        return surface_of(loaded.document), list(loaded.notes)
    except SvcgenError as exc:
        raise SvcgenError(exc.describe(), where=loaded.origin or config.source) from None


def surface_of(document: dict[str, Any]) -> Surface:
    """The surface of one OpenAPI document (no files are generated or formatted)."""
    normalized, _model = parse(json_document(document))
    api, _diagnostics = build_api(normalized)
    models = generate_models(api.schemas, api.scratch_models, api.param_holders, f"{api.package}._runtime", PACKAGE_NAMES)
    bind_types(api, models)
    operations = {}
    extras = set(api.params.names.values()) if api.params is not None else set()
    for op in api.operations:
        surface = _operation(op, extras, set(models.string_enums))
        operations[surface.key] = surface
    classes = _class_nodes(models.text)
    sides = _sides(api, models)
    public = [name for name in models.classes if name in classes]
    model_surfaces: dict[str, ModelSurface] = {}
    enum_surfaces: dict[str, EnumSurface] = {}
    for name in public:
        if name in models.enums:
            members = _enum_members(classes[name])
            enum_surfaces[name] = EnumSurface(name, list(members), sides.get(name, set()), members)
        else:
            fields = _model_fields(name, classes[name], models)
            model_surfaces[name] = ModelSurface(name, fields, sides.get(name, set()), name in api.internal_models)
    return Surface(operations, model_surfaces, enum_surfaces)


def _operation(op: Operation, extras: set[str], enums: set[str]) -> OperationSurface:
    arguments = {
        p.name: Argument(p.name, p.wire_name, p.location, p.required, declared(p.annotation, extras, enums), _encoding(p.codec))
        for p in op.arguments
    }
    response = op.response
    if op.task is not None:
        returns = Returns("task", response.annotation)
    elif response.stream:
        returns = Returns(f"stream:{response.stream}", response.item_annotation)
    else:
        returns = Returns("value", response.annotation)
    media = op.body.media_type if op.body is not None else None
    return OperationSurface(operation_key(op.method, op.path), op.method.upper(), op.path, op.name, arguments, media, returns, op.deprecated)


def _encoding(codec: Codec | None) -> tuple[tuple[str, str], ...]:
    if codec is None:
        return ()
    facts = {"dtype": codec.dtype, "shape": codec.shape, "orient": codec.orient, "media_type": codec.media_type}
    return tuple((key, str(value)) for key, value in facts.items() if value is not None)


def annotation_names(annotation: str) -> set[str]:
    """Every bare name an annotation mentions (``list[Item] | None`` → ``{list, Item, None}``)."""
    try:
        tree = ast.parse(annotation, mode="eval")
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _sides(api: Api, models: ModelModule) -> dict[str, set[str]]:
    """Class name → {request, response}: reachable from what methods take, or from what they return.

    A public class no method mentions is counted as response side: the client
    never sends it (typically error bodies)."""
    known = set(models.fields)
    roots: dict[str, set[str]] = {REQUEST: set(), RESPONSE: set()}
    for op in api.operations:
        for arg in op.arguments:
            roots[REQUEST] |= annotation_names(arg.annotation) & known
        if op.body is not None:
            roots[REQUEST] |= annotation_names(op.body.model.annotation) & known
        if op.response.type is not None:
            roots[RESPONSE] |= annotation_names(op.response.type.annotation) & known
    edges = {
        name: set().union(*(annotation_names(text) for text in fields.values())) & known if fields else set()
        for name, fields in models.fields.items()
    }
    sides: dict[str, set[str]] = {}
    for side, start in roots.items():
        seen: set[str] = set()
        todo = list(start)
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            todo.extend(edges.get(name, set()) - seen)
        for name in seen:
            sides.setdefault(name, set()).add(side)
    for name in models.classes:
        sides.setdefault(name, {RESPONSE})
    return sides


def _class_nodes(text: str) -> dict[str, ast.ClassDef]:
    return {node.name: node for node in ast.parse(text).body if isinstance(node, ast.ClassDef)}


def _model_fields(name: str, node: ast.ClassDef, models: ModelModule) -> dict[str, FieldSurface]:
    annotations = models.fields.get(name, {})
    required = _required(node)
    result = {}
    for key, annotation in annotations.items():
        label = ROOT if key is None else key
        result[label] = FieldSurface(annotation, required.get(key, True))
    return result


def _required(node: ast.ClassDef) -> dict[str | None, bool]:
    """Wire key → required: a field without a default (or with ``Field(...)``) is required."""
    result: dict[str | None, bool] = {}
    for statement in node.body:
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        key: str | None = statement.target.id
        for call in ast.walk(statement.annotation):
            if isinstance(call, ast.Call) and ast.unparse(call.func) == "Field":
                for keyword in call.keywords:
                    if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant):
                        key = str(keyword.value.value)
        if key == "root":
            result[None] = True
        result[key] = _has_no_default(statement.value)
    return result


def _has_no_default(value: ast.expr | None) -> bool:
    if value is None:
        return True
    if isinstance(value, ast.Call) and ast.unparse(value.func) == "Field":
        if any(k.arg in ("default", "default_factory") for k in value.keywords):
            return False
        return not value.args or (isinstance(value.args[0], ast.Constant) and value.args[0].value is Ellipsis)
    return False


def _enum_members(node: ast.ClassDef) -> dict[Any, str]:
    """Each value of an enum class, in order, with its member name."""
    members: dict[Any, str] = {}
    for statement in node.body:
        if not isinstance(statement, ast.Assign) or not isinstance(statement.value, ast.Constant):
            continue
        targets = [target.id for target in statement.targets if isinstance(target, ast.Name)]
        if targets and len(targets) == len(statement.targets):
            members.setdefault(statement.value.value, targets[0])
    return members
