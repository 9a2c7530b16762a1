"""What svcgen infers about ML payloads, streams and tasks from a document (generated, imported, called)."""

from __future__ import annotations

import ast
import asyncio
import base64
import importlib
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from svcgen import Config, build_files  # noqa: E402
from svcgen.source.bentoml_facts import merge_facts  # noqa: E402
from svcgen.source.normalize import normalize  # noqa: E402
from svcgen.source.schema_keys import model_schema  # noqa: E402
from tests.runtime_support import BASE, Recorder  # noqa: E402
from tests.support.wheels import installed  # noqa: E402

SPECS = REPO_ROOT / "fixtures" / "specs"
_counter = iter(range(10_000))


@pytest.fixture
def generate(tmp_path: Path) -> Iterator[Any]:
    """Generate ``document`` under a unique package name, install its wheel, import it, and clean up."""
    names: list[str] = []
    sites: list[str] = []

    def _generate(document: dict[str, Any]) -> ModuleType:
        name = f"payload_test_{next(_counter)}"
        files = build_files(document, Config(source="test", name=name)).files
        for relative, text in files.items():
            path = tmp_path / name / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        names.append(name)
        sites.append(str(installed(tmp_path / name)))
        sys.path.insert(0, sites[-1])
        return importlib.import_module(name)

    yield _generate
    for site in sites:
        sys.path.remove(site)
    for name in [n for n in sys.modules if n.split(".")[0] in names]:
        del sys.modules[name]


def doc(paths: dict[str, Any], schemas: dict[str, Any] | None = None, version: str = "3.1.0") -> dict[str, Any]:
    return {"openapi": version, "info": {"title": "T", "version": "1"}, "paths": paths, "components": {"schemas": schemas or {}}}


def post(request: dict[str, Any] | None, response: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": "op", "responses": {"200": {"description": "ok", "content": response}}}
    if request is not None:
        op["requestBody"] = {"required": True, "content": request}
    return {"post": op}


# --- /schema.json facts --------------------------------------------------------------------


def test_merge_facts_marks_routes_and_reports_what_it_cannot_match() -> None:
    document = {"openapi": "3.0.2", "paths": {"/a": {"post": {"x-bentoml-name": "a"}}}}
    facts = {
        "routes": [
            {"route": "/a", "is_task": True, "batchable": True, "output": {"type": "tensor", "dtype": "float32", "is_stream": False}},
            {"route": "/missing", "output": {}},
            "junk",
        ]
    }
    merged, notes = merge_facts(document, facts)
    op = merged["paths"]["/a"]["post"]
    assert op["x-bentoml-task"] is True and op["x-bentoml-batchable"] is True
    assert op["x-bentoml-output"] == {"type": "tensor", "dtype": "float32"}
    assert "x-bentoml-stream" not in op and "x-bentoml-output" not in document["paths"]["/a"]["post"]
    assert len(notes) == 2 and "/missing" in notes[0]
    assert merge_facts(document, ["not", "a", "mapping"])[1] == ["schema.json has no 'routes' list: merged nothing"]


def test_merged_facts_make_an_optional_bentoml_output_nullable() -> None:
    plain = json.loads((SPECS / "raw" / "calculator.docs.json").read_text())
    merged = json.loads((SPECS / "calculator.json").read_text())
    plain_client = build_files(plain, Config(source="x")).files["calculator_client/_client.py"]
    merged_client = build_files(merged, Config(source="x")).files["calculator_client/_client.py"]
    assert _returns(plain_client, "maybe") == "int"
    assert _returns(merged_client, "maybe") == "int | None"


def _returns(source: str, method: str) -> str:
    """The return annotation of ``Client.<method>``."""
    tree = ast.parse(source)
    client = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Client")
    function = next(node for node in client.body if isinstance(node, ast.FunctionDef) and node.name == method)
    assert function.returns is not None
    return ast.unparse(function.returns)


def test_plain_docs_still_give_streams_tasks_and_shapeless_arrays() -> None:
    client = (REPO_ROOT / "fixtures" / "golden" / "jobs-plain" / "jobs_client" / "_client.py").read_text()
    assert "def count(" in client and "-> ResponseStream[str]:" in client
    assert "def train(self) -> _TrainTaskAPI:" in client and "def train_submit" not in client
    arrays = (REPO_ROOT / "fixtures" / "golden" / "arrays-plain" / "arrays_client" / "_client.py").read_text()
    assert "def standardize(" in arrays and ") -> list[Any]:" in arrays


# --- normalisation -------------------------------------------------------------------------


def test_base64_strings_become_bytes_and_model_hooks_are_dropped() -> None:
    raw = doc({}, {"M": {"type": "object", "x-python-type": "os.system", "properties": {
        "a": {"type": "string", "format": "byte"},
        "b": {"type": "string", "contentEncoding": "base64", "contentMediaType": "image/png"},
        "c": {"type": "string", "x-python-import": {"module": "os", "name": "system"}},
    }}})
    schema = normalize(raw)["components"]["schemas"]["M"]
    given = model_schema(schema)  # what the models stage hands datamodel-code-generator
    assert "x-python-type" not in given and "x-python-import" not in given["properties"]["c"]
    assert schema["properties"]["a"] == {"type": "string", "format": "binary", "x-svcgen-encoding": "base64"}
    assert schema["properties"]["b"]["x-svcgen-encoding"] == "base64" and "contentEncoding" not in schema["properties"]["b"]


def test_base64_fields_take_bytes_paths_files_and_decode_to_bytes(generate: Any, tmp_path: Path) -> None:
    schemas = {
        "Audio": {"type": "object", "required": ["audio"], "properties": {"audio": {"type": "string", "format": "byte"}, "rate": {"type": "integer"}}},
        "Echo": {"type": "object", "required": ["audio"], "properties": {"audio": {"type": "string", "contentEncoding": "base64"}}},
    }
    request = {"application/json": {"schema": {"$ref": "#/components/schemas/Audio"}}}
    response = {"application/json": {"schema": {"$ref": "#/components/schemas/Echo"}}}
    package = generate(doc({"/echo": post(request, response)}, schemas))
    reply = httpx.Response(200, json={"audio": base64.b64encode(b"\x00\xffraw").decode()})
    recorder = Recorder(reply)
    client = package.Client(BASE, http_client=recorder.sync_http())
    path = tmp_path / "clip.raw"
    path.write_bytes(b"\x01\x02")
    for value in (b"\x01\x02", path, path.open("rb")):
        echo = client.op(audio=value, rate=8000)
        assert json.loads(recorder.last.content) == {"audio": base64.b64encode(b"\x01\x02").decode(), "rate": 8000}
        assert echo.audio == b"\x00\xffraw"


# --- media inference (not BentoML) ---------------------------------------------------------


def test_multipart_binary_part_uses_the_encoding_content_type(generate: Any) -> None:
    request = {"multipart/form-data": {
        "schema": {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}, "meta": {"type": "object"}, "n": {"type": "integer"}}},
        "encoding": {"file": {"contentType": "audio/flac"}},
    }}
    package = generate(doc({"/up": post(request, {"application/json": {"schema": {"type": "integer"}}})}))
    recorder = Recorder(httpx.Response(200, json=1))
    package.Client(BASE, http_client=recorder.sync_http()).op(file=b"fLaC...", meta={"k": 1}, n=3)
    body = recorder.last.content
    assert b'name="file"; filename="file"\r\nContent-Type: audio/flac' in body
    assert b'name="meta"\r\nContent-Type: application/json\r\n\r\n{"k":1}' in body
    assert b'name="n"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n3' in body


def test_raw_image_body_detects_the_type_for_a_wildcard(generate: Any) -> None:
    package = generate(doc({"/img": post({"image/*": {"schema": {"type": "string", "format": "binary"}}}, {"application/json": {"schema": {"type": "string"}}})}))
    recorder = Recorder(httpx.Response(200, json="ok"))
    package.Client(BASE, http_client=recorder.sync_http()).op(body=b"\xff\xd8\xff\xe0jpeg")
    assert recorder.last.headers["content-type"] == "image/jpeg"


def test_sse_events_are_decoded_into_the_declared_model(generate: Any) -> None:
    schemas = {"Token": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}}
    response = {"text/event-stream": {"schema": {"$ref": "#/components/schemas/Token"}}}
    package = generate(doc({"/gen": post({"application/json": {"schema": {"type": "object", "properties": {"prompt": {"type": "string"}}}}}, response)}, schemas))
    body = b'data: {"text": "a"}\n\n: keep-alive\n\ndata: {"text": "b"}\n\ndata: [DONE]\n\n'
    recorder = Recorder(httpx.Response(200, content=body, headers={"content-type": "text/event-stream"}))
    stream = package.Client(BASE, http_client=recorder.sync_http()).op(prompt="hi")
    assert [token.text for token in stream] == ["a", "b"]


def test_sse_events_follow_validate_responses(generate: Any, caplog: pytest.LogCaptureFixture) -> None:
    """A streamed event that does not match its model raises in strict mode; lenient builds the
    model without validation and warns once per event; off builds it silently. Sync and async alike."""
    schemas = {"Token": {"type": "object", "required": ["text", "n"], "properties": {"text": {"type": "string"}, "n": {"type": "integer"}}}}
    response = {"text/event-stream": {"schema": {"$ref": "#/components/schemas/Token"}}}
    package = generate(doc({"/gen": post({"application/json": {"schema": {"type": "object", "properties": {"prompt": {"type": "string"}}}}}, response)}, schemas))
    body = b'data: {"text": "a", "n": 1}\n\ndata: {"text": "b", "n": "many"}\n\ndata: [DONE]\n\n'

    answer = httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
    strict = package.Client(BASE, http_client=Recorder(answer).sync_http())
    with pytest.raises(package.APIResponseValidationError, match="streamed event"):
        list(strict.op(prompt="hi"))
    logger = package.__name__
    with caplog.at_level(logging.WARNING, logger=logger):
        tokens = list(strict.with_options(validate_responses="lenient").op(prompt="hi"))
    assert [type(token).__name__ for token in tokens] == ["Token", "Token"]
    assert [(token.text, token.n) for token in tokens] == [("a", 1), ("b", "many")]
    [record] = [r for r in caplog.records if r.name == logger]
    assert "POST /gen: a streamed event" in record.getMessage() and "Token" in record.getMessage() and "fields n" in record.getMessage()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=logger):
        assert [token.n for token in strict.with_options(validate_responses="off").op(prompt="hi")] == [1, "many"]
    assert [r for r in caplog.records if r.name == logger] == []

    async def read_async() -> list[Any]:
        async with package.AsyncClient(BASE, http_client=Recorder(answer).async_http(), validate_responses="lenient") as client:
            return [token async for token in await client.op(prompt="hi")]

    assert [token.n for token in asyncio.run(read_async())] == [1, "many"]


def test_sse_string_events_yield_their_data(generate: Any) -> None:
    package = generate(doc({"/gen": {"get": {"operationId": "op", "responses": {"200": {"description": "ok", "content": {"text/event-stream": {"schema": {"type": "string"}}}}}}}}))
    recorder = Recorder(httpx.Response(200, content=b"data: x\n\ndata: y\ndata: z\n\n", headers={"content-type": "text/event-stream"}))
    assert list(package.Client(BASE, http_client=recorder.sync_http()).op()) == ["x", "y\nz"]


def test_hostile_dtype_shape_and_media_type_never_reach_code() -> None:
    schemas = {"f__Input": {"type": "object", "properties": {
        "x": {"type": "tensor", "dtype": "float32\"); import os; (\"", "shape": ["__import__('os')", 2]},
        "y": {"type": "file", "content_type": "audio/wav\"\nimport os"},
    }}}
    paths = {"/f": {"post": {"x-bentoml-name": "f", "operationId": "S__f", "requestBody": {"content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/f__Input"}}}}, "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "integer"}}}}}}}}
    client = build_files(doc(paths, schemas, "3.0.2"), Config(source="x")).files["t_client/_client.py"]
    assert "import os" not in client
    # The hostile values are dropped: no dtype, no shape, no content type.
    assert '"x": _codecs.Tensor(),' in client and '"y": _codecs.File(),' in client
