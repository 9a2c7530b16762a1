"""FraudScoring: a BentoML service with nested pydantic models.

It exercises what a generated client's models must get right: a ``str`` enum,
optional fields, defaults, constraints (``ge``/``le``/``max_length``), a list of
nested models, wire names that are not Python identifiers (``from``,
``3ds-verified``), a model returned from an API (``FraudScoreIODescriptor`` in
``/docs.json``), a model parameter next to scalar parameters, and API
parameters named ``timeout`` and ``stream``. Scores are deterministic.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import bentoml
from pydantic import BaseModel, ConfigDict, Field

MODEL_VERSION = "rules-2024.1"


class Channel(str, Enum):
    """Where the transaction happened."""

    WEB = "web"
    MOBILE = "mobile"
    POS = "pos"


class RiskLevel(str, Enum):
    """Coarse risk bucket derived from the score."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Address(BaseModel):
    """A postal address."""

    country: str = Field(
        min_length=2, max_length=2, description="ISO 3166-1 alpha-2 code"
    )
    city: Optional[str] = None
    postcode: Optional[str] = Field(default=None, max_length=10)


class LineItem(BaseModel):
    """One purchased item."""

    sku: str = Field(max_length=32)
    quantity: int = Field(default=1, ge=1, le=1000)
    unit_price: float = Field(ge=0)


class Transaction(BaseModel):
    """A payment to score."""

    model_config = ConfigDict(populate_by_name=True)

    transaction_id: str = Field(max_length=64)
    amount: float = Field(ge=0, le=1_000_000)
    currency: str = Field(default="USD", min_length=3, max_length=3)
    channel: Channel = Channel.WEB
    payer: Optional[str] = Field(
        default=None, alias="from", description="Payer account id"
    )
    three_ds_verified: bool = Field(default=False, alias="3ds-verified")
    billing_address: Optional[Address] = None
    items: list[LineItem] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list, max_length=10)


class FraudScore(BaseModel):
    """The result of scoring one transaction."""

    transaction_id: str
    score: float = Field(ge=0, le=1)
    risk: RiskLevel
    flagged: bool
    reasons: list[str] = Field(default_factory=list)
    model_version: str = MODEL_VERSION


class BatchResult(BaseModel):
    """Scores for a batch, in input order."""

    results: list[FraudScore]
    flagged_count: int = Field(ge=0)
    timeout: float
    streamed: bool


def risk_of(score: float) -> RiskLevel:
    """Bucket a score into a risk level."""
    if score >= 0.7:
        return RiskLevel.HIGH
    if score >= 0.4:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def score_transaction(tx: Transaction, threshold: float, explain: bool) -> FraudScore:
    """Deterministic rule-based score in [0, 1]."""
    rules: list[tuple[bool, float, str]] = [
        (tx.amount > 1000, 0.35, "large amount"),
        (
            not tx.three_ds_verified and tx.channel is not Channel.POS,
            0.2,
            "no 3-D Secure",
        ),
        (tx.billing_address is None, 0.15, "no billing address"),
        (tx.payer is None, 0.1, "unknown payer"),
        (sum(i.quantity for i in tx.items) > 20, 0.2, "many items"),
        ("risky" in tx.tags, 0.3, "tagged risky"),
    ]
    score = round(min(1.0, sum(weight for hit, weight, _ in rules if hit)), 4)
    reasons = [why for hit, _, why in rules if hit] if explain else []
    return FraudScore(
        transaction_id=tx.transaction_id,
        score=score,
        risk=risk_of(score),
        flagged=score >= threshold,
        reasons=reasons,
    )


@bentoml.service
class FraudScoring:
    """Rule-based fraud scoring for payments."""

    @bentoml.api
    def score(
        self,
        transaction: Transaction,
        threshold: Annotated[float, Field(ge=0, le=1)] = 0.5,
        explain: bool = False,
    ) -> FraudScore:
        """Score one transaction; ``explain`` adds the reasons."""
        return score_transaction(transaction, threshold, explain)

    @bentoml.api
    def score_batch(
        self,
        transactions: list[Transaction],
        threshold: float = 0.5,
        timeout: float = 10.0,
        stream: bool = False,
    ) -> BatchResult:
        """Score several transactions; ``timeout`` and ``stream`` are echoed back."""
        results = [
            score_transaction(tx, threshold, explain=False) for tx in transactions
        ]
        return BatchResult(
            results=results,
            flagged_count=sum(r.flagged for r in results),
            timeout=timeout,
            streamed=stream,
        )

    @bentoml.api
    def risk_level(self, score: Annotated[float, Field(ge=0, le=1)]) -> RiskLevel:
        """Map a score to its risk level."""
        return risk_of(score)
