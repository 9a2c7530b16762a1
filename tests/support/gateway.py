"""A loopback reverse proxy that behaves like a cloud gateway in front of a service.

It listens on 127.0.0.1, requires ``Authorization: Bearer <token>`` (401 with
``{"error": "unauthorized"}`` otherwise) and a path prefix (404 otherwise),
strips the prefix and forwards method, query string, headers (minus hop-by-hop
headers and ``Host``) and body to the upstream with httpx, then relays status,
headers and body back chunk by chunk.

Run it in a thread through :class:`Gateway` (or ``tests.support.services.run_gateway``),
or standalone::

    python -m tests.support.gateway --upstream http://127.0.0.1:3000 --port 38731
"""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import httpx

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)


class _Handler(BaseHTTPRequestHandler):
    """Handles one client connection; configuration lives on the server."""

    server: "_GatewayServer"
    protocol_version = "HTTP/1.1"  # keep-alive and chunked responses
    timeout = 60  # idle keep-alive connections are closed after this

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._proxy()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Stay quiet unless the gateway was started verbose."""
        if self.server.verbose:
            super().log_message(format, *args)

    # -- request side -------------------------------------------------------

    def _request_body(self) -> bytes | Iterator[bytes]:
        """Return the request body: bytes, or an iterator for chunked uploads."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> Iterator[bytes]:
        """Decode a chunked request body as it arrives."""
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return
            yield self.rfile.read(size)
            self.rfile.readline()  # CRLF after each chunk

    def _forward_headers(self) -> list[tuple[str, str]]:
        """Client headers minus hop-by-hop ones, ``Host`` and ``Content-Length``."""
        listed = {
            h.strip().lower() for h in self.headers.get("Connection", "").split(",")
        }
        drop = HOP_BY_HOP | listed | {"host", "content-length"}
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in drop]
        headers += [
            ("X-Forwarded-For", self.client_address[0]),
            ("X-Forwarded-Host", self.headers.get("Host", "")),
            ("X-Forwarded-Proto", "http"),
            ("X-Forwarded-Prefix", self.server.prefix),
        ]
        return headers

    # -- response side ------------------------------------------------------

    def _send_json(self, status: int, payload: dict[str, str]) -> None:
        """Answer from the gateway itself (the upstream never saw the request)."""
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _relay(self, response: httpx.Response) -> None:
        """Send the upstream's status, headers and raw body on to the client."""
        self.send_response(response.status_code)
        no_body = self.command == "HEAD" or response.status_code in (204, 304)
        length = response.headers.get("Content-Length")
        chunked = length is None and not no_body
        for key, value in response.headers.multi_items():
            if key.lower() not in HOP_BY_HOP and key.lower() not in ("date", "server"):
                self.send_header(key, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if no_body:
            return
        for chunk in response.iter_raw():
            if not chunk:
                continue
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                self.wfile.write(chunk)
            self.wfile.flush()
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    # -- the proxy ----------------------------------------------------------

    def _proxy(self) -> None:
        """Check the token and prefix, then forward the request upstream."""
        body = self._request_body()
        if self.headers.get("Authorization") != f"Bearer {self.server.token}":
            self._send_json(401, {"error": "unauthorized"})
            return
        path, _, query = self.path.partition("?")
        prefix = self.server.prefix
        if path != prefix and not path.startswith(prefix + "/"):
            self._send_json(404, {"error": "not found"})
            return
        target = (path[len(prefix) :] or "/") + (f"?{query}" if query else "")
        request = self.server.client.build_request(
            self.command, target, headers=self._forward_headers(), content=body
        )
        try:
            response = self.server.client.send(request, stream=True)
        except httpx.TimeoutException:
            self._send_json(504, {"error": "upstream timeout"})
            return
        except httpx.HTTPError:
            self._send_json(502, {"error": "bad gateway"})
            return
        try:
            self._relay(response)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            response.close()


class _GatewayServer(ThreadingHTTPServer):
    """The HTTP server; holds the gateway's settings and its upstream client."""

    daemon_threads = True

    def __init__(
        self, addr: tuple[str, int], upstream: str, prefix: str, token: str
    ) -> None:
        super().__init__(addr, _Handler)
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self.token = token
        self.verbose = False
        self.client = httpx.Client(
            base_url=upstream,
            timeout=httpx.Timeout(300.0, connect=5.0),
            # shorter than uvicorn's 5 s keep-alive, so no pooled connection goes stale
            limits=httpx.Limits(keepalive_expiry=2.0),
            follow_redirects=False,
            trust_env=False,
        )


class Gateway:
    """A gateway running in a background thread."""

    def __init__(
        self,
        upstream: str,
        prefix: str = "/org/project/deployment",
        token: str = "test-token",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.server = _GatewayServer((host, port), upstream.rstrip("/"), prefix, token)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """The port the gateway listens on."""
        return int(self.server.server_address[1])

    @property
    def public_url(self) -> str:
        """The base URL clients use: ``http://127.0.0.1:<port><prefix>``."""
        return f"http://127.0.0.1:{self.port}{self.server.prefix}"

    def start(self) -> None:
        """Start serving in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the socket and the upstream client."""
        self.server.shutdown()
        self.server.server_close()
        self.server.client.close()
        self._thread.join(timeout=5)


def main(argv: list[str] | None = None) -> None:
    """Run the gateway in the foreground until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="e.g. http://127.0.0.1:3000")
    parser.add_argument("--port", type=int, default=38731)
    parser.add_argument("--prefix", default="/org/project/deployment")
    parser.add_argument("--token", default="test-token")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    server = _GatewayServer(
        ("127.0.0.1", args.port), args.upstream, args.prefix, args.token
    )
    server.verbose = args.verbose
    print(f"gateway on http://127.0.0.1:{args.port}{server.prefix} -> {args.upstream}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.client.close()


if __name__ == "__main__":
    main()
