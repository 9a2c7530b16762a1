"""Measuring and counting helpers for generate.py: timed runs, import times, what a spec and a
generated package contain."""
from __future__ import annotations

import ast
import json
import os
import re
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import yaml  # type: ignore[import-untyped]

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
NOISE = ("If you believe this was a mistake", "For further information visit")  # opc's closing lines


def last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not any(n in ln for n in NOISE)]
    return lines[-1][:200] if lines else ""


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float) -> dict:
    """Run cmd in its own process group; rc, wall s, peak MB (wait4 ru_maxrss), cpu s, stderr."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        timer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, tell Popen
        err.seek(0)
        return {"rc": proc.returncode, "wall": wall, "peak_mb": usage.ru_maxrss / 1024,
                "cpu": usage.ru_utime + usage.ru_stime, "timed_out": wall >= timeout,
                "stderr": err.read().decode(errors="replace")}


#: Import timing needs the .pyc files the warm-up round writes: a shell that sets
#: PYTHONDONTWRITEBYTECODE would time compiling every module instead (GitHub's 0.2 s).
_BYTECODE_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def import_seconds(python: str, root: Path, stmts: dict[str, str], n: int = 3) -> dict[str, float]:
    """Median seconds of each statement, each in a fresh interpreter with root on sys.path.

    An untimed warm-up round writes the .pyc files; the statements take turns, so that load from
    other processes on the machine hits all of them alike."""
    times: dict[str, list[float]] = {key: [] for key in stmts}
    for i in range(n + 1):
        for key, stmt in stmts.items():
            code = (f"import sys; sys.path.insert(0, {str(root)!r}); import time; "
                    f"t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)")
            res = subprocess.run([python, "-c", code], cwd=root, capture_output=True, text=True,
                                 timeout=300, check=False, env=_BYTECODE_ENV)
            if res.returncode != 0:
                raise RuntimeError(f"{stmt}: {last_line(res.stderr)}")
            times[key] += [float(res.stdout.split()[-1])] if i else []
    return {key: statistics.median(ts) for key, ts in times.items()}


def spec_counts(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text) if path.suffix == ".json" else \
        yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    ops = sum(1 for item in (doc.get("paths") or {}).values() if isinstance(item, dict)
              for method in item if method.lower() in HTTP_METHODS)
    return {"ops": ops, "schemas": len((doc.get("components") or {}).get("schemas") or {})}


def parse_package(pkg_dir: Path) -> dict[Path, list[ast.stmt] | None]:
    """Every generated module's top-level statements; None for a file that is not valid Python."""
    bodies: dict[Path, list[ast.stmt] | None] = {}
    for f in sorted(pkg_dir.rglob("*.py")):
        try:
            bodies[f] = ast.parse(f.read_bytes()).body
        except SyntaxError:
            bodies[f] = None
    return bodies


def count_models(bodies: list[list[ast.stmt] | None]) -> int:
    """Public top-level classes plus type aliases (`X: TypeAlias = …`, `type X = …`, `X = Literal[…]`)."""
    n = 0
    for node in (node for body in bodies for node in body or []):
        if isinstance(node, ast.ClassDef):
            n += not node.name.startswith("_")
        elif type(node).__name__ == "TypeAlias":
            n += 1
        elif isinstance(node, ast.AnnAssign):
            n += ast.unparse(node.annotation).endswith("TypeAlias")
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Subscript):
            n += ast.unparse(node.value.value).endswith("Literal")
    return n


def count_svcgen(pkg: Path, bodies: dict[Path, list[ast.stmt] | None]) -> dict:
    client = next(n for n in bodies[pkg / "_client.py"] or [] if isinstance(n, ast.ClassDef) and n.name == "Client")
    methods = {n.name for n in client.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
               and not n.name.startswith("_")}  # overloads once; task @properties included
    models = [b for f, b in bodies.items() if f == pkg / "models.py" or pkg / "models" in f.parents]
    return {"ops": len(methods), "models": count_models(models)}


def count_opc(pkg: Path, bodies: dict[Path, list[ast.stmt] | None]) -> dict:
    ops = sum(bool(re.search(r"^def sync_detailed\(", f.read_text(encoding="utf-8"), re.MULTILINE))
              for f in bodies if pkg / "api" in f.parents)  # a regex: opc may write invalid Python
    models = [b for f, b in bodies.items() if f.parent == pkg / "models" and f.name != "__init__.py"]
    return {"ops": ops, "models": count_models(models)}


def opc_warnings(stderr: str) -> dict:
    warned = [ln for ln in stderr.splitlines() if ln.startswith("WARNING parsing")]
    skipped = [ln for ln in warned if ln.endswith("Endpoint will not be generated.")]
    schema_errors = re.findall(r"^(?:Unable to (?:parse|process) schema|.*duplicate models)", stderr, re.MULTILINE)
    return {"skipped": len(skipped), "partial": len(warned) - len(skipped), "schema_errors": len(schema_errors)}
