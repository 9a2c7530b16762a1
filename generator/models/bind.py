"""Bind the IR's type placeholders to annotations read back from the model module."""

from __future__ import annotations

import ast

from ..core.errors import SvcgenError
from .module import ModelModule
from .params import Params, plan_params
from ..ir.api import Api
from ..ir.model import TypeRef

#: Where names used in annotations come from when the model module did not import them.
_BUILTIN_SOURCES = {
    "Any": "typing",
    "Literal": "typing",
    "Mapping": "collections.abc",
    "Sequence": "collections.abc",
    "FileInput": "._runtime",
    "BinaryInput": "._runtime",
}
#: Modules the client's annotations name (``numpy.typing.NDArray``…): imported for type checkers only,
#: so numpy, pandas and pillow stay optional.
_CHECKING_MODULES = ("numpy", "numpy.typing", "os", "pandas", "pathlib", "PIL.Image", "pydantic")


def bind_types(api: Api, models: ModelModule) -> None:
    """Fill every ``TypeRef.annotation`` and the client module's imports."""
    plain: list[TypeRef] = []
    for op in api.operations:
        for param in op.arguments:
            _bind(param.type, models)
            if param.codec is not None:
                optional = " | None" if param.type.annotation.endswith("| None") else ""
                param.type.annotation = param.codec.input_annotation() + optional
            elif param.location == "body" and op.body is not None and op.body.kind in ("json", "form"):
                plain.append(param.type)
            else:
                param.type.annotation = accept_values(param.type.annotation, models)
        if op.body is not None:
            _bind(op.body.model, models)
            op.body.model.runtime = runtime_annotation(op.body.model.annotation, models, api.lazy_models)
        if op.response.type is not None:
            _bind(op.response.type, models)
            op.response.type.runtime = runtime_annotation(op.response.type.annotation, models, api.lazy_models)
    params = api.params = plan_params([ref.annotation for ref in plain], models)
    for ref in plain:
        ref.annotation = params.argument(ref.annotation)
    kept = set(models.classes)
    api.public_models = sorted(name for name in kept if name not in api.internal_models)
    api.checking_imports = _checking_modules(api)
    api.model_imports = _imports(api, models)
    for op in api.operations:
        op.task_type = runtime_type_argument(op.response.annotation, models, api.lazy_models)


def runtime_type_argument(annotation: str, models: ModelModule, lazy: bool) -> str:
    """``annotation`` where the module evaluates it (a base class's type argument): as a string
    when it names a module imported for type checkers only (``pathlib.Path``, ``numpy…``) or a
    lazily loaded model, which are not defined when the client module runs."""
    tree = ast.parse(annotation, mode="eval")
    dotted = [ast.unparse(node) for node in ast.walk(tree) if isinstance(node, ast.Attribute)]
    checking = any(text.startswith(module + ".") for text in dotted for module in _CHECKING_MODULES)
    lazy_model = lazy and any(isinstance(node, ast.Name) and node.id in models.classes for node in ast.walk(tree))
    return repr(annotation) if checking or lazy_model else annotation


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
    elif None in fields:
        # A root model (``Pet = Cat | Dog | None``): callers pass and get the value itself.
        ref.annotation = fields[None]
    elif ref.schema in models.classes:
        ref.annotation = ref.schema
    else:
        raise SvcgenError(f"internal error: model {ref.schema!r} was dropped")


def runtime_annotation(annotation: str, models: ModelModule, lazy: bool) -> str:
    """The annotation the client module hands to the runtime at import time.

    With lazily loaded models, a reference to a model becomes a function
    (``lambda: list[_models.Item]``), so importing the client imports no model.
    """
    if not lazy:
        return annotation
    qualify = _QualifyModels(set(models.classes))
    body = qualify.visit(ast.parse(annotation, mode="eval").body)
    return f"lambda: {ast.unparse(body)}" if qualify.found else annotation


class _QualifyModels(ast.NodeTransformer):
    """``Item`` → ``_models.Item`` for the names of model classes."""

    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.found = False

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id not in self.names:
            return node
        self.found = True
        return ast.Attribute(ast.Name("_models"), node.id)


def accept_values(annotation: str, models: ModelModule) -> str:
    """``Stage`` → ``Stage | Literal["dev", "prod"]`` for a ``str`` enum: an argument may be given
    as the member or as its value, as the server accepts either."""
    return Params(models=models).argument(annotation, containers=False) if models.string_enums else annotation


def _imports(api: Api, models: ModelModule) -> list[tuple[str, list[str]]]:
    """``from X import a, b`` lines the client module needs for its annotations."""
    names: set[str] = set()
    for op in api.operations:
        annotations = [p.type.annotation for p in op.arguments] + [op.response.annotation]
        # What the client hands to the runtime (for lazy models, ``lambda: _models.X`` needs no import).
        if op.body is not None and op.body.kind == "json":
            annotations.append(op.body.model.runtime)
        if op.response.type is not None:
            annotations.append(op.response.type.runtime)
        for annotation in annotations:
            annotation = annotation.removeprefix("lambda: ")
            for node in ast.walk(ast.parse(annotation, mode="eval")):
                if isinstance(node, ast.Name):
                    names.add(node.id)
    by_module: dict[str, set[str]] = {"._runtime": set(_runtime_names(api))}
    if any({"extra_headers", "extra_query"} & set(op.call_options) for op in api.operations):
        by_module["collections.abc"] = {"Mapping"}
    model_classes = set(models.classes)
    param_names = set(api.params.names.values()) if api.params is not None else set()
    for name in names:
        if name in param_names:
            by_module.setdefault(".params", set()).add(name)
        elif name in model_classes:
            by_module.setdefault(".models", set()).add(name)
        elif name in models.imports:
            # ``int as int_aliased``: the models stage's name for a type a field name shadows
            original = models.import_names.get(name)
            by_module.setdefault(models.imports[name], set()).add(f"{original} as {name}" if original else name)
        elif name in _BUILTIN_SOURCES:
            by_module.setdefault(_BUILTIN_SOURCES[name], set()).add(name)
    if api.checking_imports or (api.lazy_models and ".models" in by_module):
        # the client's ``if TYPE_CHECKING:`` block (see ``Api.checking_models``)
        by_module.setdefault("typing", set()).add("TYPE_CHECKING")
    return sorted((module, sorted(found)) for module, found in by_module.items())


def _runtime_names(api: Api) -> list[str]:
    """What the client module takes from its runtime."""
    bases = ["AsyncOipClient", "SyncOipClient"] if api.is_oip else ["AsyncAPIClient", "SyncAPIClient"]
    names = ["NOT_GIVEN", *bases, "Endpoint", "NotGiven", "TimeoutLike"]
    if any(op.response.stream for op in api.operations):
        names += ["AsyncResponseStream", "ResponseStream"]
    if any(op.task for op in api.operations):
        names += ["AsyncTaskHandle", "AsyncTaskAPI", "SyncTaskAPI", "TaskHandle", "TaskRoutes"]
    if api.codecs:
        names.append("_codecs")
    if api.api_key:
        names.append("ApiKeyScheme")
    return names


def _annotations(api: Api) -> list[str]:
    texts: list[str] = []
    for op in api.operations:
        texts.extend(p.annotation for p in op.arguments)
        texts.append(op.response.annotation)
        if "output_dir" in op.call_options:
            texts.append("os.PathLike[str]")
    return texts


def _checking_modules(api: Api) -> list[str]:
    """``import`` lines (under ``TYPE_CHECKING``) for the modules the annotations name."""
    used: set[str] = set()
    for text in _annotations(api):
        for node in ast.walk(ast.parse(text, mode="eval")):
            if isinstance(node, ast.Attribute):
                dotted = ast.unparse(node)
                used.update(module for module in _CHECKING_MODULES if dotted.startswith(module + "."))
    return [module for module in _CHECKING_MODULES if module in used]

