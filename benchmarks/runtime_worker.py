"""The measuring half of runtime.py: runs inside benchmarks/.venv-runtime, one phase per process.

    python runtime_worker.py CONFIG.json percall canned|live
    python runtime_worker.py CONFIG.json throughput
    python runtime_worker.py CONFIG.json construct
    python runtime_worker.py CONFIG.json profile

Prints one JSON object on stdout (progress on stderr). CPU is time.process_time of this process
only (the server is another process); latency is perf_counter around each call. Variants take
turns within every repetition (the order rotates), so that load from elsewhere hits them alike.
"""
from __future__ import annotations

import asyncio
import cProfile
import gc
import inspect
import io
import json
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import runtime_clients as rc


def log(msg: str) -> None:
    print(f"  [worker] {msg}", file=sys.stderr, flush=True)


def pct(values: list[int], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000  # ns -> µs


def rotated(items: list, k: int) -> list:
    k %= max(1, len(items))
    return items[k:] + items[:k]


def check(result: Any, expect: str, label: str) -> None:
    """A wrong answer must not pass as a fast one."""
    if expect not in repr(result):
        raise AssertionError(f"{label}: unexpected answer {repr(result)[:200]}")


def summary(cpu: list[float], p50: list[float], p99: list[float]) -> dict:
    return {"cpu_us": statistics.median(cpu), "p50_us": statistics.median(p50), "p99_us": statistics.median(p99),
            "cpu_runs": cpu}


# --- per-call CPU and latency ----------------------------------------------------------------


def chunk_sync(call: Any, k: int, lat: list[int]) -> int:
    """k calls; CPU ns spent, each call's latency appended to lat."""
    pc, cpu0 = time.perf_counter_ns, time.process_time_ns()
    for _ in range(k):
        t = pc()
        call()
        lat.append(pc() - t)
    return time.process_time_ns() - cpu0


async def chunk_async(call: Any, k: int, lat: list[int]) -> int:
    pc, cpu0 = time.perf_counter_ns, time.process_time_ns()
    for _ in range(k):
        t = pc()
        await call()
        lat.append(pc() - t)
    return time.process_time_ns() - cpu0


async def percall(ctx: rc.Ctx, cfg: dict, factories: dict, is_async: bool, n: int, reps: int) -> tuple[dict, dict]:
    """Each repetition: per endpoint, `rounds` rounds in which every client makes n/rounds calls,
    the order rotating; so a burst of load from elsewhere hits all clients alike."""
    opened, errors = {}, {}
    for label, factory in factories.items():
        try:
            made = factory(ctx)
            opened[label] = await made if inspect.isawaitable(made) else made
        except Exception as exc:  # noqa: BLE001 - reported as a row
            errors[label] = f"n/a ({type(exc).__name__}: {exc})"[:160]
    # which clients make each call (bentoml's are not given generated model instances)
    makes = {ep: [label for label, (calls, _close) in opened.items() if ep in calls] for ep in ctx.endpoints}
    for ep in ctx.endpoints:  # check the answer, then warm up (adapters, connections, caches)
        for label in makes[ep]:
            calls = opened[label][0]
            for i in range(max(20, n // 5)):
                result = await calls[ep]() if is_async else calls[ep]()
                if i == 0:
                    check(result, cfg["expect"], label)
    rounds = min(10, n)
    k = n // rounds
    samples: dict = {ep: {label: ([], [], []) for label in makes[ep]} for ep in ctx.endpoints}
    for rep in range(reps):
        log(f"{'async' if is_async else 'sync'} rep {rep + 1}/{reps}")
        gc.collect()
        for ep in ctx.endpoints:
            acc = {label: [0, []] for label in makes[ep]}
            for r in range(rounds):
                for label in rotated(makes[ep], rep + r):
                    call, lat = opened[label][0][ep], acc[label][1]
                    acc[label][0] += await chunk_async(call, k, lat) if is_async else chunk_sync(call, k, lat)
            for label, (cpu_ns, lat) in acc.items():
                cpus, p50s, p99s = samples[ep][label]
                cpus.append(cpu_ns / (k * rounds) / 1000), p50s.append(pct(lat, 0.5)), p99s.append(pct(lat, 0.99))
    for _calls, close in opened.values():
        done = close()
        if inspect.isawaitable(done):
            await done
    return {ep: {label: summary(*s) for label, s in rows.items()} for ep, rows in samples.items()}, errors


# --- async throughput ------------------------------------------------------------------------


async def burst(call: Any, n: int, concurrency: int) -> tuple[float, float]:
    """n calls by `concurrency` tasks; (calls per second, CPU µs per call)."""
    left = n

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await call()

    gc.collect()
    t0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return n / wall, cpu / n * 1e6


async def throughput(ctx: rc.Ctx, cfg: dict, n: int, reps: int, levels: list[int]) -> tuple[dict, dict]:
    ep = cfg["throughput_endpoint"]
    opened, errors = {}, {}
    for label, factory in rc.THROUGHPUT.items():
        try:
            calls, close = factory(ctx)
            check(await calls[ep](), cfg["expect"], label)
            opened[label] = (calls[ep], close)
        except rc.BackendMissing as exc:
            errors[label] = str(exc)
        except Exception as exc:  # noqa: BLE001 - reported as a row
            errors[label] = f"n/a ({type(exc).__name__}: {exc})"[:160]
    runs: dict = {label: {c: ([], []) for c in levels} for label in opened}
    for rep in range(reps):
        log(f"throughput rep {rep + 1}/{reps}")
        for c in levels:
            for label in rotated(list(opened), rep):
                call = opened[label][0]
                await burst(call, 4 * c, c)  # untimed: connections open and warm at this concurrency
                cps, cpu = await burst(call, n, c)
                runs[label][c][0].append(cps), runs[label][c][1].append(cpu)
    for _call, close in opened.values():
        await close()
    result = {label: {str(c): {"cps": statistics.median(r[0]), "cpu_us": statistics.median(r[1]), "cps_runs": r[0]}
                      for c, r in by_c.items()} for label, by_c in runs.items()}
    return result, errors


# --- construction and profile ----------------------------------------------------------------


def construct(ctx: rc.Ctx, reps: int) -> dict:
    """µs to construct each kind of client: median of reps, each as many as fit in ~0.2 s."""
    pkg, url = ctx.pkg, rc.CANNED_URL
    makers = {
        "httpx.Client()": lambda: httpx.Client(),
        "httpx.Client(base_url=url)": lambda: httpx.Client(base_url=url),
        "generated Client(url)": lambda: pkg.Client(url),
        "generated Client(url) + its pool (first call)": lambda: _with_pool(pkg.Client(url)),
        "httpx.AsyncClient()": lambda: httpx.AsyncClient(),
        "generated AsyncClient(url)": lambda: pkg.AsyncClient(url),
        "bentoml.SyncHTTPClient(url) (canned /readyz + /schema.json)": lambda: rc._bento_class(ctx, False)(url),
    }
    out = {}
    for label, make in makers.items():
        times = []
        for _ in range(reps):
            made, count = [], 0
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < 0.2 or count < 3:
                made.append(make())
                count += 1
            times.append((time.perf_counter() - t0) / count * 1e6)
            for client in made:
                close = getattr(client, "close", None)
                if close is not None and not inspect.iscoroutinefunction(close):
                    close()
            made.clear()
            gc.collect()
        out[label] = statistics.median(times)
    return out


def _with_pool(client: Any) -> Any:
    _ = client._http
    return client


def _profiled(call: Any, n: int) -> tuple[dict, pstats.Stats]:
    """{function: (calls, tottime µs) per call} of n calls after a warm-up."""
    for _ in range(300):
        call()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        call()
    prof.disable()
    stats = pstats.Stats(prof)
    return {pstats.func_std_string(k): (v[1] / n, v[2] / n * 1e6) for k, v in stats.stats.items()}, stats


def profile(ctx: rc.Ctx, n: int, top: int = 15) -> str:
    """cProfile of the generated sync client (top by tottime), and the functions whose per-call
    tottime differs most from raw httpx + pydantic (in+out), the same work done by hand."""
    ep = next(iter(ctx.endpoints))
    gen_calls, gen_close = rc.generated_sync(ctx)
    raw_calls, raw_close = rc.raw_sync(ctx, "model-io")
    gen, stats = _profiled(gen_calls[ep], n)
    raw, _ = _profiled(raw_calls[ep], n)
    gen_close(), raw_close()
    out = io.StringIO()
    stats.stream = out
    stats.sort_stats("tottime").print_stats(top)
    text = out.getvalue()
    text = text[text.index("   ncalls"):]
    for prefix in sorted({p.rsplit("/", 1)[0] + "/" for p in sys.path if p.endswith(("site-packages", "python3.11"))}):
        text = text.replace(prefix, "")
    # only what the generated client does more often or by itself: equal counts differ by noise only
    own = ctx.pkg.__name__ + "/"
    diff = sorted(((g[1] - raw.get(k, (0, 0))[1], k) for k, g in gen.items()
                   if g[0] != raw.get(k, (0, 0))[0] or own in k), reverse=True)[:top]
    lines = [f"{d:8.2f} {gen[k][0]:5.0f} {raw.get(k, (0, 0))[0]:5.0f}  {_short(k)}" for d, k in diff]
    head = (f"generated Client.{ep}() on the canned transport, {n} calls (profiled µs are inflated by cProfile):\n"
            f"total profiled tottime per call: generated {sum(v[1] for v in gen.values()):.0f} µs, "
            f"raw httpx + pydantic (in+out) {sum(v[1] for v in raw.values()):.0f} µs\n")
    return (head + text.rstrip() + "\n\nlargest per-call tottime differences, generated minus raw (in+out), "
            "for what the generated client calls more often or alone:\n"
            "  µs/call  calls/call (gen raw)  function\n" + "\n".join(lines))


def _short(func: str) -> str:
    return func.split("site-packages/")[-1].split("python3.11/")[-1]


def main() -> None:
    cfg = json.loads(Path(sys.argv[1]).read_text())
    phase, opts = sys.argv[2], cfg["options"]
    if phase == "percall":
        target = sys.argv[3]
        ctx = rc.Ctx(cfg, target)
        n = opts["calls"] if target == "canned" else opts["live_calls"]
        sync, sync_err = asyncio.run(percall(ctx, cfg, rc.SYNC, False, n, opts["reps"]))
        aio, aio_err = asyncio.run(percall(ctx, cfg, rc.ASYNC, True, n, opts["reps"]))
        result = {"calls": n - n % min(10, n), "sync": sync, "async": aio, "errors": {**sync_err, **aio_err}}
    elif phase == "throughput":
        res, err = asyncio.run(throughput(rc.Ctx(cfg, "live"), cfg, opts["tput_calls"], opts["reps"], opts["levels"]))
        result = {"calls": opts["tput_calls"], "rows": res, "errors": err}
    elif phase == "construct":
        result = construct(rc.Ctx(cfg, "canned"), opts["reps"])
    elif phase == "profile":
        result = {"text": profile(rc.Ctx(cfg, "canned"), max(2000, opts["calls"]))}
    else:
        sys.exit(f"unknown phase {phase}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
