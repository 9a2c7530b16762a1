"""Turn names from a spec into safe, readable, collision-free Python identifiers.

Every identifier that generated code contains and that comes from a spec goes
through this module; the wire name is kept separately (as a pydantic alias or
a string literal) so nothing is lost.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Iterable

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9A-Za-z]+")

#: Attributes of the generated ``Client``/``AsyncClient`` that operations must not shadow.
CLIENT_ATTRIBUTES = frozenset(
    {
        "aclose",
        "base_url",
        "is_live",
        "is_ready",
        "map",
        "wait_until_ready",
        "close",
        "copy",
        "headers",
        "http_client",
        "max_retries",
        "retry_non_idempotent",
        "validate_responses",
        "timeout",
        "with_options",
        "with_raw_response",
    }
)

#: Names the generated package defines at top level; models must not take them.
PACKAGE_NAMES = frozenset(
    {
        "Client",
        "AsyncClient",
        "APIError",
        "APIConnectionError",
        "APITimeoutError",
        "APIStatusError",
        "APIResponseValidationError",
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "ConflictError",
        "UnprocessableEntityError",
        "RateLimitError",
        "InternalServerError",
        "NotGiven",
        "NOT_GIVEN",
        "Timeout",
        # runtime names the package exports or the client module imports
        "AsyncAPIClient",
        "AsyncGrpcClient",
        "AsyncOipClient",
        "GrpcClient",
        "SyncOipClient",
        "Tensor",
        "TensorCodecError",
        "AsyncResponseStream",
        "AsyncTaskHandle",
        "AsyncTaskAPI",
        "BinaryInput",
        "ApiKeyScheme",
        "AuthLike",
        "CertLike",
        "ProxyLike",
        "RawResponse",
        "VerifyLike",
        "TypeAliasType",
        "Endpoint",
        "FileInput",
        "MissingDependencyError",
        "ServerSentEvent",
        "ResponseStream",
        "SyncAPIClient",
        "SyncTaskAPI",
        "TaskHandle",
        "TaskFailedError",
        "TaskRoutes",
        "TaskStatusReport",
        "TaskTimeoutError",
        "TimeoutLike",
        "Mapping",
        "Sequence",
        "TYPE_CHECKING",
        "NotRequired",
        "TypedDict",
        "PIL",
        "numpy",
        "os",
        "pandas",
        "pathlib",
        "pydantic",
        # names the model module imports
        "Any",
        "Annotated",
        "AnyUrl",
        "AwareDatetime",
        "BaseModel",
        "ConfigDict",
        "Decimal",
        "Enum",
        "Field",
        "IPv4Address",
        "IPv6Address",
        "Literal",
        "NaiveDatetime",
        "OpenEnum",
        "OpenIntEnum",
        "OpenStrEnum",
        "Optional",
        "RootModel",
        "Union",
        "UUID",
        # other names the models stage may import (it renames a class that would clash, which
        # loses the class the client asked for, or aliases the import: ``Field as Field_aliased``)
        *(
            "AliasChoices Base64Bytes Base64Encoder Base64Str ClassVar Dict EmailStr EncodedBytes FrozenSet "
            "FutureDate FutureDatetime IntEnum IPv4Network IPv6Network Iterator List MultipleOf NegativeFloat "
            "NegativeInt NonNegativeFloat NonNegativeInt NonPositiveFloat NonPositiveInt PastDate PastDatetime "
            "Path PositiveFloat PositiveInt SecretStr SerializeAsAny Set StrEnum StrictBool StrictBytes "
            "StrictFloat StrictInt StrictStr StringConstraints SupportsIndex Tuple TypeAdapter UUID1 UUID3 "
            "UUID4 UUID5 ValidationInfo ValidatorFunctionWrapHandler"
        ).split(),
    }
)

#: Keyword arguments of every generated method, unless an API parameter takes the name.
CALL_OPTIONS = ("timeout", "max_retries", "extra_headers", "extra_query")


def words(name: str) -> list[str]:
    """Split any spelling (camelCase, kebab-case, spaces, dots) into lower-case words."""
    ascii_name = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    spaced = _CAMEL_BOUNDARY.sub(" ", ascii_name)
    return [part.lower() for part in _NON_WORD.split(spaced) if part]


def snake(name: str, *, fallback: str = "value") -> str:
    """A snake_case identifier: ``count-tokens`` → ``count_tokens``, ``from`` → ``from_``."""
    result = "_".join(words(name)) or fallback
    if result[0].isdigit():
        result = f"field_{result}"
    if keyword.iskeyword(result) or result in ("self", "cls"):
        result += "_"
    return result


def pascal(name: str, *, fallback: str = "Model") -> str:
    """A PascalCase class name: ``io.k8s.api.apps.v1.Deployment`` → ``IoK8sApiAppsV1Deployment``."""
    parts = words(name)
    result = "".join(part[:1].upper() + part[1:] for part in parts) or fallback
    if result[0].isdigit():
        result = f"{fallback}{result}"
    if keyword.iskeyword(result):
        result += fallback
    return result


#: Longest package name derived from a title (it is a folder name; file systems stop at 255 bytes).
MAX_PACKAGE_NAME = 64


def package_name(title: str) -> str:
    """The default package name derived from ``info.title``: ``Calculator`` → ``calculator_client``."""
    base = "_".join(words(title))[: MAX_PACKAGE_NAME - len("_client")].rstrip("_") or "api"
    if base[0].isdigit():
        base = f"api_{base}"
    if not base.endswith("_client"):
        base += "_client"
    return base


def unique(base: str, taken: set[str], *, separator: str = "_") -> str:
    """``base``, or ``base_2``, ``base_3``… whichever is free first; record it as taken."""
    candidate = base
    counter = 2
    lowered = {name.lower() for name in taken}
    while candidate in taken or candidate.lower() in lowered:
        candidate = f"{base}{separator}{counter}"
        counter += 1
    taken.add(candidate)
    return candidate


def unique_all(bases: Iterable[str], reserved: Iterable[str] = ()) -> list[str]:
    """Make each of ``bases`` unique, in order, avoiding ``reserved``."""
    taken = set(reserved)
    return [unique(base, taken) for base in bases]
