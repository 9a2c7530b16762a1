"""Known traps of real-world OpenAPI documents, one minimal hand-written document each.

Every trap is generated in memory, written to a temporary folder and checked
for the same things: the code compiles, every module imports in a fresh
process (and every pydantic model in it is complete), ``mypy --strict`` passes
on the package, no diagnostic says something was dropped, and the client
behaves: it is called through an ``httpx.MockTransport`` and the test checks
what was sent and what was decoded.
"""

from __future__ import annotations

import ast
import contextlib
import datetime
import enum
import inspect
import json
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest
from svcgen import Config, Diagnostic, build_files
from svcgen.ir import naming
from svcgen.ir.schemas import component_names

from tests.support.generated_pkg import (
    CACHE,
    CALL_OPTIONS,
    PYTHON,
    drop_claims,
    first_error,
    import_every_module,
    imported,
    mypy_strict,
    run,
    tail,
    write_tree,
)
from tests.support.wheels import installed

MYPY_CACHE = CACHE / "traps" / "mypy"
BASE_URL = "http://api.test"


# --- building documents ----------------------------------------------------------------


def document(
    version: str = "3.1.0",
    *,
    paths: dict[str, Any] | None = None,
    schemas: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    doc: dict[str, Any] = {"openapi": version, "info": {"title": "Trap", "version": "1.0.0"}}
    if paths is not None:
        doc["paths"] = paths
    if schemas is not None:
        doc["components"] = {"schemas": schemas}
    doc.update(extra)
    return doc


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def json_body(schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


NO_CONTENT = {"204": {"description": "done"}}
STRING = {"type": "string"}
INTEGER = {"type": "integer"}


def class_names(doc: dict[str, Any]) -> dict[str, str]:
    """Component key → the class name the generator gives it."""
    keys = list((doc.get("components") or {}).get("schemas") or {})
    return component_names(keys, set(naming.PACKAGE_NAMES))


# --- generating and checking -----------------------------------------------------------


class Recorder:
    """A MockTransport handler: records every request and answers with the next canned reply."""

    def __init__(self, *replies: httpx.Response | Callable[[httpx.Request], httpx.Response]) -> None:
        self.replies = list(replies) or [httpx.Response(200, json=None)]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        if callable(reply) and not isinstance(reply, httpx.Response):
            return reply(request)
        return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def last_json(self) -> Any:
        return json.loads(self.last.content)


@dataclass
class Trap:
    folder: Path
    package: str
    files: dict[str, str]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def check_package(self, *, block: tuple[str, ...] = (), reported: str | None = None) -> None:
        """Compiles, imports module by module in a fresh process, and claims to have dropped nothing
        (except, when ``reported`` is given, what a diagnostic mentioning that text reports)."""
        for path, text in self.files.items():
            if path.endswith((".py", ".pyi")):
                compile(text, path, "exec")
        report = import_every_module(self.folder, self.package, block=block)
        assert report["failures"] == [], report["failures"]
        assert report["incomplete"] == [], report["incomplete"]
        claims = drop_claims(self.diagnostics)
        assert [claim for claim in claims if reported is None or reported not in claim] == []

    def check_mypy(self) -> None:
        result = mypy_strict(self.folder, self.package, MYPY_CACHE / self.package)
        assert result.returncode == 0, f"{first_error(result)}\n{tail(result)}"

    @staticmethod
    def client(pkg: Any, recorder: Recorder) -> Any:
        return pkg.Client(BASE_URL, http_client=httpx.Client(transport=httpx.MockTransport(recorder)))

    @contextlib.contextmanager
    def imported(self) -> Iterator[Any]:
        with imported(self.folder, self.package) as pkg:
            yield pkg


@pytest.fixture
def make(tmp_path: Path) -> Callable[[dict[str, Any], str], Trap]:
    def build(doc: dict[str, Any], package: str) -> Trap:
        generated = build_files(doc, Config(source=f"{package}.json", name=package))
        write_tree(generated.files, tmp_path)
        return Trap(tmp_path, generated.package, generated.files, generated.diagnostics)

    return build


def api_arguments(method: Any) -> list[str]:
    """A generated method's keyword arguments that come from the API (not the per-call options)."""
    return [
        name
        for name, parameter in inspect.signature(method).parameters.items()
        if name != "self" and name not in CALL_OPTIONS and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    ]


def argument_for(method: Any, wire: str) -> str:
    """The one keyword argument of ``method`` standing for the API parameter ``wire``."""
    wanted = naming.snake(wire).rstrip("_")
    found = [name for name in api_arguments(method) if name.rstrip("_") == wanted]
    assert len(found) == 1, (wire, api_arguments(method))
    return found[0]


def unwrap(value: Any) -> Any:
    """A RootModel's value (a union component is a RootModel), or the value itself."""
    return getattr(value, "root", value) if type(value).__name__ not in ("list", "dict") else value


def wire_json(model: Any) -> Any:
    return json.loads(model.model_dump_json(by_alias=True, exclude_unset=True))


# --- the traps -------------------------------------------------------------------------


TITLES = document(
    schemas={
        "First": {"title": "Item", "type": "object", "required": ["a"], "properties": {"a": STRING}},
        "Second": {"title": "Item", "type": "object", "required": ["b"], "properties": {"b": INTEGER}},
        "Third": {"title": "Item", "type": "string", "enum": ["x", "y"]},
        "Pair": {
            "type": "object",
            "required": ["first", "second"],
            "properties": {"first": ref("First"), "second": ref("Second"), "third": ref("Third")},
        },
        # FastAPI (pydantic v2) splits a model into these two, both titled after the model.
        "Model-Input": {
            "title": "Model",
            "type": "object",
            "required": ["name"],
            "properties": {"name": STRING, "tags": {"type": "array", "items": STRING}},
        },
        "Model-Output": {
            "title": "Model",
            "type": "object",
            "required": ["name", "id"],
            "properties": {"name": STRING, "id": INTEGER, "tags": {"type": "array", "items": STRING}},
        },
    },
    paths={
        "/pair": {
            "post": {
                "operationId": "make_pair",
                "requestBody": json_body(ref("First")),
                "responses": json_response(ref("Pair")),
            }
        },
        "/models": {
            "post": {
                "operationId": "create_model",
                "requestBody": json_body(ref("Model-Input")),
                "responses": json_response(ref("Model-Output")),
            }
        },
    },
)


def test_duplicate_schema_titles_give_distinct_classes(make: Callable[..., Trap]) -> None:
    trap = make(TITLES, "trap_titles")
    trap.check_package()
    names = class_names(TITLES)
    with trap.imported() as pkg:
        classes = {key: getattr(pkg.models, name) for key, name in names.items()}
        assert len({id(cls) for cls in classes.values()}) == len(classes) == 6
        pair_reply = {"first": {"a": "p"}, "second": {"b": 2}, "third": "y"}
        recorder = Recorder(
            httpx.Response(200, json=pair_reply), httpx.Response(200, json={"name": "n", "id": 3, "tags": ["t"]})
        )
        with trap.client(pkg, recorder) as client:
            pair = client.make_pair(a="x")
            assert recorder.last_json() == {"a": "x"}
            assert type(pair) is classes["Pair"]
            assert type(pair.first) is classes["First"] and pair.first.a == "p"
            assert type(pair.second) is classes["Second"] and pair.second.b == 2
            assert isinstance(pair.third, classes["Third"]) and pair.third.value == "y"
            created = client.create_model(name="n", tags=["t"])
            assert recorder.last_json() == {"name": "n", "tags": ["t"]}
            assert type(created) is classes["Model-Output"] and created.id == 3
        assert set(classes["Model-Input"].model_fields) == {"name", "tags"}
        assert set(classes["Model-Output"].model_fields) == {"name", "id", "tags"}
    trap.check_mypy()


EMPTY_ENUMS = document(
    schemas={
        "Base": STRING,
        "Empty": {"type": "string", "enum": []},
        "Holder": {
            "type": "object",
            "properties": {
                "plain": {"type": "string", "enum": []},
                "combined": {"allOf": [ref("Base")], "enum": []},
                "named": ref("Empty"),
            },
        },
    },
    paths={
        "/holder": {
            "get": {
                "operationId": "get_holder",
                "parameters": [{"name": "mode", "in": "query", "schema": {"type": "string", "enum": []}}],
                "responses": json_response(ref("Holder")),
            }
        }
    },
)


def test_empty_enums_accept_any_string(make: Callable[..., Trap]) -> None:
    trap = make(EMPTY_ENUMS, "trap_empty_enum")
    trap.check_package()
    reply = {"plain": "free text", "combined": "more text", "named": "anything"}
    with trap.imported() as pkg:
        recorder = Recorder(httpx.Response(200, json=reply))
        with trap.client(pkg, recorder) as client:
            holder = client.get_holder(mode="whatever mode")
        assert recorder.last.url.params.multi_items() == [("mode", "whatever mode")]
        assert wire_json(holder) == reply
        assert holder.model_extra in (None, {})
        built = getattr(pkg.models, class_names(EMPTY_ENUMS)["Holder"]).model_validate(
            {"plain": "a", "combined": "b", "named": "c"}
        )
        assert wire_json(built) == {"plain": "a", "combined": "b", "named": "c"}
    trap.check_mypy()


CLASHING_ENUMS = document(
    schemas={
        "Zone": {"type": "string", "enum": ["GMT0", "GMT+0", "GMT-0"]},
        "Level": {"type": "integer", "enum": [-1, 0, 1, 10]},
        "Sign": {"type": "string", "enum": ["+", "-", "_"]},
        "Clock": {"type": "object", "properties": {"zone": ref("Zone"), "level": ref("Level"), "sign": ref("Sign")}},
    },
    paths={
        "/clock": {
            "get": {
                "operationId": "get_clock",
                "parameters": [
                    {"name": "zone", "in": "query", "schema": ref("Zone")},
                    {"name": "level", "in": "query", "schema": ref("Level")},
                ],
                "responses": json_response(ref("Clock")),
            }
        }
    },
)


def test_enum_values_that_clean_to_the_same_name(make: Callable[..., Trap]) -> None:
    trap = make(CLASHING_ENUMS, "trap_enum_names")
    trap.check_package()
    names = class_names(CLASHING_ENUMS)
    values = {key: CLASHING_ENUMS["components"]["schemas"][key]["enum"] for key in ("Zone", "Level", "Sign")}
    with trap.imported() as pkg:
        clock_cls = getattr(pkg.models, names["Clock"])
        for key, wire_values in values.items():
            cls = getattr(pkg.models, names[key])
            assert issubclass(cls, enum.Enum)
            members = list(cls)
            assert len(members) == len(wire_values), (key, [m.name for m in members])
            assert sorted(m.value for m in members) == sorted(wire_values)
            field_name = key.lower()
            for value in wire_values:
                assert cls(value).value == value
                decoded = clock_cls.model_validate_json(json.dumps({field_name: value}))
                assert wire_json(decoded) == {field_name: value}
        # models are open: an unknown value is kept as its raw value
        unknown = {"zone": "GMT+14", "level": 99, "sign": "~"}
        recorder = Recorder(httpx.Response(200, json=unknown), httpx.Response(200, json={"zone": "GMT-0", "level": -1}))
        with trap.client(pkg, recorder) as client:
            clock = client.get_clock()
            assert wire_json(clock) == unknown
            assert clock.zone.value == "GMT+14" and clock.level.value == 99
            zone_cls, level_cls = getattr(pkg.models, names["Zone"]), getattr(pkg.models, names["Level"])
            again = client.get_clock(zone=zone_cls("GMT+0"), level=level_cls(-1))
            assert recorder.last.url.params.multi_items() == [("zone", "GMT+0"), ("level", "-1")]
            assert again.zone is zone_cls("GMT-0") and again.level is level_cls(-1)
    trap.check_mypy()


ODD_WIRE = {"+1": 1, "-1": -1, "a-b": "dash", "a_b": "underscore"}
ODD_PROPERTIES = document(
    schemas={
        "Odd": {
            "type": "object",
            "properties": {"+1": INTEGER, "-1": INTEGER, "a-b": STRING, "a_b": STRING},
        }
    },
    paths={
        "/odd": {
            "post": {
                "operationId": "send_odd",
                "requestBody": json_body({"type": "object", "required": ["odd"], "properties": {"odd": ref("Odd")}}),
                "responses": json_response(ref("Odd")),
            }
        }
    },
)


def test_properties_that_clean_to_the_same_name(make: Callable[..., Trap]) -> None:
    trap = make(ODD_PROPERTIES, "trap_properties")
    trap.check_package()
    with trap.imported() as pkg:
        odd_cls = getattr(pkg.models, class_names(ODD_PROPERTIES)["Odd"])
        aliases = {info.alias or name for name, info in odd_cls.model_fields.items()}
        assert aliases == set(ODD_WIRE), aliases
        recorder = Recorder(httpx.Response(200, json=ODD_WIRE))
        with trap.client(pkg, recorder) as client:
            decoded = client.send_odd(odd=odd_cls.model_validate(ODD_WIRE))
            assert recorder.last_json() == {"odd": ODD_WIRE}
            client.send_odd(odd=dict(ODD_WIRE))
            assert recorder.last_json() == {"odd": ODD_WIRE}
        assert type(decoded) is odd_cls
        assert decoded.model_extra in (None, {}), decoded.model_extra
        by_alias = {info.alias or name: getattr(decoded, name) for name, info in odd_cls.model_fields.items()}
        assert by_alias == ODD_WIRE
        assert wire_json(decoded) == ODD_WIRE
    trap.check_mypy()


DATE_TIME = {"type": "string", "format": "date-time"}
CLASHING_QUERY = document(
    paths={
        "/calls": {
            "get": {
                "operationId": "list_calls",
                "parameters": [
                    {"name": "StartTime", "in": "query", "schema": DATE_TIME},
                    {"name": "StartTime<", "in": "query", "schema": DATE_TIME},
                    {"name": "StartTime>", "in": "query", "schema": DATE_TIME},
                ],
                "responses": json_response({"type": "array", "items": STRING}),
            }
        }
    }
)


def test_query_parameters_that_clean_to_the_same_name(make: Callable[..., Trap]) -> None:
    trap = make(CLASHING_QUERY, "trap_query_names")
    trap.check_package()
    with trap.imported() as pkg:
        arguments = api_arguments(pkg.Client.list_calls)
        assert len(arguments) == 3 and len(set(arguments)) == 3, arguments
        assert "start_time" in arguments
        moments = {
            name: datetime.datetime(2024, 1, day, tzinfo=datetime.timezone.utc) for day, name in enumerate(arguments, 1)
        }
        recorder = Recorder(httpx.Response(200, json=["c1"]))
        with trap.client(pkg, recorder) as client:
            assert client.list_calls(**moments) == ["c1"]
        sent = recorder.last.url.params.multi_items()
        assert sorted(wire for wire, _ in sent) == ["StartTime", "StartTime<", "StartTime>"], sent
        assert sorted(value for _, value in sent) == sorted(moment.isoformat() for moment in moments.values())
        assert dict(sent)["StartTime"] == moments["start_time"].isoformat()
    trap.check_mypy()


OBJECT_DEFAULTS = document(
    schemas={
        "Options": {"type": "object", "properties": {"level": INTEGER, "tags": {"type": "array", "items": STRING}}},
        "Job": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": STRING,
                "options": {"allOf": [ref("Options")], "default": {"level": 1}},
                "fallback": {"anyOf": [ref("Options"), {"type": "null"}], "default": {}},
                "either": {"anyOf": [ref("Options"), STRING], "default": {"tags": []}},
                "when": {"type": "string", "format": "date-time", "default": {}},
            },
        },
    },
    paths={
        "/jobs": {
            "post": {
                "operationId": "create_job",
                "requestBody": json_body(ref("Job")),
                "responses": json_response(ref("Job")),
            }
        },
        "/jobs/{id}": {
            "get": {
                "operationId": "get_job",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": STRING}],
                "responses": json_response(ref("Job")),
            }
        },
    },
)


def test_object_defaults_on_references_and_odd_defaults(make: Callable[..., Trap]) -> None:
    trap = make(OBJECT_DEFAULTS, "trap_defaults")
    trap.check_package()
    with trap.imported() as pkg:
        job_cls = getattr(pkg.models, class_names(OBJECT_DEFAULTS)["Job"])
        recorder = Recorder(httpx.Response(200, json={"name": "x"}))
        with trap.client(pkg, recorder) as client:
            job = client.get_job(id="1")
            assert recorder.last.url.path == "/jobs/1"
            assert type(job) is job_cls and job.name == "x"
            client.create_job(name="y")
            assert recorder.last_json() == {"name": "y"}
        assert job_cls(name="z").name == "z"
        assert job_cls.model_validate({"name": "z"}).name == "z"
    trap.check_mypy()


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
RAW_BODIES = document(
    paths={
        "/blob": {
            "post": {
                "operationId": "upload_blob",
                "requestBody": {
                    "required": True,
                    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                },
                "responses": NO_CONTENT,
            }
        },
        "/note": {
            "post": {
                "operationId": "post_note",
                "requestBody": {"required": True, "content": {"text/plain": {"schema": STRING}}},
                "responses": NO_CONTENT,
            }
        },
        "/photo": {
            "post": {
                "operationId": "upload_photo",
                "requestBody": {
                    "required": True,
                    "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
                },
                "responses": NO_CONTENT,
            }
        },
    }
)


def test_raw_request_bodies(make: Callable[..., Trap]) -> None:
    trap = make(RAW_BODIES, "trap_raw_bodies")
    trap.check_package()
    with trap.imported() as pkg:
        recorder = Recorder(httpx.Response(204))
        with trap.client(pkg, recorder) as client:
            assert client.upload_blob(body=b"\x00\x01raw bytes") is None
            assert recorder.last.content == b"\x00\x01raw bytes"
            assert recorder.last.headers["content-type"] == "application/octet-stream"
            assert client.post_note(body="hello, wörld") is None
            assert recorder.last.content == "hello, wörld".encode()
            assert recorder.last.headers["content-type"].split(";")[0] == "text/plain"
            assert client.upload_photo(body=JPEG) is None
            assert recorder.last.content == JPEG
            assert recorder.last.headers["content-type"] == "image/jpeg"
        assert [request.url.path for request in recorder.requests] == ["/blob", "/note", "/photo"]
    trap.check_mypy()


UNION_QUERY = document(
    paths={
        "/items": {
            "get": {
                "operationId": "list_items",
                "parameters": [
                    {
                        "name": "ids",
                        "in": "query",
                        "schema": {"oneOf": [INTEGER, {"type": "array", "items": INTEGER}]},
                    }
                ],
                "responses": json_response({"type": "array", "items": INTEGER}),
            }
        }
    }
)


def test_union_typed_query_parameter(make: Callable[..., Trap]) -> None:
    trap = make(UNION_QUERY, "trap_union_query")
    trap.check_package()
    with trap.imported() as pkg:
        recorder = Recorder(httpx.Response(200, json=[1]))
        with trap.client(pkg, recorder) as client:
            assert client.list_items(ids=5) == [1]
            assert recorder.last.url.params.multi_items() == [("ids", "5")]
            client.list_items(ids=[1, 2])
            assert recorder.last.url.params.multi_items() == [("ids", "1"), ("ids", "2")]
            client.list_items()
            assert recorder.last.url.params.multi_items() == []
    trap.check_mypy()


NULLABLE_ANY_OF = document(
    "3.0.3",
    schemas={
        "Cat": {"type": "object", "required": ["meow"], "properties": {"meow": {"type": "boolean"}}},
        "Dog": {"type": "object", "required": ["bark"], "properties": {"bark": {"type": "boolean"}}},
        "Pet": {"nullable": True, "type": "object", "anyOf": [ref("Cat"), ref("Dog")]},
        "Owner": {"type": "object", "properties": {"name": STRING, "pet": ref("Pet")}},
    },
    paths={
        "/pet": {
            "get": {"operationId": "get_pet", "responses": json_response(ref("Pet"))},
            "put": {
                "operationId": "put_pet",
                "requestBody": json_body(ref("Pet")),
                "responses": json_response(ref("Pet")),
            },
        },
        "/owner": {
            "post": {
                "operationId": "save_owner",
                "requestBody": json_body(ref("Owner")),
                "responses": json_response(ref("Owner")),
            }
        },
    },
)


def test_nullable_object_with_any_of(make: Callable[..., Trap]) -> None:
    trap = make(NULLABLE_ANY_OF, "trap_nullable_any_of")
    trap.check_package()
    names = class_names(NULLABLE_ANY_OF)
    with trap.imported() as pkg:
        recorder = Recorder(
            httpx.Response(200, json=None),
            httpx.Response(200, json={"meow": True}),
            httpx.Response(200, json=None),
            httpx.Response(200, json={"name": "Ada", "pet": None}),
        )
        with trap.client(pkg, recorder) as client:
            assert client.get_pet() is None
            cat = unwrap(client.get_pet())
            assert type(cat).__name__ == names["Cat"] and cat.meow is True
            assert client.put_pet(body=None) is None
            assert recorder.last.content == b"null"
            owner = client.save_owner(name="Ada", pet=None)
            assert recorder.last_json() == {"name": "Ada", "pet": None}
        assert type(owner).__name__ == names["Owner"] and owner.pet is None
    trap.check_mypy()


BOTH_BODIES = document(
    paths={
        "/upload": {
            "post": {
                "operationId": "upload",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["name", "file"],
                                "properties": {"name": STRING, "file": {"type": "string", "format": "binary"}},
                            }
                        },
                        "application/json": {
                            "schema": {"type": "object", "required": ["name"], "properties": {"name": STRING}}
                        },
                    },
                },
                "responses": json_response({"type": "object", "properties": {"ok": {"type": "boolean"}}}),
            }
        }
    }
)


def test_multipart_and_json_bodies_on_one_operation(make: Callable[..., Trap]) -> None:
    trap = make(BOTH_BODIES, "trap_two_bodies")
    # the form the client cannot send must be reported, not dropped silently
    trap.check_package(reported="multipart/form-data")
    mentions = [d for d in trap.diagnostics if "POST /upload" in d.where and "multipart/form-data" in d.message]
    assert mentions, [d.describe() for d in trap.diagnostics]
    with trap.imported() as pkg:
        recorder = Recorder(httpx.Response(200, json={"ok": True}))
        with trap.client(pkg, recorder) as client:
            answer = client.upload(name="report")
        assert recorder.last.method == "POST" and recorder.last.url.path == "/upload"
        assert recorder.last.headers["content-type"] == "application/json"
        assert recorder.last_json() == {"name": "report"}
        assert answer.ok is True
    trap.check_mypy()


SHADOWING_NAMES = document(
    paths={
        "/items/{quote}": {
            "get": {
                "operationId": "get_item",
                "parameters": [
                    {"name": "quote", "in": "path", "required": True, "schema": STRING},
                    {"name": "httpx", "in": "query", "schema": STRING},
                    {"name": "Endpoint", "in": "query", "schema": STRING},
                    {"name": "models", "in": "query", "schema": STRING},
                    {"name": "os", "in": "query", "schema": STRING},
                ],
                "responses": json_response(STRING),
            }
        },
        "/files/{quote}": {
            "get": {
                "operationId": "download",
                "parameters": [
                    {"name": "quote", "in": "path", "required": True, "schema": STRING},
                    {"name": "os", "in": "query", "schema": STRING},
                ],
                "responses": {
                    "200": {
                        "description": "a file",
                        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
                    }
                },
            }
        },
    }
)


def test_parameters_named_like_modules_the_client_uses(make: Callable[..., Trap]) -> None:
    trap = make(SHADOWING_NAMES, "trap_shadowing")
    trap.check_package()
    with trap.imported() as pkg:
        method = pkg.Client.get_item
        wires = ["quote", "httpx", "Endpoint", "models", "os"]
        arguments = {wire: argument_for(method, wire) for wire in wires}
        assert len(set(arguments.values())) == 5
        recorder = Recorder(httpx.Response(200, json="found"), httpx.Response(200, content=b"file bytes"))
        given = {"quote": "a b/c", "httpx": "h", "Endpoint": "e", "models": "m", "os": "o"}
        with trap.client(pkg, recorder) as client:
            assert client.get_item(**{arguments[wire]: value for wire, value in given.items()}) == "found"
            request = recorder.last
            assert request.url.raw_path.split(b"?")[0] == b"/items/a%20b%2Fc"
            assert sorted(request.url.params.multi_items()) == sorted((w, v) for w, v in given.items() if w != "quote")
            download = pkg.Client.download
            saved = client.download(**{argument_for(download, "quote"): "a b/c", argument_for(download, "os"): "o"})
            assert recorder.last.url.raw_path == b"/files/a%20b%2Fc?os=o"
            assert saved == b"file bytes"
    trap.check_mypy()


DEPLOYMENT = "io.k8s.api.apps.v1.Deployment"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
DOTTED = document(
    "3.0.0",
    schemas={
        OBJECT_META: {
            "type": "object",
            "properties": {"name": STRING, "labels": {"type": "object", "additionalProperties": STRING}},
        },
        DEPLOYMENT: {
            "type": "object",
            "properties": {"apiVersion": STRING, "kind": STRING, "metadata": ref(OBJECT_META)},
        },
        "io.k8s.api.apps.v1.DeploymentList": {
            "type": "object",
            "required": ["items"],
            "properties": {"items": {"type": "array", "items": ref(DEPLOYMENT)}},
        },
    },
    paths={
        "/apis/apps/v1/namespaces/{namespace}/deployments": {
            "parameters": [{"name": "namespace", "in": "path", "required": True, "schema": STRING}],
            "get": {
                "operationId": "listAppsV1NamespacedDeployment",
                "responses": json_response(ref("io.k8s.api.apps.v1.DeploymentList")),
            },
            "post": {
                "operationId": "createAppsV1NamespacedDeployment",
                "requestBody": json_body(ref(DEPLOYMENT)),
                "responses": json_response(ref(DEPLOYMENT)),
            },
        }
    },
)


def test_schema_names_with_dots(make: Callable[..., Trap]) -> None:
    trap = make(DOTTED, "trap_dotted")
    trap.check_package()
    names = class_names(DOTTED)
    with trap.imported() as pkg:
        classes = {key: getattr(pkg.models, name) for key, name in names.items()}
        reply = {"items": [{"kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}}}]}
        recorder = Recorder(httpx.Response(200, json=reply), httpx.Response(200, json=reply["items"][0]))
        with trap.client(pkg, recorder) as client:
            listed = client.list_apps_v1_namespaced_deployment(namespace="prod")
            assert recorder.last.url.path == "/apis/apps/v1/namespaces/prod/deployments"
            assert type(listed) is classes["io.k8s.api.apps.v1.DeploymentList"]
            (item,) = listed.items
            assert type(item) is classes[DEPLOYMENT]
            assert type(item.metadata) is classes[OBJECT_META] and item.metadata.labels == {"app": "web"}
            created = client.create_apps_v1_namespaced_deployment(
                namespace="prod", kind="Deployment", metadata=classes[OBJECT_META](name="web", labels={"app": "web"})
            )
            assert recorder.last_json() == reply["items"][0]
            assert type(created) is classes[DEPLOYMENT] and created.metadata.name == "web"
    trap.check_mypy()


ENUM_DISCRIMINATOR = document(
    schemas={
        "Cat": {
            "type": "object",
            "required": ["type", "name"],
            "properties": {"type": {"type": "string", "enum": ["cat"]}, "name": STRING, "meows": {"type": "boolean"}},
        },
        "Dog": {
            "type": "object",
            "required": ["type", "name"],
            "properties": {"type": {"type": "string", "enum": ["dog"]}, "name": STRING, "barks": {"type": "boolean"}},
        },
        "Pet": {
            "oneOf": [ref("Cat"), ref("Dog")],
            "discriminator": {
                "propertyName": "type",
                "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"},
            },
        },
    },
    paths={
        "/pets": {
            "get": {"operationId": "list_pets", "responses": json_response({"type": "array", "items": ref("Pet")})},
            "post": {
                "operationId": "add_pet",
                "requestBody": json_body(ref("Pet")),
                "responses": json_response(ref("Pet")),
            },
        }
    },
)


def test_discriminator_over_one_value_enums(make: Callable[..., Trap]) -> None:
    trap = make(ENUM_DISCRIMINATOR, "trap_discriminator")
    trap.check_package()
    names = class_names(ENUM_DISCRIMINATOR)
    pets = [{"type": "dog", "name": "Rex", "barks": True}, {"type": "cat", "name": "Tom", "meows": False}]
    with trap.imported() as pkg:
        recorder = Recorder(httpx.Response(200, json=pets), httpx.Response(200, json=pets[1]))
        with trap.client(pkg, recorder) as client:
            decoded = [unwrap(pet) for pet in client.list_pets()]
            assert [type(pet).__name__ for pet in decoded] == [names["Dog"], names["Cat"]]
            assert decoded[0].barks is True and decoded[1].meows is False
            added = unwrap(client.add_pet(body={"type": "cat", "name": "Tom", "meows": False}))
            assert recorder.last_json() == pets[1]
            assert type(added).__name__ == names["Cat"]
    trap.check_mypy()


#: No ``mapping``: OpenAPI's implicit one would tag each variant with its schema name, yet the
#: variants declare their own values (OpenAI's ``Tool`` union: ``web_search_preview`` and
#: ``web_search_preview_2025_03_11`` for ``WebSearchPreviewTool``); a free-string variant keeps
#: the implicit name.
DECLARED_TAGS = document(
    schemas={
        "SearchTool": {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"type": "string", "enum": ["search", "search_2025"], "default": "search"}, "query": STRING},
        },
        "FunctionTool": {
            "type": "object",
            "required": ["type", "name"],
            "properties": {"type": {"const": "function"}, "name": STRING},
        },
        "Other": {"type": "object", "required": ["type"], "properties": {"type": STRING, "size": {"type": "integer"}}},
        "Tool": {"oneOf": [ref("SearchTool"), ref("FunctionTool"), ref("Other")], "discriminator": {"propertyName": "type"}},
    },
    paths={
        "/tools": {
            "post": {"operationId": "echo_tool", "requestBody": json_body(ref("Tool")), "responses": json_response(ref("Tool"))}
        }
    },
)


def test_discriminator_without_mapping_uses_the_values_variants_declare(make: Callable[..., Trap]) -> None:
    trap = make(DECLARED_TAGS, "trap_declared_tags")
    trap.check_package()
    names = class_names(DECLARED_TAGS)
    answers = [{"type": "search_2025", "query": "q"}, {"type": "function", "name": "f"}, {"type": "Other", "size": 2}]
    with trap.imported() as pkg:
        recorder = Recorder(*(httpx.Response(200, json=answer) for answer in answers))
        with trap.client(pkg, recorder) as client:
            search = unwrap(client.echo_tool(body={"type": "search", "query": "q"}))
            assert recorder.last_json() == {"type": "search", "query": "q"}
            assert type(search).__name__ == names["SearchTool"] and search.type == "search_2025"
            assert type(unwrap(client.echo_tool(body={"type": "function", "name": "f"}))).__name__ == names["FunctionTool"]
            assert type(unwrap(client.echo_tool(body={"type": "Other", "size": 2}))).__name__ == names["Other"]
        with pytest.raises(pydantic.ValidationError):
            getattr(pkg, names["Tool"]).model_validate({"type": "SearchTool", "query": "q"})
    trap.check_mypy()


def test_two_variants_declaring_one_value_validate_variant_by_variant(make: Callable[..., Trap]) -> None:
    schemas = {
        "A": {"type": "object", "required": ["kind"], "properties": {"kind": {"enum": ["x", "y"]}, "a": STRING}},
        "B": {"type": "object", "required": ["kind"], "properties": {"kind": {"enum": ["y"]}, "b": STRING}},
        "AB": {"oneOf": [ref("A"), ref("B")], "discriminator": {"propertyName": "kind"}},
    }
    spec = document(schemas=schemas, paths={"/ab": {"get": {"operationId": "get_ab", "responses": json_response(ref("AB"))}}})
    trap = make(spec, "trap_shared_tag")
    trap.check_package()
    names = class_names(spec)
    with trap.imported() as pkg:
        model = getattr(pkg, names["AB"])
        assert type(model.model_validate({"kind": "x", "a": "1"}).root).__name__ == names["A"]
        assert type(model.model_validate({"kind": "y", "b": "2"}).root).__name__ in (names["A"], names["B"])


EMAIL = document(
    schemas={
        "User": {
            "type": "object",
            "required": ["email"],
            "properties": {
                "email": {"type": "string", "format": "email"},
                "backup": {"type": ["string", "null"], "format": "email"},
            },
        }
    },
    paths={
        "/users": {
            "post": {
                "operationId": "create_user",
                "requestBody": json_body(ref("User")),
                "responses": json_response(ref("User")),
            }
        },
    },
)

EMAIL_PROBE = textwrap.dedent(
    """
    import importlib.abc, json, sys

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "email_validator":
                raise ModuleNotFoundError("No module named 'email_validator' (blocked by the test)", name=name)
            return None

    sys.meta_path.insert(0, Blocker())
    sys.modules.pop("email_validator", None)
    import httpx
    import trap_email as pkg
    import trap_email.models

    sent = []
    def reply(request):
        sent.append(json.loads(request.read()))
        return httpx.Response(200, json={"email": "ada@example.com", "backup": None})

    with pkg.Client("http://api.test", http_client=httpx.Client(transport=httpx.MockTransport(reply))) as client:
        user = client.create_user(email="ada@example.com", backup=None)
    print(json.dumps({
        "sent": sent,
        "email": user.email,
        "email_type": type(user.email).__name__,
        "dumped": json.loads(user.model_dump_json(by_alias=True)),
        "email_validator_loaded": "email_validator" in sys.modules,
    }))
    """
)


def test_email_format_needs_no_email_validator(make: Callable[..., Trap]) -> None:
    trap = make(EMAIL, "trap_email")
    trap.check_package(block=("email_validator",))
    result = run([PYTHON, "-c", EMAIL_PROBE], trap.folder.parent, timeout=300, path=installed(trap.folder))
    assert result.returncode == 0, f"{first_error(result)}\n{tail(result)}"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["sent"] == [{"email": "ada@example.com", "backup": None}]
    assert report["email"] == "ada@example.com" and report["email_type"] == "str"
    assert report["dumped"] == {"email": "ada@example.com", "backup": None}
    assert report["email_validator_loaded"] is False
    trap.check_mypy()


WEBHOOKS_ONLY = document(
    schemas={
        "Pet": {"type": "object", "required": ["id", "name"], "properties": {"id": INTEGER, "name": STRING}},
        "PetSold": {
            "type": "object",
            "required": ["pet"],
            "properties": {"pet": ref("Pet"), "price": {"type": "number"}},
        },
    },
    webhooks={
        "newPet": {"post": {"requestBody": json_body(ref("Pet")), "responses": {"200": {"description": "received"}}}},
        "petSold": {
            "post": {"requestBody": json_body(ref("PetSold")), "responses": {"200": {"description": "received"}}}
        },
    },
)


def test_webhooks_without_paths(make: Callable[..., Trap]) -> None:
    trap = make(WEBHOOKS_ONLY, "trap_webhooks")
    trap.check_package()
    names = class_names(WEBHOOKS_ONLY)
    client_tree = ast.parse(trap.files["trap_webhooks/_client.py"])
    for node in client_tree.body:
        if isinstance(node, ast.ClassDef) and node.name in ("Client", "AsyncClient"):
            public = [
                c.name
                for c in node.body
                if isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef)) and not c.name.startswith("_")
            ]
            assert public == [], (node.name, public)
    with trap.imported() as pkg:
        pet_cls, sold_cls = getattr(pkg.models, names["Pet"]), getattr(pkg.models, names["PetSold"])
        sold = sold_cls.model_validate_json(json.dumps({"pet": {"id": 1, "name": "Rex"}, "price": 9.5}))
        assert type(sold.pet) is pet_cls and sold.pet.name == "Rex" and sold.price == 9.5
        assert pet_cls.__name__ in pkg.__all__ and sold_cls.__name__ in pkg.__all__
    trap.check_mypy()
