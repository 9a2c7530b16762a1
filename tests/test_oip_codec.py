"""The Open Inference Protocol tensor codec of a generated client (the KServe golden, installed from its wheel).

Round trips of every datatype through the REST binary extension and JSON (the
gRPC messages: tests/test_grpc_codec.py); the length-prefixed ``BYTES`` layout byte for byte; malformed
headers and short bodies as clear errors (``TensorCodecError`` from the codec,
``APIResponseValidationError`` from a client); and what ``infer_arrays`` sends,
checked on an ``httpx.MockTransport``.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import struct
from typing import Any

import httpx
import numpy as np
import pytest

from tests.runtime_support import use_goldens

use_goldens("kserve")
PKG = "k_serve_model_server_client"
client_module = importlib.import_module(PKG)
tensors = importlib.import_module(f"{PKG}._runtime._oip_tensors")
rest = importlib.import_module(f"{PKG}._runtime._oip_rest")
TensorCodecError = client_module.TensorCodecError
Tensor = client_module.Tensor

#: One array per datatype (with the values each one's edges hold).
SAMPLES: dict[str, Any] = {
    "BOOL": np.array([[True, False, True]]),
    "UINT8": np.array([0, 1, 255], dtype=np.uint8),
    "UINT16": np.array([0, 65535], dtype=np.uint16),
    "UINT32": np.array([[0], [2**32 - 1]], dtype=np.uint32),
    "UINT64": np.array([0, 2**64 - 1], dtype=np.uint64),
    "INT8": np.array([-128, 127], dtype=np.int8),
    "INT16": np.array([-(2**15), 2**15 - 1], dtype=np.int16),
    "INT32": np.array([-(2**31), 2**31 - 1], dtype=np.int32),
    "INT64": np.array([[-(2**63), 2**63 - 1, 7]], dtype=np.int64),
    "FP16": np.array([1.5, -2.25, 65504.0, np.inf], dtype=np.float16),
    "FP32": (np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7),
    "FP64": np.array([np.pi, -1e300, 5e-324]),
    "BYTES": np.array([[b"abc", b""], [b"\x00\xff", "héllo".encode()]], dtype=object),
}
#: Exactly representable in bfloat16 (their lower 16 bits are zero), answered as float32.
BF16 = np.array([1.0, -2.5, 3.140625, 0.0], dtype=np.float32)


def _same(got: Any, want: Any) -> None:
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype == object:
        assert got.dtype == object and got.tolist() == want.tolist()
    else:
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
        assert np.array_equal(got, want), (got, want)


def _answer(header: dict[str, Any], raw: bytes = b"") -> tuple[dict[str, str], bytes]:
    """An answer the way a server writes it: the JSON header, then the raw tensors."""
    text = json.dumps(header).encode()
    return {rest.HEADER_LENGTH: str(len(text))}, text + raw


def _echo(encoded: Any) -> tuple[dict[str, str], bytes]:
    """What an echo server answers to a binary request: its inputs, as outputs, in the same bytes."""
    length = int(encoded.headers[rest.HEADER_LENGTH])
    header = json.loads(encoded.content[:length])
    outputs = [{**entry, "parameters": {"binary_data_size": entry["parameters"]["binary_data_size"]}} for entry in header["inputs"]]
    return _answer({"outputs": outputs}, encoded.content[length:])


@pytest.mark.parametrize("datatype", sorted(SAMPLES))
def test_every_datatype_round_trips_through_the_binary_extension(datatype: str) -> None:
    array = SAMPLES[datatype]
    encoded = rest.encode_infer({"t": array}, outputs=None, binary=True)
    assert encoded.headers["Content-Type"] == "application/octet-stream"
    decoded = rest.decode_infer(*_echo(encoded))
    _same(decoded["t"], array)
    assert json.loads(encoded.content[: int(encoded.headers[rest.HEADER_LENGTH])])["inputs"][0]["datatype"] == datatype


@pytest.mark.parametrize("datatype", sorted(set(SAMPLES) - {"FP16"}))
def test_every_datatype_round_trips_through_json(datatype: str) -> None:
    array = SAMPLES[datatype]
    if datatype == "FP64":
        array = array[:2]  # JSON numbers: a subnormal survives, but keep to what every server parses
    if datatype == "BYTES":
        array = np.array([[b"abc", b""], ["héllo".encode(), b"\x00"]], dtype=object)  # JSON carries UTF-8 text only
    encoded = rest.encode_infer({"t": array}, outputs=["t"], binary=False)
    body = json.loads(encoded.content)
    assert rest.HEADER_LENGTH not in encoded.headers and "binary_data_output" not in json.dumps(body)
    entry = body["inputs"][0]
    assert entry["shape"] == list(array.shape) and len(entry["data"]) == array.size
    decoded = rest.decode_infer({}, json.dumps({"outputs": [entry]}).encode())
    _same(decoded["t"], array)


def test_fp16_json_and_bf16_in_both_forms() -> None:
    half = SAMPLES["FP16"][:3]
    entry = json.loads(rest.encode_infer({"h": half}, outputs=None, binary=False).content)["inputs"][0]
    assert entry["data"] == [1.5, -2.25, 65504.0]
    bf16 = Tensor(BF16, "BF16")
    encoded = rest.encode_infer({"b": bf16}, outputs=None, binary=True)
    raw = encoded.content[int(encoded.headers[rest.HEADER_LENGTH]) :]
    assert raw == (BF16.view("<u4") >> 16).astype("<u2").tobytes()  # the upper half of each float32
    _same(rest.decode_infer(*_echo(encoded))["b"], BF16)
    as_json = json.loads(rest.encode_infer({"b": bf16}, outputs=None, binary=False).content)["inputs"][0]
    assert as_json["datatype"] == "BF16" and as_json["data"] == BF16.tolist()


def test_bytes_use_the_length_prefixed_layout() -> None:
    encoded = rest.encode_infer({"s": np.array(["ab", "", "é"], dtype=object)}, outputs=None, binary=True)
    raw = encoded.content[int(encoded.headers[rest.HEADER_LENGTH]) :]
    assert raw == struct.pack("<I", 2) + b"ab" + struct.pack("<I", 0) + struct.pack("<I", 2) + "é".encode()
    header = json.loads(encoded.content[: int(encoded.headers[rest.HEADER_LENGTH])])
    assert header["inputs"][0]["parameters"] == {"binary_data_size": len(raw)}
    assert header["parameters"] == {"binary_data_output": True}


def test_request_header_names_outputs_parameters_and_id() -> None:
    x = np.ones((2, 2), np.float32)
    encoded = rest.encode_infer(
        {"x": Tensor(x, parameters={"content_type": "np"})},
        outputs=["y", "z"],
        binary=True,
        request_id="42",
        parameters={"priority": 1},
    )
    length = int(encoded.headers[rest.HEADER_LENGTH])
    header = json.loads(encoded.content[:length])
    assert header == {
        "id": "42",
        "inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32", "parameters": {"content_type": "np", "binary_data_size": 16}}],
        "outputs": [{"name": "y", "parameters": {"binary_data": True}}, {"name": "z", "parameters": {"binary_data": True}}],
        "parameters": {"priority": 1, "binary_data_output": True},
    }
    assert encoded.content[length:] == x.tobytes() and len(encoded.content) == length + 16


def test_numeric_answers_are_views_of_the_body_and_inputs_are_not_listed() -> None:
    big = np.arange(1 << 16, dtype=np.float32)
    tensor = tensors.wire_tensor("x", big)
    assert isinstance(tensor.raw(), memoryview) and np.shares_memory(np.frombuffer(tensor.raw(), np.float32), big)
    headers, body = _echo(rest.encode_infer({"x": big}, outputs=None, binary=True))
    out = rest.decode_infer(headers, body)["x"]
    assert not out.flags.writeable and out.base is not None  # np.frombuffer over the answer, no copy
    _same(out, big)


def test_explicit_datatypes_convert_and_unknown_ones_are_refused() -> None:
    encoded = rest.encode_infer({"x": Tensor([1, 2, 3], "fp16")}, outputs=None, binary=True)
    _same(rest.decode_infer(*_echo(encoded))["x"], np.array([1, 2, 3], dtype=np.float16))
    with pytest.raises(TensorCodecError, match="unknown tensor datatype 'FP8'"):
        rest.encode_infer({"x": Tensor([1], "FP8")}, outputs=None, binary=True)
    with pytest.raises(TensorCodecError, match="no tensor datatype for numpy dtype complex128"):
        rest.encode_infer({"x": np.array([1j])}, outputs=None, binary=True)
    with pytest.raises(TensorCodecError, match="not UTF-8 text"):
        rest.encode_infer({"x": np.array([b"\xff"], dtype=object)}, outputs=None, binary=False)
    with pytest.raises(TensorCodecError, match="at least one input"):
        rest.encode_infer({}, outputs=None, binary=True)


@pytest.mark.parametrize(
    "headers, body, message",
    [
        ({rest.HEADER_LENGTH: "x1"}, b"{}", "is not a number"),
        ({rest.HEADER_LENGTH: "99"}, b"{}", "the body has only 2 bytes"),
        ({rest.HEADER_LENGTH: "-1"}, b"{}", "is -1"),
        ({rest.HEADER_LENGTH: "3"}, b"{x}", "not JSON"),
        ({}, b'{"outputs": {}}', "no list of outputs"),
        ({}, b'{"outputs": [{"name": "y", "shape": [2]}]}', "lacks its name or datatype"),
        ({}, b'{"outputs": [{"name": "y", "datatype": "FP32", "shape": "2"}]}', "no shape of integers"),
        ({}, b'{"outputs": [{"name": "y", "datatype": "FP32", "shape": [3], "data": [1, 2]}]}', "do not fill the shape"),
        ({}, b'{"outputs": [{"name": "y", "datatype": "FP32", "shape": [1], "data": ["a"]}]}', "does not hold numbers"),
        ({}, b'{"outputs": [{"name": "y", "datatype": "COMPLEX", "shape": [1], "data": [1]}]}', "unknown tensor datatype"),
    ],
)
def test_malformed_answers_are_clear_errors(headers: dict[str, str], body: bytes, message: str) -> None:
    with pytest.raises(TensorCodecError, match=message):
        rest.decode_infer(headers, body)


def test_short_bodies_and_truncated_bytes_elements_are_clear_errors() -> None:
    entry = {"name": "y", "datatype": "FP32", "shape": [4], "parameters": {"binary_data_size": 16}}
    with pytest.raises(TensorCodecError, match="needs 16 bytes at offset 0, but the body holds only 8"):
        rest.decode_infer(*_answer({"outputs": [entry]}, b"\x00" * 8))
    odd = {**entry, "parameters": {"binary_data_size": 6}}
    with pytest.raises(TensorCodecError, match="do not hold whole FP32 elements"):
        rest.decode_infer(*_answer({"outputs": [odd]}, b"\x00" * 6))
    cut = {"name": "s", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": 6}}
    with pytest.raises(TensorCodecError, match="runs past the tensor's end"):
        rest.decode_infer(*_answer({"outputs": [cut]}, struct.pack("<I", 5) + b"ab"))
    with pytest.raises(TensorCodecError, match="inside an element's length"):
        rest.decode_infer(*_answer({"outputs": [{**cut, "parameters": {"binary_data_size": 2}}]}, b"\x01\x00"))
    negative = {**entry, "parameters": {"binary_data_size": -4}}
    with pytest.raises(TensorCodecError, match="invalid binary_data_size"):
        rest.decode_infer(*_answer({"outputs": [negative]}, b""))


def test_binary_and_json_outputs_mix_in_one_answer() -> None:
    raw = np.array([1, 2], dtype="<i8").tobytes()
    outputs = [
        {"name": "a", "datatype": "INT64", "shape": [2], "parameters": {"binary_data_size": 16}},
        {"name": "b", "datatype": "BYTES", "shape": [2], "data": ["x", "yz"]},
    ]
    decoded = rest.decode_infer(*_answer({"model_name": "m", "outputs": outputs}, raw))
    _same(decoded["a"], np.array([1, 2], dtype=np.int64))
    _same(decoded["b"], np.array([b"x", b"yz"], dtype=object))


@pytest.mark.parametrize(
    "metadata, binary",
    [
        ({"name": "triton", "version": "2.50.0", "extensions": ["classification", "binary_tensor_data"]}, True),
        ({"name": "kserve", "version": "0.21.0", "extensions": ["model_repository_extension"]}, True),
        ({"name": "kserve", "version": "0.13.1", "extensions": []}, False),
        ({"name": "mlserver", "version": "1.6.0", "extensions": []}, False),
        (None, False),
    ],
)
def test_binary_support_is_read_from_the_server_metadata(metadata: object, binary: bool) -> None:
    assert rest.supports_binary(metadata) is binary


def _mock_client(handler: Any, *, asynchronous: bool = False) -> Any:
    if asynchronous:
        return client_module.AsyncClient("http://h", http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)))
    return client_module.Client("http://h", http_client=httpx.Client(transport=httpx.MockTransport(handler)))


def _server(extensions: list[str], seen: list[httpx.Request]) -> Any:
    """A server that lists ``extensions`` in its metadata and echoes inference requests in their own form."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/v2":
            return httpx.Response(200, json={"name": "srv", "version": "1", "extensions": extensions})
        body = request.content
        length = request.headers.get(rest.HEADER_LENGTH)
        if length is None:
            entries = json.loads(body)["inputs"]
            return httpx.Response(200, json={"outputs": entries})
        headers, answer = _echo(rest.EncodedInfer(body, {rest.HEADER_LENGTH: length}))
        return httpx.Response(200, headers=headers, content=answer)

    return handle


@pytest.mark.parametrize("extensions, binary", [(["binary_tensor_data"], True), ([], False)])
def test_infer_arrays_asks_the_metadata_once_then_sends_binary_or_json(extensions: list[str], binary: bool) -> None:
    seen: list[httpx.Request] = []
    x = np.arange(6, dtype=np.int64).reshape(2, 3)
    with _mock_client(_server(extensions, seen)) as client:
        for _ in range(2):
            _same(client.infer_arrays(model_name="m", inputs={"x": x})["x"], x)
        _same(client.infer_arrays(model_name="m", inputs={"x": x}, binary=False, model_version="3")["x"], x)
    assert [request.url.path for request in seen] == ["/v2", "/v2/models/m/infer", "/v2/models/m/infer", "/v2/models/m/versions/3/infer"]
    assert [rest.HEADER_LENGTH in request.headers for request in seen[1:]] == [binary, binary, False]


def test_infer_arrays_decoding_failure_is_a_response_validation_error_and_async_matches() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={rest.HEADER_LENGTH: "500"}, content=b"{}")

    client = _mock_client(broken)
    client.binary_extension = True  # decided without asking the server
    with pytest.raises(client_module.APIResponseValidationError, match="cannot be decoded: Inference-Header-Content-Length is 500"):
        client.infer_arrays(model_name="m", inputs={"x": [1.0]})

    async def run() -> Any:
        seen: list[httpx.Request] = []
        async with _mock_client(_server(["binary_tensor_data"], seen), asynchronous=True) as aclient:
            out = await aclient.infer_arrays(model_name="m", inputs={"s": np.array([b"a", b"bc"], dtype=object)})
        assert rest.HEADER_LENGTH in seen[-1].headers
        return out["s"]

    _same(asyncio.run(run()), np.array([b"a", b"bc"], dtype=object))
