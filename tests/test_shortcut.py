"""Build-time checks that answer at once: ``svcgen check`` and ``svcgen generate`` with unchanged
inputs answer from the fingerprint recorded in the output's provenance file, without generating,
and the shortcut never disagrees with the full path (generate in memory and compare).

The document here splits its schemas into a second file (``$ref: schemas.yaml#/...``), so that the
files a ``$ref`` names are part of the inputs too.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

import svcgen
from svcgen import Config, SvcgenError
from svcgen.buildstep.check import compare
from svcgen.buildstep.shortcut import unchanged
from svcgen.core import fingerprint as fingerprint_module

MAIN = """openapi: 3.1.0
info: {title: Shelf, version: "1"}
paths:
  /books/{book_id}:
    get:
      operationId: get_book
      parameters: [{name: book_id, in: path, required: true, schema: {type: integer}}]
      responses:
        "200":
          description: A book.
          content: {application/json: {schema: {$ref: "schemas.yaml#/Book"}}}
"""
SCHEMAS = """Book:
  type: object
  required: [title]
  properties:
    title: {type: string, description: The title.}
    pages: {type: integer}
"""


def svcgen_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "svcgen", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A spec in two files, generated into ``out`` with the command line."""
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "shelf.yaml").write_text(MAIN)
    (tmp_path / "spec" / "schemas.yaml").write_text(SCHEMAS)
    result = svcgen_cli("generate", "spec/shelf.yaml", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


def _record(out: Path) -> dict[str, object]:
    record: dict[str, object] = json.loads((out / "shelf_client" / "_svcgen.json").read_text())
    return record


def test_the_provenance_file_records_the_inputs(project: Path) -> None:
    inputs = _record(project / "out")["inputs"]
    assert isinstance(inputs, dict) and sorted(inputs) == ["fingerprint", "record"]
    assert isinstance(inputs["fingerprint"], str) and len(inputs["fingerprint"]) == 64


def test_no_change_check_and_generate_answer_without_generating(project: Path) -> None:
    out = project / "out"
    before = {path: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()}
    check = svcgen_cli("check", "spec/shelf.yaml", "-o", "out", cwd=project)
    assert check.returncode == 0 and "up to date: out (inputs unchanged)" in check.stdout + check.stderr
    again = svcgen_cli("generate", "spec/shelf.yaml", "-o", "out", cwd=project)
    assert again.returncode == 0 and "nothing written" in again.stdout + again.stderr
    assert {path: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()} == before
    full = svcgen_cli("check", "spec/shelf.yaml", "-o", "out", "--full", cwd=project)
    assert full.returncode == 0 and "inputs unchanged" not in full.stdout + full.stderr


def test_the_no_change_path_loads_no_stage_of_generation(project: Path) -> None:
    """What a no-change check does not need is not imported: the document model, the templates,
    the models stage."""
    script = (
        "import sys\n"
        "from svcgen.cli import main\n"
        "main(['check', 'spec/shelf.yaml', '-o', 'out'])\n"
        "heavy = ('openapi_pydantic', 'jinja2', 'datamodel_code_generator', 'svcgen.pipeline', 'svcgen.models', 'svcgen.ir')\n"
        "print(sorted(name for name in sys.modules if name.startswith(heavy)))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "inputs unchanged" in result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


#: Each changes one input (or the output) after generation, as ``(project, config) -> config``.
Change = Callable[[Path, Config], Config]


def _edit_generated(project: Path, config: Config) -> Config:
    path = project / "out" / "shelf_client" / "_client.py"
    path.write_text(path.read_text() + "\n# edited by hand\n")
    return config


def _edit_the_record(project: Path, config: Config) -> Config:
    """A file the previous generation is said to have written, and no generation writes now."""
    (project / "out" / "shelf_client" / "stray.py").write_text("x = 1\n")
    marker = project / "out" / "shelf_client" / "_svcgen.json"
    record = json.loads(marker.read_text())
    record["files"]["shelf_client/stray.py"] = hashlib.sha256(b"x = 1\n").hexdigest()
    marker.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return config


def _one_byte_in_the_document(project: Path, config: Config) -> Config:
    path = project / "spec" / "shelf.yaml"
    path.write_text(path.read_text().replace("A book.", "A book!"))
    return config


def _one_byte_in_a_ref(project: Path, config: Config) -> Config:
    path = project / "spec" / "schemas.yaml"
    path.write_text(path.read_text().replace("The title.", "The title!"))
    return config


def _ref_removed(project: Path, config: Config) -> Config:
    (project / "spec" / "schemas.yaml").unlink()
    return config


def _package_version(project: Path, config: Config) -> Config:
    return replace(config, package_version="2.0.0")


def _refusing_option(project: Path, config: Config) -> Config:
    return replace(config, max_document_bytes=64)


def _lenient_option(project: Path, config: Config) -> Config:
    return replace(config, fetch_timeout=12.5)  # changes nothing written, but is an input


def _other_svcgen(project: Path, config: Config) -> Config:
    fingerprint_module.code_digest.cache_clear()
    return config


def _nothing(project: Path, config: Config) -> Config:
    return config


CHANGES: dict[str, Change] = {
    "nothing": _nothing,
    "hand-edited-file": _edit_generated,
    "hand-edited-record": _edit_the_record,
    "document-one-byte": _one_byte_in_the_document,
    "ref-one-byte": _one_byte_in_a_ref,
    "ref-removed": _ref_removed,
    "package-version": _package_version,
    "refusing-option": _refusing_option,
    "fetch-timeout": _lenient_option,
    "other-svcgen": _other_svcgen,
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_the_shortcut_and_the_full_path_agree(change: str, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    config = CHANGES[change](project, Config(source="spec/shelf.yaml", output=Path("out")))
    if change == "other-svcgen":
        monkeypatch.setattr(fingerprint_module, "SHAPING_LIBRARIES", (*fingerprint_module.SHAPING_LIBRARIES, "svcgen-next"))
    try:
        shortcut = unchanged(config, Path("out"))
        try:
            drift = bool(compare(svcgen.generate(replace(config, output=None)).files, Path("out")))
        except SvcgenError:
            drift = True  # the full path refuses the input: certainly not "up to date"
    finally:
        fingerprint_module.code_digest.cache_clear()
    if shortcut:
        assert not drift, "the shortcut said up to date where the full path finds drift"
    assert shortcut == (change == "nothing")
    # where only svcgen or an option that writes nothing changed, the output is still up to date
    assert drift == (change not in ("nothing", "other-svcgen", "fetch-timeout"))


def test_a_url_and_its_saved_copy_share_the_fingerprint(project: Path) -> None:
    """What ``svcgen fetch`` saves generates the same bytes as its source, provenance included, so
    the fingerprint is made from the document as generation sees it, not from its raw text."""
    assert svcgen_cli("fetch", "spec/shelf.yaml", "-o", "saved.json", cwd=project).returncode == 0
    assert svcgen_cli("generate", "saved.json", "-o", "copy", cwd=project).returncode == 0
    original, copy = project / "out" / "shelf_client" / "_svcgen.json", project / "copy" / "shelf_client" / "_svcgen.json"
    assert original.read_bytes() == copy.read_bytes()
    check = svcgen_cli("check", "saved.json", "-o", "out", cwd=project)
    assert check.returncode == 0 and "inputs unchanged" in check.stdout + check.stderr


def test_the_parsed_document_is_cached_outside_the_output(project: Path, tmp_path: Path) -> None:
    """A second check of an unchanged spec does not parse it: the cache check keeps knows what it
    loads into. generate only reads it."""
    env = {**os.environ, "SVCGEN_CACHE_DIR": str(tmp_path / "cache")}
    script = (
        "import sys\n"
        "from svcgen.cli import main\n"
        "main(['check', 'spec/shelf.yaml', '-o', 'out'])\n"
        "print('parsed' if 'svcgen.source.load' in sys.modules else 'not parsed')\n"
    )

    def run() -> str:
        result = subprocess.run([sys.executable, "-c", script], cwd=project, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "inputs unchanged" in result.stderr
        return result.stdout.strip().splitlines()[-1]

    again = subprocess.run([sys.executable, "-m", "svcgen", "generate", "spec/shelf.yaml", "-o", "out"], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "nothing written" in again.stderr
    assert not (tmp_path / "cache").exists()  # generate writes nothing outside its output folder
    assert run() == "parsed"  # a new cache
    assert run() == "not parsed"
    assert list((tmp_path / "cache" / "documents").glob("*.json"))
    assert not list(project.glob("out/**/*.tmp"))


def test_a_stale_fingerprint_alone_is_not_drift(project: Path) -> None:
    """The fingerprint is a cache key made with svcgen's own code: after an upgrade that changes
    no output byte, the full path finds no drift although the recorded fingerprint is stale."""
    marker = project / "out" / "shelf_client" / "_svcgen.json"
    record = json.loads(marker.read_text())
    record["inputs"]["fingerprint"] = "0" * 64
    marker.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    check = svcgen_cli("check", "spec/shelf.yaml", "-o", "out", cwd=project)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "inputs unchanged" not in check.stdout + check.stderr
    record["options"] = {"name": "other", "package_version": None}
    marker.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    assert svcgen_cli("check", "spec/shelf.yaml", "-o", "out", cwd=project).returncode == 1
