"""Other Pythons and other dependency versions, for tests of the generated packages' support range.

Two helpers, each cached for the test session (one process) in a temporary folder that is
removed when the process ends:

- ``python_for("3.10")``: the interpreter of a CPython minor version (pyenv's, else
  ``python3.10`` on ``PATH``). A missing one raises :class:`MissingPython`: a support test
  that cannot run fails, it is never skipped.
- ``make_env(python, requirements, name)``: a virtual environment of that interpreter with
  ``requirements`` installed (pins, wheel paths: anything ``uv pip install`` takes); returns
  its ``python``. The same arguments give the same environment back.

``run(python, code)`` runs a script with such a ``python`` outside the project folder, so the
package under test is imported from the environment's site-packages, as users import it.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tests.support.wheels import UV

#: Timeout of one environment or wheel build, and of one script run.
TIMEOUT = 600

_root: list[Path] = []
_envs: dict[str, Path] = {}


class MissingPython(RuntimeError):
    """A Python version the support range needs is not installed on this machine."""


def python_for(version: str) -> Path:
    """The interpreter of CPython ``version`` (``"3.10"``)."""
    candidates: list[Path] = []
    for versions in _pyenv_versions():
        candidates += sorted(versions.glob(f"{version}.*/bin/python{version}"), key=_patch_level, reverse=True)
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if _reports(candidate, version):
            return candidate
    raise MissingPython(
        f"no CPython {version}: install it with `pyenv install {version}` (looked in pyenv's versions and for python{version} on PATH)"
    )


def make_env(python: Path, requirements: Sequence[str], name: str) -> Path:
    """The ``python`` of an environment of ``python`` holding ``requirements`` (created once).

    ``requirements`` are ``uv pip install`` arguments: pins, wheel paths, ``--editable DIR``.
    Only wheels are installed (a local project excepted): a release without a wheel for this
    Python fails here instead of building from source."""
    key = hashlib.sha256("\0".join([str(python), *requirements]).encode()).hexdigest()[:12]
    if key in _envs:
        return _envs[key]
    home = _session_root() / "envs" / f"{name}-{key}"
    _uv("venv", "--quiet", "--clear", "--python", str(python), str(home))
    env_python = home / "bin" / "python"
    if requirements:
        _uv("pip", "install", "--quiet", "--only-binary", ":all:", "--python", str(env_python), *requirements)
    _envs[key] = env_python
    return env_python


def run(python: Path, code: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -c code args`` in ``cwd`` (default: an empty folder, not the project's)."""
    folder = cwd if cwd is not None else _session_root() / "cwd"
    folder.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["SVCGEN_UV"] = str(UV)  # tests run there build and install wheels with the dev environment's uv
    return subprocess.run(
        [str(python), "-c", code, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def _uv(*args: str) -> None:
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    result = subprocess.run([str(UV), *args], capture_output=True, text=True, env=env, timeout=TIMEOUT, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"uv {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def _session_root() -> Path:
    if not _root:
        root = Path(tempfile.mkdtemp(prefix="svcgen-pyenvs-"))
        atexit.register(shutil.rmtree, root, True)
        _root.append(root)
    return _root[0]


def _pyenv_root() -> str | None:
    """What ``pyenv root`` names, if pyenv is on PATH."""
    try:
        found = subprocess.run(["pyenv", "root"], capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None


def _pyenv_versions() -> list[Path]:
    roots = [_pyenv_root(), os.environ.get("PYENV_ROOT"), str(Path.home() / ".pyenv")]
    return [Path(root) / "versions" for root in roots if root and (Path(root) / "versions").is_dir()]


def _patch_level(path: Path) -> tuple[int, ...]:
    """``3.10.13`` → ``(3, 10, 13)`` from ``.../versions/3.10.13/bin/python3.10`` (pre-releases last)."""
    name = path.parents[1].name
    return tuple(int(part) if part.isdigit() else -1 for part in name.split("."))


def _reports(python: Path, version: str) -> bool:
    """Whether ``python`` runs and is CPython ``version``."""
    probe = "import platform, sys; print(platform.python_implementation(), '%d.%d' % sys.version_info[:2])"
    try:
        result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return False
    return result.returncode == 0 and result.stdout.split() == ["CPython", version]
