"""BentoCloud's ambient login: used like BentoML's own client, but only for BentoCloud hosts.

Every request goes through ``httpx.MockTransport``: nothing leaves the process,
so the BentoCloud host names below are never resolved or contacted.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from tests.runtime_support import Recorder

import calculator_client as calc  # noqa: E402  (a BentoML service's client; on sys.path via runtime_support)

pytest_plugins = ["tests.support.faults_fixtures"]

CLOUD = "https://calculator-a1b2.mt-guc1.bentoml.ai"
KEY = "ambient-cloud-key"


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A private ``BENTOML_HOME`` and no tokens in the environment, whatever the machine has."""
    for name in ("BENTO_CLOUD_API_KEY", "CALCULATOR_CLIENT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "bentoml-home"
    home.mkdir()
    monkeypatch.setenv("BENTOML_HOME", str(home))
    return home


def write_login(home: Path, current: str = "work") -> None:
    """What ``bentoml cloud login`` leaves in ``$BENTOML_HOME/.yatai.yaml``."""
    (home / ".yatai.yaml").write_text(
        "contexts:\n"
        "- name: personal\n  endpoint: https://personal.cloud.bentoml.com\n  api_token: personal-token\n"
        "  email: me@example.com\n"
        "- name: work\n  endpoint: https://work.cloud.bentoml.com\n  api_token: work-token\n"
        "  email: me@example.com\n"
        f"current_context_name: {current}\n",
        encoding="utf-8",
    )


def sent_authorization(base_url: str, **kwargs: object) -> str | None:
    recorder = Recorder(httpx.Response(200, json=3))
    calc.Client(base_url, http_client=recorder.sync_http(), **kwargs).add(a=1, b=2)  # type: ignore[arg-type]
    return recorder.last.headers.get("Authorization")


@pytest.mark.parametrize("host", [CLOUD, "https://x.bentoml.com", "https://bentoml.ai/prefix/path"])
def test_environment_key_goes_to_bentocloud_hosts(monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    monkeypatch.setenv("BENTO_CLOUD_API_KEY", KEY)
    assert sent_authorization(host) == f"Bearer {KEY}"


@pytest.mark.parametrize(
    "host",
    [
        "http://127.0.0.1:3000",
        "http://localhost:3000",
        "https://bentoml.ai.attacker.test",
        "https://notbentoml.ai",
        "https://example.com/bentoml.ai",
    ],
)
def test_ambient_credentials_never_go_elsewhere(
    monkeypatch: pytest.MonkeyPatch, no_ambient_credentials: Path, host: str
) -> None:
    monkeypatch.setenv("BENTO_CLOUD_API_KEY", KEY)
    write_login(no_ambient_credentials)
    assert sent_authorization(host) is None


def test_login_file_current_context_is_used(no_ambient_credentials: Path) -> None:
    write_login(no_ambient_credentials, current="work")
    assert sent_authorization(CLOUD) == "Bearer work-token"
    write_login(no_ambient_credentials, current="personal")
    assert sent_authorization(CLOUD) == "Bearer personal-token"


def test_environment_key_wins_over_login_file(monkeypatch: pytest.MonkeyPatch, no_ambient_credentials: Path) -> None:
    write_login(no_ambient_credentials)
    monkeypatch.setenv("BENTO_CLOUD_API_KEY", KEY)
    assert sent_authorization(CLOUD) == f"Bearer {KEY}"


@pytest.mark.parametrize(
    "content",
    ["", "::: not yaml", "contexts: 3\n", "current_context_name: gone\ncontexts:\n- name: work\n  api_token: t\n", "- a\n"],
)
def test_unusable_login_file_means_no_credentials(no_ambient_credentials: Path, content: str) -> None:
    (no_ambient_credentials / ".yatai.yaml").write_text(content, encoding="utf-8")
    assert sent_authorization(CLOUD) is None


def test_default_login_file_is_under_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("BENTOML_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "bentoml").mkdir()
    write_login(tmp_path / "bentoml")
    assert sent_authorization(CLOUD) == "Bearer work-token"


def test_login_file_read_only_when_needed(no_ambient_credentials: Path) -> None:
    write_login(no_ambient_credentials)
    client = calc.Client("http://127.0.0.1:3000")
    assert client._cloud_token is calc.NOT_GIVEN  # never read for a local server
    client.close()


def test_explicit_credentials_go_wherever_the_caller_points(
    monkeypatch: pytest.MonkeyPatch, no_ambient_credentials: Path
) -> None:
    monkeypatch.setenv("BENTO_CLOUD_API_KEY", KEY)
    write_login(no_ambient_credentials)
    assert sent_authorization("http://127.0.0.1:3000", token="explicit") == "Bearer explicit"
    assert sent_authorization(CLOUD, token="explicit") == "Bearer explicit"
    monkeypatch.setenv("CALCULATOR_CLIENT_TOKEN", "from-env")
    assert sent_authorization("http://127.0.0.1:3000") == "Bearer from-env"
    assert sent_authorization(CLOUD) == "Bearer from-env"
    monkeypatch.delenv("CALCULATOR_CLIENT_TOKEN")
    assert sent_authorization(CLOUD, headers={"Authorization": "Custom x"}) == "Custom x"
    assert sent_authorization(CLOUD, auth=("user", "pw")) == httpx.BasicAuth("user", "pw")._auth_header


def test_ambient_credentials_do_not_follow_a_redirect_off_bentocloud(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENTO_CLOUD_API_KEY", KEY)

    def reply(request: httpx.Request) -> httpx.Response:
        if request.url.host.endswith("bentoml.ai"):
            return httpx.Response(307, headers={"Location": "https://elsewhere.test/add"})
        return httpx.Response(200, json=3)

    recorder = Recorder(reply)
    assert calc.Client(CLOUD, http_client=recorder.sync_http()).add(a=1, b=2) == 3
    first, second = recorder.requests
    assert first.headers["Authorization"] == f"Bearer {KEY}"
    assert second.url.host == "elsewhere.test" and "Authorization" not in second.headers


def test_async_client_follows_the_same_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENTO_CLOUD_API_KEY", KEY)

    async def run(base_url: str) -> str | None:
        recorder = Recorder(httpx.Response(200, json=3))
        async with calc.AsyncClient(base_url, http_client=recorder.async_http()) as client:
            await client.add(a=1, b=2)
        return recorder.last.headers.get("Authorization")

    assert asyncio.run(run(CLOUD)) == f"Bearer {KEY}"
    assert asyncio.run(run("http://127.0.0.1:3000")) is None


def test_clients_of_other_services_ignore_bentocloud_login(
    monkeypatch: pytest.MonkeyPatch, no_ambient_credentials: Path, fc: ModuleType
) -> None:
    """Only a BentoML service's client uses the BentoCloud login (``faults_client`` is a plain API)."""
    monkeypatch.setenv("BENTO_CLOUD_API_KEY", KEY)
    write_login(no_ambient_credentials)
    recorder = Recorder(httpx.Response(200, json={"id": 1, "name": "one"}))
    fc.Client(CLOUD, http_client=recorder.sync_http()).get_item(item_id=1)
    assert "Authorization" not in recorder.last.headers
