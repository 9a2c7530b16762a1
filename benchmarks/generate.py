"""Benchmark svcgen against openapi-python-client (opc) 0.29.1 on the shared OpenAPI corpus.

    .venv/bin/python benchmarks/generate.py --quick [--repeat 3] [--spec NAME]... [--json OUT.json]

Run it with the dev venv's python: svcgen runs as `sys.executable -m svcgen`. opc is installed
once into benchmarks/.venv-opc. Every generation writes into a fresh temporary folder; what each
column measures is printed above the table. A tool failing on a spec is reported and the run
goes on. measure.py beside this file does the timing and the counting.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import ClassVar

from measure import (
    count_opc,
    count_svcgen,
    import_seconds,
    last_line,
    opc_warnings,
    parse_package,
    run_measured,
    spec_counts,
)

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus"
OPC_VENV = HERE / ".venv-opc"
OPC_REQS = ["openapi-python-client==0.29.1", "attrs", "python-dateutil"]  # + its clients' deps
QUICK_MAX_BYTES = 100_000
LITERAL_ENUM_SPECS = ("stripe",)  # opc crashes on these without `literal_enums: true`


def ensure_opc_venv() -> None:
    marker = OPC_VENV / ".installed"
    if marker.exists() and marker.read_text() == " ".join(OPC_REQS):
        return
    print(f"creating {OPC_VENV} with {' '.join(OPC_REQS)} ...", file=sys.stderr)
    subprocess.run(["python3.11", "-m", "venv", "--clear", str(OPC_VENV)], check=True)
    subprocess.run([str(OPC_VENV / "bin" / "python"), "-m", "pip", "install", "-q",
                    "--disable-pip-version-check", *OPC_REQS], check=True)
    marker.write_text(" ".join(OPC_REQS))


def has_modules(python: str, *mods: str) -> bool:  # can `python` import all of mods?
    code = "import importlib.util as u, sys; sys.exit(not all(u.find_spec(m) for m in sys.argv[1:]))"
    return subprocess.run([python, "-c", code, *mods], check=False).returncode == 0


class Svcgen:
    name = "svcgen"
    python = sys.executable
    baseline = "import httpx, pydantic"  # the generated package's dependencies
    imports: ClassVar[dict[str, str]] = {"import_ms": "import {pkg}; {pkg}.Client('http://127.0.0.1:1')"}
    count = staticmethod(count_svcgen)

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs  # None: svcgen's default (the cores it may use)

    def command(self, spec: Path, run_dir: Path, pkg: str) -> tuple[list[str], Path, Path, dict]:
        """The command line, the package folder it writes, the folder to import it from, its env."""
        out = run_dir / "out"
        cmd = [sys.executable, "-m", "svcgen", "generate", str(spec), "-o", str(out), "--name", pkg]
        if self.jobs is not None:
            cmd += ["--jobs", str(self.jobs)]
        return cmd, out / pkg, out, dict(os.environ)


class Opc:
    name = "opc"
    baseline = "import httpx, attrs, dateutil"
    # opc's package __init__ imports neither models nor api modules: time importing its models too
    imports: ClassVar[dict[str, str]] = {
        "import_ms": "import {pkg}; {pkg}.Client(base_url='http://127.0.0.1:1')",
        "import_models_ms": "import {pkg}.models; {pkg}.Client(base_url='http://127.0.0.1:1')"}
    count = staticmethod(count_opc)

    def __init__(self) -> None:  # its clients need attrs and python-dateutil: the dev venv may lack them
        has_deps = has_modules(sys.executable, "attrs", "dateutil")
        self.python = sys.executable if has_deps else str(OPC_VENV / "bin" / "python")
        # its venv's bin on PATH, so that its `ruff` post-hooks run as they would for a user
        self.env = dict(os.environ, PATH=f"{OPC_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")

    def command(self, spec: Path, run_dir: Path, pkg: str) -> tuple[list[str], Path, Path, dict]:
        cmd = [str(OPC_VENV / "bin" / "openapi-python-client"), "generate", "--path", str(spec),
               "--output-path", str(run_dir / pkg), "--overwrite", "--meta", "none"]
        if any(s in spec.name for s in LITERAL_ENUM_SPECS):
            (run_dir / "opc.json").write_text(json.dumps({"literal_enums": True}))
            cmd += ["--config", str(run_dir / "opc.json")]
        return cmd, run_dir / pkg, run_dir, self.env


def install_wheel(project: Path, target: Path) -> Path:
    """Build the generated project's wheel (isolated, its pinned backend) and install it into ``target``."""
    wheels = target.parent / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(project)],
                   check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                    *map(str, wheels.glob("*.whl"))], check=True, capture_output=True)
    return target


def bench_tool(tool: Svcgen | Opc, spec: Path, pkg: str, args: argparse.Namespace) -> dict:
    """Generate `repeat` times, then count and time the import of the last package written."""
    res: dict = {"ok": False, "failures": [], "walls": [], "cpus": [], "peak_mb": None}
    fail = res["failures"].append
    with tempfile.TemporaryDirectory(prefix=f"bench-{tool.name}-") as tmp:
        for i in range(args.repeat):
            run_dir = Path(tmp) / f"run{i}"
            run_dir.mkdir()
            cmd, pkg_dir, import_root, env = tool.command(spec, run_dir, pkg)
            run = run_measured(cmd, run_dir, env, args.timeout)
            if run["timed_out"] or not (pkg_dir / "__init__.py").exists():  # nothing usable: stop here
                timed_out = f"timeout ({args.timeout:g} s)"
                fail(timed_out if run["timed_out"] else f"exit {run['rc']}: {last_line(run['stderr'])}")
                return res
            res["walls"].append(run["wall"])
            res["cpus"].append(run["cpu"])
            res["peak_mb"] = max(res["peak_mb"] or 0, run["peak_mb"])
        res["wall"], res["cpu"] = statistics.median(res["walls"]), statistics.median(res["cpus"])
        if run["rc"] != 0:  # e.g. opc: its post-hook failed, but the package is there
            fail(f"exit {run['rc']} with a package written: {last_line(run['stderr'])}")
        bodies = parse_package(pkg_dir)
        invalid = [str(f.relative_to(pkg_dir)) for f, body in bodies.items() if body is None]
        if invalid:
            fail(f"{len(invalid)} generated file(s) not valid Python, e.g. {invalid[0]}")
        try:
            res.update(tool.count(pkg_dir, bodies))
        except Exception as exc:  # noqa: BLE001 - report and go on
            fail(f"cannot count: {type(exc).__name__}: {exc}"[:200])
        if tool.name == "opc":
            res.update(opc_warnings(run["stderr"]))
            if res["skipped"]:
                fail(f"skipped {res['skipped']} endpoint(s) (WARNING parsing ... Endpoint will not be generated)")
        try:
            stmts = {"baseline": tool.baseline, **{k: v.format(pkg=pkg) for k, v in tool.imports.items()}}
            if tool.name == "svcgen":  # as users get it: built into a wheel and installed
                import_root = install_wheel(import_root, Path(tmp) / "site")
            secs = import_seconds(tool.python, import_root, stmts, args.import_repeat)
            res.update({k: (v - secs["baseline"]) * 1000 for k, v in secs.items() if k != "baseline"})
            res["import_baseline_ms"] = secs["baseline"] * 1000
        except Exception as exc:  # noqa: BLE001 - report and go on
            res["import_error"] = f"import failed: {exc}"[:200]
    res["ok"] = not res["failures"]
    return res


def fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(rows: list[dict]) -> str:
    lines = [["spec", "size", "spec ops/sch", "svcgen ops/mod", "opc ops/mod", "svcgen s", "opc s", "svc/opc",
              "svcgen MB", "opc MB", "svcgen imp ms", "opc imp ms", "opc+models ms"]]
    for r in rows:
        s, o = r.get("svcgen", {}), r.get("opc", {})
        cells = [("" if t["ok"] else "FAIL ") + f"{t['ops']}/{t['models']}" if "ops" in t else "FAIL" for t in (s, o)]
        size = f"{r['size'] / 1e6:.1f}M" if r["size"] >= 1e6 else f"{r['size'] / 1e3:.0f}K"
        ratio = s["wall"] / o["wall"] if s.get("wall") and o.get("wall") else None
        lines.append([r["spec"], size, f"{r.get('ops', '?')}/{r.get('schemas', '?')}", *cells,
                      fmt(s.get("wall"), ".2f"), fmt(o.get("wall"), ".2f"), fmt(ratio, ".2f"),
                      fmt(s.get("peak_mb"), ".0f"), fmt(o.get("peak_mb"), ".0f"), fmt(s.get("import_ms"), ".0f"),
                      fmt(o.get("import_ms"), ".0f"), fmt(o.get("import_models_ms"), ".0f")])
    widths = [max(len(row[i]) for row in lines) for i in range(len(lines[0]))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
                     for row in lines)


def notes(rows: list[dict]) -> list[str]:
    out = []
    for r in rows:
        out += [f"{r['spec']}: spec: {r['spec_error']}"] if r.get("spec_error") else []
        for tool in ("svcgen", "opc"):
            t = r.get(tool, {})
            msgs = t.get("failures", []) + ([t["import_error"]] if t.get("import_error") else [])
            if t.get("partial") or t.get("schema_errors"):
                msgs.append(f"{t['partial']} endpoint(s) generated with responses/bodies dropped, "
                            f"{t['schema_errors']} schema(s) not generated")
            out += [f"{r['spec']}: {tool}: {m}" for m in msgs]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec", action="append", default=[], help="substring of a corpus file name (repeatable)")
    ap.add_argument("--repeat", type=lambda v: max(1, int(v)), default=3, help="runs per tool and spec (default 3)")
    ap.add_argument("--import-repeat", type=lambda v: max(1, int(v)), default=3, help="timed imports (default 3)")
    ap.add_argument("--quick", action="store_true", help=f"only specs under {QUICK_MAX_BYTES // 1000} KB")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per generation run")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--jobs", type=int, default=None, help="svcgen's --jobs (default: svcgen's own, every core it may use)")
    args = ap.parse_args()

    specs = sorted(p for p in args.corpus.iterdir() if p.suffix in (".json", ".yaml", ".yml"))
    specs = [p for p in specs if (not args.spec or any(s in p.name for s in args.spec))
             and (not args.quick or p.stat().st_size < QUICK_MAX_BYTES)]
    if not specs:
        sys.exit("no spec matches")
    if not has_modules(sys.executable, "svcgen"):
        sys.exit(f"{sys.executable} cannot import svcgen: run this with the dev venv's python")
    ensure_opc_venv()
    tools: list[Svcgen | Opc] = [Svcgen(args.jobs), Opc()]

    rows = []
    for spec in specs:
        row: dict = {"spec": re.sub(r"\.\d{4}-\d\d-\d\d", "", spec.stem), "file": spec.name,
                     "size": spec.stat().st_size}
        try:
            row.update(spec_counts(spec))
        except Exception as exc:  # noqa: BLE001
            row["spec_error"] = " ".join(str(exc).split())[:200]
        pkg = "bench_" + re.sub(r"\W+", "_", row["spec"].lower())
        for tool in tools:
            print(f"{row['spec']}: {tool.name} x{args.repeat} ...", file=sys.stderr, flush=True)
            try:
                row[tool.name] = bench_tool(tool, spec, pkg, args)
            except Exception as exc:  # noqa: BLE001 - one broken run must not stop the benchmark
                row[tool.name] = {"ok": False, "failures": [f"{type(exc).__name__}: {exc}"[:300]]}
        rows.append(row)

    print(f"""
ops/mod  client operations / model classes and aliases (spec: operations / components.schemas)
FAIL     the tool exited non-zero, skipped endpoints, or wrote invalid Python (see the notes)
s        median wall time of {args.repeat} run(s); JSON also has each run and its CPU time
MB       peak RSS of the largest single process in the tool's tree (os.wait4 ru_maxrss;
         opc's ruff post-hooks included)
imp ms   import PKG and construct its Client, warm, median of {args.import_repeat}, minus the same for its deps alone:
         svcgen `{Svcgen.baseline}` with {tools[0].python}
         opc `{Opc.baseline}` with {tools[1].python}
         opc+models: also imports PKG.models, which opc's package __init__ does not
""")
    print(table(rows))
    for line in notes(rows):
        print("  " + line)
    if args.json:
        meta = {"repeat": args.repeat, "import_repeat": args.import_repeat, "jobs": args.jobs,
                "pythons": {t.name: t.python for t in tools}}
        args.json.write_text(json.dumps({"meta": meta, "results": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
