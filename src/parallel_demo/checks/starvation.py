"""Checkers for starvation_and_fairness: a fairness index, and a consumer that stops cleanly."""

from __future__ import annotations

import math
import queue
import threading
import time
from typing import Any, Callable

from ..deadlock import Abandoned
from ..trace import now
from ._base import CheckResult, call_learner


def check_fairness_index(index: Callable[[list], float]) -> CheckResult:
    """Exercise: Jain's fairness index, ``(sum x)^2 / (n * sum x^2)``."""
    cases = [([10, 10, 10, 10], 1.0), ([40, 0, 0, 0], 0.25), ([30, 10], 0.8), ([1000, 10, 10, 10], None)]
    for xs, want in cases:
        got, err = call_learner(index, list(xs))
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
            raise Abandoned
        if not block:
            return super().get(False)
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
        except Abandoned:
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
