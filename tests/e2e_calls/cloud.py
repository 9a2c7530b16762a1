"""The cloud variant: the scoring service behind a path prefix and a bearer token."""

from __future__ import annotations

import asyncio
import os
import sys

from fraud_scoring_cloud_client import AsyncClient, AuthenticationError, Client


def check(url: str, token: str) -> int:
    with Client(url, token=token) as client:
        assert client.score(transaction={"transaction_id": "c-1", "amount": 3.0}).transaction_id == "c-1"
        assert client.risk_level(score=0.5) in ("high", "medium", "low")
    with Client(url + "/", token=token) as client:  # a trailing slash makes no difference
        assert client.score(transaction={"transaction_id": "c-2", "amount": 3.0}).transaction_id == "c-2"
    os.environ["FRAUD_SCORING_CLOUD_CLIENT_TOKEN"] = token
    with Client(url) as client:  # the token from the environment
        assert client.risk_level(score=0.1) in ("high", "medium", "low")
    del os.environ["FRAUD_SCORING_CLOUD_CLIENT_TOKEN"]
    with Client(url, max_retries=0) as client:
        try:
            client.risk_level(score=0.1)
        except AuthenticationError as error:
            assert error.status_code == 401
        else:
            raise AssertionError("no token, yet no 401")
    return 5


async def check_async(url: str, token: str) -> int:
    async with AsyncClient(url, token=token) as client:
        result = await client.score_batch(transactions=[{"transaction_id": "a", "amount": 1.0}])
        assert len(result.results) == 1
    return 1


if __name__ == "__main__":
    base, secret = sys.argv[1], sys.argv[2]
    print(f"ok sync={check(base, secret)} async={asyncio.run(check_async(base, secret))}")
