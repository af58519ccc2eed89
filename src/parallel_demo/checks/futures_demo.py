"""Checkers for futures: collecting within a deadline, and naming the items that failed.

Each runs the learner's function under a deadline (:func:`~._base.run_bounded`)
on cases whose answer it cannot guess (the quick tasks' lengths are drawn at
random for every check), and returns a :func:`~._base.verdict`: the first
hint names the idea and the section to reread, the specific fix comes from
the second failed try on.  The checkers make their own thread pools and shut
them down before returning: nothing is left running, whatever the learner
wrote.
"""

from __future__ import annotations

import concurrent.futures as cf
import random
import threading
from typing import Callable

from ..workloads import is_prime
from ._base import CheckResult, abandoned_message, run_bounded, verdict

#: How long the collect-within checker's deadline is, and its slow tasks' lengths.
COLLECT_TIMEOUT = 0.3
SLOW = (1.0, 1.1)

_AS_COMPLETED = ("a timeout on as_completed is one deadline for the whole loop (see 'Results as "
                 "they arrive: as_completed' and 'A timeout does not stop a stuck task')")


def _quick_items(rng: random.Random) -> list[float]:
    # Three distinct quick sleeps between 15 and 90 ms, drawn anew every check.
    return [k / 1000 for k in rng.sample(range(15, 91, 5), 3)]


class _CutShortSleep:
    """``task(seconds)``: sleep that long and return it, unless the checker is done waiting.

    Once the verdict is known the checker sets :attr:`done`, so the slow tasks
    end at once and the pool shuts down without waiting a second for them.
    """

    __name__ = "sleep_task"

    def __init__(self) -> None:
        self.done = threading.Event()

    def __call__(self, seconds: float) -> float:
        self.done.wait(seconds)
        return seconds


def check_collect_within(fn: Callable[[cf.Executor, Callable, list, float], dict]) -> CheckResult:
    """Exercise: ``fn(executor, task, items, timeout)`` -> ``{item: task(item)}`` for what finished in time.

    The function must return after about ``timeout`` seconds even when some
    tasks are still running, and leave those out.  The items are sleeps: three
    quick ones and two slow ones, the slow ones *between* the quick ones, so
    that an answer that collects in input order (``executor.map``) stops at
    the first slow one, and one that gives every future its own timeout waits
    twice.
    """
    ex = "futures_ex1"
    rng = random.Random()
    fast = _quick_items(rng)
    items = [fast[0], SLOW[0], fast[1], SLOW[1], fast[2]]
    timeout = COLLECT_TIMEOUT
    task = _CutShortSleep()
    with cf.ThreadPoolExecutor(max_workers=len(items), thread_name_prefix="check") as pool:
        try:
            out = run_bounded(fn, pool, task, list(items), timeout, timeout=5.0)
        finally:
            task.done.set()
            pool.shutdown(wait=True, cancel_futures=True)
    got, err, took = out.value, out.error, out.seconds
    if not out.finished:
        return verdict(ex, False, abandoned_message("collect_within()", 5.0),
                       _AS_COMPLETED,
                       "loop over as_completed(futures, timeout=timeout) and stop when it raises "
                       "TimeoutError; never wait on a future without a timeout")
    if isinstance(err, TimeoutError):
        return verdict(ex, False, "TimeoutError escaped from your function",
                       "when the deadline passes, as_completed (and map) raise TimeoutError in "
                       "your loop; the exercise wants what arrived by then (see 'A timeout does "
                       "not stop a stuck task')",
                       "wrap the loop in try/except TimeoutError and return the dict you have "
                       "filled so far")
    if err is not None:
        return verdict(ex, False, f"your function raised {type(err).__name__}: {err}",
                       "run it in a cell of your own and read the traceback; the section "
                       "'Results as they arrive' shows the loop to write",
                       "submit each item, keep {future: item}, then loop over "
                       "as_completed(futures, timeout=timeout)")
    if not isinstance(got, dict):
        return verdict(ex, False, f"expected a dict, got {type(got).__name__}",
                       "the answer is a dict {item: result}; a future knows its result but "
                       "not its item (see 'Making errors say which item failed')",
                       "build future_to_item = {executor.submit(task, item): item for item in "
                       "items} and fill results[future_to_item[fut]] = fut.result()")
    if any(isinstance(k, cf.Future) for k in got):
        return verdict(ex, False, "your dict is keyed by futures",
                       "the learner's question is 'which item', not 'which future': keep a "
                       "dict that maps each future to its item",
                       "key it by future_to_item[fut], from {executor.submit(task, item): item "
                       "for item in items}")
    if took >= SLOW[0] * 0.9:
        return verdict(ex, False, f"it took {took:.2f} s, waiting for the slow tasks too "
                       f"(the timeout was {timeout} s)",
                       _AS_COMPLETED + "; map, wait(ALL_COMPLETED) and result() without a "
                       "timeout wait for every task, and so does shutting the executor down",
                       "loop over as_completed(futures, timeout=timeout); do not shut the "
                       "executor down or leave a with block on it")
    if took > timeout + 0.2:
        return verdict(ex, False, f"it took {took:.2f} s for a timeout of {timeout} s",
                       "the timeout is a deadline for the whole collection, not a wait per "
                       "task: two slow tasks each given the full timeout wait twice as long "
                       "(see 'Results as they arrive')",
                       "pass the timeout once, to as_completed(futures, timeout=timeout), "
                       "instead of calling result(timeout=timeout) on each future")
    expected = {x: x for x in fast}
    if got == expected:
        return verdict(ex, True, f"right: the {len(fast)} quick results within {timeout} s, "
                       "the slow tasks left out")
    if any(s in got for s in SLOW):
        return verdict(ex, False, "a slow item is in your answer",
                       "a task that had not finished by the deadline has no result to report",
                       "add only the futures that as_completed yields before it raises "
                       "TimeoutError")
    if set(got) < set(expected):
        missing = sorted(set(expected) - set(got))
        return verdict(ex, False, f"{len(got)} of the {len(fast)} quick results; missing "
                       f"{missing}",
                       "results handed back in input order stop at the first slow task: "
                       "executor.map waits for each item in turn (see 'Results as they "
                       "arrive', on map's order)",
                       "use as_completed(futures, timeout=timeout), which yields in completion "
                       "order, instead of executor.map(..., timeout=...)")
    return verdict(ex, False, f"expected {expected}, got {got}",
                   "each item maps to its own task's result",
                   "for each future as_completed yields, store fut.result() under "
                   "future_to_item[fut]")


# ---------------------------------------------------------------------------
# futures.ipynb, exercise 2: exceptions that name their item

_ITEMS = (97, "7", 100, 7.5, 101)
_NOTE_HINT = ("a failed future keeps its exception; add_note puts the item into that very "
              "exception's traceback (see 'Making errors say which item failed')")


def check_errors_named(fn: Callable[[dict], tuple[dict, dict]]) -> CheckResult:
    """Exercise: ``fn(future_to_item)`` -> ``(results, errors)``, both keyed by item.

    ``errors[item]`` is the exception that item's task raised (the same object
    the future holds), with a note (``add_note``) that contains ``repr(item)``
    and names no other failed item.  The items include ``"7"`` and ``7.5``,
    so a note check by substring cannot be fooled ("7" is in "7.5", "'7'" is not).
    """
    ex = "futures_ex2"
    with cf.ThreadPoolExecutor(max_workers=2, thread_name_prefix="check") as pool:
        future_to_item = {pool.submit(is_prime, item): item for item in _ITEMS}
        cf.wait(future_to_item, timeout=10)
    held = {item: fut.exception() for fut, item in future_to_item.items()}
    out = run_bounded(fn, dict(future_to_item), timeout=5.0)
    got, err = out.value, out.error
    if not out.finished:
        return verdict(ex, False, abandoned_message("results_by_item()", 5.0),
                       "the futures are all done already: result() and exception() return at "
                       "once; something else in your function waits")
    if err is not None:
        return verdict(ex, False, f"your function raised {type(err).__name__}: {err}",
                       "result() raises the task's exception again, in your thread (see 'When "
                       "the task raises: exception() and result()')",
                       "call fut.exception() first, or catch the exception around "
                       "fut.result(), and store it under its item")
    if not (isinstance(got, tuple) and len(got) == 2 and all(isinstance(d, dict) for d in got)):
        return verdict(ex, False, f"expected a pair of dicts (results, errors), got {got!r:.80}",
                       "the function returns two dicts, results and errors, both keyed by item",
                       "end with: return results, errors")
    results, errors = got
    if any(isinstance(k, cf.Future) for k in list(results) + list(errors)):
        return verdict(ex, False, "your dicts are keyed by futures",
                       "the reader wants the item that failed, and the dict you were given "
                       "maps each future to its item",
                       "key them by future_to_item[fut] (or loop over future_to_item.items())")
    want = {item: is_prime(item) for item, exc in held.items() if exc is None}
    failed = [item for item, exc in held.items() if exc is not None]
    if results != want:
        return verdict(ex, False, f"results should be {want}, got {results}",
                       "a future that raised has no result; a future that succeeded has no "
                       "exception (see 'When the task raises')",
                       "put an item in results only when fut.exception() is None")
    if set(errors) != set(failed):
        return verdict(ex, False, f"errors should be keyed by {', '.join(map(repr, failed))}, "
                       f"got {list(errors)!r}", _NOTE_HINT,
                       "errors[item] = fut.exception() for each future whose exception() is "
                       "not None")
    for item in failed:
        exc = errors[item]
        if not isinstance(exc, BaseException):
            return verdict(ex, False, f"errors[{item!r}] is {exc!r:.60}, not an exception",
                           _NOTE_HINT, "store the exception object itself "
                           "(fut.exception()), so it can be raised again with its traceback")
        if exc is not held[item]:
            return verdict(ex, False, f"errors[{item!r}] is a new {type(exc).__name__}, not the "
                           "one its task raised", _NOTE_HINT,
                           "store fut.exception() and call add_note on it, instead of making "
                           "a new exception (which loses the worker's traceback)")
    for item in failed:
        notes = getattr(errors[item], "__notes__", [])
        if not any(repr(item) in n for n in notes):
            said = f" (its notes: {notes!r:.60})" if notes else ""
            return verdict(ex, False, f"the exception for {item!r} has no note with "
                           f"{item!r} in it{said}", _NOTE_HINT,
                           f"exc.add_note(f'while processing {{item!r}}'): !r writes {item!r}, "
                           "quotes included, so a string item cannot be mistaken for a number")
        others = [o for o in failed if o != item and any(repr(o) in n for n in notes)]
        if others:
            return verdict(ex, False, f"the note on {item!r}'s exception names {others[0]!r} "
                           "too", _NOTE_HINT,
                           "add the note inside the loop, to the exception of the future you "
                           "are looking at, with that future's item")
    return verdict(ex, True, f"right: {len(want)} results, and {len(failed)} errors that say "
                   "which item failed")
