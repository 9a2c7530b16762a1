"""Fetching a document from a service that does not play fair (a real local server).

The token and ``--header`` values must never reach the output, the provenance
file, a log line or an error message, whatever the server does; they go only
to the origin the user named; redirects lead only to http(s); remote ``$ref``s
need ``--allow-remote-refs``; TLS is verified unless ``--insecure`` (which warns).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.faulty_server import FaultyServer, drop, redirect, running_faulty_server, status
from tests.support.faulty_server import json as json_reply
from tests.support.faulty_server import raw
from tests.support.tls_servers import TLSFiles

TOKEN = "tok-3f9a-SECRET-c0ffee"
HEADER_VALUE = "hdr-77b1-SECRET-beef"
SECRETS = (TOKEN, HEADER_VALUE)


def svcgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "svcgen", *args, "--token", TOKEN, "--header", f"X-Api-Key: {HEADER_VALUE}"]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def document(description: str = "An API", schemas: dict[str, object] | None = None, ref: str = "#/components/schemas/Thing") -> dict[str, object]:
    ok = {"description": "ok", "content": {"application/json": {"schema": {"$ref": ref}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Echo", "version": "1", "description": description},
        "paths": {"/thing": {"get": {"operationId": "get_thing", "description": description, "responses": {"200": ok}}}},
        "components": {"schemas": schemas if schemas is not None else {"Thing": {"type": "object", "properties": {"name": {"type": "string", "default": description}}}}},
    }


@pytest.fixture(scope="module")
def server() -> Iterator[FaultyServer]:
    with running_faulty_server() as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(server: FaultyServer) -> None:
    server.reset()


def assert_no_secret(result: subprocess.CompletedProcess[str], folder: Path) -> None:
    for secret in SECRETS:
        assert secret not in result.stderr and secret not in result.stdout
        for path in folder.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path


def test_a_document_that_echoes_the_credentials_is_masked(server: FaultyServer, tmp_path: Path) -> None:
    echoed = f"Bearer {TOKEN} and X-Api-Key {HEADER_VALUE}"
    server.script(json_reply(200, document(echoed)))
    result = svcgen("generate", f"{server.url}/spec.json", "-o", "out", "-v", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "masked as ***" in result.stderr
    assert_no_secret(result, tmp_path)
    assert "Bearer *** and X-Api-Key ***" in (tmp_path / "out" / "echo_client" / "_client.py").read_text()
    seen = server.requests[0]
    assert seen.header("authorization") == f"Bearer {TOKEN}" and seen.header("x-api-key") == HEADER_VALUE


@pytest.mark.parametrize(
    "action, expected",
    [
        (status(401, body={"detail": f"bad token {TOKEN}"}), "HTTP 401"),
        (status(500), "HTTP 500"),
        (drop(), "cannot reach"),
        (raw(200, b"\xff\xfe not utf-8", "application/json"), "not UTF-8"),
        (raw(200, f'{{"openapi": "{TOKEN}"'.encode(), "application/json"), "invalid JSON"),
        # a missing version and a response without description are mended (svcgen.source.mend); content that is no mapping is not
        (json_reply(200, {"openapi": "3.1.0", "info": {"title": TOKEN}, "paths": {"/x": {"get": {"responses": {TOKEN: {"content": TOKEN}}}}}}), "not a valid OpenAPI document"),
    ],
)
def test_failures_never_show_the_credentials(server: FaultyServer, tmp_path: Path, action: object, expected: str) -> None:
    server.script(action)  # type: ignore[arg-type]
    result = svcgen("generate", f"{server.url}/spec.json", "-o", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    assert_no_secret(result, tmp_path)
    assert not (tmp_path / "out").exists()


def test_user_information_in_the_url_is_never_shown(tmp_path: Path) -> None:
    result = svcgen("generate", f"http://someone:{TOKEN}@127.0.0.1:1/spec.json", "-o", "out", cwd=tmp_path)
    assert result.returncode == 2 and "cannot reach http://127.0.0.1:1/spec.json" in result.stderr
    assert_no_secret(result, tmp_path)


def test_credentials_stay_on_the_origin_across_redirects(server: FaultyServer, tmp_path: Path) -> None:
    server.script(redirect(302, f"{server.url}/moved.json"), redirect(307, f"{server.second_url}/spec.json"), json_reply(200, document()))
    result = svcgen("generate", f"{server.url}/spec.json", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    first, same_origin, other_origin = server.requests
    assert first.header("authorization") == same_origin.header("authorization") == f"Bearer {TOKEN}"
    assert same_origin.header("x-api-key") == HEADER_VALUE
    assert other_origin.host == "127.0.0.2"
    assert not other_origin.has_header("authorization") and not other_origin.has_header("x-api-key")
    assert_no_secret(result, tmp_path)


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/spec.json", "javascript:alert(1)"])
def test_redirects_to_other_schemes_are_refused(server: FaultyServer, tmp_path: Path, target: str) -> None:
    server.script(redirect(302, target))
    result = svcgen("generate", f"{server.url}/spec.json", "-o", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert "only http and https are followed" in result.stderr
    assert server.count == 1


def test_oversized_fetched_document_is_refused(server: FaultyServer, tmp_path: Path) -> None:
    server.script(json_reply(200, document("x" * 5000)))
    result = svcgen("generate", f"{server.url}/spec.json", "-o", "out", "--max-spec-bytes", "2000", cwd=tmp_path)
    assert result.returncode == 2
    assert "document is larger than the limit of 2000 bytes (--max-spec-bytes)" in result.stderr


def test_remote_refs_need_the_option_and_get_no_foreign_credentials(server: FaultyServer, tmp_path: Path) -> None:
    spec = document(schemas={"Thing": {"type": "object", "properties": {
        "local": {"$ref": "common.json#/components/schemas/Local"},
        "foreign": {"$ref": f"{server.second_url}/other.json#/Foreign"},
    }}})
    server.script(json_reply(200, spec))
    refused = svcgen("generate", f"{server.url}/spec.json", "-o", "out", cwd=tmp_path)
    assert refused.returncode == 2 and "remote $ref 'common.json#/components/schemas/Local' refused" in refused.stderr
    assert server.count == 1

    server.reset()
    common = {"components": {"schemas": {"Local": {"type": "object", "properties": {"size": {"type": "integer"}}}}}}
    other = {"Foreign": {"type": "string", "enum": ["a", "b"]}}
    server.script(json_reply(200, spec), json_reply(200, common), json_reply(200, other))
    result = svcgen("generate", f"{server.url}/spec.json", "-o", "out", "--allow-remote-refs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    main, same, foreign = server.requests
    assert (same.path, same.header("authorization")) == ("/common.json", f"Bearer {TOKEN}")
    assert foreign.path == "/other.json" and foreign.host == "127.0.0.2"
    assert not foreign.has_header("authorization") and not foreign.has_header("x-api-key")
    models = (tmp_path / "out" / "echo_client" / "models.py").read_text()
    assert "class Local(BaseModel):" in models and "class Foreign(" in models
    assert_no_secret(result, tmp_path)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultyServer]:
    files = TLSFiles.create(tmp_path_factory.mktemp("tls"))
    with running_faulty_server(ssl_certfile=str(files.server_cert), ssl_keyfile=str(files.server_key)) as running:
        yield running


def test_tls_is_verified_unless_insecure_which_warns(tls_server: FaultyServer, tmp_path: Path) -> None:
    tls_server.reset()
    result = svcgen("generate", f"{tls_server.url}/spec.json", "-o", "out", cwd=tmp_path)
    assert result.returncode == 2 and "CERTIFICATE_VERIFY_FAILED" in result.stderr
    assert tls_server.count == 0  # the handshake failed: no request was made

    tls_server.script(json_reply(200, document()))
    result = svcgen("generate", f"{tls_server.url}/spec.json", "-o", "out", "--insecure", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "--insecure: TLS certificates were not verified" in result.stderr
    provenance = json.loads((tmp_path / "out" / "echo_client" / "_svcgen.json").read_text())
    assert "insecure" not in json.dumps(provenance)
    assert_no_secret(result, tmp_path)
