"""svcgen itself runs where it says it does: installed on Python 3.10 and 3.13 (the ends of
``requires-python``), it generates every golden record byte for byte.

Each Python gets a fresh environment holding svcgen installed from its own wheel (not the
checkout), so a missing declaration (``tomli`` on 3.10) or a version-dependent output fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden_support import GOLDEN, golden_specs, read_tree
from tests.support.matrix import python_for
from tests.support.wheels import ROOT, UV, run

pytestmark = pytest.mark.e2e

#: Generates every spec given on the command line in memory and prints the files as JSON.
GENERATE = """
import json, sys
import svcgen
from svcgen import Config, build_files
from svcgen.source.load import load

assert "site-packages" in svcgen.__file__, svcgen.__file__
out = {}
for stem, path, options in json.loads(sys.argv[1]):
    values = {key: tuple(value) if isinstance(value, list) else value for key, value in options.items()}
    out[stem] = build_files(load(path).document, Config(source=path, **values)).files
print(json.dumps(out))
"""


@pytest.mark.parametrize("version", ["3.10", "3.13"])
def test_installed_svcgen_generates_the_golden_records(version: str, tmp_path: Path) -> None:
    home = tmp_path / "env"
    run([str(UV), "venv", "--quiet", "--python", str(python_for(version)), str(home)])
    python = home / "bin" / "python"
    run([str(UV), "pip", "install", "--quiet", "--python", str(python), str(ROOT)], timeout=1800)
    goldens = json.dumps([[golden.stem, str(golden.path), golden.options] for golden in golden_specs()])
    generated = json.loads(run([str(python), "-I", "-c", GENERATE, goldens], cwd=tmp_path, timeout=1800))
    for golden in golden_specs():
        assert generated[golden.stem] == read_tree(GOLDEN / golden.stem), f"{golden.stem} differs on Python {version}"
    help_text = run([str(home / "bin" / "svcgen"), "--version"], cwd=tmp_path)
    assert "svcgen" in help_text
