"""Large APIs' models load lazily: importing the package and building a client imports no model.

The threshold is lowered so that a small captured document (KServe's) takes
the large-API path; the corpus tests cover the real large documents.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import svcgen.pipeline
from svcgen import Config, build_files
from svcgen.source.load import load
from tests.support import allowlists
from tests.support.wheels import installed, python_env

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "fixtures" / "specs" / "kserve.json"
PACKAGE = "lazy_kserve"



@pytest.fixture(scope="module")
def lazy_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lazy")
    saved = svcgen.pipeline.LAZY_THRESHOLD
    svcgen.pipeline.LAZY_THRESHOLD = 0
    try:
        files = build_files(load(str(SPEC)).document, Config(source=str(SPEC), name=PACKAGE)).files
    finally:
        svcgen.pipeline.LAZY_THRESHOLD = saved
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def _python(folder: Path, code: str) -> str:
    """Run ``code`` against the package installed from the project's wheel (not from ``folder``)."""
    site = installed(folder)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=site.parent, env=python_env(site), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_models_are_a_package_of_small_modules(lazy_package: Path) -> None:
    models = lazy_package / PACKAGE / "models"
    assert not (lazy_package / PACKAGE / "models.py").exists()
    assert (models / "__init__.py").is_file() and (models / "__init__.pyi").is_file()
    assert len(list(models.glob("_*.py"))) >= 10
    client = (lazy_package / PACKAGE / "_client.py").read_text()
    assert "from . import models as _models" in client
    assert "lambda: _models.ModelMetadataResponse" in client


def test_import_and_construction_load_no_model(lazy_package: Path) -> None:
    code = f"""
import json, sys, httpx
import {PACKAGE}
client = {PACKAGE}.Client("http://127.0.0.1:1")
before = sorted(m for m in sys.modules if m.startswith("{PACKAGE}.models."))

def reply(request):
    return httpx.Response(200, json={{"name": "m", "platform": "", "inputs": [], "outputs": []}})

client = {PACKAGE}.Client("http://api.test", http_client=httpx.Client(transport=httpx.MockTransport(reply)))
answer = client.model_metadata(model_name="m")
after = sorted(m for m in sys.modules if m.startswith("{PACKAGE}.models."))
print(json.dumps({{"before": before, "after": after, "type": type(answer).__name__, "name": answer.name}}))
"""
    report = json.loads(_python(lazy_package, code))
    assert report["before"] == []
    assert report["type"] == "ModelMetadataResponse" and report["name"] == "m"
    # Only the answer's model and the models it refers to were imported.
    assert f"{PACKAGE}.models._model_metadata_response" in report["after"]
    assert f"{PACKAGE}.models._inference_request" not in report["after"]
    assert len(report["after"]) < 5


def test_models_are_reachable_by_name(lazy_package: Path) -> None:
    code = f"""
import {PACKAGE}, {PACKAGE}.models as models
from {PACKAGE} import InferenceRequest
from {PACKAGE}.models import RequestInput
assert {PACKAGE}.InferenceRequest is models.InferenceRequest is InferenceRequest
assert set(models.__all__) <= set(dir(models))
request = InferenceRequest(inputs=[RequestInput(name="x", shape=[1], datatype="FP32", data=[1.0])])
print(request.model_dump_json())
try:
    {PACKAGE}.NoSuchModel
except AttributeError as error:
    print("missing:", error)
"""
    output = _python(lazy_package, code)
    assert '"datatype":"FP32"' in output and "missing:" in output


def test_lazy_package_type_checks_and_stubs_agree(lazy_package: Path) -> None:
    cache = ROOT / ".cache" / "mypy-lazy"
    site = installed(lazy_package)
    env = {**python_env(site), "MYPYPATH": str(site)}
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), "-p", PACKAGE],
        cwd=site.parent, env=env, capture_output=True, text=True, timeout=600,
    )
    assert mypy.returncode == 0, mypy.stdout[-4000:]
    stubtest = allowlists.stubtest(lazy_package, PACKAGE, site=site)  # the generator's allowlists, every entry needed
    assert stubtest.returncode == 0, stubtest.stdout[-4000:]
