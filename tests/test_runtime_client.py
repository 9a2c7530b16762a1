"""The generated clients: request building, options, model arguments and lifecycle."""

from __future__ import annotations

import asyncio
import datetime
import enum
import json
import sys
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import httpx
import pydantic
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.runtime_support import BASE, GOLDEN, PREFIX_BASE, Recorder, load_isolated  # noqa: E402

import calculator_client as calc  # noqa: E402
import fraud_scoring_client as fs  # noqa: E402
import fraud_scoring_client.models as fs_models  # noqa: E402
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
    client.get_metrics()
    assert recorder.last.url.path == "/org/project/deployment/metrics"


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
    assert isinstance(result, fs.FraudScore) and result.risk is fs.RiskLevel.high
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


def test_string_enums_are_strings() -> None:
    """A ``str`` enum of the service is a ``str`` enum in the client, its members named after its
    values: it compares equal to the wire value and dumps to JSON as is, unknown values included."""
    recorder = Recorder(httpx.Response(200, json={**SCORE, "risk": "high"}), httpx.Response(200, json={**SCORE, "risk": "critical"}))
    client = fs.Client(BASE, http_client=recorder.sync_http())
    known = client.score(transaction={"transaction_id": "t1", "amount": 1})
    assert known.risk is fs.RiskLevel.high and known.risk == "high" and isinstance(known.risk, str)
    assert [member.name for member in fs.Channel] == ["web", "mobile", "pos"]
    assert json.loads(json.dumps(known.model_dump()))["risk"] == "high"
    unknown = client.score(transaction={"transaction_id": "t1", "amount": 1})
    assert isinstance(unknown.risk, fs.RiskLevel) and isinstance(unknown.risk, str) and unknown.risk == "critical"
    assert json.loads(json.dumps(unknown.model_dump()))["risk"] == "critical"
    assert fs.Transaction(transaction_id="t", amount=1, channel=fs.Channel("pos")).channel == "pos"


def test_optional_lists_are_empty_not_none() -> None:
    """``tags: list[str] = Field(default_factory=list)`` on the server (not required, not nullable,
    no default in the document) is ``list[str] = []`` in the client: never ``None``, and still not
    sent when left out."""
    fields = fs.Transaction.model_fields
    assert fields["tags"].annotation == list[str] and fields["items"].annotation == list[fs.LineItem]
    assert fields["billing_address"].annotation == (fs.Address | None)  # not a list: still optional
    recorder = Recorder(httpx.Response(200, json=SCORE))
    client = fs.Client(BASE, http_client=recorder.sync_http())
    result = client.score(transaction=fs.Transaction(transaction_id="t1", amount=1))
    assert result.reasons == [] and sent(recorder.last) == {"transaction": {"transaction_id": "t1", "amount": 1.0}}
    with pytest.raises(pydantic.ValidationError):
        fs.Transaction(transaction_id="t1", amount=1, tags=None)  # type: ignore[arg-type]


class _ServiceChannel(str, enum.Enum):
    POS = "pos"


class _ServiceLineItem(pydantic.BaseModel):
    sku: str
    unit_price: float


class _ServiceTransaction(pydantic.BaseModel):
    """The service's own class, as a caller sharing code with the service has it."""

    model_config = pydantic.ConfigDict(populate_by_name=True)
    transaction_id: str
    amount: float
    channel: _ServiceChannel = _ServiceChannel.POS
    payer: str | None = pydantic.Field(default=None, alias="from")
    items: list[_ServiceLineItem] = pydantic.Field(default_factory=list)


def test_the_services_own_model_classes_are_accepted() -> None:
    """BentoML's client takes the service's own pydantic instances; so does the generated one,
    at the top of a body, in a list, and nested in plain data, sending what they hold."""
    recorder = Recorder(httpx.Response(200, json=SCORE), httpx.Response(200, json={"results": [], "flagged_count": 0, "timeout": 1.0, "streamed": False}))
    client = fs.Client(BASE, http_client=recorder.sync_http())
    own = _ServiceTransaction(transaction_id="t1", amount=2, channel=_ServiceChannel.POS, payer="acct", items=[_ServiceLineItem(sku="a", unit_price=1)])
    client.score(transaction=own)
    expected = {"transaction_id": "t1", "amount": 2.0, "channel": "pos", "from": "acct", "items": [{"sku": "a", "unit_price": 1.0}]}
    assert sent(recorder.last) == {"transaction": expected}
    client.score_batch(transactions=[{"transaction_id": "t2", "amount": 1, "items": [_ServiceLineItem(sku="b", unit_price=3)]}, own])
    assert sent(recorder.last)["transactions"] == [{"transaction_id": "t2", "amount": 1.0, "items": [{"sku": "b", "unit_price": 3.0}]}, expected]
    with pytest.raises(pydantic.ValidationError):
        client.score(transaction=_ServiceLineItem(sku="a", unit_price=1))
    assert recorder.calls == 2


def test_argument_errors_name_the_call_not_an_internal_class() -> None:
    """Keyword arguments are validated by a class holding them (``ScoreInput``), which users never
    see: the error is titled after the call, and still lists every invalid argument."""
    recorder = Recorder(httpx.Response(200, json=SCORE))
    client = fs.Client(BASE, http_client=recorder.sync_http())
    with pytest.raises(pydantic.ValidationError) as caught:
        client.score(transaction={"transaction_id": "t1", "amount": -1}, threshold=2)
    assert caught.value.title == "arguments of POST /score" and "ScoreInput" not in str(caught.value)
    assert sorted(error["loc"] for error in caught.value.errors()) == [("threshold",), ("transaction", "amount")]
    assert recorder.calls == 0


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


# --- JSON bodies given as plain data: checked by the body type's plain-data twin ---------------
# The same bytes and the same errors as the body type's own validator (``_adapter``), which is what
# every body went through before the twin; model instances still go through the model.

_rt = fs._runtime


class Color(_rt.OpenEnum):
    RED = "red"
    BLUE = "blue"


class Leaf(_rt.BaseModel):
    blob: bytes | None = None
    when: datetime.datetime | None = None
    day: datetime.date = datetime.date(2020, 1, 1)
    color: Color = Color.RED
    kind: Literal["a", "b"] = "a"
    n: Annotated[int, pydantic.Field(ge=0)] = 0


class Cat(_rt.BaseModel):
    pet_type: Literal["cat"]
    meow: Annotated[str, pydantic.Field(alias="meow-sound")] = "m"


class Dog(_rt.BaseModel):
    pet_type: Literal["dog"]
    bark: Annotated[str, pydantic.Field(alias="bark-sound")] = "b"
    leaf: Leaf | None = None


class Tags(pydantic.RootModel[list[str]]):
    pass


class Node(_rt.BaseModel):
    name: str
    children: list[Node] | None = None
    leaf: Leaf | None = None


class Body(_rt.BaseModel):
    from_: Annotated[str | None, pydantic.Field(alias="from")] = None
    leaf: Leaf | None = None
    leaves: list[Leaf] = []
    by_key: dict[str, Leaf] | None = None
    pet: Union[Cat, Dog] | None = None
    tagged: Annotated[Union[Cat, Dog], pydantic.Field(discriminator="pet_type")] | None = None
    tags: Tags | None = None
    node: Node | None = None
    anything: Any = None
    raw: bytes = b""
    pair: tuple[Leaf, int] | None = None


class Checked(_rt.BaseModel):
    tags: Annotated[list[str], pydantic.Field(max_length=2, validate_default=True)] = []


class BadDefault(_rt.BaseModel):
    """A default the model rejects whenever the field is left out: such a model stays a model."""

    n: Annotated[int, pydantic.Field(ge=1, validate_default=True)] = 0


#: Body types without a model the twin can take (unions stay models; so does BadDefault).
NO_TWIN: list[Any] = [list[Union[Cat, Dog]], BadDefault]
TXN = {"transaction_id": "t", "amount": 1}
PLAIN_BODIES: list[tuple[Any, Any]] = [
    # aliases, names, both (the name is then an extra, as the model keeps it), extras, coercion, unknown enum values
    (fs_models.ScoreBatchInput, {"transactions": [{**TXN, "from": "a", "3ds-verified": True}]}),
    (fs_models.ScoreBatchInput, {"transactions": [{**TXN, "from_": "a", "field_3ds_verified": "yes"}]}),
    (fs_models.ScoreBatchInput, {"transactions": [{**TXN, "from": "a", "from_": "b"}, {**TXN, "from_": "b", "from": "a"}]}),
    (fs_models.ScoreBatchInput, {"transactions": [{**TXN, "amount": "1.5", "extra": {"x": [1, b"z"]}, "channel": "fax"}], "zzz": 1}),
    (fs_models.ScoreBatchInput, {"transactions": [{**TXN, "billing_address": {"country": "DE", "x": 1}, "items": [{"sku": "s", "unit_price": 1}]}]}),
    (fs_models.ScoreBatchInput, {"transactions": [{**TXN, "currency": "USD", "channel": "web"}], "threshold": 0.5}),  # given defaults are sent
    # model instances below the top, where only the model takes them
    (fs_models.ScoreBatchInput, {"transactions": [{**TXN, "billing_address": fs.Address(country="FR")}]}),
    (fs_models.ScoreBatchInput, {"transactions": [TXN, fs.Transaction(transaction_id="u", amount=2, from_="x")]}),
    # invalid: the model's own errors
    (fs_models.ScoreBatchInput, {"transactions": [{**TXN, "amount": -1}]}),
    (fs_models.ScoreBatchInput, {"transactions": [{"transaction_id": "t"}, {**TXN, "billing_address": {"country": "DEU"}}]}),
    (fs_models.ScoreBatchInput, {"transactions": "x"}),
    (fs_models.ScoreBatchInput, {}),
    # bytes as base64, datetimes, enums, literals, nested defaults, unions and root models (kept as models)
    (Body, {}),
    (Body, {"leaf": {"blob": b"\x00\xff", "when": "2024-01-02T03:04:05Z", "color": "green"}, "raw": b"abc"}),
    (Body, {"leaf": {"blob": "text", "day": "2021-02-03", "kind": "b", "n": "3"}}),
    (Body, {"leaves": [{"n": 1}, {"color": "blue"}], "by_key": {"a": {"n": 2}}, "pair": [{"n": 1}, "2"]}),
    (Body, {"pet": {"pet_type": "dog", "bark-sound": "w", "leaf": {"n": 5}}, "tagged": {"pet_type": "cat", "meow": "x"}}),
    (Body, {"tags": ["a", "b"], "node": {"name": "r", "children": [{"name": "c", "leaf": {"blob": b"q"}}]}}),
    (Body, {"anything": {"x": Leaf(n=3), "y": [Leaf(color=Color.BLUE)]}, "from": None}),
    (Body, {"leaf": {"n": -1}}),
    (Body, {"leaf": {"kind": "c"}, "tagged": {"pet_type": "cow"}}),
    (Node, {"name": "r", "children": [{"name": "c", "children": [{"name": "d", "leaf": {"blob": b"q"}}]}]}),
    (list[Leaf], [{"blob": b"\x01"}, {"n": 2, "extra": True}]),
    (dict[str, Node], {"a": {"name": "x", "children": []}}),
    (list[Union[Cat, Dog]], [{"pet_type": "cat"}]),
    (Checked, {}),
    (Checked, {"tags": ["a", "b", "c"]}),
    (BadDefault, {}),
    (BadDefault, {"n": 2}),
]


def _before(body_type: Any, body: Any) -> bytes | pydantic.ValidationError:
    """What every JSON body gave before the twin: the body type's own validator, then its dump."""
    adapter = _rt._endpoint._adapter(body_type)
    try:
        return adapter.dump_json(adapter.validate_python(body), by_alias=True, exclude_unset=True)
    except pydantic.ValidationError as error:
        return error


@pytest.mark.parametrize(("body_type", "body"), PLAIN_BODIES)
def test_plain_data_body_sends_what_the_model_sends_and_raises_its_errors(body_type: Any, body: Any) -> None:
    recorder = Recorder(httpx.Response(200))
    client = fs.Client(BASE, http_client=recorder.sync_http())
    endpoint: Any = _rt.Endpoint("POST", "/x", body=body_type, body_kind="json", decode="none")
    expected = _before(body_type, body)
    if isinstance(expected, bytes):
        client._request(endpoint, body=body)
        assert recorder.last.content == expected
    else:
        with pytest.raises(pydantic.ValidationError) as caught:
            client._request(endpoint, body=body)
        assert caught.value.title == expected.title and caught.value.errors() == expected.errors()
        assert recorder.calls == 0
    # the twin is used unless the body type has no model it can take
    assert (endpoint._plain_body is None) == (body_type in NO_TWIN)


class _ModelValidatorUnused:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"plain data went through the model's validator ({name})")


def test_plain_and_model_arguments_send_the_same_json_and_skip_model_building(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder(httpx.Response(200, json={"results": [], "flagged_count": 0, "timeout": 3.0, "streamed": False}))
    client = fs.Client(BASE, http_client=recorder.sync_http())
    plain = [
        {**TXN, "from": "acct-1", "3ds-verified": True, "billing_address": {"country": "DE"}, "items": [{"sku": "s", "unit_price": 2}]},
        {"transaction_id": "u", "amount": 2.5, "from_": "acct-2", "currency": "EUR", "tags": ["x"], "note": "kept"},
    ]
    expected = {
        "transactions": [
            {"transaction_id": "t", "amount": 1.0, "from": "acct-1", "3ds-verified": True, "billing_address": {"country": "DE"},
             "items": [{"sku": "s", "unit_price": 2.0}]},  # defaults not given (quantity, currency, channel) are not sent
            {"transaction_id": "u", "amount": 2.5, "currency": "EUR", "from": "acct-2", "tags": ["x"], "note": "kept"},
        ],
        "timeout": 3.0,
    }
    client.score_batch(transactions=plain, timeout=3.0)  # type: ignore[arg-type]
    assert sent(recorder.last) == expected
    from_plain = recorder.last.content
    endpoint = fs._client._SCORE_BATCH
    assert endpoint._plain_body is not None
    models = [fs.Transaction.model_validate(item) for item in plain]
    client.score_batch(transactions=models, timeout=3.0)
    assert recorder.last.content == from_plain
    monkeypatch.setattr(endpoint, "_body_adapter", _ModelValidatorUnused())
    client.score_batch(transactions=plain, timeout=3.0)  # type: ignore[arg-type]
    assert recorder.last.content == from_plain
    with pytest.raises(AssertionError, match="model's validator"):
        client.score_batch(transactions=models, timeout=3.0)  # typed callers: the model's own dump


def test_plain_data_body_error_is_the_models_and_nothing_is_sent() -> None:
    recorder = Recorder(httpx.Response(200))
    client = fs.Client(BASE, http_client=recorder.sync_http())
    transactions = [TXN, {**TXN, "billing_address": {"country": "DEU"}, "items": [{"sku": "s", "quantity": 0, "unit_price": 1}]}]
    with pytest.raises(pydantic.ValidationError) as caught:
        client.score_batch(transactions=transactions)  # type: ignore[arg-type]
    assert recorder.calls == 0
    assert caught.value.title == "arguments of POST /score_batch"
    assert [error["loc"] for error in caught.value.errors()] == [
        ("transactions", 1, "billing_address", "country"),
        ("transactions", 1, "items", 0, "quantity"),
    ]

    async def run() -> None:
        async with fs.AsyncClient(BASE, http_client=recorder.async_http()) as aclient:
            with pytest.raises(pydantic.ValidationError) as again:
                await aclient.score_batch(transactions=transactions)  # type: ignore[arg-type]
            assert again.value.errors() == caught.value.errors()

    asyncio.run(run())
    assert recorder.calls == 0
