"""Which tool when: the decision guide, with costs measured here or taken from reference runs.

Six ways to run work at the same time (threads, processes, subinterpreters,
free-threaded threads, asyncio, Dask) differ in what one worker costs to
start, what one task costs to hand over, what workers share and what a crash
takes down.  :func:`tool_table` puts them side by side.  Every number in it is
a :class:`Cost` that says where it came from: measured in this kernel just now
(:func:`measure_costs`), read from one of the book's reference runs
(:func:`reference_costs`), or not measured.

The definitions, so that every source measures the same thing:

* **start-up**: the wall time of ``run(strategy, is_prime, [97], workers=2)``:
  start a pool, hand it one trivial task, get the result, shut the pool down;
* **per task**: in a run of 200 trivial tasks, the time from the first task's
  start to the last one's end, times the workers that ran tasks, divided by
  200 (:func:`per_task_seconds`): what each task costs once the pool is up,
  hand-over included, without the start-up.

The trivial task is ``is_prime`` on small numbers, except for ``asyncio``,
whose tasks are coroutines: ``sleep_async(0)`` there (:func:`trivial_task`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from ._validate import check_choice, check_int, check_items
from .timing import Measurement, format_seconds, interleaved


#: The trivial tasks that the per-task cost is measured with: is_prime on 2..201.
TINY_ITEMS = tuple(range(2, 202))
#: The single trivial task of the start-up measurement.
ONE_ITEM = (97,)


@dataclass(frozen=True)
class Tool:
    """One way to run work at the same time, and what the book found about it.

    Attributes:
        name: Its name in the table.
        strategy: Its :func:`~parallel_demo.run` strategy, or None.
        needs: What Python it needs, in words ("" when any).
        memory: What each worker costs in memory, in words.
        sharing: What workers share and how they exchange data.
        crash: What a crash in one worker takes down.
        best_for: The work it suits best.
        chapter: The book's chapter that measures it (a file in ``book/``).
    """

    name: str
    strategy: str | None
    needs: str
    memory: str
    sharing: str
    crash: str
    best_for: str
    chapter: str


#: The six tools of the table, in the order the book meets them.
TOOLS: tuple[Tool, ...] = (
    Tool("threads", "thread_pool", "",
         "one stack per thread; one heap for all",
         "everything: objects are shared, so shared state needs locks",
         "an exception ends one task; a crash of the interpreter ends them all",
         "waiting: network, disk, subprocesses, C code that releases the GIL",
         "threads_for_io"),
    Tool("processes", "process_pool", "",
         "a whole interpreter per worker, plus every module it imports",
         "nothing by default: arguments and results are pickled and copied",
         "a dying worker breaks the pool (BrokenProcessPool); the parent survives",
         "CPU-bound Python on several CPUs, tasks much longer than the per-task cost",
         "processes_done_right"),
    Tool("subinterpreters", "interpreter_pool", "Python 3.14+",
         "one interpreter per worker thread, in one process",
         "only shareable objects cross (bytes, str, numbers, queues); no module state",
         "an exception ends one task; a crash ends the process and every interpreter",
         "CPU-bound pure Python in parallel without a process per worker",
         "free_threading_and_interpreters"),
    Tool("free-threaded threads", "thread_pool", "a 3.13t or 3.14t build",
         "one stack per thread; one heap for all",
         "everything, as with threads, and now truly at the same instant: locks matter more",
         "as with threads",
         "CPU-bound Python on several CPUs with shared data, where the build is available",
         "free_threading_and_interpreters"),
    Tool("asyncio", "asyncio", "",
         "one coroutine per task: a small object, no thread",
         "everything, and tasks switch only at await, so fewer races",
         "an exception ends one task; blocking code stalls every task",
         "thousands of waits at once (sockets, HTTP) written as async code",
         "asyncio_for_io"),
    Tool("Dask", "dask", "dask and distributed",
         "a scheduler and worker processes, on this machine or many",
         "nothing: data moves between workers, serialised, by the scheduler",
         "a dead worker's tasks are rerun elsewhere; the client survives",
         "work bigger than one machine, or long tasks worth a scheduler's overhead",
         "scaling_out_with_dask"),
)

_BY_NAME = {t.name: t for t in TOOLS}


@dataclass(frozen=True)
class Cost:
    """One number of the table and where it came from.

    Attributes:
        seconds: The median, or None when not measured.
        source: ``"this kernel"``, ``"reference: <machine>"`` or ``"not measured"``.
        spread: The relative spread of the runs behind it (0.1 = 10 %).
        runs: How many runs it is the median of.
        why: Why it was not measured, when it was not.
    """

    seconds: float | None
    source: str
    spread: float = 0.0
    runs: int = 0
    why: str = ""

    @property
    def measured(self) -> bool:
        return self.seconds is not None

    def __str__(self) -> str:
        if self.seconds is None:
            return "not measured"
        return format_seconds(max(self.seconds, 0.0))


_NOT_MEASURED = Cost(None, "not measured")


@dataclass(frozen=True)
class ToolRow:
    """One row of :func:`tool_table`: a tool, its two costs, and whether it runs here."""

    tool: Tool
    startup: Cost
    per_task: Cost
    status: str

    @property
    def name(self) -> str:
        return self.tool.name


def tool_status(tool: Tool | str) -> str:
    """``"runs here"`` or why the tool cannot run in this kernel (never raises)."""
    import sys

    if isinstance(tool, str):
        tool = _BY_NAME[check_choice("tool", tool, _BY_NAME)]
    if tool.name == "free-threaded threads":
        check = getattr(sys, "_is_gil_enabled", None)
        if check is None or check():
            return "not here: this kernel has the GIL"
        return "runs here"
    if tool.strategy is None:
        return "no run() strategy"
    try:
        from .strategies import strategy_available

        reason = strategy_available(tool.strategy)
    except Exception as exc:  # a Part VI module that is missing or being written
        return f"not here: {type(exc).__name__}: {str(exc)[:80]}"
    return "runs here" if reason is None else f"not here: {reason}"


# ---------------------------------------------------------------------------
# Costs: measured here, or read from reference runs.

def per_task_seconds(result: Any) -> float:
    """Seconds per task once the workers are up: task span x busy workers / tasks.

    The span runs from the first task's start to the last task's end, so the
    pool's start-up and shutdown are left out; multiplying by the number of
    workers that ran tasks turns it into the time one worker spends per task.
    """
    if not (hasattr(result, "records") and hasattr(result, "lanes")):
        raise TypeError(f"result must be a RunResult (from run), got {type(result).__name__} "
                        f"{result!r:.60}; pass what run(...) returned")
    records = list(result.records)
    if not records:
        raise ValueError("per_task_seconds needs a run with at least one task")
    span = max(r.end for r in records) - min(r.start for r in records)
    return span * len(result.lanes) / len(records)


def _cost(m: Measurement, source: str) -> Cost:
    median = m.median
    spread = (m.worst - m.best) / abs(median) if median else 0.0
    return Cost(median, source, spread, len(m.times))


def trivial_task(strategy: str) -> tuple[Any, tuple, tuple]:
    """``(fn, one_item, many_items)``: the trivial task that ``strategy``'s costs are measured with.

    ``is_prime`` on small numbers for every strategy but ``"asyncio"``, whose
    tasks must be coroutines: there it is ``sleep_async(0)``, one trip
    through the event loop.
    """
    if strategy == "asyncio":
        from .aio import sleep_async

        return sleep_async, (0.0,) * len(ONE_ITEM), (0.0,) * len(TINY_ITEMS)
    from .workloads import is_prime

    return is_prime, ONE_ITEM, TINY_ITEMS


#: The strategies whose costs a kernel can measure in a second or two (when they run here).
QUICK = ("thread_pool", "process_pool", "asyncio")


def quick_strategies() -> list[str]:
    """The strategies of :data:`QUICK` that can run in this kernel."""
    from .strategies import strategy_available

    out = []
    for s in QUICK:
        try:
            if strategy_available(s) is None:
                out.append(s)
        except Exception:  # a Part VI module that is missing or being written
            continue
    return out


def measure_costs(strategies: Iterable[str] = ("thread_pool", "process_pool"), *,
                  repeat: int = 3, warmup: int = 1,
                  workers: int = 2) -> dict[str, tuple[Measurement, Measurement]]:
    """Measure start-up and per-task cost of each strategy in this kernel, interleaved.

    Args:
        strategies: :func:`~parallel_demo.run` strategy names.
        repeat, warmup: Timed and untimed rounds; every case takes its turn
            in each round.
        workers: Pool size (2, as in the reference runs).

    Returns:
        ``{strategy: (startup, per_task)}`` as Measurements in seconds.
    """
    from .strategies import STRATEGIES, run, strategy_available

    check_int("repeat", repeat, minimum=1, maximum=50)
    check_int("warmup", warmup, minimum=0, maximum=50)
    check_int("workers", workers, minimum=1, maximum=64)
    strategies = check_items("strategies", strategies, allow_empty=False)
    for s in strategies:
        if not isinstance(s, str):
            raise TypeError(f"strategies must hold strategy names (str), got "
                            f"{type(s).__name__} {s!r:.60}; pass e.g. ['thread_pool', "
                            "'process_pool']")
        check_choice("strategies", s, STRATEGIES)
        reason = strategy_available(s)
        if reason:
            raise ValueError(f"strategies: {s!r} cannot run in this kernel ({reason}); "
                             "use quick_strategies() for the ones that can")
    cases = {}
    kept: dict[str, list] = {s: [] for s in strategies}
    for s in strategies:
        fn, one, many = trivial_task(s)
        cases[f"{s} one"] = (lambda s=s, fn=fn, one=one: run(s, fn, one, workers=workers))
        cases[f"{s} many"] = (lambda s=s, fn=fn, many=many:
                              kept[s].append(run(s, fn, many, workers=workers)))
    got = interleaved(cases, repeat=repeat, warmup=warmup)
    out = {}
    for s in strategies:
        runs = kept[s][warmup:]  # the warm-up rounds are not part of the measurement
        out[s] = (Measurement(f"{s} start-up", got[f"{s} one"].times),
                  Measurement(f"{s} per task", tuple(per_task_seconds(r) for r in runs)))
    return out


def reference_costs(references: Sequence[Any], *, cpus: int | None = None
                    ) -> dict[str, tuple[Measurement, Measurement, str]]:
    """Start-up and per-task cost of each strategy found among reference runs.

    Uses the ``"one"`` and ``"tiny"`` recordings of ``tools/record_reference.py``:
    start-up from every repeat's wall time of the one-task run, per task from
    the saved 200-task run's records (:func:`per_task_seconds`).

    Args:
        references: :class:`~parallel_demo.reference.ReferenceRun` objects.
        cpus: Keep only runs recorded with this many effective CPUs; None
            keeps the ones with the most CPUs.

    Returns:
        ``{strategy: (startup, per_task, machine label)}``.
    """
    import platform

    from .reference import ReferenceRun

    references = check_items("references", references)
    for i, r in enumerate(references):
        if not isinstance(r, ReferenceRun):
            raise TypeError(f"references must hold ReferenceRun objects (from find_references()), "
                            f"got {type(r).__name__} {r!r:.60} at index {i}")
    if cpus is not None:
        cpus = check_int("cpus", cpus, minimum=1, hint="leave it out to keep the runs with the "
                                                      "most CPUs")
    refs = [r for r in references if r.walls]
    if cpus is None and refs:
        cpus = max(r.cpus for r in refs)
    refs = [r for r in refs if r.cpus == cpus]
    # Pair the one-task and the 200-task run recorded on the same set-up.
    ones = {(r.result.strategy, r.machine.python, r.note): r for r in refs
            if len(r.result.records) == len(ONE_ITEM)}
    manys = {(r.result.strategy, r.machine.python, r.note): r for r in refs
             if len(r.result.records) == len(TINY_ITEMS)}
    here = platform.python_version()
    out = {}
    # Prefer this kernel's Python, then the newest: sorted so that the preferred one comes last.
    for key in sorted(ones.keys() & manys.keys(),
                      key=lambda k: (k[1] == here, tuple(int(x) for x in k[1].split(".")[:2]))):
        s = key[0]
        one, many = ones[key], manys[key]
        m_one = Measurement(f"{s} start-up", tuple(one.walls))
        # Only the saved run of the repeats has its records: one value.
        m_task = Measurement(f"{s} per task", (per_task_seconds(many.result),))
        note = f"; {one.note}" if one.note else ""
        out[s] = (m_one, m_task, f"{one.machine.label}{note}")
    return out


def tool_table(measured: Mapping[str, tuple[Measurement, Measurement]] | None = None,
               references: Sequence[Any] = ()) -> list[ToolRow]:
    """The decision table: every tool, with costs measured here where possible, else referenced.

    Args:
        measured: What :func:`measure_costs` returned (strategy -> costs).
        references: Reference runs (:func:`~parallel_demo.reference.find_references`).

    Returns:
        One :class:`ToolRow` per entry of :data:`TOOLS`.
    """
    import sys

    measured = dict(measured or {})
    ref = reference_costs(references)
    check = getattr(sys, "_is_gil_enabled", None)
    free_threaded_here = check is not None and not check()
    rows = []
    for tool in TOOLS:
        status = tool_status(tool)
        key = tool.strategy
        startup = per_task = _NOT_MEASURED
        if tool.name == "free-threaded threads" and not free_threaded_here:
            why = "needs a free-threaded build; this kernel has the GIL"
            startup = per_task = Cost(None, "not measured", why=why)
        elif tool.name == "threads" and free_threaded_here:
            why = "this kernel is free-threaded: see the free-threaded row"
            startup = per_task = Cost(None, "not measured", why=why)
        elif key in measured:
            s, p = measured[key]
            startup, per_task = _cost(s, "this kernel"), _cost(p, "this kernel")
        elif key in ref:
            s, p, label = ref[key]
            startup, per_task = _cost(s, f"reference: {label}"), _cost(p, f"reference: {label}")
        else:
            why = ("not measured in this kernel; no reference run of it yet" if status == "runs here"
                   else status)
            startup = per_task = Cost(None, "not measured", why=why)
        rows.append(ToolRow(tool, startup, per_task, status))
    return rows


def format_tool_table(rows: Sequence[ToolRow], *, markdown: bool = True) -> str:
    """The table as Markdown (for a cell that prints Markdown) or plain text."""
    head = ["tool", "start-up", "per task", "source", "memory per worker", "sharing",
            "a crash takes down", "best for", "here"]
    lines = []
    for r in rows:
        t = r.tool
        source = r.startup.source if r.startup.measured else (r.startup.why or "not measured")
        cells = [t.name + (f" ({t.needs})" if t.needs else ""), str(r.startup), str(r.per_task),
                 source, t.memory, t.sharing, t.crash, t.best_for,
                 "yes" if r.status == "runs here" else "no"]
        lines.append(cells)
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(c.replace("|", "/") for c in cells) + " |" for cells in lines]
        return "\n".join(out)
    widths = [max(len(h), *(len(c[i]) for c in lines)) for i, h in enumerate(head[:4])]
    out = ["  ".join(h.ljust(w) for h, w in zip(head[:4], widths))]
    out += ["  ".join(c.ljust(w) for c, w in zip(cells[:4], widths)) for cells in lines]
    return "\n".join(out)


# ---------------------------------------------------------------------------
# The decision tree.

@dataclass(frozen=True)
class Leaf:
    """An answer of the decision tree: a tool, and the chapter that shows why."""

    tool: str
    why: str
    chapter: str


@dataclass(frozen=True)
class Question:
    """A question of the decision tree, with where each answer leads."""

    key: str
    text: str
    yes: "Question | Leaf"
    no: "Question | Leaf"


#: The answers :func:`choose_tool` and the exercise use.
ANSWERS = ("sequential", "threads", "processes", "asyncio", "dask", "subinterpreters",
           "free-threaded threads")

#: The guide, as the book measured it.  Read from the top: each question's
#: ``yes`` and ``no`` lead to another question or to a tool.
DECISION_TREE = Question(
    "tiny", "Is the whole job shorter than a pool's start-up?",
    yes=Leaf("sequential", "a plain loop ends before a pool has started", "primes_what_it_shows"),
    no=Question(
        "waits", "Does the work mostly wait (network, disk)?",
        yes=Question(
            "many", "Thousands of waits at once?",
            yes=Leaf("asyncio", "a coroutine per wait is far cheaper than a thread",
                     "asyncio_for_io"),
            no=Leaf("threads", "waiting releases the GIL, so waits overlap", "threads_for_io")),
        no=Question(
            "machines", "Too big for one machine?",
            yes=Leaf("dask", "a scheduler spreads tasks over many machines",
                     "scaling_out_with_dask"),
            no=Question(
                "nogil", "Free-threaded build (3.13t+)?",
                yes=Leaf("free-threaded threads", "threads run Python on several CPUs at once",
                         "free_threading_and_interpreters"),
                no=Leaf("processes", "one interpreter per CPU sidesteps the GIL "
                        "(3.14: or subinterpreters)", "processes_done_right")))),
)


def choose_tool(*, job_seconds: float, waits: bool, concurrent_waits: int = 1,
                machines_needed: int = 1, free_threaded: bool = False,
                pool_startup: float = 0.05) -> Leaf:
    """Walk :data:`DECISION_TREE` for one workload and return the tool it recommends.

    Args:
        job_seconds: How long the whole job takes in a plain loop.
        waits: True if the work mostly waits (I/O), False if it computes.
        concurrent_waits: How many waits must be in progress at once.
        machines_needed: How many machines' worth of CPUs or memory it needs.
        free_threaded: Whether the interpreter is a free-threaded build.
        pool_startup: The start-up cost of a pool here, in seconds (measure it:
            :func:`measure_costs`).
    """
    from ._validate import check_number

    check_number("job_seconds", job_seconds, low=0.0)
    check_number("pool_startup", pool_startup, low=0.0)
    check_int("concurrent_waits", concurrent_waits, minimum=1)
    check_int("machines_needed", machines_needed, minimum=1)
    answers = {
        "tiny": job_seconds < pool_startup,
        "waits": bool(waits),
        "many": concurrent_waits >= 1000,
        "machines": machines_needed > 1,
        "nogil": bool(free_threaded),
    }
    node: Question | Leaf = DECISION_TREE
    while isinstance(node, Question):
        node = node.yes if answers[node.key] else node.no
    return node


def _leaves(node: Question | Leaf) -> list[Leaf]:
    if isinstance(node, Leaf):
        return [node]
    return _leaves(node.yes) + _leaves(node.no)


def tool_chapter(tool: str) -> str:
    """The chapter (a file in ``book/``) that measures ``tool``."""
    check_choice("tool", tool, ANSWERS)
    for leaf in _leaves(DECISION_TREE):
        if leaf.tool == tool:
            return leaf.chapter
    return _BY_NAME[tool].chapter


# --- the chapter's computed sentences -------------------------------------------------------


def explain_costs(costs: Mapping[str, tuple[Measurement, Measurement]],
                  a: str = "thread_pool", b: str = "process_pool") -> str:
    """Markdown bullets: start-up and per-task cost of pool ``a`` against pool ``b``.

    ``costs`` is :func:`measure_costs`'s result; every verdict comes from
    :func:`~parallel_demo.verdict.compare` on the interleaved runs.
    """
    from .verdict import compare

    for name in (a, b):
        if name not in costs:
            raise ValueError(f"costs has no {name!r}: measure it with measure_costs([{a!r}, {b!r}])")
    names = {"thread_pool": "the thread pool", "process_pool": "the process pool"}
    lines = []
    for what, k in (("start-up", 0), ("per-task cost", 1)):
        v = compare(costs[a][k], costs[b][k])
        lines.append(f"- **{what}**: " + v.sentence(names.get(a, a), names.get(b, b)))
    return "\n".join(lines)


def explain_pool_vs_loop(pool: Measurement, loop: Measurement, *, where: str,
                         cpus: int | None = None) -> str:
    """One Markdown bullet: did the process pool beat the plain loop ``where``?

    A parallel win is never claimed on one CPU (``cpus``; default: this kernel's).
    """
    from .verdict import compare

    v = compare(pool, loop, parallel=True, cpus=cpus)
    return f"- {where}: " + v.sentence("the process pool", "a plain loop")


def explain_reference_runs(pool_runs: Sequence[Any], references: Sequence[Any],
                           workload: str = "is_prime on large") -> str:
    """Markdown bullets: the pool against the plain loop, for every reference pool run.

    Each of ``pool_runs`` (ReferenceRuns of a pool) is compared with the
    sequential reference run of the same Python, CPU count and workload, on
    every repeat's wall time.
    """
    from .reference import select_references

    lines = []
    for pool in pool_runs:
        py, cpus = pool.machine.python, pool.cpus
        loops = select_references(references, strategy="sequential", cpus=cpus,
                                  workload=workload, python=py)
        if not loops:
            lines.append(f"- reference, Python {py}, {cpus} CPU(s): no plain-loop run to compare with")
            continue
        lines.append(explain_pool_vs_loop(pool.walls_measurement(), loops[0].walls_measurement(),
                                          where=f"reference, Python {py}, {cpus} CPU(s)", cpus=cpus))
    return "\n".join(lines)
