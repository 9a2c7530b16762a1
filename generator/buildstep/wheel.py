"""``svcgen build``: a generated package as a reproducible wheel and sdist.

The package is generated into a temporary folder and built by the standard
build frontend (``python -m build``) with the backend the generated
``pyproject.toml`` pins to an exact version. The same input gives the same
bytes, whatever the machine's clock, umask, time zone or folders:

- ``SOURCE_DATE_EPOCH`` is a constant (1980-01-01, the earliest date a zip
  can hold), so the wheel's entry dates do not depend on the clock;
- the generated tree is normalised (files 0644, folders 0755, mtimes at the
  epoch) and the build runs with umask 022, so file modes in both archives do
  not depend on the caller's umask;
- setuptools' sdist does not honour ``SOURCE_DATE_EPOCH`` (pypa/setuptools
  #2133): its tar entries carry the build's clock, uid/gid and user names,
  and the gzip header the current time. The finished sdist is therefore
  re-packed with the standard library: same members, same order, same
  contents, only that metadata made fixed.
"""

from __future__ import annotations

import gzip
import importlib.metadata
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from ..config import Config
from ..core.errors import Diagnostic, SvcgenError
from ..pipeline import generate

#: 1980-01-01T00:00:00Z: fixed, machine-independent, and the minimum a zip supports.
SOURCE_DATE_EPOCH = 315532800
BUILD_TIMEOUT = 600.0

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - build==1.3.0 depends on tomli below 3.11
    import tomli as tomllib


@dataclass
class Built:
    """The artifacts of one ``svcgen build``."""

    package: str
    wheel: Path
    sdist: Path
    diagnostics: list[Diagnostic] = field(default_factory=list)


def build_dists(config: Config, dist_dir: Path, *, isolation: bool = True) -> Built:
    """Generate the package for ``config`` and build its wheel and sdist into ``dist_dir``."""
    _require_build_frontend()
    dist_dir = Path(dist_dir)
    with tempfile.TemporaryDirectory(prefix="svcgen-build-") as scratch:
        root = Path(scratch)
        project, out = root / "project", root / "dist"
        generated = generate(replace(config, output=project, force=True))
        check_pinned_backend(project / "pyproject.toml")
        normalise_tree(project)
        _run_build(project, out, cwd=root, isolation=isolation)
        wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
        if len(wheels) != 1 or len(sdists) != 1:
            found = ", ".join(p.name for p in sorted(out.iterdir())) or "nothing"
            raise SvcgenError(f"the build frontend produced {found}, not one wheel and one sdist")
        normalise_sdist(sdists[0])
        try:
            dist_dir.mkdir(parents=True, exist_ok=True)
            targets = []
            for artifact in (wheels[0], sdists[0]):
                target = dist_dir / artifact.name
                shutil.copyfile(artifact, target)
                targets.append(target)
        except OSError as exc:
            raise SvcgenError(f"{dist_dir}: cannot write ({exc.strerror or exc})") from None
    return Built(generated.package, targets[0], targets[1], generated.diagnostics)


def check_pinned_backend(pyproject: Path) -> None:
    """Refuse a project whose build requirements are not pinned to exact versions."""
    try:
        build_system = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("build-system", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SvcgenError(f"cannot read the generated pyproject.toml ({exc})") from None
    requires = build_system.get("requires")
    if not build_system.get("build-backend") or not isinstance(requires, list) or not requires:
        raise SvcgenError("the generated pyproject.toml names no build backend and requirements")
    for entry in requires:
        try:
            requirement = Requirement(str(entry))
        except InvalidRequirement:
            raise SvcgenError(f"the generated pyproject.toml has an invalid build requirement {entry!r}") from None
        specs = list(requirement.specifier)
        exact = len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version
        if not exact:
            raise SvcgenError(
                f"the generated pyproject.toml's build requirement {entry!r} is not pinned to an exact version,"
                " so the built wheel would not be reproducible"
            )


def normalise_tree(project: Path) -> None:
    """Give every generated file mode 0644 and folder 0755, and the fixed mtime."""
    for folder, dirnames, filenames in os.walk(project):
        dirnames.sort()
        for name in filenames:
            path = os.path.join(folder, name)
            os.chmod(path, 0o644)
            os.utime(path, (SOURCE_DATE_EPOCH, SOURCE_DATE_EPOCH))
        os.chmod(folder, 0o755)
    for folder, _dirnames, _filenames in os.walk(project, topdown=False):
        os.utime(folder, (SOURCE_DATE_EPOCH, SOURCE_DATE_EPOCH))


def build_environment() -> dict[str, str]:
    """The environment of the build frontend and backend: the caller's, with the clock and zone fixed."""
    env = dict(os.environ)
    env.update({"SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH), "TZ": "UTC", "PYTHONHASHSEED": "0"})
    return env


def _require_build_frontend() -> None:
    try:
        importlib.metadata.version("build")
    except importlib.metadata.PackageNotFoundError:
        raise SvcgenError("the 'build' package is not installed (pip install build==1.3.0)") from None


def _run_build(project: Path, out: Path, *, cwd: Path, isolation: bool) -> None:
    command = [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(out)]
    if not isolation:
        command.append("--no-isolation")
    command.append(str(project))
    try:
        result = subprocess.run(
            command, check=False, cwd=cwd, env=build_environment(), stdin=subprocess.DEVNULL, capture_output=True,
            text=True, errors="replace", timeout=BUILD_TIMEOUT,
            umask=0o022 if os.name == "posix" else -1,  # -1: leave it (the default)
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise SvcgenError(f"building the package took longer than {BUILD_TIMEOUT:.0f} s") from None
    except OSError as exc:
        raise SvcgenError(f"cannot run the build frontend ({exc.strerror or exc})") from None
    if result.returncode != 0:
        raise SvcgenError(f"building the package failed: {_reason(result.stdout + result.stderr)}")


def _reason(output: str) -> str:
    """The most telling line of the build frontend's output (the backend's own error if it gave one)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if any("No module named build" in line for line in lines):
        return "the 'build' package is not installed for this Python (pip install build==1.3.0)"
    found = []
    for index, line in enumerate(lines):
        if line.startswith(("ERROR", "error:")) or "Error:" in line:
            text = line.removeprefix("ERROR").strip().removeprefix("error:").strip()
            if text.endswith(":"):  # e.g. "Missing dependencies:" followed by one per line
                text += " " + ", ".join(lines[index + 1 : index + 6])
            found.append(text)
    specific = [text for text in found if "Backend subprocess exited" not in text]
    chosen = (specific or found or lines or ["no output"])[-1]
    return chosen[:300]


def normalise_sdist(path: Path) -> None:
    """Re-pack a ``.tar.gz`` with fixed tar and gzip metadata; members and contents unchanged."""
    packed = io.BytesIO()
    try:
        with (
            tarfile.open(path, "r:gz") as source,
            gzip.GzipFile(filename="", mode="wb", fileobj=packed, compresslevel=9, mtime=SOURCE_DATE_EPOCH) as gz,
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as target,
        ):
            for member in source.getmembers():
                _copy_member(source, target, member)
    except (OSError, tarfile.TarError) as exc:
        raise SvcgenError(f"{path.name}: cannot normalise the sdist ({exc})") from None
    path.write_bytes(packed.getvalue())


def _copy_member(source: tarfile.TarFile, target: tarfile.TarFile, member: tarfile.TarInfo) -> None:
    if not (member.isfile() or member.isdir()):
        raise SvcgenError(f"unexpected entry {member.name!r} in the sdist (not a file or folder)")
    member.mtime = SOURCE_DATE_EPOCH
    member.uid = member.gid = 0
    member.uname = member.gname = ""
    member.mode = 0o755 if member.isdir() or member.mode & 0o111 else 0o644
    member.pax_headers = {}
    data = source.extractfile(member) if member.isfile() else None
    target.addfile(member, data)
