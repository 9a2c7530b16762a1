"""The whole pipeline: load → parse → IR → models → render → format (→ write)."""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any

from .config import Config
from .core.errors import Diagnostic
from .core.fingerprint import document_digest, fingerprint
from .core.version import __version__
from .output.format import format_tree
from .ir import build_api
from .models.bind import bind_types
from .ir.naming import PACKAGE_NAMES
from .source.jsondata import json_document
from .source.load import Loaded, load
from .output.manifest import add_inputs, add_manifest
from .models.generate import generate_models
from .source.select import select_operations
from .models.split import LAZY_THRESHOLD
from .output.render import render_package, render_pyproject
from .source.spec import parse
from .output.stubs import add_stubs
from .output.write import WriteReport, write_tree


#: Told what stage generation has reached (the CLI prints it on a terminal).
Progress = Callable[[str], None]


def _silent(stage: str) -> None:
    """The default progress reporter: says nothing."""


@dataclass
class Generated:
    """A generated package in memory."""

    package: str
    files: dict[str, str]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: what writing into ``config.output`` did (``None`` when nothing was written)
    written: WriteReport | None = None


def fetch_document(config: Config) -> dict[str, Any]:
    """The input document exactly as generation sees it (what ``svcgen fetch`` saves)."""
    return fetch(config).document


def fetch(config: Config) -> Loaded:
    """The input document and notes about how it was read."""
    return load(config.source, **config.load_options())


def build_files(document: dict[str, Any], config: Config, progress: Progress = _silent) -> Generated:
    """Generate the package for ``document`` without touching the disk or the network."""
    progress("reading the document")
    document = json_document(document)
    mended: list[Diagnostic] = []
    normalized, _model = parse(document, mended)
    normalized = select_operations(normalized, config.include_tags, config.exclude_tags, config.include_paths)
    api, diagnostics = build_api(normalized, package=config.name, package_version=config.package_version)
    diagnostics += mended
    progress(f"building models for {len(api.operations)} operations, {len(api.schemas)} schemas")
    models = generate_models(
        api.schemas, api.scratch_models, api.param_holders, f"{api.package}._runtime", PACKAGE_NAMES, config.jobs
    )
    api.lazy_models = len(models.classes) > LAZY_THRESHOLD
    bind_types(api, models)
    progress(f"rendering {len(models.classes)} models")
    files = render_package(
        api,
        models,
        document_sha256=document_digest(document),
        options=config.recorded_options(),
        svcgen_version=__version__,
        http_library=config.http_library,
    )
    files = add_stubs(files, api, models, config.http_library)
    files["pyproject.toml"] = render_pyproject(api, files, config.http_library)
    progress(f"formatting {len(files)} files")
    files = add_manifest(format_tree(files, config.formatter))
    diagnostics += [Diagnostic("#/components/schemas", f"models: {note}") for note in models.notes]
    return Generated(api.package, files, sorted(diagnostics))


def generate(config: Config, progress: Progress = _silent) -> Generated:
    """Fetch, generate and (when ``config.output`` is set) write one client package."""
    progress(f"fetching {config.source}")
    loaded = fetch(config)
    generated = build_files(loaded.document, config, progress)
    digest = document_digest(loaded.document)
    generated.files = add_inputs(generated.files, fingerprint(digest, config.fingerprint_options()))
    notes = [Diagnostic(loaded.origin or config.source, note) for note in loaded.notes]
    generated.diagnostics[:0] = notes
    if config.output is not None:
        generated.written = write_tree(generated.files, config.output, force=config.force)
    return generated
