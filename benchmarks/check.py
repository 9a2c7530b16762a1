"""Time the no-change build-time checks: `svcgen check` and `svcgen generate` when nothing changed.

    .venv/bin/python benchmarks/check.py [--spec NAME]... [--runs 5] [--bento] [--full]

Each corpus document (all 17 by default; `--spec github` picks by file-name prefix) is generated
once into a temporary folder; then each command runs `--runs` times as a new process (what a
pre-commit hook or a CI step pays), and the median wall time is printed beside the reference: a
Python process that imports nothing (`python -c pass`), timed in the same run. Columns:

- check (cold): `svcgen check` with an empty parse cache (a fresh CI machine): the spec is parsed.
- check (warm): the cache has seen the spec: nothing is parsed.
- generate (warm): `svcgen generate` into the same folder: nothing is written.
- full (`--full` only): `svcgen check --full`, which generates in memory and compares.

`--bento` also serves examples/services/calculator with `bentoml serve` from .venv-bento on
127.0.0.1 (stopped at the end); there the fetch is part of every answer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))


def wall(command: list[str], env: dict[str, str], runs: int) -> float:
    """The median wall time of ``command`` over ``runs`` runs; it must succeed every time."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {result.stderr.strip()[-400:]}")
    return statistics.median(times)


def measure(source: str, label: str, runs: int, full: bool, work: Path) -> dict[str, float]:
    out = work / label
    cache = work / f"cache-{label}"
    env = {**os.environ, "SVCGEN_CACHE_DIR": str(cache)}
    svcgen = [sys.executable, "-m", "svcgen", "-q"]
    generated = subprocess.run([*svcgen, "generate", source, "-o", str(out)], env=env, capture_output=True, text=True)
    if generated.returncode != 0:
        raise SystemExit(f"{label}: generation failed: {generated.stderr.strip()[-400:]}")
    row = {"reference": wall([sys.executable, "-c", "pass"], env, runs)}
    cold: list[float] = []
    for _ in range(runs):
        fresh = {**env, "SVCGEN_CACHE_DIR": tempfile.mkdtemp(dir=work, prefix="cold-")}
        cold.append(wall([*svcgen, "check", source, "-o", str(out)], fresh, 1))
    row["check (cold)"] = statistics.median(cold)
    row["check (warm)"] = wall([*svcgen, "check", source, "-o", str(out)], env, runs)
    row["generate (warm)"] = wall([*svcgen, "generate", source, "-o", str(out)], env, runs)
    if full:
        row["full"] = wall([*svcgen, "check", "--full", source, "-o", str(out)], env, 1)
    return row


def print_table(rows: dict[str, dict[str, float]]) -> None:
    columns = list(next(iter(rows.values())))
    print("| document | " + " | ".join(f"{column} s" for column in columns) + " | warm check / reference |")
    print("|---" * (len(columns) + 2) + "|")
    for label, row in rows.items():
        cells = " | ".join(f"{row[column]:.3f}" for column in columns)
        print(f"| {label} | {cells} | {row['check (warm)'] / row['reference']:.1f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", action="append", default=[], help="corpus file-name prefix (repeatable)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bento", action="store_true", help="also a BentoML example served on 127.0.0.1")
    parser.add_argument("--full", action="store_true", help="also time check --full (slow on large documents)")
    args = parser.parse_args()
    specs = sorted(path for path in CORPUS.iterdir() if path.suffix in (".json", ".yaml"))
    if args.spec:
        specs = [path for path in specs if any(path.name.startswith(prefix) for prefix in args.spec)]
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="svcgen-check-bench-") as folder:
        work = Path(folder)
        for path in specs:
            label = path.name.rsplit(".", 1)[0]
            rows[label] = measure(str(path), label, args.runs, args.full, work)
            print(f"{label}: warm check {rows[label]['check (warm)']:.3f} s", file=sys.stderr)
        if args.bento:
            from tests.support.services import serve_example

            with serve_example("calculator") as url:
                rows["bentoml calculator (served)"] = measure(url, "bento", args.runs, args.full, work)
    print_table(rows)


if __name__ == "__main__":
    main()
