"""Every runtime test case, run again against clients built on httpx2.

Each ``tests/test_runtime_*.py`` module runs in a pytest subprocess with
``SVCGEN_TEST_HTTP_LIBRARY=httpx2``: there the golden documents' packages and the
fault tests' ``faults_client`` are generated with ``--http-library httpx2`` and
``import httpx`` gives httpx2 (conftest.py), so the same cases (retries, errors,
redirects with credential stripping, streams, files, raw responses, ``http_client=``,
the connection options against real local servers, the aiohttp backend) check the
httpx2 runtime over ``httpx2.MockTransport`` and real sockets, without copies.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(path.name for path in (ROOT / "tests").glob("test_runtime_*.py"))

pytestmark = pytest.mark.skipif(sys.version_info < (3, 11), reason="httpx2 needs Python 3.11")


@pytest.mark.parametrize("module", MODULES)
def test_runtime_cases_pass_on_httpx2(module: str) -> None:
    env = {**os.environ, "SVCGEN_TEST_HTTP_LIBRARY": "httpx2", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"tests/{module}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    passed = re.search(r"(\d+) passed", summary)
    assert passed is not None and int(passed[1]) > 0, summary
