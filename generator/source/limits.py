"""Resource limits on input documents: checked before anything expensive runs.

A spec is untrusted input. Besides its size in bytes (``--max-spec-bytes``,
checked while reading), a document is refused when it

- nests deeper than :data:`MAX_DEPTH` levels (the deepest real API document
  we know, Stripe's, nests 26 levels);
- has more than :data:`MAX_NODES` values once YAML aliases are expanded
  ("billion laughs": a few hundred bytes of anchors that expand to billions
  of nodes), or an alias inside its own anchor (a recursive structure);
- has a ``$ref`` cycle with no schema in between (``A: {$ref: B}``,
  ``B: {$ref: A}``, or ``A: {allOf: [{$ref: A}]}``), which names no type at all.
  Recursion through ``properties``, ``items`` or ``additionalProperties`` is a
  recursive model, and a cycle through a schema with anything of its own (the
  ``oneOf``/``allOf`` polymorphism idiom) a type: both are fine.

YAML is scanned as a stream of parser events (libyaml's parser keeps its own
heap stacks), so a hostile document is refused before the recursive composer
could overflow the C stack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml

from ..core.errors import SvcgenError

#: Deepest nesting of mappings and lists accepted (4x the deepest real document).
MAX_DEPTH = 100
#: Most values accepted after alias expansion (20x Stripe's ~100,000).
MAX_NODES = 2_000_000
#: Default limit on a document's size in bytes (``--max-spec-bytes``).
DEFAULT_MAX_BYTES = 64 * 1024 * 1024

_START = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_END = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def scan_yaml(text: str, where: str) -> None:
    """Refuse a YAML text that nests too deeply or whose aliases expand too far."""
    sizes: dict[str, int] = {}
    open_anchors: list[tuple[str | None, int]] = []
    total = 0
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent):
                anchor = event.anchor or ""
                if anchor not in sizes:
                    if any(name == anchor for name, _start in open_anchors):
                        raise SvcgenError(f"{where}: YAML alias *{anchor[:40]} refers to itself (a recursive document)")
                    continue  # an undefined alias: the loader reports it with its line
                total += sizes[anchor]
            elif isinstance(event, _START):
                total += 1
                open_anchors.append((event.anchor, total))
                if len(open_anchors) > MAX_DEPTH:
                    raise SvcgenError(f"{where}: document nests deeper than {MAX_DEPTH} levels")
            elif isinstance(event, _END):
                anchor, start = open_anchors.pop()
                if anchor is not None:
                    sizes[anchor] = total - start + 1
            elif isinstance(event, yaml.ScalarEvent):
                total += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            if total > MAX_NODES:
                raise SvcgenError(f"{where}: document has more than {MAX_NODES:,} values once YAML aliases are expanded")
    except yaml.YAMLError:
        return  # a syntax error: the loader reports it with its line


def check_depth(document: object, where: str) -> None:
    """Refuse a loaded document nested deeper than :data:`MAX_DEPTH` levels, or holding text
    that is not Unicode (a lone surrogate such as JSON's ``"\\ud800"``: no file can hold it)."""
    level: list[Any] = [document]
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise SvcgenError(f"{where}: document nests deeper than {MAX_DEPTH} levels")
        following: list[Any] = []
        for node in level:
            if isinstance(node, dict):
                _check_strings(node.keys(), where)
                _check_strings(node.values(), where)
                following.extend(value for value in node.values() if isinstance(value, (dict, list)))
            elif isinstance(node, list):
                _check_strings(node, where)
                following.extend(value for value in node if isinstance(value, (dict, list)))
        level = following


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_strings(values: Iterable[object], where: str) -> None:
    for value in values:
        found = _SURROGATE.search(value) if isinstance(value, str) else None
        if found:
            raise SvcgenError(f"{where}: document holds a lone surrogate (\\u{ord(found[0]):04x}), which is not Unicode text")


#: Where a schema names its own type directly: a cycle through these keys names nothing.
_DIRECT = ("allOf", "anyOf", "oneOf")
#: Keywords that only annotate: a schema of a ``$ref`` and these is still nothing but the reference.
_ANNOTATIONS = frozenset({"title", "description", "deprecated", "readOnly", "writeOnly", "example", "examples", "$comment"})


def check_ref_cycles(schemas: dict[str, Any]) -> None:
    """Refuse component schemas that are nothing but a reference to themselves.

    ``A: {$ref: B}``, ``B: {$ref: A}`` (or ``A: {allOf: [{$ref: A}]}``) names no
    type. A cycle through a schema that says anything of its own is a type:
    ``Pet: {oneOf: [Cat, Dog]}`` with ``Cat: {allOf: [{$ref: Pet}, {properties: ...}]}``
    is the polymorphism idiom, and ``A: {allOf: [B], properties: ...}`` with
    ``B: {allOf: [A], properties: ...}`` an object with the properties of both.
    """
    prefix = "#/components/schemas/"
    edges = {name: sorted(_alias_of(schema, prefix)) for name, schema in schemas.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in sorted(edges):
        if state.get(root):
            continue
        path = [root]
        stack = [iter(edges.get(root, ()))]
        state[root] = 1
        while stack:
            target = next(stack[-1], None)
            if target is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            if target not in edges:
                continue  # a dangling $ref is reported where it is resolved
            if state.get(target) == 1:
                cycle = path[path.index(target) :] + [target]
                shown = " -> ".join(name[:40] for name in cycle[:6]) + (" -> ..." if len(cycle) > 6 else "")
                raise SvcgenError(f"$ref cycle with no schema in between: {shown}", where=f"{prefix}{target[:80]}")
            if not state.get(target):
                state[target] = 1
                path.append(target)
                stack.append(iter(edges[target]))


def _alias_of(schema: object, prefix: str) -> set[str]:
    """The component a schema is nothing but (``{$ref: X}``, or one ``allOf``/``anyOf``/``oneOf``
    branch that is), if any: a schema with anything else of its own is a type of its own."""
    node = schema
    while isinstance(node, dict):
        own = set(node) - _ANNOTATIONS
        ref = node.get("$ref")
        if own == {"$ref"} and isinstance(ref, str):
            return {_unescape(ref[len(prefix) :])} if ref.startswith(prefix) else set()
        keys = [key for key in _DIRECT if key in own]
        if len(keys) != 1 or own != set(keys) or not isinstance(node[keys[0]], list) or len(node[keys[0]]) != 1:
            return set()
        node = node[keys[0]][0]
    return set()


def _unescape(pointer: str) -> str:
    return pointer.replace("~1", "/").replace("~0", "~")
