"""``svcgen diff OLD NEW``: client-visible changes, breaking or compatible, and the semver bump."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from svcgen.cli.diff import diff_command

ROOT = Path(__file__).resolve().parent.parent
CALCULATOR = ROOT / "fixtures" / "specs" / "calculator.json"


def _json(content: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": content}}}


def base() -> dict[str, Any]:
    """A small shop API: path, query and body arguments, a response model, two enums."""
    item_ref = {"$ref": "#/components/schemas/Item"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shop", "version": "1.0.0"},
        "servers": [{"url": "http://127.0.0.1:8000"}],
        "paths": {
            "/items/{id}": {
                "get": {
                    "operationId": "get_item",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                        {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
                    ],
                    "responses": {"200": {"description": "ok", **_json(item_ref)}},
                },
                "delete": {
                    "operationId": "delete_item",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {"204": {"description": "gone"}},
                },
            },
            "/items": {
                "post": {
                    "operationId": "create_item",
                    "requestBody": {"required": True, **_json({"$ref": "#/components/schemas/ItemCreate"})},
                    "responses": {"200": {"description": "ok", **_json(item_ref)}},
                },
            },
            "/count": {
                "get": {
                    "operationId": "count_items",
                    "responses": {"200": {"description": "ok", **_json({"anyOf": [{"type": "integer"}, {"type": "null"}]})}},
                },
            },
        },
        "components": {
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["id", "name", "status"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "status": {"$ref": "#/components/schemas/Status"},
                    },
                },
                "Status": {"type": "string", "enum": ["active", "sold"]},
                "Color": {"type": "string", "enum": ["red", "green", "blue"]},
                "ItemCreate": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": {"type": "string"}, "color": {"$ref": "#/components/schemas/Color"}},
                },
            }
        },
    }


def run(tmp_path: Path, old: dict[str, Any], new: dict[str, Any], *args: str) -> Any:
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    return CliRunner().invoke(diff_command, [*args, str(tmp_path / "old.json"), str(tmp_path / "new.json")])


def report(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    result = run(tmp_path, old, new, "--json")
    return result.exit_code, json.loads(result.stdout)


def kinds(data: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return [(c["kind"], c["where"], c["breaking"]) for c in data["changes"]]


def test_identical_documents_are_a_patch(tmp_path: Path) -> None:
    result = run(tmp_path, base(), base())
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["patch: no client-visible changes"]
    code, data = report(tmp_path, base(), base())
    assert code == 0
    assert data == {"bump": "patch", "breaking": 0, "compatible": 0, "changes": []}


def test_added_optional_query_parameter_is_minor(tmp_path: Path) -> None:
    new = base()
    new["paths"]["/items/{id}"]["get"]["parameters"].append({"name": "lang", "in": "query", "schema": {"type": "string"}})
    result = run(tmp_path, base(), new)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "compatible added optional query parameter lang: str | None to GET /items/{id} (get_item)",
        "minor: 0 breaking, 1 compatible changes",
    ]


def test_added_required_parameter_is_major(tmp_path: Path) -> None:
    new = base()
    new["paths"]["/items/{id}"]["get"]["parameters"].append({"name": "lang", "in": "query", "required": True, "schema": {"type": "string"}})
    result = run(tmp_path, base(), new)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "BREAKING   added required query parameter lang: str to GET /items/{id} (get_item)",
        "major: 1 breaking, 0 compatible changes",
    ]


def test_removed_and_added_operations(tmp_path: Path) -> None:
    new = base()
    del new["paths"]["/items/{id}"]["delete"]
    new["paths"]["/health"] = {"get": {"operationId": "health", "responses": {"200": {"description": "ok"}}}}
    result = run(tmp_path, base(), new)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "BREAKING   removed operation DELETE /items/{id} (delete_item)",
        "compatible added operation GET /health (health)",
        "major: 1 breaking, 1 compatible changes",
    ]


def test_renamed_client_method_and_path_placeholder(tmp_path: Path) -> None:
    """Placeholder names do not change an operation's identity; the keyword argument's name does."""
    new = base()
    new["paths"]["/items/{id}"]["delete"]["operationId"] = "remove_item"
    for op in new["paths"]["/items/{id}"].values():
        op["parameters"][0]["name"] = "item_id"
    new["paths"]["/items/{item_id}"] = new["paths"].pop("/items/{id}")
    result = run(tmp_path, base(), new)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "BREAKING   renamed client method delete_item → remove_item (DELETE /items/{item_id})",
        "BREAKING   removed path parameter id of DELETE /items/{item_id} (remove_item)",
        "BREAKING   added required path parameter item_id: int to DELETE /items/{item_id} (remove_item)",
        "BREAKING   removed path parameter id of GET /items/{item_id} (get_item)",
        "BREAKING   added required path parameter item_id: int to GET /items/{item_id} (get_item)",
        "major: 5 breaking, 0 compatible changes",
    ]


def test_retyped_fields_and_arguments(tmp_path: Path) -> None:
    new = base()
    schemas = new["components"]["schemas"]
    schemas["Item"]["properties"]["id"] = {"type": "string"}  # response model: retyped
    schemas["ItemCreate"]["properties"]["name"] = {"anyOf": [{"type": "string"}, {"type": "integer"}]}  # argument widened
    new["paths"]["/items/{id}"]["get"]["parameters"][0]["schema"] = {"type": "string"}  # argument retyped
    code, data = report(tmp_path, base(), new)
    assert code == 1
    by_where = {c["where"]: c for c in data["changes"]}
    assert by_where["Item.id"]["kind"] == "field-retyped"
    assert (by_where["Item.id"]["before"], by_where["Item.id"]["after"], by_where["Item.id"]["breaking"]) == ("int", "str", True)
    name = by_where["POST /items (create_item): name"]
    assert (name["kind"], name["before"], name["after"], name["breaking"]) == ("argument-retyped", "str", "str | int", False)
    ident = by_where["GET /items/{id} (get_item): id"]
    assert (ident["kind"], ident["breaking"]) == ("argument-retyped", True)


def test_response_type_changes(tmp_path: Path) -> None:
    new = base()
    get = new["paths"]["/items/{id}"]["get"]
    get["responses"]["200"] = {"description": "ok", **_json({"type": "array", "items": {"$ref": "#/components/schemas/Item"}})}
    code, data = report(tmp_path, base(), new)
    assert code == 1
    assert [(c["kind"], c["before"], c["after"], c["breaking"]) for c in data["changes"]] == [
        ("response-retyped", "Item", "list[Item]", True)
    ]
    # Narrowed (int | None → int): compatible.
    new = base()
    new["paths"]["/count"]["get"]["responses"]["200"] = {"description": "ok", **_json({"type": "integer"})}
    code, data = report(tmp_path, base(), new)
    assert code == 0
    assert data["bump"] == "minor"
    assert [(c["kind"], c["before"], c["after"], c["breaking"]) for c in data["changes"]] == [
        ("response-retyped", "int | None", "int", False)
    ]
    # Widened (int | None → int | str | None): breaking.
    new["paths"]["/count"]["get"]["responses"]["200"] = {
        "description": "ok",
        **_json({"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]}),
    }
    code, data = report(tmp_path, base(), new)
    assert code == 1 and data["changes"][0]["breaking"] is True


def test_enum_values(tmp_path: Path) -> None:
    added = base()
    added["components"]["schemas"]["Status"]["enum"].append("reserved")  # response side: open enum
    added["components"]["schemas"]["Color"]["enum"].append("yellow")  # request side: accepts more
    code, data = report(tmp_path, base(), added)
    assert code == 0
    assert data["bump"] == "minor"
    assert [(c["kind"], c["where"], c["after"], c["breaking"]) for c in data["changes"]] == [
        ("enum-value-added", "Color", "yellow", False),
        ("enum-value-added", "Status", "reserved", False),
    ]
    removed = base()
    removed["components"]["schemas"]["Color"]["enum"].remove("green")
    result = run(tmp_path, base(), removed)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "BREAKING   removed value 'green' from enum Color",
        "major: 1 breaking, 0 compatible changes",
    ]


def test_model_fields_by_side(tmp_path: Path) -> None:
    # A new field in a response model, even a required one, is compatible (models keep unknown fields).
    new = base()
    item = new["components"]["schemas"]["Item"]
    item["properties"]["price"] = {"type": "number"}
    item["required"].append("price")
    code, data = report(tmp_path, base(), new)
    assert code == 0
    assert [(c["kind"], c["where"], c["after"], c["breaking"]) for c in data["changes"]] == [
        ("field-added", "Item.price", {"annotation": "float", "required": True}, False)
    ]
    # A field removed from it is breaking; so is a received field becoming optional.
    new = base()
    item = new["components"]["schemas"]["Item"]
    del item["properties"]["name"]
    item["required"] = ["id"]
    code, data = report(tmp_path, base(), new)
    assert code == 1
    assert {(c["kind"], c["where"], c["breaking"]) for c in data["changes"]} == {
        ("field-removed", "Item.name", True),
        ("field-required-changed", "Item.status", True),
        ("field-retyped", "Item.status", True),
    }


def test_sent_model_gains_required_field(tmp_path: Path) -> None:
    """A model passed as an argument (not flattened) is request side: a new required field breaks."""
    def with_tags(doc: dict[str, Any], required: bool) -> dict[str, Any]:
        schemas = doc["components"]["schemas"]
        schemas["Tag"] = {"type": "object", "required": ["label"], "properties": {"label": {"type": "string"}}}
        schemas["ItemCreate"]["properties"]["tag"] = {"$ref": "#/components/schemas/Tag"}
        if required:
            schemas["Tag"]["properties"]["weight"] = {"type": "integer"}
            schemas["Tag"]["required"].append("weight")
        return doc

    code, data = report(tmp_path, with_tags(base(), False), with_tags(base(), True))
    assert code == 1
    assert kinds(data) == [("field-added", "Tag.weight", True)]


def test_parameter_moved_from_query_to_header(tmp_path: Path) -> None:
    new = base()
    new["paths"]["/items/{id}"]["get"]["parameters"][1]["in"] = "header"
    code, data = report(tmp_path, base(), new)
    assert code == 1
    assert [(c["kind"], c["before"], c["after"], c["breaking"]) for c in data["changes"]] == [
        ("argument-moved", "query", "header", True)
    ]
    assert data["changes"][0]["message"] == "query parameter verbose of GET /items/{id} (get_item) moved from query to header"


def test_json_report_shape(tmp_path: Path) -> None:
    new = base()
    del new["paths"]["/count"]
    new["paths"]["/items/{id}"]["get"]["parameters"].append({"name": "lang", "in": "query", "schema": {"type": "string"}})
    code, data = report(tmp_path, base(), new)
    assert code == 1
    assert set(data) == {"bump", "breaking", "compatible", "changes"}
    assert (data["bump"], data["breaking"], data["compatible"]) == ("major", 1, 1)
    for change in data["changes"]:
        assert set(change) == {"kind", "where", "message", "before", "after", "breaking"}
    assert data["changes"][0] == {
        "kind": "operation-removed",
        "where": "GET /count",
        "message": "removed operation GET /count (count_items)",
        "before": "count_items",
        "after": None,
        "breaking": True,
    }
    assert data["changes"][1]["after"] == {"annotation": "str | None", "required": False, "location": "query", "wire_name": "lang"}


@pytest.mark.parametrize("content", [None, "{not json", '{"openapi": "3.1.0"}', "[1, 2]"])
def test_unreadable_source_is_one_line_and_exit_2(tmp_path: Path, content: str | None) -> None:
    (tmp_path / "old.json").write_text(json.dumps(base()))
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    result = CliRunner().invoke(diff_command, [str(tmp_path / "old.json"), str(bad)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("svcgen: error: "), result.stderr
    assert "Traceback" not in result.stderr


def _modified_calculator() -> dict[str, Any]:
    """A BentoML service's next release: ``divide`` removed, ``greet`` takes two more inputs."""
    document = json.loads(CALCULATOR.read_text())
    new = copy.deepcopy(document)
    del new["paths"]["/divide"]
    schema = new["paths"]["/greet"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    schema["properties"]["times"] = {"title": "Times", "type": "integer", "default": 1}
    schema["properties"]["lang"] = {"title": "Lang", "type": "string"}
    schema["required"].append("lang")
    new["components"]["schemas"]["greet__Input"] = copy.deepcopy(schema)
    return new


def test_bentoml_calculator(tmp_path: Path) -> None:
    result = run(tmp_path, json.loads(CALCULATOR.read_text()), _modified_calculator())
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        "BREAKING   removed operation POST /divide (divide)",
        "BREAKING   added required body field lang: str to POST /greet (greet)",
        "compatible added optional body field times: int to POST /greet (greet)",
        "major: 2 breaking, 1 compatible changes",
    ]


WRAPPER = "from svcgen.cli.diff import diff_command; diff_command(prog_name='svcgen diff')"


def _subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", WRAPPER, *args], check=False, capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_standalone_command_exit_codes(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(CALCULATOR.read_text())
    new.write_text(json.dumps(_modified_calculator()))

    same = _subprocess(str(old), str(old))
    assert (same.returncode, same.stdout, same.stderr) == (0, "patch: no client-visible changes\n", "")

    changed = _subprocess("--json", str(old), str(new))
    assert changed.returncode == 1, changed.stderr
    data = json.loads(changed.stdout)
    assert data["bump"] == "major"
    assert ("operation-removed", "POST /divide", True) in kinds(data)

    missing = _subprocess(str(old), str(tmp_path / "missing.json"))
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert missing.stderr == f"svcgen: error: {tmp_path / 'missing.json'}: no such file\n"


def test_tensor_encoding_changes_behind_the_same_annotation(tmp_path: Path) -> None:
    """``numpy.typing.ArrayLike`` either way: the declared dtype/shape is a wire-level change."""
    document = json.loads((ROOT / "fixtures" / "specs" / "arrays.json").read_text())
    new = copy.deepcopy(document)
    new["components"]["schemas"]["dot__Input"]["properties"]["a"]["dtype"] = "float32"
    new["components"]["schemas"]["standardize__Input"]["properties"]["x"]["shape"] = [-1, 8]
    code, data = report(tmp_path, document, new)
    assert code == 1
    assert [(c["kind"], c["where"], c["before"], c["after"], c["breaking"]) for c in data["changes"]] == [
        ("argument-encoding-changed", "POST /dot (dot): a", "dtype=float64", "dtype=float32", True),
        ("argument-encoding-changed", "POST /standardize (standardize): x", "dtype=float32, shape=(-1, 4)", "dtype=float32, shape=(-1, 8)", True),
    ]


@pytest.fixture()
def registered() -> Any:
    """``svcgen diff`` as registered on the ``cli`` group (done here if cli/app.py does not yet)."""
    from svcgen.cli import cli

    already = "diff" in cli.commands
    if not already:
        cli.add_command(diff_command)
    yield
    if not already:
        cli.commands.pop("diff", None)


def test_through_svcgen_main(tmp_path: Path, registered: None, capsys: pytest.CaptureFixture[str]) -> None:
    from svcgen.cli import main

    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(base()))
    changed = base()
    del changed["paths"]["/count"]
    new.write_text(json.dumps(changed))
    for args, status in (([str(old), str(old)], 0), ([str(old), str(new)], 1), ([str(old), str(tmp_path / "nope.json")], 2)):
        with pytest.raises(SystemExit) as exited:
            main(["diff", *args])
            raise SystemExit(0)  # main() returns normally on success
        assert exited.value.code == status, args
    captured = capsys.readouterr()
    assert captured.err == f"svcgen: error: {tmp_path / 'nope.json'}: no such file\n"
    assert "removed operation GET /count (count_items)" in captured.out
