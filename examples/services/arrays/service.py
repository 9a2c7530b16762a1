"""Arrays: a BentoML service taking and returning numpy arrays and pandas DataFrames.

It exercises what a generated client must get right for tabular and tensor
payloads: a tensor parameter with a declared dtype and shape (``-1`` = any
length), a 2-D tensor result, a DataFrame in and out in ``records`` orientation,
a DataFrame declared in ``columns`` orientation, a batchable API, an
``async def`` API and an API without parameters.
"""

from __future__ import annotations

from typing import Annotated

import bentoml
import numpy as np
import pandas as pd
from bentoml.validators import DataframeSchema, DType, Shape


@bentoml.service
class Arrays:
    """Numeric helpers over numpy arrays and pandas DataFrames."""

    @bentoml.api
    def standardize(
        self,
        x: Annotated[np.ndarray, Shape((-1, 4)), DType("float32")],
        scale: float = 1.0,
    ) -> Annotated[np.ndarray, DType("float32")]:
        """Centre each column of an ``n x 4`` float32 matrix and multiply by ``scale``."""
        centred = x - x.mean(axis=0, keepdims=True)
        return (centred * scale).astype(np.float32)

    @bentoml.api
    def histogram(
        self, values: Annotated[np.ndarray, DType("int64")], bins: int = 4
    ) -> Annotated[np.ndarray, DType("int64")]:
        """Count ``values`` into ``bins`` equal-width bins (a 1-D int64 result)."""
        counts, _ = np.histogram(values, bins=bins)
        return counts.astype(np.int64)

    @bentoml.api
    def describe(
        self,
        table: Annotated[pd.DataFrame, DataframeSchema(orient="records", columns=["name", "score"])],
    ) -> Annotated[pd.DataFrame, DataframeSchema(orient="records")]:
        """Rank rows by ``score`` (highest first) and add a ``rank`` column."""
        ranked = table.sort_values("score", ascending=False).reset_index(drop=True)
        ranked["rank"] = range(1, len(ranked) + 1)
        return ranked

    @bentoml.api
    def column_means(
        self, frame: Annotated[pd.DataFrame, DataframeSchema(orient="columns")]
    ) -> dict[str, float]:
        """Mean of every numeric column of a DataFrame sent in ``columns`` orientation."""
        return {str(k): float(v) for k, v in frame.mean(numeric_only=True).items()}

    @bentoml.api(batchable=True, max_batch_size=16, max_latency_ms=200)
    def embed(self, texts: list[str]) -> Annotated[np.ndarray, DType("float32")]:
        """A tiny deterministic 3-dimensional embedding per text (batchable)."""
        rows = [[float(len(t)), float(sum(map(ord, t)) % 97), float(t.count(" "))] for t in texts]
        return np.asarray(rows, dtype=np.float32)

    @bentoml.api
    async def dot(
        self,
        a: Annotated[np.ndarray, DType("float64")],
        b: Annotated[np.ndarray, DType("float64")],
    ) -> float:
        """The dot product of two equally long vectors (an ``async def`` API)."""
        if a.shape != b.shape:
            raise bentoml.exceptions.InvalidArgument(f"shapes differ: {a.shape} vs {b.shape}")
        return float(np.dot(a, b))

    @bentoml.api
    def info(self) -> dict[str, str]:
        """Versions of the numeric libraries (an API without parameters)."""
        return {"numpy": np.__version__, "pandas": pd.__version__}
