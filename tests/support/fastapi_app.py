"""A small FastAPI service for tests, and a way to serve it on 127.0.0.1.

The app runs under the BentoML environment (``.venv-bento``), which pins
FastAPI and uvicorn already; the test environment only talks to it over HTTP.
It serves what any FastAPI app serves: ``/openapi.json``, the Swagger UI at
``/docs`` and ReDoc at ``/redoc``.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

try:
    from fastapi import FastAPI
    from pydantic import BaseModel
except ImportError:  # imported by the test environment only for serve_fastapi()
    FastAPI = None  # type: ignore[assignment,misc]

if FastAPI is not None:
    app = FastAPI(title="Inventory", version="1.0.0")

    class Item(BaseModel):
        name: str
        quantity: int = 0

    @app.get("/items/{item_id}")
    def get_item(item_id: int) -> Item:
        return Item(name=f"item-{item_id}", quantity=item_id)

    @app.post("/items")
    def add_item(item: Item) -> Item:
        return item


@contextlib.contextmanager
def serve_fastapi(timeout: float = 60.0) -> Iterator[str]:
    """Serve :data:`app` with uvicorn on a free loopback port; yield its base URL."""
    from .services import BENTO_PYTHON, _kill_group, free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(BENTO_PYTHON), "-m", "uvicorn", "fastapi_app:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=Path(__file__).parent, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"uvicorn exited early with code {process.returncode}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{url}/openapi.json").status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{url} not ready after {timeout:.0f} s")
                time.sleep(0.2)
        yield url
    finally:
        _kill_group(process)
