"""svcgen as a build-time step: check mode, [tool.svcgen] configuration, operation filters,
quiet/verbose output, and byte-identical output whatever the folder, environment or hash seed."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CALCULATOR = ROOT / "fixtures" / "specs" / "calculator.json"
TAGGED = {
    "openapi": "3.1.0",
    "info": {"title": "Zoo", "version": "1.0.0"},
    "paths": {
        "/animals": {"get": {"operationId": "list_animals", "tags": ["animals"], "responses": {"200": {"description": "ok"}}}},
        "/animals/{id}": {
            "delete": {
                "operationId": "delete_animal",
                "tags": ["animals", "admin"],
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"204": {"description": "gone"}},
            }
        },
        "/v2/keepers": {"get": {"operationId": "list_keepers", "tags": ["keepers"], "responses": {"200": {"description": "ok"}}}},
    },
}


def svcgen(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "svcgen", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def methods(folder: Path, package: str) -> list[str]:
    text = (folder / package / "_client.py").read_text()
    return sorted({line.split("(")[0].split()[-1] for line in text.splitlines() if line.startswith("    def ") and "def _" not in line})


# -- check ---------------------------------------------------------------------------


def test_check_passes_on_fresh_output_and_fails_with_a_diff_on_drift(tmp_path: Path) -> None:
    out = tmp_path / "client"
    assert svcgen("generate", str(CALCULATOR), "-o", str(out)).returncode == 0
    same = svcgen("check", str(CALCULATOR), "-o", str(out))
    assert same.returncode == 0 and same.stdout == "" and "up to date" in same.stderr

    client = out / "calculator_client" / "_client.py"
    client.write_text(client.read_text().replace("def add(", "def plus("))
    (out / "calculator_client" / "stray.py").write_text("x = 1\n")
    (out / "calculator_client" / "py.typed").unlink()
    # What builds and installs leave behind is not drift.
    (out / "calculator_client" / "__pycache__").mkdir()
    (out / "calculator_client" / "__pycache__" / "_client.cpython-311.pyc").write_bytes(b"\0")
    (out / "calculator_client.egg-info").mkdir()
    (out / "calculator_client.egg-info" / "PKG-INFO").write_text("x")

    drift = svcgen("check", str(CALCULATOR), "-o", str(out))
    assert drift.returncode == 1
    assert "--- a/calculator_client/_client.py" in drift.stdout and "+    def add(" in drift.stdout
    assert "1 changed: calculator_client/_client.py" in drift.stdout
    assert "1 missing: calculator_client/py.typed" in drift.stdout
    # a file svcgen does not own is the user's, not drift; -v lists it
    assert "stray.py" not in drift.stdout
    assert "pycache" not in drift.stdout and "egg-info" not in drift.stdout
    assert "drift:" in drift.stderr
    verbose = svcgen("check", str(CALCULATOR), "-o", str(out), "-v")
    assert verbose.returncode == 1 and "calculator_client/stray.py" in verbose.stderr


def test_a_file_the_previous_generation_wrote_and_no_longer_generates_is_drift(tmp_path: Path) -> None:
    out = tmp_path / "client"
    assert svcgen("generate", str(CALCULATOR), "-o", str(out)).returncode == 0
    (out / "calculator_client" / "stray.py").write_text("x = 1\n")
    assert svcgen("check", str(CALCULATOR), "-o", str(out)).returncode == 0
    provenance = out / "calculator_client" / "_svcgen.json"
    record = json.loads(provenance.read_text())
    record["files"]["calculator_client/stray.py"] = hashlib.sha256(b"x = 1\n").hexdigest()
    provenance.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    drift = svcgen("check", str(CALCULATOR), "-o", str(out))
    assert drift.returncode == 1
    assert "1 no longer generated: calculator_client/stray.py" in drift.stdout


@pytest.mark.parametrize("state", ["missing", "empty", "foreign"])
def test_check_of_a_folder_svcgen_never_wrote_is_one_line(tmp_path: Path, state: str) -> None:
    out = tmp_path / "client"
    if state != "missing":
        out.mkdir()
    if state == "foreign":
        (out / "notes.txt").write_text("mine\n")
    result = svcgen("check", str(CALCULATOR), "-o", str(out))
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "not generated yet" in lines[0] and str(out) in lines[0], result.stderr


def test_large_drift_is_summarised(tmp_path: Path) -> None:
    out = tmp_path / "client"
    assert svcgen("generate", str(CALCULATOR), "-o", str(out)).returncode == 0
    for path in (out / "calculator_client" / "_runtime").glob("*.py"):
        path.write_text("\n".join(f"# line {n}" for n in range(300)) + "\n")
    drift = svcgen("check", str(CALCULATOR), "-o", str(out))
    assert drift.returncode == 1
    assert "more diff lines not shown" in drift.stdout
    assert len(drift.stdout.splitlines()) < 420


def test_an_unreadable_source_is_trouble_not_drift(tmp_path: Path) -> None:
    out = tmp_path / "client"
    assert svcgen("generate", str(CALCULATOR), "-o", str(out)).returncode == 0
    for source in (str(tmp_path / "missing.json"), "http://127.0.0.1:9/"):
        result = svcgen("check", source, "-o", str(out), "--timeout", "2")
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("svcgen: error:") and len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


def test_check_against_a_live_service_detects_api_drift(tmp_path: Path) -> None:
    """A real HTTP server whose document changes between generation and check."""
    from tests.support.services import free_port

    served = tmp_path / "served"
    served.mkdir()
    document = json.loads(CALCULATOR.read_text())
    (served / "openapi.json").write_text(json.dumps(document))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(served)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/openapi.json"
        _wait_for(url)
        out = tmp_path / "client"
        assert svcgen("generate", url, "-o", str(out)).returncode == 0
        assert svcgen("check", url, "-o", str(out)).returncode == 0
        first = next(iter(document["paths"]))
        del document["paths"][first]
        (served / "openapi.json").write_text(json.dumps(document))
        assert svcgen("check", url, "-o", str(out)).returncode == 1
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(url: str) -> None:
    import time

    import httpx

    for _ in range(100):
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} never came up")


# -- [tool.svcgen] -------------------------------------------------------------------


def write_project(folder: Path, clients: str) -> Path:
    (folder / "specs").mkdir(parents=True, exist_ok=True)
    (folder / "specs" / "zoo.yaml").write_text(yaml.safe_dump(TAGGED))
    (folder / "specs" / "calculator.json").write_text(CALCULATOR.read_text())
    pyproject = folder / "pyproject.toml"
    pyproject.write_text("[project]\nname = 'consumer'\nversion = '0'\n\n" + clients)
    return pyproject


TWO_CLIENTS = """
[[tool.svcgen.clients]]
source = "specs/calculator.json"
output = "clients/calculator"
name = "calc"
package_version = "2.0.0"

[[tool.svcgen.clients]]
source = "specs/zoo.yaml"
output = "clients/zoo"
exclude_tags = ["admin"]
"""


def test_config_generates_and_checks_every_client_from_a_subfolder(tmp_path: Path) -> None:
    write_project(tmp_path, TWO_CLIENTS)
    below = tmp_path / "src" / "deep"
    below.mkdir(parents=True)
    result = svcgen("generate", cwd=below)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "clients" / "calculator" / "calc" / "_client.py").is_file()
    assert 'version = "2.0.0"' in (tmp_path / "clients" / "calculator" / "pyproject.toml").read_text()
    assert methods(tmp_path / "clients" / "zoo", "zoo_client") == ["list_animals", "list_keepers"]
    assert svcgen("check", cwd=below).returncode == 0
    fewer = {key: value for key, value in TAGGED["paths"].items() if key != "/v2/keepers"}
    (tmp_path / "specs" / "zoo.yaml").write_text(yaml.safe_dump({**TAGGED, "paths": fewer}))
    drift = svcgen("check", cwd=below)
    assert drift.returncode == 1 and "clients/zoo" in drift.stderr and "up to date" in drift.stderr


def test_command_line_flags_override_the_configuration(tmp_path: Path) -> None:
    pyproject = write_project(tmp_path, TWO_CLIENTS.split("[[tool.svcgen.clients]]")[0] + "[[tool.svcgen.clients]]" + TWO_CLIENTS.split("[[tool.svcgen.clients]]")[2])
    result = svcgen("generate", "--config", str(pyproject), "--include-tag", "keepers", "--exclude-tag", "nothing")
    assert result.returncode == 0, result.stderr
    assert methods(tmp_path / "clients" / "zoo", "zoo_client") == ["list_keepers"]
    several = write_project(tmp_path / "two", TWO_CLIENTS)
    refused = svcgen("generate", "--config", str(several), "--name", "x")
    assert refused.returncode == 2 and "several" in refused.stderr


def test_headers_and_token_come_from_the_environment(tmp_path: Path) -> None:
    from tests.support.services import free_port

    seen: list[dict[str, str]] = []
    import http.server
    import threading

    body = CALCULATOR.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(dict(self.headers))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/openapi.json"
        pyproject = write_project(
            tmp_path,
            f'[[tool.svcgen.clients]]\nsource = "{url}"\noutput = "out"\ntoken_env = "ZOO_TOKEN"\n'
            'headers = { "X-Team" = "ZOO_TEAM" }\n',
        )
        env = {**os.environ, "ZOO_TOKEN": "s3cret-token", "ZOO_TEAM": "blue"}
        result = svcgen("generate", "--config", str(pyproject), env=env)
        assert result.returncode == 0, result.stderr
    finally:
        server.shutdown()
        server.server_close()
    assert len(seen) == 1
    assert seen[0]["Authorization"] == "Bearer s3cret-token" and seen[0]["X-Team"] == "blue"
    written = b"".join(tree(tmp_path / "out").values())
    assert b"s3cret-token" not in written and b"blue" not in written


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[tool.svcgen]\nclient = []\n", "unknown key tool.svcgen.client"),
        ('[[tool.svcgen.clients]]\nsource = "a.json"\noutput = "o"\nouptut = "x"\n', "unknown key 'ouptut'"),
        ('[[tool.svcgen.clients]]\nsource = "a.json"\n', "output is required"),
        ('[[tool.svcgen.clients]]\nsource = "a.json"\noutput = "o"\nformatter = "yapf"\n', "formatter must be one of"),
        ('[[tool.svcgen.clients]]\nsource = "a.json"\noutput = "o"\ninclude_tags = "x"\n', "include_tags must be a list"),
        ("[tool.svcgen\n", "invalid TOML"),
    ],
)
def test_configuration_errors_name_the_problem(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(content)
    result = svcgen("generate", "--config", str(tmp_path / "pyproject.toml"))
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# -- filters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--include-tag", "animals"], ["delete_animal", "list_animals"]),
        (["--exclude-tag", "admin"], ["list_animals", "list_keepers"]),
        (["--include-path", "/v2/*"], ["list_keepers"]),
        (["--include-tag", "animals", "--exclude-tag", "admin"], ["list_animals"]),
    ],
)
def test_filters_select_operations_and_are_recorded(tmp_path: Path, flags: list[str], expected: list[str]) -> None:
    spec = tmp_path / "zoo.json"
    spec.write_text(json.dumps(TAGGED))
    out = tmp_path / "out"
    result = svcgen("generate", str(spec), "-o", str(out), *flags)
    assert result.returncode == 0, result.stderr
    assert methods(out, "zoo_client") == expected
    options = json.loads((out / "zoo_client" / "_svcgen.json").read_text())["options"]
    recorded = {key: value for key, value in options.items() if key.endswith(("_tags", "_paths"))}
    assert recorded and all(isinstance(value, list) for value in recorded.values())
    assert svcgen("check", str(spec), "-o", str(out), *flags).returncode == 0
    assert svcgen("check", str(spec), "-o", str(out)).returncode == 1  # the filter is part of the output


def test_a_filter_matching_nothing_is_an_error(tmp_path: Path) -> None:
    spec = tmp_path / "zoo.json"
    spec.write_text(json.dumps(TAGGED))
    result = svcgen("generate", str(spec), "-o", str(tmp_path / "out"), "--include-tag", "birds")
    assert result.returncode == 2 and "no operation matches" in result.stderr
    assert not (tmp_path / "out").exists()


# -- output and determinism ------------------------------------------------------------


def test_quiet_and_verbose(tmp_path: Path) -> None:
    spec = tmp_path / "zoo.json"
    both = {**TAGGED, "paths": {"/u": {"post": {"operationId": "u", "requestBody": {"content": {
        "application/json": {"schema": {"type": "object"}}, "multipart/form-data": {"schema": {"type": "object"}}}},
        "responses": {"200": {"description": "ok"}}}}}}
    spec.write_text(json.dumps(both))
    quiet = svcgen("generate", str(spec), "-o", str(tmp_path / "q"), "-q")
    assert quiet.returncode == 0 and quiet.stderr == ""
    normal = svcgen("generate", str(spec), "-o", str(tmp_path / "n"))
    assert "wrote zoo_client" in normal.stderr and "also accepted" not in normal.stderr
    verbose = svcgen("generate", str(spec), "-o", str(tmp_path / "v"), "-v")
    assert "info: POST /u: request body sent as application/json; also accepted: multipart/form-data" in verbose.stderr
    assert "svcgen: reading" not in normal.stderr  # progress only on a terminal


def test_output_does_not_depend_on_folder_environment_or_hash_seed(tmp_path: Path) -> None:
    outputs = []
    for index, (seed, extra) in enumerate(
        [("0", {}), ("12345", {"LC_ALL": "C", "TZ": "Pacific/Kiritimati", "LANG": "C"}), ("random", {"LC_ALL": "C.UTF-8", "TZ": "UTC"})]
    ):
        here = tmp_path / f"run{index}" / "nested"
        here.mkdir(parents=True)
        # A consumer's formatter settings right where svcgen runs must change nothing.
        (here / "pyproject.toml").write_text("[tool.black]\nline-length = 40\n[tool.ruff]\nline-length = 40\n")
        env = {**os.environ, "PYTHONHASHSEED": seed, **extra}
        result = svcgen("generate", str(CALCULATOR), "-o", "out", cwd=here, env=env)
        assert result.returncode == 0, result.stderr
        outputs.append(tree(here / "out"))
    assert outputs[0] == outputs[1] == outputs[2]


def test_build_uses_the_configuration_without_source(tmp_path: Path) -> None:
    pyproject = write_project(tmp_path, TWO_CLIENTS)
    dist = tmp_path / "dist"
    result = svcgen("build", "--config", str(pyproject), "-d", str(dist))
    assert result.returncode == 0, result.stderr
    names = sorted(path.name for path in dist.iterdir())
    assert names == ["calc-2.0.0-py3-none-any.whl", "calc-2.0.0.tar.gz", "zoo_client-1.0.0-py3-none-any.whl", "zoo_client-1.0.0.tar.gz"]
    assert result.stdout.count(str(dist)) == 4


def test_pre_commit_hook_runs_svcgen_check(tmp_path: Path) -> None:
    """Run the hook the way pre-commit does: its entry, no file names, in the consumer repo."""
    import shlex
    import shutil

    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks["svcgen-check"]
    assert hook["language"] == "python" and hook["pass_filenames"] is False and hook["always_run"] is True
    write_project(tmp_path, TWO_CLIENTS)
    assert svcgen("generate", cwd=tmp_path).returncode == 0
    entry = shlex.split(hook["entry"])
    executable = shutil.which(entry[0]) or str(Path(sys.executable).with_name(entry[0]))
    clean = subprocess.run([executable, *entry[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert clean.returncode == 0, clean.stderr
    (tmp_path / "clients" / "zoo" / "zoo_client" / "_client.py").write_text("# edited by hand\n")
    drifted = subprocess.run([executable, *entry[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert drifted.returncode == 1 and "# edited by hand" in drifted.stdout


@pytest.mark.e2e
def test_consumer_example_generates_and_checks_its_clients() -> None:
    """examples/consumer: one client from a committed spec, one from a live BentoML service."""
    import shutil

    consumer = ROOT / "examples" / "consumer"
    clients = consumer / "clients"
    try:
        built = subprocess.run([sys.executable, str(consumer / "build_step.py")], capture_output=True, text=True, timeout=600)
        assert built.returncode == 0, built.stdout + built.stderr
        assert (clients / "scoring" / "fraud_scoring_client" / "_client.py").is_file()
        assert 'version = "1.0.0"' in (clients / "calculator" / "pyproject.toml").read_text()
        client = clients / "calculator" / "calculator_client" / "_client.py"
        client.write_text(client.read_text().replace("def add(", "def plus("))
        checked = subprocess.run(
            [sys.executable, str(consumer / "build_step.py"), "--check"], capture_output=True, text=True, timeout=600
        )
        assert checked.returncode == 1 and "+    def add(" in checked.stdout, checked.stdout + checked.stderr
    finally:
        shutil.rmtree(clients, ignore_errors=True)


def test_progress_is_shown_on_a_terminal(tmp_path: Path) -> None:
    """stderr on a pseudo-terminal: stage lines appear; -q silences them."""
    import pty

    def run(*flags: str) -> str:
        controller, terminal = pty.openpty()
        try:
            process = subprocess.run(
                [sys.executable, "-m", "svcgen", "generate", str(CALCULATOR), "-o", str(tmp_path / "out"), "--force", *flags],
                stderr=terminal, stdout=subprocess.DEVNULL, timeout=300, check=False,
            )
            assert process.returncode == 0
            os.close(terminal)
            terminal = -1
            chunks = []
            while True:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks).decode()
        finally:
            os.close(controller)
            if terminal != -1:
                os.close(terminal)

    shown = run()
    assert "svcgen: fetching" in shown and "svcgen: formatting" in shown and "wrote calculator_client" in shown
    assert run("-q") == ""
