"""Charts: they draw what was measured, compute nothing, and return the Axes.

Every chart takes records or measurements made elsewhere, draws them on the
``ax`` it is given (or a new figure), and returns the Axes so a chapter can
add to it.  Colours come from the Okabe-Ito palette, which stays distinct
for readers with every common kind of colour blindness.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

# Activate the backend now, outside any rc_context.  Jupyter's inline backend
# switches interactive mode on when it activates; if that first happened inside
# `plt.rc_context(book_style)` below, leaving the context would switch it off
# again, and no later figure of the notebook would be shown.
plt.switch_backend(matplotlib.get_backend())

from .timing import Measurement, SpeedupRow
from .trace import RunResult, TaskRecord, worker_labels

__all__ = ["PALETTE", "worker_color", "plot_timeline", "plot_timelines", "plot_timeline_grid",
           "plot_comparison",
           "plot_speedup", "book_style"]

#: Okabe & Ito (2008): safe for deuteranopia, protanopia and tritanopia.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

#: One look for every chart in the book.
book_style = {
    "figure.figsize": (8.0, 3.2),
    "figure.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
}


def worker_color(i: int) -> str:
    """The colour of lane ``i`` (cycles after eight)."""
    return PALETTE[i % len(PALETTE)]


def _new_axes(ax: Axes | None, height: float | None = None) -> Axes:
    if ax is not None:
        return ax
    with plt.rc_context(book_style):
        size = book_style["figure.figsize"]
        fig, ax = plt.subplots(figsize=(size[0], height or size[1]), layout="constrained")
        for key in ("axes.spines.top", "axes.spines.right"):
            side = key.rsplit(".", 1)[1]
            ax.spines[side].set_visible(False)
        ax.grid(True, alpha=0.3)
    return ax


def _time_unit(span: float) -> tuple[float, str]:
    return (1e3, "ms") if span < 2.0 else (1.0, "s")


def plot_timeline(records: Sequence[TaskRecord] | RunResult, ax: Axes | None = None, *,
                  title: str | None = None, t0: float | None = None, span: float | None = None,
                  annotate: bool | None = None) -> Axes:
    """One lane per worker, one bar per task: who ran what, and when.

    Args:
        records: Task records, or a :class:`RunResult` (its start is then the
            time origin and its wall time the axis length).
        ax: Where to draw; a new figure if None.
        title: The chart title; defaults to the strategy's name.
        t0: Time origin (on the records' clock); defaults to the first start.
        span: Length of the time axis in seconds, to line several charts up.
        annotate: Write each task's index on its bar; default when <= 40 tasks.

    Returns:
        The Axes drawn on.
    """
    if isinstance(records, RunResult):
        result = records
        records = result.records
        t0 = result.start if t0 is None else t0
        span = result.wall if span is None else span
        title = title or f"{result.strategy} ({result.workers} worker{'s' * (result.workers != 1)})"
    records = list(records)
    lanes = worker_labels(records)
    ax = _new_axes(ax, height=max(1.6, 0.9 + 0.32 * len(lanes)))
    if not records:
        ax.set_title(title or "timeline")
        ax.text(0.5, 0.5, "no tasks", ha="center", va="center", transform=ax.transAxes)
        return ax
    if t0 is None:
        t0 = min(r.start for r in records)
    end = max(r.end for r in records)
    span = span if span is not None else end - t0
    scale, unit = _time_unit(span)
    annotate = len(records) <= 40 if annotate is None else annotate
    row = {w: k for k, w in enumerate(lanes)}
    for r in records:
        k = row[r.worker]
        left, width = (r.start - t0) * scale, max(r.duration * scale, span * scale * 0.002)
        ax.barh(k, width, left=left, height=0.7, color=worker_color(k),
                edgecolor="white", linewidth=0.6)
        if annotate and width > span * scale * 0.025:
            ax.text(left + width / 2, k, str(r.index), ha="center", va="center",
                    fontsize=7, color="white" if k % 8 not in (1, 4, 6) else "black")
    ax.set_yticks(range(len(lanes)), lanes)
    ax.set_ylim(len(lanes) - 0.4, -0.6)  # first worker on top
    ax.set_xlim(0, span * scale * 1.01)
    ax.set_xlabel(f"time since start ({unit})")
    ax.set_ylabel("worker")
    ax.grid(True, axis="x", alpha=0.3)
    ax.grid(False, axis="y")
    ax.set_title(title or "timeline")
    return ax


def plot_timelines(runs: Sequence[RunResult] | Mapping[str, RunResult], *, share_time: bool = True,
                   title: str | None = None, annotate: bool | None = None):
    """Several runs, one timeline each, stacked on a shared time axis.

    Args:
        runs: The runs, or ``{title: run}`` to give each its own title.
        share_time: One time axis for all (bars comparable by length).
        title: A title over all the charts.
        annotate: Passed to :func:`plot_timeline` (task numbers on bars).

    Returns:
        The list of Axes, one per run.
    """
    titles = list(runs) if isinstance(runs, Mapping) else None
    runs = list(runs.values()) if isinstance(runs, Mapping) else list(runs)
    if not runs:
        raise ValueError("no runs to draw")
    heights = [max(1.0, 0.5 + 0.3 * len(r.lanes)) for r in runs]
    with plt.rc_context(book_style):
        fig, axes = plt.subplots(len(runs), 1, figsize=(8.0, 0.6 + sum(heights)),
                                 height_ratios=heights, sharex=share_time, layout="constrained",
                                 squeeze=False)
    axes = list(axes[:, 0])
    longest = max(r.wall for r in runs)
    for k, (ax, r) in enumerate(zip(axes, runs)):
        plot_timeline(r, ax=ax, span=longest if share_time else None, annotate=annotate,
                      title=titles[k] if titles else None)
        ax.set_ylabel("")
        ax.title.set_fontsize(10)
        ax.title.set_fontweight("bold")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    for ax in axes[:-1]:
        ax.set_xlabel("")
    if title:
        fig.suptitle(title, fontweight="bold")
    return axes


def plot_timeline_grid(columns: Mapping[str, Sequence[RunResult]], *, title: str | None = None):
    """Timelines in columns (e.g. one workload per column), one run per row.

    Each column shares one time axis, so bars in a column can be compared by
    length; different columns keep their own scale.

    Returns:
        A list of columns, each a list of Axes.
    """
    names = list(columns)
    rows = max((len(columns[c]) for c in names), default=0)
    lane_counts = [max((len(columns[c][r].lanes) for c in names if r < len(columns[c])), default=1)
                   for r in range(rows)]
    heights = [max(1.0, 0.5 + 0.3 * n) for n in lane_counts]
    with plt.rc_context(book_style):
        fig, grid = plt.subplots(rows, len(names), figsize=(4.6 * len(names), 0.8 + sum(heights)),
                                 height_ratios=heights, layout="constrained", squeeze=False,
                                 sharex="col")
    out = []
    for c, name in enumerate(names):
        runs = list(columns[name])
        longest = max((r.wall for r in runs), default=0.0)
        col = []
        for r in range(rows):
            ax = grid[r, c]
            if r >= len(runs):
                ax.set_visible(False)
                continue
            plot_timeline(runs[r], ax=ax, span=longest)
            ax.set_ylabel("")
            ax.title.set_fontsize(9.5)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            if r < len(runs) - 1:
                ax.set_xlabel("")
            col.append(ax)
        col[0].annotate(name, xy=(0.5, 1.0), xytext=(0, 22), xycoords="axes fraction",
                        textcoords="offset points", ha="center", va="bottom",
                        fontsize=11.5, fontweight="bold")
        out.append(col)
    if title:
        fig.suptitle(title, fontweight="bold")
    return out


def plot_comparison(measurements: Sequence[Measurement], ax: Axes | None = None, *,
                    title: str = "Wall time per strategy", baseline: str | None = None) -> Axes:
    """Median wall time per measurement, with every repeat as a dot.

    The bar is the median; the dots are the individual runs, so the spread
    (how noisy the machine was) is visible next to the difference.
    """
    measurements = list(measurements)
    ax = _new_axes(ax, height=max(1.8, 0.8 + 0.45 * len(measurements)))
    longest = max((max(m.times) for m in measurements), default=1.0)
    scale, unit = _time_unit(longest)
    for k, m in enumerate(measurements):
        color = worker_color(k)
        ax.barh(k, m.median * scale, height=0.6, color=color, alpha=0.85)
        ax.plot([t * scale for t in m.times], [k] * len(m.times), "o", color="black",
                markersize=3.5, alpha=0.7, zorder=3)
    ax.set_yticks(range(len(measurements)), [m.label for m in measurements])
    ax.set_ylim(len(measurements) - 0.4, -0.6)
    if baseline is not None:
        base = next(m for m in measurements if m.label == baseline)
        ax.axvline(base.median * scale, color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel(f"wall time ({unit}); bar = median, dots = each run")
    ax.grid(False, axis="y")
    ax.set_title(title)
    return ax


def plot_speedup(rows: Sequence[SpeedupRow], ax: Axes | None = None, *, cpus: int | None = None,
                 title: str = "Speedup over sequential", label: str | None = None) -> Axes:
    """Measured speedup against the number of workers, with the ideal line.

    Args:
        rows: From :func:`parallel_demo.speedups`; each needs ``workers``.
        cpus: Mark this many CPUs (pass ``effective_cpus()``).
        label: Legend entry for this curve (draw several curves on one ``ax``).
    """
    rows = [r for r in rows if r.workers is not None]
    ax = _new_axes(ax)
    xs = [r.workers for r in rows]
    ys = [r.speedup for r in rows]
    n = len(ax.lines)
    color = worker_color(n // 3 if n else 0)
    ax.errorbar(xs, ys, yerr=[[r.speedup - r.low for r in rows], [r.high - r.speedup for r in rows]],
                fmt="o-", color=color, capsize=3, label=label or "measured")
    top = max(xs + [1])
    if not any(line.get_label() == "ideal (speedup = workers)" for line in ax.lines):
        ax.plot([1, top], [1, top], ":", color="grey", label="ideal (speedup = workers)")
        ax.axhline(1, color="grey", linewidth=0.8)
    if cpus is not None and not any(t.get_text().strip().startswith("your CPUs") for t in ax.texts):
        ax.axvline(cpus, color=PALETTE[5], linestyle="--", linewidth=1)
        # Label on the side of the line with more room, so it never runs into the y-axis.
        left_half = cpus <= (min(xs + [1]) + top) / 2
        ax.text(cpus, 0.98, f" your CPUs: {cpus} ", color=PALETTE[5],
                ha="left" if left_half else "right", va="top",
                transform=ax.get_xaxis_transform(), fontsize=9)
    ax.set_xticks(sorted(set(xs)))
    ax.set_xlabel("workers")
    ax.set_ylabel("speedup (×, higher is better)")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left")
    ax.set_title(title)
    return ax
