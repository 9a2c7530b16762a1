"""The demo behind ``make demo``: serve the calculator example, generate its client, install it, call it.

One line per step, then what the calls return; the output of a step is shown
only when it fails. Everything runs on 127.0.0.1 and every process it starts
is stopped.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.services import serve_example  # noqa: E402


def step(label: str, *args: str) -> str:
    """Run one step quietly; print its label, and its output only if it fails."""
    print(f"- {label}", flush=True)
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"demo failed at: {label} (exit {done.returncode})")
    return done.stdout


def main() -> int:
    started = time.monotonic()
    svcgen = (sys.executable, "-m", "svcgen", "-q")
    with tempfile.TemporaryDirectory(prefix="svcgen-demo-") as scratch:
        work = Path(scratch)
        print("- creating a fresh virtual environment for the client", flush=True)
        venv.EnvBuilder(with_pip=True).create(work / "venv")
        python = str(work / "venv" / "bin" / "python")
        print("- serving the calculator example (BentoML) on 127.0.0.1", flush=True)
        with serve_example("calculator") as url:
            step(f"svcgen fetch {url} -o calculator.json", *svcgen, "fetch", url, "-o", str(work / "calculator.json"))
            step(f"svcgen generate {url} -o calculator-client", *svcgen, "generate", url, "-o", str(work / "calculator-client"))
            step("pip install ./calculator-client", python, "-m", "pip", "install", "-q", str(work / "calculator-client"))
            calls = step("calling the service through the generated client:", python, str(ROOT / "examples" / "consumer" / "use_calculator.py"), url)
            print("".join(f"    {line}\n" for line in calls.splitlines()), end="")
    print(f"demo finished in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
