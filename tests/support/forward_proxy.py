"""A tiny forward HTTP proxy on 127.0.0.1 that records what went through it.

Plain HTTP only: a client configured with ``proxy="http://127.0.0.1:<port>"``
sends absolute-form requests (``GET http://127.0.0.1:1234/items/1 HTTP/1.1``);
the proxy forwards each to its target, which must be on loopback (403
otherwise: these tests never leave the machine), and relays the answer.
``CONNECT`` (tunnelling for https) is refused with 405.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from .gateway import HOP_BY_HOP


@dataclass(frozen=True)
class Proxied:
    method: str
    target: str  # the request target as the client sent it (absolute form)
    headers: list[tuple[str, str]]


class _Handler(BaseHTTPRequestHandler):
    server: _ProxyServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_CONNECT(self) -> None:
        self._reply(405, b"CONNECT is not supported by this test proxy")

    def do_GET(self) -> None:
        headers = [(k.lower(), v) for k, v in self.headers.items()]
        self.server.seen.append(Proxied(self.command, self.path, headers))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = httpx.URL(self.path)
        if url.scheme != "http" or not str(url.host).startswith("127."):
            self._reply(403, b"this test proxy only forwards to http://127.x.x.x")
            return
        forward = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host", "content-length", "proxy-connection"}]
        forward.append(("Via", "1.1 test-forward-proxy"))
        try:
            response = self.server.client.request(self.command, url, headers=forward, content=body)
        except httpx.HTTPError:
            self._reply(502, b"bad gateway")
            return
        self.send_response(response.status_code)
        for key, value in response.headers.multi_items():
            if key.lower() not in HOP_BY_HOP and key.lower() not in ("content-length", "content-encoding", "date", "server"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(response.content)))
        self.end_headers()
        self.wfile.write(response.content)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[Proxied] = []
        self.client = httpx.Client(trust_env=False, follow_redirects=False, timeout=30)


class ForwardProxy:
    def __init__(self) -> None:
        self.server = _ProxyServer()
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="forward-proxy")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def seen(self) -> list[Proxied]:
        return list(self.server.seen)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.server.client.close()
        self._thread.join(timeout=5)


@contextlib.contextmanager
def running_forward_proxy() -> Iterator[ForwardProxy]:
    proxy = ForwardProxy()
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
