"""TextOps: a BentoML service with a custom route, async and no-argument APIs,
and a mounted FastAPI app.

BentoML APIs (all ``POST``):
    ``/v1/count-tokens`` (custom route), ``/split`` (``async def``), ``/version`` (no arguments).
FastAPI app mounted at ``/admin``:
    ``GET /admin/dictionaries/{name}?limit=N`` (404 for an unknown name),
    ``POST /admin/normalize`` (pydantic body).
"""

from __future__ import annotations

import re
from typing import Optional

import bentoml
from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel, Field

VERSION = "1.0.0"
TOKEN_RE = re.compile(r"\w+|[^\w\s]")

DICTIONARIES: dict[str, list[str]] = {
    "stopwords": ["a", "an", "and", "in", "of", "on", "the", "to"],
    "greetings": ["hello", "hey", "hi"],
}


class Dictionary(BaseModel):
    """A named word list."""

    name: str
    words: list[str]
    total: int


class NormalizeRequest(BaseModel):
    """Text to normalise."""

    text: str = Field(max_length=10_000)
    lowercase: bool = True
    collapse_whitespace: bool = True


class NormalizeResponse(BaseModel):
    """Normalised text and how much it changed."""

    text: str
    changed: bool


admin = FastAPI(title="TextOps admin")


@admin.get("/dictionaries/{name}")
def get_dictionary(
    name: str, limit: int = Query(default=10, ge=1, le=100)
) -> Dictionary:
    """Return the first ``limit`` words of a dictionary; 404 if unknown."""
    words = DICTIONARIES.get(name)
    if words is None:
        raise HTTPException(status_code=404, detail=f"dictionary {name!r} not found")
    return Dictionary(name=name, words=words[:limit], total=len(words))


@admin.post("/normalize")
def normalize(req: NormalizeRequest) -> NormalizeResponse:
    """Lower-case and collapse whitespace, as requested."""
    text = req.text
    if req.collapse_whitespace:
        text = " ".join(text.split())
    if req.lowercase:
        text = text.lower()
    return NormalizeResponse(text=text, changed=text != req.text)


@bentoml.asgi_app(admin, path="/admin")
@bentoml.service
class TextOps:
    """Small text utilities."""

    @bentoml.api(route="/v1/count-tokens")
    def count_tokens(self, text: str, unique: bool = False) -> int:
        """Count word and punctuation tokens in ``text`` (distinct ones if ``unique``)."""
        tokens = TOKEN_RE.findall(text)
        return len(set(tokens)) if unique else len(tokens)

    @bentoml.api
    async def split(
        self, text: str, sep: Optional[str] = None, maxsplit: int = -1
    ) -> list[str]:
        """Split ``text`` like ``str.split``."""
        return text.split(sep, maxsplit)

    @bentoml.api
    def version(self) -> dict[str, str]:
        """Return the service version."""
        return {"service": "TextOps", "version": VERSION}
