"""The HTTP libraries a generated runtime can be built on, and what each one asks of the package.

The runtime templates are one source for every library: they name the library's
module through the ``http`` template variable (``httpx.Timeout`` or
``httpx2.Timeout``), so the types users see in stubs and docs are the real ones.
What differs besides the module name is listed here, and only here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HttpLibrary:
    """One HTTP library: its import name and the requirements a package built on it declares."""

    module: str
    #: The generated package's ``requires-python`` floor.
    python: str
    #: The requirement on the library itself.
    requirement: str
    #: The ``aiohttp`` extra: httpx-aiohttp, whose transports exist for both libraries.
    aiohttp_requirement: str


LIBRARIES: dict[str, HttpLibrary] = {
    "httpx": HttpLibrary(
        module="httpx",
        python="3.10",
        requirement="httpx>=0.27,<1",
        aiohttp_requirement="httpx-aiohttp>=0.2,<0.3",
    ),
    # Python 3.11: httpx2's releases since 2.15 need it. 2.0.0, the first release, is the
    # floor: the runtime tests (tests/test_httpx2_runtime.py) pass on it as on 2.16.2, and
    # the end-to-end test installs exactly the floor. httpx-aiohttp has had an httpx2
    # variant (``httpx_aiohttp.httpx2``) since 0.2.0.
    "httpx2": HttpLibrary(
        module="httpx2",
        python="3.11",
        requirement="httpx2>=2.0,<3",
        aiohttp_requirement="httpx-aiohttp[httpx2]>=0.2,<0.3",
    ),
}
#: The accepted values of ``--http-library`` / ``http_library``; the first is the default.
HTTP_LIBRARIES = tuple(LIBRARIES)
