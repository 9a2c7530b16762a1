"""``--http-library httpx|httpx2``: the option, where it is read, what it changes, and that an
httpx2 client never imports httpx."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from svcgen import Config, build_files
from svcgen.core.errors import SvcgenError
from svcgen.output.http_library import LIBRARIES
from svcgen.source.load import load
from svcgen.buildstep.project_config import load_clients

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
CALCULATOR = ROOT / "fixtures" / "specs" / "calculator.json"
GOLDEN = ROOT / "fixtures" / "golden"


def svcgen(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "svcgen", *args], cwd=cwd, capture_output=True, text=True, timeout=180
    )


def one_line_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("svcgen: error: ") and fragment in result.stderr, result.stderr


def test_cli_generates_an_httpx2_client_and_check_needs_the_same_option(tmp_path: Path) -> None:
    out = tmp_path / "client"
    result = svcgen(tmp_path, "generate", str(CALCULATOR), "-o", str(out), "--http-library", "httpx2")
    assert result.returncode == 0, result.stderr
    recorded = json.loads((out / "calculator_client" / "_svcgen.json").read_text())
    assert recorded["options"]["http_library"] == "httpx2"
    project = tomllib.loads((out / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    assert project["dependencies"] == [LIBRARIES["httpx2"].requirement, "pydantic>=2.10,<3"]
    assert project["optional-dependencies"]["aiohttp"] == ["httpx-aiohttp[httpx2]>=0.2,<0.3"]
    assert "It needs only `httpx2` and `pydantic` (Python 3.11 or newer, `httpx2>=2.0,<3`," in (out / "README.md").read_text()

    assert svcgen(tmp_path, "check", str(CALCULATOR), "-o", str(out), "--http-library", "httpx2").returncode == 0
    drift = svcgen(tmp_path, "check", str(CALCULATOR), "-o", str(out))
    assert drift.returncode == 1
    assert "+import httpx\n" in drift.stdout and "-import httpx2\n" in drift.stdout
    assert "was generated with --http-library httpx2, checked with httpx" in drift.stderr


def test_cli_refuses_an_unknown_library_in_one_line(tmp_path: Path) -> None:
    result = svcgen(tmp_path, "generate", str(CALCULATOR), "-o", str(tmp_path / "out"), "--http-library", "requests")
    one_line_error(result, "http_library must be one of httpx, httpx2, not 'requests'")
    assert not (tmp_path / "out").exists()


def test_project_configuration_reads_and_validates_http_library(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        f'[[tool.svcgen.clients]]\nsource = "{CALCULATOR.as_posix()}"\noutput = "client"\nhttp_library = "httpx2"\n'
    )
    (client,) = load_clients(pyproject)
    assert client.http_library == "httpx2"
    assert svcgen(tmp_path, "generate").returncode == 0
    assert "import httpx2\n" in (tmp_path / "client" / "calculator_client" / "_runtime" / "_types.py").read_text()
    # The command line wins over the file.
    assert svcgen(tmp_path, "check", "--http-library", "httpx").returncode == 1

    pyproject.write_text(pyproject.read_text().replace('"httpx2"', '"urllib3"'))
    with pytest.raises(SvcgenError, match="http_library must be one of httpx, httpx2"):
        load_clients(pyproject)
    one_line_error(svcgen(tmp_path, "generate"), "tool.svcgen.clients[0]: http_library must be one of httpx, httpx2")


def test_library_config_validates_and_records_only_a_non_default_library() -> None:
    with pytest.raises(SvcgenError, match="http_library must be one of"):
        Config(source="x", http_library="HTTPX2")
    assert "http_library" not in Config(source="x").recorded_options()
    assert Config(source="x", http_library="httpx2").recorded_options()["http_library"] == "httpx2"


def test_the_public_modules_differ_only_in_the_library_they_name() -> None:
    """Same operations, models and stubs; the runtime imports httpx2 and never httpx."""
    document = load(str(CALCULATOR)).document
    plain = build_files(document, Config(source=str(CALCULATOR))).files
    other = build_files(document, Config(source=str(CALCULATOR), http_library="httpx2")).files
    assert sorted(plain) == sorted(other)
    for name in ("__init__.py", "__init__.pyi", "_client.py", "_client.pyi", "models.py", "models.pyi"):
        path = f"calculator_client/{name}"
        assert other[path].replace("httpx2", "httpx") == plain[path], path
    imports = {
        line.strip()
        for path, text in other.items()
        if path.startswith("calculator_client/_runtime/")
        for line in text.splitlines()
        if "httpx" in line and line.strip().startswith(("import ", "from "))
    }
    assert imports == {"import httpx2", "from httpx_aiohttp.httpx2 import Httpx2AiohttpClient as HttpxAiohttpClient"}


#: Run in a fresh interpreter: httpx (and httpcore) cannot be imported at all, and the httpx2
#: clients are used for real over httpx2.MockTransport: calls, errors, a stream, a raw response.
_BLOCKED = textwrap.dedent(
    """
    import asyncio, importlib.abc, sys

    class Blocked(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("httpx", "httpcore"):
                raise ImportError(f"blocked: {name}")
            return None

    sys.meta_path.insert(0, Blocked())
    sys.path[:0] = sys.argv[1:]
    import httpx2
    import calculator_client as calc
    import jobs_client as jobs

    def handler(request):
        if request.url.path == "/add":
            return httpx2.Response(200, json=5)
        if request.url.path == "/divide":
            return httpx2.Response(400, json={"error": "division by zero"})
        if request.url.path == "/count":
            return httpx2.Response(200, text="0\\n1\\n", headers={"content-type": "text/plain"})
        return httpx2.Response(404)

    transport = httpx2.MockTransport(handler)
    with calc.Client("http://h", http_client=httpx2.Client(transport=transport)) as client:
        assert client.add(a=2, b=3) == 5
        raw = client.with_raw_response(client.add)(a=2, b=3)
        assert raw.parsed == 5 and isinstance(raw.http_response, httpx2.Response)
        try:
            client.divide(x=1.0, y=0.0)
        except calc.BadRequestError as error:
            assert "division by zero" in str(error) and isinstance(error.response, httpx2.Response)
        else:
            raise AssertionError("no BadRequestError")
    with jobs.Client("http://h", http_client=httpx2.Client(transport=transport)) as client:
        with client.count(n=2) as stream:
            assert "".join(stream) == "0\\n1\\n"

    async def main():
        async with calc.AsyncClient("http://h", http_client=httpx2.AsyncClient(transport=transport)) as client:
            assert await client.add(a=2, b=3) == 5

    asyncio.run(main())
    # A client with its own connection pool (httpx2's transport): a refused connection.
    with calc.Client("http://127.0.0.1:9", max_retries=0) as client:
        try:
            client.add(a=2, b=3)
        except calc.APIConnectionError:
            pass
        else:
            raise AssertionError("no APIConnectionError")
    assert not [name for name in sys.modules if name.split(".")[0] in ("httpx", "httpcore")], sorted(sys.modules)
    print("ok")
    """
)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="httpx2 needs Python 3.11")
def test_httpx2_client_never_imports_httpx() -> None:
    folders = [str(GOLDEN / "calculator-httpx2"), str(GOLDEN / "jobs-httpx2")]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", _BLOCKED, *folders], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0 and result.stdout == "ok\n", result.stdout + result.stderr


#: A client built on httpx2, with the aiohttp backend, against a real local server (no aliasing:
#: httpx-aiohttp's own package imports the real httpx; the client's requests still go through httpx2).
_AIOHTTP = textwrap.dedent(
    """
    import asyncio, http.server, json, sys, threading
    sys.path[:0] = sys.argv[1:]
    import httpx2
    import calculator_client as calc
    from calculator_client._runtime._aiohttp import AiohttpClient

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status, answer = (200, body["a"] + body["b"]) if self.path == "/add" else (400, {"error": "no"})
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    async def main():
        url = f"http://127.0.0.1:{server.server_address[1]}"
        async with calc.AsyncClient(url, backend="aiohttp", max_retries=0) as client:
            assert await client.add(a=2, b=3) == 5
            assert isinstance(client._http, AiohttpClient) and isinstance(client._http, httpx2.AsyncClient)
            try:
                await client.divide(x=1.0, y=0.0)
            except calc.BadRequestError as error:
                assert isinstance(error.response, httpx2.Response)
            else:
                raise AssertionError("no BadRequestError")

    try:
        asyncio.run(main())
    finally:
        server.shutdown()
    print("ok")
    """
)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="httpx2 needs Python 3.11")
def test_httpx2_client_sends_over_aiohttp_with_httpx_aiohttps_httpx2_transport() -> None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_PROXY": "127.0.0.1"}
    result = subprocess.run(
        [sys.executable, "-c", _AIOHTTP, str(GOLDEN / "calculator-httpx2")],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert result.returncode == 0 and result.stdout == "ok\n", result.stdout + result.stderr
