"""Charts of "asyncio for I/O": tasks on one loop, a stalled loop, threads vs tasks, a prediction."""

from __future__ import annotations

from typing import Sequence

from matplotlib.axes import Axes

from .._validate import check_items, check_number
from ..aio import StallReport
from ..aio_fetch import ConcurrencyRow
from ..trace import RunResult
from ._style import PALETTE, Bar, draw_lanes, new_axes, new_figure, time_unit


def _check_result(result: object) -> RunResult:
    if not isinstance(result, RunResult):
        raise TypeError(f"result must be a RunResult, e.g. the one run(\"asyncio\", ...) returned, "
                        f"got {type(result).__name__} {result!r:.60}")
    return result


def _check_report(name: str, report: object) -> StallReport:
    if not isinstance(report, StallReport):
        hint = ("; for two reports use plot_stall_pair(first, second)"
                if isinstance(report, (list, tuple)) else "")
        raise TypeError(f"{name} must be a StallReport, e.g. what stall_demo(\"sleep\") returned, "
                        f"got {type(report).__name__} {report!r:.60}{hint}")
    return report


def _check_axes_pair(axes: object) -> None:
    if axes is None:
        return
    if isinstance(axes, Axes) or not isinstance(axes, (list, tuple)) or len(axes) != 2 \
            or not all(isinstance(a, Axes) for a in axes):
        raise TypeError(f"axes must be two matplotlib Axes (time, memory), e.g. "
                        f"fig.subplots(1, 2), or leave it out (None); got "
                        f"{type(axes).__name__} {axes!r:.60}")


def plot_task_timeline(result, ax: Axes | None = None, *, title: str | None = None) -> Axes:
    """One lane per task of an asyncio run: pale while waiting for its turn, solid while in progress.

    ``result`` is the :class:`~parallel_demo.trace.RunResult` of
    ``run("asyncio", ...)``: every record ran on the same thread, so the lanes
    are tasks, not workers.
    """
    records = list(_check_result(result).records)
    ax = new_axes(ax, height=max(1.6, 0.32 * len(records) + 0.9))
    if not records:
        ax.set_title(title or "No tasks")
        return ax
    t0 = result.start
    span = max(r.end for r in records) - t0
    bars = []
    for r in records:
        if r.submitted is not None and r.start - r.submitted > span * 0.002:
            bars.append(Bar(r.index, r.submitted, r.start, color="#BBBBBB", alpha=0.6))
        bars.append(Bar(r.index, r.start, r.end, color=PALETTE[0], text=f"{r.duration * 1e3:.0f} ms"))
    lanes = [r.label.split(":")[0] for r in records]
    draw_lanes(ax, bars, lanes, t0=t0, span=span, ylabel="task")
    ax.set_title(title or f"{len(records)} tasks on one event loop (one thread: "
                          f"{len({r.thread for r in records})})")
    return ax


def plot_stalls(report, ax: Axes | None = None, *, title: str | None = None) -> Axes:
    """Ticker tasks' ticks as short marks, and the blocking call as a hatched bar across the loop.

    ``report`` is a :class:`~parallel_demo.aio.StallReport`.
    """
    _check_report("report", report)
    n = len(report.ticks)
    ax = new_axes(ax, height=0.42 * (n + 1) + 1.0)
    span = report.span
    mark = span * 0.006
    bars = [Bar(k, t - mark, t, color=PALETTE[k % 3 + 1]) for k, ts in enumerate(report.ticks)
            for t in ts]
    start, end = report.block
    label = {"sleep": "time.sleep", "to_thread": "to_thread(time.sleep)", "cpu": "CPU loop"}
    bars.append(Bar(n, start, end, color=PALETTE[5], hatch="//",
                    text=label.get(report.blocker, report.blocker)))
    lanes = [f"ticker-{k}" for k in range(n)] + ["blocker"]
    scale, unit = draw_lanes(ax, bars, lanes, t0=report.t0, span=span, ylabel="task")
    if report.blocker != "to_thread":
        ax.axvspan((start - report.t0) * scale, (end - report.t0) * scale, color=PALETTE[5],
                   alpha=0.12, label="the loop runs nothing else")
        ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title or f"Ticker tasks asking to wake every {report.period * 1e3:.0f} ms, "
                          f"blocker: {label.get(report.blocker, report.blocker)}")
    return ax


def plot_stall_pair(first, second, *, titles: Sequence[str] = ("", "")):
    """Two :class:`~parallel_demo.aio.StallReport` charts, one above the other, on one time scale.

    Returns:
        ``(top_ax, bottom_ax)``.
    """
    _check_report("first", first)
    _check_report("second", second)
    if isinstance(titles, str) or not isinstance(titles, (list, tuple)) or len(titles) != 2 \
            or not all(isinstance(t, str) for t in titles):
        raise TypeError(f"titles must be two str, one per chart, e.g. (\"blocked\", \"fixed\"); "
                        f"got {type(titles).__name__} {titles!r:.60}")
    rows = len(first.ticks) + len(second.ticks) + 2
    fig, grid = new_figure(2, 1, height=0.21 * rows + 1.0, sharex=True)
    top, bottom = grid[0][0], grid[1][0]
    plot_stalls(first, top, title=titles[0] or None)
    plot_stalls(second, bottom, title=titles[1] or None)
    top.set_xlabel("")
    span = max(first.span, second.span)
    scale, _ = time_unit(span)
    top.set_xlim(0, span * scale * 1.01)
    return top, bottom


def plot_concurrency(rows: Sequence, axes=None, *, title: str | None = None):
    """Two panels: wall time against requests (with Little's law), and resident memory growth.

    ``rows`` are :class:`~parallel_demo.aio_fetch.ConcurrencyRow` objects.

    Returns:
        ``(time_ax, memory_ax)``.
    """
    rows = check_items("rows", rows, allow_empty=False)
    for r in rows:
        if not isinstance(r, ConcurrencyRow):
            raise TypeError(f"rows must be what measure_concurrency() returned (ConcurrencyRow "
                            f"objects), got {type(r).__name__} {r!r:.40} in it")
    _check_axes_pair(axes)
    if axes is None:
        fig, grid = new_figure(1, 2, height=3.4, width=9.0)
        axes = grid[0]
        if title:
            fig.suptitle(title, fontweight="bold")
    t_ax, m_ax = axes
    approaches = list(dict.fromkeys(r.approach for r in rows))
    sizes = sorted({r.requests for r in rows})
    first = [r for r in rows if r.approach == approaches[0]]
    first.sort(key=lambda r: r.requests)
    t_ax.plot([r.requests for r in first], [r.predicted for r in first], ":", color="grey",
              label="Little's law: rounds x latency")
    for k, a in enumerate(approaches):
        mine = sorted((r for r in rows if r.approach == a), key=lambda r: r.requests)
        colour = PALETTE[k]
        t_ax.plot([r.requests for r in mine], [r.wall for r in mine], "o-", color=colour, label=a)
        m_ax.plot([r.requests for r in mine], [r.rss_mb for r in mine], "o-", color=colour,
                  label=a)
    for ax in (t_ax, m_ax):
        ax.set_xscale("log")
        ax.set_xticks(sizes, [str(s) for s in sizes])
        ax.minorticks_off()  # a log axis's minor ticks are many, and slow to lay out
        ax.set_xlabel("requests in flight at once (log scale)")
        ax.legend(loc="upper left", fontsize=8)
    connections = rows[0].connections if rows else 0
    t_ax.set_ylabel("wall time (s)")
    t_ax.set_title(f"Time: {connections} connections shared")
    t_ax.set_ylim(bottom=0)
    m_ax.set_ylabel("resident memory growth (MiB)")
    m_ax.set_title("Memory: peak resident growth")
    m_ax.set_ylim(bottom=0)
    return t_ax, m_ax


def plot_batch_prediction(predicted: float, measured: Sequence[float], ax: Axes | None = None, *,
                    model: float | None = None, title: str = "Your prediction against the run") -> Axes:
    """Bars: the learner's predicted seconds, each measured run, and (optionally) Little's law."""
    check_number("predicted", predicted, low=0)
    if isinstance(measured, (int, float)):
        raise TypeError(f"measured must be a list of the runs' wall times, e.g. [0.26, 0.28], "
                        f"got {type(measured).__name__} {measured!r}; wrap one time in a list")
    measured = [check_number("measured[]", m, low=0)
                for m in check_items("measured", measured, allow_empty=False)]
    if model is not None:
        check_number("model", model, low=0)
    ax = new_axes(ax, height=2.4)
    labels = ["your prediction"] + [f"run {i + 1}" for i in range(len(measured))]
    values = [predicted] + list(measured)
    colours = [PALETTE[1]] + [PALETTE[0]] * len(measured)
    if model is not None:
        labels.append("Little's law")
        values.append(model)
        colours.append("#999999")
    scale, unit = time_unit(max(values) if max(values) > 0 else 1.0)
    ax.barh(range(len(values)), [v * scale for v in values], color=colours)
    ax.set_yticks(range(len(values)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"wall time ({unit})")
    ax.set_title(title)
    return ax
