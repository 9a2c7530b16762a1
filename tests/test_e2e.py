"""End to end: real BentoML services → svcgen generate (from the live URL) → pip install → call everything.

Every generated client is installed into one shared virtual environment that
has only the generated packages' own dependencies (httpx, pydantic).
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.support.services import run_gateway, serve_example

pytestmark = pytest.mark.e2e

CALLS = Path(__file__).parent / "e2e_calls"
CLOUD_TOKEN = "e2e-secret-token"


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)  # type: ignore[call-overload]


@pytest.fixture(scope="session")
def clients_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only what generated packages need."""
    home = tmp_path_factory.mktemp("clients-venv")
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    result = _run([str(python), "-m", "pip", "install", "-q", "httpx>=0.27,<1", "pydantic>=2.7,<3", "setuptools>=69", "wheel"])
    assert result.returncode == 0, result.stderr
    return python


def _generate_and_install(source: str, out: Path, python: Path, *extra: str) -> None:
    result = _run([sys.executable, "-m", "svcgen", "generate", source, "-o", str(out), *extra])
    assert result.returncode == 0, result.stderr
    assert (out / "pyproject.toml").is_file()
    install = _run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", str(out)])
    assert install.returncode == 0, install.stderr


def _call(python: Path, script: str, *args: str) -> str:
    result = _run([str(python), str(CALLS / script), *args], cwd=CALLS.parent.parent.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok "), result.stdout
    return result.stdout


@pytest.mark.parametrize("example", ["calculator", "scoring", "textops"])
def test_generated_client_calls_every_operation(example: str, clients_python: Path, tmp_path: Path) -> None:
    with serve_example(example) as url:
        _generate_and_install(url, tmp_path / example, clients_python)
        output = _call(clients_python, f"{example}.py", url)
    assert "sync=" in output and "async=" in output


def test_cloud_variant_behind_prefix_and_token(clients_python: Path, tmp_path: Path) -> None:
    with serve_example("scoring") as upstream, run_gateway(upstream, token=CLOUD_TOKEN) as public:
        # Without the token the document itself cannot be fetched: exit 2, one line.
        refused = _run([sys.executable, "-m", "svcgen", "generate", public, "-o", str(tmp_path / "refused")])
        assert refused.returncode == 2 and "401" in refused.stderr and not (tmp_path / "refused").exists()
        out = tmp_path / "cloud"
        _generate_and_install(public, out, clients_python, "--token", CLOUD_TOKEN, "--name", "fraud_scoring_cloud_client")
        written = "".join(p.read_text() for p in out.rglob("*") if p.is_file())
        assert CLOUD_TOKEN not in written
        assert public in (out / "fraud_scoring_cloud_client" / "_client.py").read_text()
        _call(clients_python, "cloud.py", public, CLOUD_TOKEN)
