"""Every valid document: datamodel-code-generator's own OpenAPI test suite, run as a user would.

Every document of the peer suite (``../shared/peer-suites/datamodel-code-generator/openapi``,
read in place) is generated in this process under a package name of its own; none may crash.
The refusals must be exactly the ones listed in ``tests/peer_suite_expectations.json``, each
with the reason it is right and the verdict of a pinned validator (openapi-spec-validator).
Every generated package is built into a wheel (without isolation, with the pinned backend:
the same wheel), all are installed together into one folder, every module is imported from
there in one process, and one ``mypy --strict`` run checks them all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.peer_suite import Outcome, package_name, run_suite, suite_folder
from tests.support.generated_pkg import package_modules, write_tree
from tests.support.peer_verdicts import verdict
from tests.support.wheels import UV, build_wheel, run

EXPECTATIONS = Path(__file__).with_name("peer_suite_expectations.json")
#: The issue's target: at least this many of the suite's documents generate.
AT_LEAST_GENERATED = 250
#: Generated packages are type-checked this many to a mypy process (one process for all of them
#: is the goal; batches keep a failure report readable and memory bounded).
MYPY_BATCH = 400


def _expected() -> dict[str, dict[str, object]]:
    return json.loads(EXPECTATIONS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    folder = suite_folder()
    assert folder.is_dir(), f"the peer suite is missing at {folder} (set SVCGEN_PEER_SUITE)"
    return run_suite(ref_root=True, keep_files=True)  # the suite's folder as --ref-root: its monorepo layouts


@pytest.fixture(scope="module")
def site(outcomes: list[Outcome], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every generated package, built into a wheel and installed into one folder."""
    projects = tmp_path_factory.mktemp("peer-projects")
    generated = [outcome for outcome in outcomes if outcome.status == "generated" and outcome.files is not None]
    folders = [write_tree(outcome.files or {}, projects / outcome.detail) for outcome in generated]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        wheels = list(pool.map(lambda folder: build_wheel(folder, isolated=False), folders))
    target = tmp_path_factory.mktemp("peer-site")
    run([str(UV), "pip", "install", "--quiet", "--no-deps", "--python", sys.executable, "--target", str(target),
         *map(str, wheels)], timeout=1800)
    return target


def test_no_document_crashes(outcomes: list[Outcome]) -> None:
    crashed = [f"{outcome.name}: {outcome.detail}" for outcome in outcomes if outcome.status == "crashed"]
    assert not crashed, "\n".join(crashed)


def test_refusals_are_the_expected_ones(outcomes: list[Outcome]) -> None:
    refused = {outcome.name: outcome.detail for outcome in outcomes if outcome.status == "refused"}
    listed = _expected()["refused"]
    unexpected = {name: detail for name, detail in refused.items() if name not in listed}
    now_generated = sorted(set(listed) - set(refused))
    assert not unexpected, f"refused but not listed in {EXPECTATIONS.name}: {json.dumps(unexpected, indent=1)}"
    assert not now_generated, f"listed as refused in {EXPECTATIONS.name} but no longer refused: {now_generated}"
    generated = sum(outcome.status == "generated" for outcome in outcomes)
    assert generated >= AT_LEAST_GENERATED, f"{generated} of {len(outcomes)} documents generate"


def test_each_refusal_has_a_reason_and_the_validators_verdict() -> None:
    folder = suite_folder()
    wrong = {}
    for name, entry in _expected()["refused"].items():
        assert isinstance(entry, dict) and str(entry.get("reason", "")).strip(), f"{name}: no reason given"
        found = verdict(folder / name)
        if found != entry.get("validator"):
            wrong[name] = {"listed": entry.get("validator"), "validator says": found}
    assert not wrong, json.dumps(wrong, indent=1)


def test_every_package_imports_from_where_it_is_installed(outcomes: list[Outcome], site: Path) -> None:
    packages = [outcome.detail for outcome in outcomes if outcome.status == "generated"]
    modules = [module for package in packages for module in package_modules(site, package)]
    probe = (
        "import importlib, sys, traceback\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except BaseException as exc:\n"
        "        failed.append(f'{name}: {traceback.format_exception_only(type(exc), exc)[-1].strip()}')\n"
        "print('\\n'.join(failed))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.TemporaryDirectory() as elsewhere:
        result = subprocess.run([sys.executable, "-c", probe, *modules], cwd=elsewhere, env=env,
                                capture_output=True, text=True, timeout=1800, check=False)
    assert result.returncode == 0, result.stderr[-4000:]
    assert not result.stdout.strip(), result.stdout[-6000:]


def test_mypy_strict_over_every_package(outcomes: list[Outcome], site: Path) -> None:
    packages = sorted(outcome.detail for outcome in outcomes if outcome.status == "generated")
    allowed = {package_name(name) for name in _expected()["mypy"]}  # listed with a reason: may fail
    by_package: dict[str, list[str]] = {}
    env = {**os.environ, "MYPYPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    for start in range(0, len(packages), MYPY_BATCH):
        batch = packages[start : start + MYPY_BATCH]
        with tempfile.TemporaryDirectory() as elsewhere:
            args = [arg for package in batch for arg in ("-p", package)]
            result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", *args],
                                    cwd=elsewhere, env=env, capture_output=True, text=True, timeout=3000, check=False)
        for line in result.stdout.splitlines():
            if ": error:" in line:
                path = Path(line.split(":", 1)[0])
                package = (path.relative_to(site) if path.is_absolute() and path.is_relative_to(site) else path).parts[0]
                by_package.setdefault(package, []).append(line)
        assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    failing = {package: lines[:3] for package, lines in by_package.items() if package not in allowed}
    assert not failing, json.dumps(failing, indent=1)
