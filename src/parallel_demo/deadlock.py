"""deadlock: deadlocks on purpose, bounded: every demo returns a report instead of hanging.

Each demo starts named threads that take :class:`~parallel_demo.locks.TrackedLock`
objects, makes the bad interleaving *certain* with a :class:`threading.Barrier`
(rather than hoping the scheduler produces it), and waits for every lock with a
timeout.  A deadlock therefore shows up as timeouts plus the wait-for graph
captured at the moment of the first timeout, and every thread is joined
before the function returns.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from ._hang import JOIN_TIMEOUT, join_threads
from ._validate import check_callable, check_int, check_items, check_seconds
from .locks import LockMonitor, LockRecord, TrackedLock, WaitForGraph
from .trace import now

_JOIN = JOIN_TIMEOUT  # the one demo-thread deadline, from _hang


def _join_all(threads: list[threading.Thread], timeout: float = _JOIN) -> list[str]:
    """Join every thread against one deadline; the names of any still alive (should be none)."""
    return [t.name for t in join_threads(threads, timeout)]


@dataclass(frozen=True)
class DeadlockReport:
    """What happened when threads tried to take their locks.

    Attributes:
        order: How the locks were taken (``"opposite"``, ``"global"``, ``"backoff"``,
            ``"livelock"``).
        finished: Names of the threads that did their work (held both locks).
        gave_up: Names of the threads whose wait timed out and who gave up.
        graph: The wait-for graph at the first timeout, or ``None``.
        records: Every lock attempt, for :func:`plot_lock_timeline`.
        attempts: For back-off: how many rounds each thread needed.
        threads_left: Threads still alive after the demo (always empty).
        start: When the demo began, on :func:`now`'s clock.
    """

    order: str
    finished: list[str]
    gave_up: list[str]
    graph: WaitForGraph | None
    records: list[LockRecord]
    attempts: dict[str, int] = field(default_factory=dict)
    threads_left: list[str] = field(default_factory=list)
    start: float = 0.0

    @property
    def deadlocked(self) -> bool:
        """True if the first timeout found a cycle in the wait-for graph."""
        return self.graph is not None and self.graph.cycle() is not None

    def __repr__(self) -> str:  # short: notebooks print these in narrow columns
        verdict = "DEADLOCK" if self.deadlocked else "no deadlock"
        if self.order == "backoff" and self.deadlocked and not self.gave_up:
            verdict = "recovered"
        if self.order == "livelock":
            verdict = "LIVELOCK" if not self.finished else "escaped"
        text = f"DeadlockReport({self.order}: {verdict}; finished {', '.join(self.finished) or 'none'}"
        if self.gave_up:
            text += f"; gave up {', '.join(self.gave_up)}"
        return text + ")"


def _transfer(name: str, first: TrackedLock, second: TrackedLock, barrier: threading.Barrier | None,
              before: threading.Barrier | None, timeout: float, hold: float,
              finished: list[str], gave_up: list[str]) -> None:
    """Take ``first`` then ``second`` (e.g. debit one account, credit another)."""
    if before is not None:
        before.wait()
    if not first.acquire(timeout=timeout):
        gave_up.append(name)
        return
    try:
        if barrier is not None:
            # Both threads now hold their first lock: the deadlock is certain.
            barrier.wait()
        time.sleep(hold)
        if not second.acquire(timeout=timeout):
            gave_up.append(name)
            return
        try:
            time.sleep(hold)  # the work that needed both locks
            finished.append(name)
        finally:
            second.release()
    finally:
        first.release()


def two_locks(order: str = "opposite", *, timeout: float = 0.3, hold: float = 0.001) -> DeadlockReport:
    """Two threads, two locks, taken in ``"opposite"`` orders or in one ``"global"`` order.

    With ``"opposite"``, thread 1 takes lock A then B and thread 2 takes B then
    A, and a barrier makes sure both hold their first lock before reaching for
    the second: a certain deadlock, broken only by the timeout.  With
    ``"global"``, both take A before B and start together (a barrier *before*
    the first lock), so one simply waits for the other.

    Args:
        order: ``"opposite"`` or ``"global"``.
        timeout: Seconds thread 1 waits for a lock; thread 2 waits three times as long.
        hold: Seconds each thread holds a lock before reaching for the next.
    """
    if order not in ("opposite", "global"):
        raise ValueError(f"order must be 'opposite' or 'global', not {order!r}")
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout <= 0:
        raise ValueError("timeout must be > 0 seconds: without one, a deadlock never ends")
    # Bounded, so that the whole demo (about 2 * hold + 3 * timeout) ends within its join.
    timeout = check_seconds("timeout", timeout, maximum=5)
    hold = check_seconds("hold", hold, allow_zero=True, maximum=5)
    mon = LockMonitor()
    a, b = mon.lock("lock A"), mon.lock("lock B")
    finished: list[str] = []
    gave_up: list[str] = []
    if order == "opposite":
        barrier, before = threading.Barrier(2, timeout=timeout * 10), None
        plans = [("thread 1", a, b), ("thread 2", b, a)]
    else:
        barrier, before = None, threading.Barrier(2, timeout=timeout * 10)
        plans = [("thread 1", a, b), ("thread 2", a, b)]
    # Thread 2 is more patient than thread 1, so the story always ends the
    # same way: thread 1 gives up first, and its release lets thread 2 finish.
    threads = [threading.Thread(target=_transfer, name=name, daemon=True,
                                args=(name, first, second, barrier, before, timeout * (1 + 2 * k), hold,
                                      finished, gave_up))
               for k, (name, first, second) in enumerate(plans)]
    for t in threads:
        t.start()
    left = _join_all(threads, timeout=3 * timeout + 2 * hold + _JOIN)
    timeouts = mon.timeouts
    return DeadlockReport(order, sorted(finished), sorted(gave_up), timeouts[0] if timeouts else None,
                          mon.records, threads_left=left, start=mon.start)


def count_deadlocks(order: str, runs: int = 50, *, timeout: float = 0.2) -> int:
    """Run :func:`two_locks` ``runs`` times; return how many runs deadlocked."""
    check_int("runs", runs, minimum=1)
    return sum(two_locks(order, timeout=timeout, hold=0.0).deadlocked for _ in range(runs))


def _backoff_transfer(name: str, first: TrackedLock, second: TrackedLock, barrier: threading.Barrier,
                      patience: float, rng: random.Random, deadline: float,
                      attempts: dict[str, int], finished: list[str], gave_up: list[str]) -> None:
    tries = 0
    while now() < deadline:
        tries += 1
        with first:
            if tries == 1:
                barrier.wait()  # round one deadlocks for sure, as in two_locks
            if second.acquire(timeout=patience):
                try:
                    time.sleep(0.002)  # the work that needed both locks
                    finished.append(name)
                    attempts[name] = tries
                    return
                finally:
                    second.release()
        # Gave up the second lock: let go of the first too, and wait a random
        # while, so the two threads stop retrying in lock-step.
        time.sleep(rng.uniform(0, patience * 2))
    attempts[name] = tries
    gave_up.append(name)


def two_locks_with_backoff(*, patience: float = 0.05, seed: int = 0,
                           give_up_after: float = 5.0) -> DeadlockReport:
    """Opposite lock orders again, but a thread that waits too long backs off.

    Each thread waits at most ``patience`` seconds for its second lock; if it
    does not get it, it releases its first lock, sleeps a random back-off and
    tries again.  The first round deadlocks for certain (barrier); a later
    round succeeds once the random back-offs let one thread through.

    Args:
        patience: Seconds to wait for the second lock before backing off.
        seed: Seeds the back-off randomness (each thread gets its own stream).
        give_up_after: A thread that has not finished after this many seconds gives up.
    """
    if isinstance(patience, (int, float)) and not isinstance(patience, bool) and patience <= 0:
        raise ValueError("patience must be > 0 seconds")
    patience = check_seconds("patience", patience, maximum=2)
    give_up_after = check_seconds("give_up_after", give_up_after, maximum=60)
    seed = check_int("seed", seed)
    mon = LockMonitor()
    a, b = mon.lock("lock A"), mon.lock("lock B")
    barrier = threading.Barrier(2, timeout=give_up_after)
    deadline = now() + give_up_after
    attempts: dict[str, int] = {}
    finished: list[str] = []
    gave_up: list[str] = []
    threads = [threading.Thread(target=_backoff_transfer, name=name, daemon=True,
                                args=(name, first, second, barrier, patience,
                                      random.Random(seed * 100 + k), deadline,
                                      attempts, finished, gave_up))
               for k, (name, first, second) in enumerate([("thread 1", a, b), ("thread 2", b, a)])]
    for t in threads:
        t.start()
    # A thread past the deadline may still be waiting (patience) and backing off (2 * patience).
    left = _join_all(threads, timeout=give_up_after + 3 * patience + _JOIN)
    timeouts = mon.timeouts
    return DeadlockReport("backoff", sorted(finished), sorted(gave_up),
                          timeouts[0] if timeouts else None, mon.records,
                          attempts=dict(sorted(attempts.items())), threads_left=left, start=mon.start)


def _lockstep_transfer(name: str, first: TrackedLock, second: TrackedLock,
                       step: threading.Barrier, patience: float, pause: float, tries: int,
                       attempts: dict[str, int], finished: list[str], gave_up: list[str]) -> None:
    # Fixed back-off, kept in step by a barrier: both take their first lock,
    # both wait for the second, both give up, both let go, both pause.  That
    # is the worst case of two threads whose identical back-offs keep them in
    # step, made certain.
    for k in range(1, tries + 1):
        try:
            with first:
                step.wait()  # both hold their first lock now
                if second.acquire(timeout=patience):
                    try:
                        finished.append(name)
                        attempts[name] = k
                        return
                    finally:
                        second.release()
                step.wait()  # both gave up: let go together
        except threading.BrokenBarrierError:
            break
        time.sleep(pause)  # the same fixed back-off as the other thread
    attempts[name] = tries
    gave_up.append(name)


def livelock(*, rounds: int = 4, patience: float = 0.02, pause: float = 0.01) -> DeadlockReport:
    """Back-off without randomness: two threads let go together and collide again, every round.

    Each thread takes its first lock, waits ``patience`` seconds for the
    second, lets go, waits a *fixed* ``pause`` and tries again.  A barrier
    keeps the two in step (what identical back-offs tend to do, made
    certain), so they collide in every one of ``rounds`` rounds: both are busy
    the whole time, and neither makes progress.  That is a livelock.
    """
    check_int("rounds", rounds, minimum=1, maximum=50)
    patience = check_seconds("patience", patience, maximum=5)
    pause = check_seconds("pause", pause, allow_zero=True, maximum=5)
    mon = LockMonitor()
    a, b = mon.lock("lock A"), mon.lock("lock B")
    step = threading.Barrier(2, timeout=_JOIN)
    attempts: dict[str, int] = {}
    finished: list[str] = []
    gave_up: list[str] = []
    threads = [threading.Thread(target=_lockstep_transfer, name=name, daemon=True,
                                args=(name, first, second, step, patience, pause, rounds,
                                      attempts, finished, gave_up))
               for name, first, second in [("thread 1", a, b), ("thread 2", b, a)]]
    for t in threads:
        t.start()
    left = _join_all(threads, timeout=rounds * (patience + pause) * 2 + _JOIN)
    timeouts = mon.timeouts
    return DeadlockReport("livelock", sorted(finished), sorted(gave_up),
                          timeouts[0] if timeouts else None, mon.records,
                          attempts=dict(sorted(attempts.items())), threads_left=left,
                          start=mon.start)


def where_threads_wait(threads: list[threading.Thread] | None = None) -> dict[str, list[str]]:
    """The innermost frames of each live thread (or of ``threads``): where each one is stuck.

    Read from ``sys._current_frames()``, the same source ``faulthandler`` and
    ``py-spy dump`` use.  A plain ``threading.Lock`` cannot say who waits for
    it; the waiting threads' stacks can.  Returns ``{thread name: ["file:line
    in function: source", ...]}`` with the innermost frame last.
    """
    import linecache
    import os
    import sys

    if threads is None:
        threads = threading.enumerate()
    else:
        threads = check_items("threads", threads)
        for t in threads:
            if not isinstance(t, threading.Thread):
                raise TypeError(f"threads must hold threading.Thread objects (e.g. from "
                                f"threading.enumerate()), got {type(t).__name__} {t!r:.60}")
    by_ident = {t.ident: t for t in threads}
    out: dict[str, list[str]] = {}
    for ident, frame in sys._current_frames().items():
        t = by_ident.get(ident)
        if t is None or ident == threading.get_ident():
            continue
        lines = []
        f = frame
        while f is not None and len(lines) < 6:
            code = f.f_code
            src = linecache.getline(code.co_filename, f.f_lineno).strip()
            lines.append(f"{os.path.basename(code.co_filename)}:{f.f_lineno} in {code.co_name}: {src}")
            f = f.f_back
        out[t.name] = list(reversed(lines))
    return out


def stuck_stacks(*, hold: float = 0.5) -> dict[str, list[str]]:
    """A deadlock caught in the act: both threads blocked, and the stacks that show where.

    Two threads take two locks in opposite orders (plain ``threading.Lock``s,
    with a timeout of ``hold`` seconds so the demo ends by itself).  While they
    are blocked, the caller reads :func:`where_threads_wait` for them; then the
    timeouts let go.  Returns the stacks.
    """
    hold = check_seconds("hold", hold, maximum=5)
    a, b = threading.Lock(), threading.Lock()
    both = threading.Barrier(3, timeout=_JOIN)

    def transfer(first: threading.Lock, second: threading.Lock) -> None:
        with first:
            both.wait()
            if second.acquire(timeout=hold):  # never succeeds: the other holds it
                second.release()

    threads = [threading.Thread(target=transfer, args=(a, b), name="thread 1", daemon=True),
               threading.Thread(target=transfer, args=(b, a), name="thread 2", daemon=True)]
    for t in threads:
        t.start()
    both.wait()
    time.sleep(min(0.05, hold / 4))  # let both reach their second acquire
    stacks = where_threads_wait(threads)
    _join_all(threads, timeout=hold + _JOIN)
    return stacks


def reacquire(lock, *, timeout: float = 0.2) -> tuple[bool, float]:
    """Take ``lock``, then take it *again* from the same thread, as a nested call would.

    A :class:`threading.Lock` does not know who holds it, so the second
    acquire waits for the thread itself: without a timeout it would wait
    forever.  A :class:`threading.RLock` counts re-entries and lets its owner
    in.

    Returns:
        ``(acquired_again, seconds_waited)``.  Every acquire that succeeded is
        released before returning.
    """
    if not (callable(getattr(lock, "acquire", None)) and callable(getattr(lock, "release", None))):
        raise TypeError(f"lock must be a lock, e.g. threading.Lock(), threading.RLock() or a "
                        f"TrackedLock; got {type(lock).__name__} {lock!r:.60}")
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout <= 0:
        raise ValueError("timeout must be > 0 seconds: without one, a Lock would wait forever")
    timeout = check_seconds("timeout", timeout, maximum=5)
    if not lock.acquire(timeout=timeout):
        raise RuntimeError("the lock was already held by someone else; pass a free lock")
    try:
        t0 = now()
        again = lock.acquire(timeout=timeout)
        waited = now() - t0
        if again:
            lock.release()
        return again, waited
    finally:
        lock.release()


# --- Dining philosophers -------------------------------------------------------


class Abandoned(BaseException):
    """Raised inside a philosopher's thread to end it when the run is over.

    A BaseException, so a learner's ``except Exception`` cannot swallow it.
    """


class Fork(TrackedLock):
    """A fork on the philosophers' table: a :class:`TrackedLock` with a number.

    Attributes:
        number: The fork's position on the table, 0 .. n-1.

    A blocking acquire waits in short slices, so that when the run ends (or a
    deadlock is detected) a philosopher stuck waiting is released with an
    exception instead of waiting forever.  After every successful pick-up the
    fork pauses a moment, which makes bad interleavings likely: a stress test.
    """

    def __init__(self, number: int, monitor: LockMonitor, abort: threading.Event,
                 pause: float = 0.005) -> None:
        super().__init__(f"fork {number}", monitor=monitor)
        self.number = number
        self._abort = abort
        self._pause = pause

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Take the fork (see :meth:`TrackedLock.acquire`), then pause a moment."""
        got = super().acquire(blocking, timeout)
        if got:
            # Stress: give the neighbours time to grab theirs.  Paused after the
            # monitor has recorded us as the holder, so the wait-for graph is right.
            time.sleep(self._pause)
        return got

    def _wait(self, blocking: bool, timeout: float) -> bool:
        if self._abort.is_set():  # also ends a loop of non-blocking tries
            raise Abandoned
        if not blocking:
            return self._lock.acquire(False)
        deadline = None if timeout < 0 else now() + timeout
        while True:
            if self._abort.is_set():
                raise Abandoned
            slice_ = 0.02 if deadline is None else min(0.02, max(0.0, deadline - now()))
            if self._lock.acquire(True, slice_):
                return True
            if deadline is not None and now() >= deadline:
                return False


@dataclass(frozen=True)
class DiningReport:
    """How a dinner went.

    Attributes:
        meals: Meals eaten per philosopher, by seat.
        deadlocked: True if everyone got stuck in a wait-for cycle.
        graph: The wait-for graph when the deadlock was detected, else ``None``.
        problem: A rule the strategy broke (ate without forks, kept a fork, raised), or "".
        seconds: How long the dinner lasted.
        records: Every fork pick-up, for :func:`plot_lock_timeline`.
        threads_left: Threads still alive after the dinner (always empty).
        start: When the dinner began, on :func:`now`'s clock.
        order_cycle: A cycle in the order the forks were taken (``[fork, fork, ...,
            fork]``, see :meth:`LockMonitor.order_cycle`), or ``None``: with one, the
            strategy can deadlock even if this dinner did not.
    """

    meals: list[int]
    deadlocked: bool
    graph: WaitForGraph | None
    problem: str
    seconds: float
    records: list[LockRecord]
    threads_left: list[str]
    start: float = 0.0
    order_cycle: list[str] | None = None

    def __repr__(self) -> str:
        state = "DEADLOCK" if self.deadlocked else (self.problem or "ok")
        return f"DiningReport({state}; meals={self.meals})"


def _check_forks(left: object, right: object, eat: object, *, numbered: bool) -> None:
    """A philosopher's arguments, as :func:`dine` passes them (two forks and a function)."""
    for name, fork in (("left", left), ("right", right)):
        ok = (isinstance(getattr(fork, "number", None), int) if numbered
              else hasattr(fork, "__enter__") and hasattr(fork, "__exit__"))
        if not ok:
            raise TypeError(f"{name} must be a fork (the Fork that dine() passes), got "
                            f"{type(fork).__name__} {fork!r:.60}; pass the philosopher to "
                            "dine() instead of calling it yourself")
    check_callable("eat", eat, hint="pass the eat function that dine() gives the philosopher")


def naive_philosopher(seat: int, left: Fork, right: Fork, eat: Callable[[], None]) -> None:
    """Left fork, then right fork, then eat: deadlocks when all five sit down at once."""
    _check_forks(left, right, eat, numbered=False)
    with left:
        with right:
            eat()


def ordered_philosopher(seat: int, left: Fork, right: Fork, eat: Callable[[], None]) -> None:
    """Lower-numbered fork first: one global order, so no cycle can form."""
    _check_forks(left, right, eat, numbered=True)
    first, second = sorted((left, right), key=lambda fork: fork.number)
    with first:
        with second:
            eat()


def dine(philosopher: Callable[[int, Fork, Fork, Callable[[], None]], None], *,
         seats: int = 5, seconds: float = 0.5, stall: float = 0.25, eat_time: float = 0.001) -> DiningReport:
    """Seat ``seats`` philosophers at a round table and let them dine for ``seconds``.

    Each philosopher is a thread that calls ``philosopher(seat, left, right,
    eat)`` again and again: it must pick up both forks (``with left:`` or
    ``left.acquire()``), call ``eat()``, and put both down.  Seat ``i``'s left
    fork is fork ``i`` and its right fork is fork ``i+1`` (modulo ``seats``).  If no one eats for ``stall`` seconds
    while the wait-for graph has a cycle, the dinner is declared deadlocked
    and stopped.  Every thread is joined before returning.
    """
    check_callable("philosopher", philosopher,
                   hint="pass a function philosopher(seat, left, right, eat), e.g. "
                        "dine(ordered_philosopher)")
    if isinstance(seats, int) and not isinstance(seats, bool) and seats < 2:
        raise ValueError(f"seats must be at least 2 (a dinner needs at least 2 seats), got {seats}")
    seats = check_int("seats", seats, minimum=2, maximum=64)  # one thread a seat
    seconds = check_seconds("seconds", seconds, maximum=60)
    stall = check_seconds("stall", stall, maximum=10)
    eat_time = check_seconds("eat_time", eat_time, allow_zero=True, maximum=1)
    mon = LockMonitor()
    abort = threading.Event()
    forks = [Fork(i, mon, abort) for i in range(seats)]
    meals = [0] * seats
    meals_lock = threading.Lock()  # must be held to change meals or problems
    problems: list[str] = []
    sit_down = threading.Barrier(seats, timeout=_JOIN)

    def note(problem: str) -> None:
        with meals_lock:
            if not problems:
                problems.append(problem)
        abort.set()

    def seat_loop(seat: int) -> None:
        left, right = forks[seat], forks[(seat + 1) % seats]
        me = threading.current_thread().name

        def eat() -> None:
            if mon.holder(left.name) != me or mon.holder(right.name) != me:
                note(f"philosopher {seat} ate without holding both forks ({left.name}, {right.name})")
                raise Abandoned
            time.sleep(eat_time)
            with meals_lock:
                meals[seat] += 1

        try:
            sit_down.wait()  # everyone starts together: the worst moment for a naive strategy
            while not abort.is_set():
                philosopher(seat, left, right, eat)
                for fork in (left, right):
                    if mon.holder(fork.name) == me:
                        note(f"philosopher {seat} still held {fork.name} after the meal")
                        raise Abandoned
                time.sleep(eat_time)  # think a moment before the next meal
        except (Abandoned, threading.BrokenBarrierError):
            pass
        except Exception as exc:  # the learner's bug is the checker's data
            note(f"philosopher {seat} raised {type(exc).__name__}: {exc}")
        finally:
            for fork in (left, right):  # put down whatever is still held
                if mon.holder(fork.name) == me:
                    fork.release()

    threads = [threading.Thread(target=seat_loop, args=(i,), name=f"philosopher {i}", daemon=True)
               for i in range(seats)]
    start = now()
    for t in threads:
        t.start()
    deadlocked, graph = False, None
    last_total, last_change = -1, now()
    # Watch until time is up; a dinner that is stalled in a cycle at the end
    # gets up to `stall` more seconds to prove it is a deadlock (or move on).
    while not abort.is_set():
        time.sleep(0.01)
        with meals_lock:
            total = sum(meals)
        if total != last_total:
            last_total, last_change = total, now()
        snap = mon.graph()
        stuck = snap.cycle() is not None
        if stuck and now() - last_change > stall:
            deadlocked, graph = True, snap
            break
        if now() - start >= seconds and (not stuck or now() - start >= seconds + stall + 0.05):
            break
    abort.set()
    left_alive = _join_all(threads, timeout=_JOIN + 2 * eat_time)
    # Only as many philosophers as were ever at the table together (holding or
    # waiting for a fork) can close a cycle: a footman who seats four prevents
    # the five-fork cycle even though every philosopher takes left, then right.
    cycle = mon.order_cycle(max_threads=mon.peak_threads)
    return DiningReport(list(meals), deadlocked, graph, problems[0] if problems else "",
                        now() - start, mon.records, left_alive, start=start, order_cycle=cycle)
