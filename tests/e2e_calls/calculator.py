"""Calls every operation of the generated calculator client, sync and async (run in the clients venv)."""

from __future__ import annotations

import asyncio
import json
import sys
from importlib.resources import files

import calculator_client
from calculator_client import AsyncClient, BadRequestError, Client


def check_sync(url: str) -> int:
    with Client(url) as client:
        assert client.add(a=2, b=3) == 5
        assert client.divide(x=7.0, y=2.0) == 3.5
        try:
            client.divide(x=1.0, y=0.0)
        except BadRequestError as error:
            assert error.status_code == 400 and "division by zero" in str(error), str(error)
        else:
            raise AssertionError("division by zero did not raise")
        assert client.greet(name="Ada") == "Hello, Ada!"
        assert client.greet(name="Ada", punctuation="?", shout=True) == "HELLO, ADA?"
        assert client.total(values=[1, 2, 3, 4]) == 10
        assert client.maybe(value=21) == 42
        # Optional[int] output: the document's /schema.json facts make it nullable, so null decodes to None.
        assert client.maybe() is None
        assert client.maybe(value=None) is None
        assert not any(hasattr(client, name) for name in ("get_healthz", "get_livez", "get_readyz"))
        assert "# TYPE" in client.get_metrics()
    return 13


async def check_async(url: str) -> int:
    async with AsyncClient(url) as client:
        results = await asyncio.gather(client.add(a=40, b=2), client.total(values=[5, 5]), client.divide(x=1.0, y=4.0))
        assert results == [42, 10, 0.25], results
        assert await client.greet(name="Bo") == "Hello, Bo!"
        assert await client.maybe(value=1) == 2
        assert await client.maybe() is None
        try:
            await client.divide(x=1.0, y=0.0)
        except BadRequestError as error:
            assert "division by zero" in str(error)
        else:
            raise AssertionError("division by zero did not raise")
        assert await client.is_ready()
    return 8


if __name__ == "__main__":
    base = sys.argv[1]
    assert calculator_client.__file__ and "site-packages" in calculator_client.__file__, calculator_client.__file__
    counts = f"sync={check_sync(base)} async={asyncio.run(check_async(base))}"
    # The HTTP library the installed client is built on (httpx, or httpx2 with --http-library httpx2).
    library = json.loads(files("calculator_client").joinpath("_svcgen.json").read_text())["options"].get("http_library", "httpx")
    if library != "httpx":
        assert "httpx" not in sys.modules, "a client built on another library imported httpx"
    print(f"ok {counts} library={library}")
