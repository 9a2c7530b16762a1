"""The secrets given on the command line, and keeping them out of everything svcgen writes.

The token and ``--header`` values are only ever sent to the service the
document comes from. They are registered here so that messages can be
redacted, and so that a document which echoes one back (a hostile or
misconfigured server reflecting the request's headers) cannot carry it into
the generated package.
"""

from __future__ import annotations

from typing import Any

#: Shorter values are too likely to occur by chance in a document or message.
MIN_SECRET_LENGTH = 6
MASK = "***"


class Secrets:
    """The values that must never appear in output, logs or messages."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def add(self, value: str | None) -> None:
        if value and len(value) >= MIN_SECRET_LENGTH:
            self._values.add(value)
            if value.lower().startswith("bearer "):
                self.add(value[7:].strip())

    def redact(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, MASK)
        return text

    def scrub(self, document: Any) -> tuple[Any, int]:
        """``document`` with every secret in its strings and keys masked, and how many strings changed."""
        if not self._values:
            return document, 0
        changed = 0

        def clean(node: Any) -> Any:
            nonlocal changed
            if isinstance(node, str):
                masked = self.redact(node)
                changed += masked != node
                return masked
            if isinstance(node, dict):
                return {clean(key): clean(value) for key, value in node.items()}
            if isinstance(node, list):
                return [clean(item) for item in node]
            return node

        return clean(document), changed


SECRETS = Secrets()
