"""``.pyi`` stub source for a Python module, made from its syntax tree.

In: a module's top-level statements (the tree the models stage already read the models module
into, or a small module parsed here). Out: the stub's source, not yet formatted: every function
body replaced by its docstring and ``...``, module- and class-level private assignments left out,
and imports only those helpers used dropped. What a type checker and an editor need, and nothing
they would have to execute. The statements given are not changed (a parsed tree may be shared).
"""

from __future__ import annotations

import ast
import copy


def source_stub(source: str, *, prune_imports: bool = True) -> str:
    """The stub of a module given as source text (parsed here: for the small modules)."""
    return tree_stub(ast.parse(source).body, prune_imports=prune_imports)


def tree_stub(statements: list[ast.stmt], *, prune_imports: bool = True) -> str:
    """The stub of a module given as its top-level statements."""
    module = ast.Module(body=[_stub_statement(node) for node in statements if _keep(node)], type_ignores=[])
    if prune_imports:
        module.body = _pruned_imports(module)
    return ast.unparse(module) + "\n"


def _pruned_imports(module: ast.Module) -> list[ast.stmt]:
    """The statements without the imported names only the left-out private helpers used (names
    inside string annotations are not seen: the params module, whose typed dicts may be written
    with them, keeps its imports)."""
    used = {node.id for node in ast.walk(module) if isinstance(node, ast.Name)}  # ``a.b`` included: ``a`` is a Name
    body: list[ast.stmt] = []
    for node in module.body:
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            names = [alias for alias in node.names if (alias.asname or alias.name) in used]
            if not names:
                continue
            if len(names) != len(node.names):
                node = copy.copy(node)
                node.names = names
        body.append(node)
    return body


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
    """``node`` as the stub writes it: a copy where anything changes."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        node = copy.copy(node)
        node.body = _stub_body(node.body)
    elif isinstance(node, ast.ClassDef):
        body = [_stub_statement(child) for child in node.body if _keep(child)]
        node = copy.copy(node)
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
