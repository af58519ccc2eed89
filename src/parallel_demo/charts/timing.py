"""Charts of measurements (every chapter that times): medians with every run, speedup curves, spread.

They draw :class:`~parallel_demo.timing.Measurement` and
:class:`~parallel_demo.timing.SpeedupRow` objects made by the timing loops.
"""

from __future__ import annotations

from typing import Sequence

from matplotlib.axes import Axes

from ..timing import Measurement, SpeedupRow
from ._style import PALETTE, new_axes, time_unit, worker_color


def plot_comparison(measurements: Sequence[Measurement], ax: Axes | None = None, *,
                    title: str = "Wall time per strategy", baseline: str | None = None) -> Axes:
    """Median wall time per measurement, with every repeat as a dot.

    The bar is the median; the dots are the individual runs, so the spread
    (how noisy the machine was) is visible next to the difference.
    """
    measurements = list(measurements)
    ax = new_axes(ax, height=max(1.8, 0.8 + 0.45 * len(measurements)))
    longest = max((max(m.times) for m in measurements), default=1.0)
    scale, unit = time_unit(longest)
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
    ax = new_axes(ax)
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


def plot_timing_spread(measurement: Measurement, ax: Axes | None = None, *,
                       title: str | None = None, reference: float | None = None,
                       reference_label: str = "reference") -> Axes:
    """A histogram of every single timing in ``measurement`` (log-log, so the tail shows).

    Draws the median as a solid line and, if given, ``reference`` (e.g. a
    figure quoted elsewhere) as a dashed one.
    """
    import numpy as np

    ax = new_axes(ax)
    times = np.asarray(measurement.times, dtype=float)
    scale, unit = (1e6, "µs") if measurement.median < 1e-3 else time_unit(measurement.median)
    lo, hi = times.min() * scale, times.max() * scale
    if reference is not None:
        lo, hi = min(lo, reference * scale), max(hi, reference * scale)
    bins = np.geomspace(lo * 0.95, hi * 1.05, 40) if hi > lo > 0 else 20
    ax.hist(times * scale, bins=bins, color=PALETTE[0], alpha=0.85)
    ax.set_xscale("log")
    ax.set_yscale("log")  # so that a single slow run in the tail is still visible
    ax.axvline(measurement.median * scale, color=PALETTE[5], linewidth=2,
               label=f"median of {len(times)} runs")
    if reference is not None:
        ax.axvline(reference * scale, color=PALETTE[7], linestyle="--", linewidth=1.5,
                   label=reference_label)
    ax.set_xlabel(f"wall time of one run ({unit}, log scale)")
    ax.set_ylabel("number of runs (log scale)")
    ax.legend(loc="upper right")
    ax.set_title(title or f"{measurement.label}: {len(times)} single timings")
    return ax
