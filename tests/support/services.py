"""Serve the example BentoML services (and a fake cloud gateway) from tests.

Everything here runs under the generator's dev environment (stdlib + httpx);
the services themselves run under the separate BentoML environment, found via
``SVCGEN_BENTO_PYTHON`` or ``<repo>/.venv-bento/bin/python``.

Servers listen on 127.0.0.1 only, with BentoML telemetry disabled and a
throw-away ``BENTOML_HOME``; a server and all its workers are killed on exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO, Iterator

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = REPO_ROOT / "examples" / "services"

#: example folder name -> ``bentoml serve`` target inside that folder
EXAMPLES: dict[str, str] = {
    "calculator": "service:Calculator",
    "scoring": "service:FraudScoring",
    "textops": "service:TextOps",
    "arrays": "service:Arrays",
    "vision": "service:Vision",
    "jobs": "service:Jobs",
    "reviews": "service:Reviews",
}

READY_TIMEOUT = 90.0
STOP_GRACE = 5.0


def bento_python() -> Path:
    """Return the interpreter of the BentoML environment."""
    env = os.environ.get("SVCGEN_BENTO_PYTHON")
    return Path(env) if env else REPO_ROOT / ".venv-bento" / "bin" / "python"


BENTO_PYTHON: Path = bento_python()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(bentoml_home: str) -> dict[str, str]:
    """Environment for a served example: private home, no telemetry."""
    env = dict(os.environ)
    env.update(
        BENTOML_HOME=bentoml_home,
        BENTOML_DO_NOT_TRACK="true",
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    # Never route loopback traffic through a proxy set in the environment.
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def _read_log(log: IO[bytes]) -> str:
    """Return what the server wrote so far (stdout and stderr merged)."""
    log.flush()
    log.seek(0)
    return log.read().decode("utf-8", "replace")


def _proc_stat(pid: int) -> tuple[int, int] | None:
    """Return ``(parent pid, start time)`` of a live process from /proc, else None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[1]), int(fields[19])


def _descendants(root: int) -> dict[int, int]:
    """Map every descendant pid of ``root`` to its start time (Linux /proc)."""
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (info := _proc_stat(int(entry.name))):
            children.setdefault(info[0], []).append((int(entry.name), info[1]))
    found: dict[int, int] = {}
    todo = [root]
    while todo:
        for pid, started in children.get(todo.pop(), []):
            found[pid] = started
            todo.append(pid)
    return found


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server: SIGTERM its process group, then SIGKILL whatever lingers.

    BentoML starts its workers in process groups of their own, so the
    descendants are listed first and swept individually after the group.
    """
    workers = _descendants(proc.pid) if Path("/proc").is_dir() else {}
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=STOP_GRACE)
    while time.monotonic() < deadline and any(
        (info := _proc_stat(pid)) and info[1] == started
        for pid, started in workers.items()
    ):
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    for pid, started in workers.items():
        info = _proc_stat(pid)
        if info and info[1] == started:  # still the same process, not a reused pid
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    proc.wait()


def _wait_ready(
    proc: subprocess.Popen[bytes], url: str, log: IO[bytes], timeout: float
) -> None:
    """Poll ``url`` + ``/readyz`` until it answers 200, the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"server exited early with code {proc.returncode}:\n{_read_log(log)}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{url}/readyz").status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"server not ready after {timeout:.0f} s:\n{_read_log(log)}"
                )
            time.sleep(0.2)


@contextlib.contextmanager
def serve_example(
    name: str, port: int | None = None, timeout: float = READY_TIMEOUT
) -> Iterator[str]:
    """Serve ``examples/services/<name>`` and yield its base URL.

    The server runs in its own process group, which is terminated on exit even
    when the body raises.
    """
    target = EXAMPLES[name]
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [str(BENTO_PYTHON), "-m", "bentoml", "serve", target]
    cmd += ["--host", "127.0.0.1", "--port", str(port)]
    with (
        tempfile.TemporaryDirectory(prefix="svcgen-bento-") as home,
        tempfile.TemporaryFile() as log,
    ):
        proc = subprocess.Popen(
            cmd,
            cwd=EXAMPLES_DIR / name,
            env=_server_env(home),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_ready(proc, url, log, timeout)
            yield url
        finally:
            _kill_group(proc)


@contextlib.contextmanager
def run_gateway(
    upstream: str,
    prefix: str = "/org/project/deployment",
    token: str = "test-token",
    port: int | None = None,
) -> Iterator[str]:
    """Run the loopback cloud gateway in a thread; yield its public base URL."""
    from .gateway import Gateway

    gateway = Gateway(upstream, prefix=prefix, token=token, port=port or 0)
    gateway.start()
    try:
        yield gateway.public_url
    finally:
        gateway.stop()
