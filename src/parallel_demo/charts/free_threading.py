"""Charts for "Free-threaded Python and subinterpreters": scaling, pool costs, predictions.

They draw what :mod:`parallel_demo.free_threading` and
:mod:`parallel_demo.interpreters` measured; verdict words on the markers come
from :func:`parallel_demo.verdict.compare` via :meth:`Scaling.points`.
"""

from __future__ import annotations

from typing import Sequence

from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from ..free_threading import Scaling
from ..interpreters import PoolCost
from ._style import PALETTE, new_axes, strategy_color, time_unit


def _draw_scaling(ax: Axes, scaling: Scaling, *, dashed: bool) -> None:
    points = scaling.points()
    for k, s in enumerate(scaling.strategies):
        mine = sorted((p for p in points if p.strategy == s), key=lambda p: p.workers)
        color = strategy_color(s, k)
        # Every line starts at sequential: 1 worker, speedup 1 by definition.
        ax.plot([1] + [p.workers for p in mine], [1.0] + [p.speedup for p in mine],
                "--" if dashed else "-", color=color, linewidth=1.5, alpha=0.8 if dashed else 1)
        for p in mine:
            ax.plot([p.workers, p.workers], [p.low, p.high], color=color, linewidth=1,
                    alpha=0.6)
            won = p.word == "faster"
            ax.plot(p.workers, p.speedup, "s" if dashed else "o", markersize=7,
                    markerfacecolor=color if won else "white", markeredgecolor=color, zorder=3)


def plot_build_scaling(scaling: Scaling, ax: Axes | None = None, *,
                       reference: Scaling | None = None,
                       title: str = "Checking primes: speedup over sequential") -> Axes:
    """Speedup against workers per strategy, the ideal, and optionally a reference run.

    A filled marker is a win over sequential by :func:`~parallel_demo.verdict.compare`
    (beyond the noise); a hollow one is not.  Vertical strokes are the
    ratio's range over the typical runs.  The reference (recorded
    elsewhere) is drawn dashed with square markers; the legend says where
    each was measured.
    """
    for name, value in (("scaling", scaling), ("reference", reference)):
        if not isinstance(value, Scaling) and not (name == "reference" and value is None):
            raise TypeError(f"{name} must be a Scaling (what measure_prime_scaling() returned)"
                            f"{' or None' if name == 'reference' else ''}, got "
                            f"{type(value).__name__} {value!r:.40}")
    ax = new_axes(ax, height=3.4)
    _draw_scaling(ax, scaling, dashed=False)
    runs = list(scaling.runs)
    names = scaling.strategies
    cpus = scaling.cpus
    if reference is not None:
        _draw_scaling(ax, reference, dashed=True)
        runs += list(reference.runs)
        names += [s for s in reference.strategies if s not in names]
        cpus = max(cpus, reference.cpus)
    top = max([k for _, k in runs] + [1])
    xs = list(range(1, top + 1))
    ax.plot(xs, [min(x, cpus) for x in xs], ":", color="grey")
    ax.axhline(1, color="grey", linewidth=0.8)
    ax.plot(1, 1, "D", color="black", markersize=5, zorder=4)
    handles = [Line2D([], [], color=strategy_color(s, k), linewidth=3) for k, s in enumerate(names)]
    labels = list(names)
    handles += [Line2D([], [], color="black", marker="o", markerfacecolor="white"),
                Line2D([], [], color="black", linestyle="--", marker="s",
                       markerfacecolor="white")] if reference is not None else [
                Line2D([], [], color="black", marker="o", markerfacecolor="white")]
    labels += [f"measured here:\n{scaling.label}"]
    if reference is not None:
        labels += [f"recorded:\n{reference.label}"]
    handles += [Line2D([], [], color="grey", linestyle=":"),
                Line2D([], [], marker="D", linestyle="", color="black", markersize=5),
                Line2D([], [], marker="o", linestyle="", color="black", markersize=6)]
    labels += [f"ideal: min(workers, {cpus} CPUs)", "sequential (1 worker)",
               "filled: faster than sequential\nbeyond the noise; hollow: not"]
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.set_xticks(xs)
    ax.set_xlabel("workers")
    ax.set_ylabel("speedup (×, higher is better)")
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    return ax


def plot_pool_costs(costs: Sequence[PoolCost], ax: Axes | None = None, *,
                    reference: Sequence[PoolCost] = (), reference_label: str = "",
                    here_label: str = "this kernel",
                    title: str = "What a pool costs: starting it, and each task") -> Axes:
    """Start-up and per-task cost per strategy on a log time axis, reader's rows then reference rows."""
    from .._validate import check_items

    costs, reference = check_items("costs", costs), check_items("reference", reference)
    for name, given in (("costs", costs), ("reference", reference)):
        for c in given:
            if not isinstance(c, PoolCost):
                raise TypeError(f"{name} must hold PoolCosts (what measure_pool_costs() "
                                f"returned), got a {type(c).__name__} {c!r:.40} in it")
    if not costs and not reference:
        raise ValueError("costs and reference are both empty: pass what measure_pool_costs() "
                         "returned")
    rows = [(c, here_label, False) for c in costs]
    rows += [(c, reference_label or "reference", True) for c in reference]
    ax = new_axes(ax, height=3.4)  # fixed: the same figure size on every Python
    longest = max((max(c.startup.median, c.per_task) for c, _, _ in rows), default=1.0)
    scale, unit = time_unit(longest)
    for k, (c, where, ref) in enumerate(rows):
        color = strategy_color(c.strategy, k)
        ax.barh(k - 0.18, c.startup.median * scale, height=0.34, color=color,
                hatch="//" if ref else None, edgecolor="white")
        ax.barh(k + 0.18, c.per_task * scale, height=0.34, color=color, alpha=0.45,
                hatch="//" if ref else None, edgecolor="white")
        ax.plot([t * scale for t in c.startup.times], [k - 0.18] * len(c.startup.times), "o",
                color="black", markersize=3, alpha=0.7, zorder=3)
    ax.set_xscale("log")
    ax.set_yticks(range(len(rows)), [f"{c.strategy}\n({where})" for c, where, _ in rows],
                  fontsize=8)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel(f"time ({unit}, log scale)")
    ax.grid(False, axis="y")
    handles = [Line2D([], [], color=PALETTE[7], linewidth=8),
               Line2D([], [], color=PALETTE[7], linewidth=8, alpha=0.45)]
    ax.legend(handles, ["start-up: a run of one task (dots: each run)",
                        "each further task: the gap a worker\nleaves between two tasks (median)"],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.set_title(title)
    return ax


def plot_speedup_guess(predicted: float, measured: float, low: float, high: float,
                    ax: Axes | None = None, *, what: str = "speedup (×)",
                    title: str = "Your prediction against the measurement") -> Axes:
    """The learner's number beside the measured one and its range over typical runs."""
    from numbers import Real

    from .._validate import check_number

    for name, value in (("predicted", predicted), ("measured", measured), ("low", low),
                        ("high", high)):
        if isinstance(value, Real) and not isinstance(value, bool):
            value = float(value)  # a NumPy number, say
        check_number(name, value, low=0)
    if low > high:
        raise ValueError(f"low must be <= high (the measured range), got low={low}, high={high}")
    ax = new_axes(ax, height=1.8)
    ax.barh(0, measured, height=0.5, color=PALETTE[0], label="measured (median)")
    ax.plot([low, high], [0, 0], color="black", linewidth=2, label="measured range")
    ax.axvline(predicted, color=PALETTE[5], linestyle="--", linewidth=2, label="your prediction")
    ax.set_yticks([])
    ax.set_xlim(0, max(predicted, high, measured) * 1.15 or 1.0)
    ax.set_xlabel(what)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.set_title(title)
    return ax
