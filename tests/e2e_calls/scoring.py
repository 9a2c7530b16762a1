"""Calls every operation of the generated fraud-scoring client, sync and async."""

from __future__ import annotations

import asyncio
import sys

import pydantic

from fraud_scoring_client import AsyncClient, BatchResult, Client, FraudScore, Transaction
from fraud_scoring_client.models import Channel, RiskLevel

TRANSACTION = Transaction(
    transaction_id="t-1",
    amount=2500.0,
    channel=Channel.mobile,
    **{"from": "acct-9", "3ds-verified": True},
)
PLAIN = {"transaction_id": "t-2", "amount": 12.5, "currency": "EUR"}


def check_sync(url: str) -> int:
    with Client(url) as client:
        score = client.score(transaction=TRANSACTION, explain=True)
        assert isinstance(score, FraudScore) and score.transaction_id == "t-1", score
        assert isinstance(score.risk, RiskLevel)
        plain = client.score(transaction=PLAIN)
        assert plain.transaction_id == "t-2" and 0.0 <= plain.score <= 1.0
        try:
            client.score(transaction={"transaction_id": "x", "amount": -1})
        except pydantic.ValidationError:
            pass
        else:
            raise AssertionError("an invalid mapping was not rejected before sending")
        batch = client.score_batch(transactions=[TRANSACTION, PLAIN], timeout=3.5, stream=True)
        assert isinstance(batch, BatchResult) and len(batch.results) == 2
        assert batch.timeout == 3.5 and batch.streamed is True, batch
        assert client.risk_level(score=0.95) in ("high", "medium", "low")
        assert client.is_ready()
    return 6


async def check_async(url: str) -> int:
    async with AsyncClient(url) as client:
        score, batch = await asyncio.gather(
            client.score(transaction=TRANSACTION), client.score_batch(transactions=[TRANSACTION])
        )
        assert score.transaction_id == "t-1" and len(batch.results) == 1
        assert await client.risk_level(score=0.01) in ("high", "medium", "low")
    return 3


if __name__ == "__main__":
    base = sys.argv[1]
    print(f"ok sync={check_sync(base)} async={asyncio.run(check_async(base))}")
