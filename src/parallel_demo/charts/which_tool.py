"""Which tool when: the decision tree, the cost map, and a prediction against a measurement.

Charts draw what :mod:`parallel_demo.which_tool` holds or measured; they
compute nothing but positions on the page.
"""

from __future__ import annotations

import textwrap
from typing import Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.transforms import offset_copy

from .._validate import check_items, check_number
from ..timing import Measurement, format_seconds
from ..which_tool import Leaf, Question, ToolRow
from ._style import PALETTE, new_axes

_LEAF_COLOR = {"sequential": "#BBBBBB", "threads": PALETTE[0], "processes": PALETTE[1],
               "asyncio": PALETTE[2], "dask": PALETTE[3], "subinterpreters": PALETTE[4],
               "free-threaded threads": PALETTE[5]}
_DARK = {PALETTE[0], PALETTE[2], PALETTE[3], PALETTE[5]}


def _check_ax(ax: object) -> None:
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None (a new figure), got "
                        f"{type(ax).__name__} {ax!r:.60}; pass e.g. plt.subplots()[1]")


def _layout(node, depth, next_x, pos):
    """x by in-order leaf position, y by depth: a tidy tree without crossings."""
    if isinstance(node, Leaf):
        pos[id(node)] = (next_x[0], -depth)
        next_x[0] += 1
        return pos[id(node)][0]
    xs = [_layout(node.yes, depth + 1, next_x, pos), _layout(node.no, depth + 1, next_x, pos)]
    pos[id(node)] = (sum(xs) / 2, -depth)
    return pos[id(node)][0]


def plot_decision_tree(tree: Question, ax: Axes | None = None, *,
                       notes: Mapping[str, str] | None = None,
                       title: str = "Which tool when: a decision tree") -> Axes:
    """Draw the decision tree: questions in white boxes, tools in coloured ones.

    Args:
        tree: :data:`~parallel_demo.which_tool.DECISION_TREE` (or another tree).
        ax: Where to draw; a new figure if None.
        notes: ``{question key or tool name: text}`` written under that box,
            e.g. a cost measured in this kernel.
        title: The chart title.
    """
    if not isinstance(tree, (Question, Leaf)):
        raise TypeError(f"tree must be a Question (such as DECISION_TREE), got {type(tree).__name__}")
    if notes is not None and not isinstance(notes, Mapping):
        raise TypeError(f"notes must be a dict {{question key or tool name: text}} or None, got "
                        f"{type(notes).__name__} {notes!r:.60}; pass e.g. "
                        "{'processes': 'start-up 30 ms here'}")
    _check_ax(ax)
    notes = dict(notes or {})
    pos: dict[int, tuple[float, float]] = {}
    _layout(tree, 0, [0], pos)
    ax = new_axes(ax, height=5.4, width=9.0)
    ax.grid(False)
    ax.set_axis_off()

    def draw(node):
        x, y = pos[id(node)]
        if isinstance(node, Leaf):
            color = _LEAF_COLOR.get(node.tool, PALETTE[7])
            ink = "white" if color in _DARK else "black"
            ax.text(x, y, node.tool, ha="center", va="center", fontsize=9, fontweight="bold",
                    color=ink, bbox=dict(boxstyle="round,pad=0.4", fc=color, ec=color))
            ax.text(x, y - 0.25, textwrap.fill(node.why, 24), ha="center", va="top",
                    fontsize=7, color="0.25", linespacing=1.1)
            key = node.tool
        else:
            ax.text(x, y, textwrap.fill(node.text, 26), ha="center", va="center", fontsize=8.5,
                    bbox=dict(boxstyle="round,pad=0.4", fc="white", ec="0.3"))
            for child, word in ((node.yes, "yes"), (node.no, "no")):
                cx, cy = pos[id(child)]
                ax.annotate("", xy=(cx, cy + 0.18), xytext=(x, y - 0.18),
                            arrowprops=dict(arrowstyle="->", color="0.4", lw=1))
                ax.text((x + cx) / 2, (y + cy) / 2, word, ha="center", va="center", fontsize=8,
                        color="0.2", bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"))
                draw(child)
            key = node.key
        if key in notes:
            ax.text(x, y + 0.3, notes[key], ha="center", va="bottom", fontsize=7,
                    style="italic", color=PALETTE[5])

    draw(tree)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(min(ys) - 0.9, max(ys) + 0.6)
    ax.set_title(title)
    return ax


def plot_tool_costs(rows: Sequence[ToolRow], ax: Axes | None = None, *,
                    title: str = "What a worker and a task cost, per tool") -> Axes:
    """Start-up and per-task cost of each tool, on a log scale; hatched where from a reference.

    Tools with no measurement get a note instead of a bar, so the chart shows
    what is missing too.
    """
    rows = check_items("rows", rows)
    if not rows:
        raise ValueError("rows must hold at least one ToolRow (from tool_table)")
    for r in rows:
        if not isinstance(r, ToolRow):
            raise TypeError(f"rows must hold ToolRow objects (from tool_table()), got "
                            f"{type(r).__name__} {r!r:.60}")
    _check_ax(ax)
    ax = new_axes(ax, height=max(2.4, 0.9 + 0.45 * len(rows)))
    values = [c.seconds for r in rows for c in (r.startup, r.per_task) if c.measured and c.seconds > 0]
    low = min(values, default=1e-6) / 3
    for i, r in enumerate(rows):
        for k, (cost, color, what) in enumerate(((r.startup, PALETTE[0], "start-up"),
                                                 (r.per_task, PALETTE[1], "per task"))):
            y = i + (k - 0.5) * 0.38
            if cost.measured and cost.seconds > 0:
                hatch = None if cost.source == "this kernel" else "//"
                ax.barh(y, cost.seconds - low, left=low, height=0.36, color=color, hatch=hatch,
                        edgecolor="white")
                ax.text(cost.seconds * 1.15, y, format_seconds(cost.seconds), va="center",
                        fontsize=7)
            elif k == 0:
                ax.text(low * 1.2, i, cost.why or "not measured", va="center", fontsize=7,
                        color="0.35", style="italic")
    ax.set_xscale("log")
    ax.set_xlim(low, max(values, default=1.0) * 8)
    ax.set_yticks(range(len(rows)), [r.name for r in rows])
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.set_xlabel("seconds (log scale)")
    ax.grid(True, axis="x", alpha=0.3)
    ax.grid(False, axis="y")
    ax.legend(handles=[Patch(fc=PALETTE[0], label="start-up: a pool of 2, one trivial task"),
                       Patch(fc=PALETTE[1], label="per task, once the pool is up"),
                       Patch(fc="white", ec="0.3", hatch="//", label="hatched: a reference run, "
                             "not this kernel")],
              fontsize=7.5, loc="upper left", bbox_to_anchor=(0.0, 0.0), ncol=2,
              bbox_transform=offset_copy(ax.transAxes, fig=ax.figure, y=-34, units="points"),
              borderaxespad=0.0)
    ax.set_title(title)
    return ax


def plot_prediction(predicted: float, measured: Measurement, ax: Axes | None = None, *,
                    title: str = "Your prediction against the measurement",
                    what: str = "per-task cost of a process pool") -> Axes:
    """A guess (a line) against what was measured (every run as a dot, the median as a bar)."""
    # The axis is logarithmic: a guess of 0 or below has no place on it.
    check_number("predicted", predicted, low=0.0, inclusive=False)
    if not isinstance(measured, Measurement):
        raise TypeError(f"measured must be a Measurement (e.g. from measure_costs), got "
                        f"{type(measured).__name__} {measured!r:.60}")
    if not measured.times:
        raise ValueError("measured must hold at least one time")
    _check_ax(ax)
    ax = new_axes(ax, height=2.2)
    times = list(measured.times)
    ax.barh(0, measured.median, color=PALETTE[0], height=0.5, label="measured (median)")
    ax.scatter(times, [0] * len(times), color="black", s=14, zorder=3, label="each run")
    ax.axvline(predicted, color=PALETTE[5], linewidth=2.2, label="your prediction")
    ax.set_xscale("log")
    lo = min(times + [predicted]) / 3
    hi = max(times + [predicted]) * 3
    ax.set_xlim(max(lo, 1e-9), hi)
    ax.set_yticks([0], [what])
    ax.set_xlabel("seconds (log scale)")
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(title)
    return ax
