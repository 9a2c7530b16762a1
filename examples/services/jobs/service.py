"""Jobs: a BentoML service with streaming and task (long-running) APIs.

It exercises streamed responses from a sync and an ``async`` generator, and
``@bentoml.task`` APIs that succeed, fail, take a file, and live under a custom
route.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncGenerator, Generator
from pathlib import Path

import bentoml
from pydantic import BaseModel


class TrainingReport(BaseModel):
    """What a finished training job reports."""

    epochs: int
    loss: float
    history: list[float]


@bentoml.service
class Jobs:
    """Streams and long-running tasks."""

    @bentoml.api
    def count(self, n: int = 5, delay: float = 0.0) -> Generator[str, None, None]:
        """Stream the numbers ``0 .. n-1``, one line each (a sync generator)."""
        for i in range(n):
            if delay:
                time.sleep(delay)
            yield f"{i}\n"

    @bentoml.api
    async def tokens(self, prompt: str, delay: float = 0.0) -> AsyncGenerator[str, None]:
        """Stream the words of ``prompt`` back one at a time (an async generator)."""
        for word in prompt.split():
            if delay:
                await asyncio.sleep(delay)
            yield word + " "

    @bentoml.task
    def train(self, epochs: int = 3, pause: float = 0.0) -> TrainingReport:
        """Pretend to train for ``epochs`` epochs and report the losses."""
        history = []
        for epoch in range(epochs):
            if pause:
                time.sleep(pause)
            history.append(round(1.0 / (epoch + 1), 4))
        return TrainingReport(epochs=epochs, loss=history[-1] if history else 0.0, history=history)

    @bentoml.task
    def explode(self, message: str = "boom") -> str:
        """A task that always fails with ``message``."""
        raise bentoml.exceptions.InvalidArgument(message)

    @bentoml.task
    def digest(self, data: Path) -> str:
        """The SHA-256 of an uploaded file (a task taking a file)."""
        return hashlib.sha256(data.read_bytes()).hexdigest()

    @bentoml.task(route="/v1/batch-score")
    def batch_score(self, items: list[float]) -> list[float]:
        """Double every item (a task under a custom route)."""
        return [2 * x for x in items]
