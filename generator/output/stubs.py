"""``.pyi`` stubs for the public modules of a generated package.

A stub is the module with every function body replaced by its docstring and
``...``, and module-level private helpers left out: what a type checker and an
editor need, and nothing they would have to execute.
"""

from __future__ import annotations

import ast

STUBBED_MODULES = ("__init__", "_client", "models", "params")


def add_stubs(files: dict[str, str], package: str) -> dict[str, str]:
    result = dict(files)
    for module in STUBBED_MODULES:
        source = files.get(f"{package}/{module}.py")
        if source is not None:
            result[f"{package}/{module}.pyi"] = make_stub(source, prune_imports=module not in ("__init__", "params"))
    return result


def make_stub(source: str, *, prune_imports: bool = True) -> str:
    tree = ast.parse(source)
    tree.body = [_stub_statement(node) for node in tree.body if _keep(node)]
    if prune_imports:
        _prune_imports(tree)
    return ast.unparse(tree) + "\n"


def _prune_imports(tree: ast.Module) -> None:
    """Drop imports only the left-out private helpers used (names inside string annotations are
    not seen: the params module, whose typed dicts may be written with them, keeps its imports)."""
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}  # ``a.b`` included: ``a`` is a Name
    body: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            node.names = [alias for alias in node.names if (alias.asname or alias.name) in used]
            if not node.names:
                continue
        body.append(node)
    tree.body = body


def _keep(node: ast.stmt) -> bool:
    if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
        # A module's lazy loader: the stub names every attribute explicitly instead.
        return False
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return not all(_is_private(target) for target in targets)
    return True


def _is_private(target: ast.expr) -> bool:
    return isinstance(target, ast.Name) and target.id.startswith("_") and not target.id.startswith("__")


def _stub_statement(node: ast.stmt) -> ast.stmt:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        node.body = _stub_body(node.body)
    elif isinstance(node, ast.ClassDef):
        body = [_stub_statement(child) for child in node.body if _keep(child)]
        node.body = body or [ast.Expr(ast.Constant(...))]
    return node


def _stub_body(body: list[ast.stmt]) -> list[ast.stmt]:
    first = body[0] if body else None
    docstring = (
        [first]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
        else []
    )
    return [*docstring, ast.Expr(ast.Constant(...))]
