"""Fetching documents over HTTP: size-limited, redirect-aware, credentials kept to one origin.

The token and ``--header`` values belong to the origin of the URL the user
gave. They go with every request to that origin and to no other: a redirect
to another host, a BentoML ``schema.json`` or a remote ``$ref`` elsewhere is
fetched without them. Redirects are followed here (not by httpx, which would
keep custom headers across hosts), only to http and https URLs.
"""

from __future__ import annotations

from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from ..core.errors import SvcgenError

MAX_REDIRECTS = 10
_REDIRECTS = (301, 302, 303, 307, 308)


class Fetcher:
    """GETs documents for one run; ``with Fetcher(...) as fetcher: fetcher.get(url)``."""

    def __init__(
        self, origin_url: str, headers: dict[str, str], *, timeout: float, max_bytes: int, verify: bool = True
    ) -> None:
        self._origin = origin_of(origin_url)
        self._headers = headers
        self._max_bytes = max_bytes
        self._timeout = timeout
        self._verify = verify
        #: made on the first request: a local file needs none (its TLS setup alone takes 0.1 s)
        self._http: httpx.Client | None = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self._http is not None:
            self._http.close()

    @property
    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(timeout=self._timeout, follow_redirects=False, verify=self._verify)
        return self._http

    def get(self, url: str) -> tuple[int, str, str]:
        """``(status, text, final URL)`` of a GET; the text is empty for an error status."""
        for _hop in range(MAX_REDIRECTS + 1):
            headers = self._headers if origin_of(url) == self._origin else {}
            status, location, text = self._get_once(url, headers)
            if location is None:
                return status, text, url
            target = urljoin(url, location)
            if urlsplit(target).scheme.lower() not in ("http", "https"):
                raise SvcgenError(f"{safe_url(url)}: redirects to a {urlsplit(target).scheme or 'relative'!r} URL; only http and https are followed")
            url = target
        raise SvcgenError(f"{safe_url(url)}: more than {MAX_REDIRECTS} redirects")

    def _get_once(self, url: str, headers: dict[str, str]) -> tuple[int, str | None, str]:
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    return response.status_code, response.headers["location"], ""
                if response.status_code >= 400:
                    return response.status_code, None, ""
                return response.status_code, None, self._read(response, url)
        except httpx.TimeoutException:
            raise SvcgenError(f"{safe_url(url)}: timed out") from None
        except httpx.InvalidURL:
            # httpx prepares the next request of a redirect even when not following it
            raise SvcgenError(f"{safe_url(url)}: redirects to an invalid URL; only http and https are followed") from None
        except httpx.LocalProtocolError:
            raise SvcgenError(f"cannot fetch {safe_url(url)}: invalid request header") from None
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            raise SvcgenError(f"cannot reach {safe_url(url)}: {reason}") from None

    def _read(self, response: httpx.Response, url: str) -> str:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise SvcgenError(f"{safe_url(url)}: document is larger than the limit of {self._max_bytes} bytes (--max-spec-bytes)")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                raise SvcgenError(f"{safe_url(url)}: document is larger than the limit of {self._max_bytes} bytes (--max-spec-bytes)")
            chunks.append(chunk)
        try:
            return b"".join(chunks).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SvcgenError(f"{safe_url(url)}: response is not UTF-8 text") from None


def origin_of(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


def safe_url(url: str) -> str:
    """The URL without user information, query or fragment, for messages and records."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        port = None
    if port:
        host = f"{host}:{port}"
    return parts._replace(netloc=host, query="", fragment="").geturl()
