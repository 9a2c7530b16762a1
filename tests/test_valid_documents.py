"""Valid OpenAPI documents that other tools' test suites hold and svcgen once got wrong.

Each test is a minimal hand-written document for one construct the standard
allows (datamodel-code-generator's test documents, run by ``tests/peer_suite.py``,
found them): svcgen must generate a package for it, or refuse only what would
make the client wrong, with one clear line.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pydantic
import pytest
from svcgen import Config, build_files
from svcgen.core.errors import SvcgenError
from svcgen.source.load import load

from tests.support.generated_pkg import imported, write_tree


def generate(document: dict[str, Any], name: str = "probe") -> dict[str, str]:
    return build_files(document, Config(source=f"{name}.json", name=name)).files


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- 1. mixed integer and string keys ------------------------------------------------------

MIXED_KEYS = """\
    openapi: 3.0.3
    info: {title: Mixed, version: 1.0.0}
    x-fingerprint: {1: one, text: two, true: three, 1.10: four}
    paths:
      /things:
        get:
          operationId: get_thing
          responses:
            200:
              description: ok
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Thing'}
            default: {description: error}
    components:
      schemas:
        Thing:
          type: object
          properties: {id: {type: integer}}
    """


def test_yaml_keys_are_the_text_written(tmp_path: Path) -> None:
    """OpenAPI limits YAML keys to failsafe strings: ``200`` next to ``default`` are two strings,
    ``1.10`` stays ``"1.10"`` and ``true`` is ``"true"`` (it once crashed while hashing)."""
    document = load(str(write(tmp_path, "api.yaml", MIXED_KEYS))).document
    assert list(document["paths"]["/things"]["get"]["responses"]) == ["200", "default"]
    assert document["x-fingerprint"] == {"1": "one", "text": "two", "true": "three", "1.10": "four"}
    files = generate(document)
    assert "def get_thing(" in files["probe/_client.py"]
    assert "-> Thing:" in files["probe/_client.py"]


def test_a_library_callers_mapping_with_mixed_keys_is_the_json_document() -> None:
    """``build_files`` given ``yaml.safe_load``'s output (int keys, a date) generates what the
    same document as JSON generates, byte for byte (the recorded hash included)."""
    as_json = {
        "openapi": "3.0.3",
        "info": {"title": "Mixed", "version": "2024-10-01"},
        "x-m": {"1": "one", "text": "two", "null": 3},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}, "default": {"description": "no"}}}}},
    }
    import datetime

    as_yaml_loads_it = json.loads(json.dumps(as_json))
    as_yaml_loads_it["info"]["version"] = datetime.date(2024, 10, 1)
    as_yaml_loads_it["x-m"] = {1: "one", "text": "two", None: 3}
    as_yaml_loads_it["paths"]["/a"]["get"]["responses"] = {200: {"description": "ok"}, "default": {"description": "no"}}
    assert generate(as_yaml_loads_it) == generate(as_json)


def test_keys_that_collide_as_json_are_refused() -> None:
    document = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {}, "x-m": {1: "a", "1": "b"}}
    with pytest.raises(SvcgenError, match=r"#/x-m: two keys read as '1'"):
        generate(document)


def test_json_with_a_trailing_comma_is_read_as_yaml_with_a_note(tmp_path: Path) -> None:
    text = '{"openapi": "3.0.3", "info": {"title": "Comma", "version": "1"},\n "paths": {},\n "components": {"schemas": {"A": {"type": "string"},}},\n}\n'
    loaded = load(str(write(tmp_path, "comma.json", text)))
    assert loaded.document["components"]["schemas"] == {"A": {"type": "string"}}
    assert any("not strict JSON" in note and "line 3" in note for note in loaded.notes), loaded.notes


def test_json_that_yaml_refuses_too_keeps_the_json_error(tmp_path: Path) -> None:
    with pytest.raises(SvcgenError, match=r"invalid JSON \(Expecting"):
        load(str(write(tmp_path, "broken.json", '{"openapi": "3.0.3",, "info": {}}')))


# --- 3. boolean schemas ------------------------------------------------------------------


def built(document: dict[str, Any], name: str, folder: Path) -> tuple[dict[str, str], list[str]]:
    generated = build_files(document, Config(source=f"{name}.json", name=name))
    write_tree(generated.files, folder)
    return generated.files, [diagnostic.describe() for diagnostic in generated.diagnostics]


BOOLEANS = {
    "openapi": "3.1.0",
    "info": {"title": "Booleans", "version": "1"},
    "paths": {
        "/box": {
            "post": {
                "operationId": "put_box",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Box"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": True}}}},
            }
        }
    },
    "components": {
        "schemas": {
            "Never": False,
            "Box": {
                "type": "object",
                "required": ["anything", "forbidden"],
                "properties": {
                    "anything": True,
                    "forbidden": False,
                    "via_ref": {"allOf": [{"$ref": "#/components/schemas/Never"}, {"minLength": 2}]},
                    "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": False},
                    "legacy_pair": {"type": "array", "items": [{"type": "string"}], "additionalItems": False},
                    "empty": {"type": "array", "items": False},
                    "loose": {"anyOf": [True, {"type": "string"}]},
                    "strict": {"anyOf": [False, {"type": "string"}]},
                },
            },
        }
    },
}


def test_boolean_schemas(tmp_path: Path) -> None:
    """``true`` accepts any value; a ``false`` property can never be set, so it is left out of the
    model (with a warning naming it); ``items: false`` allows no items beyond ``prefixItems``; a
    ``false`` union branch is dropped. Draft 4's ``items: [...]`` is read as ``prefixItems``."""
    files, diagnostics = built(BOOLEANS, "booleans", tmp_path)
    assert [line for line in diagnostics if "schema false" in line] == [
        "warning: #/components/schemas: property 'forbidden' accepts no value (schema false): left out of its model",
        "warning: #/components/schemas: property 'via_ref' accepts no value (schema false): left out of its model",
    ]
    assert "def put_box(" in files["booleans/_client.py"] and "-> Any:" in files["booleans/_client.py"]
    with imported(tmp_path, "booleans") as pkg:
        box = pkg.Box
        assert set(box.model_fields) == {"anything", "pair", "legacy_pair", "empty", "loose", "strict"}
        assert box.model_fields["anything"].is_required()
        value = box.model_validate({"anything": {"a": [1]}, "pair": ["x", 1], "legacy_pair": ["y"], "empty": [], "loose": 3, "strict": "s"})
        assert value.anything == {"a": [1]} and value.loose == 3
        for wrong in ({"pair": ["x", 1, 2]}, {"legacy_pair": ["y", "z"]}, {"empty": [1]}, {"strict": 3}):
            with pytest.raises(pydantic.ValidationError):
                box.model_validate({"anything": None, **wrong})


# --- 4. defects that change nothing in the client ----------------------------------------

PETS = {
    "/pets": {
        "get": {
            "operationId": "list_pets",
            "responses": {
                "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
            },
        }
    }
}
PET = {"type": "object", "properties": {"name": {"type": "string", "examples": {"rex": {"value": "Rex"}, "tom": "Tom"}}}}


@pytest.mark.parametrize(
    ("info", "warning"),
    [
        (None, "warning: #/info: missing: the package gets the default name api_client"),
        ("Pets", "warning: #/info: malformed: the package gets the default name api_client"),
        ({"version": "2.0"}, "warning: #/info/title: missing: the package gets the default name api_client"),
        ({"title": "Pets"}, "warning: #/info/version: missing: the package gets the default version 0.1.0"),
        ({"title": "Pets", "version": 1.5}, "warning: #/info/version: a number where text belongs: read as '1.5'"),
    ],
)
def test_a_missing_or_malformed_info_is_a_warning(info: Any, warning: str) -> None:
    """Where the intent is clear and the client comes out the same, a defect is mended with a
    warning: ``info``, a response's ``description``, a 3.0 ``examples`` map in a 3.1 schema."""
    document: dict[str, Any] = {"openapi": "3.1.0", "paths": PETS, "components": {"schemas": {"Pet": PET}}}
    if info is not None:
        document["info"] = info
    generated = build_files(document, Config(source="pets.json"))
    lines = [diagnostic.describe() for diagnostic in generated.diagnostics]
    assert warning in lines
    assert "warning: #/paths/~1pets/get/responses/200/description: a response without its description: none given" in lines
    assert (
        "warning: #/components/schemas/Pet/properties/name/examples: an OpenAPI 3.0 examples map where 3.1 wants a list: read as the list of its values"
        in lines
    )
    package = "pets_client" if isinstance(info, dict) and "title" in info else "api_client"
    assert generated.package == package
    assert "def list_pets(" in generated.files[f"{package}/_client.py"]
    version = "1.5" if isinstance(info, dict) and info.get("version") == 1.5 else "2.0" if isinstance(info, dict) and "version" in info else "0.1.0"
    assert f'version = "{version}"' in generated.files["pyproject.toml"]


def test_defects_that_would_make_the_client_wrong_are_still_refused() -> None:
    document = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {"/a": {"get": {
        "parameters": [{"in": "query", "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}}}}
    with pytest.raises(SvcgenError, match=r"^not a valid OpenAPI document: #/paths//a/get/parameters/0/.*name: Field required"):
        generate(document)


# --- 5. references as the standard writes them -------------------------------------------

REFS = {
    "openapi": "3.1.0",
    "info": {"title": "Refs", "version": "1"},
    "paths": {
        "/companies/{companyId}": {
            "parameters": [{"name": "companyId", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}],
            "get": {
                "operationId": "get_company",
                "parameters": [{"name": "limit", "in": "query", "schema": {"$ref": "#/components/parameters/Limit/schema"}}],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "id": {"$ref": "#/paths/~1companies~1%7BcompanyId%7D/parameters/0/schema"},
                                        "tree": {"$ref": "#/components/responses/Tree/content/application~1json/schema"},
                                        "limit": {"$ref": "#/components/parameters/Limit/schema", "description": "The limit."},
                                        "label": {"$ref": "#/components/schemas/Labels/properties/name"},
                                    },
                                }
                            }
                        },
                    }
                },
            },
        }
    },
    "components": {
        "schemas": {"Labels": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 3}}}},
        "parameters": {"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}}},
        "responses": {
            "Tree": {
                "description": "a tree",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "children": {"type": "array", "items": {"$ref": "#/components/responses/Tree/content/application~1json/schema"}}
                            },
                        }
                    }
                },
            }
        },
    },
}


def test_refs_to_schemas_outside_the_component_schemas(tmp_path: Path) -> None:
    """A local ``$ref`` is a URI fragment (percent-encoded pointers resolve) and may point at any
    schema: a parameter's, a response's, one inside a path item. The target is copied in place
    (keywords beside the ``$ref`` kept); one that refers to itself becomes a component of its own
    (``Tree`` here). No ``Any`` stand-in, and no warning at all."""
    generated = build_files(REFS, Config(source="refs.json", name="refs"))
    assert generated.diagnostics == []
    write_tree(generated.files, tmp_path)
    models = generated.files["refs/models.py"]
    assert "RootModel[Any]" not in models and "class Schema" not in models
    assert "The limit." in models
    with imported(tmp_path, "refs") as pkg:
        response = pkg.GetCompanyResponse
        value = response.model_validate(
            {"id": "00000000-0000-0000-0000-000000000001", "tree": {"children": [{"children": []}]}, "limit": 7, "label": "abc"}
        )
        assert type(value.id).__name__ == "UUID" and value.limit == 7
        assert type(value.tree.children[0]).__name__ == "TreeApplicationJson"
        for wrong in ({"limit": 51}, {"label": "abcd"}, {"id": "nope"}):
            with pytest.raises(pydantic.ValidationError):
                response.model_validate(wrong)
    client = generated.files["refs/_client.py"]
    assert "limit: int | None | NotGiven" in client and "company_id: UUID" in client


@pytest.mark.parametrize(
    ("pointer", "message"),
    [
        ("#/components/parameters/Nope/schema", "$ref '#/components/parameters/Nope/schema' does not resolve"),
        ("#/components/schemas/Labels/properties/nope", "$ref '#/components/schemas/Labels/properties/nope' does not resolve"),
        ("#/components/parameters/Limit/name", "$ref '#/components/parameters/Limit/name' does not point to a schema"),
    ],
)
def test_a_pointer_that_leads_nowhere_is_refused(pointer: str, message: str) -> None:
    document = json.loads(json.dumps(REFS))
    document["paths"]["/companies/{companyId}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["bad"] = {"$ref": pointer}
    with pytest.raises(SvcgenError) as caught:
        generate(document)
    assert caught.value.describe() == message
