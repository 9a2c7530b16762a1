"""``svcgen diff``: the changes issue 17 names are marked breaking (exit 1) and additions are not (exit 0).

Each case changes the small shop API of ``tests/test_diff.py`` in one way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.test_diff import base, kinds, report, run

GET_ITEM = ("/items/{id}", "get")


def _verbose(document: dict[str, Any]) -> dict[str, Any]:
    path, method = GET_ITEM
    (parameter,) = [p for p in document["paths"][path][method]["parameters"] if p["name"] == "verbose"]
    return parameter


def test_enum_member_renamed_for_the_same_value_is_breaking(tmp_path: Path) -> None:
    """A new value ``dark_red`` takes the Python name ``dark_red`` from ``dark-red``, which becomes ``dark_red_2``."""
    old = base()
    old["components"]["schemas"]["Color"]["enum"].append("dark-red")
    new = base()
    new["components"]["schemas"]["Color"]["enum"][:0] = ["dark_red"]
    new["components"]["schemas"]["Color"]["enum"].append("dark-red")
    code, data = report(tmp_path, old, new)
    assert code == 1
    assert kinds(data) == [("enum-member-renamed", "Color.dark_red", True), ("enum-value-added", "Color", False)]
    lines = run(tmp_path, old, new).stdout.splitlines()
    assert lines[0] == "BREAKING   enum member Color.dark_red renamed Color.dark_red_2 (value 'dark-red')"
    assert lines[-1] == "major: 1 breaking, 1 compatible changes"


def test_enum_value_removed_is_breaking_and_renaming_a_value_is_too(tmp_path: Path) -> None:
    new = base()
    new["components"]["schemas"]["Status"]["enum"] = ["active", "sold_out"]
    code, data = report(tmp_path, base(), new)
    assert code == 1
    assert kinds(data) == [("enum-value-removed", "Status", True), ("enum-value-added", "Status", False)]


def test_renamed_argument_is_breaking(tmp_path: Path) -> None:
    new = base()
    _verbose(new)["name"] = "detailed"
    code, data = report(tmp_path, base(), new)
    assert code == 1
    assert kinds(data) == [
        ("argument-removed", "GET /items/{id} (get_item): verbose", True),
        ("argument-added", "GET /items/{id} (get_item): detailed", False),
    ]


def test_stricter_argument_type_and_now_required_argument_are_breaking(tmp_path: Path) -> None:
    old = base()
    _verbose(old)["schema"] = {"type": ["boolean", "string"]}
    stricter = base()
    code, data = report(tmp_path, old, stricter)
    assert code == 1 and [(kind, breaking) for kind, _, breaking in kinds(data)] == [("argument-retyped", True)]
    wider_code, wider = report(tmp_path, stricter, old)
    assert wider_code == 0 and [(kind, breaking) for kind, _, breaking in kinds(wider)] == [("argument-retyped", False)]
    required = base()
    _verbose(required)["required"] = True
    code, data = report(tmp_path, base(), required)
    assert code == 1 and ("argument-required-changed", True) in [(kind, breaking) for kind, _, breaking in kinds(data)]
    assert all(breaking for _, _, breaking in kinds(data))  # also retyped: ``bool | NotGiven`` -> ``bool``


def test_removed_method_is_breaking_and_additions_are_not(tmp_path: Path) -> None:
    removed = base()
    del removed["paths"]["/count"]
    code, data = report(tmp_path, base(), removed)
    assert code == 1 and kinds(data) == [("operation-removed", "GET /count", True)]
    code, data = report(tmp_path, removed, base())
    assert code == 0 and kinds(data) == [("operation-added", "GET /count", False)]
    result = run(tmp_path, removed, base())
    assert result.exit_code == 0 and result.stdout.splitlines()[0].startswith("compatible ")
