"""``client.map(client.op, inputs)``: many calls at bounded concurrency, sync and async.

Unit tests against ``httpx.MockTransport`` handlers that answer the calculator's
``add`` (``a + b``), optionally slowly, failing or counting the calls in flight.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pydantic
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.runtime_support import BASE, golden_site, patch_sleep  # noqa: E402
from tests.support import faulty_server as fs  # noqa: E402
from tests.support.faulty_server import FaultyServer  # noqa: E402

import calculator_client as calc  # noqa: E402
from calculator_client import AsyncClient, Client  # noqa: E402
from calculator_client._runtime import _async, _bulk, _sync  # noqa: E402

#: ``fc`` (a generated client package) and ``server`` (a real loopback server) for the tests at the end.
pytest_plugins = ["tests.support.faults_fixtures"]


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    return patch_sleep(monkeypatch, _sync, _async)


class Adder:
    """A handler for ``POST /add``: answers ``a + b`` after ``delay(a)`` seconds, or ``status(a, attempt)``.

    Counts calls and the most calls in flight at once; safe to call from several threads.
    """

    def __init__(
        self,
        delay: Callable[[int], float] = lambda a: 0.0,
        status: Callable[[int, int], int] = lambda a, attempt: 200,
    ) -> None:
        self.delay = delay
        self.status = status
        self.lock = threading.Lock()
        self.seen: list[int] = []
        self.finished: list[int] = []
        self.in_flight = self.max_in_flight = 0
        self.max_tasks = 0

    def _enter(self, request: httpx.Request) -> tuple[int, int, int]:
        """``(a, b, attempt)``: the attempt counts earlier calls with the same ``a``."""
        body = json.loads(request.content)
        with self.lock:
            attempt = self.seen.count(body["a"])
            self.seen.append(body["a"])
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return body["a"], body["b"], attempt

    def _leave(self, a: int, b: int, attempt: int) -> httpx.Response:
        with self.lock:
            self.in_flight -= 1
            self.finished.append(a)
        code = self.status(a, attempt)
        if code != 200:
            return httpx.Response(code, json={"error": f"status {code} for a={a}"})
        return httpx.Response(200, json=a + b)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        a, b, attempt = self._enter(request)
        time.sleep(self.delay(a))
        return self._leave(a, b, attempt)

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        a, b, attempt = self._enter(request)
        self.max_tasks = max(self.max_tasks, len(asyncio.all_tasks()))
        await asyncio.sleep(self.delay(a))
        return self._leave(a, b, attempt)

    def sync_client(self, **options: Any) -> Client:
        return Client(BASE, http_client=httpx.Client(transport=httpx.MockTransport(self)), **options)

    def async_client(self, **options: Any) -> AsyncClient:
        transport = httpx.MockTransport(self.handle_async)
        return AsyncClient(BASE, http_client=httpx.AsyncClient(transport=transport), **options)


def pairs(n: int) -> list[dict[str, int]]:
    return [{"a": i, "b": 1000} for i in range(n)]


def run_map(mode: str, adder: Adder, inputs: Any, client_options: dict[str, Any] | None = None, **options: Any) -> Any:
    """``client.map(client.add, inputs, **options)`` on a ``Client`` or an ``AsyncClient``."""
    if mode == "sync":
        with adder.sync_client(**(client_options or {})) as client:
            return client.map(client.add, inputs, **options)

    async def main() -> Any:
        async with adder.async_client(**(client_options or {})) as client:
            return await client.map(client.add, inputs, **options)

    return asyncio.run(main())


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# -- results and their order ------------------------------------------------------------


def test_results_come_back_in_input_order_when_calls_finish_out_of_order(mode: str) -> None:
    adder = Adder(delay=lambda a: (9 - a) * 0.03)  # the last input finishes first
    assert run_map(mode, adder, pairs(10), concurrency=10) == [1000 + i for i in range(10)]
    assert adder.finished != sorted(adder.finished)


def test_generator_inputs(mode: str) -> None:
    adder = Adder()
    inputs = ({"a": i, "b": i} for i in range(25))
    assert run_map(mode, adder, inputs, concurrency=4) == [2 * i for i in range(25)]


def test_empty_inputs_make_no_call(mode: str) -> None:
    adder = Adder()
    progress: list[tuple[int, int | None]] = []
    assert run_map(mode, adder, [], progress=lambda *a: progress.append(a)) == []
    assert run_map(mode, adder, iter([]), progress=True) == []
    assert adder.seen == [] and progress == []


def test_positional_style_and_per_call_options_in_an_input(mode: str) -> None:
    adder = Adder()
    inputs = [{"a": 1, "b": 2, "extra_headers": {"X-Item": "1"}, "timeout": 5.0}]
    assert run_map(mode, adder, inputs) == [3]


def test_with_raw_response_as_the_operation() -> None:
    adder = Adder()
    with adder.sync_client() as client:
        raws = client.map(client.with_raw_response(client.add), pairs(3), concurrency=2)
    assert [(raw.parsed, raw.status_code) for raw in raws] == [(1000, 200), (1001, 200), (1002, 200)]


# -- bounded concurrency ------------------------------------------------------------------


@pytest.mark.parametrize("concurrency", [1, 3, 8])
def test_concurrency_is_bounded(mode: str, concurrency: int) -> None:
    adder = Adder(delay=lambda a: 0.02)
    assert run_map(mode, adder, pairs(24), concurrency=concurrency) == [1000 + i for i in range(24)]
    assert adder.max_in_flight == concurrency


def test_inputs_are_read_only_as_calls_finish(mode: str) -> None:
    """At most ``concurrency`` inputs are taken ahead of the finished ones."""
    adder = Adder(delay=lambda a: 0.01)
    taken = 0
    ahead: list[int] = []

    def inputs() -> Iterator[dict[str, int]]:
        nonlocal taken
        for i in range(40):
            taken += 1
            ahead.append(taken - len(adder.seen) + adder.in_flight)
            yield {"a": i, "b": 0}

    assert run_map(mode, adder, inputs(), concurrency=4) == list(range(40))
    assert max(ahead) <= 4 + 1


def test_async_map_runs_concurrency_tasks_not_one_per_input() -> None:
    adder = Adder(delay=lambda a: 0.001)
    assert run_map("async", adder, pairs(300), concurrency=5)[-1] == 1299
    assert adder.max_tasks <= 5 + 1  # the workers and the task running map()


def test_sync_map_threads_end_with_the_map() -> None:
    before = threading.active_count()
    run_map("sync", Adder(delay=lambda a: 0.01), pairs(20), concurrency=6)
    assert threading.active_count() == before


@pytest.mark.parametrize("concurrency", [0, -1])
def test_concurrency_must_be_positive(mode: str, concurrency: int) -> None:
    with pytest.raises(ValueError, match="concurrency"):
        run_map(mode, Adder(), pairs(2), concurrency=concurrency)


# -- retries --------------------------------------------------------------------------------


def test_each_input_is_retried_on_its_own(mode: str, delays: list[float]) -> None:
    adder = Adder(status=lambda a, attempt: 503 if a in (2, 5) and attempt == 0 else 200)
    assert run_map(mode, adder, pairs(8), concurrency=3) == [1000 + i for i in range(8)]
    assert sorted(adder.seen) == sorted([*range(8), 2, 5])
    assert len(delays) == 2


def test_map_max_retries_overrides_the_clients(mode: str, delays: list[float]) -> None:
    adder = Adder(status=lambda a, attempt: 503 if a == 1 and attempt < 3 else 200)
    # The client allows 2 retries: not enough for a=1; the map allows 3.
    results = run_map(mode, adder, pairs(3), max_retries=3)
    assert results == [1000, 1001, 1002]
    assert adder.seen.count(1) == 4

    adder = Adder(status=lambda a, attempt: 503 if a == 1 else 200)
    results = run_map(mode, adder, pairs(3), client_options={"max_retries": 5}, max_retries=0, return_exceptions=True)
    assert isinstance(results[1], calc.InternalServerError) and results[1].status_code == 503
    assert adder.seen.count(1) == 1


def test_an_inputs_own_max_retries_wins_and_the_maps_does_not_outlive_it(delays: list[float]) -> None:
    adder = Adder(status=lambda a, attempt: 503)
    with adder.sync_client() as client:
        inputs = [{"a": 0, "b": 0}, {"a": 1, "b": 0, "max_retries": 1}]
        results = client.map(client.add, inputs, max_retries=0, return_exceptions=True)
        assert all(isinstance(r, calc.InternalServerError) for r in results)
        assert (adder.seen.count(0), adder.seen.count(1)) == (1, 2)
        with pytest.raises(calc.InternalServerError):
            client.add(a=2, b=0)
        assert adder.seen.count(2) == 3  # the client's own 2 retries again


# -- errors -----------------------------------------------------------------------------------


def test_first_error_is_raised_and_no_further_input_starts(mode: str) -> None:
    adder = Adder(status=lambda a, attempt: 400 if a == 3 else 200)
    with pytest.raises(calc.BadRequestError, match="a=3"):
        run_map(mode, adder, pairs(50), concurrency=1)
    assert adder.seen == [0, 1, 2, 3]


def test_sync_error_waits_for_running_calls_and_starts_no_more() -> None:
    adder = Adder(status=lambda a, attempt: 400 if a == 0 else 200)

    def delay(a: int) -> float:
        """a=0 fails only once a=1 is running (on a loaded machine its thread may start late)."""
        deadline = time.monotonic() + 5.0
        while a == 0 and 1 not in adder.seen and time.monotonic() < deadline:
            time.sleep(0.005)
        return 0.3 if a == 1 else 0.0

    adder.delay = delay
    started = time.monotonic()
    with pytest.raises(calc.BadRequestError):
        run_map("sync", adder, pairs(20), concurrency=2)
    assert 0.25 < time.monotonic() - started < 2.0  # a=1 ran to its end; its result is dropped
    assert sorted(adder.seen) == [0, 1]
    assert adder.in_flight == 0


def test_async_error_cancels_running_calls() -> None:
    adder = Adder(delay=lambda a: 5.0 if a == 1 else 0.0, status=lambda a, attempt: 400 if a == 0 else 200)
    started = time.monotonic()
    with pytest.raises(calc.BadRequestError):
        run_map("async", adder, pairs(20), concurrency=2)
    assert time.monotonic() - started < 1.0
    assert sorted(adder.seen) == [0, 1]


def test_return_exceptions_keeps_each_failure_in_its_slot(mode: str) -> None:
    adder = Adder(status=lambda a, attempt: {1: 400, 3: 404}.get(a, 200))
    inputs: list[dict[str, Any]] = [*pairs(4), {"a": "not a number", "b": 1}, {"a": 5}, {"a": 6, "b": 1, "c": 2}]
    results = run_map(mode, adder, inputs, concurrency=3, return_exceptions=True)
    assert results[0] == 1000 and results[2] == 1002
    assert isinstance(results[1], calc.BadRequestError) and results[1].status_code == 400
    assert isinstance(results[3], calc.NotFoundError)
    assert isinstance(results[4], pydantic.ValidationError)  # invalid arguments: nothing sent
    assert isinstance(results[5], TypeError)  # a missing keyword argument
    assert isinstance(results[6], TypeError)  # an unknown one
    assert sorted(adder.seen) == [0, 1, 2, 3]


def test_without_return_exceptions_bad_arguments_raise(mode: str) -> None:
    with pytest.raises(pydantic.ValidationError):
        run_map(mode, Adder(), [{"a": "x", "b": 1}])


def test_a_failing_input_iterator_always_raises(mode: str) -> None:
    def inputs() -> Iterator[dict[str, int]]:
        yield {"a": 1, "b": 1}
        raise RuntimeError("inputs broke")

    with pytest.raises(RuntimeError, match="inputs broke"):
        run_map(mode, Adder(), inputs(), return_exceptions=True)


def test_async_map_cancelled_from_outside_cancels_its_calls() -> None:
    adder = Adder(delay=lambda a: 5.0)

    async def main() -> None:
        async with adder.async_client() as client:
            task = asyncio.create_task(client.map(client.add, pairs(10), concurrency=3))
            while adder.in_flight < 3:
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert len(asyncio.all_tasks()) == 1  # only this one: every worker is gone

    started = time.monotonic()
    asyncio.run(main())
    assert time.monotonic() - started < 2.0
    assert len(adder.seen) == 3


def test_sync_map_refuses_an_async_operation() -> None:
    async def main() -> None:
        async with Adder().async_client() as aclient:
            with Adder().sync_client() as client, pytest.raises(TypeError, match="AsyncClient.map"):
                client.map(aclient.add, pairs(2))  # type: ignore[arg-type]

    asyncio.run(main())


# -- progress ---------------------------------------------------------------------------------


def test_progress_is_called_after_each_input(mode: str) -> None:
    seen: list[tuple[int, int | None]] = []
    adder = Adder(status=lambda a, attempt: 400 if a == 2 else 200)
    run_map(mode, adder, pairs(5), concurrency=2, return_exceptions=True, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(i, 5) for i in range(1, 6)]

    seen.clear()
    run_map(mode, Adder(), (p for p in pairs(3)), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, None), (2, None), (3, None)]


def test_progress_true_writes_a_line_on_stderr(mode: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_map(mode, Adder(), pairs(7), progress=True)
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("add: 7/7 (100%), ")
    run_map(mode, Adder(), iter(pairs(3)), progress=True)
    assert capsys.readouterr().err.splitlines()[-1].startswith("add: 3, ")


def test_progress_line_redraws_in_place_on_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    line = _bulk.ProgressLine("add", stream)
    for done in range(1, 4):
        line(done, 3)
    line.close()
    text = stream.getvalue()
    assert text.startswith("\radd: ") and text.endswith("\n") and "\n" not in text[:-1]
    assert "add: 3/3 (100%)" in text


def test_progress_must_be_callable(mode: str) -> None:
    with pytest.raises(TypeError, match="progress"):
        run_map(mode, Adder(), pairs(1), progress="yes")


# -- typing -----------------------------------------------------------------------------------

TYPED_USE = """
from typing import assert_type
from calculator_client import AsyncClient, Client

def sync_use(client: Client) -> None:
    assert_type(client.map(client.add, [{"a": 1, "b": 2}]), list[int])
    assert_type(client.map(client.greet, [{"name": "Ada"}], return_exceptions=True), list[str | Exception])
    assert_type(client.map(client.divide, iter([]), concurrency=4, progress=True, max_retries=0), list[float])

async def async_use(client: AsyncClient) -> None:
    assert_type(await client.map(client.add, [{"a": 1, "b": 2}]), list[int])
    assert_type(await client.map(client.maybe, [{}], return_exceptions=True), list[int | None | Exception])
"""


def test_map_results_are_typed_by_the_operation(tmp_path: Path) -> None:
    (tmp_path / "use.py").write_text(TYPED_USE)
    env = {**os.environ, "MYPYPATH": str(golden_site("calculator"))}
    cache = REPO_ROOT / ".cache" / "typecheck" / "bulk"
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), "use.py"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- against a real server: one shared connection pool -------------------------------------------


@pytest.mark.usefixtures("clean_env")
def test_sync_map_threads_share_the_clients_connections(fc: ModuleType, server: FaultyServer) -> None:
    server.script(*(fs.slow(0.05) for _ in range(24)))
    with fc.Client(server.url) as client:
        items = client.map(client.get_item, [{"item_id": i} for i in range(24)], concurrency=4)
    assert [item.id for item in items] == list(range(24))
    assert server.max_in_flight == 4
    assert len({r.client for r in server.requests}) == 4  # four connections, each kept alive


@pytest.mark.usefixtures("clean_env")
def test_default_pool_keeps_32_concurrent_connections_alive(fc: ModuleType, server: FaultyServer) -> None:
    """At concurrency 32 no connection is closed for lack of keep-alive room (httpx's own default keeps 20)."""
    server.script(*(fs.slow(0.05) for _ in range(96)))

    async def main() -> list[Any]:
        async with fc.AsyncClient(server.url) as client:
            return await client.map(client.get_item, [{"item_id": i} for i in range(96)], concurrency=32)

    assert [item.id for item in asyncio.run(main())] == list(range(96))
    assert server.max_in_flight == 32
    assert len({r.client for r in server.requests}) == 32
