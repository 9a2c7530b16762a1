"""A loopback server that misbehaves on demand and records every request it gets.

:class:`FaultyServer` runs a plain ASGI application (no framework) under
uvicorn in a background thread. It listens on ``127.0.0.1`` *and* on
``127.0.0.2`` with the same port, so a redirect to "another host" stays on
loopback and still reaches a server that records what it was sent.

A test scripts the server before it calls the client: :meth:`FaultyServer.script`
queues :class:`Action` objects, and each incoming request consumes one (in order).
When the queue is empty the server answers normally:

* ``GET /items/{id}`` → ``{"id": id, "name": "item-<id>"}``
* ``POST /items`` and ``PUT /items/{id}`` → the item with the name from the JSON body
* ``GET /echo`` (and anything else) → ``{"method", "path", "query", "headers"}``

Every request is appended to :attr:`FaultyServer.requests` as a :class:`Seen`
*before* its action runs, so a request whose connection is dropped, or whose
client gives up waiting, is still counted.

The actions (module-level helpers build them)::

    ok()                               the normal answer
    json(status, body, headers=...)    any JSON answer
    text(status, text, content_type=)  any text answer
    raw(status, bytes, content_type=)  any bytes, e.g. malformed JSON
    drop()                             close the connection before any response
    slow(seconds, then=ok())           wait, then do ``then``
    redirect(status, location)         a 3xx with ``Location``
"""

from __future__ import annotations

import asyncio
import contextlib
import json as _json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn

SECOND_HOST = "127.0.0.2"


@dataclass(frozen=True)
class Action:
    """What the server does with one request."""

    kind: str  # "ok" | "reply" | "drop" | "slow"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    seconds: float = 0.0
    then: Action | None = None


def ok() -> Action:
    return Action("ok")


def json(status: int, body: Any, headers: dict[str, str] | None = None) -> Action:
    encoded = _json.dumps(body).encode()
    return Action("reply", status, (("content-type", "application/json"), *(headers or {}).items()), encoded)


def text(status: int, body: str, content_type: str = "text/plain; charset=utf-8", headers: dict[str, str] | None = None) -> Action:
    return Action("reply", status, (("content-type", content_type), *(headers or {}).items()), body.encode())


def raw(status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> Action:
    return Action("reply", status, (("content-type", content_type), *(headers or {}).items()), body)


def status(code: int, headers: dict[str, str] | None = None, body: Any = None) -> Action:
    """A bare error status, with a small JSON body unless one is given."""
    return json(code, body if body is not None else {"error": f"status {code}"}, headers)


def drop() -> Action:
    return Action("drop")


def slow(seconds: float, then: Action | None = None) -> Action:
    return Action("slow", seconds=seconds, then=then or ok())


def redirect(code: int, location: str) -> Action:
    return Action("reply", code, (("location", location), ("content-type", "text/plain")), b"moved")


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: str  # raw query string, undecoded
    headers: list[tuple[str, str]]  # lower-case names, in order, repeats kept
    body: bytes
    host: str  # the local address it arrived on: 127.0.0.1 or 127.0.0.2
    client: tuple[str, int] | None  # the peer (address, port): a new port is a new connection
    http_version: str
    received: float  # time.monotonic() when the request head arrived
    finished: float | None = None  # time.monotonic() when the action ended

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), else None."""
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)

    def has_header(self, name: str) -> bool:
        return self.header(name) is not None

    @property
    def json(self) -> Any:
        return _json.loads(self.body) if self.body else None


@dataclass
class _State:
    actions: deque[Action] = field(default_factory=deque)
    requests: list[Seen] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    closing: bool = False  # set on stop: slow actions end at once
    lock: threading.Lock = field(default_factory=threading.Lock)


class FaultyApp:
    """The ASGI application: consumes one scripted action per request."""

    def __init__(self, state: _State) -> None:
        self.state = state

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = bytearray()
        received = time.monotonic()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        seen = Seen(
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=[(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]],
            body=bytes(body),
            host=(scope.get("server") or ("", 0))[0],
            client=tuple(scope["client"]) if scope.get("client") else None,  # type: ignore[arg-type]
            http_version=scope.get("http_version", ""),
            received=received,
        )
        with self.state.lock:
            self.state.requests.append(seen)
            action = self.state.actions.popleft() if self.state.actions else ok()
            self.state.in_flight += 1
            self.state.max_in_flight = max(self.state.max_in_flight, self.state.in_flight)
        try:
            await self._perform(action, seen, send)
        finally:
            seen.finished = time.monotonic()
            with self.state.lock:
                self.state.in_flight -= 1

    async def _perform(self, action: Action, seen: Seen, send: Any) -> None:
        if action.kind == "slow":
            until = time.monotonic() + action.seconds
            while not self.state.closing and time.monotonic() < until:
                await asyncio.sleep(min(0.02, max(0.0, until - time.monotonic())))
            if self.state.closing:
                return
            assert action.then is not None
            await self._perform(action.then, seen, send)
        elif action.kind == "drop":
            await _drop_connection(send)
        elif action.kind == "ok":
            await _send(send, 200, [("content-type", "application/json")], _json.dumps(normal_reply(seen)).encode())
        else:
            await _send(send, action.status, list(action.headers), action.body)


def normal_reply(seen: Seen) -> Any:
    """The well-behaved answer to ``seen``."""
    parts = seen.path.strip("/").split("/")
    if len(parts) >= 2 and parts[-2] == "items" and seen.method in ("GET", "PUT"):
        item_id = int(parts[-1]) if parts[-1].isdigit() else 0
        name = (seen.json or {}).get("name") if seen.method == "PUT" else f"item-{item_id}"
        return {"id": item_id, "name": name}
    if parts and parts[-1] == "items" and seen.method == "POST":
        return {"id": 1, "name": (seen.json or {}).get("name")}
    return {
        "method": seen.method,
        "path": seen.path,
        "query": dict(parse_qsl(seen.query, keep_blank_values=True)),
        "headers": dict(seen.headers),
        "http_version": seen.http_version,
    }


async def _send(send: Any, code: int, headers: list[tuple[str, str]], body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": code,
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _drop_connection(send: Any) -> None:
    """Close the TCP connection without sending a single byte of a response.

    ASGI cannot say "abort"; uvicorn's ``send`` is a bound method of the
    request cycle, which holds the connection's transport. Once the transport
    is closed uvicorn marks the cycle disconnected and sends nothing more.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:  # pragma: no cover - a uvicorn change
        raise RuntimeError("cannot reach the connection's transport to drop it")
    transport.abort()
    for _ in range(50):  # let connection_lost run, so no 500 is attempted
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0.001)


def _listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def bind_both_hosts() -> list[socket.socket]:
    """Listening sockets on 127.0.0.1 and 127.0.0.2 sharing one free port."""
    last: OSError | None = None
    for _ in range(20):
        first = _listen("127.0.0.1", 0)
        try:
            second = _listen(SECOND_HOST, first.getsockname()[1])
        except OSError as error:  # that port is taken on the second address
            first.close()
            last = error
            continue
        return [first, second]
    raise RuntimeError(f"no port free on both 127.0.0.1 and {SECOND_HOST}: {last}")


class ThreadedUvicorn:
    """A uvicorn server on pre-bound sockets in a background thread."""

    def __init__(self, app: Any, sockets: list[socket.socket], **config: Any) -> None:
        config.setdefault("log_level", "warning")
        config.setdefault("lifespan", "off")
        config.setdefault("timeout_graceful_shutdown", 1)
        self.sockets = sockets
        self.server = uvicorn.Server(uvicorn.Config(app, **config))
        # uvicorn installs no signal handlers outside the main thread
        self._thread = threading.Thread(target=self._run, daemon=True, name="uvicorn-test-server")
        self.error: BaseException | None = None

    def _run(self) -> None:
        try:
            asyncio.run(self.server.serve(sockets=self.sockets))
        except BaseException as error:  # noqa: BLE001 - reported by start()
            self.error = error

    @property
    def port(self) -> int:
        return int(self.sockets[0].getsockname()[1])

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if self.error is not None or not self._thread.is_alive():
                raise RuntimeError(f"test server did not start: {self.error!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("test server did not start within 10 s")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)
        for sock in self.sockets:
            sock.close()
        if self._thread.is_alive():  # pragma: no cover
            raise RuntimeError("test server did not stop within 10 s")


class RecordingServer:
    """Scripting and inspection shared by every server running :class:`FaultyApp`."""

    _state: _State
    scheme: str = "http"

    @property
    def port(self) -> int:
        raise NotImplementedError

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (``https://`` when serving TLS)."""
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def script(self, *actions: Action) -> None:
        """Queue ``actions``: the next requests consume them in order."""
        with self._state.lock:
            self._state.actions.extend(actions)

    def reset(self) -> None:
        """Forget the script and the recorded requests."""
        with self._state.lock:
            self._state.actions.clear()
            self._state.requests.clear()
            self._state.max_in_flight = 0

    @property
    def pending(self) -> int:
        """How many scripted actions no request consumed yet."""
        with self._state.lock:
            return len(self._state.actions)

    @property
    def requests(self) -> list[Seen]:
        with self._state.lock:
            return list(self._state.requests)

    @property
    def count(self) -> int:
        return len(self.requests)

    @property
    def max_in_flight(self) -> int:
        """The most requests the server was handling at one moment."""
        return self._state.max_in_flight


class FaultyServer(RecordingServer):
    """The scripted, recording uvicorn server (see the module docstring).

    ``uvicorn_config`` goes to :class:`uvicorn.Config` (e.g. ``ssl_certfile``,
    ``ssl_cert_reqs``, ``timeout_keep_alive``).
    """

    def __init__(self, **uvicorn_config: Any) -> None:
        self._state = _State()
        uvicorn_config.setdefault("http", "h11")
        uvicorn_config.setdefault("timeout_keep_alive", 30)
        self.scheme = "https" if uvicorn_config.get("ssl_certfile") else "http"
        self._server = ThreadedUvicorn(FaultyApp(self._state), bind_both_hosts(), **uvicorn_config)

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._state.closing = True
        self._server.stop()

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def second_url(self) -> str:
        """The same server as another host: ``http://127.0.0.2:<port>``."""
        return f"{self.scheme}://{SECOND_HOST}:{self.port}"


@contextlib.contextmanager
def running_faulty_server(**uvicorn_config: Any) -> Iterator[FaultyServer]:
    server = FaultyServer(**uvicorn_config)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def stalled_listener() -> Iterator[int]:
    """A port on 127.0.0.1 whose accept queue is full, so connecting to it times out.

    The socket listens with a backlog of 0 and never accepts; a few filler
    connections fill the queue, after which the kernel drops new SYNs and a
    client's connect attempt hangs until its connect timeout (``ConnectTimeout``).
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    fillers: list[socket.socket] = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = int(listener.getsockname()[1])
        for _ in range(8):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        time.sleep(0.05)
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
