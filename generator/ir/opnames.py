"""Method names for operations (DESIGN §2a).

BentoML APIs are named after ``x-bentoml-name``; other operations after a
readable ``operationId`` (FastAPI's generated ids reduced to the route
function's name), else after the method and path.
"""

from __future__ import annotations

import re
from typing import Any

from . import naming

_READABLE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-/ ]*$")


def base_name(method: str, path: str, operation: dict[str, Any]) -> str:
    """The preferred snake_case name of one operation, before collisions are broken."""
    bentoml_name = operation.get("x-bentoml-name")
    if isinstance(bentoml_name, str) and naming.words(bentoml_name):
        return naming.snake(bentoml_name)
    operation_id = operation.get("operationId")
    if isinstance(operation_id, str) and _READABLE.match(operation_id):
        reduced = fastapi_function_name(operation_id, method, path)
        name = naming.snake(reduced or operation_id)
        if len(name) <= 80:
            return name
    return naming.snake(f"{method} {path}", fallback=method.lower())


def disambiguate(entries: list[tuple[str, str]]) -> list[str]:
    """Names for ``(base name, path)`` pairs: a name several operations share gets
    the path words that tell them apart (``models`` → ``models_v1``, ``models_v2``).

    Whatever still collides afterwards gets a numeric suffix from the caller.
    """
    names = [name for name, _path in entries]
    groups: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        groups.setdefault(name, []).append(index)
    for name, members in groups.items():
        if len(members) < 2:
            continue
        words = [_static_words(entries[index][1]) for index in members]
        shared = set.intersection(*(set(found) for found in words))
        own = set(naming.words(name))
        for index, found in zip(members, words):
            extra = [word for word in found if word not in shared and word not in own]
            if extra:
                names[index] = naming.snake(" ".join([name, *extra]))
    return names


def _static_words(path: str) -> list[str]:
    """The words of a path's fixed segments, in order, without repeats."""
    found: list[str] = []
    for segment in path.split("/"):
        fixed = re.sub(r"\$?\{[^{}]*\}", " ", segment)
        for word in naming.words(fixed):
            if word not in found:
                found.append(word)
    return found


def fastapi_function_name(operation_id: str, method: str, path: str) -> str | None:
    """``get_model_models__model_id__get`` → ``get_model`` (FastAPI's generate_unique_id).

    A mounted app's routes appear under the mount path, while the id was made
    from the app's own path, so every tail of the path is tried.
    """
    segments = path.strip("/").split("/")
    for start in range(len(segments)):
        local = "/" + "/".join(segments[start:])
        suffix = re.sub(r"\W", "_", local) + "_" + method.lower()
        if operation_id.endswith(suffix) and len(operation_id) > len(suffix):
            return operation_id[: -len(suffix)]
    return None
