"""concurrency_vs_parallelism: pinning worker processes to CPUs: concurrency without parallelism, made visible.

Two processes that may run only on CPU 0 are *concurrent* (both are in the
middle of a task at every moment) but never *parallel* (at any instant only
one of them executes).  Let the same two processes use two CPUs and they are
both.  This module pins the workers of a process pool with an initializer,
and times each task in CPU seconds as well as wall seconds, so that the
difference shows up in numbers, not only in words::

    from parallel_demo import run, spin, cpu_timed, pin_to_cpus
    res = run("process_pool", cpu_timed(spin), [n, n], workers=2,
              initializer=pin_to_cpus, initargs=((0,),))
    [r.cpu / r.wall for r in res.results]     # about 0.5 each: they took turns

Pinning uses :func:`os.sched_setaffinity`, which Linux (and some other
Unix systems) has and macOS and Windows do not: check :data:`CAN_PIN` first.
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

#: True where this platform lets a process choose its CPUs (Linux: yes;
#: macOS, Windows: no).
CAN_PIN: bool = hasattr(os, "sched_setaffinity")


def usable_cpus() -> list[int]:
    """The CPU numbers this process may run on, sorted (``[0, 1, ...]`` where unknown)."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def _check_cpus(cpus: Iterable[int]) -> tuple[int, ...]:
    try:
        chosen = tuple(cpus)
    except TypeError:
        raise TypeError(f"cpus must be a collection of CPU numbers such as (0,), "
                        f"got {type(cpus).__name__} {cpus!r}") from None
    if not chosen:
        raise ValueError("cpus is empty: give at least one CPU number, e.g. (0,)")
    for c in chosen:
        if isinstance(c, bool) or not isinstance(c, int):
            raise TypeError(f"CPU numbers must be ints, got {c!r} in {chosen!r}")
    allowed = usable_cpus()
    outside = sorted(set(chosen) - set(allowed))
    if outside:
        raise ValueError(f"CPU(s) {outside} are not available to this process; "
                         f"choose among {allowed} (see usable_cpus())")
    return chosen


def pin_to_cpus(cpus: Iterable[int]) -> None:
    """Let the calling process run only on ``cpus``: a pool ``initializer``.

    Pass it as ``initializer=pin_to_cpus, initargs=((0,),)`` so that every
    worker process pins itself as it starts.  (Pinning the parent instead
    would pin your notebook kernel too.)

    Raises:
        NotImplementedError: the platform has no ``os.sched_setaffinity``
            (macOS, Windows); check :data:`CAN_PIN` first.
        ValueError: ``cpus`` is empty or names a CPU this process may not use.
    """
    if not CAN_PIN:
        raise NotImplementedError(
            "this platform has no os.sched_setaffinity (macOS and Windows do not), so "
            "processes cannot be pinned to CPUs here; check parallel_demo.CAN_PIN first"
        )
    os.sched_setaffinity(0, _check_cpus(cpus))


def worker_cpus(_: Any = None) -> tuple[int, tuple[int, ...]]:
    """Task: ``(pid, CPUs this process may run on)``, to check that pinning worked."""
    return os.getpid(), tuple(usable_cpus())


@dataclass(frozen=True)
class CpuTimed:
    """A task's result with the time it took on the clock and on the CPU.

    Attributes:
        value: What the task returned.
        cpu: CPU seconds the running thread spent executing it
            (:func:`time.thread_time`).
        wall: Seconds that passed on the clock meanwhile.
    """

    value: Any
    cpu: float
    wall: float

    @property
    def share(self) -> float:
        """Fraction of the wall time this task was really executing (0..1)."""
        return self.cpu / self.wall if self.wall > 0 else 0.0


def _cpu_timed_call(fn: Callable[[Any], Any], item: Any) -> CpuTimed:
    # thread_time counts only the calling thread's CPU time, so it is right
    # for a task in a thread as well as in a worker process's main thread.
    c0, w0 = time.thread_time(), time.perf_counter()
    value = fn(item)
    return CpuTimed(value, time.thread_time() - c0, time.perf_counter() - w0)


def cpu_timed(fn: Callable[[Any], Any]) -> Callable[[Any], CpuTimed]:
    """Wrap a one-argument task so it returns a :class:`CpuTimed` instead of its value.

    The wrapper is a :func:`functools.partial` of module-level functions, so
    it can be sent to worker processes under every start method, as long as
    ``fn`` itself can (defined in a module, not in a notebook).
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__} {fn!r:.60}")
    return functools.partial(_cpu_timed_call, fn)


def cpu_parallelism(timed: Sequence[CpuTimed], wall: float) -> float:
    """CPU seconds of all tasks divided by the wall time: how many CPUs were executing.

    Compare it with ``busy / wall`` from the records, which counts tasks *in
    progress* (concurrency) whether or not they were executing.
    """
    from ._validate import check_items, check_seconds

    check_seconds("wall", wall)
    timed = check_items("timed", timed)
    for k, t in enumerate(timed):
        if not isinstance(t, CpuTimed):
            raise TypeError(f"timed must hold CpuTimed results, got {type(t).__name__} {t!r:.40} "
                            f"at position {k}; run cpu_timed(fn) instead of fn and pass "
                            "result.results")
    return sum(t.cpu for t in timed) / wall


def run_pinned(fn: Callable[[Any], Any], items: Iterable[Any], cpus: Iterable[int], *,
               workers: int = 2, start_method: str | None = None):
    """Run ``fn`` over ``items`` in a process pool whose workers may use only ``cpus``.

    Each result is a :class:`CpuTimed`, so you can compare CPU time with wall
    time.  Returns the :class:`~parallel_demo.trace.RunResult` of
    ``run("process_pool", ...)``.

    Raises:
        NotImplementedError: the platform cannot pin (see :data:`CAN_PIN`).
        ValueError: ``cpus`` names a CPU this process may not use.
    """
    from .strategies import run

    if not CAN_PIN:
        pin_to_cpus(())  # raises the explanatory NotImplementedError
    chosen = _check_cpus(cpus)  # in the parent: a bad CPU number fails here, clearly
    return run("process_pool", cpu_timed(fn), items, workers=workers, start_method=start_method,
               initializer=pin_to_cpus, initargs=(chosen,))




def max_in_progress(records) -> int:
    """The most tasks in progress at the same instant (a task from ``start`` to ``end``, end excluded)."""
    from ._validate import check_items

    if hasattr(records, "records") and hasattr(records, "wall"):
        raise TypeError(f"records must be the task records, got a {type(records).__name__}; "
                        "pass result.records")
    records = check_items("records", records)
    for r in records:
        if not (hasattr(r, "start") and hasattr(r, "end")):
            raise TypeError(f"records must hold TaskRecords (with .start and .end), got "
                            f"{type(r).__name__} {r!r:.40}; pass result.records")
    events = sorted([(r.start, 1) for r in records] + [(r.end, -1) for r in records])
    level = peak = 0
    for _, step in events:  # at equal times the end (-1) sorts first: touching is not overlapping
        level += step
        peak = max(peak, level)
    return peak


# ---------------------------------------------------------------------------
# The chapter's central demo: the same tasks one after another, concurrent only, parallel.

SEQUENTIAL = "one after another"
PINNED = "2 processes pinned to 1 CPU"
GIL_THREADS = "2 threads sharing one GIL"
PARALLEL = "2 processes on 2 CPUs"


def _gil_enabled() -> bool:
    check = getattr(__import__("sys"), "_is_gil_enabled", None)  # 3.13+
    return True if check is None else bool(check())


def concurrent_only_way() -> tuple[str, str] | tuple[None, str]:
    """How this platform runs two CPU-bound tasks concurrently but never in parallel.

    Returns:
        ``(label, why)``: :data:`PINNED` where processes can be pinned
        (Linux); else :data:`GIL_THREADS`, two threads of this process, which
        the GIL lets run Python code only one at a time (macOS, Windows).
        ``(None, why)`` on a free-threaded build that cannot pin.
    """
    if CAN_PIN:
        return PINNED, "two worker processes that may run only on one CPU take turns on it"
    if _gil_enabled():
        return GIL_THREADS, ("this platform cannot pin processes to a CPU (no "
                             "os.sched_setaffinity), so two threads of this process stand in: "
                             "the GIL lets only one of them run Python code at a time")
    return None, ("this platform cannot pin processes to a CPU, and this Python runs threads "
                  "without the GIL, so nothing here runs two tasks concurrently without "
                  "running them in parallel")


def _run_way(label: str, fn: Callable[[Any], Any], items: list, start_method: str | None):
    from .strategies import run

    if label == SEQUENTIAL:
        return run("sequential", cpu_timed(fn), items)
    if label == PINNED:
        return run_pinned(fn, items, cpus=usable_cpus()[:1], start_method=start_method)
    if label == GIL_THREADS:
        return run("thread_pool", cpu_timed(fn), items, workers=2)
    if label == PARALLEL:
        if CAN_PIN and len(usable_cpus()) >= 2:
            return run_pinned(fn, items, cpus=usable_cpus()[:2], start_method=start_method)
        return run("process_pool", cpu_timed(fn), items, workers=2, start_method=start_method)
    raise ValueError(f"unknown way {label!r}")


@dataclass(frozen=True)
class CpuDemo:
    """The same CPU-bound tasks run up to three ways, timed in turns.

    Attributes:
        runs: ``{label: RunResult}``, the least disturbed run of each way (its
            results are :class:`CpuTimed`): what the timelines draw.
        timed: ``{label: Measurement}``: the wall time of every run, from
            :func:`~parallel_demo.timing.interleaved`, for the verdicts.
        concurrent_only: The label of the concurrent-but-not-parallel way, or
            None where there is none (see :func:`concurrent_only_way`).
        parallel: :data:`PARALLEL`, or None with one usable CPU.
        notes: Why a way is what it is, or why it was left out.
    """

    runs: dict
    timed: dict
    concurrent_only: str | None
    parallel: str | None
    notes: tuple[str, ...]


def cpu_demo(fn: Callable[[Any], Any], items: Iterable[Any], *, repeat: int = 3,
             warmup: int = 0, start_method: str | None = None,
             cpus: int | None = None) -> CpuDemo:
    """Run ``fn`` over ``items`` one after another, concurrently only, and in parallel.

    The concurrent-only way is :func:`concurrent_only_way`'s; the parallel
    way (two processes on two CPUs) needs two usable CPUs
    (:func:`~parallel_demo.env.effective_cpus`, or ``cpus``).  The ways take
    turns ``repeat`` times, so a burst of load lands on all of them.
    """
    from ._validate import check_int
    from .env import effective_cpus
    from .timing import interleaved

    items = list(items)
    if not items:
        raise ValueError("items is empty: give the tasks to run, e.g. [n] * 4")
    check_int("repeat", repeat, minimum=1)
    cpus = effective_cpus() if cpus is None else check_int("cpus", cpus, minimum=1)
    labels = [SEQUENTIAL]
    concurrent, why = concurrent_only_way()
    notes = [why]
    if concurrent is not None:
        labels.append(concurrent)
    parallel = PARALLEL if cpus >= 2 else None
    if parallel:
        labels.append(parallel)
    else:
        notes.append("with one usable CPU nothing can run in parallel, so the two-CPU run is "
                     "left out")
    kept: dict[str, list] = {label: [] for label in labels}

    def case(label: str):
        return lambda: kept[label].append(_run_way(label, fn, items, start_method))

    timed = interleaved({label: case(label) for label in labels}, repeat=repeat, warmup=warmup)
    runs = {label: min(kept[label], key=lambda r: r.wall) for label in labels}
    return CpuDemo(runs, timed, concurrent, parallel, tuple(notes))
