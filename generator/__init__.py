"""svcgen: static, typed, standalone Python clients for model-serving services."""

from .config import Config
from .core.errors import Diagnostic, SvcgenError
from .core.version import __version__
from .pipeline import Generated, build_files, fetch_document, generate

__all__ = ["Config", "Diagnostic", "Generated", "SvcgenError", "__version__", "build_files", "fetch_document", "generate"]
