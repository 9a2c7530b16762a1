"""The local cache of parsed documents stays bounded: writing one entry more than it keeps
removes the oldest written, and nothing in the folder but its own entries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from svcgen.core.fingerprint import text_digest
from svcgen.source import parsed_cache


def test_the_oldest_entries_go_and_nothing_else(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVCGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(parsed_cache, "MAX_ENTRIES", 3)
    spec = tmp_path / "spec.yaml"
    texts = [f"openapi: 3.1.0\ninfo: {{title: t, version: '{number}'}}\n" for number in range(5)]
    for age, text in enumerate(texts):
        parsed_cache.remember({}, [("spec.yaml", text_digest(text))], f"digest-{age}")
        written = parsed_cache._entry({}, text_digest(text))
        os.utime(written, (1_000_000 + age, 1_000_000 + age))  # written one after another
        if age == 0:
            foreign = written.parent / "notes.txt"
            foreign.write_text("mine")
            os.utime(foreign, (1, 1))  # older than every entry: still not the cache's to remove
    folder = parsed_cache._entry({}, text_digest(texts[0])).parent
    parsed_cache._prune(folder)
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [parsed_cache._entry({}, text_digest(text)).name for text in texts[2:]] + ["notes.txt"]
    )
    for number, text in enumerate(texts):
        spec.write_text(text)
        assert parsed_cache.recall({}, spec, text) == (f"digest-{number}" if number >= 2 else None)
