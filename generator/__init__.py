"""svcgen: static, typed, standalone Python clients for model-serving services."""

__version__ = "0.1.0"

from .config import Config  # noqa: E402
from .errors import Diagnostic, SvcgenError  # noqa: E402
from .pipeline import Generated, build_files, fetch_document, generate  # noqa: E402

__all__ = ["Config", "Diagnostic", "Generated", "SvcgenError", "__version__", "build_files", "fetch_document", "generate"]
