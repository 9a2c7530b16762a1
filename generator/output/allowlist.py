"""Stage 5b: the package's ``mypy.stubtest`` allowlists: only the entries the package needs.

``stubtest`` reports what pydantic does at run time that no stub can say; a package lists
exactly those reports, so that ``stubtest`` runs without ``--ignore-unused-allowlist`` (an
entry nothing matches is an error then). Where the report depends on the version of Python or
pydantic, the entry goes to a file of its own, named after the first version that needs it:

- ``stubtest-allowlist.txt``: needed with every supported Python and pydantic (always written,
  perhaps with no entry);
- ``stubtest-allowlist.<name>-<version>.txt`` (``<name>`` is ``python`` or ``pydantic``):
  needed with that version of ``<name>`` or a newer one; pass it too when that holds.
"""

from __future__ import annotations

import re

from ..models.module import ModelModule

COMMON = "stubtest-allowlist.txt"
_VERSIONED = re.compile(r"^stubtest-allowlist\.(?P<name>python|pydantic)-(?P<version>[0-9.]+)\.txt$")
#: pydantic 2.14 registers a parametrised ``RootModel[...]`` base in the module whose class
#: statement subscripts it (earlier releases registered it in ``pydantic.root_model``).
PARAMETRISED_ROOT_MODELS = ("pydantic", "2.14")

_CONVENTION = [
    "# Use: python -m mypy.stubtest --allowlist stubtest-allowlist.txt PACKAGE, adding",
    "# --allowlist stubtest-allowlist.<name>-<version>.txt for each such file whose <name>",
    "# (python or pydantic) is installed at <version> or newer. Every entry of the files in",
    "# use is needed: no --ignore-unused-allowlist.",
]


def stubtest_allowlists(package: str, models: ModelModule) -> dict[str, str]:
    """Each allowlist file of the package, by name (the common one always)."""
    escaped = package.replace(".", "\\.")
    prefix = f"{escaped}\\.models(\\.\\w+)?\\."
    files = {
        COMMON: _text(
            [
                "# mypy.stubtest's reports about pydantic's run time, not about the stubs, with every",
                "# supported Python and pydantic: a RootModel's __init__ gives its root a sentinel default.",
                *_CONVENTION,
            ],
            [f"{prefix}{name}\\.__init__" for name in sorted(models.root_models)],
        )
    }
    if re.search(r"\bRootModel\[", models.text):
        name, version = PARAMETRISED_ROOT_MODELS
        files[versioned(name, version)] = _text(
            [
                f"# mypy.stubtest's reports about pydantic's run time with {name} {version} or newer: it",
                "# registers parametrised RootModel[...] classes in the module that uses them.",
                *_CONVENTION,
            ],
            [f"{prefix}RootModel\\[.*\\]_*"],
        )
    return files


def versioned_files(files: dict[str, str]) -> list[tuple[str, str, str]]:
    """``(name, version, file)`` of each versioned allowlist among a package's files."""
    found = [(match, file) for file in sorted(files) if (match := _VERSIONED.match(file))]
    return [(match["name"], match["version"], file) for match, file in found]


def versioned(name: str, version: str) -> str:
    """The file name of the entries needed with ``name`` at ``version`` or newer."""
    return f"stubtest-allowlist.{name}-{version}.txt"


def _text(header: list[str], entries: list[str]) -> str:
    return "\n".join([*header, *entries]) + "\n"
