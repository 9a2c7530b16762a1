"""The gRPC descriptor shipped in generated OIP clients is what ``proto/compile.py`` makes of our proto.

``proto/open_inference.proto`` is compiled by grpcio-tools' protoc (a test
dependency, pinned) into ``templates/package/_runtime/_grpc_proto.py.jinja``;
this test compiles it again and compares bytes, so the two never drift apart,
and checks that the descriptor declares the protocol's service and field numbers.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from google.protobuf import descriptor_pb2

ROOT = Path(__file__).resolve().parents[1]


def _compile_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("proto_compile", ROOT / "proto" / "compile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_descriptor_module_is_what_compile_writes() -> None:
    compiler = _compile_module()
    assert compiler.TARGET.read_text() == compiler.module_text(compiler.descriptor_bytes()), (
        "templates/package/_runtime/_grpc_proto.py.jinja is stale: run .venv/bin/python proto/compile.py "
        "and .venv/bin/python fixtures/regenerate.py"
    )


def test_descriptor_declares_the_protocol_service_and_wire_numbers() -> None:
    proto = descriptor_pb2.FileDescriptorProto.FromString(_compile_module().descriptor_bytes())
    assert proto.package == "inference"
    (service,) = proto.service
    assert service.name == "GRPCInferenceService"
    assert [method.name for method in service.method] == [
        "ServerLive", "ServerReady", "ModelReady", "ServerMetadata", "ModelMetadata", "ModelInfer"
    ]
    messages = {message.name: message for message in proto.message_type}
    request = {field.name: field.number for field in messages["ModelInferRequest"].field}
    assert request == {"model_name": 1, "model_version": 2, "id": 3, "parameters": 4, "inputs": 5, "outputs": 6, "raw_input_contents": 7}
    response = {field.name: field.number for field in messages["ModelInferResponse"].field}
    assert response["outputs"] == 5 and response["raw_output_contents"] == 6
    tensor = {field.name: field.number for field in messages["ModelInferRequest"].nested_type[0].field}
    assert tensor == {"name": 1, "datatype": 2, "shape": 3, "parameters": 4, "contents": 5}
