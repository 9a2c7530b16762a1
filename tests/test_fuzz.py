"""Fuzzing svcgen with hostile OpenAPI documents (issue 7): generated code is inert, compiles and stays in OUTDIR.

hypothesis builds documents whose names, descriptions, defaults, enum values, titles, server URLs,
header names, media types and path templates are drawn mostly from what breaks generators:
triple quotes, backslashes, newlines, NUL and other controls, line separators, bidi controls,
jinja delimiters, ``# type: ignore``, ``../``, Windows device names, names that differ only by
case, keywords, very long names, and a sentinel payload that creates a marker file if it ever
runs (``__import__('os').system('touch …')`` bare, breaking out of every quote style, after
newlines, inside ``{{ }}``); schemas are random objects, arrays, enums, compositions, refs,
nullables and defaults (strategies and checks: ``tests/support/fuzz.py``).

Generation must succeed or refuse with svcgen's own one-line error; any other exception, a
file that does not compile, spec text that became code or a pragma comment, a path outside
the package folder, a package that does not import, or the marker file is a bug. Two levels:
in memory (``build_files``, a couple of hundred documents, each package then imported from a
scratch folder in a separate process) and the whole pipeline (CLI → pip install into a venv →
import every module → construct the clients, a few documents). ``tests/fuzz_long.py`` runs the
same cases by the ten thousand.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisWarning

from tests.support import fuzz

#: ``SVCGEN_FUZZ_EXAMPLES`` / ``SVCGEN_FUZZ_PIPELINE_EXAMPLES`` raise the bounds for a longer local run.
IN_PROCESS_EXAMPLES = int(os.environ.get("SVCGEN_FUZZ_EXAMPLES", "200"))
PIPELINE_EXAMPLES = int(os.environ.get("SVCGEN_FUZZ_PIPELINE_EXAMPLES", "5"))
#: At least this share of the hostile documents must generate a package (else the fuzzing says little).
MIN_GENERATED = 0.6

#: CI runs a fixed sequence of examples (a red CI run is a regression, not a new find);
#: ``SVCGEN_FUZZ_RANDOM=1`` explores, as tests/fuzz_long.py does.
EXPLORE = os.environ.get("SVCGEN_FUZZ_RANDOM") == "1"

FUZZ = settings(
    derandomize=not EXPLORE,
    database=settings.default.database if EXPLORE else None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


@pytest.fixture(autouse=True)
def _quiet_reprs() -> Iterator[None]:
    with warnings.catch_warnings():
        # the payload lists make hypothesis's repr of the strategies large
        warnings.filterwarnings("ignore", category=HypothesisWarning, message=".*overly large repr.*")
        yield


@pytest.fixture(scope="module")
def importer() -> Iterator[fuzz.ImportWorker]:
    worker = fuzz.ImportWorker()
    yield worker
    worker.close()


def test_hostile_documents_generate_inert_packages_in_memory(importer: fuzz.ImportWorker) -> None:
    outcomes: Counter[str] = Counter()

    @settings(FUZZ, max_examples=IN_PROCESS_EXAMPLES)
    # models split into a lazily loaded package (normally above 150 classes) for one case in four
    @given(document=fuzz.documents(), lazy=st.sampled_from([False, False, False, True]))
    def case(document: dict, lazy: bool) -> None:
        # generated in memory; each package that passes is also imported in a separate process
        outcome = fuzz.check_in_process(document, lazy=lazy, importer=importer)
        assert not outcome.problems, fuzz.report(outcome, document)
        outcomes["generated" if outcome.files is not None else "refused"] += 1

    case()
    total = sum(outcomes.values())
    assert outcomes["generated"] >= MIN_GENERATED * total, outcomes


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> fuzz.PipelineRunner:
    return fuzz.PipelineRunner(tmp_path_factory.mktemp("fuzz-pipeline"))


@pytest.mark.e2e
def test_hostile_documents_install_import_and_construct(pipeline: fuzz.PipelineRunner) -> None:
    outcomes: Counter[str] = Counter()

    # no shrinking: each case installs a package (the failure report shows the whole document)
    @settings(FUZZ, max_examples=PIPELINE_EXAMPLES, phases=[Phase.explicit, Phase.reuse, Phase.generate])
    @given(document=fuzz.documents(), as_yaml=st.booleans())
    def case(document: dict, as_yaml: bool) -> None:
        outcome = pipeline.run_case(document, as_yaml=as_yaml)
        assert not outcome.problems, fuzz.report(outcome, document)
        outcomes["generated" if outcome.package else "refused"] += 1

    case()
    assert outcomes["generated"] >= 1, outcomes


# --- the checks themselves catch what they are for ------------------------------------------


def _benign() -> fuzz.Outcome:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Benign", "version": "1.0.0"},
        "paths": {"/items/{id}": {"get": {"operationId": "getItem", "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}], "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}}}}},
        "components": {"schemas": {"Item": {"type": "object", "description": "An item.", "properties": {"name": {"type": "string"}}}}},
    }
    outcome = fuzz.check_in_process(document)
    assert outcome.files is not None and not outcome.problems, outcome.problems
    return outcome


def test_checks_pass_a_benign_package() -> None:
    _benign()


@pytest.mark.parametrize(
    ("path", "edit", "expected"),
    [
        ("benign_client/_client.py", lambda text: text + "\n__import__('os').system('true')\n", "injected code"),
        ("benign_client/models.py", lambda text: text + '\nx = """unterminated\n', "does not compile"),
        ("benign_client/models.py", lambda text: text + "\ny = 1  # type: ignore\n", "steers tools"),
        ("benign_client/models.py", lambda text: text + "\nz = 'a\u202eb'\n", "raw dangerous character"),
        ("benign_client/_runtime/_http.py", lambda text: text + "\nq = 1\n", "runtime differs"),
        ("pyproject.toml", lambda text: text + '\n[project.scripts]\nx = "y:z"\n', "pyproject.toml"),
        ("pyproject.toml", lambda text: text + '\n"', "does not parse"),
        ("README.md", lambda text: text + "\n<script>alert(1)</script>\n", "unescaped markup"),
        ("README.md", lambda text: text + "\n```python\nclient.x(\n```\n", "does not parse"),
    ],
)
def test_checks_catch_what_they_are_for(path: str, edit: object, expected: str) -> None:
    outcome = _benign()
    assert outcome.files is not None
    files = dict(outcome.files)
    files[path] = edit(files[path])  # type: ignore[operator]
    problems = fuzz.check_files(files, "benign_client")
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../evil.py", "outside the package folder"),
        ("/etc/evil.py", "unsafe path"),
        ("benign_client/../../evil.py", "unsafe path component"),
        ("benign_client/con.py", "Windows-reserved"),
        ("benign_client/_Client.py", "differ only by case"),
        ("benign_client/" + "x" * 300 + ".py", "longer than 255 bytes"),
    ],
)
def test_path_checks_catch_escapes(name: str, expected: str) -> None:
    outcome = _benign()
    assert outcome.files is not None
    files = {**outcome.files, name: "x = 1\n"}
    problems = fuzz.check_paths(files, "benign_client")
    assert any(expected in problem for problem in problems), problems


def test_the_sentinel_is_detected_when_it_runs() -> None:
    assert fuzz.marker_problems() == []
    Path(fuzz.MARKER).touch()
    assert fuzz.marker_problems() and not Path(fuzz.MARKER).exists()
