"""TLS test servers on loopback: certificates from a throw-away CA (trustme).

* :class:`TLSFiles` writes a CA, a server certificate for ``127.0.0.1`` and a
  client certificate to a directory (PEM files, also a combined key+chain file).
* :func:`running_mtls_server` runs :class:`~tests.support.faulty_server.FaultyServer`
  (uvicorn) over TLS, *requiring* a client certificate signed by the CA.
* :class:`HypercornServer` runs the same recording app under hypercorn over TLS,
  offering HTTP/2 by ALPN (``h2``, then ``http/1.1``); each ``/echo`` answer
  carries ``http_version`` (``scope["http_version"]``: ``"2"`` or ``"1.1"``).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import trustme
from hypercorn.asyncio import serve
from hypercorn.config import Config as HypercornConfig

from .faulty_server import FaultyApp, FaultyServer, RecordingServer, _State


@dataclass(frozen=True)
class TLSFiles:
    """PEM files for one test run."""

    ca: Path  # the CA certificate: the bundle a client trusts
    server_cert: Path  # server certificate chain (127.0.0.1, localhost)
    server_key: Path
    client_cert: Path  # client certificate chain
    client_key: Path
    client_combined: Path  # client key and certificate chain in one PEM file

    @classmethod
    def create(cls, directory: Path) -> TLSFiles:
        directory.mkdir(parents=True, exist_ok=True)
        ca = trustme.CA()
        server = ca.issue_cert("127.0.0.1", "localhost")
        client = ca.issue_cert("faults-client@example.test")
        files = cls(
            ca=directory / "ca.pem",
            server_cert=directory / "server.pem",
            server_key=directory / "server.key",
            client_cert=directory / "client.pem",
            client_key=directory / "client.key",
            client_combined=directory / "client-combined.pem",
        )
        ca.cert_pem.write_to_path(str(files.ca))
        server.cert_chain_pems[0].write_to_path(str(files.server_cert))
        for pem in server.cert_chain_pems[1:]:
            pem.write_to_path(str(files.server_cert), append=True)
        server.private_key_pem.write_to_path(str(files.server_key))
        client.cert_chain_pems[0].write_to_path(str(files.client_cert))
        for pem in client.cert_chain_pems[1:]:
            pem.write_to_path(str(files.client_cert), append=True)
        client.private_key_pem.write_to_path(str(files.client_key))
        client.private_key_and_cert_chain_pem.write_to_path(str(files.client_combined))
        return files

    def client_context(self, *, with_cert: bool = True) -> ssl.SSLContext:
        """An SSL context trusting the CA (and presenting the client certificate)."""
        context = ssl.create_default_context(cafile=str(self.ca))
        if with_cert:
            context.load_cert_chain(str(self.client_cert), str(self.client_key))
        return context


@contextlib.contextmanager
def running_mtls_server(files: TLSFiles) -> Iterator[FaultyServer]:
    """The recording uvicorn server over TLS that requires a client certificate."""
    server = FaultyServer(
        ssl_certfile=str(files.server_cert),
        ssl_keyfile=str(files.server_key),
        ssl_ca_certs=str(files.ca),
        ssl_cert_reqs=ssl.CERT_REQUIRED,
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


class HypercornServer(RecordingServer):
    """The recording app under hypercorn, TLS with ALPN ``h2`` and ``http/1.1``, in a thread."""

    scheme = "https"

    def __init__(self, files: TLSFiles) -> None:
        self._state = _State()
        self._files = files
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        self._port = int(sock.getsockname()[1])
        config = HypercornConfig()
        config.bind = [f"fd://{sock.detach()}"]  # hypercorn owns (and closes) the socket
        config.certfile = str(files.server_cert)
        config.keyfile = str(files.server_key)
        config.alpn_protocols = ["h2", "http/1.1"]
        config.graceful_timeout = 1.0
        config.accesslog = None
        config.errorlog = None
        self._config = config
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._started = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="hypercorn-test-server")

    @property
    def port(self) -> int:
        return self._port

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stopping = asyncio.Event()
            self._started.set()
            await serve(FaultyApp(self._state), self._config, shutdown_trigger=self._stopping.wait)  # type: ignore[arg-type]

        try:
            asyncio.run(main())
        except BaseException as error:  # noqa: BLE001 - reported by start()
            self.error = error
            self._started.set()

    def start(self) -> None:
        self._thread.start()
        self._started.wait(10)
        context = self._files.client_context(with_cert=False)
        deadline = time.monotonic() + 10
        with httpx.Client(verify=context, trust_env=False, timeout=2) as probe:
            while True:
                if self.error is not None:
                    raise RuntimeError(f"hypercorn did not start: {self.error!r}")
                try:
                    probe.get(self.url + "/__ready__")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        self.reset()

    def stop(self) -> None:
        self._state.closing = True
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(timeout=10)
        if self._thread.is_alive():  # pragma: no cover
            raise RuntimeError("hypercorn did not stop within 10 s")


@contextlib.contextmanager
def running_h2_server(files: TLSFiles) -> Iterator[HypercornServer]:
    server = HypercornServer(files)
    server.start()
    try:
        yield server
    finally:
        server.stop()

