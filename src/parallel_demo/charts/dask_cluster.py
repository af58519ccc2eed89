"""Charts for scaling_out_with_dask: they draw what :mod:`parallel_demo.dask_cluster` measured.

* :func:`plot_task_stream`: Dask's own record of the run (``get_task_stream``),
  drawn in lanes by the book's lane drawer, not by Bokeh;
* :func:`plot_two_views`: the book's timeline above Dask's task stream, on one
  time axis;
* :func:`plot_task_overhead`: what one no-op task costs, Dask against a
  process pool, beside the range Dask's documentation gives;
* :func:`plot_task_sweep`: wall time against the number of tasks, with the
  crossovers :func:`parallel_demo.verdict.crossover` found.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from .._validate import check_items, check_number, check_seconds
from ..dask_cluster import OverheadReport, StreamSpan, TaskSweep
from ..timing import Measurement, format_seconds
from ..trace import RunResult
from ._style import BOOK_STYLE, PALETTE, Bar, draw_lanes, new_axes, strategy_color
from .timeline import plot_timeline

def _check_spans(spans: object) -> list[StreamSpan]:
    spans = check_items("spans", spans)
    for s in spans:
        if not isinstance(s, StreamSpan):
            raise TypeError(f"spans must be StreamSpan objects: pass task_stream_spans(ts.data, "
                            f"offsets), not the raw task stream; got {type(s).__name__} "
                            f"{s!r:.40} in it")
    return spans


def _check_type(name: str, value: object, kind: type, made_by: str) -> None:
    if not isinstance(value, kind):
        article = "an" if kind.__name__[0] in "AEIOU" else "a"
        raise TypeError(f"{name} must be {article} {kind.__name__}, what {made_by} returned, got "
                        f"{type(value).__name__} {value!r:.60}")


#: Colours of Dask's task-stream actions (compute is the work itself).
ACTION_COLORS = {"compute": PALETTE[0], "transfer": PALETTE[5], "deserialize": PALETTE[2],
                 "disk-read": PALETTE[1], "disk-write": PALETTE[1]}
_OTHER = "#999999"


def plot_task_stream(spans: Sequence[StreamSpan], ax: Axes | None = None, *,
                     t0: float | None = None, span: float | None = None,
                     names: Mapping[str, str] | None = None,
                     title: str = "Dask's task stream") -> Axes:
    """One lane per Dask worker, one bar per action of each task (compute, transfer, ...).

    Args:
        spans: From :func:`parallel_demo.dask_cluster.task_stream_spans`.
        t0, span: Time origin and axis length (seconds, on the spans' clock), to
            line the chart up with another; default: the spans' own extent.
        names: Lane label per worker address; default: the address itself.
    """
    spans = _check_spans(spans)
    if t0 is not None:
        check_number("t0", t0)
    if span is not None:
        check_seconds("span", span, allow_zero=True)
    if names is not None and not isinstance(names, Mapping):
        raise TypeError(f"names must be a dict of worker address to lane label, e.g. "
                        f"{{'tcp://127.0.0.1:4001': 'w0'}}, got {type(names).__name__} "
                        f"{names!r:.40}")
    workers = sorted({s.worker for s in spans},
                     key=lambda w: min(s.start for s in spans if s.worker == w))
    ax = new_axes(ax, height=max(1.6, 0.9 + 0.32 * len(workers)))
    ax.set_title(title)
    if not spans:
        ax.text(0.5, 0.5, "no tasks", ha="center", va="center", transform=ax.transAxes)
        return ax
    t0 = min(s.start for s in spans) if t0 is None else t0
    span = (max(s.end for s in spans) - t0) if span is None else span
    row = {w: k for k, w in enumerate(workers)}
    bars = [Bar(row[s.worker], s.start, s.end, color=ACTION_COLORS.get(s.action, _OTHER))
            for s in spans]
    labels = [(names or {}).get(w, w.removeprefix("tcp://")) for w in workers]
    draw_lanes(ax, bars, labels, t0=t0, span=span, ylabel="Dask worker")
    present = list(dict.fromkeys(s.action for s in spans))
    ax.legend(handles=[Patch(color=ACTION_COLORS.get(a, _OTHER), label=a) for a in present],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="action")
    return ax


def plot_two_views(result: RunResult, spans: Sequence[StreamSpan], *,
                   title: str | None = None) -> list[Axes]:
    """The book's records (top) and Dask's task stream (bottom) of the same run, one time axis.

    Both are on the parent's clock: ``result``'s records were shifted by
    the measured clock offsets, and so were the spans (pass offsets to
    :func:`~parallel_demo.dask_cluster.task_stream_spans`).
    """
    _check_type("result", result, RunResult, 'run("dask", ...)')
    spans = _check_spans(spans)
    lanes = max(len(result.lanes), len({s.worker for s in spans}), 1)
    with plt.rc_context(BOOK_STYLE):
        fig, axes = plt.subplots(2, 1, figsize=(8.0, 1.4 + 2 * (0.6 + 0.32 * lanes)),
                                 sharex=True, layout="constrained")
    top, bottom = axes
    plot_timeline(result, ax=top, title="parallel_demo's records (TaskRecord, from the workers)")
    plot_task_stream(spans, ax=bottom, t0=result.start, span=result.wall,
                     title="Dask's task stream (client.get_task_stream)")
    top.set_xlabel("")
    for ax in axes:
        ax.title.set_fontsize(10)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    if title:
        fig.suptitle(title, fontweight="bold")
    return list(axes)


def _plain_log_ticks(axis) -> None:
    """Ticks at 1, 2, 5 x 10^k written as plain numbers (0.5, 1, 2), not as powers."""
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def _unit(seconds: float) -> tuple[float, str]:
    return (1e6, "µs") if seconds < 1e-3 else (1e3, "ms")


def plot_task_overhead(report: OverheadReport, ax: Axes | None = None, *,
                       docs_range: tuple[float, float] | None = None,
                       prediction: float | None = None,
                       title: str = "What one no-op task costs, end to end") -> Axes:
    """Seconds per task for each side: every repeat as a dot, the median as a bar.

    Args:
        report: From :func:`parallel_demo.dask_cluster.measure_task_overhead`.
        docs_range: ``(low, high)`` seconds to shade as the documented range.
        prediction: A reader's prediction (seconds per Dask task), drawn as a line.
    """
    _check_type("report", report, OverheadReport, "measure_task_overhead(client)")
    if docs_range is not None:
        if isinstance(docs_range, (str, bytes)) or not isinstance(docs_range, (list, tuple)) \
                or len(docs_range) != 2:
            raise TypeError(f"docs_range must be (low, high) in seconds, e.g. "
                            f"DOCS_TASK_OVERHEAD, got {type(docs_range).__name__} "
                            f"{docs_range!r:.60}")
        low, high = (check_seconds("docs_range[]", x) for x in docs_range)
        if low > high:
            raise ValueError(f"docs_range must be (low, high) with low <= high, got {docs_range}")
    check_seconds("prediction", prediction, allow_none=True)
    ax = new_axes(ax, height=2.6)
    sides = [("process pool", "process_pool"), ("dask", "dask")]
    every = [t for side, _ in sides for t in report.per_task_times(side)]
    extra = [x for x in ([prediction] if prediction else []) + list(docs_range or ()) if x > 0]
    scale, unit = _unit(max(every + extra))
    if docs_range:
        ax.axvspan(docs_range[0] * scale, docs_range[1] * scale, color="#999999", alpha=0.25,
                   label=f"Dask's docs: {format_seconds(docs_range[0])} to "
                         f"{format_seconds(docs_range[1])} a task")
    for k, (side, key) in enumerate(sides):
        times = report.per_task_times(side)
        med = report.per_task[side]
        color = strategy_color(key, k)
        ax.barh(k, med * scale, height=0.5, color=color, alpha=0.45)
        ax.plot([t * scale for t in times], [k] * len(times), "o", color=color, markersize=5,
                markeredgecolor="black", markeredgewidth=0.5)
    if prediction is not None:
        ax.axvline(prediction * scale, color=PALETTE[5], linestyle="--", linewidth=1.5,
                   label="your prediction (Dask)")
    ax.set_xscale("log")
    _plain_log_ticks(ax.xaxis)
    ax.set_yticks([0, 1], [f"{s} (warm)" if s == "process pool" else "Dask (running cluster)"
                           for s, _ in sides])
    ax.set_ylim(-0.6, 1.6)
    ax.set_xlabel(f"time per task ({unit}, log scale; dots: repeats, bar: median)")
    ax.grid(True, axis="x", which="both", alpha=0.3)
    ax.grid(False, axis="y")
    if docs_range or prediction is not None:
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.35), ncol=2, fontsize=8.5)
    ax.set_title(f"{title} ({report.tasks} tasks at a time)")
    return ax


def plot_task_sweep(sweep: TaskSweep, ax: Axes | None = None, *,
                    title: str = "The prime workload as the number of tasks grows") -> Axes:
    """Median wall time per way of running against the number of tasks; whiskers: best to worst.

    Dashed vertical lines mark the crossovers ``sweep`` holds (from
    :func:`parallel_demo.verdict.crossover`), where there are any.
    """
    _check_type("sweep", sweep, TaskSweep, "sweep_tasks(client)")
    ax = new_axes(ax, height=3.6)
    keys = {"sequential": "sequential", "process pool": "process_pool", "dask": "dask"}
    every = [t for ms in sweep.measurements.values() for m in ms for t in m.times]
    scale, unit = (1.0, "s") if max(every) >= 2 else (1e3, "ms")
    for k, label in enumerate(sweep.labels):
        ms = sweep.measurements[label]
        ys = [m.median * scale for m in ms]
        low = [(m.median - m.best) * scale for m in ms]
        high = [(m.worst - m.median) * scale for m in ms]
        name = "dask (running cluster)" if label == "dask" else (
            "process pool (started each run)" if label == "process pool" else label)
        ax.errorbar(sweep.sizes, ys, yerr=[low, high], fmt="o-", capsize=2, markersize=4,
                    color=strategy_color(keys.get(label, label), k), label=name,
                    markeredgecolor="black" if label == "dask" else None, markeredgewidth=0.5)
    marks = [(sweep.vs_sequential.size, "dask beats sequential from here"),
             (sweep.vs_pool.size, "dask beats the process pool from here")]
    for j, (size, text) in enumerate(m for m in marks if m[0] is not None):
        ax.axvline(size, color="grey", linestyle="--" if j == 0 else ":", linewidth=1)
        ax.text(size, 0.97 - 0.08 * j, f" {text}", transform=ax.get_xaxis_transform(),
                fontsize=8.5, color="dimgrey", va="top")
    ax.set_xscale("log")
    ax.set_yscale("log")
    _plain_log_ticks(ax.yaxis)
    ax.set_xticks(list(sweep.sizes), [str(s) for s in sweep.sizes])
    ax.minorticks_off()
    ax.set_xlabel("number of tasks (log scale)")
    ax.set_ylabel(f"wall time ({unit}, log scale)")
    ax.legend(loc="lower right", fontsize=8.5)
    ax.set_title(title)
    return ax


def plot_round_trips(latency: Measurement, ax: Axes | None = None, *,
                     prediction: float | None = None, batch_per_task: float | None = None,
                     title: str = "One task at a time: your prediction against the measurement"
                     ) -> Axes:
    """Every one-at-a-time round trip as a dot, its median as a bar, and the lines to compare.

    Args:
        latency: From :func:`parallel_demo.dask_cluster.measure_round_trips`.
        prediction: The reader's prediction, seconds per task.
        batch_per_task: Seconds per task with many in flight, for reference.
    """
    _check_type("latency", latency, Measurement, "measure_round_trips(client)")
    check_seconds("prediction", prediction, allow_none=True)
    check_seconds("batch_per_task", batch_per_task, allow_none=True)
    ax = new_axes(ax, height=2.4)
    values = list(latency.times) + [x for x in (prediction, batch_per_task) if x]
    scale, unit = _unit(max(values))
    ax.barh(0, latency.median * scale, height=0.5, color=strategy_color("dask"), alpha=0.5,
            label="measured (median)")
    ax.plot([t * scale for t in latency.times], [0] * len(latency.times), "o",
            color=strategy_color("dask"), markeredgecolor="black", markeredgewidth=0.5,
            markersize=5, label="measured (each round trip)")
    if batch_per_task:
        ax.axvline(batch_per_task * scale, color=PALETTE[0], linestyle=":", linewidth=1.5,
                   label="per task with many in flight (measured earlier)")
    if prediction:
        ax.axvline(prediction * scale, color=PALETTE[5], linestyle="--", linewidth=1.5,
                   label="your prediction")
    ax.set_xscale("log")
    _plain_log_ticks(ax.xaxis)
    lo = min(values) * scale / 2
    ax.set_xlim(lo, max(values) * scale * 2)
    ax.set_yticks([0], ["Dask, one task\nat a time"])
    ax.set_ylim(-0.7, 0.7)
    ax.set_xlabel(f"time per task ({unit}, log scale)")
    ax.grid(True, axis="x", which="both", alpha=0.3)
    ax.grid(False, axis="y")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.set_title(title)
    return ax
