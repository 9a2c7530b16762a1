"""A protocol cross-check without a Triton server: the generated OIP codec against tritonclient's.

``tritonclient[http,grpc]`` is installed into an environment of its own (never
a dependency of generated packages), beside the KServe golden package installed
from its wheel; tests/e2e_calls/tritonclient_crosscheck.py then compares, for
every datatype, the request bytes each side writes and the arrays each side
reads from the same answers, over REST (binary and JSON) and gRPC.
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

SCRIPT = Path(__file__).parent / "e2e_calls" / "tritonclient_crosscheck.py"
TRITONCLIENT = "tritonclient[http,grpc]==2.73.0"


def _environment() -> Path:
    """The test-only environment: tritonclient, and the generated package's dependencies at the dev venv's versions."""
    pins = [TRITONCLIENT, *(f"{name}=={version(name)}" for name in ("numpy", "grpcio", "protobuf", "httpx", "pydantic"))]
    home = CACHE / ("tritonclient-" + hashlib.sha256("\n".join(pins).encode()).hexdigest()[:16])
    python = home / "bin" / "python"
    if not (home / ".complete").is_file():
        run([str(UV), "venv", "--quiet", "--python", sys.executable, str(home)])
        run([str(UV), "pip", "install", "--quiet", "--python", str(python), *pins])
        (home / ".complete").write_text("\n".join(pins) + "\n")
    return python


def test_generated_codec_agrees_with_tritonclient_for_every_datatype() -> None:
    python = _environment()
    env = {**os.environ, "PYTHONPATH": str(installed(GOLDEN / "kserve")), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([str(python), str(SCRIPT)], capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok datatypes=14"), result.stdout
