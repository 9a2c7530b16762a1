"""Open Inference Protocol servers are recognised by their infer route and request shape, in any document."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from svcgen import Config, build_files
from svcgen.ir.oip import oip_prefix
from tests.support.generated_pkg import CORPUS

ROOT = Path(__file__).resolve().parents[1]
KSERVE = json.loads((ROOT / "fixtures" / "specs" / "kserve.json").read_text())
TENSOR = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "shape": {"type": "array", "items": {"type": "integer"}},
                   "datatype": {"type": "string"}, "data": {}},
}


def _mounted(prefix: str, body: dict[str, Any]) -> dict[str, Any]:
    """A FastAPI-style service that mounts the protocol's infer route below ``prefix`` (title says nothing)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shop Recommender", "version": "1.0"},
        "paths": {
            f"{prefix}/v2/models/{{model_name}}/infer": {
                "post": {
                    "operationId": "infer",
                    "parameters": [{"name": "model_name", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"content": {"application/json": {"schema": body}}, "required": True},
                    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {}}}}},
                }
            },
            "/health": {"get": {"operationId": "health", "responses": {"200": {"description": "OK"}}}},
        },
        "components": {"schemas": {"Tensor": TENSOR, "Request": {"type": "object", "properties": {"inputs": {"type": "array", "items": {"$ref": "#/components/schemas/Tensor"}}}}}},
    }


def test_kserve_and_the_protocol_document_are_recognised_at_the_root() -> None:
    assert oip_prefix(KSERVE) == ""
    assert oip_prefix(yaml.safe_load((CORPUS / "open-inference-protocol-rest.yaml").read_text())) == ""


@pytest.mark.parametrize("prefix, expected", [("", ""), ("/api/ml", "api/ml/")])
def test_a_service_mounting_the_routes_is_recognised_with_its_prefix(prefix: str, expected: str) -> None:
    document = _mounted(prefix, {"$ref": "#/components/schemas/Request"})
    assert oip_prefix(document) == expected
    files = build_files(document, Config(source="mounted.json")).files
    client = files["shop_recommender_client/_client.py"]
    assert f"_oip_prefix = {expected!r}" in client.replace('"', "'") and "class Client(SyncOipClient)" in client
    assert "shop_recommender_client/_runtime/_grpc_client.py" in files
    pyproject = files["pyproject.toml"]
    assert "\ngrpc = [" in pyproject and '"grpcio>=1.66.2,<2"' in pyproject and '"protobuf>=4.25,<7"' in pyproject


@pytest.mark.parametrize(
    "body",
    [
        {"type": "object", "properties": {"instances": {"type": "array"}}},  # v1-style body
        {"type": "object", "properties": {"inputs": {"type": "array", "items": {"type": "string"}}}},  # not tensors
        {},
    ],
    ids=["instances", "string-inputs", "untyped"],
)
def test_the_route_alone_is_not_enough(body: dict[str, Any]) -> None:
    document = _mounted("", body)
    assert oip_prefix(document) is None
    files = build_files(document, Config(source="mounted.json")).files
    assert "class Client(SyncAPIClient)" in files["shop_recommender_client/_client.py"]
    assert not any("_grpc" in path or "_oip" in path for path in files)
    assert "grpc" not in files["pyproject.toml"]


def test_shapes_are_followed_through_any_of_and_other_routes_do_not_count() -> None:
    document = copy.deepcopy(KSERVE)
    del document["paths"]["/v2/models/{model_name}/infer"]
    assert oip_prefix(document) is None  # health, metadata and v1 routes alone are not the protocol's inference
    wrapped = _mounted("", {"anyOf": [{"type": "null"}, {"allOf": [{"$ref": "#/components/schemas/Request"}]}]})
    assert oip_prefix(wrapped) == ""
    assert oip_prefix(_mounted("", {"$ref": "#/components/schemas/Missing"})) is None
    cyclic = _mounted("", {"$ref": "#/components/schemas/Loop"})
    cyclic["components"]["schemas"]["Loop"] = {"$ref": "#/components/schemas/Loop"}
    assert oip_prefix(cyclic) is None
