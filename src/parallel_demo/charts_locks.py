"""Charts for the deadlock and starvation chapters: they draw, compute nothing,
and return the Axes.  Colours come from :data:`parallel_demo.charts.PALETTE`.
"""

from __future__ import annotations

import math
from typing import Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, Patch

from .charts import PALETTE, _new_axes, _time_unit, book_style, worker_color
from .locks import LockRecord, WaitForGraph
from .starvation import FairnessReport, PipelineReport

__all__ = ["plot_lock_timeline", "plot_wait_for_graph", "plot_fairness", "plot_pipeline",
           "plot_meals"]


def _lanes(names) -> list[str]:
    seen: list[str] = []
    for n in names:
        if n not in seen:
            seen.append(n)
    return seen


def plot_lock_timeline(records: Sequence[LockRecord], ax: Axes | None = None, *,
                       title: str = "Who holds and who waits", t0: float | None = None,
                       end: float | None = None) -> Axes:
    """One lane per thread: hatched while waiting for a lock, solid while holding it.

    Each lock has its own colour.  A wait that timed out ends in a black ✕.
    A lock still held at the end is drawn up to ``end`` (default: the last event).

    Args:
        records: :class:`LockRecord` objects, e.g. ``report.records``.
        t0: Time origin; default the first request.
        end: Where open intervals stop; default the last timestamp seen.
    """
    records = list(records)
    threads = sorted(_lanes(r.thread for r in sorted(records, key=lambda r: r.requested)))
    locks = sorted(_lanes(r.lock for r in records))
    ax = _new_axes(ax, height=max(1.8, 1.1 + 0.45 * len(threads)))
    if not records:
        ax.set_title(title)
        ax.text(0.5, 0.5, "no lock activity", ha="center", va="center", transform=ax.transAxes)
        return ax
    stamps = [x for r in records for x in (r.requested, r.acquired, r.released) if x is not None]
    t0 = min(stamps) if t0 is None else t0
    end = max(stamps) if end is None else end
    scale, unit = _time_unit(max(end - t0, 1e-6))
    colour = {lock: worker_color(k) for k, lock in enumerate(locks)}
    row = {t: k for k, t in enumerate(threads)}
    by_lane: dict[str, list[LockRecord]] = {t: [] for t in threads}
    for r in records:
        by_lane[r.thread].append(r)
    for thread, recs in by_lane.items():
        k = row[thread]
        # A thread holding two locks shows two thin bars, one above the other.
        held = sorted({r.lock for r in recs})
        for r in recs:
            wait_end = r.acquired if r.acquired is not None else (
                _next_stamp(recs, r) if r.timed_out else end)
            off = (held.index(r.lock) - (len(held) - 1) / 2) * (0.7 / max(1, len(held)))
            h = 0.7 / max(1, len(held))
            if wait_end > r.requested:
                ax.barh(k + off, (wait_end - r.requested) * scale, left=(r.requested - t0) * scale,
                        height=h * 0.9, color=colour[r.lock], alpha=0.25, hatch="///",
                        edgecolor=colour[r.lock], linewidth=0)
            if r.timed_out:
                ax.plot((wait_end - t0) * scale, k + off, marker="x", color="black",
                        markersize=7, mew=2, zorder=4)
            if r.acquired is not None:
                stop = r.released if r.released is not None else end
                ax.barh(k + off, max((stop - r.acquired) * scale, 1e-9), left=(r.acquired - t0) * scale,
                        height=h * 0.9, color=colour[r.lock], edgecolor="white", linewidth=0.4)
    ax.set_yticks(range(len(threads)), threads)
    ax.set_ylim(len(threads) - 0.4, -0.6)
    ax.set_xlim(0, (end - t0) * scale * 1.02)
    ax.set_xlabel(f"time since start ({unit})")
    ax.grid(True, axis="x", alpha=0.3)
    ax.grid(False, axis="y")
    handles = [Patch(facecolor=colour[lock], label=f"holds {lock}") for lock in locks]
    handles.append(Patch(facecolor="white", edgecolor="grey", hatch="///", label="waiting (hatched)"))
    if any(r.timed_out for r in records):
        handles.append(plt.Line2D([], [], marker="x", color="black", linestyle="", mew=2,
                                  label="gave up (timeout)"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8.5)
    ax.set_title(title)
    return ax


def _next_stamp(recs: list[LockRecord], r: LockRecord) -> float:
    """A timed-out record has no end time of its own: it ended when the thread's
    next event happened (its next request or release), bounded by the attempt."""
    later = [x for o in recs for x in (o.requested, o.released) if x is not None and x > r.requested]
    return min(later) if later else r.requested


def plot_wait_for_graph(graph: WaitForGraph, ax: Axes | None = None, *,
                        title: str = "Wait-for graph") -> Axes:
    """Threads (circles) and locks (squares); arrows thread → lock "waits for",
    lock → thread "held by".  Edges on a cycle are drawn thick and red-orange.
    """
    crowded = len(set(graph.waits) | set(graph.holds.values()) | set(graph.holds)
                  | set(graph.waits.values())) > 6
    if ax is None:
        with plt.rc_context(book_style):
            _, ax = plt.subplots(figsize=(6.4, 6.0) if crowded else (5.2, 4.2), layout="constrained")
    ax.set_axis_off()
    ax.set_title(title)
    threads = sorted(set(graph.waits) | set(graph.holds.values()))
    locks = sorted(set(graph.holds) | set(graph.waits.values()))
    cycle = graph.cycle() or []
    on_cycle = set(zip(cycle, cycle[1:]))
    # Interleave threads and locks around a circle, so a cycle draws as a ring.
    order: list[tuple[str, str]] = []
    if cycle:
        order = [("thread" if i % 2 == 0 else "lock", n) for i, n in enumerate(cycle[:-1])]
    placed = {n for _, n in order}
    order += [("thread", t) for t in threads if t not in placed]
    order += [("lock", lock) for lock in locks if lock not in placed]
    n = max(len(order), 1)
    pos = {name: (math.cos(math.pi / 2 - 2 * math.pi * i / n), math.sin(math.pi / 2 - 2 * math.pi * i / n))
           for i, (_, name) in enumerate(order)}
    warn = PALETTE[5]
    edges = [(t, lock, "waits for") for t, lock in graph.waits.items()]
    edges += [(lock, t, "held by") for lock, t in graph.holds.items()]
    for a, b, label in edges:
        hot = (a, b) in on_cycle
        shrink = 20 if crowded else 26
        arrow = FancyArrowPatch(pos[a], pos[b], arrowstyle="-|>", mutation_scale=16,
                                shrinkA=shrink, shrinkB=shrink, connectionstyle="arc3,rad=0.12",
                                linestyle="--" if label == "waits for" else "-",
                                color=warn if hot else "grey", linewidth=2.4 if hot else 1.3)
        ax.add_patch(arrow)
        if crowded:  # no room for edge labels: the legend says what the arrows mean
            continue
        mx, my = (pos[a][0] + pos[b][0]) / 2, (pos[a][1] + pos[b][1]) / 2
        ax.text(mx * 1.18, my * 1.18, label, ha="center", va="center", fontsize=8.5,
                color=warn if hot else "dimgrey", style="italic")
    size, font = (1500, 7) if crowded else (2200, 8.5)
    for kind, name in order:
        x, y = pos[name]
        # Long names ("philosopher 3") are shortened to fit: the word's start and the number.
        label = name.replace(" ", "\n") if len(name) <= 10 else name[:5] + ".\n" + name.split()[-1]
        if kind == "thread":
            ax.scatter([x], [y], s=size, marker="o", color=PALETTE[0], zorder=3)
            ax.text(x, y, label, ha="center", va="center", color="white",
                    fontsize=font, fontweight="bold", zorder=4)
        else:
            ax.scatter([x], [y], s=size * 0.8, marker="s", color=PALETTE[1], zorder=3)
            ax.text(x, y, label, ha="center", va="center", color="black",
                    fontsize=font, fontweight="bold", zorder=4)
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-1.45, 1.45)
    ax.set_aspect("equal")
    legend = [Patch(color=PALETTE[0], label="thread"), Patch(color=PALETTE[1], label="lock"),
              plt.Line2D([], [], color="grey", linestyle="--", label="thread → lock: waits for"),
              plt.Line2D([], [], color="grey", label="lock → thread: held by (the thread holds it)")]
    if cycle:
        legend.append(plt.Line2D([], [], color=warn, linewidth=2.4, label="on the cycle: deadlock"))
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=8, ncol=2)
    return ax


def plot_fairness(reports: Sequence[FairnessReport], *, title: str | None = None):
    """Per lock type, side by side: acquisitions per thread (top) and the longest
    and median wait per thread (bottom, log scale).  A dashed line marks the
    equal share.

    Returns:
        The Axes, a 2 x len(reports) array.
    """
    reports = list(reports)
    with plt.rc_context(book_style):
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
    with plt.rc_context(book_style):
        fig, (ax, axq) = plt.subplots(2, 1, figsize=(8.0, 4.4), sharex=True, height_ratios=[2.2, 1.2],
                                      layout="constrained")
    events = list(report.events)
    threads = _lanes(["producer"] + sorted(e.thread for e in events if e.thread != "producer"))
    row = {t: k for k, t in enumerate(threads)}
    end = max((e.end for e in events), default=report.start)
    scale, unit = _time_unit(max(end - report.start, 1e-6))
    style = {"work": dict(color=PALETTE[2], edgecolor="white", linewidth=0.8), "put": dict(color=PALETTE[5], alpha=0.35, hatch="///"),
             "get": dict(color=PALETTE[4], alpha=0.35, hatch="...")}
    for e in events:
        ax.barh(row[e.thread], max((e.end - e.start) * scale, 1e-9), left=(e.start - report.start) * scale,
                height=0.7, **{"linewidth": 0, **style[e.kind]})
    ax.set_yticks(range(len(threads)), threads)
    ax.set_ylim(len(threads) - 0.4, -0.6)
    ax.grid(False, axis="y")
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


def plot_meals(meals: Sequence[int], ax: Axes | None = None, *, title: str = "Meals per philosopher") -> Axes:
    """A bar per philosopher: how many meals each one ate."""
    ax = _new_axes(ax, height=2.4)
    ax.bar([f"philosopher {i}" for i in range(len(meals))], list(meals),
           color=[worker_color(i) for i in range(len(meals))])
    ax.set_ylabel("meals eaten")
    ax.grid(False, axis="x")
    ax.tick_params(axis="x", labelsize=8.5)
    ax.set_title(title)
    return ax
