"""starvation_and_fairness: starvation and fairness, measured: a greedy thread against polite ones, and a
producer/consumer pipeline whose bounded queue pushes back.

Every demo runs for a bounded time, stops its threads with an
:class:`threading.Event` or sentinels, joins them with a timeout, and reports
any thread left alive (there should be none).
"""

from __future__ import annotations

import os
import queue
import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ._hang import JOIN_TIMEOUT, join_threads
from ._validate import (check_callable, check_choice, check_int, check_items, check_number,
                        check_seconds)
from .trace import now
from .workloads import spin_for

_JOIN = JOIN_TIMEOUT  # the one demo-thread deadline, from _hang
_STD_NAMES = {threading.Lock: "threading.Lock", threading.RLock: "threading.RLock"}


def _check_path(name: str, path: object) -> object:
    """A file path (str or os.PathLike), or a ``TypeError``: ``open(5)`` would use file descriptor 5."""
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a file path (a str or pathlib.Path), got "
                        f"{type(path).__name__} {path!r:.60}; e.g. \"fairness.json\"")
    if isinstance(path, str) and not path.strip():
        raise ValueError(f"{name} must not be empty: pass a file name, e.g. \"fairness.json\"")
    return path


def _check_series(name: str, series: object) -> "FairnessSeries":
    if not isinstance(series, FairnessSeries):
        raise TypeError(f"{name} must be a FairnessSeries (what fairness_runs() returns), got "
                        f"{type(series).__name__} {series!r:.60}")
    if not series.runs:
        raise ValueError(f"{name} must hold the runs of at least one lock: pass "
                         "fairness_runs([threading.Lock, FairLock])'s result")
    return series


def fairness_index(counts) -> float:
    """Jain's fairness index of a list of shares: 1.0 when equal, 1/n when one takes all.

    ``(sum x)^2 / (n * sum x^2)``; an empty list or all zeros counts as fair (1.0).
    """
    xs = [float(check_number(f"counts[{i}]", x, low=0))
          for i, x in enumerate(check_items("counts", counts))]
    if not xs or not any(xs):
        return 1.0
    return sum(xs) ** 2 / (len(xs) * sum(x * x for x in xs))


@dataclass(frozen=True)
class FairnessReport:
    """Who got the lock how often, and how long they waited.

    Attributes:
        lock: The lock type's name.
        counts: Acquisitions per thread (``"greedy"``, ``"polite 0"``, ...).
        waits: Every wait (seconds) per thread, from the first try to success,
            across any acquire timeouts in between.
        seconds: How long the contest ran.
        threads_left: Threads still alive afterwards (always empty).
        unfinished: Per thread, how long it had been waiting, without
            success, when the contest stopped (0.0 if it was not waiting).
            A starved thread's longest wait is often this one.
    """

    lock: str
    counts: dict[str, int]
    waits: dict[str, list[float]]
    seconds: float
    threads_left: list[str] = field(default_factory=list)
    unfinished: dict[str, float] = field(default_factory=dict)

    @property
    def greedy_share(self) -> float:
        """The greedy thread's fraction of all acquisitions."""
        total = sum(self.counts.values())
        return self.counts.get("greedy", 0) / total if total else 0.0

    @property
    def fair_share(self) -> float:
        """What each thread would get if the lock were shared equally."""
        return 1 / len(self.counts) if self.counts else 0.0

    @property
    def index(self) -> float:
        """Jain's fairness index of the counts (1.0 = equal)."""
        return fairness_index(self.counts.values())

    def longest_wait(self, thread: str) -> float:
        """The longest time ``thread`` waited for one acquisition (0.0 if it never waited).

        Includes a wait still unfinished when the contest stopped: a thread
        that never got the lock again has waited that long, at least.
        """
        return max([*self.waits.get(thread, []), self.unfinished.get(thread, 0.0)])

    def median_wait(self, thread: str) -> float:
        """The median time ``thread`` waited per acquisition."""
        w = self.waits.get(thread) or [0.0]
        return statistics.median(w)

    def __repr__(self) -> str:
        return (f"FairnessReport(lock={self.lock!r}, greedy share {self.greedy_share:.0%} "
                f"(fair share {self.fair_share:.0%}), counts={self.counts})")


def greedy_vs_polite(lock_factory: Callable[[], Any] = threading.Lock, *, polite: int = 1,
                     seconds: float = 0.4, hold: float = 0.0005, pause: float = 0.0005,
                     work: str = "io", timeout: float = 0.5) -> FairnessReport:
    """One greedy thread and ``polite`` polite ones compete for one lock.

    Every thread holds the lock for ``hold`` seconds per acquisition.  The
    greedy thread re-acquires the moment it releases; a polite thread rests
    ``pause`` seconds first.  A fair lock serves whoever waits, in order; an
    unfair one lets the running greedy thread win the race for the lock it
    has just released, again and again.

    Args:
        lock_factory: Makes the lock, e.g. ``threading.Lock`` or ``FairLock``.
        polite: How many polite threads.
        seconds: How long the contest runs.
        hold: Seconds of work done while holding the lock.
        pause: Seconds a polite thread rests between turns.
        work: What holding the lock means: ``"io"`` waits (``time.sleep``, as a
            thread holding a lock around a file or a socket does; the GIL is
            free meanwhile), ``"cpu"`` computes (the GIL is held too, so the
            GIL's own hand-over every switch interval blurs the lock's).
        timeout: Each acquire waits at most this long (then simply tries again),
            so the stop signal is always seen.
    """
    check_callable("lock_factory", lock_factory,
                   hint="pass the lock type itself, e.g. threading.Lock or FairLock, without ()")
    check_int("polite", polite, minimum=1, maximum=16)
    check_seconds("seconds", seconds, maximum=30)
    # A thread holding (or resting) longer than the contest could not be stopped in time.
    check_seconds("hold", hold, maximum=0.5)
    check_seconds("pause", pause, allow_zero=True, maximum=1.0)
    check_choice("work", work, ("io", "cpu"))
    check_seconds("timeout", timeout, maximum=5.0)
    do_work = time.sleep if work == "io" else spin_for
    lock = lock_factory()
    if not (callable(getattr(lock, "acquire", None)) and callable(getattr(lock, "release", None))):
        raise TypeError(f"lock_factory must make a lock (with acquire and release), but "
                        f"lock_factory() returned {type(lock).__name__} {lock!r:.60}; pass e.g. "
                        "threading.Lock or FairLock")
    stop = threading.Event()
    go = threading.Barrier(polite + 1, timeout=_JOIN)
    counts: dict[str, int] = {}
    waits: dict[str, list[float]] = {}
    unfinished: dict[str, float] = {}

    def contender(name: str, rest: float) -> None:
        mine: list[float] = []
        go.wait()
        t0 = None  # when the current wait began; it lasts across acquire timeouts
        while not stop.is_set():
            if t0 is None:
                t0 = now()
            if not lock.acquire(timeout=timeout):
                continue  # still waiting: keep t0, or a starved thread's wait is lost
            try:
                mine.append(now() - t0)
                t0 = None
                do_work(hold)
            finally:
                lock.release()
            if rest:
                time.sleep(rest)
        # Each thread writes its own keys.
        counts[name], waits[name] = len(mine), mine
        unfinished[name] = 0.0 if t0 is None else now() - t0

    names = ["greedy"] + [f"polite {i}" for i in range(polite)]
    threads = [threading.Thread(target=contender, name=n, args=(n, 0.0 if n == "greedy" else pause),
                                daemon=True) for n in names]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    left = [t.name for t in join_threads(threads, _JOIN + timeout)]
    # threading.Lock is a factory function whose name differs between versions
    # (allocate_lock on 3.11, lock on 3.13): name the standard ones explicitly.
    name = _STD_NAMES.get(lock_factory) or getattr(lock_factory, "__qualname__", type(lock).__name__)
    return FairnessReport(name, {n: counts.get(n, 0) for n in names},
                          {n: waits.get(n, []) for n in names}, seconds, left,
                          {n: unfinished.get(n, 0.0) for n in names})


def _longest_polite_wait(report: FairnessReport) -> float:
    return max((report.longest_wait(n) for n in report.counts if n != "greedy"), default=0.0)


def _polite_turns(report: FairnessReport) -> int:
    return sum(v for k, v in report.counts.items() if k != "greedy")


@dataclass(frozen=True)
class FairnessSeries:
    """Several contests per lock, run in turns (Lock, FairLock, Lock, ...), so load hits both alike."""

    runs: dict[str, list[FairnessReport]]

    @property
    def locks(self) -> list[str]:
        return list(self.runs)

    def polite_turns(self, lock: str) -> list[int]:
        return [_polite_turns(r) for r in self.runs[lock]]

    def polite_share(self, lock: str) -> list[float]:
        return [_polite_turns(r) / max(1, sum(r.counts.values())) for r in self.runs[lock]]

    def total_turns(self, lock: str) -> list[int]:
        return [sum(r.counts.values()) for r in self.runs[lock]]

    def longest_waits(self, lock: str) -> list[float]:
        return [_longest_polite_wait(r) for r in self.runs[lock]]

    @property
    def threads_left(self) -> list[str]:
        return [t for reports in self.runs.values() for r in reports for t in r.threads_left]


#: The keyword options :func:`fairness_runs` passes on to :func:`greedy_vs_polite`.
_CONTEST_OPTIONS = ("polite", "seconds", "hold", "pause", "work", "timeout")


def fairness_runs(lock_factories, *, runs: int = 5, **contest: Any) -> FairnessSeries:
    """:func:`greedy_vs_polite` ``runs`` times per lock, the locks taking turns.

    Args:
        lock_factories: The locks to compare, e.g. ``[threading.Lock, FairLock]``.
        runs: Contests per lock (3 or more, so a verdict can see the spread).
        **contest: Passed to :func:`greedy_vs_polite` (``seconds``, ``hold``, ...).
    """
    check_int("runs", runs, minimum=1, maximum=50)
    if callable(lock_factories):
        raise TypeError(f"lock_factories must be a list of lock types, got the single "
                        f"{lock_factories!r:.60}: wrap it in a list, e.g. [threading.Lock, FairLock]")
    factories = check_items("lock_factories", lock_factories)
    if not factories:
        raise ValueError("lock_factories must not be empty: pass e.g. [threading.Lock, FairLock]")
    for i, make in enumerate(factories):
        check_callable(f"lock_factories[{i}]", make,
                       hint="pass lock types themselves, e.g. threading.Lock, without ()")
    unknown = sorted(set(contest) - set(_CONTEST_OPTIONS))
    if unknown:
        raise TypeError(f"{unknown[0]} is not an option of greedy_vs_polite(); use one of "
                        f"{', '.join(_CONTEST_OPTIONS)}")
    out: dict[str, list[FairnessReport]] = {}
    for _ in range(runs):
        for make in factories:
            report = greedy_vs_polite(make, **contest)
            out.setdefault(report.lock, []).append(report)
    return FairnessSeries(out)


def lock_handoff() -> str:
    """What this Python's ``threading.Lock`` does when it is released while a thread waits.

    From 3.13.1 (and in 3.14) the lock is built on CPython's ``PyMutex``: a
    waiter that has waited more than 1 ms gets the lock handed to it directly
    (``TIME_TO_BE_FAIR_NS`` in ``Python/lock.c``), so nobody can overtake it
    for long.  Before that it is a plain OS lock, and the thread that is
    already running usually wins the race for it.
    """
    import sys

    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info >= (3, 13, 1):
        return (f"This kernel runs Python {version}: its `threading.Lock` is built on CPython's "
                "`PyMutex`, which hands the lock directly to a thread that has waited more than "
                "1 ms (`TIME_TO_BE_FAIR_NS` in `Python/lock.c`). A greedy thread can still win "
                "most races, but it cannot make a waiter wait much longer than that for long.")
    return (f"This kernel runs Python {version}: its `threading.Lock` is a plain operating-system "
            "lock with no hand-off, so the thread that is already running usually wins the race "
            "for a lock it has just released. (From Python 3.13.1, and in 3.14, the lock is built "
            "on `PyMutex`, which hands the lock to a thread that has waited more than 1 ms.)")


def explain_fairness(series: FairnessSeries, unfair: str = "threading.Lock",
                     fair: str = "FairLock", *, where: str | None = None) -> str:
    """Markdown: what the runs showed, each claim judged on every run's values, with the spread.

    Three questions, each answered by :func:`~parallel_demo.verdict.compare_amounts`:
    did the polite thread get fewer turns with the unfair lock, did it wait
    longer at worst, and did fairness cost total turns (throughput)?
    """
    from .verdict import compare_amounts, format_percent

    share = compare_amounts(series.polite_share(unfair), series.polite_share(fair))
    waits = compare_amounts(series.longest_waits(unfair), series.longest_waits(fair))
    total = compare_amounts(series.total_turns(unfair), series.total_turns(fair))
    from .env import effective_cpus

    runs = len(series.runs[unfair])
    cpus = effective_cpus()
    where = where or f"in this kernel ({cpus} usable CPU{'s' * (cpus != 1)})"
    lines = [f"Measured {where}, {runs} contests per lock, the locks taking turns:", ""]
    pct = lambda x: format_percent(x)  # noqa: E731
    ms = lambda x: f"{x * 1e3:.1f} ms"  # noqa: E731
    lines.append("- " + share.sentence(f"`{unfair}`", f"`{fair}`",
                                       "The polite thread's share of the turns", fmt=pct))
    lines.append("- " + waits.sentence(f"`{unfair}`", f"`{fair}`",
                                       "The polite thread's longest wait for one turn", fmt=ms))
    lines.append("- " + total.sentence(f"`{unfair}`", f"`{fair}`",
                                       "Turns taken in all (the work done)"))
    lines.append("")
    if share.word == "fewer":
        lines.append(f"So here `{unfair}` let the greedy thread overtake the polite one: a mild "
                     "form of starvation, visible in every run. ")
    elif share.word == "tie":
        lines.append(f"So here `{unfair}` did not starve the polite thread measurably: the "
                     "operating system and this Python's lock shared the turns about as well as "
                     "the fair lock did. That can change with the load, the CPUs and the version. ")
    else:
        lines.append(f"Surprisingly, the polite thread got more turns with `{unfair}` here. ")
    if total.word == "more":
        lines.append(f"Fairness cost throughput: `{fair}` wakes another thread on every "
                     "hand-over instead of letting the running one go on.")
    elif total.word == "tie":
        lines.append("The cost of fairness in total turns was within the noise this time.")
    else:
        lines.append(f"And `{fair}` even got more work done in all this time.")
    return "\n".join(lines)


# --- Producer / consumer ---------------------------------------------------------


@dataclass(frozen=True)
class QueueEvent:
    """One interval in a pipeline: a thread ``"blocked"`` in put/get, or ``"working"``.

    Attributes:
        thread: ``"producer"`` or ``"consumer 0"``, ...
        kind: ``"put"`` (blocked putting), ``"get"`` (blocked getting) or ``"work"``.
        start: Interval start, on :func:`now`'s clock.
        end: Interval end.
        depth: Queue size right after the interval (``qsize()``, approximate).
        item: The item involved, or ``None``.
    """

    thread: str
    kind: str
    start: float
    end: float
    depth: int
    item: Any = None


@dataclass(frozen=True)
class PipelineReport:
    """What a producer/consumer run did.

    Attributes:
        produced: Items put, in order.
        consumed: Results, in the order consumers finished them.
        events: Every blocked or working interval, for the timeline.
        maxsize: The queue's bound.
        put_blocked: Seconds the producer spent blocked in ``put`` (queue full).
        threads_left: Threads still alive after shutdown (always empty).
        start: When the run began.
    """

    produced: list[Any]
    consumed: list[Any]
    events: list[QueueEvent]
    maxsize: int
    put_blocked: float
    threads_left: list[str]
    start: float

    @property
    def wall(self) -> float:
        """Seconds from the start to the last recorded event."""
        return max((e.end for e in self.events), default=self.start) - self.start

    def __repr__(self) -> str:
        return (f"PipelineReport(produced={len(self.produced)}, consumed={len(self.consumed)}, "
                f"maxsize={self.maxsize}, threads_left={self.threads_left})")


_SENTINEL = object()  # "no more items": one per consumer


def producer_consumer(items: int = 12, *, maxsize: int = 3, consumers: int = 2,
                      produce_time: float = 0.005, consume_time: float = 0.03,
                      timeout: float = 2.0) -> PipelineReport:
    """A fast producer feeds slow consumers through a bounded :class:`queue.Queue`.

    When the queue is full, ``put`` blocks: the producer is slowed to the
    consumers' pace (back-pressure) instead of piling up unbounded work.  At
    the end the producer puts one sentinel per consumer; each consumer stops
    at its sentinel, and every thread is joined with a timeout.  Every
    ``put``/``get`` also has a timeout, and an :class:`threading.Event` stops
    everyone if something goes wrong, so nothing can hang.

    Args:
        items: How many items to produce (item ``i`` is the number ``i``).
        maxsize: The queue's bound (>= 1).
        consumers: How many consumer threads.
        produce_time: Seconds to make one item.
        consume_time: Seconds to process one item (result: the item squared).
        timeout: Longest a single put/get may block before the run is aborted.
    """
    if maxsize < 1:
        raise ValueError("maxsize must be >= 1: a Queue with maxsize <= 0 is unbounded (no back-pressure)")
    if consumers < 1 or items < 0:
        raise ValueError("need consumers >= 1 and items >= 0")
    q: queue.Queue = queue.Queue(maxsize=maxsize)
    abort = threading.Event()
    rec_lock = threading.Lock()  # must be held to append to events / consumed
    events: list[QueueEvent] = []
    consumed: list[Any] = []
    produced: list[Any] = []

    def log(kind: str, start: float, end: float, item: Any = None) -> None:
        with rec_lock:
            events.append(QueueEvent(threading.current_thread().name, kind, start, end, q.qsize(), item))

    def put(item: Any) -> None:
        t0 = now()
        q.put(item, timeout=timeout)  # raises queue.Full instead of blocking forever
        log("put", t0, now(), None if item is _SENTINEL else item)

    def producer() -> None:
        try:
            for i in range(items):
                if abort.is_set():
                    return
                t0 = now()
                time.sleep(produce_time)
                log("work", t0, now(), i)
                put(i)
                produced.append(i)
            for _ in range(consumers):
                put(_SENTINEL)
        except queue.Full:
            abort.set()

    def consumer() -> None:
        while not abort.is_set():
            t0 = now()
            try:
                item = q.get(timeout=timeout)
            except queue.Empty:
                abort.set()
                return
            log("get", t0, now(), None if item is _SENTINEL else item)
            if item is _SENTINEL:
                return
            t0 = now()
            time.sleep(consume_time)
            with rec_lock:
                consumed.append(item * item)
            log("work", t0, now(), item)

    start = now()
    threads = [threading.Thread(target=producer, name="producer", daemon=True)]
    threads += [threading.Thread(target=consumer, name=f"consumer {i}", daemon=True)
                for i in range(consumers)]
    for t in threads:
        t.start()
    left = [t.name for t in join_threads(threads, _JOIN + timeout + items * (produce_time + consume_time))]
    abort.set()
    blocked = sum(e.end - e.start for e in events if e.thread == "producer" and e.kind == "put")
    return PipelineReport(produced, consumed, sorted(events, key=lambda e: e.start), maxsize,
                          blocked, left, start)


# --- Reference runs: a contest recorded elsewhere, drawn beside the reader's ------------

_SERIES_FORMAT = "parallel_demo.fairness_series/1"


def save_fairness_series(series: FairnessSeries, path, *, note: str = "") -> None:
    """Write ``series`` as JSON, with the machine and Python it ran on (for a reference run)."""
    _check_series("series", series)
    _check_path("path", path)
    if not isinstance(note, str):
        raise TypeError(f"note must be a str, got {type(note).__name__} {note!r:.60}")
    import json
    import platform
    import sys
    from dataclasses import asdict

    from .env import effective_cpus

    data = {
        "format": _SERIES_FORMAT,
        "machine": {"python": platform.python_version(), "implementation": sys.implementation.name,
                    "platform": platform.platform(), "effective_cpus": effective_cpus(),
                    "note": note},
        "runs": {lock: [asdict(r) for r in reports] for lock, reports in series.runs.items()},
    }
    with open(path, "w") as f:
        json.dump(data, f, indent=1)


@dataclass(frozen=True)
class RecordedSeries:
    """A :class:`FairnessSeries` read from a file, and where it was recorded."""


    series: FairnessSeries
    python: str
    cpus: int
    note: str

    @property
    def label(self) -> str:
        return f"Python {self.python}, {self.cpus} CPU{'s' * (self.cpus != 1)} (recorded)"


def load_fairness_series(path) -> RecordedSeries:
    """Read a file written by :func:`save_fairness_series`; refuse an unknown format."""
    import json

    _check_path("path", path)
    fix = "pass a file written by save_fairness_series()"
    with open(path) as f:
        try:
            data = json.load(f)
        except ValueError as exc:  # json.JSONDecodeError, UnicodeDecodeError
            raise ValueError(f"path {str(path)!r:.80} is not JSON ({exc}): {fix}") from None
    found = data.get("format") if isinstance(data, dict) else type(data).__name__
    if found != _SERIES_FORMAT:
        raise ValueError(f"path {str(path)!r:.80} is not a fairness series in format "
                         f"{_SERIES_FORMAT!r} (found {found!r}): {fix}")
    try:
        runs = {lock: [FairnessReport(**r) for r in reports]
                for lock, reports in data["runs"].items()}
        m = data["machine"]
        return RecordedSeries(FairnessSeries(runs), m["python"], m["effective_cpus"],
                              m.get("note", ""))
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"path {str(path)!r:.80} is a damaged fairness series "
                         f"({type(exc).__name__}: {exc}): {fix}") from None


def beside(series: FairnessSeries, recorded: RecordedSeries) -> FairnessSeries:
    """One series holding the reader's runs and a recorded one, the recorded locks labelled."""
    _check_series("series", series)
    if not isinstance(recorded, RecordedSeries):
        raise TypeError(f"recorded must be a RecordedSeries: load it with "
                        f"load_fairness_series(path), got {type(recorded).__name__} "
                        f"{recorded!r:.60}")
    runs = dict(series.runs)
    runs.update({f"{lock}\n{recorded.label}": reports for lock, reports in recorded.series.runs.items()})
    return FairnessSeries(runs)


def explain_versions(series: FairnessSeries, recorded: RecordedSeries,
                     lock: str = "threading.Lock") -> str:
    """Markdown: the polite thread's longest wait under ``lock``, this kernel against a recorded run."""
    import platform

    from .verdict import compare_amounts

    verdict = compare_amounts(series.longest_waits(lock), recorded.series.longest_waits(lock))
    return verdict.sentence(f"this kernel's Python {platform.python_version()}",
                            f"Python {recorded.python} (recorded)",
                            f"The polite thread's longest wait under `{lock}`",
                            fmt=lambda x: f"{x * 1e3:.1f} ms")
