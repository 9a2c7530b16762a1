"""The tables runtime.py prints. Ratios are to the first row of each block (raw httpx), measured
in the same run; "n/a (...)" rows say why a client could not be measured."""
from __future__ import annotations


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def ratio(value: float | None, ref: float | None) -> str:
    return "-" if value is None or not ref else f"{value / ref:.2f}"


def grid(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows if len(row) > i) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        if len(row) == 2 and row[1].startswith("n/a"):  # an error row spans the table
            out.append(f"{row[0].ljust(widths[0])}  {row[1]}")
        else:
            out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    return "\n".join(out)


def percall_table(result: dict, kind: str, endpoint: str, labels: list[str]) -> str:
    rows_in = result[kind][endpoint]
    ref = rows_in.get(labels[0], {})
    rows = [["client", "CPU µs/call", "x raw", "p50 µs", "x raw", "p99 µs", "x raw", "CPU spread"]]
    for label in labels:
        if label in result["errors"]:
            rows.append([label, result["errors"][label]])
            continue
        r = rows_in.get(label)
        if r is None:
            continue
        spread = f"{min(r['cpu_runs']):.0f}-{max(r['cpu_runs']):.0f}"
        rows.append([label, fmt(r["cpu_us"]), ratio(r["cpu_us"], ref.get("cpu_us")),
                     fmt(r["p50_us"]), ratio(r["p50_us"], ref.get("p50_us")),
                     fmt(r["p99_us"]), ratio(r["p99_us"], ref.get("p99_us")), spread])
    return grid(rows)


def throughput_table(result: dict, labels: list[str], levels: list[int]) -> str:
    head = ["client"]
    for c in levels:
        head += [f"c={c} calls/s", "CPU µs/call", "x raw"]
    rows = [head]
    ref = result["rows"].get(labels[0], {})
    for label in labels:
        if label in result["errors"]:
            rows.append([label, result["errors"][label]])
            continue
        by_c = result["rows"].get(label)
        if by_c is None:
            continue
        row = [label]
        for c in levels:
            r = by_c[str(c)]
            row += [fmt(r["cps"], ".0f"), fmt(r["cpu_us"]), ratio(r["cpu_us"], ref.get(str(c), {}).get("cpu_us"))]
        rows.append(row)
    return grid(rows)


def construct_table(result: dict) -> str:
    ref = result.get("httpx.Client()")
    rows = [["construction", "µs", "x httpx.Client()"]]
    rows += [[label, fmt(us), ratio(us, ref)] for label, us in result.items()]
    return grid(rows)


def import_table(times: dict, baseline_key: str, repeat: int) -> str:
    base = times[baseline_key]
    rows = [[f"fresh interpreter (median of {repeat}), statement", "CPU ms", "over baseline", "wall ms",
             "over baseline"]]
    for stmt, t in times.items():
        over = stmt == baseline_key
        rows.append([stmt, fmt(t["cpu"]), "-" if over else fmt(t["cpu"] - base["cpu"]),
                     fmt(t["wall"]), "-" if over else fmt(t["wall"] - base["wall"])])
    return grid(rows)


def importtime_lines(stderr: str, after: str, top: int = 8) -> tuple[float, list[str]]:
    """From `python -X importtime` output: total self time of the modules imported after the
    top-level import of `after` completed, and the `top` largest by self time."""
    entries, seen = [], False
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cum, name = (part.strip() for part in line[len("import time:"):].split("|", 2))
        if seen:
            entries.append((int(self_us), name))
        elif name == after:
            seen = True
    entries.sort(reverse=True)
    return sum(us for us, _ in entries) / 1000, [f"{us / 1000:6.2f} ms  {name}" for us, name in entries[:top]]
