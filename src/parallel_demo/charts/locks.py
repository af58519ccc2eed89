"""Charts for deadlock and starvation_and_fairness: who holds and who waits, and the wait-for graph.

They draw :class:`~parallel_demo.locks.LockRecord` lists and
:class:`~parallel_demo.locks.WaitForGraph` objects; compute nothing.
"""

from __future__ import annotations

import math
from typing import Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, Patch

from .._validate import check_items, check_number
from ..locks import LockRecord, WaitForGraph
from ._style import BOOK_STYLE, PALETTE, Bar, draw_lanes, new_axes, worker_color


def _check_records(records: object) -> list[LockRecord]:
    if hasattr(records, "records") and not isinstance(records, (list, tuple)):
        raise TypeError(f"records must be a list of LockRecord, got a {type(records).__name__}; "
                        "pass its .records, e.g. plot_lock_timeline(report.records)")
    records = check_items("records", records)
    for r in records:
        if not isinstance(r, LockRecord):
            raise TypeError(f"records must hold LockRecord objects (e.g. report.records or "
                            f"monitor.records), got {type(r).__name__} {r!r:.60} in it")
    return records


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
    records = _check_records(records)
    if t0 is not None:
        check_number("t0", t0)
    if end is not None:
        check_number("end", end)
    threads = sorted({r.thread for r in records})
    locks = sorted({r.lock for r in records})
    ax = new_axes(ax, height=max(1.8, 1.1 + 0.45 * len(threads)))
    if not records:
        ax.set_title(title)
        ax.text(0.5, 0.5, "no lock activity", ha="center", va="center", transform=ax.transAxes)
        return ax
    stamps = [x for r in records for x in (r.requested, r.acquired, r.released) if x is not None]
    t0 = min(stamps) if t0 is None else t0
    end = max(stamps) if end is None else end
    colour = {lock: worker_color(k) for k, lock in enumerate(locks)}
    row = {t: k for k, t in enumerate(threads)}
    by_lane: dict[str, list[LockRecord]] = {t: [] for t in threads}
    for r in records:
        by_lane[r.thread].append(r)
    bars, gave_up = [], []
    for thread, recs in by_lane.items():
        k = row[thread]
        # A thread holding two locks shows two thin bars, one above the other.
        held = sorted({r.lock for r in recs})
        h = 0.7 / max(1, len(held))
        for r in recs:
            wait_end = r.acquired if r.acquired is not None else (
                _next_stamp(recs, r) if r.timed_out else end)
            off = (held.index(r.lock) - (len(held) - 1) / 2) * h
            if wait_end > r.requested:
                bars.append(Bar(k, r.requested, wait_end, color=colour[r.lock], alpha=0.25,
                                hatch="///", offset=off, height=h * 0.9,
                                edgecolor=colour[r.lock]))
            if r.timed_out:
                gave_up.append((wait_end, k + off))
            if r.acquired is not None:
                stop = r.released if r.released is not None else end
                bars.append(Bar(k, r.acquired, stop, color=colour[r.lock], offset=off,
                                height=h * 0.9))
    scale, _ = draw_lanes(ax, bars, threads, t0=t0, span=max(end - t0, 1e-6), ylabel="thread")
    for when, y in gave_up:
        ax.plot((when - t0) * scale, y, marker="x", color="black", markersize=7, mew=2, zorder=4)
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
    if not isinstance(graph, WaitForGraph):
        hint = ("report.graph is None when no wait timed out: pass report.graph or WaitForGraph()"
                if graph is None else "pass report.graph (or monitor.graph())"
                if hasattr(graph, "graph") else "e.g. report.graph or monitor.graph()")
        raise TypeError(f"graph must be a WaitForGraph, got {type(graph).__name__} "
                        f"{graph!r:.60}; {hint}")
    crowded = len(set(graph.waits) | set(graph.holds.values()) | set(graph.holds)
                  | set(graph.waits.values())) > 6
    if ax is None:
        with plt.rc_context(BOOK_STYLE):
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


