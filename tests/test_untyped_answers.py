"""2xx answers whose content declares no schema (golden ``answers``): ``str`` for ``text/*``, ``bytes``
for other media types or none declared, any JSON value for JSON; only a 204/205 answers ``None``."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.runtime_support import BASE, GOLDEN, Recorder, use_goldens  # noqa: E402

use_goldens("answers")

from answers_client import AsyncClient, Client  # noqa: E402

STUB = GOLDEN / "answers" / "answers_client" / "_client.pyi"
DECLARED = {"report": "str", "archive": "bytes", "rebuild": "bytes", "start_job": "bytes", "delete_item": "None", "anything": "Any"}


def test_the_stubs_type_each_answer_by_its_media_type() -> None:
    stub = STUB.read_text()
    blocking = stub.split("class AsyncClient", 1)[0]
    found = dict(re.findall(r"    def (\w+)\(.*?\) -> (\w+):", blocking, re.DOTALL))
    assert {name: found[name] for name in DECLARED} == DECLARED


@pytest.mark.parametrize(
    ("operation", "reply", "expected"),
    [
        ("report", httpx.Response(200, text="a,b\n1,2\n", headers={"content-type": "text/csv"}), "a,b\n1,2\n"),
        ("archive", httpx.Response(200, content=b"PK\x03\x04", headers={"content-type": "application/zip"}), b"PK\x03\x04"),
        ("rebuild", httpx.Response(200, content=b"rebuilt 3 indexes"), b"rebuilt 3 indexes"),
        ("rebuild", httpx.Response(200), b""),
        ("start_job", httpx.Response(202, content=b'{"id": 7}'), b'{"id": 7}'),
        ("anything", httpx.Response(200, json={"n": [1, 2]}), {"n": [1, 2]}),
    ],
)
def test_answers_without_a_schema_are_kept(operation: str, reply: httpx.Response, expected: object) -> None:
    recorder = Recorder(reply)
    client = Client(BASE, http_client=recorder.sync_http(), max_retries=0)
    assert getattr(client, operation)() == expected


def test_a_204_answers_none_sync_and_async() -> None:
    recorder = Recorder(httpx.Response(204))
    assert Client(BASE, http_client=recorder.sync_http()).delete_item(item_id=3) is None
    assert recorder.last.method == "DELETE" and recorder.last.url.path == "/items/3"

    async def run() -> tuple[object, object]:
        client = AsyncClient(BASE, http_client=Recorder(httpx.Response(200, content=b"ok")).async_http())
        return await client.rebuild(), await client.with_options(timeout=5).rebuild()

    assert asyncio.run(run()) == (b"ok", b"ok")
