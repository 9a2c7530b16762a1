"""The frozen set of options one generation runs with."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .core.errors import SvcgenError
from .output.http_library import HTTP_LIBRARIES
from .source.limits import DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class Config:
    """Everything that decides what svcgen generates, and from where.

    ``token`` and ``headers`` are only used to fetch the document; they are
    never written into the output (see :func:`recorded_options`).
    """

    source: str
    output: Path | None = None
    name: str | None = None
    package_version: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    token: str | None = field(default=None, repr=False)
    force: bool = False
    fetch_timeout: float = 30.0
    max_document_bytes: int = DEFAULT_MAX_BYTES
    #: Fetch without verifying TLS certificates (``--insecure``; the CLI warns).
    insecure: bool = False
    #: Fetch ``$ref``s to other http(s) documents (refused by default).
    allow_remote_refs: bool = False
    #: The folder relative file ``$ref``s may point into (default: the spec's own folder); it must
    #: hold the spec. Not recorded: it decides what may be read, not what is generated.
    ref_root: Path | None = None
    #: ``ruff`` or ``black``: same output, ruff far faster (not recorded: it changes nothing).
    formatter: str = "ruff"
    #: Operations to generate (all when empty): see :mod:`svcgen.source.select`.
    include_tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    include_paths: tuple[str, ...] = ()
    #: The HTTP library the generated runtime imports: ``httpx`` or ``httpx2`` (same public API).
    http_library: str = "httpx"
    #: Processes generation may use (1: this one only). Never changes a byte of the output, so it
    #: is neither recorded nor fingerprinted. The library's default is 1 (forking a host process
    #: that runs threads is unsafe); the command line passes the cores it may use.
    jobs: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.jobs, bool) or not isinstance(self.jobs, int) or self.jobs < 1:
            raise SvcgenError(f"jobs must be a whole number of at least 1, not {str(self.jobs)[:40]!r}")
        if self.http_library not in HTTP_LIBRARIES:
            raise SvcgenError(
                f"http_library must be one of {', '.join(HTTP_LIBRARIES)}, not {str(self.http_library)[:40]!r}"
            )

    def recorded_options(self) -> dict[str, object]:
        """The options that shape the output, as recorded in ``_svcgen.json``."""
        options: dict[str, object] = {"name": self.name, "package_version": self.package_version}
        for key in ("include_tags", "exclude_tags", "include_paths"):
            if getattr(self, key):
                options[key] = list(getattr(self, key))
        if self.http_library != HTTP_LIBRARIES[0]:
            # Only when not the default, so that default output stays what it always was.
            options["http_library"] = self.http_library
        return options

    def load_options(self) -> dict[str, Any]:
        """The keyword arguments of :func:`svcgen.source.load.load` for this configuration."""
        return {
            "headers": self.headers,
            "token": self.token,
            "timeout": self.fetch_timeout,
            "max_bytes": self.max_document_bytes,
            "verify": not self.insecure,
            "allow_remote_refs": self.allow_remote_refs,
            "ref_root": self.ref_root,
        }

    def fingerprint_options(self) -> dict[str, object]:
        """Every option that decides what a generation writes or refuses, for the inputs'
        fingerprint: all but where the document and the output are (``source``, ``output``),
        ``force`` (it decides whose files may be replaced, not what is written), ``jobs`` (how
        many processes write the same bytes) and the
        credentials (``token``, ``headers``: they decide what is fetched, and what is fetched is
        fingerprinted; their values must not be written anywhere)."""
        skipped = {"source", "output", "force", "token", "headers", "jobs"}
        return {item.name: _plain(getattr(self, item.name)) for item in fields(self) if item.name not in skipped}


def _plain(value: object) -> object:
    """An option's value as JSON data (tuples as lists, paths as their text)."""
    if isinstance(value, tuple):
        return list(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
