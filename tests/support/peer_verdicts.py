"""A second opinion on a document svcgen refuses: what a pinned OpenAPI validator says of it.

The peer-suite test keeps a committed list of the documents svcgen refuses, each with the
reason the refusal is right and the verdict of openapi-spec-validator (pinned in the test
extra): ``valid``, or the rule the document breaks (the validator's first error). A refusal
of a document the validator calls valid needs a reason that names what would make the
client wrong (a remote reference that is not fetched without an option, a type no schema
names, …).
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path
from typing import Any
from unittest import mock

from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

#: The validator's messages can quote a whole document: the verdict keeps the first line, this long.
LIMIT = 160


def _loopback_only(host: object, *args: object, **kwargs: object) -> Any:
    """``socket.getaddrinfo`` for loopback names only: the validator follows remote ``$ref``s, and
    nothing here may reach (or even look up) a host outside 127.0.0.0/8."""
    if str(host) not in ("localhost", "::1") and not str(host).startswith("127."):
        raise OSError(f"{host}: not fetched (the tests reach loopback hosts only)")
    return _GETADDRINFO(host, *args, **kwargs)


_GETADDRINFO = socket.getaddrinfo


def verdict(path: Path) -> str:
    """``valid``, or ``invalid: <the first rule the document breaks>`` (remote references unfetched)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 3000))
    try:
        spec, base_uri = read_from_filename(str(path))
        with mock.patch.object(socket, "getaddrinfo", _loopback_only):
            validate(spec, base_uri=base_uri)
    except RecursionError:
        return "invalid: references recurse without end"
    except Exception as exc:  # noqa: BLE001 - any complaint of the validator is its verdict
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return f"invalid: {type(exc).__name__}: {first[:LIMIT]}"
    finally:
        sys.setrecursionlimit(limit)
    return "valid"


def draft(outcomes: list[object], folder: Path) -> str:
    """A draft of the expectations file for today's refusals (its reasons are svcgen's own messages,
    to be read and rewritten by a person): print it with ``python -m tests.support.peer_verdicts``."""
    refused = {
        outcome.name: {"reason": outcome.detail, "validator": verdict(folder / outcome.name)}  # type: ignore[attr-defined]
        for outcome in outcomes
        if outcome.status == "refused"  # type: ignore[attr-defined]
    }
    return json.dumps({"refused": refused, "mypy": {}}, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    from tests.peer_suite import run_suite, suite_folder

    print(draft(list(run_suite(ref_root=True)), suite_folder()), end="")
