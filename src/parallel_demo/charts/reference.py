"""Reference runs beside the reader's own (Which tool when): one chart, a lane group per run.

Each run keeps its own time origin (its start): runs recorded on different
machines have unrelated clocks, so the groups are lined up at zero and share
one time axis, which makes bar lengths comparable.  Lanes are drawn by
:func:`._style.draw_lanes`, the book's one lane drawer.
"""

from __future__ import annotations

from typing import Sequence

from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.transforms import offset_copy

from .._validate import check_items
from ..reference import ReferenceRun
from ..trace import RunResult, worker_labels
from ._style import PALETTE, Bar, draw_lanes, new_axes

#: Colours of the lane groups, in order: the first run, the second, ...
_GROUP_COLORS = (PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3], PALETTE[5], PALETTE[4])
_HATCHES = (None, "//", None, "..", None, "xx")


def _label(run: ReferenceRun | RunResult, i: int) -> str:
    if isinstance(run, ReferenceRun):
        return run.label
    return f"run {i + 1}"


def plot_runs_beside(runs: Sequence[ReferenceRun | RunResult], ax: Axes | None = None, *,
                     title: str | None = None, labels: Sequence[str] | None = None) -> Axes:
    """Several runs on one chart: a group of lanes per run, labelled with where it was recorded.

    Args:
        runs: :class:`~parallel_demo.reference.ReferenceRun` objects (loaded
            with ``load_run`` or wrapped with ``as_reference``) or plain runs.
        ax: Where to draw; a new figure if None.
        title: The chart title; defaults to the strategies' names.
        labels: One legend label per run; defaults to each run's ``label``.

    Returns:
        The Axes drawn on.
    """
    if isinstance(runs, (ReferenceRun, RunResult)):
        raise TypeError(f"runs must be a list of runs, got one {type(runs).__name__}; wrap it "
                        "in a list, or use plot_reference(reference, mine) for two")
    runs = check_items("runs", runs)
    if not runs:
        raise ValueError("runs must hold at least one run (a ReferenceRun or a RunResult)")
    for i, r in enumerate(runs):
        if not isinstance(r, (ReferenceRun, RunResult)):
            raise TypeError(f"runs[{i}] must be a ReferenceRun or a RunResult, got "
                            f"{type(r).__name__}")
    if labels is not None:
        labels = check_items("labels", labels)
        for label in labels:
            if not isinstance(label, str):
                raise TypeError(f"labels must hold str, got {type(label).__name__} {label!r:.60}")
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None (a new figure), got "
                        f"{type(ax).__name__} {ax!r:.60}; pass e.g. plt.subplots()[1]")
    if labels is not None and len(labels) != len(runs):
        raise ValueError(f"labels must have one entry per run ({len(runs)}), got {len(labels)}")
    results = [r.result if isinstance(r, ReferenceRun) else r for r in runs]
    names = list(labels) if labels is not None else [_label(r, i) for i, r in enumerate(runs)]
    lanes: list[str] = []
    groups: list[tuple[int, int]] = []  # first and last lane of each group
    for res in results:
        own = worker_labels(res.records) or ["(no tasks)"]
        groups.append((len(lanes), len(lanes) + len(own) - 1))
        lanes += own
    ax = new_axes(ax, height=max(2.0, 1.3 + 0.32 * len(lanes)))
    # Shift every run so that it starts at 0: the groups share one axis.
    bars: list[Bar] = []
    walls = []
    for g, res in enumerate(results):
        origin = res.start if res.start else min((r.start for r in res.records), default=0.0)
        row = {w: groups[g][0] + k for k, w in enumerate(worker_labels(res.records))}
        color = _GROUP_COLORS[g % len(_GROUP_COLORS)]
        hatch = _HATCHES[g % len(_HATCHES)]
        for rec in res.records:
            bars.append(Bar(row[rec.worker], rec.start - origin, rec.end - origin, color=color,
                            hatch=hatch, text=str(rec.index)))
        walls.append(res.wall)
    span = max(walls + [b.end for b in bars] + [0.0])
    scale, unit = draw_lanes(ax, bars, lanes, t0=0.0, span=span)
    for g, (first, last) in enumerate(groups):
        color = _GROUP_COLORS[g % len(_GROUP_COLORS)]
        ax.vlines(walls[g] * scale, first - 0.45, last + 0.45, colors=color, linestyles="--",
                  linewidth=1.4)
        if g:
            ax.axhline(first - 0.5, color="0.5", linewidth=0.8)
    handles = [Patch(facecolor=_GROUP_COLORS[g % len(_GROUP_COLORS)],
                     hatch=_HATCHES[g % len(_HATCHES)], edgecolor="white", label=name)
               for g, name in enumerate(names)]
    handles.append(Patch(facecolor="none", edgecolor="0.3", linestyle="--",
                         label="dashed line: the run's wall time"))
    # Below the time axis's label, whatever the chart's height.
    below = offset_copy(ax.transAxes, fig=ax.figure, y=-34, units="points")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), bbox_transform=below,
              fontsize=8, ncol=1, borderaxespad=0.0)
    if title is None:
        kinds = list(dict.fromkeys(res.strategy for res in results))
        title = f"{' vs '.join(kinds)}: {len(runs)} runs side by side"
    ax.set_title(title)
    return ax


def plot_reference(reference: ReferenceRun | RunResult, mine: ReferenceRun | RunResult,
                   ax: Axes | None = None, *, title: str | None = None) -> Axes:
    """A reference run (top) beside the reader's own run (below), on one time axis."""
    for name, value in (("reference", reference), ("mine", mine)):
        if not isinstance(value, (ReferenceRun, RunResult)):
            raise TypeError(f"{name} must be a ReferenceRun (from load_run or as_reference) or "
                            f"a RunResult (from run), got {type(value).__name__} {value!r:.60}")
    return plot_runs_beside([reference, mine], ax, title=title)
