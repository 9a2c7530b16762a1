"""Strongly connected groups of a name graph, in a deterministic order.

Shared by the stages that need them: the lazily loaded models package (a module
per group of classes that use each other) and the mending of ``allOf``
inheritance that goes round. The traversal is Tarjan's algorithm, written
iteratively so that a long chain of references cannot exhaust the stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def strongly_connected(order: list[str], edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected groups of the graph, each group after every group it reaches.

    Every node is in ``order`` (which decides the traversal: roots in that order,
    each node's neighbours by their place in it) and has an entry in ``edges``.
    """
    position = {name: place for place, name in enumerate(order)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def neighbours(node: str) -> Iterable[str]:
        return iter(sorted(edges[node], key=position.__getitem__))

    for root in order:
        if root in index:
            continue
        work = [(root, neighbours(root))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, neighbours(child)))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(group)
    return groups
