"""The hostile specs in ``fixtures/adversarial/``: each one's exact outcome.

Either svcgen refuses the document with one line on stderr, exit status 2
and nothing written, or it generates a package in which everything the spec
said is inert: every file compiles, the sentinel the spec carries (code that
would create ``SVCGEN_PWNED``) only ever appears inside string literals, it
never runs on import, and nothing lands outside the output folder.
"""

from __future__ import annotations

import ast
import io
import os
import re
import subprocess
import sys
import tokenize
import tomllib
from pathlib import Path

import pytest

from tests.support.wheels import installed, python_env

ROOT = Path(__file__).resolve().parents[1]
ADVERSARIAL = ROOT / "fixtures" / "adversarial"
SENTINEL = "SVCGEN_PWNED"
#: The names the sentinel's code calls: none of them may appear as a Python name in the output.
SENTINEL_NAMES = {"__import__", "pathlib", "touch", "exec", "eval", "system", "os"}
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def svcgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "svcgen", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def copy_fixture(name: str, folder: Path) -> Path:
    target = folder / "specs" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes((ADVERSARIAL / name).read_bytes())
    return target


REJECTED = {
    "alias-bomb.yaml": "document has more than 2,000,000 values once YAML aliases are expanded",
    "recursive-alias.yaml": "YAML alias *loop refers to itself (a recursive document)",
    "deep-nesting.json": "document nests deeper than 100 levels",
    "ref-cycle.json": "#/components/schemas/A: $ref cycle with no schema in between: A -> B -> A",
    "remote-ref.json": "remote $ref 'http://127.0.0.1:9/common.json#/components/schemas/Thing' refused (use --allow-remote-refs to fetch it)",
    "file-ref-escape.json": "$ref '../../../../../../etc/passwd#/x': leaves the spec's folder",
    "unsafe-yaml-tag.yaml": "could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'",
}


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_hostile_document_is_refused_with_one_line(name: str, tmp_path: Path) -> None:
    spec = copy_fixture(name, tmp_path)
    result = svcgen("generate", str(spec), "-o", "out", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("svcgen: error: "), result.stderr
    assert REJECTED[name] in lines[0]
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / SENTINEL).exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["specs"]


def test_absolute_file_ref_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "abs.json"
    spec.write_text('{"openapi": "3.1.0", "info": {"title": "A", "version": "1"}, "paths": {}, '
                    '"components": {"schemas": {"A": {"$ref": "/etc/hostname"}}}}')
    result = svcgen("generate", str(spec), "-o", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert "$ref '/etc/hostname': absolute file paths are refused" in result.stderr


def test_symlink_out_of_the_spec_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text('{"type": "string"}')
    folder = tmp_path / "spec"
    folder.mkdir()
    (folder / "link.json").symlink_to(outside / "secret.json")
    (folder / "api.json").write_text('{"openapi": "3.1.0", "info": {"title": "A", "version": "1"}, "paths": {}, '
                                     '"components": {"schemas": {"A": {"$ref": "link.json"}}}}')
    result = svcgen("generate", str(folder / "api.json"), "-o", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert "$ref 'link.json': leaves the spec's folder" in result.stderr


def test_document_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    spec = copy_fixture("injection-python.json", tmp_path)
    result = svcgen("generate", str(spec), "-o", "out", "--max-spec-bytes", "1000", cwd=tmp_path)
    assert result.returncode == 2
    assert "document is larger than the limit of 1000 bytes (--max-spec-bytes)" in result.stderr
    assert not (tmp_path / "out").exists()


#: Keys datamodel-code-generator reads that name Python code (a type, a base class, an import, a
#: callable): each fixture names the module ``svcgen_pwned_module`` through one of them.
MODEL_KEYS = [
    "model-key-custom-type-path.yaml",
    "model-key-custom-base-path.yaml",
    "model-key-x-python-type.yaml",
    "model-key-x-python-import.yaml",
    "model-key-default-factory.yaml",
]
GENERATED = ["injection-python.json", "injection-jinja.yaml", "injection-toml-markdown.json", "path-escape.json", "path-escape-split.json", "recursive-model.json", *MODEL_KEYS]


def generated(name: str, tmp_path: Path) -> tuple[Path, str]:
    spec = copy_fixture(name, tmp_path)
    result = svcgen("generate", str(spec), "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out", "specs"]
    packages = [path for path in (tmp_path / "out").iterdir() if path.is_dir()]
    assert len(packages) == 1
    return tmp_path / "out", packages[0].name


@pytest.mark.parametrize("name", GENERATED)
def test_hostile_text_comes_out_inert(name: str, tmp_path: Path) -> None:
    out, package = generated(name, tmp_path)
    assert package.isidentifier()
    files = sorted(path for path in out.rglob("*") if path.is_file())
    relative = [path.relative_to(out).as_posix() for path in files]
    assert len({path.lower() for path in relative}) == len(relative), "file names that differ only by case"
    for path, name_ in zip(files, relative):
        assert not path.is_symlink()
        assert path.resolve().is_relative_to(out.resolve())
        for part in Path(name_).parts:
            assert part.split(".")[0].lower() not in RESERVED, name_
            assert part not in ("..", ".") and "\\" not in part and ":" not in part, name_
        if path.suffix in (".py", ".pyi"):
            source = path.read_text(encoding="utf-8")
            compile(source, name_, "exec")
            if "_runtime/" in name_:
                continue  # the runtime is svcgen's own fixed text
            for token in tokenize.generate_tokens(io.StringIO(source).readline):
                # The sentinel's code may only survive as text (string literals, docstrings) or
                # folded into a cleaned identifier (``A_____IMPORT____PATHLIB...``), never as names.
                if token.type == tokenize.NAME:
                    assert token.string not in SENTINEL_NAMES, (name_, token)
                if token.type == tokenize.COMMENT:
                    assert "type:" not in token.string and "noqa" not in token.string, (name_, token)
                    assert SENTINEL not in token.string, (name_, token)
    project = tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(project) <= {"build-system", "project", "tool"}
    assert "scripts" not in project["project"] and set(project.get("tool", {})) <= {"setuptools"}
    readme = (out / "README.md").read_text(encoding="utf-8")
    # Markdown special characters come out escaped: no live HTML, links or images.
    assert not re.search(r"(?<!\\)<(script|img)|(?<!\\)\]\(javascript", readme)
    for text in (readme, *(path.read_text(encoding="utf-8") for path in files if path.suffix in (".py", ".pyi", ".toml"))):
        assert not any(char in text for char in "\x00\u2028\u2029\u202e\u2066")


@pytest.mark.parametrize("name", GENERATED)
def test_hostile_package_imports_without_running_anything(name: str, tmp_path: Path) -> None:
    out, package = generated(name, tmp_path)
    probe = f"""
import importlib, pkgutil, inspect
import pydantic
import {package} as pkg
for info in pkgutil.walk_packages(pkg.__path__, "{package}."):
    importlib.import_module(info.name)
models = importlib.import_module("{package}.models")
for value in list(vars(models).values()):
    if inspect.isclass(value) and issubclass(value, pydantic.BaseModel) and value.__module__.startswith("{package}"):
        value.model_rebuild(raise_errors=True)
        value.model_json_schema()
pkg.Client("http://127.0.0.1:1").close()
pkg.AsyncClient("http://127.0.0.1:1")
print("imported")
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=python_env(installed(out)), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "imported"
    assert not (tmp_path / SENTINEL).exists()
    assert not (out / SENTINEL).exists()


def test_jinja_delimiters_are_printed_literally(tmp_path: Path) -> None:
    out, package = generated("injection-jinja.yaml", tmp_path)
    client = (out / package / "_client.py").read_text(encoding="utf-8")
    assert "{% include '/etc/passwd' %} {{ 7*7 }}" in client
    assert "49" not in client


def test_recursion_through_properties_is_a_recursive_model(tmp_path: Path) -> None:
    out, package = generated("recursive-model.json", tmp_path)
    probe = (
        f"import {package} as pkg\n"
        "node = pkg.Node.model_validate({'value': 1, 'children': [{'value': 2}], 'next': {'value': 3, 'next': None}})\n"
        "print(node.children[0].value, node.next.root.value)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=python_env(installed(out)), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["2", "3"]


@pytest.mark.parametrize("name", MODEL_KEYS)
def test_keys_that_name_python_code_never_reach_the_models(name: str, tmp_path: Path) -> None:
    """Only standard schema keywords reach the models stage (svcgen.source.schema_keys): the module the
    key names is mentioned nowhere in the package, the models import only what every model module
    does, and ``Thing`` is a plain model of its fields."""
    out, package = generated(name, tmp_path)
    for path in sorted((out / package).rglob("*.py*")):
        assert "svcgen_pwned_module" not in path.read_text(encoding="utf-8"), path
    models = ast.parse((out / package / "models.py").read_text(encoding="utf-8"))
    imported = {node.module for node in models.body if isinstance(node, ast.ImportFrom)}
    assert {module.split(".")[0] for module in imported if module} <= {"__future__", "typing", "pydantic", package}
    thing = next(node for node in models.body if isinstance(node, ast.ClassDef) and node.name == "Thing")
    assert [ast.unparse(base) for base in thing.bases] == ["BaseModel"]
    probe = f"import {package} as pkg; print(pkg.Thing.model_validate({{'id': 'x'}}).id, type(pkg.Thing(id='y').id).__name__)"
    env = {**os.environ, "PYTHONPATH": str(out)}
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["x", "str"]
