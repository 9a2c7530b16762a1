"""Tensors at wire speed: the generated OIP client against KServe's own clients, one run.

    .venv/bin/python benchmarks/tensors.py [--quick] [--json OUT.json]

Serves examples/kserve/model.py (REST and gRPC, 127.0.0.1 only) from .venv-kserve,
generates its client from the live URL with svcgen, installs it with its ``grpc``
extra into benchmarks/.venv-tensors (created once; numpy, grpcio and protobuf pinned
to the dev venv's versions), then runs tensors_worker.py once per client path, each
in its own process and environment: the generated client (JSON REST, binary REST,
gRPC; sync) from .venv-tensors, ``kserve.InferenceRESTClient`` (binary, JSON) and
``kserve.InferenceGRPCClient`` (both async-only) from .venv-kserve. Every call sends
one FP32 tensor of 4 KB, 1 MB or 16 MB to the "echo" model and gets it back. The
table gives wall time and client CPU (process time, all threads) per call, the
ratios the issue asks about, and each path's CPU as a multiple of a plain memcpy
of the same bytes (the tensor out and back: the physical floor of any client).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import venv
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))  # tests.support: the example server and wheel building

from tests.support.kserve import kserve_python, serve_kserve_grpc  # noqa: E402
from tests.support.wheels import build_wheel, distribution_name  # noqa: E402

VENV = HERE / ".venv-tensors"
PY = VENV / "bin" / "python"
WORKER = HERE / "tensors_worker.py"
PACKAGE = "kserve_bench_client"
#: label → (shape, calls); JSON paths make fewer calls at 16 MB (seconds each).
SIZES = {"4 KB": ((1, 1024), 200), "1 MB": ((64, 4096), 40), "16 MB": ((1024, 4096), 6)}
QUICK = {"4 KB": ((1, 1024), 40), "1 MB": ((64, 4096), 10), "16 MB": ((1024, 4096), 3)}
PATHS = (
    ("svcgen-json", "generated Client, JSON REST"),
    ("svcgen-binary", "generated Client, binary REST"),
    ("svcgen-grpc", "generated GrpcClient"),
    ("kserve-rest-json", "kserve.InferenceRESTClient, JSON"),
    ("kserve-rest-binary", "kserve.InferenceRESTClient, binary"),
    ("kserve-grpc", "kserve.InferenceGRPCClient"),
    ("memcpy", "memcpy of the same bytes (floor)"),
)
#: Each generated path and the KServe client doing the same thing.
PEERS = {"svcgen-binary": "kserve-rest-binary", "svcgen-grpc": "kserve-grpc", "svcgen-json": "kserve-rest-json"}


def run(args: list[str]) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def install_client(url: str, work: Path) -> None:
    """Generate the client from the live server and install it with its grpc extra into .venv-tensors."""
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    out = work / "client"
    run([sys.executable, "-m", "svcgen", "generate", url, "-o", str(out), "--name", PACKAGE])
    constraints = work / "constraints.txt"
    constraints.write_text("".join(f"{name}=={version(name)}\n" for name in ("numpy", "grpcio", "protobuf", "httpx", "pydantic")))
    wheel = build_wheel(out)
    run([str(PY), "-m", "pip", "install", "-q", "-c", str(constraints), f"{distribution_name(out)}[grpc] @ {wheel.as_uri()}"])
    run([str(PY), "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", str(wheel)])


def sizes_for(path: str, sizes: dict[str, tuple[tuple[int, int], int]]) -> dict[str, tuple[tuple[int, int], int]]:
    if "json" not in path:
        return sizes
    return {label: (shape, max(2, calls // 3) if label == "16 MB" else calls) for label, (shape, calls) in sizes.items()}


def measure_all(url: str, target: str, sizes: dict[str, tuple[tuple[int, int], int]]) -> dict[str, dict[str, dict[str, float]]]:
    results = {}
    for path, _title in PATHS:
        python = kserve_python() if path.startswith("kserve") else PY
        print(f"  {path} ...", file=sys.stderr, flush=True)
        results[path] = json.loads(run([str(python), str(WORKER), path, url, target, json.dumps(sizes_for(path, sizes))]))
    return results


def report(results: dict[str, dict[str, dict[str, float]]], labels: list[str]) -> str:
    titles = dict(PATHS)
    lines = ["| client path | " + " | ".join(f"{label} wall ms | {label} CPU ms" for label in labels) + " |"]
    lines.append("|---|" + "---:|---:|" * len(labels))
    for path, _ in PATHS:
        cells = [f"{results[path][label]['wall_ms']:.2f} | {results[path][label]['cpu_ms']:.3f}" for label in labels]
        lines.append(f"| {titles[path]} | " + " | ".join(cells) + " |")
    lines += ["", "| ratio (client CPU) | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]
    for ours, theirs in PEERS.items():
        cells = [f"{results[ours][label]['cpu_ms'] / results[theirs][label]['cpu_ms']:.2f}x" for label in labels]
        lines.append(f"| {titles[ours]} / {titles[theirs]} | " + " | ".join(cells) + " |")
    for fast in ("svcgen-binary", "svcgen-grpc"):
        cells = [f"{results['svcgen-json'][label]['cpu_ms'] / results[fast][label]['cpu_ms']:.1f}x less" for label in labels]
        lines.append(f"| {titles[fast]} vs generated JSON | " + " | ".join(cells) + " |")
    for path, _ in PATHS[:-1]:
        cells = [f"{results[path][label]['cpu_ms'] / results['memcpy'][label]['cpu_ms']:.0f}x" for label in labels]
        lines.append(f"| {titles[path]} / memcpy | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls per size")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    sizes = QUICK if args.quick else SIZES
    with tempfile.TemporaryDirectory(prefix="svcgen-tensors-") as work, serve_kserve_grpc() as (url, target):
        print(f"KServe example at {url} (gRPC {target}); installing the generated client", file=sys.stderr)
        install_client(url, Path(work))
        results = measure_all(url, target, sizes)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(report(results, list(sizes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
