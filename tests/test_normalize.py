"""Normalisation to OpenAPI 3.1 (``svcgen.source.normalize``, ``svcgen.source.spec``) and end-to-end code validity."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import svcgen
from svcgen.core.errors import SvcgenError
from svcgen.source.normalize import MAX_DEPTH, normalize
from svcgen.source.spec import parse
from tests.support.wheels import installed, python_env

VENV_PYTHON = Path(sys.executable)
SPECS = Path(__file__).resolve().parents[1] / "fixtures" / "specs"


def doc(schemas: dict | None = None, paths: dict | None = None, version: str = "3.1.0") -> dict:
    return {
        "openapi": version,
        "info": {"title": "Probe", "version": "1.0.0"},
        "paths": paths or {},
        "components": {"schemas": schemas or {}},
    }


def schema_of(document: dict, name: str = "S") -> dict:
    return normalize(document)["components"]["schemas"][name]


def test_bentoml_302_label_with_31_constructs_parses() -> None:
    raw = doc(
        {
            "S": {
                "type": "object",
                "properties": {
                    "maybe": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    "kind": {"const": "fixed"},
                    "positive": {"type": "number", "exclusiveMinimum": 0},
                    "pair": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}]},
                },
            }
        },
        version="3.0.2",
    )
    normalized, model = parse(raw)
    assert normalized["openapi"] == "3.1.0" and raw["openapi"] == "3.0.2"
    props = normalized["components"]["schemas"]["S"]["properties"]
    assert props["maybe"]["type"] == ["string", "null"]
    assert props["positive"]["exclusiveMinimum"] == 0
    assert model.components is not None and "S" in model.components.schemas


def test_normalize_does_not_modify_its_input() -> None:
    raw = doc({"S": {"type": "string", "nullable": True}}, version="3.0.3")
    before = copy.deepcopy(raw)
    normalize(raw)
    assert raw == before


def test_nullable_becomes_a_null_type_and_enum_gets_none() -> None:
    got = schema_of(doc({"S": {"type": "string", "nullable": True, "enum": ["a", "b"]}}))
    assert got == {"type": ["string", "null"], "enum": ["a", "b", None]}
    ref = schema_of(doc({"S": {"$ref": "#/components/schemas/T", "nullable": True, "description": "d"}, "T": {"type": "integer"}}))
    assert ref == {"anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}], "description": "d"}
    assert schema_of(doc({"S": {"type": "integer", "nullable": False}})) == {"type": "integer"}


def test_boolean_exclusive_bounds_become_numeric() -> None:
    got = schema_of(doc({"S": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1, "exclusiveMaximum": False}}))
    assert got == {"type": "number", "exclusiveMinimum": 0, "maximum": 1}


def test_bentoml_types_become_json_schema_and_keep_the_original() -> None:
    tensor = {"type": "tensor", "format": "numpy-array", "dtype": "float32", "shape": [-1, 4]}
    frame = {"type": "dataframe", "orient": "records", "columns": ["a", "b"]}
    image = {"type": "file", "format": "image", "pil": True}
    audio = {"type": "file", "content_type": "audio/wav"}
    got = normalize(doc({"T": tensor, "D": frame, "I": image, "A": audio}))["components"]["schemas"]
    assert got["T"] == {**tensor, "type": "array", "x-bentoml-type": "tensor"}
    assert got["D"] == {**frame, "type": "array", "x-bentoml-type": "dataframe"}
    assert got["I"]["type"] == "string" and got["I"]["format"] == "binary" and got["I"]["x-bentoml-type"] == "file"
    assert got["I"]["pil"] is True
    assert got["A"] == {**audio, "type": "string", "format": "binary", "x-bentoml-type": "file"}
    parse(doc({"T": tensor, "D": frame, "I": image, "A": audio}))


def test_data_values_are_never_rewritten() -> None:
    data = {"type": "tensor", "nullable": True, "exclusiveMinimum": True, "$ref": "elsewhere.json#/x"}
    raw = doc(
        {
            "S": {
                "type": "object",
                "default": data,
                "example": data,
                "examples": [data],
                "enum": [data, {"type": "foo"}],
                "x-vendor": {"type": "foo", "$ref": "other.json#/y"},
            }
        }
    )
    got = schema_of(raw)
    for key in ("default", "example", "examples", "enum", "x-vendor"):
        assert got[key] == raw["components"]["schemas"]["S"][key], key


def test_any_of_with_null_folds_into_a_type_list() -> None:
    got = schema_of(doc({"S": {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "N"}}))
    assert got == {"type": ["integer", "null"], "title": "N"}
    kept = {"anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}]}
    assert schema_of(doc({"S": kept, "T": {"type": "integer"}})) == kept
    assert schema_of(doc({"S": {"type": "string", "default": None}}))["type"] == ["string", "null"]


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"swagger": "2.0"}, "OpenAPI 2.0"),
        ({"openapi": "4.0.0"}, "unsupported OpenAPI version"),
        ({"openapi": 3.1}, "unsupported OpenAPI version"),
        ({"hello": 1}, "no 'openapi'"),
        (doc({"S": {"type": "foo"}}), "#/components/schemas/S"),
        (doc({"S": {"type": ["string", "foo"]}}), "unsupported schema type"),
        (doc({"S": {"$ref": "other.json#/x"}}), "external $ref"),
    ],
)
def test_unsupported_input_is_a_svcgen_error(raw: dict, fragment: str) -> None:
    with pytest.raises(SvcgenError) as info:
        parse(raw)
    assert fragment in str(info.value)


def test_nesting_deeper_than_the_limit_is_rejected() -> None:
    def nested(depth: int) -> dict:
        node: dict = {"type": "string"}
        for _ in range(depth):
            node = {"type": "object", "properties": {"p": node}}
        return node

    normalize(doc({"S": nested(MAX_DEPTH // 2 - 4)}))
    for document in (doc({"S": nested(MAX_DEPTH)}), {"openapi": "3.1.0", "info": {}, "x": _lists(MAX_DEPTH + 5)}):
        with pytest.raises(SvcgenError, match="nests deeper than 100 levels"):
            parse(document)


def _lists(depth: int) -> list:
    node: list = []
    for _ in range(depth):
        node = [node]
    return node


@pytest.mark.parametrize("key", ["default", "enum", "example", "x-request-id"])
def test_properties_named_like_keywords_are_still_normalized(key: str) -> None:
    raw = doc({"S": {"type": "object", "required": [key], "properties": {key: {"type": "string", "nullable": True}}}})
    assert schema_of(raw)["properties"][key] == {"type": ["string", "null"]}


def test_default_response_is_normalized() -> None:
    content = {"application/json": {"schema": {"type": "string", "nullable": True}}}
    raw = doc(paths={"/x": {"get": {"responses": {"200": {"description": "ok"}, "default": {"description": "e", "content": content}}}}})
    got = normalize(raw)["paths"]["/x"]["get"]["responses"]["default"]["content"]["application/json"]["schema"]
    assert got == {"type": ["string", "null"]}


# --- end to end --------------------------------------------------------------------


def build(document: dict, **options: object) -> dict[str, str]:
    return svcgen.build_files(document, svcgen.Config(source="x", **options)).files


def assert_compiles(files: dict[str, str]) -> None:
    sources = {path: text for path, text in files.items() if path.endswith((".py", ".pyi"))}
    assert sources
    for path, text in sources.items():
        compile(text, path, "exec")


@pytest.mark.parametrize("spec", ["calculator.json", "scoring.json", "textops.json"])
def test_fixture_specs_generate_code_that_compiles(spec: str) -> None:
    assert_compiles(build(json.loads((SPECS / spec).read_text(encoding="utf-8"))))


def _minimal(version: str) -> dict:
    if version.startswith("3.0"):
        name = {"type": "string", "nullable": True}
        score = {"type": "number", "minimum": 0, "exclusiveMinimum": True}
    else:
        name = {"type": ["string", "null"]}
        score = {"type": "number", "exclusiveMinimum": 0}
    item = {"type": "object", "required": ["score"], "properties": {"name": name, "score": score}}
    response = {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}
    paths = {"/items": {"get": {"operationId": "listItems", "responses": {"200": response}}}}
    return doc({"Item": item}, paths, version=version)


def test_same_spec_as_30_and_31_gives_the_same_package() -> None:
    old, new = build(_minimal("3.0.3")), build(_minimal("3.1.0"))
    assert_compiles(old)
    assert sorted(old) == sorted(new)
    provenance = [path for path in old if path.endswith("_svcgen.json")]
    for path in old:
        if path not in provenance:
            assert old[path] == new[path], path
    for path in provenance:  # only the input document's own hash may differ
        strip = lambda text: {k: v for k, v in json.loads(text).items() if k != "spec_sha256"}  # noqa: E731
        assert strip(old[path]) == strip(new[path])


TRICKY_PARAMS = [
    {"name": "quote", "in": "path", "required": True, "schema": {"type": "string"}},
    {"name": "from", "in": "query", "schema": {"type": "integer"}},
    {"name": "timeout", "in": "query", "schema": {"type": "number"}},
]
TRICKY = doc(
    {"Client": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "class": {"type": "string"}}}},
    {
        "/items/{quote}": {"get": {"operationId": "getItem", "parameters": TRICKY_PARAMS, "responses": {"200": {
            "description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Client"}}}}}}},
        "/other": {"get": {"operationId": "getItem", "responses": {"200": {
            "description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}}}}},
    },
)

PROBE = textwrap.dedent(
    """
    import inspect, json, sys
    import httpx
    import tricky_client as pkg

    seen = []
    def reply(request):
        seen.append(str(request.url))
        if request.url.path.startswith("/items/"):
            return httpx.Response(200, json={"id": 7, "class": "gold"})
        return httpx.Response(200, json="plain")

    report = {"exports": sorted(pkg.__all__), "client_is_class": inspect.isclass(pkg.Client)}
    for cls in (pkg.Client, pkg.AsyncClient):
        report[cls.__name__] = {
            name: list(inspect.signature(getattr(cls, name)).parameters) for name in ("get_item_items", "get_item_other")
        }
    with pkg.Client("http://api.test", http_client=httpx.Client(transport=httpx.MockTransport(reply))) as client:
        item = client.get_item_items(quote="a/b c", from_=3, timeout=2.5)
        report["item"] = [type(item).__name__, item.id]
        report["other"] = client.get_item_other(timeout=5.0)
    report["urls"] = seen
    print(json.dumps(report))
    """
)


def test_awkward_names_generate_importable_code(tmp_path: Path) -> None:
    files = build(TRICKY, name="tricky_client")
    assert_compiles(files)
    for path, text in files.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    site = installed(tmp_path)
    result = subprocess.run(
        [str(VENV_PYTHON), "-c", PROBE], cwd=site.parent, env=python_env(site), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["client_is_class"] and "Client" in report["exports"] and "ClientModel" in report["exports"]
    for cls in ("Client", "AsyncClient"):
        first, second = report[cls]["get_item_items"], report[cls]["get_item_other"]
        assert first[:4] == ["self", "quote", "from_", "timeout"]
        assert first.count("timeout") == 1 and "max_retries" in first
        assert "timeout" in second  # no API parameter of that name: the per-call option is there
    assert report["item"] == ["ClientModel", 7]
    assert report["other"] == "plain"
    assert report["urls"] == ["http://api.test/items/a%2Fb%20c?from=3&timeout=2.5", "http://api.test/other"]


@pytest.mark.parametrize("key", ["None", "True"])
def test_component_named_like_a_keyword_constant_generates(key: str) -> None:
    response = {"description": "ok", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{key}"}}}}
    files = build(doc({key: {"type": "object", "properties": {"a": {"type": "integer"}}}}, {"/x": {"get": {"operationId": "x", "responses": {"200": response}}}}))
    assert_compiles(files)
