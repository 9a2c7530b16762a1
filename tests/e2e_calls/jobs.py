"""Calls every operation of the generated jobs client, sync and async (run in the ML clients venv).

Streams (a sync and an async generator on the server) and tasks (submit, status,
wait, result, retry, cancel, a failing task, a task taking a file, a task under
a custom route). Expected values follow examples/services/jobs/service.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import io
import json
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path

import jobs_client
from jobs_client import (
    AsyncClient,
    AsyncResponseStream,
    AsyncTaskHandle,
    BadRequestError,
    Client,
    ResponseStream,
    TaskFailedError,
    TaskHandle,
    TaskStatusReport,
    TaskTimeoutError,
    TrainingReport,
)

#: The HTTP library the installed client is built on (httpx, or httpx2 with ``--http-library httpx2``):
#: the injected ``http_client=`` must be that library's client.
LIBRARY = json.loads(files("jobs_client").joinpath("_svcgen.json").read_text())["options"].get("http_library", "httpx")
http = importlib.import_module(LIBRARY)

PROMPT = "the quick brown fox jumps"
PAYLOAD = b"svcgen task payload\n" * 50
#: The BentoML development server (``bentoml serve``) refuses to cancel with this 400 message.
NO_LOCAL_CANCEL = "task cancellation is not supported in local development server"


def counted(n: int) -> str:
    return "".join(f"{i}\n" for i in range(n))


def report(epochs: int) -> TrainingReport:
    history = [round(1.0 / (epoch + 1), 4) for epoch in range(epochs)]
    return TrainingReport(epochs=epochs, loss=history[-1] if history else 0.0, history=history)


def check_report(result: object, epochs: int) -> None:
    assert isinstance(result, TrainingReport), type(result)
    assert result == report(epochs), result
    assert len(result.history) == epochs


def check_explode_failure(error: TaskFailedError, handle_id: str, message: str) -> None:
    assert message in str(error), str(error)
    assert error.task_id == handle_id and isinstance(error.status, TaskStatusReport), error.status
    assert error.status.failed and error.status.done and not error.status.succeeded, error.status


def single_connection_client(url: str) -> Client:
    """One pooled connection only: a stream that did not release its connection blocks the next call.

    The client's own timeout applies per request, so the short pool timeout is given there too.
    """
    timeout = http.Timeout(30.0, pool=3.0)
    pool = http.Client(limits=http.Limits(max_connections=1), timeout=timeout)
    return Client(url, http_client=pool, timeout=timeout, max_retries=0)


def check_sync_streams(url: str) -> int:
    with single_connection_client(url) as client:
        stream = client.count()
        assert isinstance(stream, ResponseStream), type(stream)
        assert "".join(stream) == counted(5)
        assert "".join(client.count(n=12)) == counted(12)
        assert "".join(client.count(n=0)) == ""

        # Chunks really arrive as produced: the server sleeps 0.2 s before each line.
        started = time.monotonic()
        arrivals: list[float] = []
        chunks: list[str] = []
        for chunk in client.count(n=5, delay=0.2):
            arrivals.append(time.monotonic() - started)
            chunks.append(chunk)
        assert "".join(chunks) == counted(5) and len(chunks) >= 2, chunks
        assert arrivals[-1] - arrivals[0] >= 0.5, arrivals

        tokens = list(client.tokens(prompt=PROMPT, delay=0.05))
        assert "".join(tokens) == "".join(word + " " for word in PROMPT.split()), tokens
        assert len(tokens) >= 2, tokens
        assert "".join(client.tokens(prompt="single")) == "single "

        # Closing early (with-block, explicit close) releases the one connection at once.
        started = time.monotonic()
        with client.count(n=1000, delay=0.01) as stream:
            first = next(stream)
            assert first.startswith("0\n"), first
        assert "".join(client.count(n=3)) == counted(3)
        stream = client.count(n=1000, delay=0.01)
        assert next(stream).startswith("0\n")
        stream.close()
        assert "".join(client.count(n=3)) == counted(3)
        assert time.monotonic() - started < 8.0, "closing a stream early waited for it to finish"
        check_report(client.train(epochs=1), 1)  # a plain call on the same single connection

    with Client(url) as client:
        # Breaking out of the loop (no close): the client still serves the next calls.
        started = time.monotonic()
        for chunk in client.tokens(prompt="a b c d e f g h", delay=0.2):
            assert chunk.startswith("a "), chunk
            break
        assert "".join(client.count(n=3)) == counted(3)
        check_report(client.train(epochs=1), 1)
        assert time.monotonic() - started < 8.0, "breaking out of a stream waited for it to finish"
    return 10


def check_break_releases_connection(url: str) -> int:
    """Breaking out of ``for chunk in stream`` (no close, no ``with``) must give the connection back.

    On a one-connection pool the next call needs that very connection.
    """
    with single_connection_client(url) as client:
        for chunk in client.count(n=1000, delay=0.01):
            assert chunk.startswith("0\n"), chunk
            break
        assert "".join(client.count(n=3)) == counted(3)
    return 2


def check_sync_tasks(url: str, folder: Path) -> int:
    data = folder / "payload.bin"
    data.write_bytes(PAYLOAD)
    digest = hashlib.sha256(PAYLOAD).hexdigest()
    with Client(url) as client:
        assert client.is_live() and client.is_ready()
        client.wait_until_ready(timeout=10)
        # BentoML's probes are is_live()/is_ready() only; its metrics are Prometheus text
        assert not any(hasattr(client, name) for name in ("get_healthz", "get_livez", "get_readyz"))
        assert "# TYPE" in client.get_metrics()

        # train: called synchronously, and as a task
        check_report(client.train(epochs=2), 2)
        check_report(client.train(), 3)
        handle = client.train.submit(epochs=3)
        assert isinstance(handle, TaskHandle) and handle.id, handle
        assert isinstance(handle.submitted, TaskStatusReport) and handle.submitted.task_id == handle.id
        status = handle.status()
        assert isinstance(status, TaskStatusReport) and status.task_id == handle.id, status
        check_report(handle.result(timeout=30), 3)
        final = handle.wait(timeout=30)
        assert final.succeeded and final.done and not final.failed, final
        # A handle for a task submitted earlier, by id
        again = client.train.get(handle.id)
        assert again.status().succeeded
        check_report(again.result(timeout=30), 3)
        check_report(client.train.submit(epochs=1, pause=0.05).result(timeout=30), 1)

        # explode: always fails; the server's message reaches the caller
        try:
            client.explode()
        except BadRequestError as error:
            assert error.status_code == 400 and "boom" in str(error), str(error)
        else:
            raise AssertionError("explode() did not raise")
        failing = client.explode.submit()
        try:
            failing.result(timeout=30)
        except TaskFailedError as error:
            check_explode_failure(error, failing.id, "boom")
        else:
            raise AssertionError("explode task did not raise TaskFailedError")
        failing = client.explode.submit(message="custom kaboom")
        assert failing.wait(timeout=30).failed
        try:
            failing.result(timeout=30)
        except TaskFailedError as error:
            check_explode_failure(error, failing.id, "custom kaboom")
        else:
            raise AssertionError("explode task did not raise TaskFailedError")
        retried = failing.retry()
        assert isinstance(retried, TaskHandle) and retried.id != failing.id, retried
        try:
            retried.result(timeout=30)
        except TaskFailedError as error:
            check_explode_failure(error, retried.id, "custom kaboom")
        else:
            raise AssertionError("retried explode task did not raise TaskFailedError")

        # digest: a task taking a file (Path, bytes, open file)
        assert client.digest(data=data) == digest
        assert client.digest(data=PAYLOAD) == digest
        assert client.digest.submit(data=data).result(timeout=30) == digest
        with open(data, "rb") as handle_file:
            assert client.digest.submit(data=handle_file).result(timeout=30) == digest
        assert client.digest.submit(data=str(data)).result(timeout=30) == digest

        # batch_score: a task under a custom route
        assert client.batch_score(items=[1.0, 2.5, -3.0]) == [2.0, 5.0, -6.0]
        scored = client.batch_score.submit(items=[0.5, 4.0])
        assert isinstance(scored, TaskHandle)
        assert scored.result(timeout=30) == [1.0, 8.0]
        assert client.batch_score.get(scored.id).status().succeeded
        retried_score = scored.retry()
        assert retried_score.id != scored.id and retried_score.result(timeout=30) == [1.0, 8.0]

        # A slow task: waiting too briefly times out; then cancel it.
        slow = client.train.submit(epochs=12, pause=0.25)
        try:
            slow.result(timeout=0.5)
        except TaskTimeoutError as error:
            assert slow.id in str(error), str(error)
        else:
            raise AssertionError("result(timeout=0.5) of a 3 s task did not time out")
        check_cancel(slow.cancel, slow.id)
        after = slow.status()
        assert after.task_id == slow.id and after.cancelled and after.done, after
        try:
            slow.result(timeout=5)
        except TaskFailedError as error:
            assert "was cancelled" in str(error) and error.task_id == slow.id, str(error)
        else:
            raise AssertionError("a cancelled task's result() did not raise")
    return 26


def check_cancel(cancel: object, task_id: str) -> None:
    """``cancel()`` returns the server's status report; ``bentoml serve`` answers 400 instead."""
    assert callable(cancel)
    try:
        result = cancel()
    except BadRequestError as error:
        assert NO_LOCAL_CANCEL in str(error), str(error)
    else:
        assert isinstance(result, TaskStatusReport) and result.task_id == task_id, result


async def check_async_cancel(cancel: object, task_id: str) -> None:
    assert callable(cancel)
    try:
        result = await cancel()
    except BadRequestError as error:
        assert NO_LOCAL_CANCEL in str(error), str(error)
    else:
        assert isinstance(result, TaskStatusReport) and result.task_id == task_id, result


async def check_async(url: str, folder: Path) -> int:
    data = folder / "payload.bin"
    data.write_bytes(PAYLOAD)
    digest = hashlib.sha256(PAYLOAD).hexdigest()
    timeout = http.Timeout(30.0, pool=3.0)
    pool = http.AsyncClient(limits=http.Limits(max_connections=2), timeout=timeout)
    async with AsyncClient(url, http_client=pool, timeout=timeout, max_retries=0) as client:
        assert await client.is_live() and await client.is_ready()
        await client.wait_until_ready(timeout=10)
        assert not any(hasattr(client, name) for name in ("get_healthz", "get_livez", "get_readyz"))
        assert "# TYPE" in await client.get_metrics()

        # streams
        stream = await client.count(n=7)
        assert isinstance(stream, AsyncResponseStream), type(stream)
        assert "".join([chunk async for chunk in stream]) == counted(7)
        tokens = [chunk async for chunk in await client.tokens(prompt=PROMPT, delay=0.05)]
        assert "".join(tokens) == "".join(word + " " for word in PROMPT.split()) and len(tokens) >= 2, tokens
        # two streams read concurrently
        joined = await asyncio.gather(
            _collect(client.count(n=4, delay=0.05)), _collect(client.tokens(prompt="x y z", delay=0.05))
        )
        assert joined == [counted(4), "x y z "], joined
        # closed early, three ways, then the (two-connection) pool still serves calls
        started = time.monotonic()
        async with await client.count(n=1000, delay=0.01) as stream:
            assert (await stream.__anext__()).startswith("0\n")
        stream = await client.tokens(prompt="a b c d e f g h", delay=0.2)
        async for chunk in stream:
            assert chunk.startswith("a "), chunk
            break
        await stream.aclose()
        stream = await client.count(n=1000, delay=0.01)
        assert (await stream.__anext__()).startswith("0\n")
        await stream.close()
        assert "".join([chunk async for chunk in await client.count(n=2)]) == counted(2)
        assert time.monotonic() - started < 8.0, "closing a stream early waited for it to finish"

        # tasks
        check_report(await client.train(epochs=2), 2)
        handle = await client.train.submit(epochs=3)
        assert isinstance(handle, AsyncTaskHandle) and handle.id, handle
        status = await handle.status()
        assert isinstance(status, TaskStatusReport) and status.task_id == handle.id, status
        check_report(await handle.result(timeout=30), 3)
        assert (await handle.wait(timeout=30)).succeeded
        check_report(await client.train.get(handle.id).result(timeout=30), 3)

        try:
            await client.explode(message="sync kaboom")
        except BadRequestError as error:
            assert "sync kaboom" in str(error), str(error)
        else:
            raise AssertionError("explode() did not raise")
        failing = await client.explode.submit()
        try:
            await failing.result(timeout=30)
        except TaskFailedError as error:
            check_explode_failure(error, failing.id, "boom")
        else:
            raise AssertionError("explode task did not raise TaskFailedError")
        retried = await failing.retry()
        assert isinstance(retried, AsyncTaskHandle) and retried.id != failing.id
        try:
            await retried.result(timeout=30)
        except TaskFailedError as error:
            check_explode_failure(error, retried.id, "boom")
        else:
            raise AssertionError("retried explode task did not raise TaskFailedError")

        assert await client.digest(data=io.BytesIO(PAYLOAD)) == digest
        handles = await asyncio.gather(
            client.digest.submit(data=data), client.batch_score.submit(items=[3.0]), client.train.submit(epochs=4)
        )
        results = await asyncio.gather(*(h.result(timeout=30) for h in handles))
        assert results[0] == digest and results[1] == [6.0], results
        check_report(results[2], 4)
        assert await client.batch_score(items=[]) == []
        assert await client.batch_score(items=[0.25]) == [0.5]

        slow = await client.train.submit(epochs=12, pause=0.25)
        try:
            await slow.result(timeout=0.5)
        except TaskTimeoutError:
            pass
        else:
            raise AssertionError("result(timeout=0.5) of a 3 s task did not time out")
        await check_async_cancel(slow.cancel, slow.id)
        after = await slow.status()
        assert after.task_id == slow.id and after.cancelled, after
    return 25


async def _collect(stream_call: object) -> str:
    stream = await stream_call  # type: ignore[misc]
    return "".join([chunk async for chunk in stream])


if __name__ == "__main__":
    base = sys.argv[1]
    assert jobs_client.__file__ and "site-packages" in jobs_client.__file__, jobs_client.__file__
    if sys.argv[2:] == ["--break-releases-connection"]:
        print(f"ok sync={check_break_releases_connection(base)} async=0")
        sys.exit(0)
    with tempfile.TemporaryDirectory(prefix="jobs-e2e-") as scratch:
        sync_calls = check_sync_streams(base) + check_sync_tasks(base, Path(scratch))
        async_calls = asyncio.run(check_async(base, Path(scratch)))
    if LIBRARY != "httpx":
        assert "httpx" not in sys.modules, "a client built on another library imported httpx"
    print(f"ok sync={sync_calls} async={async_calls} library={LIBRARY}")
