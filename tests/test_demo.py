"""``make demo``: installs only what the demo needs, one line per step, then the calls' results."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_installs_svcgen_and_the_service_environment_only() -> None:
    # -n -B: print every step make would run from a fresh clone, run none
    planned = subprocess.run(["make", "-n", "-B", "demo"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True).stdout
    assert "pip install -e ." in planned and "requirements-bento.txt" in planned
    assert "[test]" not in planned and "requirements-kserve" not in planned
    # make test still installs the whole toolchain and every example environment
    tests = subprocess.run(["make", "-n", "-B", "test"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True).stdout
    assert "pip install -e '.[test]'" in tests and "requirements-kserve.txt" in tests and "pytest" in tests


def test_an_environment_step_prints_one_line_and_its_log_only_on_failure(tmp_path: Path) -> None:
    step = str(ROOT / "examples" / "quiet_step.sh")
    log = tmp_path / "logs" / "step.log"
    noisy = "for i in $(seq 100); do echo WARNING: noise $i; done"
    ok = subprocess.run([step, "things", str(log), "sh", "-c", noisy], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and ok.stdout == "installing things...\n" and ok.stderr == ""
    assert log.read_text().count("WARNING") == 100
    failed = subprocess.run([step, "things", str(log), "sh", "-c", "echo why it broke; exit 3"], capture_output=True, text=True, timeout=60)
    assert failed.returncode == 3 and "why it broke" in failed.stderr and "failed: installing things" in failed.stderr


@pytest.mark.e2e
def test_the_demo_prints_its_steps_and_the_results_and_nothing_else() -> None:
    demo = subprocess.run([sys.executable, str(ROOT / "examples" / "demo.py")], capture_output=True, text=True, timeout=900)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    lines = demo.stdout.splitlines()
    assert "    2 + 3 = 5" in lines and "    async doubles: [0, 2, 4, 6, 8]" in lines
    assert lines[-1].startswith("demo finished in ")
    assert len(lines) <= 15 and demo.stderr == "", demo.stdout + demo.stderr
    assert "WARNING" not in demo.stdout
