"""The generated GrpcClient/AsyncGrpcClient against a real in-process gRPC server on 127.0.0.1.

The server (grpcio, generic handlers over raw bytes, the generated package's own
messages) scripts each failure: metadata carried, UNAVAILABLE retried with
backoff, RESOURCE_EXHAUSTED and other codes never retried and mapped onto the
REST exception classes, deadlines as APITimeoutError, TLS with a private CA and
a client certificate (trustme), and health calls. The KServe example covers the
real server end to end (tests/test_e2e.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import time
from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Any

import grpc
import numpy as np
import pytest
import trustme

from tests.runtime_support import use_goldens

use_goldens("kserve")
PKG = importlib.import_module("k_serve_model_server_client")
MESSAGES = importlib.import_module("k_serve_model_server_client._runtime._grpc_proto").messages()
SERVICE = "inference.GRPCInferenceService"
X = np.arange(6, dtype=np.float32).reshape(2, 3)

Behaviour = Callable[[bytes, Any], bytes]


def echo(request: bytes, context: Any) -> bytes:
    """Answer every input as an output of the same name (raw contents)."""
    parsed = MESSAGES.ModelInferRequest.FromString(request)
    answer = MESSAGES.ModelInferResponse(model_name=parsed.model_name, id=parsed.id)
    for tensor in parsed.inputs:
        answer.outputs.add(name=tensor.name, datatype=tensor.datatype, shape=tensor.shape)
    answer.raw_output_contents.extend(parsed.raw_input_contents)
    return bytes(answer.SerializeToString())


class Server:
    """A gRPC server whose ModelInfer runs ``self.infer``; it records each call's metadata."""

    def __init__(self, credentials: Any = None) -> None:
        self.infer: Behaviour = echo
        self.calls: list[dict[str, str]] = []
        self.ready = True
        handlers = {
            "ModelInfer": self._infer,
            "ServerLive": lambda request, context: MESSAGES.ServerLiveResponse(live=True).SerializeToString(),
            "ServerReady": lambda request, context: MESSAGES.ServerReadyResponse(ready=self.ready).SerializeToString(),
            "ModelReady": self._model_ready,
        }
        generic = grpc.method_handlers_generic_handler(
            SERVICE, {name: grpc.unary_unary_rpc_method_handler(handler) for name, handler in handlers.items()}
        )
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), handlers=(generic,))
        address = "127.0.0.1:0"
        port = self.server.add_secure_port(address, credentials) if credentials else self.server.add_insecure_port(address)
        self.target = f"127.0.0.1:{port}"

    def _infer(self, request: bytes, context: Any) -> bytes:
        self.calls.append(dict(context.invocation_metadata()))
        return self.infer(request, context)

    def _model_ready(self, request: bytes, context: Any) -> bytes:
        name = MESSAGES.ModelReadyRequest.FromString(request).name
        if name != "m":
            context.abort(grpc.StatusCode.NOT_FOUND, f"model {name} does not exist")
        return bytes(MESSAGES.ModelReadyResponse(ready=True).SerializeToString())


@contextlib.contextmanager
def serving(credentials: Any = None) -> Iterator[Server]:
    server = Server(credentials)
    server.server.start()
    try:
        yield server
    finally:
        server.server.stop(grace=None).wait()


def failing(times: int, code: grpc.StatusCode, details: str) -> Behaviour:
    """Abort the first ``times`` calls with ``code``, then echo."""
    seen = [0]

    def behave(request: bytes, context: Any) -> bytes:
        seen[0] += 1
        if seen[0] <= times:
            context.abort(code, details)
        return echo(request, context)

    return behave


def test_infer_carries_token_headers_and_round_trips() -> None:
    with serving() as server, PKG.GrpcClient(server.target, token="t0k", headers={"X-Trace": "abc"}) as client:
        out = client.infer_arrays(model_name="m", inputs={"x": X, "s": np.array([b"a", b"\xff"], dtype=object)})
        assert np.array_equal(out["x"], X) and out["s"].tolist() == [b"a", b"\xff"]
        client.infer_arrays(model_name="m", inputs={"x": X}, extra_headers={"X-Call": "2"})
    assert server.calls[0]["authorization"] == "Bearer t0k" and server.calls[0]["x-trace"] == "abc"
    assert server.calls[1]["x-call"] == "2" and server.calls[0]["user-agent"].startswith("svcgen-client ")


def test_unavailable_is_retried_with_backoff_then_raised_as_a_connection_error() -> None:
    with serving() as server, PKG.GrpcClient(server.target, max_retries=2) as client:
        server.infer = failing(2, grpc.StatusCode.UNAVAILABLE, "warming up")
        started = time.monotonic()
        assert np.array_equal(client.infer_arrays(model_name="m", inputs={"x": X})["x"], X)
        assert len(server.calls) == 3 and time.monotonic() - started >= 0.1  # two pauses of backoff
        server.infer, server.calls = failing(5, grpc.StatusCode.UNAVAILABLE, "down"), []
        with pytest.raises(PKG.APIConnectionError, match="UNAVAILABLE: down"):
            client.infer_arrays(model_name="m", inputs={"x": X}, max_retries=1)
        assert len(server.calls) == 2


@pytest.mark.parametrize(
    "code, details, error, status",
    [
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "Received message larger than max (9 vs. 4)", "APIStatusError", 413),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "queue full", "RateLimitError", 429),
        (grpc.StatusCode.NOT_FOUND, "model m does not exist", "NotFoundError", 404),
        (grpc.StatusCode.INVALID_ARGUMENT, "bad datatype", "BadRequestError", 400),
        (grpc.StatusCode.UNAUTHENTICATED, "no token", "AuthenticationError", 401),
        (grpc.StatusCode.PERMISSION_DENIED, "not yours", "PermissionDeniedError", 403),
        (grpc.StatusCode.INTERNAL, "boom", "InternalServerError", 500),
        (grpc.StatusCode.UNIMPLEMENTED, "no such call", "InternalServerError", 501),
    ],
)
def test_status_codes_map_onto_the_rest_errors_and_are_not_retried(
    code: grpc.StatusCode, details: str, error: str, status: int
) -> None:
    with serving() as server, PKG.GrpcClient(server.target, max_retries=3) as client:
        server.infer = failing(10, code, details)
        with pytest.raises(PKG.APIStatusError) as caught:
            client.infer_arrays(model_name="m", inputs={"x": X})
    assert type(caught.value).__name__ == error and caught.value.status_code == status
    assert details in str(caught.value) and caught.value.response.headers["grpc-status"] == code.name
    assert len(server.calls) == 1  # never sent again


def test_deadline_is_a_timeout_error_and_unreachable_is_a_connection_error() -> None:
    def slow(request: bytes, context: Any) -> bytes:
        time.sleep(1.0)
        return echo(request, context)

    with serving() as server, PKG.GrpcClient(server.target, timeout=0.2, max_retries=0) as client:
        server.infer = slow
        with pytest.raises(PKG.APITimeoutError, match="ModelInfer timed out"):
            client.infer_arrays(model_name="m", inputs={"x": X})
        assert np.array_equal(client.infer_arrays(model_name="m", inputs={"x": X}, timeout=5)["x"], X)
        target = server.target
    with PKG.GrpcClient(target, max_retries=0, timeout=2) as client:
        with pytest.raises(PKG.APIConnectionError):
            client.infer_arrays(model_name="m", inputs={"x": X})
        assert client.is_live() is False


def test_health_calls() -> None:
    with serving() as server, PKG.GrpcClient(server.target) as client:
        assert client.is_live() and client.is_ready() and client.is_model_ready("m")
        assert client.is_model_ready("other") is False
        server.ready = False
        assert client.is_ready() is False
        with pytest.raises(PKG.APITimeoutError, match="not ready within"):
            client.wait_until_ready(0.3)


def test_tls_with_a_private_ca_and_a_client_certificate(tmp_path: Any) -> None:
    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1", "localhost")
    client_cert = ca.issue_cert("client@example.test")
    credentials = grpc.ssl_server_credentials(
        [(server_cert.private_key_pem.bytes(), server_cert.cert_chain_pems[0].bytes())],
        root_certificates=ca.cert_pem.bytes(),
        require_client_auth=True,
    )
    roots = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(roots))
    pair = (client_cert.cert_chain_pems[0].bytes(), client_cert.private_key_pem.bytes())
    with serving(credentials) as server:
        with PKG.GrpcClient(server.target, root_certificates=roots, client_cert=pair) as client:
            assert np.array_equal(client.infer_arrays(model_name="m", inputs={"x": X})["x"], X)
        with PKG.GrpcClient(server.target, root_certificates=roots, max_retries=0, timeout=5) as client:
            with pytest.raises(PKG.APIError):  # no client certificate: the handshake is refused
                client.infer_arrays(model_name="m", inputs={"x": X})


def test_async_client_retries_maps_errors_and_round_trips() -> None:
    async def run(target: str, server: Server) -> None:
        async with PKG.AsyncGrpcClient(target, max_retries=2, token="a") as client:
            assert await client.is_ready() and await client.is_model_ready("m")
            server.infer = failing(1, grpc.StatusCode.UNAVAILABLE, "again")
            outs = await asyncio.gather(*(client.infer_arrays(model_name="m", inputs={"x": X * i}) for i in range(3)))
            assert all(np.array_equal(out["x"], X * i) for i, out in enumerate(outs))
            server.infer = failing(9, grpc.StatusCode.NOT_FOUND, "gone")
            with pytest.raises(PKG.NotFoundError, match="gone"):
                await client.infer_arrays(model_name="m", inputs={"x": X})

    with serving() as server:
        asyncio.run(run(server.target, server))
    assert server.calls[0]["authorization"] == "Bearer a" and len(server.calls) == 5
