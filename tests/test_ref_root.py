"""``--ref-root DIR`` (``ref_root`` in ``[tool.svcgen]``): where relative file ``$ref``s may point.

Without it a local spec's file refs stay in its own folder; with it they may
climb to the named root (``../common.yaml``), never beyond it, and absolute
paths, ``file:`` URIs and symlinks out of the root stay refused.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SPEC = """\
    openapi: 3.1.0
    info: {title: Users, version: '1.0'}
    paths:
      /user:
        get:
          operationId: get_user
          responses:
            '200':
              description: ok
              content:
                application/json:
                  schema: {$ref: 'REF'}
    """
COMMON = "components: {schemas: {User: {type: object, required: [id], properties: {id: {type: integer}}}}}\n"


def svcgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "svcgen", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def tree(tmp_path: Path, ref: str) -> Path:
    (tmp_path / "repo" / "api").mkdir(parents=True)
    (tmp_path / "repo" / "common.yaml").write_text(COMMON)
    (tmp_path / "outside.yaml").write_text(COMMON)
    spec = tmp_path / "repo" / "api" / "openapi.yaml"
    spec.write_text(textwrap.dedent(SPEC).replace("REF", ref))
    return spec


def test_a_ref_into_the_parent_folder_needs_an_explicit_root(tmp_path: Path) -> None:
    spec = tree(tmp_path, "../common.yaml#/components/schemas/User")
    refused = svcgen("generate", str(spec), "-o", "out", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        "svcgen: error: #/paths/~1user/get/responses/200/content/application~1json/schema: "
        "$ref '../common.yaml#/components/schemas/User': leaves the spec's folder"
    ]
    done = svcgen("generate", str(spec), "-o", "out", "--ref-root", "repo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "def get_user(" in (tmp_path / "out" / "users_client" / "_client.py").read_text()
    assert "class User(BaseModel)" in (tmp_path / "out" / "users_client" / "models.py").read_text()


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("../../outside.yaml#/components/schemas/User", "leaves the --ref-root folder"),
        ("OUTSIDE#/components/schemas/User", "absolute file paths are refused"),
        ("file://OUTSIDE#/components/schemas/User", "file: references are not supported"),
        ("link.yaml#/components/schemas/User", "leaves the --ref-root folder"),
    ],
)
def test_nothing_out_of_the_root_is_read(tmp_path: Path, ref: str, message: str) -> None:
    spec = tree(tmp_path, ref.replace("OUTSIDE", str(tmp_path / "outside.yaml")))
    (spec.parent / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    result = svcgen("generate", str(spec), "-o", "out", "--ref-root", "repo", cwd=tmp_path)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_root_that_does_not_hold_the_spec_is_refused(tmp_path: Path) -> None:
    spec = tree(tmp_path, "../common.yaml#/components/schemas/User")
    (tmp_path / "elsewhere").mkdir()
    result = svcgen("generate", str(spec), "-o", "out", "--ref-root", "elsewhere", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("svcgen: error: --ref-root elsewhere does not hold the spec (")


def test_ref_root_in_the_project_configuration(tmp_path: Path) -> None:
    tree(tmp_path, "../common.yaml#/components/schemas/User")
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.svcgen.clients]]\nsource = "repo/api/openapi.yaml"\noutput = "clients/users"\nref_root = "repo"\n'
    )
    result = svcgen("generate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "clients" / "users" / "users_client" / "models.py").is_file()
