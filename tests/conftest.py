"""Test-session setup shared by every test module.

``SVCGEN_TEST_HTTP_LIBRARY=httpx2`` runs the runtime tests against clients generated with
``--http-library httpx2`` (``tests/test_runtime_httpx2.py`` starts such runs): ``import
httpx`` in the tests then gives httpx2 (httpx2's own ``alias_httpx``), so every test case
builds its ``MockTransport``s, responses and errors from the library the client uses.
This must happen before anything imports httpx, hence here.
"""

from __future__ import annotations

import os

if os.environ.get("SVCGEN_TEST_HTTP_LIBRARY", "httpx") == "httpx2":
    import sys

    import httpx2

    if hasattr(httpx2, "alias_httpx"):
        httpx2.alias_httpx()
    else:  # older httpx2 (the floor runs): the tests use top-level names only
        assert "httpx" not in sys.modules, "httpx was imported before conftest.py"
        sys.modules["httpx"] = httpx2

# svcgen's local cache of parsed documents (``svcgen.source.parsed_cache``): one per test
# session, in a temporary folder, never the user's own; subprocesses inherit it.
if "SVCGEN_CACHE_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile

    _CACHE = tempfile.mkdtemp(prefix="svcgen-test-cache-")
    os.environ["SVCGEN_CACHE_DIR"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, True)
