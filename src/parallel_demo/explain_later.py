"""Parts IV-V (primes_sequential ... processes_done_right): measured comparisons said in words.

The chapters of Parts IV and V print a few sentences after each measurement.
Those sentences are computed here, so that no notebook writes "faster",
"slower", "beat" or "a tie" on its own: every such word comes from
:func:`parallel_demo.verdict.compare` or :func:`~parallel_demo.verdict.crossover`,
which see the spread of repeated, interleaved runs and never call a parallel
win on one CPU.  Each function returns Markdown (``IPython.display.Markdown``
shows it; ``str()`` gives the text).
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

from .primes import POST_FIGURES, OrderingRow, SizePoint, crossover_estimate, size_crossover
from .timing import Measurement, format_seconds
from .verdict import compare, format_percent, format_ratio


class _Markdown(str):
    """A ``str`` that Jupyter renders as Markdown."""

    def _repr_markdown_(self) -> str:
        return str(self)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def explain_tracing(measured: Mapping[str, Measurement], count: int) -> _Markdown:
    """What recording each check costs: from :func:`parallel_demo.primes.measure_tracing`."""
    plain, traced = measured["plain loop"], measured["traced loop"]
    per_check = (traced.median - plain.median) / max(count, 1)
    verdict = compare(traced, plain)
    share = (traced.median - plain.median) / traced.median if traced.median > 0 else 0.0
    return _Markdown(
        f"{_capital(verdict.sentence('the traced loop', 'the plain loop'))} "
        f"Recording a check (a timestamp before and after, a record kept) cost about "
        f"{format_seconds(max(per_check, 0.0))} per number, "
        f"{format_percent(max(share, 0.0))} of the traced run. That is why Part IV draws its "
        "timelines from traced runs but takes every time it quotes from the plain code.")


def explain_thread_costs(costs: Mapping[str, Measurement], count: int) -> _Markdown:
    """Loop vs thread per number, and one check vs one thread's start-up.

    Args:
        costs: From :func:`parallel_demo.primes.measure_thread_costs`.
        count: How many numbers the loop checked.
    """
    loop, tpn = costs["loop"], costs["thread per number"]
    check, idle = costs["one check"], costs["one idle thread"]
    extra = tpn.median - loop.median
    lines = [
        "- " + _capital(compare(loop, tpn).sentence("the loop", "thread per number")),
        "- " + _capital(compare(check, idle).sentence(
            "one check (the loop's time per number)", "starting and joining one idle thread")),
        f"- Thread per number took {format_seconds(max(extra, 0.0))} more than the loop "
        f"(medians); {count} idle thread start-ups take {format_seconds(count * idle.median)}.",
    ]
    return _Markdown("\n".join(lines))


def explain_gil_threads(loop: Measurement, threads: Measurement) -> _Markdown:
    """Threads against the loop on CPU-bound work, a parallel comparison."""
    verdict = compare(threads, loop, parallel=True)
    ratio = loop.median / threads.median if threads.median > 0 else float("inf")
    if verdict.a_wins:
        note = " That is a gain the GIL should not allow: is this a free-threaded build?"
    else:
        note = ""
    return _Markdown(f"The threads ran at {format_ratio(ratio)} the loop's speed. "
                     f"{_capital(verdict.sentence('the threads', 'the loop'))}{note}")


def explain_crew(measured: Mapping[str, Measurement]) -> _Markdown:
    """The crew of four against thread per number and against the loop."""
    crew = measured["four threads + queue"]
    lines = ["- " + _capital(compare(crew, measured["thread per number"]).sentence(
                 "four threads + queue", "thread per number")),
             "- " + _capital(compare(crew, measured["sequential"], parallel=True).sentence(
                 "four threads + queue", "the loop"))]
    return _Markdown("\n".join(lines))


def explain_pool_speed(measured: Mapping[str, Measurement]) -> _Markdown:
    """The thread pool against the loop, the crew and thread per number."""
    pool = measured["ThreadPoolExecutor"]
    lines = ["- " + _capital(compare(pool, measured["sequential"], parallel=True).sentence(
        "the pool", "the loop"))]
    for other, name in (("four threads + queue", "the hand-made crew"),
                        ("thread per number", "thread per number")):
        if other in measured:
            lines.append("- " + _capital(compare(pool, measured[other]).sentence(
                "the pool", name)))
    return _Markdown("\n".join(lines))


def ways_table(measured: Mapping[str, Measurement],
               reported: Mapping[str, float] = POST_FIGURES) -> str:
    """The four ways measured here next to the post's single figures, as a text table."""
    lines = [f"{'version':<22}{'the post':>12}{'here (median)':>15}{'middle half of runs':>24}"]
    for name, m in measured.items():
        q = sorted(m.times)
        q1, q3 = q[len(q) // 4], q[3 * len(q) // 4]
        lines.append(f"{name:<22}{reported[name] * 1e3:>9.3f} ms{m.median * 1e3:>12.3f} ms"
                     f"{q1 * 1e3:>13.3f} to {q3 * 1e3:.3f} ms")
    return "\n".join(lines)


def orderings_table(rows: Sequence[OrderingRow]) -> str:
    """Each pair as the post ranks it: its ratio, the ratio here, and whether it holds."""
    lines = [f"{'faster (in the post)':<22}{'slower (in the post)':<22}{'post':>7}{'here':>7}"
             "  holds here?"]
    for r in rows:
        lines.append(f"{r.faster:<22}{r.slower:<22}{r.ratio_post:>6.1f}x{r.ratio_here:>6.2f}x"
                     f"  {r.outcome}")
    held = sum(r.outcome == "yes" for r in rows)
    ties = sum(r.outcome == "tie" for r in rows)
    lines.append(f"\n{held} of {len(rows)} orderings hold here beyond the noise"
                 + (f"; {ties} are a tie within the noise." if ties else "."))
    return "\n".join(lines)


def explain_orderings(rows: Sequence[OrderingRow]) -> _Markdown:
    """The post's main conclusion (the loop ahead of every threaded version), and pool vs crew."""
    pair = {(r.faster, r.slower): r for r in rows}
    main = [r for r in rows if r.faster == "sequential"]
    if all(r.outcome == "yes" for r in main):
        head = ("The post's main conclusion, that the plain loop takes less time than every "
                "threaded version, holds here: the loop came out ahead of each of them beyond "
                "the noise.")
    else:
        other = [r.slower for r in main if r.outcome != "yes"]
        head = ("The post's main conclusion, that the plain loop takes less time than every "
                "threaded version, does not hold here beyond the noise for: "
                + ", ".join(other) + ".")
    r = pair["four threads + queue", "ThreadPoolExecutor"]
    crew_pool = r.verdict.sentence("the hand-made crew", "the pool")
    return _Markdown(
        f"{head} Its figures also put the pool behind the hand-made crew; measured here, {crew_pool} "
        "The two differ only in what they do besides the work (creating a pool object, "
        "futures), so small differences in overhead decide it, and those vary between "
        "machines and Python versions.")


def explain_size_sweep(points: Sequence[SizePoint], *, unit: str = "numbers",
                       size_text: Callable[[int], str] | None = None,
                       cpus: int | None = None, extrapolate: bool = True) -> _Markdown:
    """Where (if anywhere) the process pool pulled ahead of the loop, and what threads did.

    Args:
        points: From :func:`parallel_demo.primes.sweep_input`, with the
            strategies ``sequential`` and ``process_pool`` (and threads).
        unit: What a size counts, for the sentence ("numbers").
        size_text: How to write a size (default: ``f"{size} {unit}"``).
        cpus: The usable CPUs; default :func:`~parallel_demo.env.effective_cpus`.
        extrapolate: Say where straight lines through the medians cross; only
            meaningful when a size counts equally costly items.
    """
    if cpus is None:
        from .env import effective_cpus

        cpus = effective_cpus()
    size_text = size_text or (lambda s: f"{s:,} {unit}")
    cross = size_crossover(points, "process_pool", "sequential", cpus=cpus)
    by = {(p.strategy, p.size): p.measurement for p in points}
    largest = max(cross.sizes)
    at_largest = (f"At {size_text(largest)}: "
                  + cross.verdicts[-1].sentence("the process pool", "the loop"))
    if cross.size is not None:
        where = ("at every size measured" if cross.size == cross.sizes[0]
                 else f"from **{size_text(cross.size)}** on, and at every larger size measured")
        out = f"The process pool was faster than the loop {where}. {at_largest}"
    elif cpus < 2:
        out = ("With one usable CPU, the pool's workers can only take turns, so the process "
               f"pool did not pull ahead of the loop at any size: {at_largest}")
    else:
        estimate = None
        if extrapolate:
            try:
                estimate = crossover_estimate(points, "process_pool", "sequential")
            except ValueError:
                pass
        out = ("The process pool did not pull ahead of the loop for good at any size measured "
               f"(up to {size_text(largest)}). {at_largest}")
        if estimate is not None:
            out += (" Straight lines through the medians cross at about "
                    f"**{estimate:,.0f} {unit}**: an extrapolation, not a measurement.")
    threads = [s for s in ("thread_pool", "thread_per_task") if (s, largest) in by]
    if threads:
        best = min(threads, key=lambda s: by[s, largest].median)
        v = compare(by[best, largest], by["sequential", largest], parallel=True)
        out += (f" The quicker thread strategy there, `{best}`: "
                + v.sentence(f"`{best}`", "the loop"))
    return _Markdown(out)


def explain_chunksize(by_chunk: Sequence[Measurement], chunksizes: Sequence[int],
                      loop: Measurement) -> _Markdown:
    """Chunksize 1 against the best chunksize, and the warm pool against the plain loop.

    Args:
        by_chunk, loop: From :func:`parallel_demo.primes.chunksize_vs_loop`
            (the loop timed in the same rounds as the pool).
    """
    if len(by_chunk) != len(chunksizes) or not by_chunk:
        raise ValueError("need one measurement per chunksize")
    k = min(range(len(by_chunk)), key=lambda i: by_chunk[i].median)
    best, best_c = by_chunk[k], chunksizes[k]
    lines = []
    if k != 0:
        lines.append("- " + _capital(compare(best, by_chunk[0]).sentence(
            f"chunksize {best_c}", f"chunksize {chunksizes[0]}")))
    else:
        lines.append(f"- chunksize {chunksizes[0]} had the lowest median this time.")
    lines.append("- " + _capital(compare(best, loop, parallel=True).sentence(
        f"the warm pool at chunksize {best_c}", "the plain loop")))
    return _Markdown("\n".join(lines))


def explain_data_routes(measured: Sequence[Measurement]) -> _Markdown:
    """Sending values against sending indices or loading once per worker (processes_done_right).

    Args:
        measured: ``[values, indices, loaded]`` from
            :func:`parallel_demo.processes.measure_data_routes`.
    """
    values, indices, loaded = measured
    lines = ["- " + _capital(compare(indices, values).sentence(
                 "sending (path, start, stop)", "sending the values")),
             "- " + _capital(compare(loaded, values).sentence(
                 "loading once per worker", "sending the values"))]
    return _Markdown("\n".join(lines))
