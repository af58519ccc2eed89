"""Charts for starvation_and_fairness: turns per thread, waits, and a producer/consumer pipeline."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from .._validate import check_items
from ..starvation import FairnessReport, FairnessSeries, PipelineReport
from ._style import BOOK_STYLE, PALETTE, Bar, draw_lanes, new_figure, worker_color


def plot_fairness(reports: Sequence[FairnessReport], *, title: str | None = None):
    """Per lock type, side by side: acquisitions per thread (top) and the longest
    and median wait per thread (bottom, log scale).  A dashed line marks the
    equal share.

    Returns:
        The Axes, a 2 x len(reports) array.
    """
    if isinstance(reports, FairnessReport):
        raise TypeError("reports must be a list of FairnessReport, got a single one: wrap it in "
                        "a list, e.g. plot_fairness([report])")
    reports = check_items("reports", reports, allow_empty=False)
    for i, r in enumerate(reports):
        if not isinstance(r, FairnessReport):
            raise TypeError(f"reports[{i}] must be a FairnessReport (from greedy_vs_polite()), "
                            f"got {type(r).__name__} {r!r:.60}")
    with plt.rc_context(BOOK_STYLE):
        fig, axes = plt.subplots(2, len(reports), figsize=(4.2 * len(reports), 5.0),
                                 layout="constrained", squeeze=False, sharey="row")
    top = max((max(r.counts.values(), default=0) for r in reports), default=0)
    for c, rep in enumerate(reports):
        names = list(rep.counts)
        colours = [PALETTE[5] if n == "greedy" else PALETTE[0] for n in names]
        ax = axes[0, c]
        ax.bar(names, [rep.counts[n] for n in names], color=colours)
        total = sum(rep.counts.values())
        ax.axhline(total / max(1, len(names)), color="grey", linestyle="--", linewidth=1,
                   label="equal share")
        ax.set_title(f"{rep.lock}: acquisitions")
        ax.set_ylim(0, top * 1.1 or 1)
        if c == 0:
            ax.set_ylabel("times the lock was acquired")
        if c == len(reports) - 1:
            ax.legend(loc="upper right")
        ax.grid(False, axis="x")
        ax = axes[1, c]
        longest = [rep.longest_wait(n) * 1e3 for n in names]
        median = [rep.median_wait(n) * 1e3 for n in names]
        ax.bar(names, longest, color=colours, alpha=0.45, label="longest wait")
        ax.bar(names, median, color=colours, width=0.45, label="median wait")
        ax.set_title(f"{rep.lock}: waiting per acquisition")
        # A starved thread waits ~1000x longer than a served one: a linear
        # axis would flatten every other bar to nothing.
        ax.set_yscale("log")
        ax.set_ylim(bottom=0.01)
        if c == 0:
            ax.set_ylabel("wait (ms, log scale)")
        if c == len(reports) - 1:
            ax.legend(loc="upper right")
        ax.grid(False, axis="x")
        for a in axes[:, c]:
            a.tick_params(axis="x", labelrotation=20)
            for side in ("top", "right"):
                a.spines[side].set_visible(False)
    if title:
        fig.suptitle(title, fontweight="bold")
    return axes


def plot_pipeline(report: PipelineReport, *, title: str = "Producer and consumers, bounded queue"):
    """Top: one lane per thread (solid = working, hatched = blocked in put/get).
    Bottom: the queue's length over time, with its bound.

    Returns:
        The two Axes.
    """
    if not isinstance(report, PipelineReport):
        raise TypeError(f"report must be a PipelineReport (what producer_consumer() returns), "
                        f"got {type(report).__name__} {report!r:.60}")
    with plt.rc_context(BOOK_STYLE):
        fig, (ax, axq) = plt.subplots(2, 1, figsize=(8.0, 4.4), sharex=True, height_ratios=[2.2, 1.2],
                                      layout="constrained")
    events = list(report.events)
    threads = ["producer"] + sorted({e.thread for e in events} - {"producer"})
    row = {t: k for k, t in enumerate(threads)}
    end = max((e.end for e in events), default=report.start)
    style = {"work": dict(color=PALETTE[2]),
             "put": dict(color=PALETTE[5], alpha=0.35, hatch="///", edgecolor=PALETTE[5]),
             "get": dict(color=PALETTE[4], alpha=0.35, hatch="...", edgecolor=PALETTE[4])}
    bars = [Bar(row[e.thread], e.start, e.end, **style[e.kind]) for e in events]
    scale, unit = draw_lanes(ax, bars, threads, t0=report.start,
                             span=max(end - report.start, 1e-6), ylabel="thread")
    ax.set_xlabel("")
    ax.set_title(title)
    ax.legend(handles=[Patch(color=PALETTE[2], label="working"),
                       Patch(facecolor=PALETTE[5], alpha=0.35, hatch="///", label="blocked in put (queue full)"),
                       Patch(facecolor=PALETTE[4], alpha=0.35, hatch="...", label="blocked in get (queue empty)")],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8.5)
    pts = sorted((e.end, e.depth) for e in events if e.kind in ("put", "get"))
    xs = [0.0] + [(t - report.start) * scale for t, _ in pts]
    ys = [0] + [d for _, d in pts]
    axq.step(xs, ys, where="post", color=PALETTE[0])
    axq.axhline(report.maxsize, color=PALETTE[5], linestyle="--", linewidth=1, label=f"maxsize = {report.maxsize}")
    axq.set_ylim(-0.2, report.maxsize + 0.8)
    axq.set_ylabel("items queued")
    axq.set_xlabel(f"time since start ({unit})")
    axq.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8.5)
    for a in (ax, axq):
        for side in ("top", "right"):
            a.spines[side].set_visible(False)
    return ax, axq


def plot_fairness_runs(series: FairnessSeries, *, title: str | None = None):
    """Every contest of a :class:`FairnessSeries` as a dot: the polite threads' share of the
    turns (left) and their longest wait (right, log scale), one row per lock.

    Returns:
        The two Axes.
    """
    import random

    if not isinstance(series, FairnessSeries):
        raise TypeError(f"series must be a FairnessSeries (what fairness_runs() returns), got "
                        f"{type(series).__name__} {series!r:.60}")
    if not series.runs:
        raise ValueError("series must hold the runs of at least one lock: pass "
                         "fairness_runs([threading.Lock, FairLock])'s result")
    fig, axes = new_figure(1, 2, height=2.2 + 0.5 * len(series.locks), width=9.0)
    left, right = axes[0]
    rng = random.Random(0)  # fixed jitter, so equal values stay visible as a cloud
    for k, lock in enumerate(series.locks):
        colour = worker_color(k)
        shares = [100 * x for x in series.polite_share(lock)]
        waits = [1e3 * x for x in series.longest_waits(lock)]
        ys = [k + rng.uniform(-0.15, 0.15) for _ in shares]
        left.plot(shares, ys, "o", color=colour, markersize=7, alpha=0.8, markeredgecolor="white")
        right.plot(waits, ys, "o", color=colour, markersize=7, alpha=0.8, markeredgecolor="white")
    reports = next(iter(series.runs.values()))
    if reports:
        n = len(reports[0].counts)
        polite = n - 1
        left.axvline(100 * polite / n, color="grey", linestyle="--", linewidth=1)
        left.text(100 * polite / n, -0.45, " equal turns", color="grey", fontsize=8, va="bottom")
    for ax in (left, right):
        ax.set_yticks(range(len(series.locks)), series.locks)
        ax.set_ylim(len(series.locks) - 0.5, -0.7)
        ax.grid(False, axis="y")
    left.set_xlim(0, 100)
    left.set_xlabel("polite share of all turns (%)")
    left.set_title("Who got the lock")
    right.set_xscale("log")
    right.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    right.set_xlabel("longest polite wait (ms, log scale)")
    right.set_title("How long the polite waited, at worst")
    right.tick_params(labelleft=False)
    fig = left.figure
    fig.suptitle((title or "One greedy thread against polite ones") + " (one dot per run)",
                 fontweight="bold")
    return left, right
