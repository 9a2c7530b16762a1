"""The tree reads as the pipeline: each package of ``generator/`` sits in one layer and imports only
the layers below it; no module is over 300 lines; every package opens with a docstring saying what
comes in and what goes out, and every package is shipped in the wheel.

Imports are read with :mod:`ast`, not by importing: every ``import`` and ``from … import`` counts,
wherever it is written (inside a function, under ``if TYPE_CHECKING:``).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - svcgen's own floor
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "generator"

#: The layers, bottom first: a module may import its own layer and the layers before it.
#: ``config`` and ``pipeline`` (the stages in order, and the options they run with) sit above the
#: stages and below the tools and the command line that call them.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("source",),
    ("ir",),
    ("models",),
    ("output",),
    ("config", "pipeline"),
    ("buildstep",),
    ("cli",),
]
#: The package's own entry points: they re-export from any layer and nothing imports them.
FACADE = ("__init__", "__main__")
MAX_LINES = 300


def _layer_of(unit: str) -> int:
    for index, units in enumerate(LAYERS):
        if unit in units:
            return index
    raise AssertionError(f"generator/{unit} is in no layer: add it to LAYERS in {Path(__file__).name}")


def _modules() -> list[Path]:
    return sorted(GENERATOR.rglob("*.py"))


def _dotted(path: Path) -> list[str]:
    parts = list(path.relative_to(GENERATOR).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _unit(parts: list[str]) -> str:
    """The layer unit a module of svcgen belongs to: its top-level package or module."""
    return parts[0] if parts else "__init__"


def _imported(path: Path) -> list[tuple[int, list[str]]]:
    """``(line, svcgen module parts)`` for every import of svcgen in ``path``."""
    package = _dotted(path) if path.name == "__init__.py" else _dotted(path)[:-1]
    found: list[tuple[int, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == "svcgen":
                target = node.module.split(".")[1:]
            else:
                continue
            if node.module is None:
                # ``from . import naming``: the names are modules of that package
                found.extend((node.lineno, target + [alias.name]) for alias in node.names)
            else:
                found.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name.split(".")[1:]) for alias in node.names if alias.name.split(".")[0] == "svcgen")
    return found


def _edges() -> list[tuple[str, str, str]]:
    """``(importing unit, imported unit, where)`` for imports between different units."""
    edges = []
    for path in _modules():
        source = _unit(_dotted(path))
        if path.stem in FACADE and path.parent == GENERATOR:
            continue
        for line, target in _imported(path):
            imported = _unit(target)
            if imported != source:
                edges.append((source, imported, f"{path.relative_to(ROOT)}:{line}"))
    return edges


def test_every_package_and_top_level_module_has_a_layer() -> None:
    units = {_unit(_dotted(path)) for path in _modules()} - set(FACADE)
    for unit in sorted(units):
        _layer_of(unit)


def test_no_package_imports_a_later_stage_or_a_command() -> None:
    upward = [
        f"{where}: {source} (layer {_layer_of(source)}) imports {imported} (layer {_layer_of(imported)})"
        for source, imported, where in _edges()
        if _layer_of(imported) > _layer_of(source)
    ]
    assert not upward, "imports against the pipeline order:\n" + "\n".join(upward)


def test_no_two_packages_import_each_other() -> None:
    pairs = {(source, imported) for source, imported, _where in _edges()}
    cycles = sorted(f"{a} <-> {b}" for a, b in pairs if (b, a) in pairs and a < b)
    assert not cycles, "packages importing each other: " + ", ".join(cycles)


def test_nothing_imports_the_facade() -> None:
    """Only ``python -m svcgen`` and library users import the package root; a module inside it
    that did would import every layer."""
    bad = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _modules()
        if not (path.parent == GENERATOR and path.stem in FACADE)
        for line, target in _imported(path)
        if not target
    ]
    assert not bad, "modules importing the svcgen package root: " + ", ".join(bad)


@pytest.mark.parametrize("path", _modules(), ids=lambda path: str(path.relative_to(GENERATOR)))
def test_module_is_at_most_300_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines (at most {MAX_LINES}): split it"


def test_each_package_opens_with_what_comes_in_and_goes_out() -> None:
    for init in sorted(GENERATOR.rglob("__init__.py")):
        if init.parent == GENERATOR:
            continue
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring, f"{init.relative_to(ROOT)} opens with no docstring"
        assert "In:" in docstring and "Out:" in docstring, f"{init.relative_to(ROOT)}: say what comes in (In:) and goes out (Out:)"


def test_every_package_is_in_the_wheel() -> None:
    """pyproject lists the packages (the folders are mapped, not discovered): a new package left
    out would import in a checkout and be missing from the installed wheel."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = {"svcgen." + ".".join(_dotted(init)) if _dotted(init) else "svcgen" for init in GENERATOR.rglob("__init__.py")}
    listed = set(settings["packages"]) - {"svcgen.templates"}
    assert listed == folders
