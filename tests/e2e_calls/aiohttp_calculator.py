"""The calculator client installed with its ``aiohttp`` extra: ``backend="aiohttp"`` and ``map`` (run in its venv)."""

from __future__ import annotations

import asyncio
import sys

import calculator_client
from calculator_client import AsyncClient, BadRequestError, Client

INPUTS = [{"a": i, "b": 10 * i} for i in range(20)]
SUMS = [11 * i for i in range(20)]
#: Every other division is by zero: a 400 from the service.
DIVISIONS = [{"x": float(i), "y": float(i % 2)} for i in range(20)]


def check_division_results(results: list[float | Exception]) -> None:
    assert all(isinstance(error, BadRequestError) and error.status_code == 400 for error in results[::2]), results
    assert results[1::2] == [float(i) for i in range(1, 20, 2)], results


def check_sync(url: str) -> int:
    with Client(url) as client:
        done: list[int] = []
        assert client.map(client.add, INPUTS, concurrency=8, progress=lambda d, t: done.append(d)) == SUMS
        assert done == list(range(1, 21))
        check_division_results(client.map(client.divide, DIVISIONS, concurrency=8, return_exceptions=True))
    return 2


async def check_async(url: str) -> int:
    async with AsyncClient(url, backend="aiohttp") as client:
        assert type(client._http).__name__ == "AiohttpClient"
        assert await client.add(a=2, b=3) == 5
        assert await client.greet(name="Ada", shout=True) == "HELLO, ADA!"
        assert await client.total(values=[1, 2, 3]) == 6
        assert await client.maybe() is None
        try:
            await client.divide(x=1.0, y=0.0)
        except BadRequestError as error:
            assert "division by zero" in str(error), str(error)
        else:
            raise AssertionError("division by zero did not raise")
        assert await client.map(client.add, INPUTS, concurrency=8) == SUMS
        assert await client.map(client.add, iter(INPUTS), concurrency=3, max_retries=0) == SUMS
        check_division_results(await client.map(client.divide, DIVISIONS, concurrency=8, return_exceptions=True))
        try:
            await client.map(client.divide, DIVISIONS, concurrency=4)
        except BadRequestError:
            pass
        else:
            raise AssertionError("map did not raise the first error")
        assert await client.is_ready()
    return 9


if __name__ == "__main__":
    base = sys.argv[1]
    assert calculator_client.__file__ and "site-packages" in calculator_client.__file__, calculator_client.__file__
    print(f"ok sync={check_sync(base)} async={asyncio.run(check_async(base))}")
