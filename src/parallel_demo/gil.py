"""The GIL, made visible: switch interval, fair timing on a busy machine, checkers.

CPython's global interpreter lock (GIL) lets one thread at a time run Python
bytecode.  A thread that wants the GIL asks the holder to drop it; the holder
does so after at most ``sys.getswitchinterval()`` seconds (5 ms by default).
Code that waits (sleep, sockets, files) or works on big buffers in C
(hashlib, zlib, NumPy) releases the GIL while it does, so other threads run
meanwhile.  A free-threaded build (3.13t, 3.14t) has no GIL at all unless an
extension turns it back on; :func:`parallel_demo.doctor` tells which you have.
"""

from __future__ import annotations

import math
import sys
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Callable, Iterator, Mapping, Sequence

from .exercises import CheckResult, _call_safely
from .timing import Measurement
from .trace import TaskRecord

__all__ = ["switch_interval", "calibrate_hash", "measure_interleaved", "interleaved_sweep",
           "check_gil_prediction", "check_max_overlap"]


@contextmanager
def switch_interval(seconds: float) -> Iterator[float]:
    """Set ``sys.setswitchinterval(seconds)`` for the ``with`` block, then restore it.

    The interval is how long a thread may keep the GIL while another thread
    is waiting for it.  Yields the previous value.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"seconds must be a number, got {type(seconds).__name__} {seconds!r}")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"seconds must be a finite number > 0, got {seconds!r}")
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield previous
    finally:
        sys.setswitchinterval(previous)


def calibrate_hash(seconds: float, *, trials: int = 3) -> int:
    """How many bytes :func:`~parallel_demo.workloads.hash_bytes` hashes in about ``seconds``.

    The counterpart of :func:`~parallel_demo.workloads.calibrate_spin` for the
    task that releases the GIL, so the two can be compared task for task.
    Returns a size of at least 64 KiB and at most 256 MiB.
    """
    from .trace import now
    from .workloads import hash_bytes

    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
        raise ValueError(f"seconds must be a number > 0, got {seconds!r}")
    probe = 4 * 2**20
    best = math.inf
    for _ in range(max(1, trials)):
        t0 = now()
        hash_bytes(probe)
        best = min(best, now() - t0)
    per_byte = max(best, 1e-9) / probe
    return int(min(256 * 2**20, max(64 * 2**10, seconds / per_byte)))


def measure_interleaved(cases: Mapping[str, Callable[[], Any]], *, repeat: int = 3,
                        warmup: int = 0) -> dict[str, Measurement]:
    """Time several zero-argument callables in turns: A, B, C, A, B, C, ...

    On a shared machine the load drifts: timing all of A's repeats, then all
    of B's, lets a busy minute land on B alone.  Taking turns spreads it over
    every case, so their *ratios* stay meaningful.  (Same result type as
    :func:`~parallel_demo.timing.measure`.)

    Returns:
        ``{label: Measurement}`` in the order of ``cases``.
    """
    from .trace import now

    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise ValueError(f"repeat must be an int >= 1, got {repeat!r}")
    if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"warmup must be an int >= 0, got {warmup!r}")
    if not cases:
        raise ValueError("cases is empty: give at least one {label: callable}")
    for _ in range(warmup):
        for fn in cases.values():
            fn()
    times: dict[str, list[float]] = {label: [] for label in cases}
    for _ in range(repeat):
        for label, fn in cases.items():
            t0 = now()
            fn()
            times[label].append(now() - t0)
    return {label: Measurement(label, tuple(ts)) for label, ts in times.items()}


def interleaved_sweep(strategy: str, fn: Callable[[Any], Any], items: Sequence[Any],
                      workers: Sequence[int], *, repeat: int = 3, warmup: int = 0,
                      ) -> tuple[Measurement, list[Measurement]]:
    """Like :func:`~parallel_demo.timing.sweep_workers`, but the runs take turns.

    Returns:
        ``(baseline, per_worker_count)``; pass both to :func:`~parallel_demo.speedups`.
    """
    from .strategies import run

    items = list(items)
    cases: dict[str, Callable[[], Any]] = {"sequential": lambda: run("sequential", fn, items)}
    for k in workers:
        cases[f"{strategy} ×{k}"] = lambda k=k: run(strategy, fn, items, workers=k)
    timed = measure_interleaved(cases, repeat=repeat, warmup=warmup)
    baseline = replace(timed.pop("sequential"), workers=1)
    rows = [replace(m, workers=k) for k, m in zip(workers, timed.values())]
    return baseline, rows


# ---------------------------------------------------------------------------
# Checkers.

#: Does running 4 of these on 4 threads beat running them one after another
#: on a machine with several CPUs and a GIL?  And why.
_GIL_FACTS = {
    "spin": (False, "spin is a pure-Python loop: it holds the GIL the whole time, so only "
                    "one thread runs it at any moment"),
    "is_prime": (False, "is_prime is pure-Python arithmetic: it needs the GIL for every step"),
    "hash_bytes": (True, "hashlib releases the GIL while it hashes a large buffer, so threads "
                         "hash on several CPUs at once"),
    "sleep_task": (True, "a sleeping thread releases the GIL; waits overlap even on one CPU"),
    "fetch_page": (True, "a thread waiting for the network releases the GIL; this is the I/O "
                    "chapter's whole point"),
}


def check_gil_prediction(prediction: dict[str, Any]) -> CheckResult:
    """Exercise: for each task name, True if threads speed it up (GIL enabled), else False.

    ``prediction`` maps ``"spin"``, ``"is_prime"``, ``"hash_bytes"``,
    ``"sleep_task"`` and ``"fetch_page"`` to True or False.
    """
    if not isinstance(prediction, dict):
        return CheckResult(False, f"expected a dict, got {type(prediction).__name__}",
                           "map each task name to True (threads help) or False")
    missing = [name for name in _GIL_FACTS if name not in prediction]
    if missing:
        return CheckResult(False, f"no prediction for: {', '.join(missing)}",
                           f"give True or False for each of {', '.join(_GIL_FACTS)}")
    not_bool = [name for name in _GIL_FACTS if not isinstance(prediction[name], bool)]
    if not_bool:
        return CheckResult(False, f"not True or False: {', '.join(not_bool)}",
                           "answer each with True (threads help) or False (they do not)")
    wrong = [name for name, (truth, _) in _GIL_FACTS.items() if prediction[name] != truth]
    if not wrong:
        return CheckResult(True, "right: threads help when the work waits or runs in C code "
                                 "that releases the GIL, not when it is Python bytecode")
    if set(wrong) == {"hash_bytes"}:
        hint = _GIL_FACTS["hash_bytes"][1] + " (CPU-bound is not the same as GIL-bound)"
    elif all(not prediction[n] for n in _GIL_FACTS):
        hint = "threads do help with some: anything that releases the GIL while it works"
    elif all(prediction[n] for n in _GIL_FACTS):
        hint = "with the GIL, only one thread runs Python bytecode at a time: which tasks are that?"
    else:
        hint = _GIL_FACTS[wrong[0]][1]
    return CheckResult(False, f"not quite: {', '.join(wrong)} "
                              f"{'is' if len(wrong) == 1 else 'are'} wrong", hint)


def _rec(index: int, worker: str, start: float, end: float) -> TaskRecord:
    return TaskRecord(index=index, worker=worker, pid=1, thread=index, start=start, end=end)


# Four threads whose tasks overlap in time (the GIL lets only one run at any
# instant, but each *task* is in progress for all of its bar).  At most 3 are
# in progress together (from 2.0 to 4.0); thread 0 starts task 3 at the very
# instant task 0 ends, which a count that lets touching tasks overlap gets wrong.
_OVERLAP_SAMPLE = [
    _rec(0, "thread 0", 0.0, 3.0),
    _rec(1, "thread 1", 1.0, 4.0),
    _rec(2, "thread 2", 2.0, 5.0),
    _rec(3, "thread 0", 3.0, 4.5),
    _rec(4, "thread 3", 6.0, 7.0),
]
_OVERLAP_EXPECTED = 3


def check_max_overlap(fn: Callable[[list[TaskRecord]], int]) -> CheckResult:
    """Exercise: ``fn(records)``: the most tasks in progress at the same instant.

    A task is in progress from ``start`` (included) to ``end`` (excluded), so
    one that ends exactly when another starts does not overlap it.
    """
    got, err = _call_safely(fn, list(_OVERLAP_SAMPLE))
    if err is not None:
        return CheckResult(False, f"your function raised {type(err).__name__}: {err}",
                           "turn each record into two events, (start, +1) and (end, -1), "
                           "sort them and keep a running count")
    if not _number_int(got):
        return CheckResult(False, f"expected an int, got {type(got).__name__}",
                           "return how many tasks were in progress at the busiest instant")
    if got == _OVERLAP_EXPECTED:
        single, e2 = _call_safely(fn, [_rec(0, "main thread", 0.0, 1.0)])
        empty, e3 = _call_safely(fn, [])
        if e2 is not None or single != 1:
            return CheckResult(False, f"right on the sample, but one task gave {single!r}",
                               "a single task is one task in progress")
        if e3 is not None or empty != 0:
            return CheckResult(False, f"right on the sample, but no records gave {empty!r}"
                               + (f" ({type(e3).__name__})" if e3 else ""),
                               "no records: nothing in progress, return 0")
        back = _call_safely(fn, list(reversed(_OVERLAP_SAMPLE)))[0]
        if back != _OVERLAP_EXPECTED:
            return CheckResult(False, f"the answer changed to {back!r} when the records "
                                      "came in another order",
                               "sort the events by time before counting")
        return CheckResult(True, "right: 3 tasks were in progress at once, though with the "
                                 "GIL only one of them was running at any instant")
    if got == 4:
        workers = len({r.worker for r in _OVERLAP_SAMPLE})
        return CheckResult(False, f"got 4: at most {_OVERLAP_EXPECTED} tasks were in progress "
                                  "together",
                           f"4 is the number of workers ({workers}) or counts touching tasks "
                           "as overlapping: at the same time t, process the end (-1) before "
                           "the start (+1)")
    if got == len(_OVERLAP_SAMPLE):
        return CheckResult(False, "got 5, the number of tasks",
                           "count tasks in progress at the same instant, not all tasks")
    return CheckResult(False, f"expected {_OVERLAP_EXPECTED}, got {got!r}",
                       "events (start, +1) and (end, -1), sorted by time with ends first "
                       "at equal times; the answer is the running count's maximum")


def _number_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)
