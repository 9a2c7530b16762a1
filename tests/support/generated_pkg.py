"""Helpers for tests that generate a package, write it to disk and check it from the outside.

Used by ``tests/test_corpus.py`` (real-world documents) and ``tests/test_traps.py``
(hand-written documents that each hold one known trap). Everything that runs
generated code or a type checker runs in a subprocess of the dev venv's Python.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.wheels import installed

ROOT = Path(__file__).resolve().parents[2]


def _corpus() -> Path:
    """The shared corpus: ``$SVCGEN_CORPUS``, else ``<repo>/../shared/corpus``, else the
    workspace's ``/work/shared/corpus`` (a checkout elsewhere on this machine)."""
    candidates = [os.environ.get("SVCGEN_CORPUS"), ROOT.parent / "shared" / "corpus", "/work/shared/corpus"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "SOURCES.md").is_file():
            return Path(candidate)
    return ROOT.parent / "shared" / "corpus"  # absent: the corpus test says so and fails


CORPUS = _corpus()
CACHE = ROOT / ".cache"
PYTHON = sys.executable

#: The HTTP methods of an OpenAPI path item (every one is an operation).
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: The per-call options every generated method may take besides the API's own arguments.
CALL_OPTIONS = frozenset({"timeout", "max_retries", "extra_headers", "extra_query", "output_dir"})

#: A diagnostic that says something of the document did not make it into the package.
_DROP_WORDS = re.compile(
    r"\b(drop(?:ped|s)?|skip(?:ped|s)?|omit(?:ted|s)?|ignor(?:ed|es|ing)|left out|not generated|"
    r"unsupported|removed|discard(?:ed|s)?|no (?:method|model|class))\b",
    re.IGNORECASE,
)
_ABOUT_OPERATION_OR_SCHEMA = re.compile(
    r"^(GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE)\b|#/components/schemas|#/paths|#/webhooks|schema|operation",
    re.IGNORECASE,
)


def safe_name(stem: str) -> str:
    """A package name for a corpus file stem (``oai-petstore-expanded.v3.0`` → ``c_oai_petstore_expanded_v3_0``)."""
    return "c_" + re.sub(r"\W", "_", stem)


def write_tree(files: dict[str, str], target: Path) -> Path:
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    return target


def run(
    args: list[str], cwd: Path, *, timeout: float = 1200, stdin: str | None = None, path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a tool; with ``path``, the installed packages there are importable (and type-checkable)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if path is not None:
        env.update(PYTHONPATH=str(path), MYPYPATH=str(path), PYTHONSAFEPATH="1")
    return subprocess.run(
        args, cwd=cwd, input=stdin, capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


def tail(result: subprocess.CompletedProcess[str], limit: int = 6000) -> str:
    return (result.stdout[-limit:] + "\n" + result.stderr[-limit:]).strip()


def first_error(result: subprocess.CompletedProcess[str]) -> str:
    """The first line of checker/traceback output that names an error."""
    lines = (result.stdout + "\n" + result.stderr).splitlines()
    for line in lines:
        if re.search(r"\berror\b|Error\b|Traceback", line):
            return line.strip()
    return lines[0].strip() if lines else ""


# --- the package on disk ------------------------------------------------------------


def package_modules(folder: Path, package: str) -> list[str]:
    """Every importable module of the package (``pkg``, ``pkg._client``, ``pkg.models``…)."""
    modules = []
    for path in sorted((folder / package).rglob("*.py")):
        parts = list(path.relative_to(folder).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules.append(".".join(parts))
    return modules


_IMPORT_ALL = textwrap.dedent(
    """
    import importlib, importlib.abc, json, sys, traceback

    given = json.loads(sys.stdin.read())
    blocked = set(given["block"])

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in blocked:
                raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)", name=name)
            return None

    sys.meta_path.insert(0, Blocker())
    for name in list(sys.modules):
        if name.split(".")[0] in blocked:
            del sys.modules[name]
    import pydantic

    failures = []
    incomplete = []
    for module_name in given["modules"]:
        try:
            module = importlib.import_module(module_name)
        except BaseException as exc:
            failures.append([module_name, "".join(traceback.format_exception_only(type(exc), exc)).strip()])
            continue
        for value in list(vars(module).values()):
            if (
                isinstance(value, type)
                and issubclass(value, pydantic.BaseModel)
                and value.__module__ == module.__name__
            ):
                try:
                    value.model_rebuild(raise_errors=True)
                except BaseException as exc:
                    incomplete.append([f"{module_name}.{value.__name__}", f"{type(exc).__name__}: {str(exc)[:300]}"])
    print(json.dumps({"failures": failures, "incomplete": incomplete, "blocked_loaded": sorted(n for n in sys.modules if n.split('.')[0] in blocked)}))
    """
)


def import_every_module(folder: Path, package: str, *, block: tuple[str, ...] = ()) -> dict[str, Any]:
    """Install the project's wheel and import each module of the package in one fresh process
    (working directory elsewhere); ``block`` makes those top-level modules unimportable.

    Returns ``{"failures": [[module, error]], "incomplete": [[class, error]], "blocked_loaded": [...]}``:
    ``incomplete`` lists pydantic models whose annotations cannot be resolved (the first
    validation would raise).
    """
    site = installed(folder)
    modules = package_modules(site, package)
    given = json.dumps({"modules": modules, "block": list(block)})
    with tempfile.TemporaryDirectory(prefix="svcgen-import-") as elsewhere:
        result = run([PYTHON, "-c", _IMPORT_ALL], Path(elsewhere), timeout=900, stdin=given, path=site)
    if result.returncode != 0 or not result.stdout.strip():
        return {"failures": [["<process>", tail(result)]], "incomplete": [], "blocked_loaded": []}
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    report["modules"] = modules
    return report


def mypy_strict(folder: Path, package: str, cache: Path) -> subprocess.CompletedProcess[str]:
    """``mypy --strict -p package`` over the package installed from its wheel."""
    site = installed(folder)
    with tempfile.TemporaryDirectory(prefix="svcgen-mypy-") as elsewhere:
        return run([PYTHON, "-m", "mypy", "--strict", "--cache-dir", str(cache), "-p", package], Path(elsewhere), path=site)


def stubtest(folder: Path, package: str) -> subprocess.CompletedProcess[str]:
    """``python -m mypy.stubtest`` over the installed package, with the project's own allowlist of pydantic artefacts."""
    site = installed(folder)
    allowlist = ["--allowlist", str(folder / "stubtest-allowlist.txt"), "--ignore-unused-allowlist"]
    with tempfile.TemporaryDirectory(prefix="svcgen-stubtest-") as elsewhere:
        return run(
            [PYTHON, "-m", "mypy.stubtest", "--mypy-config-file", os.devnull, *allowlist, package], Path(elsewhere), path=site
        )


# --- what the package contains -------------------------------------------------------


@dataclass
class ClientSurface:
    """What ``_client.py`` offers, read with :mod:`ast`."""

    #: Public methods and properties of ``Client`` / ``AsyncClient``, in order.
    methods: dict[str, list[str]]
    #: ``(METHOD, path template)`` of every module-level ``Endpoint(...)``.
    endpoints: list[tuple[str, str]]
    #: For each ``TaskRoutes(...)``: the companion paths it reaches.
    task_companions: list[dict[str, str]] = field(default_factory=list)


def client_surface(source: str) -> ClientSurface:
    tree = ast.parse(source)
    methods: dict[str, list[str]] = {}
    endpoints: list[tuple[str, str]] = []
    companions: list[dict[str, str]] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in ("Client", "AsyncClient"):
            methods[node.name] = [
                child.name
                for child in node.body
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and not child.name.startswith("_")
            ]
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, ast.Call):
            callee = ast.unparse(value.func)
            if callee == "Endpoint" and len(value.args) >= 2:
                method, path = (ast.literal_eval(arg) for arg in value.args[:2])
                endpoints.append((str(method).upper(), str(path)))
            elif callee == "TaskRoutes":
                companions.append({kw.arg: ast.literal_eval(kw.value) for kw in value.keywords if kw.arg})
    return ClientSurface(methods, endpoints, companions)


def normalized_path(path: str) -> str:
    """A path template with every placeholder (``{id}``, ``${MODEL_NAME}``) written ``{}``."""
    return re.sub(r"\$?\{[^{}]*\}", "{}", path)


def spec_operations(document: dict[str, Any]) -> Counter[tuple[str, str]]:
    """``(METHOD, normalised path)`` of every operation under ``paths`` (webhooks are not operations)."""
    found: Counter[tuple[str, str]] = Counter()
    for path, item in (document.get("paths") or {}).items():
        item = _deref(document, item)
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            if isinstance(item.get(method), dict):
                found[(method.upper(), normalized_path(str(path)))] += 1
    return found


def _deref(document: dict[str, Any], node: Any) -> Any:
    for _ in range(32):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/")):
            return node
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def model_sources(folder: Path, package: str) -> dict[str, str]:
    """The model module, or every module of a models package, by path."""
    root = folder / package
    found = {}
    if (root / "models.py").is_file():
        found["models.py"] = (root / "models.py").read_text(encoding="utf-8")
    if (root / "models").is_dir():
        for path in sorted((root / "models").rglob("*.py")):
            found[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return found


_TYPE_ALIAS: Any = getattr(ast, "TypeAlias", None)  # ``type X = ...`` (Python 3.12+)


def model_names(sources: dict[str, str]) -> Counter[str]:
    """Class names plus module-level type aliases (``X = ...``, ``X: TypeAlias = ...``, ``type X = ...``)."""
    names: Counter[str] = Counter()
    for text in sources.values():
        for node in ast.parse(text).body:
            if isinstance(node, ast.ClassDef):
                names[node.name] += 1
            elif _TYPE_ALIAS is not None and isinstance(node, _TYPE_ALIAS) and isinstance(node.name, ast.Name):
                names[node.name.id] += 1
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                if "TypeAlias" in ast.unparse(node.annotation):
                    names[node.target.id] += 1
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                call = node.value
                is_alias_call = isinstance(call, ast.Call) and ast.unparse(call.func).endswith("TypeAliasType")
                if name[:1].isupper() and not name.isupper() and (is_alias_call or not isinstance(call, ast.Constant)):
                    names[name] += 1
    return names


def drop_claims(diagnostics: list[Any]) -> list[str]:
    """Diagnostics that say an operation or a schema was dropped, skipped or left out."""
    claims = []
    for diagnostic in diagnostics:
        text = f"{diagnostic.where}: {diagnostic.message}"
        if _DROP_WORDS.search(diagnostic.message) and _ABOUT_OPERATION_OR_SCHEMA.search(text):
            claims.append(diagnostic.describe())
    return claims


# --- importing a generated package into the test process -----------------------------


@contextlib.contextmanager
def imported(folder: Path, package: str) -> Iterator[Any]:
    """Install the project's wheel and import the package from there into this process; forget it afterwards."""
    site = str(installed(folder))
    sys.path.insert(0, site)
    importlib.invalidate_caches()
    try:
        module = importlib.import_module(package)
        importlib.import_module(f"{package}.models")
        yield module
    finally:
        sys.path.remove(site)
        for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
            del sys.modules[name]
