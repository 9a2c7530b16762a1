"""Work started ahead in a forked worker (svcgen.models.ahead), the cores the command line may
use (svcgen.cli.process), and ``--jobs`` end to end.

The worker must give the parent exactly what running the work in the parent would: its value
and its warnings, or, when it fails in any way, the parent's own run of it (which then fails as
it would have). A cancelled worker is ended and reaped. No worker is forked from a process
running other threads. The byte-identity of whole packages over 1, 2 and 4 processes is in
tests/test_determinism.py; here the command line's own records are compared too.

The tests that need a worker run in a fresh process of their own (``in_fresh_process``): the test
session may hold threads by then (gRPC's, a thread pool's), and no worker is forked beside them.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from svcgen import Config
from svcgen.cli.process import COLLECTOR_THRESHOLDS, usable_cpus
from svcgen.core.errors import SvcgenError
from svcgen.models import ahead

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SPOTIFY = CORPUS / "spotify-web-api-fixed.v3.0.yaml"
_FRESH = "SVCGEN_TEST_IN_FRESH_PROCESS"


def in_fresh_process(test: Callable[..., None]) -> Callable[..., None]:
    """Run ``test`` in a new pytest process of its own (only that test), and pass when it passes."""

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        if os.environ.get(_FRESH) == test.__name__:
            test(*args, **kwargs)
            return
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{__file__}::{test.__name__}"],
            env={**os.environ, _FRESH: test.__name__},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        assert "1 passed" in result.stdout

    return wrapper


def _value_with_a_warning() -> dict[str, object]:
    warnings.warn("first line of a note\nsecond line", UserWarning, stacklevel=1)
    return {"pid": os.getpid(), "text": "é" * 100_000}


@in_fresh_process
def test_the_worker_gives_its_value_and_warnings_texts() -> None:
    pending = ahead.start(_value_with_a_warning)
    assert pending is not None, "a single-threaded Linux process may fork"
    try:
        value, messages = pending.result()
    finally:
        pending.cancel()
    assert value["pid"] != os.getpid(), "the value was computed in the worker"
    assert value["text"] == "é" * 100_000, "a value larger than a pipe's buffer arrives whole"
    assert messages == ["first line of a note\nsecond line"]


def _fails() -> None:
    raise SvcgenError("cannot build models: the same error either way")


@in_fresh_process
def test_a_failing_worker_is_answered_by_the_parents_own_run() -> None:
    pending = ahead.start(_fails)
    assert pending is not None
    with pytest.raises(SvcgenError, match="the same error either way"):
        pending.result()
    pending.cancel()  # after result(): nothing left to end, and no error


def _dies() -> int:
    os._exit(3)  # a crash: no payload at all


@in_fresh_process
def test_a_worker_that_dies_is_answered_by_the_parents_own_run(monkeypatch: pytest.MonkeyPatch) -> None:
    pending = ahead.start(_dies)
    assert pending is not None
    # in the parent the same function would end the test process: count the call instead
    calls: list[int] = []
    monkeypatch.setattr(pending, "_work", lambda: calls.append(1) or 7)
    assert pending.result() == (7, [])
    assert calls == [1]


def _sleeps() -> None:
    time.sleep(60)


@in_fresh_process
def test_a_cancelled_worker_is_ended_and_reaped() -> None:
    pending = ahead.start(_sleeps)
    assert pending is not None
    pid = pending._pid
    started = time.monotonic()
    pending.cancel()
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie left behind


def test_no_worker_is_forked_from_a_process_running_other_threads() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert ahead.can_fork() is False
        assert ahead.start(_value_with_a_warning) is None
    finally:
        stop.set()
        thread.join()


def test_cpu_quota_caps_the_cores(tmp_path: Path) -> None:
    cores = len(os.sched_getaffinity(0))
    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "cpu.max").write_text("150000 100000\n")
    assert usable_cpus(v2) == min(cores, 2), "1.5 CPUs of quota: two processes, rounded up"
    (v2 / "cpu.max").write_text("max 100000\n")
    assert usable_cpus(v2) == cores
    v1 = tmp_path / "v1"
    (v1 / "cpu").mkdir(parents=True)
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("50000\n")
    (v1 / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert usable_cpus(v1) == 1
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    assert usable_cpus(v1) == cores
    assert usable_cpus(tmp_path / "missing") == cores
    (v2 / "cpu.max").write_text("garbage\n")
    assert usable_cpus(v2) == cores


def test_jobs_must_be_a_positive_whole_number() -> None:
    for bad in (0, -1, True, 1.5, "2"):
        with pytest.raises(SvcgenError, match="jobs must be"):
            Config(source="x", jobs=bad)  # type: ignore[arg-type]
    assert Config(source="x").jobs == 1, "the library forks nothing unless asked"


def _svcgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "svcgen", *args], capture_output=True, text=True, timeout=600, cwd=cwd, check=False
    )


def test_jobs_on_the_command_line_change_no_byte(tmp_path: Path) -> None:
    trees = {}
    for jobs in ("1", "2", "4"):
        out = tmp_path / f"jobs{jobs}"
        result = _svcgen("generate", str(SPOTIFY), "-o", str(out), "--jobs", jobs, "-q")
        assert result.returncode == 0, result.stderr
        trees[jobs] = {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}
    assert trees["1"] == trees["2"] == trees["4"]
    assert any(name.endswith("_svcgen.json") for name in trees["1"]), "the provenance record is compared too"
    # the recorded fingerprint leaves the number of processes out: another --jobs is no change
    check = _svcgen("check", str(SPOTIFY), "-o", str(tmp_path / "jobs1"), "--jobs", "2")
    assert check.returncode == 0, check.stderr
    assert "inputs unchanged" in check.stderr


def test_jobs_below_one_are_refused_with_one_line(tmp_path: Path) -> None:
    result = _svcgen("generate", str(SPOTIFY), "-o", str(tmp_path / "out"), "--jobs", "0")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--jobs" in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_command_line_tunes_the_collector_and_the_library_does_not() -> None:
    # in a process of its own: a test that ran the command line in this one has tuned it already
    script = (
        "import gc, json, sys\n"
        "start = gc.get_threshold()\n"
        "from svcgen import Config, generate\n"
        "generate(Config(source=sys.argv[1]))\n"
        "library = gc.get_threshold()\n"
        "from svcgen.cli.app import main\n"
        "try:\n"
        "    main(['check', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps([start, library, gc.get_threshold()]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(SPOTIFY)], capture_output=True, text=True, timeout=300, check=True)
    start, library, command_line = json.loads(result.stdout.strip().splitlines()[-1])
    assert start == library, "generating through the library left the host's collector as it was"
    assert tuple(start) != COLLECTOR_THRESHOLDS
    assert tuple(command_line) == COLLECTOR_THRESHOLDS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


#: A child that redeclares its parent's field as something the parent does not allow: the probe
#: changes the schemas, so a worker started on them is not wanted.
PARTED = {
    "Base": {"type": "object", "properties": {"tag": {"type": "string", "enum": ["x", "y"]}}, "required": ["tag"]},
    "Child": {"allOf": [_ref("Base"), {"type": "object", "properties": {"tag": {"type": "string", "enum": ["z"]}}}]},
    "Leaf": {"allOf": [_ref("Base"), {"type": "object", "properties": {"extra": {"type": "string"}}}]},
}


@in_fresh_process
def test_an_unwanted_worker_is_ended_before_the_parent_generates(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the probe changes the input, the worker's core is freed before the whole run here."""
    from svcgen.models import generate

    events: list[str] = []
    whole_run, cancel = generate._whole_run, ahead.Ahead.cancel

    def recorded_whole_run(*args: object) -> object:
        events.append("whole run here")
        return whole_run(*args)  # type: ignore[arg-type]

    def recorded_cancel(self: ahead.Ahead[object]) -> None:
        if not self._done:
            events.append("worker ended")
        cancel(self)

    monkeypatch.setattr(generate, "_whole_run", recorded_whole_run)
    monkeypatch.setattr(ahead.Ahead, "cancel", recorded_cancel)
    one = generate.generate_models(PARTED, set(), set(), "pkg._runtime", jobs=1)
    events.clear()
    two = generate.generate_models(PARTED, set(), set(), "pkg._runtime", jobs=2)
    assert events == ["worker ended", "whole run here"]
    assert two.text == one.text and two.notes == one.notes
