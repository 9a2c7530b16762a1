"""The runtime tests run against the library they say they do (see conftest.py and runtime_support.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.runtime_support import HTTP_LIBRARY, golden_site  # noqa: E402

import calculator_client  # noqa: E402
from calculator_client._runtime import _types  # noqa: E402


def test_the_clients_under_test_are_built_on_the_library_of_the_run() -> None:
    assert httpx.__name__ == HTTP_LIBRARY
    assert Path(calculator_client.__file__ or "").is_relative_to(golden_site("calculator"))  # installed from the run's golden
    source = Path(_types.__file__ or "").read_text()
    assert f"\nimport {HTTP_LIBRARY}\n" in source
    assert type(_types.DEFAULT_TIMEOUT) is httpx.Timeout
    assert type(_types.DEFAULT_TIMEOUT).__module__ == HTTP_LIBRARY
