"""Checkers for the deadlock and starvation chapters' exercises.

Each runs the learner's code in threads that cannot hang the kernel: forks and
queues handed to the learner wait in short slices and are cancelled when the
checker's time is up, and every thread is joined before the verdict.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from typing import Any, Callable

from .deadlock import _Abandoned, dine
from .exercises import CheckResult, _call_safely
from .locks import WaitForGraph
from .trace import now

__all__ = ["check_philosopher", "check_find_cycle", "check_fairness_index", "check_consumer"]

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
        got, err = _call_safely(find_cycle, dict(holds), dict(waits))
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


def check_fairness_index(index: Callable[[list], float]) -> CheckResult:
    """Exercise: Jain's fairness index, ``(sum x)^2 / (n * sum x^2)``."""
    cases = [([10, 10, 10, 10], 1.0), ([40, 0, 0, 0], 0.25), ([30, 10], 0.8), ([1000, 10, 10, 10], None)]
    for xs, want in cases:
        got, err = _call_safely(index, list(xs))
        if err is not None:
            return CheckResult(False, f"index({xs}) raised {type(err).__name__}: {err}",
                               "sum the counts, square the sum, divide by n times the sum of squares")
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            return CheckResult(False, f"index({xs}) returned {type(got).__name__}", "return a float")
        if want is None:
            want = sum(xs) ** 2 / (len(xs) * sum(x * x for x in xs))
        if not math.isclose(got, want, rel_tol=1e-9):
            if math.isclose(got, 1 / want, rel_tol=1e-9):
                hint = "upside down: the square of the sum goes on top"
            elif math.isclose(got, sum(xs) ** 2 / sum(x * x for x in xs), rel_tol=1e-9):
                hint = "divide by n as well: the index runs from 1/n to 1"
            else:
                hint = "(sum of x) squared, divided by (n times the sum of x squared)"
            return CheckResult(False, f"index({xs}) gave {got!r}, expected {want:.4f}", hint)
    return CheckResult(True, "right: 1.0 when all shares are equal, 1/n when one thread takes everything")


class _GuardedQueue(queue.Queue):
    """A Queue whose blocking get waits in slices and ends when the checker gives up."""

    def __init__(self, maxsize: int, abort: threading.Event) -> None:
        super().__init__(maxsize)
        self._abort = abort

    def get(self, block: bool = True, timeout: float | None = None):
        if self._abort.is_set():  # also ends a loop of non-blocking tries
            raise _Abandoned
        if not block:
            return super().get(False)
        deadline = None if timeout is None else now() + timeout
        while True:
            if self._abort.is_set():
                raise _Abandoned
            slice_ = 0.02 if deadline is None else min(0.02, max(0.0, deadline - now()))
            try:
                return super().get(True, slice_)
            except queue.Empty:
                if deadline is not None and now() >= deadline:
                    raise


def check_consumer(consumer: Callable[[queue.Queue, list], None], *, items: int = 12,
                   consumers: int = 2, limit: float = 3.0) -> CheckResult:
    """Exercise: ``consumer(q, results)`` squares items until it meets the ``None`` sentinel.

    A slow producer puts ``0 .. items-1`` then one ``None`` per consumer;
    every consumer must append ``item * item`` to ``results`` and return at
    its sentinel.
    """
    abort = threading.Event()
    q = _GuardedQueue(3, abort)
    results: list[Any] = []
    errors: list[str] = []

    def run_consumer() -> None:
        try:
            consumer(q, results)
        except _Abandoned:
            pass
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    def put(item: Any) -> bool:
        # In slices, so the producer stops as soon as the checker gives up.
        while not abort.is_set():
            try:
                q.put(item, timeout=0.02)
                return True
            except queue.Full:
                pass
        return False

    def producer() -> None:
        for i in range(items):
            time.sleep(0.004)  # slower than the consumers: the queue is often empty
            if not put(i):
                return
        for _ in range(consumers):
            if not put(None):
                return

    threads = [threading.Thread(target=run_consumer, name=f"consumer {i}", daemon=True)
               for i in range(consumers)]
    feeder = threading.Thread(target=producer, name="producer", daemon=True)
    for t in threads + [feeder]:
        t.start()
    deadline = time.monotonic() + limit
    for t in threads:  # the consumers decide when the run is over
        t.join(max(0.0, deadline - time.monotonic()))
    stuck = [t.name for t in threads if t.is_alive()]
    abort.set()
    for t in threads + [feeder]:
        t.join(limit + 1.0)
    expected = sorted(i * i for i in range(items))
    if errors:
        return CheckResult(False, f"your consumer raised {errors[0]}",
                           "q.get() returns one item; append item * item to results; stop at None")
    if stuck:
        return CheckResult(False, f"{', '.join(stuck)} never returned",
                           "a consumer must return when q.get() gives it the sentinel None; "
                           "a loop like 'while True: item = q.get()' needs 'if item is None: return'")
    got = sorted(r for r in results if r is not None) if all(
        isinstance(r, (int, float)) or r is None for r in results) else results
    if got != expected:
        if not results:
            return CheckResult(False, "your consumer returned without processing any item",
                               "loop until the sentinel: item = q.get(); return if item is None, "
                               "otherwise append item * item to results. A momentarily empty queue "
                               "(q.empty()) only means the producer is slow: don't stop on it")
        if len(results) < items:
            return CheckResult(False, f"only {len(results)} of {items} items were processed",
                               "don't stop when the queue looks empty (q.empty() or a short get timeout): "
                               "the producer may just be slow. Stop at the sentinel, and only then")
        return CheckResult(False, f"results were {sorted(results, key=str)[:6]}..., expected the squares "
                           f"of 0..{items - 1}", "append item * item for every real item, never the sentinel")
    return CheckResult(True, f"all {items} items processed, and both consumers stopped at their sentinel")
