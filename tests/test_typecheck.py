"""The golden packages, installed from their wheels, pass mypy --strict, basedpyright (strict) and stubtest."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.golden_support import GOLDEN, ROOT, golden_specs
from tests.support import allowlists
from tests.support.wheels import installed

SPECS = golden_specs()
CACHE = ROOT / ".cache" / "typecheck"
BIN = Path(sys.executable).parent


def _package(folder: Path) -> str:
    (package,) = [p.name for p in folder.iterdir() if (p / "_svcgen.json").is_file()]
    return package


def _run(args: list[str], cwd: Path, site: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run a checker in ``cwd`` (never the project folder); with ``site``, the packages installed there are visible."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if site is not None:
        env.update(MYPYPATH=str(site), PYTHONPATH=str(site), PYTHONSAFEPATH="1")
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(scope="module", params=SPECS, ids=[spec.stem for spec in SPECS])
def golden_copy(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str, Path]:
    """One golden project, a working folder of its own (checkers' caches never land in fixtures/),
    the package name, and the folder where its wheel is installed."""
    project = GOLDEN / request.param.stem
    floor = _python_floor(project)
    if sys.version_info < tuple(map(int, floor.split("."))):
        pytest.skip(f"the package needs Python {floor}")  # a client built on httpx2 (3.11)
    work = tmp_path_factory.mktemp(request.param.stem)
    return project, work, _package(project), installed(project)


def _python_floor(folder: Path) -> str:
    """The package's own ``requires-python`` floor: 3.10, or 3.11 for a client built on httpx2."""
    floor = re.search(r'requires-python = ">=(\d+\.\d+)"', (folder / "pyproject.toml").read_text())
    assert floor is not None
    return floor[1]


def test_mypy_strict(golden_copy: tuple[Path, Path, str, Path]) -> None:
    project, work, package, site = golden_copy
    cache = CACHE / "mypy" / project.name
    result = _run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), "-p", package], work, site)
    assert result.returncode == 0, result.stdout + result.stderr


def test_basedpyright_strict(golden_copy: tuple[Path, Path, str, Path]) -> None:
    project, work, package, site = golden_copy
    config = {"typeCheckingMode": "strict", "pythonVersion": _python_floor(project), "extraPaths": [str(site)]}
    (work / "pyrightconfig.json").write_text(json.dumps(config))
    result = _run([str(BIN / "basedpyright"), "--pythonpath", sys.executable, str(site / package)], work)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def test_stubtest(golden_copy: tuple[Path, Path, str, Path]) -> None:
    """stubtest agrees with the stubs of the installed package, given only the allowlist entries this
    package needs here: no --ignore-unused-allowlist, so an entry nothing matches fails too."""
    project, _, package, site = golden_copy
    result = allowlists.stubtest(project, package, site=site)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def test_allowlists_hold_no_root_model_entry_without_root_models(golden_copy: tuple[Path, Path, str, Path]) -> None:
    """A package whose models have no RootModel ships the common allowlist with no entry."""
    folder = golden_copy[0]
    models = "".join(path.read_text() for path in folder.rglob("models*.py"))
    written = sorted(path.name for path in folder.glob("stubtest-allowlist*.txt"))
    entries = [line for name in written for line in (folder / name).read_text().splitlines() if line and not line.startswith("#")]
    if "RootModel" not in models:
        assert (written, entries) == (["stubtest-allowlist.txt"], [])


#: A caller of the scoring client passes plain data wherever a model is expected, alone or in a
#: list (DESIGN §2a: validated client-side), mixed with model instances. Plain data is typed by
#: the request models' typed dicts (wire names as keys), enum values may be given as strings,
#: and sequence arguments take any sequence of a compatible type. The service's own pydantic
#: classes are accepted too (validated against the schema before sending).
_PLAIN_CALLER = '''
import pydantic

from fraud_scoring_client import AsyncClient, Client, Transaction
from fraud_scoring_client.params import TransactionParam


class OwnTransaction(pydantic.BaseModel):
    transaction_id: str
    amount: float


def call(client: Client, rows: list[TransactionParam]) -> None:
    client.score(transaction={"transaction_id": "t", "amount": 1.0, "channel": "web", "from": "acct", "3ds-verified": True})
    client.score(transaction={"transaction_id": "t", "amount": 1, "items": ({"sku": "a", "unit_price": 2},), "tags": ["x"]})
    client.score_batch(transactions=rows)
    client.score_batch(transactions=[Transaction(transaction_id="t", amount=1.0), {"transaction_id": "u", "amount": 2.0}])
    client.score_batch(transactions=(Transaction(transaction_id="t", amount=1.0),))
    client.score(transaction=OwnTransaction(transaction_id="t", amount=1.0))
    client.score_batch(transactions=[OwnTransaction(transaction_id="t", amount=1.0), {"transaction_id": "u", "amount": 2.0}])


async def call_async(client: AsyncClient, rows: list[TransactionParam]) -> None:
    await client.score_batch(transactions=rows)
    await client.score(transaction=OwnTransaction(transaction_id="t", amount=1.0))
'''
#: Each of these fails at the server (or in client-side validation): it must fail type checking.
_WRONG_CALLS = {
    "not-a-model": "client.score_batch(transactions=[1, 2])",
    "misspelt-key": 'client.score(transaction={"transaction_idd": "t", "amount": 1.0})',
    "missing-key": 'client.score(transaction={"amount": 1.0})',
    "unknown-enum-value": 'client.score(transaction={"transaction_id": "t", "amount": 1.0, "channel": "fax"})',
    "none-for-required": 'client.score(transaction={"transaction_id": None, "amount": 1.0})',
    "untyped-dicts": "client.score_batch(transactions=rows)",
    "not-a-pydantic-model": 'client.score(transaction=object())',
    "model-class-not-instance": "client.score(transaction=Transaction)",
}
_WRONG_CALLER = '''
from typing import Any

from fraud_scoring_client import Client, Transaction


def call(client: Client, rows: list[dict[str, Any]]) -> None:
    {call}
'''
_MYPY_ERRORS = ("[list-item]", "[arg-type]", "[typeddict-item]", "[typeddict-unknown-key]", "[dict-item]")


def test_model_parameters_accept_typed_plain_data_under_mypy(tmp_path: Path) -> None:
    (tmp_path / "caller.py").write_text(_PLAIN_CALLER)
    result = _run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "caller.py"], tmp_path, installed(GOLDEN / "scoring"))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("call", list(_WRONG_CALLS.values()), ids=list(_WRONG_CALLS))
def test_wrong_plain_data_fails_under_mypy(call: str, tmp_path: Path) -> None:
    (tmp_path / "caller.py").write_text(_WRONG_CALLER.replace("{call}", call))
    result = _run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "caller.py"], tmp_path, installed(GOLDEN / "scoring"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert any(code in result.stdout for code in _MYPY_ERRORS), result.stdout


#: A caller of an Open Inference Protocol client's tensor-first calls, REST and gRPC, sync and async.
_OIP_CALLER = '''
from typing import Any

import numpy as np
import numpy.typing as npt

from k_serve_model_server_client import AsyncClient, AsyncGrpcClient, Client, GrpcClient, Tensor


def call(client: Client, grpc_client: GrpcClient) -> npt.NDArray[Any]:
    x = np.ones((2, 3), np.float32)
    outputs: dict[str, npt.NDArray[Any]] = client.infer_arrays(
        model_name="m", inputs={"x": x, "t": Tensor(["a"], "BYTES")}, outputs=["y"], binary=False
    )
    ready: bool = client.is_model_ready("m", "1") and grpc_client.is_model_ready("m")
    client.binary_extension = True
    more = grpc_client.infer_arrays(model_name="m", inputs={"x": [[1.0, 2.0]]}, timeout=5.0, extra_headers={"a": "b"})
    return outputs["y"] if ready else more["y"]


async def call_async(client: AsyncClient, grpc_client: AsyncGrpcClient) -> None:
    await client.infer_arrays(model_name="m", inputs={"x": np.zeros(3)})
    await grpc_client.infer_arrays(model_name="m", inputs={"x": np.zeros(3)}, model_version="2")
'''


def test_oip_tensor_calls_type_check_under_mypy(tmp_path: Path) -> None:
    (tmp_path / "caller.py").write_text(_OIP_CALLER)
    result = _run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "caller.py"], tmp_path, installed(GOLDEN / "kserve"))
    assert result.returncode == 0, result.stdout + result.stderr
    (tmp_path / "caller.py").write_text(_OIP_CALLER.replace('binary=False', 'binary="no"'))
    wrong = _run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "caller.py"], tmp_path, installed(GOLDEN / "kserve"))
    assert wrong.returncode != 0 and "[arg-type]" in wrong.stdout, wrong.stdout


#: The response-validation mode never changes a call's static return type (sync, async, per call).
_VALIDATION_CALLER = '''
from typing_extensions import assert_type

from fraud_scoring_client import AsyncClient, BatchResult, Client, FraudScore, ValidateResponses
from fraud_scoring_client.params import TransactionParam

TX: TransactionParam = {"transaction_id": "t", "amount": 1.0}


def call(mode: ValidateResponses) -> None:
    for client in (Client(validate_responses="strict"), Client(validate_responses="lenient"), Client(validate_responses=mode)):
        assert_type(client.score(transaction=TX), FraudScore)
        assert_type(client.with_options(validate_responses="off").score_batch(transactions=[TX]), BatchResult)
    assert_type(Client().validate_responses, ValidateResponses)


async def call_async() -> None:
    client = AsyncClient(validate_responses="off")
    assert_type(await client.score(transaction=TX), FraudScore)
    assert_type(await client.with_options(validate_responses="lenient").score(transaction=TX), FraudScore)
'''


def test_validate_responses_keeps_the_return_types_under_mypy(tmp_path: Path) -> None:
    (tmp_path / "caller.py").write_text(_VALIDATION_CALLER)
    site = installed(GOLDEN / "scoring")
    result = _run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "caller.py"], tmp_path, site)
    assert result.returncode == 0, result.stdout + result.stderr
    (tmp_path / "caller.py").write_text(_VALIDATION_CALLER.replace('validate_responses="off")', 'validate_responses="loose")'))
    wrong = _run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "caller.py"], tmp_path, site)
    assert wrong.returncode == 1 and "[arg-type]" in wrong.stdout, wrong.stdout
