"""Stage 5: the IR and the model module → the files of the generated package."""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

import jinja2

from ..core import escape
from .allowlist import stubtest_allowlists, versioned_files
from .http_library import LIBRARIES
from ..ir.api import Api
from ..ir.model import Operation
from ..models.module import HEADER, ModelModule
from .packaging import packing
from ..models.split import split_models

RUNTIME_MODULES = (
    "__init__",
    "_aiohttp",
    "_async",
    "_auth",
    "_base",
    "_bulk",
    "_codecs",
    "_endpoint",
    "_errors",
    "_files",
    "_http",
    "_lenient",
    "_models",
    "_plain",
    "_raw",
    "_redirects",
    "_retries",
    "_streaming",
    "_sync",
    "_tasks",
    "_tensors",
    "_types",
    "_wire",
)
#: Rendered only for Open Inference Protocol APIs (``Api.is_oip``): tensor codecs and the gRPC transport.
OIP_MODULES = ("_grpc_client", "_grpc_core", "_grpc_proto", "_grpc_wire", "_oip", "_oip_rest", "_oip_tensors")
OIP_EXPORTS = ("AsyncGrpcClient", "GrpcClient", "Tensor", "TensorCodecError")
OPTION_TYPES = {
    "timeout": "TimeoutLike | NotGiven = NOT_GIVEN",
    "max_retries": "int | NotGiven = NOT_GIVEN",
    "extra_headers": "Mapping[str, str] | None = None",
    "extra_query": "Mapping[str, object] | None = None",
    "output_dir": "str | os.PathLike[str] | None = None",
}
EXPORTS_FROM_RUNTIME = (
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncResponseStream",
    "AsyncTaskHandle",
    "AuthenticationError",
    "BadRequestError",
    "BinaryInput",
    "FileInput",
    "MissingDependencyError",
    "ServerSentEvent",
    "ResponseStream",
    "TaskHandle",
    "TaskFailedError",
    "TaskStatusReport",
    "TaskTimeoutError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "UnprocessableEntityError",
    "ValidateResponses",
    "tensor_array",
    "tensor_input",
)
_EXAMPLES = {"int": "1", "float": "1.0", "str": '"text"', "bool": "True"}


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates' environment, made once per process (jinja reloads a template that changed)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("svcgen.templates", "."),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        literal=escape.literal,
        docstring=escape.docstring,
        docstring_line=escape.docstring_line,
        docstring_literal=escape.docstring_literal,
        comment=escape.comment,
        toml=escape.toml_string,
        markdown=escape.markdown,
        markdown_code=escape.markdown_code,
        untagged=escape.untagged,
        example_call=example_call,
    )
    return env


def render_package(
    api: Api,
    models: ModelModule,
    *,
    document_sha256: str,
    options: dict[str, Any],
    svcgen_version: str,
    http_library: str = "httpx",
) -> dict[str, str]:
    """Every file of the package, by path relative to the output folder (not yet formatted).

    ``http_library`` is the module the runtime imports (``httpx`` or ``httpx2``): the
    templates name it through the ``http`` variable, so public types name the real library.
    """
    env = environment()
    context = _context(api, http_library)
    pkg = api.package
    allowlists = stubtest_allowlists(pkg, models)
    context["allowlists"] = versioned_files(allowlists)
    files = {
        "README.md": env.get_template("README.md.jinja").render(context),
        f"{pkg}/__init__.py": env.get_template("package/__init__.py.jinja").render(context),
        f"{pkg}/_client.py": env.get_template("package/_client.py.jinja").render(context),
        f"{pkg}/py.typed": "",
        f"{pkg}/_svcgen.json": provenance(document_sha256, options, svcgen_version),
        **allowlists,
    }
    if api.lazy_models:
        for relative, text in split_models(models.text, HEADER).items():
            files[f"{pkg}/models/{relative}"] = text
    else:
        files[f"{pkg}/models.py"] = models.text
    params = api.params.module() if api.params is not None else None
    if params is not None:
        files[f"{pkg}/params.py"] = params
    for module in (*RUNTIME_MODULES, *(OIP_MODULES if api.is_oip else ())):
        files[f"{pkg}/_runtime/{module}.py"] = env.get_template(f"package/_runtime/{module}.py.jinja").render(context)
    return files


def render_client_stub(api: Api, http_library: str = "httpx") -> str:
    """The client module's stub (not yet formatted), every import of the module still in it:
    its template in stub mode (``svcgen.output.stubs`` leaves out the imports it does not use)."""
    template = environment().get_template("package/_client.py.jinja")
    return template.render(_context(api, http_library), stub=True)


def _context(api: Api, http_library: str) -> dict[str, Any]:
    runtime_exports = (*EXPORTS_FROM_RUNTIME, *(OIP_EXPORTS if api.is_oip else ()))
    exports = sorted(
        {"AsyncClient", "Client", *runtime_exports, *api.public_models},
    )
    return {
        "api": api,
        "exports": exports,
        "option_types": OPTION_TYPES,
        "runtime_exports": sorted(runtime_exports),
        "http": LIBRARIES[http_library].module,
        "http_library": LIBRARIES[http_library],
        "stub": False,
    }


def render_pyproject(api: Api, files: dict[str, str], http_library: str = "httpx") -> str:
    """The project file, written last: it packs exactly the packages and data files in ``files``."""
    template = environment().get_template("pyproject.toml.jinja")
    return template.render(api=api, packing=packing(files, api.package), http_library=LIBRARIES[http_library])


def example_call(op: Operation) -> str:
    """Keyword arguments for a README example: the required ones, with placeholder values."""
    parts = []
    for arg in op.arguments:
        if arg.required:
            parts.append(f"{arg.name}={_EXAMPLES.get(arg.annotation, '...')}")
    return ", ".join(parts)


def provenance(document_sha256: str, options: dict[str, Any], svcgen_version: str) -> str:
    record = {"generator": "svcgen", "version": svcgen_version, "spec_sha256": document_sha256, "options": options}
    return json.dumps(record, indent=2, sort_keys=True) + "\n"
