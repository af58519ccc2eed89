"""Timelines of runs (every chapter): one lane per worker, one bar per task.

Drawn from :class:`~parallel_demo.trace.TaskRecord` lists or
:class:`~parallel_demo.trace.RunResult`; the lanes are drawn by
:func:`._style.draw_lanes`, the book's one lane drawer.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from ..trace import RunResult, TaskRecord, worker_labels
from ._style import BOOK_STYLE, Bar, draw_lanes, new_axes


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
    ax = new_axes(ax, height=max(1.6, 0.9 + 0.32 * len(lanes)))
    if not records:
        ax.set_title(title or "timeline")
        ax.text(0.5, 0.5, "no tasks", ha="center", va="center", transform=ax.transAxes)
        return ax
    if t0 is None:
        t0 = min(r.start for r in records)
    end = max(r.end for r in records)
    span = span if span is not None else end - t0
    annotate = len(records) <= 40 if annotate is None else annotate
    row = {w: k for k, w in enumerate(lanes)}
    bars = [Bar(row[r.worker], r.start, r.end, text=str(r.index) if annotate else "")
            for r in records]
    draw_lanes(ax, bars, lanes, t0=t0, span=span)
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
    with plt.rc_context(BOOK_STYLE):
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
    with plt.rc_context(BOOK_STYLE):
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
