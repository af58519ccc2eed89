"""The look every chart shares: palette, style, axes, time units, and the one lane drawer.

Everything here is used by the topic chart modules beside it; nothing here
measures or computes what a chart shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

# Activate the backend now, outside any rc_context.  Jupyter's inline backend
# switches interactive mode on when it activates; if that first happened inside
# `plt.rc_context(BOOK_STYLE)` below, leaving the context would switch it off
# again, and no later figure of the notebook would be shown.
plt.switch_backend(matplotlib.get_backend())

#: Okabe & Ito (2008): safe for deuteranopia, protanopia and tritanopia.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

#: Palette entries light enough that text on them must be black, not white.
_LIGHT = {1, 4, 6}

#: One look for every chart in the book.
BOOK_STYLE = {
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

#: The narrowest a bar in a lane chart is drawn, as a fraction of the axis:
#: a task of a few microseconds stays visible on a one-second axis.
MIN_BAR = 0.002


def worker_color(i: int) -> str:
    """The colour of lane ``i`` (cycles after eight)."""
    return PALETTE[i % len(PALETTE)]


#: One colour per strategy, the same on every chart of the book.
STRATEGY_COLORS = {
    "sequential": PALETTE[7],
    "thread_per_task": PALETTE[5],
    "queue_workers": PALETTE[1],
    "thread_pool": PALETTE[0],
    "process_pool": PALETTE[2],
    "asyncio": PALETTE[3],
    "interpreter_pool": PALETTE[4],
    "dask": PALETTE[6],
}


def strategy_color(name: str, k: int = 0) -> str:
    """The colour of strategy ``name`` (or of series ``k`` for other names)."""
    return STRATEGY_COLORS.get(name, worker_color(k))


def text_color(i: int) -> str:
    """Black or white, whichever reads on ``worker_color(i)``."""
    return "black" if i % len(PALETTE) in _LIGHT else "white"


def new_axes(ax: Axes | None = None, height: float | None = None, width: float | None = None) -> Axes:
    """``ax`` itself, or the Axes of a new figure in the book's style."""
    if ax is not None:
        return ax
    with plt.rc_context(BOOK_STYLE):
        size = BOOK_STYLE["figure.figsize"]
        fig, ax = plt.subplots(figsize=(width or size[0], height or size[1]), layout="constrained")
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
        ax.grid(True, alpha=0.3)
    return ax


def new_figure(rows: int = 1, cols: int = 1, *, height: float | None = None,
               width: float | None = None, **kwargs):
    """A figure of ``rows x cols`` Axes in the book's style: ``(fig, axes)``."""
    with plt.rc_context(BOOK_STYLE):
        size = BOOK_STYLE["figure.figsize"]
        fig, axes = plt.subplots(rows, cols, figsize=(width or size[0], height or size[1] * rows),
                                 layout="constrained", squeeze=False, **kwargs)
    for ax in axes.flat:
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
    return fig, axes


def time_unit(span: float) -> tuple[float, str]:
    """``(scale, unit)`` for an axis ``span`` seconds long: µs, ms or s."""
    if span < 2e-3:
        return 1e6, "µs"
    if span < 2.0:
        return 1e3, "ms"
    return 1.0, "s"


@dataclass(frozen=True)
class Bar:
    """One bar of a lane chart: which lane, from when to when (seconds), and how."""

    lane: int
    start: float
    end: float
    color: str | None = None      # default: the lane's colour
    text: str = ""                # written on the bar if it is wide enough
    hatch: str | None = None
    alpha: float = 1.0
    offset: float = 0.0           # shift within the lane (several bars side by side)
    height: float | None = None   # default: the lane height given to draw_lanes
    edgecolor: str = "white"


def draw_lanes(ax: Axes, bars: Sequence[Bar], lanes: Sequence[str], *, t0: float,
               span: float, ylabel: str | None = "worker", height: float = 0.7) -> tuple[float, str]:
    """Draw ``bars`` in horizontal lanes, first lane on top: the book's only timeline drawer.

    Times are seconds on one clock; ``t0`` is the origin and ``span`` the
    axis length.  Returns the ``(scale, unit)`` used, so a caller can add
    marks in the same unit.
    """
    scale, unit = time_unit(span if span > 0 else 1.0)
    axis = (span if span > 0 else 1.0) * scale
    for bar in bars:
        left = (bar.start - t0) * scale
        width = max((bar.end - bar.start) * scale, axis * MIN_BAR)
        color = bar.color or worker_color(bar.lane)
        ax.barh(bar.lane + bar.offset, width, left=left, height=bar.height or height, color=color,
                alpha=bar.alpha, hatch=bar.hatch, edgecolor=bar.edgecolor,
                linewidth=0 if bar.hatch else 0.6)
        if bar.text and width > axis * 0.025:
            ink = text_color(bar.lane) if bar.color is None else (
                "black" if bar.color in (PALETTE[i] for i in _LIGHT) else "white")
            ax.text(left + width / 2, bar.lane, bar.text, ha="center", va="center",
                    fontsize=7, color=ink)
    ax.set_yticks(range(len(lanes)), list(lanes))
    ax.set_ylim(len(lanes) - 0.4, -0.6)  # first lane on top
    ax.set_xlim(0, axis * 1.01)
    ax.set_xlabel(f"time since start ({unit})")
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ax.grid(True, axis="x", alpha=0.3)
    ax.grid(False, axis="y")
    return scale, unit


def draw_prediction(ax: Axes, run, *, measured_label: str = "measured") -> int:
    """The marks of every predict-then-measure chart: the measurement with its range, the guess.

    ``run`` is a :class:`~parallel_demo.scaling.PredictionRun`: the median
    speedup with the range of its rounds as an error bar at ``run.workers``,
    and the learner's prediction as a star beside it.  Sets the x axis to
    1..top workers and the y axis to hold every mark; returns ``top`` for the
    caller's own lines (ideal, CPU limit, Amdahl, the GIL).
    """
    top = max(run.workers, 4)
    ax.errorbar([run.workers], [run.measured],
                yerr=[[run.measured - run.low], [run.high - run.measured]], fmt="o",
                color=PALETTE[0], capsize=4, markersize=8, zorder=4, label=measured_label)
    ax.plot([run.workers], [run.prediction], "*", color=PALETTE[7], markersize=13, zorder=5,
            label="your prediction")
    ax.set_xticks(range(1, top + 1))
    ax.set_ylim(0, max(top, run.prediction, run.high) * 1.1)
    ax.legend(loc="upper left", fontsize=8)
    return top
