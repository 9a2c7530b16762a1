"""Valid OpenAPI documents whose models once came out wrong: cycles that are types, discriminator
mappings to other files, children that redeclare inherited fields, odd constants and null types.

The companion of ``tests/test_valid_documents.py`` (same helpers); each test is a minimal
hand-written document for one construct datamodel-code-generator's test documents hold.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pydantic
import pytest
import yaml
from svcgen import Config, build_files
from svcgen.core.errors import SvcgenError
from svcgen.source.load import load

from tests.support.generated_pkg import CACHE, imported, mypy_strict, tail, write_tree
from tests.test_valid_documents import generate, write


# --- 6. cycles that are types --------------------------------------------------------------

POLYMORPHISM = {
    "openapi": "3.0.3",
    "info": {"title": "Zoo", "version": "1"},
    "paths": {
        "/pets": {
            "post": {
                "operationId": "add_pet",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}},
            }
        }
    },
    "components": {
        "schemas": {
            "Pet": {
                "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"}},
            },
            "Cat": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "object", "required": ["kind", "lives"], "properties": {"kind": {"type": "string", "enum": ["cat"]}, "lives": {"type": "integer"}}}]},
            "Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["dog"]}, "good": {"type": "boolean"}}}]},
            # inheritance that goes round: each is an object with a and b
            "CycleA": {"allOf": [{"$ref": "#/components/schemas/CycleB"}], "required": ["a"], "properties": {"a": {"type": "string"}}},
            "CycleB": {"allOf": [{"$ref": "#/components/schemas/CycleA"}], "required": ["b"], "properties": {"b": {"type": "integer"}}},
        }
    },
}


def test_polymorphism_and_allof_circles_are_types(tmp_path: Path) -> None:
    """A parent ``oneOf`` its children, each child ``allOf`` the parent plus its own properties, is
    the polymorphism idiom, not a "$ref cycle"; neither is ``allOf`` inheritance that goes round
    (A extends B extends A: an object with both parts). Only a pure alias cycle names no type."""
    generated = build_files(POLYMORPHISM, Config(source="zoo.json", name="zoo"))
    write_tree(generated.files, tmp_path)
    with imported(tmp_path, "zoo") as pkg:
        cat = pkg.Pet.model_validate({"kind": "cat", "lives": 9}).root
        dog = pkg.Pet.model_validate({"kind": "dog", "good": True}).root
        assert (type(cat).__name__, cat.lives, type(dog).__name__, dog.good) == ("Cat", 9, "Dog", True)
        with pytest.raises(pydantic.ValidationError):
            pkg.Pet.model_validate({"kind": "cow"})
        for cycle in (pkg.CycleA, pkg.CycleB):
            assert {name for name, info in cycle.model_fields.items() if info.is_required()} == {"a", "b"}
            assert cycle.model_validate({"a": "x", "b": 1}).b == 1
    alias = json.loads(json.dumps(POLYMORPHISM))
    alias["components"]["schemas"].update({"A": {"$ref": "#/components/schemas/B"}, "B": {"allOf": [{"$ref": "#/components/schemas/A"}]}})
    with pytest.raises(SvcgenError, match=r"\$ref cycle with no schema in between: A -> B -> A"):
        generate(alias)
    result = mypy_strict(tmp_path, "zoo", CACHE / "valid-documents" / "mypy")
    assert result.returncode == 0, tail(result)


# --- 7. discriminator mappings are references -------------------------------------------

MAPPED = """\
    openapi: 3.0.3
    info: {title: Mapped, version: '1.0'}
    paths: {}
    components:
      schemas:
        Item:
          type: object
          required: [kind]
          properties: {kind: {type: string}}
          discriminator:
            propertyName: kind
            mapping:
              foo: './schemas/foo.yaml#/components/schemas/Foo'
              bar: 'schemas/bar.yaml#/Bar'
              baz: 'Baz.v1'
        Baz.v1:
          type: object
          required: [kind]
          properties: {kind: {type: string, enum: [baz]}}
        Wrapper:
          type: object
          properties: {item: {$ref: '#/components/schemas/Item'}}
    """
FOO = """\
    openapi: 3.0.3
    info: {title: Foo, version: '1.0'}
    paths: {}
    components:
      schemas:
        Foo:
          type: object
          required: [kind, value]
          properties: {kind: {type: string, enum: [foo]}, value: {type: string}}
    """
BAR = "Bar: {type: object, required: [kind], properties: {kind: {type: string, enum: [bar]}, count: {type: integer}}}\n"


def test_a_discriminator_mapping_to_another_file_is_read_next_to_the_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mapping values are references (read against the document they are written in, not the
    working directory) or component names (``Baz.v1``, whose class is renamed ``BazV1``)."""
    spec = write(tmp_path / "api", "openapi.yaml", MAPPED)
    write(tmp_path / "api", "schemas/foo.yaml", FOO)
    write(tmp_path / "api", "schemas/bar.yaml", BAR)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    document = load(str(spec)).document
    generated = build_files(document, Config(source=str(spec), name="mapped"))
    write_tree(generated.files, tmp_path / "out")
    with imported(tmp_path / "out", "mapped") as pkg:
        items = [pkg.Wrapper.model_validate({"item": item}).item for item in ({"kind": "foo", "value": "v"}, {"kind": "bar", "count": 2}, {"kind": "baz"})]
        assert [type(item).__name__ for item in items] == ["Foo", "Bar", "BazV1"]
        with pytest.raises(pydantic.ValidationError):
            pkg.Wrapper.model_validate({"item": {"kind": "qux"}})


def test_an_unbundled_external_mapping_is_refused_and_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A library caller's document naming another file in a mapping: refused with one line; no
    file is ever read relative to the working directory by the models stage."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "schemas/foo.yaml", FOO)
    document = yaml.safe_load(textwrap.dedent(MAPPED))
    with pytest.raises(SvcgenError) as caught:
        generate(document)
    assert caught.value.describe() == (
        "#/components/schemas/Item: external discriminator mapping './schemas/foo.yaml#/components/schemas/Foo' is not supported"
    )


def test_a_mapping_out_of_the_spec_folder_is_refused(tmp_path: Path) -> None:
    spec = write(tmp_path / "api", "openapi.yaml", MAPPED.replace("./schemas/foo.yaml", "../foo.yaml"))
    write(tmp_path, "foo.yaml", FOO)
    with pytest.raises(SvcgenError, match=r"\$ref '../foo.yaml#/components/schemas/Foo': leaves the spec's folder"):
        load(str(spec))


# --- 9. typed code where a child redeclares a field, and for non-literal constants -------------

REDECLARED = {
    "openapi": "3.1.0",
    "info": {"title": "Redeclared", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {
            "Kind": {"type": "string", "enum": ["cat", "dog"]},
            "Pet": {"type": "object", "required": ["kind", "name"], "properties": {"kind": {"$ref": "#/components/schemas/Kind"}, "name": {"type": "string"}}},
            "Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "object", "properties": {"kind": {"const": "dog"}, "name": {"type": "integer"}}}]},
            "Puppy": {"allOf": [{"$ref": "#/components/schemas/Dog"}, {"type": "object", "properties": {"age": {"type": "integer"}}}]},
            "Cat": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "object", "properties": {"lives": {"type": "integer"}}}]},
            "Thing": {"type": "object", "properties": {"name": {"type": "string", "default": "unnamed"}}},
            "Person": {"allOf": [{"$ref": "#/components/schemas/Thing"}, {"properties": {"name": {"title": "Person name"}}}]},
            "Constants": {
                "type": "object",
                "required": ["fixed"],
                "properties": {"ratio": {"const": 1.5}, "settings": {"const": {"on": True}}, "choices": {"const": [1, "two"]}, "fixed": {"const": 2.5}},
            },
        }
    },
}


def test_redeclared_fields_and_constants_are_typed_code(tmp_path: Path) -> None:
    """A child that redeclares an inherited field as a type the parent does not allow (``Dog.name``
    an integer where ``Pet.name`` is a string, ``kind`` a constant outside the parent's enum) is
    valid JSON Schema but no Python subtype: mypy rejects the subclass. Such a child is generated
    as a model of its own with the parent's fields copied in (``Dog`` is no ``Pet`` subclass, and
    its own children still subclass it); a child that redeclares nothing (``Cat``) stays a
    subclass. A ``const`` no ``Literal`` can hold (float, object, array) types the field with
    the constant's JSON type (``ratio: float | None``), with a warning; the server checks the value."""
    generated = build_files(REDECLARED, Config(source="redeclared.json", name="redeclared"))
    write_tree(generated.files, tmp_path)
    notes = [diagnostic.message for diagnostic in generated.diagnostics]
    assert "models: const 1.5 is no Literal type: only its type (number) is checked client-side" in notes
    with imported(tmp_path, "redeclared") as pkg:
        assert issubclass(pkg.Cat, pkg.Pet) and not issubclass(pkg.Dog, pkg.Pet) and issubclass(pkg.Puppy, pkg.Dog)
        dog = pkg.Dog.model_validate({"kind": "dog", "name": 3})
        assert dog.name == 3
        with pytest.raises(pydantic.ValidationError):
            pkg.Dog.model_validate({"kind": "cat", "name": 3})
        assert pkg.Person().name == "unnamed"
        constants = pkg.Constants.model_validate({"fixed": 2.5})
        assert constants.ratio is None and constants.settings is None
    result = mypy_strict(tmp_path, "redeclared", CACHE / "valid-documents" / "mypy")
    assert result.returncode == 0, tail(result)


UNQUOTED_NULL = """\
    openapi: 3.1.0
    info: {title: Nulls, version: '1'}
    paths: {}
    components:
      schemas:
        Thing:
          type: object
          required: [value]
          properties:
            value: {type: [string, null]}
            nothing: {type: null}
    """


def test_an_unquoted_null_type_is_the_null_type(tmp_path: Path) -> None:
    """YAML reads ``type: [string, null]`` with an unquoted ``null`` as a null, not the text: the
    author meant the JSON Schema type ``"null"``."""
    document = load(str(write(tmp_path, "nulls.yaml", UNQUOTED_NULL))).document
    models = generate(document, "nulls")["nulls/models.py"]
    assert "    value: str | None\n" in models and "    nothing: Annotated[None, Field(None)] = None\n" in models
