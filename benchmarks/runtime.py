"""Benchmark a generated client's runtime against raw httpx and BentoML's own clients.

    .venv/bin/python benchmarks/runtime.py [--quick] [--calls N] [--live-calls N] [--tput-calls N]
                                           [--reps R] [--import-repeat N] [--no-profile]
                                           [--json OUT.json] [--config-out CONFIG.json]

One run builds everything it needs and prints every table with ratios measured in that run:
serves examples/services/scoring (`bentoml serve` from .venv-bento, 127.0.0.1 only), generates
its client from the live URL with svcgen, captures the service's real answers, installs the
package into benchmarks/.venv-runtime (created once with bentoml and httpx-aiohttp, reused), then
runs runtime_worker.py in that venv, one phase per process: per-call CPU and latency against the
live service and, after the service is stopped, against a canned httpx.MockTransport replaying
its answers; async throughput; construction and import times; a cProfile of the generated sync
client. runtime_clients.py defines the clients measured, runtime_report.py the tables.
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
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))  # tests.support.services starts and stops the example service

from runtime_clients import ASYNC, SYNC, THROUGHPUT
from runtime_report import (
    construct_table,
    import_table,
    importtime_lines,
    percall_table,
    throughput_table,
)

from tests.support.services import serve_example

VENV = HERE / ".venv-runtime"
PY = VENV / "bin" / "python"
EXAMPLE = "scoring"
LEVELS = [1, 8, 32]
BATCH = 16
TX_ID = "tx-7f3a9c"
TRANSACTION = {
    "transaction_id": TX_ID, "amount": 1249.9, "currency": "EUR", "channel": "web", "from": "acct-42",
    "3ds-verified": False, "billing_address": {"country": "DE", "city": "Berlin", "postcode": "10115"},
    "items": [{"sku": "SKU-1001", "quantity": 2, "unit_price": 19.99},
              {"sku": "SKU-2002", "quantity": 1, "unit_price": 1209.92}],
    "tags": ["new-customer", "web-checkout"],
}
BATCH_KWARGS = {"transactions": [dict(TRANSACTION, transaction_id=f"{TX_ID}-{i}", amount=10.0 + 97 * i)
                                 for i in range(BATCH)], "threshold": 0.5}
ENDPOINTS = {  # name -> route, keyword arguments, generated response and request models
    "score": {"path": "/score", "kwargs": {"transaction": TRANSACTION, "threshold": 0.5, "explain": True},
              "model": "FraudScore", "input": "ScoreInput"},
    "score_batch": {"path": "/score_batch", "model": "BatchResult", "input": "ScoreBatchInput", "kwargs": BATCH_KWARGS},
    # the typed usage: the same call with generated Transaction instances (raw json.dumps rows post the same JSON)
    "score_batch, models": {"method": "score_batch", "path": "/score_batch", "model": "BatchResult",
                            "input": "ScoreBatchInput", "kwargs": BATCH_KWARGS, "as_models": {"transactions": "Transaction"}},
}
VERSIONS = ("import importlib.metadata as m; "
            "print(', '.join(f'{d} {m.version(d)}' for d in ('httpx', 'pydantic', 'bentoml', 'aiohttp', 'httpx-aiohttp')))")
DROPPED_HEADERS = {"date", "content-length", "transfer-encoding", "connection"}


def requirements() -> list[str]:
    """bentoml and pydantic pinned as examples/requirements-bento.txt pins them, plus the rest."""
    text = (REPO / "examples" / "requirements-bento.txt").read_text()
    pins = re.findall(r"^((?:bentoml|pydantic)==\S+)", text, re.MULTILINE)
    return [*pins, "httpx==0.28.1", "httpx-aiohttp==0.2.0", "setuptools==80.9.0"]


def ensure_venv() -> None:
    reqs, marker = requirements(), VENV / ".installed"
    if marker.exists() and marker.read_text() == " ".join(reqs):
        return
    print(f"creating {VENV} with {' '.join(reqs)} ...", file=sys.stderr, flush=True)
    subprocess.run(["python3.11", "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run([str(PY), "-m", "pip", "install", "-q", "--disable-pip-version-check", *reqs], check=True)
    marker.write_text(" ".join(reqs))


def capture(url: str) -> dict:
    """The service's real answers, replayed by the canned transport (also /readyz and /schema.json,
    which bentoml's clients read when they start)."""
    answers = {}
    with httpx.Client(base_url=url, trust_env=False, timeout=30) as http:
        requests = [("GET", "/readyz", None), ("GET", "/schema.json", None)]
        requests += [("POST", path, body) for path, body in {ep["path"]: ep["kwargs"] for ep in ENDPOINTS.values()}.items()]
        for method, path, body in requests:
            response = http.request(method, path, json=body)
            response.raise_for_status()
            headers = {k: v for k, v in response.headers.items() if k.lower() not in DROPPED_HEADERS}
            answers[path] = {"status": response.status_code, "headers": headers, "body": response.text}
    return answers


def provenance() -> str:
    """The svcgen commit the client was generated with, and whether its generator was edited since."""
    git = ["git", "-C", str(REPO)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run([*git, "status", "--porcelain", "--", "templates", "generator"], capture_output=True,
                           text=True, check=False).stdout.strip()
    return f"svcgen {head or '?'}" + (" + uncommitted changes in templates/ or generator/" if dirty else "")


def set_env(home: str) -> None:
    """For every process started from here on (the service overrides BENTOML_HOME with its own)."""
    os.environ.update(BENTOML_HOME=home, BENTOML_DO_NOT_TRACK="true",
                      NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")


def run_worker(cfg_path: Path, *phase: str) -> dict:
    print(f"phase: {' '.join(phase)} ...", file=sys.stderr, flush=True)
    res = subprocess.run([str(PY), str(HERE / "runtime_worker.py"), str(cfg_path), *phase],
                         stdout=subprocess.PIPE, text=True, check=False, timeout=3600)
    if res.returncode != 0:
        raise SystemExit(f"worker phase {' '.join(phase)} failed (exit {res.returncode})")
    return json.loads(res.stdout.strip().splitlines()[-1])


def generate_and_install(url: str, out: Path) -> str:
    svcgen = REPO / ".venv" / "bin" / "svcgen"
    subprocess.run([str(svcgen), "generate", url, "-o", str(out), "-q"], check=True)
    pkg = next(p.parent.name for p in out.glob("*/_client.py"))
    subprocess.run([str(PY), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
                    "--force-reinstall", str(out)], check=True, capture_output=True)  # a wheel built with the pinned backend
    return pkg


def import_times(stmts: dict[str, str], repeat: int, cwd: Path) -> dict[str, dict[str, float]]:
    """CPU and wall ms of each statement in a fresh interpreter, medians of `repeat`; the statements
    take turns, after an untimed round. CPU (process_time) is the robust figure on a loaded machine."""
    runs: dict[str, list[tuple[float, float]]] = {key: [] for key in stmts}
    for i in range(repeat + 1):
        for key, stmt in stmts.items():
            code = ("import time; c, t = time.process_time(), time.perf_counter(); " + stmt +
                    "; print(time.process_time() - c, time.perf_counter() - t)")
            out = subprocess.run([str(PY), "-c", code], cwd=cwd, capture_output=True, text=True, check=True).stdout
            runs[key] += [tuple(float(v) * 1000 for v in out.split()[-2:])] if i else []
    return {key: {"cpu": statistics.median(r[0] for r in rs), "wall": statistics.median(r[1] for r in rs)}
            for key, rs in runs.items()}


def imports(pkg: str, repeat: int, tmp: Path) -> tuple[dict, str]:
    url = "http://127.0.0.1:3000"
    baseline = "import httpx, pydantic"
    stmts = {baseline: baseline, f"import {pkg}": f"import {pkg}",
             f"import {pkg}; {pkg}.Client(url)": f"import {pkg}; {pkg}.Client({url!r})",
             "import httpx, pydantic; one model class": "import httpx, pydantic; pydantic.create_model('M', x=(int, 0))",
             "import httpx, pydantic; httpx.Client()": "import httpx, pydantic; httpx.Client()",
             "from bentoml import SyncHTTPClient (reference)": "from bentoml import SyncHTTPClient"}
    times = import_times(stmts, repeat, tmp)
    res = subprocess.run([str(PY), "-X", "importtime", "-c", f"import httpx, pydantic; import {pkg}"], cwd=tmp,
                         capture_output=True, text=True, check=True)
    total, top = importtime_lines(res.stderr, "pydantic")
    text = import_table(times, baseline, repeat)
    text += f"\n\n-X importtime, modules first imported by `import {pkg}` after httpx and pydantic: " \
            f"{total:.1f} ms self time in all; the largest:\n    " + "\n    ".join(top)
    return times, text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=2000, help="canned calls per client, endpoint and repetition")
    ap.add_argument("--live-calls", type=int, default=400, help="live calls per client, endpoint and repetition")
    ap.add_argument("--tput-calls", type=int, default=1000, help="calls per throughput burst")
    ap.add_argument("--reps", type=int, default=5, help="repetitions (medians are reported)")
    ap.add_argument("--import-repeat", type=int, default=10, help="fresh interpreters per import statement")
    ap.add_argument("--quick", action="store_true",
                    help="--calls 300 --live-calls 80 --tput-calls 200 --reps 3 --import-repeat 5")
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile of the generated sync client")
    ap.add_argument("--json", type=Path, help="write the raw results here")
    ap.add_argument("--config-out", type=Path, help="also save the worker's config here, to rerun a phase by hand "
                    "(`benchmarks/.venv-runtime/bin/python benchmarks/runtime_worker.py CONFIG profile`)")
    args = ap.parse_args()
    if args.quick:
        args.calls, args.live_calls, args.tput_calls, args.reps, args.import_repeat = 300, 80, 200, 3, 5
    started = time.perf_counter()
    load_before = os.getloadavg()
    ensure_venv()
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="svcgen-runtime-") as tmp_name:
        tmp = Path(tmp_name)
        set_env(str(tmp / "bentoml-home"))
        cfg = {"options": {"calls": args.calls, "live_calls": args.live_calls, "tput_calls": args.tput_calls,
                           "reps": args.reps, "levels": LEVELS},
               "endpoints": ENDPOINTS, "expect": TX_ID, "throughput_endpoint": "score"}
        cfg_path, made_by = tmp / "config.json", provenance()
        print(f"serving examples/services/{EXAMPLE} ...", file=sys.stderr, flush=True)
        with serve_example(EXAMPLE) as url:
            cfg["pkg"] = generate_and_install(url, tmp / "client")
            cfg["live_url"], cfg["answers"] = url, capture(url)
            cfg_path.write_text(json.dumps(cfg))
            if args.config_out:
                args.config_out.write_text(json.dumps(cfg, indent=1))
            results["live"] = run_worker(cfg_path, "percall", "live")
            results["throughput"] = run_worker(cfg_path, "throughput")
        # the service is stopped: nothing else of ours runs while the canned clients are measured
        results["canned"] = run_worker(cfg_path, "percall", "canned")
        results["construct"] = run_worker(cfg_path, "construct")
        results["imports"], import_text = imports(cfg["pkg"], args.import_repeat, tmp)
        if not args.no_profile:
            results["profile"] = run_worker(cfg_path, "profile")
    pkg = cfg["pkg"]
    versions = subprocess.run([str(PY), "-c", VERSIONS], capture_output=True, text=True, check=True).stdout.strip()
    print(f"\nsvcgen runtime benchmark: {pkg} (examples/services/{EXAMPLE}) generated by {made_by}; {versions}, "
          f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f} before / {os.getloadavg()[0]:.2f} after")
    print("CPU = time.process_time of the client process only (the BentoML server is another process); "
          "x raw = ratio to the block's first row; p50/p99 per repetition, medians over repetitions")
    print(f"score: one transaction (explain=True); score_batch: {BATCH} transactions as plain dicts; "
          f"score_batch, models: the same {BATCH} as generated Transaction instances, built once (the typed usage; "
          "raw httpx + pydantic (in+out) validates and dumps them, json.dumps rows post the same JSON from dicts)")
    for target, title in (("canned", "canned transport (httpx.MockTransport replaying the service's answers)"),
                          ("live", "live BentoML service on 127.0.0.1")):
        res = results[target]
        print(f"\n== 1. per-call CPU and latency, {title}: {res['calls']} calls x {args.reps} repetitions ==")
        for kind, labels in (("sync", list(SYNC)), ("async", list(ASYNC))):
            for endpoint in ENDPOINTS:
                print(f"\n[{kind}, {endpoint}]")
                print(percall_table(res, kind, endpoint, labels))
    print(f"\n== 2. async throughput against the live service, score, {args.tput_calls} calls per burst, "
          f"median of {args.reps} ==")
    print(throughput_table(results["throughput"], list(THROUGHPUT), LEVELS))
    print("\n== 3. construction (in process, no request) and import (fresh interpreter) ==")
    print(construct_table(results["construct"]))
    print()
    print(import_text)
    if "profile" in results:
        print("\n== cProfile, top 15 by tottime ==")
        print(results["profile"]["text"].rstrip())
    print(f"\ntotal wall time {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
