"""The intermediate representation: what the templates render, and nothing else.

Type annotations start as :class:`TypeRef` placeholders (a schema the models
stage will turn into Python) and are bound to annotation source text by
:func:`svcgen.ir.bind.bind_types` once the models exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .naming import pascal
from .payloads import Codec

if TYPE_CHECKING:
    from ..params import Params

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


@dataclass
class Api:
    """Everything about one API that the generated package needs."""

    title: str
    description: str | None
    version: str | None
    package: str
    package_version: str
    default_base_url: str | None
    is_bentoml: bool
    operations: list[Operation]
    #: Synthetic + component schemas handed to the models stage, by class name.
    schemas: dict[str, dict[str, object]]
    #: Class names that are implementation details (not re-exported at top level).
    internal_models: set[str] = field(default_factory=set)
    #: Class names of synthetic wrappers the models stage should drop after reading them.
    scratch_models: set[str] = field(default_factory=set)
    #: Scratch classes that only hold one operation's parameters.
    param_holders: set[str] = field(default_factory=set)
    public_models: list[str] = field(default_factory=list)
    model_imports: list[tuple[str, list[str]]] = field(default_factory=list)
    #: Modules the client imports for type checkers only (``numpy``, ``PIL.Image``…).
    checking_imports: list[str] = field(default_factory=list)
    #: Health probes, relative to the base URL.
    live_path: str = "livez"
    ready_path: str = "readyz"
    #: Models live in a package loaded name by name (large APIs, see ``svcgen.split``).
    lazy_models: bool = False
    #: ``(location, name)`` of the API key the document declares, if any.
    api_key: tuple[str, str] | None = None
    #: The document declares HTTP basic auth (``auth=(user, password)``).
    basic_auth: bool = False
    #: The typed dicts of the request models (``svcgen.params``), once types are bound.
    params: Params | None = None
    #: An Open Inference Protocol server (see ``svcgen.ir.oip``): the path before ``v2/``
    #: (``""`` at the root); None for other APIs.
    oip_prefix: str | None = None

    @property
    def is_oip(self) -> bool:
        """Whether the clients also get ``infer_arrays``, ``is_model_ready`` and the gRPC clients."""
        return self.oip_prefix is not None

    @property
    def checking_models(self) -> list[str]:
        """Models the client module imports for type checkers only (lazily loaded models);
        an API whose operations use no model has none, and no empty ``if TYPE_CHECKING:``."""
        if not self.lazy_models:
            return []
        return next((names for module, names in self.model_imports if module == ".models"), [])

    @property
    def example_operations(self) -> list[Operation]:
        """Operations for the README's first example, best first: plain calls that take arguments
        (not tasks or streams), then any that take arguments, then the rest."""
        def rank(op: Operation) -> int:
            return (0 if op.arguments else 2) + (0 if op.task is None and not op.response.stream else 1)

        return sorted(self.operations, key=rank)

    @property
    def codecs(self) -> list[Codec]:
        found: list[Codec] = []
        for op in self.operations:
            found.extend(codec for _wire, codec in op.codecs)
            if op.response.codec is not None:
                found.append(op.response.codec)
        return found

    @property
    def extras(self) -> list[str]:
        """Optional extras of the generated package that some operation needs."""
        found = {codec.extra for codec in self.codecs if codec.extra}
        if self.is_oip:
            found.add("numpy")
        return sorted(found)

    @property
    def token_env(self) -> str:
        """The environment variable the client reads its token from."""
        return self.package.upper() + "_TOKEN"

    @property
    def api_key_env(self) -> str | None:
        """The environment variable the client reads its API key from, if it takes one."""
        return self.package.upper() + "_API_KEY" if self.api_key else None

    @property
    def user_agent(self) -> str:
        return f"{self.package}/{self.package_version} (svcgen)"

    @property
    def distribution(self) -> str:
        return self.package.replace("_", "-")
