"""Readers-writer locks for the synchronization-primitives chapter: who goes first decides who starves.

A readers-writer lock lets many readers in at once, or one writer alone.  The
two classes here differ in a single rule, *may a new reader enter while a
writer is waiting?*:

* :class:`ReadersPreferringLock` says yes.  Readers that keep overlapping
  keep the room occupied, and a writer can wait for ever (it starves).
* :class:`WriterPreferringLock` says no: once a writer waits, new readers
  queue behind it, so the room empties and the writer gets in.  (Now readers
  can starve behind a stream of writers; the chapter says so.)

Each lock has two views, ``rw.reader`` and ``rw.writer``, with exactly the API
of :class:`threading.Lock` (``with``, ``acquire(blocking=True, timeout=-1)``,
``release()``, ``locked()``), the same errors, and no owner, so the writer
view passes the same behavioural suite as :class:`threading.Lock`,
:class:`~parallel_demo.locks.TrackedLock` and :class:`~parallel_demo.locks.FairLock`.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from ._hang import Deadline, join_threads
from ._validate import check_choice, check_int, check_items, check_seconds
from .locks import check_acquire_args
from .timing import Measurement, format_seconds
from .trace import now
from .verdict import compare, format_ratio


def _wait_for(blocking: bool, timeout: float) -> float | None:
    """The wait's timeout (None: no limit), after :func:`locks.check_acquire_args` accepted it."""
    check_acquire_args(blocking, timeout)
    if not blocking:
        return 0.0
    return None if timeout == -1 else timeout


class _Side:
    """One side (readers or writers) of a readers-writer lock, with the Lock API."""

    def __init__(self, owner: "_RWLock", reading: bool) -> None:
        self._owner = owner
        self._reading = reading

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Enter; same arguments, result and errors as :meth:`threading.Lock.acquire`."""
        wait = _wait_for(blocking, timeout)
        if self._reading:
            return self._owner._acquire_read(wait)
        return self._owner._acquire_write(wait)

    def release(self) -> None:
        """Leave; RuntimeError if nobody holds this side, like threading.Lock."""
        if self._reading:
            self._owner._release_read()
        else:
            self._owner._release_write()

    def locked(self) -> bool:
        """True while some thread holds this side."""
        return self._owner._readers > 0 if self._reading else self._owner._writing

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        side = "reader" if self._reading else "writer"
        state = "locked" if self.locked() else "unlocked"
        return f"<{type(self._owner).__name__}.{side} {state}>"


class _RWLock:
    """The state and the waiting; subclasses decide when a reader may enter."""

    def __init__(self) -> None:
        # The condition's lock must be held to read or change the three counters.
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0          # readers inside now
        self._writing = False      # a writer is inside now
        self._writers_waiting = 0  # writers blocked in acquire
        self.reader = _Side(self, reading=True)
        self.writer = _Side(self, reading=False)

    def _reader_may_enter(self) -> bool:
        raise NotImplementedError

    def _acquire_read(self, wait: float | None) -> bool:
        with self._cond:
            if not self._cond.wait_for(self._reader_may_enter, wait):
                return False
            self._readers += 1
            return True

    def _acquire_write(self, wait: float | None) -> bool:
        with self._cond:
            self._writers_waiting += 1
            try:
                got = self._cond.wait_for(lambda: not self._writing and self._readers == 0, wait)
            finally:
                self._writers_waiting -= 1
            if got:
                self._writing = True
            else:
                # Readers held back for this writer may go in now that it gave up.
                self._cond.notify_all()
            return got

    def _release_read(self) -> None:
        with self._cond:
            if self._readers == 0:
                raise RuntimeError("release unlocked lock")
            self._readers -= 1
            if self._readers == 0:
                self._cond.notify_all()

    def _release_write(self) -> None:
        with self._cond:
            if not self._writing:
                raise RuntimeError("release unlocked lock")
            self._writing = False
            self._cond.notify_all()

    def __repr__(self) -> str:
        return (f"<{type(self).__name__}: {self._readers} reading, "
                f"{'1 writing' if self._writing else 'no writer'}, "
                f"{self._writers_waiting} writer(s) waiting>")


class ReadersPreferringLock(_RWLock):
    """A readers-writer lock where a reader enters whenever no writer is *inside*.

    Readers never wait for a waiting writer, so overlapping readers can keep a
    writer out for as long as they keep coming: writer starvation.
    """

    def _reader_may_enter(self) -> bool:
        return not self._writing


class WriterPreferringLock(_RWLock):
    """A readers-writer lock where new readers wait while a writer is waiting.

    The room empties of readers once a writer asks, so the writer's wait is
    bounded by the readers already inside.
    """

    def _reader_may_enter(self) -> bool:
        return not self._writing and self._writers_waiting == 0


#: The variants by name, in the order the chapter shows them.
RW_LOCKS = {"readers-preferring": ReadersPreferringLock, "writer-preferring": WriterPreferringLock}


# --- measuring writer starvation -----------------------------------------------------------


@dataclass(frozen=True)
class WriterReport:
    """One contest: readers that keep overlapping, one writer that wants in now and then.

    Attributes:
        kind: The lock variant (a key of :data:`RW_LOCKS`).
        writes: How many times the writer got in.
        reads: How many read sections the readers completed.
        waits: The writer's wait for each attempt, in seconds; an attempt still
            waiting when the contest ended counts up to the end.
        seconds: How long the contest ran.
        threads_left: Threads that could not be ended (should be empty).
    """

    kind: str
    writes: int
    reads: int
    waits: tuple[float, ...]
    seconds: float
    threads_left: list[str]

    @property
    def longest_wait(self) -> float:
        return max(self.waits) if self.waits else 0.0


def writer_starvation(kind: str = "readers-preferring", *, readers: int = 6, seconds: float = 0.25,
                      hold: float = 0.003, pause: float = 0.0005, write: float = 0.0005,
                      rest: float = 0.002) -> WriterReport:
    """Readers hold the read side ``hold`` s and rest ``pause`` s; the writer tries between rests.

    The readers start staggered, so at almost every instant at least one is
    reading.  A readers-preferring lock lets a new reader in whenever no writer
    is *inside*, so the writer waits for a moment with no reader at all; a
    writer-preferring lock stops new readers once the writer waits.
    """
    check_choice("kind", kind, RW_LOCKS)
    check_int("readers", readers, minimum=1, maximum=16)
    check_seconds("seconds", seconds, maximum=5.0)
    for name, value in (("hold", hold), ("pause", pause), ("write", write), ("rest", rest)):
        check_seconds(name, value, maximum=0.5)
    rw = RW_LOCKS[kind]()
    end = Deadline(seconds)
    reads = [0] * readers
    writes = [0]
    waits: list[float] = []

    def reader(i: int) -> Callable[[], None]:
        def body() -> None:
            time.sleep(hold * i / readers)  # staggered: their sections overlap
            while not end.passed:
                if rw.reader.acquire(timeout=max(end.left(), 0.001)):
                    try:
                        time.sleep(hold)
                        reads[i] += 1
                    finally:
                        rw.reader.release()
                time.sleep(pause)
        return body

    def writer() -> None:
        time.sleep(hold)  # the readers are in full swing
        while not end.passed:
            t0 = now()
            got = rw.writer.acquire(timeout=max(end.left(), 0.001))
            waits.append(now() - t0)
            if not got:
                return
            writes[0] += 1
            try:
                time.sleep(write)
            finally:
                rw.writer.release()
            time.sleep(rest)

    threads = [threading.Thread(target=reader(i), name=f"reader {i}", daemon=True)
               for i in range(readers)]
    threads.append(threading.Thread(target=writer, name="writer", daemon=True))
    t0 = now()
    for t in threads:
        t.start()
    left = join_threads(threads, seconds + 5.0)
    return WriterReport(kind, writes[0], sum(reads), tuple(waits), now() - t0, [t.name for t in left])


#: The keyword options :func:`measure_writer_waits` passes on to :func:`writer_starvation`.
_CONTEST_OPTIONS = ("readers", "seconds", "hold", "pause", "write", "rest")


def measure_writer_waits(runs: int = 5, kinds: Sequence[str] = tuple(RW_LOCKS),
                         **options: float) -> dict[str, list[WriterReport]]:
    """:func:`writer_starvation` ``runs`` times per kind, taking turns (A, B, A, B, ...).

    Returns ``{kind: [WriterReport, ...]}``; :func:`longest_waits` turns a
    kind's runs into a :class:`~parallel_demo.timing.Measurement` for
    :func:`~parallel_demo.verdict.compare`.
    """
    check_int("runs", runs, minimum=1, maximum=50)
    kinds = check_items("kinds", kinds, allow_empty=False)
    for i, k in enumerate(kinds):
        check_choice(f"kinds[{i}]", k, RW_LOCKS)
    unknown = sorted(set(options) - set(_CONTEST_OPTIONS))
    if unknown:
        raise TypeError(f"{unknown[0]} is not an option of writer_starvation(); use one of "
                        f"{', '.join(_CONTEST_OPTIONS)}")
    out: dict[str, list[WriterReport]] = {k: [] for k in kinds}
    for _ in range(runs):
        for k in kinds:
            out[k].append(writer_starvation(k, **options))
    return out


def longest_waits(reports: Sequence[WriterReport]) -> Measurement:
    """The writer's longest wait in each run, as a Measurement (label: the lock's kind)."""
    if isinstance(reports, dict):
        raise TypeError("reports must be the runs of one kind, not measure_writer_waits()'s "
                        "whole dict: pass e.g. runs[\"writer-preferring\"]")
    reports = check_items("reports", reports)
    if not reports:
        raise ValueError("reports must not be empty: pass the runs of one kind")
    for i, r in enumerate(reports):
        if not isinstance(r, WriterReport):
            raise TypeError(f"reports[{i}] must be a WriterReport (from writer_starvation() or "
                            f"measure_writer_waits()), got {type(r).__name__} {r!r:.60}")
    return Measurement(reports[0].kind, tuple(r.longest_wait for r in reports))


def explain_writer_waits(runs: dict[str, list[WriterReport]]) -> str:
    """Markdown: was the writer's longest wait shorter with the writer-preferring lock?

    ``runs`` is :func:`measure_writer_waits`'s result (both kinds); the verdict
    comes from :func:`~parallel_demo.verdict.compare` on the runs' longest waits.
    """
    missing = [k for k in ("writer-preferring", "readers-preferring") if not runs.get(k)]
    if missing:
        raise ValueError(f"runs needs the runs of both locks (from measure_writer_waits()); "
                         f"missing: {', '.join(missing)}")
    fair, unfair = longest_waits(runs["writer-preferring"]), longest_waits(runs["readers-preferring"])
    v = compare(fair, unfair)
    word = {"faster": "shorter", "slower": "longer", "tie": "not different beyond the noise"}[v.word]
    text = (f"In this run the writer's longest wait was **{word}** with the writer-preferring lock "
            f"(median {format_seconds(fair.median)} against {format_seconds(unfair.median)} "
            f"with the readers-preferring one, {v.runs} interleaved runs each")
    if v.word != "tie":
        text += f"; ratio {format_ratio(v.low)} to {format_ratio(v.high)} between typical runs"
    return text + ")."


# --- fairness elsewhere: other libraries' locks -------------------------------------------------------------------


def asyncio_lock_order(tasks: int = 4) -> list[str]:
    """Tasks queue for a held ``asyncio.Lock``; the holder then asks again at once.

    Returns the order in which the lock was granted: asyncio's lock serves
    waiters first in, first out, so the re-asking holder comes last.  Runs
    its own event loop in a helper thread (a notebook's main thread already
    has one).
    """
    check_int("tasks", tasks, minimum=1, maximum=32)
    order: list[str] = []

    async def main() -> None:
        lock = asyncio.Lock()

        async def take(name: str) -> None:
            async with lock:
                order.append(name)

        await lock.acquire()
        waiters = [asyncio.create_task(take(f"task {i}")) for i in range(tasks)]
        await asyncio.sleep(0.01)  # every task is now queued on the lock
        lock.release()
        await take("the holder, again")
        await asyncio.gather(*waiters)

    failure: list[BaseException] = []

    def loop() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # reported below, in the caller's thread
            failure.append(exc)

    t = threading.Thread(target=loop, name="asyncio loop", daemon=True)
    t.start()
    if join_threads([t], 5.0) or failure:
        raise RuntimeError(f"asyncio_lock_order failed: {failure or 'still running'}")
    return order


def trio_lock_order(tasks: int = 4) -> list[str] | None:
    """The same race with ``trio.Lock`` (FIFO by its documentation), or None without trio."""
    check_int("tasks", tasks, minimum=1, maximum=32)
    try:
        import trio
    except ImportError:
        return None
    order: list[str] = []

    async def main() -> None:
        lock = trio.Lock()

        async def take(name: str) -> None:
            async with lock:
                order.append(name)

        async with trio.open_nursery() as nursery:
            await lock.acquire()
            for i in range(tasks):
                nursery.start_soon(take, f"task {i}")
            await trio.sleep(0.01)
            lock.release()
            await take("the holder, again")

    trio.run(main)
    return order


def lock_handoff_note(version: tuple[int, ...] | None = None) -> str:
    """What this Python's ``threading.Lock`` does for a waiter (depends on the version)."""
    if version is None:
        v = tuple(sys.version_info[:3])
    else:
        if not isinstance(version, (tuple, list)):
            raise TypeError(f"version must be a tuple of ints, e.g. (3, 13, 1), got "
                            f"{type(version).__name__} {version!r:.60}; leave it out for this "
                            "Python")
        if not version:
            raise ValueError("version must not be empty: pass e.g. (3, 13, 1)")
        v = tuple(check_int(f"version[{i}]", x, minimum=0) for i, x in enumerate(version[:3]))
    name = ".".join(map(str, v))
    if v >= (3, 13, 1):
        return (f"Python {name}: threading.Lock is built on PyMutex, which hands the lock directly "
                "to a waiter that has waited longer than 1 ms. A greedy thread can still win "
                "often, but a waiter's wait is bounded far more tightly than before.")
    return (f"Python {name}: threading.Lock makes no hand-off. A thread that releases and "
            "re-acquires at once usually wins again, so a waiter can wait many turns "
            "(from 3.13.1 on, PyMutex hands off after 1 ms).")
