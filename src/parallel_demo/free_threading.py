"""Free-threaded Python and subinterpreters: what this kernel is, and what changes without the GIL.

The chapter adapts to the Python it runs on.  :func:`build_info` tells a GIL
build from a free-threaded one (``Py_GIL_DISABLED``) and whether the GIL is on
right now (``sys._is_gil_enabled()``, 3.13+); the measurements below run on
either, and the sentences that explain them (:meth:`Scaling.explain`,
:func:`explain_races`, :func:`explain_contention`) say what *this* build
showed.  Every claim of faster, slower or a tie goes through
:func:`parallel_demo.verdict.compare`.

Reference runs recorded elsewhere (a real Python 3.14, say) are saved and
loaded as versioned JSON by :func:`parallel_demo.reference.save_run` and ``load_run``, with the
machine they came from, so a chapter can draw them beside the reader's run.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import sysconfig
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from ._validate import check_callable, check_int, check_items, check_seconds
from .races import AtomicityRow
from .timing import Measurement, interleaved
from .trace import RunResult
from .verdict import Verdict, compare, format_ratio


# ---------------------------------------------------------------------------
# What the kernel is.

@dataclass(frozen=True)
class BuildInfo:
    """The facts about this Python that decide what threads can do.

    Attributes:
        python: The version, ``"3.14.0"``.
        implementation: ``"cpython"``, ``"pypy"``, ...
        free_threaded_build: Built with ``--disable-gil`` (``Py_GIL_DISABLED``).
        gil_enabled: Whether the GIL is on right now (always True on a GIL build).
        gil_setting: ``PYTHON_GIL`` or ``-X gil`` as given (``""`` when unset).
        has_interpreter_pool: ``concurrent.futures.InterpreterPoolExecutor`` exists (3.14+).
        executable: ``sys.executable``.
    """

    python: str
    implementation: str
    free_threaded_build: bool
    gil_enabled: bool
    gil_setting: str = ""
    has_interpreter_pool: bool = False
    executable: str = ""

    @property
    def mode(self) -> str:
        """``"gil"``, ``"free-threaded"`` (GIL off) or ``"gil-reenabled"`` (free-threaded build, GIL on)."""
        if not self.free_threaded_build:
            return "gil"
        return "gil-reenabled" if self.gil_enabled else "free-threaded"

    @property
    def threads_run_python_in_parallel(self) -> bool:
        return self.mode == "free-threaded"

    @property
    def label(self) -> str:
        """``"CPython 3.11.7, GIL build"``: for chart legends and prose."""
        kind = {"gil": "GIL build", "free-threaded": "free-threaded build, GIL off",
                "gil-reenabled": "free-threaded build, GIL re-enabled"}[self.mode]
        name = {"cpython": "CPython", "pypy": "PyPy"}.get(self.implementation, self.implementation)
        return f"{name} {self.python}, {kind}"


def _has_interpreter_pool() -> bool:
    import concurrent.futures as cf

    return hasattr(cf, "InterpreterPoolExecutor")  # 3.14+; imported lazily by the package


def build_info() -> BuildInfo:
    """What this interpreter is: read from ``sysconfig``, ``sys`` and the environment."""
    check = getattr(sys, "_is_gil_enabled", None)  # 3.13+
    setting = os.environ.get("PYTHON_GIL", "")
    xgil = getattr(sys, "_xoptions", {}).get("gil")
    if xgil is not None:
        setting = f"-X gil={xgil}" if xgil is not True else "-X gil"
    elif setting:
        setting = f"PYTHON_GIL={setting}"
    return BuildInfo(
        python=platform.python_version(),
        implementation=sys.implementation.name,
        free_threaded_build=bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        gil_enabled=True if check is None else bool(check()),
        gil_setting=setting,
        has_interpreter_pool=_has_interpreter_pool(),
        executable=sys.executable,
    )


def describe_kernel(info: BuildInfo | None = None) -> str:
    """A Markdown paragraph: what this kernel is and what the chapter will show on it."""
    info = info or build_info()
    head = f"This kernel runs **{info.label}**."
    if info.mode == "gil":
        body = ("Its threads take turns holding the global interpreter lock, so only one of "
                "them runs Python bytecode at any instant. The benchmark below shows that "
                "picture measured here; the free-threaded branches of this chapter are "
                "described, and drawn from runs recorded elsewhere where a figure needs them.")
    elif info.mode == "free-threaded":
        body = ("It has no GIL: threads run Python bytecode on several CPUs at once. The "
                "benchmark below shows threads scaling, and the races and contention sections "
                "run for real.")
    else:
        why = (f"because {info.gil_setting} asked for it" if info.gil_setting else
               "probably because an extension module that does not declare `Py_mod_gil` was "
               "imported (Python printed a `RuntimeWarning` naming it when that happened)")
        body = (f"The build is free-threaded, but the GIL is **on** right now, {why}. Threads "
                "behave as on a GIL build until you start a kernel without it "
                "(`PYTHON_GIL=0` forces it off, at your own risk with that extension).")
    pool = ("`concurrent.futures.InterpreterPoolExecutor` is available, so the subinterpreter "
            "sections run live." if info.has_interpreter_pool else
            "`concurrent.futures.InterpreterPoolExecutor` needs Python 3.14, so the "
            "subinterpreter sections show a run recorded on Python 3.14.")
    return f"{head} {body} {pool}"


# ---------------------------------------------------------------------------
# The prime benchmark: threads against processes (and interpreters), by worker count.

@dataclass(frozen=True)
class ScalingPoint:
    """A point of a speedup chart: its verdict against sequential comes from ``compare``."""

    strategy: str
    workers: int
    speedup: float
    low: float
    high: float
    word: str


@dataclass(frozen=True)
class Scaling:
    """Wall times of one CPU-bound job run sequentially and by several strategies.

    Attributes:
        label: Where it was measured (a :attr:`BuildInfo.label`, or a reference's place).
        cpus: Usable CPUs when measured.
        tasks: Number of items.
        baseline: The sequential run's times.
        runs: ``{(strategy, workers): Measurement}``.
    """

    label: str
    cpus: int
    tasks: int
    baseline: Measurement
    runs: dict[tuple[str, int], Measurement]

    @property
    def strategies(self) -> list[str]:
        return list(dict.fromkeys(s for s, _ in self.runs))

    def workers(self, strategy: str) -> list[int]:
        return sorted(k for s, k in self.runs if s == strategy)

    def speedup(self, strategy: str, workers: int) -> float:
        return self.baseline.median / self.runs[strategy, workers].median

    def points(self) -> list["ScalingPoint"]:
        """One point per (strategy, workers), with its speedup, noise range and verdict word."""
        out = []
        for (s, k), m in self.runs.items():
            v = self.verdict(s, k)
            out.append(ScalingPoint(s, k, self.speedup(s, k), v.low, v.high, v.word))
        return out

    def verdict(self, strategy: str, workers: int) -> Verdict:
        """``strategy`` with ``workers`` against sequential (a parallel win needs 2+ CPUs)."""
        return compare(self.runs[strategy, workers], self.baseline, parallel=workers > 1,
                       cpus=self.cpus)

    def explain(self, info: BuildInfo | None = None) -> str:
        """Markdown bullets: what each strategy did at its largest worker count, and why."""
        info = info or build_info()
        lines = []
        for s in self.strategies:
            k = max(self.workers(s))
            v = self.verdict(s, k)
            label = f"`{s}` with {k} worker" + ("s" if k != 1 else "")
            lines.append(f"- {v.sentence(label, 'sequential')}")
        if "thread_pool" in self.strategies:
            lines.append("- " + _thread_lesson(self, info))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"format": "parallel_demo.scaling/1", "label": self.label, "cpus": self.cpus,
                "tasks": self.tasks, "baseline": list(self.baseline.times),
                "runs": [{"strategy": s, "workers": k, "times": list(m.times)}
                         for (s, k), m in self.runs.items()]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Scaling":
        if data.get("format") != "parallel_demo.scaling/1":
            raise ValueError(f"not a parallel_demo scaling file (format {data.get('format')!r})")
        runs = {(r["strategy"], r["workers"]): Measurement(f"{r['strategy']} ×{r['workers']}",
                                                             tuple(r["times"]), r["workers"])
                for r in data["runs"]}
        return cls(data["label"], data["cpus"], data["tasks"],
                   Measurement("sequential", tuple(data["baseline"]), 1), runs)


def _thread_lesson(s: Scaling, info: BuildInfo) -> str:
    k = max(s.workers("thread_pool"))
    v = s.verdict("thread_pool", k)
    if info.threads_run_python_in_parallel:
        if v.a_wins:
            return (f"Without the GIL, {k} threads checked the primes in parallel: "
                    f"{format_ratio(s.speedup('thread_pool', k))} against an ideal of "
                    f"{format_ratio(min(k, s.cpus))}.")
        return ("Without the GIL threads *can* run in parallel, but they did not win here "
                "(one usable CPU, or a busy machine): run it again when the machine is quiet.")
    if v.a_wins:
        return ("Threads won here, which a GIL build should not allow on pure-Python work: "
                "the machine's load changed between runs. Run the cell again.")
    return ("With the GIL, threads take turns: the pool's threads never ran the Python code of "
            "two prime checks at the same instant. On a free-threaded build, given free CPUs, "
            "the same `thread_pool` line would rise toward the ideal, without the processes' "
            "start-up cost.")


def measure_prime_scaling(fn: Callable[[Any], Any], items: Sequence[Any], *,
                    workers: Sequence[int] | None = None,
                    strategies: Sequence[str] = ("thread_pool", "process_pool"),
                    repeat: int = 3, warmup: int = 1, label: str | None = None) -> Scaling:
    """Time ``run(strategy, fn, items, workers=k)`` for each strategy and k, interleaved.

    Args:
        fn: The task (a library function, so process and interpreter pools can send it).
        items: The inputs; the same list for every run.
        workers: Worker counts; default one per usable CPU (:func:`effective_cpus`).
        strategies: Names for :func:`parallel_demo.run`; unavailable ones are skipped.
        repeat, warmup: As in :func:`parallel_demo.timing.interleaved`.
        label: Where this is measured; default :attr:`BuildInfo.label`.
    """
    from numbers import Integral

    from .env import effective_cpus
    from .strategies import MAX_WORKERS, _check_sendable_for, run, strategy_available

    check_callable("fn", fn)
    items = check_items("items", items, allow_empty=False)
    check_int("repeat", repeat, minimum=1)
    check_int("warmup", warmup, minimum=0)
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be a str (or None for this build's label), got "
                        f"{type(label).__name__} {label!r:.60}")
    if isinstance(workers, Integral) and not isinstance(workers, bool):
        raise TypeError(f"workers must be a list of worker counts, got the int {workers}; "
                        f"wrap it: workers=[{workers}]")
    cpus = effective_cpus()
    counts = [cpus] if workers is None else [
        check_int("workers", k, minimum=1, maximum=MAX_WORKERS)
        for k in check_items("workers", workers, allow_empty=False)]
    usable = [s for s in check_items("strategies", strategies, allow_empty=False)
              if strategy_available(s) is None]
    if "process_pool" in usable:  # before any run: a lambda would fail in the middle
        _check_sendable_for(fn, None)
    cases: dict[str, Callable[[], Any]] = {"sequential": lambda: run("sequential", fn, items)}
    for s in usable:
        for k in counts:
            cases[f"{s} ×{k}"] = (lambda s=s, k=k: run(s, fn, items, workers=k))
    measured = interleaved(cases, repeat=repeat, warmup=warmup)
    runs = {(s, k): Measurement(f"{s} ×{k}", measured[f"{s} ×{k}"].times, k)
            for s in usable for k in counts}
    baseline = Measurement("sequential", measured["sequential"].times, 1)
    return Scaling(label or build_info().label, cpus, len(items), baseline, runs)


# ---------------------------------------------------------------------------
# Races the GIL hides.

# One racy one-liner run from several threads: how many updates survived.  The same record
# as the race chapter's atomicity table (operation, expected, counted, lost), so it is that one.
RaceRow = AtomicityRow


class _Tally:
    """What the race demos share: a counter attribute and a dict of counts."""

    def __init__(self) -> None:
        self.value = 0
        self.counts: dict[str, int] = {}


def _attr_add(t: _Tally) -> None:
    t.value += 1                       # read, add, write


def _dict_check_then_act(t: _Tally) -> None:
    if "k" not in t.counts:            # check ...
        t.counts["k"] = 0              # ... then act: another thread may have set it
    t.counts["k"] = t.counts["k"] + 1  # read-modify-write


_RACES: dict[str, tuple[Callable[[_Tally], None], Callable[[_Tally], int]]] = {
    "obj.value += 1": (_attr_add, lambda t: t.value),
    "if k not in d: d[k] = 0; d[k] = d[k] + 1": (_dict_check_then_act,
                                                  lambda t: t.counts.get("k", 0)),
}


def hidden_races(*, threads: int = 4, times: int = 50_000, timeout: float = 10.0) -> list[RaceRow]:
    """Run each racy one-liner ``times`` times from each of ``threads`` threads, all at once.

    No yields are injected: this is what the build itself does.  Uses
    :func:`parallel_demo.races.hammer`, so the threads start together and
    are joined against one deadline.
    """
    from .races import hammer

    check_int("threads", threads, minimum=2, maximum=64)
    check_int("times", times, minimum=1, maximum=10_000_000)
    check_seconds("timeout", timeout, maximum=60)
    rows = []
    for name, (op, count) in _RACES.items():
        tally = _Tally()
        result = hammer(op, tally, threads=threads, times=times, timeout=timeout)
        if result.hung or result.errors:
            raise RuntimeError(f"{name} did not finish cleanly: {result}")
        rows.append(RaceRow(name, result.calls, count(tally)))
    return rows


def explain_races(rows: Sequence[RaceRow], info: BuildInfo | None = None) -> str:
    """Markdown: what the counts show on this build."""
    info = info or build_info()
    lost = [r for r in rows if r.lost]
    table = "\n".join(f"| `{r.operation}` | {r.expected:,} | {r.counted:,} | {r.lost:,} |"
                      for r in rows)
    out = ("| operation | updates made | counted | lost |\n|---|---:|---:|---:|\n" + table + "\n\n")
    if info.threads_run_python_in_parallel:
        out += ("Without the GIL the threads really ran these lines at the same time. "
                + ("Updates were lost: two threads read the same old value and both wrote "
                   "value + 1." if lost else
                   "None were lost this time, which is luck, not safety: run it again, or "
                   "with more threads."))
    elif lost:
        out += ("Even with the GIL some updates were lost: a thread switch landed between "
                "the read and the write. The code was never safe.")
    else:
        out += ("Nothing was lost. That is the GIL hiding the bug, not the code being right: "
                "since Python 3.10 a GIL build switches threads only at a few points "
                "(calls, backward jumps), never between this read and this write. A "
                "free-threaded build has no such points: the same lines lose updates there.")
    return out


#: From CPython's "Thread safety guarantees" page (free-threaded build, GIL off),
#: retold: (operation, safe on one shared object?, why).
THREAD_SAFETY: tuple[tuple[str, bool, str], ...] = (
    ("lst[i]", True, "a single read is atomic"),
    ("lst.append(x)", True, "one element at the end, under the list's own lock"),
    ("lst.pop()", True, "the last element, nothing shifts"),
    ("lst[i] = x", True, "a single write does not corrupt the list"),
    ("lst[i] += 1", False, "a read, an add and a write: another thread can come between"),
    ("lst.insert(0, x)", False, "shifts elements: lock-free readers can see the middle of it"),
    ("if lst: lst.pop()", False, "check-then-act: the list can empty in between"),
    ("d[k]", True, "a single lookup is atomic"),
    ("d[k] = v", True, "a single write does not corrupt the dict"),
    ("d.setdefault(k, v)", True, "insert-if-missing in one locked step"),
    ("d.pop(k, None)", True, "remove-if-present in one step: the safe check-then-delete"),
    ("d[k] = d[k] + 1", False, "read-modify-write"),
    ("if k in d: del d[k]", False, "check-then-act (time of check to time of use)"),
    ("for k in d: ...", False, "iteration while another thread modifies: iterate d.copy()"),
)


def thread_safety_table() -> str:
    """:data:`THREAD_SAFETY` as a Markdown table."""
    rows = "\n".join(f"| `{op}` | {'yes' if ok else '**no**'} | {why} |"
                     for op, ok, why in THREAD_SAFETY)
    return "| operation on a shared list or dict | atomic? | why |\n|---|---|---|\n" + rows


# ---------------------------------------------------------------------------
# Contention: sharing objects between threads, or keeping them private.

def sum_shared(data: Sequence[float], threads: int, rounds: int = 1) -> float:
    """Every thread sums the *same* list: each read touches shared objects' reference counts."""
    return _sum_in_threads(data, threads, rounds, private=False)


def sum_private(data: Sequence[float], threads: int, rounds: int = 1) -> float:
    """Every thread first makes its own copy (new float objects), sums it, then we combine."""
    return _sum_in_threads(data, threads, rounds, private=True)


def _sum_in_threads(data: Sequence[float], threads: int, rounds: int, private: bool) -> float:
    from ._hang import join_threads

    check_int("threads", threads, minimum=1, maximum=64)
    check_int("rounds", rounds, minimum=1)
    totals = [0.0] * threads  # thread k writes only totals[k]: no lock needed

    def work(k: int) -> None:
        mine = [x + 0.0 for x in data] if private else data  # `+ 0.0` makes new objects
        total = 0.0
        for _ in range(rounds):
            for x in mine:
                total += x
        totals[k] = total

    crew = [threading.Thread(target=work, args=(k,), name=f"sum-{k}") for k in range(threads)]
    for t in crew:
        t.start()
    stuck = join_threads(crew, timeout=30.0)
    if stuck:
        raise RuntimeError(f"{len(stuck)} summing thread(s) did not finish within 30 s")
    return sum(totals)  # combine at the end


@dataclass(frozen=True)
class Contention:
    """Shared against private data, timed in turns."""

    shared: Measurement
    private: Measurement
    threads: int

    @property
    def verdict(self) -> Verdict:
        """Private (a) against shared (b)."""
        return compare(self.private, self.shared)


def measure_contention(*, threads: int | None = None, size: int = 20_000, rounds: int = 5,
                       repeat: int = 5) -> Contention:
    """Time :func:`sum_shared` against :func:`sum_private` on the same data, interleaved."""
    from .env import effective_cpus

    threads = max(2, effective_cpus()) if threads is None else check_int("threads", threads,
                                                                         minimum=1, maximum=64)
    check_int("size", size, minimum=1, maximum=10_000_000)
    data = [float(i % 1000) for i in range(size)]
    got = interleaved({"shared list": lambda: sum_shared(data, threads, rounds),
                       "private copies": lambda: sum_private(data, threads, rounds)},
                      repeat=repeat)
    return Contention(got["shared list"], got["private copies"], threads)


def explain_contention(c: Contention, info: BuildInfo | None = None) -> str:
    """Markdown: what the shared/private comparison showed on this build."""
    info = info or build_info()
    sentence = c.verdict.sentence("private copies", "the shared list")
    if info.threads_run_python_in_parallel:
        why = ("On a free-threaded build every thread that reads a shared object updates that "
               "object's reference count with an atomic instruction, and CPUs fight over the "
               "cache line that holds it. Copies owned by one thread are counted cheaply "
               "(biased reference counting), so private data scales.")
    else:
        why = ("With the GIL only one thread runs at a time, so there is nothing to fight "
               "over: on this build the two differ only by the copying. On a free-threaded "
               "build the shared version also pays for reference-count contention.")
    return f"{sentence} {why}"


# ---------------------------------------------------------------------------
# Single-thread overhead: this build against its sibling, when both are installed.

def sibling_python(info: BuildInfo | None = None) -> str | None:
    """The other build of the same version beside this one (``python3.14t`` <-> ``python3.14``)."""
    if info is not None and not isinstance(info, BuildInfo):
        raise TypeError(f"info must be a BuildInfo (what build_info() returns) or None, got "
                        f"{type(info).__name__} {info!r:.60}")
    info = info or build_info()
    exe = Path(info.executable)
    if not exe.name:
        return None
    major_minor = ".".join(info.python.split(".")[:2])
    names = ([f"python{major_minor}"] if info.free_threaded_build else [f"python{major_minor}t"])
    for folder in {exe.parent, exe.resolve().parent}:
        for name in names:
            candidate = folder / name
            if candidate.exists() and os.access(candidate, os.X_OK):
                return str(candidate)
    return None


_TIMING_SCRIPT = """
import time
def spin(n):
    total = 0
    for i in range(n):
        total += i * i % 7
    return total
t0 = time.perf_counter(); spin({n}); print(time.perf_counter() - t0)
"""


def _time_in(python: str, n: int, timeout: float) -> float:
    out = subprocess.run([python, "-c", _TIMING_SCRIPT.format(n=n)], capture_output=True,
                         text=True, timeout=timeout, check=True,
                         env={**os.environ, "PYTHON_COLORS": "0"})
    return float(out.stdout.strip().splitlines()[-1])


def measure_single_thread_overhead(this: str, other: str, *, n: int = 300_000, repeat: int = 5,
                                   timeout: float = 20.0) -> Verdict:
    """One pure-Python loop timed in two interpreters, in turns: ``this`` (a) against ``other`` (b).

    Each run is a fresh interpreter that times only the loop (not its own start-up).
    """
    from .env import _check_path

    _check_path("this", this)
    _check_path("other", other)
    check_int("n", n, minimum=1, maximum=100_000_000)
    check_int("repeat", repeat, minimum=1, maximum=50)
    check_seconds("timeout", timeout, maximum=120)
    a_times, b_times = [], []
    for _ in range(repeat):
        a_times.append(_time_in(this, n, timeout))
        b_times.append(_time_in(other, n, timeout))
    return compare(Measurement(this, tuple(a_times)), Measurement(other, tuple(b_times)))


# ---------------------------------------------------------------------------
# Reference runs: a RunResult as versioned JSON, with the machine it came from.
# (To be merged with parallel_demo.reference once it exists: same idea, same fields.)

#: The format tag of a saved run.


def machine_info(where: str = "") -> dict[str, Any]:
    """Where a run was recorded: Python, build, platform, CPUs, start method, and ``where``."""
    import multiprocessing

    from .env import effective_cpus

    info = build_info()
    return {"where": where, "python": info.python, "implementation": info.implementation,
            "build": info.label, "free_threaded_build": info.free_threaded_build,
            "gil_enabled": info.gil_enabled, "platform": platform.platform(terse=True),
            "machine": platform.machine(), "cpu_count": os.cpu_count(),
            "effective_cpus": effective_cpus(),
            "start_method": multiprocessing.get_start_method(allow_none=True) or "",
            "has_interpreter_pool": info.has_interpreter_pool}


# ---------------------------------------------------------------------------
# Recording the reference the chapter draws when the reader's Python lacks 3.14.

#: The format tag of the chapter's reference bundle.
BUNDLE_FORMAT = "parallel_demo.free_threading_reference/1"


def record_reference(directory: str | os.PathLike, *, where: str, repeat: int = 5) -> list[Path]:
    """Measure what the chapter draws and save it under ``directory`` (run it on Python 3.14).

    Writes ``free_threading_<pyXY>.json`` (scaling, pool costs, races, the
    kernel crossings) and one saved run per strategy for the timelines,
    ``primes_<strategy>_<pyXY>.json``.
    """
    from .env import _check_path, effective_cpus
    from .interpreters import kernel_crossings, measure_pool_costs
    from .reference import save_run
    from .strategies import run, strategy_available
    from .workloads import is_prime, large_primes

    _check_path("directory", directory)
    if not isinstance(where, str):
        raise TypeError(f"where must be a str saying where the run was recorded (e.g. "
                        f"'a 4-CPU laptop'), got {type(where).__name__} {where!r:.60}")
    check_int("repeat", repeat, minimum=1, maximum=50)
    if strategy_available("interpreter_pool"):
        raise RuntimeError(f"record the reference on Python 3.14+: "
                           f"{strategy_available('interpreter_pool')}")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    tag = "py" + "".join(build_info().python.split(".")[:2])
    cpus = effective_cpus()
    primes = large_primes(32 * cpus)  # more work than a reader's run: it costs them nothing
    strategies = ("thread_pool", "process_pool", "interpreter_pool")
    label = f"{build_info().label}, {where}" if where else build_info().label
    scaling = measure_prime_scaling(is_prime, primes, strategies=strategies, repeat=repeat,
                              label=label)
    costs = measure_pool_costs(repeat=repeat)
    bundle = {"format": BUNDLE_FORMAT, "machine": machine_info(where), "label": label,
              "scaling": scaling.to_dict(), "pool_costs": [c.to_dict() for c in costs],
              "races": [asdict(r) for r in hidden_races()],
              "crossings": [c.to_dict() for c in kernel_crossings()]}
    paths = [out / f"free_threading_{tag}.json"]
    paths[0].write_text(json.dumps(bundle, indent=1) + "\n")
    for s in strategies:
        paths.append(save_run(run(s, is_prime, primes, workers=cpus),
                              out / f"primes_{s}_{tag}.json", note=where,
                              workload=f"is_prime on large_primes({len(primes)})"))
    return paths


@dataclass(frozen=True)
class Reference:
    """The chapter's reference bundle, loaded: what was measured on another Python."""

    label: str
    machine: dict[str, Any]
    scaling: Scaling
    pool_costs: list[Any]
    races: list[RaceRow]
    crossings: list[Any]
    runs: dict[str, RunResult] = field(default_factory=dict)


def load_reference(directory: str | os.PathLike, tag: str = "py314") -> Reference:
    """Read what :func:`record_reference` saved under ``directory`` for ``tag``."""
    from .env import _check_path
    from .interpreters import Crossing, PoolCost
    from .reference import load_run

    _check_path("directory", directory)
    if not isinstance(tag, str) or not tag:
        raise (TypeError if not isinstance(tag, str) else ValueError)(
            f"tag must be the Python tag of the files as a str, e.g. 'py314', "
            f"got {type(tag).__name__} {tag!r:.60}")
    folder = Path(directory)
    data = json.loads((folder / f"free_threading_{tag}.json").read_text())
    if data.get("format") != BUNDLE_FORMAT:
        raise ValueError(f"not a free-threading reference bundle (format {data.get('format')!r})")
    runs = {}
    for path in sorted(folder.glob(f"primes_*_{tag}.json")):
        result = load_run(path).result
        runs[result.strategy] = result
    return Reference(data["label"], data["machine"], Scaling.from_dict(data["scaling"]),
                     [PoolCost.from_dict(c) for c in data["pool_costs"]],
                     [RaceRow(**r) for r in data["races"]],
                     [Crossing(**c) for c in data["crossings"]], runs)
