"""The IR of one whole API: what the templates render, and nothing else (its parts are in
:mod:`svcgen.ir.model`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .model import Operation
from .payloads import Codec


class TypedDicts(Protocol):
    """What the IR keeps of the request models' typed dicts, which the models stage makes
    (:class:`svcgen.models.params.Params`) when it binds the IR's types."""

    #: model class → its typed dict's name
    names: dict[str, str]

    def module(self) -> str | None:
        """The ``params`` module's text, or ``None`` when no request takes a model."""


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
    #: Models live in a package loaded name by name (large APIs, see ``svcgen.models.split``).
    lazy_models: bool = False
    #: ``(location, name)`` of the API key the document declares, if any.
    api_key: tuple[str, str] | None = None
    #: The document declares HTTP basic auth (``auth=(user, password)``).
    basic_auth: bool = False
    #: The typed dicts of the request models (``svcgen.models.params``), once types are bound.
    params: TypedDicts | None = None
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
