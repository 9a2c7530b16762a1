"""The golden packages pass mypy --strict, basedpyright (strict) and stubtest."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.golden_support import GOLDEN, ROOT, golden_specs

SPECS = golden_specs()
CACHE = ROOT / ".cache" / "typecheck"
BIN = Path(sys.executable).parent


def _package(folder: Path) -> str:
    (package,) = [p.name for p in folder.iterdir() if (p / "_svcgen.json").is_file()]
    return package


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(scope="module", params=SPECS, ids=[spec.stem for spec in SPECS])
def golden_copy(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of one golden folder, so checkers' caches never land in fixtures/."""
    floor = _python_floor(GOLDEN / request.param.stem)
    if sys.version_info < tuple(map(int, floor.split("."))):
        pytest.skip(f"the package needs Python {floor}")  # a client built on httpx2 (3.11)
    target = tmp_path_factory.mktemp(request.param.stem) / "pkg"
    shutil.copytree(GOLDEN / request.param.stem, target)
    return target, _package(target)


def _python_floor(folder: Path) -> str:
    """The package's own ``requires-python`` floor: 3.10, or 3.11 for a client built on httpx2."""
    floor = re.search(r'requires-python = ">=(\d+\.\d+)"', (folder / "pyproject.toml").read_text())
    assert floor is not None
    return floor[1]


def test_mypy_strict(golden_copy: tuple[Path, str]) -> None:
    folder, package = golden_copy
    cache = CACHE / "mypy" / folder.parent.name
    result = _run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), "-p", package], folder)
    assert result.returncode == 0, result.stdout + result.stderr


def test_basedpyright_strict(golden_copy: tuple[Path, str]) -> None:
    folder, package = golden_copy
    settings = {"typeCheckingMode": "strict", "pythonVersion": _python_floor(folder)}
    (folder / "pyrightconfig.json").write_text(json.dumps(settings))
    result = _run([str(BIN / "basedpyright"), "--pythonpath", sys.executable, package], folder)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def test_stubtest(golden_copy: tuple[Path, str]) -> None:
    folder, package = golden_copy
    allowlist = folder / "stubtest-allowlist.txt"
    assert allowlist.read_text().count("RootModel") >= 1  # pydantic's artefacts only, listed by the generator
    result = _run(
        [sys.executable, "-m", "mypy.stubtest", "--mypy-config-file", os.devnull,
         "--allowlist", str(allowlist), "--ignore-unused-allowlist", package],
        folder,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


#: A caller of the scoring client passes plain mappings wherever a model is expected, alone or
#: in a list (DESIGN §2a: validated client-side), and mixes them with model instances.
_MAPPING_CALLER = '''
from typing import Any

from fraud_scoring_client import AsyncClient, Client, Transaction


def call(client: Client, rows: list[dict[str, Any]]) -> None:
    client.score(transaction={"transaction_id": "t", "amount": 1.0})
    client.score_batch(transactions=rows)
    client.score_batch(transactions=[Transaction(transaction_id="t", amount=1.0), {"transaction_id": "u", "amount": 2.0}])
    client.score_batch(transactions=(Transaction(transaction_id="t", amount=1.0),))


async def call_async(client: AsyncClient, rows: list[dict[str, Any]]) -> None:
    await client.score_batch(transactions=rows)
'''
_WRONG_CALLER = '''
from fraud_scoring_client import Client


def call(client: Client) -> None:
    client.score_batch(transactions=[1, 2])
'''


@pytest.mark.parametrize("source, ok", [(_MAPPING_CALLER, True), (_WRONG_CALLER, False)], ids=["mappings", "wrong"])
def test_model_parameters_accept_plain_mappings_under_mypy(source: str, ok: bool, tmp_path: Path) -> None:
    shutil.copytree(GOLDEN / "scoring", tmp_path / "pkg")
    (tmp_path / "pkg" / "caller.py").write_text(source)
    result = _run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "caller.py"], tmp_path / "pkg")
    assert (result.returncode == 0) is ok, result.stdout + result.stderr
    if not ok:
        assert "[list-item]" in result.stdout or "[arg-type]" in result.stdout, result.stdout
