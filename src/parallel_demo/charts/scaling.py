"""Charts for "How fast can it get?": speedup against Amdahl, Karp-Flatt, Amdahl vs the USL, the laws.

They draw what :mod:`parallel_demo.scaling` measured and fitted (the fitted
objects evaluate their own curves); nothing here fits or measures.
"""

from __future__ import annotations

import math
from typing import Sequence

from matplotlib.axes import Axes

from .._validate import check_int, check_items, check_number
from ..scaling import AmdahlFit, KarpFlattRow, LawCurves, ModelComparison, PredictionRun, ScalingSweep
from ._style import PALETTE, draw_prediction, new_axes, new_figure

_MEASURED, _FIT, _TRUTH, _LIMIT, _USL = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[5], PALETTE[3]


def _check(name: str, value: object, kind: type, source: str) -> None:
    """``value`` is a ``kind`` (what ``source`` returns), checked before any figure is made."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__} (from {source}), got "
                        f"{type(value).__name__} {value!r:.60}")


def _check_ax(ax: object) -> None:
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None (a new figure), got "
                        f"{type(ax).__name__} {ax!r:.60}; pass e.g. plt.subplots()[1]")


def _grid(top: float, n: int = 120) -> list[float]:
    return [1 + (top - 1) * k / (n - 1) for k in range(n)]


def _mark_cpus(ax: Axes, cpus: int, top: float) -> None:
    """The physical limit: a vertical line at the CPU count, labelled at the bottom."""
    ax.axvline(cpus, color=_LIMIT, linestyle="--", linewidth=1)
    left_half = cpus <= (1 + top) / 2
    ax.text(cpus, 0.02, f" your CPUs: {cpus} ", color=_LIMIT, ha="left" if left_half else "right",
            va="bottom", transform=ax.get_xaxis_transform(), fontsize=9)


def plot_scaling(sweep: ScalingSweep, fit: AmdahlFit, ax: Axes | None = None, *,
                 title: str | None = None) -> Axes:
    """Measured speedups (with their range), the fitted Amdahl curve, the truth, ideal and the CPUs.

    Args:
        sweep: From :func:`~parallel_demo.measure_scaling`.
        fit: From :func:`~parallel_demo.fit_amdahl` on the same sweep.
    """
    _check("sweep", sweep, ScalingSweep, "measure_scaling()")
    _check("fit", fit, AmdahlFit, "fit_amdahl(sweep)")
    _check_ax(ax)
    ax = new_axes(ax, height=3.6, width=9.0)
    rows = sweep.speedups()
    xs = [r.workers for r in rows]
    top = max(xs)
    grid = _grid(top)
    ax.plot([1, top], [1, top], ":", color="grey", label="ideal (speedup = workers)")
    ax.plot([1, sweep.cpus, top], [1, sweep.cpus, sweep.cpus], "-", color=_LIMIT, alpha=0.35,
            linewidth=4, label=f"physical limit: {sweep.cpus} CPU{'s' * (sweep.cpus != 1)}")
    ax.plot(grid, fit.curve(grid), "-", color=_FIT,
            label=f"Amdahl fitted: s = {fit.s:.2f} (from {', '.join(map(str, fit.workers))})")
    if fit.truth is not None:
        ax.plot(grid, fit.truth_curve(grid), "--", color=_TRUTH,
                label=f"Amdahl with the true s = {fit.truth:g}")
    ax.errorbar(xs, [r.speedup for r in rows],
                yerr=[[r.speedup - r.low for r in rows], [r.high - r.speedup for r in rows]],
                fmt="o", color=_MEASURED, capsize=3, zorder=4,
                label=f"measured: median, typical range of {sweep.rounds} rounds")
    _mark_cpus(ax, sweep.cpus, top)
    ax.set_xticks(xs)
    ax.set_xlim(0.8, top + 0.2)
    ax.set_ylim(0, max(top, max(r.high for r in rows)) * 1.05)
    ax.set_xlabel("workers (processes)")
    ax.set_ylabel("speedup over 1 worker (×)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.set_title(title or f"{sweep.workload.label}: measured speedup and Amdahl's law")
    return ax


def plot_karp_flatt(rows: Sequence[KarpFlattRow], ax: Axes | None = None, *, cpus: int,
                    truth: float | None = None, title: str = "Karp-Flatt metric per worker count") -> Axes:
    """``e(p)`` with its range per worker count, the CPUs, and the true serial fraction if known."""
    if isinstance(rows, ScalingSweep):
        raise TypeError("rows must be the rows of karp_flatt_table(sweep), got the ScalingSweep "
                        "itself; pass karp_flatt_table(sweep)")
    rows = check_items("rows", rows)
    if not rows:
        raise ValueError("rows must hold at least one KarpFlattRow: karp_flatt_table(sweep) "
                         "needs a sweep with 2 or more workers")
    for r in rows:
        _check("rows", r, KarpFlattRow, "karp_flatt_table(sweep)")
    check_int("cpus", cpus, minimum=1, hint="pass sweep.cpus")
    if truth is not None:
        check_number("truth", truth, low=0.0, high=1.0)
    _check_ax(ax)
    ax = new_axes(ax, width=9.0)
    xs = [r.workers for r in rows]
    ax.errorbar(xs, [r.e for r in rows], yerr=[[r.e - r.low for r in rows],
                                              [r.high - r.e for r in rows]],
                fmt="o-", color=_MEASURED, capsize=3, label="e(p) measured (range of the rounds)")
    if truth is not None:
        ax.axhline(truth, color=_TRUTH, linestyle="--", label=f"true serial fraction s = {truth:g}")
    top = max(xs + [2])
    if cpus >= 2:
        _mark_cpus(ax, cpus, top)
    ax.set_xticks(xs)
    ax.set_xlim(1.8, top + 0.2)
    ax.set_ylim(min(0.0, min((r.low for r in rows), default=0)), max(1.05, max((r.high for r in rows), default=1)))
    ax.set_xlabel("workers (processes)")
    ax.set_ylabel("e(p) (fraction of the work)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.set_title(title)
    return ax


def plot_models(comparison: ModelComparison, ax: Axes | None = None, *,
                title: str = "Amdahl against the Universal Scalability Law") -> Axes:
    """Speedups with both fitted models (left) and their residuals (right).

    Without ``ax`` it makes a figure of two panels and returns the left one;
    the residual panel is ``ax.figure.axes[1]``.  With ``ax`` it draws only
    the left panel there.
    """
    _check("comparison", comparison, ModelComparison, "compare_models(sweep)")
    _check_ax(ax)
    if ax is None:
        fig, axes = new_figure(1, 2, height=3.4, width=9.0)
        ax, res = axes[0][0], axes[0][1]
    else:
        res = None
    c = comparison
    top = max(c.workers)
    grid = _grid(top)
    ax.errorbar(c.workers, c.speedup, yerr=[[y - lo for y, lo in zip(c.speedup, c.low)],
                                            [hi - y for y, hi in zip(c.speedup, c.high)]],
                fmt="o", color=_MEASURED, capsize=3, zorder=4, label="measured")
    ax.plot(grid, c.amdahl_curve(grid), "-", color=_FIT, label=f"Amdahl, s = {c.s:.2f}")
    ax.plot(grid, c.usl_curve(grid), "-.", color=_USL,
            label=f"USL, a = {c.a:.3f}, b = {c.b:.4f}")
    _mark_cpus(ax, c.cpus, top)
    ax.set_xticks(c.workers)
    ax.set_ylim(0, max(max(c.high), 1.0) * 1.15)
    ax.set_xlabel("workers (processes)")
    ax.set_ylabel("speedup over 1 worker (×)")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title)
    if res is not None:
        width = 0.35
        ax_x = list(c.workers)
        res.bar([x - width / 2 for x in ax_x], c.amdahl_residuals, width, color=_FIT,
                label=f"Amdahl (RMS {c.amdahl_rms:.3f})")
        res.bar([x + width / 2 for x in ax_x], c.usl_residuals, width, color=_USL,
                label=f"USL (RMS {c.usl_rms:.3f})")
        res.axhspan(-c.noise, c.noise, color="grey", alpha=0.15,
                    label=f"noise of a point (±{c.noise:.3f})")
        res.axhline(0, color="black", linewidth=0.8)
        res.set_xticks(ax_x)
        res.set_xlabel("workers (processes)")
        res.set_ylabel("measured − model (× speedup)")
        res.legend(loc="best", fontsize=8)
        res.set_title("Residuals: what each model misses")
    return ax


def plot_laws(curves: LawCurves, ax: Axes | None = None, *, title: str | None = None) -> Axes:
    """Amdahl and Gustafson for one serial fraction, Amdahl's limit, and one worker count marked."""
    _check("curves", curves, LawCurves, "law_curves(s, workers)")
    _check_ax(ax)
    ax = new_axes(ax, height=3.4)
    c = curves
    top = max(c.ps)
    ax.plot([1, top], [1, top], ":", color="grey", label="ideal (speedup = workers)")
    ax.plot(c.ps, c.gustafson, "--", color=_TRUTH, label="Gustafson: the work grows with p")
    ax.plot(c.ps, c.amdahl, "-", color=_FIT, label="Amdahl: the work stays fixed")
    if math.isfinite(c.limit) and c.limit <= top * 1.05:
        ax.axhline(c.limit, color=_FIT, linestyle=(0, (1, 3)), linewidth=1)
        ax.text(top, c.limit, f"Amdahl's limit 1/s = {c.limit:.1f} ", ha="right", va="bottom",
                fontsize=8, color=_FIT)
    ax.plot([c.workers], [c.at_workers], "o", color=_FIT, markersize=8, zorder=4)
    ax.annotate(f"{c.workers} workers: {c.at_workers:.2f}× ({c.efficiency:.0%} efficient)",
                (c.workers, c.at_workers), textcoords="offset points", xytext=(6, -14), fontsize=8)
    if c.cpus is not None:
        _mark_cpus(ax, c.cpus, top)
    ax.set_xlim(1, top)
    ax.set_ylim(0, top * 1.02)
    ax.set_xlabel("workers p")
    ax.set_ylabel("speedup (×)")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(title or f"Serial fraction s = {c.s:.2f}: Amdahl and Gustafson")
    return ax


def plot_speedup_prediction(run: PredictionRun, ax: Axes | None = None, *, title: str | None = None) -> Axes:
    """A prediction against the measurement (with its range) and Amdahl's line, with and without the CPU limit."""
    _check("run", run, PredictionRun, "measure_prediction(prediction)")
    _check_ax(ax)
    ax = new_axes(ax, height=3.2)
    top = max(run.workers, 4)
    grid = _grid(top)
    free, capped = run.curves(grid)
    ax.plot(grid, free, "-", color=_FIT, label=f"Amdahl, s = {run.serial_fraction:g}, enough CPUs")
    if run.cpus < top:
        ax.plot(grid, capped, "--", color=_LIMIT, label=f"Amdahl on your {run.cpus} CPU{'s' * (run.cpus != 1)}")
    draw_prediction(ax, run)
    ax.set_xlim(1, top + 0.3)
    ax.set_xlabel("workers (processes)")
    ax.set_ylabel("speedup over 1 worker (×)")
    ax.set_title(title or f"{run.workers} workers: prediction {run.prediction:.2f}×, "
                          f"measured {run.measured:.2f}×")
    return ax
