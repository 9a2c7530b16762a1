"""Hostile OpenAPI documents for fuzzing svcgen (issue 7), and the checks every generated package must pass.

Used by ``tests/test_fuzz.py`` (bounded, in CI) and ``tests/fuzz_long.py`` (the long run).

Two levels:

- **in process** (:func:`check_in_process`): ``svcgen.build_files`` on the document, then every
  file is checked in memory: Python compiles, no spec text became code (AST walk), no
  dangerous raw characters or spec-made pragma comments, ``pyproject.toml`` parses with the
  expected keys only, README code blocks parse, paths stay inside the package folder.
- **whole pipeline** (:class:`PipelineRunner`): the CLI writes the package from a spec file
  inside a scratch folder, pip installs it into a venv that has httpx + pydantic, every
  module is imported and ``Client``/``AsyncClient`` constructed; the sentinel payload's
  marker file must never appear and nothing may be written outside OUTDIR.

Generation must either succeed or raise svcgen's own :class:`SvcgenError` (exit 2 with a
one-line message from the CLI); an ``internal error`` is a bug even when it is wrapped.
"""

from __future__ import annotations

import ast
import atexit
import functools
import io
import json
import keyword
import os
import re
import select
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import tokenize
import tomllib
import traceback
import uuid
import venv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from unittest import mock

from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from tests.support.wheels import BuildError, installed

ROOT = Path(__file__).resolve().parents[2]
# hypothesis's example database and caches live with the other caches (git-ignored)
set_hypothesis_home_dir(str(ROOT / ".cache" / "hypothesis"))

# --- the sentinel ---------------------------------------------------------------------------

#: A folder only this process knows; the payloads embedded in the specs create a file in it.
MARKER_DIR = Path(tempfile.mkdtemp(prefix="svcgen-fuzz-marker-"))
atexit.register(shutil.rmtree, MARKER_DIR, True)
MARKER = MARKER_DIR / f"PWNED_{uuid.uuid4().hex[:12]}"
_M = str(MARKER)

#: Code that creates the marker file when it runs. Each uses a dunder name (``__import__``,
#: ``__builtins__``) that no sanitised spec name can ever become, so finding one as code in a
#: generated module means injected code.
_CODE = [
    f"__import__('os').system('touch {_M}')",
    f'__import__("pathlib").Path("{_M}").touch()',
    f"__builtins__['open']('{_M}', 'w')",
    f"getattr(__builtins__, 'open')('{_M}', 'w')",
    f"__import__('builtins').exec(\"open('{_M}','w')\")",
]
#: The same code in every form meant to break out of a context: string literals of each
#: quote style, docstrings, comments, f-strings, jinja, TOML, Markdown, shell.
_FORMS = (
    "{code}",
    '"""+{code}+"""',
    "'''+{code}+'''",
    '"+{code}+"',
    "'+{code}+'",
    '\\"+{code}+\\"',
    '"""\n{code}\n"""',
    "'''\n{code}\n#",
    "\n{code}\n",
    "\r{code}\r",
    "\\\n{code}",
    "x\u2028{code}\u2029",
    "# noqa\n{code}  # type: ignore",
    "{{ {code} }}",
    "{% set _ = {code} %}",
    "{# {code} #}",
    "{{ cycler.__init__.__globals__.os.system('touch {marker}') }}",
    "${{code}}",
    '", "x"]\n[tool.x]\ny = "{code}',
    "\"\n[project.scripts]\nx = '{code}'\n",
    "`{code}`",
    "](javascript:{code})<script>{code}</script>",
    "\x00{code}",
    "{code}\\",
    '"""\\\n{code}',
)
PAYLOADS = sorted(
    {form.replace("{marker}", _M).replace("{code}", code) for code in _CODE for form in _FORMS}
    | {"{{ 'JINJA' ~ ':EVALUATED' }}", "{% print('JINJA' ~ ':EVALUATED') %}", "{{ 'JINJA' + ':EVALUATED' }}"}
)
#: What a jinja payload renders to if spec text were ever evaluated as a template (a name made
#: of the payload's words cannot hold the colon).
JINJA_EVALUATED = "JINJA:EVALUATED"
#: Identifiers that only injected code would use (sanitised names never start with ``_``).
FORBIDDEN_IDENTIFIERS = frozenset({"__import__", "__builtins__", "__globals__", "__subclasses__", "__loader__", "__code__"})

# --- hostile text ---------------------------------------------------------------------------

C0 = [chr(c) for c in range(0x00, 0x20)] + ["\x7f"]
C1 = [chr(c) for c in range(0x80, 0xA0)]
SEPARATORS = ["\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85"]
BIDI = [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)] + ["\u200e", "\u200f", "\u061c"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u2060"]
SURROGATES = ["\ud800", "\udfff", "\udc80"]
FRAGMENTS = [
    "'''", '"""', "'", '"', "\\", "\\\\", "\\'", '\\"', "\\n", "\\x00", "\\N{BEL}", "\\u2028",
    "\n", "\r", "\r\n", "\t", "\x00", "\x1b[31m", "\x1a",
    "{{", "}}", "{%", "%}", "{#", "#}", "{{ x }}", "{% raw %}", "{% endraw %}", "{%- if true -%}",
    "# type: ignore", "# noqa", "#noqa: E501", "# pyright: ignore", "# mypy: ignore-errors", "# fmt: off",
    "# -*- coding: rot13 -*-", "# coding=utf-7", "# pragma: no cover", "#",
    "${x}", "${", "$", "}", "{", "{}", "{x}", "{0}", "%s", "%(x)s",
    "../", "..", "..\\", "/", "//", "/etc/passwd", "/tmp/x", "C:\\Windows\\", "\\\\?\\C:\\", "~", "~/",
    "CON", "NUL", "COM1", "LPT1", "AUX", "PRN", "aux.py", "con.txt", "nul.", "Com9",
    "<script>alert(1)</script>", "[x](javascript:alert(1))", "<!--", "-->", "`", "```", "|", "*", "_",
    "[", "]", "]]", "[[", "=", "\"\"\"\"\"\"", "';", "--", "%", "@", "!", "?", ":", ";", ",", ".", " ",
    "lambda", "__init__", "__class__", "__dict__", "self", "cls", "None", "True", "False",
    "NaN", "Infinity", "-0", "1e309", "0x1F", "١٢٣", "ᚠ", "ǅ", "ﬁ", "Ⅻ", "𝔘𝔫𝔦", "İ", "ß", "ẞ", "Σ",
]
NAME_POOL = sorted(
    set(keyword.kwlist)
    | set(getattr(keyword, "softkwlist", []))
    | {
        "id", "Id", "ID", "name", "Name", "NAME", "type", "Type", "TYPE", "list", "dict", "str", "int", "float",
        "bool", "bytes", "object", "print", "open", "exec", "eval", "input", "len", "super", "property",
        "classmethod", "staticmethod", "Any", "Optional", "Union", "Literal", "Field", "BaseModel", "RootModel",
        "ConfigDict", "Enum", "TypeAliasType", "Annotated", "model_config", "model_fields", "model_dump",
        "model_validate", "model_rebuild", "schema", "json", "copy", "validate", "construct", "fields",
        "Config", "root", "__root__", "_private", "__dunder__", "_", "__", "self", "cls", "client", "Client",
        "AsyncClient", "timeout", "max_retries", "extra_headers", "extra_query", "output_dir", "headers",
        "base_url", "http_client", "close", "with_options", "stream", "body", "path", "query", "cookies",
        "NOT_GIVEN", "NotGiven", "Endpoint", "APIError", "os", "sys", "pathlib", "numpy", "pandas", "PIL",
        "TYPE_CHECKING", "annotations", "__future__", "models", "_runtime", "_client", "__init__", "__all__",
        "__getattr__", "__version__", "__name__", "1", "1st", "0day", "123abc", "3ds-verified", "a-b", "a.b",
        "a b", "a/b", "", " ", "-", ".", "..", "CON", "con", "Con", "nul", "aux", "com1", "LPT1", "aux.py",
        "Pet", "pet", "PET", "pEt", "Pet_", "pet-", "Pets", "café", "cafe\u0301", "ﬁle", "file", "Σ", "ς", "σ",
        "Item", "ItemIODescriptor", "item__Input", "Input", "Output", "IODescriptor", "__Input",
        "x-bentoml-name", "$ref", "#/components/schemas/Pet", "properties", "required", "default",
    }
)


def _long_name(base: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(base, st.integers(50, 1200)).map(lambda pair: (pair[0] or "x") * max(1, pair[1] // max(1, len(pair[0] or "x"))))


def _case_variants(base: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(base, st.sampled_from([str.upper, str.lower, str.swapcase, str.title, str.capitalize])).map(
        lambda pair: pair[1](pair[0])
    )


_DANGER = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.sampled_from(C0 + C1 + SEPARATORS + BIDI + INVISIBLE),
    st.sampled_from(NAME_POOL),
)
_PAYLOAD = st.sampled_from(PAYLOADS)
_ANY_TEXT = st.text(max_size=12)


@functools.cache
def hostile_text(*, max_parts: int = 6) -> st.SearchStrategy[str]:
    """Free text (descriptions, titles, defaults): mostly dangerous pieces, sometimes the sentinel."""
    part = st.one_of(_DANGER, _DANGER, _DANGER, _PAYLOAD, _ANY_TEXT)
    joined = st.lists(part, max_size=max_parts).map("".join)
    return st.one_of(joined, joined, _PAYLOAD, _long_name(joined), st.sampled_from(NAME_POOL))


@functools.cache
def hostile_name() -> st.SearchStrategy[str]:
    """A name from a spec (schema, property, operationId, parameter, tag, enum value)."""
    small = st.sampled_from(NAME_POOL)
    joined = st.lists(st.one_of(_DANGER, small, _ANY_TEXT), min_size=1, max_size=4).map("".join)
    return st.one_of(small, small, small, _case_variants(small), joined, _PAYLOAD, _long_name(small))


@functools.cache
def json_values() -> st.SearchStrategy[Any]:
    """Any JSON-ish value (defaults, examples, enum members), strings hostile."""
    text = hostile_text(max_parts=3)
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.sampled_from([0, -1, 2**63, -(2**63) - 1, 10**40]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([0.1, -0.0, 1e300, 5e-324, 1.7976931348623157e308]),
        text,
    )
    return st.recursive(
        scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(hostile_name(), inner, max_size=3)), max_leaves=6
    )


MEDIA_TYPES = [
    "application/json", "application/json; charset=utf-8", "application/problem+json", "application/vnd.x+json",
    "text/plain", "text/event-stream", "text/html", "multipart/form-data", "application/x-www-form-urlencoded",
    "application/octet-stream", "image/png", "image/*", "*/*", "audio/wav", "APPLICATION/JSON",
]
FORMATS = [
    "binary", "byte", "base64", "date-time", "date", "time", "duration", "uuid", "uri", "email", "ipv4", "ipv6",
    "int32", "int64", "float", "double", "decimal", "password", "hostname", "regex", "json-pointer", "unknown",
]


@functools.cache
def media_type() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(MEDIA_TYPES), st.sampled_from(MEDIA_TYPES), hostile_text(max_parts=3), st.builds(
        lambda base, extra: f"{base}; {extra}", st.sampled_from(MEDIA_TYPES), hostile_text(max_parts=2)
    ))


@functools.cache
def server_url() -> st.SearchStrategy[str]:
    prefixes = st.sampled_from(["http://127.0.0.1:9", "https://example.invalid", "http://[::1]:1", "", ".", "/", "file:///etc/", "javascript:", "http://"])
    return st.one_of(st.builds(lambda p, t: p + t, prefixes, hostile_text(max_parts=3)), hostile_text(), prefixes)


# --- hostile documents ---------------------------------------------------------------------


@st.composite
def schemas(draw: st.DrawFn, refs: list[str], depth: int = 0) -> dict[str, Any]:
    """A random JSON schema: scalars, enums, objects, arrays, compositions, refs, nullability, defaults."""
    text = hostile_text(max_parts=4)
    leaf_only = depth >= 3
    kinds = ["string", "integer", "number", "boolean", "null", "any", "enum_str", "enum_int", "multi", "bentoml"]
    if refs:
        kinds += ["ref", "ref"]
    if not leaf_only:
        kinds += ["object", "object", "array", "compose", "nullable"]
    kind = draw(st.sampled_from(kinds))
    schema: dict[str, Any]
    if kind in ("string", "integer", "number", "boolean", "null"):
        schema = {"type": kind}
        if kind == "string" and draw(st.booleans()):
            schema["format"] = draw(st.one_of(st.sampled_from(FORMATS), text))
        if kind == "string" and draw(st.integers(0, 4)) == 0:
            schema["pattern"] = draw(text)
        if kind in ("integer", "number") and draw(st.integers(0, 3)) == 0:
            bound = draw(st.sampled_from(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]))
            if bound == "multipleOf":
                schema[bound] = draw(st.one_of(st.integers(1, 10**20), st.floats(min_value=1e-300, max_value=1e300)))
            else:
                schema[bound] = draw(st.one_of(st.integers(-(10**20), 10**20), st.floats(allow_nan=False, allow_infinity=False), st.booleans()))
        if kind == "string" and draw(st.integers(0, 3)) == 0:
            schema[draw(st.sampled_from(["minLength", "maxLength"]))] = draw(st.integers(0, 10**6))
    elif kind == "any":
        schema = {}
    elif kind == "enum_str":
        schema = {"type": "string", "enum": draw(st.lists(st.one_of(hostile_name(), text), min_size=1, max_size=5))}
    elif kind == "enum_int":
        schema = {"type": draw(st.sampled_from(["integer", "number"])), "enum": draw(
            st.lists(st.one_of(st.integers(-(2**65), 2**65), st.floats(allow_nan=True)), min_size=1, max_size=5)
        )}
    elif kind == "multi":
        schema = {"type": draw(st.lists(st.sampled_from(["string", "integer", "number", "boolean", "null", "array", "object"]), min_size=1, max_size=3, unique=True))}
        if draw(st.booleans()):
            schema["enum"] = draw(st.lists(json_values(), min_size=1, max_size=4))
    elif kind == "bentoml":
        bento = draw(st.sampled_from(["tensor", "dataframe", "file"]))
        schema = {"type": bento}
        if bento == "tensor":
            schema.update(format="numpy-array", dtype=draw(st.one_of(st.sampled_from(["float32", "int64", "bool"]), text)))
            if draw(st.booleans()):
                schema["shape"] = draw(st.lists(st.one_of(st.integers(-2, 8), text), max_size=3))
        elif bento == "dataframe":
            schema["orient"] = draw(st.one_of(st.sampled_from(["records", "columns", "split", "index", "values"]), text))
            if draw(st.booleans()):
                schema["columns"] = draw(st.lists(hostile_name(), max_size=3))
        else:
            if draw(st.booleans()):
                schema["content_type"] = draw(media_type())
            if draw(st.booleans()):
                schema["format"] = "image"
                schema["pil"] = True
    elif kind == "ref":
        schema = {"$ref": "#/components/schemas/" + draw(st.sampled_from(refs)).replace("~", "~0").replace("/", "~1")}
    elif kind == "object":
        names = draw(st.lists(hostile_name(), max_size=5, unique=True))
        schema = {"type": "object", "properties": {name: draw(schemas(refs, depth + 1)) for name in names}}
        if names and draw(st.booleans()):
            schema["required"] = draw(st.lists(st.sampled_from(names), max_size=len(names), unique=True))
        choice = draw(st.integers(0, 4))
        if choice == 0:
            schema["additionalProperties"] = draw(st.booleans())
        elif choice == 1:
            schema["additionalProperties"] = draw(schemas(refs, depth + 1))
    elif kind == "array":
        schema = {"type": "array", "items": draw(schemas(refs, depth + 1))}
        if draw(st.integers(0, 5)) == 0:
            del schema["items"]
    elif kind == "compose":
        key = draw(st.sampled_from(["allOf", "anyOf", "oneOf"]))
        schema = {key: draw(st.lists(schemas(refs, depth + 1), min_size=1, max_size=3))}
        if key == "oneOf" and draw(st.integers(0, 3)) == 0:
            schema["discriminator"] = {"propertyName": draw(hostile_name())}
    else:  # nullable
        inner = draw(schemas(refs, depth + 1))
        if draw(st.booleans()):
            schema = {**inner, "nullable": True}
        else:
            schema = {"anyOf": [inner, {"type": "null"}]}
    # what any schema may carry
    for key, strategy, odds in (
        ("title", text, 4),
        ("description", text, 2),
        ("default", json_values(), 3),
        ("example", json_values(), 5),
        ("examples", st.lists(json_values(), max_size=2), 8),
        ("const", json_values(), 12),
        ("deprecated", st.booleans(), 8),
        ("readOnly", st.booleans(), 10),
        ("contentMediaType", media_type(), 12),
        ("x-python-import", text, 15),
        ("x-enum-varnames", st.lists(text, max_size=3), 10),
    ):
        if draw(st.integers(0, odds)) == 0:
            schema[key] = draw(strategy)
    if "enum" in schema and draw(st.integers(0, 2)) == 0:
        schema["default"] = draw(st.sampled_from(schema["enum"]))
    return schema


@st.composite
def parameters(draw: st.DrawFn, refs: list[str], path_names: list[str]) -> list[dict[str, Any]]:
    text = hostile_text(max_parts=4)
    found = [
        {"name": name, "in": "path", "required": True, "schema": draw(schemas(refs, 2))} for name in path_names
    ]
    for _ in range(draw(st.integers(0, 4))):
        param: dict[str, Any] = {
            "name": draw(hostile_name()),
            "in": draw(st.sampled_from(["query", "header", "cookie", "query", "path"])),
        }
        if param["in"] == "path":
            param["required"] = True
        elif draw(st.booleans()):
            param["required"] = draw(st.booleans())
        if draw(st.integers(0, 5)) == 0:
            param["content"] = {draw(media_type()): {"schema": draw(schemas(refs, 2))}}
        else:
            param["schema"] = draw(schemas(refs, 2))
        if draw(st.booleans()):
            param["description"] = draw(text)
        if draw(st.integers(0, 4)) == 0:
            param["example"] = draw(json_values())
        found.append(param)
    for param in found:
        if draw(st.integers(0, 4)) == 0 and param["in"] == "path":
            param["description"] = draw(text)
    return found


@st.composite
def operations(draw: st.DrawFn, refs: list[str], method: str, path_names: list[str], tags: list[str]) -> dict[str, Any]:
    text = hostile_text(max_parts=4)
    op: dict[str, Any] = {}
    if draw(st.integers(0, 4)):
        op["operationId"] = draw(hostile_name())
    if draw(st.booleans()):
        op["summary"] = draw(text)
    if draw(st.booleans()):
        op["description"] = draw(text)
    if tags and draw(st.booleans()):
        op["tags"] = draw(st.lists(st.sampled_from(tags), max_size=2))
    if draw(st.integers(0, 5)) == 0:
        op["deprecated"] = True
    params = draw(parameters(refs, path_names))
    if params:
        op["parameters"] = params
    if method in ("post", "put", "patch") or draw(st.integers(0, 6)) == 0:
        if draw(st.integers(0, 5)):
            content: dict[str, Any] = {}
            for media in draw(st.lists(media_type(), min_size=1, max_size=2, unique=True)):
                entry: dict[str, Any] = {"schema": draw(schemas(refs))}
                if media.startswith("multipart") and draw(st.booleans()):
                    entry["encoding"] = {draw(hostile_name()): {"contentType": draw(media_type())}}
                if draw(st.integers(0, 4)) == 0:
                    entry["example"] = draw(json_values())
                content[media] = entry
            op["requestBody"] = {"content": content, "required": draw(st.booleans())}
            if draw(st.integers(0, 3)) == 0:
                op["requestBody"]["description"] = draw(text)
    responses: dict[str, Any] = {}
    for code in draw(st.lists(st.sampled_from(["200", "201", "204", "2XX", "400", "404", "422", "500", "default"]), min_size=1, max_size=3, unique=True)):
        response: dict[str, Any] = {"description": draw(text)}
        if code != "204" and draw(st.integers(0, 4)):
            response["content"] = {media: {"schema": draw(schemas(refs))} for media in draw(st.lists(media_type(), min_size=1, max_size=2, unique=True))}
        if draw(st.integers(0, 5)) == 0:
            response["headers"] = {draw(hostile_name()): {"schema": {"type": "string"}, "description": draw(text)}}
        responses[code] = response
    op["responses"] = responses
    if draw(st.integers(0, 6)) == 0:
        # BentoML's own spelling: method names, stream/task flags, ML output facts
        op["x-bentoml-name"] = draw(hostile_name())
        extra = draw(st.sampled_from(["stream", "task", "output", "input", None]))
        if extra == "stream":
            op["x-bentoml-stream"] = True
        elif extra == "task":
            op["x-bentoml-task"] = True
        elif extra == "output":
            op["x-bentoml-output"] = draw(schemas([], 3))
        elif extra == "input":
            op["x-bentoml-input"] = draw(schemas([], 3))
    return op


def _path_template(draw: st.DrawFn) -> tuple[str, list[str]]:
    segments: list[str] = []
    names: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["literal", "literal", "param", "dollar", "suffix"]))
        if kind == "literal":
            segments.append(draw(st.one_of(hostile_text(max_parts=2), st.sampled_from(NAME_POOL))).replace("/", "-").replace("{", "(").replace("}", ")"))
        else:
            name = draw(hostile_name()).replace("{", "(").replace("}", ")")
            if name in names:
                continue
            names.append(name)
            if kind == "param":
                segments.append("{" + name + "}")
            elif kind == "dollar":
                segments.append("${" + name + "}")
            else:
                segments.append("{" + name + "}:" + draw(st.sampled_from(["predict", "infer", "..", "{{x}}".replace("{", "(")])))
    return "/" + "/".join(segments), names


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A whole hostile OpenAPI document."""
    text = hostile_text()
    component_keys = draw(st.lists(hostile_name(), max_size=6, unique=True))
    refs = list(component_keys)
    components: dict[str, Any] = {"schemas": {}}
    for key in component_keys:
        schema = draw(schemas(refs, 1))
        while "$ref" in schema:  # a component that is only a reference to another one (or itself)
            schema = draw(schemas(refs, 1))
        components["schemas"][key] = schema
    tags = draw(st.lists(hostile_name(), max_size=3, unique=True))
    paths: dict[str, Any] = {}
    for _ in range(draw(st.integers(1, 4))):
        path, path_names = _path_template(draw)
        methods = draw(st.lists(st.sampled_from(["get", "post", "put", "delete", "patch", "head", "options", "trace"]), min_size=1, max_size=2, unique=True))
        item: dict[str, Any] = {method: draw(operations(refs, method, path_names, tags)) for method in methods}
        if draw(st.integers(0, 5)) == 0:
            item["summary"] = draw(text)
        paths[path] = item
    if draw(st.integers(0, 3)) == 0:
        # health probes and task companions: the names the IR looks for
        base = draw(st.sampled_from(list(paths)))
        declared = [
            param
            for op in paths[base].values()
            if isinstance(op, dict)
            for param in op.get("parameters", [])
            if param.get("in") == "path"
        ]
        for suffix, method in (("/submit", "post"), ("/status", "get"), ("/get", "get")):
            companion: dict[str, Any] = {"responses": {"200": {"description": "ok"}}}
            if declared:
                companion["parameters"] = declared
            paths.setdefault(base.rstrip("/") + suffix, {method: companion})
        paths.setdefault("/readyz", {"get": {"responses": {"200": {"description": "ok"}}}})
    if draw(st.integers(0, 3)) == 0:
        schemes: dict[str, Any] = {}
        for key in draw(st.lists(hostile_name(), min_size=1, max_size=3, unique=True)):
            kind = draw(st.sampled_from(["apiKey", "apiKey", "http", "oauth2"]))
            if kind == "apiKey":
                schemes[key] = {"type": "apiKey", "in": draw(st.sampled_from(["header", "query", "cookie"])), "name": draw(hostile_name())}
            elif kind == "http":
                schemes[key] = {"type": "http", "scheme": draw(st.sampled_from(["basic", "bearer", "digest"]))}
            else:
                schemes[key] = {"type": "oauth2", "flows": {}}
        components["securitySchemes"] = schemes
    info: dict[str, Any] = {"title": draw(st.one_of(text, hostile_name())), "version": draw(st.one_of(st.sampled_from(["1.0.0", "None", "0.1", ""]), text))}
    if draw(st.booleans()):
        info["description"] = draw(text)
    document: dict[str, Any] = {
        "openapi": draw(st.sampled_from(["3.1.0", "3.0.3", "3.0.2"])),
        "info": info,
        "paths": paths,
        "components": components,
    }
    if draw(st.booleans()):
        document["servers"] = [{"url": draw(server_url())} for _ in range(draw(st.integers(1, 2)))]
    if tags and draw(st.booleans()):
        document["tags"] = [{"name": tag, "description": draw(text)} for tag in tags]
    if draw(st.integers(0, 24)) == 13:  # hypothesis favours 0 and the bounds: 13 is rare (~2%)
        # a lone surrogate (JSON's "\ud800") is not text: the whole document is refused, so
        # only a few documents hold one
        info["description"] = draw(text) + draw(st.sampled_from(SURROGATES)) + draw(text)
    return document


# --- checks on the generated files ---------------------------------------------------------

#: Raw characters that must never reach a generated file: controls (other than ``\n``), line and
#: paragraph separators, bidi controls (Trojan Source), invisible formatters, lone surrogates.
_RAW_DANGER = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff\ud800-\udfff]"
)
#: Comments that steer tools; only the template's own may appear.
_PRAGMA = re.compile(r"type\s*:|noqa|pyright\s*:|mypy\s*:|fmt\s*:|ruff\s*:|pylint\s*:|pragma|coding[:=]|isort\s*:", re.IGNORECASE)
TOP_LEVEL_FILES = {"pyproject.toml", "README.md", "stubtest-allowlist.txt"}
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$", re.IGNORECASE)
_PATH_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
PYPROJECT_KEYS = {
    "build-system": {"requires", "build-backend"},
    "project": {"name", "version", "description", "readme", "requires-python", "dependencies", "optional-dependencies"},
    "tool": {"setuptools"},
}
RUNTIME_DEPENDENCIES = ["httpx>=0.27,<1", "pydantic>=2.10,<3"]


@dataclass
class Outcome:
    """What one case gave: a package (``files``), a clean error, or problems (bugs)."""

    files: dict[str, str] | None = None
    package: str | None = None
    error: str | None = None
    problems: list[str] = field(default_factory=list)


def _reference_runtime() -> dict[str, str]:
    """AST dumps of the runtime modules of a benign package, with its distribution name blanked."""
    from svcgen import Config, build_files

    document = {
        "openapi": "3.1.0",
        "info": {"title": "Reference", "version": "1.0.0"},
        "paths": {"/x": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    generated = build_files(document, Config(source="reference.json"))
    return {
        path.split("/", 1)[1]: text.replace('"reference-client"', '"<distribution>"')
        for path, text in generated.files.items()
        if "/_runtime/" in path
    }


_REFERENCE: dict[str, str] = {}
_REFERENCE_KEY: list[object] = []


def _runtime_state() -> object:
    """Changes whenever a runtime template does (others may edit them while a long run goes on)."""
    folder = ROOT / "templates" / "package" / "_runtime"
    return sorted((path.name, path.stat().st_mtime_ns, path.stat().st_size) for path in folder.iterdir())


def _runtime_dump(text: str, distribution: str) -> str:
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == distribution:
            node.value = "<distribution>"
    return ast.dump(tree)


def check_paths(files: dict[str, str], package: str) -> list[str]:
    problems = []
    folded: dict[str, str] = {}
    for name in files:
        path = PurePosixPath(name)
        if name in TOP_LEVEL_FILES:
            pass
        elif not name.startswith(package + "/"):
            problems.append(f"file outside the package folder: {name[:120]!r}")
        if path.is_absolute() or "\\" in name or name != path.as_posix() or not path.parts:
            problems.append(f"unsafe path: {name[:120]!r}")
        for part in path.parts:
            if part in (".", "..") or not _PATH_PART.match(part):
                problems.append(f"unsafe path component {part[:80]!r} in {name[:120]!r}")
            if _WINDOWS_RESERVED.match(part.split(".")[0]):
                problems.append(f"Windows-reserved name {part!r} in {name[:120]!r}")
            if len(part.encode()) > 255:
                problems.append(f"path component longer than 255 bytes ({len(part.encode())}) in {name[:80]!r}…")
        if len(name.encode()) > 1024:
            problems.append(f"path longer than 1024 bytes: {name[:80]!r}…")
        key = name.lower()
        if key in folded:
            problems.append(f"file names differ only by case: {folded[key][:80]!r} and {name[:80]!r}")
        folded[key] = name
    if not package.isidentifier() or not package.isascii() or keyword.iskeyword(package):
        problems.append(f"package name is not a safe identifier: {package[:80]!r}")
    return problems


def check_python(path: str, text: str) -> list[str]:
    """The module compiles, and nothing of the spec became code or a tool-steering comment."""
    try:
        tree = ast.parse(text, filename=path, feature_version=(3, 10))
        compile(tree, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return [f"{path}: does not compile: {type(exc).__name__}: {str(exc)[:200]}"]
    problems = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Name):
            names = [node.id]
        elif isinstance(node, ast.Attribute):
            names = [node.attr]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.alias):
            names = [node.name, node.asname or ""]
        elif isinstance(node, ast.arg):
            names = [node.arg]
        elif isinstance(node, ast.keyword):
            names = [node.arg or ""]
        for name in names:
            if name in FORBIDDEN_IDENTIFIERS:
                problems.append(f"{path}:{getattr(node, 'lineno', '?')}: injected code: identifier {name!r}")
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as exc:
        return problems + [f"{path}: does not tokenize: {exc}"]
    for token in tokens:
        if token.type == tokenize.COMMENT and _PRAGMA.search(token.string) and token.string not in _template_comments():
            problems.append(f"{path}:{token.start[0]}: a comment steers tools: {token.string[:120]!r}")
    return problems


_COMMENTS: set[str] = set()


def _template_comments() -> set[str]:
    """Every comment the templates and the models stage write themselves (from a benign package)."""
    if not _COMMENTS:
        for folder in (ROOT / "templates",):
            for template in folder.rglob("*.jinja"):
                for line in template.read_text(encoding="utf-8").splitlines():
                    if "#" in line:
                        _COMMENTS.add(line[line.index("#") :].strip())
        _COMMENTS.add("# noqa: E402")
    return _COMMENTS


def check_pyproject(text: str, package: str, files: dict[str, str]) -> list[str]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [f"pyproject.toml does not parse: {exc}"]
    problems = []
    if set(data) != set(PYPROJECT_KEYS):
        problems.append(f"pyproject.toml: unexpected tables {sorted(set(data) ^ set(PYPROJECT_KEYS))}")
    for table, keys in PYPROJECT_KEYS.items():
        if isinstance(data.get(table), dict) and set(data[table]) != keys:
            problems.append(f"pyproject.toml: [{table}] has keys {sorted(data[table])}")
    project = data.get("project", {})
    if project.get("name") != package.replace("_", "-"):
        problems.append(f"pyproject.toml: project name {str(project.get('name'))[:80]!r}")
    if project.get("dependencies") != RUNTIME_DEPENDENCIES:
        problems.append(f"pyproject.toml: dependencies {project.get('dependencies')!r}")
    if data.get("build-system", {}).get("requires") != ["setuptools==80.9.0"]:
        problems.append("pyproject.toml: build-system.requires changed")
    setuptools = data.get("tool", {}).get("setuptools", {})
    packages = sorted(
        path.rsplit("/", 1)[0].replace("/", ".") for path in files if path.startswith(f"{package}/") and path.endswith("/__init__.py")
    )
    if set(setuptools) != {"packages", "package-data"} or setuptools.get("packages") != packages:
        problems.append(f"pyproject.toml: [tool.setuptools] is {setuptools!r}, the package folders are {packages}"[:300])
    if not isinstance(project.get("description"), str) or "\n" in project.get("description", ""):
        problems.append("pyproject.toml: description is not one line")
    return problems


_CODE_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def check_readme(text: str) -> list[str]:
    problems = []
    for block in _CODE_BLOCK.findall(text):
        try:
            tree = ast.parse(block)
        except SyntaxError as exc:
            problems.append(f"README.md: a python example does not parse: {exc}")
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in FORBIDDEN_IDENTIFIERS:
                problems.append(f"README.md: injected code in an example: {node.id}")
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if fenced:
            continue  # code, shown as text (the python blocks are parsed above)
        lowered = line.lower()
        for needle in ("<script", "](javascript:", "<!--"):
            index = lowered.find(needle)
            if index >= 0 and (index == 0 or line[index - 1] != "\\"):
                problems.append(f"README.md: unescaped markup {needle!r}: {line[:120]!r}")
    if text.count("```") % 2:
        problems.append("README.md: unbalanced code fences")
    return problems


def check_files(files: dict[str, str], package: str, *, runtime_state: object = None) -> list[str]:
    """Every check on a generated tree in memory. ``runtime_state``: :func:`_runtime_state` when
    generation started; if a runtime template changed since, the runtime is not compared."""
    state = _runtime_state()
    if _REFERENCE_KEY != [state]:
        _REFERENCE.clear()
        _REFERENCE.update(_reference_runtime())
        _REFERENCE_KEY[:] = [state]
    compare_runtime = runtime_state is None or runtime_state == state
    problems = check_paths(files, package)
    distribution = package.replace("_", "-")
    for path, text in files.items():
        if not isinstance(text, str):
            problems.append(f"{path}: not text")
            continue
        found = _RAW_DANGER.search(text)
        if found:
            line = text.count("\n", 0, found.start()) + 1
            problems.append(f"{path}:{line}: raw dangerous character U+{ord(found.group()):04X}")
        if JINJA_EVALUATED in text:
            problems.append(f"{path}: spec text was evaluated as a jinja template")
        if "/_runtime/" in path and not compare_runtime:
            continue
        if "/_runtime/" in path:
            module = path.split("/", 1)[1]
            reference = _REFERENCE.get(module)
            if text.replace(f'"{distribution}"', '"<distribution>"') == reference:
                continue
            try:  # a long package name wraps differently: compare the code itself
                same = reference is not None and _runtime_dump(text, distribution) == _runtime_dump(reference, "<distribution>")
            except SyntaxError as exc:
                problems.append(f"{path}: does not compile: {exc}")
                continue
            if not same:
                problems.append(f"{path}: the runtime differs from the template's (beyond the package name)")
            continue
        if path.endswith((".py", ".pyi")):
            problems.extend(check_python(path, text))
        elif path.endswith(".json"):
            try:
                json.loads(text)
            except ValueError as exc:
                problems.append(f"{path}: not JSON: {exc}")
    if "pyproject.toml" in files:
        problems.extend(check_pyproject(files["pyproject.toml"], package, files))
    else:
        problems.append("no pyproject.toml")
    if "README.md" in files:
        problems.extend(check_readme(files["README.md"]))
    for required in ("__init__.py", "_client.py", "py.typed"):
        if f"{package}/{required}" not in files:
            problems.append(f"missing {package}/{required}")
    return problems


def is_clean_error(message: str) -> bool:
    """A :class:`SvcgenError` that reports a problem with the input, not an internal failure."""
    lowered = message.lower()
    return "internal error" not in lowered and "traceback" not in lowered


def marker_problems() -> list[str]:
    found = sorted(path.name for path in MARKER_DIR.iterdir())
    if found:
        for path in MARKER_DIR.iterdir():
            path.unlink()
        return [f"THE SENTINEL RAN: {found}"]
    return []


@contextmanager
def _lazy_threshold(lazy: bool) -> Iterator[None]:
    if not lazy:
        yield
        return
    with mock.patch("svcgen.pipeline.LAZY_THRESHOLD", 0):
        yield


def check_in_process(
    document: dict[str, Any], *, lazy: bool = False, formatter: str = "ruff", importer: ImportWorker | None = None
) -> Outcome:
    """``build_files`` on the document (models split into a lazy package when ``lazy``), then every
    check; with an ``importer``, the package is also written to a scratch folder, built into a wheel,
    installed and imported from where it was installed."""
    from svcgen import Config, SvcgenError, build_files

    runtime_state = _runtime_state()
    try:
        with _lazy_threshold(lazy):
            generated = build_files(document, Config(source="fuzz.json", formatter=formatter))
    except SvcgenError as exc:
        outcome = Outcome(error=exc.describe())
        if not is_clean_error(outcome.error):
            outcome.problems.append(f"SvcgenError reports an internal error: {outcome.error[:300]}")
        outcome.problems.extend(marker_problems())
        return outcome
    except RecursionError:
        return Outcome(problems=["RecursionError (not a SvcgenError)"] + marker_problems())
    except Exception as exc:  # noqa: BLE001 - any other exception is the bug we look for
        detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-6:])
        return Outcome(problems=[f"crash: {type(exc).__name__}: {str(exc)[:300]}\n{detail}"] + marker_problems())
    outcome = Outcome(files=generated.files, package=generated.package)
    outcome.problems = check_files(generated.files, generated.package, runtime_state=runtime_state) + marker_problems()
    if importer is not None and not outcome.problems:
        with tempfile.TemporaryDirectory(prefix="svcgen-fuzz-import-") as folder:
            for relative, text in generated.files.items():
                target = Path(folder, relative)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8", newline="\n")
            try:  # imported as users get it: built into a wheel (pinned backend) and installed
                site = installed(Path(folder), isolated=False)
            except BuildError as exc:
                outcome.problems.append(f"the package does not build or install: {str(exc)[-1500:]}")
                return outcome
            outcome.problems += importer.check(site, generated.package) + marker_problems()
    return outcome


# --- the whole pipeline: CLI → pip install → import ----------------------------------------

#: Imports a generated package and every module of it, resolves every model, reads every name of
#: ``__all__`` and constructs both clients: what a user's first ``import`` and ``Client()`` do.
_CHECK_PACKAGE = r"""
import importlib, json, pkgutil, sys, traceback

def check_package(package):
    report = {"failures": [], "modules": 0}
    try:
        import pydantic
        top = importlib.import_module(package)
        names = [package] + [info.name for info in pkgutil.walk_packages(top.__path__, package + ".")]
        for name in names:
            try:
                module = importlib.import_module(name)
                report["modules"] += 1
            except BaseException as exc:
                report["failures"].append(f"import {name}: {type(exc).__name__}: {str(exc)[:300]}")
                continue
            for value in list(vars(module).values()):
                if isinstance(value, type) and issubclass(value, pydantic.BaseModel) and value.__module__ == name:
                    try:
                        value.model_rebuild(raise_errors=True)
                    except BaseException as exc:
                        report["failures"].append(f"{name}.{value.__name__} incomplete: {type(exc).__name__}: {str(exc)[:200]}")
        models = importlib.import_module(package + ".models")
        for module in (models, top):
            for name in getattr(module, "__all__", []):
                getattr(module, name)
        for cls in (top.Client, top.AsyncClient):
            client = cls("http://127.0.0.1:9", token="t", max_retries=0)
            if cls is top.Client:
                client.close()
        if top.Client._default_base_url is not None:
            top.Client().close()
    except BaseException as exc:
        report["failures"].append("".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-2000:])
    return report
"""
_IMPORT_AND_CONSTRUCT = _CHECK_PACKAGE + "\nprint(json.dumps(check_package(sys.argv[1])))\n"
#: The same, for one package after another, in a long-lived process (``ImportWorker``).
_IMPORT_SERVER = _CHECK_PACKAGE + r"""
for line in sys.stdin:
    request = json.loads(line)
    folder, package = request["folder"], request["package"]
    sys.path.insert(0, folder)
    importlib.invalidate_caches()
    try:
        report = check_package(package)
    finally:
        sys.path.remove(folder)
        for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
            del sys.modules[name]
    print(json.dumps(report), flush=True)
"""


class ImportWorker:
    """Imports generated packages from folders in a separate, long-lived Python process (restarted
    every ``recycle`` packages): injected code would run there, never in the fuzzing process."""

    def __init__(self, *, recycle: int = 200) -> None:
        self.recycle = recycle
        self.process: subprocess.Popen[str] | None = None
        self.served = 0

    def _start(self) -> subprocess.Popen[str]:
        if self.process is None or self.served >= self.recycle or self.process.poll() is not None:
            self.close()
            env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
            self.process = subprocess.Popen(
                [sys.executable, "-c", _IMPORT_SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True, cwd=tempfile.gettempdir(), env=env,
            )
            self.served = 0
        return self.process

    def check(self, folder: Path, package: str) -> list[str]:
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        self.served += 1
        try:
            process.stdin.write(json.dumps({"folder": str(folder), "package": package}) + "\n")
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], 300)
            if not ready:
                process.kill()
                self.close()
                return ["importing the package did not finish in 300 s"]
            report = json.loads(process.stdout.readline())
        except (OSError, ValueError):
            self.close()
            return ["the import check process died (a crash of the interpreter while importing the package)"]
        return [f"import: {failure}" for failure in report["failures"]]

    def close(self) -> None:
        if self.process is not None:
            if self.process.stdin is not None:
                self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


def _tree(folder: Path, skip: set[Path]) -> set[str]:
    found = set()
    for dirpath, dirnames, filenames in os.walk(folder):
        current = Path(dirpath)
        dirnames[:] = [d for d in dirnames if current / d not in skip]
        for name in dirnames + filenames:
            found.add(str((current / name).relative_to(folder)))
    return found


class PipelineRunner:
    """One venv (httpx + pydantic visible, plus setuptools) reused for every case of a session."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.venv = home / "venv"
        self.python = self.venv / "bin" / "python"
        self.svcgen = Path(sys.executable).with_name("svcgen")
        self.count = 0
        if not self.python.exists():
            venv.EnvBuilder(with_pip=True, symlinks=True).create(self.venv)
            site = self._run([str(self.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], home).stdout.strip()
            # The generated packages' pinned build backend, in the venv itself: a fresh machine's
            # venv has only Python's bundled setuptools, which cannot build a wheel without ``wheel``.
            backend = self._run([str(self.python), "-m", "pip", "install", "-q", "setuptools==80.9.0"], home)
            if backend.returncode != 0:
                raise RuntimeError(f"cannot install the build backend into the fuzz venv: {backend.stderr[-500:]}")
            # httpx and pydantic come from the dev venv, after the venv's own packages
            Path(site, "zz_dev_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
        self.site = Path(
            self._run([str(self.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], home).stdout.strip()
        )

    def _run(self, args: list[str], cwd: Path, *, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)

    def _env(self, jail: Path) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")}
        return {
            **keep,
            "HOME": str(jail / "home"),
            "TMPDIR": str(jail / "tmp"),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PIP_NO_CACHE_DIR": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_NO_INDEX": "1",
            "PIP_NO_INPUT": "1",
            "NO_PROXY": "*",
        }

    def run_case(self, document: dict[str, Any], *, as_yaml: bool = False) -> Outcome:
        """Generate with the CLI, install, import, construct; returns the outcome."""
        self.count += 1
        jail = Path(tempfile.mkdtemp(prefix=f"case{self.count}-", dir=self.home))
        for folder in ("home", "tmp", "run"):
            (jail / folder).mkdir()
        spec = jail / ("spec.yaml" if as_yaml else "spec.json")
        if as_yaml:
            import yaml

            spec.write_text(yaml.safe_dump(document, allow_unicode=False), encoding="utf-8")
        else:
            spec.write_text(json.dumps(document, ensure_ascii=True), encoding="utf-8")
        out = jail / "out"
        env = self._env(jail)
        before = _tree(jail, set())
        outcome = Outcome()
        runtime_state = _runtime_state()
        try:
            result = self._run([str(self.svcgen), "generate", str(spec), "-o", str(out), "-q"], jail / "run", env=env)
            outcome.problems += marker_problems()
            after = _tree(jail, {out})
            stray = sorted(after - before - {"out"})
            if stray:
                outcome.problems.append(f"generate wrote outside OUTDIR: {stray[:10]}")
            if result.returncode != 0:
                message = (result.stderr.strip().splitlines() or ["<no message>"])[-1]
                outcome.error = message
                if result.returncode != 2 or not is_clean_error(message) or len(result.stderr.strip().splitlines()) != 1:
                    outcome.problems.append(f"generate failed badly (exit {result.returncode}): {result.stderr[-1500:]}")
                if out.exists():
                    outcome.problems.append("generate failed but left OUTDIR behind")
                return outcome
            packages = [p.parent.name for p in out.glob("*/_svcgen.json")]
            if len(packages) != 1:
                outcome.problems.append(f"OUTDIR holds {len(packages)} packages")
                return outcome
            outcome.package = package = packages[0]
            for path in out.rglob("*"):
                if path.is_symlink() or not path.resolve().is_relative_to(out.resolve()):
                    outcome.problems.append(f"OUTDIR holds a link or escapes: {path}")
            files = {str(p.relative_to(out).as_posix()): p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()}
            outcome.problems += check_files(files, package, runtime_state=runtime_state)
            install = self._run(
                [str(self.python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--force-reinstall", str(out)],
                jail / "run",
                env=env,
            )
            outcome.problems += marker_problems()
            if install.returncode != 0:
                outcome.problems.append(f"pip install failed: {install.stderr[-1500:]}")
                return outcome
            outcome.problems += self._check_installed(package)
            # pip itself writes under HOME (it runs ``rustc --version`` for its user agent)
            before = _tree(jail, {out, jail / "home"}) | {"home"}
            imported = self._run([str(self.python), "-I", "-c", _IMPORT_AND_CONSTRUCT, package], jail / "run", env=env, timeout=300)
            outcome.problems += marker_problems()
            try:
                report = json.loads(imported.stdout.strip().splitlines()[-1])
            except (IndexError, ValueError):
                outcome.problems.append(f"import check crashed: {imported.stderr[-1500:]}")
            else:
                outcome.problems += [f"import: {failure}" for failure in report["failures"]]
            after = _tree(jail, {out, jail / "home"}) | {"home"}
            stray = sorted(after - before - {"out"})
            if stray:
                outcome.problems.append(f"install/import wrote outside OUTDIR: {stray[:10]}")
            return outcome
        except subprocess.TimeoutExpired as exc:
            outcome.problems.append(f"timed out: {exc.cmd[:3]}")
            return outcome
        finally:
            if outcome.package:
                self._run([str(self.python), "-m", "pip", "uninstall", "-q", "-y", outcome.package.replace("_", "-")], self.home, env=self._env(jail))
            if not outcome.problems:
                shutil.rmtree(jail, ignore_errors=True)

    def _check_installed(self, package: str) -> list[str]:
        """Everything pip installed is inside site-packages, under the package or its dist-info."""
        problems = []
        dist = package.replace("_", "-")
        infos = list(self.site.glob(f"{package}-*.dist-info")) + list(self.site.glob(f"{dist}-*.dist-info"))
        if not infos:
            return [f"no dist-info for {package} in {self.site}"]
        record = (infos[0] / "RECORD").read_text(encoding="utf-8")
        for line in record.splitlines():
            relative = line.rsplit(",", 2)[0].strip('"')
            target = (self.site / relative).resolve()
            if not target.is_relative_to(self.site.resolve()):
                problems.append(f"pip installed a file outside site-packages: {relative}")
            elif not (relative.startswith(package + "/") or relative.startswith(infos[0].name + "/")):
                problems.append(f"pip installed an unexpected file: {relative}")
        return problems


def describe(document: dict[str, Any]) -> str:
    """The document as JSON text (surrogates and NaN survive), for a failure report."""
    return json.dumps(document, ensure_ascii=True, indent=1)


def report(outcome: Outcome, document: dict[str, Any], *, limit: int = 6000) -> str:
    """The problems of a case and its document, for an assertion message."""
    problems = "\n".join(f"- {problem}" for problem in outcome.problems)
    text = describe(document)
    if len(text) > limit:
        text = text[:limit] + f"\n… ({len(text) - limit} more characters)"
    return f"{len(outcome.problems)} problem(s):\n{problems}\nthe document:\n{text}"
