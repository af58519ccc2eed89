"""Checkers for processes_done_right: a retry plan after a crash, and index ranges for workers."""

from __future__ import annotations

import concurrent.futures as cf
import pickle
from typing import Any, Callable

from ._base import CheckResult, Outcome, run_bounded


def _done_future(result: Any = None, error: BaseException | None = None) -> cf.Future:
    fut: cf.Future = cf.Future()
    if error is None:
        fut.set_result(result)
    else:
        fut.set_exception(error)
    return fut


def check_retry_plan(fn: Callable[[dict], list]) -> CheckResult:
    """Exercise: ``fn(future_to_index)`` -> sorted indexes worth retrying in a new pool.

    Retry the futures that failed with ``BrokenProcessPool`` (their worker
    died, or they were lost with the pool); not the finished ones, and not
    those whose task raised an ordinary exception (running it again raises again).
    """
    from concurrent.futures.process import BrokenProcessPool

    broken = BrokenProcessPool("A process in the process pool was terminated abruptly")
    futures = {
        _done_future(0): 0,
        _done_future(1): 1,
        _done_future(error=BrokenProcessPool(str(broken))): 2,
        _done_future(error=ValueError("bad input")): 3,
        _done_future(error=BrokenProcessPool(str(broken))): 4,
        _done_future(25): 5,
    }
    got, err, _, ended = _outcome(run_bounded(fn, futures, timeout=2.0))
    if not ended:
        return CheckResult(False, "your function did not return within 2 s",
                           "the futures are all done: future.exception() returns at once")
    if err is not None:
        return CheckResult(False, f"your function raised {type(err).__name__}: {err}",
                           "future.result() re-raises; look at future.exception() instead, "
                           "and test it with isinstance(exc, BrokenProcessPool)")
    try:
        if any(isinstance(g, cf.Future) for g in got):
            return CheckResult(False, "you returned futures",
                               "return their indexes: future_to_index[f]")
        got = sorted(got)
    except TypeError:
        return CheckResult(False, f"expected a list of indexes, got {got!r:.80}",
                           "return [future_to_index[f] for f in ... if ...]")
    if got == [2, 4]:
        return CheckResult(True, "right: retry the two lost to the crash, not the bug in item 3")
    if got == [2, 3, 4]:
        return CheckResult(False, "you retry item 3, whose task raised ValueError",
                           "an ordinary exception is the task's own answer: running it again "
                           "raises again.  Retry only BrokenProcessPool")
    if got == list(range(6)):
        return CheckResult(False, "you retry everything",
                           "finished futures keep their results: retry only the failed ones")
    return CheckResult(False, f"expected [2, 4], got {got}",
                       "keep the futures whose exception() is a BrokenProcessPool")


def check_index_plan(fn: Callable[[int, int], list]) -> CheckResult:
    """Exercise: ``fn(n_rows, workers)`` -> ``[(start, stop), ...]`` covering ``range(n_rows)``.

    Every row exactly once, at least one range per worker (when there are
    rows enough), and small to send: pairs of ints, not lists of rows.
    """
    for n, w in [(1_000_000, 4), (10, 3), (7, 2), (5, 8)]:
        got, err, _, ended = _outcome(run_bounded(fn, n, w, timeout=2.0))
        if not ended or err is not None:
            return CheckResult(False, f"fn({n}, {w}) failed: {err!r}" if ended
                               else f"fn({n}, {w}) did not return",
                               "build the list with range(0, n_rows, step)")
        try:
            plan = [tuple(p) for p in got]
        except TypeError:
            return CheckResult(False, f"fn({n}, {w}) returned {got!r:.60}",
                               "return a list of (start, stop) pairs")
        if any(len(p) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in p)
               for p in plan):
            big = len(pickle.dumps(got))
            return CheckResult(False, f"fn({n}, {w}) returned more than (start, stop) pairs "
                               f"({big:,} bytes pickled)",
                               "send two ints per task, not the list of every index: "
                               "the worker can make range(start, stop) itself")
        covered = sorted(i for a, b in plan for i in range(a, b)) if n <= 100 else None
        total = sum(b - a for a, b in plan)
        if any(b <= a for a, b in plan):
            return CheckResult(False, f"fn({n}, {w}) has an empty or reversed range",
                               "every pair needs start < stop; drop empty ones")
        spans = sorted(plan)
        gaps = [(p, q) for p, q in zip(spans, spans[1:]) if p[1] != q[0]]
        if total > n or any(p[1] > q[0] for p, q in gaps):
            return CheckResult(False, f"fn({n}, {w}): some rows are in two ranges",
                               "stop is exclusive, as in range(): the next start is this stop")
        if total < n or gaps or spans[0][0] != 0 or spans[-1][1] != n:
            return CheckResult(False, f"fn({n}, {w}) leaves rows out"
                               + (f" (covers {len(covered)} of {n})" if covered is not None else ""),
                               "when n_rows is not a multiple of the step, the last range is "
                               "shorter: clip it with min(start + step, n_rows)")
        if len(plan) < min(n, w):
            return CheckResult(False, f"fn({n}, {w}) gives {len(plan)} range(s) for {w} workers",
                               "make at least one range per worker, or some stay idle")
    return CheckResult(True, "right: every row once, in ranges that cost a few bytes to send")


def _outcome(out: Outcome):
    """``(value, error, seconds, finished)`` from a bounded run of learner code."""
    return out.value, out.error, out.seconds, out.finished
