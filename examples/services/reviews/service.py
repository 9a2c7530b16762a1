"""Reviews: a small BentoML service written the way users write them.

It exercises what a generated client's types must match: a ``str`` enum whose
members are named after their values, a model with ``Field(default_factory=list)``,
a root (positional-only) input, an enum parameter, and a task taking
``list[float]``.
"""

from __future__ import annotations

from enum import Enum

import bentoml
from pydantic import BaseModel, Field


class Sentiment(str, Enum):
    """How a review feels."""

    positive = "positive"
    negative = "negative"
    neutral = "neutral"


class Stage(str, Enum):
    """Which model judges."""

    dev = "dev"
    prod = "prod"


class Review(BaseModel):
    """A product review."""

    text: str
    stars: int = Field(ge=1, le=5)
    tags: list[str] = Field(default_factory=list)


class Verdict(BaseModel):
    """What the service thinks of a review."""

    sentiment: Sentiment
    stage: Stage
    tags: list[str] = Field(default_factory=list)


def verdict_of(review: Review, stage: Stage) -> Verdict:
    """Stars decide: 4-5 positive, 1-2 negative, 3 neutral."""
    if review.stars >= 4:
        sentiment = Sentiment.positive
    elif review.stars <= 2:
        sentiment = Sentiment.negative
    else:
        sentiment = Sentiment.neutral
    return Verdict(sentiment=sentiment, stage=stage, tags=review.tags)


@bentoml.service
class Reviews:
    """Judge product reviews."""

    @bentoml.api
    def judge(self, review: Review, stage: Stage = Stage.prod) -> Verdict:
        """Judge one review with the model of ``stage``."""
        return verdict_of(review, stage)

    @bentoml.api
    def judge_review(self, review: Review, /) -> Verdict:
        """Judge one review given as the whole request body (a root input)."""
        return verdict_of(review, Stage.prod)

    @bentoml.task
    def average(self, numbers: list[float]) -> float:
        """The mean of ``numbers`` (a task)."""
        return sum(numbers) / len(numbers) if numbers else 0.0
