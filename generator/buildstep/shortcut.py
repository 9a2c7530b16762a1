"""``svcgen check`` and ``svcgen generate`` with nothing changed: the answer without generating.

In: a :class:`~svcgen.config.Config` and its output folder. Out: ``True`` when the folder is
certainly what the inputs generate now — the fingerprint of the inputs (see
:mod:`svcgen.core.fingerprint`) is the one recorded in the folder's provenance file, and every
file svcgen wrote still has the sha256 its manifest records; ``False`` when that cannot be
shown, and the caller generates as usual. Sound because generation is deterministic.

The fingerprint is made from the document as generation sees it (see
:mod:`svcgen.core.fingerprint`). A local spec whose text, and the texts of the files its
``$ref``s name, are those a local cache (:mod:`svcgen.source.parsed_cache`) has seen is not
parsed again; otherwise it is read as generation reads it. A URL is fetched again (the fetch is
part of the answer). Any trouble (an unreadable file, a failed
fetch) answers ``False``: the full path then reports it as it always does. Nothing here imports
the models stage, the templates or the document model.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..config import Config
from ..core.errors import SvcgenError
from ..core.fingerprint import document_digest, fingerprint
from ..core.version import __version__
from ..output.manifest import INPUTS_KEY, MANIFEST_KEY, PROVENANCE, owned_files, record_digest
from ..output.paths import is_safe_path, visible_files
from ..output.transaction import STAGE
from ..source.parsed_cache import recall, remember


def unchanged(config: Config, target: Path, *, cache: bool = False) -> bool:
    """Whether ``target`` is exactly what ``config`` generates now, known without generating.

    ``cache``: remember what a local spec loaded into (``svcgen check``). ``svcgen generate``
    reads the cache but never writes it: generating writes nothing outside its output folder."""
    record = _record(target)
    if record is None or (target / STAGE).exists():
        return False
    if record[INPUTS_KEY].get("record") != record_digest(record):
        return False  # the record was edited by hand
    if record.get("version") != __version__ or record.get("options") != config.recorded_options():
        return False
    document = _document(config, cache)
    if document is None or fingerprint(document, config.fingerprint_options()) != record[INPUTS_KEY]["fingerprint"]:
        return False
    return _intact(target, record[MANIFEST_KEY])


def _intact(target: Path, manifest: dict[str, str]) -> bool:
    """Whether every file of the manifest is a regular file with the sha256 it records (a large
    package has thousands: plain ``os`` calls, one ``lstat`` and one read each)."""
    root = str(target)
    for name, digest in manifest.items():
        path = os.path.join(root, name)
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                return False
            with open(path, "rb") as handle:
                if hashlib.sha256(handle.read()).hexdigest() != digest:
                    return False
        except OSError:
            return False
    return True


def foreign_files(target: Path) -> list[str]:
    """The files in ``target`` svcgen did not write (what ``-v`` lists; hidden folders not listed)."""
    return sorted(visible_files(target) - set(owned_files(target).files))


def _record(target: Path) -> dict[str, Any] | None:
    """The one provenance record in ``target`` that has a manifest and an inputs fingerprint."""
    markers = sorted(target.glob(f"*/{PROVENANCE}")) if target.is_dir() else []
    if len(markers) != 1 or markers[0].is_symlink():
        return None
    try:
        record = json.loads(markers[0].read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(record, dict) or record.get("generator") != "svcgen":
        return None
    inputs, manifest = record.get(INPUTS_KEY), record.get(MANIFEST_KEY)
    if not isinstance(inputs, dict) or not isinstance(manifest, dict):
        return None
    if not isinstance(inputs.get("fingerprint"), str) or not all(
        isinstance(name, str) and isinstance(digest, str) and is_safe_path(name) for name, digest in manifest.items()
    ):
        return None
    return record


def _document(config: Config, cache: bool) -> str | None:
    """The digest of the document ``config.source`` loads into: from the local cache when the
    spec and the files it names are unchanged, else read (and, for a local spec, remembered)."""
    options = config.fingerprint_options()
    if not _is_url(config.source):
        source = Path(config.source).resolve()
        text = _file_text(source, config.max_document_bytes)
        if text is None:
            return None
        known = recall(options, source, text)
        if known is not None:
            return known
    from ..source.load import load  # fetches, parses and bundles; the models stage stays unloaded

    try:
        loaded = load(config.source, **config.load_options())
    except SvcgenError:
        return None
    digest = document_digest(loaded.document)
    if cache and loaded.origin is None:
        remember(options, loaded.inputs, digest)
    return digest


def _file_text(path: Path, max_bytes: int) -> str | None:
    try:
        if path.stat().st_size > max_bytes:
            return None
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def _is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in ("http", "https")
