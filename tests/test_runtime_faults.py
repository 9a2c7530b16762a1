"""The generated client against a real, misbehaving loopback server.

The client package is generated from ``tests/support/faults_openapi.json``
(see ``tests/support/faults_fixtures.py``); the server is a scripted uvicorn
app (``tests/support/faulty_server.py``) that records every request. Each test
checks how many attempts the server saw, how long the client waited between
them, the exception and its fields, and that nothing was sent that should not
have been. The retry/error core runs through both ``Client`` and ``AsyncClient``.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import re
import time
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.support import faulty_server as fs
from tests.support.faults_helpers import API_KEY, TOKEN, call
from tests.support.faulty_server import FaultyServer
from tests.support.services import free_port

#: The shared fixtures (one generated package per session, servers, patched sleep).
pytest_plugins = ["tests.support.faults_fixtures"]
pytestmark = pytest.mark.usefixtures("clean_env")

GET = ("get_item", {"item_id": 7}, "GET", "/items/7")
PUT = ("replace_item", {"item_id": 7, "name": "seven"}, "PUT", "/items/7")
POST = ("create_item", {"name": "new"}, "POST", "/items")


def backoff_bounds(attempt: int) -> tuple[float, float]:
    """The allowed pause before retry ``attempt`` (0-based) without ``Retry-After``."""
    full = min(0.5 * 2.0**attempt, 8.0)
    return 0.75 * full - 1e-9, full + 1e-9


def assert_backoff(delays: list[float], count: int) -> None:
    assert len(delays) == count, delays
    for attempt, delay in enumerate(delays):
        low, high = backoff_bounds(attempt)
        assert low <= delay <= high, (attempt, delay, delays)


def assert_same_requests(server: FaultyServer, method: str, path: str, body: Any) -> None:
    """Every attempt is the same request: method, path, query, body and credentials."""
    seen = server.requests
    assert seen
    for request in seen:
        assert (request.method, request.path, request.query) == (method, path, "")
        assert request.json == body
        assert request.header("authorization") == seen[0].header("authorization")
        assert request.header("x-api-key") == seen[0].header("x-api-key")


def body_of(arguments: dict[str, Any]) -> Any:
    return {"name": arguments["name"]} if "name" in arguments else None


# -- the error hierarchy ------------------------------------------------------


def test_error_hierarchy_is_importable_from_the_package(fc: ModuleType) -> None:
    assert issubclass(fc.APIConnectionError, fc.APIError)
    assert issubclass(fc.APITimeoutError, fc.APIConnectionError)
    assert issubclass(fc.APIStatusError, fc.APIError)
    assert issubclass(fc.APIResponseValidationError, fc.APIError)
    assert not issubclass(fc.APIResponseValidationError, fc.APIStatusError)
    for name in (
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "ConflictError",
        "UnprocessableEntityError",
        "RateLimitError",
        "InternalServerError",
    ):
        assert issubclass(getattr(fc, name), fc.APIStatusError), name


# -- statuses that are retried ------------------------------------------------


@pytest.mark.parametrize("operation", [GET, PUT, POST], ids=["GET", "PUT", "POST"])
@pytest.mark.parametrize(
    ("code", "error_name"),
    [(408, "APIStatusError"), (429, "RateLimitError"), (503, "InternalServerError")],
)
def test_not_processed_statuses_are_retried_for_every_method(
    fc: ModuleType, server: FaultyServer, delays: list[float], mode: str, operation: tuple, code: int, error_name: str
) -> None:
    name, arguments, method, path = operation
    server.script(*(fs.status(code) for _ in range(4)))
    with pytest.raises(fc.APIStatusError) as caught:
        call(fc, mode, {"base_url": server.url, "token": TOKEN}, name, **arguments)
    error = caught.value
    assert isinstance(error, getattr(fc, error_name))
    assert not isinstance(error, fc.InternalServerError) or code >= 500
    assert error.status_code == code
    assert server.count == 3  # max_retries=2: three attempts, the 4th scripted reply is never asked for
    assert server.pending == 1
    assert_backoff(delays, 2)
    assert_same_requests(server, method, path, body_of(arguments))


@pytest.mark.parametrize(
    ("operation", "attempts"), [(GET, 3), (PUT, 3), (POST, 1)], ids=["GET", "PUT", "POST"]
)
@pytest.mark.parametrize("code", [502, 504])
def test_gateway_statuses_are_retried_for_idempotent_methods_only(
    fc: ModuleType, server: FaultyServer, delays: list[float], mode: str, operation: tuple, attempts: int, code: int
) -> None:
    name, arguments, method, path = operation
    server.script(*(fs.json(code, {"error": "upstream failed"}) for _ in range(3)))
    with pytest.raises(fc.InternalServerError) as caught:
        call(fc, mode, {"base_url": server.url}, name, **arguments)
    assert caught.value.status_code == code
    assert "upstream failed" in str(caught.value)
    assert server.count == attempts
    assert_backoff(delays, attempts - 1)
    assert_same_requests(server, method, path, body_of(arguments))


@pytest.mark.parametrize("code", [502, 504])
def test_retry_non_idempotent_retries_post_on_gateway_statuses(
    fc: ModuleType, server: FaultyServer, delays: list[float], mode: str, code: int
) -> None:
    server.script(fs.status(code), fs.status(code), fs.ok())
    item = call(fc, mode, {"base_url": server.url, "retry_non_idempotent": True}, "create_item", name="again")
    assert (item.id, item.name) == (1, "again")
    assert server.count == 3
    assert_backoff(delays, 2)
    assert_same_requests(server, "POST", "/items", {"name": "again"})


def test_retry_non_idempotent_by_with_options(fc: ModuleType, server: FaultyServer, delays: list[float]) -> None:
    server.script(fs.status(502), fs.status(502), fs.status(502), fs.status(502))
    with fc.Client(base_url=server.url) as client:
        with pytest.raises(fc.InternalServerError):
            client.create_item(name="once")
        assert server.count == 1
        with pytest.raises(fc.InternalServerError):
            client.with_options(retry_non_idempotent=True).create_item(name="thrice")
        assert server.count == 4
        # the original client is unchanged
        server.script(fs.status(502))
        with pytest.raises(fc.InternalServerError):
            client.create_item(name="once more")
        assert server.count == 5


def test_recovers_after_transient_failures(fc: ModuleType, server: FaultyServer, delays: list[float], mode: str) -> None:
    server.script(fs.status(503), fs.status(429), fs.ok())
    item = call(fc, mode, {"base_url": server.url, "token": TOKEN}, "get_item", item_id=3)
    assert isinstance(item, fc.Item)
    assert (item.id, item.name) == (3, "item-3")
    assert server.count == 3
    assert_backoff(delays, 2)


@pytest.mark.parametrize(("max_retries", "attempts"), [(0, 1), (1, 2), (6, 7)])
def test_max_retries_bounds_attempts_and_backoff_is_capped(
    fc: ModuleType, server: FaultyServer, delays: list[float], mode: str, max_retries: int, attempts: int
) -> None:
    server.script(*(fs.status(503) for _ in range(attempts + 1)))
    with pytest.raises(fc.InternalServerError):
        call(fc, mode, {"base_url": server.url, "max_retries": max_retries}, "get_item", item_id=1)
    assert server.count == attempts
    assert_backoff(delays, attempts - 1)
    if max_retries == 6:  # 0.5 × 2^5 = 16 s is capped at 8 s (less up to 25 % jitter)
        assert 6.0 <= delays[-1] <= 8.0 and 6.0 <= delays[-2] <= 8.0


def test_per_call_max_retries_overrides_the_client(
    fc: ModuleType, server: FaultyServer, delays: list[float], mode: str
) -> None:
    server.script(*(fs.status(503) for _ in range(5)))
    with pytest.raises(fc.InternalServerError):
        call(fc, mode, {"base_url": server.url, "max_retries": 4}, "get_item", item_id=1, max_retries=0)
    assert server.count == 1
    assert delays == []


# -- Retry-After ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "retry_after", "low", "high"),
    [
        (503, "3", 3.0, 3.0),
        (429, "2", 2.0, 2.0),
        (408, "0", 0.0, 0.0),
        (503, "120", 60.0, 60.0),  # honoured up to 60 s
        (429, "3600", 60.0, 60.0),
    ],
)
def test_retry_after_seconds_is_honoured_up_to_60s(
    fc: ModuleType, server: FaultyServer, delays: list[float], mode: str, code: int, retry_after: str, low: float, high: float
) -> None:
    server.script(fs.status(code, {"Retry-After": retry_after}), fs.ok())
    item = call(fc, mode, {"base_url": server.url}, "create_item", name="x")
    assert item.name == "x"
    assert server.count == 2
    assert len(delays) == 1 and low <= delays[0] <= high, delays


def test_retry_after_http_date_is_honoured(fc: ModuleType, server: FaultyServer, delays: list[float], mode: str) -> None:
    when = email.utils.formatdate(time.time() + 4, usegmt=True)  # whole seconds: 3 < wait <= 4
    server.script(fs.status(503, {"Retry-After": when}), fs.ok())
    call(fc, mode, {"base_url": server.url}, "get_item", item_id=1)
    assert server.count == 2
    assert len(delays) == 1 and 2.0 <= delays[0] <= 4.0, delays


def test_retry_after_http_date_far_ahead_is_capped(fc: ModuleType, server: FaultyServer, delays: list[float], mode: str) -> None:
    when = email.utils.formatdate(time.time() + 3600, usegmt=True)
    server.script(fs.status(429, {"Retry-After": when}), fs.ok())
    call(fc, mode, {"base_url": server.url}, "get_item", item_id=1)
    assert len(delays) == 1 and 59.0 <= delays[0] <= 60.0, delays


def test_unparseable_retry_after_falls_back_to_backoff(fc: ModuleType, server: FaultyServer, delays: list[float], mode: str) -> None:
    server.script(fs.status(503, {"Retry-After": "soon"}), fs.ok())
    call(fc, mode, {"base_url": server.url}, "get_item", item_id=1)
    assert server.count == 2
    assert_backoff(delays, 1)


def test_retry_after_one_second_in_real_time(fc: ModuleType, server: FaultyServer, mode: str) -> None:
    """No patched sleep: the client really waits the advised second, and no longer."""
    server.script(fs.status(503, {"Retry-After": "1"}), fs.ok())
    started = time.monotonic()
    item = call(fc, mode, {"base_url": server.url}, "get_item", item_id=2)
    elapsed = time.monotonic() - started
    assert item.id == 2
    first, second = server.requests
    assert 0.95 <= second.received - first.received <= 1.6
    assert 0.95 <= elapsed < 2.5


# -- connection failures and timeouts ---------------------------------------------


@pytest.mark.parametrize(("operation", "attempts"), [(GET, 3), (PUT, 3), (POST, 1)], ids=["GET", "PUT", "POST"])
def test_dropped_connection_is_retried_for_idempotent_methods_only(
    fc: ModuleType, server: FaultyServer, delays: list[float], mode: str, operation: tuple, attempts: int
) -> None:
    name, arguments, method, path = operation
    server.script(fs.drop(), fs.drop(), fs.drop())
    with pytest.raises(fc.APIConnectionError) as caught:
        call(fc, mode, {"base_url": server.url, "token": TOKEN}, name, **arguments)
    assert not isinstance(caught.value, fc.APITimeoutError)
    assert isinstance(caught.value.request, httpx.Request)
    assert caught.value.request.url.path == path
    assert server.count == attempts
    assert_backoff(delays, attempts - 1)
    assert_same_requests(server, method, path, body_of(arguments))


def test_dropped_connection_then_success(fc: ModuleType, server: FaultyServer, delays: list[float], mode: str) -> None:
    server.script(fs.drop(), fs.drop(), fs.ok())
    item = call(fc, mode, {"base_url": server.url}, "get_item", item_id=9)
    assert item.id == 9
    assert server.count == 3
    assert_backoff(delays, 2)


@pytest.mark.parametrize("operation", [GET, POST], ids=["GET", "POST"])
def test_connection_refused_is_retried_for_every_method(
    fc: ModuleType, delays: list[float], mode: str, operation: tuple
) -> None:
    name, arguments, _method, path = operation
    port = free_port()  # nothing listens there
    with pytest.raises(fc.APIConnectionError) as caught:
        call(fc, mode, {"base_url": f"http://127.0.0.1:{port}"}, name, **arguments)
    assert not isinstance(caught.value, fc.APITimeoutError)
    assert caught.value.request.url.port == port
    assert caught.value.request.url.path == path
    assert_backoff(delays, 2)


@pytest.mark.parametrize("operation", [GET, POST], ids=["GET", "POST"])
def test_connect_timeout_is_retried_for_every_method(
    fc: ModuleType, delays: list[float], mode: str, operation: tuple
) -> None:
    name, arguments, _method, path = operation
    with fs.stalled_listener() as port:
        started = time.monotonic()
        with pytest.raises(fc.APITimeoutError) as caught:
            call(fc, mode, {"base_url": f"http://127.0.0.1:{port}", "timeout": httpx.Timeout(5.0, connect=0.3)}, name, **arguments)
        elapsed = time.monotonic() - started
    assert isinstance(caught.value, fc.APIConnectionError)
    assert caught.value.request.url.path == path
    assert_backoff(delays, 2)
    assert 0.85 <= elapsed < 0.3 * 3 + 0.8  # three connect attempts of 0.3 s each, sleeps patched


@pytest.mark.parametrize(("operation", "attempts"), [(GET, 3), (PUT, 3), (POST, 1)], ids=["GET", "PUT", "POST"])
def test_read_timeout_is_retried_for_idempotent_methods_only(
    fc: ModuleType, server: FaultyServer, delays: list[float], mode: str, operation: tuple, attempts: int
) -> None:
    name, arguments, method, path = operation
    server.script(fs.slow(2.0), fs.slow(2.0), fs.slow(2.0))
    started = time.monotonic()
    with pytest.raises(fc.APITimeoutError) as caught:
        call(fc, mode, {"base_url": server.url, "timeout": 0.4}, name, **arguments)
    elapsed = time.monotonic() - started
    assert isinstance(caught.value, fc.APIConnectionError)
    assert server.count == attempts
    assert_backoff(delays, attempts - 1)
    assert elapsed < 0.4 * attempts + 0.8
    assert_same_requests(server, method, path, body_of(arguments))


def test_timeout_is_raised_within_a_second_of_wall_time(fc: ModuleType, server: FaultyServer, mode: str) -> None:
    server.script(fs.slow(2.0))
    started = time.monotonic()
    with pytest.raises(fc.APITimeoutError):
        call(fc, mode, {"base_url": server.url, "max_retries": 0}, "get_item", item_id=1, timeout=0.5)
    elapsed = time.monotonic() - started
    assert 0.45 <= elapsed < 1.2
    assert server.count == 1


# -- error statuses and their bodies ------------------------------------------------

FASTAPI_422 = {"detail": [{"loc": ["body", "name"], "msg": "Field required", "type": "missing"}]}
ERROR_CASES = [
    pytest.param(400, fs.json(400, {"error": "Invalid input", "detail": "name must not be empty"}), "BadRequestError",
                 {"error": "Invalid input", "detail": "name must not be empty"}, ["Invalid input", "name must not be empty"], id="400-bentoml"),
    pytest.param(401, fs.json(401, {"error": "unauthorized"}), "AuthenticationError", {"error": "unauthorized"}, ["unauthorized"], id="401"),
    pytest.param(403, fs.text(403, "forbidden for project acme"), "PermissionDeniedError",
                 "forbidden for project acme", ["forbidden for project acme"], id="403-text"),
    pytest.param(404, fs.json(404, [{"error": "Not found", "detail": "item 7"}, {"error": "Also", "detail": "second problem"}]),
                 "NotFoundError", [{"error": "Not found", "detail": "item 7"}, {"error": "Also", "detail": "second problem"}],
                 ["item 7", "second problem"], id="404-bentoml-list"),
    pytest.param(409, fs.json(409, {"error": "Conflict", "detail": "item exists"}), "ConflictError",
                 {"error": "Conflict", "detail": "item exists"}, ["item exists"], id="409"),
    pytest.param(422, fs.json(422, FASTAPI_422), "UnprocessableEntityError", FASTAPI_422, ["Field required", "name"], id="422-fastapi"),
    pytest.param(500, fs.text(500, "boom: database is down"), "InternalServerError", "boom: database is down",
                 ["boom: database is down"], id="500-text"),
    pytest.param(501, fs.json(501, {"error": "model doubler is not ready"}), "InternalServerError",
                 {"error": "model doubler is not ready"}, ["model doubler is not ready"], id="501-kserve"),
]


@pytest.mark.parametrize(("code", "action", "error_name", "body", "texts"), ERROR_CASES)
def test_error_statuses_raise_typed_errors_without_retry(
    fc: ModuleType, server: FaultyServer, delays: list[float], mode: str,
    code: int, action: fs.Action, error_name: str, body: Any, texts: list[str],
) -> None:
    server.script(action, fs.ok())
    with pytest.raises(fc.APIStatusError) as caught:
        call(fc, mode, {"base_url": server.url}, "get_item", item_id=7)
    error = caught.value
    assert type(error) is getattr(fc, error_name)
    assert error.status_code == code
    assert error.body == body
    assert isinstance(error.request, httpx.Request) and error.request.url.path == "/items/7"
    assert isinstance(error.response, httpx.Response) and error.response.status_code == code
    for text in texts:
        assert text in str(error), (text, str(error))
    assert server.count == 1
    assert delays == []


def test_kserve_not_ready_503_message_after_retries(fc: ModuleType, server: FaultyServer, delays: list[float], mode: str) -> None:
    server.script(*(fs.json(503, {"error": "model doubler is not ready"}) for _ in range(3)))
    with pytest.raises(fc.InternalServerError) as caught:
        call(fc, mode, {"base_url": server.url}, "create_item", name="x")
    assert caught.value.status_code == 503
    assert caught.value.body == {"error": "model doubler is not ready"}
    assert "model doubler is not ready" in str(caught.value)
    assert server.count == 3


def test_unlisted_4xx_is_a_plain_status_error(fc: ModuleType, server: FaultyServer, delays: list[float], mode: str) -> None:
    server.script(fs.json(418, {"error": "I am a teapot"}))
    with pytest.raises(fc.APIStatusError) as caught:
        call(fc, mode, {"base_url": server.url}, "get_item", item_id=1)
    specific = tuple(getattr(fc, n) for n in ("BadRequestError", "AuthenticationError", "PermissionDeniedError",
                                               "NotFoundError", "ConflictError", "UnprocessableEntityError",
                                               "RateLimitError", "InternalServerError"))
    assert not isinstance(caught.value, specific)
    assert caught.value.status_code == 418 and "I am a teapot" in str(caught.value)
    assert server.count == 1


def test_validation_422_on_post(fc: ModuleType, server: FaultyServer, delays: list[float], mode: str) -> None:
    server.script(fs.json(422, FASTAPI_422))
    with pytest.raises(fc.UnprocessableEntityError) as caught:
        call(fc, mode, {"base_url": server.url}, "create_item", name="")
    assert caught.value.body == FASTAPI_422
    assert "Field required" in str(caught.value)
    assert server.count == 1


# -- 2xx answers that do not decode -------------------------------------------------

BAD_2XX = [
    pytest.param(fs.raw(200, b'{"id": 1, "name": ', "application/json"), '{"id": 1, "name": ', id="malformed-json"),
    pytest.param(fs.raw(200, b"<html><body>Welcome to nginx</body></html>", "text/html"),
                 "<html><body>Welcome to nginx</body></html>", id="html-page"),
    pytest.param(fs.json(200, {"id": "not a number"}), {"id": "not a number"}, id="wrong-shape"),
    pytest.param(fs.raw(200, b'{"id": 1, "name": "one"}', "text/html; charset=utf-8"), {"id": 1, "name": "one"},
                 id="json-text-as-html"),
]


@pytest.mark.parametrize(("action", "body"), BAD_2XX)
def test_undecodable_2xx_raises_response_validation_error(
    fc: ModuleType, server: FaultyServer, delays: list[float], mode: str, action: fs.Action, body: Any
) -> None:
    server.script(action, fs.ok())
    with pytest.raises(fc.APIResponseValidationError) as caught:
        call(fc, mode, {"base_url": server.url}, "get_item", item_id=1)
    error = caught.value
    assert not isinstance(error, fc.APIStatusError)
    assert error.status_code == 200
    assert error.body == body
    assert isinstance(error.response, httpx.Response)
    assert server.count == 1  # the server answered: nothing to retry
    assert delays == []


# -- retries are logged, secrets are not -------------------------------------------


def test_retries_are_logged_without_secrets(
    fc: ModuleType, server: FaultyServer, delays: list[float], mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: the runtime's, httpx's and httpcore's
    server.script(fs.status(503), fs.drop(), fs.ok())
    call(fc, mode, {"base_url": server.url, "token": TOKEN, "api_key": API_KEY}, "get_item", item_id=5,
         extra_query={"q": "visible"})
    assert server.count == 3
    ours = [r for r in caplog.records if r.name == "faults_client"]
    retries = [r for r in ours if "retr" in r.getMessage().lower()]
    assert len(retries) == 2, [r.getMessage() for r in ours]
    assert all(r.levelno == logging.DEBUG for r in retries)
    for record, delay in zip(retries, delays):
        message = record.getMessage()
        numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", message)]
        assert any(abs(n - delay) <= 0.051 for n in numbers), (message, delay)  # the delay, to 0.1 s or better
    assert "503" in retries[0].getMessage()
    for record in caplog.records:
        text = " ".join(
            [record.getMessage(), repr(record.args), record.exc_text or "", repr(getattr(record, "__dict__", {}))]
        )
        assert TOKEN not in text, record.name
        assert API_KEY not in text, record.name


# -- redirects ---------------------------------------------------------------------

CREDENTIALS = {"base_url": None, "token": TOKEN, "api_key": API_KEY}
COOKIE = {"Cookie": "session=s3cr3t-cookie"}


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_redirect_to_another_host_drops_credentials(
    fc: ModuleType, server: FaultyServer, delays: list[float], mode: str, code: int
) -> None:
    server.script(fs.redirect(code, server.second_url + "/echo?from=redirect"))
    seen = call(fc, mode, {**CREDENTIALS, "base_url": server.url}, "echo", extra_headers=COOKIE)
    assert seen.model_dump()["path"] == "/echo"
    first, second = server.requests
    assert first.host == "127.0.0.1"
    assert first.header("authorization") == f"Bearer {TOKEN}"
    assert first.header("x-api-key") == API_KEY
    assert first.header("cookie") == COOKIE["Cookie"]
    assert second.host == "127.0.0.2"
    assert second.query == "from=redirect"
    assert second.header("authorization") is None
    assert second.header("x-api-key") is None
    assert second.header("cookie") is None
    assert not any(TOKEN in v or API_KEY in v or "s3cr3t-cookie" in v for _k, v in second.headers)
    assert delays == []


@pytest.mark.parametrize("code", [302, 307])
def test_same_origin_redirect_keeps_credentials(
    fc: ModuleType, server: FaultyServer, mode: str, code: int
) -> None:
    server.script(fs.redirect(code, server.url + "/echo?moved=1"))
    call(fc, mode, {**CREDENTIALS, "base_url": server.url}, "echo", extra_headers=COOKIE)
    first, second = server.requests
    assert first.host == second.host == "127.0.0.1"
    assert second.query == "moved=1"
    assert second.header("authorization") == f"Bearer {TOKEN}"
    assert second.header("x-api-key") == API_KEY
    assert second.header("cookie") == COOKIE["Cookie"]


def test_relative_307_keeps_method_and_body(fc: ModuleType, server: FaultyServer, mode: str) -> None:
    server.script(fs.redirect(307, "/items?moved=1"))
    item = call(fc, mode, {"base_url": server.url, "token": TOKEN}, "create_item", name="moved")
    assert item.name == "moved"
    first, second = server.requests
    assert (first.method, first.path, first.query) == ("POST", "/items", "")
    assert (second.method, second.path, second.query) == ("POST", "/items", "moved=1")
    assert second.json == {"name": "moved"}
    assert second.header("authorization") == f"Bearer {TOKEN}"


@pytest.mark.parametrize("code", [301, 302, 307])
def test_redirect_to_non_http_scheme_is_refused(
    fc: ModuleType, server: FaultyServer, delays: list[float], mode: str, code: int
) -> None:
    server.script(fs.redirect(code, "ftp://127.0.0.1/x"), fs.ok(), fs.ok())
    with pytest.raises(fc.APIStatusError) as caught:
        call(fc, mode, {**CREDENTIALS, "base_url": server.url}, "get_item", item_id=1)
    assert caught.value.status_code == code
    assert caught.value.response.headers["location"] == "ftp://127.0.0.1/x"
    assert server.count == 1  # not retried, nothing sent anywhere else
    assert delays == []


def test_redirect_loop_stops_at_a_limit(fc: ModuleType, server: FaultyServer, delays: list[float], mode: str) -> None:
    server.script(*(fs.redirect(302, server.url + "/echo") for _ in range(60)))
    with pytest.raises(fc.APIError):
        call(fc, mode, {"base_url": server.url, "max_retries": 0}, "echo")
    assert 2 <= server.count <= 31
    assert delays == []


# -- async specifics ------------------------------------------------------------------


def test_async_retries_do_not_block_the_event_loop(fc: ModuleType, server: FaultyServer) -> None:
    """While one call waits out Retry-After: 1, another call on the same client completes."""
    server.script(fs.status(503, {"Retry-After": "1"}))

    async def main() -> tuple[float, float]:
        async with fc.AsyncClient(base_url=server.url) as client:
            started = time.monotonic()

            async def timed(coro: Any) -> float:
                await coro
                return time.monotonic() - started

            slow, fast = await asyncio.gather(
                timed(client.get_item(item_id=1)),
                timed(_after(0.2, client.get_item(item_id=2))),
            )
            return slow, fast

    slow, fast = asyncio.run(main())
    assert slow >= 0.95
    assert fast < 0.9
    assert server.count == 3


async def _after(seconds: float, coro: Any) -> Any:
    await asyncio.sleep(seconds)
    return await coro
