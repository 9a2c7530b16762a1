"""The tensor-first calls of the client generated from a live KServe server, over every transport.

The server is examples/kserve/model.py; its "echo" model answers every input
tensor unchanged. ``infer_arrays`` is called over JSON REST, binary REST and
gRPC (sync and async), and every answer is compared exactly with what was sent:
FP32, INT64, FP16 and BYTES tensors, and one 16 MB FP32 tensor (above gRPC's
and KServe's default 4/8 MiB limits).
Usage: ``python kserve_tensors.py REST_URL GRPC_TARGET``.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import numpy as np

from kserve_client import (
    AsyncClient,
    AsyncGrpcClient,
    BadRequestError,
    Client,
    GrpcClient,
    NotFoundError,
    Tensor,
)

rng = np.random.default_rng(7)
ARRAYS: dict[str, Any] = {
    "fp32": rng.standard_normal((3, 5)).astype(np.float32),
    "int64": np.array([[-(2**62), 0, 2**62 + 5]], dtype=np.int64),
    "fp16": np.array([[1.5, -0.0009765625], [65504.0, -2.0]], dtype=np.float16),
    "bytes": np.array([b"plain", b"", "h\u00e9llo".encode(), b"\x00\x01"], dtype=object),
}
#: KServe 0.21 refuses FP16 in JSON, and turns binary REST BYTES inputs into JSON text on arrival
#: (so they must be UTF-8 there); over gRPC any bytes go.
JSON_ARRAYS = {"fp32": ARRAYS["fp32"], "int64": ARRAYS["int64"], "bytes": ARRAYS["bytes"]}
GRPC_ARRAYS = {**ARRAYS, "raw": np.array([[b"\xff\xfe", b"\x00"]], dtype=object)}
BIG = rng.standard_normal((1024, 4096)).astype(np.float32)  # 16 MiB


def same(got: dict[str, Any], want: dict[str, Any]) -> int:
    assert set(got) == set(want), (set(got), set(want))
    for name, array in want.items():
        out = got[name]
        assert out.shape == array.shape, (name, out.shape, array.shape)
        if array.dtype == object:
            assert out.dtype == object and out.tolist() == array.tolist(), (name, out, array)
        else:
            assert out.dtype == array.dtype, (name, out.dtype, array.dtype)
            assert np.array_equal(out, array), name
    return 1


def check_rest(url: str) -> int:
    calls = 0
    with Client(url) as client:
        assert client.is_model_ready("echo") and not client.is_model_ready("nope")
        calls += same(client.infer_arrays(model_name="echo", inputs=ARRAYS), ARRAYS)
        assert client.binary_extension is True  # learned from KServe's GET /v2
        calls += same(client.infer_arrays(model_name="echo", inputs=JSON_ARRAYS, binary=False), JSON_ARRAYS)
        asked = client.infer_arrays(model_name="echo", inputs=ARRAYS, outputs=["int64"])
        calls += same(asked, {"int64": ARRAYS["int64"]})
        explicit = client.infer_arrays(model_name="echo", inputs={"t": Tensor([[1, 2], [3, 4]], "FP16")})
        calls += same(explicit, {"t": np.array([[1, 2], [3, 4]], dtype=np.float16)})
        calls += same(client.infer_arrays(model_name="echo", inputs={"big": BIG}), {"big": BIG})
        # the doubler still works through the tensor-first call, and its errors stay typed
        doubled = client.infer_arrays(model_name="doubler", inputs={"input-0": ARRAYS["fp32"]})
        calls += same(doubled, {"output-0": ARRAYS["fp32"] * 2})
        try:
            client.infer_arrays(model_name="doubler", inputs={"input-0": ARRAYS["int64"]})
            raise AssertionError("INT64 accepted by the doubler")
        except BadRequestError as error:
            assert "must have datatype FP32" in str(error), error
        try:
            client.infer_arrays(model_name="nope", inputs=ARRAYS)
            raise AssertionError("unknown model answered")
        except NotFoundError as error:
            assert "nope" in str(error)
        calls += 2
    return calls


def check_grpc(target: str) -> int:
    calls = 0
    with GrpcClient(target, token="secret", headers={"X-Trace": "1"}) as client:
        client.wait_until_ready(30)
        assert client.is_live() and client.is_ready() and client.is_model_ready("echo")
        assert not client.is_model_ready("nope")
        calls += same(client.infer_arrays(model_name="echo", inputs=GRPC_ARRAYS), GRPC_ARRAYS)
        calls += same(client.infer_arrays(model_name="echo", inputs={"big": BIG}), {"big": BIG})
        try:
            client.infer_arrays(model_name="nope", inputs=ARRAYS)
            raise AssertionError("unknown model answered")
        except NotFoundError as error:
            assert error.status_code == 404 and "nope" in str(error), error
            assert error.response.headers["grpc-status"] == "NOT_FOUND"
        try:
            client.infer_arrays(model_name="doubler", inputs={"input-0": ARRAYS["int64"]})
            raise AssertionError("INT64 accepted by the doubler")
        except BadRequestError as error:
            assert "must have datatype FP32" in str(error), error
        calls += 2
    return calls


async def check_async(url: str, target: str) -> int:
    async with AsyncClient(url) as rest, AsyncGrpcClient(target) as grpc:
        assert await rest.is_model_ready("echo") and await grpc.is_model_ready("echo")
        answers = await asyncio.gather(
            *(rest.infer_arrays(model_name="echo", inputs=ARRAYS) for _ in range(4)),
            *(grpc.infer_arrays(model_name="echo", inputs=GRPC_ARRAYS) for _ in range(4)),
            rest.infer_arrays(model_name="echo", inputs=JSON_ARRAYS, binary=False),
        )
        for answer in answers[:4]:
            same(answer, ARRAYS)
        for answer in answers[4:8]:
            same(answer, GRPC_ARRAYS)
        same(answers[8], JSON_ARRAYS)
        return len(answers)


if __name__ == "__main__":
    base, grpc_target = sys.argv[1], sys.argv[2]
    rest_calls, grpc_calls = check_rest(base), check_grpc(grpc_target)
    print(f"ok rest={rest_calls} grpc={grpc_calls} async={asyncio.run(check_async(base, grpc_target))}")
