"""Serve the example KServe model (``examples/kserve/model.py``) from tests.

Everything here runs under the generator's dev environment (stdlib + httpx);
the model server runs under the separate KServe environment, found via
``SVCGEN_KSERVE_PYTHON`` or ``<repo>/.venv-kserve/bin/python``.

The server listens on 127.0.0.1 only, with gRPC off unless asked for (then on
127.0.0.1 too, see :func:`serve_kserve_grpc`), and is killed (its whole process
group) on exit.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO, Iterator

import httpx

from .services import REPO_ROOT, STOP_GRACE, _kill_group, _read_log, free_port

__all__ = ["ECHO_MODEL", "KSERVE_MODEL", "MODEL_NAME", "READY_TIMEOUT", "kserve_python", "serve_kserve", "serve_kserve_grpc"]

KSERVE_MODEL = REPO_ROOT / "examples" / "kserve" / "model.py"
#: name the example model is served under (``/v2/models/doubler/...``)
MODEL_NAME = "doubler"
#: the model that answers every input tensor unchanged (``/v2/models/echo/infer``)
ECHO_MODEL = "echo"
READY_TIMEOUT = 90.0
READY_PATH = "/v2/health/ready"


def kserve_python() -> Path:
    """Return the interpreter of the KServe environment."""
    env = os.environ.get("SVCGEN_KSERVE_PYTHON")
    return Path(env) if env else REPO_ROOT / ".venv-kserve" / "bin" / "python"


def _require_python() -> Path:
    python = kserve_python()
    if not python.exists():
        raise FileNotFoundError(
            f"KServe interpreter {python} not found. Create the environment with\n"
            "  python3.11 -m venv .venv-kserve && "
            ".venv-kserve/bin/pip install -r examples/requirements-kserve.txt\n"
            "or point SVCGEN_KSERVE_PYTHON at a Python that has kserve==0.21.0."
        )
    return python


def _server_env() -> dict[str, str]:
    """Environment for the model server: unbuffered, no bytecode, no proxy."""
    env = dict(os.environ)
    env.update(PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    # Never route loopback traffic through a proxy set in the environment.
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def _wait_ready(
    proc: subprocess.Popen[bytes], url: str, log: IO[bytes], timeout: float
) -> None:
    """Poll ``url`` + ``/v2/health/ready`` until 200, the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"KServe model server exited early with code {proc.returncode}:\n"
                    f"{_read_log(log)}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if client.get(url + READY_PATH).status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"KServe model server not ready after {timeout:.0f} s:\n{_read_log(log)}"
                )
            time.sleep(0.2)


@contextlib.contextmanager
def serve_kserve(
    port: int | None = None, timeout: float = READY_TIMEOUT
) -> Iterator[str]:
    """Serve the "doubler" and "echo" KServe models and yield the base URL (``http://127.0.0.1:PORT``).

    The server runs in its own process group, which is terminated on exit even
    when the body raises (SIGTERM, then SIGKILL after a grace period).
    """
    with _serve(port, None, timeout) as (url, _):
        yield url


@contextlib.contextmanager
def serve_kserve_grpc(timeout: float = READY_TIMEOUT) -> Iterator[tuple[str, str]]:
    """Like :func:`serve_kserve`, with gRPC on as well: yield ``(REST base URL, "127.0.0.1:GRPC_PORT")``."""
    grpc_port = free_port()
    with _serve(None, grpc_port, timeout) as (url, target):
        _wait_grpc(target, timeout)
        yield url, target


def _wait_grpc(target: str, timeout: float) -> None:
    """Wait until the gRPC port accepts connections (it opens after the REST server is ready)."""
    import socket

    host, port = target.rsplit(":", 1)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, int(port)), timeout=1.0):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"KServe gRPC server not listening on {target} after {timeout:.0f} s") from None
            time.sleep(0.1)


@contextlib.contextmanager
def _serve(port: int | None, grpc_port: int | None, timeout: float) -> Iterator[tuple[str, str | None]]:
    python = _require_python()
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [str(python), str(KSERVE_MODEL), "--host", "127.0.0.1", "--http_port", str(port)]
    if grpc_port is None:
        cmd += ["--enable_grpc", "false"]
    else:
        cmd += ["--enable_grpc", "true", "--grpc_port", str(grpc_port)]
    with tempfile.TemporaryDirectory(prefix="svcgen-kserve-") as cwd, tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=_server_env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_ready(proc, url, log, timeout)
            yield url, (f"127.0.0.1:{grpc_port}" if grpc_port is not None else None)
        finally:
            _kill_group(proc)


if __name__ == "__main__":  # manual check: python -m tests.support.kserve
    started = time.monotonic()
    with serve_kserve() as base:
        print(f"ready at {base} after {time.monotonic() - started:.2f} s (grace {STOP_GRACE} s)")
