"""Turn one OpenAPI operation into an :class:`~svcgen.ir.model.Operation`."""

from __future__ import annotations

import re
from typing import Any

from ..errors import Diagnostic, SvcgenError
from . import naming
from .media import choose_body_media, choose_response
from .model import Body, Operation, Param, PathPart, TypeRef
from .schemas import deref
from .registry import SchemaRegistry

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
LOCATIONS = ("path", "query", "header", "cookie")
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
        body = self._body(op, stem, taken, where)
        arg_names = {p.name for p in params} | {p.name for p in (body.fields if body else [])}
        response = choose_response(self.document, op, self.registry, stem, where, self.diagnostics)
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
            call_options=[option for option in naming.CALL_OPTIONS if option not in arg_names],
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

    def _body(self, op: dict[str, Any], stem: str, taken: set[str], where: str) -> Body | None:
        raw = op.get("requestBody")
        if raw is None:
            return None
        request_body = deref(self.document, raw)
        content = request_body.get("content") or {}
        choice = choose_body_media(content, where, self.diagnostics)
        if choice is None:
            return None
        media_type, kind, schema = choice
        required = request_body.get("required") is True
        if kind in ("text", "bytes"):
            param = Param("body", "body", "body", required, TypeRef("", annotation="str" if kind == "text" else "bytes"))
            return Body(kind, media_type, required, False, param.type, [param])
        prefer = self._tie_back_preference(op)
        model = self.registry.model_for(schema, f"{stem}Body", prefer=prefer)
        resolved = self.registry.resolved(schema)
        fields = self._flatten(model, resolved, taken)
        if fields is not None:
            self.registry.mark_flattened(model)
            return Body(kind, media_type, required, True, TypeRef(model), fields)
        body_name = naming.unique("body", set(taken))
        param = Param(body_name, "body", "body", required, TypeRef(model))
        return Body(kind, media_type, required, False, TypeRef(model), [param])

    def _tie_back_preference(self, op: dict[str, Any]) -> list[str]:
        bentoml_name = op.get("x-bentoml-name")
        return [f"{bentoml_name}__Input"] if isinstance(bentoml_name, str) else []

    def _flatten(self, model: str, schema: Any, taken: set[str]) -> list[Param] | None:
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
            )
            for name, (key, value) in zip(names, properties.items())
        ]

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


def _content_schema(param: dict[str, Any]) -> Any:
    content = param.get("content")
    if isinstance(content, dict):
        for media in content.values():
            if isinstance(media, dict) and "schema" in media:
                return media["schema"]
    return {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
