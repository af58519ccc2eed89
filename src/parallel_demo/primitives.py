"""Demos for the synchronization-primitives chapter: Condition, Semaphore, Event, Barrier and friends.

Every demo starts its own threads, records what they did as :class:`SyncEvent`
spans on one clock (:class:`SyncTrace`), joins them against one deadline and
reports any thread it could not end.  Nothing here waits without a timeout.
Readers-writer locks and their measurement live in :mod:`parallel_demo.rwlock`;
"why is it stuck" (stacks of waiting threads) in :mod:`parallel_demo.stuck`.
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
import queue
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from ._hang import Deadline, join_threads, wait_until
from ._validate import check_callable, check_choice, check_int, check_items, check_seconds
from .locks import FairLock
from .trace import now

#: What a span of a lane chart can mean (the chart gives each its look).
KINDS = ("inside", "work", "wait", "blocked", "notify", "woken-empty", "error")

#: The longest any demo waits for one of its own steps before calling it stuck.
STEP_TIMEOUT = 5.0

#: The longest deadline a reader may give a demo (longer would look like a hang).
MAX_TIMEOUT = 60.0


def _check_flag(name: str, value: object) -> bool:
    """``value`` if it is a bool, else a ``TypeError`` (``"no"`` would count as true)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r:.60}")
    return value


def _check_timeout(timeout: object) -> float:
    """A demo's deadline: a positive number of seconds, at most :data:`MAX_TIMEOUT`."""
    return check_seconds("timeout", timeout, maximum=MAX_TIMEOUT)


def _check_seconds_like(name: str, value: object, maximum: float) -> float:
    """Like ``check_seconds``, but accepting any real number type (a NumPy float32, say)."""
    if not isinstance(value, (bool, str, bytes)):
        try:
            value = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            pass  # check_seconds names the type
    return check_seconds(name, value, maximum=maximum)


@dataclass(frozen=True)
class SyncEvent:
    """One thing one thread did, from ``start`` to ``end`` (an instant when they are equal).

    ``kind`` is one of :data:`KINDS`: ``inside`` a guarded section, doing
    ``work``, ``wait`` in ``Condition.wait``/``Barrier.wait``, ``blocked`` on a
    lock or semaphore, and the instants ``notify``, ``woken-empty`` (woken, but
    the condition was false) and ``error``.
    """

    thread: str
    kind: str
    start: float
    end: float
    note: str = ""


class SyncTrace:
    """A thread-safe list of :class:`SyncEvent`, on :func:`now`'s clock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # must be held to append to _events
        self._events: list[SyncEvent] = []
        self.start = now()

    @contextlib.contextmanager
    def span(self, kind: str, note: str = "") -> Iterator[None]:
        """Record the ``with`` block as one span of the calling thread."""
        t0 = now()
        try:
            yield
        finally:
            self.add(SyncEvent(threading.current_thread().name, kind, t0, now(), note))

    def mark(self, kind: str, note: str = "") -> None:
        """Record an instant of the calling thread."""
        t = now()
        self.add(SyncEvent(threading.current_thread().name, kind, t, t, note))

    def add(self, event: SyncEvent) -> None:
        with self._lock:
            self._events.append(event)

    @property
    def events(self) -> list[SyncEvent]:
        with self._lock:
            return sorted(self._events, key=lambda e: (e.start, e.end))

    def lanes(self, order: Sequence[str] = ()) -> list[str]:
        """Thread names: ``order`` first, then the others as they first appear."""
        names = list(order)
        for e in self.events:
            if e.thread not in names:
                names.append(e.thread)
        return names


def _run_threads(targets: dict[str, Callable[[], Any]], timeout: float) -> tuple[dict, list[str]]:
    """Start one named daemon thread per target, join against one deadline.

    Returns ``({name: exception}, [names still alive])``.
    """
    errors: dict[str, BaseException] = {}

    def wrap(name: str, fn: Callable[[], Any]) -> Callable[[], None]:
        def body() -> None:
            try:
                fn()
            except BaseException as exc:  # a demo's failure is its data
                errors[name] = exc
        return body

    threads = [threading.Thread(target=wrap(n, fn), name=n, daemon=True) for n, fn in targets.items()]
    for t in threads:
        t.start()
    left = join_threads(threads, timeout)
    return errors, [t.name for t in left]


# --- Condition: a stolen wake-up -----------------------------------------------------


class _QueueingLock(FairLock):
    """A :class:`FairLock` that can say how many threads queue for it (to order a demo)."""

    @property
    def waiting(self) -> int:
        return len(self._waiters)


@dataclass(frozen=True)
class WakeupReport:
    """What :func:`stolen_wakeup` saw: who got which item, and who crashed."""

    use_while: bool
    events: list[SyncEvent]
    lanes: list[str]
    taken: dict[str, list[str]]
    errors: dict[str, str]
    threads_left: list[str]
    start: float = 0.0


def stolen_wakeup(use_while: bool = True, *, timeout: float = STEP_TIMEOUT) -> WakeupReport:
    """Consumer 1 waits for an item, is notified, but consumer 2 takes the item first.

    The condition's lock is a FIFO lock, so the order is the same in every run:
    consumer 2 queues for the lock while the producer holds it, consumer 1
    queues after being notified, and the lock goes to consumer 2.  Consumer 1
    then finds the buffer empty.  With ``use_while`` it checks again and waits
    for the producer's second item; with ``if`` it pops from an empty deque.
    """
    _check_flag("use_while", use_while)
    _check_timeout(timeout)
    lock = _QueueingLock()
    cond = threading.Condition(lock)
    items: deque[str] = deque()
    trace = SyncTrace()
    waits = [0]  # must hold cond to change
    taken: dict[str, list[str]] = {"consumer 1": [], "consumer 2": []}
    c1_done = threading.Event()
    deadline = Deadline(timeout)

    def consumer_1() -> None:
        try:
            with cond:
                if use_while:
                    while not items:
                        waits[0] += 1
                        with trace.span("wait"):
                            cond.wait(deadline.left())
                        if not items:
                            trace.mark("woken-empty", "woken, buffer empty: wait again")
                else:
                    if not items:
                        waits[0] += 1
                        with trace.span("wait"):
                            cond.wait(deadline.left())
                try:
                    taken["consumer 1"].append(items.popleft())
                except IndexError:
                    trace.mark("error", "IndexError: pop from an empty deque")
                    raise
                trace.mark("inside", "took an item")
        finally:
            c1_done.set()

    def consumer_2() -> None:
        with trace.span("blocked"):
            got = cond.acquire(timeout=deadline.left())
        if not got:
            return
        try:
            taken["consumer 2"].append(items.popleft())
            trace.mark("inside", "took the item")
        finally:
            cond.release()

    def producer() -> None:
        wait_until(lambda: waits[0] >= 1, deadline.left())
        with cond:  # consumer 1 is inside wait(): it released the lock for us
            with trace.span("inside"):
                helper = threading.Thread(target=consumer_2, name="consumer 2", daemon=True)
                helper.start()
                wait_until(lambda: lock.waiting >= 1, deadline.left())
                items.append("item 1")
                cond.notify()
                trace.mark("notify", "notify(): wake one waiter")
        join_threads([helper], deadline.left())
        wait_until(lambda: waits[0] >= 2 or c1_done.is_set(), deadline.left())
        if c1_done.is_set():
            return
        with cond:
            items.append("item 2")
            cond.notify()
            trace.mark("notify", "notify(): wake one waiter")

    errors, left = _run_threads({"consumer 1": consumer_1, "producer": producer}, timeout)
    events = trace.events
    return WakeupReport(use_while, events, trace.lanes(["consumer 1", "consumer 2", "producer"]),
                        taken, {n: f"{type(e).__name__}: {e}" for n, e in errors.items()}, left,
                        min((e.start for e in events), default=trace.start))


# --- a bounded buffer, by hand and as queue.Queue --------------------------------------


class BoundedBuffer:
    """At most ``capacity`` items; ``put`` waits while full, ``get`` while empty.

    One :class:`threading.Condition` guards the deque; ``wait_for`` re-checks
    its predicate after every wake-up, which is the loop that makes stolen and
    spurious wake-ups harmless.  Both waits take a timeout and raise
    :class:`queue.Full` / :class:`queue.Empty` when it runs out, as Queue does.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = check_int("capacity", capacity, minimum=1)
        self.items: deque[Any] = deque()
        self.cond = threading.Condition()  # must be held to touch items

    def put(self, item: Any, timeout: float | None = None) -> None:
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.items) < self.capacity, timeout):
                raise queue.Full
            self.items.append(item)
            self.cond.notify_all()  # wakes consumers (and producers, who re-check)

    def get(self, timeout: float | None = None) -> Any:
        with self.cond:
            if not self.cond.wait_for(lambda: self.items, timeout):
                raise queue.Empty
            item = self.items.popleft()
            self.cond.notify_all()
            return item


@dataclass(frozen=True)
class StressReport:
    """What :func:`stress_buffer` found: every item once, never over capacity, no error."""

    produced: int
    consumed: int
    lost: int
    duplicated: int
    most_seen: int
    capacity: int
    errors: list[str]
    threads_left: list[str]
    wall: float

    @property
    def ok(self) -> bool:
        return (not self.lost and not self.duplicated and not self.errors and not self.threads_left
                and self.most_seen <= self.capacity)


def stress_buffer(put: Callable[[Any], Any], get: Callable[[], Any], *, capacity: int,
                  size: Callable[[], int] | None = None, producers: int = 3, consumers: int = 3,
                  items: int = 200, timeout: float = 10.0) -> StressReport:
    """Producers put unique items, consumers get as many, an auditor watches the size.

    Args:
        put, get: The buffer's operations (``get`` takes no argument).
        capacity: The bound the auditor checks ``size()`` against.
        size: Returns the buffer's current length; sampled every ~0.2 ms.
        producers, consumers: Threads on each side.
        items: Items per producer.
        timeout: The whole run's deadline.
    """
    hint = "pass the buffer's bound method itself, e.g. buf.put, without ()"
    check_callable("put", put, hint=hint)
    check_callable("get", get, hint="pass the buffer's bound method itself, e.g. buf.get, without ()")
    if size is not None:
        check_callable("size", size, hint="pass a function, e.g. q.qsize or lambda: len(buf.items)")
    check_int("capacity", capacity, minimum=1)
    check_int("producers", producers, minimum=1, maximum=16)
    check_int("consumers", consumers, minimum=1, maximum=16)
    check_int("items", items, minimum=1, maximum=10_000,
              hint="items is per producer; a few hundred show every race")
    _check_timeout(timeout)
    total = producers * items
    remaining = [total]
    remaining_lock = threading.Lock()  # must be held to change remaining
    got: list[Any] = []  # list.append is atomic
    most = [0]
    stop = threading.Event()

    def produce(p: int) -> Callable[[], None]:
        def body() -> None:
            for i in range(items):
                put((p, i))
        return body

    def consume() -> None:
        while True:
            with remaining_lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            got.append(get())

    def audit() -> None:
        while not stop.is_set():
            most[0] = max(most[0], size())
            time.sleep(0.0002)

    auditor = None
    if size is not None:
        auditor = threading.Thread(target=audit, name="auditor", daemon=True)
        auditor.start()
    targets = {f"producer {p}": produce(p) for p in range(producers)}
    targets.update({f"consumer {c}": consume for c in range(consumers)})
    t0 = now()
    errors, left = _run_threads(targets, timeout)
    wall = now() - t0
    stop.set()
    if auditor is not None:
        join_threads([auditor], 1.0)
    expected = {(p, i) for p in range(producers) for i in range(items)}
    seen = set(got)
    return StressReport(total, len(got), len(expected - seen), len(got) - len(seen),
                        most[0], capacity, [f"{n}: {type(e).__name__}: {e}" for n, e in errors.items()],
                        left, wall)


# --- Semaphore and BoundedSemaphore ------------------------------------------------------


@dataclass(frozen=True)
class SectionReport:
    """Who was inside a semaphore-guarded section when, and the most at once."""

    limit: int
    events: list[SyncEvent]
    lanes: list[str]
    most_inside: int
    start: float
    wall: float
    threads_left: list[str]


def _most_at_once(spans: Sequence[SyncEvent]) -> int:
    """The largest number of spans that overlap (touching ends do not)."""
    edges = sorted([(e.start, 1) for e in spans] + [(e.end, -1) for e in spans],
                   key=lambda x: (x[0], x[1]))
    most = inside = 0
    for _, step in edges:
        inside += step
        most = max(most, inside)
    return most


def limited_section(limit: int = 2, workers: int = 5, hold: float = 0.04, *,
                    timeout: float = STEP_TIMEOUT) -> SectionReport:
    """``workers`` threads each pass once through a section guarded by ``Semaphore(limit)``."""
    check_int("limit", limit, minimum=1)
    check_int("workers", workers, minimum=1, maximum=32)
    check_seconds("hold", hold, maximum=1.0)
    _check_timeout(timeout)
    sem = threading.Semaphore(limit)
    trace = SyncTrace()
    go = threading.Event()

    def worker() -> None:
        go.wait(timeout)
        with trace.span("blocked"):
            if not sem.acquire(timeout=timeout):
                raise TimeoutError("the semaphore was never free")
        try:
            with trace.span("inside"):
                time.sleep(hold)
        finally:
            sem.release()

    names = [f"worker {i}" for i in range(workers)]
    threads = [threading.Thread(target=worker, name=n, daemon=True) for n in names]
    for t in threads:
        t.start()
    t0 = now()
    go.set()
    left = join_threads(threads, timeout)
    events = trace.events
    inside = [e for e in events if e.kind == "inside"]
    return SectionReport(limit, events, names, _most_at_once(inside), t0, now() - t0,
                         [t.name for t in left])


def release_too_many(kind: str = "BoundedSemaphore", limit: int = 2) -> tuple[str, int]:
    """Acquire once, release twice, then count how many can enter: ``(what happened, entered)``.

    A plain ``Semaphore`` takes the extra release silently and lets
    ``limit + 1`` in; a ``BoundedSemaphore`` raises ``ValueError`` at once.
    """
    check_choice("kind", kind, ("Semaphore", "BoundedSemaphore"))
    # Semaphore(0) would make the first acquire() wait for ever; a huge one, the count run long.
    check_int("limit", limit, minimum=1, maximum=1000)
    sem = getattr(threading, kind)(limit)
    sem.acquire()
    sem.release()
    try:
        sem.release()  # the bug: one release too many
        what = "the extra release was accepted silently"
    except ValueError as exc:
        what = f"ValueError: {exc}"
    entered = 0
    while sem.acquire(blocking=False):
        entered += 1
    return what, entered


@dataclass(frozen=True)
class DinnerReport:
    """The footman's dinner: meals per philosopher, and whether anyone gave up."""

    meals: dict[str, int]
    gave_up: list[str]
    most_seated: int
    events: list[SyncEvent]
    lanes: list[str]
    start: float
    threads_left: list[str]


def footman_dinner(philosophers: int = 5, meals: int = 3, *, footman: bool = True,
                   eat: float = 0.005, patience: float = 1.0) -> DinnerReport:
    """Philosophers all grab their left fork first; a footman seats at most n - 1 of them.

    Every philosopher pauses after taking the left fork, the worst case for
    deadlock.  Without the footman all n hold a left fork and wait for the
    right one until ``patience`` runs out (they give up instead of hanging);
    with ``Semaphore(n - 1)`` one seat stays empty, so somebody can always eat.
    """
    n = check_int("philosophers", philosophers, minimum=2, maximum=12)
    check_int("meals", meals, minimum=1)
    check_seconds("patience", patience, maximum=5.0)
    forks = [threading.Lock() for _ in range(n)]
    seats = threading.Semaphore(n - 1 if footman else n)
    trace = SyncTrace()
    eaten = {f"philosopher {i}": 0 for i in range(n)}
    gave_up: list[str] = []

    def philosopher(i: int) -> Callable[[], None]:
        left, right = forks[i], forks[(i + 1) % n]
        name = f"philosopher {i}"

        def body() -> None:
            for _ in range(meals):
                with trace.span("blocked", "waiting for a seat"):
                    seated = seats.acquire(timeout=patience)
                if not seated:
                    gave_up.append(name)
                    return
                try:
                    with trace.span("inside", "seated"):
                        with left:
                            time.sleep(0.01)  # everyone has a left fork now, at worst
                            if not right.acquire(timeout=patience):
                                gave_up.append(name)
                                return
                            try:
                                time.sleep(eat)
                                eaten[name] += 1
                            finally:
                                right.release()
                finally:
                    seats.release()
        return body

    errors, left = _run_threads({f"philosopher {i}": philosopher(i) for i in range(n)},
                                patience * meals + STEP_TIMEOUT)
    events = trace.events
    seated = [e for e in events if e.kind == "inside"]
    return DinnerReport(eaten, sorted(set(gave_up)), _most_at_once(seated), events,
                        list(eaten), trace.start, left)


# --- Event and Barrier --------------------------------------------------------------------


def explain_footman(report: DinnerReport, philosophers: int = 5) -> str:
    """Markdown: how many philosophers gave up without a footman, and what that means."""
    n = check_int("philosophers", philosophers, minimum=2)
    if not isinstance(report, DinnerReport):
        raise TypeError(f"report must be footman_dinner()'s result, got {type(report).__name__}")
    stuck = len(report.gave_up)
    if stuck == 0:
        rest = "this time the timing let every one of them eat; the deadlock needs bad luck."
    elif stuck == n:
        rest = f"all {n} held a left fork at the same time."
    else:
        rest = "the others ate once the first ones had given up."
    return (f"Without the footman, in this run, **{stuck} of {n}** philosophers gave up "
            f"waiting for their right fork: {rest}")


@dataclass(frozen=True)
class StopReport:
    """A worker stopped by an Event: its rounds, and how long it took to notice."""

    rounds: int
    reaction: float
    threads_left: list[str]


def stop_signal(run_for: float = 0.1, round_time: float = 0.005) -> StopReport:
    """A worker loops until an Event is set; it waits *on the event* between rounds.

    ``stop.wait(round_time)`` is a sleep that ends early when the event is
    set, so the worker reacts within one round of work, not one long sleep.
    """
    check_seconds("run_for", run_for, maximum=2.0)
    check_seconds("round_time", round_time, maximum=0.5)
    stop = threading.Event()
    rounds = [0]
    noticed = [0.0]

    def worker() -> None:
        while not stop.is_set():
            rounds[0] += 1
            stop.wait(round_time)
        noticed[0] = now()

    t = threading.Thread(target=worker, name="worker", daemon=True)
    t.start()
    time.sleep(run_for)
    t_set = now()
    stop.set()
    left = join_threads([t], STEP_TIMEOUT)
    return StopReport(rounds[0], max(0.0, noticed[0] - t_set), [x.name for x in left])


@dataclass(frozen=True)
class PhaseReport:
    """Workers that run phases, with or without a barrier between them."""

    durations: list[list[float]]
    barrier: bool
    events: list[SyncEvent]
    lanes: list[str]
    start: float
    wall: float
    threads_left: list[str]


def barrier_phases(durations: Sequence[Sequence[float]], *, barrier: bool = True,
                   timeout: float = STEP_TIMEOUT) -> PhaseReport:
    """Worker ``w`` works ``durations[w][p]`` seconds in phase ``p``, then waits for the others.

    With ``barrier=False`` each worker runs its phases back to back.
    """
    _check_flag("barrier", barrier)
    _check_timeout(timeout)
    table = check_items("durations", durations)
    if len(table) > 16:
        raise ValueError(f"durations must have at most 16 rows (one per worker), got {len(table)}")
    rows = [[_check_seconds_like(f"durations[{w}][{p}]", d, maximum=1.0)
             for p, d in enumerate(check_items(f"durations[{w}]", r))]
            for w, r in enumerate(table)]
    if not rows or any(len(r) != len(rows[0]) for r in rows) or not rows[0]:
        raise ValueError("durations must be a non-empty table: one row per worker, the same "
                         "number of phases (seconds) in every row")
    # With a barrier the run takes, phase by phase, the slowest worker's time.
    total = sum(max(r[p] for r in rows) for p in range(len(rows[0])))
    if total >= timeout:
        raise ValueError(f"durations add up to {total:g} s (the slowest worker of each phase), "
                         f"not less than timeout={timeout:g} s: use shorter phases or pass a "
                         "longer timeout")
    gate = threading.Barrier(len(rows), timeout=timeout)
    start = threading.Barrier(len(rows) + 1, timeout=timeout)
    trace = SyncTrace()

    def worker(w: int) -> Callable[[], None]:
        def body() -> None:
            start.wait()
            for p, d in enumerate(rows[w]):
                with trace.span("work", f"phase {p + 1}"):
                    time.sleep(d)
                if barrier:
                    with trace.span("wait", "at the barrier"):
                        gate.wait()
        return body

    names = [f"worker {w}" for w in range(len(rows))]
    threads = [threading.Thread(target=worker(w), name=names[w], daemon=True) for w in range(len(rows))]
    for t in threads:
        t.start()
    start.wait()
    t0 = now()
    left = join_threads(threads, timeout)
    return PhaseReport(rows, barrier, trace.events, names, t0, now() - t0, [t.name for t in left])


def broken_barrier(*, fail: str = "abort", parties: int = 3, timeout: float = 0.2) -> dict[str, str]:
    """One of ``parties`` workers fails before the barrier; what do the others get?

    ``fail="abort"``: the failing worker calls ``barrier.abort()`` on its way
    out, and the waiting ones get ``BrokenBarrierError`` at once.
    ``fail="timeout"``: it just leaves; the others wait ``timeout`` seconds,
    then the barrier breaks.  Returns ``{worker: what happened}``.
    """
    check_choice("fail", fail, ("abort", "timeout"))
    check_int("parties", parties, minimum=2, maximum=8)
    check_seconds("timeout", timeout, maximum=2.0)
    gate = threading.Barrier(parties, timeout=timeout if fail == "timeout" else STEP_TIMEOUT)
    outcome: dict[str, str] = {}

    def worker(w: int) -> Callable[[], None]:
        def body() -> None:
            t0 = now()
            if w == parties - 1:
                time.sleep(0.02)
                if fail == "abort":
                    gate.abort()
                outcome[f"worker {w}"] = "failed before the barrier"
                return
            try:
                gate.wait()
                outcome[f"worker {w}"] = "passed"
            except threading.BrokenBarrierError:
                outcome[f"worker {w}"] = f"BrokenBarrierError after {now() - t0:.2f} s"
        return body

    _run_threads({f"worker {w}": worker(w) for w in range(parties)}, STEP_TIMEOUT)
    return dict(sorted(outcome.items()))


# --- check-then-act ----------------------------------------------------------------------

#: The check-then-act kinds: a racy one and its fix, for a dict, a queue and a deque.
CHECK_THEN_ACT = {
    "dict: if key not in d": "racy", "dict: one critical section": "fixed",
    "dict: setdefault": "fixed",
    "queue: if not q.empty(): get": "racy", "queue: get(timeout=)": "fixed",
    "deque: if d: popleft": "racy", "deque: try popleft": "fixed",
}


@dataclass(frozen=True)
class CheckActResult:
    """One kind of check-then-act, run by several threads: how often it went wrong."""

    kind: str
    attempts: int
    failures: int
    what: str


def check_then_act(kind: str, *, threads: int = 4, rounds: int = 50) -> CheckActResult:
    """Run one :data:`CHECK_THEN_ACT` kind; a ``time.sleep(0)`` sits between check and act.

    The sleep stands for anything that lets another thread run at that point
    (a call, an I/O, a free-threaded build).  Dict kinds: every thread wants
    the one shared object per key; a failure is a thread that ended up with a
    different object.  Queue and deque kinds: one item per thread is short;
    a failure is a take that found the container empty after checking it was
    not (the racy ``get`` would block forever, so it is bounded here).
    """
    check_choice("kind", kind, CHECK_THEN_ACT)
    check_int("threads", threads, minimum=2, maximum=16)
    check_int("rounds", rounds, minimum=1, maximum=1000)
    failures = [0]
    fail_lock = threading.Lock()  # must be held to change failures

    def failed() -> None:
        with fail_lock:
            failures[0] += 1

    for _ in range(rounds):
        d: dict[str, list] = {}
        guard = threading.Lock()
        q: queue.Queue = queue.Queue()
        dq: deque = deque()
        for _ in range(threads - 1):  # one item short
            q.put(1)
            dq.append(1)
        barrier = threading.Barrier(threads, timeout=STEP_TIMEOUT)

        def body() -> None:
            barrier.wait()
            if kind.startswith("dict"):
                if kind == "dict: if key not in d":
                    if "k" not in d:
                        time.sleep(0)
                        d["k"] = []
                    mine = d["k"]
                elif kind == "dict: one critical section":
                    with guard:
                        if "k" not in d:
                            time.sleep(0)
                            d["k"] = []
                        mine = d["k"]
                else:
                    mine = d.setdefault("k", [])
                mine.append(threading.get_ident())
                time.sleep(0)
                if len(d["k"]) == 0 or mine is not d["k"]:
                    failed()
            elif kind == "queue: if not q.empty(): get":
                if not q.empty():
                    time.sleep(0)
                    try:
                        q.get(timeout=0.01)  # stands for get(), which would block for ever
                    except queue.Empty:
                        failed()
            elif kind == "queue: get(timeout=)":
                try:
                    q.get(timeout=0.001)
                except queue.Empty:
                    pass  # an answer, not a failure: the queue was empty
            elif kind == "deque: if d: popleft":
                if dq:
                    time.sleep(0)
                    try:
                        dq.popleft()
                    except IndexError:
                        failed()
            else:
                try:
                    dq.popleft()
                except IndexError:
                    pass

        errors, left = _run_threads({f"t{i}": body for i in range(threads)}, STEP_TIMEOUT)
        if errors or left:
            raise RuntimeError(f"check_then_act({kind!r}) went wrong: {errors or left}")
    what = ("threads holding a different object than the dict's" if kind.startswith("dict")
            else "takes that found it empty after the check said otherwise")
    return CheckActResult(kind, threads * rounds, failures[0], what)


# --- per-thread state ---------------------------------------------------------------------


def thread_local_demo(threads: int = 3) -> dict[str, Any]:
    """Each thread sets ``local.name`` to its own name; what does each, and main, see?"""
    check_int("threads", threads, minimum=1, maximum=16)
    local = threading.local()
    local.name = "main's value"
    seen: dict[str, Any] = {}
    barrier = threading.Barrier(threads, timeout=STEP_TIMEOUT)

    def body() -> None:
        me = threading.current_thread().name
        before = getattr(local, "name", "(unset)")
        local.name = me
        barrier.wait()  # all have set theirs before any reads again
        seen[me] = (before, local.name)

    _run_threads({f"thread {i}": body for i in range(threads)}, STEP_TIMEOUT)
    seen["MainThread"] = ("", local.name)
    return dict(sorted(seen.items()))


#: The context variable of the per-thread-state demo.
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="(default)")


def thread_inherits_context() -> bool:
    """Whether a new ``threading.Thread`` starts with a copy of the caller's context here.

    Python 3.14 added ``sys.flags.thread_inherit_context``: on by default on
    free-threaded builds, off on others.  Before 3.14 a thread always starts
    with an empty context.
    """
    return bool(getattr(sys.flags, "thread_inherit_context", False))


def thread_takes_context() -> bool:
    """Whether ``threading.Thread`` accepts ``context=`` (Python 3.14 and later)."""
    return "context" in inspect.signature(threading.Thread.__init__).parameters


def explain_thread_context() -> str:
    """Markdown: does a plain ``Thread`` start with the caller's context on this Python?"""
    major, minor = sys.version_info[:2]
    inherits, takes = thread_inherits_context(), thread_takes_context()
    text = (f"On this Python {major}.{minor}, a plain `Thread(target=f)` starts with "
            + ("**a copy of the caller's context**" if inherits else "**an empty context**: it sees "
               "the variable's default, not the value set here") + ". ")
    return text + ("This Python also accepts `Thread(context=...)`." if takes else
                   "`Thread(context=...)` arrives in Python 3.14; before it, pass the context by "
                   "hand with `target=contextvars.copy_context().run, args=(f,)`.")


def context_in_threads(value: str = "request 42") -> dict[str, str]:
    """Set :data:`request_id` here, then read it from threads started in three ways.

    Returns ``{way: what the thread saw}``; the ``context=`` way only where
    :func:`thread_takes_context`.
    """
    if not isinstance(value, str):
        raise TypeError(f"value must be a str (the request id to set), got "
                        f"{type(value).__name__} {value!r:.60}; e.g. value=\"request 42\"")
    token = request_id.set(value)
    seen: dict[str, str] = {}
    try:
        def read(way: str) -> Callable[[], None]:
            return lambda: seen.__setitem__(way, request_id.get())

        ways: list[tuple[str, threading.Thread]] = [
            ("Thread(target=f)", threading.Thread(target=read("Thread(target=f)"), daemon=True)),
            ("Thread(target=copy_context().run, args=(f,))",
             threading.Thread(target=contextvars.copy_context().run,
                              args=(read("Thread(target=copy_context().run, args=(f,))"),),
                              daemon=True)),
        ]
        if thread_takes_context():
            ways.append(("Thread(target=f, context=copy_context())",
                         threading.Thread(target=read("Thread(target=f, context=copy_context())"),
                                          context=contextvars.copy_context(), daemon=True)))
        for _, t in ways:
            t.start()
        join_threads([t for _, t in ways], STEP_TIMEOUT)
    finally:
        request_id.reset(token)
    return {way: seen.get(way, "(no answer)") for way, _ in ways}


# --- thread-safe containers --------------------------------------------------------------


def safe_calls(container: str = "deque", *, producers: int = 4, per_producer: int = 5000) -> dict[str, int]:
    """Producers append, a consumer takes, all at once: is every item there exactly once?

    ``container`` is ``"deque"`` (``append`` / ``popleft``) or ``"SimpleQueue"``
    (``put`` / ``get``).  Each single call is atomic in CPython; this checks it.
    """
    check_choice("container", container, ("deque", "SimpleQueue"))
    check_int("producers", producers, minimum=1, maximum=16)
    check_int("per_producer", per_producer, minimum=1, maximum=100_000)
    total = producers * per_producer
    box: Any = deque() if container == "deque" else queue.SimpleQueue()
    put = box.append if container == "deque" else box.put
    taken: list[int] = []

    def produce(p: int) -> Callable[[], None]:
        return lambda: [put(p * per_producer + i) for i in range(per_producer)]

    def consume() -> None:
        deadline = Deadline(STEP_TIMEOUT)
        while len(taken) < total and not deadline.passed:
            if container == "deque":
                try:
                    taken.append(box.popleft())
                except IndexError:
                    time.sleep(0)
            else:
                try:
                    taken.append(box.get(timeout=0.05))
                except queue.Empty:
                    pass

    targets = {f"producer {p}": produce(p) for p in range(producers)}
    targets["consumer"] = consume
    _run_threads(targets, STEP_TIMEOUT)
    return {"put": total, "taken": len(taken), "distinct": len(set(taken))}
