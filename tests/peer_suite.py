"""Run svcgen over another generator's OpenAPI test documents and tally the outcomes.

The peer suite is datamodel-code-generator's own ``tests/data/openapi`` folder
(see its ``SOURCES.md``), read in place: ``$SVCGEN_PEER_SUITE``, else
``<repo>/../shared/peer-suites/datamodel-code-generator/openapi``, else the
workspace's copy. Every file at the top of the folder is run (a few are not
OpenAPI documents at all: bare schemas and data files; svcgen must refuse those
cleanly); in subfolders only the files that are documents (a mapping with a
top-level ``openapi`` key), since the rest are fragments that documents reach
through ``$ref``.

Each document is generated in memory in this one process, as
``fixtures/regenerate.py`` does: loaded (so file ``$ref``s are bundled),
then :func:`svcgen.build_files`. The outcome is ``generated``, ``refused``
(an :class:`~svcgen.core.errors.SvcgenError`: one clear line) or ``crashed``
(anything else, which is a bug).

Run: ``python tests/peer_suite.py [-v] [--ref-root] [NAME...]`` (``-v`` lists every
refusal and crash; ``--ref-root`` lets file ``$ref``s point anywhere in the suite's folder,
as ``svcgen --ref-root`` would; names filter the documents by substring).
"""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
_RELATIVE = Path("shared") / "peer-suites" / "datamodel-code-generator" / "openapi"


def suite_folder() -> Path:
    """Where the peer suite is (it may be absent: :func:`documents` then finds none)."""
    candidates = [os.environ.get("SVCGEN_PEER_SUITE"), ROOT.parent / _RELATIVE, Path("/work") / _RELATIVE]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return ROOT.parent / _RELATIVE


@dataclass(frozen=True)
class Outcome:
    """What svcgen did with one document."""

    #: The document's path relative to the suite folder (``allof.yaml``, ``paths_external_ref/openapi.yaml``).
    name: str
    #: ``generated``, ``refused`` or ``crashed``.
    status: str
    #: The refusal's one line, the crash's exception, or the package name.
    detail: str
    #: How many warnings a generated package came with.
    warnings: int = 0
    #: The generated files (when asked for: ``run_one(..., keep_files=True)``).
    files: dict[str, str] | None = field(default=None, compare=False, repr=False)


def documents(folder: Path | None = None) -> list[Path]:
    """Every file at the top of the suite and every document below it, sorted."""
    folder = folder or suite_folder()
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in (".yaml", ".yml", ".json") or not path.is_file():
            continue
        if path.parent == folder:
            found.append(path)
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
            content = json.loads(text) if path.suffix.lower() == ".json" else yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - a safe loader
        except (ValueError, yaml.YAMLError):
            continue
        if isinstance(content, dict) and "openapi" in content:
            found.append(path)
    return found


def package_name(name: str) -> str:
    """A package name of its own for each document (so every generated package installs beside the others)."""
    return "peer_" + re.sub(r"[^0-9a-z]+", "_", name.lower().rsplit(".", 1)[0]).strip("_")


def run_one(path: Path, folder: Path | None = None, ref_root: Path | None = None, *, keep_files: bool = False) -> Outcome:
    """Generate one document in memory and say how it went (``ref_root``: as ``--ref-root``;
    ``keep_files``: under a package name of its own, keeping the files)."""
    from svcgen import Config, build_files
    from svcgen.core.errors import SvcgenError
    from svcgen.source.load import load

    name = path.relative_to(folder or suite_folder()).as_posix()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            document = load(str(path), ref_root=ref_root).document
            config = Config(source=str(path), ref_root=ref_root, name=package_name(name) if keep_files else None)
            generated = build_files(document, config)
    except SvcgenError as exc:
        return Outcome(name, "refused", exc.describe())
    except Exception as exc:  # noqa: BLE001 - a crash is what this measures
        last = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(last.filename).name}:{last.lineno}"
        return Outcome(name, "crashed", f"{type(exc).__name__}: {str(exc)[:160]} ({where})")
    files = generated.files if keep_files else None
    return Outcome(name, "generated", generated.package, len(generated.diagnostics), files)


def run_suite(
    names: Iterable[str] = (), folder: Path | None = None, *, ref_root: bool = False, keep_files: bool = False
) -> list[Outcome]:
    """The outcome of every document (of those whose path contains one of ``names``, if given);
    ``ref_root``: file ``$ref``s may point anywhere in the suite's folder."""
    folder = folder or suite_folder()
    wanted = list(names)
    paths = [path for path in documents(folder) if not wanted or any(w in path.relative_to(folder).as_posix() for w in wanted)]
    return [run_one(path, folder, folder if ref_root else None, keep_files=keep_files) for path in paths]


def tally(outcomes: list[Outcome]) -> Counter[str]:
    return Counter(outcome.status for outcome in outcomes)


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    names = [arg for arg in argv if arg not in ("-v", "--ref-root")]
    folder = suite_folder()
    if not folder.is_dir():
        print(f"no peer suite at {folder} (set SVCGEN_PEER_SUITE)", file=sys.stderr)
        return 2
    outcomes = run_suite(names, folder, ref_root="--ref-root" in argv)
    for outcome in outcomes:
        if verbose or outcome.status == "crashed":
            if outcome.status != "generated":
                print(f"{outcome.status:9} {outcome.name}: {outcome.detail}")
    counts = tally(outcomes)
    print(
        f"{len(outcomes)} documents: {counts['generated']} generated, "
        f"{counts['refused']} refused, {counts['crashed']} crashed"
    )
    return 1 if counts["crashed"] else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
