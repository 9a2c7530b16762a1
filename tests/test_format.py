"""Both formatting engines give the same black-style output, wherever svcgen runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

sys.path.insert(0, str(REPO_ROOT / "fixtures"))
from regenerate import Golden, golden_specs  # noqa: E402

from svcgen import build_files  # noqa: E402
from svcgen.core.errors import SvcgenError  # noqa: E402
from svcgen.output.format import format_tree  # noqa: E402
from svcgen.source.load import load  # noqa: E402


@pytest.mark.parametrize("golden", golden_specs(), ids=lambda golden: golden.stem)
def test_ruff_and_black_give_identical_packages(golden: Golden) -> None:
    document = load(str(golden.path)).document
    by_ruff = build_files(document, golden.config(formatter="ruff")).files
    by_black = build_files(document, golden.config(formatter="black")).files
    assert sorted(by_ruff) == sorted(by_black)
    different = [path for path in by_ruff if by_ruff[path] != by_black[path]]
    assert different == []


def test_formatter_ignores_configuration_in_the_current_folder(tmp_path: Path) -> None:
    """A consumer repo's ruff/black settings must not change generated code."""
    (tmp_path / "pyproject.toml").write_text(
        "[tool.ruff]\nline-length = 20\n[tool.ruff.format]\nquote-style = 'single'\nindent-style = 'tab'\n"
        "[tool.black]\nline-length = 20\nskip-string-normalization = true\n",
        encoding="utf-8",
    )
    (tmp_path / "ruff.toml").write_text("line-length = 20\n", encoding="utf-8")
    script = (
        "import json, sys; from svcgen.output.format import format_tree; "
        "files = json.load(sys.stdin); "
        "print(json.dumps({f: format_tree(files, f) for f in ('ruff', 'black')}))"
    )
    files = {"pkg/build/mod.py": "x = {'a':1,  'b':[1,2,3]}\ndef f(a,b):\n  return a+b\n", "pkg/mod.pyi": "def f(a:int)->int: ..."}
    import json

    result = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(files), cwd=tmp_path, capture_output=True, text=True, check=True
    )
    outputs = json.loads(result.stdout)
    here = format_tree(files)
    assert outputs["ruff"] == outputs["black"] == here
    assert here["pkg/build/mod.py"] == 'x = {"a": 1, "b": [1, 2, 3]}\n\n\ndef f(a, b):\n    return a + b\n'
    assert here["pkg/mod.pyi"] == "def f(a: int) -> int: ...\n"


def test_invalid_code_is_a_clean_error() -> None:
    for formatter in ("ruff", "black"):
        with pytest.raises(SvcgenError, match="not valid Python"):
            format_tree({"pkg/bad.py": "def (:\n"}, formatter)


def test_ruff_scratch_space_falls_back_to_the_temporary_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Formatting writes its scratch files in memory (/dev/shm) where it can; where that folder
    is missing or full, the ordinary temporary folder gives the same output."""
    from svcgen.output import format as formatting

    source = {"pkg/a.py": "x = {  'a':1 }\n", "pkg/a.pyi": "x : dict[str,int]\n", "README.md": "  kept  \n"}
    expected = {"pkg/a.py": 'x = {"a": 1}\n', "pkg/a.pyi": "x: dict[str, int]\n", "README.md": "  kept  \n"}
    assert format_tree(source) == expected

    monkeypatch.setattr(formatting, "_MEMORY_FOLDER", str(tmp_path / "missing"))
    assert format_tree(source) == expected

    parents: list[str | None] = []
    real = formatting._ruff_in

    def full_memory(sources: dict[str, str], parent: str | None) -> dict[str, str]:
        parents.append(parent)
        if parent is not None:
            raise OSError(28, "No space left on device")
        return real(sources, parent)

    monkeypatch.setattr(formatting, "_MEMORY_FOLDER", str(tmp_path))
    monkeypatch.setattr(formatting, "_ruff_in", full_memory)
    assert format_tree(source) == expected
    assert parents == [str(tmp_path), None]
