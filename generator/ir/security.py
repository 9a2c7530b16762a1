"""The credentials an API's document declares (``components.securitySchemes``).

The generated client takes a bearer ``token=`` for every API (plus any httpx
``auth=`` hook, which covers HTTP basic); what it needs from the document is
where an API key goes, so that ``api_key=`` can be placed there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..core.errors import Diagnostic

#: An HTTP header name (RFC 9110 token).
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$")
_LOCATION_ORDER = {"header": 0, "query": 1, "cookie": 2}


@dataclass(frozen=True)
class Security:
    """What the client needs to know about the declared schemes."""

    #: ``(location, name)`` of the API key: ``("header", "X-API-Key")``.
    api_key: tuple[str, str] | None
    basic: bool
    bearer: bool


def read_security(document: dict[str, Any], diagnostics: list[Diagnostic]) -> Security:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    if not isinstance(schemes, dict):
        return Security(None, False, False)
    required = _globally_required(document)
    candidates: list[tuple[tuple[int, int, str], tuple[str, str]]] = []
    basic = bearer = False
    for key, scheme in schemes.items():
        if not isinstance(scheme, dict):
            continue
        kind = scheme.get("type")
        if kind == "http":
            http_scheme = str(scheme.get("scheme", "")).lower()
            basic |= http_scheme == "basic"
            bearer |= http_scheme == "bearer"
        elif kind == "apiKey":
            placed = _api_key_place(str(key), scheme, diagnostics)
            if placed is not None:
                rank = (0 if str(key) in required else 1, _LOCATION_ORDER[placed[0]], str(key))
                candidates.append((rank, placed))
        elif kind in ("oauth2", "openIdConnect"):
            bearer = True
    api_key = min(candidates)[1] if candidates else None
    return Security(api_key, basic, bearer)


def _api_key_place(key: str, scheme: dict[str, Any], diagnostics: list[Diagnostic]) -> tuple[str, str] | None:
    location, name = scheme.get("in"), scheme.get("name")
    where = f"#/components/securitySchemes/{key}"[:120]
    if location not in _LOCATION_ORDER or not isinstance(name, str) or not name:
        diagnostics.append(Diagnostic(where, "API-key scheme without a usable 'in'/'name': ignored (use headers=)"))
        return None
    if location in ("header", "cookie") and not _HEADER_NAME.match(name):
        diagnostics.append(Diagnostic(where, f"API-key {location} name is not a valid token: ignored (use headers=)"))
        return None
    return str(location), name


def _globally_required(document: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for requirement in document.get("security") or []:
        if isinstance(requirement, dict):
            names.update(str(key) for key in requirement)
    return names
