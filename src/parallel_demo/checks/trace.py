"""Checkers for know_your_machine: reading task records (tasks per worker, average concurrency)."""

from __future__ import annotations

import math
from typing import Callable

from ..trace import TaskRecord
from ._base import CheckResult, call_learner, sample_record


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


def check_tasks_per_worker(fn: Callable[[list[TaskRecord]], dict[str, int]]) -> CheckResult:
    """Exercise: ``fn(records)`` returns how many tasks each worker ran."""
    expected = {"process 0": 3, "process 1": 2}
    got, err = call_learner(fn, list(_SAMPLE))
    if err is not None:
        return CheckResult(False, f"your function raised {type(err).__name__}: {err}",
                           "each record has a .worker attribute; count records per worker")
    if not isinstance(got, dict):
        return CheckResult(False, f"expected a dict, got {type(got).__name__}",
                           "return {worker_label: number_of_tasks}, e.g. with collections.Counter")
    got = dict(got)
    if got == expected:
        empty, e2 = call_learner(fn, [])
        if e2 is not None or dict(empty or {}) != {}:
            return CheckResult(False, "right on the sample, but an empty list of records "
                               f"gave {empty!r}" + (f" ({type(e2).__name__})" if e2 else ""),
                               "no records means no workers: return an empty dict")
        return CheckResult(True, "right: process 0 ran 3 tasks, process 1 ran 2")
    if set(got) == {1000, 1001} or set(got) <= {r.pid for r in _SAMPLE}:
        return CheckResult(False, f"you counted by pid: {got}",
                           "count by r.worker, the label the timeline's lanes show")
    if set(got) == {r.index for r in _SAMPLE}:
        return CheckResult(False, "your keys are task indexes", "the key is the worker, r.worker")
    return CheckResult(False, f"expected {expected}, got {got}",
                       "one entry per distinct r.worker, valued by how many records have it")


def check_concurrency(fn: Callable[[list[TaskRecord]], float]) -> CheckResult:
    """Exercise: ``fn(records)`` returns busy time / wall time, the average number of tasks in progress."""
    expected = 7.0 / 4.0
    got, err = call_learner(fn, list(_SAMPLE))
    if err is not None:
        return CheckResult(False, f"your function raised {type(err).__name__}: {err}",
                           "busy = sum of (r.end - r.start); wall = last end - first start")
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        return CheckResult(False, f"expected a number, got {type(got).__name__}",
                           "return busy / wall as a float")
    if math.isclose(got, expected, rel_tol=1e-9):
        return CheckResult(True, "right: 7 s of tasks in 4 s of wall time is 1.75 tasks in progress on average")
    if math.isclose(got, 1 / expected, rel_tol=1e-9):
        return CheckResult(False, f"got {got:.3f}: that is wall / busy, upside down",
                           "divide the busy time by the wall time")
    if math.isclose(got, 7.0 / 5.0, rel_tol=1e-9) or math.isclose(got, 7.0 / 7.0, rel_tol=1e-9):
        return CheckResult(False, f"got {got:.3f}: the wall time is off",
                           "wall time is max(r.end) - min(r.start), not the sum or the count")
    if math.isclose(got, 7.0, rel_tol=1e-9):
        return CheckResult(False, "got 7.0: that is the busy time alone",
                           "divide it by the wall time, max(r.end) - min(r.start)")
    return CheckResult(False, f"expected {expected:.2f}, got {got!r}",
                       "busy = sum of task durations; wall = last end - first start; return busy / wall")
