"""A local cache from a local document's raw texts to the digest of what they load into.

In: the options, the digests of the texts read (the spec, then each file its ``$ref``s name,
relative to the spec's folder) and the loaded document's digest (see
:mod:`svcgen.core.fingerprint`). Out: on a later run with the same spec text, that digest without
parsing — as long as every other file read then still has the text it had. Large YAML documents
take a second or more to parse; ``svcgen check`` with nothing changed must answer at once.

The cache lives outside every output folder: ``$SVCGEN_CACHE_DIR``, else
``$XDG_CACHE_HOME/svcgen``, else ``~/.cache/svcgen``. Only ``svcgen check`` writes it (``svcgen generate`` writes nothing outside its output folder,
whatever the document). It is only ever a shortcut: an entry that
is missing, unreadable or stale is a miss, and a cache that cannot be written is ignored. Each
entry is keyed by svcgen's own code too, so an upgrade never reads an older svcgen's answer.
It keeps at most :data:`MAX_ENTRIES` entries: writing one more removes the oldest written (every
edit of a spec, and every svcgen upgrade, makes a new one); nothing else in the folder is touched.
"""

from __future__ import annotations

import hashlib
import contextlib
import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..core.fingerprint import code_digest, text_digest


def recall(options: Mapping[str, object], source: Path, text: str) -> str | None:
    """The digest ``source`` (whose text is ``text``) loaded into before, or ``None``."""
    try:
        entry = json.loads(_entry(options, text_digest(text)).read_text(encoding="utf-8"))
        for where, digest in entry["documents"]:
            if Path(where).is_absolute() or "://" in where:
                return None  # only files beside the spec are checked here
            if text_digest((source.parent / where).read_bytes().decode("utf-8-sig")) != digest:
                return None
        document = entry["document"]
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    return document if isinstance(document, str) else None


def remember(options: Mapping[str, object], inputs: Sequence[tuple[str, str]], document: str) -> None:
    """Keep what a local spec loaded into: ``inputs`` are ``(where, digest)`` with the spec first."""
    if not inputs:
        return
    path = _entry(options, inputs[0][1])
    record = {"documents": [list(item) for item in inputs[1:]], "document": document}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False, encoding="utf-8") as handle:
            json.dump(record, handle)
        os.replace(handle.name, path)
    except OSError:
        return
    _prune(path.parent)


#: Most entries kept (a few hundred bytes each).
MAX_ENTRIES = 512
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.json")


def _prune(folder: Path) -> None:
    """Remove the oldest entries beyond :data:`MAX_ENTRIES` (only files named as entries are)."""
    try:
        with os.scandir(folder) as found:
            entries = [(item.stat().st_mtime, item.path) for item in found if _ENTRY_NAME.fullmatch(item.name)]
    except OSError:
        return
    for _written, path in sorted(entries)[: max(0, len(entries) - MAX_ENTRIES)]:
        with contextlib.suppress(OSError):
            os.unlink(path)


def cache_folder() -> Path:
    explicit = os.environ.get("SVCGEN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "svcgen"


def _entry(options: Mapping[str, object], spec_digest: str) -> Path:
    key = json.dumps({"options": dict(options), "spec": spec_digest, "svcgen": code_digest()}, sort_keys=True, default=str)
    return cache_folder() / "documents" / (hashlib.sha256(key.encode("utf-8")).hexdigest() + ".json")
