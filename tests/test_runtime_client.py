"""The generated clients: request building, options, model arguments and lifecycle."""

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

from tests.runtime_support import BASE, GOLDEN, PREFIX_BASE, Recorder, load_isolated  # noqa: E402

import calculator_client as calc  # noqa: E402
import fraud_scoring_client as fs  # noqa: E402
import text_ops_client as tx  # noqa: E402
from calculator_client import AsyncClient, Client  # noqa: E402

DEFAULT_TIMEOUT = {"connect": 5.0, "read": 60.0, "write": 60.0, "pool": 60.0}
#: The recorder's injected httpx client brings httpx's own default timeout, which the client keeps.
INJECTED_TIMEOUT = httpx.Timeout(5.0).as_dict()
SCORE = {"transaction_id": "t1", "score": 0.9, "risk": "high", "flagged": True}


def make(*replies: Any, base_url: str = BASE, **kwargs: Any) -> tuple[Client, Recorder]:
    recorder = Recorder(*(replies or (httpx.Response(200, json=3),)))
    return Client(base_url, http_client=recorder.sync_http(), **kwargs), recorder


def sent(request: httpx.Request) -> Any:
    return json.loads(request.content)


@pytest.mark.parametrize("base_url", [PREFIX_BASE, PREFIX_BASE + "/", httpx.URL(PREFIX_BASE)])
def test_base_url_keeps_path_prefix(base_url: Any) -> None:
    client, recorder = make(base_url=base_url)
    assert client.add(a=1, b=2) == 3
    assert recorder.last.method == "POST"
    assert str(recorder.last.url) == "http://h/org/project/deployment/add"
    client.get_readyz()
    assert recorder.last.url.path == "/org/project/deployment/readyz"


def test_path_and_query_parameters_under_prefix() -> None:
    recorder = Recorder(httpx.Response(200, json={"name": "a/b", "words": ["x"], "total": 1}))
    client = tx.Client(PREFIX_BASE + "/", http_client=recorder.sync_http())
    result = client.get_dictionary(name="a/b", limit=3)
    assert result == tx.Dictionary(name="a/b", words=["x"], total=1)
    assert recorder.last.url.raw_path == b"/org/project/deployment/admin/dictionaries/a%2Fb?limit=3"
    client.get_dictionary(name="en")
    assert recorder.last.url.raw_path == b"/org/project/deployment/admin/dictionaries/en"
    recorder.replies = [httpx.Response(200, json=1)]
    assert client.count_tokens(text="hi") == 1
    assert recorder.last.url.path == "/org/project/deployment/v1/count-tokens"


def test_flattened_body_uses_wire_names_and_omits_not_given() -> None:
    client, recorder = make(lambda request: httpx.Response(200, text="hi" if request.url.path == "/greet" else "3"))
    assert client.add(a=1, b=2) == 3
    assert recorder.last.content == b'{"a":1,"b":2}'
    assert recorder.last.headers["Content-Type"] == "application/json"
    assert client.greet(name="Ada") == "hi"
    assert sent(recorder.last) == {"name": "Ada"}
    client.greet(name="Ada", shout=True, punctuation=calc.NOT_GIVEN)
    assert sent(recorder.last) == {"name": "Ada", "shout": True}
    client.maybe()
    assert sent(recorder.last) == {}
    client.maybe(value=None)
    assert sent(recorder.last) == {"value": None}
    client.total(values=[])
    assert sent(recorder.last) == {"values": []}


def test_invalid_argument_raises_before_sending() -> None:
    client, recorder = make()
    with pytest.raises(pydantic.ValidationError):
        client.add(a="not a number", b=2)  # type: ignore[arg-type]
    assert recorder.calls == 0


def test_default_headers_user_agent_and_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALCULATOR_CLIENT_TOKEN", raising=False)
    client, recorder = make(headers={"X-Team": "blue"})
    client.add(a=1, b=2)
    headers = recorder.last.headers
    assert headers["User-Agent"] == "calculator_client/0.1.0 (svcgen)"
    assert headers["X-Team"] == "blue"
    assert "Authorization" not in headers
    assert client.headers["X-Team"] == "blue"


def test_default_timeout_suits_inference_unless_an_injected_client_brings_its_own() -> None:
    own = Client(BASE)
    assert own.timeout == httpx.Timeout(**DEFAULT_TIMEOUT)
    assert own._http.timeout == httpx.Timeout(**DEFAULT_TIMEOUT)
    own.close()
    recorder = Recorder(httpx.Response(200, json=3))
    injected = httpx.Client(transport=httpx.MockTransport(recorder), timeout=7.0)
    Client(BASE, http_client=injected).add(a=1, b=2)
    assert recorder.last.extensions["timeout"] == httpx.Timeout(7.0).as_dict()
    Client(BASE, http_client=injected, timeout=3.0).add(a=1, b=2)
    assert recorder.last.extensions["timeout"] == httpx.Timeout(3.0).as_dict()


def test_headers_merge_case_insensitively() -> None:
    client, recorder = make(token="a", headers={"user-agent": "myapp/1", "authorization": "Bearer b"})
    client.with_options(headers={"accept": "text/plain"}).add(
        a=1, b=2, extra_headers={"content-type": "application/json; charset=utf-8"}
    )
    headers = recorder.last.headers
    assert headers.get_list("User-Agent") == ["myapp/1"]
    assert headers.get_list("Authorization") == ["Bearer b"]
    assert headers.get_list("Accept") == ["text/plain"]
    assert headers.get_list("Content-Type") == ["application/json; charset=utf-8"]


def test_token_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALCULATOR_CLIENT_TOKEN", "from-env")
    client, recorder = make()
    client.add(a=1, b=2)
    assert recorder.last.headers["Authorization"] == "Bearer from-env"
    client, recorder = make(token="explicit")
    client.add(a=1, b=2)
    assert recorder.last.headers["Authorization"] == "Bearer explicit"
    monkeypatch.delenv("CALCULATOR_CLIENT_TOKEN")
    client, recorder = make(token="t0k")
    client.add(a=1, b=2)
    assert recorder.last.headers["Authorization"] == "Bearer t0k"


def test_per_call_options() -> None:
    client, recorder = make(timeout=10.0)
    client.add(a=1, b=2)
    assert recorder.last.extensions["timeout"] == dict.fromkeys(DEFAULT_TIMEOUT, 10.0)
    client.add(a=1, b=2, extra_headers={"X-Trace": "abc"}, extra_query={"debug": "1"}, timeout=2.5)
    request = recorder.last
    assert request.headers["X-Trace"] == "abc"
    assert request.url.params["debug"] == "1"
    assert str(request.url) == "http://h/add?debug=1"
    assert request.extensions["timeout"] == dict.fromkeys(DEFAULT_TIMEOUT, 2.5)
    client.add(a=1, b=2, timeout=httpx.Timeout(30.0, connect=1.0))
    assert recorder.last.extensions["timeout"] == {"connect": 1.0, "read": 30.0, "write": 30.0, "pool": 30.0}
    client.add(a=1, b=2, timeout=None)
    assert recorder.last.extensions["timeout"] == dict.fromkeys(DEFAULT_TIMEOUT)
    client.add(a=1, b=2)
    assert "X-Trace" not in recorder.last.headers and recorder.last.url.query == b""


def test_api_parameter_named_timeout_wins_over_option() -> None:
    recorder = Recorder(httpx.Response(200, json={"results": [], "flagged_count": 0, "timeout": 3.0, "streamed": False}))
    client = fs.Client(BASE, http_client=recorder.sync_http())
    result = client.score_batch(transactions=[], timeout=3.0)
    assert result.timeout == 3.0
    assert sent(recorder.last) == {"transactions": [], "timeout": 3.0}
    assert recorder.last.extensions["timeout"] == INJECTED_TIMEOUT
    client.with_options(timeout=7.0).score_batch(transactions=[])
    assert recorder.last.extensions["timeout"] == dict.fromkeys(DEFAULT_TIMEOUT, 7.0)


def test_with_options_returns_new_client_sharing_connection() -> None:
    client, recorder = make(headers={"X-A": "1"})
    other = client.with_options(timeout=3.0, headers={"X-B": "2"})
    assert other is not client and type(other) is Client
    assert other._http is client._http
    other.add(a=1, b=2)
    assert recorder.last.extensions["timeout"] == dict.fromkeys(DEFAULT_TIMEOUT, 3.0)
    assert recorder.last.headers["X-A"] == "1" and recorder.last.headers["X-B"] == "2"
    client.add(a=1, b=2)
    assert recorder.last.extensions["timeout"] == INJECTED_TIMEOUT
    assert "X-B" not in recorder.last.headers
    assert client.timeout is not other.timeout and "X-B" not in client.headers
    other.close()  # a clone never closes the shared connection
    assert not client._http.is_closed


def test_base_url_required_without_absolute_server(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="base_url"):
        Client()
    with pytest.raises(ValueError, match="base_url"):
        AsyncClient()
    with pytest.raises(ValueError, match="base_url"):
        fs.Client()
    with pytest.raises(ValueError):
        Client("localhost:3000")
    with pytest.raises(ValueError):
        Client("ftp://h/")


def test_default_base_url_from_absolute_server() -> None:
    text = (GOLDEN / "scoring-cloud" / "fraud_scoring_client" / "_client.py").read_text()
    assert text.count('_default_base_url = "http://127.0.0.1:38731/org/project/deployment"') == 2
    with load_isolated("scoring-cloud", "fraud_scoring_client") as cloud:
        assert cloud is not fs
        recorder = Recorder(httpx.Response(200, text="low"))
        client = cloud.Client(http_client=recorder.sync_http())
        assert client.risk_level(score=0.1) == "low"
        assert str(recorder.last.url) == "http://127.0.0.1:38731/org/project/deployment/risk_level"
        assert str(cloud.AsyncClient().base_url) == "http://127.0.0.1:38731/org/project/deployment/"
        assert str(cloud.Client("http://other/x").base_url) == "http://other/x/"
    import fraud_scoring_client

    assert fraud_scoring_client is fs and fs.Client._default_base_url is None


def test_model_argument_accepts_instance_and_dict() -> None:
    recorder = Recorder(httpx.Response(200, json=SCORE))
    client = fs.Client(BASE, http_client=recorder.sync_http())
    txn = fs.Transaction(transaction_id="t1", amount=10.0, field_3ds_verified=True, from_="acct-9")
    result = client.score(transaction=txn, explain=True)
    assert isinstance(result, fs.FraudScore) and result.risk is fs.RiskLevel.HIGH
    expected = {"transaction": {"transaction_id": "t1", "amount": 10.0, "from": "acct-9", "3ds-verified": True}, "explain": True}
    assert sent(recorder.last) == expected
    client.score(transaction={"transaction_id": "t1", "amount": 10, "from": "acct-9", "3ds-verified": True}, explain=True)
    assert sent(recorder.last) == expected
    client.score(transaction={"transaction_id": "t1", "amount": 10, "field_3ds_verified": False, "channel": "pos"})
    assert sent(recorder.last) == {"transaction": {"transaction_id": "t1", "amount": 10.0, "3ds-verified": False, "channel": "pos"}}


@pytest.mark.parametrize(
    "transaction",
    [{"transaction_id": "t1"}, {"transaction_id": "t1", "amount": -1}, {"transaction_id": "t1", "amount": 1, "currency": "EURO"}],
)
def test_invalid_model_dict_raises_before_sending(transaction: dict[str, Any]) -> None:
    recorder = Recorder(httpx.Response(200, json=SCORE))
    client = fs.Client(BASE, http_client=recorder.sync_http())
    with pytest.raises(pydantic.ValidationError):
        client.score(transaction=transaction)  # type: ignore[arg-type]
    assert recorder.calls == 0


def test_response_keeps_unknown_enum_values_and_fields() -> None:
    recorder = Recorder(httpx.Response(200, json={**SCORE, "risk": "critical", "new_field": {"x": 1}}))
    client = fs.Client(BASE, http_client=recorder.sync_http())
    result = client.score(transaction={"transaction_id": "t1", "amount": 1})
    assert isinstance(result.risk, fs.RiskLevel)
    assert result.risk.value == "critical"
    assert result.model_extra == {"new_field": {"x": 1}}
    assert result.new_field == {"x": 1}  # type: ignore[attr-defined]


def test_async_client_builds_the_same_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALCULATOR_CLIENT_TOKEN", "env")

    async def run() -> tuple[int, Recorder]:
        recorder = Recorder(httpx.Response(200, json=3))
        async with AsyncClient(PREFIX_BASE, http_client=recorder.async_http(), headers={"X-A": "1"}) as client:
            value = await client.add(a=1, b=2, extra_query={"q": "1"}, timeout=4.0)
            await client.with_options(headers={"X-B": "2"}).maybe()
        return value, recorder

    value, recorder = asyncio.run(run())
    first, second = recorder.requests
    assert value == 3
    assert str(first.url) == "http://h/org/project/deployment/add?q=1"
    assert first.content == b'{"a":1,"b":2}'
    assert first.headers["Authorization"] == "Bearer env"
    assert first.headers["User-Agent"] == "calculator_client/0.1.0 (svcgen)"
    assert first.extensions["timeout"] == dict.fromkeys(DEFAULT_TIMEOUT, 4.0)
    assert second.url.path == "/org/project/deployment/maybe" and second.content == b"{}"
    assert second.headers["X-A"] == "1" and second.headers["X-B"] == "2"


def test_context_managers_close_only_their_own_http_client() -> None:
    with Client(BASE) as client:
        own = client._http
        assert not own.is_closed
    assert own.is_closed
    injected = httpx.Client(transport=httpx.MockTransport(Recorder()))
    with Client(BASE, http_client=injected) as client:
        assert client._http is injected
    assert not injected.is_closed
    Client(BASE, http_client=injected).close()
    assert not injected.is_closed
    injected.close()

    async def run() -> tuple[bool, bool]:
        async with AsyncClient(BASE) as aclient:
            mine = aclient._http
        given = httpx.AsyncClient(transport=httpx.MockTransport(Recorder()))
        async with AsyncClient(BASE, http_client=given):
            pass
        await AsyncClient(BASE, http_client=given).aclose()
        result = (mine.is_closed, given.is_closed)
        await given.aclose()
        return result

    assert asyncio.run(run()) == (True, False)
