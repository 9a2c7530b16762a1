"""Walking a JSON document (dicts, lists and scalars, as loaded) without recursion.

A hostile document may nest as deep as the loader allows; an explicit stack never meets
Python's recursion limit. The order is fixed (depth first, the last child first), so anything
built from a walk in the order it yields is the same on every run.
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from typing import Any


def dicts(node: Any, skip: Container[str] = ()) -> Iterator[dict[Any, Any]]:
    """Every mapping in ``node``, ``node`` itself first when it is one; the values under the
    keys in ``skip`` are not entered (a schema's ``enum`` or ``example`` is data, not schemas).
    A mapping is yielded before what it holds is looked at, so the caller may stop early."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, dict):
            yield current
            stack.extend(value for key, value in current.items() if key not in skip)
