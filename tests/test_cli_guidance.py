"""A command line that guides: ``fetch -o -``, global options in any order, values
checked as they are read (flags and ``[tool.svcgen]``), secrets never echoed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CALCULATOR = ROOT / "fixtures" / "specs" / "calculator.json"
SECRET = "very-5ecret-value-42"


def svcgen(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "svcgen", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def one_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("svcgen: error: "), result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


def test_fetch_to_dash_prints_the_document(tmp_path: Path) -> None:
    result = svcgen("fetch", str(CALCULATOR), "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(CALCULATOR.read_text())
    assert list(tmp_path.iterdir()) == []  # no file called "-"
    saved = svcgen("fetch", str(CALCULATOR), "-o", "spec.json", cwd=tmp_path)
    assert saved.returncode == 0 and (tmp_path / "spec.json").read_text() == result.stdout


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_and_quiet_work_before_or_after_the_subcommand(tmp_path: Path, where: str) -> None:
    def run(flag: str, command: str, *rest: str) -> subprocess.CompletedProcess[str]:
        args = [flag, command, *rest] if where == "before" else [command, *rest, flag]
        return svcgen(*args, cwd=tmp_path)

    out = tmp_path / "client"
    quiet = run("-q", "generate", str(CALCULATOR), "-o", str(out))
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    (out / "NOTES.md").write_text("mine\n")
    verbose = run("-v", "generate", str(CALCULATOR), "-o", str(out))
    assert verbose.returncode == 0, verbose.stderr
    assert "left 1 files svcgen did not write: NOTES.md" in verbose.stderr
    checked = run("-v", "check", str(CALCULATOR), "-o", str(out))
    assert checked.returncode == 0 and "NOTES.md" in checked.stderr and "up to date" in checked.stderr
    fetched = run("-q", "fetch", str(CALCULATOR), "-o", str(tmp_path / "spec.json"))
    assert fetched.returncode == 0 and fetched.stderr == ""


@pytest.mark.parametrize("where", ["before", "after"])
def test_config_works_before_or_after_the_subcommand(tmp_path: Path, where: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(f'[[tool.svcgen.clients]]\nsource = "{CALCULATOR.as_posix()}"\noutput = "out"\n')
    config = ["--config", str(project / "pyproject.toml")]
    args = [*config, "generate"] if where == "before" else ["generate", *config]
    result = svcgen(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (project / "out" / "calculator_client" / "_client.py").is_file()


@pytest.mark.parametrize("command", ["generate", "check", "build"])
@pytest.mark.parametrize(("flag", "value", "fragment"), [
    ("--package-version", "banana", "not a valid version"),
    ("--package-version", "1.0-", "not a valid version"),
    ("--name", "my-client", "not a valid Python package name"),
    ("--name", "café", "not a valid Python package name"),
])
def test_bad_values_are_refused_before_anything_is_fetched(tmp_path: Path, command: str, flag: str, value: str, fragment: str) -> None:
    output = ["-d", str(tmp_path / "dist")] if command == "build" else ["-o", str(tmp_path / "out")]
    # the source is unreachable: the value must be refused before svcgen tries it
    one_error(svcgen(command, closed_url(), *output, flag, value), flag, fragment)
    assert list(tmp_path.iterdir()) == []


def test_a_pep440_version_is_accepted(tmp_path: Path) -> None:
    result = svcgen("generate", str(CALCULATOR), "-o", str(tmp_path / "out"), "--package-version", "2.0.0rc1")
    assert result.returncode == 0, result.stderr
    assert 'version = "2.0.0rc1"' in (tmp_path / "out" / "pyproject.toml").read_text()


CONFIG_CASES = {
    "bad-version": ('package_version = "banana"', {}, ["clients[0]: package_version", "not a valid version"]),
    "bad-name": ('name = "my-client"', {}, ["clients[0]: name", "not a valid Python package name"]),
    "unset-header-variable": ('headers = { "X-Team" = "SVCGEN_TEST_TEAM" }', {}, ["headers.X-Team", "SVCGEN_TEST_TEAM is not set"]),
    "empty-header-variable": ('headers = { "X-Team" = "SVCGEN_TEST_TEAM" }', {"SVCGEN_TEST_TEAM": ""}, ["SVCGEN_TEST_TEAM is empty"]),
    "unset-token-variable": ('token_env = "SVCGEN_TEST_TOKEN"\nheaders = { "X-Key" = "SVCGEN_TEST_KEY" }', {"SVCGEN_TEST_KEY": SECRET}, ["token_env", "SVCGEN_TEST_TOKEN is not set"]),
}


@pytest.mark.parametrize("command", ["generate", "check", "build"])
@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_config_values_are_checked_when_read(tmp_path: Path, case: str, command: str) -> None:
    line, extra_env, fragments = CONFIG_CASES[case]
    (tmp_path / "pyproject.toml").write_text(f'[[tool.svcgen.clients]]\nsource = "{closed_url()}"\noutput = "out"\n{line}\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("SVCGEN_TEST_")}
    env.update(extra_env)
    args = [command, "--config", str(tmp_path / "pyproject.toml")]
    if command == "build":
        args += ["-d", str(tmp_path / "dist")]
    message = one_error(svcgen(*args, env=env), *fragments)
    assert SECRET not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml"]


@pytest.mark.parametrize("command", ["build", "diff"])
@pytest.mark.parametrize("where", ["before", "after"])
def test_build_and_diff_take_the_global_options_too(tmp_path: Path, command: str, where: str) -> None:
    if command == "build":  # the configuration is read (and refused) from --config wherever it stands
        (tmp_path / "pyproject.toml").write_text(f'[[tool.svcgen.clients]]\nsource = "{closed_url()}"\noutput = "out"\ntoken_env = "SVCGEN_TEST_TOKEN"\n')
        config = ["--config", str(tmp_path / "pyproject.toml")]
        args = [*config, "build", "-d", "dist"] if where == "before" else ["build", "-d", "dist", *config]
        env = {k: v for k, v in os.environ.items() if not k.startswith("SVCGEN_TEST_")}
        one_error(svcgen(*args, cwd=tmp_path, env=env), "SVCGEN_TEST_TOKEN is not set")
        return
    args = ["-q", "diff", str(CALCULATOR), str(CALCULATOR)] if where == "before" else ["diff", str(CALCULATOR), str(CALCULATOR), "-q"]
    result = svcgen(*args)
    assert result.returncode == 0 and result.stderr == "" and "no client-visible changes" in result.stdout
