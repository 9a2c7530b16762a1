"""The same spec gives byte-identical output under other hash seeds and working directories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.golden_support import ROOT, golden_specs

SCRIPT = """
import hashlib, json, sys
from svcgen import Config, build_files
from svcgen.source.load import load
result = {}
for name, spec, options in json.loads(sys.argv[1]):
    config = Config(source=spec, **{key: tuple(v) if isinstance(v, list) else v for key, v in options.items()})
    files = build_files(load(spec).document, config).files
    result[name] = {path: hashlib.sha256(text.encode()).hexdigest() for path, text in sorted(files.items())}
print(json.dumps(result, sort_keys=True))
"""


def _digests(seed: str, cwd: Path) -> dict[str, dict[str, str]]:
    specs = [json.dumps([[golden.stem, str(golden.path), golden.options] for golden in golden_specs()])]
    env = {**os.environ, "PYTHONHASHSEED": seed, "LC_ALL": "C"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *specs], cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=600
    )
    return json.loads(result.stdout)


def test_output_does_not_depend_on_hash_seed_or_directory(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 20\nskip-string-normalization = true\n")
    first = _digests("1", ROOT)
    second = _digests("4242", tmp_path)
    assert first == second
    assert len(first) == len(golden_specs()) and all(len(files) > 10 for files in first.values())
