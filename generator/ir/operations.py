"""Turn one OpenAPI operation into an :class:`~svcgen.ir.model.Operation`."""

from __future__ import annotations

import re
from typing import Any

from ..core.errors import Diagnostic, SvcgenError
from . import naming
from .media import choose_body_media, choose_response
from ..source.bentoml_facts import INPUT
from .model import Body, Operation, Param, PathPart, TypeRef
from .payloads import Codec, codec_for, raw_codec
from .schemas import deref
from .registry import SchemaRegistry

LOCATIONS = ("path", "query", "header", "cookie")
BODY_METHODS = ("post", "put", "patch")
UNDECLARED_BODY: dict[str, Any] = {"content": {"application/json": {"schema": {}}}}
_TEMPLATE = re.compile(r"\{([^{}]*)\}|\$\{([^{}]*)\}")


class OperationBuilder:
    def __init__(self, document: dict[str, Any], registry: SchemaRegistry, diagnostics: list[Diagnostic]):
        self.document = document
        self.registry = registry
        self.diagnostics = diagnostics

    def build(self, name: str, method: str, path: str, item: dict[str, Any], op: dict[str, Any]) -> Operation:
        where = f"{method.upper()} {path}"
        stem = naming.pascal(name)
        raw_params = self._parameters(item, op, where)
        params = self._params(raw_params, stem)
        taken = {p.name for p in params}
        body = self._body(method, op, stem, taken, where)
        arg_names = {p.name for p in params} | {p.name for p in (body.fields if body else [])}
        response = choose_response(self.document, op, self.registry, stem, where, self.diagnostics)
        options = [option for option in naming.CALL_OPTIONS if option not in arg_names]
        if response.codec is not None and response.codec.kind == "file" and "output_dir" not in arg_names:
            options.append("output_dir")
        return Operation(
            name=name,
            method=method.upper(),
            path=path,
            path_parts=self._path_parts(path, params, where),
            params=params,
            body=body,
            response=response,
            summary=_text(op.get("summary")),
            description=_text(op.get("description")),
            deprecated=op.get("deprecated") is True,
            call_options=options,
            positional=body is not None and not body.flattened and not params and "x-bentoml-name" in op,
        )

    def _parameters(self, item: dict[str, Any], op: dict[str, Any], where: str) -> list[dict[str, Any]]:
        merged: dict[tuple[str, str], dict[str, Any]] = {}
        for source in (item.get("parameters") or [], op.get("parameters") or []):
            for raw in source:
                param = deref(self.document, raw)
                if not isinstance(param, dict) or not isinstance(param.get("name"), str):
                    raise SvcgenError("parameter without a name", where=where)
                location = param.get("in")
                if location not in LOCATIONS:
                    raise SvcgenError(f"parameter {param['name'][:60]!r} has unsupported location {str(location)[:20]!r}", where=where)
                merged[(param["name"], location)] = param
        return list(merged.values())

    def _params(self, raw_params: list[dict[str, Any]], stem: str) -> list[Param]:
        if not raw_params:
            return []
        taken: set[str] = set()
        names = [naming.unique(naming.snake(p["name"]), taken) for p in raw_params]
        properties = {}
        required = []
        for name, param in zip(names, raw_params):
            schema = param.get("schema")
            if schema is None:
                schema = _content_schema(param)
            properties[name] = schema if isinstance(schema, dict) else {}
            if param.get("required") or param["in"] == "path":
                required.append(name)
        holder = self.registry.holder(f"{stem}Params", properties, required)
        return [
            Param(
                name=name,
                wire_name=param["name"],
                location=param["in"],
                required=name in required,
                type=TypeRef(holder, name),
                description=_text(param.get("description")),
            )
            for name, param in zip(names, raw_params)
        ]

    def _body(self, method: str, op: dict[str, Any], stem: str, taken: set[str], where: str) -> Body | None:
        raw = op.get("requestBody")
        if raw is None:
            if method not in BODY_METHODS:
                return None
            # Many services read a body they never declare (KServe's v1 ``:predict``):
            # such operations take an optional JSON ``body=`` passed through as is.
            raw = UNDECLARED_BODY
        request_body = deref(self.document, raw)
        content = request_body.get("content") or {}
        choice = choose_body_media(content, where, self.diagnostics)
        if choice is None:
            return None
        media_type, kind, schema, encoding = choice
        bentoml = "x-bentoml-name" in op
        root = bentoml and (isinstance(op.get(INPUT), dict) or is_root_input(schema))
        # BentoML never marks a body required, but a root (positional) input always is.
        required = request_body.get("required") is True or root
        root_codec = raw_codec(op.get(INPUT), media_type, True) if isinstance(op.get(INPUT), dict) else None
        if kind in ("text", "bytes"):
            codec = root_codec or _raw_body_codec(kind, media_type)
            annotation = codec.input_annotation() if codec else "str" if kind == "text" else "bytes"
            name = naming.unique("body", set(taken))  # a parameter may be called ``body`` too
            param = Param(name, "body", "body", required, TypeRef("", annotation=annotation), codec=codec)
            return Body(kind, media_type, required, False, param.type, [param])
        component = self._bentoml_input(op) if bentoml else None
        model = component or self.registry.model_for(schema, f"{stem}Body", prefer=self._tie_back_preference(op))
        resolved = self.registry.resolved({"$ref": f"#/components/schemas/{component}"} if component else schema)
        fields = None if root else self._flatten(model, resolved, taken, kind, encoding)
        json_fields = sorted(key for key, value in encoding.items() if _is_json_media(value))
        if fields is not None:
            self.registry.mark_flattened(model)
            return Body(kind, media_type, required, True, TypeRef(model), fields, json_fields)
        body_name = naming.unique("body", set(taken))
        param = Param(body_name, "body", "body", required, TypeRef(model), codec=root_codec)
        return Body(kind, media_type, required, False, TypeRef(model), [param], json_fields)

    def _bentoml_input(self, op: dict[str, Any]) -> str | None:
        """BentoML's own ``<api>__Input`` component: it keeps dtype, shape and content types."""
        name = self.registry.renamed.get(f"{op.get('x-bentoml-name')}__Input")
        return name if name in self.registry.schemas else None

    def _tie_back_preference(self, op: dict[str, Any]) -> list[str]:
        bentoml_name = op.get("x-bentoml-name")
        return [f"{bentoml_name}__Input"] if isinstance(bentoml_name, str) else []

    def _flatten(
        self, model: str, schema: Any, taken: set[str], kind: str, encoding: dict[str, Any]
    ) -> list[Param] | None:
        """Keyword arguments for an object body's properties, or None when it cannot be flattened."""
        if not isinstance(schema, dict) or schema.get("type") not in ("object", None):
            return None
        properties = schema.get("properties")
        if not isinstance(properties, dict) or "allOf" in schema or "anyOf" in schema or "oneOf" in schema:
            return None
        if not properties and schema.get("additionalProperties") not in (None, False):
            return None
        required_names = set(schema.get("required") or [])
        names = [naming.snake(key) for key in properties]
        reserved = taken | {"self"}
        if len(set(names)) != len(names) or reserved & set(names):
            return None
        return [
            Param(
                name=name,
                wire_name=key,
                location="body",
                required=key in required_names,
                type=TypeRef(model, key),
                description=_text(value.get("description")) if isinstance(value, dict) else None,
                codec=self._field_codec(value, kind, encoding.get(key)),
            )
            for name, (key, value) in zip(names, properties.items())
        ]

    def _field_codec(self, schema: Any, kind: str, encoding: Any) -> Codec | None:
        """A body field's codec; binary content inside JSON is base64, a base64 form field a file."""
        declared = encoding.get("contentType") if isinstance(encoding, dict) else None
        codec = codec_for(self.registry.resolved(schema), declared if isinstance(declared, str) else None)
        if codec is None:
            return None
        if kind == "json" and codec.kind in ("file", "image"):
            return Codec("base64", media_type=codec.media_type)
        if kind == "json" and codec.kind == "files":
            return None
        if kind == "form" and codec.kind == "base64":
            return Codec("file", media_type=codec.media_type)
        return codec

    def _path_parts(self, path: str, params: list[Param], where: str) -> list[PathPart]:
        by_wire = {p.wire_name: p for p in params if p.location == "path"}
        parts: list[PathPart] = []
        position = 0
        for match in _TEMPLATE.finditer(path):
            wire = match.group(1) if match.group(1) is not None else match.group(2)
            if wire not in by_wire:
                # ``${MODEL_NAME}`` (Open Inference Protocol) may be declared as ``model_name``.
                lowered = {key.lower(): p for key, p in by_wire.items()}
                if wire.lower() not in lowered:
                    raise SvcgenError(f"path template names {{{wire[:40]}}} but no such path parameter is declared", where=where)
                by_wire[wire] = lowered[wire.lower()]
            parts.append(PathPart(literal=path[position : match.start()]))
            parts.append(PathPart(param=by_wire[wire].name))
            position = match.end()
        parts.append(PathPart(literal=path[position:]))
        return [part for part in parts if part.param is not None or part.literal]


def _raw_body_codec(kind: str, media_type: str) -> Codec | None:
    """A raw request body: an image (PIL or a file) for ``image/*``, else a file; text stays ``str``."""
    if kind == "text":
        return None
    base = media_type.split(";", 1)[0].strip().lower()
    return codec_for({"type": "string", "format": "binary"}, base)


def _is_json_media(encoding: Any) -> bool:
    media = encoding.get("contentType") if isinstance(encoding, dict) else None
    if not isinstance(media, str):
        return False
    base = media.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def _content_schema(param: dict[str, Any]) -> Any:
    content = param.get("content")
    if isinstance(content, dict):
        for media in content.values():
            if isinstance(media, dict) and "schema" in media:
                return media["schema"]
    return {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def is_root_input(schema: Any) -> bool:
    """A BentoML root (positional-only) input's body schema, as ``/docs.json`` writes it: the
    parameter's own model, titled ``<Model>IODescriptor`` (and marked ``root_input``), where
    every other API's body is its ``Input`` object of parameters."""
    if not isinstance(schema, dict):
        return False
    title = schema.get("title")
    return schema.get("root_input") is True or (isinstance(title, str) and title.endswith("IODescriptor") and title != "IODescriptor")
