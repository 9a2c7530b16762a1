"""Calls every operation of the generated text-ops client (BentoML APIs and the mounted FastAPI app)."""

from __future__ import annotations

import asyncio
import sys

from text_ops_client import AsyncClient, Client, NotFoundError, UnprocessableEntityError
from text_ops_client.models import Dictionary, NormalizeResponse


def check_sync(url: str) -> int:
    with Client(url) as client:
        assert client.count_tokens(text="a b a c") == 4
        assert client.count_tokens(text="a b a c", unique=True) == 3
        assert client.split(text="a,b,c", sep=",") == ["a", "b", "c"]
        assert client.split(text="a b c", maxsplit=1) == ["a", "b c"]
        version = client.version()
        assert isinstance(version, dict) and version, version
        dictionary = client.get_dictionary(name="stopwords", limit=2)
        assert isinstance(dictionary, Dictionary) and len(dictionary.words) <= 2, dictionary
        try:
            client.get_dictionary(name="nope")
        except NotFoundError as error:
            assert error.status_code == 404 and "nope" in str(error), str(error)
        else:
            raise AssertionError("unknown dictionary did not raise")
        try:
            client.get_dictionary(name="stopwords", limit=1000)
        except UnprocessableEntityError as error:
            assert error.status_code == 422
        else:
            raise AssertionError("limit=1000 did not raise 422")
        normalized = client.normalize(text="  Hello   World ")
        assert isinstance(normalized, NormalizeResponse) and normalized.text == "hello world", normalized
        assert client.normalize(text="Hi", lowercase=False).text == "Hi"
    return 10


async def check_async(url: str) -> int:
    async with AsyncClient(url) as client:
        count, parts, version = await asyncio.gather(
            client.count_tokens(text="x y"), client.split(text="1 2 3"), client.version()
        )
        assert count == 2 and parts == ["1", "2", "3"] and version
        assert (await client.normalize(text="A  B")).text == "a b"
        assert (await client.get_dictionary(name="stopwords")).name == "stopwords"
    return 5


if __name__ == "__main__":
    base = sys.argv[1]
    print(f"ok sync={check_sync(base)} async={asyncio.run(check_async(base))}")
