"""The clients runtime_worker.py measures, each opened the same way: a factory returns
``(calls, close)`` where ``calls[endpoint]`` makes one call (a coroutine function for the async
ones) and ``close`` releases the client. Runs inside the benchmark venv (benchmarks/.venv-runtime).

Canned target: every client sends through an ``httpx.MockTransport`` answering with the bytes and
headers the real service gave during set-up; BentoML's clients get it by overriding their
``_make_client`` (the one place they build their httpx client). Live target: default transports.
"""
from __future__ import annotations

import functools
import importlib
import inspect
import json
from collections.abc import Callable
from typing import Any

import httpx

CANNED_URL = "http://127.0.0.1:3000"  # never contacted: the canned transport answers
JSON_HEADERS = {"content-type": "application/json"}


class BackendMissing(Exception):
    """The generated AsyncClient has no ``backend=`` parameter (yet)."""


class Ctx:
    """What every factory needs: the generated package, the base URL, the endpoints, a transport."""

    def __init__(self, cfg: dict, target: str) -> None:
        self.pkg = importlib.import_module(cfg["pkg"])
        self.models = importlib.import_module(cfg["pkg"] + ".models")
        self.canned = target == "canned"
        self.base = CANNED_URL if self.canned else cfg["live_url"]
        self.endpoints: dict[str, dict] = cfg["endpoints"]
        answers = {path: (a["status"], a["headers"], a["body"].encode()) for path, a in cfg["answers"].items()}

        def handle(request: httpx.Request) -> httpx.Response:
            status, headers, body = answers.get(request.url.path, (404, JSON_HEADERS, b'{"error":"?"}'))
            return httpx.Response(status, headers=headers, content=body)

        self.handler = handle

    def transport(self) -> httpx.MockTransport | None:
        return httpx.MockTransport(self.handler) if self.canned else None

    def sync_http(self) -> httpx.Client:
        return httpx.Client(transport=self.transport()) if self.canned else httpx.Client()

    def async_http(self, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
        transport = transport or self.transport()
        return httpx.AsyncClient(transport=transport) if transport else httpx.AsyncClient()

    def model(self, name: str) -> Any:
        return getattr(self.models, name)

    def kwargs(self, name: str) -> dict[str, Any]:
        """The call's keyword arguments; those named in the endpoint's ``as_models`` become instances
        of the generated model (built once, as a typed caller holds them), the others plain data."""
        ep = self.endpoints[name]
        typed = dict(ep["kwargs"])
        for key, model_name in ep.get("as_models", {}).items():
            validate = self.model(model_name).model_validate
            value = typed[key]
            typed[key] = [validate(item) for item in value] if isinstance(value, list) else validate(value)
        return typed

    def method(self, name: str) -> str:
        """The client method an endpoint calls (several endpoints may call one method differently)."""
        return self.endpoints[name].get("method", name)


# --- raw httpx, with json.dumps/json.loads or pydantic ----------------------------------------


def _codec(ctx: Ctx, name: str, mode: str) -> tuple[Callable[[], bytes], Callable[[bytes], Any]]:
    """(request body, response decoder) for one endpoint. The body is built on every call, as the
    generated client builds it: 'json' and 'model' serialise the call's keyword arguments with
    ``json.dumps(kwargs).encode()`` (as plain data: the same JSON); 'model-io' validates them (as the
    generated client is given them: plain data or model instances) with the generated input model
    and dumps that. The decoder: 'json' json.loads, 'model' and 'model-io' model_validate_json of the
    generated response model."""
    ep = ctx.endpoints[name]
    kwargs = ep["kwargs"]
    decode: Callable[[bytes], Any] = json.loads
    if mode in ("model", "model-io"):
        decode = ctx.model(ep["model"]).model_validate_json
    if mode == "model-io":
        validate, given = ctx.model(ep["input"]).model_validate, ctx.kwargs(name)
        return (lambda: validate(given).model_dump_json(by_alias=True, exclude_unset=True).encode()), decode
    dumps = json.dumps
    return (lambda: dumps(kwargs).encode()), decode


def raw_sync(ctx: Ctx, mode: str = "json") -> tuple[dict, Callable]:
    http = ctx.sync_http()
    calls = {}
    for name, ep in ctx.endpoints.items():
        body, decode = _codec(ctx, name, mode)

        def call(url=ctx.base + ep["path"], body=body, decode=decode, post=http.post):
            response = post(url, content=body(), headers=JSON_HEADERS)
            response.raise_for_status()
            return decode(response.content)

        calls[name] = call
    return calls, http.close


def raw_async(ctx: Ctx, mode: str = "json", transport: Any = None) -> tuple[dict, Callable]:
    http = ctx.async_http(transport)
    calls = {}
    for name, ep in ctx.endpoints.items():
        body, decode = _codec(ctx, name, mode)

        async def call(url=ctx.base + ep["path"], body=body, decode=decode, post=http.post):
            response = await post(url, content=body(), headers=JSON_HEADERS)
            response.raise_for_status()
            return decode(response.content)

        calls[name] = call
    return calls, http.aclose


def raw_async_same_limits(ctx: Ctx) -> tuple[dict, Callable]:
    """Raw httpx with the generated runtime's pool limits (read from its private _types module):
    shows what the limits alone cost at high concurrency."""
    limits = importlib.import_module(ctx.pkg.__name__ + "._runtime._types").DEFAULT_LIMITS
    return raw_async(ctx, "json", httpx.AsyncHTTPTransport(limits=limits))


def raw_async_aiohttp(ctx: Ctx) -> tuple[dict, Callable]:
    from httpx_aiohttp import AiohttpTransport

    return raw_async(ctx, "json", AiohttpTransport())


# --- the generated clients -------------------------------------------------------------------


def generated_sync(ctx: Ctx) -> tuple[dict, Callable]:
    inner = ctx.sync_http() if ctx.canned else None
    client = ctx.pkg.Client(ctx.base, http_client=inner)
    calls = {name: functools.partial(getattr(client, ctx.method(name)), **ctx.kwargs(name)) for name in ctx.endpoints}

    def close() -> None:
        client.close()
        if inner is not None:
            inner.close()

    return calls, close


def generated_async(ctx: Ctx, backend: str | None = None) -> tuple[dict, Callable]:
    kwargs: dict[str, Any] = {}
    if backend is not None:
        if "backend" not in inspect.signature(ctx.pkg.AsyncClient).parameters:
            raise BackendMissing("n/a (backend option missing)")
        kwargs["backend"] = backend
    inner = ctx.async_http() if ctx.canned else None
    if inner is not None:
        kwargs["http_client"] = inner
    client = ctx.pkg.AsyncClient(ctx.base, **kwargs)
    calls = {name: functools.partial(getattr(client, ctx.method(name)), **ctx.kwargs(name)) for name in ctx.endpoints}

    async def close() -> None:
        await client.aclose()
        if inner is not None:
            await inner.aclose()

    return calls, close


# --- BentoML's dynamic clients ---------------------------------------------------------------


def _bento_class(ctx: Ctx, is_async: bool) -> type:
    import bentoml

    base = bentoml.AsyncHTTPClient if is_async else bentoml.SyncHTTPClient
    if not ctx.canned:
        return base
    transport = ctx.transport

    class Canned(base):  # type: ignore[misc,valid-type]
        @staticmethod
        def _make_client(client_cls, url, headers, timeout, app=None):
            return client_cls(base_url=url, transport=transport(), headers=headers, timeout=timeout,
                              follow_redirects=True)

    return Canned


def _bento_calls(ctx: Ctx, client: Any) -> dict:
    """Plain-data calls only: BentoML's clients are not given the generated models' instances."""
    return {name: functools.partial(getattr(client, ctx.method(name)), **ep["kwargs"])
            for name, ep in ctx.endpoints.items() if not ep.get("as_models")}


def bento_sync(ctx: Ctx) -> tuple[dict, Callable]:
    client = _bento_class(ctx, False)(ctx.base)
    return _bento_calls(ctx, client), client.close


async def bento_async(ctx: Ctx) -> tuple[dict, Callable]:
    client = _bento_class(ctx, True)(ctx.base)
    await client.__aenter__()
    return _bento_calls(ctx, client), client.close


#: Per-call table rows: label -> factory. The first of each list is the ratio's reference.
SYNC = {
    "raw httpx.Client + json.dumps/json.loads": raw_sync,
    "raw httpx + json.dumps/pydantic (out)": functools.partial(raw_sync, mode="model"),
    "raw httpx + pydantic (in+out)": functools.partial(raw_sync, mode="model-io"),
    "generated Client": generated_sync,
    "bentoml.SyncHTTPClient": bento_sync,
}
ASYNC = {
    "raw httpx.AsyncClient + json.dumps/json.loads": raw_async,
    "raw httpx + json.dumps/pydantic (out)": functools.partial(raw_async, mode="model"),
    "raw httpx + pydantic (in+out)": functools.partial(raw_async, mode="model-io"),
    "generated AsyncClient": generated_async,
    "bentoml.AsyncHTTPClient": bento_async,
}
#: Throughput rows (live only).
THROUGHPUT = {
    "raw httpx.AsyncClient + json.dumps/json.loads": raw_async,
    "raw httpx.AsyncClient, generated's pool limits": raw_async_same_limits,
    "raw httpx + AiohttpTransport": raw_async_aiohttp,
    "generated AsyncClient": generated_async,
    'generated AsyncClient(backend="aiohttp")': functools.partial(generated_async, backend="aiohttp"),
}
