"""Stage 4b: split a large model module into a package that loads lazily.

``import pkg`` must stay cheap for APIs with thousands of schemas (Stripe's
models alone take seconds to import). Above :data:`LAZY_THRESHOLD` classes the
model module becomes a package: one private module per group of mutually
referencing classes (a strongly connected component, so imports between the
modules never form a cycle), and an ``__init__`` that imports a module the
first time one of its names is asked for. Using one operation then loads only
the models it needs.
"""

from __future__ import annotations

import ast
import re

from .graph import strongly_connected
from ..ir import naming

LAZY_THRESHOLD = 150
#: File names Windows refuses, whatever the extension.
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)$", re.IGNORECASE)


def split_models(text: str, header: str) -> dict[str, str]:
    """``{"__init__.py": …, "_item.py": …}`` for the package replacing ``models.py``."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    imports = [node for node in tree.body if isinstance(node, ast.ImportFrom) and node.module != "__future__"]
    owners: dict[str, list[ast.stmt]] = {}
    order: list[str] = []
    for node in tree.body:
        owner = _owner(node)
        if owner is None:
            continue
        if owner not in owners:
            owners[owner] = []
            order.append(owner)
        owners[owner].append(node)
    defined = set(order)
    references = {name: _references(owners[name]) for name in order}
    uses = {name: references[name] & defined - {name} for name in order}
    groups = _components(order, uses)
    module_of: dict[str, str] = {}
    taken: set[str] = set()
    for group in groups:
        module = _module_name(group[0], taken)
        for name in group:
            module_of[name] = module
    files = {
        f"{module_of[group[0]]}.py": _module_text(group, owners, uses, references, module_of, imports, lines, header)
        for group in groups
    }
    files["__init__.py"] = _init_text(order, module_of, header)
    files["__init__.pyi"] = _init_stub(order, module_of, header)
    return files


def _owner(node: ast.stmt) -> str | None:
    """The model a top-level statement belongs to (its class, alias or ``X.model_rebuild()``)."""
    if isinstance(node, ast.ClassDef):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            return func.value.id
    return None


def _references(nodes: list[ast.stmt]) -> set[str]:
    """Names the statements use, including inside string annotations: the models stage writes
    ``__annotations__ = {"__pydantic_extra__": Dict[str, "Item"]}`` for typed extra fields."""
    found: set[str] = set()
    for statement in nodes:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name):
                found.add(node.id)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
                found.add(node.value)
    return found


def _components(order: list[str], uses: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components, dependencies first, members in source order."""
    position = {name: place for place, name in enumerate(order)}
    return [sorted(group, key=position.__getitem__) for group in strongly_connected(order, uses)]


def _module_name(first: str, taken: set[str]) -> str:
    """``_item`` for a group led by ``Item``; unique ignoring case (macOS, Windows)."""
    # a file name: kept well under the 255 bytes file systems allow (class names may be any length)
    stem = naming.snake(first, fallback="model")[:60].rstrip("_")
    if _WINDOWS_RESERVED.match(stem):
        stem += "_"
    name = f"_{stem}"
    candidate, counter = name, 2
    while candidate.lower() in taken:
        candidate, counter = f"{name}_{counter}", counter + 1
    taken.add(candidate.lower())
    return candidate


def _module_text(
    group: list[str],
    owners: dict[str, list[ast.stmt]],
    uses: dict[str, set[str]],
    references: dict[str, set[str]],
    module_of: dict[str, str],
    imports: list[ast.ImportFrom],
    lines: list[str],
    header: str,
) -> str:
    statements = sorted((node for name in group for node in owners[name]), key=lambda node: node.lineno)
    used = set().union(*(references[name] for name in group))
    parts = [header, "\n\nfrom __future__ import annotations\n\n"]
    for node in imports:
        names = [alias for alias in node.names if (alias.asname or alias.name) in used]
        if names:
            listed = ", ".join(alias.name if not alias.asname else f"{alias.name} as {alias.asname}" for alias in names)
            parts.append(f"from {node.module} import {listed}\n")
    siblings: dict[str, list[str]] = {}
    for name in sorted({used_name for member in group for used_name in uses[member]} - set(group)):
        siblings.setdefault(module_of[name], []).append(name)
    if siblings:
        parts.append("\n")
    for module, names in sorted(siblings.items()):
        parts.append(f"from .{module} import {', '.join(names)}\n")
    for node in statements:
        parts.append("\n\n" + "".join(lines[node.lineno - 1 : node.end_lineno]))
    return "".join(parts)


def _init_text(order: list[str], module_of: dict[str, str], header: str) -> str:
    entries = "".join(f"    {name!r}: {module_of[name]!r},\n" for name in sorted(order))
    listed = "".join(f"    {name!r},\n" for name in sorted(order))
    checking = "".join(f"    from .{module_of[name]} import {name} as {name}\n" for name in sorted(order))
    return (
        f"{header}\n"
        '"""The API\'s models, each imported the first time it is used."""\n\n'
        "from __future__ import annotations\n\n"
        "import importlib\n"
        "from typing import TYPE_CHECKING, Any\n\n"
        f"if TYPE_CHECKING:\n{checking}\n"
        f"#: Model name → the private module defining it.\n_MODULES: dict[str, str] = {{\n{entries}}}\n\n"
        f"__all__ = [\n{listed}]\n\n\n"
        "def __getattr__(name: str) -> Any:\n"
        "    module = _MODULES.get(name)\n"
        "    if module is None:\n"
        '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")\n'
        "    value = getattr(importlib.import_module(f\".{module}\", __name__), name)\n"
        "    globals()[name] = value\n"
        "    return value\n\n\n"
        "def __dir__() -> list[str]:\n"
        "    return sorted(__all__)\n"
    )


def _init_stub(order: list[str], module_of: dict[str, str], header: str) -> str:
    by_module: dict[str, list[str]] = {}
    for name in order:
        by_module.setdefault(module_of[name], []).append(name)
    lines = [f"from .{module} import {name} as {name}\n" for module, names in sorted(by_module.items()) for name in sorted(names)]
    listed = "".join(f"    {name!r},\n" for name in sorted(order))
    return f"{header}\n\n" + "".join(lines) + f"\n__all__ = [\n{listed}]\n"
