"""Where generation spends its time: each stage of one in-process generation, per document.

    .venv/bin/python benchmarks/stages.py [--spec NAME]... [--repeat 3]

Each stage function the pipeline calls is wrapped with a timer (in `svcgen.pipeline`'s own
namespace, so the pipeline runs exactly as it does for users); the table shows the best of
`--repeat` runs per stage and in total, after one warm-up run that pays the imports (reported
apart). Default documents: GitHub, OpenAI and Stripe from ../shared/corpus.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus"
DEFAULT = ("github", "openai", "stripe")
#: The pipeline's stage functions, in the order they run, under the names the table shows.
STAGES = {
    "load": "fetch",
    "parse": "parse",
    "select": "select_operations",
    "ir": "build_api",
    "models": "generate_models",
    "bind": "bind_types",
    "render": "render_package",
    "stubs": "add_stubs",
    "pyproject": "render_pyproject",
    "format": "format_tree",
    "manifest": "add_manifest",
    "write": "write_tree",
}


def timed(function: Callable[..., Any], into: dict[str, float], label: str) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            into[label] = into.get(label, 0.0) + time.perf_counter() - start

    return wrapper


def run_once(source: Path, pipeline: Any, config_type: Any, jobs: int = 1) -> dict[str, float]:
    times: dict[str, float] = {}
    originals = {label: getattr(pipeline, name) for label, name in STAGES.items()}
    for label, name in STAGES.items():
        setattr(pipeline, name, timed(originals[label], times, label))
    try:
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            pipeline.generate(config_type(source=str(source), output=Path(out) / "client", jobs=jobs))
            times["total"] = time.perf_counter() - start
    finally:
        for label, name in STAGES.items():
            setattr(pipeline, name, originals[label])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", action="append", default=[], help="corpus file-name prefix (repeatable)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1, help="processes the models stage may use (the library's default is 1)")
    args = parser.parse_args()
    start = time.perf_counter()
    from svcgen import Config, pipeline
    from svcgen.cli.process import tune_collector

    tune_collector()  # as the command line runs generation

    imports = time.perf_counter() - start
    prefixes = args.spec or list(DEFAULT)
    specs = sorted(path for path in CORPUS.iterdir() if any(path.name.startswith(p) for p in prefixes) and path.suffix != ".md")
    print(f"imports (svcgen and the stages it loads): {imports:.2f} s", file=sys.stderr)
    labels = [*STAGES, "total"]
    print("| document | " + " | ".join(labels) + " |")
    print("|---" * (len(labels) + 1) + "|")
    for path in specs:
        run_once(path, pipeline, Config, args.jobs)  # warm-up: lazy imports, caches
        runs = [run_once(path, pipeline, Config, args.jobs) for _ in range(args.repeat)]
        best = {label: min(run.get(label, 0.0) for run in runs) for label in labels}
        print(f"| {path.name.rsplit('.', 1)[0]} | " + " | ".join(f"{best[label]:.2f}" for label in labels) + " |")


if __name__ == "__main__":
    main()
