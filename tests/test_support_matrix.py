"""Declared support is tested support: every golden package on Python 3.10–3.13 × (floors, newest).

In every cell the golden packages are installed from their wheels (built once,
isolated, with the pinned backend) into fresh environments of that Python, at
the oldest versions their ``pyproject.toml`` allows on that Python or at the
newest; then every module is imported from site-packages, every operation of
the example-service clients is called against the real BentoML services, and
``mypy --strict --python-version X.Y`` and ``stubtest`` (no unused allowlist
entries) run once per environment over all its packages.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.golden_support import GOLDEN, golden_specs
from tests.support.generated_pkg import package_modules
from tests.support.matrix import PINS, PYTHONS, CellEnv, create_env, installed_versions, requires_python
from tests.support.services import serve_example
from tests.support.wheels import BuildError, build_wheel, distribution_name, run
from tests.support.allowlists import allowlists, versions_of

pytestmark = pytest.mark.e2e

CALLS = Path(__file__).parent / "e2e_calls"
#: Golden projects whose every operation is called against the example service of the same name.
CALLED = ("calculator", "scoring", "textops", "arrays", "jobs", "vision")
#: What the cells report installing (the note's table reads them from the test output).
REPORTED = ("pydantic", "pydantic-core", "httpx", "httpx2", "numpy", "pandas", "pillow", "h2", "httpx-aiohttp")
CELLS = [(python, pins) for python in PYTHONS for pins in PINS]


def _package(project: Path) -> str:
    (package,) = [p.name for p in project.iterdir() if (p / "_svcgen.json").is_file()]
    return package


#: The example service (and call script) of each golden project whose operations are called.
SERVICE_OF = {golden.stem: golden.path.stem for golden in golden_specs() if golden.stem in CALLED or golden.options}


def _groups(version: str) -> list[list[Path]]:
    """The golden projects that install on ``version``, split so no environment holds one distribution twice."""
    groups: list[list[Path]] = []
    for golden in golden_specs():
        project = GOLDEN / golden.stem
        if version not in requires_python(project):
            continue
        name = distribution_name(project)
        for group in groups:
            if name not in {distribution_name(other) for other in group}:
                group.append(project)
                break
        else:
            groups.append([project])
    return groups


@pytest.fixture(scope="session")
def services() -> Iterator[dict[str, str]]:
    """Every example service the called clients need, served once for the whole matrix."""
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(serve_example(name)) for name in CALLED}


@pytest.fixture(scope="module", params=CELLS, ids=[f"py{python}-{pins}" for python, pins in CELLS])
def cell(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, list[CellEnv]]:
    version, pins = request.param
    home = tmp_path_factory.mktemp(f"cell-py{version}-{pins}")
    envs = []
    for index, projects in enumerate(_groups(version)):
        wheels = [build_wheel(project) for project in projects]
        env = create_env(home / f"env{index}", version, pins, projects, wheels)
        env.packages = [_package(project) for project in projects]
        envs.append(env)
    print(f"\ncell py{version}-{pins}:", installed_versions(envs[0].python, REPORTED))
    return version, pins, envs


def test_every_module_imports_from_site_packages(cell: tuple[str, str, list[CellEnv]]) -> None:
    _, _, envs = cell
    probe = (
        "import importlib, json, sys\n"
        "for name in sys.argv[1:]:\n"
        "    module = importlib.import_module(name)\n"
        "    assert 'site-packages' in (module.__file__ or ''), module.__file__\n"
        "print('ok')\n"
    )
    for env in envs:
        site = Path(run([str(env.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
        modules = [module for package in env.packages for module in package_modules(site, package)]
        with tempfile.TemporaryDirectory() as elsewhere:
            assert run([str(env.python), "-I", "-c", probe, *modules], cwd=Path(elsewhere)).strip() == "ok"


def test_every_operation_against_the_real_services(
    cell: tuple[str, str, list[CellEnv]], services: dict[str, str]
) -> None:
    version, _, envs = cell
    called = []
    for env in envs:
        for project in env.projects:
            service = SERVICE_OF.get(project.name)
            if service in CALLED:
                with tempfile.TemporaryDirectory() as elsewhere:
                    output = run([str(env.python), str(CALLS / f"{service}.py"), services[service]], cwd=Path(elsewhere))
                assert output.startswith("ok "), output
                called.append(project.name)
    expected = [stem for stem, service in SERVICE_OF.items() if service in CALLED and version in requires_python(GOLDEN / stem)]
    assert sorted(called) == sorted(expected)


def test_mypy_strict(cell: tuple[str, str, list[CellEnv]]) -> None:
    version, _, envs = cell
    for env in envs:
        packages = [arg for package in env.packages for arg in ("-p", package)]
        with tempfile.TemporaryDirectory() as elsewhere:
            try:
                run([str(env.python), "-m", "mypy", "--strict", "--python-version", version, "--cache-dir",
                     str(Path(elsewhere) / "cache"), *packages], cwd=Path(elsewhere))
            except BuildError as error:
                pytest.fail(f"mypy --strict on Python {version}: {error}")


def test_stubtest(cell: tuple[str, str, list[CellEnv]]) -> None:
    version, _, envs = cell
    for env in envs:
        versions = versions_of(env.python)
        lists = [arg for project in env.projects for path in allowlists(project, versions) for arg in ("--allowlist", str(path))]
        with tempfile.TemporaryDirectory() as elsewhere:
            try:
                run([str(env.python), "-m", "mypy.stubtest", "--mypy-config-file", "/dev/null", *lists, *env.packages],
                    cwd=Path(elsewhere))
            except BuildError as error:
                pytest.fail(f"stubtest on Python {version}: {error}")
