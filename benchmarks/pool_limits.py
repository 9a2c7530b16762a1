"""Sweep httpx pool limits (and sniffio) for the generated async client against the live scoring service.

Which httpx.Limits should the generated AsyncClient default to? Raw httpx.AsyncClient (and the
generated AsyncClient) with several limits, at several concurrency levels.

    .venv/bin/python benchmarks/pool_limits.py [--calls N] [--reps R] [--levels 1,8,32,64,1@64]
                                               [--limits 100/20 100/32/4 ...] [--generated-limits ...]
                                               [--sniffio-runs K] [--sniffio-levels 1,32] [--no-sweep] [--no-sniffio] [--json OUT]

Serves examples/services/scoring (`bentoml serve` from .venv-bento, 127.0.0.1 only), generates its
client with svcgen, installs it into benchmarks/.venv-runtime (made by runtime.py) and runs the
measuring half of this file there (`--worker`). Three parts:

1. the server's idle keep-alive timeout, seen from one raw socket (for keepalive_expiry);
2. the sweep: for every repetition, concurrency level and variant (the order rotating), a fresh
   client warms up, then makes a timed burst of N calls by c tasks on POST /score: calls/s
   (wall), CPU µs/call (time.process_time of the client process only; the server runs on the same
   2 CPUs), the connections the pool opened during the timed burst (churn: 0 = every call reused
   a pooled connection) and the connections pooled before and after it. The warm-up first has
   min(c, max_connections) calls in flight at once, so that the pool holds as many connections
   as a service slower than this local one would make it open (with plain calls only, --no-fill,
   this local service answers so fast that the pool opens anywhere between c/2 and c, by chance,
   and that number, not the limits, then decides the CPU per call), then 4*c plain calls.
   httpcore scans every pooled connection several times per request (`has_expired` polls each
   socket; the surplus-idle test counts all connections for each idle one), so CPU per call grows
   with the connections pooled. "1@64" is c=1 right after warming up at c=64: the idle
   connections a burst leaves behind are scanned on every later call until they expire.
   Medians over the repetitions;
3. the sniffio A/B: raw httpx async at c=1 and c=32 in fresh worker processes taking turns, with
   an empty directory or one holding sniffio (a throw-away `pip install --target`) on PYTHONPATH;
   plus how often httpcore calls its `current_async_library()` per request (without sniffio, each
   call is a failed `import sniffio`, which scans sys.path) and what one call costs.

Raw rows build the body per call with json.dumps(kwargs).encode() and decode with json.loads,
as runtime_clients.raw_async does; timeouts as the generated client's (60 s, 5 s to connect).
A limits spec is MAX/KEEPALIVE[/EXPIRY] (expiry defaults to httpx's 5 s).
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RAW_LIMITS = ["100/20", "100/32", "100/64", "1000/100", "100/100/4", "64/64/4", "32/32/4", "16/16/4"]
GEN_LIMITS = ["default"]
LEVELS = "1,8,32,64,1@64"


def parse_limits(spec: str) -> dict[str, Any] | None:
    if spec == "default":
        return None
    parts = spec.split("/")
    out: dict[str, Any] = {"max_connections": int(parts[0]), "max_keepalive_connections": int(parts[1])}
    out["keepalive_expiry"] = float(parts[2]) if len(parts) > 2 else 5.0
    return out


def limits_label(spec: str) -> str:
    lim = parse_limits(spec)
    if lim is None:
        return "its DEFAULT_LIMITS"
    return f"({lim['max_connections']}, {lim['max_keepalive_connections']}, expiry {lim['keepalive_expiry']:g})"


# ================================ worker (benchmarks/.venv-runtime) ================================


def log(msg: str) -> None:
    print(f"  [worker] {msg}", file=sys.stderr, flush=True)


class Variant:
    """One client kind with one pool setting; open() makes a fresh client whose pool counts the
    connections it creates."""

    def __init__(self, kind: str, spec: str, cfg: dict) -> None:
        self.kind, self.spec, self.cfg = kind, spec, cfg
        self.label = f"{'raw httpx' if kind == 'raw' else 'generated'} {limits_label(spec)}"
        self.http: Any = None  # the httpx.AsyncClient of the last open()

    async def open(self) -> tuple[Any, Any, list[int], Any]:
        import httpx

        ep = self.cfg["endpoint"]
        kwargs, url = ep["kwargs"], self.cfg["live_url"] + ep["path"]
        limits = parse_limits(self.spec)
        created = [0]
        if self.kind == "raw":
            dumps, loads, headers = json.dumps, json.loads, {"content-type": "application/json"}
            http = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0), limits=httpx.Limits(**limits))

            async def call(post=http.post) -> Any:
                response = await post(url, content=dumps(kwargs).encode(), headers=headers)
                response.raise_for_status()
                return loads(response.content)

            close, inner = http.aclose, http
        else:
            import functools
            import importlib

            pkg = importlib.import_module(self.cfg["pkg"])
            client = pkg.AsyncClient(self.cfg["live_url"], **({} if limits is None else {"limits": httpx.Limits(**limits)}))
            call = functools.partial(getattr(client, self.cfg["endpoint_name"]), **kwargs)
            close, inner = client.aclose, client._http
        pool = inner._transport._pool
        make = pool.create_connection

        def counting(origin: Any) -> Any:
            created[0] += 1
            return make(origin)

        pool.create_connection = counting
        self.http = inner
        return call, close, created, pool

    async def fill(self, k: int) -> None:
        """Have k calls in flight at once, so that the pool opens k connections (as it does in front
        of a service slower than this local one): each waits, response headers received, until all
        k have them, then reads its body and frees its connection."""
        import httpx

        ep = self.cfg["endpoint"]
        url, body = self.cfg["live_url"] + ep["path"], json.dumps(ep["kwargs"]).encode()
        gate, inside = asyncio.Event(), [0]

        async def hold() -> None:
            async with self.http.stream("POST", url, content=body, headers={"content-type": "application/json"},
                                        timeout=httpx.Timeout(60.0, connect=5.0)) as response:
                response.raise_for_status()
                inside[0] += 1
                if inside[0] == k:
                    gate.set()
                await gate.wait()
                await response.aread()

        await asyncio.gather(*(hold() for _ in range(k)))


async def burst(call: Any, n: int, c: int, errors: list[str] | None = None) -> tuple[float, float]:
    """n calls by c tasks; (calls per second, CPU µs per call). A call failing with a transport
    error (e.g. the server closed a kept-alive connection as it was reused) is counted in
    `errors` and not retried, if `errors` is given; it counts as a call all the same."""
    import httpx

    left = n

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            try:
                await call()
            except httpx.TransportError as exc:
                if errors is None:
                    raise
                errors.append(f"{type(exc).__name__}: {exc}")

    gc.collect()
    t0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(c)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return n / wall, cpu / n * 1e6


async def sweep(cfg: dict) -> dict:
    variants = [Variant("raw", s, cfg) for s in cfg["raw_limits"]]
    variants += [Variant("generated", s, cfg) for s in cfg["generated_limits"]]
    levels, n, reps = cfg["levels"], cfg["calls"], cfg["reps"]
    runs: dict = {v.label: {lv: {"cps": [], "cpu": [], "new": [], "warm": [], "pool": [], "err": []} for lv in levels}
                  for v in variants}
    messages: set[str] = set()
    for rep in range(reps):
        log(f"sweep rep {rep + 1}/{reps}")
        for lv in levels:
            c, warm_c = (int(x) for x in lv.split("@")) if "@" in lv else (int(lv), int(lv))
            k = rep % len(variants)
            for v in variants[k:] + variants[:k]:
                call, close, created, pool = await v.open()
                result = await call()
                if cfg["expect"] not in repr(result):
                    raise AssertionError(f"{v.label}: unexpected answer {repr(result)[:200]}")
                errors: list[str] = []
                if cfg["fill"]:
                    await v.fill(min(warm_c, pool._max_connections))
                await burst(call, max(20, 4 * warm_c), warm_c, errors)  # untimed warm-up
                before, warm, t0 = created[0], len(pool.connections), time.perf_counter()
                cps, cpu = await burst(call, n, c, errors)
                row = runs[v.label][lv]
                row["cps"].append(cps), row["cpu"].append(cpu), row["warm"].append(warm), row["err"].append(len(errors))
                row["new"].append(created[0] - before), row["pool"].append(len(pool.connections))
                messages.update(errors)
                log(f"c={lv} {v.label}: {cps:.0f} calls/s, {cpu:.0f} µs/call, {created[0] - before} new conns, "
                    f"pooled {warm} -> {len(pool.connections)} ({before} opened by the warm-up), {len(errors)} errors, {time.perf_counter() - t0:.1f} s")
                await close()
    return {"order": [v.label for v in variants], "error_messages": sorted(messages)[:10],
            "rows": {label: {lv: {"cps": statistics.median(r["cps"]), "cpu_us": statistics.median(r["cpu"]),
                                  "new_conns": statistics.median(r["new"]), "new_runs": r["new"],
                                  "pool_warm": statistics.median(r["warm"]),
                                  "pool_end": statistics.median(r["pool"]), "errors": sum(r["err"]),
                                  "cpu_runs": r["cpu"], "cps_runs": r["cps"]}
                             for lv, r in by_lv.items()} for label, by_lv in runs.items()}}


async def sniffio_run(cfg: dict) -> dict:
    """Raw httpx.AsyncClient() (httpx's default limits) in this process, at each of cfg's sniffio
    levels: CPU µs/call (median of reps bursts) and how often httpcore's current_async_library()
    runs per request; and what one call of it costs."""
    import httpcore._synchronization as sync_mod

    try:
        import sniffio  # noqa: F401

        has = True
    except ImportError:
        has = False
    real, count = sync_mod.current_async_library, [0]

    def counted() -> str:
        count[0] += 1
        return real()

    out: dict = {"sniffio": has, "levels": {}}
    for c in cfg["sniffio_levels"]:
        call, close, _created, _pool = await Variant("raw", "100/20", cfg).open()
        await burst(call, max(100, 4 * c), c)
        cpus = [(await burst(call, cfg["calls"], c))[1] for _ in range(cfg["reps"])]
        sync_mod.current_async_library, count[0] = counted, 0
        await burst(call, 200, c)
        sync_mod.current_async_library = real
        await close()
        out["levels"][str(c)] = {"cpu_us": statistics.median(cpus), "cpu_runs": cpus, "detect_per_request": count[0] / 200}
    loops = 20000
    t0 = time.perf_counter()
    for _ in range(loops):
        real()
    out["detect_us"] = (time.perf_counter() - t0) / loops * 1e6
    return out


def worker_main(cfg_path: str, phase: str) -> None:
    cfg = json.loads(Path(cfg_path).read_text())
    result = asyncio.run(sweep(cfg) if phase == "sweep" else sniffio_run(cfg))
    print(json.dumps(result))


# ================================ driver (.venv) ================================


def server_idle_timeout(url: str, wait: float = 30.0) -> float | None:
    """Seconds a kept-alive, idle connection stays open before the server closes it."""
    host, port = url.split("//", 1)[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(f"GET /readyz HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head, body = data.split(b"\r\n\r\n", 1)
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")), 0)
        while len(body) < length:
            body += sock.recv(65536)
        t0 = time.monotonic()
        sock.settimeout(wait)
        try:
            while sock.recv(65536):
                pass
        except TimeoutError:
            return None
        return time.monotonic() - t0


def fmt_runs(values: list[float]) -> str:
    return f"{min(values):.0f}-{max(values):.0f}"


def sweep_table(res: dict, levels: list[str], ref: str) -> str:
    from runtime_report import grid

    out = []
    for lv in levels:
        c, warm = lv.split("@") if "@" in lv else (lv, None)
        title = f"c={c}" + (f", right after warming up at c={warm} (the burst's idle connections still pooled)" if warm else "")
        rows = [["pool limits (max, keepalive, expiry)", "calls/s", "CPU µs/call", "x ref", "CPU spread",
                 "new conns/burst (max)", "pooled before", "after", "errors"]]
        base = res["rows"].get(ref, {}).get(lv, {}).get("cpu_us")
        for label in res["order"]:
            r = res["rows"][label][lv]
            rows.append([label, f"{r['cps']:.0f}", f"{r['cpu_us']:.0f}", f"{r['cpu_us'] / base:.2f}" if base else "-",
                         fmt_runs(r["cpu_runs"]), f"{r['new_conns']:g} ({max(r['new_runs'])})", f"{r['pool_warm']:g}", f"{r['pool_end']:g}",
                         str(r["errors"])])
        out.append(f"[{title}]\n" + grid(rows))
    if res.get("error_messages"):
        out.append("transport errors seen (calls not retried): " + "; ".join(res["error_messages"]))
    return "\n\n".join(out)


def run_worker(py: Path, cfg_path: Path, phase: str, env: dict | None = None) -> dict:
    res = subprocess.run([str(py), str(Path(__file__).resolve()), "--worker", str(cfg_path), phase],
                         stdout=subprocess.PIPE, text=True, check=False, timeout=3600, env=env)
    if res.returncode != 0:
        raise SystemExit(f"worker phase {phase} failed (exit {res.returncode})")
    return json.loads(res.stdout.strip().splitlines()[-1])


def sniffio_ab(py: Path, cfg: dict, tmp: Path, runs: int) -> dict:
    """Alternating fresh workers with PYTHONPATH=<empty dir> or <dir with sniffio>: both add one
    sys.path entry, so a failed import scans the same number of directories in both."""
    empty, with_sniffio = tmp / "pp-empty", tmp / "pp-sniffio"
    empty.mkdir()
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
                    "--target", str(with_sniffio), "sniffio==1.3.1"], check=True)
    cfg_path = tmp / "sniffio.json"
    cfg_path.write_text(json.dumps(cfg))
    out: dict = {"without": [], "with": []}
    for i in range(runs):
        for key, path in (("without", empty), ("with", with_sniffio))[:: 1 if i % 2 == 0 else -1]:
            print(f"sniffio A/B {i + 1}/{runs}: {key} ...", file=sys.stderr, flush=True)
            env = dict(os.environ, PYTHONPATH=str(path))
            res = run_worker(py, cfg_path, "sniffio", env)
            if res["sniffio"] != (key == "with"):
                raise SystemExit(f"sniffio importable={res['sniffio']} in the '{key}' run")
            out[key].append(res)
    return out


def sniffio_table(ab: dict, levels: list[int]) -> str:
    from runtime_report import grid

    head = ["raw httpx.AsyncClient(), live"]
    for c in levels:
        head += [f"c={c} CPU µs/call", "per-process medians", "detections/request"]
    rows = [head + ["µs/detection"]]
    for key in ("without", "with"):
        runs, row = ab[key], [f"{key} sniffio"]
        for c in levels:
            cpus = [r["levels"][str(c)]["cpu_us"] for r in runs]
            row += [f"{statistics.median(cpus):.0f}", ", ".join(f"{v:.0f}" for v in cpus),
                    f"{statistics.median(r['levels'][str(c)]['detect_per_request'] for r in runs):g}"]
        rows.append(row + [f"{statistics.median(r['detect_us'] for r in runs):.2f}"])
    return grid(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", nargs=2, metavar=("CONFIG", "PHASE"), help=argparse.SUPPRESS)
    ap.add_argument("--calls", type=int, default=600, help="calls per timed burst")
    ap.add_argument("--reps", type=int, default=5, help="repetitions (medians are reported)")
    ap.add_argument("--levels", default=LEVELS, help="concurrency levels; C@W = c=C right after warming up at c=W")
    ap.add_argument("--limits", nargs="+", default=RAW_LIMITS, help="raw httpx pool limits, MAX/KEEPALIVE[/EXPIRY]")
    ap.add_argument("--generated-limits", nargs="*", default=GEN_LIMITS,
                    help="generated AsyncClient rows: 'default' (its own DEFAULT_LIMITS) or MAX/KEEPALIVE[/EXPIRY]")
    ap.add_argument("--sniffio-runs", type=int, default=4, help="worker processes per side of the sniffio A/B")
    ap.add_argument("--sniffio-levels", default="1,32", help="concurrency levels of the sniffio A/B")
    ap.add_argument("--no-fill", action="store_true",
                    help="warm up with plain calls only: how many connections the pool opens is then left to chance")
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument("--no-sniffio", action="store_true")
    ap.add_argument("--json", type=Path, help="write the raw results here")
    args = ap.parse_args()
    if args.worker:
        worker_main(*args.worker)
        return 0

    sys.path.insert(0, str(HERE))
    import runtime as rt

    from tests.support.services import serve_example

    started, load_before = time.perf_counter(), os.getloadavg()
    levels = args.levels.split(",")
    sniffio_levels = [int(c) for c in args.sniffio_levels.split(",")]
    ref = f"raw httpx {limits_label(args.limits[0])}"
    rt.ensure_venv()
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="svcgen-pool-") as tmp_name:
        tmp = Path(tmp_name)
        rt.set_env(str(tmp / "bentoml-home"))
        print(f"serving examples/services/{rt.EXAMPLE} ...", file=sys.stderr, flush=True)
        with serve_example(rt.EXAMPLE) as url:
            pkg = rt.generate_and_install(url, tmp / "client") if args.generated_limits else None
            defaults = subprocess.run([str(rt.PY), "-c", f"from {pkg}._runtime._types import DEFAULT_LIMITS as d; print(d)"],
                                      capture_output=True, text=True, check=False).stdout.strip() if pkg else "-"
            cfg = {"live_url": url, "pkg": pkg, "endpoint_name": "score", "endpoint": rt.ENDPOINTS["score"],
                   "expect": rt.TX_ID, "calls": args.calls, "reps": args.reps, "levels": levels,
                   "raw_limits": args.limits, "generated_limits": args.generated_limits, "fill": not args.no_fill}
            print("server idle keep-alive timeout ...", file=sys.stderr, flush=True)
            results["server_idle_timeout_s"] = server_idle_timeout(url)
            if not args.no_sweep:
                cfg_path = tmp / "sweep.json"
                cfg_path.write_text(json.dumps(cfg))
                print("phase: sweep ...", file=sys.stderr, flush=True)
                results["sweep"] = run_worker(rt.PY, cfg_path, "sweep")
            if not args.no_sniffio:
                results["sniffio"] = sniffio_ab(rt.PY, dict(cfg, reps=max(3, args.reps), sniffio_levels=sniffio_levels),
                                                tmp, args.sniffio_runs)
    versions_code = ("import importlib.metadata as m; "
                     "print(', '.join(f'{d} {m.version(d)}' for d in ('httpx', 'httpcore', 'anyio')))")
    versions = subprocess.run([str(rt.PY), "-c", versions_code], capture_output=True, text=True, check=True).stdout.strip()
    print(f"\nsvcgen pool-limits benchmark: POST /score of examples/services/{rt.EXAMPLE} on 127.0.0.1; {versions}; "
          f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f} before / {os.getloadavg()[0]:.2f} after; "
          f"generated client's DEFAULT_LIMITS: {defaults}")
    idle = results["server_idle_timeout_s"]
    print(f"server closes an idle kept-alive connection after {'> 30' if idle is None else f'{idle:.2f}'} s")
    if "sweep" in results:
        warm = "plain calls only" if args.no_fill else "min(c, max_connections) calls in flight at once, then 4*c calls"
        print(f"\n== pool limits sweep: {args.calls} calls per burst, median of {args.reps}; a fresh client per burst, "
              f"warmed up with {warm}; x ref = CPU ratio to {ref} ==")
        print("CPU = time.process_time of the client process only; new conns/burst = connections the pool opened "
              "during the timed burst (churn; median and, in brackets, the largest); pooled before/after = connections in the pool before and after it; "
              "errors = transport errors in all bursts of the row, warm-ups included")
        print(sweep_table(results["sweep"], levels, ref))
    if "sniffio" in results:
        print(f"\n== sniffio A/B: raw httpx.AsyncClient() (httpx's default limits), {args.calls} calls x "
              f"{max(3, args.reps)} bursts per level and process, {args.sniffio_runs} processes per side, taking turns; "
              "detections = httpcore current_async_library() calls (each a failed `import sniffio` without it) ==")
        print(sniffio_table(results["sniffio"], sniffio_levels))
    print(f"\ntotal wall time {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
