"""The generated runtime's retry loop: what is retried, how often, and how long it waits."""

from __future__ import annotations

import asyncio
import email.utils
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.runtime_support import BASE, Recorder, patch_sleep  # noqa: E402

import calculator_client as calc  # noqa: E402
from calculator_client import AsyncClient, Client  # noqa: E402
from calculator_client._runtime import _async, _retries, _sync  # noqa: E402

OK_ADD = httpx.Response(200, json=3)
OK_EMPTY = httpx.Response(200)


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    return patch_sleep(monkeypatch, _sync, _async)


def make(*replies: Any, **kwargs: Any) -> tuple[Client, Recorder]:
    recorder = Recorder(*replies)
    return Client(BASE, http_client=recorder.sync_http(), **kwargs), recorder


def test_default_max_retries_is_two() -> None:
    assert calc.Client(BASE, http_client=httpx.Client()).max_retries == 2


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (httpx.ConnectError("refused"), calc.APIConnectionError),
        (httpx.ConnectTimeout("slow connect"), calc.APITimeoutError),
        (httpx.Response(408), calc.APIStatusError),
        (httpx.Response(429), calc.RateLimitError),
        (httpx.Response(503), calc.InternalServerError),
    ],
)
def test_post_retries_what_was_not_processed(delays: list[float], reply: Any, error: type) -> None:
    client, recorder = make(reply)
    with pytest.raises(error):
        client.add(a=1, b=2)
    assert recorder.calls == 3
    assert len(delays) == 2
    assert all(request.method == "POST" for request in recorder.requests)


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (httpx.Response(502), calc.InternalServerError),
        (httpx.Response(504), calc.InternalServerError),
        (httpx.ReadError("reset"), calc.APIConnectionError),
        (httpx.ReadTimeout("slow read"), calc.APITimeoutError),
    ],
)
def test_maybe_processed_retried_for_get_only(delays: list[float], reply: Any, error: type) -> None:
    client, recorder = make(reply)
    with pytest.raises(error):
        client.add(a=1, b=2)
    assert recorder.calls == 1
    assert delays == []

    client, recorder = make(reply)
    with pytest.raises(error):
        client.get_metrics()
    assert recorder.calls == 3
    assert len(delays) == 2
    with pytest.raises(error):
        client.get_metrics()
    assert recorder.calls == 6


@pytest.mark.parametrize("status", [400, 401, 404, 409, 422, 500, 418])
def test_other_statuses_are_not_retried(delays: list[float], status: int) -> None:
    client, recorder = make(httpx.Response(status))
    with pytest.raises(calc.APIStatusError):
        client.get_metrics()
    assert recorder.calls == 1
    assert delays == []


def test_success_after_retries_returns_value(delays: list[float]) -> None:
    client, recorder = make(httpx.ConnectError("refused"), httpx.Response(503), OK_ADD)
    assert client.add(a=1, b=2) == 3
    assert recorder.calls == 3
    assert len(delays) == 2
    assert [r.content for r in recorder.requests] == [b'{"a":1,"b":2}'] * 3


def test_retry_after_seconds(delays: list[float]) -> None:
    client, recorder = make(httpx.Response(429, headers={"Retry-After": "2"}), OK_ADD)
    assert client.add(a=1, b=2) == 3
    assert delays == [2.0]


def test_retry_after_http_date(delays: list[float], monkeypatch: pytest.MonkeyPatch) -> None:
    when = email.utils.parsedate_to_datetime("Wed, 21 Oct 2015 07:28:00 GMT").timestamp()
    monkeypatch.setattr(_retries, "time", SimpleNamespace(time=lambda: when - 5))
    client, _ = make(httpx.Response(503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}), OK_ADD)
    assert client.add(a=1, b=2) == 3
    assert delays == [5.0]


def test_retry_after_http_date_real_clock(delays: list[float]) -> None:
    date = email.utils.formatdate(__import__("time").time() + 30, usegmt=True)
    client, _ = make(httpx.Response(503, headers={"Retry-After": date}), OK_ADD)
    assert client.add(a=1, b=2) == 3
    assert len(delays) == 1 and 28.0 < delays[0] <= 30.0


@pytest.mark.parametrize(("value", "expected"), [("3600", 60.0), ("61", 60.0), ("60", 60.0), ("0", 0.0)])
def test_retry_after_is_capped(delays: list[float], value: str, expected: float) -> None:
    client, _ = make(httpx.Response(429, headers={"Retry-After": value}), OK_ADD)
    assert client.add(a=1, b=2) == 3
    assert delays == [expected]


def test_retry_after_in_the_past_is_zero(delays: list[float]) -> None:
    client, _ = make(httpx.Response(503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}), OK_ADD)
    client.add(a=1, b=2)
    assert delays == [0.0]


@pytest.mark.parametrize("header", [{}, {"Retry-After": "soon"}])
def test_backoff_without_retry_after_is_bounded(delays: list[float], header: dict[str, str]) -> None:
    for _ in range(20):
        client, _ = make(httpx.Response(503, headers=header), max_retries=8)
        with pytest.raises(calc.InternalServerError):
            client.add(a=1, b=2)
    assert len(delays) == 20 * 8
    for run in range(20):
        series = delays[run * 8 : run * 8 + 8]
        assert 0 < series[0] <= 0.5
        assert 0.5 < series[1] <= 1.0
        assert all(0 < d <= 8.0 for d in series)
        assert series[1] > series[0] and series[2] > series[1] and series[3] > series[2]


def test_backoff_exact_without_jitter(delays: list[float], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_retries, "random", SimpleNamespace(random=lambda: 0.0))
    client, _ = make(httpx.ConnectError("refused"), max_retries=6)
    with pytest.raises(calc.APIConnectionError):
        client.add(a=1, b=2)
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_max_retries_zero_per_call(delays: list[float]) -> None:
    client, recorder = make(httpx.Response(503))
    with pytest.raises(calc.InternalServerError):
        client.add(a=1, b=2, max_retries=0)
    assert recorder.calls == 1
    with pytest.raises(calc.InternalServerError):
        client.get_metrics(max_retries=0)
    assert recorder.calls == 2
    assert delays == []


def test_max_retries_zero_via_with_options(delays: list[float]) -> None:
    client, recorder = make(httpx.ConnectError("refused"))
    quiet = client.with_options(max_retries=0)
    with pytest.raises(calc.APIConnectionError):
        quiet.add(a=1, b=2)
    assert recorder.calls == 1 and quiet.max_retries == 0
    with pytest.raises(calc.APIConnectionError):
        client.add(a=1, b=2)  # the original keeps its retries
    assert recorder.calls == 4 and client.max_retries == 2


def test_max_retries_per_client_and_per_call(delays: list[float]) -> None:
    client, recorder = make(httpx.Response(429), max_retries=0)
    with pytest.raises(calc.RateLimitError):
        client.add(a=1, b=2)
    assert recorder.calls == 1
    with pytest.raises(calc.RateLimitError):
        client.add(a=1, b=2, max_retries=4)
    assert recorder.calls == 6
    assert len(delays) == 4


def test_async_retries(delays: list[float]) -> None:
    async def run() -> tuple[Any, ...]:
        recorder = Recorder(httpx.Response(429, headers={"Retry-After": "2"}), httpx.ConnectError("x"), OK_ADD)
        async with AsyncClient(BASE, http_client=recorder.async_http()) as client:
            value = await client.add(a=1, b=2)
        first = recorder.calls
        post = Recorder(httpx.Response(502))
        client = AsyncClient(BASE, http_client=post.async_http())
        with pytest.raises(calc.InternalServerError):
            await client.add(a=1, b=2)
        get = Recorder(httpx.ReadTimeout("slow"))
        client = AsyncClient(BASE, http_client=get.async_http())
        with pytest.raises(calc.APITimeoutError):
            await client.get_metrics()
        none = Recorder(httpx.Response(503))
        client = AsyncClient(BASE, http_client=none.async_http())
        with pytest.raises(calc.InternalServerError):
            await client.with_options(max_retries=0).add(a=1, b=2)
        with pytest.raises(calc.InternalServerError):
            await client.add(a=1, b=2, max_retries=0)
        return value, first, post.calls, get.calls, none.calls

    assert asyncio.run(run()) == (3, 3, 1, 3, 2)
    assert delays[0] == 2.0
    assert len(delays) == 4  # 2 for the first call, 2 for the GET
