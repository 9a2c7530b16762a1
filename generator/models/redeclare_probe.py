"""The part of the schemas that decides which ``allOf`` children redeclare a parent's field.

Finding those children (:mod:`svcgen.models.redeclared`) needs the generated classes, and
generating every schema once more only to look costs a whole models run (OpenAI's document: 3 s
of its 7). A class's field annotations depend only on the schemas it refers to and on the unions
whose discriminator names it (the models stage turns the tag field of each variant into a
``Literal``), and the names the models stage invents are one-to-one in any run, so two
annotations are the same text in a smaller document exactly when they are in the whole one. The
children are therefore looked for in a smaller document: the children that could redeclare a
field (a property or ``required`` entry of their own that a parent also has, or two parents),
everything they refer to, and every union with a discriminator that names any of it. A
component the models module makes a subclass without an ``allOf`` saying so (no construct known
today) sends the whole module to the check as before (:func:`unforeseen_subclasses`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from ..core.json_tree import dicts

_PREFIX = "#/components/schemas/"


def probe_schemas(schemas: dict[str, Any], changed: set[str] | None = None) -> dict[str, Any]:
    """The schemas (in the document's order) whose classes tell which children redeclare a
    parent's field; empty when no child could. With ``changed`` (the children an earlier round
    gave their parents' schemas), only those children and their descendants are looked at again:
    a child whose own schema and ancestors are as they were still redeclares nothing wrongly."""
    tags = _discriminator_tags(schemas)
    children = [name for name, schema in schemas.items() if _may_redeclare(schema, schemas, tags.get(name, set()))]
    if changed is not None:
        children = [name for name in children if name in changed or _ancestors(name, schemas) & changed]
    if not children:
        return {}
    refs = {name: set(_refs(schema)) & schemas.keys() for name, schema in schemas.items()}
    unions = [name for name, schema in schemas.items() if _has_key(schema, "discriminator")]
    kept = _closure(children, refs)
    while True:
        naming = [name for name in unions if name not in kept and refs[name] & kept]
        if not naming:
            break
        kept |= _closure(naming, refs)
    return {name: schema for name, schema in schemas.items() if name in kept}


def unforeseen_subclasses(text: str, schemas: dict[str, Any]) -> bool:
    """Whether the models module makes a component a subclass of another without an ``allOf``
    saying so (the probe looks only at ``allOf`` children): then the whole module is checked."""
    for match in _CLASS.finditer(text):
        name, bases = match.group(1), match.group(2).split(", ")
        schema = schemas.get(name)
        if name in schemas and any(base in schemas for base in bases) and not (isinstance(schema, dict) and isinstance(schema.get("allOf"), list) and any(_allof_targets(schema))):
            return True
    return False


_CLASS = re.compile(r"^class (\w+)\(([\w, ]+)\):", re.MULTILINE)


def _may_redeclare(schema: Any, schemas: dict[str, Any], tags: set[str]) -> bool:
    """``tags``: the properties discriminators name this schema by (the models stage declares
    them in each variant, as a ``Literal`` of its tag, whether the variant's schema has them or not)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("allOf"), list):
        return False
    parents = [target for target in _allof_targets(schema) if target in schemas]
    if not parents:
        return False
    if len(parents) > 1:
        return True
    own = set(_field_names(schema, follow=None)) | tags
    return bool(own & set(_field_names(schemas[parents[0]], follow=schemas)))


def _ancestors(name: str, schemas: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    stack = [name]
    while stack:
        schema = schemas.get(stack.pop())
        if isinstance(schema, dict) and isinstance(schema.get("allOf"), list):
            for target in _allof_targets(schema):
                if target not in found:
                    found.add(target)
                    stack.append(target)
    return found


def _discriminator_tags(schemas: dict[str, Any]) -> dict[str, set[str]]:
    """Component → the property names of the discriminators whose unions name it."""
    tags: dict[str, set[str]] = {}
    for node in dicts(list(schemas.values()), _DATA):
        discriminator = node.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str):
            mapping = discriminator.get("mapping")
            named = set(_refs({key: value for key, value in node.items() if key != "discriminator"}))
            named |= {value[len(_PREFIX) :] for value in (mapping.values() if isinstance(mapping, dict) else ()) if isinstance(value, str) and value.startswith(_PREFIX)}
            for name in named:
                tags.setdefault(name, set()).add(discriminator["propertyName"])
    return tags


def _allof_targets(schema: dict[str, Any]) -> Iterator[str]:
    """The components an ``allOf`` names, also through its inline branches (a parent copied in
    by an earlier round is one, with the grandparent's reference inside)."""
    for branch in schema["allOf"]:
        target = _target(branch)
        if target is not None:
            yield target
        elif isinstance(branch, dict) and isinstance(branch.get("allOf"), list):
            yield from _allof_targets(branch)


def _field_names(schema: Any, follow: dict[str, Any] | None) -> Iterator[str]:
    """Every property name and ``required`` entry in ``schema`` (nested ones too: more is only
    slower, never wrong); with ``follow``, also in the schemas its ``allOf`` references name."""
    seen: set[int] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                yield from map(str, node["properties"])
            if isinstance(node.get("required"), list):
                yield from (str(item) for item in node["required"])
            if "additionalProperties" in node or "patternProperties" in node:
                yield "__pydantic_extra__"  # typed extra fields: a class attribute like a field
            for key, value in node.items():
                if key == "allOf" and isinstance(value, list):
                    for branch in value:
                        target = _target(branch)
                        if target is None:
                            stack.append(branch)
                        elif follow is not None and target in follow:
                            stack.append(follow[target])
                elif key not in ("properties", "required", "enum", "const", "default", "example", "examples"):
                    stack.append(value)
            if isinstance(node.get("properties"), dict):
                stack.extend(node["properties"].values())


def _closure(start: Iterable[str], refs: dict[str, set[str]]) -> set[str]:
    found = set(start)
    stack = list(found)
    while stack:
        for target in refs[stack.pop()]:
            if target not in found:
                found.add(target)
                stack.append(target)
    return found


#: Keywords whose values are data, never schemas: not searched for references or keys.
_DATA = frozenset({"enum", "const", "default", "example", "examples"})


def _refs(node: Any) -> Iterator[str]:
    for current in dicts(node, _DATA):
        ref = current.get("$ref")
        if isinstance(ref, str) and ref.startswith(_PREFIX):
            yield ref[len(_PREFIX) :]


def _has_key(node: Any, wanted: str) -> bool:
    return any(wanted in current for current in dicts(node, _DATA))


def _target(branch: Any) -> str | None:
    ref = branch.get("$ref") if isinstance(branch, dict) else None
    return ref[len(_PREFIX) :] if isinstance(ref, str) and ref.startswith(_PREFIX) else None
