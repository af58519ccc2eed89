"""Checkers for deadlock: a philosopher that cannot deadlock, and finding a wait-for cycle.

:func:`check_philosopher` does not rely on luck.  The forks it hands to the
learner's strategy record the order in which they are taken, as the Linux
kernel's *lockdep* does: a philosopher that blocks for fork Y while holding
fork X adds the edge X -> Y.  A cycle of such edges, from different
philosophers, is a deadlock waiting for its moment, and fails the check even
when no dinner happened to deadlock.  Forks wait in short slices and are
cancelled when a dinner is over, so nothing hangs.

:func:`check_find_cycle` runs the learner's function under a deadline that
also stops a walk that loops for ever (a trace hook ends it), so a wrong
answer cannot leave a thread spinning in the kernel.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable

from ..deadlock import dine
from ..locks import WaitForGraph
from ._base import CheckResult, call_learner, verdict

_ORDER_HINT = ("a deadlock needs a cycle of threads, each holding a lock the next one wants "
               "(see 'The wait-for graph: a deadlock is a cycle' and 'Fix 1: one global lock "
               "order')")
_ORDER_DETAIL = ("take the lower-numbered fork first, whichever side it is on: first, second = "
                 "sorted((left, right), key=lambda f: f.number); then every philosopher takes "
                 "forks in one global order and no cycle can close")


def check_philosopher(philosopher: Callable, *, runs: int = 6, seconds: float = 0.3,
                      seats: int = 5) -> CheckResult:
    """Exercise: ``philosopher(seat, left, right, eat)`` dines without deadlock or starvation.

    Runs ``runs`` dinners of ``seconds`` each under stress (every fork pick-up
    pauses, to invite bad interleavings).  Fails on the first deadlock, rule
    broken or starved seat, and on any cycle in the order the forks were
    taken (see the module docstring), so a strategy that only sometimes
    deadlocks fails every time.
    """
    ex = "deadlock_ex2"
    if not callable(philosopher):
        return verdict(ex, False, f"expected a function, got {type(philosopher).__name__}",
                       "define def philosopher(seat, left, right, eat): ... and pass it in")
    totals = [0] * seats
    for run_no in range(1, runs + 1):
        rep = dine(philosopher, seats=seats, seconds=seconds)
        if rep.threads_left:
            return verdict(ex, False, f"threads still running after the dinner: {rep.threads_left}",
                           "philosopher() is called again and again by the table: pick up, eat, "
                           "put down, return; don't start threads or loop for ever inside it")
        if rep.deadlocked:
            cyc = " -> ".join(rep.graph.cycle() or [])
            return verdict(ex, False, f"deadlock in dinner {run_no} of {runs}: {cyc}",
                           _ORDER_HINT, _ORDER_DETAIL)
        if "without holding" in rep.problem:
            return verdict(ex, False, rep.problem,
                           "eating needs both forks at once (see 'Five philosophers, five forks')",
                           "hold both forks while calling eat(): with first: with second: eat()")
        if "still held" in rep.problem:
            return verdict(ex, False, rep.problem,
                           "a fork left in a hand is a lock never released: the neighbour waits "
                           "for ever", "use with-blocks (or try/finally) so every acquire has "
                           "its release")
        if rep.problem:
            return verdict(ex, False, rep.problem, "read the error: philosopher(seat, left, right, "
                           "eat) gets two Fork locks and a function to call while holding both")
        if rep.order_cycle:
            cyc = " -> ".join(rep.order_cycle)
            return verdict(ex, False, f"no deadlock in dinner {run_no}, but only by luck: the forks "
                           f"were taken in an order with a cycle ({cyc}; each arrow is a "
                           "philosopher who waited for a fork while holding the one before it)",
                           _ORDER_HINT + ". Choosing the order at random only makes the cycle rarer",
                           _ORDER_DETAIL)
        if sum(rep.meals) == 0:
            return verdict(ex, False, f"nobody ate in dinner {run_no} of {runs}",
                           "call eat() once you hold both forks (see 'Five philosophers, five "
                           "forks')", "with acquire(timeout=...), back off for a random while, "
                           "not in lock-step (see 'Fix 2: give up, back off, try again')")
        totals = [a + b for a, b in zip(totals, rep.meals)]
    if min(totals) == 0:
        hungry = [i for i, m in enumerate(totals) if m == 0]
        return verdict(ex, False, f"no deadlock, but philosopher(s) {hungry} never ate in {runs} "
                       f"dinners (meals: {totals})", "that is starvation: someone always got the "
                       "forks first (see the chapter on starvation and fairness)",
                       "every seat needs a turn: don't make some seats wait for others to finish")
    return verdict(ex, True, f"no deadlock in {runs} stressed dinners, no cycle in the order the "
                   f"forks were taken, and everyone ate (fewest meals: {min(totals)}, most: "
                   f"{max(totals)})")


# Fixed graphs with known answers: (holds, waits, has_cycle).  Dicts keep their order, so a
# learner who walks from the first waiting thread meets the lead-in cases first.
_GRAPHS = [
    ({"A": "T1", "B": "T2"}, {"T1": "B", "T2": "A"}, True),
    ({"A": "T1", "B": "T2"}, {"T1": "B"}, False),
    ({"A": "T1"}, {"T1": "B", "T2": "A"}, False),  # B is free: T1 is about to get it
    ({"A": "T1", "B": "T2", "C": "T3"}, {"T1": "B", "T2": "C", "T3": "A"}, True),
    ({}, {}, False),
    ({"A": "T1"}, {"T1": "A"}, True),  # re-acquiring a plain Lock
    ({"A": "T1", "B": "T2", "C": "T3"}, {"T4": "A", "T1": "B", "T2": "C"}, False),
    ({"A": "T1", "B": "T2", "C": "T3"}, {"T4": "A", "T2": "C", "T3": "B"}, True),
    # T4 and T3 wait *into* the cycle T1 -> B -> T2 -> A -> T1 without being on it: a walk
    # from T4 never comes back to T4, and the cycle does not start where the walk did.
    ({"A": "T1", "B": "T2", "C": "T3"}, {"T4": "C", "T3": "A", "T1": "B", "T2": "A"}, True),
]

#: Seconds one call of the learner's find_cycle may take (they are tiny graphs).
FIND_CYCLE_LIMIT = 2.0


class _TooLong(BaseException):
    """Raised inside the learner's find_cycle by the trace hook once its time is up."""


def _stoppable(fn: Callable[..., Any], limit: float) -> Callable[..., Any]:
    """``fn`` run under a trace hook that raises :class:`_TooLong` after ``limit`` seconds.

    A loop in pure Python cannot be interrupted from another thread, but a
    trace function runs inside it on every line, and may raise.  So the
    learner's thread ends by itself instead of spinning in the kernel.
    """
    def run(*args: Any) -> Any:
        deadline = time.monotonic() + limit

        def local(frame: Any, event: str, arg: Any) -> Any:
            if event == "line" and time.monotonic() > deadline:
                raise _TooLong
            return local

        sys.settrace(lambda frame, event, arg: local)
        try:
            return fn(*args)
        finally:
            sys.settrace(None)

    return run


def _valid_cycle(cyc: Any, holds: dict, waits: dict) -> bool:
    if not isinstance(cyc, (list, tuple)) or len(cyc) < 3 or cyc[0] != cyc[-1] or len(cyc) % 2 == 0:
        return False
    for i in range(0, len(cyc) - 1, 2):
        thread, lock, nxt = cyc[i], cyc[i + 1], cyc[i + 2]
        if waits.get(thread) != lock or holds.get(lock) != nxt:
            return False
    return len(set(cyc[:-1:2])) == len(cyc) // 2  # each thread once


_WALK_HINT = ("follow the arrows of the wait-for graph, thread -> the lock it waits for -> the "
              "thread holding it (see 'The wait-for graph: a deadlock is a cycle')")


def check_find_cycle(find_cycle: Callable[[dict, dict], Any]) -> CheckResult:
    """Exercise: ``find_cycle(holds, waits)`` returns a cycle ``[T, L, T, ..., T]`` or ``None``."""
    ex = "deadlock_ex1"
    if not callable(find_cycle):
        return verdict(ex, False, f"expected a function, got {type(find_cycle).__name__}",
                       "define def find_cycle(holds, waits): ... and pass it in")
    run = _stoppable(find_cycle, FIND_CYCLE_LIMIT)
    for holds, waits, has in _GRAPHS:
        where = f"holds={holds}, waits={waits}"
        got, err = call_learner(run, dict(holds), dict(waits), timeout=FIND_CYCLE_LIMIT + 3.0)
        if isinstance(err, _TooLong) or (err is not None and "had not returned" in str(err)):
            return verdict(ex, False, f"on {where} find_cycle did not return within "
                           f"{FIND_CYCLE_LIMIT:g} s, so the checker stopped it",
                           _WALK_HINT + ": a walk can lead *into* a cycle without ever coming "
                           "back to the thread it started from",
                           "remember every thread the walk has passed (a dict thread -> its "
                           "position in the path) and stop at the first one seen twice; the "
                           "cycle is the path from that thread's position on")
        if err is not None:
            return verdict(ex, False, f"on {where} it raised {type(err).__name__}: {err}",
                           _WALK_HINT + "; a thread may wait for a lock nobody holds",
                           "use holds.get(lock): None means a free lock, and that path ends "
                           "there: it is not a cycle")
        if has and got is None:
            return verdict(ex, False, f"missed the cycle in {where}",
                           _WALK_HINT + ", from every waiting thread in turn",
                           "keep walking until you reach a thread you have already passed; a "
                           "thread waiting for a lock it holds itself is a cycle too: [T, A, T]")
        if not has and got is not None:
            return verdict(ex, False, f"found {got!r} in {where}, which has no cycle",
                           "a cycle must come back to where it started",
                           "a walk ends without a cycle when a lock has no holder or a thread "
                           "waits for nothing: return None then")
        if has and not _valid_cycle(got, holds, waits):
            expected = WaitForGraph(holds, waits).cycle()
            return verdict(ex, False, f"on {where} you returned {got!r}, which is not a cycle of "
                           "this graph", "a cycle lists only the threads and locks *on* it, "
                           "threads and locks alternating, and ends where it began; a thread that "
                           "waits into the cycle is not part of it",
                           f"drop the lead-in before the first repeated thread and repeat that "
                           f"thread at the end, e.g. {expected}")
    return verdict(ex, True, f"right on all {len(_GRAPHS)} graphs, including a thread waiting "
                   "for itself and threads waiting into a cycle they are not on")
