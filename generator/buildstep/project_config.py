"""``[tool.svcgen]`` in a consumer repository's ``pyproject.toml``: the clients it generates.

    [[tool.svcgen.clients]]
    source = "https://example.com/service"      # URL or file (relative to pyproject.toml)
    output = "clients/scoring"                   # relative to pyproject.toml
    name = "scoring_client"
    package_version = "1.2.0"
    headers = { "X-Team" = "TEAM_ID" }           # header -> environment variable holding its value (must be set)
    token_env = "SCORING_TOKEN"                  # environment variable holding a bearer token (must be set)
    formatter = "ruff"
    http_library = "httpx2"                      # the client's HTTP library: httpx (default) or httpx2
    include_tags = ["inference"]
    exclude_tags = ["admin"]
    include_paths = ["/v2/*"]
    max_spec_bytes = 67108864                    # refuse larger documents (default 64 MiB)
    insecure = false                             # true: do not verify TLS certificates (warns)
    allow_remote_refs = false                    # true: fetch $refs to other http(s) documents
    ref_root = "specs"                           # relative file $refs may point anywhere below (default: the spec's folder)

The file is found from the current directory upwards (or given with ``--config``).
Unknown keys are an error naming the key, and values are checked as the file
is read (``name``, a PEP 440 ``package_version``, and every variable that
``headers`` and ``token_env`` name must be set: an error names the variable,
never its value). Secrets are only ever read from the environment, so the file
can be committed.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..config import Config
from ..output.http_library import HTTP_LIBRARIES
from ..core.errors import SvcgenError
from ..output.format import FORMATTERS
from ..source.limits import DEFAULT_MAX_BYTES
from .validate import environment_value, package_name, package_version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_STRING_KEYS = ("source", "output", "name", "package_version", "token_env", "formatter", "http_library", "ref_root")
_LIST_KEYS = ("include_tags", "exclude_tags", "include_paths")
_BOOL_KEYS = ("insecure", "allow_remote_refs")
_KNOWN = frozenset({*_STRING_KEYS, *_LIST_KEYS, *_BOOL_KEYS, "headers", "fetch_timeout", "max_spec_bytes"})


def find_config(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.svcgen]`` table, from ``start`` upwards."""
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "svcgen" in _read(candidate).get("tool", {}):
            return candidate
    return None


def load_clients(path: Path) -> list[Config]:
    """Every client the file declares, as generation configs (paths resolved next to the file)."""
    table = _read(path).get("tool", {}).get("svcgen")
    if not isinstance(table, dict):
        raise SvcgenError(f"{path}: no [tool.svcgen] table")
    unknown = sorted(set(table) - {"clients"})
    if unknown:
        raise SvcgenError(f"{path}: unknown key tool.svcgen.{unknown[0]}")
    clients = table.get("clients")
    if not isinstance(clients, list) or not clients:
        raise SvcgenError(f"{path}: [tool.svcgen] declares no [[tool.svcgen.clients]]")
    return [_client(path, index, entry) for index, entry in enumerate(clients)]


def override(config: Config, **values: Any) -> Config:
    """Command-line flags win over the file: only the ones actually given (not None)."""
    return replace(config, **{key: value for key, value in values.items() if value is not None})


def _client(path: Path, index: int, entry: object) -> Config:
    where = f"{path}: tool.svcgen.clients[{index}]"
    if not isinstance(entry, dict):
        raise SvcgenError(f"{where} is not a table")
    unknown = sorted(set(entry) - _KNOWN)
    if unknown:
        raise SvcgenError(f"{where}: unknown key {unknown[0]!r}")
    for key in _STRING_KEYS:
        if key in entry and not isinstance(entry[key], str):
            raise SvcgenError(f"{where}: {key} must be a string")
    for key in _LIST_KEYS:
        if key in entry and not (isinstance(entry[key], list) and all(isinstance(v, str) for v in entry[key])):
            raise SvcgenError(f"{where}: {key} must be a list of strings")
    for key in _BOOL_KEYS:
        if key in entry and not isinstance(entry[key], bool):
            raise SvcgenError(f"{where}: {key} must be true or false")
    max_bytes = entry.get("max_spec_bytes", DEFAULT_MAX_BYTES)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise SvcgenError(f"{where}: max_spec_bytes must be a positive whole number of bytes")
    for key in ("source", "output"):
        if key not in entry:
            raise SvcgenError(f"{where}: {key} is required")
    if entry.get("formatter", "ruff") not in FORMATTERS:
        raise SvcgenError(f"{where}: formatter must be one of {', '.join(FORMATTERS)}")
    if entry.get("http_library", HTTP_LIBRARIES[0]) not in HTTP_LIBRARIES:
        raise SvcgenError(f"{where}: http_library must be one of {', '.join(HTTP_LIBRARIES)}")
    base = path.parent
    source = entry["source"]
    if "://" not in source:
        source = str((base / source).resolve())
    if "name" in entry:
        package_name(entry["name"], f"{where}: name")
    if "package_version" in entry:
        package_version(entry["package_version"], f"{where}: package_version")
    token = environment_value(entry["token_env"], f"{where}: token_env") if "token_env" in entry else None
    return Config(
        source=source,
        output=(base / entry["output"]).resolve(),
        name=entry.get("name"),
        package_version=entry.get("package_version"),
        headers=_headers(where, entry.get("headers", {})),
        token=token or None,
        fetch_timeout=_timeout(where, entry.get("fetch_timeout", 30.0)),
        max_document_bytes=max_bytes,
        insecure=entry.get("insecure", False),
        allow_remote_refs=entry.get("allow_remote_refs", False),
        ref_root=(base / entry["ref_root"]).resolve() if "ref_root" in entry else None,
        formatter=entry.get("formatter", "ruff"),
        http_library=entry.get("http_library", HTTP_LIBRARIES[0]),
        include_tags=tuple(entry.get("include_tags", ())),
        exclude_tags=tuple(entry.get("exclude_tags", ())),
        include_paths=tuple(entry.get("include_paths", ())),
    )


def _headers(where: str, table: object) -> tuple[tuple[str, str], ...]:
    """``{header: ENV_VAR}`` → header values read from the environment, every variable set."""
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise SvcgenError(f"{where}: headers must map header names to environment variable names")
    return tuple(
        (name, environment_value(env, f"{where}: headers.{name[:40]}")) for name, env in sorted(table.items())
    )


def _timeout(where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise SvcgenError(f"{where}: fetch_timeout must be a positive number of seconds")
    return float(value)


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise SvcgenError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SvcgenError(f"{path}: invalid TOML ({exc})") from None
