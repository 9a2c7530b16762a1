"""The runtime's Server-Sent Events decoder against httpx2's own (``httpx2.EventSource``).

    .venv/bin/python benchmarks/sse_decoders.py

Both decode the same ``text/event-stream`` bodies from an in-memory ``httpx2.Response``
(split into chunks of the given size, as a network would deliver them); the table shows
the best of five runs' CPU time per event. The runtime's decoder reads
``Response.iter_lines()``; ``EventSource`` splits the text itself and bounds an event's
size. A client built on httpx2 keeps the runtime's decoder unless httpx2's is at least
as fast, and their contracts differ too (``EventSource`` refuses other content types,
names an unnamed event "message", and drops a last event that no blank line ends).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "fixtures" / "golden" / "jobs-httpx2"))

from jobs_client._runtime._streaming import EventDecoder  # noqa: E402

CASES = [(20_000, 20, 4096), (20_000, 20, 64), (2_000, 2_000, 4096), (200_000, 0, 65_536)]


def body(events: int, padding: int) -> bytes:
    pad = "x" * padding
    return "".join(f'event: tick\nid: {i}\ndata: {{"i": {i}, "p": "{pad}"}}\n\n' for i in range(events)).encode()


def response(data: bytes, chunk: int) -> httpx2.Response:
    chunks = [data[start : start + chunk] for start in range(0, len(data), chunk)]
    return httpx2.Response(
        200,
        headers={"content-type": "text/event-stream"},
        content=iter(chunks),
        request=httpx2.Request("GET", "http://127.0.0.1/"),
    )


def runtime_decoder(data: bytes, chunk: int) -> int:
    decoder, count = EventDecoder(), 0
    for line in response(data, chunk).iter_lines():
        count += decoder.feed(line) is not None
    return count + (decoder.flush() is not None)


def httpx2_event_source(data: bytes, chunk: int) -> int:
    return sum(1 for _ in httpx2.EventSource(response(data, chunk)))


def best_cpu(decode: Callable[[bytes, int], int], data: bytes, chunk: int, events: int) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        assert decode(data, chunk) == events
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    print(f"{'events':>8} {'padding':>8} {'chunk':>6} {'runtime µs/event':>17} {'EventSource µs/event':>21} {'ratio':>6}")
    for events, padding, chunk in CASES:
        data = body(events, padding)
        ours = best_cpu(runtime_decoder, data, chunk, events) / events * 1e6
        theirs = best_cpu(httpx2_event_source, data, chunk, events) / events * 1e6
        print(f"{events:>8} {padding:>8} {chunk:>6} {ours:>17.2f} {theirs:>21.2f} {theirs / ours:>6.2f}")


if __name__ == "__main__":
    main()
