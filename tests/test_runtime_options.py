"""The generated client's options against real loopback servers.

Credentials (token, API key, httpx auth, environment fallbacks), ``with_options``
and per-call options, raw responses, a base URL with a path prefix (direct and
through the bearer-token gateway of ``tests/support/gateway.py``), TLS
(CA bundle, SSLContext, no verification, client certificates), HTTP/2, a
forward proxy, connection limits, an injected ``http_client``, timeouts and
keep-alive. Servers: ``tests/support/faulty_server.py``,
``tests/support/tls_servers.py``, ``tests/support/forward_proxy.py``.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.support import faulty_server as fs
from tests.support.faults_helpers import API_KEY, TOKEN, call
from tests.support.faulty_server import FaultyServer
from tests.support.forward_proxy import ForwardProxy, running_forward_proxy
from tests.support.gateway import Gateway
from tests.support.tls_servers import (
    HypercornServer,
    TLSFiles,
    running_h2_server,
    running_mtls_server,
)

#: The shared fixtures (one generated package per session, servers, patched sleep).
pytest_plugins = ["tests.support.faults_fixtures"]
pytestmark = pytest.mark.usefixtures("clean_env")

PREFIX = "/org/project/deployment/endpoint"


def echo_of(result: Any) -> dict[str, Any]:
    """The ``/echo`` answer as a dict (the free-form model keeps every field)."""
    return result.model_dump() if hasattr(result, "model_dump") else dict(result)


# -- credentials -------------------------------------------------------------------


def test_token_is_sent_as_bearer(fc: ModuleType, server: FaultyServer, mode: str) -> None:
    seen = echo_of(call(fc, mode, {"base_url": server.url, "token": TOKEN}, "echo"))
    assert seen["headers"]["authorization"] == f"Bearer {TOKEN}"
    assert "x-api-key" not in seen["headers"]


def test_token_falls_back_to_the_environment(
    fc: ModuleType, server: FaultyServer, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAULTS_CLIENT_TOKEN", "from-env")
    call(fc, mode, {"base_url": server.url}, "echo")
    call(fc, mode, {"base_url": server.url, "token": "explicit"}, "echo")
    assert [r.header("authorization") for r in server.requests] == ["Bearer from-env", "Bearer explicit"]


def test_no_credentials_sends_no_authorization(fc: ModuleType, server: FaultyServer, mode: str) -> None:
    call(fc, mode, {"base_url": server.url}, "echo")
    (seen,) = server.requests
    assert seen.header("authorization") is None and seen.header("x-api-key") is None


def test_api_key_goes_in_the_declared_header(fc: ModuleType, server: FaultyServer, mode: str) -> None:
    call(fc, mode, {"base_url": server.url, "api_key": API_KEY, "token": TOKEN}, "get_item", item_id=1)
    (seen,) = server.requests
    assert seen.header("x-api-key") == API_KEY
    assert seen.header("authorization") == f"Bearer {TOKEN}"
    assert API_KEY not in seen.query


def test_api_key_falls_back_to_the_environment(
    fc: ModuleType, server: FaultyServer, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAULTS_CLIENT_API_KEY", "env-key")
    call(fc, mode, {"base_url": server.url}, "echo")
    call(fc, mode, {"base_url": server.url, "api_key": "explicit-key"}, "echo")
    assert [r.header("x-api-key") for r in server.requests] == ["env-key", "explicit-key"]


def _signed(request: httpx.Request) -> httpx.Request:
    request.headers["X-Signature"] = f"signed:{request.method}:{request.url.path}"
    return request


@pytest.mark.parametrize(
    ("auth", "header", "expected"),
    [
        (httpx.BasicAuth("user", "pa ss"), "authorization", "Basic " + base64.b64encode(b"user:pa ss").decode()),
        (("user", "pa ss"), "authorization", "Basic " + base64.b64encode(b"user:pa ss").decode()),
        (_signed, "x-signature", "signed:GET:/items/4"),
    ],
    ids=["BasicAuth", "tuple", "callable"],
)
def test_auth_accepts_any_httpx_auth(
    fc: ModuleType, server: FaultyServer, mode: str, auth: Any, header: str, expected: str
) -> None:
    call(fc, mode, {"base_url": server.url, "auth": auth}, "get_item", item_id=4)
    (seen,) = server.requests
    assert seen.header(header) == expected


def test_auth_flow_runs_again_on_each_retry(
    fc: ModuleType, server: FaultyServer, delays: list[float], mode: str
) -> None:
    server.script(fs.status(503), fs.ok())
    call(fc, mode, {"base_url": server.url, "auth": httpx.BasicAuth("u", "p")}, "get_item", item_id=4)
    assert [r.header("authorization") for r in server.requests] == ["Basic " + base64.b64encode(b"u:p").decode()] * 2


# -- defaults, with_options and per-call options --------------------------------------


def test_default_timeout_and_retries(fc: ModuleType, server: FaultyServer, mode: str) -> None:
    def run_sync() -> Any:
        with fc.Client(base_url=server.url) as client:
            assert client.max_retries == 2
            return client.with_raw_response(client.get_item)(item_id=1)

    async def run_async() -> Any:
        async with fc.AsyncClient(base_url=server.url) as client:
            assert client.max_retries == 2
            return await client.with_raw_response(client.get_item)(item_id=1)

    raw = run_sync() if mode == "sync" else asyncio.run(run_async())
    timeout = raw.http_response.request.extensions["timeout"]
    assert timeout["read"] == 60.0
    assert timeout["connect"] == 5.0


def test_with_options_returns_a_configured_copy(fc: ModuleType, server: FaultyServer, delays: list[float]) -> None:
    with fc.Client(base_url=server.url, max_retries=0, headers={"X-Base": "b"}) as client:
        server.script(fs.status(503), fs.status(503), fs.status(503))
        tuned = client.with_options(max_retries=2, headers={"X-Tenant": "acme"})
        assert tuned is not client
        with pytest.raises(fc.InternalServerError):
            tuned.get_item(item_id=1)
        assert server.count == 3
        seen = server.requests[-1]
        assert seen.header("x-tenant") == "acme" and seen.header("x-base") == "b"

        server.reset()
        server.script(fs.status(503), fs.status(503))
        with pytest.raises(fc.InternalServerError):
            client.get_item(item_id=1)  # the original: no retries, no X-Tenant
        assert server.count == 1
        assert server.requests[0].header("x-tenant") is None


def test_with_options_timeout(fc: ModuleType, server: FaultyServer) -> None:
    server.script(fs.slow(2.0), fs.ok())
    with fc.Client(base_url=server.url, max_retries=0) as client:
        started = time.monotonic()
        with pytest.raises(fc.APITimeoutError):
            client.with_options(timeout=0.3).get_item(item_id=1)
        assert time.monotonic() - started < 1.0
        assert client.get_item(item_id=2).id == 2  # the original keeps its 60 s timeout


def test_async_with_options(fc: ModuleType, server: FaultyServer, delays: list[float]) -> None:
    server.script(fs.status(502), fs.status(502), fs.ok())

    async def main() -> Any:
        async with fc.AsyncClient(base_url=server.url) as client:
            tuned = client.with_options(retry_non_idempotent=True, headers={"X-Tenant": "a"})
            return await tuned.create_item(name="n")

    item = asyncio.run(main())
    assert item.name == "n"
    assert server.count == 3
    assert all(r.header("x-tenant") == "a" for r in server.requests)


def test_extra_headers_and_extra_query_per_call(fc: ModuleType, server: FaultyServer, mode: str) -> None:
    seen = echo_of(
        call(
            fc, mode, {"base_url": server.url, "headers": {"X-Client": "c"}}, "echo",
            extra_headers={"X-Trace": "t-1", "X-Client": "per-call"}, extra_query={"debug": "1", "n": 2},
        )
    )
    assert seen["headers"]["x-trace"] == "t-1"
    assert seen["headers"]["x-client"] == "per-call"
    assert seen["query"] == {"debug": "1", "n": "2"}
    (request,) = server.requests
    assert request.query == "debug=1&n=2"


def test_per_call_timeout(fc: ModuleType, server: FaultyServer, mode: str) -> None:
    server.script(fs.slow(2.0))
    started = time.monotonic()
    with pytest.raises(fc.APITimeoutError):
        call(fc, mode, {"base_url": server.url}, "get_item", item_id=1, timeout=0.3, max_retries=0)
    assert time.monotonic() - started < 1.0
    assert server.count == 1


def test_client_timeout(fc: ModuleType, server: FaultyServer, mode: str) -> None:
    server.script(fs.slow(2.0))
    started = time.monotonic()
    with pytest.raises(fc.APITimeoutError):
        call(fc, mode, {"base_url": server.url, "timeout": 0.3, "max_retries": 0}, "create_item", name="x")
    assert time.monotonic() - started < 1.0


# -- raw responses -------------------------------------------------------------------


def test_with_raw_response(fc: ModuleType, server: FaultyServer, delays: list[float], mode: str) -> None:
    server.script(fs.status(503), fs.json(200, {"id": 5, "name": "five"}, {"X-Request-Id": "req-42"}))

    def run_sync() -> Any:
        with fc.Client(base_url=server.url) as client:
            return client.with_raw_response(client.get_item)(item_id=5)

    async def run_async() -> Any:
        async with fc.AsyncClient(base_url=server.url) as client:
            return await client.with_raw_response(client.get_item)(item_id=5)

    raw = run_sync() if mode == "sync" else asyncio.run(run_async())
    assert type(raw).__name__ == "RawResponse"
    assert isinstance(raw.parsed, fc.Item) and (raw.parsed.id, raw.parsed.name) == (5, "five")
    assert isinstance(raw.http_response, httpx.Response)
    assert raw.status_code == 200  # the answer that was decoded, not the retried 503
    assert raw.headers["x-request-id"] == "req-42"
    assert server.count == 2


# -- base URL with a path prefix, and the gateway ----------------------------------------


@pytest.mark.parametrize("slash", ["", "/"], ids=["no-slash", "slash"])
def test_base_url_path_prefix_is_kept(fc: ModuleType, server: FaultyServer, mode: str, slash: str) -> None:
    base = server.url + PREFIX + slash
    item = call(fc, mode, {"base_url": base}, "get_item", item_id=1)
    call(fc, mode, {"base_url": base}, "create_item", name="p")
    assert item.id == 1
    assert [(r.method, r.path) for r in server.requests] == [("GET", PREFIX + "/items/1"), ("POST", PREFIX + "/items")]


@pytest.fixture
def gateway(server: FaultyServer) -> Iterator[Gateway]:
    running = Gateway(server.url, prefix=PREFIX, token=TOKEN)
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.parametrize("slash", ["", "/"], ids=["no-slash", "slash"])
def test_through_the_bearer_gateway(
    fc: ModuleType, server: FaultyServer, gateway: Gateway, mode: str, slash: str
) -> None:
    item = call(fc, mode, {"base_url": gateway.public_url + slash, "token": TOKEN}, "get_item", item_id=3)
    assert (item.id, item.name) == (3, "item-3")
    (seen,) = server.requests
    assert seen.path == "/items/3"
    assert seen.header("x-forwarded-prefix") == PREFIX


def test_gateway_rejects_a_missing_token(
    fc: ModuleType, server: FaultyServer, gateway: Gateway, delays: list[float], mode: str
) -> None:
    with pytest.raises(fc.AuthenticationError) as caught:
        call(fc, mode, {"base_url": gateway.public_url}, "get_item", item_id=3)
    assert caught.value.status_code == 401
    assert caught.value.body == {"error": "unauthorized"}
    assert "unauthorized" in str(caught.value)
    assert server.count == 0
    assert delays == []


def test_gateway_relays_retryable_upstream_errors(
    fc: ModuleType, server: FaultyServer, gateway: Gateway, delays: list[float], mode: str
) -> None:
    server.script(fs.status(503, {"Retry-After": "2"}), fs.ok())
    item = call(fc, mode, {"base_url": gateway.public_url, "token": TOKEN}, "create_item", name="via-gw")
    assert item.name == "via-gw"
    assert server.count == 2
    assert delays == [2.0]


# -- TLS ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def h2_server(tls_files: TLSFiles) -> Iterator[HypercornServer]:
    with running_h2_server(tls_files) as running:
        yield running


@pytest.fixture
def tls_server(h2_server: HypercornServer) -> HypercornServer:
    """The hypercorn TLS server (no client certificate needed), with a clean record."""
    h2_server.reset()
    return h2_server


@pytest.fixture(scope="module")
def mtls_module_server(tls_files: TLSFiles) -> Iterator[FaultyServer]:
    with running_mtls_server(tls_files) as running:
        yield running


@pytest.fixture
def mtls_server(mtls_module_server: FaultyServer) -> FaultyServer:
    """The uvicorn TLS server that requires a client certificate, with a clean record."""
    mtls_module_server.reset()
    return mtls_module_server


@pytest.mark.parametrize("kind", ["path", "context", "off"])
def test_verify_options_against_a_private_ca(
    fc: ModuleType, tls_server: HypercornServer, tls_files: TLSFiles, mode: str, kind: str
) -> None:
    verify: Any = {"path": str(tls_files.ca), "context": tls_files.client_context(with_cert=False), "off": False}[kind]
    item = call(fc, mode, {"base_url": tls_server.url, "verify": verify}, "get_item", item_id=8)
    assert item.id == 8
    assert tls_server.count == 1


def test_default_verification_rejects_a_private_ca(
    fc: ModuleType, tls_server: HypercornServer, delays: list[float], mode: str
) -> None:
    with pytest.raises(fc.APIConnectionError) as caught:
        call(fc, mode, {"base_url": tls_server.url}, "get_item", item_id=8)
    assert not isinstance(caught.value, fc.APITimeoutError)
    assert tls_server.count == 0  # no request got past the handshake
    assert len(delays) == 2  # a failed handshake is a connection error: retried for every method


@pytest.mark.parametrize("form", ["pair", "combined", "context"])
def test_client_certificate(
    fc: ModuleType, mtls_server: FaultyServer, tls_files: TLSFiles, mode: str, form: str
) -> None:
    forms: dict[str, dict[str, Any]] = {
        "pair": {"verify": str(tls_files.ca), "cert": (str(tls_files.client_cert), str(tls_files.client_key))},
        "combined": {"verify": str(tls_files.ca), "cert": str(tls_files.client_combined)},
        "context": {"verify": tls_files.client_context(with_cert=True)},
    }
    options = forms[form]
    item = call(fc, mode, {"base_url": mtls_server.url, **options}, "get_item", item_id=2)
    assert item.id == 2
    assert mtls_server.count == 1


def test_missing_client_certificate_is_a_connection_error(
    fc: ModuleType, mtls_server: FaultyServer, tls_files: TLSFiles, delays: list[float], mode: str
) -> None:
    with pytest.raises(fc.APIConnectionError) as caught:
        call(fc, mode, {"base_url": mtls_server.url, "verify": str(tls_files.ca), "max_retries": 0}, "create_item", name="x")
    assert not isinstance(caught.value, fc.APITimeoutError)
    assert mtls_server.count == 0


@pytest.mark.parametrize(("http2", "version"), [(True, "2"), (False, "1.1")])
def test_http2(fc: ModuleType, tls_server: HypercornServer, tls_files: TLSFiles, mode: str, http2: bool, version: str) -> None:
    seen = echo_of(call(fc, mode, {"base_url": tls_server.url, "verify": str(tls_files.ca), "http2": http2}, "echo"))
    assert seen["http_version"] == version
    assert [r.http_version for r in tls_server.requests] == [version]


# -- proxy, limits, injected client ----------------------------------------------------


@pytest.fixture
def forward_proxy() -> Iterator[ForwardProxy]:
    with running_forward_proxy() as running:
        yield running


def test_requests_go_through_the_proxy(
    fc: ModuleType, server: FaultyServer, forward_proxy: ForwardProxy, mode: str
) -> None:
    item = call(fc, mode, {"base_url": server.url, "proxy": forward_proxy.url, "token": TOKEN}, "get_item", item_id=6)
    assert item.id == 6
    (proxied,) = forward_proxy.seen
    assert (proxied.method, proxied.target) == ("GET", f"{server.url}/items/6")
    (seen,) = server.requests
    assert seen.header("via") == "1.1 test-forward-proxy"
    assert seen.header("authorization") == f"Bearer {TOKEN}"


def test_no_proxy_by_default(fc: ModuleType, server: FaultyServer, forward_proxy: ForwardProxy, mode: str) -> None:
    call(fc, mode, {"base_url": server.url}, "get_item", item_id=6)
    assert forward_proxy.seen == []
    assert server.requests[0].header("via") is None


def _concurrent_gets(fc: ModuleType, server: FaultyServer, **options: Any) -> None:
    server.script(*(fs.slow(0.3) for _ in range(3)))

    async def main() -> None:
        async with fc.AsyncClient(base_url=server.url, **options) as client:
            items = await asyncio.gather(*(client.get_item(item_id=i) for i in range(3)))
        assert [item.id for item in items] == [0, 1, 2]

    asyncio.run(main())


def test_limits_bound_concurrent_connections(fc: ModuleType, server: FaultyServer) -> None:
    _concurrent_gets(fc, server, limits=httpx.Limits(max_connections=1))
    assert server.count == 3
    assert server.max_in_flight == 1
    assert len({r.client for r in server.requests}) == 1  # one connection, reused


def test_default_limits_allow_concurrency(fc: ModuleType, server: FaultyServer) -> None:
    """The control for the test above: without limits the same calls overlap."""
    _concurrent_gets(fc, server)
    assert server.max_in_flight == 3


def test_limits_reach_the_sync_pool(fc: ModuleType, server: FaultyServer) -> None:
    with fc.Client(base_url=server.url, limits=httpx.Limits(max_connections=1, max_keepalive_connections=1)) as client:
        pool = client._http._transport._pool
        assert pool._max_connections == 1
        assert pool._max_keepalive_connections == 1


def test_injected_http_client_is_used(fc: ModuleType, server: FaultyServer, mode: str) -> None:
    hooked: list[str] = []
    headers = {"X-Injected": "yes"}
    if mode == "sync":
        http = httpx.Client(headers=headers, event_hooks={"request": [lambda r: hooked.append(str(r.url))]})
        with fc.Client(base_url=server.url, http_client=http, token=TOKEN) as client:
            client.get_item(item_id=1)
        assert not http.is_closed  # close() leaves an injected client open
        http.close()
    else:

        async def hook(request: httpx.Request) -> None:
            hooked.append(str(request.url))

        async def main() -> bool:
            http = httpx.AsyncClient(headers=headers, event_hooks={"request": [hook]})
            async with fc.AsyncClient(base_url=server.url, http_client=http, token=TOKEN) as client:
                await client.get_item(item_id=1)
            still_open = not http.is_closed
            await http.aclose()
            return still_open

        assert asyncio.run(main())
    assert hooked == [f"{server.url}/items/1"]
    (seen,) = server.requests
    assert seen.header("x-injected") == "yes"
    assert seen.header("authorization") == f"Bearer {TOKEN}"


def test_base_url_is_positional_and_close_closes_an_owned_client(fc: ModuleType, server: FaultyServer) -> None:
    client = fc.Client(server.url)
    assert client.get_item(item_id=1).id == 1
    client.close()
    assert client._http.is_closed

    async def main() -> None:
        aclient = fc.AsyncClient(server.url)
        assert (await aclient.get_item(item_id=2)).id == 2
        await aclient.aclose()
        assert aclient._http.is_closed

    asyncio.run(main())
    assert [r.path for r in server.requests] == ["/items/1", "/items/2"]


def test_injected_client_close_is_left_to_its_owner(fc: ModuleType, server: FaultyServer) -> None:
    http = httpx.Client()
    client = fc.Client(base_url=server.url, http_client=http)
    client.close()
    assert not http.is_closed
    http.close()

    async def main() -> None:
        ahttp = httpx.AsyncClient()
        aclient = fc.AsyncClient(base_url=server.url, http_client=ahttp)
        await aclient.aclose()
        assert not ahttp.is_closed
        await ahttp.aclose()

    asyncio.run(main())


def test_injected_client_timeout_is_used(fc: ModuleType, server: FaultyServer, mode: str) -> None:
    server.script(fs.slow(2.0))
    started = time.monotonic()
    with pytest.raises(fc.APITimeoutError):
        if mode == "sync":
            with httpx.Client(timeout=0.3) as http:
                fc.Client(base_url=server.url, http_client=http, max_retries=0).get_item(item_id=1)
        else:

            async def main() -> None:
                async with httpx.AsyncClient(timeout=0.3) as http:
                    await fc.AsyncClient(base_url=server.url, http_client=http, max_retries=0).get_item(item_id=1)

            asyncio.run(main())
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize(
    "option",
    [
        {"verify": False},
        {"verify": "/nonexistent/ca.pem"},
        {"cert": "/nonexistent/client.pem"},
        {"http2": True},
        {"proxy": "http://127.0.0.1:9"},
        {"limits": httpx.Limits(max_connections=1)},
    ],
    ids=["verify-false", "verify-path", "cert", "http2", "proxy", "limits"],
)
def test_injected_client_cannot_be_combined_with_connection_options(
    fc: ModuleType, server: FaultyServer, mode: str, option: dict[str, Any]
) -> None:
    if mode == "sync":
        with httpx.Client() as http, pytest.raises(ValueError):
            fc.Client(base_url=server.url, http_client=http, **option)
    else:

        async def main() -> None:
            async with httpx.AsyncClient() as http:
                with pytest.raises(ValueError):
                    fc.AsyncClient(base_url=server.url, http_client=http, **option)

        asyncio.run(main())
    assert server.count == 0


# -- keep-alive ---------------------------------------------------------------------


def test_pool_keepalive_expiry_is_below_five_seconds(fc: ModuleType, server: FaultyServer) -> None:
    with fc.Client(base_url=server.url) as client:
        assert client._http._transport._pool._keepalive_expiry < 5.0

    async def main() -> None:
        async with fc.AsyncClient(base_url=server.url) as client:
            assert client._http._transport._pool._keepalive_expiry < 5.0

    asyncio.run(main())


def test_idle_connection_is_not_reused_after_five_seconds(fc: ModuleType, server: FaultyServer) -> None:
    """Behaviourally (5 s): the server keeps idle connections 30 s, yet after 5 s idle the
    client opens a new one, so it can never race a server's 5 s keep-alive close (uvicorn)."""
    with fc.Client(base_url=server.url) as client:
        client.get_item(item_id=1)
        client.get_item(item_id=2)
        time.sleep(5.0)
        client.get_item(item_id=3)
    first, second, third = server.requests
    assert first.client == second.client  # kept alive while fresh
    assert third.client != second.client  # expired by the client after 5 s idle
    assert server.count == 3
