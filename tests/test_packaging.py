"""The wheel of a generated project holds exactly what svcgen wrote into the package: every module
(the lazily loaded ``models`` package of large APIs included), stubs, ``py.typed`` and provenance,
and nothing of the user's kept beside it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import svcgen.pipeline
from svcgen import Config, build_files
from svcgen.source.load import load
from svcgen.output.packaging import packing
from tests.support.generated_pkg import write_tree
from tests.support.wheels import build_wheel

ROOT = Path(__file__).resolve().parents[1]
KSERVE = ROOT / "fixtures" / "specs" / "kserve.json"


def _generate(lazy: bool) -> dict[str, str]:
    saved = svcgen.pipeline.LAZY_THRESHOLD
    svcgen.pipeline.LAZY_THRESHOLD = 0 if lazy else saved
    try:
        return build_files(load(str(KSERVE)).document, Config(source=str(KSERVE), name="pack_client")).files
    finally:
        svcgen.pipeline.LAZY_THRESHOLD = saved


def _wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name for name in archive.namelist() if ".dist-info/" not in name}


def test_packing_lists_every_package_folder_and_its_data_files() -> None:
    files = {
        "pyproject.toml": "",
        "p/__init__.py": "",
        "p/__init__.pyi": "",
        "p/py.typed": "",
        "p/models/__init__.py": "",
        "p/models/_m1.py": "",
        "p/models/__init__.pyi": "",
        "p/_runtime/__init__.py": "",
        "elsewhere/__init__.py": "",
    }
    found = packing(files, "p")
    assert found.packages == ["p", "p._runtime", "p.models"]
    assert found.package_data == {"p": ["__init__.pyi", "py.typed"], "p.models": ["__init__.pyi"]}


def test_wheel_holds_every_written_module_and_nothing_of_the_users(tmp_path: Path) -> None:
    for lazy in (False, True):
        files = _generate(lazy)
        project = write_tree(files, tmp_path / f"lazy-{lazy}")
        # the user's own things beside the client: never packed
        write_tree({"tools/__init__.py": "", "tools/helper.py": "X = 1\n", "pack_client/NOTES.txt": "mine\n"}, project)
        packed = _wheel_files(build_wheel(project))
        written = {path for path in files if path.startswith("pack_client/")}
        assert packed == written, (sorted(written - packed), sorted(packed - written))
        assert any(path.startswith("pack_client/models/") for path in packed) is lazy
