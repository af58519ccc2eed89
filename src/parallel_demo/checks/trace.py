"""Checkers for know_your_machine: reading task records (tasks per worker, average concurrency).

Each runs the learner's function on two sets of made-up records with known
answers (so a hard-coded answer fails), plus an empty list.  The first hint
names the idea and the section to reread; the specific fix is the ``detail``,
shown from the second failed try on.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Callable

from ..trace import TaskRecord
from ._base import CheckResult, call_learner, is_real, sample_record, verdict

_KYM1, _KYM2 = "kym_ex1", "kym_ex2"

_RECORDS = "each record is a TaskRecord (the section 'Reading records yourself')"


def _rec(index: int, worker: str, start: float, end: float) -> TaskRecord:
    return sample_record(index, worker, start, end, pid=1000 + int(worker[-1]))


# Fixed records the checkers know the answers to: 2 workers, uneven tasks,
# one idle gap.  Wall time is 0.0 .. 4.0 s; busy time 1+2+1+2+1 = 7 s.
_SAMPLE = [
    _rec(0, "process 0", 0.0, 1.0),
    _rec(1, "process 1", 0.0, 2.0),
    _rec(2, "process 0", 1.0, 2.0),
    _rec(3, "process 0", 2.0, 4.0),
    _rec(4, "process 1", 3.0, 4.0),
]

# A second run, so that an answer typed in for the first one fails: three
# threads, starting at 10 s; wall 10.0 .. 13.0 s, busy 1+3+1+0.5 = 5.5 s.
_SECOND = [
    _rec(0, "thread 0", 10.0, 11.0),
    _rec(1, "thread 1", 10.0, 13.0),
    _rec(2, "thread 0", 11.0, 12.0),
    _rec(3, "thread 2", 12.5, 13.0),
]


def check_tasks_per_worker(fn: Callable[[list[TaskRecord]], dict[str, int]]) -> CheckResult:
    """Exercise: ``fn(records)`` returns how many tasks each worker ran."""
    for records in (_SAMPLE, _SECOND, []):
        expected = dict(Counter(r.worker for r in records))
        got, err = call_learner(fn, list(records))
        if err is not None:
            return verdict(_KYM1, False, f"your function raised {type(err).__name__}: {err}",
                           hint=_RECORDS + ": which of its fields names the worker?",
                           detail="count r.worker over the records")
        if got is None:
            return verdict(_KYM1, False, "your function returned None: is it written yet?",
                           hint="return a dict: one entry per worker, valued by its number of "
                                "tasks")
        if not isinstance(got, dict):
            return verdict(_KYM1, False, f"expected a dict, got {type(got).__name__}",
                           hint="return a dict that maps each worker's label to a number",
                           detail="collections.Counter(...) is a dict; so is dict(Counter(...))")
        got = dict(got)
        if got == expected:
            continue
        if not records:
            return verdict(_KYM1, False, f"an empty list of records gave {got!r}",
                           hint="no records means no workers",
                           detail="return an empty dict when there are no records")
        if records is _SECOND and got == dict(Counter(r.worker for r in _SAMPLE)):
            return verdict(_KYM1, False, "right on the first sample, but the same answer came "
                                         "back for other records",
                           hint="compute the counts from the records you are given, not from "
                                "one run you looked at",
                           detail="count r.worker over the records argument")
        if set(got) <= {r.pid for r in records}:
            return verdict(_KYM1, False, f"your keys are pids: {got}",
                           hint="a timeline's lanes are labelled by worker, not by process id "
                                "(" + _RECORDS + ")",
                           detail="count by r.worker, the label the timeline's lanes show")
        if set(got) <= {r.index for r in records}:
            return verdict(_KYM1, False, "your keys are task indexes",
                           hint="one entry per worker, not per task",
                           detail="the key is the worker, r.worker")
        if set(got) == set(expected):
            return verdict(_KYM1, False, f"the right workers, but the counts {got} are off",
                           hint="each record is one task: count records, not time",
                           detail="one entry per distinct r.worker, valued by how many records "
                                  "have it")
        return verdict(_KYM1, False, f"the workers or the counts are off: {got}",
                       hint="one entry per worker that appears in the records (" + _RECORDS + ")",
                       detail="one entry per distinct r.worker, valued by how many records "
                              "have it")
    return verdict(_KYM1, True, "right: process 0 ran 3 tasks, process 1 ran 2 in the sample; "
                                "and your function follows the records it is given")


def _concurrency(records: list[TaskRecord]) -> float:
    busy = sum(r.end - r.start for r in records)
    return busy / (max(r.end for r in records) - min(r.start for r in records))


def check_concurrency(fn: Callable[[list[TaskRecord]], float]) -> CheckResult:
    """Exercise: ``fn(records)`` returns busy time / wall time, the average number of tasks in progress."""
    formula = "busy = sum of (r.end - r.start); wall = max(r.end) - min(r.start); return busy / wall"
    for records in (_SAMPLE, _SECOND):
        expected = _concurrency(records)
        busy = sum(r.end - r.start for r in records)
        wall = max(r.end for r in records) - min(r.start for r in records)
        got, err = call_learner(fn, list(records))
        if err is not None:
            return verdict(_KYM2, False, f"your function raised {type(err).__name__}: {err}",
                           hint="the exercise's formula needs each record's start and end "
                                "(" + _RECORDS + ")", detail=formula)
        if got is None:
            return verdict(_KYM2, False, "your function returned None: is it written yet?",
                           hint="return a number: the average number of tasks in progress")
        if not is_real(got):
            return verdict(_KYM2, False, f"expected a number, got {type(got).__name__}",
                           hint="return one number (a float)", detail=formula)
        if math.isclose(got, expected, rel_tol=1e-9):
            continue
        msg = f"got {got:.3f}, which is not the average number of tasks in progress"
        if records is _SECOND and math.isclose(got, _concurrency(_SAMPLE), rel_tol=1e-9):
            return verdict(_KYM2, False, "right on the first sample, but the same number came "
                                         "back for other records",
                           hint="compute it from the records you are given, not from one run "
                                "you worked out by hand", detail=formula)
        if math.isclose(got, wall / busy, rel_tol=1e-9):
            return verdict(_KYM2, False, msg + " (it is below 1 where tasks overlapped)",
                           hint="more overlap should give a bigger number: which goes on top?",
                           detail="upside down: divide the busy time by the wall time")
        if math.isclose(got, busy, rel_tol=1e-9):
            return verdict(_KYM2, False, msg + " (it is a number of seconds)",
                           hint="the busy time alone is seconds; the average concurrency has "
                                "no unit", detail="divide it by the wall time, max(r.end) - "
                                                  "min(r.start)")
        if any(math.isclose(got, busy / d, rel_tol=1e-9) for d in (len(records), busy,
                                                                   max(r.end for r in records))):
            return verdict(_KYM2, False, msg,
                           hint="the wall time is how long the whole run lasted, from its first "
                                "start to its last end",
                           detail="wall time is max(r.end) - min(r.start), not the number of "
                                  "tasks, nor the last end alone")
        return verdict(_KYM2, False, msg, hint="reread the formula in the exercise: the sum of "
                                               "all task durations over the run's wall time",
                       detail=formula)
    return verdict(_KYM2, True, "right: 7 s of tasks in 4 s of wall time is 1.75 tasks in "
                                "progress on average")
