"""Stage 4a: corrections to the models stage's module text, made by position so comments stay.

- every enum becomes open (keeps values a newer server sends);
- bare ``list``/``dict`` in annotations get type arguments (``mypy --strict``);
- classes named after inline schemas never shadow a name the package uses.
"""

from __future__ import annotations

import ast
import re

_ENUM_BASE = re.compile(r"^(class \w+\()(?:(\w+), )?(Int|Str)?Enum\):", re.MULTILINE)
_ENUM_IMPORT = re.compile(r"^from enum import (?:Enum|IntEnum|StrEnum)(?:, (?:Enum|IntEnum|StrEnum))*\n", re.MULTILINE)


def open_enums(text: str, runtime_module: str) -> str:
    """Let every enum keep values a newer server sends (see the runtime's ``OpenEnum``)."""
    if not _ENUM_BASE.search(text):
        return text
    text = _ENUM_BASE.sub(_open_enum_base, text)
    bases = [name for name in ("OpenEnum", "OpenIntEnum") if re.search(rf"\b{name}\):", text)]
    base_import = f"from {runtime_module} import BaseModel\n"
    if base_import in text:
        text = text.replace(base_import, f"from {runtime_module} import {', '.join(['BaseModel', *bases])}\n", 1)
    else:
        text = text.replace(
            "from __future__ import annotations\n",
            f"from __future__ import annotations\n\nfrom {runtime_module} import {', '.join(bases)}\n",
            1,
        )
    return _ENUM_IMPORT.sub("", text)


def _open_enum_base(match: re.Match[str]) -> str:
    """``class X(IntEnum):`` → ``class X(OpenIntEnum):``; ``(str, Enum)`` → ``(str, OpenEnum)``."""
    if match.group(3) == "Int" or match.group(2) == "int":
        return f"{match.group(1)}OpenIntEnum):"
    mixin = match.group(2) or ("str" if match.group(3) == "Str" else None)
    return f"{match.group(1)}{mixin + ', ' if mixin else ''}OpenEnum):"


#: Type arguments for containers the models stage sometimes leaves bare (recursive
#: array schemas give ``RootModel[list]``), which ``mypy --strict`` rejects.
_BARE_GENERICS = {"list": "[Any]", "dict": "[str, Any]", "set": "[Any]", "frozenset": "[Any]", "tuple": "[Any, ...]"}


def parameterise_bare_generics(text: str) -> str:
    """``list`` → ``list[Any]`` in annotations and base classes (``Field(default_factory=list)`` untouched)."""
    tree = ast.parse(text)
    spots: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign):
            spots.extend(_bare_names(node.annotation))
        elif isinstance(node, ast.ClassDef):
            for base in node.bases:
                spots.extend(_bare_names(base))
    if not spots:
        return text
    lines = text.splitlines(keepends=True)
    for lineno, end, suffix in sorted(spots, reverse=True):
        raw = lines[lineno - 1].encode()
        lines[lineno - 1] = (raw[:end] + suffix.encode() + raw[end:]).decode()
    text = "".join(lines)
    if not re.search(r"^from typing import .*\bAny\b", text, flags=re.MULTILINE):
        text = text.replace("from __future__ import annotations\n", "from __future__ import annotations\n\nfrom typing import Any\n", 1)
    return text


def _bare_names(node: ast.expr) -> list[tuple[int, int, str]]:
    """Positions just after bare container names in an annotation, outside calls."""
    if isinstance(node, ast.Call):
        return []
    if isinstance(node, ast.Name) and node.id in _BARE_GENERICS and node.end_lineno is not None and node.end_col_offset is not None:
        return [(node.end_lineno, node.end_col_offset, _BARE_GENERICS[node.id])]
    if isinstance(node, ast.Subscript):
        return _bare_names(node.slice)
    found: list[tuple[int, int, str]] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr):
            found.extend(_bare_names(child))
    return found


def rename_reserved(text: str, reserved: frozenset[str]) -> str:
    """Rename classes the models stage named after inline schemas (``Endpoint``
    from a property ``endpoint``) that would shadow a name of the package."""
    tree = ast.parse(text)
    defined = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    defined |= {name for name in (type_alias(node) for node in tree.body) if name is not None}
    clashes = sorted(defined & reserved)
    if not clashes:
        return text
    taken = set(defined) | set(reserved)
    renamed: dict[str, str] = {}
    for name in clashes:
        new = f"{name}Model"
        while new in taken:
            new += "_"
        taken.add(new)
        renamed[name] = new
    fields = {id(node.target) for node in ast.walk(tree) if isinstance(node, ast.AnnAssign)}
    spots = [
        (node.lineno, node.col_offset, node.end_col_offset, renamed[node.id])
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id in renamed and id(node) not in fields
    ]
    lines = text.splitlines(keepends=True)
    for lineno, start, end, new in sorted(spots, reverse=True):
        raw = lines[lineno - 1].encode()
        lines[lineno - 1] = (raw[:start] + new.encode() + raw[end:]).decode()
    text = "".join(lines)
    for old, new in renamed.items():
        text = re.sub(rf"^class {old}\b", f"class {new}", text, flags=re.MULTILINE)
        text = re.sub(rf'^{old} = TypeAliasType\(\s*"{old}"', f'{new} = TypeAliasType("{new}"', text, flags=re.MULTILINE)
    return text


def type_alias(node: ast.stmt) -> str | None:
    """The name ``X`` of ``X = TypeAliasType("X", ...)`` (the models stage's recursive aliases)."""
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Call)
        and ast.unparse(node.value.func) == "TypeAliasType"
    ):
        return node.targets[0].id
    return None
