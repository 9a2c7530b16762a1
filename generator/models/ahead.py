"""Work started ahead in a forked worker process, taken only when it turns out to be wanted.

The models stage knows the whole module's input before it knows whether that input stands: the
smaller document that looks for redeclared fields (:mod:`svcgen.models.redeclare_probe`) may
still change it. With a second core, the whole run starts at once in a child process while the
parent runs the probe; when the probe changes nothing (most documents), the child's text is the
result, else it is thrown away. The child runs the very function the parent would, on the same
input, so the output is the same byte for byte whichever process made it.

A child is forked only where that is safe and cheap: on Linux (elsewhere the system's own
libraries may not survive a fork), from a process with no other thread (a threaded host could be
holding a lock the child would wait on forever), and after the parent has imported everything
the work needs (no second import cost). Any failure of the child (an error, a crash, a signal)
is answered by running the work in the parent, which then fails or succeeds as it would have.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Ahead(Generic[T]):
    """``work`` running in a forked child; :meth:`result` waits for it, :meth:`cancel` ends it."""

    def __init__(self, pid: int, reader: int, work: Callable[[], T]) -> None:
        self._pid, self._reader, self._work = pid, reader, work
        self._done = False

    def result(self) -> tuple[T, list[str]]:
        """The work's value and the texts of the warnings it gave, from the child when it
        finished, else from running it here (whose warnings go where warnings go)."""
        with os.fdopen(self._reader, "rb") as pipe:
            payload = pipe.read()
        self._reap()
        if payload:
            try:
                value, messages = pickle.loads(payload)  # noqa: S301 - our own child's bytes
            except Exception:  # a payload cut short: the child died while writing
                pass
            else:
                return value, messages
        return self._work(), []

    def cancel(self) -> None:
        """End the child if it still runs (its work is not wanted)."""
        if self._done:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:  # pragma: no cover - it had already ended
            pass
        os.close(self._reader)
        self._reap()

    def _reap(self) -> None:
        if not self._done:
            self._done = True
            os.waitpid(self._pid, 0)


def can_fork() -> bool:
    """True where a child may be forked from this process (see the module's notes)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1 and _system_threads() == 1


def _system_threads() -> int:
    """The threads the system counts in this process: those a C library started too, which
    :mod:`threading` does not know of (Python 3.12+ warns on forking them)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0  # unknown: not known to be one


def start(work: Callable[[], T]) -> Ahead[T] | None:
    """``work`` started in a forked child, or ``None`` where no child may be forked."""
    if not can_fork():
        return None
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its outcome is checked through the parent
        os.close(reader)
        _run_child(work, writer)
    os.close(writer)
    return Ahead(pid, reader, work)


def _run_child(work: Callable[[], T], writer: int) -> None:  # pragma: no cover - runs in the child
    payload = b""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = work()
        payload = pickle.dumps((value, [str(warning.message) for warning in caught]), pickle.HIGHEST_PROTOCOL)
    except BaseException:  # the parent runs the work itself and meets the error there
        payload = b""
    try:
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(payload)
    finally:
        os._exit(0)  # no clean-up handlers, no flushing of the parent's buffers
