"""Shared helpers for the unit tests of the generated client runtime.

The tests import the committed golden packages as users get them: each golden
project is built into a wheel once and installed into a folder of its own,
which goes on ``sys.path`` (no network: every request goes through an
``httpx.MockTransport``).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.support.library_goldens import generated_goldens
from tests.support.wheels import installed

REPO_ROOT = Path(__file__).resolve().parents[1]
#: The library the clients under test are built on (``SVCGEN_TEST_HTTP_LIBRARY``, see conftest.py).
HTTP_LIBRARY = os.environ.get("SVCGEN_TEST_HTTP_LIBRARY", "httpx")
GOLDEN = REPO_ROOT / "fixtures" / "golden"
if HTTP_LIBRARY != "httpx":
    # The golden documents' packages generated on HTTP_LIBRARY, in the goldens' layout.
    GOLDEN = generated_goldens(HTTP_LIBRARY)



def golden_site(name: str) -> Path:
    """The folder where the golden project ``fixtures/golden/<name>`` is installed from its wheel."""
    return installed(GOLDEN / name)


def use_goldens(*names: str) -> None:
    """Put the installed golden packages on ``sys.path`` (one package per import name)."""
    for name in names:
        site = str(golden_site(name))
        if site not in sys.path:
            sys.path.insert(0, site)


# Only one package per import name: `scoring` (no default server) is the one on
# sys.path; `scoring-cloud` (same package name) is loaded by `load_isolated`.
use_goldens("calculator", "scoring", "textops")

BASE = "http://h"
PREFIX_BASE = "http://h/org/project/deployment"

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that records every request it is given.

    ``replies`` are used in order (the last one repeats); each is an
    ``httpx.Response``, an exception instance to raise, or a callable taking
    the request.
    """

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies) or [httpx.Response(200, json=None)]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        if isinstance(reply, BaseException):
            raise reply
        if callable(reply):
            return reply(request)
        # A fresh copy each time: a Response can only be sent once.
        return httpx.Response(
            reply.status_code, headers=reply.headers, content=reply.content
        )

    @property
    def calls(self) -> int:
        return len(self.requests)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def sync_http(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    def async_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self))


def patch_sleep(monkeypatch: pytest.MonkeyPatch, *modules: ModuleType) -> list[float]:
    """Make the runtime's ``time.sleep`` / ``asyncio.sleep`` record delays instead of sleeping."""
    delays: list[float] = []

    class _Time:
        def __getattr__(self, name: str) -> Any:
            return getattr(time, name)

        @staticmethod
        def sleep(seconds: float) -> None:
            delays.append(seconds)

    class _Asyncio:
        def __getattr__(self, name: str) -> Any:
            return getattr(asyncio, name)

        @staticmethod
        async def sleep(seconds: float) -> None:
            delays.append(seconds)

    async def async_sleep(seconds: float) -> None:
        delays.append(seconds)

    for module in modules:
        monkeypatch.setattr(module, "time", _Time())
        if hasattr(module, "async_sleep"):  # the runtime's lazily-importing asyncio.sleep
            monkeypatch.setattr(module, "async_sleep", async_sleep)
        if hasattr(module, "asyncio"):
            monkeypatch.setattr(module, "asyncio", _Asyncio())
    return delays


@contextlib.contextmanager
def load_isolated(golden_dir: str, package: str) -> Iterator[ModuleType]:
    """Import ``package`` as installed from ``fixtures/golden/<golden_dir>`` without disturbing
    an already imported package of the same name (restored on exit)."""
    saved = {
        name: module
        for name, module in sys.modules.items()
        if name == package or name.startswith(package + ".")
    }
    for name in saved:
        del sys.modules[name]
    site = str(golden_site(golden_dir))
    sys.path.insert(0, site)
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(site)
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]
        sys.modules.update(saved)
