"""``svcgen build``: reproducible wheels and sdists by the standard build frontend.

Every build here runs ``python -m build`` with build isolation, so the pinned
backend (setuptools==80.9.0) is installed from the package index each time
(a few seconds with pip's cache). The reproducibility test builds once in
process and once in a subprocess, from different temporary folders, working
directories, umasks and time zones, at different clock seconds.
"""

from __future__ import annotations

import importlib.metadata
import io
import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import time
import venv
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import svcgen.buildstep.wheel
from svcgen import Config, Generated
from svcgen.cli.build import build_command
from svcgen.buildstep.wheel import SOURCE_DATE_EPOCH

CALCULATOR = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "calculator.json"
STANDALONE = "from svcgen.cli.build import build_command; build_command(prog_name='svcgen build')"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_command, list(args), prog_name="svcgen build")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def artifacts(stdout: str) -> tuple[Path, Path]:
    paths = [Path(line) for line in stdout.splitlines() if line.strip()]
    assert len(paths) == 2, stdout
    wheel, sdist = paths
    assert wheel.name.endswith(".whl") and wheel.is_file(), paths
    assert sdist.name.endswith(".tar.gz") and sdist.is_file(), paths
    return wheel, sdist


def assert_trouble(code: int, stderr: str, *fragments: str) -> None:
    assert code == 2, (code, stderr)
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("svcgen: error: "), lines[0]
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def small_spec(folder: Path, version: str) -> Path:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Tiny", "version": version},
        "paths": {"/ping": {"get": {"operationId": "ping", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}}}}}},
    }
    path = folder / "tiny.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def wheel_version(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        fields = dict(line.split(": ", 1) for line in archive.read(metadata).decode().splitlines() if ": " in line)
    return fields["Version"]


@pytest.fixture(scope="module")
def calculator_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[tuple[Path, Path], tuple[Path, Path]]:
    """The calculator built twice: in process, and as a standalone subprocess elsewhere."""
    first_cwd, second_cwd = tmp_path_factory.mktemp("cwd-a"), tmp_path_factory.mktemp("cwd-b")
    previous = os.getcwd()
    os.chdir(first_cwd)
    try:
        code, stdout, stderr = invoke(str(CALCULATOR), "-d", "dist")
    finally:
        os.chdir(previous)
    assert code == 0, stderr
    first = artifacts("\n".join(str(first_cwd / line) for line in stdout.splitlines()))

    time.sleep(1.1)  # a different clock second, so any leaked timestamp shows
    env = {**os.environ, "TZ": "Pacific/Chatham", "SOURCE_DATE_EPOCH": "1700000000"}
    result = subprocess.run(
        [sys.executable, "-c", STANDALONE, str(CALCULATOR), "--dist-dir", str(second_cwd / "out" / "dist")],
        cwd=second_cwd, env=env, umask=0o077, check=False, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    second = artifacts(result.stdout)
    assert first[0].parent != second[0].parent
    return first, second


def test_builds_are_byte_identical(calculator_builds: tuple[tuple[Path, Path], tuple[Path, Path]]) -> None:
    (wheel_a, sdist_a), (wheel_b, sdist_b) = calculator_builds
    assert wheel_a.name == wheel_b.name == "calculator_client-0.1.0-py3-none-any.whl"
    assert sdist_a.name == sdist_b.name == "calculator_client-0.1.0.tar.gz"
    assert wheel_a.read_bytes() == wheel_b.read_bytes()
    assert sdist_a.read_bytes() == sdist_b.read_bytes()


def test_archive_metadata_is_fixed(calculator_builds: tuple[tuple[Path, Path], tuple[Path, Path]]) -> None:
    wheel, sdist = calculator_builds[0]
    with zipfile.ZipFile(wheel) as archive:
        infos = archive.infolist()
        assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
        modes = {info.filename: (info.external_attr >> 16) & 0o777 for info in infos}
        assert "calculator_client/py.typed" in modes and "calculator_client/_runtime/_http.py" in modes
        assert {mode for name, mode in modes.items() if not name.endswith("RECORD")} == {0o644}, modes
    data = sdist.read_bytes()
    assert int.from_bytes(data[4:8], "little") == SOURCE_DATE_EPOCH  # the gzip header's mtime
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        members = archive.getmembers()
    names = [member.name for member in members]
    assert "calculator_client-0.1.0/PKG-INFO" in names and "calculator_client-0.1.0/pyproject.toml" in names
    for member in members:
        assert (member.mtime, member.uid, member.gid, member.uname, member.gname) == (SOURCE_DATE_EPOCH, 0, 0, "", ""), member.name
        assert member.mode == (0o755 if member.isdir() else 0o644), member.name


def test_wheel_installs_into_a_fresh_venv(calculator_builds: tuple[tuple[Path, Path], tuple[Path, Path]], tmp_path: Path) -> None:
    wheel = calculator_builds[1][0]
    home = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=False, capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    # httpx and pydantic come from the dev venv, after the fresh venv's own site-packages
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "zz_dev_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    script = "import importlib.metadata as m, calculator_client as c; print(c.__file__); print(m.version('calculator_client')); print(c.Client.__name__)"
    result = subprocess.run([str(python), "-c", script], cwd=tmp_path, check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    location, version, client = result.stdout.split()
    assert Path(location).is_relative_to(home), location
    assert (version, client) == ("0.1.0", "Client")
    assert Path(location).with_name("py.typed").is_file()


def test_version_explicit_and_from_info_version(tmp_path: Path) -> None:
    code, stdout, stderr = invoke(str(CALCULATOR), "-d", str(tmp_path / "explicit"), "--package-version", "9.8.7", "--name", "calc")
    assert code == 0, stderr
    wheel, sdist = artifacts(stdout)
    assert (wheel.name, sdist.name) == ("calc-9.8.7-py3-none-any.whl", "calc-9.8.7.tar.gz")
    assert wheel_version(wheel) == "9.8.7"

    code, stdout, stderr = invoke(str(small_spec(tmp_path, "2.3.4")), "-d", str(tmp_path / "spec"))
    assert code == 0, stderr
    wheel, sdist = artifacts(stdout)
    assert (wheel.name, sdist.name) == ("tiny_client-2.3.4-py3-none-any.whl", "tiny_client-2.3.4.tar.gz")
    assert wheel_version(wheel) == "2.3.4"


def test_bentoml_none_version_means_default(calculator_builds: tuple[tuple[Path, Path], tuple[Path, Path]]) -> None:
    assert json.loads(CALCULATOR.read_text(encoding="utf-8"))["info"]["version"] == "None"
    assert wheel_version(calculator_builds[0][0]) == "0.1.0"


def test_invalid_spec_is_a_clean_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "an openapi document"}', encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", STANDALONE, str(bad), "-d", str(tmp_path / "dist")], check=False, capture_output=True, text=True, timeout=120)
    assert_trouble(result.returncode, result.stderr)
    assert not (tmp_path / "dist").exists()


def _generate_then(edit: Callable[[str], str]) -> Callable[[Config], Generated]:
    """``generate``, then ``edit`` applied to the written pyproject.toml."""
    real = svcgen.buildstep.wheel.generate

    def generate(config: Config) -> Generated:
        generated = real(config)
        assert config.output is not None
        pyproject = config.output / "pyproject.toml"
        pyproject.write_text(edit(pyproject.read_text(encoding="utf-8")), encoding="utf-8")
        return generated

    return generate


def test_backend_failure_is_a_clean_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = _generate_then(lambda text: text.replace("packages = [", 'packages = ["missing_pkg", ', 1))
    monkeypatch.setattr(svcgen.buildstep.wheel, "generate", broken)
    code, stdout, stderr = invoke(str(CALCULATOR), "-d", str(tmp_path / "dist"))
    assert_trouble(code, stderr, "building the package failed: package directory 'missing_pkg' does not exist")
    assert stdout == ""
    assert not (tmp_path / "dist").exists()


def test_no_isolation_uses_this_pythons_backend(calculator_builds: tuple[tuple[Path, Path], tuple[Path, Path]], tmp_path: Path) -> None:
    """With the pinned backend installed here it gives the same bytes; without it, a clean error."""
    code, stdout, stderr = invoke(str(CALCULATOR), "-d", str(tmp_path / "dist"), "--no-isolation")
    try:
        installed = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        installed = None
    if installed == "80.9.0":
        assert code == 0, stderr
        wheel, sdist = artifacts(stdout)
        assert wheel.read_bytes() == calculator_builds[0][0].read_bytes()
        assert sdist.read_bytes() == calculator_builds[0][1].read_bytes()
    else:
        assert_trouble(code, stderr, "Missing dependencies:", "setuptools==80.9.0")  # and whatever else this Python lacks


def test_unpinned_backend_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unpinned = _generate_then(lambda text: text.replace('"setuptools==80.9.0"', '"setuptools>=69"'))
    monkeypatch.setattr(svcgen.buildstep.wheel, "generate", unpinned)
    code, _stdout, stderr = invoke(str(CALCULATOR), "-d", str(tmp_path / "dist"))
    assert_trouble(code, stderr, "'setuptools>=69'", "not pinned to an exact version")


def test_missing_build_frontend_is_a_clean_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = svcgen.buildstep.wheel.importlib.metadata.version

    def version(name: str) -> str:
        if name == "build":
            raise svcgen.buildstep.wheel.importlib.metadata.PackageNotFoundError(name)
        return str(real(name))

    monkeypatch.setattr(svcgen.buildstep.wheel.importlib.metadata, "version", version)
    code, _stdout, stderr = invoke(str(CALCULATOR), "-d", str(tmp_path / "dist"))
    assert_trouble(code, stderr, "'build' package is not installed")


def test_bad_name_and_header_are_usage_errors(tmp_path: Path) -> None:
    code, _stdout, stderr = invoke(str(CALCULATOR), "-d", str(tmp_path / "dist"), "--name", "not-valid")
    assert_trouble(code, stderr, "not a valid Python package name")
    code, _stdout, stderr = invoke(str(CALCULATOR), "-d", str(tmp_path / "dist"), "--header", "no colon")
    assert code == 2 and "--header" in stderr
