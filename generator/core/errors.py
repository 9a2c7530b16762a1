"""Errors and diagnostics shared by every stage of the pipeline.

A :class:`SvcgenError` is a failure the user can act on (bad input, an
unreachable source, an unsupported construct). The CLI prints it as one line
and exits with status 2. Diagnostics are warnings collected as values so that
nothing is ever dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from .escape import escaped


class SvcgenError(Exception):
    """A problem with the input or the environment, reported as one line."""

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = _one_line(message)
        self.where = where
        super().__init__(self.describe())

    def describe(self) -> str:
        if self.where:
            return f"{_one_line(self.where)}: {self.message}"
        return self.message


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A warning about something svcgen could only partly express."""

    where: str
    message: str
    level: str = "warning"

    def describe(self) -> str:
        return f"{self.level}: {_one_line(self.where)}: {_one_line(self.message)}"


def _one_line(text: str) -> str:
    """One line, safe to print: whitespace collapsed, and the controls, bidi characters and
    surrogates names and paths from a spec may hold written as escapes (``\\x1b``)."""
    return escaped(" ".join(str(text).split()))
