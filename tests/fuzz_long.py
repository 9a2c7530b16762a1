"""The long fuzz run of issue 7: the cases of tests/test_fuzz.py, many more of them.

    .venv/bin/python tests/fuzz_long.py --inprocess 10000 --pipeline 300 [--jobs 2] [--seed N] [--out DIR]
    .venv/bin/python tests/fuzz_long.py --replay DIR/failure-....json

In-process cases run ``build_files``, check every file in memory and import the package from a
scratch folder in a separate process (``--no-import``: files only); pipeline cases run the CLI,
pip install the package into a venv (one per worker), import every module and construct the
clients (see ``tests/support/fuzz.py``). A failure does not stop the run: each is saved as
``failure-*.json`` (the document, the options and the problems) under ``--out``, and the run
ends with the number of cases, failures, clean refusals and the time taken. ``--jobs`` splits
the cases between worker processes (each with its own hypothesis seed and venv). Exit status:
0 when no case failed, 1 otherwise.

Not collected by pytest (its files are ``test_*.py``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.errors import HypothesisWarning  # noqa: E402

from tests.support import fuzz  # noqa: E402

warnings.filterwarnings("ignore", category=HypothesisWarning)


def _category(error: str) -> str:
    """A short label for a clean refusal (what kind of input svcgen refused)."""
    markers = ("lone surrogate", "not a valid OpenAPI document", "$ref cycle", "path template names", "cannot build models", "unsupported", "nests deeper")
    for marker in markers:
        if marker in error:
            return marker
    return error.removeprefix("svcgen: error: ").rsplit(": ", 1)[-1][:60]


class Run:
    """One worker's share of the cases: counts, refusals, saved failures."""

    def __init__(self, out: Path, worker: int, *, import_packages: bool = True) -> None:
        self.out = out
        self.worker = worker
        self.import_packages = import_packages
        self.counts: Counter[str] = Counter()
        self.refusals: Counter[str] = Counter()
        self.failures: list[str] = []
        self.seconds: dict[str, float] = {}

    def record(self, mode: str, outcome: fuzz.Outcome, document: dict[str, Any], options: dict[str, Any]) -> None:
        self.counts[f"{mode}:cases"] += 1
        if outcome.problems:
            self.counts[f"{mode}:failures"] += 1
            index = self.counts[f"{mode}:failures"]
            path = self.out / f"failure-{mode}-w{self.worker}-{index:04d}.json"
            path.write_text(
                json.dumps({"mode": mode, "options": options, "problems": outcome.problems, "document": fuzz.describe(document)}, indent=1),
                encoding="utf-8",
            )
            self.failures.append(str(path))
            print(f"[w{self.worker}] {mode} FAILURE {index}: {outcome.problems[0].splitlines()[0][:200]} -> {path}", flush=True)
        elif outcome.error is not None:
            self.counts[f"{mode}:refused"] += 1
            self.refusals[_category(outcome.error)] += 1
        else:
            self.counts[f"{mode}:generated"] += 1
        done = self.counts[f"{mode}:cases"]
        if done % 250 == 0 or (mode == "pipeline" and done % 10 == 0):
            print(f"[w{self.worker}] {mode}: {done} cases, {self.counts[f'{mode}:failures']} failures", flush=True)

    def in_process(self, count: int, base_seed: int) -> None:
        if count <= 0:
            return
        started = time.monotonic()

        importer = fuzz.ImportWorker() if self.import_packages else None

        @seed(base_seed)
        @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(document=fuzz.documents(), lazy=st.sampled_from([False, False, False, True]))
        def case(document: dict[str, Any], lazy: bool) -> None:
            self.record("inprocess", fuzz.check_in_process(document, lazy=lazy, importer=importer), document, {"lazy": lazy})

        try:
            case()
        finally:
            if importer is not None:
                importer.close()
        self.seconds["inprocess"] = time.monotonic() - started

    def pipeline(self, count: int, base_seed: int) -> None:
        if count <= 0:
            return
        started = time.monotonic()
        runner = fuzz.PipelineRunner(self.out / f"pipeline-w{self.worker}")

        @seed(base_seed + 1)
        @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(document=fuzz.documents(), as_yaml=st.booleans())
        def case(document: dict[str, Any], as_yaml: bool) -> None:
            self.record("pipeline", runner.run_case(document, as_yaml=as_yaml), document, {"as_yaml": as_yaml})

        case()
        self.seconds["pipeline"] = time.monotonic() - started

    def summary(self) -> dict[str, Any]:
        return {"counts": dict(self.counts), "refusals": dict(self.refusals), "failures": self.failures, "seconds": self.seconds}


def _worker(args: argparse.Namespace) -> dict[str, Any]:
    run = Run(args.out, args.worker, import_packages=not args.no_import)
    run.in_process(args.inprocess, args.seed)
    run.pipeline(args.pipeline, args.seed)
    return run.summary()


def _split(total: int, jobs: int, index: int) -> int:
    return total // jobs + (1 if index < total % jobs else 0)


def _parallel(args: argparse.Namespace) -> dict[str, Any]:
    """Start ``--jobs`` workers of this script and add up their summaries."""
    processes = []
    for index in range(args.jobs):
        command = [
            sys.executable, __file__,
            "--inprocess", str(_split(args.inprocess, args.jobs, index)),
            "--pipeline", str(_split(args.pipeline, args.jobs, index)),
            "--seed", str(args.seed + 1000 * index),
            "--out", str(args.out),
            "--worker", str(index),
            "--summary", str(args.out / f"summary-w{index}.json"),
            *(["--no-import"] if args.no_import else []),
        ]
        processes.append(subprocess.Popen(command, cwd=ROOT))
    total: dict[str, Any] = {"counts": Counter(), "refusals": Counter(), "failures": [], "seconds": {}}
    for index, process in enumerate(processes):
        process.wait()
        summary_path = args.out / f"summary-w{index}.json"
        if not summary_path.exists():
            total["failures"].append(f"worker {index} exited with status {process.returncode} and no summary")
            continue
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        total["counts"].update(summary["counts"])
        total["refusals"].update(summary["refusals"])
        total["failures"] += summary["failures"]
        for mode, seconds in summary["seconds"].items():
            total["seconds"][f"{mode} (worker {index})"] = seconds
    return total


def _replay(path: Path) -> int:
    saved = json.loads(path.read_text(encoding="utf-8"))
    document = json.loads(saved["document"])
    if saved["mode"] == "inprocess":
        importer = fuzz.ImportWorker()
        try:
            outcome = fuzz.check_in_process(document, lazy=saved["options"].get("lazy", False), importer=importer)
        finally:
            importer.close()
    else:
        with tempfile.TemporaryDirectory(prefix="svcgen-replay-") as home:
            outcome = fuzz.PipelineRunner(Path(home)).run_case(document, as_yaml=saved["options"].get("as_yaml", False))
    print("\n".join(outcome.problems) or f"no problem now ({'generated' if outcome.files or outcome.package else outcome.error})")
    return 1 if outcome.problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inprocess", type=int, default=10_000, help="cases through build_files, checked in memory")
    parser.add_argument("--pipeline", type=int, default=300, help="cases through the CLI, pip install and import")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes sharing the cases")
    parser.add_argument("--no-import", action="store_true", help="in-process cases: check the files only, do not import the packages")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="hypothesis seed (worker i uses seed + 1000 i)")
    parser.add_argument("--out", type=Path, default=None, help="where failures, venvs and summaries go (default: a new temporary folder)")
    parser.add_argument("--replay", type=Path, default=None, help="run one saved failure-*.json again")
    parser.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--summary", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replay is not None:
        return _replay(args.replay)
    args.out = (args.out or Path(tempfile.mkdtemp(prefix="svcgen-fuzz-long-"))).resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    if args.summary is None and args.jobs <= 1:
        print(f"fuzz_long: seed {args.seed}, output in {args.out}", flush=True)
    if args.jobs > 1:
        print(f"fuzz_long: {args.jobs} workers, seed {args.seed}, output in {args.out}", flush=True)
        summary = _parallel(args)
    else:
        summary = _worker(args)
    if args.summary is not None:  # a worker: the parent prints the totals
        args.summary.write_text(json.dumps(summary, indent=1), encoding="utf-8")
        return 0
    elapsed = time.monotonic() - started
    counts = summary["counts"]
    print(f"\nfuzz_long: done in {elapsed / 60:.1f} min (seed {args.seed})")
    for mode in ("inprocess", "pipeline"):
        cases = counts.get(f"{mode}:cases", 0)
        if cases:
            print(
                f"  {mode}: {cases} cases: {counts.get(f'{mode}:generated', 0)} generated, "
                f"{counts.get(f'{mode}:refused', 0)} refused with a clean error, {counts.get(f'{mode}:failures', 0)} failures"
            )
    for label, seconds in sorted(summary["seconds"].items()):
        print(f"  time {label}: {seconds / 60:.1f} min")
    if summary["refusals"]:
        print("  clean refusals by kind:")
        for label, number in Counter(summary["refusals"]).most_common(12):
            print(f"    {number:6d}  {label}")
    for failure in summary["failures"]:
        print(f"  FAILURE: {failure}")
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
