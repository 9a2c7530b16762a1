"""Calls every operation of the generated arrays client, sync and async (run in the ML clients venv).

Expected values are computed here from the service's own definitions
(examples/services/arrays/service.py).
"""

from __future__ import annotations

import asyncio
import socket
import sys

import numpy as np
import pandas as pd

import arrays_client
from arrays_client import (
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    BadRequestError,
    Client,
)

X = np.arange(12, dtype=np.float32).reshape(3, 4) * np.float32(1.5)
SCORES = pd.DataFrame({"name": ["ada", "bo", "cy"], "score": [0.5, 2.0, 1.25]})
FRAME = pd.DataFrame({"a": [1, 2, 3, 6], "b": [4.0, 5.0, 6.5, 0.5], "tag": ["w", "x", "y", "z"]})
TEXTS = ["hello world", "a b c", "x", "svcgen clients are typed"]


def unused_url() -> str:
    """A loopback URL nothing listens on (bound a moment ago, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def standardized(x: np.ndarray, scale: float = 1.0) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return ((x - x.mean(axis=0, keepdims=True)) * scale).astype(np.float32)


def embedding(texts: list[str]) -> np.ndarray:
    rows = [[float(len(t)), float(sum(map(ord, t)) % 97), float(t.count(" "))] for t in texts]
    return np.asarray(rows, dtype=np.float32)


def described(table: pd.DataFrame) -> list[dict[str, object]]:
    rows = sorted(table.to_dict("records"), key=lambda row: -row["score"])
    return [{"name": row["name"], "score": float(row["score"]), "rank": rank} for rank, row in enumerate(rows, 1)]


def check_tensor(result: object, dtype: type, expected: np.ndarray) -> None:
    assert isinstance(result, np.ndarray), type(result)
    assert result.dtype == np.dtype(dtype), result.dtype
    assert result.shape == expected.shape, (result.shape, expected.shape)
    np.testing.assert_array_equal(result, expected)


def check_frame(result: object, table: pd.DataFrame) -> None:
    assert isinstance(result, pd.DataFrame), type(result)
    assert list(result.columns) == ["name", "score", "rank"], list(result.columns)
    rows = [
        {"name": name, "score": float(score), "rank": int(rank)}
        for name, score, rank in zip(result["name"], result["score"], result["rank"])
    ]
    assert rows == described(table), rows


def check_before_request_validation() -> int:
    """A wrong shape is refused by the client itself: no request is ever sent."""
    with Client(unused_url(), max_retries=0) as offline:
        for wrong in (np.zeros((3, 5), dtype=np.float32), np.zeros(4, dtype=np.float32), [[1, 2], [3, 4]]):
            try:
                offline.standardize(x=wrong)
            except ValueError as error:
                assert "expected an array of shape" in str(error) and "x" in str(error), str(error)
            else:
                raise AssertionError(f"shape {np.shape(wrong)} did not raise ValueError")
        try:
            offline.standardize(x=[["a", "b", "c", "d"]])
        except ValueError as error:
            assert "float32" in str(error), str(error)
        else:
            raise AssertionError("non-numeric values did not raise ValueError")
        # The same client with a well-shaped array does reach the network (and fails to connect).
        try:
            offline.standardize(x=X)
        except APIConnectionError:
            pass
        else:
            raise AssertionError("the unused port answered")
        assert offline.is_live() is False and offline.is_ready() is False
        try:
            offline.wait_until_ready(timeout=0.3)
        except APITimeoutError:
            pass
        else:
            raise AssertionError("wait_until_ready on an unused port did not time out")
    return 4


def check_sync(url: str) -> int:
    calls = check_before_request_validation()
    with Client(url) as client:
        assert client.is_live() is True
        assert client.is_ready() is True
        assert client.wait_until_ready(timeout=10) is None
        assert not any(hasattr(client, name) for name in ("get_healthz", "get_livez", "get_readyz"))
        assert "# TYPE" in client.get_metrics()

        check_tensor(client.standardize(x=X), np.float32, standardized(X))
        check_tensor(client.standardize(x=X, scale=2.0), np.float32, standardized(X, 2.0))
        nested = [[1, 2, 3, 4], [5, 6, 7, 8], [0.5, 0.5, 0.5, 0.5]]
        check_tensor(client.standardize(x=nested), np.float32, standardized(np.asarray(nested)))
        check_tensor(client.standardize(x=(np.arange(4.0), np.arange(4.0) * 3)), np.float32,
                     standardized(np.stack([np.arange(4.0), np.arange(4.0) * 3])))
        try:
            client.standardize(x=np.zeros((3, 5), dtype=np.float32))
        except ValueError:
            pass
        else:
            raise AssertionError("(3, 5) did not raise ValueError")

        values = np.array([0, 1, 1, 2, 3, 5, 8, 13, 21, 34], dtype=np.int64)
        check_tensor(client.histogram(values=values), np.int64, np.histogram(values, bins=4)[0].astype(np.int64))
        check_tensor(client.histogram(values=[1, 2, 2, 3, 3, 3], bins=3), np.int64,
                     np.histogram([1, 2, 2, 3, 3, 3], bins=3)[0].astype(np.int64))
        assert client.histogram(values=values, bins=5).ndim == 1

        check_frame(client.describe(table=SCORES), SCORES)
        # A list of records is accepted as a DataFrame too.
        records = [{"name": "p", "score": 1.0}, {"name": "q", "score": 3.0}]
        check_frame(client.describe(table=records), pd.DataFrame(records))

        means = client.column_means(frame=FRAME)
        assert means == {"a": 3.0, "b": 4.0}, means
        assert client.column_means(frame={"u": [1.0, 3.0], "v": [10, 20]}) == {"u": 2.0, "v": 15.0}

        check_tensor(client.embed(texts=TEXTS), np.float32, embedding(TEXTS))
        check_tensor(client.embed(texts=["one"]), np.float32, embedding(["one"]))

        assert client.dot(a=[1, 2, 3], b=np.array([4.0, 5.0, 6.0])) == 32.0
        assert client.dot(a=np.arange(5), b=np.ones(5)) == 10.0
        try:
            client.dot(a=[1, 2, 3], b=[1, 2])
        except BadRequestError as error:
            assert error.status_code == 400 and "shapes differ" in str(error), str(error)
        else:
            raise AssertionError("mismatched shapes did not raise BadRequestError")

        info = client.info()
        assert set(info) == {"numpy", "pandas"} and all(v[0].isdigit() for v in info.values()), info
    return calls + 26


async def check_async(url: str) -> int:
    async with AsyncClient(url) as client:
        assert await client.is_live() is True
        assert await client.is_ready() is True
        assert await client.wait_until_ready(timeout=10) is None
        assert not any(hasattr(client, name) for name in ("get_healthz", "get_livez", "get_readyz"))
        assert "# TYPE" in await client.get_metrics()

        check_tensor(await client.standardize(x=X, scale=0.5), np.float32, standardized(X, 0.5))
        check_tensor(await client.standardize(x=[[1, 1, 1, 1], [3, 3, 3, 3]]), np.float32,
                     standardized(np.array([[1, 1, 1, 1], [3, 3, 3, 3]])))
        try:
            await client.standardize(x=np.zeros((3, 5)))
        except ValueError:
            pass
        else:
            raise AssertionError("(3, 5) did not raise ValueError")

        check_tensor(await client.histogram(values=[5, 5, 6, 9], bins=2), np.int64,
                     np.histogram([5, 5, 6, 9], bins=2)[0].astype(np.int64))
        check_frame(await client.describe(table=SCORES), SCORES)
        assert await client.column_means(frame=FRAME) == {"a": 3.0, "b": 4.0}

        # Several concurrent calls of the batchable API: each gets its own rows back.
        batches = [TEXTS[: i + 1] for i in range(len(TEXTS))] + [["solo"], ["a  b", "c"]]
        results = await asyncio.gather(*(client.embed(texts=batch) for batch in batches))
        for batch, result in zip(batches, results):
            check_tensor(result, np.float32, embedding(batch))

        products = await asyncio.gather(client.dot(a=[1, 0], b=[0, 1]), client.dot(a=[2.5, 2], b=[2, 0.25]))
        assert products == [0.0, 5.5], products
        try:
            await client.dot(a=np.ones(2), b=np.ones(3))
        except BadRequestError as error:
            assert error.status_code == 400 and "shapes differ" in str(error), str(error)
        else:
            raise AssertionError("mismatched shapes did not raise BadRequestError")
        assert set(await client.info()) == {"numpy", "pandas"}
    return 20


if __name__ == "__main__":
    base = sys.argv[1]
    assert arrays_client.__file__ and "site-packages" in arrays_client.__file__, arrays_client.__file__
    print(f"ok sync={check_sync(base)} async={asyncio.run(check_async(base))}")
