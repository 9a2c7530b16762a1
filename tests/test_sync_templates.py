"""The blocking runtime templates are derived from their asyncio sources (``fixtures/derive_sync.py``).

Each sync/async pair of the generated runtime is written once, as asyncio code;
the committed blocking template must be exactly what the script derives from it,
so that a fix made in the source cannot be forgotten in the blocking half.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = ROOT / "templates" / "package" / "_runtime"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derive_sync", ROOT / "fixtures" / "derive_sync.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


derive_sync = _script()


@pytest.mark.parametrize("pair", derive_sync.PAIRS, ids=lambda pair: pair.target)
def test_committed_blocking_template_is_what_its_asyncio_source_derives(pair) -> None:  # type: ignore[no-untyped-def]
    assert derive_sync.committed_text(pair) == derive_sync.derived_text(pair), (
        f"templates/package/_runtime/{pair.target} is out of date with {pair.source}: "
        "run `make sync-templates` (python fixtures/derive_sync.py), then `make goldens`"
    )


def test_every_template_that_defines_coroutines_is_a_source_or_asyncio_only() -> None:
    """A new hand-written twin (``async def x`` next to ``def x``) would be two sources again."""
    sources = {pair.source for pair in derive_sync.PAIRS}
    twins = {}
    for path in sorted(RUNTIME.glob("*.jinja")):
        if path.name in sources:
            continue
        text = path.read_text()
        coroutines = set(re.findall(r"async def (\w+)\(", text))
        blocking = set(re.findall(r"(?<!async )def (\w+)\(", text))
        shared = coroutines & blocking - {"__init__"}
        if shared:
            twins[path.name] = sorted(shared)
    assert twins == {}, f"hand-written sync/async twins outside the derived pairs: {twins}"


def test_the_derivation_rewrites_asyncio_constructs() -> None:
    source = (
        "async def fetch(self, op: Callable[P, Awaitable[RawResponse[T]]]) -> AsyncResponseStream[T]:\n"
        "    async with self._lock:\n"
        "        async for chunk in response.aiter_bytes():\n"
        "            await async_sleep(delay)\n"
        "        await response.aclose()\n"
        "    return await self.__aenter__()\n"
    )
    assert derive_sync.derive(source) == (
        "def fetch(self, op: Callable[P, RawResponse[T]]) -> ResponseStream[T]:\n"
        "    with self._lock:\n"
        "        for chunk in response.iter_bytes():\n"
        "            time.sleep(delay)\n"
        "        response.close()\n"
        "    return self.__enter__()\n"
    )


def test_marked_lines_are_kept_only_on_their_side() -> None:
    source = (
        "a = 1\n"
        "{# unasync: async-only #}\n"
        "    b = await c()\n"
        "{# unasync: end #}\n"
        "{# unasync: sync-only\n"
        "    b = AsyncName()\n"
        "#}\n"
        "d = await e()\n"
    )
    assert derive_sync.derive(source) == "a = 1\n    b = AsyncName()\nd = e()\n"


@pytest.mark.parametrize(
    "source",
    ["{# unasync: async-only #}\nx\n", "{# unasync: sync-only\nx\n", "{# unasync: end #}\n", "{# unasync: other #}\n"],
)
def test_unpaired_or_unknown_markers_are_refused(source: str) -> None:
    with pytest.raises(derive_sync.MarkerError):
        derive_sync.derive(source)
