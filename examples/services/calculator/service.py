"""Calculator: a BentoML service whose APIs take and return typed scalars only.

It exercises the simplest shapes a generated client has to handle: required and
defaulted scalar parameters, a list parameter, an optional parameter and an
optional result, a ``str`` result (served as ``text/plain``) and a 400 error
raised from user code (division by zero).
"""

from __future__ import annotations

from typing import Optional

import bentoml
from bentoml.exceptions import InvalidArgument


@bentoml.service
class Calculator:
    """Arithmetic on plain scalars."""

    @bentoml.api
    def add(self, a: int, b: int) -> int:
        """Return the sum of two integers."""
        return a + b

    @bentoml.api
    def divide(self, x: float, y: float) -> float:
        """Divide ``x`` by ``y``; dividing by zero is a 400 error."""
        if y == 0:
            raise InvalidArgument("division by zero")
        return x / y

    @bentoml.api
    def greet(self, name: str, punctuation: str = "!", shout: bool = False) -> str:
        """Greet someone by name, optionally in capitals."""
        text = f"Hello, {name}{punctuation}"
        return text.upper() if shout else text

    @bentoml.api
    def total(self, values: list[int]) -> int:
        """Return the sum of a list of integers (0 for an empty list)."""
        return sum(values)

    @bentoml.api
    def maybe(self, value: Optional[int] = None) -> Optional[int]:
        """Double ``value``; return null when no value is given."""
        return None if value is None else value * 2
