"""Children that redeclare an inherited field are found on a smaller document, with the same answer.

``svcgen.models.redeclare_probe`` picks the schemas that decide which ``allOf`` children redeclare
a parent's field, so that finding them costs a fraction of a models run instead of a whole one.
These tests hold the shortcut to the whole-document rounds it replaces: for hand-written traps
(a discriminator that turns a parent's field into a ``Literal``, variants that never name
the tag, a grandparent's field, a redeclared ``required``) and for every peer-suite and small corpus document where a child could redeclare
a field, the schemas the models are finally generated from are the same.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from svcgen.ir import build_api
from svcgen.models.allof_cycles import break_allof_cycles
from svcgen.models.generate import _normalized_field_names, _run_generator, _without_redeclared
from svcgen.models.prepare import models_document, schema_resolver
from svcgen.models.redeclare_probe import probe_schemas, unforeseen_subclasses
from svcgen.models.redeclared import conflicting_parents, inlined_parents
from svcgen.source.jsondata import json_document
from svcgen.source.load import load
from svcgen.source.spec import parse
from tests.peer_suite import documents, suite_folder

RUNTIME = "pkg._runtime"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def whole_rounds(schemas: dict[str, Any]) -> dict[str, Any]:
    """What the models stage did before: generate everything, look, part the children, again."""
    resolver = schema_resolver(schemas)
    for _round in range(4):
        text = _run_generator(models_document(schemas, resolver), RUNTIME, _normalized_field_names(schemas))
        assert isinstance(text, str)
        conflicts = conflicting_parents(text, set(schemas))
        if not conflicts:
            break
        schemas = inlined_parents(schemas, conflicts)
    return schemas


def probed_rounds(schemas: dict[str, Any]) -> dict[str, Any]:
    return _without_redeclared(schemas, schema_resolver(schemas), RUNTIME, probe_schemas(schemas))[0]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


DISCRIMINATED = {
    # Cat is not a parent anyone redeclares from in the probe unless Pet comes along: Pet's
    # discriminator makes Cat.pet_type a Literal, which HouseCat's plain string is not
    "Pet": {"oneOf": [ref("Cat"), ref("Dog")], "discriminator": {"propertyName": "pet_type", "mapping": {"cat": ref("Cat")["$ref"], "dog": ref("Dog")["$ref"]}}},
    "Cat": {**obj(pet_type={"type": "string"}, lives={"type": "integer"}), "required": ["pet_type"]},
    "Dog": {**obj(pet_type={"type": "string"}, bark={"type": "boolean"}), "required": ["pet_type"]},
    "HouseCat": {"allOf": [ref("Cat"), obj(pet_type={"type": "string"}, indoor={"type": "boolean"})]},
    "Unrelated": obj(name={"type": "string"}),
}
TAGGED = {
    # the variants never name the tag: the discriminator makes the models stage declare it in
    # each, as a Literal that the parent's enum field is not
    "Request": {"oneOf": [ref("V1"), ref("V2")], "discriminator": {"propertyName": "version", "mapping": {"v1": ref("V1")["$ref"], "v2": ref("V2")["$ref"]}}},
    "Version": {"type": "string", "enum": ["v1", "v2"]},
    "Base": {**obj(version=ref("Version")), "required": ["version"]},
    "V1": {"allOf": [ref("Base")], **obj(a={"type": "string"})},
    "V2": {"allOf": [ref("Base")], **obj(b={"type": "string"})},
}
GRANDPARENT = {
    # the redeclared field is the grandparent's: found through the parent's own allOf
    "Base": {**obj(kind={"type": "string", "enum": ["a", "b"]}), "required": ["kind"]},
    "Parent": {"allOf": [ref("Base"), obj(p={"type": "string"})]},
    "Child": {"allOf": [ref("Parent"), obj(kind={"type": "string", "enum": ["c", "d"]})]},
    "Other": {"allOf": [ref("Parent"), obj(q={"type": "string"})]},
}
REQUIRED_ELSEWHERE = {
    "Base": {**obj(id={"type": "integer"}, tag={"type": "string", "enum": ["x", "y"]}), "required": ["id", "tag"]},
    "Child": {"allOf": [ref("Base"), {**obj(tag={"type": "string", "enum": ["z"]}), "required": ["tag"]}]},
    "Grandchild": {"allOf": [ref("Child"), obj(id={"type": "string"})]},
    "Leaf": {"allOf": [ref("Base"), obj(extra={"type": "string"})]},
}


@pytest.mark.parametrize("schemas", [DISCRIMINATED, TAGGED, GRANDPARENT, REQUIRED_ELSEWHERE], ids=["discriminated", "tagged", "grandparent", "required"])
def test_traps_are_parted_as_the_whole_document_parts_them(schemas: dict[str, Any]) -> None:
    schemas = break_allof_cycles(schemas)
    expected = whole_rounds(schemas)
    assert expected != schemas, "the trap must hold a child the models stage parts from its parent"
    assert probed_rounds(schemas) == expected


def test_the_probe_leaves_out_what_decides_nothing() -> None:
    probe = probe_schemas(DISCRIMINATED)
    assert set(probe) == {"Pet", "Cat", "Dog", "HouseCat"}
    assert probe_schemas({"A": obj(x={"type": "string"}), "B": {"allOf": [ref("A"), obj(y={"type": "string"})]}}) == {}


def schemas_of(path: Path) -> dict[str, Any] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            document = json_document(load(str(path)).document)
            normalized, _model = parse(document, [])
            api, _diagnostics = build_api(normalized)
    except Exception:  # noqa: BLE001 - documents svcgen refuses say nothing here
        return None
    return break_allof_cycles(api.schemas)


def candidates() -> list[Path]:
    small = [CORPUS / name for name in ("spotify-web-api-fixed.v3.0.yaml", "opc-e2e-baseline.v3.0.json", "github-rest-api.2020-07-30.v3.0.json")]
    return [path for path in documents() if path.is_file()] + [path for path in small if path.is_file()]


def test_documents_are_parted_as_the_whole_document_parts_them() -> None:
    if not suite_folder().is_dir():
        pytest.skip("no peer suite beside the repository")
    compared = parted = 0
    for path in candidates():
        schemas = schemas_of(path)
        # every document with an allOf reference: where the probe looks at nothing, nothing
        # may be parted either
        if not schemas or not any(isinstance(schema, dict) and "allOf" in json.dumps(schema) for schema in schemas.values()):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = whole_rounds(schemas)
            assert probed_rounds(schemas) == expected, path.name
        compared += 1
        parted += expected != schemas
    # the peer suite holds dozens of such documents and a dozen where children are parted
    assert compared >= 20 and parted >= 5, (compared, parted)


def test_a_subclass_without_allof_sends_the_module_to_the_whole_check() -> None:
    schemas = {"Base": obj(a={"type": "string"}), "Child": {"allOf": [ref("Base")]}, "Other": obj(b={"type": "string"})}
    expected = "class Base(BaseModel):\n    a: str\n\n\nclass Child(Base):\n    pass\n"
    assert not unforeseen_subclasses(expected, schemas)
    assert unforeseen_subclasses(expected + "\n\nclass Other(Base, Child):\n    b: str\n", schemas)
    assert not unforeseen_subclasses(expected + "\n\nclass Other1(Base):\n    b: str\n", schemas)
