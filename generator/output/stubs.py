"""``.pyi`` stubs for the public modules of a generated package.

A stub is the module with every function body replaced by its docstring and
``...``, and module-level private helpers left out: what a type checker and an
editor need, and nothing they would have to execute.

No large module is parsed again for its stub. The client's is rendered from the IR
(its template in stub mode, :func:`svcgen.output.render.render_client_stub`), written
as ``ast.unparse`` writes the stubs made from a syntax tree, so that the format stage
makes the same file of either; here it loses the imports only the endpoints and the
method bodies used. The models' stub was made from the tree the models stage read the
module into (``ModelModule.stub``). The package's ``__init__`` and the params module
are small and stubbed from their source (:mod:`svcgen.models.stub`).
"""

from __future__ import annotations

import re

from ..ir.api import Api
from ..models.module import ModelModule
from ..models.stub import source_stub
from .render import render_client_stub

STUBBED_MODULES = ("__init__", "_client", "models", "params")
_FUTURE = "\nfrom __future__ import annotations\n"
#: The names a stub's statements use, as the ``ast.Name`` nodes of its tree would: identifiers
#: that are not in a string, an attribute (``.x``), a defined name, ``self``, a parameter
#: (``x: ``), a number or an import (the ``if TYPE_CHECKING:`` block's). Only the last group
#: captures. The strings are the ones ``ast.unparse`` and ``repr`` write (escaped quotes).
_NAMES = re.compile(
    r"""
    ^[ \t]*(?:from|import)[ \t][^\n]*
    | \"\"\"[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*\"\"\"
    | '''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''
    | "[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"
    | '[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'
    | \.[ \t]*\w+
    | \b(?:def|class)[ \t]+\w+
    | \(self\b
    | \w+:[ ]
    | \d\w*
    | ([^\W\d]\w*)
    """,
    re.MULTILINE | re.VERBOSE,
)


def add_stubs(files: dict[str, str], api: Api, models: ModelModule, http_library: str = "httpx") -> dict[str, str]:
    """``files`` and a stub beside each public module among them (a lazily loaded models
    package has its own, written with it)."""
    package = api.package
    result = dict(files)
    for module in STUBBED_MODULES:
        source = files.get(f"{package}/{module}.py")
        if source is None:
            continue
        if module == "_client":
            stub = pruned_imports(render_client_stub(api, http_library))
        elif module == "models" and models.stub is not None:
            stub = models.stub
        else:  # the models module only when it was not read back (one built by hand)
            stub = source_stub(source, prune_imports=module not in ("__init__", "params"))
        result[f"{package}/{module}.pyi"] = stub
    return result


def pruned_imports(stub: str) -> str:
    """The client's stub with only the imported names its statements use: the ``from … import``
    lines after ``from __future__ import annotations`` are the module's imports."""
    head, future, rest = stub.partition(_FUTURE)
    if not future:
        raise ValueError("a client stub opens with its docstring and the __future__ import")
    lines: list[str] = []
    start = 0
    while rest.startswith("from ", start):
        end = rest.index("\n", start) + 1
        lines.append(rest[start : end - 1])
        start = end
    body = rest[start:]
    used = set(_NAMES.findall(body))
    kept = [line for line in (_pruned(line, used) for line in lines) if line is not None]
    return "".join([head, future, *(line + "\n" for line in kept), body])


def _pruned(line: str, used: set[str]) -> str | None:
    """``from m import a, b as c`` with only the names in ``used``; ``None`` when none is."""
    module, _, listed = line[len("from ") :].partition(" import ")
    names = [name for name in listed.split(", ") if name.rpartition(" as ")[2] in used]
    return f"from {module} import {', '.join(names)}" if names else None
