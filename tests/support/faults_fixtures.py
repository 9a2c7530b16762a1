"""Shared fixtures of ``test_runtime_faults.py`` and ``test_runtime_options.py``.

Both test modules load this module as a plugin (``pytest_plugins``) so its
fixtures exist once per session; they opt in to ``clean_env`` with
``pytestmark``, so no other test is affected. The client package
``faults_client`` is generated once per session, in-process, from ``tests/support/faults_openapi.json`` with the
current templates, built into a wheel and installed into a folder put on ``sys.path``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from svcgen.config import Config
from svcgen.pipeline import generate

from tests.runtime_support import HTTP_LIBRARY, patch_sleep
from tests.support.faults_helpers import PACKAGE, SPEC
from tests.support.faulty_server import FaultyServer, running_faulty_server
from tests.support.tls_servers import TLSFiles
from tests.support.wheels import installed

ENV_VARS = (
    "FAULTS_CLIENT_TOKEN",
    "FAULTS_CLIENT_API_KEY",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)


def _drop_modules() -> None:
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]


@pytest.fixture(scope="session")
def fc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The generated ``faults_client`` package, imported."""
    out = tmp_path_factory.mktemp("faults_client_pkg")
    generate(Config(source=str(SPEC), output=out, name=PACKAGE, force=True, http_library=HTTP_LIBRARY))
    site = installed(out)
    _drop_modules()
    sys.path.insert(0, str(site))
    try:
        module = importlib.import_module(PACKAGE)
        assert Path(module.__file__ or "").is_relative_to(site), "imported a stale faults_client"
        yield module
    finally:
        sys.path.remove(str(site))
        _drop_modules()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No token, key or proxy from the environment leaks into a test."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[FaultyServer]:
    """A fresh scripted server on 127.0.0.1 and 127.0.0.2 (same port)."""
    with running_faulty_server() as running:
        yield running


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch, fc: ModuleType) -> list[float]:
    """The runtime's retry pauses, recorded instead of slept."""
    runtime = fc._runtime
    modules = [runtime._sync, runtime._async]
    if hasattr(runtime, "_retries") and hasattr(runtime._retries, "time"):
        modules.append(runtime._retries)
    return patch_sleep(monkeypatch, *modules)


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TLSFiles:
    return TLSFiles.create(tmp_path_factory.mktemp("tls"))
