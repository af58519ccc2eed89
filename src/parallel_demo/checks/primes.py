"""Checkers for Part IV (the prime example), one or two per chapter.

Each runs the learner's function on cases whose answer it knows and returns
a :class:`~parallel_demo.exercises.CheckResult` whose hint names the usual
misunderstanding.  Nothing here can hang: learner threads are joined with a
timeout and, if stuck, unblocked or reported.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from .._hang import live_threads
from ._base import CheckResult, sample_record
from ..primes import PrimeOutput
from ..trace import TaskRecord
from ..workloads import is_prime

_NUMBERS = (2, 15, 17, 91, 97, 561, 7_919, 10_007, 65_537, 104_729, 999_983, 1_000_001)
_PRIMES = [n for n in _NUMBERS if is_prime(n)]


def _raised(err: BaseException, hint: str) -> CheckResult:
    return CheckResult(False, f"your function raised {type(err).__name__}: {err}", hint)


# --- Chapter 1: the synchronous way -----------------------------------------

class _FakeWork:
    """A callable whose cost the checker knows: a slow first call, one outlier."""

    def __init__(self, first: float = 0.06, usual: float = 0.002, outlier: float = 0.1):
        self.calls = 0
        self.first, self.usual, self.outlier = first, usual, outlier

    def __call__(self) -> None:
        self.calls += 1
        if self.calls == 1:
            time.sleep(self.first)      # cold start: imports, caches
        elif self.calls == 3:
            time.sleep(self.outlier)    # the machine was busy for a moment
        else:
            time.sleep(self.usual)


def check_timer(fn: Callable[..., float]) -> CheckResult:
    """Exercise: ``fn(work, repeat=7)``: warm up, time ``repeat`` calls, return the median."""
    work = _FakeWork()
    try:
        got = fn(work, repeat=7)
    except Exception as err:  # the learner's bug is the checker's data
        return _raised(err, "call work() with no arguments; time it with time.perf_counter()")
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        return CheckResult(False, f"expected a number of seconds, got {type(got).__name__}",
                           "return statistics.median(times), a float")
    if work.calls < 8:
        return CheckResult(False, f"work() was called {work.calls} times for repeat=7",
                           "call it once first without timing it (the warm-up), then 7 timed times")
    if got > 0.006:  # 3x a usual call: room for a sleep that overshoots on a busy machine
        return CheckResult(False, f"got {got * 1e3:.1f} ms, but a usual call takes about 2 ms",
                           "one slow run pulls the mean (and the total) up; the median ignores it. "
                           "Also leave the warm-up call out of the times")
    if got < 0.0015:
        return CheckResult(False, f"got {got * 1e3:.2f} ms: too small for calls that sleep 2 ms",
                           "take perf_counter() before and after each call and subtract; "
                           "return seconds, not a count")
    return CheckResult(True, f"right: a median of {got * 1e3:.1f} ms, with the slow first call "
                       "and the outlier left out of the answer")


def _rec(index: int, start: float, end: float, label: str) -> TaskRecord:
    return sample_record(index, "main thread", start, end, label=label)


_COST_SAMPLE = [_rec(0, 0.0, 0.001, "7"), _rec(1, 0.001, 0.009, "999983"),
                _rec(2, 0.009, 0.010, "1000000"), _rec(3, 0.010, 0.013, "104729")]


def check_costliest(fn: Callable[[list[TaskRecord]], int]) -> CheckResult:
    """Exercise: ``fn(records)`` returns the *number* (an int) whose check took longest."""
    try:
        got = fn(list(_COST_SAMPLE))
    except Exception as err:
        return _raised(err, "each record has .start, .end and .label (the number, as text)")
    if got == 999_983:
        return CheckResult(True, "right: 999983 took 8 ms of the 13 ms")
    if got == "999983":
        return CheckResult(False, "right record, but you returned the label, a str",
                           "convert it: int(record.label)")
    if got == 1 or got == _COST_SAMPLE[1]:
        return CheckResult(False, f"you returned {got!r}: the index or the record",
                           "return the number itself: int(record.label)")
    if got == 104_729:
        return CheckResult(False, "104729 finished last, but did not take longest",
                           "compare durations, record.end - record.start, not end times")
    if got == 1_000_000:
        return CheckResult(False, "1000000 is the biggest number, but even: rejected at once",
                           "the cost depends on how far trial division must go; "
                           "compare the measured durations")
    return CheckResult(False, f"expected 999983, got {got!r}",
                       "max(records, key=lambda r: r.end - r.start), then int(.label)")


# --- Chapter 2: one thread per number ---------------------------------------

def check_thread_collect(fn: Callable[[list[int]], list[int]]) -> CheckResult:
    """Exercise: ``fn(numbers)``: one thread per number; returns the primes in input order."""
    started = []
    real_start = threading.Thread.start

    def counting_start(self, *args, **kwargs):
        started.append(self)
        return real_start(self, *args, **kwargs)

    threading.Thread.start = counting_start  # count the threads the learner starts
    try:
        got = fn(list(_NUMBERS))
    except Exception as err:
        return _raised(err, "start every thread, then join every thread, then read the answers")
    finally:
        threading.Thread.start = real_start
    left = [t for t in started if t.is_alive()]
    for t in left:
        t.join(5.0)
    if left:
        return CheckResult(False, f"{len(left)} thread(s) were still running when your function "
                           "returned", "join() every thread before reading its answer")
    if len(started) < len(_NUMBERS):
        return CheckResult(False, f"{len(started)} thread(s) started for {len(_NUMBERS)} numbers",
                           "this exercise wants one thread per number (the post's way 1)")
    if not isinstance(got, list):
        return CheckResult(False, f"expected a list of primes, got {type(got).__name__}",
                           "return a list of ints")
    if got == _PRIMES:
        return CheckResult(True, f"right: {len(_PRIMES)} primes, in input order, "
                           f"from {len(started)} threads")
    if sorted(got) == _PRIMES:
        return CheckResult(False, "the right primes, in the wrong order",
                           "threads finish in any order: store each answer by its position "
                           "(a list slot per number, or an attribute per thread) and build the "
                           "list after join()")
    if len(got) < len(_PRIMES) and set(got) <= set(_PRIMES):
        return CheckResult(False, f"{len(_PRIMES) - len(got)} prime(s) missing",
                           "did you read the answers before join()? Or did two threads write "
                           "to the same place without a lock?")
    return CheckResult(False, f"expected {_PRIMES}, got {got!r}",
                       "keep only the numbers for which is_prime(n) is True")


def check_still_running(fn: Callable[[list[threading.Thread], float], list[threading.Thread]]
                        ) -> CheckResult:
    """Exercise: ``fn(threads, timeout)`` waits at most ``timeout`` s, returns those still alive."""
    release = threading.Event()
    quick = [threading.Thread(target=time.sleep, args=(0.01,), name=f"quick-{k}") for k in range(2)]
    stuck = threading.Thread(target=release.wait, args=(10.0,), name="stuck")
    threads = quick[:1] + [stuck] + quick[1:]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    try:
        got = fn(list(threads), 0.2)
        err = None
    except Exception as exc:
        got, err = None, exc
    took = time.perf_counter() - t0
    release.set()  # let the stuck thread end, whatever the answer was
    for t in threads:
        t.join(5.0)
    if err is not None:
        if isinstance(err, AttributeError) and "isAlive" in str(err):
            return _raised(err, "isAlive() was removed in Python 3.9: call is_alive()")
        return _raised(err, "t.join(timeout) then t.is_alive() for each thread")
    if took > 2.0:
        return CheckResult(False, f"your function waited {took:.1f} s for a 0.2 s timeout",
                           "pass the timeout to join(); join() with no timeout waits forever")
    if not isinstance(got, list):
        return CheckResult(False, f"expected a list of threads, got {type(got).__name__}",
                           "return [t for t in threads if t.is_alive()] after joining")
    if got == [stuck]:
        return CheckResult(True, "right: only the stuck thread was still alive after the timeout")
    if not got:
        return CheckResult(False, "you returned no threads, but one was still running",
                           "join(timeout) returns None whether or not the thread ended; "
                           "ask is_alive() afterwards")
    if set(got) == set(threads):
        return CheckResult(False, "you returned every thread",
                           "keep only those for which is_alive() is still True after join(timeout)")
    return CheckResult(False,
                       f"expected only the thread named 'stuck', got {[t.name for t in got]}",
                       "join each with the timeout, then keep those where is_alive() is True")


# --- Chapter 3: a queue, four workers and a lock ----------------------------

class _PausingOutput(PrimeOutput):
    """A PrimeOutput whose every add invites a thread switch mid-way."""

    def add(self, n: int, *, pause: bool = True) -> None:
        super().add(n, pause=True)


class _CountingLock:
    """A lock that counts how often it was taken."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.acquired = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        got = self._lock.acquire(blocking, timeout)
        if got:
            self.acquired += 1
        return got

    def release(self) -> None:
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    __enter__ = acquire

    def __exit__(self, *exc: object) -> None:
        self.release()


def _hammer(add: Callable[[int], Any], threads: int = 4, each: int = 25) -> list[BaseException]:
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for j in range(each):
                add(k * 1000 + j)
        except BaseException as exc:
            errors.append(exc)

    ts = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(10.0)
    return errors


def check_safe_add(fn: Callable[[PrimeOutput, Any, int], None]) -> CheckResult:
    """Exercise: ``fn(output, lock, n)`` adds ``n`` to the shared output without losing any."""
    output, lock = _PausingOutput(100), _CountingLock()
    errors = _hammer(lambda n: fn(output, lock, n))
    if errors:
        return _raised(errors[0], "inside `with lock:`, call output.add(n)")
    kept = len(output.primes)
    if kept == 100 and lock.acquired >= 100:
        return CheckResult(True, "right: 4 threads added 100 numbers and all 100 are there")
    if kept == 0:
        return CheckResult(False, "nothing was added to the output",
                           "call output.add(n), inside `with lock:`")
    if lock.acquired == 0:
        return CheckResult(False, f"{100 - kept} of 100 numbers lost; the lock you were given "
                           "was never taken",
                           "use the lock passed in (`with lock:`); `with threading.Lock():` "
                           "makes a new lock on every call, which protects nothing")
    if kept < 100:
        return CheckResult(False, f"{100 - kept} of 100 numbers lost although the lock was taken",
                           "the whole add (read the mark, write the slot, move the mark) must "
                           "happen inside `with lock:`")
    return CheckResult(False, f"all numbers kept but the lock was taken {lock.acquired} times "
                       "for 100 adds", "take the lock once around each output.add(n)")


def check_drain(fn: Callable[[queue.Queue], list[Any]]) -> CheckResult:
    """Exercise: ``fn(q)`` takes every item from ``q`` and returns them, without hanging."""
    q: queue.Queue = queue.Queue()
    items = list(range(20))
    for x in items:
        q.put(x)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["got"] = fn(q)
        except BaseException as exc:
            box["err"] = exc

    t = threading.Thread(target=target, daemon=True, name="learner-drain")
    t.start()
    t.join(2.0)
    if t.is_alive():
        q.put(None)  # a blocking get() receives this and, we hope, returns
        t.join(1.0)
        return CheckResult(False, "your function was still waiting 2 s after the queue was empty",
                           "q.get() waits forever on an empty queue: use q.get_nowait() and "
                           "stop on queue.Empty (or q.get(timeout=...))")
    if "err" in box:
        return _raised(box["err"], "catch queue.Empty (from the queue module), not Exception")
    got = box.get("got")
    if got == items:
        return CheckResult(True, "right: all 20 items, in queue order, and no hang")
    if isinstance(got, list) and sorted(got) == items:
        return CheckResult(False, "all items, but out of order",
                           "a Queue hands items out first in, first out: append as you get them")
    if isinstance(got, list) and len(got) < len(items):
        return CheckResult(False, f"only {len(got)} of {len(items)} items",
                           "keep taking until get_nowait() raises queue.Empty; take each item "
                           "once, and skip none")
    return CheckResult(False, f"expected {items}, got {got!r}", "return the list of items taken")


# --- Chapter 4: ThreadPoolExecutor ------------------------------------------

_UNEVEN = (1_000_000_007, 4, 999_983, 6, 1_000_003, 9, 10_007, 15)


def check_input_order(fn: Callable[[list[int]], list[bool]]) -> CheckResult:
    """Exercise: ``fn(numbers)``: submit + as_completed; is_prime answers in input order."""
    before = {t.ident for t in threading.enumerate()}
    try:
        got = fn(list(_UNEVEN))
    except Exception as err:
        return _raised(err, "keep a dict {future: position} and fill a list of answers by position")
    expected = [is_prime(n) for n in _UNEVEN]
    # A pool's worker threads are not daemon threads; Jupyter's own helper threads are.
    deadline = time.monotonic() + 1.0
    left = [t for t in live_threads(before) if not t.daemon]
    while left and time.monotonic() < deadline:
        time.sleep(0.02)  # a shut-down pool's threads may need a moment to end
        left = [t for t in left if t.is_alive()]
    if left:
        return CheckResult(False, f"{len(left)} thread(s) were left running",
                           "use the pool in a with-block, which shuts it down and joins its threads")
    if not isinstance(got, list):
        return CheckResult(False, f"expected a list of booleans, got {type(got).__name__}",
                           "return one True/False per number")
    if got == expected:
        return CheckResult(True, "right: answers in input order, whatever order they finished in")
    if sorted(got) == sorted(expected) and len(got) == len(expected):
        return CheckResult(False, "the right answers in completion order",
                           "as_completed yields futures as they finish: map each future to its "
                           "position and store the answer there")
    if got == [n for n in _UNEVEN if is_prime(n)]:
        return CheckResult(False, "you returned the primes, not one answer per number",
                           "return [is_prime(n) for each n], in input order")
    return CheckResult(False, f"expected {expected}, got {got!r}",
                       "one is_prime answer per number, in input order")


def check_pool_task(make_task: Callable[[PrimeOutput], Callable[[int], None]]) -> CheckResult:
    """Exercise: ``make_task(output)`` returns ``task(n)``, which adds primes to ``output`` safely.

    The checker runs ``task`` over 280 numbers (60 primes) in a 4-thread pool, with an
    output that invites a thread switch inside every add.
    """
    numbers = list(range(2, 2 + 280))
    primes = [n for n in numbers if is_prime(n)]
    output = _PausingOutput(len(numbers))
    try:
        task = make_task(output)
        with ThreadPoolExecutor(max_workers=4) as pool:
            for fut in [pool.submit(task, n) for n in numbers]:
                fut.result(timeout=10)
    except Exception as err:
        return _raised(err, "make_task creates ONE lock, then returns a task that uses it")
    got = output.primes
    if sorted(got) == primes:
        return CheckResult(True, f"right: all {len(primes)} primes kept, under a 4-thread pool")
    if set(got) <= set(primes) and len(got) < len(primes):
        return CheckResult(False, f"{len(primes) - len(got)} of {len(primes)} primes lost",
                           "the pool protects return values, not your data. Create the lock in "
                           "make_task (once), not inside task (a new lock per call protects "
                           "nothing)")
    return CheckResult(False, f"output holds {got[:8]!r}...",
                       "add only the primes: `if is_prime(n): with lock: output.add(n)`")


# --- Chapter 5: what it shows -------------------------------------------------

def check_chunksize(fn: Callable[[int, int], int]) -> CheckResult:
    """Exercise: ``fn(n_items, workers)`` picks a chunksize for a process pool."""
    cases = [(10_000, 2), (10_000, 8), (100, 4), (3, 4), (1, 1)]
    for n, w in cases:
        try:
            c = fn(n, w)
        except Exception as err:
            return _raised(err, "compute it from n_items and workers with integer arithmetic")
        if c is None:
            return CheckResult(False, f"for {n} items and {w} workers you returned None",
                               "replace the ... with code that returns the chunksize, an int")
        if isinstance(c, bool) or not isinstance(c, int):
            return CheckResult(False, f"for {n} items and {w} workers you returned {c!r}",
                               "chunksize must be an int: use // or math.ceil")
        if c < 1:
            return CheckResult(False, f"for {n} items and {w} workers you returned {c}",
                               "chunksize is at least 1: with few items, max(1, ...)")
        chunks = -(-n // c)
        if chunks < min(n, w):
            return CheckResult(False, f"{n} items in chunks of {c} make {chunks} chunk(s) for "
                               f"{w} workers: some workers get nothing",
                               "make at least as many chunks as workers")
        if n >= 64 * w and chunks > 64 * w:
            return CheckResult(False, f"{n} items in chunks of {c} make {chunks} trips for "
                               f"{w} workers", "every trip costs pickling and a round trip to "
                               "another process; a few chunks per worker (say 4) is enough")
    return CheckResult(True, "sensible for every case: enough chunks to keep each worker "
                       "busy, few enough that trips stay cheap")


_SIZES = [10, 30, 100, 300, 1000, 3000]
_SEQ = [0.001, 0.003, 0.010, 0.030, 0.100, 0.300]
_PROC = [0.150, 0.152, 0.005, 0.160, 0.080, 0.170]


def check_crossover(fn: Callable[[list[int], list[float], list[float]], int | None]) -> CheckResult:
    """Exercise: ``fn(sizes, t_seq, t_proc)``: smallest size from which processes stay faster."""
    try:
        got = fn(list(_SIZES), list(_SEQ), list(_PROC))
        never = fn([1, 2], [0.1, 0.2], [0.5, 0.6])
    except Exception as err:
        return _raised(err, "walk the sizes from the largest down while processes are faster")
    if got == 1000 and never is None:
        return CheckResult(True, "right: processes win from 1000 on; the win at 100 was noise")
    if got == 1000:
        return CheckResult(False, f"right on the sample, but when processes never win you "
                           f"returned {never!r}", "return None when there is no crossover")
    if got == 100:
        return CheckResult(False, "100 is the first size where processes won, but they lost again "
                           "at 300", "a crossover must hold for every larger size too: scan from "
                           "the largest size down")
    if got == 3000:
        return CheckResult(False, "3000 is the last size, not the first of the winning run",
                           "keep going down while processes are still faster")
    return CheckResult(False, f"expected 1000, got {got!r}",
                       "the smallest size s such that t_proc < t_seq at s and every size above")

