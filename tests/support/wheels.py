"""Install generated projects the way users do: build a wheel, install it, import from there.

Tests never import a generated package from the folder it was generated into.
A project is copied (so ``fixtures/golden`` never gains ``build/`` or
``*.egg-info``), built into a wheel with its own pinned backend, and the wheel
is installed into a folder of its own (``pip install --target`` style) that
tests put on ``sys.path``/``PYTHONPATH`` — or into a real environment with
:func:`install_into`.

Wheels and install folders are cached under ``.cache/`` by the content of the
project, so each distinct package is built once however many tests use it.

Two ways to build:
- *isolated* (the default, what ``pip install ./client`` does): the build
  backend is installed into a fresh build environment from the project's own
  ``[build-system] requires``;
- *not isolated* (bulk tests): built with the backend of :data:`BACKEND_PYTHON`,
  an environment holding exactly the pinned backend, which gives the same wheel.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache"
WHEELS = CACHE / "wheels"
SITES = CACHE / "site"
#: The dev environment's ``uv`` (pinned in the test extra); tests run in other environments get it from ``SVCGEN_UV``.
UV = Path(os.environ.get("SVCGEN_UV") or Path(sys.executable).parent / "uv")

#: Build and install leftovers that are not part of a project's content.
_LEFTOVERS = {"build", "dist", "__pycache__", ".mypy_cache", ".pytest_cache"}


class BuildError(AssertionError):
    """A generated project did not build or install (an assertion: the test fails with the tool's output)."""


def _skip(path: Path) -> bool:
    return any(part in _LEFTOVERS or part.endswith(".egg-info") for part in path.parts)


def project_files(project: Path) -> list[Path]:
    """The project's own files (relative), without build or install leftovers, sorted."""
    return sorted(
        path.relative_to(project)
        for path in project.rglob("*")
        if path.is_file() and not _skip(path.relative_to(project))
    )


def content_key(project: Path) -> str:
    """A digest of the project's files (names and bytes)."""
    digest = hashlib.sha256()
    for relative in project_files(project):
        digest.update(relative.as_posix().encode() + b"\0")
        digest.update((project / relative).read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def run(args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise BuildError(f"{' '.join(map(str, args))} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def _copy_project(project: Path, target: Path) -> None:
    for relative in project_files(project):
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project / relative, target / relative)


_BUILD_HOOK = "import sys\nfrom setuptools import build_meta\nbuild_meta.build_wheel(sys.argv[1])\n"


def build_wheel(project: Path, *, isolated: bool = True) -> Path:
    """The wheel of ``project`` (built once per content, from a copy)."""
    key = content_key(project)
    folder = WHEELS / f"{key}-{'iso' if isolated else 'noiso'}"
    built = sorted(folder.glob("*.whl"))
    if built:
        return built[0]
    WHEELS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="svcgen-wheel-") as scratch:
        copy = Path(scratch) / "project"
        _copy_project(project, copy)
        out = Path(scratch) / "dist"
        if isolated:
            run([str(UV), "build", "--wheel", "--quiet", "--python", sys.executable, "--out-dir", str(out), str(copy)])
        else:  # the PEP 517 hook itself, as pip calls it without isolation (pip's own start-up is 2-3 s)
            out.mkdir()
            run([str(backend_python()), "-c", _BUILD_HOOK, str(out)], cwd=copy)
        (wheel,) = out.glob("*.whl")
        staged = Path(tempfile.mkdtemp(prefix=".staged-", dir=WHEELS))
        shutil.move(str(wheel), staged / wheel.name)
        try:
            staged.rename(folder)
        except OSError:  # built meanwhile by another process: keep theirs
            shutil.rmtree(staged, ignore_errors=True)
    return sorted(folder.glob("*.whl"))[0]


def installed(project: Path, *, isolated: bool = True) -> Path:
    """A folder holding ``project`` installed from its wheel (no dependencies): put it on ``sys.path``."""
    wheel = build_wheel(project, isolated=isolated)
    site = SITES / wheel.parent.name
    if (site / ".complete").is_file():
        return site
    if site.exists():
        shutil.rmtree(site)
    run([str(UV), "pip", "install", "--quiet", "--no-deps", "--python", sys.executable,
         "--target", str(site), str(wheel)])
    (site / ".complete").write_text(wheel.name + "\n")
    return site


def install_into(python: Path, wheels: Iterable[Path], *requirements: str) -> None:
    """Install wheels (with their dependencies, held by ``requirements`` where given) into an environment."""
    run([str(UV), "pip", "install", "--quiet", "--python", str(python), *map(str, wheels), *requirements])


def distribution_name(project: Path) -> str:
    import tomllib  # here: the runtime's tests also run on Python 3.10, which has no tomllib

    return str(tomllib.loads((project / "pyproject.toml").read_text())["project"]["name"])


def backend_python() -> Path:
    """An environment holding exactly the generated projects' pinned build backend (made once)."""
    home = CACHE / "backend-env"
    python = home / "bin" / "python"
    if (home / ".complete").is_file():
        return python
    shutil.rmtree(home, ignore_errors=True)
    run([str(UV), "venv", "--quiet", "--python", sys.executable, "--seed", str(home)])
    run([str(UV), "pip", "install", "--quiet", "--python", str(python), _pinned_backend()])
    (home / ".complete").write_text("")
    return python


def _pinned_backend() -> str:
    """The ``[build-system] requires`` of the generated projects' template (one pinned setuptools)."""
    import tomllib

    template = (ROOT / "templates" / "pyproject.toml.jinja").read_text()
    line = next(line for line in template.splitlines() if line.startswith("requires = "))
    (requirement,) = tomllib.loads(line)["requires"]
    return str(requirement)


def python_env(path: Path | str) -> dict[str, str]:
    """The environment of a subprocess that imports from ``path`` (and never from its own folder)."""
    return {**os.environ, "PYTHONPATH": str(path), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONSAFEPATH": "1"}
