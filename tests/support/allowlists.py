"""``mypy.stubtest`` on a generated package with the allowlist files that apply to an environment.

A package ships ``stubtest-allowlist.txt`` (entries needed everywhere) and, where pydantic's or
Python's run time differs between versions, ``stubtest-allowlist.<name>-<version>.txt`` files
(entries needed with ``<name>`` at ``<version>`` or newer; see ``generator/output/allowlist.py``).
Every entry of the files that apply is needed, so stubtest runs without
``--ignore-unused-allowlist``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from packaging.version import Version

COMMON = "stubtest-allowlist.txt"
_VERSIONED = re.compile(r"^stubtest-allowlist\.(?P<name>[a-z]+)-(?P<version>\d+(?:\.\d+)*)\.txt$")
#: What a versioned file's ``<name>`` may be: the distributions whose version an environment reports.
NAMES = ("python", "pydantic")
_VERSIONS = "import json, platform, pydantic; print(json.dumps({'python': platform.python_version(), 'pydantic': pydantic.VERSION}))"


def allowlists(folder: Path, versions: Mapping[str, str]) -> list[Path]:
    """The package's allowlist files that apply where ``versions`` (``{"python": "3.12.1",
    "pydantic": "2.14.4"}``) are installed: the common one, then the versioned ones that hold."""
    common = folder / COMMON
    if not common.is_file():
        raise FileNotFoundError(f"{common}: every generated package ships it")
    chosen = [common]
    for path in sorted(folder.glob("stubtest-allowlist.*.txt")):
        match = _VERSIONED.match(path.name)
        if match is None or match["name"] not in NAMES:
            raise ValueError(f"{path.name}: not an allowlist name this harness knows ({COMMON}, stubtest-allowlist.<{'|'.join(NAMES)}>-<version>.txt)")
        if Version(versions[match["name"]]) >= Version(match["version"]):
            chosen.append(path)
    return chosen


def versions_of(python: Path | str) -> dict[str, str]:
    """The versions of Python and pydantic in the environment of ``python``."""
    result = subprocess.run([str(python), "-c", _VERSIONS], capture_output=True, text=True, timeout=120, check=True)
    return dict(json.loads(result.stdout))


def stubtest(
    project: Path, package: str, python: Path | str = sys.executable, *, site: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m mypy.stubtest`` on the installed ``package`` with the project's allowlists that apply
    there: installed in ``python``'s environment, or in the folder ``site`` (put on the import path).
    It runs in a scratch folder, never the project folder."""
    files = allowlists(project, versions_of(python))
    args = [arg for path in files for arg in ("--allowlist", str(path))]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if site is not None:
        env.update(PYTHONPATH=str(site), MYPYPATH=str(site), PYTHONSAFEPATH="1")
    with tempfile.TemporaryDirectory(prefix="svcgen-stubtest-") as elsewhere:
        return subprocess.run(
            [str(python), "-m", "mypy.stubtest", "--mypy-config-file", os.devnull, *args, package],
            cwd=elsewhere, capture_output=True, text=True, env=env, timeout=600,
        )
