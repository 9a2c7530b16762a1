"""Generated packages at their declared oldest dependency versions, on Python 3.10 to 3.13.

Every test runs in a throw-away environment of another Python with other pins (made by
``tests/support/pyenvs.py``, cached for the session): a golden package installed from its wheel
and imported from site-packages, or the runtime's own unit tests (``httpx.MockTransport``)
against the committed golden packages. The floors come from a golden ``pyproject.toml``, so a
floor the template declares is the floor these tests install.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from svcgen import Config, build_files

from tests.golden_support import GOLDEN, ROOT
from tests.support import allowlists
from tests.support.generated_pkg import write_tree
from tests.support.pyenvs import make_env, python_for, run
from tests.support.wheels import build_wheel, installed

PYTHONS = ("3.10", "3.11", "3.12", "3.13")
#: Each pydantic release from the floor to the newest, on a Python of the range.
PYDANTIC_ON = [("3.10", "2.10.0"), ("3.11", "2.11.*"), ("3.12", "2.12.*"), ("3.13", "2.13.*"), ("3.13", "2.14.*")]
#: The extras' libraries, newest: ``stubtest`` type-checks the modules that use them.
EXTRA_LIBRARIES = ["numpy", "pandas", "pillow", "h2", "httpx-aiohttp"]


def floors(python: str, extras: tuple[str, ...] = ()) -> list[str]:
    """``name==floor`` for the dependencies (and ``extras``) the generated pyproject declares on ``python``."""
    project = tomllib.loads((GOLDEN / "scoring" / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *(item for extra in extras for item in project["optional-dependencies"][extra])]
    pins = []
    for text in declared:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"python_version": python}):
            continue
        (floor,) = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        pins.append(f"{requirement.name}=={floor}")
    return pins


def as_here(*names: str) -> list[str]:
    """``name==version`` as installed in the environment running the tests (test tools)."""
    return [f"{name}=={importlib.metadata.version(name)}" for name in names]


def pinned(pins: list[str], name: str, version: str) -> list[str]:
    return [pin for pin in pins if not pin.startswith(f"{name}==")] + [f"{name}=={version}"]


def _ok(result: object) -> str:
    stdout, stderr, code = (getattr(result, key) for key in ("stdout", "stderr", "returncode"))
    assert code == 0, stdout[-4000:] + stderr[-4000:]
    return str(stdout)


def test_floors_are_read_from_the_generated_pyproject() -> None:
    assert floors("3.10") == ["httpx==0.27", "pydantic==2.10"]
    assert floors("3.11", ("numpy", "pandas", "pillow")) == ["httpx==0.27", "pydantic==2.10", "numpy==1.24", "pandas==2.0", "pillow==10.0"]
    assert floors("3.13", ("numpy", "pandas", "pillow")) == ["httpx==0.27", "pydantic==2.10", "numpy==2.1", "pandas==2.2.3", "pillow==10.4"]


_DICT_AND_LIST_ANSWERS = """
import json, httpx, arrays_client, jobs_client

def answering(body):
    return httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, json=body)))

with arrays_client.Client("http://h", http_client=answering({"numpy": "1.24"})) as client:
    info = client.info()
with jobs_client.Client("http://h", http_client=answering([1.0, 2.5])) as client:
    doubled = client.batch_score(items=[0.5, 1.25])
print(json.dumps({"info": info, "doubled": doubled, "from": arrays_client.__file__}))
"""


def test_dict_and_list_answers_on_python_310_at_the_floors() -> None:
    """On 3.10 ``dict[str, float]`` is an instance of ``type``: the runtime's model check raised
    ``TypeError`` from ``issubclass`` with pydantic 2.10 for every dict or list answer."""
    wheels = [str(build_wheel(GOLDEN / name)) for name in ("arrays", "jobs")]
    python = make_env(python_for("3.10"), [*wheels, *floors("3.10")], "answers-3.10")
    answer = json.loads(_ok(run(python, _DICT_AND_LIST_ANSWERS)))
    assert answer["info"] == {"numpy": "1.24"} and answer["doubled"] == [1.0, 2.5]
    assert "site-packages" in answer["from"]


_OPEN_ENUMS = """
import json, httpx, pydantic
import fraud_scoring_client as fs
from fraud_scoring_client._runtime import BaseModel, OpenEnum, OpenIntEnum

class Color(OpenEnum):
    RED = "red"

class Level(OpenIntEnum):
    LOW = 1

class Holder(BaseModel):
    color: Color
    level: Level = Level.LOW
    colors: list[Color] = []

score = {"transaction_id": "t1", "score": 0.9, "risk": "critical", "flagged": True}
http = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, json=score)))
with fs.Client("http://h", http_client=http) as client:
    risk = client.score(transaction={"transaction_id": "t1", "amount": 1}).risk
report = {
    "risk": [type(risk).__name__, risk.value],
    "risk_known": fs.RiskLevel("high") is fs.RiskLevel.high,
    "risk_is_str": isinstance(risk, str) and risk == "critical" and json.dumps({"risk": risk}) == '{"risk": "critical"}',
}
unknown = {"color": "green", "level": 99, "colors": ["red", "pink"]}
for mode, holder in (("python", Holder.model_validate(unknown)), ("json", Holder.model_validate_json(json.dumps(unknown)))):
    report[mode] = {
        "classes": [type(holder.color).__name__, type(holder.level).__name__, type(holder.colors[1]).__name__],
        "values": [holder.color.value, holder.level.value, holder.level == 99, holder.colors[0] is Color.RED],
        "json": json.loads(holder.model_dump_json()),
        "again": Holder(color=holder.color).color is holder.color,
    }
rejected = []
for bad in ({"color": 5}, {"color": "red", "level": "x"}, {"color": None}):
    try:
        Holder.model_validate_json(json.dumps(bad))
    except pydantic.ValidationError:
        rejected.append(bad)
report["rejected"] = len(rejected)
report["members"] = [member.value for member in Color]
print(json.dumps(report))
"""


@pytest.mark.parametrize(("python", "pydantic"), PYDANTIC_ON)
def test_unknown_enum_values_are_kept_with_every_pydantic(python: str, pydantic: str) -> None:
    """pydantic-core before 2.14 passes ``None`` to ``_missing_`` for a JSON value: an unknown
    string became ``<RiskLevel.None: None>``. String enums (``OpenStrEnum``) keep an unknown value as
    a member that is the wire string itself."""
    pins = pinned(floors(python), "pydantic", pydantic)
    env = make_env(python_for(python), [str(build_wheel(GOLDEN / "scoring")), *pins], f"enums-{python}")
    report = json.loads(_ok(run(env, _OPEN_ENUMS)))
    assert report["risk"] == ["RiskLevel", "critical"] and report["risk_known"] and report["risk_is_str"]
    for mode in ("python", "json"):
        assert report[mode] == {
            "classes": ["Color", "Level", "Color"],
            "values": ["green", 99, True, True],
            "json": {"color": "green", "level": 99, "colors": ["red", "pink"]},
            "again": True,
        }, mode
    assert report["rejected"] == 3 and report["members"] == ["red"]


@pytest.mark.parametrize(("python", "pydantic"), PYDANTIC_ON)
def test_runtime_unit_tests_pass_at_the_floors_with_every_pydantic(python: str, pydantic: str) -> None:
    """The runtime's own tests (plain-data bodies against the model's bytes and errors, ML payload
    codecs, errors) with the extras at this Python's floors, httpx 0.27 and each pydantic."""
    pins = pinned(floors(python, ("numpy", "pandas", "pillow")), "pydantic", pydantic)
    env = make_env(python_for(python), [*pins, *as_here("pytest")], f"unit-{python}")
    tests = ["tests/test_runtime_client.py", "tests/test_runtime_payloads.py", "tests/test_runtime_errors.py"]
    code = "import sys, pytest; sys.exit(pytest.main(sys.argv[1:]))"
    output = _ok(run(env, code, "-q", "-p", "no:cacheprovider", *tests, cwd=ROOT))
    assert " passed" in output and "failed" not in output and "skipped" not in output, output[-2000:]


def test_connection_options_at_the_http_floors() -> None:
    """httpx 0.27 (``proxy=``, TLS, pool limits, transports), h2 4.0 and httpx-aiohttp 0.2 under the
    runtime's option and aiohttp tests on Python 3.10, against the real servers those tests start
    (hypercorn before 0.18, which needs h2 4.3). These tests generate their packages, so svcgen
    is installed too; it needs a pydantic 2.10 patch release (its models stage excludes 2.10.0-2.10.2)."""
    pins = pinned(floors("3.10", ("http2", "aiohttp")), "pydantic", "2.10.*")
    servers = [*as_here("uvicorn", "trustme", "pytest"), "hypercorn<0.18"]
    env = make_env(python_for("3.10"), ["--editable", str(ROOT), *pins, *servers], "http-floors-3.10")
    tests = ["tests/test_runtime_options.py", "tests/test_runtime_aiohttp.py"]
    code = "import sys, pytest; sys.exit(pytest.main(sys.argv[1:]))"
    output = _ok(run(env, code, "-q", "-p", "no:cacheprovider", *tests, cwd=ROOT))
    assert " passed" in output and "failed" not in output and "skipped" not in output, output[-2000:]


#: A package with root models (parametrised ``RootModel[...]`` bases) and an integer enum.
_ROOTS = {
    "openapi": "3.1.0",
    "info": {"title": "Roots", "version": "1.0"},
    "paths": {
        "/things": {
            "post": {
                "operationId": "make_thing",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
            }
        }
    },
    "components": {
        "schemas": {
            "Tags": {"type": "array", "items": {"type": "string"}},
            "Id": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "Level": {"type": "integer", "enum": [1, 2, 3]},
            "Thing": {
                "type": "object",
                "properties": {name: {"$ref": f"#/components/schemas/{name.title()}"} for name in ("tags", "id", "level")},
            },
        }
    },
}


@pytest.fixture(scope="module")
def roots_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = build_files(_ROOTS, Config(source="roots.json", name="roots_client")).files
    folder = write_tree(files, tmp_path_factory.mktemp("roots"))
    assert "RootModel[" in (folder / "roots_client" / "models.py").read_text()
    assert "class Level(OpenIntEnum)" in (folder / "roots_client" / "models.py").read_text()
    return folder


@pytest.mark.parametrize("pydantic", ["2.10.0", "newest"])
@pytest.mark.parametrize("python", PYTHONS)
def test_stubtest_needs_every_allowlist_entry_on_every_python(python: str, pydantic: str, roots_package: Path, tmp_path: Path) -> None:
    """stubtest without ``--ignore-unused-allowlist``, with the allowlist files that apply: on 3.12+
    ``OpenIntEnum`` was marked a disjoint base it is not there, and the RootModel[...] entry is
    pydantic 2.14's alone."""
    checker = [*as_here("mypy"), "pandas-stubs"]  # pandas-stubs' releases follow Python's
    pins = [f"pydantic=={pydantic}" if pydantic != "newest" else "pydantic>=2.10,<3", "httpx>=0.27,<1", *EXTRA_LIBRARIES, *checker]
    env = make_env(python_for(python), pins, f"stubtest-{python}")
    folder = shutil.copytree(roots_package, tmp_path / "pkg")  # stubtest's cache stays out of the shared copy
    result = allowlists.stubtest(folder, "roots_client", env, site=installed(folder))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Success" in result.stdout


def test_allowlists_are_chosen_by_version(roots_package: Path) -> None:
    def names(versions: dict[str, str]) -> list[str]:
        return [path.name for path in allowlists.allowlists(roots_package, versions)]

    assert names({"python": "3.12.1", "pydantic": "2.13.5"}) == ["stubtest-allowlist.txt"]
    assert names({"python": "3.10.13", "pydantic": "2.14.4"}) == ["stubtest-allowlist.txt", "stubtest-allowlist.pydantic-2.14.txt"]
    assert names({"python": "3.13.0", "pydantic": "3.0.0"})[-1] == "stubtest-allowlist.pydantic-2.14.txt"

