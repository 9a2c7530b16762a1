"""The intermediate representation: what the templates render, and nothing else.

Type annotations start as :class:`TypeRef` placeholders (a schema the models
stage will turn into Python) and are bound to annotation source text by
:func:`svcgen.models.bind.bind_types` once the models exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .naming import pascal
from .payloads import Codec

Location = Literal["path", "query", "header", "cookie", "body"]
ResponseKind = Literal["json", "text", "bytes", "none"]
StreamMode = Literal["text", "bytes", "sse"]
BodyKind = Literal["json", "text", "bytes", "form"]


@dataclass
class TypeRef:
    """Where the models stage will find a type: a synthetic schema name and, for fields, a key."""

    schema: str
    field: str | None = None
    annotation: str = "Any"
    #: What the client module passes to the runtime: the annotation, or for lazily
    #: loaded models ``lambda: list[_models.Item]``.
    runtime: str = ""


@dataclass
class Param:
    """One keyword argument of a generated method."""

    name: str
    wire_name: str
    location: Location
    required: bool
    type: TypeRef
    description: str | None = None
    #: How an ML-typed value is encoded (numpy array, DataFrame, image, file, base64).
    codec: Codec | None = None

    @property
    def annotation(self) -> str:
        return self.type.annotation


@dataclass
class Body:
    """A request body: flattened into keyword arguments, or one ``body=`` argument."""

    kind: BodyKind
    media_type: str
    required: bool
    flattened: bool
    model: TypeRef
    fields: list[Param] = field(default_factory=list)
    #: Multipart fields whose parts are JSON (``encoding.<field>.contentType``).
    json_fields: list[str] = field(default_factory=list)

    @property
    def wire_kind(self) -> str:
        """How the runtime encodes it: json, form, multipart, text or bytes."""
        if self.kind == "form":
            return "multipart" if self.media_type.lower().startswith("multipart/") else "form"
        return self.kind


@dataclass
class Response:
    """The decoded 2xx answer of an operation."""

    kind: ResponseKind
    media_type: str | None
    type: TypeRef | None
    codec: Codec | None = None
    #: Set for a streamed answer: raw text or byte chunks, or Server-Sent Events.
    stream: StreamMode | None = None

    @property
    def item_annotation(self) -> str:
        """The type of one value: the whole answer, or one chunk/event of a stream."""
        if self.stream == "bytes":
            return "bytes"
        if self.stream == "text":
            return "str"
        if self.stream == "sse":
            return self.type.annotation if self.type else "str"
        return self.annotation

    @property
    def annotation(self) -> str:
        if self.codec is not None:
            return self.codec.output_annotation()
        if self.kind == "none":
            return "None"
        if self.kind == "bytes":
            return "bytes"
        if self.kind == "text":
            return "str"
        return self.type.annotation if self.type else "Any"


@dataclass
class PathPart:
    """A literal piece of a path template, or the name of the argument that fills it."""

    literal: str | None = None
    param: str | None = None


@dataclass
class TaskRoutes:
    """The companion paths of a task API (BentoML ``@bentoml.task``)."""

    submit: str
    status: str
    result: str
    retry: str
    cancel: str


@dataclass
class Operation:
    name: str
    method: str
    path: str
    path_parts: list[PathPart]
    params: list[Param]
    body: Body | None
    response: Response
    summary: str | None
    description: str | None
    deprecated: bool
    call_options: list[str]
    positional: bool = False
    task: TaskRoutes | None = None
    #: The task classes' type argument (``SyncTaskAPI[...]``): a base class is evaluated when
    #: the module runs, so it is a string when it names what is imported for type checkers only.
    task_type: str = "Any"

    @property
    def codecs(self) -> list[tuple[str, Codec]]:
        """``(wire name, codec)`` of the body's ML-typed fields (``body`` for a whole-body codec)."""
        if self.body is None:
            return []
        if not self.body.flattened:
            codec = self.body.fields[0].codec
            return [("body", codec)] if codec else []
        return [(p.wire_name, p.codec) for p in self.body.fields if p.codec is not None]

    @property
    def class_stem(self) -> str:
        return pascal(self.name)

    @property
    def constant(self) -> str:
        return "_" + self.name.upper()

    @property
    def arguments(self) -> list[Param]:
        """Every keyword argument in signature order: required first, then optional."""
        args = list(self.params)
        if self.body is not None:
            args.extend(self.body.fields)
        return sorted(args, key=lambda p: not p.required)

    @property
    def path_template(self) -> str:
        """The path with ``{wire_name}`` placeholders, as the runtime fills them."""
        wire = {p.name: p.wire_name for p in self.params}
        return "".join(part.literal if part.param is None else "{" + wire[part.param] + "}" for part in self.path_parts)

    @property
    def argument_groups(self) -> list[tuple[str, list[Param]]]:
        """Keyword arguments grouped by where they go, as the runtime's ``_request`` takes them."""
        groups = []
        for location, keyword in (("path", "path"), ("query", "query"), ("header", "headers"), ("cookie", "cookies")):
            members = [p for p in self.params if p.location == location]
            if members:
                groups.append((keyword, members))
        if self.body is not None and self.body.flattened:
            groups.append(("body", self.body.fields))
        return groups

    @property
    def docstring(self) -> str:
        parts = [text for text in (self.summary, self.description) if text]
        if self.summary and self.description and self.description.startswith(self.summary):
            parts = [self.description]
        documented = [p for p in self.arguments if p.description]
        if documented:
            lines = ["Args:"]
            for p in documented:
                text = " ".join((p.description or "").split())
                lines.append(f"    {p.name}: {text}")
            parts.append("\n".join(lines))
        if self.deprecated:
            parts.insert(0, "Deprecated.")
        return "\n\n".join(parts) or f"{self.method} {self.path}"
