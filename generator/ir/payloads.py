"""ML payload types: which schemas are numpy arrays, DataFrames, images, files or base64 content.

The facts come from BentoML's own schema types (kept under ``x-bentoml-type``
by the normalise stage, with ``dtype``/``shape``/``orient``/``content_type``),
from ``/schema.json``'s per-route output (``x-bentoml-output``, raw), from
``format: binary`` parts of multipart bodies, and from base64 strings
(``x-svcgen-encoding: base64``, set by the normalise stage).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

CodecKind = Literal["tensor", "dataframe", "image", "file", "files", "base64"]

#: numpy scalar types a declared dtype may name in an annotation.
DTYPES = frozenset(
    {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32", "float64", "complex64", "complex128"}
)
ORIENTS = frozenset({"records", "columns", "split", "index", "values"})
#: The optional extra of the generated package each kind needs.
EXTRAS: dict[CodecKind, str | None] = {
    "tensor": "numpy",
    "dataframe": "pandas",
    "image": "pillow",
    "file": None,
    "files": None,
    "base64": None,
}
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/(\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*)$")
_RUNTIME_CLASS = {"tensor": "Tensor", "dataframe": "Frame", "image": "Image", "file": "File", "files": "Files", "base64": "Base64"}


@dataclass(frozen=True)
class Codec:
    """How one value travels: the runtime codec that encodes/decodes it and its Python types."""

    kind: CodecKind
    dtype: str | None = None
    shape: tuple[int, ...] | None = None
    orient: str | None = None
    media_type: str | None = None

    @property
    def extra(self) -> str | None:
        return EXTRAS[self.kind]

    @property
    def wire(self) -> str:
        return "json" if self.kind in ("tensor", "dataframe", "base64") else "file"

    def input_annotation(self) -> str:
        if self.kind == "tensor":
            return "numpy.typing.ArrayLike"
        if self.kind == "dataframe":
            return "pandas.DataFrame"
        if self.kind == "image":
            return "PIL.Image.Image | FileInput"
        if self.kind == "files":
            return "Sequence[FileInput]"
        if self.kind == "base64":
            return "BinaryInput | PIL.Image.Image" if self.is_image else "BinaryInput"
        return "FileInput"

    def output_annotation(self) -> str:
        if self.kind == "tensor":
            scalar = f"numpy.{'bool_' if self.dtype == 'bool' else self.dtype}" if self.dtype in DTYPES else "Any"
            return f"numpy.typing.NDArray[{scalar}]"
        if self.kind == "dataframe":
            return "pandas.DataFrame"
        if self.kind == "image":
            return "PIL.Image.Image"
        if self.kind == "base64":
            return "bytes"
        return "pathlib.Path"

    @property
    def is_image(self) -> bool:
        return bool(self.media_type and self.media_type.lower().startswith("image/"))

    def constructor(self) -> str:
        """The runtime expression that builds the codec (every value is a checked literal)."""
        if self.kind == "tensor":
            arguments = [repr(self.dtype)] if self.dtype else []
            arguments += [f"shape={self.shape!r}"] if self.shape else []
        elif self.kind == "dataframe":
            arguments = [repr(self.orient or "records")]
        else:
            arguments = [repr(self.media_type)] if self.media_type else []
        return f"_codecs.{_RUNTIME_CLASS[self.kind]}({', '.join(arguments)})"


def codec_for(schema: Any, media_type: str | None = None) -> Codec | None:
    """The codec a (normalised) property or body schema needs, if any."""
    schema = _non_null(schema)
    if not isinstance(schema, dict):
        return None
    kind = schema.get("x-bentoml-type")
    if kind == "tensor":
        return Codec("tensor", dtype=_dtype(schema.get("dtype")), shape=_shape(schema.get("shape")))
    if kind == "dataframe":
        orient = schema.get("orient")
        return Codec("dataframe", orient=orient if orient in ORIENTS else "records")
    if kind == "file" or _is_binary(schema):
        declared = _media(schema.get("content_type")) or _media(schema.get("contentMediaType")) or _media(media_type)
        if schema.get("x-svcgen-encoding") == "base64":
            return Codec("base64", media_type=declared)
        if schema.get("pil") is True or _is_image(declared):
            return Codec("image", media_type=declared)
        return Codec("file", media_type=declared)
    if schema.get("type") == "array":
        item = codec_for(schema.get("items"), media_type)
        if item is not None and item.kind in ("file", "image"):
            return Codec("files", media_type=item.media_type)
    return None


def raw_codec(facts: Any, media_type: str | None, is_bentoml: bool) -> Codec | None:
    """The codec of a schema in BentoML's own spelling (``/schema.json``: an answer or a root input),
    else, for a BentoML answer without those facts, the one its media type implies."""
    facts = _non_null(facts)
    if isinstance(facts, dict):
        kind = facts.get("type")
        if kind == "tensor":
            return Codec("tensor", dtype=_dtype(facts.get("dtype")), shape=None)
        if kind == "dataframe":
            orient = facts.get("orient")
            return Codec("dataframe", orient=orient if orient in ORIENTS else "records")
        if kind == "file":
            declared = _media(facts.get("content_type")) or _media(media_type)
            if facts.get("pil") is True or facts.get("format") == "image":
                return Codec("image", media_type=declared)
            return Codec("file", media_type=declared)
        return None
    if is_bentoml and media_type is not None:
        base = media_type.split(";", 1)[0].strip().lower()
        if base == "image/*":
            return Codec("image", media_type=base)
        if not (base.startswith("text/") or base == "application/json" or base.endswith("+json")):
            return Codec("file", media_type=_media(base))
    return None


def is_nullable(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    branches = schema.get("anyOf") or schema.get("oneOf")
    return isinstance(branches, list) and any(isinstance(b, dict) and b.get("type") == "null" for b in branches)


def _non_null(schema: Any) -> Any:
    """``anyOf: [X, null]`` → ``X``; ``type: [T, null]`` stays (its other keys still describe ``T``)."""
    if isinstance(schema, dict):
        branches = schema.get("anyOf")
        if isinstance(branches, list):
            others = [b for b in branches if not (isinstance(b, dict) and b.get("type") == "null")]
            if len(others) == 1 and len(others) < len(branches):
                return others[0]
    return schema


def _is_binary(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    is_string = kind == "string" or (isinstance(kind, list) and "string" in kind)
    return is_string and schema.get("format") == "binary"


def _is_image(media_type: str | None) -> bool:
    return bool(media_type and media_type.lower().startswith("image/"))


def _dtype(value: Any) -> str | None:
    return value if isinstance(value, str) and value in DTYPES else None


def _shape(value: Any) -> tuple[int, ...] | None:
    if not isinstance(value, list) or not value or len(value) > 32:
        return None
    if not all(isinstance(size, int) and not isinstance(size, bool) and size >= -1 for size in value):
        return None
    return tuple(value)


def _media(value: Any) -> str | None:
    """A media type that is safe and specific enough to send (``image/png``, ``image/*``)."""
    if not isinstance(value, str):
        return None
    base = value.split(";", 1)[0].strip()
    return base if _MEDIA_TYPE.match(base) and base != "*/*" else None
