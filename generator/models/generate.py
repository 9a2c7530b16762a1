"""Stage 4: schemas → a pydantic v2 model module (the only user of datamodel-code-generator).

The module text is generated with formatting off (the format stage runs
once, with a fixed mode), then read back with :mod:`ast` to learn each
class's field annotations, which become the keyword arguments and return
types of the client (:mod:`svcgen.models.module`). Synthetic wrapper classes
that were generated only to learn an annotation are removed again. What the
schemas are made to say first is in :mod:`svcgen.models.prepare`.
"""

from __future__ import annotations

import functools
import json
import keyword
import re
import unicodedata
import warnings
from typing import Any

from datamodel_code_generator import DataModelType, InputFileType, LiteralType, PythonVersion, generate

from ..core.errors import SvcgenError
from ..core.json_tree import dicts
from ..ir.naming import snake
from .ahead import start as ahead_start
from .allof_cycles import break_allof_cycles
from .defaults import Resolver
from .model_fixups import (
    escape_invisible,
    forget_trees,
    open_enums,
    parameterise_bare_generics,
    rename_reserved,
    unshadowed_fields,
    unshadowed_imports,
)
from .module import HEADER, ModelModule, empty_module, read_back
from .prepare import models_document, schema_resolver
from .redeclare_probe import probe_schemas, unforeseen_subclasses
from .redeclared import conflicting_parents, inlined_parents


def generate_models(
    schemas: dict[str, Any],
    scratch: set[str],
    holders: set[str],
    runtime_module: str,
    reserved: frozenset[str] = frozenset(),
    jobs: int = 1,
) -> ModelModule:
    """The models module for ``schemas``; no class may take a name in ``reserved``
    (names the client module and the package already use). With ``jobs`` above 1 the whole run
    may start in a worker process ahead of the probe that decides its input
    (:mod:`svcgen.models.ahead`); the module is the same either way."""
    if not schemas:
        return empty_module(HEADER + "\n\nfrom __future__ import annotations\n")
    schemas = break_allof_cycles(schemas)
    resolver = schema_resolver(schemas)
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        probe = probe_schemas(schemas)
        whole = functools.partial(_whole_run, schemas, resolver, runtime_module)
        ahead = ahead_start(whole) if jobs > 1 and probe else None
        try:
            parted, rounds = _without_redeclared(schemas, resolver, runtime_module, probe)
            if ahead is not None and parted is schemas:
                text, messages = ahead.result()
            else:
                if ahead is not None:
                    ahead.cancel()  # its input did not stand: free its core before the whole run here
                text = _whole_run(parted, resolver, runtime_module)
        finally:
            if ahead is not None:
                ahead.cancel()
        schemas = parted
        # a subclass the smaller documents did not look for: the same rounds on the whole text
        for _round in range(rounds if isinstance(text, str) and unforeseen_subclasses(text, schemas) else 0):
            # a child redeclaring an inherited field as something the parent does not allow is
            # no subclass: generated again with that parent's schema copied in (svcgen.models.redeclared)
            conflicts = conflicting_parents(text, set(schemas)) if isinstance(text, str) else {}
            if not conflicts:
                break
            schemas = inlined_parents(schemas, conflicts)
            text = _whole_run(schemas, resolver, runtime_module)
    if not isinstance(text, str):
        raise SvcgenError("cannot build models: the models stage produced several modules")
    # the text edits first: the fix-ups after them share one parse while none changes the text
    text = open_enums(escape_invisible(text), runtime_module)
    text = parameterise_bare_generics(unshadowed_imports(unshadowed_fields(text)))
    text = rename_reserved(text, reserved)
    try:
        module = read_back(text, set(schemas), scratch, holders)
    finally:
        forget_trees()
    module.notes = sorted({_first_line(message) for message in [*messages, *(str(w.message) for w in caught)]})
    return module


#: Most times the models are generated again to take conflicting parents apart (each round
#: parts every child found; a copied parent may bring a grandparent along).
_REDECLARE_ROUNDS = 4


def _without_redeclared(
    schemas: dict[str, Any], resolver: Resolver, runtime_module: str, probe: dict[str, Any]
) -> tuple[dict[str, Any], int]:
    """``schemas`` with each child that redeclares an inherited field as something its parent does
    not allow given that parent's schema, found round by round on the smaller document that
    decides it, ``probe`` first (:mod:`svcgen.models.redeclare_probe`); and the rounds left.
    ``schemas`` itself when nothing changed."""
    changed: set[str] | None = None
    for used in range(_REDECLARE_ROUNDS):
        if used:
            probe = probe_schemas(schemas, changed)
        if not probe:
            return schemas, _REDECLARE_ROUNDS - used
        text = _run_generator(models_document(probe, resolver), runtime_module, _normalized_field_names(schemas))
        conflicts = conflicting_parents(text, set(probe)) if isinstance(text, str) else {}
        if not conflicts:
            return schemas, _REDECLARE_ROUNDS - used
        schemas = inlined_parents(schemas, conflicts)
        changed = set(conflicts)
    return schemas, 0


def _whole_run(schemas: dict[str, Any], resolver: Resolver, runtime_module: str) -> object:
    return _run_generator(models_document(schemas, resolver), runtime_module, _normalized_field_names(schemas))


def _run_generator(document: dict[str, Any], runtime_module: str, aliases: dict[str, str] | None = None) -> object:
    try:
        return generate(
            json.dumps(document),
            aliases=aliases or None,
            input_file_type=InputFileType.OpenAPI,
            output_model_type=DataModelType.PydanticV2BaseModel,
            formatters=[],
            disable_timestamp=True,
            custom_file_header=HEADER,
            target_python_version=PythonVersion.PY_310,
            use_standard_collections=True,
            use_union_operator=True,
            use_annotated=True,
            strict_nullable=True,
            set_default_enum_member=True,
            use_subclass_enum=True,
            use_schema_description=True,
            use_field_description=True,
            use_double_quotes=True,
            base_class=f"{runtime_module}.BaseModel",
            use_exact_imports=True,
            # A one-value enum is a tag (``type: episode``): a Literal, as discriminators need.
            enum_field_as_literal=LiteralType.One,
            # svcgen resolved every reference before: a dangling one is an error, and no file or
            # URL is ever read from here (the schemas hold local pointers only)
            strict_refs=True,
            allow_remote_refs=False,
        )
    except Exception as exc:  # datamodel-code-generator raises many kinds
        raise SvcgenError(f"cannot build models: {type(exc).__name__}: {str(exc)[:200]}") from None


def _normalized_field_names(node: Any) -> dict[str, str]:
    """Field names for property names Python would change: it reads identifiers in NFKC form, so
    a field written ``ﬁle`` or ``ｎａｍｅ`` is ``file``/``name`` and no longer matches its wire key;
    the models stage keeps such names as they are unless told to alias them."""
    found: dict[str, str] = {}
    for current in dicts(node):
        properties = current.get("properties")
        if isinstance(properties, dict):
            for key in properties:
                normal = unicodedata.normalize("NFKC", str(key))
                if normal != key and str(key).isidentifier():
                    found[str(key)] = normal if normal.isidentifier() and not keyword.iskeyword(normal) else snake(str(key))
    return found


def _first_line(text: str) -> str:
    """The first line of a models-stage warning, without its advice to pass an option (``use
    --strict-refs to fail instead``): those are the library's options, not svcgen's."""
    line = text.strip().splitlines()[0] if text.strip() else "warning"
    sentences = [part for part in re.split(r"(?<=[.;])\s+", line) if not _OPTION.search(part)]
    return " ".join(sentences).rstrip(";")[:200] or "warning"


_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
