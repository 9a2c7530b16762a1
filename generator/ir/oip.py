"""Recognise an Open Inference Protocol server in any document, by its routes and shapes.

KServe's ``/openapi.json``, the protocol's own REST document, and FastAPI or
BentoML services that mount the protocol's routes all declare
``POST <prefix>/v2/models/{name}[/versions/{version}]/infer`` with a JSON body
holding a list of ``inputs`` tensors (``name``, ``shape``, ``datatype``). Such an
API's clients also get the tensor-first calls and the gRPC transport; the
document's title plays no part.
"""

from __future__ import annotations

import re
from typing import Any

#: ``{name}`` or the protocol document's ``${NAME}`` as one path segment.
_PARAM = r"\$?\{[^{}/]+\}"
_INFER = re.compile(rf"^(?P<prefix>(?:/[^/]+)*?)/v2/models/{_PARAM}(?:/versions/{_PARAM})?/infer$")
#: What every protocol input tensor declares.
_TENSOR_FIELDS = frozenset({"name", "shape", "datatype"})
#: How deep ``$ref``/``anyOf`` chains are followed (documents may be cyclic).
_MAX_DEPTH = 8


def oip_prefix(document: dict[str, Any]) -> str | None:
    """The path before ``v2/`` of the document's inference route (``""`` at the root), or None."""
    found: list[str] = []
    for path, item in sorted((document.get("paths") or {}).items()):
        match = _INFER.match(str(path))
        if match is None or not isinstance(item, dict) or not isinstance(item.get("post"), dict):
            continue
        if _is_infer_body(document, item["post"]):
            found.append(match.group("prefix").lstrip("/"))
    if not found:
        return None
    prefix = min(found, key=len)
    return prefix + "/" if prefix else ""


def _is_infer_body(document: dict[str, Any], operation: dict[str, Any]) -> bool:
    body = _resolve(document, operation.get("requestBody"), 0)
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict):
        return False
    for media_type, media in content.items():
        if str(media_type).split(";")[0].strip().lower() == "application/json" and isinstance(media, dict):
            return _holds_inputs(document, media.get("schema"), 0)
    return False


def _holds_inputs(document: dict[str, Any], schema: Any, depth: int) -> bool:
    """An object schema (or one of its ``anyOf``/``oneOf``/``allOf`` parts) with an ``inputs`` list of tensors."""
    schema = _resolve(document, schema, depth)
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return False
    for key in ("anyOf", "oneOf", "allOf"):
        parts = schema.get(key)
        if isinstance(parts, list) and any(_holds_inputs(document, part, depth + 1) for part in parts):
            return True
    properties = schema.get("properties")
    inputs = _resolve(document, properties.get("inputs"), depth) if isinstance(properties, dict) else None
    if not isinstance(inputs, dict):
        return False
    items = _resolve(document, inputs.get("items"), depth)
    fields = items.get("properties") if isinstance(items, dict) else None
    return isinstance(fields, dict) and _TENSOR_FIELDS <= set(fields)


def _resolve(document: dict[str, Any], node: Any, depth: int) -> Any:
    """``node`` with local ``$ref``s followed (``None`` for a reference that leads nowhere)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth <= _MAX_DEPTH:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return None
        node = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node.get(part) if isinstance(node, dict) else None
        depth += 1
    return node
