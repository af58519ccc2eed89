"""Checkers for deadlock: a philosopher that cannot deadlock, and finding a wait-for cycle.

Each runs the learner's code in threads that cannot hang the kernel: forks and
queues handed to the learner wait in short slices and are cancelled when the
checker's time is up, and every thread is joined before the verdict.
"""

from __future__ import annotations

from typing import Any, Callable

from ..deadlock import dine
from ._base import CheckResult, call_learner
from ..locks import WaitForGraph

_ORDER_HINT = ("everyone reached for the same side first, so each holds one fork and waits for "
               "the next: a cycle. Break the symmetry: take the lower-numbered fork first "
               "(sorted by fork.number), so every thread takes locks in one global order")


def check_philosopher(philosopher: Callable, *, runs: int = 6, seconds: float = 0.3,
                      seats: int = 5) -> CheckResult:
    """Exercise: ``philosopher(seat, left, right, eat)`` dines without deadlock or starvation.

    Runs ``runs`` dinners of ``seconds`` each under stress (every fork pick-up
    pauses, to invite bad interleavings) and reports the first failure.
    """
    if not callable(philosopher):
        return CheckResult(False, f"expected a function, got {type(philosopher).__name__}",
                           "define def philosopher(seat, left, right, eat): ... and pass it in")
    totals = [0] * seats
    for run_no in range(1, runs + 1):
        rep = dine(philosopher, seats=seats, seconds=seconds)
        if rep.threads_left:
            return CheckResult(False, f"threads still running after the dinner: {rep.threads_left}",
                               "don't start threads or loop forever inside philosopher: pick up, eat, put down, return")
        if rep.deadlocked:
            cyc = " -> ".join(rep.graph.cycle() or [])
            return CheckResult(False, f"deadlock in dinner {run_no} of {runs}: {cyc}", _ORDER_HINT)
        if "without holding" in rep.problem:
            return CheckResult(False, rep.problem,
                               "hold both forks while calling eat(): with left: with right: eat()")
        if "still held" in rep.problem:
            return CheckResult(False, rep.problem,
                               "release every fork you acquired (use with-blocks, or try/finally)")
        if rep.problem:
            return CheckResult(False, rep.problem, "read the error: philosopher(seat, left, right, eat) "
                               "gets two Fork locks and a function to call while holding both")
        if sum(rep.meals) == 0:
            return CheckResult(False, f"nobody ate in dinner {run_no} of {runs}",
                               "call eat() once you hold both forks; if you use acquire(timeout=...), "
                               "back off for a random while, not in lock-step")
        totals = [a + b for a, b in zip(totals, rep.meals)]
    if min(totals) == 0:
        hungry = [i for i, m in enumerate(totals) if m == 0]
        return CheckResult(False, f"no deadlock, but philosopher(s) {hungry} never ate in {runs} dinners "
                           f"(meals: {totals})", "that is starvation: someone always got the forks first. "
                           "Every philosopher needs a turn: don't make some seats wait for others to finish")
    return CheckResult(True, f"no deadlock in {runs} stressed dinners, and everyone ate "
                       f"(fewest meals: {min(totals)}, most: {max(totals)})")


# Fixed graphs with known answers: (holds, waits, has_cycle)
_GRAPHS = [
    ({"A": "T1", "B": "T2"}, {"T1": "B", "T2": "A"}, True),
    ({"A": "T1", "B": "T2"}, {"T1": "B"}, False),
    ({"A": "T1"}, {"T1": "B", "T2": "A"}, False),  # B is free: T1 is about to get it
    ({"A": "T1", "B": "T2", "C": "T3"}, {"T1": "B", "T2": "C", "T3": "A"}, True),
    ({}, {}, False),
    ({"A": "T1"}, {"T1": "A"}, True),  # re-acquiring a plain Lock
    ({"A": "T1", "B": "T2", "C": "T3"}, {"T4": "A", "T1": "B", "T2": "C"}, False),
    ({"A": "T1", "B": "T2", "C": "T3"}, {"T4": "A", "T2": "C", "T3": "B"}, True),
]


def _valid_cycle(cyc: Any, holds: dict, waits: dict) -> bool:
    if not isinstance(cyc, (list, tuple)) or len(cyc) < 3 or cyc[0] != cyc[-1] or len(cyc) % 2 == 0:
        return False
    for i in range(0, len(cyc) - 1, 2):
        thread, lock, nxt = cyc[i], cyc[i + 1], cyc[i + 2]
        if waits.get(thread) != lock or holds.get(lock) != nxt:
            return False
    return True


def check_find_cycle(find_cycle: Callable[[dict, dict], Any]) -> CheckResult:
    """Exercise: ``find_cycle(holds, waits)`` returns a cycle ``[T, L, T, ..., T]`` or ``None``."""
    for holds, waits, has in _GRAPHS:
        got, err = call_learner(find_cycle, dict(holds), dict(waits))
        if err is not None:
            return CheckResult(False, f"on holds={holds}, waits={waits} it raised {type(err).__name__}: {err}",
                               "a thread may wait for a lock nobody holds (holds.get(lock) is None): "
                               "that path ends, it is not a cycle")
        if has and got is None:
            return CheckResult(False, f"missed the cycle in holds={holds}, waits={waits}",
                               "follow thread -> waits[thread] -> holds[lock] -> ... until you come back "
                               "to a thread you already visited; a thread waiting for its own lock is a cycle too")
        if not has and got is not None:
            return CheckResult(False, f"found {got!r} in holds={holds}, waits={waits}, which has no cycle",
                               "a cycle must come back to where it started: stop when a lock has no holder "
                               "or a thread waits for nothing")
        if has and not _valid_cycle(got, holds, waits):
            expected = WaitForGraph(holds, waits).cycle()
            return CheckResult(False, f"on holds={holds}, waits={waits} you returned {got!r}",
                               f"list threads and locks alternately and repeat the first thread at the "
                               f"end, e.g. {expected}")
        if not has and got is not None:
            return CheckResult(False, f"expected None, got {got!r}", "return None when there is no cycle")
    return CheckResult(True, f"right on all {len(_GRAPHS)} graphs, including a thread waiting for itself")


