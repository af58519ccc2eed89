"""threads_and_the_gil (also race_conditions): the switch interval, set for a block and restored.

CPython's global interpreter lock (GIL) lets one thread at a time run Python
bytecode.  A thread that wants the GIL asks the holder to drop it; the holder
does so after at most ``sys.getswitchinterval()`` seconds (5 ms by default).
Code that waits (sleep, sockets, files) or works on big buffers in C
(hashlib, zlib, NumPy) releases the GIL while it does, so other threads run
meanwhile.  A free-threaded build (3.13t, 3.14t) has no GIL at all unless an
extension turns it back on; :func:`parallel_demo.doctor` tells which you have.

Since 3.12 the GIL is per *interpreter* (PEP 684): subinterpreters of one
process each have their own.  :func:`measure_switch_cost` counts the context
switches threads really make (Linux tells each thread its own count) and fits
what one more switch costs, so the chapter can say how much of a run
switching takes, measured rather than assumed.
"""

from __future__ import annotations

import functools
import math
import os
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from ._validate import check_callable, check_int, check_seconds
from .timing import Measurement


@contextmanager
def switch_interval(seconds: float) -> Iterator[float]:
    """Set ``sys.setswitchinterval(seconds)`` for the ``with`` block, then restore it.

    The interval is how long a thread may keep the GIL while another thread
    is waiting for it.  Yields the previous value.
    """
    check_seconds("seconds", seconds)
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield previous
    finally:
        sys.setswitchinterval(previous)




# ---------------------------------------------------------------------------
# Counting context switches, and what each one costs.

_STATUS_KEYS = ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")


def _status_path() -> str:
    return f"/proc/self/task/{threading.get_native_id()}/status"


#: True where the OS tells each thread how often it was switched out
#: (Linux: ``/proc/self/task/<tid>/status``).  Elsewhere switches cannot be
#: counted, only timed.
CAN_COUNT_SWITCHES: bool = os.path.exists("/proc/self/task")


def thread_switches() -> int | None:
    """Context switches of the calling thread so far (voluntary + involuntary), or ``None``.

    Read from ``/proc/self/task/<native id>/status`` (Linux): a *voluntary*
    switch is the thread giving up the CPU to wait (for the GIL, a lock, I/O),
    an *involuntary* one the scheduler taking the CPU away.  ``None`` where
    the OS does not tell (macOS, Windows).
    """
    if not CAN_COUNT_SWITCHES:
        return None
    try:
        with open(_status_path()) as f:
            text = f.read()
    except OSError:
        return None
    total, found = 0, 0
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in _STATUS_KEYS:
            total += int(value)
            found += 1
    return total if found == len(_STATUS_KEYS) else None


@dataclass(frozen=True)
class Switched:
    """A task's result and the context switches its thread made while running it."""

    value: Any
    switches: int | None


def _switch_counted_call(fn: Callable[[Any], Any], item: Any) -> Switched:
    before = thread_switches()
    value = fn(item)
    after = thread_switches()
    return Switched(value, None if before is None or after is None else after - before)


def switch_counted(fn: Callable[[Any], Any]) -> Callable[[Any], Switched]:
    """Wrap a one-argument task so it returns a :class:`Switched`: its value and its switches.

    The count is taken in the thread that runs the task, before and after it,
    so other threads of the process (a Jupyter kernel has several) are not
    counted.
    """
    check_callable("fn", fn)
    return functools.partial(_switch_counted_call, fn)


@dataclass(frozen=True)
class SwitchRun:
    """Runs of the same threads at one switch interval.

    Attributes:
        interval: ``sys.setswitchinterval`` during the runs, in seconds.
        measurement: The wall time of every run.
        switches: Context switches counted in every run (``None`` entries
            where they cannot be counted).
    """

    interval: float
    measurement: Measurement
    switches: tuple[int | None, ...]


@dataclass(frozen=True)
class SwitchCost:
    """What one more context switch costs: a straight line through every run.

    Attributes:
        runs: One :class:`SwitchRun` per switch interval.
        baseline: The same tasks run one after another, timed in turns with the runs.
        per_switch: The fitted slope, seconds per switch (``None`` where
            switches cannot be counted, or did not vary).
        spread: The slope's standard error, in seconds per switch.
    """

    runs: tuple[SwitchRun, ...]
    baseline: Measurement
    per_switch: float | None
    spread: float | None

    def run_at(self, interval: float) -> SwitchRun:
        """The runs at ``interval`` (the closest one measured)."""
        return min(self.runs, key=lambda r: abs(r.interval - interval))


def fit_slope(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float] | None:
    """Least-squares slope of ``ys`` against ``xs`` and its standard error; ``None`` if undefined."""
    n = len(xs)
    if n != len(ys) or n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    residual = sum((y - my - slope * (x - mx)) ** 2 for x, y in zip(xs, ys))
    return slope, math.sqrt(residual / (n - 2) / sxx)


def measure_switch_cost(fn: Callable[[Any], Any], items: Sequence[Any],
                        intervals: Sequence[float] = (0.0001, 0.005, 0.05), *,
                        workers: int | None = None, repeat: int = 5,
                        warmup: int = 0) -> SwitchCost:
    """Run ``fn`` over ``items`` on threads at each switch interval, counting switches.

    The runs take turns (:func:`~parallel_demo.timing.interleaved`) with a
    sequential run of the same items.  Every threaded run's switches are
    counted in its own threads (:func:`switch_counted`), and the wall time of
    all the runs, at every interval, is fitted against their switch counts:
    the slope is what one more switch costs.

    Args:
        workers: Threads per run; default one per item.
    """
    from ._validate import check_items
    from .strategies import MAX_WORKERS, run
    from .timing import interleaved

    check_callable("fn", fn)
    items = check_items("items", items)
    if not items:
        raise ValueError("items is empty: pass the tasks to run on threads, e.g. [n] * 4")
    if isinstance(intervals, (int, float)):
        raise TypeError(f"intervals must be a list of switch intervals in seconds, got "
                        f"{type(intervals).__name__} {intervals!r}; wrap it: [{intervals!r}]")
    intervals = [check_seconds("intervals", s) for s in check_items("intervals", intervals)]
    if not intervals:
        raise ValueError("intervals is empty: give at least one switch interval in seconds")
    workers = len(items) if workers is None else check_int("workers", workers, minimum=1,
                                                           maximum=MAX_WORKERS)
    check_int("repeat", repeat, minimum=1)
    check_int("warmup", warmup, minimum=0)
    counted = switch_counted(fn)
    counts: dict[float, list[int | None]] = {s: [] for s in intervals}

    def on_threads(seconds: float) -> None:
        with switch_interval(seconds):
            result = run("thread_pool", counted, items, workers=workers)
        per_task = [r.switches for r in result.results]
        counts[seconds].append(None if None in per_task else sum(per_task))

    cases: dict[str, Callable[[], Any]] = {"sequential": lambda: run("sequential", fn, items)}
    for seconds in intervals:
        cases[f"{workers} threads, switch every {seconds * 1000:g} ms"] = (
            lambda s=seconds: on_threads(s))
    timed = list(interleaved(cases, repeat=repeat, warmup=warmup).values())
    runs = tuple(SwitchRun(s, m, tuple(counts[s][warmup:]))
                 for s, m in zip(intervals, timed[1:]))
    xs, ys = [], []
    for r in runs:
        for n, t in zip(r.switches, r.measurement.times):
            if n is not None:
                xs.append(float(n))
                ys.append(t)
    fit = fit_slope(xs, ys)
    return SwitchCost(runs, timed[0], *(fit if fit else (None, None)))
