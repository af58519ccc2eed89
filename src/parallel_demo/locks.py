"""deadlock, starvation_and_fairness: locks you can watch: :class:`TrackedLock` records who holds and who waits,
:class:`FairLock` serves waiters first come, first served.

Both have the API of :class:`threading.Lock` (``with``,
``acquire(blocking=True, timeout=-1)``, ``release()``, ``locked()``) and pass
the same behavioural tests, so a chapter can swap one for another.  They are
not the same lock, though: a :class:`TrackedLock` does book-keeping on every
call (slower, and it records), a :class:`FairLock` serves waiters in order
(``threading.Lock`` promises no order), and neither is a C-level lock (so a
signal handler that runs between their steps sees them mid-call).

A :class:`LockMonitor` is the shared notebook of several tracked locks: every
acquire and release becomes a :class:`LockRecord`, and at any moment it can
take a snapshot of the *wait-for graph* (which thread holds which lock, which
thread waits for which lock).  A cycle in that graph is a deadlock.  When a
tracked acquire times out, the monitor keeps the snapshot taken at that
moment, so the cycle can be shown after the threads have let go.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field, replace
from numbers import Real

from .trace import now


def check_acquire_args(blocking: bool, timeout: float) -> None:
    """Reject what :meth:`threading.Lock.acquire` rejects, with the same errors.

    Shared by every lock-like class of the book (here and in :mod:`rwlock`), so
    that all of them refuse the same arguments with the same messages.
    """
    if not isinstance(timeout, Real):  # threading.Lock raises TypeError for these too
        raise TypeError(f"timeout must be a number of seconds (or -1 for no timeout), got "
                        f"{type(timeout).__name__} {timeout!r:.60}")
    if not blocking and timeout != -1:
        raise ValueError("can't specify a timeout for a non-blocking call; leave timeout out "
                         "(or pass blocking=True)")
    if timeout < 0 and timeout != -1:
        raise ValueError("timeout value must be a non-negative number (or -1 for no timeout)")
    if timeout > threading.TIMEOUT_MAX:
        raise OverflowError(f"timeout value is too large (at most threading.TIMEOUT_MAX = "
                            f"{threading.TIMEOUT_MAX:g} s), got {timeout!r}")


@dataclass(frozen=True)
class LockRecord:
    """One attempt by one thread to take one lock, and how it went.

    Attributes:
        thread: The thread's name (the chart's lane).
        lock: The lock's name.
        requested: When the thread asked for the lock (:func:`now`'s clock).
        acquired: When it got it, or ``None`` if it never did.
        released: When it let go, or ``None`` if it still holds it (or never got it).
        timed_out: True if the attempt gave up (timeout or ``blocking=False``).
    """

    thread: str
    lock: str
    requested: float
    acquired: float | None = None
    released: float | None = None
    timed_out: bool = False

    @property
    def waited(self) -> float | None:
        """Seconds spent waiting (up to giving up, for a timed-out attempt)."""
        if self.acquired is not None:
            return self.acquired - self.requested
        return None


@dataclass(frozen=True)
class WaitForGraph:
    """Who holds which lock and who waits for which, at one instant.

    Attributes:
        holds: ``{lock name: thread name}`` for every held lock.
        waits: ``{thread name: lock name}`` for every thread blocked in acquire.
        at: When the snapshot was taken.
    """

    holds: dict[str, str] = field(default_factory=dict)
    waits: dict[str, str] = field(default_factory=dict)
    at: float = 0.0

    def cycle(self) -> list[str] | None:
        """The first cycle found, as ``[thread, lock, thread, lock, ..., thread]``.

        Follow the edges thread --waits for--> lock --held by--> thread.  A
        path that comes back to a thread it passed is a deadlock: nobody on it
        can move.  Returns ``None`` when there is no cycle.
        """
        for start in sorted(self.waits):
            path, seen = [start], {start: 0}
            thread = start
            while thread in self.waits:
                lock = self.waits[thread]
                holder = self.holds.get(lock)
                if holder is None:
                    break
                path += [lock, holder]
                if holder in seen:
                    return path[2 * seen[holder]:]
                seen[holder] = len(path) // 2
                thread = holder
        return None

    def describe(self) -> str:
        """The graph in words, one edge a line, then the cycle if there is one."""
        lines = [f"{t} holds {lock}" for lock, t in sorted(self.holds.items(), key=lambda kv: kv[1])]
        lines += [f"{t} waits for {lock}" for t, lock in sorted(self.waits.items())]
        cyc = self.cycle()
        lines.append("cycle: " + " -> ".join(cyc) if cyc else "no cycle")
        return "\n".join(lines)


class LockMonitor:
    """The shared record of several :class:`TrackedLock` objects.

    Use one monitor for all the locks whose wait-for graph you want to see::

        mon = LockMonitor()
        a, b = mon.lock("lock A"), mon.lock("lock B")
        ...
        mon.records, mon.graph(), mon.timeouts
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()  # must be held to touch any attribute below
        self._records: list[LockRecord] = []
        self._holder: dict[str, tuple[str, int]] = {}  # lock -> (thread, index of its record)
        self._waiting: dict[str, str] = {}  # thread -> lock
        self._timeouts: list[WaitForGraph] = []
        # Lock order, lockdep-style: (held, wanted) -> the threads that blocked on
        # `wanted` (with no timeout) while holding `held`.
        self._order: dict[tuple[str, str], set[str]] = {}
        self._peak = 0  # most threads holding or waiting for a lock at one moment
        self.start = now()

    def lock(self, name: str) -> "TrackedLock":
        """A new :class:`TrackedLock` called ``name`` that reports to this monitor."""
        return TrackedLock(name, monitor=self)

    @property
    def records(self) -> list[LockRecord]:
        """Every attempt so far, in the order they were made."""
        with self._mutex:
            return list(self._records)

    @property
    def timeouts(self) -> list[WaitForGraph]:
        """The wait-for graph as it was at each timed-out blocking acquire."""
        with self._mutex:
            return list(self._timeouts)

    def graph(self) -> WaitForGraph:
        """A snapshot of the wait-for graph now."""
        with self._mutex:
            return self._graph_locked()

    def held_by(self, thread: str) -> frozenset[int]:
        """The holds ``thread`` has now, each an index into :attr:`records`.

        Two writes made under the same hold (the same index) were in one
        critical section; under different indexes, in two.
        """
        with self._mutex:
            return frozenset(i for t, i in self._holder.values() if t == thread)

    @property
    def order(self) -> dict[tuple[str, str], frozenset[str]]:
        """Lock order seen so far: ``{(held, wanted): threads}``.

        An edge ``X -> Y`` means a thread blocked for ``Y`` (no timeout)
        while it held ``X``, as the Linux kernel's *lockdep* records it.  A
        cycle of such edges is a deadlock waiting for its moment, even if
        this run was lucky.  Waits with a timeout add no edge: they give up.
        """
        with self._mutex:
            return {edge: frozenset(ts) for edge, ts in self._order.items()}

    @property
    def peak_threads(self) -> int:
        """The most threads that held or waited for these locks at one moment."""
        with self._mutex:
            return self._peak

    def order_cycle(self, *, max_threads: int | None = None) -> list[str] | None:
        """A cycle in :attr:`order` that threads could close together, or ``None``.

        Returned as lock names ``[X, Y, ..., X]``.  Each edge of the cycle must
        come from a different thread (one thread taking ``X, Y`` and later
        ``Y, X`` cannot deadlock with itself), and with ``max_threads`` the
        cycle may have at most that many edges (a cycle of five locks needs
        five threads inside at once: a footman that seats four prevents it).
        """
        order = self.order
        limit = max_threads if max_threads is not None else len(order) + 1
        succ: dict[str, list[str]] = {}
        for held, wanted in sorted(order):
            succ.setdefault(held, []).append(wanted)

        def distinct(edges: list[tuple[str, str]], used: frozenset[str] = frozenset()) -> bool:
            if not edges:
                return True
            return any(distinct(edges[1:], used | {t})
                       for t in sorted(order[edges[0]]) if t not in used)

        def walk(path: list[str]) -> list[str] | None:
            for nxt in succ.get(path[-1], []):
                if nxt == path[0]:
                    edges = list(zip(path, path[1:] + [nxt]))
                    if len(edges) <= limit and distinct(edges):
                        return path + [nxt]
                elif nxt not in path and nxt > path[0] and len(path) < limit:
                    found = walk(path + [nxt])
                    if found:
                        return found
            return None

        for start in sorted(succ):  # each cycle is found from its smallest lock
            found = walk([start])
            if found:
                return found
        return None

    def holder(self, lock: str) -> str | None:
        """The name of the thread holding ``lock`` now, or ``None``."""
        with self._mutex:
            entry = self._holder.get(lock)
            return entry[0] if entry else None

    # The methods below are called by TrackedLock; each takes the mutex once.
    def _graph_locked(self) -> WaitForGraph:
        return WaitForGraph(holds={lock: t for lock, (t, _) in self._holder.items()},
                            waits=dict(self._waiting), at=now())

    def _begin(self, thread: str, lock: str, t: float, blocking: bool, timed: bool = False) -> int:
        with self._mutex:
            self._records.append(LockRecord(thread, lock, t))
            if blocking:
                self._waiting[thread] = lock
                if not timed:
                    for held, (owner, _) in self._holder.items():
                        if owner == thread:
                            self._order.setdefault((held, lock), set()).add(thread)
            self._note_peak()
            return len(self._records) - 1

    def _note_peak(self) -> None:
        engaged = {t for t, _ in self._holder.values()} | set(self._waiting)
        self._peak = max(self._peak, len(engaged))

    def _end_wait(self, index: int, got: bool, blocking: bool, t: float) -> None:
        with self._mutex:
            rec = self._records[index]
            if got:
                self._records[index] = replace(rec, acquired=t)
                self._holder[rec.lock] = (rec.thread, index)
                self._note_peak()
            else:
                self._records[index] = replace(rec, timed_out=True)
                if blocking:  # the graph as it was while this thread still waited
                    self._timeouts.append(self._graph_locked())
            self._waiting.pop(rec.thread, None)

    def _released(self, lock: str, t: float) -> None:
        with self._mutex:
            entry = self._holder.pop(lock, None)
            if entry is not None:
                index = entry[1]
                self._records[index] = replace(self._records[index], released=t)


class TrackedLock:
    """A :class:`threading.Lock` that reports every acquire and release.

    Args:
        name: How charts and graphs call this lock; default ``"lock <id>"``.
        monitor: The :class:`LockMonitor` to report to; a private one if None.
            Give locks one shared monitor to see their joint wait-for graph.

    Like :class:`threading.Lock`, it has no owner: any thread may release it.
    The tracking costs a few microseconds per call, so it is for teaching and
    debugging, not for hot loops.
    """

    def __init__(self, name: str | None = None, *, monitor: LockMonitor | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a str such as 'lock A' (or None), got "
                            f"{type(name).__name__} {name!r:.60}")
        if monitor is not None and not isinstance(monitor, LockMonitor):
            raise TypeError(f"monitor must be a LockMonitor (or None for a private one), got "
                            f"{type(monitor).__name__} {monitor!r:.60}; use monitor.lock(name) "
                            "to make locks that share one")
        self._lock = threading.Lock()
        self.name = name if name is not None else f"lock {id(self):x}"
        self.monitor = monitor if monitor is not None else LockMonitor()

    def _wait(self, blocking: bool, timeout: float) -> bool:
        """Take the underlying lock; subclasses may wait differently."""
        return self._lock.acquire(blocking, timeout)

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Take the lock; same arguments, result and errors as :meth:`threading.Lock.acquire`."""
        check_acquire_args(blocking, timeout)
        thread = threading.current_thread().name
        index = self.monitor._begin(thread, self.name, now(), blocking, timed=timeout >= 0)
        got = False
        try:
            got = self._wait(blocking, timeout)
        finally:  # even when interrupted, the record must say how it ended
            self.monitor._end_wait(index, got, blocking, now())
        return got

    def release(self) -> None:
        """Let go; raises RuntimeError if the lock is not held, like threading.Lock."""
        # Record first, while still holding: once released, another thread may
        # acquire and its record must not be closed by ours.
        if not self._lock.locked():
            raise RuntimeError("release unlocked lock")
        self.monitor._released(self.name, now())
        self._lock.release()

    def locked(self) -> bool:
        """True if some thread holds the lock."""
        return self._lock.locked()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        state = "locked" if self.locked() else "unlocked"
        return f"<TrackedLock {self.name!r} {state}>"


class FairLock:
    """A first-come, first-served lock with the API of :class:`threading.Lock`.

    :class:`threading.Lock` promises no order: a thread that releases and at
    once re-acquires tends to win again, because the waiter it woke still has
    to be scheduled.  Here ``release`` hands the lock *directly* to the
    longest-waiting thread, so nobody can barge in ahead of the queue.  The
    price is a thread switch on every contended hand-over: fairness is slower.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()  # must be held to read or change _locked / _waiters
        self._locked = False
        # One private "gate" lock per waiter, already acquired: the waiter blocks
        # on it; release() opens the first gate to hand the lock over.
        # Invariant: _waiters is non-empty only while _locked is True.
        self._waiters: deque[threading.Lock] = deque()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Take the lock, after everyone who asked before; same API as threading.Lock."""
        check_acquire_args(blocking, timeout)
        with self._mutex:
            if not self._locked:
                self._locked = True
                return True
            if not blocking:
                return False
            gate = threading.Lock()
            gate.acquire()
            self._waiters.append(gate)
        try:
            if gate.acquire(True, timeout):
                return True  # release() handed the lock to us; _locked stayed True
        except BaseException:
            # Interrupted while waiting (Jupyter's interrupt button raises
            # KeyboardInterrupt here): leave the queue, or, if the lock was
            # handed to us meanwhile, pass it on; otherwise release() would
            # later hand it to a gate nobody waits at, and it stays locked.
            self._give_up(gate, handed_over=self._release_after_interrupt)
            raise
        return self._give_up(gate, handed_over=lambda: True)

    def _give_up(self, gate: threading.Lock, handed_over) -> bool:
        """Leave the queue after a timeout or an interrupt; ``handed_over()`` if it was too late."""
        with self._mutex:
            try:
                self._waiters.remove(gate)
            except ValueError:
                pass  # release() already opened our gate: the lock is ours
            else:
                return False
        # After a timeout: it is ours, and giving it back would break the
        # queue's order.  After an interrupt: nobody will use it, so pass it on.
        return handed_over()

    def _release_after_interrupt(self) -> bool:
        self.release()
        return False

    def release(self) -> None:
        """Hand the lock to the longest waiter, or unlock it if nobody waits."""
        with self._mutex:
            if not self._locked:
                raise RuntimeError("release unlocked lock")
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._locked = False

    def locked(self) -> bool:
        """True if some thread holds the lock."""
        return self._locked

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"<FairLock {'locked' if self._locked else 'unlocked'}, {len(self._waiters)} waiting>"
