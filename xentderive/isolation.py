"""Run one piece of work in a child process, killed at its time or memory limit.

Why a child: a time limit raised inside SymPy (SIGALRM) lands wherever SymPy happens to
be and leaves its caches half-built for the next case; a memory limit inside the
process turns into a MemoryError that any `except Exception` may swallow. A forked
child shares the imported modules (cheap: a few ms), is killed from outside when it
runs over, and takes its caches with it. The prover never knows it runs in a child.

The child sends back ("done", value), ("input", message) for bad input found late,
or ("internal", traceback text); the parent adds "timeout", "memory" and "crashed".
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import resource
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from . import interrupt
from .limits import DEFAULT_MEMORY, DEFAULT_TIMEOUT, describe_memory

POLL = 0.02  # seconds between looks at the child's memory
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Limits:
    """Wall time in seconds and resident memory in bytes, for one run or one case."""

    seconds: float = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY

    def describe(self, kind: str) -> str:
        if kind == "timeout":
            return f"time limit of {self.seconds:g} s reached (raise it with --timeout SECONDS)"
        return f"memory limit of {describe_memory(self.memory)} reached (raise it with --memory SIZE)"


@dataclass
class Finished:
    """How the child ended: `kind` is done, input, internal, timeout, memory or crashed."""

    kind: str
    value: Any = None
    message: str = ""
    seconds: float = 0.0  # the worker's wall time, from its start to its end


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(write_fd: int, work: Callable[[], Any], limits: Limits) -> None:
    """In the child: never returns, whatever happens (it must not run on in the parent's code).
    Ctrl-C is the parent's to handle; it kills us."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        _die_with_parent()
        _backstops(limits)
        payload = _run(work)
        try:
            data = pickle.dumps(payload)
        except Exception:
            data = pickle.dumps(("internal", "the result could not be sent back\n" + traceback.format_exc()))
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(0)


def _backstops(limits: Limits) -> None:
    """Backstops only: the parent watches time and resident size and kills first."""
    try:
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        soft = _vsize() + 2 * limits.memory
        if hard == resource.RLIM_INFINITY or soft <= hard:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        cpu = math.ceil(limits.seconds) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    except (ValueError, OSError, OverflowError):
        pass


def _run(work: Callable[[], Any]) -> tuple:
    from .errors import InputError

    try:
        return ("done", work())
    except InputError as err:
        return ("input", str(err))
    except MemoryError:
        return ("memory", None)
    except RecursionError:
        return ("internal", "RecursionError: the expression nests too deeply\n" + traceback.format_exc())
    except BaseException:
        return ("internal", traceback.format_exc())


def _die_with_parent() -> None:
    """Linux: the kernel kills the worker if the parent dies (killed from outside), so none is orphaned."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before the call
            os._exit(1)
    except (OSError, AttributeError):
        pass


def _vsize() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


class Worker:
    """One forked child doing `work()`; the parent polls it, reads its result, and kills it at its limits."""

    def __init__(self, work: Callable[[], Any], limits: Limits) -> None:
        self.limits = limits
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's coverage is not collected
            os.close(read_fd)
            _child(write_fd, work, limits)
        os.close(write_fd)
        self.pid, self.fd = pid, read_fd
        self.start = time.monotonic()
        self.chunks: list[bytes] = []
        self.ended: str | None = None

    def fileno(self) -> int:
        return self.fd

    def read(self) -> bool:
        """Read what the child sent; True once it has closed its end (it is finished)."""
        chunk = os.read(self.fd, 1 << 20)
        if chunk:
            self.chunks.append(chunk)
        return not chunk

    def over_limit(self) -> bool:
        """Kill the child if it is past its time or memory limit; True if it was."""
        if time.monotonic() - self.start > self.limits.seconds:
            self.ended = "timeout"
        elif _rss(self.pid) > self.limits.memory:
            self.ended = "memory"
        if self.ended:
            os.kill(self.pid, signal.SIGKILL)
        return bool(self.ended)

    def kill(self) -> None:
        _kill(self.pid)
        _close(self.fd)

    def finish(self) -> Finished:
        """Reap the child and say how it ended."""
        ended = self._ending()
        ended.seconds = time.monotonic() - self.start
        return ended

    def _ending(self) -> Finished:
        _close(self.fd)
        _, status = os.waitpid(self.pid, 0)
        limits = self.limits
        if self.ended:
            return Finished(self.ended, message=limits.describe(self.ended))
        try:
            kind, value = pickle.loads(b"".join(self.chunks))
        except Exception:
            code = os.waitstatus_to_exitcode(status)
            why = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit status {code}"
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:  # the kernel's OOM killer
                return Finished("memory", message=limits.describe("memory"))
            return Finished("crashed", message=f"the worker process ended without a result ({why})")
        if kind == "memory":
            return Finished("memory", message=limits.describe("memory"))
        if kind == "done":
            return Finished("done", value)
        return Finished(kind, message=value)


def run_isolated(work: Callable[[], Any], limits: Limits) -> Finished:
    """Run `work()` in a forked child within `limits`; KeyboardInterrupt kills the child and propagates."""
    runs = run_many([work], limits, 1)
    try:
        return next(runs)
    finally:
        runs.close()


def run_many(works: Iterable[Callable[[], Any]], limits: Limits, jobs: int) -> Iterator[Finished]:
    """Run each work in its own forked child, at most `jobs` at once, each within `limits`;
    yield the results in the order of `works`, each as soon as it and all before it are done.

    A child is never reused: whatever one case leaves in SymPy's caches dies with it.
    KeyboardInterrupt (or the caller closing the generator) kills every running child.
    """
    pending = iter(enumerate(works))
    running: dict[int, Worker] = {}
    done: dict[int, Finished] = {}
    following = 0
    exhausted = False
    try:
        while True:
            interrupt.check()  # a Ctrl-C whose exception was lost still stops every worker
            while not exhausted and len(running) < max(1, jobs):
                nxt = next(pending, None)
                if nxt is None:
                    exhausted = True
                    break
                running[nxt[0]] = Worker(nxt[1], limits)
            while following in done:
                yield done.pop(following)
                following += 1
            if not running:  # nothing left to start either: every result has been yielded
                return
            ready, _, _ = select.select(list(running.values()), [], [], POLL)
            for number, worker in list(running.items()):
                if worker.read() if worker in ready else worker.over_limit():
                    done[number] = running.pop(number).finish()
    finally:
        for worker in running.values():
            worker.kill()


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
