"""Stage 1: read the input document from a service, a spec URL or a file.

The result is the document exactly as generation sees it: for a live service,
a relative ``servers`` URL (BentoML serves ``"."``) is replaced by the absolute
URL the document was fetched from, so that generating from a saved copy (see
``svcgen fetch``) gives the same package as generating from the live URL.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml

from .bentoml_facts import OUTPUT, is_bentoml, merge_facts
from .bundle import Bundler, has_external_refs
from .discover import SPEC_SUFFIXES, find_document
from ..core.errors import SvcgenError
from ..core.fingerprint import text_digest
from .fetch import Fetcher, safe_url
from .limits import DEFAULT_MAX_BYTES, MAX_DEPTH, check_depth, scan_yaml
from .secrets import MASK, SECRETS

__all__ = ["SPEC_SUFFIXES", "Loaded", "absolutize_servers", "load", "parse_text"]


#: One document read for a local spec: where (``""`` the spec itself, a file ``$ref`` relative to
#: its folder, or a URL a ``$ref`` names) and the digest of its text (see :mod:`svcgen.core.fingerprint`).
Input = tuple[str, str]


@dataclass(frozen=True)
class Loaded:
    """A raw document, the URL it came from (``None`` for a local file), and, for a local file,
    every text read for it (what :mod:`svcgen.source.parsed_cache` keys on)."""

    document: dict[str, Any]
    origin: str | None
    notes: tuple[str, ...] = ()
    inputs: tuple[Input, ...] = ()


def load(
    source: str,
    *,
    headers: tuple[tuple[str, str], ...] = (),
    token: str | None = None,
    timeout: float = 30.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    verify: bool = True,
    allow_remote_refs: bool = False,
    ref_root: Path | None = None,
) -> Loaded:
    """Read ``source`` (a service base URL, a spec URL or a local file).

    ``ref_root`` widens where relative file ``$ref``s of a local spec may point (see
    :mod:`svcgen.source.bundle`). ``token`` and ``headers`` go only to ``source``'s origin; they are masked
    wherever the document might echo them back (see :mod:`svcgen.source.secrets`).
    """
    SECRETS.add(token)
    for _name, value in headers:
        SECRETS.add(value)
    scheme = urlsplit(source).scheme.lower()
    if scheme not in ("http", "https") and scheme and len(scheme) > 1:
        raise SvcgenError(f"unsupported URL scheme {scheme!r}: use http, https or a local file")
    request_headers = dict(headers)
    if token:
        request_headers["Authorization"] = f"Bearer {token}"
    _check_headers(request_headers)
    with Fetcher(source, request_headers, timeout=timeout, max_bytes=max_bytes, verify=verify) as fetcher:
        notes: list[str] = []
        inputs: list[Input] = []
        if not verify and scheme == "https":
            notes.append("--insecure: TLS certificates were not verified; anyone on the path could have changed the document")
        if scheme in ("http", "https"):
            url, text, found = find_document(fetcher, source)
            notes.extend(found)
            origin = url
            document = absolutize_servers(parse_text(text, safe_url(url), notes), url)
            if is_bentoml(document) and not _has_facts(document):
                document, merged = _merge_schema_json(fetcher, document, url)
                notes.extend(merged)
        else:
            origin = str(Path(source).resolve())
            text = _read_file(Path(source), max_bytes)
            inputs.append(("", text_digest(text)))
            document = parse_text(text, source, notes)
        if has_external_refs(document):
            folder = None if scheme in ("http", "https") else Path(origin).parent
            read = functools.partial(_read_other, fetcher, max_bytes, inputs, folder)
            bundler = Bundler(origin, remote=scheme in ("http", "https"), allow_remote=allow_remote_refs, read=read, root=ref_root)
            document = bundler.bundle(document)
    document, masked = SECRETS.scrub(document)
    if masked:
        notes.append(f"the document repeats the token or a --header value in {masked} places; masked as {MASK}")
    return Loaded(document, safe_url(origin) if scheme else None, tuple(notes), tuple(inputs))


def _read_other(fetcher: Fetcher, max_bytes: int, inputs: list[Input], folder: Path | None, location: str) -> dict[str, Any]:
    """Another document a ``$ref`` names (already checked by the bundler), recorded in ``inputs``
    (a file relative to the source's ``folder``, so that the record is the same on every machine)."""
    if urlsplit(location).scheme.lower() in ("http", "https"):
        status, text, _final = fetcher.get(location)
        if status >= 400:
            raise SvcgenError(f"{safe_url(location)}: HTTP {status}")
        inputs.append((safe_url(location), text_digest(text)))  # a URL: the parse cache never trusts it
        return parse_text(text, safe_url(location))
    text = _read_file(Path(location), max_bytes)
    where = Path(os.path.relpath(location, folder)).as_posix() if folder is not None else location
    inputs.append((where, text_digest(text)))
    return parse_text(text, location)


def _has_facts(document: dict[str, Any]) -> bool:
    return any(
        isinstance(op, dict) and OUTPUT in op
        for item in (document.get("paths") or {}).values()
        if isinstance(item, dict)
        for op in item.values()
    )


def _merge_schema_json(fetcher: Fetcher, document: dict[str, Any], url: str) -> tuple[dict[str, Any], list[str]]:
    """Add the facts of the sibling ``schema.json`` (BentoML); without it, say so and go on."""
    schema_url = urljoin(url, "schema.json")
    try:
        status, text, _final = fetcher.get(schema_url)
    except SvcgenError as exc:
        return document, [f"{exc.describe()}; generating from the OpenAPI document alone"]
    if status >= 400:
        return document, [f"{safe_url(schema_url)}: HTTP {status}; generating from the OpenAPI document alone"]
    try:
        facts = json.loads(text)
    except (ValueError, RecursionError):
        return document, [f"{safe_url(schema_url)}: not JSON; generating from the OpenAPI document alone"]
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
            raise SvcgenError(f"{path}: document is larger than the limit of {max_bytes} bytes (--max-spec-bytes)")
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise SvcgenError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SvcgenError(f"{path}: is a directory, not a document") from None
    except UnicodeDecodeError:
        raise SvcgenError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise SvcgenError(f"{path}: cannot read ({exc.strerror or exc})") from None


def parse_text(text: str, where: str, notes: list[str] | None = None) -> dict[str, Any]:
    """Parse a JSON or YAML document into a mapping.

    JSON that is not strict JSON but is YAML (a trailing comma, as hand-edited documents have) is
    read as YAML, as the OpenAPI validators and other generators read it, with a note in ``notes``.
    """
    stripped = text.lstrip()
    if not stripped:
        raise SvcgenError(f"{where}: empty document")
    document: Any
    if stripped.startswith(("{", "[")):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            problem = f"{exc.msg} at line {exc.lineno}"
            document = _json_as_yaml(text, where, problem)
            if notes is not None:
                notes.append(f"not strict JSON ({problem}); read as YAML, which accepts it")
        except RecursionError:
            raise SvcgenError(f"{where}: document nests deeper than {MAX_DEPTH} levels") from None
        check_depth(document, where)
    else:
        scan_yaml(text, where)
        document = _load_yaml(text, where)
    if not isinstance(document, dict):
        raise SvcgenError(f"{where}: not an OpenAPI document (expected a mapping at the top)")
    return document


def _json_as_yaml(text: str, where: str, problem: str) -> Any:
    """The document as YAML, or the JSON error when YAML refuses it too."""
    try:
        scan_yaml(text, where)
        return _load_yaml(text, where)
    except SvcgenError:
        raise SvcgenError(f"{where}: invalid JSON ({problem})") from None


class _DocumentLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (libyaml's when present), keeping timestamps as strings and
    every scalar key as the text it was written as.

    ``version: 2024-10-01`` or ``example: 1981-12-15`` would otherwise load as
    dates, which a JSON document (and everything after loading) cannot hold.
    OpenAPI limits YAML keys to strings ("a scalar string, as defined by the
    YAML Failsafe schema"): ``responses: {200: ..., default: ...}`` has the keys
    ``"200"`` and ``"default"``, not an int next to a string, and ``1.10:`` is
    ``"1.10"``, not ``1.1``.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)  # merge keys (``<<: *base``) first: they are not names
        node.value = [(_text_key(key), value) for key, value in node.value]
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]


def _text_key(node: yaml.Node) -> yaml.Node:
    """A plain scalar key as a string node (a new node: an anchored key may be reused as a value)."""
    if isinstance(node, yaml.ScalarNode) and node.tag != _STR:
        return yaml.ScalarNode(_STR, node.value, node.start_mark, node.end_mark, node.style)
    return node


_STR = "tag:yaml.org,2002:str"


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
                absolute = urljoin(safe_url(url), target or ".")
                server = {**server, "url": absolute.rstrip("/") or absolute}
        fixed.append(server)
    return {**document, "servers": fixed}
