"""``validate_responses="strict" | "lenient" | "off"``: what a 2xx answer that does not match its
declared model gives, on both clients and per call (golden ``scoring``, through MockTransport)."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.runtime_support import BASE, Recorder  # noqa: E402

import fraud_scoring_client as fraud  # noqa: E402
from fraud_scoring_client import AsyncClient, Client  # noqa: E402
from fraud_scoring_client._runtime import _lenient  # noqa: E402
from fraud_scoring_client.models import BatchResult, FraudScore, RiskLevel  # noqa: E402

TRANSACTION = {"transaction_id": "t1", "amount": 10.0}
GOOD = {"transaction_id": "t1", "score": 0.25, "risk": "low", "flagged": False}
#: ``score`` above its maximum of 1 and ``flagged`` missing: a newer server's answer.
BAD = {"transaction_id": "t1", "score": 7.5, "risk": "severe", "extra": {"x": 1}}
BAD_BATCH = {
    "results": [GOOD, {"transaction_id": "t2", "score": "high", "risk": "high", "flagged": True}],
    "flagged_count": 1,
    "timeout": 10.0,
    "streamed": False,
}
LOGGER = "fraud_scoring_client"


def client(answer: dict[str, Any], **kwargs: Any) -> tuple[Client, Recorder]:
    recorder = Recorder(httpx.Response(200, json=answer))
    return Client(BASE, http_client=recorder.sync_http(), max_retries=0, **kwargs), recorder


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == LOGGER and record.levelno == logging.WARNING]


def test_strict_is_the_default_and_raises() -> None:
    api, _ = client(BAD)
    assert api.validate_responses == "strict"
    with pytest.raises(fraud.APIResponseValidationError, match="does not match"):
        api.score(transaction=TRANSACTION)


def test_lenient_returns_the_model_built_without_validation_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    api, _ = client(BAD, validate_responses="lenient")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        result = api.score(transaction=TRANSACTION)
    assert type(result) is FraudScore
    assert result.score == 7.5 and result.risk == "severe" and result.transaction_id == "t1"
    assert result.model_extra == {"extra": {"x": 1}}  # unknown fields kept, as validated models keep them
    assert "flagged" not in result.model_fields_set
    [record] = warnings_of(caplog)
    message = record.getMessage()
    assert "POST /score" in message and "FraudScore" in message
    assert "score" in message and "flagged" in message and "transaction_id" not in message


def test_lenient_valid_answers_are_validated_and_silent(caplog: pytest.LogCaptureFixture) -> None:
    api, _ = client(GOOD, validate_responses="lenient")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        result = api.score(transaction=TRANSACTION)
    assert result.risk is RiskLevel.low  # validated: the enum member, not the raw string
    assert warnings_of(caplog) == []


def test_off_never_validates(caplog: pytest.LogCaptureFixture) -> None:
    api, _ = client(GOOD, validate_responses="off")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        result = api.score(transaction=TRANSACTION)
    assert type(result) is FraudScore and result.risk == "low"
    assert type(result.risk) is str  # built, not validated: no enum conversion
    assert warnings_of(caplog) == []
    api_bad, _ = client(BAD, validate_responses="off")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert api_bad.score(transaction=TRANSACTION).score == 7.5
    assert warnings_of(caplog) == []  # off: no warning either


def test_nested_models_in_lists_are_built(caplog: pytest.LogCaptureFixture) -> None:
    api, _ = client(BAD_BATCH, validate_responses="lenient")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        result = api.score_batch(transactions=[TRANSACTION])
    assert type(result) is BatchResult
    assert [type(item) for item in result.results] == [FraudScore, FraudScore]
    assert result.results[1].score == "high"
    [record] = warnings_of(caplog)
    assert "results.1.score" in record.getMessage()


def test_unvalidated_builds_lists_dicts_and_optionals_of_models() -> None:
    listed = _lenient.unvalidated(list[FraudScore], [GOOD, BAD])
    assert [type(item) for item in listed] == [FraudScore, FraudScore]
    mapped = _lenient.unvalidated(dict[str, FraudScore], {"a": BAD})
    assert type(mapped["a"]) is FraudScore and mapped["a"].score == 7.5
    optional = _lenient.unvalidated(FraudScore | None, BAD)
    assert type(optional) is FraudScore
    assert _lenient.unvalidated(FraudScore | None, None) is None
    nested = _lenient.unvalidated(list[list[FraudScore]], [[BAD]])
    assert type(nested[0][0]) is FraudScore


def test_per_call_override_through_with_options(caplog: pytest.LogCaptureFixture) -> None:
    api, _ = client(BAD)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert api.with_options(validate_responses="lenient").score(transaction=TRANSACTION).score == 7.5
    assert len(warnings_of(caplog)) == 1
    with pytest.raises(fraud.APIResponseValidationError):
        api.score(transaction=TRANSACTION)  # the client itself is unchanged
    lenient, _ = client(BAD, validate_responses="lenient")
    with pytest.raises(fraud.APIResponseValidationError):
        lenient.with_options(validate_responses="strict").score(transaction=TRANSACTION)


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="validate_responses"):
        Client(BASE, validate_responses="loose")  # type: ignore[arg-type]
    api, _ = client(GOOD)
    with pytest.raises(ValueError, match="validate_responses"):
        api.with_options(validate_responses="never")  # type: ignore[arg-type]


def test_an_answer_that_is_not_json_still_raises_in_every_mode() -> None:
    for mode in ("lenient", "off"):
        recorder = Recorder(httpx.Response(200, content=b"{not json", headers={"content-type": "application/json"}))
        api = Client(BASE, http_client=recorder.sync_http(), max_retries=0, validate_responses=mode)  # type: ignore[arg-type]
        with pytest.raises(fraud.APIResponseValidationError):
            api.score(transaction=TRANSACTION)


def test_async_client_modes(caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> None:
        recorder = Recorder(httpx.Response(200, json=BAD))
        strict = AsyncClient(BASE, http_client=recorder.async_http(), max_retries=0)
        with pytest.raises(fraud.APIResponseValidationError):
            await strict.score(transaction=TRANSACTION)
        lenient = AsyncClient(BASE, http_client=recorder.async_http(), max_retries=0, validate_responses="lenient")
        assert (await lenient.score(transaction=TRANSACTION)).score == 7.5
        assert (await strict.with_options(validate_responses="off").score(transaction=TRANSACTION)).score == 7.5

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        asyncio.run(run())
    assert len(warnings_of(caplog)) == 1  # lenient warns; off does not
