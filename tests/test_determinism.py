"""The same spec gives byte-identical output under other hash seeds and working directories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.golden_support import ROOT, golden_specs

CORPUS = ROOT.parent / "shared" / "corpus"

SCRIPT = """
import hashlib, json, sys
from svcgen import Config, build_files
from svcgen.models import ahead
from svcgen.source.load import load
taken, started = [], []
result_of, made = ahead.Ahead.result, ahead.Ahead.__init__
def counted(self):
    taken.append(1)
    return result_of(self)
def counted_start(self, *args):
    started.append(1)
    made(self, *args)
ahead.Ahead.result, ahead.Ahead.__init__ = counted, counted_start
result = {}
for name, spec, options in json.loads(sys.argv[1]):
    config = Config(source=spec, jobs=int(sys.argv[2]), **{key: tuple(v) if isinstance(v, list) else v for key, v in options.items()})
    files = build_files(load(spec).document, config).files
    result[name] = {path: hashlib.sha256(text.encode()).hexdigest() for path, text in sorted(files.items())}
print(json.dumps({"digests": result, "workers": len(started), "worker_results": len(taken)}, sort_keys=True))
"""


def _run(seed: str, cwd: Path, jobs: int = 1, extra: tuple[Path, ...] = ()) -> dict[str, Any]:
    entries = [[golden.stem, str(golden.path), golden.options] for golden in golden_specs()]
    specs = [json.dumps(entries + [[path.stem, str(path), {}] for path in extra])]
    env = {**os.environ, "PYTHONHASHSEED": seed, "LC_ALL": "C"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *specs, str(jobs)], cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=600
    )
    return dict(json.loads(result.stdout))


def _digests(seed: str, cwd: Path, jobs: int = 1) -> dict[str, dict[str, str]]:
    return dict(_run(seed, cwd, jobs)["digests"])


def test_output_does_not_depend_on_hash_seed_or_directory(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 20\nskip-string-normalization = true\n")
    first = _digests("1", ROOT)
    second = _digests("4242", tmp_path)
    assert first == second
    assert len(first) == len(golden_specs()) and all(len(files) > 10 for files in first.values())


def test_output_does_not_depend_on_the_number_of_processes(tmp_path: Path) -> None:
    """With more than one process the models stage may run its whole generation in a worker,
    ahead of the probe that decides its input (svcgen.models.ahead): the golden packages, a
    corpus document whose probe changes nothing (the worker's module is used) and one whose
    probe parts a child from its parent (the worker's module is thrown away) come out the same
    with 1, 2 and 4 processes."""
    parted = tmp_path / "parted.json"
    parted.write_text(json.dumps(_document_with_a_redeclared_field()))
    extra = (CORPUS / "spotify-web-api-fixed.v3.0.yaml", parted)
    one = _run("0", ROOT, jobs=1, extra=extra)
    assert one["workers"] == 0, "one process forks no worker"
    for jobs in (2, 4):
        many = _run("0", ROOT, jobs=jobs, extra=extra)
        assert many["digests"] == one["digests"]
        assert many["worker_results"] > 0, "no document let the worker's result be used"
        assert many["workers"] > many["worker_results"], "no worker's result was thrown away"


def _document_with_a_redeclared_field() -> dict[str, Any]:
    def ref(name: str) -> dict[str, str]:
        return {"$ref": f"#/components/schemas/{name}"}

    schemas = {
        "Base": {"type": "object", "properties": {"tag": {"type": "string", "enum": ["x", "y"]}}, "required": ["tag"]},
        "Child": {"allOf": [ref("Base"), {"type": "object", "properties": {"tag": {"type": "string", "enum": ["z"]}}}]},
        "Leaf": {"allOf": [ref("Base"), {"type": "object", "properties": {"extra": {"type": "string"}}}]},
    }
    answer = {"200": {"description": "ok", "content": {"application/json": {"schema": ref("Child")}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Parted", "version": "1"},
        "paths": {"/child": {"post": {"operationId": "child", "requestBody": {"content": {"application/json": {"schema": ref("Leaf")}}}, "responses": answer}}},
        "components": {"schemas": schemas},
    }
