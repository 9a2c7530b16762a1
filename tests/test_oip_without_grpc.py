"""An OIP client without its ``grpc`` extra: it type-checks and imports, and GrpcClient names the extra.

An environment with the package's other dependencies (numpy, httpx, pydantic,
httpx-aiohttp) and the checkers, but no grpcio or protobuf: mypy --strict and
stubtest pass on the KServe golden, the package imports, and constructing a
GrpcClient raises MissingDependencyError with the install command.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.golden_support import GOLDEN
from tests.support.wheels import CACHE, UV, installed, run

pytestmark = pytest.mark.e2e

PROBE = """
import importlib.util, sys
assert importlib.util.find_spec("grpc") is None and importlib.util.find_spec("google") is None
import k_serve_model_server_client as pkg
assert callable(pkg.Client.infer_arrays) and callable(pkg.AsyncClient.is_model_ready)
try:
    pkg.GrpcClient("127.0.0.1:1")
except pkg.MissingDependencyError as error:
    assert "pip install 'k-serve-model-server-client[grpc]'" in str(error), str(error)
else:
    raise AssertionError("GrpcClient without grpcio")
print("ok")
"""


def _environment() -> Path:
    names = ("mypy", "numpy", "httpx", "pydantic", "httpx-aiohttp")
    pins = [f"{name}=={version(name)}" for name in names]
    home = CACHE / ("no-grpc-" + hashlib.sha256("\n".join(pins).encode()).hexdigest()[:16])
    if not (home / ".complete").is_file():
        run([str(UV), "venv", "--quiet", "--python", sys.executable, str(home)])
        run([str(UV), "pip", "install", "--quiet", "--python", str(home / "bin" / "python"), *pins])
        (home / ".complete").write_text("\n".join(pins) + "\n")
    return home / "bin" / "python"


def test_oip_client_without_grpc_type_checks_imports_and_names_the_extra(tmp_path: Path) -> None:
    python, site = _environment(), installed(GOLDEN / "kserve")
    env = {**os.environ, "PYTHONPATH": str(site), "MYPYPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONSAFEPATH": "1"}
    allowlist = GOLDEN / "kserve" / "stubtest-allowlist.txt"
    for args in (
        ["-m", "mypy", "--strict", "--no-incremental", "-p", "k_serve_model_server_client"],
        ["-m", "mypy.stubtest", "--mypy-config-file", os.devnull, "--allowlist", str(allowlist),
         "--ignore-unused-allowlist", "k_serve_model_server_client"],
        ["-c", PROBE],
    ):
        result = subprocess.run([str(python), *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
