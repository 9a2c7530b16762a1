"""Media types: how a request body is sent and how a 2xx answer is decoded."""

from __future__ import annotations

from typing import Any

from ..errors import Diagnostic
from .model import BodyKind, Response, TypeRef
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
) -> tuple[str, BodyKind, Any] | None:
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
    return original, kind, value.get("schema", {})


def choose_response(
    document: dict[str, Any],
    op: dict[str, Any],
    registry: SchemaRegistry,
    stem: str,
    where: str,
    diagnostics: list[Diagnostic],
) -> Response:
    """The decoded type of the first declared 2xx response."""
    responses = op.get("responses") or {}
    codes = sorted(str(code) for code in responses if str(code).startswith("2"))
    if not codes:
        return Response("json", None, TypeRef("", annotation="Any"))
    response = deref(document, responses[_original_key(responses, codes[0])])
    content = response.get("content") if isinstance(response, dict) else None
    if not content:
        return Response("none", None, None)
    by_base = {_base(media): (media, value if isinstance(value, dict) else {}) for media, value in content.items()}
    for base, (media, value) in by_base.items():
        if base == "application/json" or base.endswith("+json"):
            schema = value.get("schema", {})
            if not schema:
                return Response("json", media, TypeRef("", annotation="Any"))
            model = registry.model_for(schema, f"{stem}Response", prefer=_titles(schema))
            return Response("json", media, TypeRef(model))
    for base, (media, _value) in by_base.items():
        if base.startswith("text/"):
            return Response("text", media, None)
    media = next(iter(by_base.values()))[0]
    return Response("bytes", media, None)


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
