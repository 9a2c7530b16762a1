"""Finding the OpenAPI document behind a URL the user gave.

The URL may be the document itself (``…/openapi.json``, ``…/api.yaml``), the
service's base URL, or - since it is what a browser shows - one of the
service's pages: the Swagger UI (``/docs``, ``/docs#/``, ``/swagger``), ReDoc
(``/redoc``), or a document URL with a stray trailing slash. The candidates are
tried in order, first those that take the URL as it is:

1. a document URL (its path ends in ``.json``, ``.yaml`` or ``.yml``, trailing
   slashes dropped): that URL only;
2. otherwise the URL as a service base: ``<url>/docs.json`` (BentoML), then
   ``<url>/openapi.json`` (FastAPI, KServe);
3. when the last path segment names a documentation page, the folder above it
   as the service base, with a note saying which base URL to pass next time.

A candidate that answers "not here" (404, 405, 410, or 422 from an app whose
route takes ``docs.json`` for a path parameter) or an HTML page instead of a
document is skipped; other errors (401, 403, 5xx) stop at once. When no
candidate gives a document, the error lists every URL tried with its answer
and says what to pass instead. Fragments (``#/``) never reach the server.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

from ..core.errors import SvcgenError
from .fetch import Fetcher, safe_url

SPEC_SUFFIXES = (".json", ".yaml", ".yml")
SERVICE_DOCUMENTS = ("docs.json", "openapi.json")
#: Last path segments of the pages a service shows its API on (Swagger UI, ReDoc, Scalar...).
#: Answers that mean "no document at this URL", not "the service refused".
NOT_HERE = frozenset({404, 405, 410, 422})
PAGE_NAMES = frozenset({"docs", "redoc", "swagger", "swagger-ui", "swagger-ui.html", "scalar", "rapidoc", "api-docs", "index.html"})


def find_document(fetcher: Fetcher, source: str) -> tuple[str, str, list[str]]:
    """``(document URL, text, notes)`` for the URL the user gave."""
    parts = urlsplit(source)
    path = parts.path.rstrip("/")
    url = urlunsplit(parts._replace(path=path, fragment=""))
    groups: list[list[str]] = []
    if path.lower().endswith(SPEC_SUFFIXES):
        groups.append([url])
    else:
        groups.append(_below(url))
        last = path.rsplit("/", 1)[-1].lower()
        if last in PAGE_NAMES:
            parent = urlunsplit(parts._replace(path=path.rsplit("/", 1)[0], query="", fragment=""))
            groups.append(_below(parent))
    tried: list[str] = []
    for group_index, group in enumerate(groups):
        for candidate in group:
            status, text, _final = fetcher.get(candidate)
            if status in NOT_HERE or (status < 400 and _is_html(text)):
                tried.append(f"{safe_url(candidate)}: {'a web page' if status < 400 else f'HTTP {status}'}")
                continue
            if status >= 400:
                raise SvcgenError(f"{safe_url(candidate)}: HTTP {status}{_hint(status)}")
            notes = []
            if group_index > 0:
                base = candidate.rsplit("/", 1)[0]
                notes.append(
                    f"{safe_url(source)} is a documentation page; read the document at {safe_url(candidate)} "
                    f"(pass the service's base URL {safe_url(base)} next time)"
                )
            return candidate, text, notes
    raise SvcgenError(_not_found(source, tried, groups))


def _below(base: str) -> list[str]:
    folder = base.rstrip("/") + "/"
    parts = urlsplit(folder)
    return [urljoin(urlunsplit(parts._replace(query="")), name) + (f"?{parts.query}" if parts.query else "") for name in SERVICE_DOCUMENTS]


def _is_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body", "<!--"))


def _hint(status: int) -> str:
    if status in (401, 403):
        return " (the service wants credentials: pass --token, or --header 'Name: value')"
    return ""


def _not_found(source: str, tried: list[str], groups: list[list[str]]) -> str:
    shown = "; ".join(tried)
    if len(groups) == 1 and len(groups[0]) == 1:
        advice = "pass the service's base URL (svcgen then tries docs.json and openapi.json below it) or a saved document"
    else:
        advice = "pass the service's base URL (e.g. http://host:3000, without /docs) or the URL of its OpenAPI document"
    return f"{safe_url(source)}: no OpenAPI document found (tried {shown}); {advice}"
