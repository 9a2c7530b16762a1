"""Constants and helpers of the runtime fault/option tests (the fixtures live in
``faults_fixtures.py``, loaded as a pytest plugin)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import ModuleType
from typing import Any

SPEC = Path(__file__).with_name("faults_openapi.json")
PACKAGE = "faults_client"
TOKEN = "tok-SECRET-4f9c"  # never to appear in a log record
API_KEY = "key-SECRET-77aa"


def call(fc: ModuleType, mode: str, client: dict[str, Any], operation: str, **arguments: Any) -> Any:
    """Run one operation with a fresh ``Client`` (``mode="sync"``) or ``AsyncClient``, closed after."""
    if mode == "sync":
        with fc.Client(**client) as sync_client:
            return getattr(sync_client, operation)(**arguments)

    async def main() -> Any:
        async with fc.AsyncClient(**client) as async_client:
            return await getattr(async_client, operation)(**arguments)

    return asyncio.run(main())
