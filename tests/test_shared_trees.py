"""The models module's syntax tree is parsed once and shared by the fix-ups and the read-back.

``rename_reserved`` renames classes that would shadow a name of the package in the text *and* in
the shared tree, so that reading the module back needs no second parse (Stripe: 0.5 s). These
tests hold the renamed tree to what parsing the renamed text gives, and the models stage's
result to what it is when every reader parses for itself.
"""

from __future__ import annotations

import ast
import warnings
from typing import Any

import pytest

from svcgen.models import model_fixups
from svcgen.models.generate import generate_models
from svcgen.models.model_fixups import forget_trees, module_tree, rename_reserved

MODULE = '''from __future__ import annotations

from typing import Annotated
from pydantic import Field, RootModel
from typing_extensions import TypeAliasType
from pkg._runtime import BaseModel


class Client(BaseModel):
    """
A docstring whose next line starts where a class would:
class Client is also written in this docstring's text
    """
    name: str


class Endpoint(BaseModel):
    client: Annotated[Client | None, Field(alias='Client')] = None
    Endpoint: int | None = None


class Holder(RootModel[list[Endpoint]]):
    root: list[Endpoint]


Tree = TypeAliasType(
    "Tree",
    "dict[str, Tree] | Endpoint",
)
Holder.model_rebuild()
'''


def test_the_renamed_tree_is_the_tree_of_the_renamed_text() -> None:
    forget_trees()
    text = MODULE.replace("class Client is also", "the class is also")
    renamed = rename_reserved(text, frozenset({"Endpoint", "Tree", "Unused"}))
    assert "class EndpointModel(BaseModel):" in renamed and "TreeModel = TypeAliasType(" in renamed
    assert "    Endpoint: int | None = None" in renamed, "a field keeps its name"
    shared = module_tree(renamed)
    assert model_fixups._TREES.get(renamed) is shared, "the renamed text is not parsed again"
    assert ast.dump(shared) == ast.dump(ast.parse(renamed))
    forget_trees()


def test_a_text_the_tree_cannot_follow_is_parsed_again() -> None:
    forget_trees()
    renamed = rename_reserved(MODULE, frozenset({"Client"}))
    assert "class ClientModel(BaseModel):" in renamed
    assert renamed not in model_fixups._TREES, "the docstring's line was renamed too: the tree is not adopted"
    assert ast.dump(module_tree(renamed)) == ast.dump(ast.parse(renamed))
    forget_trees()


def _reparsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_fixups, "_adopt", lambda old, new: None)


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Any] = {
    "Job": {
        "type": "object",
        "properties": {
            "client": {"type": "object", "properties": {"id": {"type": "string"}}},
            "endpoint": {"type": "object", "properties": {"url": {"type": "string"}, "Client": {"type": "string"}}},
            "tree": {"$ref": "#/components/schemas/Node"},
        },
    },
    "Node": {"type": "object", "properties": {"children": {"type": "array", "items": ref("Node")}, "endpoint": ref("Job")}},
}


def test_the_models_stage_gives_what_it_gives_with_every_reader_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    reserved = frozenset({"Client", "Endpoint"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shared = generate_models(SCHEMAS, set(), set(), "pkg._runtime", reserved)
        _reparsed(monkeypatch)
        parsed = generate_models(SCHEMAS, set(), set(), "pkg._runtime", reserved)
    assert "class ClientModel(" in shared.text and "class EndpointModel(" in shared.text
    assert (shared.text, shared.classes, shared.fields, shared.required, shared.stub) == (
        parsed.text,
        parsed.classes,
        parsed.fields,
        parsed.required,
        parsed.stub,
    )
