"""Unit tests of spec name → Python identifier rules (``svcgen.ir.naming``, ``svcgen.ir.opnames``)."""

from __future__ import annotations

import keyword
from pathlib import Path

import pytest

from svcgen.ir import naming
from svcgen.ir.naming import package_name, pascal, snake, unique
from svcgen.ir.opnames import base_name, fastapi_function_name

AWKWARD = [
    "from", "class", "self", "cls", "import", "3ds-verified", "count-tokens", "camelCase", "HTTPResponseCode",
    "io.k8s.api.apps.v1.Deployment", "café", "日本語", "", "   ", "___", "-", "a b  c", "x.y/z", "$ref",
    "__init__", "None", "True", "False", "match", "type", "0", "42nd street",
]


def is_safe_identifier(name: str) -> bool:
    return name.isidentifier() and name.isascii() and not keyword.iskeyword(name)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("from", "from_"),
        ("class", "class_"),
        ("import", "import_"),
        ("self", "self_"),
        ("3ds-verified", "field_3ds_verified"),
        ("count-tokens", "count_tokens"),
        ("camelCase", "camel_case"),
        ("HTTPResponseCode", "http_response_code"),
        ("listPets", "list_pets"),
        ("io.k8s.api.apps.v1.Deployment", "io_k8s_api_apps_v1_deployment"),
        ("café", "cafe"),
        ("Already_snake", "already_snake"),
        ("a b  c", "a_b_c"),
    ],
)
def test_snake(raw: str, expected: str) -> None:
    assert snake(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "___", "日本語", "-"])
def test_snake_falls_back_when_nothing_is_left(raw: str) -> None:
    assert snake(raw) == "value"
    assert snake(raw, fallback="arg") == "arg"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("io.k8s.api.apps.v1.Deployment", "IoK8sApiAppsV1Deployment"),
        ("fraud_score", "FraudScore"),
        ("count-tokens", "CountTokens"),
        ("camelCase", "CamelCase"),
        ("3ds-verified", "Model3dsVerified"),
        ("café au lait", "CafeAuLait"),
        ("class", "Class"),
        ("", "Model"),
        ("日本語", "Model"),
    ],
)
def test_pascal(raw: str, expected: str) -> None:
    assert pascal(raw) == expected


@pytest.mark.parametrize("raw", [name for name in AWKWARD if name not in ("None", "True", "False")])
def test_every_name_becomes_a_safe_identifier(raw: str) -> None:
    for result in (snake(raw), pascal(raw), package_name(raw)):
        assert is_safe_identifier(result), (raw, result)


@pytest.mark.parametrize("raw", ["None", "True", "False"])
def test_pascal_never_returns_a_keyword(raw: str) -> None:
    assert is_safe_identifier(pascal(raw)), pascal(raw)


def test_snake_is_idempotent() -> None:
    for raw in AWKWARD:
        assert snake(snake(raw)) == snake(raw), raw


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Calculator", "calculator_client"),
        ("Fraud Scoring", "fraud_scoring_client"),
        ("my-api", "my_api_client"),
        ("3dmodels", "api_3dmodels_client"),
        ("Already Client", "already_client"),
        ("", "api_client"),
        ("日本語", "api_client"),
    ],
)
def test_package_name(title: str, expected: str) -> None:
    assert package_name(title) == expected


def test_unique_adds_counter_suffixes_in_order() -> None:
    taken: set[str] = set()
    assert [unique(name, taken) for name in ["add", "add", "add", "sub"]] == ["add", "add_2", "add_3", "sub"]
    assert taken == {"add", "add_2", "add_3", "sub"}


def test_unique_is_case_insensitive_and_honours_separator() -> None:
    taken = {"Score"}
    assert unique("score", taken) == "score_2"
    assert unique("Result", {"Result"}, separator="") == "Result2"
    assert unique("fresh", set()) == "fresh"


def test_unique_all_avoids_client_attributes() -> None:
    names = naming.unique_all(["close", "timeout", "with_options", "add", "add"], naming.CLIENT_ATTRIBUTES)
    assert names == ["close_2", "timeout_2", "with_options_2", "add", "add_2"]
    assert not set(names) & naming.CLIENT_ATTRIBUTES


# --- operation names -------------------------------------------------------------


def test_bentoml_name_wins_over_operation_id() -> None:
    op = {"x-bentoml-name": "add", "operationId": "Calculator__add"}
    assert base_name("post", "/add", op) == "add"
    assert base_name("post", "/count-tokens", {"x-bentoml-name": "countTokens"}) == "count_tokens"
    assert base_name("post", "/x", {"x-bentoml-name": "from"}) == "from_"


def test_unusable_bentoml_name_falls_back_to_operation_id() -> None:
    assert base_name("post", "/x", {"x-bentoml-name": "!!!", "operationId": "doThing"}) == "do_thing"
    assert base_name("post", "/x", {"x-bentoml-name": 3, "operationId": "doThing"}) == "do_thing"


@pytest.mark.parametrize(
    ("operation_id", "method", "path", "expected"),
    [
        ("get_model_models__model_id__get", "get", "/models/{model_id}", "get_model"),
        ("get_dictionary_dictionaries__name__get", "get", "/admin/dictionaries/{name}", "get_dictionary"),
        ("count_tokens_count_tokens_post", "post", "/count-tokens", "count_tokens"),
        ("read_root__get", "get", "/", "read_root"),
    ],
)
def test_fastapi_ids_are_reduced_to_the_function_name(operation_id: str, method: str, path: str, expected: str) -> None:
    assert fastapi_function_name(operation_id, method, path) == expected
    assert base_name(method, path, {"operationId": operation_id}) == expected


@pytest.mark.parametrize(
    ("operation_id", "method", "path"),
    [
        ("listPets", "get", "/pets"),
        ("get_model_models__model_id__get", "post", "/models/{model_id}"),  # wrong method
        ("__model_id__get", "get", "/{model_id}"),  # nothing left in front
        ("_get", "get", "/"),
    ],
)
def test_non_fastapi_ids_are_not_reduced(operation_id: str, method: str, path: str) -> None:
    assert fastapi_function_name(operation_id, method, path) is None


@pytest.mark.parametrize(
    ("operation_id", "expected"),
    [("listPets", "list_pets"), ("Calculator__add", "calculator_add"), ("pets.list", "pets_list"), ("class", "class_")],
)
def test_readable_operation_ids_are_snake_cased(operation_id: str, expected: str) -> None:
    assert base_name("get", "/pets", {"operationId": operation_id}) == expected


@pytest.mark.parametrize(
    ("method", "path", "op", "expected"),
    [
        ("get", "/pets/{id}", {}, "get_pets_id"),
        ("get", "/pets/{id}", {"operationId": "123 weird!!"}, "get_pets_id"),
        ("get", "/pets/{id}", {"operationId": "émoji☃"}, "get_pets_id"),
        ("get", "/pets/{id}", {"operationId": "x" * 100}, "get_pets_id"),
        ("get", "/pets/{id}", {"operationId": 42}, "get_pets_id"),
        ("post", "/v1/models/{name}:predict", {}, "post_v1_models_name_predict"),
        ("get", "/", {}, "get"),
    ],
)
def test_unreadable_ids_fall_back_to_method_and_path(method: str, path: str, op: dict[str, object], expected: str) -> None:
    name = base_name(method, path, op)
    assert name == expected
    assert is_safe_identifier(name)


def test_every_public_client_attribute_is_reserved() -> None:
    """An operation can never shadow a method or setting of the runtime's clients."""
    from tests.runtime_support import load_isolated

    with load_isolated("calculator", "calculator_client") as package:
        public = {
            name
            for cls in (package.Client, package.AsyncClient)
            for klass in cls.__mro__[1:]
            if klass.__module__.startswith("calculator_client._runtime")
            for name in vars(klass)
            if not name.startswith("_")
        }
        public |= {name for name in vars(package.Client("http://127.0.0.1:1")) if not name.startswith("_")}
    assert public <= naming.CLIENT_ATTRIBUTES, public - naming.CLIENT_ATTRIBUTES


def test_string_enum_members_are_named_after_their_values() -> None:
    """``class Sentiment(str, Enum): positive = "positive"`` publishes only the values: the client's
    members take them as names where Python allows, else a snake_case name; never a name that
    hides an attribute of ``str`` or ``Enum`` (``upper``, ``name``, ``value``), a keyword, a private
    name (which an enum does not make a member), or a name another value already has (compared
    without case, as every name the generator makes unique)."""
    from svcgen.models.enums import member_names

    values = ["positive", "in-progress", "upper", "name", "value", "class", "None", "_x", "3ds", "A", "a", "ｆｏｏ", "foo", ""]
    names = member_names(values)
    assert names == ["positive", "in_progress", "upper_", "name_", "value_", "class_", "None_", "x", "field_3ds", "A", "a_2", "foo", "foo_2", "member"]
    assert len(set(names)) == len(names) and all(name.isidentifier() and not name.startswith("_") for name in names)


#: Values that are attributes of ``str`` or of ``int`` (or keywords): as member names they would hide
#: the attribute (``Kind.title`` the method, ``Kind.real`` the property), so each takes an underscore.
_STR_ATTRIBUTES = ["title", "count", "format", "upper", "split", "index"]
_INT_ATTRIBUTES = ["real", "imag", "numerator", "denominator", "bit_length", "conjugate"]


def test_enum_member_names_never_shadow_str_or_int_attributes() -> None:
    from svcgen.models.enums import member_names

    values = [*_STR_ATTRIBUTES, *_INT_ATTRIBUTES, "def", "plain"]
    assert member_names(values) == [value + "_" for value in values[:-1]] + ["plain"]


def test_enum_members_that_would_shadow_attributes_work_in_a_generated_package(tmp_path: Path) -> None:
    """Generated, installed and imported: each member keeps its wire value and ``str``'s own methods still work."""
    from svcgen import Config, build_files
    from tests.support.generated_pkg import imported, write_tree

    values = [*_STR_ATTRIBUTES, *_INT_ATTRIBUTES, "class"]
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Kinds", "version": "1.0.0"},
        "paths": {
            "/kind": {
                "get": {
                    "operationId": "kind",
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Kind"}}}}},
                }
            }
        },
        "components": {"schemas": {"Kind": {"type": "string", "enum": values}}},
    }
    files = build_files(document, Config(source="kinds.json", name="kinds_client")).files
    with imported(write_tree(files, tmp_path / "kinds"), "kinds_client") as package:
        kind = package.models.Kind
        assert [member.name for member in kind] == [value + "_" for value in values]
        assert [member.value for member in kind] == values
        assert kind.title_ == "title" and kind("real") is kind.real_
        assert kind.format_.upper() == "FORMAT" and kind.count_.title() == "Count"  # str's methods are intact
