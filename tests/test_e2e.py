"""End to end: real BentoML services → svcgen generate (from the live URL) → pip install → call everything.

Every generated client is installed into one of two shared virtual
environments: ``clients_python`` has only the generated packages' own
dependencies (httpx, pydantic); ``ml_clients_python`` adds the optional ML
libraries (numpy, pandas, pillow) that array, DataFrame and image payloads need.
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.support.generated_pkg import CORPUS
from tests.support.kserve import serve_kserve, serve_kserve_grpc
from tests.support.services import run_gateway, serve_example
from tests.support.wheels import build_wheel, distribution_name

pytestmark = pytest.mark.e2e

CALLS = Path(__file__).parent / "e2e_calls"
CLOUD_TOKEN = "e2e-secret-token"
OIP_SPEC = CORPUS / "open-inference-protocol-rest.yaml"
#: The generated packages' optional extras, pinned to the versions of the dev venv.
ML_LIBRARIES = ("numpy", "pandas", "pillow")
#: What an OIP client's ``grpc`` extra brings, pinned to the versions of the dev venv.
GRPC_LIBRARIES = ("numpy", "grpcio", "protobuf")


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)  # type: ignore[call-overload]


@pytest.fixture(scope="session")
def clients_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only what generated packages need."""
    home = tmp_path_factory.mktemp("clients-venv")
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    result = _run([str(python), "-m", "pip", "install", "-q", "httpx>=0.27,<1", "pydantic>=2.7,<3"])
    assert result.returncode == 0, result.stderr
    return python


def _pinned(distribution: str) -> str:
    """``name==version`` as installed in the environment running the tests (unpinned if absent)."""
    try:
        return f"{distribution}=={importlib.metadata.version(distribution)}"
    except importlib.metadata.PackageNotFoundError:
        return distribution


@pytest.fixture(scope="session")
def ml_clients_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with what generated packages need, plus numpy, pandas and pillow."""
    home = tmp_path_factory.mktemp("ml-clients-venv")
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    packages = ["httpx>=0.27,<1", "pydantic>=2.7,<3"]
    result = _run([str(python), "-m", "pip", "install", "-q", *packages, *map(_pinned, ML_LIBRARIES)])
    assert result.returncode == 0, result.stderr
    return python


@pytest.fixture(scope="session")
def aiohttp_clients_python(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A fresh virtual environment for a package installed with its ``aiohttp`` extra, and a pip
    constraints file holding that extra's libraries to the dev venv's versions."""
    home = tmp_path_factory.mktemp("aiohttp-clients-venv")
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    result = _run([str(python), "-m", "pip", "install", "-q", "httpx>=0.27,<1", "pydantic>=2.7,<3"])
    assert result.returncode == 0, result.stderr
    constraints = home / "constraints.txt"
    constraints.write_text("\n".join(map(_pinned, ("httpx-aiohttp", "aiohttp"))) + "\n")
    return python, constraints


def _generate_and_install(source: str, out: Path, python: Path, *extra: str) -> None:
    """Generate from ``source``, build the project's wheel (isolated, with its pinned backend) and install it."""
    result = _run([sys.executable, "-m", "svcgen", "generate", source, "-o", str(out), *extra])
    assert result.returncode == 0, result.stderr
    assert (out / "pyproject.toml").is_file()
    install = _run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(build_wheel(out))])
    assert install.returncode == 0, install.stderr


def _call(python: Path, script: str, *args: str) -> str:
    result = _run([str(python), str(CALLS / script), *args], cwd=CALLS.parent.parent.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok "), result.stdout
    return result.stdout


@pytest.mark.parametrize("example", ["calculator", "scoring", "textops", "reviews"])
def test_generated_client_calls_every_operation(example: str, clients_python: Path, tmp_path: Path) -> None:
    with serve_example(example) as url:
        _generate_and_install(url, tmp_path / example, clients_python)
        output = _call(clients_python, f"{example}.py", url)
    assert "sync=" in output and "async=" in output


def test_aiohttp_backend_and_map_against_a_real_service(
    aiohttp_clients_python: tuple[Path, Path], tmp_path: Path
) -> None:
    """Installed with its ``aiohttp`` extra (which brings httpx-aiohttp), the client calls the real
    calculator over aiohttp, and ``map`` runs 20 calls of it, sync and async."""
    python, constraints = aiohttp_clients_python
    out = tmp_path / "calculator"
    with serve_example("calculator") as url:
        result = _run([sys.executable, "-m", "svcgen", "generate", url, "-o", str(out)])
        assert result.returncode == 0, result.stderr
        absent = _run([str(python), "-c", "import httpx_aiohttp"])
        assert absent.returncode != 0  # only the extra installs it
        pip = [str(python), "-m", "pip", "install", "-q", "-c", str(constraints)]
        install = _run([*pip, f"{distribution_name(out)}[aiohttp] @ {build_wheel(out).as_uri()}"])
        assert install.returncode == 0, install.stderr
        output = _call(python, "aiohttp_calculator.py", url)
    assert output.startswith("ok sync=2 async=9"), output


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


@pytest.mark.parametrize("example", ["arrays", "vision", "jobs"])
def test_generated_ml_client_calls_every_operation(
    example: str, ml_clients_python: Path, tmp_path: Path
) -> None:
    """numpy/pandas payloads, images and files, streams and tasks, against the real services."""
    with serve_example(example) as url:
        _generate_and_install(url, tmp_path / example, ml_clients_python)
        output = _call(ml_clients_python, f"{example}.py", url)
    assert "sync=" in output and "async=" in output


def test_jobs_stream_break_releases_its_connection(
    ml_clients_python: Path, tmp_path: Path
) -> None:
    """On a one-connection pool the call after ``break`` needs the connection the stream held."""
    with serve_example("jobs") as url:
        _generate_and_install(url, tmp_path / "jobs", ml_clients_python)
        result = _run([str(ml_clients_python), str(CALLS / "jobs.py"), url, "--break-releases-connection"])
    output = result.stdout + result.stderr
    assert "PoolTimeout" not in output, output[-2000:]
    assert result.returncode == 0 and result.stdout.startswith("ok "), output


PLAIN_ARRAYS_SCRIPT = """
import importlib.util, sys
assert importlib.util.find_spec("numpy") is None and importlib.util.find_spec("pandas") is None
import arrays_client
assert "site-packages" in arrays_client.__file__, arrays_client.__file__
with arrays_client.Client(sys.argv[1], max_retries=0) as client:
    assert client.is_ready()
    assert set(client.info()) == {"numpy", "pandas"}  # needs neither library on this side
    for call, extra in ((lambda: client.standardize(x=[[1.0, 2.0, 3.0, 4.0]]), "numpy"),
                        (lambda: client.describe(table=[{"name": "a", "score": 1.0}]), "pandas")):
        try:
            call()
        except arrays_client.MissingDependencyError as error:
            assert isinstance(error, ImportError)
            assert f"pip install 'arrays-client[{extra}]'" in str(error), str(error)
        else:
            raise AssertionError(f"no MissingDependencyError without {extra}")
print("ok missing-dependency")
"""


def test_arrays_client_without_numpy_names_the_extra(clients_python: Path, tmp_path: Path) -> None:
    """Without the optional libraries the package imports and works; ML calls say what to install."""
    with serve_example("arrays") as url:
        _generate_and_install(url, tmp_path / "arrays", clients_python)
        result = _run([str(clients_python), "-c", PLAIN_ARRAYS_SCRIPT, url], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok "), result.stdout


def test_kserve_model_server_end_to_end(ml_clients_python: Path, tmp_path: Path) -> None:
    """A real kserve.ModelServer: live/ready, metadata, v1 :predict, v2 /infer with numpy tensors, real errors."""
    with serve_kserve() as url:
        _generate_and_install(url, tmp_path / "kserve", ml_clients_python, "--name", "kserve_client")
        output = _call(ml_clients_python, "kserve.py", url)
    assert "sync=" in output and "async=" in output


def test_open_inference_protocol_document_against_kserve(ml_clients_python: Path, tmp_path: Path) -> None:
    """The OIP document's ``${MODEL_NAME}`` paths build the URLs a real server routes."""
    with serve_kserve() as url:
        _generate_and_install(str(OIP_SPEC), tmp_path / "oip", ml_clients_python, "--name", "oip_client")
        output = _call(ml_clients_python, "oip.py", url)
    assert "sync=" in output and "async=" in output


@pytest.fixture(scope="session")
def httpx2_clients_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh Python 3.11 environment for clients built on httpx2: exactly the oldest httpx2 the
    generated packages accept (their floor), pydantic and the ML extras, and no httpx at all.
    (The runtime tests run on the newest httpx2, the dev venv's.)"""
    from svcgen.output.http_library import LIBRARIES

    if sys.version_info < (3, 11):
        pytest.skip("httpx2 needs Python 3.11")
    home = tmp_path_factory.mktemp("httpx2-clients-venv")
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    floor = re.fullmatch(r"httpx2>=([\d.]+),<\d+", LIBRARIES["httpx2"].requirement)
    assert floor is not None, LIBRARIES["httpx2"].requirement
    packages = [f"httpx2=={floor[1]}", "pydantic>=2.7,<3", "setuptools>=69", "wheel"]
    result = _run([str(python), "-m", "pip", "install", "-q", *packages, *map(_pinned, ML_LIBRARIES)])
    assert result.returncode == 0, result.stderr
    version = _run([str(python), "-c", "import sys; print(sys.version_info[:2] >= (3, 11))"])
    assert version.stdout.strip() == "True", version.stdout
    assert _run([str(python), "-c", "import httpx"]).returncode != 0  # nothing brought httpx in
    return python


@pytest.mark.parametrize("example", ["calculator", "jobs"])
def test_httpx2_client_calls_every_operation(example: str, httpx2_clients_python: Path, tmp_path: Path) -> None:
    """``--http-library httpx2``: the client installs without httpx and calls every operation of the
    real service (streams, files and tasks for jobs, with an injected ``httpx2.Client``)."""
    with serve_example(example) as url:
        _generate_and_install(url, tmp_path / example, httpx2_clients_python, "--http-library", "httpx2")
        output = _call(httpx2_clients_python, f"{example}.py", url)
    assert "sync=" in output and "async=" in output and output.rstrip().endswith("library=httpx2"), output


def test_kserve_tensors_over_json_binary_rest_and_grpc(tmp_path: Path) -> None:
    """``infer_arrays`` against the real KServe echo model over JSON REST, binary REST and gRPC
    (sync and async): FP32, INT64, FP16, BYTES and a 16 MB tensor come back exactly. The client
    is installed with its ``grpc`` extra into a fresh environment."""
    home = tmp_path / "grpc-venv"
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    constraints = home / "constraints.txt"
    constraints.write_text("\n".join(map(_pinned, GRPC_LIBRARIES)) + "\n")
    with serve_kserve_grpc() as (url, target):
        out = tmp_path / "kserve"
        result = _run([sys.executable, "-m", "svcgen", "generate", url, "-o", str(out), "--name", "kserve_client"])
        assert result.returncode == 0, result.stderr
        pip = [str(python), "-m", "pip", "install", "-q", "-c", str(constraints)]
        install = _run([*pip, f"{distribution_name(out)}[grpc] @ {build_wheel(out).as_uri()}"])
        assert install.returncode == 0, install.stderr
        output = _call(python, "kserve_tensors.py", url, target)
    assert output.startswith("ok rest=8 grpc=4 async=9"), output
