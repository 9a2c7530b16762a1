"""Compare two APIs as a client user sees them, and say which semver bump that implies.

Both documents go through the generation pipeline up to bound types (see
:mod:`svcgen.buildstep.api_surface`); the comparison is on the Python annotations a user
of the generated client sees, plus wire-level rules where the Python
signature alone cannot show the change.

Rules (each change is *breaking* or *compatible* for code using the old client):

Operations (keyed by HTTP method + path template; placeholder names ignored)
  - removed: breaking. Added: compatible.
  - client method renamed (same method and path): breaking.
  - newly deprecated: compatible.
  - request body media type changed (e.g. JSON → multipart): breaking (wire).
Arguments (path/query/header/cookie parameters and flattened body fields, by Python name)
  - removed: breaking. Added: breaking if required, compatible if optional.
  - optional → required: breaking; required → optional: compatible.
  - retyped: compatible only if widened (every old union member is still
    accepted, e.g. ``int`` → ``int | str``), else breaking.
  - moved to another location (query → header …) or renamed on the wire: breaking,
    although the Python signature is unchanged.
  - an ML payload's declared encoding changed (same annotation): a new dtype or
    shape is breaking (arrays the caller passes may be rejected or converted
    lossily); a new DataFrame orient or file media type is compatible (the
    client encodes as declared).
Return values
  - became / stopped being a stream or a task: breaking.
  - retyped: compatible only if narrowed (every new union member was already
    possible, e.g. ``int | None`` → ``int``) or it used to return ``None``;
    else breaking (a widened return, e.g. ``int`` → ``int | None``, can hand
    the caller something it does not handle).
Exported models (fields by wire name; side = the client sends it, receives it, or both;
a model no method mentions counts as received)
  - model removed: breaking (its import fails). Added: compatible. The classes of
    flattened request bodies are not exported and are compared as arguments only.
  - field removed: breaking.
  - field added: breaking if required and the model is sent; else compatible
    (models keep unknown fields, so new response fields are harmless).
  - field retyped: sent models may widen, received models may narrow; anything
    else is breaking.
  - required-ness: sent optional → required and received required → optional
    are breaking; the opposite directions are compatible.
Enums
  - value added: compatible (a sent enum accepts more; received enums are open).
  - value removed: breaking (a sent value is now refused, and the member is
    gone from the Python class either way). Enum class removed: breaking.
  - member renamed (same value, another Python name, e.g. when a new value
    takes the old name): breaking (``Color.a_b`` no longer exists).

Bump: ``major`` if anything breaks, ``minor`` if there is any compatible change
(an addition, a widening, a deprecation), ``patch`` when nothing a client user
sees changed.
"""

from __future__ import annotations

import ast
from dataclasses import asdict, dataclass
from typing import Any

from .api_surface import REQUEST, RESPONSE, Argument, OperationSurface, Surface


@dataclass(frozen=True)
class Change:
    kind: str
    where: str
    message: str
    before: Any
    after: Any
    breaking: bool


def compare(old: Surface, new: Surface) -> list[Change]:
    """Every client-visible change from ``old`` to ``new``, breaking ones first."""
    changes: list[Change] = []
    for key in sorted(old.operations.keys() | new.operations.keys()):
        before, after = old.operations.get(key), new.operations.get(key)
        if after is None:
            assert before is not None
            changes.append(Change("operation-removed", before.label, f"removed operation {before.label} ({before.name})", before.name, None, True))
        elif before is None:
            changes.append(Change("operation-added", after.label, f"added operation {after.label} ({after.name})", None, after.name, False))
        else:
            changes.extend(_operation(before, after))
    changes.extend(_models(old, new))
    changes.extend(_enums(old, new))
    return sorted(changes, key=lambda c: not c.breaking)


def bump(changes: list[Change]) -> str:
    if any(c.breaking for c in changes):
        return "major"
    return "minor" if changes else "patch"


def report(changes: list[Change]) -> dict[str, Any]:
    """The ``--json`` report."""
    return {
        "bump": bump(changes),
        "breaking": sum(c.breaking for c in changes),
        "compatible": sum(not c.breaking for c in changes),
        "changes": [asdict(c) for c in changes],
    }


def human(changes: list[Change]) -> list[str]:
    """One line per change (breaking first), then the summary line."""
    lines = [f"{'BREAKING' if c.breaking else 'compatible':<10} {c.message}" for c in changes]
    broken = sum(c.breaking for c in changes)
    if changes:
        lines.append(f"{bump(changes)}: {broken} breaking, {len(changes) - broken} compatible changes")
    else:
        lines.append("patch: no client-visible changes")
    return lines


def union_members(annotation: str) -> set[str]:
    """``int | None`` → ``{int, None}`` (the annotation itself when it is not a union)."""
    try:
        node = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return {annotation}
    members: list[ast.expr] = []
    todo = [node]
    while todo:
        item = todo.pop()
        if isinstance(item, ast.BinOp) and isinstance(item.op, ast.BitOr):
            todo += [item.left, item.right]
        else:
            members.append(item)
    return {ast.unparse(m) for m in members}


def widened(before: str, after: str) -> bool:
    """Every value ``before`` allows is still allowed by ``after``."""
    return union_members(before) <= union_members(after)


def _operation(before: OperationSurface, after: OperationSurface) -> list[Change]:
    where = after.label
    changes = []
    if before.name != after.name:
        changes.append(Change("operation-renamed", where, f"renamed client method {before.name} → {after.name} ({where})", before.name, after.name, True))
    if after.deprecated and not before.deprecated:
        changes.append(Change("operation-deprecated", where, f"deprecated operation {where} ({after.name})", False, True, False))
    if before.body_media_type and after.body_media_type and before.body_media_type != after.body_media_type:
        changes.append(Change("body-encoding-changed", where, f"request body of {where} ({after.name}) is now {after.body_media_type}, was {before.body_media_type}", before.body_media_type, after.body_media_type, True))
    for name in sorted(before.arguments.keys() | after.arguments.keys()):
        changes.extend(_argument(f"{where} ({after.name})", name, before.arguments.get(name), after.arguments.get(name)))
    old, new = before.returns, after.returns
    if old.shape != new.shape:
        changes.append(Change("response-shape-changed", where, f"{where} ({after.name}) now returns {new.describe()}, was {old.describe()}", old.describe(), new.describe(), True))
    elif old.annotation != new.annotation:
        ok = widened(new.annotation, old.annotation) or old.annotation == "None"
        changes.append(Change("response-retyped", where, f"{where} ({after.name}) now returns {new.describe()}, was {old.describe()}", old.describe(), new.describe(), not ok))
    return changes


def _argument(where: str, name: str, before: Argument | None, after: Argument | None) -> list[Change]:
    spot = f"{where}: {name}"
    if after is None:
        assert before is not None
        return [Change("argument-removed", spot, f"removed {_kind(before)} {name} of {where}", _describe(before), None, True)]
    if before is None:
        required = "required" if after.required else "optional"
        return [Change("argument-added", spot, f"added {required} {_kind(after)} {name}: {after.annotation} to {where}", None, _describe(after), after.required)]
    changes = []
    if before.location != after.location:
        changes.append(Change("argument-moved", spot, f"{_kind(before)} {name} of {where} moved from {before.location} to {after.location}", before.location, after.location, True))
    elif before.wire_name != after.wire_name:
        changes.append(Change("argument-wire-renamed", spot, f"{_kind(after)} {name} of {where} is sent as {after.wire_name!r}, was {before.wire_name!r}", before.wire_name, after.wire_name, True))
    if before.annotation != after.annotation:
        changes.append(Change("argument-retyped", spot, f"{_kind(after)} {name} of {where} retyped {before.annotation} → {after.annotation}", before.annotation, after.annotation, not widened(before.annotation, after.annotation)))
    if before.encoding != after.encoding:
        old, new = dict(before.encoding), dict(after.encoding)
        strict = any(old.get(key) != new.get(key) for key in ("dtype", "shape"))
        was, now = _facts(old), _facts(new)
        changes.append(Change("argument-encoding-changed", spot, f"{_kind(after)} {name} of {where} is now encoded as {now}, was {was}", was, now, strict))
    if before.required != after.required:
        state = "required" if after.required else "optional"
        changes.append(Change("argument-required-changed", spot, f"{_kind(after)} {name} of {where} is now {state}", before.required, after.required, after.required))
    return changes


def _facts(facts: dict[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in facts.items()) or "undeclared"


def _kind(arg: Argument) -> str:
    return "body field" if arg.location == "body" else f"{arg.location} parameter"


def _describe(arg: Argument) -> dict[str, Any]:
    return {"annotation": arg.annotation, "required": arg.required, "location": arg.location, "wire_name": arg.wire_name}


def _breaks(sides: set[str], *, sent: bool, received: bool) -> bool:
    """Whether a change breaks a model used on ``sides``, given what it does to each side."""
    return (REQUEST in sides and sent) or ((RESPONSE in sides or not sides) and received)


def _models(old: Surface, new: Surface) -> list[Change]:
    changes = []
    for name in sorted(old.models.keys() | new.models.keys()):
        before, after = old.models.get(name), new.models.get(name)
        if (before is not None and before.internal) or (after is not None and after.internal):
            continue  # a flattened body: its fields are compared as keyword arguments
        if after is None:
            changes.append(Change("model-removed", name, f"removed model {name}", sorted(before.fields) if before else None, None, True))
            continue
        if before is None:
            changes.append(Change("model-added", name, f"added model {name}", None, sorted(after.fields), False))
            continue
        sides = before.sides | after.sides
        for key in sorted(before.fields.keys() | after.fields.keys()):
            spot = f"{name}.{key}"
            old_field, new_field = before.fields.get(key), after.fields.get(key)
            if new_field is None:
                assert old_field is not None
                changes.append(Change("field-removed", spot, f"removed field {spot}", asdict(old_field), None, True))
            elif old_field is None:
                required = "required" if new_field.required else "optional"
                breaking = _breaks(sides, sent=new_field.required, received=False)
                changes.append(Change("field-added", spot, f"added {required} field {spot}: {new_field.annotation}", None, asdict(new_field), breaking))
            else:
                if old_field.annotation != new_field.annotation:
                    wider = widened(old_field.annotation, new_field.annotation)
                    narrower = widened(new_field.annotation, old_field.annotation)
                    breaking = _breaks(sides, sent=not wider, received=not narrower)
                    changes.append(Change("field-retyped", spot, f"field {spot} retyped {old_field.annotation} → {new_field.annotation}", old_field.annotation, new_field.annotation, breaking))
                if old_field.required != new_field.required:
                    state = "required" if new_field.required else "optional"
                    breaking = _breaks(sides, sent=new_field.required, received=not new_field.required)
                    changes.append(Change("field-required-changed", spot, f"field {spot} is now {state}", old_field.required, new_field.required, breaking))
    return changes


def _enums(old: Surface, new: Surface) -> list[Change]:
    changes = []
    for name in sorted(old.enums.keys() | new.enums.keys()):
        before, after = old.enums.get(name), new.enums.get(name)
        if after is None:
            changes.append(Change("enum-removed", name, f"removed enum {name}", before.values if before else None, None, True))
            continue
        if before is None:
            changes.append(Change("enum-added", name, f"added enum {name}", None, after.values, False))
            continue
        for value in before.values:
            if value not in after.values:
                changes.append(Change("enum-value-removed", name, f"removed value {value!r} from enum {name}", value, None, True))
        for value in after.values:
            if value not in before.values:
                changes.append(Change("enum-value-added", name, f"added value {value!r} to enum {name}", None, value, False))
        for value, old_member in before.members.items():
            new_member = after.members.get(value)
            if new_member is not None and new_member != old_member:
                message = f"enum member {name}.{old_member} renamed {name}.{new_member} (value {value!r})"
                changes.append(Change("enum-member-renamed", f"{name}.{old_member}", message, old_member, new_member, True))
    return changes
