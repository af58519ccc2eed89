"""Charts for concurrency_vs_parallelism (timelines whose bars say how much CPU each task got) and threads_and_the_gil (a predicted thread speedup)."""

from __future__ import annotations

from ..affinity import CpuTimed
from ._style import text_color, time_unit
from .timeline import plot_timelines


def plot_cpu_timelines(runs, *, title: str | None = None):
    """Timelines of runs whose results are :class:`CpuTimed`, each bar labelled with its CPU share.

    Args:
        runs: ``{title: RunResult}``; every result must be a ``CpuTimed``
            (use :func:`cpu_timed` or :func:`run_pinned`).
        title: A title over all the charts.

    Returns:
        The list of Axes, one per run, on one shared time axis.
    """
    from ..trace import RunResult

    if isinstance(runs, RunResult):
        raise TypeError("runs must be a dict {title: RunResult}, got one RunResult; "
                        "wrap it: {'my run': result}")
    try:
        runs = dict(runs)
    except (TypeError, ValueError):
        raise TypeError(f"runs must be a dict {{title: RunResult, ...}}, got "
                        f"{type(runs).__name__} {runs!r:.60}") from None
    if not runs:
        raise ValueError("runs is empty: pass {title: RunResult, ...}")
    for name, result in runs.items():
        if not isinstance(result, RunResult):
            raise TypeError(f"runs[{name!r}] must be a RunResult (what run(...) returned), got "
                            f"{type(result).__name__} {result!r:.40}")
        if not all(isinstance(t, CpuTimed) for t in result.results):
            raise TypeError(f"runs[{name!r}]: results are not CpuTimed; "
                            "run cpu_timed(fn) instead of fn, or use run_pinned")
    axes = plot_timelines(runs, title=title, annotate=False)
    longest = max(r.wall for r in runs.values())
    scale, _ = time_unit(longest)  # the unit plot_timelines chose for the shared axis
    for ax, result in zip(axes, runs.values()):
        lane = {w: k for k, w in enumerate(result.lanes)}
        for rec, timed in zip(result.records, result.results):
            k = lane[rec.worker]
            if rec.duration < 0.06 * longest:
                continue  # no room for a label
            ax.text((rec.start - result.start + rec.duration / 2) * scale, k,
                    f"{timed.share:.0%} CPU", ha="center", va="center", fontsize=8,
                    color=text_color(k))
    return axes


def plot_thread_prediction(run, ax=None, *, gil: bool = True, title: str | None = None):
    """A predicted thread speedup against the measurement, the ideal, the CPUs and the GIL.

    Args:
        run: A :class:`~parallel_demo.scaling.PredictionRun` whose workers are threads.
        gil: Draw the one-thread-at-a-time line (speedup 1) that the GIL allows.

    Returns:
        The Axes drawn on.
    """
    from ._style import PALETTE, draw_prediction, new_axes

    # Checked before any figure exists (a PredictionRun, or anything with its fields).
    missing = [f for f in ("prediction", "workers", "measured", "low", "high", "cpus")
               if not hasattr(run, f)]
    if missing:
        raise TypeError(f"run must be a PredictionRun (what a prediction checker measured), got "
                        f"{type(run).__name__} {run!r:.40}, which has no {', '.join(missing)}")
    ax = new_axes(ax, height=3.2)
    xs = list(range(1, max(run.workers, 4) + 1))
    ax.plot(xs, xs, ":", color="grey", label="ideal (speedup = threads)")
    ax.plot(xs, [min(x, run.cpus) for x in xs], "-", color=PALETTE[5], alpha=0.35, linewidth=4,
            label=f"your {run.cpus} CPU{'s' * (run.cpus != 1)}: the most that can execute")
    if gil:
        ax.plot(xs, [1.0] * len(xs), "--", color=PALETTE[1],
                label="one thread at a time (the GIL)")
    top = draw_prediction(ax, run, measured_label="measured: median, range of the rounds")
    ax.set_xlim(0.8, top + 0.3)
    ax.set_xlabel("threads")
    ax.set_ylabel("speedup over one after another (×)")
    ax.set_title(title or f"{run.workers} threads on spin: prediction {run.prediction:.2f}×, "
                          f"measured {run.measured:.2f}×")
    return ax
