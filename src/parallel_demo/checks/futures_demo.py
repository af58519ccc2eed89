"""Checkers for futures: collecting within a deadline, and naming the items that failed.

Each runs the learner's function on cases with known answers and returns a
:class:`~parallel_demo.exercises.CheckResult` whose hint names the usual
misunderstanding behind a wrong answer.  Checkers that need an executor
make their own, with threads and short sleeps, and shut it down before
returning: nothing is left running, whatever the learner's code did.
"""

from __future__ import annotations

import concurrent.futures as cf
from typing import Callable

from ._base import CheckResult, Outcome, run_bounded
from ..workloads import is_prime, sleep_task


def check_collect_within(fn: Callable[[cf.Executor, Callable, list, float], dict]) -> CheckResult:
    """Exercise: ``fn(executor, task, items, timeout)`` -> ``{item: task(item)}`` for what finished in time.

    The function must return after about ``timeout`` seconds even when some
    tasks are still running, and leave those out.
    """
    fast, slow, timeout = [0.02, 0.05, 0.08], 1.0, 0.3
    items = fast + [slow]
    with cf.ThreadPoolExecutor(max_workers=len(items)) as ex:
        got, err, took, ended = _outcome(run_bounded(fn, ex, sleep_task, items, timeout, timeout=5.0))
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
    got, err, _, ended = _outcome(run_bounded(fn, future_to_item, timeout=5.0))
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


# ---------------------------------------------------------------------------
# processes_done_right.ipynb, exercise 1: send indices, not data



def _outcome(out: Outcome):
    """``(value, error, seconds, finished)`` from a bounded run of learner code."""
    return out.value, out.error, out.seconds, out.finished
