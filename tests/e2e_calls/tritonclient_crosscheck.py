"""The generated OIP codec against tritonclient's own encoder and decoder (no Triton server needed).

Runs in a test-only environment holding ``tritonclient[http,grpc]`` and the KServe
golden package (see tests/test_tritonclient_crosscheck.py). For every datatype:

* REST binary: our request body and tritonclient's ``generate_request_body`` for the
  same array declare the same tensor and carry byte-identical tensor data; an answer
  written from either body decodes to the same array with tritonclient's
  ``parse_response_body`` and with ours;
* REST JSON: both send the same element list;
* gRPC: each side's ``ModelInferRequest`` parses with the other's message classes to
  the same tensors and raw contents, and a ``ModelInferResponse`` built with
  tritonclient's classes decodes to the same array with its ``InferResult`` and ours.
"""

from __future__ import annotations

import json
from typing import Any

import ml_dtypes
import numpy as np
import tritonclient.grpc as tgrpc
import tritonclient.http as thttp
from tritonclient.grpc import service_pb2
from tritonclient.grpc._utils import _get_inference_request

from k_serve_model_server_client._runtime import _grpc_core, _grpc_proto, _oip_rest

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
    "FP16": np.array([1.5, -2.25, 65504.0], dtype=np.float16),
    "FP32": np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7,
    "FP64": np.array([np.pi, -1e300]),
    "BF16": np.array([[1.0, -2.5], [3.140625, 0.0]], dtype=ml_dtypes.bfloat16),
    "BYTES": np.array([[b"abc", b""], [b"\x00\xff", "h\u00e9llo".encode()]], dtype=object),
}


def same(ours: Any, theirs: Any, datatype: str) -> None:
    if datatype == "BF16":  # ours answers float32 (exact), tritonclient ml_dtypes.bfloat16
        theirs = theirs.astype(np.float32)
    assert ours.shape == theirs.shape, (datatype, ours.shape, theirs.shape)
    if datatype == "BYTES":
        assert ours.tolist() == theirs.tolist(), (datatype, ours, theirs)
    else:
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs), (datatype, ours, theirs)


def split(body: bytes, length: int) -> tuple[dict[str, Any], bytes]:
    return json.loads(body[:length]), body[length:]


def as_answer(header: dict[str, Any], tail: bytes) -> tuple[bytes, int]:
    """An echo server's answer to a request: its inputs as outputs, the same bytes after the header."""
    outputs = [{key: entry[key] for key in ("name", "shape", "datatype", "parameters")} for entry in header["inputs"]]
    text = json.dumps({"model_name": "m", "outputs": outputs}).encode()
    return text + tail, len(text)


def check_rest(datatype: str, array: Any) -> None:
    ours = _oip_rest.encode_infer({"t": array}, outputs=["t"], binary=True)
    our_header, our_tail = split(ours.content, int(ours.headers[_oip_rest.HEADER_LENGTH]))
    tensor = thttp.InferInput("t", list(array.shape), datatype)
    tensor.set_data_from_numpy(array, binary_data=True)
    body, length = thttp.InferenceServerClient.generate_request_body([tensor], outputs=[thttp.InferRequestedOutput("t", binary_data=True)])
    their_header, their_tail = split(body, length)
    assert our_tail == their_tail, datatype  # the tensor bytes, byte for byte
    assert our_header["inputs"] == their_header["inputs"], (our_header, their_header)
    assert our_header["outputs"] == their_header["outputs"], (our_header, their_header)
    for header, tail in ((our_header, our_tail), (their_header, their_tail)):
        answer, size = as_answer(header, tail)
        theirs = thttp.InferenceServerClient.parse_response_body(answer, header_length=size).as_numpy("t")
        mine = _oip_rest.decode_infer({_oip_rest.HEADER_LENGTH: str(size)}, answer)["t"]
        same(mine, theirs, datatype)
        same(mine, array.astype(np.float32) if datatype == "BF16" else array, datatype)
    if datatype not in ("BF16", "BYTES"):  # tritonclient sends neither as JSON the same way
        json_tensor = thttp.InferInput("t", list(array.shape), datatype)
        json_tensor.set_data_from_numpy(array, binary_data=False)
        json_body, _ = thttp.InferenceServerClient.generate_request_body([json_tensor])
        ours_json = json.loads(_oip_rest.encode_infer({"t": array}, outputs=None, binary=False).content)
        assert ours_json["inputs"][0]["data"] == json.loads(json_body)["inputs"][0]["data"], datatype


def check_grpc(datatype: str, array: Any) -> None:
    messages = _grpc_proto.messages()
    ours = service_pb2.ModelInferRequest.FromString(
        _grpc_core.infer_request(messages, "m", "1", {"t": array}, ["t"], "7", None)
    )
    tensor = tgrpc.InferInput("t", list(array.shape), datatype)
    tensor.set_data_from_numpy(array)
    theirs = _get_inference_request(
        "m", [tensor], "1", "7", [tgrpc.InferRequestedOutput("t")], 0, False, False, 0, None, None
    )
    assert list(ours.raw_input_contents) == list(theirs.raw_input_contents), datatype
    for field in ("model_name", "model_version", "id"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert [(i.name, i.datatype, list(i.shape)) for i in ours.inputs] == [(i.name, i.datatype, list(i.shape)) for i in theirs.inputs]
    assert [o.name for o in ours.outputs] == [o.name for o in theirs.outputs]
    parsed = messages.ModelInferRequest.FromString(theirs.SerializeToString())  # theirs, read by ours
    assert list(parsed.raw_input_contents) == list(theirs.raw_input_contents)
    answer = service_pb2.ModelInferResponse(model_name="m", id="7")
    answer.outputs.add(name="t", datatype=datatype, shape=list(array.shape))
    answer.raw_output_contents.append(theirs.raw_input_contents[0])
    mine = _grpc_core.infer_arrays(messages, answer.SerializeToString(), "h:1")["t"]
    same(mine, tgrpc.InferResult(answer).as_numpy("t"), datatype)


if __name__ == "__main__":
    for name, sample in SAMPLES.items():
        check_rest(name, sample)
        check_grpc(name, sample)
    print(f"ok datatypes={len(SAMPLES)}")
