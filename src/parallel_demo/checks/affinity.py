"""Checkers for concurrency_vs_parallelism: classifying scenarios, and CPUs really executing."""

from __future__ import annotations

import math
from typing import Callable

from ..affinity import CpuTimed
from ..trace import TaskRecord
from ._base import CheckResult, call_learner, sample_record


#: The answers :func:`check_classification` accepts.
KINDS = ("neither", "concurrent only", "parallel")


#: Scenario id -> description.  "parallel" means executing at the same instant
#: (and so also concurrent); "concurrent only" means in progress at the same
#: time but taking turns.
SCENARIOS = {
    "a": "Two worker processes pinned to one CPU, each halfway through a spin() task.",
    "b": "Four threads, each waiting inside sleep_task(1) at the same moment.",
    "c": "Two worker processes, each running spin() on a CPU of its own.",
    "d": "A for loop that calls is_prime() on one number after another.",
    "e": "Two threads of one CPython process (with the GIL), both running spin().",
}


_EXPECTED_KINDS = {"a": "concurrent only", "b": "concurrent only", "c": "parallel",
                   "d": "neither", "e": "concurrent only"}


_KIND_HINTS = {
    ("a", "parallel"): "both lanes look busy, but one CPU executes one thing at a time: the two "
                       "processes take turns, so they are concurrent, not parallel",
    ("a", "neither"): "both tasks have started and neither has finished: they are in progress "
                      "at the same time, which is concurrency",
    ("b", "parallel"): "a sleeping thread executes nothing; four waits can overlap on a single CPU",
    ("b", "neither"): "all four waits are in progress at once, which is concurrency",
    ("c", "concurrent only"): "two CPUs executing at the same instant is parallelism (and "
                              "parallel tasks are concurrent too)",
    ("c", "neither"): "both tasks run at the same instant, each on its own CPU: parallel",
    ("d", "concurrent only"): "each call starts after the previous one ended: nothing overlaps",
    ("d", "parallel"): "one thread, one call at a time: nothing overlaps",
    ("e", "parallel"): "with the GIL only one thread runs Python code at a time: they take turns "
                       "like the pinned processes (Part II measures it)",
    ("e", "neither"): "both threads are in the middle of their loop at once: concurrent",
}


def check_classification(answers: dict[str, str]) -> CheckResult:
    """Exercise: classify each of :data:`SCENARIOS` as one of :data:`KINDS`."""
    if not isinstance(answers, dict):
        return CheckResult(False, f"expected a dict, got {type(answers).__name__}",
                           "answers must be a dict: map each scenario id ('a' to 'e') to one of " + ", ".join(map(repr, KINDS)))
    missing = sorted(set(SCENARIOS) - set(answers))
    if missing:
        return CheckResult(False, f"no answer for scenario(s) {', '.join(missing)}",
                           "give one answer per id in SCENARIOS")
    bad = {k: v for k, v in answers.items() if k in SCENARIOS and v not in KINDS}
    if bad:
        k, v = next(iter(bad.items()))
        return CheckResult(False, f"scenario {k}: {v!r} is not one of the answers",
                           "use exactly one of " + ", ".join(map(repr, KINDS)))
    wrong = [k for k in sorted(SCENARIOS) if answers[k] != _EXPECTED_KINDS[k]]
    if not wrong:
        return CheckResult(True, "all five right: parallel means executing at the same instant; "
                                 "concurrent means in progress at the same time")
    k = wrong[0]
    more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
    return CheckResult(False, f"scenario {k} is not {answers[k]!r}{more}",
                       _KIND_HINTS.get((k, answers[k]), "ask: are both in progress at once? "
                                       "are both executing at the same instant?"))


def _rec(index: int, worker: str, start: float, end: float) -> TaskRecord:
    return sample_record(index, worker, start, end, pid=2000 + int(worker[-1]))


# Two processes on one CPU: 4 tasks, wall 0..5 s, 9 s in progress, 4.9 s executing
# (task 3 runs alone from 4 to 5 s; a little CPU time goes to the system).
_PINNED = [_rec(0, "process 0", 0.0, 2.0), _rec(1, "process 1", 0.0, 2.0),
           _rec(2, "process 0", 2.0, 4.0), _rec(3, "process 1", 2.0, 5.0)]


_PINNED_CPU = [CpuTimed(None, 1.0, 2.0), CpuTimed(None, 1.0, 2.0),
               CpuTimed(None, 1.0, 2.0), CpuTimed(None, 1.9, 3.0)]


def check_cpus_executing(fn: Callable[[list[TaskRecord], list[CpuTimed]], float]) -> CheckResult:
    """Exercise: ``fn(records, timed)`` returns the average number of CPUs executing.

    That is the CPU seconds of all tasks divided by the wall time of the run
    (last end minus first start).
    """
    expected = 4.9 / 5.0
    got, err = call_learner(fn, list(_PINNED), list(_PINNED_CPU))
    if err is not None:
        return CheckResult(False, f"your function raised {type(err).__name__}: {err}",
                           "CPU seconds: sum(t.cpu for t in timed); wall: "
                           "max(r.end) - min(r.start) over the records")
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        return CheckResult(False, f"expected a number, got {type(got).__name__}",
                           "return CPU seconds / wall seconds as a float")
    if math.isclose(got, expected, rel_tol=1e-9):
        return CheckResult(True, "right: 9 s of tasks in progress but only 4.9 s executing, in 5 s: "
                                 "0.98 CPUs, so never two at once")
    wrong = {
        9.0 / 5.0: "that is busy time / wall time: tasks in progress (concurrency), executing or "
                   "not; use the CPU seconds in `timed` instead of the bar lengths",
        (0.5 * 3 + 1.9 / 3.0) / 4: "that is the average share of one task; add up the CPU seconds of all tasks and "
             "divide by the wall time of the whole run",
        4.9: "that is the CPU seconds alone; divide by the wall time, max(r.end) - min(r.start)",
        5.0 / 4.9: "upside down: divide CPU seconds by wall seconds",
        4.9 / 9.0: "you divided by the busy time (sum of bar lengths); divide by the wall time, "
                   "max(r.end) - min(r.start)",
        4.9 / 4.0: "the wall time is max(r.end) - min(r.start), not the number of tasks",
    }
    for value, hint in wrong.items():
        if math.isclose(got, value, rel_tol=1e-9):
            return CheckResult(False, f"got {got:.3f}, expected {expected:.3f}", hint)
    return CheckResult(False, f"got {got!r}, expected {expected:.3f}",
                       "add up the CPU seconds in `timed` (t.cpu), then divide by the run's wall "
                       "time, from the first start to the last end in the records")
