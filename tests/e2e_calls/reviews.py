"""Calls every operation of the generated reviews client, sync and async (run in the clients venv):
the types match what the service's author wrote (string enums, empty lists, a root input)."""

from __future__ import annotations

import asyncio
import json
import sys

import reviews_client
from reviews_client import AsyncClient, Client, Review, Sentiment, Stage, Verdict


def check_sync(url: str) -> int:
    with Client(url) as client:
        verdict = client.judge(review={"text": "great", "stars": 5}, stage="dev")
        assert isinstance(verdict, Verdict) and verdict.sentiment == "positive" and verdict.sentiment is Sentiment.positive
        assert verdict.stage is Stage.dev and verdict.tags == []
        assert json.loads(json.dumps(verdict.model_dump())) == {"sentiment": "positive", "stage": "dev", "tags": []}
        verdict = client.judge(review=Review(text="meh", stars=3, tags=["x"]), stage=Stage.prod)
        assert verdict.sentiment == Sentiment.neutral and verdict.tags == ["x"]
        # a root input: the model is the whole body, given positionally
        assert client.judge_review({"text": "bad", "stars": 1}).sentiment == "negative"
        assert client.judge_review(Review(text="ok", stars=4)).sentiment == "positive"
        # a task over list[float] takes any sequence of numbers
        assert client.average(numbers=(1, 2, 3)) == 2.0
        assert client.average.submit(numbers=[1.5, 2.5]).result(timeout=30) == 2.0
    return 6


async def check_async(url: str) -> int:
    async with AsyncClient(url) as client:
        verdict = await client.judge(review={"text": "fine", "stars": 2, "tags": ["a"]})
        assert verdict.sentiment == "negative" and verdict.stage == "prod" and verdict.tags == ["a"]
        assert (await client.judge_review({"text": "great", "stars": 5})).sentiment == "positive"
        assert await client.average(numbers=[2, 4]) == 3.0
    return 3


if __name__ == "__main__":
    base = sys.argv[1]
    assert reviews_client.__file__ and "site-packages" in reviews_client.__file__, reviews_client.__file__
    print(f"ok sync={check_sync(base)} async={asyncio.run(check_async(base))}")
