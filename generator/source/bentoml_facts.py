"""BentoML's ``/schema.json``: per-route facts merged into the input document.

``/docs.json`` loses what the client most needs about ML payloads: the output
tensor's dtype, a DataFrame's orientation, whether a route streams or is a
task, and a root (positional) input's type. ``/schema.json`` (not part of the
OpenAPI document) has them per route. When svcgen reads a live BentoML service
it copies them onto the matching ``POST`` operations as ``x-bentoml-*``
extensions, so ``svcgen fetch`` saves them and a saved document generates the
same package as the live URL.
"""

from __future__ import annotations

import copy
from typing import Any

#: Extensions this module writes (and the IR reads).
STREAM = "x-bentoml-stream"
TASK = "x-bentoml-task"
BATCHABLE = "x-bentoml-batchable"
OUTPUT = "x-bentoml-output"
INPUT = "x-bentoml-input"
_MAX_ROUTES = 10_000


def is_bentoml(document: dict[str, Any]) -> bool:
    """A BentoML service's document: its operations carry ``x-bentoml-name``."""
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return False
    return any(
        isinstance(op, dict) and "x-bentoml-name" in op
        for item in paths.values()
        if isinstance(item, dict)
        for op in item.values()
    )


def merge_facts(document: dict[str, Any], schema: Any) -> tuple[dict[str, Any], list[str]]:
    """``document`` with each route's facts from ``schema`` (a parsed ``/schema.json``) added.

    Returns the new document and notes about routes that could not be matched.
    Malformed entries are skipped with a note; the document is never made invalid.
    """
    routes = schema.get("routes") if isinstance(schema, dict) else None
    if not isinstance(routes, list):
        return document, ["schema.json has no 'routes' list: merged nothing"]
    merged = copy.deepcopy(document)
    paths = merged.get("paths") if isinstance(merged.get("paths"), dict) else {}
    notes: list[str] = []
    for route in routes[:_MAX_ROUTES]:
        if not isinstance(route, dict) or not isinstance(route.get("route"), str):
            notes.append("schema.json: skipped a route entry without a 'route' string")
            continue
        item = paths.get(route["route"])
        op = item.get("post") if isinstance(item, dict) else None
        if not isinstance(op, dict):
            notes.append(f"schema.json: route {route['route'][:80]!r} has no POST operation in the document")
            continue
        op.update(_facts(route))
    return merged, notes


def _facts(route: dict[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    output = route.get("output")
    if isinstance(output, dict):
        if output.get("is_stream") is True:
            facts[STREAM] = True
        facts[OUTPUT] = {k: v for k, v in output.items() if k not in ("is_stream", "media_type")}
    if route.get("is_task") is True:
        facts[TASK] = True
    if route.get("batchable") is True:
        facts[BATCHABLE] = True
    raw_input = route.get("input")
    if isinstance(raw_input, dict) and raw_input.get("root_input") is True:
        facts[INPUT] = {k: v for k, v in raw_input.items() if k != "root_input"}
    return facts
