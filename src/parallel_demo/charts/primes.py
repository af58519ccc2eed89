"""Charts for Part IV, the prime example (primes_what_it_shows): they draw, compute nothing.

* :func:`plot_size_sweep`: wall time against input size per strategy, log-log;
* :func:`plot_chunksize`: a process pool's wall time against its chunksize.

The thread-per-number prediction is drawn by
:func:`~parallel_demo.charts.affinity.plot_thread_prediction`, the one chart
of a predicted thread speedup.

Styling comes from :mod:`._style`.
"""

from __future__ import annotations

from typing import Sequence

from matplotlib.axes import Axes

from ..primes import SizePoint
from ..timing import Measurement
from ._style import PALETTE, new_axes, strategy_color, time_unit


def plot_size_sweep(points: Sequence[SizePoint], ax: Axes | None = None, *,
                    xlabel: str = "input size", title: str = "Wall time as the input grows",
                    mark: float | None = None, mark_label: str = "") -> Axes:
    """Median wall time per strategy against input size, log-log; whiskers span best to worst.

    Args:
        points: From :func:`parallel_demo.sweep_input`.
        mark: An x position to mark with a vertical line (e.g. a crossover).
    """
    ax = new_axes(ax, height=3.8)
    strategies = list(dict.fromkeys(p.strategy for p in points))
    for k, name in enumerate(strategies):
        mine = sorted((p for p in points if p.strategy == name), key=lambda p: p.size)
        xs = [p.size for p in mine]
        ys = [p.median for p in mine]
        low = [p.median - p.measurement.best for p in mine]
        high = [p.measurement.worst - p.median for p in mine]
        ax.errorbar(xs, ys, yerr=[low, high], fmt="o-", color=strategy_color(name, k), capsize=2,
                    markersize=4, linewidth=1.5, label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    if mark is not None:
        ax.axvline(mark, color="grey", linestyle="--", linewidth=1)
        if mark_label:
            # Write the label on the side of the line with more room, so it stays inside.
            lo, hi = ax.get_xlim()
            right_half = mark > (lo * hi) ** 0.5  # the middle of a log axis
            ax.text(mark, 0.03, f" {mark_label} " if right_half else f" {mark_label}",
                    color="dimgrey", ha="right" if right_half else "left", va="bottom",
                    transform=ax.get_xaxis_transform(), fontsize=9)
    ax.set_xlabel(f"{xlabel} (log scale)")
    ax.set_ylabel("wall time (s, log scale)")
    ax.legend(loc="upper left", fontsize=8.5)
    ax.set_title(title)
    return ax


def plot_chunksize(measurements: Sequence[Measurement], chunksizes: Sequence[int],
                   ax: Axes | None = None, *, baseline: Measurement | None = None,
                   title: str = "Process pool: wall time against chunksize") -> Axes:
    """Median wall time (every run as a dot) against chunksize, log x axis.

    Args:
        measurements: One per chunksize, from :func:`parallel_demo.sweep_chunksize`.
        chunksizes: The chunksize of each measurement, same order.
        baseline: Drawn as a dashed horizontal line (e.g. the sequential loop).
    """
    if len(measurements) != len(chunksizes):
        raise ValueError("need one chunksize per measurement")
    ax = new_axes(ax)
    longest = max([m.worst for m in measurements] + ([baseline.worst] if baseline else []))
    scale, unit = time_unit(longest)
    ax.plot(chunksizes, [m.median * scale for m in measurements], "o-", color=PALETTE[2],
            linewidth=2, label="process pool, median")
    for c, m in zip(chunksizes, measurements):
        ax.plot([c] * len(m.times), [t * scale for t in m.times], ".", color="black",
                alpha=0.5, markersize=4)
    if baseline is not None:
        ax.axhline(baseline.median * scale, color=PALETTE[7], linestyle="--", linewidth=1.2,
                   label=f"{baseline.label}, median")
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(chunksizes), [str(c) for c in chunksizes])
    ax.set_ylim(bottom=0)
    ax.set_xlabel("chunksize (numbers per trip to a worker, log scale)")
    ax.set_ylabel(f"wall time ({unit})")
    ax.legend(loc="upper right")
    ax.set_title(title)
    return ax
