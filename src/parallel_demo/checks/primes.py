"""Checkers for Part IV (the prime example, primes_sequential ... primes_what_it_shows).

Each checker runs the learner's code under a deadline (:func:`._base.run_bounded`)
on cases whose answer it knows, and gives the same verdict every time for the
same code: instead of hoping that a race shows, it *watches* what the code
does.  The thread checkers count the threads started and joined and when;
the lock checkers hand over a lock that records who holds it, so an ``add``
outside the lock, or a pair split over two critical sections, is seen even
when no number happens to be lost; the queue checker plays the other worker
that takes the last item between ``empty()`` and ``get()``.  The first hint
names the concept and the section to reread; the specific fix is the
``detail``, shown from the second failed try on.
"""

from __future__ import annotations

import math
import queue
import statistics
import sys
import threading
import time
from collections import deque
from typing import Any, Callable, Sequence

from .._hang import live_threads
from ..primes import PrimeOutput
from ..trace import TaskRecord
from ..workloads import is_prime, large_primes
from ._base import (CHECK_TIMEOUT, CheckResult, abandoned_message, call_learner, is_number,
                    is_whole, measure_for_check, run_bounded, sample_record, verdict)


def _raised(ex: str, err: BaseException, hint: str, detail: str = "") -> CheckResult:
    return verdict(ex, False, f"your function raised {type(err).__name__}: {err}", hint, detail)


# --- Chapter 1: the synchronous way ---------------------------------------------------------

class _FakeWork:
    """A callable whose cost the checker knows: a slow first call, then ``timed`` seconds each.

    Each call's real start and end are kept in ``spans`` (a sleep on a busy
    machine ends late), so the checker compares the learner's timings with what
    the calls really took, not with what they were asked to take.
    """

    def __init__(self, first: float, timed: Sequence[float]):
        self.first, self.timed = first, list(timed)
        self.calls = 0
        self.spans: list[tuple[float, float]] = []

    def __call__(self) -> None:
        self.calls += 1
        k = self.calls - 2  # the first call is the warm-up
        t0 = time.perf_counter()
        time.sleep(self.first if k < 0 else self.timed[k % len(self.timed)])
        self.spans.append((t0, time.perf_counter()))

    @property
    def durations(self) -> list[float]:
        """What each call took, the warm-up first."""
        return [end - start for start, end in self.spans]

    def bounds(self, returned: float) -> tuple[float, float]:
        """The least and the most a right answer can be: the timed calls' median duration,
        and the median of what a clock pair around each call can read.

        A learner's clock pair around timed call k reads at least that call's duration and
        at most the time from the end of the call before it to the start of the next one
        (to ``returned``, when the learner's function returned, for the last).  The median
        is monotone in every time, so the right median lies between these two medians,
        however late the machine ran anything.
        """
        spans = self.spans
        ends = [end for _, end in spans]
        nexts = [start for start, _ in spans[2:]] + [returned]
        durations = [end - start for start, end in spans[1:]]
        windows = [nxt - prev_end for nxt, prev_end in zip(nexts, ends[:-1])]
        return statistics.median(durations), statistics.median(windows)


_WARM = 0.1
#: (repeat, the timed calls' durations): each has one outlier, and repeat=1 exposes a timed
#: warm-up.  Calls of 10 ms or more, so that a sleep overshooting on a busy machine stays small.
_TIMER_CASES = [(7, [0.01, 0.15, 0.01, 0.01, 0.01, 0.01, 0.01]),
                (3, [0.02, 0.15, 0.02]),
                (1, [0.015])]
_TIMER_HINT = ("the four habits of 'Timing it properly': a warm-up call that is not timed, "
               "`repeat` timed calls, and the median of their times")


#: What a wrong timer may have returned, from the real durations of the calls
#: (the warm-up first), and what to say about it.
_TIMER_MISTAKES: dict[str, tuple[Callable[[list[float]], float], str]] = {
    "the mean of the timed calls": (
        lambda d: statistics.fmean(d[1:]),
        "one slow call pulls the mean up; the median ignores it: statistics.median(times)"),
    "the total of the timed calls": (
        lambda d: sum(d[1:]),
        "return one call's typical time, the median of the times, not their sum"),
    "the median with the warm-up timed too": (
        lambda d: statistics.median(d),
        "the warm-up call is made but not timed: call work() once before you start the clock"),
    "the mean with the warm-up timed too": (
        lambda d: statistics.fmean(d),
        "leave the warm-up out of the times, and take the median, not the mean"),
    "the slowest call": (
        lambda d: max(d[1:]),
        "the slowest call is the outlier; the median is the typical one"),
}


def check_timer(fn: Callable[..., float]) -> CheckResult:
    """Exercise: ``fn(work, repeat=7)``: warm up, time ``repeat`` calls, return the median.

    Three works, each with one slow outlier; repeat=1 exposes a timed warm-up.
    The learner's result is compared with the median of what the timed calls
    really took.  A wrong result is named by the mistake that explains all
    three works best (one work alone can leave two mistakes equally likely).
    """
    ex = "primes_seq_ex1"
    answers, runs = [], []
    for repeat, timed in _TIMER_CASES:
        work = _FakeWork(_WARM, timed)
        got, err = call_learner(fn, work, repeat=repeat)
        returned = time.perf_counter()
        if err is not None:
            return _raised(ex, err, "call work() with no arguments, and time each call with "
                           "time.perf_counter() (see 'Timing it properly')")
        if not is_number(got):
            return verdict(ex, False, f"expected a number of seconds, got {type(got).__name__}",
                           "a timer returns a duration in seconds, a float (see 'Timing it "
                           "properly')", "collect the times in a list, then return their median "
                           "(the statistics module has it)")
        if work.calls != repeat + 1:
            if work.calls == repeat:
                return verdict(ex, False, f"work() was called {work.calls} times for "
                               f"repeat={repeat}: no warm-up", _TIMER_HINT,
                               "call work() once before the timed loop, and do not time that call")
            return verdict(ex, False, f"work() was called {work.calls} times for repeat={repeat} "
                           f"(expected {repeat + 1}: one warm-up, {repeat} timed)", _TIMER_HINT,
                           "loop `for _ in range(repeat):`, a count that comes from the argument, "
                           "not a fixed number")
        if answers and got == answers[0]:
            return verdict(ex, False, f"you returned {got!r} for two different works",
                           "the answer must come from timing the work you are given",
                           "measure: perf_counter() before and after each call")
        answers.append(got)
        runs.append((repeat, got, work.durations, work.bounds(returned)))
    wrong = []
    for repeat, got, durations, (least, most) in runs:
        said = (f"got {got * 1e3:.1f} ms for repeat={repeat}, where a usual call took "
                f"{least * 1e3:.0f} ms")
        if got < least * 0.95:
            return verdict(ex, False, said + ": too small for calls that sleep that long",
                           "take the clock before and after each call and subtract (see "
                           "'Timing it properly')", "return seconds (not milliseconds, not a "
                           "count): time.perf_counter() - t0 for each call")
        if got > most * 1.02 + 1e-4:
            wrong.append(said)
    if not wrong:
        return verdict(ex, True, f"right: medians of {', '.join(f'{a * 1e3:.1f}' for a in answers)}"
                       " ms for three works, with the slow first call and the outliers left out")

    def misfit(name: str) -> list[float]:
        value = _TIMER_MISTAKES[name][0]
        return [abs(math.log(max(got, 1e-9) / value(d))) for _, got, d, _ in runs]

    name = min(_TIMER_MISTAKES, key=lambda n: sum(misfit(n)))
    if max(misfit(name)) < 0.25:
        return verdict(ex, False, f"{wrong[0]}: that looks like {name}", _TIMER_HINT,
                       _TIMER_MISTAKES[name][1])
    return verdict(ex, False, wrong[0], _TIMER_HINT,
                   "one untimed warm-up call, then `repeat` timed calls, then the median")


def _rec(index: int, start: float, end: float, label: str) -> TaskRecord:
    return sample_record(index, "main thread", start, end, label=label)


#: Two made-up loops: (records, the costliest number).  In each, a different record ends
#: last, a different number is the largest (and even), and the costliest is neither.
_COST_SAMPLES = [
    ([_rec(0, 0.0, 0.001, "7"), _rec(1, 0.001, 0.009, "999983"),
      _rec(2, 0.009, 0.010, "1000000"), _rec(3, 0.010, 0.013, "104729")], 999_983),
    ([_rec(0, 0.0, 0.002, "7919"), _rec(1, 0.002, 0.003, "2000000"),
      _rec(2, 0.003, 0.010, "65537"), _rec(3, 0.010, 0.011, "97"), _rec(4, 0.011, 0.014, "10007")],
     65_537),
]
_COST_HINT = ("what a check costs is how long it took: each record has .start and .end (see "
              "'Which numbers cost the most?')")


def check_costliest(fn: Callable[[list[TaskRecord]], int]) -> CheckResult:
    """Exercise: ``fn(records)`` returns the *number* (an int) whose check took longest."""
    ex = "primes_seq_ex2"
    for records, right in _COST_SAMPLES:
        got, err = call_learner(fn, list(records))
        if err is not None:
            return _raised(ex, err, "each record has .start, .end and .label (the number, as "
                           "text)", "max(...) with a key that computes each record's duration")
        if is_whole(got) and got == right:
            continue
        slowest = max(records, key=lambda r: r.end - r.start)
        if got == str(right):
            return verdict(ex, False, "right record, but you returned its label, a str",
                           "the exercise asks for the number, an int", "convert it: int(record.label)")
        if got is slowest or got == records.index(slowest):
            return verdict(ex, False, f"you returned {got!r}: the record or its position",
                           "the exercise asks for the number itself, an int",
                           "int(record.label) of the record you found")
        last = max(records, key=lambda r: r.end)
        if got == int(last.label):
            return verdict(ex, False, f"{got} finished last, but did not take longest",
                           _COST_HINT, "compare durations, record.end - record.start, not end times")
        if got == max(int(r.label) for r in records):
            return verdict(ex, False, f"{got} is the largest number, but even: rejected at once",
                           "the cost depends on how far trial division must go, and a "
                           "composite stops at its smallest factor (see 'Which numbers cost the "
                           "most?')", "compare the measured durations, record.end - record.start")
        if got == 999_983 and right != 999_983:
            return verdict(ex, False, "you returned 999983 for records that do not even contain it",
                           "the answer must come from the records you are given",
                           "find the record with the largest end - start and return int(its label)")
        fastest = min(records, key=lambda r: r.end - r.start)
        if got == int(fastest.label):
            return verdict(ex, False, f"{got} took the least time, not the most", _COST_HINT,
                           "max, not min")
        return verdict(ex, False, f"expected {right}, got {got!r}", _COST_HINT,
                       "max(records, key=...) with key = the record's duration, then int(.label)")
    return verdict(ex, True, "right on both samples: 999983 took 8 of 13 ms, then 65537 "
                   "(neither the largest number nor the last to finish)")


# --- Chapter 2: one thread per number --------------------------------------------------------

_COLLECT_INPUTS = [(2, 15, 17, 91, 97, 561, 7_919, 10_007, 65_537, 104_729, 999_983, 1_000_001),
                   (8, 13, 21, 101, 7_917, 7_919)]
_START_THEN_JOIN = ("threads can only overlap if every thread is started before you wait for "
                    "any of them (see 'A thread for every number')")


def _collect_once(fn: Callable[[list[int]], list[int]], numbers: Sequence[int]) -> dict[str, Any]:
    """Run ``fn(numbers)`` while recording the threads it starts and joins, and when."""
    started: list[threading.Thread] = []
    joins: list[tuple[threading.Thread, int]] = []  # (thread, how many were started by then)
    learner: dict[str, int] = {}
    real_start, real_join = threading.Thread.start, threading.Thread.join

    def start(self, *args, **kwargs):
        if threading.get_ident() == learner.get("ident"):
            started.append(self)
        return real_start(self, *args, **kwargs)

    def join(self, *args, **kwargs):
        if threading.get_ident() == learner.get("ident") and any(self is t for t in started):
            joins.append((self, len(started)))
        return real_join(self, *args, **kwargs)

    def call() -> Any:
        learner["ident"] = threading.get_ident()
        return fn(list(numbers))

    threading.Thread.start, threading.Thread.join = start, join  # see what the learner does
    try:
        out = run_bounded(call)
    finally:
        threading.Thread.start, threading.Thread.join = real_start, real_join
    return {"out": out, "started": started, "joins": joins}


def check_thread_collect(fn: Callable[[list[int]], list[int]]) -> CheckResult:
    """Exercise: ``fn(numbers)``: one thread per number, all started, then all joined;
    the primes in input order."""
    ex = "primes_tpn_ex1"
    for numbers in _COLLECT_INPUTS:
        primes = [n for n in numbers if is_prime(n)]
        seen = _collect_once(fn, numbers)
        out, started, joins = seen["out"], seen["started"], seen["joins"]
        if not out.finished:
            return verdict(ex, False, abandoned_message("Your function"),
                           "join() waits until its thread ends: is one of your threads waiting "
                           "for something that never comes?")
        if out.error is not None:
            return _raised(ex, out.error, "run it in a cell of its own and read the traceback",
                           "each thread's target gets its own arguments: args=(i, n)")
        left = [t for t in started if t.is_alive()]
        for t in left:
            t.join(2.0)
        if left:
            return verdict(ex, False, f"{len(left)} thread(s) were still running when your "
                           "function returned", "an answer is there only once its thread has "
                           "finished (see the four methods: join)", "join() every thread before "
                           "reading the answers")
        if len(started) < len(numbers):
            return verdict(ex, False, f"{len(started)} thread(s) started for {len(numbers)} "
                           "numbers", "this exercise wants one thread per number, started with "
                           "start() (see 'A thread for every number')",
                           "threading.Thread(target=..., args=(...)) for each number, then start()")
        joined = {id(t) for t, _ in joins}
        never = [t for t in started if id(t) not in joined]
        if never:
            return verdict(ex, False, f"{len(never)} of {len(started)} threads were never "
                           "joined", "a thread's answer is safe to read only after join() says "
                           "the thread has ended; sleeping and hoping is a guess (see the four "
                           "methods)", "after starting them all: for t in threads: t.join()")
        early = [k for _, k in joins if k < len(numbers)]
        if early:
            return verdict(ex, False, f"you waited for a thread when only {early[0]} of "
                           f"{len(numbers)} had been started: the threads ran one at a time",
                           _START_THEN_JOIN, "two loops: first start every thread, then join "
                           "every thread")
        got = out.value
        if not isinstance(got, list):
            return verdict(ex, False, f"expected a list of primes, got {type(got).__name__}",
                           "return a list of ints")
        if got == primes:
            continue
        if sorted(got) == sorted(primes) and len(got) == len(primes):
            return verdict(ex, False, "the right primes, in the wrong order",
                           "threads finish in any order: the position of each answer must not "
                           "depend on when its thread finished",
                           "store each answer by its position (a list slot per number, made "
                           "before starting), and build the list after join()")
        if len(got) < len(primes) and set(got) <= set(primes):
            return verdict(ex, False, f"{len(primes) - len(got)} prime(s) missing",
                           "did two threads write to the same place? Each should write only "
                           "a place of its own (see the summary)")
        return verdict(ex, False, f"for {list(numbers)} expected {primes}, got {got!r}",
                       "keep only the numbers for which is_prime(n) is True, and compute them "
                       "from the numbers you are given")
    return verdict(ex, True, "right: one thread per number, all started before any join, "
                   "primes in input order, for two inputs")


class _Watched(threading.Thread):
    """A checker thread that adds up how long ``join`` calls on it waited."""

    waited = 0.0

    def join(self, timeout: float | None = None) -> None:
        t0 = time.perf_counter()
        try:
            super().join(timeout)
        finally:
            self.waited += time.perf_counter() - t0


def _watched_threads(release: threading.Event, stuck: int, quick: int, quick_s: float
                     ) -> list[_Watched]:
    out: list[_Watched] = []
    for k in range(max(stuck, quick)):
        if k < stuck:
            out.append(_Watched(target=release.wait, args=(CHECK_TIMEOUT,), name=f"stuck-{k}",
                                daemon=True))
        if k < quick:
            out.append(_Watched(target=time.sleep, args=(quick_s,), name=f"quick-{k}", daemon=True))
    for t in out:
        t.start()
    return out


def check_still_running(fn: Callable[[list[threading.Thread], float], list[threading.Thread]]
                        ) -> CheckResult:
    """Exercise: ``fn(threads, timeout)`` waits at most ``timeout`` s in all, returns those alive."""
    ex = "primes_tpn_ex2"
    hint = ("join(timeout) waits at most that long for one thread; the exercise allows `timeout` "
            "for all of them together (see the four methods: join and is_alive)")
    release = threading.Event()
    timeout = 0.3
    threads = _watched_threads(release, stuck=2, quick=2, quick_s=0.05)
    try:
        out = run_bounded(fn, list(threads), timeout, timeout=3.0)
    finally:
        release.set()  # let the stuck threads end, whatever the answer was
    for t in threads:
        t.join(2.0)
    stuck = [t for t in threads if t.name.startswith("stuck")]
    if not out.finished:
        return verdict(ex, False, f"your function had not returned 3 s after a {timeout} s "
                       "timeout (the checker then let its stuck threads end)", hint,
                       "pass a timeout to every join(): join() with no timeout waits forever")
    if out.error is not None:
        if isinstance(out.error, AttributeError) and "isAlive" in str(out.error):
            return _raised(ex, out.error, "isAlive() was removed in Python 3.9 (see 'Subclassing "
                           "threading.Thread')", "call is_alive()")
        return _raised(ex, out.error, hint)
    got = out.value
    if not isinstance(got, list):
        return verdict(ex, False, f"expected a list of threads, got {type(got).__name__}",
                       "return the threads themselves, in a list")
    waited = sum(t.waited for t in stuck)
    if out.seconds > timeout * 1.6:
        if waited > timeout * 1.6:
            return verdict(ex, False, f"two threads were stuck and your function waited "
                           f"{out.seconds:.2f} s for a {timeout} s timeout: the full timeout for "
                           "each", hint, "share one deadline: deadline = time.monotonic() + "
                           "timeout, and join each thread for what is left of it")
        return verdict(ex, False, f"your function took {out.seconds:.2f} s for a {timeout} s "
                       "timeout", hint, "wait with join(what is left of the timeout), not "
                       "time.sleep")
    if any(t not in threads for t in got):
        return verdict(ex, False, "you returned something that is not one of the threads given",
                       "return a sub-list of `threads`")
    alive_names = sorted(t.name for t in got)
    if set(got) == set(stuck) and len(got) == len(stuck):
        pass
    elif not got:
        return verdict(ex, False, "you returned no threads, but two were still running",
                       "join(timeout) returns None whether or not the thread ended",
                       "ask is_alive() after the join")
    elif len(got) == len(threads):
        return verdict(ex, False, "you returned every thread", "which threads are still alive "
                       "*after* you have waited? (see is_alive)",
                       "join first, then keep those for which is_alive() is still True")
    else:
        return verdict(ex, False, f"expected the two threads named 'stuck-...', got {alive_names}",
                       "the quick threads end in 0.05 s: were they still alive when you asked?",
                       "join each with what is left of the timeout, then keep those where "
                       "is_alive() is True")
    # Second case: every thread ends quickly; waiting out the timeout anyway is a sleep, not a join.
    quick = _watched_threads(threading.Event(), stuck=0, quick=3, quick_s=0.02)
    long_timeout = 2.0
    out2 = run_bounded(fn, list(quick), long_timeout, timeout=long_timeout + 3.0)
    for t in quick:
        t.join(2.0)
    if not out2.finished or out2.error is not None:
        return verdict(ex, False, "with three quick threads your function "
                       + ("did not return" if not out2.finished else f"raised {out2.error!r}"),
                       hint)
    if out2.value:
        return verdict(ex, False, "three threads that had all finished were reported as "
                       "still running", "ask is_alive() after the join")
    if out2.seconds > long_timeout * 0.8:
        return verdict(ex, False, f"three threads ended within 0.02 s, and your function still "
                       f"waited {out2.seconds:.1f} s of its {long_timeout:g} s timeout",
                       "join() returns as soon as its thread ends; time.sleep(timeout) always "
                       "waits the whole time", "use join(remaining) instead of sleeping")
    return verdict(ex, True, f"right: the two stuck threads, after {out.seconds:.2f} s for a "
                   f"{timeout} s timeout (one deadline shared by all), and no wait at all when "
                   "every thread had finished")


# --- Chapter 3: a queue, four workers and a lock ----------------------------------------------

class _Abandoned(BaseException):
    """Raised inside a learner thread that the checker has stopped waiting for."""


class _WatchedLock:
    """The lock a checker hands over: it records its holder and how often it was taken.

    Once ``abandon()`` is called, a blocked or later ``acquire`` raises
    :class:`_Abandoned`, so threads stuck on a lock that was never released end.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = threading.Lock()  # must be held while changing the counters
        self.acquired = self.released = 0
        self.owner: int | None = None
        self.serial = 0  # which acquisition the lock is held under now
        self._abandoned = threading.Event()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        deadline = None if timeout is None or timeout < 0 else time.monotonic() + timeout
        while True:
            if self._abandoned.is_set():
                raise _Abandoned("the checker stopped waiting for this lock")
            wait = 0.05 if deadline is None else max(0.0, min(0.05, deadline - time.monotonic()))
            if self._lock.acquire(blocking, wait if blocking else -1):
                with self._count:
                    self.acquired += 1
                    self.serial += 1
                    self.owner = threading.get_ident()
                return True
            if not blocking or (deadline is not None and time.monotonic() >= deadline):
                return False

    def release(self) -> None:
        with self._count:
            self.owner = None
            self.released += 1
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    def abandon(self) -> None:
        self._abandoned.set()

    @property
    def abandoned(self) -> bool:
        return self._abandoned.is_set()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


class _AuditedOutput(PrimeOutput):
    """A PrimeOutput that pauses inside every add and notes, per add, under which hold of
    ``lock`` it ran (None: the lock was not held by the adding thread)."""

    def __init__(self, capacity: int, lock: _WatchedLock | None, pause: float = 0.0):
        super().__init__(capacity)
        self.lock, self.pause = lock, pause
        self.inside = self.most_inside = 0
        self._meta = threading.Lock()  # must be held while changing inside/log
        self.log: dict[int, list[tuple[int, int | None]]] = {}  # thread -> [(n, serial)]

    def add(self, n: int, *, pause: bool = True) -> None:
        me = threading.get_ident()
        held = (self.lock.serial if self.lock is not None and self.lock.owner == me else None)
        with self._meta:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
            self.log.setdefault(me, []).append((n, held))
        try:
            k = self.filled
            time.sleep(self.pause)   # invite another thread in at the worst moment
            self.slots[k] = n
            self.filled = k + 1
        finally:
            with self._meta:
                self.inside -= 1


def _crew(work: Callable[[int], Any], items: Sequence[Any], threads: int, timeout: float,
          on_timeout: Callable[[], None]) -> tuple[list[BaseException], int]:
    """Run ``work(item)`` for every item on ``threads`` daemon threads, within ``timeout`` in all.

    Returns (errors, threads still running after ``on_timeout()`` had its chance to free them).
    """
    todo: queue.Queue = queue.Queue()
    for x in items:
        todo.put(x)
    errors: list[BaseException] = []

    def loop() -> None:
        while True:
            try:
                x = todo.get_nowait()
            except queue.Empty:
                return
            try:
                work(x)
            except _Abandoned:
                return
            except BaseException as exc:  # the learner's bug is the checker's data
                errors.append(exc)

    crew = [threading.Thread(target=loop, daemon=True, name=f"checker-crew-{k}")
            for k in range(threads)]
    for t in crew:
        t.start()
    deadline = time.monotonic() + timeout
    for t in crew:
        t.join(max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() for t in crew):
        while True:  # nothing more for them: the blocked ones get freed, the rest stop
            try:
                todo.get_nowait()
            except queue.Empty:
                break
        end = time.monotonic() + 2.0
        while any(t.is_alive() for t in crew) and time.monotonic() < end:
            on_timeout()
            for t in crew:
                t.join(0.02)
    return errors, sum(t.is_alive() for t in crew)


#: Twin primes: (p, p + 2), both prime.
_TWINS = [(p, p + 2) for p in range(3, 2000) if is_prime(p) and is_prime(p + 2)][:100]
_PAIR_HINT = ("a pair is one critical section: no other thread may add between its two primes, "
              "so both adds happen during one hold of the lock (see 'The critical section and "
              "its lock')")


def check_safe_add(fn: Callable[[PrimeOutput, Any, int, int], None]) -> CheckResult:
    """Exercise: ``fn(output, lock, p, q)`` stores a twin pair in two adjacent slots, from 4 threads.

    The checker's lock records who holds it, so a pair added outside the lock,
    or over two holds of it, is caught even on a run where nothing was lost.
    A lock that is never released does not hang the checker: after 3 s it
    frees the blocked threads and says so.
    """
    ex = "primes_queue_ex1"
    lock = _WatchedLock()
    output = _AuditedOutput(2 * len(_TWINS) + 8, lock)
    calls: dict[tuple[int, int], list[tuple[int, int | None]]] = {}

    def work(pair: tuple[int, int]) -> None:
        me = threading.get_ident()
        before = len(output.log.get(me, []))
        fn(output, lock, *pair)
        calls[pair] = output.log.get(me, [])[before:]

    errors, stuck = _crew(work, _TWINS, 4, timeout=3.0, on_timeout=lock.abandon)
    if lock.acquired > lock.released and (stuck or lock.abandoned):
        recover = (abandoned_message("Your safe_add", 3.0) if stuck else
                   "The checker then freed the threads that were waiting for it.")
        return verdict(ex, False, f"the lock was taken {lock.acquired} time(s) and released "
                       f"{lock.released} time(s): it was never released, so the other threads "
                       f"waited for it forever. {recover}",
                       "every acquire() needs its release(), even when the code in between "
                       "raises (see 'The critical section and its lock')",
                       "use `with lock:`, which releases the lock when the block ends")
    if errors:
        err = errors[0]
        if isinstance(err, IndexError):
            return verdict(ex, False, f"{type(err).__name__}: {err}: more numbers were added "
                           "than the pairs hold", "add each of the two primes once")
        return _raised(ex, err, "run your function once by hand on a PrimeOutput and a "
                       "threading.Lock() and read the traceback")
    adds = [a for log in calls.values() for a in log]
    if not adds:
        return verdict(ex, False, "nothing was added to the output",
                       "the function must store both primes of the pair in the output "
                       "(see PrimeOutput.add in 'The critical section and its lock')")
    if any(sorted(n for n, _ in log) != sorted(pair) for pair, log in calls.items()):
        bad = next(p for p, log in calls.items() if sorted(n for n, _ in log) != sorted(p))
        return verdict(ex, False, f"for the pair {bad} your function added "
                       f"{[n for n, _ in calls[bad]]}", "add p and q, each once")
    unlocked = sum(serial is None for _, serial in adds)
    lost = len(adds) - output.filled
    if lock.acquired == 0:
        return verdict(ex, False, f"the lock you were given was never taken; {lost} of "
                       f"{len(adds)} numbers were lost", "a lock protects only if every thread "
                       "takes the same one (see 'The critical section and its lock')",
                       "take the lock passed in (`with lock:`); `with threading.Lock():` makes "
                       "a new lock on every call, which no other thread ever sees")
    if unlocked:
        return verdict(ex, False, f"{unlocked} of {len(adds)} adds ran without holding the lock"
                       + (f", and {lost} numbers were lost" if lost else
                          " (none happened to be lost this time, but nothing stopped it)"),
                       _PAIR_HINT, "put both output.add calls inside one `with lock:` block")
    split = sum(len({s for _, s in log}) > 1 for log in calls.values())
    if split:
        apart = sum(abs(output.slots.index(p) - output.slots.index(q)) != 1
                    for p, q in calls if p in output.slots and q in output.slots)
        return verdict(ex, False, f"{split} of {len(calls)} pairs were added under two "
                       f"separate holds of the lock; {apart} pair(s) ended up apart",
                       _PAIR_HINT, "one `with lock:` block around both adds, not one per add")
    return verdict(ex, True, f"right: 4 threads added {len(calls)} twin pairs, each pair in one "
                   "hold of the lock, and every pair sits in adjacent slots")


class _WatchedQueue(queue.Queue):
    """A Queue that notes the first time the learner touches it, and how it is read."""

    def __init__(self) -> None:
        super().__init__()
        self.touched = threading.Event()
        self.nonblocking_gets = 0
        self.peeks = 0

    # The deque lives under another name, so that `q.queue` (reading without taking) is seen.
    def _init(self, maxsize: int) -> None:
        self._items: deque = deque()

    def _qsize(self) -> int:
        return len(self._items)

    def _put(self, item: Any) -> None:
        self._items.append(item)

    def _get(self) -> Any:
        return self._items.popleft()

    @property
    def queue(self) -> deque:  # type: ignore[override]
        self.touched.set()
        self.peeks += 1
        return self._items

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        self.touched.set()
        if not block:
            self.nonblocking_gets += 1
        return super().get(block, timeout)

    def empty(self) -> bool:
        self.touched.set()
        return super().empty()

    def qsize(self) -> int:
        self.touched.set()
        return super().qsize()


#: Items each producer puts (then its stop marker, None); producer 0 is done first.
_PRODUCED = [2, 6, 6]
_DRAIN_HINT = ("the queue can be empty for a moment while producers are still working; only "
               "the stop markers say that no more will come (see 'A crew of four and a queue')")


def check_drain(fn: Callable[[queue.Queue, int], list[Any]]) -> CheckResult:
    """Exercise: ``fn(q, producers)`` returns every item that ``producers`` threads put into ``q``.

    Each producer puts its items, with pauses, then one ``None`` (its stop
    marker).  The producers start only once the learner's code first looks
    at the queue, so it always finds it empty at first: an ``empty()`` or
    ``get_nowait()`` loop stops at once, every time.
    """
    ex = "primes_queue_ex2"
    q = _WatchedQueue()
    items = [(k, j) for k, count in enumerate(_PRODUCED) for j in range(count)]
    stop = threading.Event()

    def produce(k: int, count: int) -> None:
        q.touched.wait(CHECK_TIMEOUT)
        for j in range(count):
            if stop.wait(0.01 * (k + 1)):
                return
            q.put((k, j))
        q.put(None)

    producers = [threading.Thread(target=produce, args=(k, c), daemon=True, name=f"producer-{k}")
                 for k, c in enumerate(_PRODUCED)]
    for t in producers:
        t.start()
    out = run_bounded(fn, q, len(producers), timeout=3.0)
    q.touched.set()  # producers start even if the learner never looked at the queue
    for t in producers:
        t.join(2.0)
    stop.set()
    if not out.finished:
        for _ in range(len(producers) + 20):  # a get() waiting for more is freed by a marker
            q.put(None)
        return verdict(ex, False, "your function was still waiting 3 s after the last stop marker. "
                       "The checker put extra stop markers in the queue to free it; if it "
                       "still waits: " + abandoned_message("Your function", 3.0),
                       "after the last producer's stop marker nothing more comes: a get() then "
                       "waits forever", "count the None markers and return when you have seen "
                       "`producers` of them")
    if out.error is not None:
        if isinstance(out.error, queue.Empty):
            return verdict(ex, False, "queue.Empty was raised: the queue was empty for a moment",
                           _DRAIN_HINT, "wait for items with q.get() (or q.get(timeout=...)), "
                           "and stop on the markers, not on an empty queue")
        return _raised(ex, out.error, "catch queue.Empty (from the queue module), not Exception")
    got = out.value
    if not isinstance(got, list):
        return verdict(ex, False, f"expected a list of items, got {type(got).__name__}",
                       "return the items you took, in a list")
    real = [x for x in got if x is not None]
    if q.peeks and len(q._items) and q.nonblocking_gets == 0:
        return verdict(ex, False, f"you read q.queue, but took nothing: {len(q._items)} item(s) "
                       "are still in the queue", "`q.queue` is the queue's private deque: "
                       "looking at it takes nothing and is not safe while others put (see 'A "
                       "crew of four and a queue')", "take items with q.get()")
    if not real:
        return verdict(ex, False, "you returned no items: the queue was empty when you looked, "
                       "but the producers had not finished", _DRAIN_HINT,
                       "loop on q.get(), counting stop markers: stop when you have seen "
                       "`producers` Nones")
    if q.nonblocking_gets > 200:
        return verdict(ex, False, f"you called get_nowait() {q.nonblocking_gets} times: that is "
                       "polling, a loop that burns CPU (and the GIL) while it waits",
                       "a blocking get() sleeps until an item arrives (see 'A crew of four and "
                       "a queue')", "use q.get() (or q.get(timeout=...)) instead of a "
                       "get_nowait() loop")
    if len(real) < len(items):
        return verdict(ex, False, f"only {len(real)} of {len(items)} items: you stopped before "
                       "every producer had finished", _DRAIN_HINT,
                       "stop after the `producers`-th None, not the first one")
    if sorted(real) != sorted(items):
        return verdict(ex, False, f"{len(real)} items, but not the {len(items)} produced, each "
                       "once", "take each item once and keep it")
    if len(real) != len(got):
        return verdict(ex, False, "the list you returned contains the stop markers",
                       "the markers are not items: leave the Nones out of the result")
    return verdict(ex, True, f"right: all {len(items)} items from {len(producers)} producers, "
                   "and you returned right after the last stop marker, without polling")


# --- Chapter 4: ThreadPoolExecutor -------------------------------------------------------------

_BIG: list[int] = []


def _uneven_inputs() -> list[tuple[int, ...]]:
    if not _BIG:
        # About 0.1 s of work (many switch intervals): it finishes long after the rest even
        # when a loaded machine delays the learner's thread (tens of ms at 10**12 was not
        # always enough with four test processes on 2 CPUs).
        _BIG.append(large_primes(1, 10**13)[0])
    big = _BIG[0]
    return [(big, 4, 97, 6, 9, 10_007, 15, 561), (15, 7_919, big, 8, 65_537)]


def check_input_order(fn: Callable[[list[int]], list[bool]]) -> CheckResult:
    """Exercise: ``fn(numbers)``: submit + as_completed; is_prime answers in input order.

    The first number is a large prime that finishes long after the others,
    so answers taken in completion order never come out in input order.
    """
    ex = "primes_pool_ex1"
    for numbers in _uneven_inputs():
        before = {t.ident for t in threading.enumerate()}
        got, err = call_learner(fn, list(numbers))
        if err is not None:
            return _raised(ex, err, "every future belongs to one number: remember which (see "
                           "'as_completed hands over whatever is ready')")
        expected = [is_prime(n) for n in numbers]
        # Threads that a shut-down pool would have ended (learner code runs in a daemon
        # thread, so its pool's threads are daemons too: they are told apart by name).
        deadline = time.monotonic() + 1.0
        left = [t for t in live_threads(before) if t.name != "learner-code"]
        while left and time.monotonic() < deadline:
            time.sleep(0.02)  # a shut-down pool's threads may need a moment to end
            left = [t for t in left if t.is_alive()]
        if left:
            return verdict(ex, False, f"{len(left)} thread(s) were left running",
                           "a pool must be shut down (see 'The pool version': the with block)",
                           "use the pool in a with-block, which shuts it down and joins its threads")
        if not isinstance(got, list):
            return verdict(ex, False, f"expected a list of booleans, got {type(got).__name__}",
                           "return one True/False per number, in input order")
        if got == expected:
            continue
        if len(got) == len(expected) and sorted(got) == sorted(expected):
            return verdict(ex, False, "the right answers, in the order the tasks finished",
                           "as_completed yields futures as they finish, not in input order (see "
                           "'as_completed hands over whatever is ready')",
                           "keep a dict {future: position} and store each answer at its position")
        if got == [n for n in numbers if is_prime(n)]:
            return verdict(ex, False, "you returned the primes, not one answer per number",
                           "the exercise asks for is_prime's answer for every number")
        return verdict(ex, False, f"for {list(numbers)} expected {expected}, got {got!r}",
                       "one is_prime answer per number, computed from the numbers you are given")
    return verdict(ex, True, "right: answers in input order for two inputs, although the large "
                   "prime finished last each time")


def _locks_in(fn: Callable[..., Any]) -> list[Any]:
    """The lock-like objects a closure holds (to free one a learner forgot to release)."""
    cells = getattr(fn, "__closure__", None) or ()
    out = []
    for c in cells:
        try:
            v = c.cell_contents
        except ValueError:
            continue
        if hasattr(v, "acquire") and hasattr(v, "release") and hasattr(v, "locked"):
            out.append(v)
    return out


def check_pool_task(make_task: Callable[[PrimeOutput], Callable[[int], None]]) -> CheckResult:
    """Exercise: ``make_task(output)`` returns ``task(n)``, which adds primes to ``output`` safely.

    The checker runs ``task`` over 280 numbers (60 primes) on four threads,
    with an output that sleeps inside every add, and watches whether two adds
    ever ran at the same time.
    """
    ex = "primes_pool_ex2"
    numbers = list(range(2, 2 + 280))
    primes = [n for n in numbers if is_prime(n)]
    output = _AuditedOutput(len(numbers), None, pause=0.0005)
    task, err = call_learner(make_task, output, timeout=3.0)
    if err is not None or not callable(task):
        return verdict(ex, False, f"make_task(output) returned {task!r}" if err is None
                       else f"make_task raised {type(err).__name__}: {err}",
                       "make_task returns a function: def task(n): ... then return task")

    freed: list[Any] = []

    def free() -> None:
        for lk in _locks_in(task):
            if lk.locked():
                try:
                    lk.release()
                    freed.append(lk)
                except RuntimeError:  # released meanwhile, or an RLock owned by another thread
                    pass

    errors, stuck = _crew(task, numbers, 4, timeout=5.0, on_timeout=free)
    if stuck or freed or _lock_left(task):
        return verdict(ex, False, "the tasks stopped: a lock was taken and never released. "
                       + (abandoned_message("Your task", 5.0) if stuck else
                          "The checker released it by hand to let the threads end."),
                       "every acquire() needs its release() (see 'The critical section and its "
                       "lock', previous chapter)", "use `with lock:`, which always releases")
    if errors:
        return _raised(ex, errors[0], "run task(n) by hand on a PrimeOutput first")
    got = output.primes
    if any(not is_prime(n) for n in got):
        return verdict(ex, False, f"the output holds non-primes: {[n for n in got if not is_prime(n)][:5]}",
                       "the task adds n only if is_prime(n) is True")
    if output.most_inside > 1 or sorted(got) != primes:
        lost = len(primes) - len(got)
        return verdict(ex, False, f"{output.most_inside} adds ran at the same time, and "
                       f"{max(lost, 0)} of {len(primes)} primes were lost",
                       "the pool protects return values, not your data; and a lock protects "
                       "only if every task takes the same one: where is yours created? (see "
                       "'What the pool protects, and what it does not')",
                       "create the lock once, in make_task, before defining task; inside task: "
                       "`if is_prime(n): with lock: output.add(n)`")
    return verdict(ex, True, f"right: all {len(primes)} primes kept on four threads, and no two "
                   "adds ever overlapped")


def _lock_left(task: Callable[..., Any]) -> bool:
    """Is a lock in ``task``'s closure still held now that every thread has finished?"""
    return any(lk.locked() for lk in _locks_in(task))


# --- Chapter 2 (inline): predict, then measure ---------------------------------------------

#: A prediction this close (relative) to the measured speedup passes.
_THREAD_TOLERANCE = 0.25


def _gil_enabled() -> bool:
    probe = getattr(sys, "_is_gil_enabled", None)
    return True if probe is None else bool(probe())


def _measure_threads(numbers: Sequence[int], repeat: int) -> tuple[Any, Any]:
    from ..primes import measure_ways

    m = measure_ways(numbers, ways=["sequential", "thread per number"], repeat=repeat, warmup=1)
    return m["sequential"], m["thread per number"]


def _judge_thread_prediction(prediction: float, measured: float, low: float, high: float, *,
                            threads: int, cpus: int, gil: bool = True) -> CheckResult:
    """The verdict on a predicted speedup of ``threads`` threads over the loop (pure: for tests)."""
    ex = "primes_tpn_predict"
    off = (prediction - measured) / measured
    said = (f"you predicted {prediction:.2f}×, measured {measured:.2f}× (rounds {low:.2f}–"
            f"{high:.2f}×): {abs(off):.0%} {'too high' if off > 0 else 'too low'}"
            if abs(off) >= 0.005 else f"you predicted {prediction:.2f}×, measured "
            f"{measured:.2f}×: spot on")
    theory = (0.8, 1.1) if gil else (0.8 * min(threads, cpus), 1.05 * min(threads, cpus))
    # Near the median, not anywhere in the band: on a busy machine three rounds can span 0.5-3x,
    # and a prediction that threads compute in parallel under the GIL is wrong whatever one
    # noisy measurement said.
    near = abs(prediction - measured) <= _THREAD_TOLERANCE * measured
    if near and not (gil and prediction >= 1.5):
        return verdict(ex, True, f"Well predicted: {said}.")
    if theory[0] <= prediction <= theory[1]:
        return verdict(ex, True, f"Well reasoned: {said}. Your number is what this build should "
                       "give; the machine was busy while it measured (run the cell again to see "
                       "the measurement move).")
    if gil and prediction >= 1.5:
        if abs(prediction - threads) < 0.3:
            why = ("That is the ideal line: four threads, each on a CPU of its own, all "
                   "computing at once.")
        elif abs(prediction - cpus) < 0.3:
            why = f"That is the physical limit, one thread per CPU ({cpus}), all computing at once."
        else:
            why = "That assumes the threads compute at the same time."
        return verdict(ex, False, f"Not quite: {said}. {why}",
                       "what does a thread need to hold to run Python code, and how many can "
                       "hold it at once? (the next section, on the GIL)",
                       "in a standard CPython build only one thread runs Python code at a time: "
                       "with start-up negligible, expect about 1×, a little less for the turns")
    if prediction < 0.8 * low:
        return verdict(ex, False, f"Not quite: {said}.",
                       "start-up mattered for microsecond checks; here each check takes tens of "
                       "milliseconds (see 'Where the time goes')",
                       "four thread start-ups cost well under a millisecond against about 100 ms "
                       "of work: the start-ups hardly count, so expect about 1×")
    return verdict(ex, False, f"Not quite: {said}.",
                   "think of two costs: starting the threads, and whether they can compute at "
                   "the same time (the GIL)",
                   "start-up is negligible here and the threads take turns: expect about 1×")


def check_thread_prediction(prediction: Any, *, numbers: Sequence[int] | None = None,
                            repeat: int = 5, draw: bool = True,
                            _measure: Callable[[], tuple[Any, Any]] | None = None) -> CheckResult:
    """Predict-then-measure: the speedup of one thread per number over the loop on big primes.

    Measures the loop and ``find_primes_thread_per_number`` on four primes
    near 3 × 10¹¹ in five interleaved rounds, draws the prediction against the
    measurement and the ideal line (charts.scaling's prediction chart), says
    how far off it was, and words the comparison through
    :func:`parallel_demo.verdict.compare` (never a parallel win on one CPU).
    """
    ex = "primes_tpn_predict"
    if prediction is ... or prediction is None:
        return verdict(ex, False, "my_prediction is still empty: type a number first",
                       "replace the ... with your predicted speedup, e.g. my_prediction = 2.5 "
                       "(a guess is fine: the point is to commit before you see the measurement)")
    if not is_number(prediction):
        return verdict(ex, False, f"my_prediction must be a number, got {prediction!r:.40}",
                       "type the number itself, without quotes: my_prediction = 2.5")
    if prediction <= 0:
        return verdict(ex, False, f"a speedup of {prediction:g} is impossible",
                       "speedup = the loop's time / the threads' time: a positive number, and 1 "
                       "means no gain")
    nums = list(numbers) if numbers is not None else large_primes(4, 3 * 10**11)
    measured, failed = measure_for_check(ex, _measure or (lambda: _measure_threads(nums, repeat)))
    if failed is not None:
        return failed
    loop, threads = measured
    from ..env import effective_cpus
    from ..scaling import PredictionRun
    from ..verdict import compare

    # The speedup and its range are the verdict's ratio and band, as in every speedup of the book.
    judged = compare(threads, loop, parallel=True)
    measured, low, high = judged.ratio, min(judged.low, judged.ratio), max(judged.high, judged.ratio)
    cpus = effective_cpus()
    run = PredictionRun(float(prediction), len(nums), 0.0, measured, low, high, cpus)
    if draw:
        from ..charts.affinity import plot_thread_prediction

        plot_thread_prediction(run, gil=_gil_enabled(), title=(
            f"{run.workers} threads, one per big prime: your prediction {run.prediction:.2f}×, "
            f"measured {run.measured:.2f}×"))
    result = _judge_thread_prediction(float(prediction), measured, low, high, threads=len(nums),
                                     cpus=cpus, gil=_gil_enabled())
    said = judged.sentence("The threads", "the loop")
    return CheckResult(result.passed, f"{result.message} {said}", result.hint, result.detail,
                       result.tries)


# --- Chapter 5: what it shows ------------------------------------------------------------------

_CHUNK_CASES = [(10_000, 2), (10_000, 8), (100, 4), (3, 4), (1, 1), (1_000, 2)]
_CHUNK_HINT = ("two costs pull against each other: every trip to a worker costs pickling and a "
               "round trip, and too few chunks leave workers idle at the end (see 'Many small "
               "tasks: chunksize')")


def check_chunksize(fn: Callable[[int, int], int]) -> CheckResult:
    """Exercise: ``fn(n_items, workers)`` picks a chunksize for a process pool."""
    ex = "primes_shows_ex1"
    for n, w in _CHUNK_CASES:
        c, err = call_learner(fn, n, w, timeout=2.0)
        if err is not None:
            return _raised(ex, err, "compute it from n_items and workers with integer arithmetic")
        case = f"for {n} items and {w} workers"
        if c is None:
            return verdict(ex, False, f"{case} you returned None",
                           "replace the ... with code that returns the chunksize, an int")
        if not is_whole(c):
            return verdict(ex, False, f"{case} you returned {c!r}",
                           "a chunksize counts items: an int", "use // or math.ceil, not /")
        if c < 1:
            return verdict(ex, False, f"{case} you returned {c}",
                           "every chunk holds at least one item",
                           "with few items, integer division gives 0: max(1, ...)")
        chunks = -(-n // c)
        if chunks < min(n, w):
            return verdict(ex, False, f"{n} items in chunks of {c} make {chunks} chunk(s) for "
                           f"{w} workers: some workers get nothing", _CHUNK_HINT,
                           "make at least as many chunks as workers")
        if n >= 4 * w and chunks < 2 * w:
            return verdict(ex, False, f"{n} items in chunks of {c} make {chunks} chunk(s) for "
                           f"{w} workers: one per worker, so a worker that gets a slow chunk "
                           "finishes last while the others sit idle", _CHUNK_HINT,
                           "aim for a few chunks per worker (say 4): n_items / (4 * workers), "
                           "rounded up")
        if n >= 64 * w and chunks > 64 * w:
            return verdict(ex, False, f"{n} items in chunks of {c} make {chunks} trips for {w} "
                           "workers", _CHUNK_HINT, "a few chunks per worker (say 4) is enough: "
                           "divide by 4 * workers, not by a constant")
    return verdict(ex, True, "sensible for every case: enough chunks to keep each worker busy to "
                   "the end, few enough that trips stay cheap, and at least 1")


#: (sizes, loop times, process-pool times, the answer, what the case catches)
_CROSS_CASES = [
    ([10, 30, 100, 300, 1000, 3000], [0.001, 0.003, 0.010, 0.030, 0.100, 0.300],
     [0.150, 0.152, 0.005, 0.160, 0.080, 0.170], 1000, "a lucky win at 100"),
    ([1, 2, 4, 8, 16, 32, 64, 128], [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0],
     [1.5, 1.9, 4.5, 7.5, 15.0, 33.0, 60.0, 120.0], 64, "two wins in a row, then a loss"),
    ([5, 50, 500], [0.01, 0.1, 1.0], [0.5, 0.09, 1.2], None, "no win at the largest size"),
    ([5, 50, 500], [0.2, 0.3, 0.4], [0.1, 0.1, 0.1], 5, "a win at every size"),
    ([5, 50, 500], [0.2, 0.3, 0.4], [0.3, 0.3, 0.1], 500, "a tie is not a win"),
]
_CROSS_HINT = ("a crossover is where processes win at that size *and every larger one*; a win "
               "followed by a loss is noise (see 'Growing the input: more numbers')")


def _first_win(s, a, b):
    return next((x for x, q, p in zip(s, a, b) if p < q), None)


def _one_ahead(s, a, b):
    for i in range(len(s) - 1):
        if b[i] < a[i] and b[i + 1] < a[i + 1]:
            return s[i]
    return s[-1] if b[-1] < a[-1] else None


def check_crossover(fn: Callable[[list[int], list[float], list[float]], int | None]) -> CheckResult:
    """Exercise: ``fn(sizes, t_seq, t_proc)``: smallest size from which processes stay faster."""
    ex = "primes_shows_ex2"
    for sizes, seq, proc, right, what in _CROSS_CASES:
        got, err = call_learner(fn, list(sizes), list(seq), list(proc), timeout=2.0)
        if err is not None:
            return _raised(ex, err, _CROSS_HINT)
        if got == right and type(got) is type(right):
            continue
        case = f"sizes {sizes}, {what}: expected {right}, got {got!r}"
        if right is None:
            return verdict(ex, False, case, _CROSS_HINT,
                           "when processes do not win at the largest size, there is no "
                           "crossover: return None")
        if got == _first_win(sizes, seq, proc):
            return verdict(ex, False, case + " (the first win)", _CROSS_HINT,
                           "scan from the largest size down while processes are still faster")
        if got == _one_ahead(sizes, seq, proc):
            return verdict(ex, False, case + " (you looked one size ahead)", _CROSS_HINT,
                           "two wins in a row are not enough: every larger size must be a win")
        if got == sizes[-1]:
            return verdict(ex, False, case + " (the largest size)", _CROSS_HINT,
                           "keep going down while processes are still faster")
        if isinstance(got, int) and got in range(len(sizes)) and sizes[got] == right:
            return verdict(ex, False, case + ": that is a position", "return the size itself")
        if got is None:
            return verdict(ex, False, case, _CROSS_HINT, "return None only when processes do "
                           "not win at the largest size")
        if right == 500 and got == 50:
            return verdict(ex, False, case, "faster means strictly less time", "use <, not <=")
        return verdict(ex, False, case, _CROSS_HINT,
                       "the smallest size s such that t_proc < t_seq at s and at every size above")
    return verdict(ex, True, "right on five cases: a lucky win, two wins then a loss, no win, a "
                   "win everywhere, and a tie")
