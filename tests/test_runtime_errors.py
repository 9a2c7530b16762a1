"""The generated runtime's errors: status mapping, messages, decoding and transport failures."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.runtime_support import BASE, Recorder  # noqa: E402

import calculator_client as calc  # noqa: E402
from calculator_client import AsyncClient, Client  # noqa: E402


def call_add(*replies: Any, **client_kwargs: Any) -> tuple[BaseException, Recorder]:
    recorder = Recorder(*replies)
    client = Client(BASE, http_client=recorder.sync_http(), max_retries=0, **client_kwargs)
    with pytest.raises(calc.APIError) as info:
        client.add(a=1, b=2)
    return info.value, recorder


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, calc.BadRequestError),
        (401, calc.AuthenticationError),
        (403, calc.PermissionDeniedError),
        (404, calc.NotFoundError),
        (409, calc.ConflictError),
        (422, calc.UnprocessableEntityError),
        (429, calc.RateLimitError),
        (500, calc.InternalServerError),
        (503, calc.InternalServerError),
        (418, calc.APIStatusError),
        (402, calc.APIStatusError),
    ],
)
def test_status_maps_to_exception_class(status: int, cls: type[calc.APIStatusError]) -> None:
    error, recorder = call_add(httpx.Response(status, json={"error": "nope"}))
    assert type(error) is cls
    assert isinstance(error, calc.APIStatusError)
    assert isinstance(error, calc.APIError)
    assert error.status_code == status
    assert error.body == {"error": "nope"}
    assert isinstance(error.response, httpx.Response)
    assert error.response.status_code == status
    assert error.request is recorder.last
    assert error.request.url == "http://h/add"
    assert "nope" in str(error)
    assert str(status) in str(error)


@pytest.mark.parametrize(
    ("status", "reply", "body", "needles"),
    [
        (
            400,
            {"json": {"error": "invalid argument", "detail": "b must be positive"}},
            {"error": "invalid argument", "detail": "b must be positive"},
            ["invalid argument", "b must be positive"],
        ),
        (400, {"json": [{"error": "division by zero"}]}, [{"error": "division by zero"}], ["division by zero"]),
        (404, {"json": {"detail": "not found"}}, {"detail": "not found"}, ["not found"]),
        (
            422,
            {"json": {"detail": [{"loc": ["body", "a"], "msg": "Field required", "type": "missing"}]}},
            {"detail": [{"loc": ["body", "a"], "msg": "Field required", "type": "missing"}]},
            ["Field required", "body.a"],
        ),
        (500, {"json": {"error": "model predictor crashed"}}, {"error": "model predictor crashed"}, ["model predictor crashed"]),
        (500, {"text": "upstream exploded\n"}, "upstream exploded\n", ["upstream exploded"]),
        (502, {"text": "<html>Bad Gateway</html>"}, "<html>Bad Gateway</html>", ["<html>Bad Gateway</html>"]),
    ],
)
def test_str_contains_server_message(status: int, reply: dict[str, Any], body: Any, needles: list[str]) -> None:
    error, _ = call_add(httpx.Response(status, **reply))
    assert isinstance(error, calc.APIStatusError)
    assert error.body == body
    for needle in needles:
        assert needle in str(error)
        assert needle in error.message


def test_empty_error_body() -> None:
    error, _ = call_add(httpx.Response(500))
    assert isinstance(error, calc.InternalServerError)
    assert error.body is None
    assert str(error).startswith("500")


@pytest.mark.parametrize(
    ("content", "body"),
    [(b'"abc"', "abc"), (b"{not json", "{not json"), (b"", None), (b"[1, 2]", [1, 2]), (b"1.5", 1.5)],
)
def test_2xx_body_not_matching_type_raises_response_validation_error(content: bytes, body: Any) -> None:
    recorder = Recorder(httpx.Response(200, content=content, headers={"content-type": "application/json"}))
    client = Client(BASE, http_client=recorder.sync_http())
    with pytest.raises(calc.APIResponseValidationError) as info:
        client.add(a=1, b=2)
    error = info.value
    assert not isinstance(error, (pydantic.ValidationError, json.JSONDecodeError))
    assert isinstance(error, calc.APIError)
    assert error.status_code == 200
    assert error.body == body
    assert error.response.content == content
    assert error.request is recorder.last
    assert recorder.calls == 1  # a decoding failure is never retried


def test_2xx_model_missing_fields_raises_response_validation_error() -> None:
    import fraud_scoring_client as fs

    recorder = Recorder(httpx.Response(200, json={"transaction_id": "t1"}))
    client = fs.Client(BASE, http_client=recorder.sync_http())
    with pytest.raises(fs.APIResponseValidationError) as info:
        client.score(transaction={"transaction_id": "t1", "amount": 5})
    assert info.value.body == {"transaction_id": "t1"}
    assert info.value.status_code == 200


@pytest.mark.parametrize(
    ("exc", "cls"),
    [
        (httpx.ConnectError("connection refused"), calc.APIConnectionError),
        (httpx.ReadTimeout("read timed out"), calc.APITimeoutError),
        (httpx.ConnectTimeout("connect timed out"), calc.APITimeoutError),
        (httpx.ReadError("connection reset"), calc.APIConnectionError),
    ],
)
def test_transport_errors(exc: httpx.TransportError, cls: type[calc.APIConnectionError]) -> None:
    error, recorder = call_add(exc)
    assert type(error) is cls
    assert isinstance(error, calc.APIConnectionError)
    assert error.__cause__ is exc
    assert error.request is recorder.last
    assert not isinstance(error, calc.APIStatusError)


def test_timeout_error_is_a_connection_error() -> None:
    assert issubclass(calc.APITimeoutError, calc.APIConnectionError)
    assert "Timeout" in calc.APITimeoutError.__name__
    for cls in (calc.APIConnectionError, calc.APIStatusError, calc.APIResponseValidationError):
        assert issubclass(cls, calc.APIError)


def test_async_errors() -> None:
    async def run() -> list[BaseException]:
        recorder = Recorder(
            httpx.Response(400, json=[{"error": "division by zero"}]),
            httpx.Response(200, content=b'"abc"'),
            httpx.ConnectError("refused"),
            httpx.ReadTimeout("slow"),
        )
        errors: list[BaseException] = []
        async with AsyncClient(BASE, http_client=recorder.async_http(), max_retries=0) as client:
            for _ in range(4):
                try:
                    await client.divide(x=1, y=0)
                except calc.APIError as error:
                    errors.append(error)
        return errors

    bad, invalid, connect, timeout = asyncio.run(run())
    assert type(bad) is calc.BadRequestError
    assert bad.status_code == 400 and bad.body == [{"error": "division by zero"}]
    assert "division by zero" in str(bad)
    assert type(invalid) is calc.APIResponseValidationError and invalid.body == "abc"
    assert type(connect) is calc.APIConnectionError
    assert type(timeout) is calc.APITimeoutError


def _corrupt_gzip(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip"))


def _redirect_loop(request: httpx.Request) -> httpx.Response:
    return httpx.Response(307, headers={"Location": "http://h/add"})


def test_redirect_loop_stops_with_a_status_error_after_the_limit() -> None:
    recorder = Recorder(_redirect_loop)
    client = Client(BASE, http_client=recorder.sync_http(), max_retries=0)
    with pytest.raises(calc.APIStatusError) as info:
        client.add(a=1, b=2)
    assert info.value.status_code == 307
    assert "more than 20 redirects" in str(info.value)
    assert recorder.calls == 21  # the first request and 20 redirects followed
    assert all(json.loads(request.content) == {"a": 1, "b": 2} for request in recorder.requests)


@pytest.mark.parametrize("reply", [_corrupt_gzip])
def test_every_httpx_request_error_is_wrapped(reply: Any) -> None:
    recorder = Recorder(reply)
    http = httpx.Client(transport=httpx.MockTransport(recorder), follow_redirects=True)
    client = Client(BASE, http_client=http, max_retries=0)
    with pytest.raises(calc.APIConnectionError) as info:
        client.add(a=1, b=2)
    assert isinstance(info.value.__cause__, httpx.RequestError)
