"""Stage 6a: format Python sources with a pinned black and a fixed mode.

The mode is fixed here, never read from a ``pyproject.toml`` near the
current directory, so output does not depend on where svcgen runs.
"""

from __future__ import annotations

import black

from .errors import SvcgenError

_MODE = black.Mode(target_versions={black.TargetVersion.PY310}, line_length=100)
_STUB_MODE = black.Mode(target_versions={black.TargetVersion.PY310}, line_length=100, is_pyi=True)


def format_tree(files: dict[str, str]) -> dict[str, str]:
    return {path: format_file(path, text) for path, text in files.items()}


def format_file(path: str, text: str) -> str:
    if path.endswith(".py"):
        mode = _MODE
    elif path.endswith(".pyi"):
        mode = _STUB_MODE
    else:
        return text
    try:
        return black.format_str(text, mode=mode)
    except Exception as exc:  # black raises InvalidInput and others on bad source
        raise SvcgenError(f"internal error: generated {path} is not valid Python ({str(exc)[:200]})") from None
