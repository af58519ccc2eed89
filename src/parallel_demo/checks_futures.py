"""Checkers for the Part V exercises (futures; processes done right).

Each runs the learner's function on cases with known answers and returns a
:class:`~parallel_demo.exercises.CheckResult` whose hint names the usual
misunderstanding behind a wrong answer.  Checkers that need an executor
make their own, with threads and short sleeps, and shut it down before
returning: nothing is left running, whatever the learner's code did.
"""

from __future__ import annotations

import concurrent.futures as cf
import pickle
import threading
from typing import Any, Callable

from .exercises import CheckResult
from .trace import now
from .workloads import is_prime, sleep_task

__all__ = ["check_collect_within", "check_errors_named", "check_retry_plan", "check_index_plan"]


def _run_with_deadline(fn: Callable[..., Any], args: tuple, deadline: float):
    """Call ``fn(*args)`` in a helper thread; (value, error, seconds, finished_in_time)."""
    box: dict[str, Any] = {}

    def target():
        t0 = now()
        try:
            box["value"] = fn(*args)
        except BaseException as exc:  # the learner's bug is the checker's data
            box["error"] = exc
        box["took"] = now() - t0

    th = threading.Thread(target=target, name="checker", daemon=True)
    th.start()
    th.join(deadline)
    return box.get("value"), box.get("error"), box.get("took"), not th.is_alive()


# ---------------------------------------------------------------------------
# futures.ipynb, exercise 1: as_completed with a timeout

def check_collect_within(fn: Callable[[cf.Executor, Callable, list, float], dict]) -> CheckResult:
    """Exercise: ``fn(executor, task, items, timeout)`` -> ``{item: task(item)}`` for what finished in time.

    The function must return after about ``timeout`` seconds even when some
    tasks are still running, and leave those out.
    """
    fast, slow, timeout = [0.02, 0.05, 0.08], 1.0, 0.3
    items = fast + [slow]
    with cf.ThreadPoolExecutor(max_workers=len(items)) as ex:
        got, err, took, ended = _run_with_deadline(fn, (ex, sleep_task, items, timeout), 5.0)
        ex.shutdown(wait=True, cancel_futures=True)
    if not ended:
        return CheckResult(False, "your function was still running 5 s later",
                           "pass the timeout to as_completed(futures, timeout=...) and stop "
                           "waiting when it raises TimeoutError")
    if isinstance(err, TimeoutError):
        return CheckResult(False, "TimeoutError escaped from your function",
                           "as_completed raises TimeoutError when time is up: catch it and "
                           "return what you collected so far")
    if err is not None:
        return CheckResult(False, f"your function raised {type(err).__name__}: {err}",
                           "submit each item, then loop over as_completed(futures, timeout=...)")
    if not isinstance(got, dict):
        return CheckResult(False, f"expected a dict, got {type(got).__name__}",
                           "return {item: result}; keep a dict future -> item to know which "
                           "item a finished future belongs to")
    if any(isinstance(k, cf.Future) for k in got):
        return CheckResult(False, "your dict is keyed by futures",
                           "key it by the item: look it up in a dict built as "
                           "{executor.submit(task, item): item for item in items}")
    if took is not None and took >= slow * 0.9:
        return CheckResult(False, f"it waited {took:.2f} s, for the slow task too "
                           f"(timeout was {timeout} s)",
                           "executor.map and wait(ALL_COMPLETED) wait for every task; "
                           "as_completed(..., timeout=...) stops waiting in time")
    expected = {x: x for x in fast}
    if got == expected:
        return CheckResult(True, f"right: the {len(fast)} quick results within {timeout} s, "
                           "the slow task left out")
    if slow in got:
        return CheckResult(False, "the slow item is in your answer",
                           "only futures that as_completed yields before the timeout are done")
    return CheckResult(False, f"expected {expected}, got {got}",
                       "for each future as_completed yields, store future.result() under its item")


# ---------------------------------------------------------------------------
# futures.ipynb, exercise 2: exceptions that name their item

def check_errors_named(fn: Callable[[dict], tuple[dict, dict]]) -> CheckResult:
    """Exercise: ``fn(future_to_item)`` -> ``(results, errors)``, both keyed by item.

    ``errors[item]`` is the exception that item's task raised, with a note
    (``add_note``) that names the item.
    """
    items = [97, "7", 100, 7.5, 101]
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        future_to_item = {ex.submit(is_prime, item): item for item in items}
        cf.wait(future_to_item, timeout=10)
    got, err, _, ended = _run_with_deadline(fn, (future_to_item,), 5.0)
    if not ended:
        return CheckResult(False, "your function was still running 5 s later",
                           "the futures are all done: result() and exception() return at once")
    if err is not None:
        return CheckResult(False, f"your function raised {type(err).__name__}: {err}",
                           "future.result() re-raises the task's exception: catch it (or call "
                           "future.exception() first) and store it under its item")
    if not (isinstance(got, tuple) and len(got) == 2 and all(isinstance(d, dict) for d in got)):
        return CheckResult(False, f"expected a pair of dicts (results, errors), got {got!r:.80}",
                           "return results, errors")
    results, errors = got
    if any(isinstance(k, cf.Future) for k in list(results) + list(errors)):
        return CheckResult(False, "your dicts are keyed by futures",
                           "key them by future_to_item[future]")
    want = {97: True, 100: False, 101: True}
    if results != want:
        return CheckResult(False, f"results should be {want}, got {results}",
                           "put an item in results only when its future has no exception")
    if set(errors) != {"7", 7.5}:
        return CheckResult(False, f"errors should be keyed by '7' and 7.5, got {list(errors)}",
                           "store the exception object, e.g. errors[item] = future.exception()")
    for item, exc in errors.items():
        if not isinstance(exc, BaseException):
            return CheckResult(False, f"errors[{item!r}] is {exc!r:.60}, not an exception",
                               "store the exception object itself, so it can be re-raised")
        notes = getattr(exc, "__notes__", [])
        if not any(repr(item) in n or str(item) in n for n in notes):
            return CheckResult(False, f"the exception for {item!r} has no note naming it",
                               "exc.add_note(f'while checking {item!r}') puts the item into "
                               "the traceback, where the reader needs it")
    return CheckResult(True, "right: 3 results, and 2 errors that say which item failed")


# ---------------------------------------------------------------------------
# processes_done_right.ipynb, exercise 2: what to retry after a crash

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
    got, err, _, ended = _run_with_deadline(fn, (futures,), 2.0)
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


# ---------------------------------------------------------------------------
# processes_done_right.ipynb, exercise 1: send indices, not data

def check_index_plan(fn: Callable[[int, int], list]) -> CheckResult:
    """Exercise: ``fn(n_rows, workers)`` -> ``[(start, stop), ...]`` covering ``range(n_rows)``.

    Every row exactly once, at least one range per worker (when there are
    rows enough), and small to send: pairs of ints, not lists of rows.
    """
    for n, w in [(1_000_000, 4), (10, 3), (7, 2), (5, 8)]:
        got, err, _, ended = _run_with_deadline(fn, (n, w), 2.0)
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
