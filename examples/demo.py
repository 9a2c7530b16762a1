"""The demo behind ``make demo``: serve the calculator example, generate its client, install it, call it.

Everything runs on 127.0.0.1 and every process it starts is stopped.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.services import serve_example  # noqa: E402


def run(*args: str) -> None:
    print("$", " ".join(args), flush=True)
    subprocess.run(args, check=True)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="svcgen-demo-") as scratch:
        work = Path(scratch)
        env_dir = work / "venv"
        venv.EnvBuilder(with_pip=True).create(env_dir)
        python = str(env_dir / "bin" / "python")
        with serve_example("calculator") as url:
            print(f"calculator service is up at {url}")
            run(sys.executable, "-m", "svcgen", "fetch", url, "-o", str(work / "calculator.json"))
            run(sys.executable, "-m", "svcgen", "generate", url, "-o", str(work / "calculator-client"))
            run(python, "-m", "pip", "install", "-q", str(work / "calculator-client"))
            run(python, str(ROOT / "examples" / "consumer" / "use_calculator.py"), url)
    print("demo finished")
    return 0


if __name__ == "__main__":
    sys.exit(main())
