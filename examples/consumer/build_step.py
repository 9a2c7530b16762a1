"""The build-time step of a consumer repository: generate the configured clients, then check them.

    python examples/consumer/build_step.py            # serve the calculator, generate, check
    python examples/consumer/build_step.py --check    # only check (CI: fails when an API drifted)

The clients are declared in ``examples/consumer/pyproject.toml`` (``[tool.svcgen]``); the
live one comes from the calculator example, served here on 127.0.0.1:38741 and stopped
at the end. ``svcgen check`` exits 0 when the committed clients match, 1 on drift (with a
diff), 2 when a source cannot be read.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.services import serve_example  # noqa: E402

LIVE_PORT = 38741


def svcgen(*args: str) -> int:
    print("$ svcgen", " ".join(args), flush=True)
    return subprocess.run([sys.executable, "-m", "svcgen", *args], cwd=HERE, check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the committed clients")
    options = parser.parse_args()
    with serve_example("calculator", port=LIVE_PORT):
        if not options.check:
            status = svcgen("generate")
            if status != 0:
                return status
        return svcgen("check")


if __name__ == "__main__":
    sys.exit(main())
