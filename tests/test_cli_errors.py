"""The command line's contract (DESIGN §2a): exit codes, one-line errors, the fetch path.

Every case runs ``python -m svcgen`` as a subprocess; every HTTP server is a
stdlib server on 127.0.0.1, and proxies are switched off for the child.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

import svcgen

CALCULATOR = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "calculator.json"
TOKEN, KEY = "tok-5ecret-a1b2c3", "key-5ecret-d4e5f6"
_PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "no_proxy", "svcgen_token"}


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    child_env = {k: v for k, v in os.environ.items() if k.lower() not in _PROXY_VARS}
    child_env.update({"NO_PROXY": "127.0.0.1,localhost", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "svcgen", *args], cwd=cwd, env=child_env, capture_output=True, text=True, timeout=180
    )


def assert_trouble(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("svcgen: error: "), lines[0]
    assert "internal error" not in lines[0], lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SPEC = CALCULATOR.read_bytes()
ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/org/proj/docs.json": (200, "application/json", SPEC),
    "/fallback/openapi.json": (200, "application/json", SPEC),
    "/yaml/api.yaml": (200, "application/yaml", yaml.safe_dump(json.loads(SPEC)).encode()),
    "/garbage/docs.json": (200, "application/json", b"foo: [bar\n  : : {\n"),
}


class Handler(http.server.BaseHTTPRequestHandler):
    seen: list[tuple[str, dict[str, str]]] = []

    def do_GET(self) -> None:  # noqa: N802
        self.seen.append((self.path, dict(self.headers.items())))
        status, kind, body = ROUTES.get(self.path, (404, "text/plain", b"not found"))
        if self.path.startswith("/e500/"):
            status, kind, body = 500, "text/plain", b"boom"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """An empty folder to run in; the inputs live next to it, never inside."""
    (tmp_path / "work").mkdir()
    return tmp_path / "work"


def _doc(**extra: object) -> str:
    return json.dumps({"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {}, **extra})


def _ok_response(ref: str) -> dict[str, object]:
    content = {"application/json": {"schema": {"$ref": ref}}}
    return {"/x": {"get": {"responses": {"200": {"description": "ok", "content": content}}}}}


FILE_CASES = {
    "neither-json-nor-yaml": ("bad.txt", "foo: [bar\n  : : {\n", ["invalid JSON or YAML"]),
    "broken-json": ("bad.json", '{"openapi": "3.1.0",', ["invalid JSON"]),
    "not-openapi": ("hello.json", '{"hello": 1}', ["not an OpenAPI document"]),
    "list-at-top": ("list.json", "[1, 2, 3]", ["expected a mapping"]),
    "swagger-2": ("swagger.yaml", 'swagger: "2.0"\ninfo: {title: T, version: "1"}\npaths: {}\n', ["OpenAPI 2.0"]),
    "openapi-4": ("v4.json", _doc(openapi="4.0.0"), ["unsupported OpenAPI version", "4.0.0"]),
    "unsupported-type": (
        "foo.json",
        _doc(components={"schemas": {"Foo": {"type": "object", "properties": {"bar": {"type": "foo"}}}}}),
        ["unsupported schema type 'foo'", "#/components/schemas/Foo/properties/bar"],
    ),
    "missing-file-ref": ("ext.json", _doc(paths=_ok_response("other.json#/x")), ["$ref 'other.json#/x'", "no such file"]),
    "remote-ref": ("remote.json", _doc(paths=_ok_response("http://127.0.0.1:9/x.json#/x")), ["remote $ref", "--allow-remote-refs"]),
    "escaping-file-ref": ("up.json", _doc(paths=_ok_response("../outside.json#/x")), ["leaves the spec's folder"]),
    "file-scheme-ref": ("scheme.json", _doc(paths=_ok_response("file:///etc/passwd#/x")), ["file: references are not supported"]),
    "ref-cycle": (
        "cycle.json",
        _doc(paths=_ok_response("#/components/schemas/A"), components={"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}}),
        ["$ref cycle with no schema in between: A -> B -> A"],
    ),
    "dangling-ref": ("dangling.json", _doc(paths=_ok_response("#/components/schemas/Nope")), ["#/components/schemas/Nope"]),
    "empty-file": ("empty.json", "", ["empty document"]),
    "too-deep": ("deep.json", '{"openapi": "3.1.0", "info": ' + "[" * 50000 + "]" * 50000 + "}", ["nests deeper than 100 levels"]),
}


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_bad_file_is_one_line_exit_2_and_writes_nothing(case: str, work: Path) -> None:
    name, text, fragments = FILE_CASES[case]
    source = work.parent / name
    source.write_text(text, encoding="utf-8")
    assert_trouble(run(work, "generate", str(source), "-o", "OUT"), *fragments)
    assert list(work.iterdir()) == []  # neither OUT nor a temporary sibling


URL_CASES = {
    "unreachable": ("http://127.0.0.1:{closed}/svc", ["cannot reach", "127.0.0.1"]),
    "http-500": ("{server}/e500/svc", ["HTTP 500"]),
    "http-404-both": ("{server}/missing/svc", ["HTTP 404", "openapi.json"]),
    "garbage-body": ("{server}/garbage", ["invalid JSON or YAML"]),
    "ftp-scheme": ("ftp://127.0.0.1/x", ["unsupported URL scheme 'ftp'"]),
    "missing-file": ("no-such-spec.json", ["no such file"]),
}


@pytest.mark.parametrize("command", ["generate", "fetch"])
@pytest.mark.parametrize("case", sorted(URL_CASES))
def test_bad_source_is_one_line_exit_2_and_writes_nothing(case: str, command: str, server: str, work: Path) -> None:
    template, fragments = URL_CASES[case]
    source = template.format(server=server, closed=closed_port())
    assert_trouble(run(work, command, source, "-o", "OUT"), *fragments)
    assert list(work.iterdir()) == []


def test_version_prints_version_and_exits_0(work: Path) -> None:
    result = run(work, "--version")
    assert result.returncode == 0, result.stderr
    assert svcgen.__version__ in result.stdout


@pytest.mark.parametrize("name", ["not valid", "3abc", "class"])
def test_invalid_package_name_exits_2(name: str, work: Path) -> None:
    assert_trouble(run(work, "generate", str(CALCULATOR), "-o", "OUT", "--name", name))
    assert list(work.iterdir()) == []


def test_foreign_folder_is_refused_then_written_into_with_force(work: Path) -> None:
    out = work / "OUT"
    (out / "sub").mkdir(parents=True)
    (out / "keep.txt").write_text("mine\n")
    (out / "sub" / "data.bin").write_bytes(b"\x00\x01")
    before = tree(out)
    assert_trouble(run(work, "generate", str(CALCULATOR), "-o", "OUT"), "--force")
    assert tree(out) == before
    assert [p.name for p in work.iterdir()] == ["OUT"]
    result = run(work, "generate", str(CALCULATOR), "-o", "OUT", "--force")
    assert result.returncode == 0, result.stderr
    after = tree(out)
    # --force writes svcgen's files next to the user's and deletes nothing
    assert {name: after.get(name) for name in before} == before and "calculator_client/_client.py" in after
    assert [p.name for p in work.iterdir()] == ["OUT"]


def test_regenerating_own_output_needs_no_force(work: Path) -> None:
    first = run(work, "generate", str(CALCULATOR), "-o", "OUT")
    assert first.returncode == 0, first.stderr
    before = tree(work / "OUT")
    second = run(work, "generate", str(CALCULATOR), "-o", "OUT")
    assert second.returncode == 0, second.stderr
    assert tree(work / "OUT") == before
    assert [p.name for p in work.iterdir()] == ["OUT"]


def _servers_url(path: Path) -> str:
    return json.loads(path.read_text(encoding="utf-8"))["servers"][0]["url"]


def test_fetch_makes_relative_server_absolute_with_prefix(server: str, work: Path) -> None:
    result = run(work, "fetch", f"{server}/org/proj", "-o", "spec.json")
    assert result.returncode == 0, result.stderr
    saved = json.loads((work / "spec.json").read_text(encoding="utf-8"))
    assert saved["servers"] == [{"url": f"{server}/org/proj"}]
    assert saved["paths"] == json.loads(SPEC)["paths"]


def test_generate_from_url_equals_generate_from_saved_spec(server: str, work: Path) -> None:
    assert run(work, "fetch", f"{server}/org/proj", "-o", "spec.json").returncode == 0
    from_url = run(work, "generate", f"{server}/org/proj", "-o", "A")
    from_file = run(work, "generate", "spec.json", "-o", "B")
    assert from_url.returncode == 0 and from_file.returncode == 0, (from_url.stderr, from_file.stderr)
    a, b = tree(work / "A"), tree(work / "B")
    assert a and a == b
    assert f"{server}/org/proj".encode() in a["calculator_client/_client.py"]


def test_openapi_json_fallback_when_docs_json_is_404(server: str, work: Path) -> None:
    Handler.seen.clear()
    assert run(work, "fetch", f"{server}/fallback/", "-o", "spec.json").returncode == 0
    assert _servers_url(work / "spec.json") == f"{server}/fallback"
    assert [path for path, _ in Handler.seen] == ["/fallback/docs.json", "/fallback/openapi.json"]
    result = run(work, "generate", f"{server}/fallback", "-o", "OUT")
    assert result.returncode == 0, result.stderr
    assert (work / "OUT" / "calculator_client" / "_client.py").is_file()


def test_yaml_spec_url(server: str, work: Path) -> None:
    assert run(work, "fetch", f"{server}/yaml/api.yaml", "-o", "spec.json").returncode == 0
    assert _servers_url(work / "spec.json") == f"{server}/yaml"
    result = run(work, "generate", f"{server}/yaml/api.yaml", "-o", "OUT")
    assert result.returncode == 0, result.stderr
    assert (work / "OUT" / "calculator_client" / "_client.py").is_file()


def _assert_no_secrets(folder: Path, stderr: str, *secrets: str) -> None:
    files = tree(folder)
    assert files
    for secret in secrets:
        assert secret not in stderr
        assert [name for name, data in files.items() if secret.encode() in data] == []


def test_token_and_header_are_sent_and_never_written(server: str, work: Path) -> None:
    Handler.seen.clear()
    args = ("--token", TOKEN, "--header", f"X-Api-Key: {KEY}")
    fetched = run(work, "fetch", f"{server}/org/proj", "-o", "saved/spec.json", *args)
    generated = run(work, "generate", f"{server}/org/proj", "-o", "OUT", *args)
    assert fetched.returncode == 0 and generated.returncode == 0, (fetched.stderr, generated.stderr)
    assert len(Handler.seen) == 2
    for path, headers in Handler.seen:
        assert path == "/org/proj/docs.json"
        assert headers.get("Authorization") == f"Bearer {TOKEN}"
        assert headers.get("X-Api-Key") == KEY
    _assert_no_secrets(work, fetched.stderr + generated.stderr, TOKEN, KEY)


def test_svcgen_token_environment_variable(server: str, work: Path) -> None:
    Handler.seen.clear()
    result = run(work, "generate", f"{server}/org/proj", "-o", "OUT", env={"SVCGEN_TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr
    assert [h.get("Authorization") for _, h in Handler.seen] == [f"Bearer {TOKEN}"]
    _assert_no_secrets(work, result.stderr, TOKEN)


def test_malformed_header_is_not_echoed(work: Path) -> None:
    result = run(work, "fetch", str(CALCULATOR), "-o", "spec.json", "--header", f"X-Api-Key={KEY}")
    assert_trouble(result, "--header")
    assert KEY not in result.stderr


def test_token_with_newline_is_refused_without_echoing_it(server: str, work: Path) -> None:
    result = run(work, "fetch", f"{server}/org/proj", "-o", "spec.json", "--token", f"{TOKEN}\nx")
    assert_trouble(result)
    assert TOKEN not in result.stderr


def test_non_ascii_header_value_is_a_plain_error(server: str, work: Path) -> None:
    result = run(work, "fetch", f"{server}/org/proj", "-o", "spec.json", "--header", "X-Api-Key: kéy")
    assert_trouble(result, "X-Api-Key")
