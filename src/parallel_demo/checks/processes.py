"""Checkers for processes_done_right: balanced index ranges, a retry plan after a crash, and a
predicted speedup.

The first two run learner code under a deadline (:func:`~._base.run_bounded`)
on cases it cannot guess (the retry plan's futures are shuffled for every
check); the third measures.  Each returns a :func:`~._base.verdict`: the first
hint names the idea and the section to reread, the specific fix comes from the
second failed try on.
"""

from __future__ import annotations

import concurrent.futures as cf
import pickle
import random
from typing import Any, Callable

from ._base import CheckResult, abandoned_message, is_whole, run_bounded, verdict

# ---------------------------------------------------------------------------
# processes_done_right.ipynb, exercise 1: send indices, not data, in balanced blocks

#: (n_rows, tasks) cases: an even split, remainders, more tasks than rows, one task.
PLAN_CASES = ((1_000_000, 8), (10, 4), (9, 4), (1_000_003, 8), (7, 3), (5, 8), (1, 1))

_SENDING = ("a task should be a small description of its block, two ints, with stop exclusive "
            "as in range() (see 'What sending costs')")
_BALANCE = ("every task should get the same number of rows, give or take one: a block bigger "
            "than the others keeps its worker busy after the rest are done, a stub of a block "
            "costs a round trip for little work")
_DIVMOD = ("size, extra = divmod(n_rows, tasks): each of the first `extra` ranges gets size + 1 "
           "rows, the others size; each start is the previous stop")


def _as_pair(p: Any) -> tuple | None:
    if isinstance(p, range) and p.step == 1:
        return (p.start, p.stop)
    try:
        pair = tuple(p)
    except TypeError:
        return None
    ok = len(pair) == 2 and all(is_whole(v) for v in pair)
    return pair if ok else None


def check_index_plan(fn: Callable[[int, int], list]) -> CheckResult:
    """Exercise: ``fn(n_rows, tasks)`` -> ``[(start, stop), ...]``: ``tasks`` balanced blocks.

    In order, together covering ``range(n_rows)`` exactly once, exactly
    ``min(tasks, n_rows)`` ranges, no two sizes differing by more than one,
    and each a pair of ints (a ``range`` object is accepted too).
    """
    ex = "processes_ex1"
    for n, w in PLAN_CASES:
        call = f"plan_ranges({n:_}, {w})"
        out = run_bounded(fn, n, w, timeout=2.0)
        if not out.finished:
            return verdict(ex, False, abandoned_message(call, 2.0),
                           "planning the blocks is arithmetic on two ints: no loop needs more "
                           "than one step per task")
        if out.error is not None:
            return verdict(ex, False, f"{call} raised {type(out.error).__name__}: {out.error}",
                           "run it in a cell of your own with these arguments and read the "
                           "traceback", _DIVMOD)
        got = out.value
        if not isinstance(got, (list, tuple)):
            return verdict(ex, False, f"{call} returned {got!r:.60}",
                           "return a list of (start, stop) pairs, one per task", _DIVMOD)
        plan = [_as_pair(p) for p in got]
        if any(p is None for p in plan):
            big = len(pickle.dumps(got))
            return verdict(ex, False, f"{call} returned more than (start, stop) pairs "
                           f"({big:,} bytes pickled)", _SENDING,
                           "send two ints per task, not the rows: the worker makes "
                           "range(start, stop) itself")
        if any(b <= a for a, b in plan):
            bad = next((a, b) for a, b in plan if b <= a)
            return verdict(ex, False, f"{call} has an empty or reversed range {bad}", _BALANCE,
                           "with more tasks than rows, make one range per row and no empty ones")
        if plan != sorted(plan):
            return verdict(ex, False, f"{call} gives its ranges out of order",
                           "block k should hold the rows before block k + 1, so that results "
                           "come back in the rows' order", "build the list from start 0 upwards")
        total = sum(b - a for a, b in plan)
        overlap = any(q[0] < p[1] for p, q in zip(plan, plan[1:]))
        if total > n or overlap:
            return verdict(ex, False, f"{call}: some rows are in two ranges", _SENDING,
                           "stop is exclusive: the next range starts at this one's stop")
        if plan[0][0] != 0 or plan[-1][1] != n or total < n:
            covered = f" (covers {total:,} of {n:,} rows)" if total != n else ""
            return verdict(ex, False, f"{call} leaves rows out{covered}",
                           "the ranges, in order, should run from 0 to n_rows with no gap: "
                           "when n_rows is not a multiple of the block size the remainder "
                           "still needs a home", _DIVMOD)
        want = min(n, w)
        sizes = [b - a for a, b in plan]
        if len(plan) != want:
            return verdict(ex, False, f"{call} gives {len(plan)} range(s); {want} were asked for",
                           "the caller chose the number of tasks (a few per worker lets one "
                           "that finishes early take another); a block size rounded up gives "
                           "fewer", _DIVMOD)
        if max(sizes) - min(sizes) > 1:
            return verdict(ex, False, f"{call} gives blocks of {min(sizes):,} to {max(sizes):,} "
                           "rows", _BALANCE, _DIVMOD)
    return verdict(ex, True, f"right: every row once, in {len(PLAN_CASES)} cases, in balanced "
                   "ranges that cost a few bytes to send")


# ---------------------------------------------------------------------------
# processes_done_right.ipynb, exercise 2: what to retry after a crash

_RETRY = ("BrokenProcessPool means 'lost with the pool', not 'wrong': those are worth another "
          "pool; an ordinary exception is the task's own answer and would come back (see "
          "'Recovering: a new pool, and retry what did not finish')")


def _done_future(result: Any = None, error: BaseException | None = None) -> cf.Future:
    fut: cf.Future = cf.Future()
    if error is None:
        fut.set_result(result)
    else:
        fut.set_exception(error)
    return fut


def _retry_case(rng: random.Random) -> tuple[dict, list[int], dict[str, list[int]]]:
    """Ten finished futures of a broken pool, shuffled: ``(future_to_index, answer, groups)``."""
    from concurrent.futures.process import BrokenProcessPool

    lost = "A process in the process pool was terminated abruptly while the future was running"
    kinds = (["broken"] * 3 + ["value"] + ["type"] + ["ok"] * 3 + ["zero"] + ["none"])
    rng.shuffle(kinds)
    made = {"broken": lambda i: _done_future(error=BrokenProcessPool(lost)),
            "value": lambda i: _done_future(error=ValueError(f"bad input at {i}")),
            "type": lambda i: _done_future(error=TypeError(f"item {i} is not a number")),
            "ok": lambda i: _done_future(i * i),
            "zero": lambda i: _done_future(0),
            "none": lambda i: _done_future(None)}
    futures = {made[k](i): i for i, k in enumerate(kinds)}
    groups: dict[str, list[int]] = {}
    for i, k in enumerate(kinds):
        groups.setdefault(k, []).append(i)
    return futures, groups["broken"], groups


def check_retry_plan(fn: Callable[[dict], list]) -> CheckResult:
    """Exercise: ``fn(future_to_index)`` -> sorted indexes worth retrying in a new pool.

    Retry the futures that failed with ``BrokenProcessPool`` (their worker
    died, or they were lost with the pool); not the finished ones (some
    returned 0 or None), and not those whose task raised an ordinary exception
    (running it again raises again).  The futures are shuffled every check.
    """
    ex = "processes_ex2"
    futures, answer, groups = _retry_case(random.Random())
    out = run_bounded(fn, dict(futures), timeout=2.0)
    if not out.finished:
        return verdict(ex, False, abandoned_message("to_retry()", 2.0),
                       "the futures are all done: exception() returns at once; something else "
                       "in your function waits")
    if out.error is not None:
        return verdict(ex, False, f"your function raised {type(out.error).__name__}: "
                       f"{out.error}",
                       "result() raises the task's exception again; exception() returns it as "
                       "a value you can test (see 'When a worker dies')",
                       "look at fut.exception() and test it with isinstance(exc, "
                       "BrokenProcessPool)")
    got = out.value
    if isinstance(got, (list, tuple, set)) and any(isinstance(g, cf.Future) for g in got):
        return verdict(ex, False, "you returned futures",
                       "a new pool needs the items again, and the dict you were given maps each "
                       "future to its item's index",
                       "return [future_to_index[f] for f in ... if ...], sorted")
    if not isinstance(got, (list, tuple)) or not all(is_whole(g) for g in got):
        return verdict(ex, False, f"expected a sorted list of indexes, got {got!r:.80}",
                       "the answer is the indexes (the dict's values) of the futures to submit "
                       "again", "return sorted(i for f, i in future_to_index.items() if ...)")
    got = list(got)
    if sorted(got) == answer:
        if got != answer:
            return verdict(ex, False, f"the right indexes, not sorted: {got}",
                           "the exercise asks for them sorted", "wrap the list in sorted(...)")
        return verdict(ex, True, f"right: retry the {len(answer)} lost to the crash, not the "
                       "tasks that raised, nor the finished ones")
    picked = set(got)
    raised = set(groups["value"]) | set(groups["type"])
    finished = set(groups["ok"]) | set(groups["zero"]) | set(groups["none"])
    if picked & finished:
        which = sorted(picked & finished)
        return verdict(ex, False, f"you retry finished futures ({which}); some of them returned "
                       "0 or None", "a finished future keeps its result, whatever it is: it is "
                       "done, and done right (see 'When a worker dies')",
                       "test what went wrong (fut.exception()), not what came back")
    if picked & raised:
        which = sorted(picked & raised)
        return verdict(ex, False, f"you retry {which}, whose tasks raised an ordinary exception",
                       _RETRY, "keep only the futures whose exception() is a BrokenProcessPool: "
                       "isinstance(fut.exception(), BrokenProcessPool)")
    return verdict(ex, False, f"expected {answer}, got {sorted(got)}", _RETRY,
                   "keep the futures whose exception() is a BrokenProcessPool")


# ---------------------------------------------------------------------------
# processes_done_right.ipynb, exercise 3: predict, then measure

#: The exercise's workload: a quarter of it runs in the parent, the rest splits over the pool.
POOL_SERIAL_FRACTION = 0.25
POOL_WORKERS = 2


def check_pool_speedup_prediction(prediction: Any, *, seconds: float = 0.2,
                                  draw: bool = True) -> CheckResult:
    """Predict the speedup of a warm pool of 2 workers over 1, when a quarter of the job is serial.

    The checker then measures it (interleaved rounds, one warm pool), draws
    the prediction against the measurement and Amdahl's line, and says how far
    off it was.  A prediction counts as right within the measurement's range,
    or on Amdahl's law for the CPUs this kernel can use.
    """
    from .scaling import check_speedup_prediction

    return check_speedup_prediction(
        prediction, serial_fraction=POOL_SERIAL_FRACTION, workers=POOL_WORKERS,
        seconds=seconds, draw=draw, exercise="processes_predict",
        section="'Predict, then measure' in the exercises")
