"""Swapping one generation for the next inside an output folder: all or nothing.

The folder may hold the user's files next to svcgen's, so it cannot be
replaced as a whole; svcgen's own files are swapped one by one instead:

1. **stage** - every new or changed file is written (and flushed to disk) into
   ``<out>/.svcgen-transaction/new/``: the same filesystem, so every later move
   is an atomic rename. Nothing in the folder has changed yet; a failure here
   only deletes the staging folder.
2. **journal** - ``journal.json`` lists the files to install, the files to
   retire (replaced or removed) and the folders that will be created. It is
   flushed to disk before anything in the folder moves.
3. **retire** - each file to be replaced or removed is moved into ``old/``.
4. **install** - each staged file is moved into place, the provenance file
   (``<pkg>/_svcgen.json``, whose manifest says what svcgen owns) last. That
   last move is the commit point.
5. **clean up** - the staging folder, with the retired files, is deleted.

An error or Ctrl-C during 3-4 rolls back in the same process: the installed
files are removed and the retired ones moved back. A process killed outright
leaves the journal behind; the next run into that folder (:func:`recover`)
reads it first and completes the swap if the provenance file had been
installed, or rolls it back if not. So after any run the folder holds the old
generation or the new one, never a mix of the two. While a run works, it holds
a lock on its journal (POSIX ``flock``), which tells an interrupted run's
leftovers from a run still in progress.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..core.errors import SvcgenError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, recovery still works
    fcntl = None  # type: ignore[assignment]

STAGE = ".svcgen-transaction"
JOURNAL = "journal.json"


@dataclass(frozen=True)
class Plan:
    """What one generation changes: files to install (path → text), owned files to remove."""

    install: dict[str, str]
    remove: tuple[str, ...]
    #: the provenance file: installed last, it commits the swap
    commit: str


def apply(output: Path, plan: Plan) -> None:
    """Install ``plan`` into ``output`` (created when missing) all or nothing."""
    created = not output.exists()
    output.mkdir(parents=True, exist_ok=True)
    try:
        with _staged(output) as (root, journal):
            staged = [_write(root / "new" / name, text) for name, text in sorted(plan.install.items())]
            _flush(staged)
            record = {
                "state": "swapping",
                "install": sorted(plan.install, key=lambda name: (name == plan.commit, name)),
                "retire": sorted({*plan.remove, *(n for n in plan.install if os.path.lexists(output / n))}),
                "new_dirs": _missing_dirs(output, plan.install),
                "commit": plan.commit,
                "remove": sorted(plan.remove),
            }
            _save(journal, record)
            try:
                _swap(output, root, record)
            except BaseException:
                # if the roll-back fails too, the journal stays for the next run to finish it
                _roll_back(output, root, record)
                _save(journal, {"state": "rolled back"})
                raise
        prune(output, plan.remove)
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                output.rmdir()
        raise


def recover(output: Path) -> str | None:
    """Finish or undo a run into ``output`` that was killed half way; say what was done."""
    for leftover in sorted(output.glob(f"{STAGE}-*")):
        with _locked(leftover / JOURNAL, output) if (leftover / JOURNAL).exists() else contextlib.nullcontext():
            shutil.rmtree(leftover, ignore_errors=True)
    root = output / STAGE
    if root.is_symlink() or not root.is_dir():
        return None
    with _locked(root / JOURNAL, output):
        try:
            record = json.loads((root / JOURNAL).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = None
        if not isinstance(record, dict) or record.get("state") != "swapping":
            shutil.rmtree(root, ignore_errors=True)  # stopped while staging: nothing had moved
            return None
        if not (root / "new" / record["commit"]).exists():
            shutil.rmtree(root, ignore_errors=True)
            prune(output, record.get("remove", ()))
            return f"{output}: completed a generation that was interrupted after it was committed"
        _roll_back(output, root, record)
        shutil.rmtree(root, ignore_errors=True)
        return f"{output}: undid a generation that was interrupted half way; the previous one is intact"


def prune(output: Path, removed: Any) -> None:
    """Delete the folders that removing svcgen's files left empty (and nothing else)."""
    for name in sorted(removed, key=lambda n: -n.count("/")):
        folder = (output / name).parent
        while folder != output and output in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent


def _swap(output: Path, root: Path, record: dict[str, Any]) -> None:
    for name in record["retire"]:
        _move(output / name, root / "old" / name)
    for name in record["install"]:
        _move(root / "new" / name, output / name)


def _roll_back(output: Path, root: Path, record: dict[str, Any]) -> None:
    """Undo a swap; safe to run again on a roll-back that was itself interrupted."""
    retired = set(record["retire"])
    for name in reversed(record["install"]):
        if os.path.lexists(root / "new" / name):
            continue  # never installed
        if name in retired and not os.path.lexists(root / "old" / name):
            continue  # the old file is already back
        if os.path.lexists(output / name):
            os.unlink(output / name)
    for name in record["retire"]:
        if os.path.lexists(root / "old" / name):
            _move(root / "old" / name, output / name)
    for folder in reversed(record["new_dirs"]):
        with contextlib.suppress(OSError):
            (output / folder).rmdir()


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return path


def _flush(paths: list[Path]) -> None:
    """Every staged file on disk before the journal is: one ``sync`` where the system has it
    (a large client is thousands of files, and one ``fsync`` each took 0.6 of OpenAI's 0.9 s of
    writing), else one ``fsync`` per file."""
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in paths:  # pragma: no cover - Windows
        with open(path, "rb+") as handle:
            os.fsync(handle.fileno())


def _save(journal: IO[str], record: dict[str, Any]) -> None:
    journal.seek(0)
    journal.truncate()
    journal.write(json.dumps(record, indent=1))
    journal.flush()
    os.fsync(journal.fileno())


def _missing_dirs(output: Path, names: Any) -> list[str]:
    """The folders installing ``names`` will create, parents first."""
    missing: set[str] = set()
    for name in names:
        parts = name.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            if not (output / folder).exists():
                missing.add(folder)
    return sorted(missing, key=lambda folder: (folder.count("/"), folder))


@contextlib.contextmanager
def _staged(output: Path) -> Iterator[tuple[Path, IO[str]]]:
    """A locked staging folder under its final name; deleted on the way out."""
    scratch = Path(tempfile.mkdtemp(prefix=f"{STAGE}-", dir=output))
    root = output / STAGE
    try:
        with open(scratch / JOURNAL, "w+", encoding="utf-8") as journal:
            _lock(journal, output)
            _save(journal, {"state": "staging"})
            try:
                os.rename(scratch, root)
            except OSError:
                raise SvcgenError(f"{output}: another svcgen run is writing into this folder; try again when it has finished") from None
            try:
                yield root, journal
            except BaseException:
                if not _unfinished(root):
                    shutil.rmtree(root, ignore_errors=True)
                raise
            shutil.rmtree(root, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _unfinished(root: Path) -> bool:
    """True while the journal says files are being swapped (the staging folder must then stay)."""
    try:
        return bool(json.loads((root / JOURNAL).read_text(encoding="utf-8")).get("state") == "swapping")
    except (OSError, ValueError, AttributeError):
        return False


@contextlib.contextmanager
def _locked(path: Path, output: Path) -> Iterator[None]:
    try:
        handle = open(path, "a", encoding="utf-8")
    except OSError:
        yield
        return
    with handle:
        _lock(handle, output)
        yield


def _lock(handle: IO[str], output: Path) -> None:
    if fcntl is None:  # pragma: no cover
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise SvcgenError(f"{output}: another svcgen run is writing into this folder; try again when it has finished") from None
