"""Checks on values a user gives, made when they are read (flags, ``[tool.svcgen]``).

Each check raises a :class:`SvcgenError` that names the value's origin
(``--package-version``, ``tool.svcgen.clients[0]: name``) so the user learns
of a mistake before anything is fetched, generated or built. A value read
from an environment variable is never repeated in a message.
"""

from __future__ import annotations

import keyword
import os
import re

from packaging.version import InvalidVersion, Version

from ..core.errors import SvcgenError

_PACKAGE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def package_name(value: str, label: str = "--name") -> str:
    """A Python package name: an ASCII identifier that is not a keyword."""
    if not _PACKAGE_NAME.match(value) or keyword.iskeyword(value):
        raise SvcgenError(
            f"{label} {value[:40]!r} is not a valid Python package name "
            "(letters, digits and underscores, not starting with a digit, not a keyword)"
        )
    return value


def package_version(value: str, label: str = "--package-version") -> str:
    """A PEP 440 version, as pip and the build backend will require."""
    try:
        Version(value)
    except InvalidVersion:
        raise SvcgenError(f"{label} {value[:40]!r} is not a valid version (PEP 440, e.g. 1.2.0 or 2.0.0rc1)") from None
    return value


def environment_value(variable: str, label: str) -> str:
    """The value of the environment variable ``variable``, which must be set and not empty."""
    if not _ENV_NAME.match(variable):
        raise SvcgenError(f"{label}: {variable[:40]!r} is not an environment variable name")
    value = os.environ.get(variable)
    if value is None:
        raise SvcgenError(f"{label}: environment variable {variable} is not set")
    if not value.strip():
        raise SvcgenError(f"{label}: environment variable {variable} is empty")
    return value
