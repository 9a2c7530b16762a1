"""Media types: how a request body is sent and how a 2xx answer is decoded."""

from __future__ import annotations

from typing import Any

from ..core.errors import Diagnostic
from ..source.bentoml_facts import OUTPUT, STREAM
from .model import BodyKind, Response, TypeRef
from .payloads import is_nullable, raw_codec
from .registry import SchemaRegistry
from .schemas import deref


def _base(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


_BODY_PREFERENCE: tuple[BodyKind, ...] = ("json", "form", "text", "bytes")


def _body_kind(base: str) -> BodyKind:
    if base == "application/json" or base.endswith("+json"):
        return "json"
    if base in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return "form"
    if base.startswith("text/"):
        return "text"
    return "bytes"


def choose_body_media(
    content: dict[str, Any], where: str, diagnostics: list[Diagnostic]
) -> tuple[str, BodyKind, Any, dict[str, Any]] | None:
    """Pick the media type to send: JSON first, then forms, text, raw bytes."""
    if not content:
        return None
    by_base = {_base(media): (media, value if isinstance(value, dict) else {}) for media, value in content.items()}
    media = min(by_base, key=lambda base: _BODY_PREFERENCE.index(_body_kind(base)))
    kind = _body_kind(media)
    original, value = by_base[media]
    if len(by_base) > 1:
        others = ", ".join(sorted(m for m in by_base if m != media))
        diagnostics.append(Diagnostic(where, f"request body sent as {media}; also accepted: {others}", "info"))
    encoding = value.get("encoding")
    return original, kind, value.get("schema", {}), encoding if isinstance(encoding, dict) else {}


def choose_response(
    document: dict[str, Any],
    op: dict[str, Any],
    registry: SchemaRegistry,
    stem: str,
    where: str,
    diagnostics: list[Diagnostic],
) -> Response:
    """The decoded type of the first declared 2xx response.

    Content without a schema is never dropped: JSON is decoded as any JSON value, ``text/*``
    as ``str``, other media types (or none declared) as ``bytes``; only 204/205 answer ``None``.
    """
    responses = op.get("responses") or {}
    codes = sorted(str(code) for code in responses if str(code).startswith("2"))
    if not codes:
        return Response("json", None, TypeRef("", annotation="Any"))
    response = deref(document, responses[_original_key(responses, codes[0])])
    content = response.get("content") if isinstance(response, dict) else None
    if not content:
        # No content declared: the body the server sends anyway, as bytes (a 204 or 205 has none).
        return Response("none", None, None) if codes[0] in _NO_BODY else Response("bytes", None, None)
    by_base = {_base(media): (media, value if isinstance(value, dict) else {}) for media, value in content.items()}
    bentoml = "x-bentoml-name" in op
    facts = op.get(OUTPUT)
    if op.get(STREAM) is True or "text/event-stream" in by_base:
        return _stream_response(by_base, op, registry, stem, bentoml)
    first_media = next(iter(by_base.values()))[0]
    codec = raw_codec(facts, first_media, bentoml)
    if codec is not None:
        return Response("bytes", first_media, None, codec=codec)
    for base, (media, value) in by_base.items():
        if base == "application/json" or base.endswith("+json"):
            schema = value.get("schema", {})
            if not schema:
                return Response("json", media, TypeRef("", annotation="Any"))
            if bentoml:
                schema = _bentoml_output(schema, facts)
            model = registry.model_for(schema, f"{stem}Response", prefer=_titles(schema))
            return Response("json", media, TypeRef(model))
    for base, (media, _value) in by_base.items():
        if base.startswith("text/"):
            return Response("text", media, None)
    return Response("bytes", first_media, None)


#: The 2xx statuses that never carry a body (RFC 9110 §15.3.5, §15.3.6).
_NO_BODY = ("204", "205")


def _stream_response(
    by_base: dict[str, tuple[str, dict[str, Any]]], op: dict[str, Any], registry: SchemaRegistry, stem: str, bentoml: bool
) -> Response:
    """BentoML streams raw chunks (no SSE framing); other ``text/event-stream`` answers are SSE events."""
    media, value = by_base.get("text/event-stream") or next(iter(by_base.values()))
    if bentoml:
        text = _base(media).startswith("text/") or _base(media) == "application/json"
        return Response("text" if text else "bytes", media, None, stream="text" if text else "bytes")
    schema = value.get("schema")
    if not isinstance(schema, dict) or not schema or schema.get("type") == "string":
        return Response("text", media, None, stream="sse")
    model = registry.model_for(schema, f"{stem}Event", prefer=_titles(schema))
    return Response("json", media, TypeRef(model), stream="sse")


def _bentoml_output(schema: Any, facts: Any) -> Any:
    """Correct ``/docs.json``'s copy of a BentoML output with what ``/schema.json`` knows.

    ``/docs.json`` drops ``null`` from an ``Optional`` output; without
    ``/schema.json`` an ndarray output is declared as a flat list of numbers
    whatever its real shape, so numeric arrays are read as nested lists.
    """
    if isinstance(facts, dict):
        if is_nullable(facts) and not is_nullable(schema):
            return {"anyOf": [schema, {"type": "null"}]}
        return schema
    if isinstance(schema, dict) and schema.get("type") == "array":
        items = schema.get("items")
        if isinstance(items, dict) and items.get("type") in ("number", "integer", "array"):
            return {"type": "array", "items": {}}
    return schema


def _original_key(responses: dict[Any, Any], code: str) -> Any:
    for key in responses:
        if str(key) == code:
            return key
    return code


def _titles(schema: Any) -> list[str]:
    title = schema.get("title") if isinstance(schema, dict) else None
    if not isinstance(title, str):
        return []
    stripped = title[: -len("IODescriptor")] if title.endswith("IODescriptor") else title
    return [stripped, title]
