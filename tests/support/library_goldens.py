"""The golden documents' client packages generated on another HTTP library, for the runtime tests.

The runtime tests import the packages of ``fixtures/golden/``, built on httpx. To run the
same cases against clients built on httpx2, every golden document without options of its
own is generated with ``http_library=...`` into a folder of the same layout, once per
library and content (the templates, the generator and the documents decide the folder's
name, so a changed template never reuses a stale tree).
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "library-goldens"


def generated_goldens(library: str) -> Path:
    """A folder holding ``<golden>/<package>/...`` for every plain golden, built on ``library``."""
    sys.path.insert(0, str(ROOT / "fixtures"))
    from regenerate import generate_in_memory, golden_specs

    goldens = [golden for golden in golden_specs() if not golden.options]
    target = CACHE / f"{library}-{_fingerprint(goldens)}"
    if target.is_dir():
        return target
    scratch = CACHE / f"{target.name}.partial"
    shutil.rmtree(scratch, ignore_errors=True)
    for golden in goldens:
        options = dict(golden.options, http_library=library)
        files = generate_in_memory(type(golden)(golden.stem, golden.path, options))
        for relative, text in files.items():
            path = scratch / golden.stem / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
    try:
        scratch.rename(target)
    except OSError:  # another run made it meanwhile
        shutil.rmtree(scratch, ignore_errors=True)
    for stale in CACHE.glob(f"{library}-*"):  # trees of older templates
        if stale != target and not stale.name.endswith(".partial"):
            shutil.rmtree(stale, ignore_errors=True)
    return target


def _fingerprint(goldens: list[Any]) -> str:
    digest = hashlib.sha256()
    sources = sorted((ROOT / "templates").rglob("*.jinja")) + sorted((ROOT / "generator").rglob("*.py"))
    for path in sources + [golden.path for golden in goldens]:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
