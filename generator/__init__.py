"""svcgen: static, typed, standalone Python clients for model-serving services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import Config
from .core.errors import Diagnostic, SvcgenError
from .core.version import __version__

if TYPE_CHECKING:
    from .pipeline import Generated, build_files, fetch_document, generate

__all__ = ["Config", "Diagnostic", "Generated", "SvcgenError", "__version__", "build_files", "fetch_document", "generate"]

#: Loaded on first use: the pipeline imports every stage, which a command answered without
#: generating (``svcgen check`` with nothing changed) never needs.
_PIPELINE = ("Generated", "build_files", "fetch_document", "generate")


def __getattr__(name: str) -> Any:
    if name in _PIPELINE:
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'svcgen' has no attribute {name!r}")
