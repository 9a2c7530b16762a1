"""Build the :class:`Api` from a normalised document."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
from packaging.version import InvalidVersion, Version

from ..core.errors import Diagnostic, SvcgenError
from . import naming
from ..source.bentoml_facts import TASK, is_bentoml
from ..source.spec import METHODS
from .api import Api
from .model import Operation, TaskRoutes
from .local_refs import inline_local_refs
from .never import drop_never
from .oip import oip_prefix
from .operations import OperationBuilder
from .opnames import base_name, disambiguate
from .registry import SchemaRegistry
from .schemas import component_names, error_only, output_copies, rewrite_refs
from .security import read_security

DEFAULT_PACKAGE_VERSION = "0.1.0"


def build_api(
    document: dict[str, Any],
    *,
    package: str | None = None,
    package_version: str | None = None,
) -> tuple[Api, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    document = drop_never(inline_local_refs(document), diagnostics)
    info = document.get("info") if isinstance(document.get("info"), dict) else {}
    title = str(info.get("title") or "API")
    package = package or naming.package_name(title)
    components = (document.get("components") or {}).get("schemas") or {}
    copies = output_copies(components)
    errors = error_only(document)
    names = component_names([str(key) for key in components if str(key) not in copies], set(naming.PACKAGE_NAMES))
    names.update({key: names[original] for key, original in copies.items()})
    oip = oip_prefix(document)  # before the references are renamed away from the components' keys
    document = rewrite_refs(document, names)
    renamed_components = {
        names[str(key)]: schema for key, schema in (document.get("components") or {}).get("schemas", {}).items() if str(key) not in copies
    }
    registry = SchemaRegistry(renamed_components, names)
    registry.internal.update(names[key] for key in errors)
    builder = OperationBuilder(document, registry, diagnostics)

    found: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = []
    bentoml = is_bentoml(document)
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            raise SvcgenError("path item is not an object", where=str(path)[:80])
        if bentoml and _is_infrastructure(item):
            if path in BENTOML_PROBES:
                continue  # the client's is_live() and is_ready()
            if path == BENTOML_METRICS:
                item = {**item, "get": _text_answer(item["get"])}
        found.extend((method, str(path), item, item[method]) for method in METHODS if isinstance(item.get(method), dict))
    names = disambiguate([(base_name(method, path, op), path) for method, path, _item, op in found])
    operations = []
    flagged_tasks: set[tuple[str, str]] = set()
    taken = set(naming.CLIENT_ATTRIBUTES)
    for name, (method, path, item, op) in zip(names, found):
        operations.append(builder.build(naming.unique(name, taken), method, path, item, op))
        if op.get(TASK) is True:
            flagged_tasks.add((method.upper(), path))
    operations = group_tasks(operations, flagged_tasks)
    security = read_security(document, diagnostics)

    api = Api(
        title=title,
        description=info.get("description") if isinstance(info.get("description"), str) else None,
        version=_spec_version(info.get("version")),
        package=package,
        package_version=package_version or _spec_version(info.get("version")) or DEFAULT_PACKAGE_VERSION,
        default_base_url=_default_base_url(document),
        is_bentoml=is_bentoml(document),
        operations=operations,
        schemas=registry.schemas,
        internal_models=registry.internal,
        scratch_models=registry.scratch_names,
        param_holders=registry.holders,
        live_path=_probe_path(document, LIVE_PATHS) or "livez",
        ready_path=_probe_path(document, READY_PATHS) or "readyz",
        api_key=security.api_key,
        basic_auth=security.basic,
        oip_prefix=oip,
    )
    return api, diagnostics


#: Health probes, most specific first (BentoML, KServe / Open Inference Protocol, common names).
#: BentoML's health probes, which ``is_live()``/``is_ready()`` call: no operations of their own.
BENTOML_PROBES = ("/healthz", "/livez", "/readyz")
#: BentoML's Prometheus text, declared without a media type.
BENTOML_METRICS = "/metrics"


def _is_infrastructure(item: dict[str, Any]) -> bool:
    op = item.get("get")
    return isinstance(op, dict) and op.get("tags") == ["Infrastructure"] and set(item) == {"get"}


def _text_answer(op: dict[str, Any]) -> dict[str, Any]:
    """The operation with its 200 answer declared as text (what the metrics endpoint sends)."""
    responses = op.get("responses") if isinstance(op.get("responses"), dict) else {}
    ok = responses.get("200")
    if not isinstance(ok, dict) or ok.get("content"):
        return op
    text = {"text/plain": {"schema": {"type": "string"}}}
    return {**op, "responses": {**responses, "200": {**ok, "content": text}}}


LIVE_PATHS = ("/livez", "/v2/health/live", "/health/live", "/healthz", "/health")
READY_PATHS = ("/readyz", "/v2/health/ready", "/health/ready", "/healthz", "/health")
#: A task API's companions: kind → (method, suffix).
TASK_COMPANIONS = {
    "submit": ("POST", "/submit"),
    "status": ("GET", "/status"),
    "result": ("GET", "/get"),
    "retry": ("POST", "/retry"),
    "cancel": ("PUT", "/cancel"),
}


def group_tasks(operations: list[Operation], flagged: set[tuple[str, str]]) -> list[Operation]:
    """Fold each task API's companion operations into the task operation itself.

    A task is a ``POST`` route marked ``x-bentoml-task`` (from ``/schema.json``),
    or one with ``/submit``, ``/status`` and ``/get`` siblings (a plain
    ``/docs.json``). Its companions are reached through the task handle.
    """
    index = {(op.method, op.path): op for op in operations}
    absorbed: set[int] = set()
    for op in operations:
        if op.method != "POST" or "{" in op.path:
            continue
        base = op.path.rstrip("/")
        present = {kind for kind, (method, suffix) in TASK_COMPANIONS.items() if (method, base + suffix) in index}
        if (op.method, op.path) not in flagged and not {"submit", "status", "result"} <= present:
            continue
        op.task = TaskRoutes(**{kind: base + suffix for kind, (_method, suffix) in TASK_COMPANIONS.items()})
        absorbed |= {id(index[(method, base + suffix)]) for kind, (method, suffix) in TASK_COMPANIONS.items() if kind in present}
        op.call_options = [option for option in op.call_options if option != "output_dir"]
    return [op for op in operations if id(op) not in absorbed]


def _probe_path(document: dict[str, Any], candidates: tuple[str, ...]) -> str | None:
    paths = document.get("paths") or {}
    for candidate in candidates:
        item = paths.get(candidate)
        if isinstance(item, dict) and isinstance(item.get("get"), dict):
            return candidate.lstrip("/")
    return None


def _spec_version(version: Any) -> str | None:
    """``info.version`` when it is a usable package version (BentoML writes ``"None"``)."""
    if not isinstance(version, str) or version.strip() in ("", "None"):
        return None
    try:
        return str(Version(version.strip()))
    except InvalidVersion:
        return None


def _default_base_url(document: dict[str, Any]) -> str | None:
    """The first absolute http(s) server URL without variables, if any."""
    for server in document.get("servers") or []:
        url = server.get("url") if isinstance(server, dict) else None
        if isinstance(url, str) and "{" not in url and _is_http_url(url):
            return url.rstrip("/") or url
    return None


def _is_http_url(url: str) -> bool:
    """An absolute http(s) URL the generated client can use as it is (httpx parses it)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL):  # ``http://[not-an-ip]/``, ``http://host:9x/``, controls
        return False
    # a query or fragment would swallow every path the client appends (``http://host/api#x/items``)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(mark in url for mark in "?#")
