"""Charts for concurrency_vs_parallelism: timelines whose bars say how much CPU each task got."""

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
    runs = dict(runs)
    if not runs:
        raise ValueError("runs is empty: pass {title: RunResult, ...}")
    for name, result in runs.items():
        if not all(isinstance(t, CpuTimed) for t in result.results):
            raise TypeError(f"run {name!r}: results are not CpuTimed; "
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
