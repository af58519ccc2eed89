"""know_your_machine, concurrency_vs_parallelism, threads_vs_processes, threads_for_io, threads_and_the_gil: measured prose.

Each ``explain_*`` function turns measurements made a moment ago into a few
sentences of Markdown for the chapter to display.  Every "faster", "slower"
or "tie" in them comes from :func:`parallel_demo.verdict.compare`, which looks
at the spread of repeated, interleaved runs and never calls a parallel win on
one CPU; every percentage goes through
:func:`~parallel_demo.verdict.format_percent` (``<0.1%``, never ``0.0%``).
So what the page says is true for the run on the page, on any machine.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

from .timing import Measurement, format_seconds
from .verdict import compare, format_percent


def _cpus(cpus: int | None) -> int:
    if cpus is None:
        from .env import effective_cpus

        return effective_cpus()
    return cpus


def _gil(gil: bool | None) -> bool:
    if gil is None:
        from .env import _gil_enabled

        return _gil_enabled()
    return gil


def _gil_bound(verdict, gil: bool):
    """With the GIL, threads running Python code share one CPU's worth: a lead of theirs is noise."""
    if gil and verdict.a_wins:
        return replace(verdict, word="tie", reason=(
            "With the GIL, threads running Python code get one CPU's worth between them, so "
            "their lead is noise (other programs slowing the other side), not parallelism."))
    return verdict


def _need(timed: Mapping[str, Measurement], *labels: str) -> None:
    missing = [k for k in labels if k not in timed]
    if missing:
        raise ValueError(f"missing measurement(s) {missing}: pass the dict that "
                         f"time_strategies / interleaved returned, with keys {list(labels)}")


# ---------------------------------------------------------------------------
# know_your_machine

def explain_machine(cpu: Mapping[str, Measurement], io: Mapping[str, Measurement], *,
                    cpus: int | None = None, gil: bool | None = None) -> str:
    """Markdown: what the three ways did with CPU-bound and with I/O-bound tasks.

    Args:
        cpu, io: ``{"sequential": ..., "thread_pool": ..., "process_pool": ...}``
            as :func:`~parallel_demo.env.time_strategies` returns them.
        cpus: Usable CPUs (default :func:`effective_cpus`).
        gil: Whether the GIL is on (default: this interpreter's).
    """
    _need(cpu, "sequential", "thread_pool", "process_pool")
    _need(io, "sequential", "thread_pool")
    cpus, gil = _cpus(cpus), _gil(gil)
    lines = []
    threads = _gil_bound(compare(cpu["thread_pool"], cpu["sequential"], parallel=True,
                                 cpus=cpus), gil)
    said = "**CPU-bound, threads.** " + _cap(threads.sentence("the thread pool", "the sequential run"))
    if gil:
        why = ("With the GIL, one thread runs Python code at a time, so the threads took turns."
               if not threads.a_wins else
               "That is unusual with the GIL: threads cannot run Python code in parallel, so "
               "this lead is probably other programs slowing the sequential runs.")
    else:
        why = ("This build runs without the GIL, so threads can compute in parallel."
               if threads.a_wins else
               "This build runs without the GIL, so threads could compute in parallel, but "
               "here they did not pull ahead.")
    lines.append(f"{said} {why}")
    procs = compare(cpu["process_pool"], cpu["sequential"], parallel=True, cpus=cpus)
    said = "**CPU-bound, processes.** " + _cap(procs.sentence("the process pool", "the sequential run"))
    if cpus == 1:
        why = ("With one CPU, processes can only take turns too: on this machine nothing makes "
               "CPU-bound work faster.")
    elif procs.a_wins:
        why = f"Its workers computed on up to {cpus} CPUs at once."
    else:
        why = ("Starting the worker processes, or other programs on the machine, ate the gain "
               "this time: with this little work, start-up matters.")
    lines.append(f"{said} {why}")
    waits = compare(io["thread_pool"], io["sequential"], cpus=cpus)
    said = "**I/O-bound, threads.** " + _cap(waits.sentence("the thread pool", "the sequential run"))
    why = ("The waits overlapped: waiting needs no CPU, even on one."
           if waits.a_wins else
           "The waits should overlap even on one CPU; a very busy machine can hide it.")
    lines.append(f"{said} {why}")
    return "\n\n".join(lines)


# ---------------------------------------------------------------------------
# concurrency_vs_parallelism

def _share(result) -> float:
    timed = result.results
    return sum(t.share for t in timed) / len(timed)


def explain_cpu_demo(demo) -> str:
    """Markdown: what :func:`~parallel_demo.affinity.cpu_demo` showed, way by way."""
    from .affinity import SEQUENTIAL, cpu_parallelism

    seq_run, seq = demo.runs[SEQUENTIAL], demo.timed[SEQUENTIAL]
    alone = _share(seq_run)
    lines = []
    if alone < 0.8:
        lines.append(f"Other programs were using this machine's CPUs during these runs: even "
                     f"alone, a task executed for only {format_percent(alone)} of its time. "
                     f"Compare the shares below with that rather than with 100%.")
    for label in (demo.concurrent_only, demo.parallel):
        if label is None:
            continue
        r, m = demo.runs[label], demo.timed[label]
        # The concurrent-only way has one CPU's worth by construction (pinned, or one GIL).
        v = compare(m, seq, parallel=True, cpus=1 if label == demo.concurrent_only else None)
        executing = cpu_parallelism(r.results, r.wall)
        head = (f"**{label}**: each task executed for {format_percent(_share(r))} of its time "
                f"(alone: {format_percent(alone)}), and on average {executing:.2f} CPUs were "
                f"executing.")
        if label == demo.concurrent_only:
            tail = " Taking turns buys no speed."
        else:
            tail = (" Two CPUs executed at once." if v.a_wins else
                    " The two CPUs did not pay off this time: start-up, or other programs.")
        lines.append(f"{head} {_cap(v.sentence(label, 'one after another'))}{tail}")
    from .affinity import PINNED

    # The pinned way needs no excuse; a stand-in or a missing way does.
    notes = demo.notes[1:] if demo.concurrent_only == PINNED else demo.notes
    lines.extend(_cap(n) + "." for n in notes)
    return "\n\n".join(lines)


def explain_io_overlap(sequential: Measurement, threads: Measurement, result, *,
                       label: str = "the thread pool") -> str:
    """Markdown: waits on threads against waits one after another, and the CPU they used.

    Args:
        sequential, threads: Interleaved measurements of the two ways.
        result: One threaded :class:`RunResult` whose results are ``CpuTimed``.
        label: What to call the threaded way.
    """
    from .affinity import cpu_parallelism, max_in_progress

    v = compare(threads, sequential)
    return (f"{_cap(v.sentence(label, 'one after another'))} Up to "
            f"{max_in_progress(result.records)} tasks were in progress at once, while on "
            f"average {cpu_parallelism(result.results, result.wall):.3f} CPUs were executing: "
            f"concurrency with (practically) no parallelism.")


# ---------------------------------------------------------------------------
# threads_vs_processes

def explain_startup(costs: Sequence[Measurement]) -> str:
    """Markdown: a thread against each bare child, and each bare child against one with a task.

    ``costs`` is what :func:`~parallel_demo.identity.startup_costs` returned
    (with ``task=`` for the second comparison).
    """
    by_label = {m.label: m for m in costs}
    if "thread" not in by_label:
        raise ValueError("costs has no 'thread' measurement: pass startup_costs(...)")
    thread = by_label["thread"]
    lines = []
    for m in costs:
        if not m.label.startswith("process (") or " + " in m.label:
            continue
        method = m.label[len("process ("):-1]
        line = _cap(compare(thread, m).sentence("starting a thread", f"a bare {method} child"))
        with_task = [t for t in costs if t.label.startswith(m.label + " + ")]
        if with_task:
            t = with_task[0]
            name = t.label.split(" + ", 1)[1]
            v = compare(m, t)
            line += " " + _cap(v.sentence(f"the bare {method} child", f"one that runs {name}"))
            if method == "fork":
                line += (" A forked child inherits the parent's imports, so it has nothing to "
                         "import.")
            elif v.a_wins:
                line += (f" The difference, {format_seconds(t.median - m.median)} (medians), "
                         f"is the child importing {name}'s module.")
        lines.append(f"- {line}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# threads_for_io

def explain_io_speedup(baseline: Measurement, rows: Sequence[Measurement], *,
                       cpus: int | None = None) -> str:
    """Markdown: the best thread count against sequential fetching, and against the CPU count.

    Args:
        baseline, rows: What :func:`~parallel_demo.timing.sweep_workers` returned.
    """
    rows = [r for r in rows if r.workers is not None]
    if not rows:
        raise ValueError("rows is empty: pass the measurements sweep_workers returned")
    cpus = _cpus(cpus)
    best = min(rows, key=lambda r: r.median)
    v = compare(best, baseline, cpus=cpus)
    out = _cap(v.sentence(f"the pool of {best.workers} threads", "one after another"))
    plural = "s" if cpus != 1 else ""
    if v.a_wins and v.low > cpus:
        out += (f" Even at the low end the speedup is above {cpus}x, with {cpus} usable "
                f"CPU{plural}: waiting needs no CPU, so the CPU count does not cap it.")
    elif v.a_wins:
        out += (f" On {cpus} usable CPU{plural} the waits overlapped; the CPU work of each "
                "request (in httpx, and in the server in this same process) did not.")
    return out


# ---------------------------------------------------------------------------
# threads_and_the_gil

def explain_gil_speedups(spin: tuple[Measurement, Sequence[Measurement]],
                         hashing: tuple[Measurement, Sequence[Measurement]], *,
                         cpus: int | None = None, gil: bool | None = None) -> str:
    """Markdown: the best thread pool against sequential, for a GIL-bound and a GIL-releasing task.

    Args:
        spin, hashing: ``(baseline, per_thread_count)`` from ``sweep_workers``.
    """
    cpus, gil = _cpus(cpus), _gil(gil)
    verdicts = {}
    for name, (base, rows) in (("spin", spin), ("hash_bytes", hashing)):
        rows = [r for r in rows if r.workers and r.workers > 1] or list(rows)
        best = min(rows, key=lambda r: r.median)
        v = compare(best, base, parallel=True, cpus=cpus)
        verdicts[name] = (best, _gil_bound(v, gil) if name == "spin" else v)
    lines = [f"- `{name}`: " + _cap(v.sentence(f"the pool of {best.workers} threads",
                                               "one after another"))
             for name, (best, v) in verdicts.items()]
    spin_wins, hash_wins = verdicts["spin"][1].a_wins, verdicts["hash_bytes"][1].a_wins
    if cpus == 1:
        why = ("With one usable CPU neither task can speed up: even code that releases the GIL "
               "has only one CPU to run on.")
    elif not gil:
        why = ("This Python runs without the GIL, so both tasks may use several CPUs."
               if spin_wins else
               "This Python runs without the GIL, so spin could use several CPUs too; here it "
               "did not pull ahead.")
    elif hash_wins and not spin_wins:
        why = ("Both are CPU-bound, but only one lets go of the GIL: threads sped up the hashing, "
               "not the pure-Python loop.")
    else:
        why = ("This time the runs do not separate the two tasks: the machine was probably busy "
               "with other work. Run the cell again when it is quieter.")
    return "\n".join(lines) + "\n\n" + why


def explain_switch_cost(cost, *, default: float = 0.005, gil: bool | None = None) -> str:
    """Markdown: switches counted at each interval, the fitted cost of one, its share of a run.

    ``cost`` is what :func:`~parallel_demo.gil.measure_switch_cost` returned.
    """
    at_default = cost.run_at(default)
    v = _gil_bound(compare(at_default.measurement, cost.baseline, parallel=True), _gil(gil))
    lines = [_cap(v.sentence(f"the run on threads (default {default * 1000:g} ms interval)",
                             "the sequential run"))]
    counted = [r for r in cost.runs if r.switches and None not in r.switches]
    if len(counted) < len(cost.runs):
        lines.append("This system does not tell a thread how often it was switched out (Linux "
                     "does, in `/proc/self/task/*/status`), so the switches cannot be counted "
                     "here: only the wall times above were measured.")
        return " ".join(lines)
    medians = ", ".join(f"{_median_int(r.switches):,} at {r.interval * 1000:g} ms"
                        for r in counted)
    lines.append(f"Context switches counted in the threads (median per run): {medians}.")
    n = sum(len(r.switches) for r in counted)
    if cost.per_switch is None:
        lines.append("The counts did not vary, so no cost per switch can be fitted.")
        return " ".join(lines)
    low, high = cost.per_switch - 2 * cost.spread, cost.per_switch + 2 * cost.spread
    fitted = (f"A straight line through all {n} runs gives "
              f"{_signed_seconds(cost.per_switch)} per switch "
              f"(± {format_seconds(2 * cost.spread)}, two standard errors)")
    if low <= 0 <= high:
        lines.append(f"{fitted}: not distinguishable from zero. Switching costs too little to "
                     "measure against the noise of this machine.")
    else:
        share = max(cost.per_switch, 0.0) * _median_int(at_default.switches) / (
            at_default.measurement.median)
        lines.append(f"{fitted}. At the default interval that is about {format_percent(share)} "
                     "of the run.")
    return " ".join(lines)


def _cap(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _median_int(values) -> int:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _signed_seconds(seconds: float) -> str:
    return ("-" if seconds < 0 else "") + format_seconds(abs(seconds))


