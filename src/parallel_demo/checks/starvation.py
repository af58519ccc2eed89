"""Checkers for starvation_and_fairness: a fairness index, and a consumer that stops cleanly."""

from __future__ import annotations

import math
import queue
import threading
import time
from typing import Any, Callable

from ..deadlock import Abandoned
from ..trace import now
from ._base import CheckResult, call_learner, is_real, verdict


def check_fairness_index(index: Callable[[list], float]) -> CheckResult:
    """Exercise: Jain's fairness index, ``(sum x)^2 / (n * sum x^2)``."""
    ex = "starvation_ex1"
    if not callable(index):
        return verdict(ex, False, f"expected a function, got {type(index).__name__}",
                       "define def jain(counts): ... and pass it in")
    cases = [([10, 10, 10, 10], 1.0), ([40, 0, 0, 0], 0.25), ([30, 10], 0.8), ([1000, 10, 10, 10], None)]
    formula = "the exercise gives the formula: (sum of x) squared over (n times the sum of x squared)"
    for xs, want in cases:
        got, err = call_learner(index, list(xs), timeout=2.0)
        if err is not None:
            return verdict(ex, False, f"index({xs}) raised {type(err).__name__}: {err}", formula,
                           "total = sum(counts); return total * total / (len(counts) * "
                           "sum(x * x for x in counts))")
        if not is_real(got):
            return verdict(ex, False, f"index({xs}) returned {type(got).__name__}",
                           "return the index, a float between 1/n and 1")
        if want is None:
            want = sum(xs) ** 2 / (len(xs) * sum(x * x for x in xs))
        if not math.isclose(got, want, rel_tol=1e-9):
            if math.isclose(got, 1 / want, rel_tol=1e-9):
                hint, detail = formula, "upside down: the square of the sum goes on top"
            elif math.isclose(got, sum(xs) ** 2 / sum(x * x for x in xs), rel_tol=1e-9):
                hint, detail = ("the index runs from 1/n (one takes all) to 1 (equal shares)",
                                "divide by n as well: n times the sum of squares goes below")
            elif math.isclose(got, sum(xs) / (len(xs) * sum(x * x for x in xs)), rel_tol=1e-9):
                hint, detail = formula, "square the sum on top: sum(counts) ** 2"
            else:
                hint, detail = formula, ("compute it step by step for [30, 10]: (40)^2 = 1600 on "
                                         "top, 2 * (900 + 100) = 2000 below, 0.8")
            return verdict(ex, False, f"index({xs}) gave {got!r}, expected {want:.4f}", hint, detail)
    return verdict(ex, True, "right: 1.0 when all shares are equal, 1/n when one thread takes "
                   "everything")


#: More failed polls than this (get_nowait() on an empty queue, empty() answering True) in
#: one check is a busy-wait, not a wait.
POLLS = 40


class _GuardedQueue(queue.Queue):
    """A Queue whose blocking get waits in slices and ends when the checker gives up."""

    def __init__(self, maxsize: int, abort: threading.Event) -> None:
        super().__init__(maxsize)
        self._abort = abort
        self.polls = 0  # tries that found the queue empty without waiting for it

    def empty(self) -> bool:
        if self._abort.is_set():
            raise Abandoned
        answer = super().empty()
        self.polls += answer
        return answer

    def qsize(self) -> int:
        if self._abort.is_set():
            raise Abandoned
        size = super().qsize()
        self.polls += size == 0
        return size

    def get_nowait(self):
        return self.get(False)

    def get(self, block: bool = True, timeout: float | None = None):
        if self._abort.is_set():  # also ends a loop of non-blocking tries
            raise Abandoned
        if not block or (timeout is not None and timeout < 0.005):
            try:
                return super().get(block, timeout)
            except queue.Empty:
                self.polls += 1
                raise
        deadline = None if timeout is None else now() + timeout
        while True:
            if self._abort.is_set():
                raise Abandoned
            slice_ = 0.02 if deadline is None else min(0.02, max(0.0, deadline - now()))
            try:
                return super().get(True, slice_)
            except queue.Empty:
                if deadline is not None and now() >= deadline:
                    raise


def check_consumer(consumer: Callable[[queue.Queue, list], None], *, items: int = 12,
                   consumers: int = 2, limit: float = 3.0) -> CheckResult:
    """Exercise: ``consumer(q, results)`` squares items until it meets the ``None`` sentinel.

    A slow producer puts ``0 .. items-1`` (with one long pause halfway: a
    quiet moment is not the end) then one ``None`` per consumer; every
    consumer must append ``item * item`` to ``results``, return at its
    sentinel, and wait for items without polling (the queue counts the tries
    that find it empty without waiting).
    """
    ex = "starvation_ex2"
    if not callable(consumer):
        return verdict(ex, False, f"expected a function, got {type(consumer).__name__}",
                       "define def consumer(q, results): ... and pass it in")
    abort = threading.Event()
    q = _GuardedQueue(3, abort)
    results: list[Any] = []
    errors: list[str] = []

    def run_consumer() -> None:
        try:
            consumer(q, results)
        except Abandoned:
            pass
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    def put(item: Any) -> bool:
        # In slices, so the producer stops as soon as the checker gives up.
        while not abort.is_set():
            try:
                queue.Queue.put(q, item, timeout=0.02)
                return True
            except queue.Full:
                pass
        return False

    def producer() -> None:
        for i in range(items):
            # Slower than the consumers, so the queue is often empty, and once
            # quiet for a long moment: only the sentinel says "no more".
            if abort.wait(0.25 if i == items // 2 else 0.004) or not put(i):
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
    left = [t.name for t in threads + [feeder] if t.is_alive()]
    expected = sorted(i * i for i in range(items))
    where = "(see 'Shutting down cleanly')"
    if errors:
        return verdict(ex, False, f"your consumer raised {errors[0]}",
                       "q.get() returns one item at a time, and the sentinel None is one of them",
                       "append item * item to results for a real item; return at None")
    if stuck:
        ended = ("The checker stopped them; nothing is left running." if not left else
                 f"{', '.join(left)} could not be stopped (daemon threads): use Kernel > Restart.")
        return verdict(ex, False, f"{', '.join(stuck)} never returned. {ended}",
                       f"each consumer gets exactly one sentinel, and that is its signal to stop "
                       f"{where}",
                       "while True: item = q.get(); if item is None: return; otherwise append "
                       "item * item. Skipping the sentinel (continue) waits for ever")
    got = sorted(r for r in results if r is not None) if all(
        isinstance(r, (int, float)) or r is None for r in results) else results
    if got != expected:
        if len(results) < items:
            return verdict(ex, False, f"only {len(results)} of {items} items were processed: "
                           "your consumers returned before their sentinels came",
                           f"a consumer loops until its sentinel; an empty queue, or a get() "
                           f"that timed out, only means the producer is slow {where}",
                           "item = q.get() waits for the next item; return if it is None, "
                           "otherwise append item * item. Don't test q.empty() or stop on "
                           "queue.Empty")
        return verdict(ex, False, f"results were {sorted(results, key=str)[:6]}..., expected the "
                       f"squares of 0..{items - 1}", "the sentinel is a signal, not an item",
                       "append item * item for every real item, never the sentinel")
    if q.polls > POLLS:
        return verdict(ex, False, f"every item arrived, but your consumers asked an empty queue "
                       f"{q.polls} times without waiting: that is polling, a busy-wait that "
                       "burns a CPU and the GIL while there is nothing to do",
                       "a blocking q.get() sleeps until an item arrives (see 'Producer and "
                       "consumers, with a bounded queue')",
                       "use item = q.get() (it blocks), not get_nowait() or q.empty() in a loop")
    return verdict(ex, True, f"all {items} items processed, both consumers stopped at their "
                   "sentinel, and they waited for items without polling")
