"""every chapter: what was timed: one record type for every task, on one clock.

Every strategy produces :class:`TaskRecord` objects; every chart reads them and
every test asserts on them.  The clock is :func:`time.perf_counter`, which on
Linux, macOS and Windows is a system-wide monotonic clock, so a timestamp taken
in a worker *process* can be drawn on the same axis as one taken in the parent.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from ._validate import check_callable, check_items

#: The one clock every timestamp in this library is taken on.
now = time.perf_counter


@dataclass(frozen=True)
class TaskRecord:
    """One task: which item, who ran it, and when.

    Attributes:
        index: Position of the item in the input.
        worker: A short, stable label of the worker that ran it, such as
            ``"thread 0"`` or ``"process 1"``; lanes in a timeline.
        pid: Process id of the worker.
        thread: ``threading.get_ident()`` of the worker thread.
        start: When the task began, on :func:`now`'s clock (seconds).
        end: When it finished, on the same clock.
        submitted: When the task was handed to the strategy, or ``None``.
        label: What the task was about, for chart annotations (e.g. the item).
    """

    index: int
    worker: str
    pid: int
    thread: int
    start: float
    end: float
    submitted: float | None = None
    label: str = ""

    @property
    def duration(self) -> float:
        """Seconds the task ran for."""
        return self.end - self.start


@dataclass(frozen=True)
class RunResult:
    """What :func:`parallel_demo.run` measured.

    Attributes:
        strategy: The strategy's name, one of ``STRATEGIES``.
        workers: How many workers it was allowed.
        results: ``fn(item)`` for every item, in input order.
        records: One :class:`TaskRecord` per item, in input order.
        wall: Seconds from the first submission to the last result,
            including starting and stopping the workers.
        start: When the run began, on :func:`now`'s clock.
    """

    strategy: str
    workers: int
    results: list[Any]
    records: list[TaskRecord]
    wall: float
    start: float = 0.0

    @property
    def busy(self) -> float:
        """Total seconds spent inside tasks, summed over all workers."""
        return sum(r.duration for r in self.records)

    @property
    def lanes(self) -> list[str]:
        """The distinct worker labels, in the order they first started work."""
        return worker_labels(self.records)

    @classmethod
    def _deferred(cls, *, strategy: str, workers: int, results: list[Any], wall: float,
                  start: float, build: Callable[[], list[TaskRecord]]) -> "RunResult":
        """A result whose ``records`` are built by ``build()`` when first read.

        The thread pool's lean path: its workers store four numbers per task,
        and turning 10,000 of them into records (~1 us each) is left to the
        first reader of ``records`` (a chart, ``busy``, ``repr``), not paid
        inside the run being timed.  Equality, pickling and ``replace`` all
        read ``records`` and so see the built list.
        """
        result = cls(strategy=strategy, workers=workers, results=results, records=[],
                     wall=wall, start=start)
        object.__delattr__(result, "records")  # now __getattr__ answers for it
        object.__setattr__(result, "_build", build)
        return result

    def __getattr__(self, name: str) -> Any:
        # Called only when normal lookup fails: for ``records`` of a deferred result.
        build = self.__dict__.get("_build") if name == "records" else None
        if build is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        records = build()
        object.__setattr__(self, "records", records)
        object.__delattr__(self, "_build")
        return records

    def __getstate__(self) -> dict[str, Any]:
        self.records  # build them: the builder holds a closure that cannot be pickled
        return {k: v for k, v in self.__dict__.items() if k != "_build"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:  # short: notebooks print these
        return (
            f"RunResult(strategy={self.strategy!r}, workers={self.workers}, "
            f"tasks={len(self.records)}, lanes={len(self.lanes)})"
        )


def worker_labels(records: Iterable[TaskRecord]) -> list[str]:
    """Distinct worker labels ordered by when each worker first started a task."""
    records = check_items("records", records)
    first: dict[str, float] = {}
    for r in records:
        if r.worker not in first or r.start < first[r.worker]:
            first[r.worker] = r.start
    return sorted(first, key=lambda w: (first[w], w))


class Trace:
    """Record tasks run by hand, outside :func:`parallel_demo.run`.

    A context manager with a plain result, for chapters that build their own
    threads::

        with Trace() as t:
            th = threading.Thread(target=t.wrap(is_prime, 0), args=(97,))
            th.start(); th.join()
        t.records   # [TaskRecord(index=0, ...)]

    ``record`` and ``wrap`` are safe to call from several threads at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # must be held while appending to _records
        self._records: list[TaskRecord] = []
        self.start: float | None = None
        self.end: float | None = None

    def __enter__(self) -> "Trace":
        self.start = now()
        return self

    def __exit__(self, *exc: object) -> None:
        self.end = now()

    @property
    def records(self) -> list[TaskRecord]:
        """Records so far, sorted by index."""
        with self._lock:
            return sorted(self._records, key=lambda r: (r.index, r.start))

    @property
    def wall(self) -> float:
        """Seconds between entering and leaving the ``with`` block."""
        if self.start is None or self.end is None:
            raise RuntimeError("wall is known only after the with-block has ended")
        return self.end - self.start

    def add(self, record: TaskRecord) -> None:
        """Add a record made elsewhere (e.g. returned by a worker process)."""
        with self._lock:
            self._records.append(record)

    def record(self, index: int, start: float, end: float, *, worker: str | None = None,
               label: str = "", submitted: float | None = None) -> TaskRecord:
        """Record a task that ran in the *calling* thread from ``start`` to ``end``."""
        rec = TaskRecord(
            index=index,
            worker=worker if worker is not None else threading.current_thread().name,
            pid=os.getpid(),
            thread=threading.get_ident(),
            start=start,
            end=end,
            submitted=submitted,
            label=label,
        )
        self.add(rec)
        return rec

    def wrap(self, fn: Callable[..., Any], index: int, *, label: str = "") -> Callable[..., Any]:
        """Return ``fn`` wrapped so that each call is recorded as task ``index``."""
        check_callable("fn", fn)

        def traced(*args: Any, **kwargs: Any) -> Any:
            start = now()
            try:
                return fn(*args, **kwargs)
            finally:
                self.record(index, start, now(), label=label)

        return traced


def relabel(records: Sequence[TaskRecord], prefix: str) -> list[TaskRecord]:
    """Give workers short labels ``"<prefix> 0"``, ``"<prefix> 1"``, ... by first start.

    Raw thread names and pids differ on every run; short labels keep chart
    legends and printed output stable.
    """
    from dataclasses import replace

    order = worker_labels(records)
    names = {w: f"{prefix} {i}" for i, w in enumerate(order)}
    # A record already carrying its label is kept: records are immutable, and
    # replace() costs microseconds per record (10,000 tasks, tens of ms).
    return [r if r.worker == names[r.worker] else replace(r, worker=names[r.worker])
            for r in records]
