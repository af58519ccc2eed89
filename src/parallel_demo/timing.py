"""Every chapter that times: warm up, repeat, interleave, report the median and the spread.

One run of a fast piece of code measures mostly noise: the first call pays
for imports and cold caches, and any run can be slowed by whatever else the
machine is doing.  :func:`measure` runs the code several times and keeps
every time, so charts can show the spread and prose can speak of the median.
"""

from __future__ import annotations

import numbers  # already loaded by ._validate: free
import statistics
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Mapping, Sequence

from ._validate import check_callable, check_int, check_seconds
from .trace import now



@dataclass(frozen=True)
class Measurement:
    """Every time one piece of code took, in seconds.

    Attributes:
        label: What was measured.
        times: One wall time per repeat (warm-up runs excluded).
        workers: How many workers it used, where that applies.
    """

    label: str
    times: tuple[float, ...]
    workers: int | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def worst(self) -> float:
        return max(self.times)

    @property
    def spread(self) -> float:
        """Relative spread, (worst - best) / median: 0.1 means 10 %."""
        return (self.worst - self.best) / self.median if self.median > 0 else 0.0

    def __str__(self) -> str:
        return (f"{self.label}: median {format_seconds(self.median)} "
                f"(best {format_seconds(self.best)}, worst {format_seconds(self.worst)}, {len(self.times)} runs)")


def format_seconds(seconds: float) -> str:
    """``3.9 µs``, ``12.5 ms``, ``1.20 s``: the unit that suits the size."""
    if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real):
        raise TypeError(f"seconds must be a number of seconds (int or float), got "
                        f"{type(seconds).__name__} {seconds!r:.60}")
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def measure(fn: Callable[..., Any], *args: Any, repeat: int = 5, warmup: int = 1,
            label: str | None = None, **kwargs: Any) -> Measurement:
    """Time ``fn(*args, **kwargs)``: ``warmup`` untimed calls, then ``repeat`` timed ones.

    Returns:
        A :class:`Measurement`; ``fn``'s return values are discarded.

    Raises:
        ValueError: ``repeat < 1`` or ``warmup < 0``.
    """
    check_int("repeat", repeat, minimum=1)
    check_int("warmup", warmup, minimum=0)
    check_callable("fn", fn)
    for _ in range(warmup):
        fn(*args, **kwargs)
    times = []
    for _ in range(repeat):
        t0 = now()
        fn(*args, **kwargs)
        times.append(now() - t0)
    return Measurement(label or getattr(fn, "__name__", "fn"), tuple(times))


@dataclass(frozen=True)
class SpeedupRow:
    """One line of a speedup table: how much faster than the baseline.

    ``speedup`` compares medians; ``low`` and ``high`` use the baseline's
    median against this measurement's worst and best run, so the range shows
    how much of the difference could be noise.
    """

    label: str
    workers: int | None
    median: float
    speedup: float
    low: float
    high: float

    @property
    def efficiency(self) -> float | None:
        """Speedup per worker (1.0 is perfect scaling)."""
        return self.speedup / self.workers if self.workers else None


def speedups(baseline: Measurement, measurements: Iterable[Measurement]) -> list[SpeedupRow]:
    """Speedup of each measurement over ``baseline`` (medians), with a noise range."""
    if not isinstance(baseline, Measurement):
        raise TypeError(f"baseline must be a Measurement (from measure or interleaved), got "
                        f"{type(baseline).__name__} {baseline!r:.60}")
    base = baseline.median
    return [
        SpeedupRow(m.label, m.workers, m.median, base / m.median, base / m.worst, base / m.best)
        for m in measurements
    ]


def interleaved(cases: Mapping[str, Callable[[], Any]], *, repeat: int = 5,
                warmup: int = 1) -> dict[str, Measurement]:
    """Time several zero-argument callables in turns: A, B, C, A, B, C, ...

    On a shared machine the load drifts: timing all of A's repeats, then all
    of B's, lets a busy minute land on B alone.  Taking turns spreads it over
    every case, so their *ratios* stay meaningful, and
    :func:`parallel_demo.verdict.compare` can judge them.

    Returns:
        ``{label: Measurement}`` in the order of ``cases``.
    """
    check_int("repeat", repeat, minimum=1)
    check_int("warmup", warmup, minimum=0)
    if not isinstance(cases, Mapping) or not cases:
        raise ValueError("cases must be a non-empty mapping {label: zero-argument callable}, "
                         f"got {cases!r:.60}")
    for label, fn in cases.items():
        check_callable(f"cases[{label!r}]", fn)
    for _ in range(warmup):
        for fn in cases.values():
            fn()
    times: dict[str, list[float]] = {label: [] for label in cases}
    for _ in range(repeat):
        for label, fn in cases.items():
            t0 = now()
            fn()
            times[label].append(now() - t0)
    return {label: Measurement(str(label), tuple(ts)) for label, ts in times.items()}


def sweep_workers(strategy: str, fn: Callable[[Any], Any], items: Sequence[Any],
                  workers: Iterable[int], *, repeat: int = 3, warmup: int = 1,
                  **options: Any) -> tuple[Measurement, list[Measurement]]:
    """Time ``run(strategy, ...)`` for each worker count against the sequential baseline.

    The runs take turns (:func:`interleaved`), so a burst of load lands on
    every worker count alike and the speedups stay comparable.

    Returns:
        ``(baseline, per_worker_count)``; pass both to :func:`speedups`.
    """
    from .strategies import run

    items = list(items)
    workers = [check_int("workers", k, minimum=1) for k in workers]
    cases: dict[str, Callable[[], Any]] = {"sequential": lambda: run("sequential", fn, items)}
    for k in workers:
        cases[f"{strategy} ×{k}"] = lambda k=k: run(strategy, fn, items, workers=k, **options)
    timed = interleaved(cases, repeat=repeat, warmup=warmup)
    baseline = replace(timed.pop("sequential"), workers=1)
    return baseline, [replace(m, workers=k) for k, m in zip(workers, timed.values())]


def measure_pool_map(fn: Callable[[Any], Any], tasks: Sequence[Any], *,
                     workers: int | None = None, repeat: int = 3,
                     chunksize: int | Sequence[int] = 1, label: str | None = None,
                     start_method: str | None = None,
                     initializer: Callable[..., None] | None = None, initargs: tuple = (),
                     timeout: float = 120.0) -> Measurement | list[Measurement]:
    """Time ``list(pool.map(fn, tasks, chunksize=c))`` on a warm process pool.

    The pool is started and warmed up with one untimed ``map`` before the
    timing begins, so the times hold sending, running and receiving, not
    starting processes.  Given several chunksizes, they take turns (one
    ``map`` of each per round, as :func:`interleaved` does) in the same pool.
    The pool is shut down before this returns; a ``map`` that exceeds
    ``timeout`` stops the workers and raises ``TimeoutError``.

    Returns:
        One :class:`Measurement`, or one per chunksize when a sequence is given.
    """
    import concurrent.futures as cf
    import multiprocessing

    from ._hang import check_start_method, quiet_fork_warning, stop_pool_workers
    from .env import effective_cpus

    from .strategies import _check_sendable_for

    check_callable("fn", fn)
    _check_sendable_for(fn, start_method)  # a lambda would fail inside the pool
    check_seconds("timeout", timeout)
    check_int("repeat", repeat, minimum=1)
    many = not isinstance(chunksize, int)
    sizes = [check_int("chunksize", c, minimum=1) for c in (chunksize if many else [chunksize])]
    workers = effective_cpus() if workers is None else check_int("workers", workers, minimum=1)
    tasks = list(tasks)
    ctx = multiprocessing.get_context(check_start_method(start_method))
    times: dict[int, list[float]] = {c: [] for c in sizes}
    with quiet_fork_warning():
        pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                      initializer=initializer, initargs=initargs)
        try:
            list(pool.map(fn, tasks, timeout=timeout))  # starts every worker
            for _ in range(repeat):
                for c in sizes:
                    t0 = now()
                    list(pool.map(fn, tasks, chunksize=c, timeout=timeout))
                    times[c].append(now() - t0)
        except BaseException:
            stop_pool_workers(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    name = label or getattr(fn, "__name__", "map")
    out = [Measurement(f"chunksize {c}" if many else name, tuple(times[c]), workers) for c in sizes]
    return out if many else out[0]


def format_speedups(rows: Sequence[SpeedupRow]) -> str:
    """A plain-text table of speedups, for printing in a notebook."""
    head = f"{'':<22}{'median':>10}{'speedup':>9}{'range':>14}"
    lines = [head]
    for r in rows:
        lines.append(f"{r.label:<22}{format_seconds(r.median):>10}{r.speedup:>8.2f}x"
                     f"{f'{r.low:.2f}-{r.high:.2f}x':>14}")
    return "\n".join(lines)
