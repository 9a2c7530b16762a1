"""Stage 4a: corrections to the models stage's module text, made by position so comments stay.

- every enum becomes open (keeps values a newer server sends);
- bare ``list``/``dict`` in annotations get type arguments (``mypy --strict``);
- classes named after inline schemas never shadow a name the package uses;
- invisible and control characters in string values are written as escapes;
- names the models stage imports under an alias are importable under their own name too, and
  a field never shadows a name its class's annotations use.
"""

from __future__ import annotations

import ast
import re
from typing import TypeVar

from ..core.escape import escaped

_T = TypeVar("_T")
_ENUM_BASE = re.compile(r"^(class \w+\()(?:(\w+), )?(Int|Str)?Enum\):", re.MULTILINE)
_ENUM_IMPORT = re.compile(r"^from enum import (?:Enum|IntEnum|StrEnum)(?:, (?:Enum|IntEnum|StrEnum))*\n", re.MULTILINE)


def module_tree(text: str) -> ast.Module:
    """The syntax tree of a models module, parsed once while one fix-up after another reads the
    same text (most leave it unchanged; parsing Stripe's 2 MB takes 0.5 s). Callers must not
    change the tree; :func:`forget_trees` lets it go."""
    tree = _TREES.get(text)
    if tree is None:
        tree = _kept(_TREES, text, ast.parse(text))
    return tree


def module_names(text: str) -> tuple[ast.Name, ...]:
    """Every name node of ``module_tree(text)``, in one walk shared like the tree."""
    names = _NAMES.get(text)
    if names is None:
        names = _kept(_NAMES, text, tuple(node for node in ast.walk(module_tree(text)) if isinstance(node, ast.Name)))
    return names


def forget_trees() -> None:
    """Let the shared trees go (a large module's tree takes hundreds of megabytes)."""
    _TREES.clear()
    _NAMES.clear()


_TREES: dict[str, ast.Module] = {}
_NAMES: dict[str, tuple[ast.Name, ...]] = {}


def _kept(cache: dict[str, _T], text: str, value: _T) -> _T:
    if len(cache) >= 2:
        del cache[next(iter(cache))]
    cache[text] = value
    return value


def _adopt(old: str, new: str) -> None:
    """The tree (and name nodes) of ``old``, changed by their owner to be those of ``new``."""
    for cache in (_TREES, _NAMES):
        if old in cache:
            cache[new] = cache.pop(old)  # type: ignore[assignment]


def class_statements(tree: ast.Module) -> list[tuple[ast.ClassDef, ast.stmt]]:
    """Each statement in a class body (nested classes included), with its class."""
    found: list[tuple[ast.ClassDef, ast.stmt]] = []
    stack = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    while stack:
        cls = stack.pop()
        for statement in cls.body:
            found.append((cls, statement))
            if isinstance(statement, ast.ClassDef):
                stack.append(statement)
    return found


def escape_invisible(text: str) -> str:
    """Write controls, separators, bidi characters and surrogates as escapes: the models stage
    leaves some raw in string values (enum members); inside a string literal (never raw: the
    models stage doubles backslashes) the escape is the same value, and identifiers cannot hold them."""
    return escaped(text)


#: A replacement in a module's text: line (from 1), start and end as ``ast`` gives them (UTF-8
#: byte offsets in the line), new text.
Edit = tuple[int, int, int, str]


def edited(text: str, edits: list[Edit]) -> str:
    """``text`` with every edit made (``text`` itself when there is none: its tree stays shared)."""
    if not edits:
        return text
    lines = text.splitlines(keepends=True)
    for lineno, start, end, new in sorted(edits, reverse=True):
        raw = lines[lineno - 1].encode()
        lines[lineno - 1] = (raw[:start] + new.encode() + raw[end:]).decode()
    return "".join(lines)


def unshadowed_fields(text: str) -> str:
    """A field named like a name its class's annotations use (``Annotated: Annotated[...]``):
    pydantic resolves the annotations in the class namespace, where the name is the field's
    default (``None[...]``: TypeError on import). The models stage imports such names as
    ``Annotated as Annotated_aliased`` and uses the alias, but not always: finish the job."""
    tree = module_tree(text)
    imported = {
        alias.asname or alias.name: (node, alias)
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname in (None, alias.name)
    }
    available = {alias.asname or alias.name for node in tree.body if isinstance(node, ast.ImportFrom) for alias in node.names}
    edits: list[Edit] = []
    added: set[str] = set()
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
        fields = {item.target.id for item in cls.body if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)}
        clashing = fields & imported.keys()
        if not clashing:
            continue
        for item in cls.body:
            if not isinstance(item, ast.AnnAssign):
                continue
            for part in (item.annotation, item.value):
                for name in ast.walk(part) if part is not None else ():
                    if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Load) and name.id in clashing:
                        alias = f"{name.id}_aliased"
                        edits.append((name.lineno, name.col_offset, name.end_col_offset or name.col_offset, alias))
                        if alias not in available and name.id not in added:
                            added.add(name.id)
                            _node, spec = imported[name.id]
                            edits.append((spec.lineno, spec.end_col_offset or 0, spec.end_col_offset or 0, f", {name.id} as {alias}"))
    return edited(text, edits)


def unshadowed_imports(text: str) -> str:
    """A field called ``Field`` makes the models stage import ``Field as Field_aliased``, yet some
    of its classes still call plain ``Field(...)`` (a NameError on import): import such names
    under their own name too, unless the module defines that name itself."""
    tree = module_tree(text)
    defined = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    defined |= {target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets if isinstance(target, ast.Name)}
    used = {node.id for node in module_names(text) if isinstance(node.ctx, ast.Load)}
    edits: list[Edit] = []
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom):
            continue
        plain = {alias.name for alias in node.names if alias.asname is None}
        for alias in node.names:
            name = alias.name
            if alias.asname not in (None, name) and name in used and name not in defined and name not in plain:
                edits.append((alias.lineno, alias.col_offset, alias.col_offset, f"{name}, "))
    return edited(text, edits)


def open_enums(text: str, runtime_module: str) -> str:
    """Let every enum keep values a newer server sends (see the runtime's ``OpenEnum``)."""
    if not _ENUM_BASE.search(text):
        return text
    text = _ENUM_BASE.sub(_open_enum_base, text)
    bases = [name for name in ("OpenEnum", "OpenIntEnum", "OpenStrEnum") if re.search(rf"\b{name}\):", text)]
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
    """``class X(IntEnum):``/``(int, Enum)`` → ``(OpenIntEnum)``; ``(str, Enum)`` → ``(OpenStrEnum)``;
    any other enum (a number enum, which the models stage makes ``(float, Enum)``) → ``(OpenEnum)``."""
    if match.group(3) == "Int" or match.group(2) == "int":
        return f"{match.group(1)}OpenIntEnum):"
    if match.group(3) == "Str" or match.group(2) == "str":
        return f"{match.group(1)}OpenStrEnum):"
    return f"{match.group(1)}OpenEnum):"


#: Type arguments for containers the models stage sometimes leaves bare (recursive
#: array schemas give ``RootModel[list]``), which ``mypy --strict`` rejects.
_BARE_GENERICS = {"list": "[Any]", "dict": "[str, Any]", "set": "[Any]", "frozenset": "[Any]", "tuple": "[Any, ...]"}


def parameterise_bare_generics(text: str) -> str:
    """``list`` → ``list[Any]`` in annotations and base classes (``Field(default_factory=list)`` untouched)."""
    tree = module_tree(text)
    spots: list[Edit] = []
    for node in [*tree.body, *(statement for _cls, statement in class_statements(tree))]:
        if isinstance(node, ast.AnnAssign):
            spots.extend(_bare_names(node.annotation))
        elif isinstance(node, ast.ClassDef):
            for base in node.bases:
                spots.extend(_bare_names(base))
    if not spots:
        return text
    text = edited(text, spots)
    if not re.search(r"^from typing import .*\bAny\b", text, flags=re.MULTILINE):
        text = text.replace("from __future__ import annotations\n", "from __future__ import annotations\n\nfrom typing import Any\n", 1)
    return text


def _bare_names(node: ast.expr) -> list[Edit]:
    """Positions just after bare container names in an annotation, outside calls."""
    if isinstance(node, ast.Call):
        return []
    if isinstance(node, ast.Name) and node.id in _BARE_GENERICS and node.end_lineno is not None and node.end_col_offset is not None:
        return [(node.end_lineno, node.end_col_offset, node.end_col_offset, _BARE_GENERICS[node.id])]
    if isinstance(node, ast.Subscript):
        return _bare_names(node.slice)
    found: list[Edit] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr):
            found.extend(_bare_names(child))
    return found


def rename_reserved(text: str, reserved: frozenset[str]) -> str:
    """Rename classes the models stage named after inline schemas (``Endpoint``
    from a property ``endpoint``) that would shadow a name of the package."""
    tree = module_tree(text)
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
    fields = {id(node.target) for node in tree.body if isinstance(node, ast.AnnAssign)}
    fields |= {id(node.target) for _cls, node in class_statements(tree) if isinstance(node, ast.AnnAssign)}
    spots: list[Edit] = [
        (node.lineno, node.col_offset, node.end_col_offset or node.col_offset, renamed[node.id])
        for node in module_names(text)
        if node.id in renamed and id(node) not in fields
    ]
    result = edited(text, spots)
    for old, new in renamed.items():
        result, classes = re.subn(rf"^class {old}\b", f"class {new}", result, flags=re.MULTILINE)
        result, aliases = re.subn(rf'^{old} = TypeAliasType\(\s*"{old}"', f'{new} = TypeAliasType("{new}"', result, flags=re.MULTILINE)
        if aliases or classes != sum(1 for node in tree.body if isinstance(node, ast.ClassDef) and node.name == old):
            return result  # not the shape the tree is renamed in below: the next reader parses again
    # the same renames in the tree, so that the text need not be parsed again (read back next)
    for node in module_names(text):
        if node.id in renamed and id(node) not in fields:
            node.id = renamed[node.id]
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in renamed:
            node.name = renamed[node.name]
    _adopt(text, result)
    return result


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
