"""A URL copied from the browser - the Swagger UI or ReDoc page, a document URL with a
trailing slash - is resolved to the service's document, against a real BentoML
example and a real FastAPI app served on 127.0.0.1; anything else is refused with
the URLs tried and what to pass instead."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fastapi_app import serve_fastapi
from tests.support.services import serve_example

pytestmark = pytest.mark.e2e


def svcgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "svcgen", *args], capture_output=True, text=True, timeout=300)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def bentoml_url() -> Iterator[str]:
    with serve_example("calculator") as url:
        yield url


@pytest.fixture(scope="module")
def fastapi_url() -> Iterator[str]:
    with serve_fastapi() as url:
        yield url


def _resolves(base: str, page: str, *, named: bool) -> None:
    reference = svcgen("fetch", base, "-o", "-")
    assert reference.returncode == 0, reference.stderr
    fetched = svcgen("fetch", base + page, "-o", "-")
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout == reference.stdout
    if named:  # a documentation page: the note names the base URL to pass next time
        assert f"pass the service's base URL {base} next time" in fetched.stderr, fetched.stderr


@pytest.mark.parametrize(("page", "named"), [("/docs", True), ("/docs#/", True), ("/docs/", True), ("/docs.json/", False)])
def test_bentoml_page_urls_resolve_to_the_service_document(bentoml_url: str, page: str, named: bool) -> None:
    _resolves(bentoml_url, page, named=named)


@pytest.mark.parametrize(("page", "named"), [("/docs", True), ("/docs#/", True), ("/redoc", True), ("/openapi.json/", False)])
def test_fastapi_page_urls_resolve_to_the_service_document(fastapi_url: str, page: str, named: bool) -> None:
    _resolves(fastapi_url, page, named=named)


@pytest.mark.parametrize("service", ["bentoml", "fastapi"])
def test_generating_from_the_swagger_page_equals_generating_from_the_base_url(
    request: pytest.FixtureRequest, tmp_path: Path, service: str
) -> None:
    base = request.getfixturevalue(f"{service}_url")
    from_page = svcgen("generate", f"{base}/docs", "-o", str(tmp_path / "page"))
    from_base = svcgen("generate", base, "-o", str(tmp_path / "base"))
    assert from_page.returncode == 0 and from_base.returncode == 0, (from_page.stderr, from_base.stderr)
    assert tree(tmp_path / "page") == tree(tmp_path / "base")


@pytest.mark.parametrize(("service", "path", "tried"), [
    ("bentoml", "/nothing/docs", ["/nothing/docs/docs.json", "/nothing/docs/openapi.json", "/nothing/docs.json", "/nothing/openapi.json"]),
    ("fastapi", "/items/docs", ["/items/docs/docs.json", "/items/docs/openapi.json", "/items/docs.json: HTTP 422", "/items/openapi.json"]),
    ("fastapi", "/elsewhere", ["/elsewhere/docs.json: HTTP 404", "/elsewhere/openapi.json: HTTP 404"]),
])
def test_a_url_with_no_document_is_refused_with_the_urls_tried(
    request: pytest.FixtureRequest, tmp_path: Path, service: str, path: str, tried: list[str]
) -> None:
    base = request.getfixturevalue(f"{service}_url")
    result = svcgen("generate", base + path, "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("svcgen: error: ") and "Traceback" not in result.stderr
    for fragment in tried:
        assert base + fragment in lines[0], (fragment, lines[0])
    assert "pass the service's base URL" in lines[0]
    assert not (tmp_path / "out").exists()
