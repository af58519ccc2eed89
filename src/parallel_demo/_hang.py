"""Nothing hangs: one deadline for many joins, sliced waits, and the checks around pools.

Every demo and checker that waits for a thread or a process waits here, so
that "how long can this block?" has one answer per call: the deadline given,
never ``n x timeout``.  Waits are cut into short slices so that Jupyter's
interrupt button (a ``KeyboardInterrupt`` in the main thread) is seen at once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time
import warnings
from typing import Callable, Iterable, Iterator

#: How long a demo waits for its own threads or processes before it reports
#: them as stuck.  Demos finish far sooner; this only bounds a broken one.
JOIN_TIMEOUT = 10.0

#: How long a demo waits for a child process to answer: starting one under
#: ``spawn`` on a loaded machine can take a second or more, so more room.
PROCESS_TIMEOUT = 30.0

#: The longest single blocking call: short enough that an interrupt is seen.
SLICE = 0.05


class Deadline:
    """A point in time on the monotonic clock, with the time left until it."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.0, self.at - time.monotonic())

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.at


def join_threads(threads: Iterable[threading.Thread], timeout: float = JOIN_TIMEOUT) -> list[threading.Thread]:
    """Join every started thread against ONE deadline; return those still alive.

    The worst case is ``timeout`` in all, not ``timeout`` per thread.
    """
    threads = list(threads)
    deadline = Deadline(timeout)
    for t in threads:
        if t.ident is None:  # never started
            continue
        while t.is_alive() and not deadline.passed:
            t.join(min(SLICE, deadline.left()))
    return [t for t in threads if t.ident is not None and t.is_alive()]


def join_processes(processes: Iterable, timeout: float = JOIN_TIMEOUT) -> list:
    """Join processes against one deadline; terminate, then kill, the ones left.

    Returns the processes that had to be stopped (empty when all ended).
    """
    processes = list(processes)
    deadline = Deadline(timeout)
    for p in processes:
        while p.is_alive() and not deadline.passed:
            p.join(min(SLICE, deadline.left()))
    stuck = [p for p in processes if p.is_alive()]
    for p in stuck:
        p.terminate()
    for p in stuck:
        p.join(1.0)
        if p.is_alive():
            p.kill()
            p.join(1.0)
    return stuck


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    """Poll ``predicate`` in short slices until it is true or ``timeout`` passes."""
    deadline = Deadline(timeout)
    while not predicate():
        if deadline.passed:
            return False
        time.sleep(min(0.005, deadline.left()))
    return True


def wait_event(event: threading.Event, timeout: float) -> bool:
    """``event.wait(timeout)`` in slices, so an interrupt is not held up."""
    deadline = Deadline(timeout)
    while not event.is_set():
        if deadline.passed:
            return False
        event.wait(min(SLICE, deadline.left()))
    return True


@contextlib.contextmanager
def quiet_fork_warning() -> Iterator[None]:
    """Silence 3.12+'s "use of fork() may lead to deadlocks" inside the block.

    A Jupyter kernel always has threads, so every fork from a notebook would
    print it; the processes chapter explains the warning where it matters.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*use of fork\(\) may lead to deadlocks.*",
                                category=DeprecationWarning)
        yield


def stop_pool_workers(pool) -> None:
    """Stop a ``ProcessPoolExecutor``'s workers now, even mid-task.

    Python 3.14 has a public way, ``terminate_workers()``; on 3.11-3.13 the
    only way is to terminate the processes in the pool's private ``_processes``
    map (a ``{pid: Process}`` dict), which is what 3.14's method does too.
    Call ``pool.shutdown(wait=True, cancel_futures=True)`` afterwards.
    """
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:  # 3.14+
        # terminate_workers() shuts the pool down with wait=False and drops its manager
        # thread and processes, so a later shutdown(wait=True) waits for nothing: wait here.
        manager = getattr(pool, "_executor_manager_thread", None)
        procs = list((getattr(pool, "_processes", None) or {}).values())
        try:
            terminate()
        except (RuntimeError, ValueError):  # already shut down
            pass
        join_processes(procs, timeout=JOIN_TIMEOUT)
        if manager is not None and manager.is_alive():
            manager.join(timeout=JOIN_TIMEOUT)
        return
    # Fallback for 3.11-3.13: no public API exists; this mirrors 3.14's code.
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        if proc.is_alive():
            proc.terminate()


def check_start_method(start_method: str | None) -> str | None:
    """``start_method`` if this platform has it (None means the default)."""
    if start_method is None:
        return None
    allowed = multiprocessing.get_all_start_methods()
    if not isinstance(start_method, str):
        raise TypeError(f"start_method must be a str such as {allowed[0]!r}, "
                        f"got {type(start_method).__name__} {start_method!r}")
    if start_method not in allowed:
        raise ValueError(f"start_method {start_method!r} is not available here; "
                         f"choose one of {', '.join(map(repr, allowed))} or None for the default")
    return start_method


# Threads that Jupyter, ipykernel, pyzmq, asyncio and pytest start on their
# own, at times of their choosing; they are not the book's to clean up.
_FOREIGN_THREAD_MODULES = ("ipykernel", "zmq", "jupyter_client", "IPython", "tornado",
                           "nbclient", "debugpy", "_pytest", "pytest_timeout")


def _foreign(t: threading.Thread) -> bool:
    module = type(t).__module__ or ""
    run = getattr(type(t), "run", None)
    run_module = getattr(run, "__module__", "") or ""
    return module.startswith(_FOREIGN_THREAD_MODULES) or run_module.startswith(_FOREIGN_THREAD_MODULES)


def live_threads(baseline: set[int] | None = None) -> list[threading.Thread]:
    """Threads other than the main one that are not in ``baseline`` (idents) nor Jupyter's."""
    return [t for t in threading.enumerate()
            if t is not threading.main_thread()
            and not (baseline is not None and t.ident in baseline)
            and not _foreign(t)]


def leftovers(baseline: set[int] | None = None, *, grace: float = 2.0) -> list[str]:
    """Threads and child processes still alive that a demo should have ended.

    Threads and processes that are on their way out get ``grace`` seconds to
    finish (a pool's management thread ends a moment after ``shutdown``).

    Args:
        baseline: Thread idents alive before the demo (``{t.ident for t in
            threading.enumerate()}``); threads in it are not reported.
        grace: Seconds to let ending threads and processes finish.

    Returns:
        A description of each leftover thread or process; empty when clean.
        Chapters end with ``assert not leftovers(baseline)``.
    """
    from ._validate import check_seconds

    check_seconds("grace", grace, allow_zero=True)
    wait_until(lambda: not live_threads(baseline) and not multiprocessing.active_children(),
               grace)
    found = [f"thread {t.name!r} ({'daemon' if t.daemon else 'not daemon'})"
             for t in live_threads(baseline)]
    found += [f"process {p.name!r} (pid {p.pid})" for p in multiprocessing.active_children()]
    return found
