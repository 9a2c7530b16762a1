"""The gRPC side of the OIP tensor codec (KServe golden, installed from its wheel): messages from arrays and back.

Every datatype through a serialized ``ModelInferRequest``/``ModelInferResponse``
(read back by protobuf itself), raw contents spliced in and viewed out without
copies, typed contents, and malformed wire data as clear errors.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from tests.test_oip_codec import PKG, SAMPLES, TensorCodecError, _same, client_module

grpc_core = importlib.import_module(f"{PKG}._runtime._grpc_core")
grpc_proto = importlib.import_module(f"{PKG}._runtime._grpc_proto")
wire = importlib.import_module(f"{PKG}._runtime._grpc_wire")


@pytest.mark.parametrize("datatype", sorted(SAMPLES))
def test_every_datatype_round_trips_through_the_grpc_messages(datatype: str) -> None:
    messages = grpc_proto.messages()
    array = SAMPLES[datatype]
    data = grpc_core.infer_request(messages, "m", "2", {"t": array}, ["t"], "id-1", {"flag": True, "n": 3})
    wire = messages.ModelInferRequest.FromString(data)  # protobuf itself reads the spliced raw contents
    assert (wire.model_name, wire.model_version, wire.id, list(wire.inputs[0].shape)) == ("m", "2", "id-1", list(array.shape))
    assert wire.parameters["flag"].bool_param is True and wire.parameters["n"].int64_param == 3
    assert [output.name for output in wire.outputs] == ["t"] and len(wire.raw_input_contents) == 1
    answer = messages.ModelInferResponse(model_name="m", id="id-1")
    answer.outputs.add(name="t", datatype=datatype, shape=wire.inputs[0].shape)
    answer.raw_output_contents.append(wire.raw_input_contents[0])
    _same(grpc_core.infer_arrays(messages, answer.SerializeToString(), "h:1")["t"], array)


def test_grpc_raw_contents_are_spliced_in_and_viewed_out_without_copies() -> None:
    messages = grpc_proto.messages()
    x, y = np.arange(1000, dtype=np.float32), np.arange(3, dtype=np.int64)
    answer = messages.ModelInferResponse(model_name="m")
    answer.outputs.add(name="x", datatype="FP32", shape=[1000])
    answer.outputs.add(name="y", datatype="INT64", shape=[3])
    answer.raw_output_contents.extend([x.tobytes(), y.tobytes()])
    data = answer.SerializeToString()
    rest, raws = wire.split_response(data)
    assert messages.ModelInferResponse.FromString(rest) == messages.ModelInferResponse(model_name="m", outputs=answer.outputs)
    assert [bytes(raw) for raw in raws] == [x.tobytes(), y.tobytes()] and all(raw.obj is data for raw in raws)
    out = grpc_core.infer_arrays(messages, data, "h:1")
    _same(out["x"], x)
    _same(out["y"], y)
    assert np.shares_memory(out["x"], np.frombuffer(data, np.uint8))  # a view of the received bytes
    assert wire.varint(300) == b"\xac\x02" and wire.varint(0) == b"\x00"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x32\x10ab", "runs past the answer's end"),
        (b"\x0a\xff\xff", "malformed varint"),
        (b"\x0b", "unsupported protobuf wire type 3"),
        (b"\x09\x00", "runs past the answer's end"),
    ],
)
def test_malformed_grpc_answers_are_validation_errors(data: bytes, message: str) -> None:
    with pytest.raises(TensorCodecError, match=message):
        wire.split_response(data)
    with pytest.raises(client_module.APIResponseValidationError, match=message):
        grpc_core.infer_arrays(grpc_proto.messages(), data, "h:1")


def test_grpc_typed_contents_are_read_and_bad_raw_counts_are_validation_errors() -> None:
    messages = grpc_proto.messages()
    answer = messages.ModelInferResponse()
    answer.outputs.add(name="f", datatype="FP32", shape=[2]).contents.fp32_contents.extend([1.5, 2.5])
    answer.outputs.add(name="s", datatype="BYTES", shape=[1]).contents.bytes_contents.append(b"ok")
    decoded = grpc_core.infer_arrays(messages, answer.SerializeToString(), "h:1")
    _same(decoded["f"], np.array([1.5, 2.5], np.float32))
    _same(decoded["s"], np.array([b"ok"], dtype=object))
    answer.raw_output_contents.append(b"\x00" * 8)
    with pytest.raises(client_module.APIResponseValidationError, match="2 outputs but 1 raw contents"):
        grpc_core.infer_arrays(messages, answer.SerializeToString(), "h:1")
