"""Checkers for threads_and_the_gil: predicting what the GIL allows, and counting overlap."""

from __future__ import annotations

from typing import Any, Callable

from ..trace import TaskRecord
from ._base import CheckResult, call_learner, sample_record


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
    return sample_record(index, worker, start, end)


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
    got, err = call_learner(fn, list(_OVERLAP_SAMPLE))
    if err is not None:
        return CheckResult(False, f"your function raised {type(err).__name__}: {err}",
                           "turn each record into two events, (start, +1) and (end, -1), "
                           "sort them and keep a running count")
    if not _number_int(got):
        return CheckResult(False, f"expected an int, got {type(got).__name__}",
                           "return how many tasks were in progress at the busiest instant")
    if got == _OVERLAP_EXPECTED:
        single, e2 = call_learner(fn, [_rec(0, "main thread", 0.0, 1.0)])
        empty, e3 = call_learner(fn, [])
        if e2 is not None or single != 1:
            return CheckResult(False, f"right on the sample, but one task gave {single!r}",
                               "a single task is one task in progress")
        if e3 is not None or empty != 0:
            return CheckResult(False, f"right on the sample, but no records gave {empty!r}"
                               + (f" ({type(e3).__name__})" if e3 else ""),
                               "no records: nothing in progress, return 0")
        back = call_learner(fn, list(reversed(_OVERLAP_SAMPLE)))[0]
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
