"""Stage 2: validate the normalised document against the OpenAPI 3.1 model."""

from __future__ import annotations

from typing import Any

from openapi_pydantic.v3.v3_1 import OpenAPI
from pydantic import ValidationError

from ..core.errors import Diagnostic, SvcgenError
from .limits import check_depth, check_ref_cycles
from .mend import mend
from .normalize import normalize


#: The keys of a path item that hold operations (later stages read operations under these only).
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: Rounds of mending (each mends every defect validation reported; a mended ``info`` can uncover more).
MEND_ROUNDS = 4


def parse(raw: dict[str, Any], notes: list[Diagnostic] | None = None) -> tuple[dict[str, Any], OpenAPI]:
    """Normalise ``raw`` and validate it; return the normalised dict and its model.

    Later stages read the normalised dict (it keeps every schema keyword
    exactly as written); the model is the proof that the document is
    well-formed OpenAPI, and gives one clear error where it is not. Defects
    that change nothing in the client are mended (:mod:`svcgen.source.mend`), with a
    warning in ``notes`` for each.
    """
    notes = [] if notes is None else notes
    check_depth(raw, "the document")
    document = normalize(raw)
    schemas = (document.get("components") or {}).get("schemas")
    if isinstance(schemas, dict):
        check_ref_cycles(schemas)
    model = _validate(document, notes)
    if not document.get("paths") and not document.get("webhooks") and not document.get("components"):
        raise SvcgenError("the document has no paths, webhooks or components")
    return document, model


def _validate(document: dict[str, Any], notes: list[Diagnostic]) -> OpenAPI:
    for round_ in range(MEND_ROUNDS + 1):
        try:
            return OpenAPI.model_validate(document)
        except ValidationError as exc:
            if round_ == MEND_ROUNDS or not mend(document, exc.errors(), notes):
                raise SvcgenError(_first_error(exc)) from None
        except (RecursionError, ValueError, TypeError) as exc:
            raise SvcgenError(f"not a valid OpenAPI document ({type(exc).__name__})") from None
    raise AssertionError("unreachable")  # pragma: no cover


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = min(errors, key=lambda e: len(e["loc"])) if errors else None
    if first is None:
        return "not a valid OpenAPI document"
    where = "#/" + "/".join(str(part)[:60] for part in first["loc"])
    count = len(errors)
    more = f" (and {count - 1} more problems)" if count > 1 else ""
    return f"not a valid OpenAPI document: {where}: {first['msg']}{more}"

