"""``AsyncClient(..., backend="aiohttp")`` against real loopback servers.

The same behaviour as the httpx backend: requests and answers, keep-alive,
retries (what counts as "not processed" depends on the exact failure, which
httpx-aiohttp reports imprecisely and the runtime corrects), timeouts, TLS,
client certificates, proxies, pool limits; the options aiohttp cannot honour
are refused; a missing ``aiohttp`` extra is named. Servers:
``tests/support/faulty_server.py``, ``tests/support/tls_servers.py``,
``tests/support/forward_proxy.py``.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.support import faulty_server as fs
from tests.support.faults_helpers import TOKEN, call
from tests.support.faulty_server import FaultyServer
from tests.support.forward_proxy import ForwardProxy, running_forward_proxy
from tests.support.services import free_port
from tests.support.tls_servers import HypercornServer, TLSFiles, running_h2_server, running_mtls_server

#: The shared fixtures (one generated package per session, servers, patched sleep).
pytest_plugins = ["tests.support.faults_fixtures"]
pytestmark = pytest.mark.usefixtures("clean_env")

GET = ("get_item", {"item_id": 7}, "/items/7")
POST = ("create_item", {"name": "new"}, "/items")


def acall(fc: ModuleType, url: str, operation: str, options: dict[str, Any] | None = None, **arguments: Any) -> Any:
    """One call with a fresh ``AsyncClient(url, backend="aiohttp", **options)``, closed after."""
    return call(fc, "async", {"base_url": url, "backend": "aiohttp", **(options or {})}, operation, **arguments)


# -- requests, answers and connections ------------------------------------------------------


def test_requests_and_answers_go_through_aiohttp(fc: ModuleType, server: FaultyServer) -> None:
    async def main() -> tuple[Any, ...]:
        async with fc.AsyncClient(server.url, backend="aiohttp", token=TOKEN) as client:
            echo = await client.echo(extra_headers={"X-Extra": "1"}, extra_query={"q": "a b"})
            created = await client.create_item(name="widget")
            item = await client.get_item(item_id=3)
            http = client._http
            session = http._transport._transport.client
            assert type(http).__name__ == "AiohttpClient" and type(session).__name__ == "ClientSession"
        assert http.is_closed and session.closed  # aclose() closed aiohttp's session too
        return echo.model_dump(), created, item

    echo, created, item = asyncio.run(main())
    assert (created.id, created.name, item.id, item.name) == (1, "widget", 3, "item-3")
    assert echo["headers"]["authorization"] == f"Bearer {TOKEN}"
    assert echo["headers"]["x-extra"] == "1" and echo["query"] == {"q": "a b"}
    assert echo["headers"]["user-agent"] == "faults_client/1.0.0 (svcgen)" and echo["http_version"] == "1.1"
    post = server.requests[1]
    assert (post.method, post.path, post.json) == ("POST", "/items", {"name": "widget"})
    assert post.header("content-type") == "application/json"
    assert len({r.client for r in server.requests}) == 1  # one connection, kept alive


def test_map_over_aiohttp_is_bounded_and_reuses_connections(fc: ModuleType, server: FaultyServer) -> None:
    server.script(*(fs.slow(0.1) for _ in range(40)))

    async def main() -> list[Any]:
        async with fc.AsyncClient(server.url, backend="aiohttp") as client:
            return await client.map(client.get_item, ({"item_id": i} for i in range(40)), concurrency=8)

    items = asyncio.run(main())
    assert [item.id for item in items] == list(range(40))
    assert server.max_in_flight == 8
    assert len({r.client for r in server.requests}) == 8


def test_limits_bound_the_aiohttp_pool(fc: ModuleType, server: FaultyServer) -> None:
    server.script(*(fs.slow(0.1) for _ in range(4)))

    async def main() -> list[Any]:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=None)
        async with fc.AsyncClient(server.url, backend="aiohttp", limits=limits) as client:
            return await client.map(client.get_item, [{"item_id": i} for i in range(4)], concurrency=4)

    assert [item.id for item in asyncio.run(main())] == [0, 1, 2, 3]
    assert server.max_in_flight == 1
    assert len({r.client for r in server.requests}) == 1


# -- retries and timeouts ----------------------------------------------------------------------


def test_not_processed_statuses_are_retried(fc: ModuleType, server: FaultyServer, delays: list[float]) -> None:
    server.script(fs.status(503), fs.status(429, {"Retry-After": "1"}), fs.ok())
    assert acall(fc, server.url, "create_item", name="again").name == "again"
    assert server.count == 3 and len(delays) == 2 and delays[1] == 1.0


@pytest.mark.parametrize(("operation", "attempts", "sent"), [(GET, 3, 6), (POST, 1, 1)], ids=["GET", "POST"])
def test_dropped_connection_is_retried_for_idempotent_methods_only(
    fc: ModuleType, server: FaultyServer, delays: list[float], operation: tuple, attempts: int, sent: int
) -> None:
    """aiohttp itself sends an idempotent request a second time, at once, when its connection
    drops (as RFC 9112 allows): each of the client's attempts is then two requests."""
    name, arguments, path = operation
    server.script(*(fs.drop() for _ in range(6)))
    with pytest.raises(fc.APIConnectionError) as caught:
        acall(fc, server.url, name, **arguments)
    assert not isinstance(caught.value, fc.APITimeoutError)
    assert caught.value.request.url.path == path
    assert server.count == sent and len(delays) == attempts - 1


@pytest.mark.parametrize("operation", [GET, POST], ids=["GET", "POST"])
def test_connection_refused_is_a_retried_connection_error(
    fc: ModuleType, delays: list[float], operation: tuple
) -> None:
    name, arguments, _path = operation
    with pytest.raises(fc.APIConnectionError) as caught:
        acall(fc, f"http://127.0.0.1:{free_port()}", name, **arguments)
    assert not isinstance(caught.value, fc.APITimeoutError)
    assert len(delays) == 2


def test_connect_timeout_is_a_retried_timeout(fc: ModuleType, delays: list[float]) -> None:
    with fs.stalled_listener() as port, pytest.raises(fc.APITimeoutError):
        acall(fc, f"http://127.0.0.1:{port}", "create_item", {"timeout": httpx.Timeout(5.0, connect=0.3)}, name="x")
    assert len(delays) == 2


@pytest.mark.parametrize(("operation", "attempts"), [(GET, 3), (POST, 1)], ids=["GET", "POST"])
def test_read_timeout_is_a_timeout_retried_for_idempotent_methods_only(
    fc: ModuleType, server: FaultyServer, delays: list[float], operation: tuple, attempts: int
) -> None:
    name, arguments, _path = operation
    server.script(fs.slow(2.0), fs.slow(2.0), fs.slow(2.0))
    started = time.monotonic()
    with pytest.raises(fc.APITimeoutError):
        acall(fc, server.url, name, {"timeout": 0.4}, **arguments)
    assert time.monotonic() - started < 0.4 * attempts + 0.8
    assert server.count == attempts and len(delays) == attempts - 1


def test_per_call_timeout(fc: ModuleType, server: FaultyServer) -> None:
    server.script(fs.slow(2.0))
    started = time.monotonic()
    with pytest.raises(fc.APITimeoutError):
        acall(fc, server.url, "get_item", {"max_retries": 0}, item_id=1, timeout=0.5)
    assert 0.45 <= time.monotonic() - started < 1.2


# -- TLS and proxies ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def h2_server(tls_files: TLSFiles) -> Iterator[HypercornServer]:
    with running_h2_server(tls_files) as running:
        yield running


@pytest.fixture
def tls_server(h2_server: HypercornServer) -> HypercornServer:
    h2_server.reset()
    return h2_server


@pytest.mark.parametrize("kind", ["path", "context", "off"])
def test_verify_options(fc: ModuleType, tls_server: HypercornServer, tls_files: TLSFiles, kind: str) -> None:
    verify: Any = {"path": str(tls_files.ca), "context": tls_files.client_context(with_cert=False), "off": False}[kind]
    assert acall(fc, tls_server.url, "get_item", {"verify": verify}, item_id=8).id == 8
    assert [r.http_version for r in tls_server.requests] == ["1.1"]


def test_default_verification_rejects_a_private_ca(
    fc: ModuleType, tls_server: HypercornServer, delays: list[float]
) -> None:
    with pytest.raises(fc.APIConnectionError) as caught:
        acall(fc, tls_server.url, "get_item", item_id=8)
    assert not isinstance(caught.value, fc.APITimeoutError)
    assert tls_server.count == 0 and len(delays) == 2


@pytest.mark.parametrize("form", ["pair", "combined", "context"])
def test_client_certificate(fc: ModuleType, tls_files: TLSFiles, form: str) -> None:
    forms: dict[str, dict[str, Any]] = {
        "pair": {"verify": str(tls_files.ca), "cert": (str(tls_files.client_cert), str(tls_files.client_key))},
        "combined": {"verify": str(tls_files.ca), "cert": str(tls_files.client_combined)},
        "context": {"verify": tls_files.client_context(with_cert=True)},
    }
    with running_mtls_server(tls_files) as mtls_server:
        assert acall(fc, mtls_server.url, "get_item", forms[form], item_id=2).id == 2
        with pytest.raises(fc.APIConnectionError):
            acall(fc, mtls_server.url, "get_item", {"verify": str(tls_files.ca), "max_retries": 0}, item_id=2)
        assert mtls_server.count == 1


@pytest.fixture
def forward_proxy() -> Iterator[ForwardProxy]:
    with running_forward_proxy() as running:
        yield running


def test_requests_go_through_the_proxy(fc: ModuleType, server: FaultyServer, forward_proxy: ForwardProxy) -> None:
    item = acall(fc, server.url, "get_item", {"proxy": forward_proxy.url, "token": TOKEN}, item_id=6)
    assert item.id == 6
    (proxied,) = forward_proxy.seen
    assert (proxied.method, proxied.target) == ("GET", f"{server.url}/items/6")
    (seen,) = server.requests
    assert seen.header("via") == "1.1 test-forward-proxy"
    assert seen.header("authorization") == f"Bearer {TOKEN}"


def test_the_environments_proxy_is_honoured(
    fc: ModuleType, server: FaultyServer, forward_proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", forward_proxy.url)
    assert acall(fc, server.url, "get_item", item_id=5).id == 5
    assert [p.target for p in forward_proxy.seen] == [f"{server.url}/items/5"]


# -- refused options and the missing extra -----------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"http2": True}, "HTTP/1.1"),
        ({"proxy": "socks5://127.0.0.1:9"}, "socks5"),
        ({"proxy": httpx.Proxy("socks5://127.0.0.1:9")}, "socks5"),
        ({"limits": httpx.Limits(max_connections=10, max_keepalive_connections=5)}, "max_keepalive_connections"),
        ({"limits": httpx.Limits(max_connections=None)}, "max_connections"),
        ({"http_client": "injected"}, "http_client"),
        ({"backend": "trio"}, "'httpx' or 'aiohttp'"),
    ],
    ids=["http2", "socks-proxy", "socks-proxy-object", "keepalive-cap", "unlimited", "http_client", "unknown"],
)
def test_options_aiohttp_cannot_honour_are_refused(fc: ModuleType, options: dict[str, Any], message: str) -> None:
    async def main() -> None:
        async with httpx.AsyncClient() as injected:
            if options.get("http_client") == "injected":
                options["http_client"] = injected
            with pytest.raises(ValueError, match=re.escape(message)):
                fc.AsyncClient("http://127.0.0.1:9", **{"backend": "aiohttp", **options})

    asyncio.run(main())


def test_options_aiohttp_honours_are_accepted(fc: ModuleType, tls_files: TLSFiles) -> None:
    fc.AsyncClient(
        "http://127.0.0.1:9",
        backend="aiohttp",
        verify=str(tls_files.ca),
        cert=str(tls_files.client_combined),
        proxy="https://127.0.0.1:9",
        limits=httpx.Limits(max_connections=5, max_keepalive_connections=5, keepalive_expiry=1.0),
    )

    async def main() -> None:
        async with httpx.AsyncClient() as injected:  # backend="httpx" is the default: no conflict
            fc.AsyncClient("http://127.0.0.1:9", backend="httpx", http_client=injected)

    asyncio.run(main())


MISSING_EXTRA = textwrap.dedent(
    """
    import sys
    sys.modules[sys.argv[1]] = None  # as if it were not installed
    import faults_client
    faults_client.AsyncClient("http://127.0.0.1:9")  # the default backend needs nothing more
    assert sys.modules.get("aiohttp") is None, "aiohttp imported without backend='aiohttp'"
    try:
        faults_client.AsyncClient("http://127.0.0.1:9", backend="aiohttp")
    except faults_client.MissingDependencyError as error:
        assert isinstance(error, ImportError)
        print(error)
    else:
        raise SystemExit("no MissingDependencyError")
    """
)


@pytest.mark.parametrize("blocked", ["httpx_aiohttp", "aiohttp"])
def test_missing_extra_is_named_at_construction(fc: ModuleType, blocked: str, tmp_path: Path) -> None:
    site = Path(fc.__file__).parent.parent  # where the package is installed
    result = subprocess.run(
        [sys.executable, "-c", MISSING_EXTRA, blocked],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(site)}, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pip install 'faults-client[aiohttp]'" in result.stdout
    assert "backend='aiohttp'" in result.stdout
