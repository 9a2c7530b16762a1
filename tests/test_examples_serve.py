"""End-to-end checks of the example BentoML services and the loopback gateway.

These verify the examples themselves (every API answers its known sample
input) and the gateway (auth, prefix, proxying), not the generator.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# `tests.support` must import under plain `pytest` too, not only `python -m pytest`.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.support import services  # noqa: E402

BENTO_PYTHON, EXAMPLES = services.BENTO_PYTHON, services.EXAMPLES
run_gateway, serve_example = services.run_gateway, services.serve_example

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not BENTO_PYTHON.exists(), reason=f"no BentoML env at {BENTO_PYTHON}"
    ),
]

TOKEN = "test-token"
PREFIX = "/org/project/deployment"

# example -> BentoML API route -> [(request body, expected status, expected result)]
SAMPLES: dict[str, dict[str, list[tuple[dict[str, Any], int, Any]]]] = {
    "calculator": {
        "/add": [({"a": 2, "b": 3}, 200, 5)],
        "/divide": [
            ({"x": 1, "y": 4}, 200, 0.25),
            ({"x": 1, "y": 0}, 400, [{"error": "division by zero"}]),
        ],
        "/greet": [
            ({"name": "Ada"}, 200, "Hello, Ada!"),
            ({"name": "Ada", "punctuation": "?", "shout": True}, 200, "HELLO, ADA?"),
        ],
        "/total": [({"values": [1, 2, 3]}, 200, 6), ({"values": []}, 200, 0)],
        "/maybe": [({}, 200, None), ({"value": 21}, 200, 42)],
    },
    "scoring": {
        "/score": [
            (
                {
                    "transaction": {
                        "transaction_id": "t1",
                        "amount": 1500,
                        "from": "acct-9",
                        "3ds-verified": True,
                        "billing_address": {"country": "DE"},
                        "items": [{"sku": "A", "quantity": 2, "unit_price": 750}],
                    },
                    "explain": True,
                },
                200,
                {
                    "transaction_id": "t1",
                    "score": 0.35,
                    "risk": "low",
                    "flagged": False,
                    "reasons": ["large amount"],
                    "model_version": "rules-2024.1",
                },
            ),
            ({"transaction": {"transaction_id": "t3", "amount": -1}}, 400, None),
        ],
        "/score_batch": [
            (
                {
                    "transactions": [
                        {"transaction_id": "a", "amount": 10},
                        {"transaction_id": "b", "amount": 5000, "tags": ["risky"]},
                    ],
                    "timeout": 2.5,
                    "stream": True,
                },
                200,
                {
                    "results": [
                        {
                            "transaction_id": "a",
                            "score": 0.45,
                            "risk": "medium",
                            "flagged": False,
                            "reasons": [],
                            "model_version": "rules-2024.1",
                        },
                        {
                            "transaction_id": "b",
                            "score": 1.0,
                            "risk": "high",
                            "flagged": True,
                            "reasons": [],
                            "model_version": "rules-2024.1",
                        },
                    ],
                    "flagged_count": 1,
                    "timeout": 2.5,
                    "streamed": True,
                },
            )
        ],
        "/risk_level": [({"score": 0.8}, 200, "high"), ({"score": 1.5}, 400, None)],
    },
    "textops": {
        "/v1/count-tokens": [
            ({"text": "Hello, world! Hello."}, 200, 6),
            ({"text": "Hello, world! Hello.", "unique": True}, 200, 5),
        ],
        "/split": [
            ({"text": "a b  c"}, 200, ["a", "b", "c"]),
            ({"text": "a,b,c", "sep": ",", "maxsplit": 1}, 200, ["a", "b,c"]),
        ],
        "/version": [({}, 200, {"service": "TextOps", "version": "1.0.0"})],
    },
}


def _result(response: httpx.Response) -> Any:
    """Decode a reply by its content type: JSON, else text."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.json()
    return response.text


# The JSON-only examples; the ML examples (arrays, vision, jobs) take numpy arrays,
# images, files and tasks, and are exercised with real payloads by tests/test_e2e.py.
@pytest.fixture(scope="module", params=sorted(SAMPLES))
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """Each example, served once for the module: (name, base URL)."""
    with serve_example(request.param) as url:
        yield request.param, url


@pytest.fixture(scope="module")
def textops_url() -> Iterator[str]:
    """The textops example (BentoML APIs and a mounted FastAPI app)."""
    with serve_example("textops") as url:
        yield url


@pytest.fixture(scope="module")
def gateway(textops_url: str) -> Iterator[str]:
    """The gateway in front of textops: its public base URL."""
    with run_gateway(textops_url, prefix=PREFIX, token=TOKEN) as public:
        yield public


def test_every_api_answers(served: tuple[str, str]) -> None:
    """Every API listed in /docs.json answers its samples as expected."""
    name, url = served
    with httpx.Client(base_url=url, trust_env=False, timeout=30) as client:
        assert client.get("/readyz").status_code == 200
        doc = client.get("/docs.json").json()
        api_routes = {
            p
            for p, item in doc["paths"].items()
            if "x-bentoml-name" in item.get("post", {})
        }
        assert api_routes == set(SAMPLES[name]), "every API needs a sample"
        for route, cases in SAMPLES[name].items():
            for body, status, expected in cases:
                response = client.post(route, json=body)
                assert response.status_code == status, (route, body, response.text)
                if expected is not None or status == 200:
                    assert _result(response) == expected, (route, body)


def test_mounted_fastapi_app(textops_url: str) -> None:
    """The FastAPI app mounted at /admin is listed and answers, 404 and 422 included."""
    with httpx.Client(base_url=textops_url, trust_env=False, timeout=30) as client:
        paths = client.get("/docs.json").json()["paths"]
        assert {"/admin/dictionaries/{name}", "/admin/normalize"} <= set(paths)
        ok = client.get("/admin/dictionaries/stopwords", params={"limit": 3})
        assert ok.json() == {
            "name": "stopwords",
            "words": ["a", "an", "and"],
            "total": 8,
        }
        missing = client.get("/admin/dictionaries/nope")
        assert missing.status_code == 404
        assert missing.json() == {"detail": "dictionary 'nope' not found"}
        invalid = client.get("/admin/dictionaries/stopwords", params={"limit": 0})
        assert invalid.status_code == 422
        normalized = client.post("/admin/normalize", json={"text": "  Hello   World "})
        assert normalized.json() == {"text": "hello world", "changed": True}


def test_gateway_requires_token(gateway: str) -> None:
    """No, a wrong or a malformed token: 401 from the gateway itself."""
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = httpx.get(f"{gateway}/readyz", headers=headers, trust_env=False)
        assert response.status_code == 401
        assert response.json() == {"error": "unauthorized"}


def test_gateway_requires_prefix(gateway: str) -> None:
    """A valid token but a path outside the prefix: 404."""
    root = gateway.removesuffix(PREFIX)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for path in ("/readyz", "/org/project/readyz", f"{PREFIX}x/readyz"):
        response = httpx.get(f"{root}{path}", headers=auth, trust_env=False)
        assert response.status_code == 404


def test_gateway_proxies(gateway: str, textops_url: str) -> None:
    """With token and prefix, requests and replies pass through unchanged."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(
        base_url=gateway, headers=auth, trust_env=False, timeout=30
    ) as client:
        assert client.get("/readyz").status_code == 200
        direct = httpx.get(f"{textops_url}/docs.json", trust_env=False)
        assert client.get("/docs.json").content == direct.content
        assert client.post("/v1/count-tokens", json={"text": "a b"}).json() == 2
        query = client.get("/admin/dictionaries/greetings", params={"limit": 1})
        assert query.json() == {"name": "greetings", "words": ["hello"], "total": 3}
        missing = client.get("/admin/dictionaries/nope")
        assert (missing.status_code, missing.json()) == (
            404,
            {"detail": "dictionary 'nope' not found"},
        )
        # an iterator body goes out with Transfer-Encoding: chunked
        chunked = client.post(
            "/split",
            content=iter([b'{"text": ', b'"x y z"}']),
            headers={"Content-Type": "application/json"},
        )
        assert chunked.json() == ["x", "y", "z"]
        assert client.post("/split", json={}).status_code == 400
