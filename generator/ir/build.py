"""Build the :class:`Api` from a normalised document."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from packaging.version import InvalidVersion, Version

from ..errors import Diagnostic, SvcgenError
from . import naming
from .model import Api
from .operations import METHODS, OperationBuilder
from .opnames import base_name
from .registry import SchemaRegistry
from .schemas import component_names, rewrite_refs

DEFAULT_PACKAGE_VERSION = "0.1.0"


def build_api(
    document: dict[str, Any],
    *,
    package: str | None = None,
    package_version: str | None = None,
) -> tuple[Api, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    info = document.get("info") if isinstance(document.get("info"), dict) else {}
    title = str(info.get("title") or "API")
    package = package or naming.package_name(title)
    components = (document.get("components") or {}).get("schemas") or {}
    names = component_names([str(key) for key in components], set(naming.PACKAGE_NAMES))
    document = rewrite_refs(document, names)
    renamed_components = {names[str(key)]: schema for key, schema in (document.get("components") or {}).get("schemas", {}).items()}
    registry = SchemaRegistry(renamed_components, names)
    builder = OperationBuilder(document, registry, diagnostics)

    operations = []
    taken = set(naming.CLIENT_ATTRIBUTES)
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            raise SvcgenError("path item is not an object", where=str(path)[:80])
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            name = naming.unique(base_name(method, str(path), op), taken)
            operations.append(builder.build(name, method, str(path), item, op))

    is_bentoml = any("x-bentoml-name" in op for item in (document.get("paths") or {}).values() if isinstance(item, dict) for op in item.values() if isinstance(op, dict))
    api = Api(
        title=title,
        description=info.get("description") if isinstance(info.get("description"), str) else None,
        version=_spec_version(info.get("version")),
        package=package,
        package_version=package_version or _spec_version(info.get("version")) or DEFAULT_PACKAGE_VERSION,
        default_base_url=_default_base_url(document),
        is_bentoml=is_bentoml,
        operations=operations,
        schemas=registry.schemas,
        internal_models=registry.internal,
        scratch_models=registry.scratch_names,
        param_holders=registry.holders,
    )
    return api, diagnostics


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
        if isinstance(url, str) and "{" not in url and urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc:
            return url.rstrip("/") or url
    return None
