"""The support matrix: which Pythons and which dependency pins a generated package is tested with.

A *cell* is one CPython (3.10–3.13, found under ``pyenv root``; a missing one is
an error, never a skip) and one choice of pins: ``floor`` installs exactly the
oldest version every declared requirement allows on that Python (read from the
packages' own ``pyproject.toml``, environment markers included), ``newest`` lets
the resolver take the newest allowed. Packages that share a distribution name
go into separate environments of the cell.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tests.support.pyenvs import python_for
from tests.support.wheels import UV, run

PYTHONS = ("3.10", "3.11", "3.12", "3.13")
PINS = ("floor", "newest")
#: Type-checking tools installed into every cell's environments (the dev venv's mypy, and stubs
#: for the optional extras, as DESIGN's typing rule asks).
TOOLS = ("mypy", "pandas-stubs")


def project_requirements(project: Path) -> list[Requirement]:
    """A generated project's dependencies and every requirement of its extras."""
    data = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    found = [Requirement(text) for text in data.get("dependencies", [])]
    for requirements in data.get("optional-dependencies", {}).values():
        found += [Requirement(text) for text in requirements]
    return found


def requires_python(project: Path) -> SpecifierSet:
    return SpecifierSet(tomllib.loads((project / "pyproject.toml").read_text())["project"].get("requires-python", ""))


def _environment(version: str) -> dict[str, str]:
    env = dict(default_environment())
    env.update(python_version=version, python_full_version=f"{version}.0", extra="")
    return env


def floor_pins(requirements: Iterable[Requirement], version: str) -> list[str]:
    """``name==floor`` for every requirement that applies on Python ``version`` (its ``>=`` bound)."""
    floors: dict[str, Version] = {}
    for requirement in requirements:
        if requirement.marker is not None and not requirement.marker.evaluate(_environment(version)):
            continue
        bounds = [Version(spec.version) for spec in requirement.specifier if spec.operator in (">=", "==", "~=")]
        if not bounds:
            raise AssertionError(f"{requirement} declares no floor: the support policy needs one")
        name = requirement.name.lower()
        floors[name] = max([*bounds, floors.get(name, bounds[0])])
    return [f"{name}=={floor}" for name, floor in sorted(floors.items())]


def newest_requirements(requirements: Iterable[Requirement], version: str) -> list[str]:
    """The requirements that apply on Python ``version``, as declared (the resolver takes the newest)."""
    found = []
    for requirement in requirements:
        if requirement.marker is None or requirement.marker.evaluate(_environment(version)):
            found.append(f"{requirement.name}{requirement.specifier}")
    return sorted(set(found))


def dev_pin(distribution: str) -> str:
    """``name==version`` of a tool as installed in the dev venv (the suite's own pins)."""
    from importlib.metadata import version

    return f"{distribution}=={version(distribution)}"


@dataclass
class CellEnv:
    """One environment of a cell: its interpreter and the golden projects installed in it."""

    python: Path
    projects: list[Path] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)


def create_env(home: Path, version: str, pins: str, projects: list[Path], wheels: list[Path]) -> CellEnv:
    """A fresh environment on Python ``version`` with ``projects`` installed from ``wheels``, every
    extra's libraries at the chosen pins, and the type-checking tools."""
    run([str(UV), "venv", "--quiet", "--python", str(python_for(version)), str(home)])
    python = home / "bin" / "python"
    requirements = [requirement for project in projects for requirement in project_requirements(project)]
    chosen = floor_pins(requirements, version) if pins == "floor" else newest_requirements(requirements, version)
    tools = [dev_pin("mypy"), "pandas-stubs"]
    # wheels only, as users on that Python get them: a floor without a wheel for it fails here
    install = [str(UV), "pip", "install", "--quiet", "--no-build", "--python", str(python)]
    run([*install, *map(str, wheels), *chosen, *tools])
    if not _ships_types(python, "PIL"):  # pillow before 10.1 has no inline types: its stub package
        run([*install, "types-Pillow"])
    return CellEnv(python, list(projects))


def _ships_types(python: Path, package: str) -> bool:
    """Whether an installed package is missing or carries its own types (``py.typed``)."""
    code = (
        "import importlib.util, pathlib, sys\n"
        "spec = importlib.util.find_spec(sys.argv[1])\n"
        "folder = spec and spec.submodule_search_locations and pathlib.Path(list(spec.submodule_search_locations)[0])\n"
        "print(not spec or (folder and (folder / 'py.typed').is_file()) or False)\n"
    )
    return run([str(python), "-c", code, package]).strip() == "True"


def installed_versions(python: Path, names: Iterable[str]) -> dict[str, str]:
    code = (
        "import json, sys\nfrom importlib.metadata import version, PackageNotFoundError\n"
        "out = {}\nfor name in sys.argv[1:]:\n    try: out[name] = version(name)\n"
        "    except PackageNotFoundError: out[name] = None\nprint(json.dumps(out))"
    )
    import json

    return json.loads(run([str(python), "-c", code, *names]))
