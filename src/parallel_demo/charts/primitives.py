"""Charts for the synchronization-primitives chapter: lanes of who waits and who works, writer waits, predictions.

They draw what :mod:`parallel_demo.primitives` and :mod:`parallel_demo.rwlock`
recorded; they compute nothing.
"""

from __future__ import annotations

from collections.abc import Mapping as _Mapping
from numbers import Real
from typing import Any, Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .._validate import check_items, check_number
from ..rwlock import WriterReport
from ..timing import Measurement
from ._style import PALETTE, Bar, draw_lanes, new_axes, new_figure, time_unit, worker_color

#: How each span kind looks: (label, colour or None for the lane's colour, hatch, alpha).
_SPANS = {
    "inside": ("inside the section / holding the lock", None, None, 1.0),
    "work": ("working", None, None, 1.0),
    "wait": ("waiting in wait()", "#BBBBBB", "//", 1.0),
    "blocked": ("blocked, waiting to get in", "#DDDDDD", "xx", 1.0),
}
#: How each instant looks: (label, marker, colour).
_MARKS = {
    "notify": ("notify()", "v", PALETTE[5]),
    "woken-empty": ("woken, but the condition is false", "o", PALETTE[3]),
    "error": ("error", "X", PALETTE[7]),
    "inside": ("took an item", "D", PALETTE[2]),
}


def _check_report(name: str, report: object) -> None:
    """A demo report has ``events``, ``lanes`` and ``start`` (stolen_wakeup(), limited_section(), ...)."""
    if not all(hasattr(report, a) for a in ("events", "lanes", "start")):
        raise TypeError(f"{name} must be a demo's report (with events, lanes and start), e.g. "
                        f"stolen_wakeup() or barrier_phases(...), got {type(report).__name__} "
                        f"{report!r:.60}")


def plot_sync_timeline(report: Any, ax: Axes | None = None, *, title: str = "Who waits, who works",
                       legend: bool = True) -> Axes:
    """One lane per thread of a demo report (anything with ``events``, ``lanes``, ``start``).

    Spans are bars (hatched grey while waiting or blocked); instants such as
    ``notify`` are markers on the lane.
    """
    _check_report("report", report)
    events = list(report.events)
    lanes = list(report.lanes)
    ax = new_axes(ax, height=max(1.8, 1.0 + 0.5 * len(lanes)))
    row = {name: k for k, name in enumerate(lanes)}
    t0 = report.start
    end = max([e.end for e in events], default=t0 + 1e-3)
    bars, marks, used = [], [], set()
    for e in events:
        if e.thread not in row:
            continue
        if e.end > e.start and e.kind in _SPANS:
            _, colour, hatch, alpha = _SPANS[e.kind]
            bars.append(Bar(row[e.thread], e.start, e.end, color=colour, hatch=hatch, alpha=alpha))
            used.add(("span", e.kind))
        elif e.kind in _MARKS:
            marks.append(e)
            used.add(("mark", e.kind))
    scale, _ = draw_lanes(ax, bars, lanes, t0=t0, span=end - t0, ylabel="thread")
    for e in marks:
        label, marker, colour = _MARKS[e.kind]
        ax.plot([(e.start - t0) * scale], [row[e.thread]], marker=marker, color=colour,
                markersize=9, markeredgecolor="white", linestyle="none", zorder=5)
    ax.set_title(title)
    if legend and used:
        handles = []
        for kind, (label, colour, hatch, _) in _SPANS.items():
            if ("span", kind) in used:
                handles.append(Patch(facecolor=colour or worker_color(0), hatch=hatch,
                                     edgecolor="white", label=label if colour else f"{label} (lane colour)"))
        for kind, (label, marker, colour) in _MARKS.items():
            if ("mark", kind) in used:
                handles.append(Line2D([], [], marker=marker, color=colour, linestyle="none",
                                      markersize=8, label=label))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return ax


def plot_sync_timelines(reports: Sequence[Any], titles: Sequence[str], *,
                        title: str | None = None) -> list[Axes]:
    """Several demo reports stacked in one figure, one :func:`plot_sync_timeline` each."""
    if hasattr(reports, "events"):
        raise TypeError("reports must be a list of demo reports, got a single "
                        f"{type(reports).__name__}: wrap it in a list, or use plot_sync_timeline")
    reports = check_items("reports", reports, allow_empty=False)
    for i, r in enumerate(reports):
        _check_report(f"reports[{i}]", r)
    titles = check_items("titles", titles)
    if len(titles) != len(reports):
        raise ValueError(f"titles must have one entry per report ({len(reports)}), got {len(titles)}")
    heights = [max(1.8, 1.0 + 0.5 * len(r.lanes)) for r in reports]
    fig, axes = new_figure(len(reports), 1, height=max(heights) + 0.4)
    out = []
    for k, (report, sub) in enumerate(zip(reports, titles)):
        ax = axes[k][0]
        plot_sync_timeline(report, ax, title=sub, legend=(k == 0))
        out.append(ax)
    if title:
        fig.suptitle(title, fontweight="bold")
    return out


def plot_writer_waits(runs: Mapping[str, Sequence[Any]], *, title: str = "One writer among readers"):
    """Left: the writer's longest wait per run (log axis); right: its writes per run.

    ``runs`` is :func:`~parallel_demo.rwlock.measure_writer_waits`'s result.
    Returns the two Axes.
    """
    if not isinstance(runs, _Mapping):
        raise TypeError(f"runs must be measure_writer_waits()'s result, a dict "
                        f"{{kind: [WriterReport, ...]}}, got {type(runs).__name__} {runs!r:.60}")
    if not runs:
        raise ValueError("runs must not be empty: pass measure_writer_waits()'s result")
    for kind, reps in runs.items():
        reps = check_items(f"runs[{kind!r}]", reps, allow_empty=False)
        for r in reps:
            if not isinstance(r, WriterReport):
                raise TypeError(f"runs[{kind!r}] must hold WriterReport objects (from "
                                f"measure_writer_waits()), got {type(r).__name__} {r!r:.60}")
    fig, axes = new_figure(1, 2, height=max(2.4, 1.2 + 0.5 * len(runs)))
    left, right = axes[0]
    kinds = list(runs)
    for k, kind in enumerate(kinds):
        reps = list(runs[kind])
        colour = worker_color(k)
        left.plot([r.longest_wait * 1e3 for r in reps], [k] * len(reps), "o", color=colour,
                  alpha=0.75, markersize=8)
        right.plot([r.writes for r in reps], [k] * len(reps), "o", color=colour, alpha=0.75,
                   markersize=8)
        contest = reps[0].seconds * 1e3 if reps else None
    if runs and contest:
        left.axvline(contest, color="black", linestyle=":", linewidth=1)
        left.text(contest, len(kinds) - 0.55, " whole contest", fontsize=8, va="bottom")
    for ax in (left, right):
        ax.set_yticks(range(len(kinds)), kinds)
        ax.set_ylim(len(kinds) - 0.5, -0.5)
    left.set_xscale("log")
    left.set_xlabel("writer's longest wait in a run (ms, log scale)")
    right.set_xlabel("times the writer got in, per run")
    right.set_yticklabels([])
    right.set_xlim(left=0)
    left.set_title("Longest wait (one dot per run)")
    right.set_title("Writes")
    fig.suptitle(title, fontweight="bold")
    return left, right


def plot_phase_prediction(prediction: float, measured: Measurement, ax: Axes | None = None, *,
                    title: str = "Your prediction against the measurement",
                    label: str = "wall time") -> Axes:
    """Each measured run as a dot, the prediction as a line, on one time axis (seconds in)."""
    if isinstance(prediction, Real) and not isinstance(prediction, bool):
        prediction = float(prediction)  # a NumPy number, say
    check_number("prediction", prediction, low=0)
    if not isinstance(measured, Measurement):
        raise TypeError(f"measured must be a Measurement (e.g. measure(barrier_phases, PHASES)), "
                        f"got {type(measured).__name__} {measured!r:.60}")
    if not measured.times:
        raise ValueError("measured must hold at least one time: measure with repeat >= 1")
    ax = new_axes(ax, height=1.9)
    times = list(measured.times)
    top = max(times + [prediction]) * 1.15
    scale, unit = time_unit(top)
    ax.plot([t * scale for t in times], [0] * len(times), "o", color=PALETTE[0], markersize=9,
            alpha=0.7, label=f"measured ({len(times)} runs)")
    ax.axvline(prediction * scale, color=PALETTE[5], linewidth=2.5, label="your prediction")
    ax.set_xlim(0, top * scale)
    ax.set_yticks([])
    ax.set_xlabel(f"{label} ({unit})")
    ax.set_title(title)
    ax.grid(False, axis="y")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return ax
