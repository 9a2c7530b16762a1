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

import pytest
from svcgen import Config, build_files
from svcgen.errors import SvcgenError
from svcgen.load import load


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
