"""A saved document gives the same package as the live service it was fetched from (DESIGN §2a)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.services import serve_example

pytestmark = pytest.mark.e2e


def _svcgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "svcgen", *args], capture_output=True, text=True, timeout=300)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_fetch_saves_schema_json_facts_and_regenerates_identically(tmp_path: Path) -> None:
    with serve_example("jobs") as url:
        fetched = _svcgen("fetch", url, "-o", str(tmp_path / "spec.json"))
        assert fetched.returncode == 0, fetched.stderr
        live = _svcgen("generate", url, "-o", str(tmp_path / "live"))
        assert live.returncode == 0, live.stderr
    saved = _svcgen("generate", str(tmp_path / "spec.json"), "-o", str(tmp_path / "saved"))
    assert saved.returncode == 0, saved.stderr
    document = json.loads((tmp_path / "spec.json").read_text())
    train = document["paths"]["/train"]["post"]
    assert train["x-bentoml-task"] is True and train["x-bentoml-output"]["title"] == "TrainingReportIODescriptor"
    assert document["paths"]["/count"]["post"]["x-bentoml-stream"] is True
    assert document["servers"] == [{"url": url}]
    assert _tree(tmp_path / "live") == _tree(tmp_path / "saved")
