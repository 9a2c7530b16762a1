"""Shared helpers for the golden-record tests."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "fixtures"))

from regenerate import GOLDEN, generate_in_memory, golden_specs  # noqa: E402

REGENERATE = "make goldens   (or: python fixtures/regenerate.py)"


def read_tree(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and ".mypy_cache" not in path.parts
    }


def tree_diff(expected: dict[str, str], actual: dict[str, str]) -> str:
    """A unified diff of two file trees; empty when they are identical."""
    chunks: list[str] = []
    for name in sorted(set(expected) | set(actual)):
        old, new = expected.get(name), actual.get(name)
        if old == new:
            continue
        chunks.extend(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                (new or "").splitlines(keepends=True),
                fromfile=f"golden/{name}" if old is not None else "/dev/null",
                tofile=f"generated/{name}" if new is not None else "/dev/null",
            )
        )
    return "".join(chunks)


__all__ = ["GOLDEN", "REGENERATE", "generate_in_memory", "golden_specs", "read_tree", "tree_diff"]
