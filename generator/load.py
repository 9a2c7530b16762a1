"""Stage 1: read the input document from a service, a spec URL or a file.

The result is the document exactly as generation sees it: for a live service,
a relative ``servers`` URL (BentoML serves ``"."``) is replaced by the absolute
URL the document was fetched from, so that generating from a saved copy (see
``svcgen fetch``) gives the same package as generating from the live URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import yaml

from .bentoml_facts import OUTPUT, is_bentoml, merge_facts
from .errors import SvcgenError

SPEC_SUFFIXES = (".json", ".yaml", ".yml")
SERVICE_DOCUMENTS = ("docs.json", "openapi.json")


@dataclass(frozen=True)
class Loaded:
    """A raw document and the URL it came from (``None`` for a local file)."""

    document: dict[str, Any]
    origin: str | None
    notes: tuple[str, ...] = ()


def load(
    source: str,
    *,
    headers: tuple[tuple[str, str], ...] = (),
    token: str | None = None,
    timeout: float = 30.0,
    max_bytes: int = 64 * 1024 * 1024,
) -> Loaded:
    """Read ``source`` (a service base URL, a spec URL or a local file)."""
    scheme = urlsplit(source).scheme.lower()
    if scheme in ("http", "https"):
        request_headers = dict(headers)
        if token:
            request_headers["Authorization"] = f"Bearer {token}"
        _check_headers(request_headers)
        url, text = _fetch(source, request_headers, timeout, max_bytes)
        document = absolutize_servers(parse_text(text, url), url)
        notes: list[str] = []
        if is_bentoml(document) and not _has_facts(document):
            document, notes = _merge_schema_json(document, url, request_headers, timeout, max_bytes)
        return Loaded(document, url, tuple(notes))
    if scheme and len(scheme) > 1:
        raise SvcgenError(f"unsupported URL scheme {scheme!r}: use http, https or a local file")
    return Loaded(parse_text(_read_file(Path(source), max_bytes), source), None)


def _has_facts(document: dict[str, Any]) -> bool:
    return any(
        isinstance(op, dict) and OUTPUT in op
        for item in (document.get("paths") or {}).values()
        if isinstance(item, dict)
        for op in item.values()
    )


def _merge_schema_json(
    document: dict[str, Any], url: str, headers: dict[str, str], timeout: float, max_bytes: int
) -> tuple[dict[str, Any], list[str]]:
    """Add the facts of the sibling ``schema.json`` (BentoML); without it, say so and go on."""
    schema_url = urljoin(url, "schema.json")
    with httpx.Client(timeout=timeout, follow_redirects=True, headers=headers) as client:
        try:
            status, text = _get(client, schema_url, max_bytes)
        except SvcgenError as exc:
            return document, [f"{exc.describe()}; generating from the OpenAPI document alone"]
    if status >= 400:
        return document, [f"{_safe_url(schema_url)}: HTTP {status}; generating from the OpenAPI document alone"]
    try:
        facts = json.loads(text)
    except ValueError:
        return document, [f"{_safe_url(schema_url)}: not JSON; generating from the OpenAPI document alone"]
    return merge_facts(document, facts)


def _check_headers(headers: dict[str, str]) -> None:
    """Header values must be one line of ASCII; say so without echoing a secret."""
    for name, value in headers.items():
        label = "--token/SVCGEN_TOKEN" if name == "Authorization" else f"header {name[:40]!r}"
        if not value.isascii() or any(char in value for char in "\r\n\0"):
            raise SvcgenError(f"{label}: value must be ASCII text on one line")
        if not name.isascii() or not name.replace("-", "").replace("_", "").isalnum():
            raise SvcgenError("a --header name must be an ASCII token")


def _read_file(path: Path, max_bytes: int) -> str:
    try:
        if path.stat().st_size > max_bytes:
            raise SvcgenError(f"{path}: document is larger than the limit of {max_bytes} bytes")
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise SvcgenError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SvcgenError(f"{path}: is a directory, not a document") from None
    except UnicodeDecodeError:
        raise SvcgenError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise SvcgenError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _fetch(source: str, headers: dict[str, str], timeout: float, max_bytes: int) -> tuple[str, str]:
    """Fetch a spec URL, or ``/docs.json`` then ``/openapi.json`` below a service URL."""
    if urlsplit(source).path.lower().endswith(SPEC_SUFFIXES):
        candidates = [source]
    else:
        base = source.rstrip("/") + "/"
        candidates = [urljoin(base, name) for name in SERVICE_DOCUMENTS]
    with httpx.Client(timeout=timeout, follow_redirects=True, headers=headers) as client:
        for index, url in enumerate(candidates):
            status, text = _get(client, url, max_bytes)
            if status == 404 and index + 1 < len(candidates):
                continue
            if status >= 400:
                raise SvcgenError(f"{_safe_url(url)}: HTTP {status}")
            return url, text
    raise AssertionError("unreachable")  # pragma: no cover


def _get(client: httpx.Client, url: str, max_bytes: int) -> tuple[int, str]:
    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                return response.status_code, ""
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise SvcgenError(
                        f"{_safe_url(url)}: document is larger than the limit of {max_bytes} bytes"
                    )
                chunks.append(chunk)
            try:
                return response.status_code, b"".join(chunks).decode("utf-8-sig")
            except UnicodeDecodeError:
                raise SvcgenError(f"{_safe_url(url)}: response is not UTF-8 text") from None
    except httpx.TimeoutException:
        raise SvcgenError(f"{_safe_url(url)}: timed out") from None
    except httpx.LocalProtocolError:
        raise SvcgenError(f"cannot fetch {_safe_url(url)}: invalid request header") from None
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        raise SvcgenError(f"cannot reach {_safe_url(url)}: {reason}") from None


def _safe_url(url: str) -> str:
    """The URL without any user information, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return parts._replace(netloc=host, query="", fragment="").geturl()


def parse_text(text: str, where: str) -> dict[str, Any]:
    """Parse a JSON or YAML document into a mapping."""
    stripped = text.lstrip()
    if not stripped:
        raise SvcgenError(f"{where}: empty document")
    document: Any
    if stripped.startswith(("{", "[")):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SvcgenError(f"{where}: invalid JSON ({exc.msg} at line {exc.lineno})") from None
    else:
        document = _load_yaml(text, where)
    if not isinstance(document, dict):
        raise SvcgenError(f"{where}: not an OpenAPI document (expected a mapping at the top)")
    return document


class _DocumentLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (libyaml's when present), keeping timestamps as strings.

    ``version: 2024-10-01`` or ``example: 1981-12-15`` would otherwise load as
    dates, which a JSON document (and everything after loading) cannot hold.
    """


_DocumentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_yaml(text: str, where: str) -> Any:
    loader = _DocumentLoader
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise SvcgenError(f"{where}: invalid JSON or YAML ({problem}{at})") from None


def absolutize_servers(document: dict[str, Any], url: str) -> dict[str, Any]:
    """Replace relative server URLs by absolute ones resolved against ``url``."""
    servers = document.get("servers")
    if not isinstance(servers, list):
        return document
    fixed = []
    for server in servers:
        if isinstance(server, dict) and isinstance(server.get("url"), str):
            target = server["url"]
            if not urlsplit(target).scheme:
                absolute = urljoin(_safe_url(url), target or ".")
                server = {**server, "url": absolute.rstrip("/") or absolute}
        fixed.append(server)
    return {**document, "servers": fixed}
