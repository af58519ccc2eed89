"""Charts for race_conditions' interleaving explorer: one schedule, many schedules, their outcomes.

These draw time *slots* (one step per slot), not seconds, so they lay out
their own boxes instead of using the timeline lane drawer.
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt

from .._validate import check_choice, check_items
from ..interleave import Execution, Exploration
from ._style import BOOK_STYLE, PALETTE, new_axes, text_color, worker_color


_BLOCKED = "#BBBBBB"


def _check_execution(execution: object) -> Execution:
    if isinstance(execution, Exploration):
        raise TypeError("execution must be one Execution, got an Exploration (all of them); "
                        "pass one of its executions, e.g. exploration.executions[0], or use "
                        "plot_interleavings(exploration)")
    if not isinstance(execution, Execution):
        raise TypeError(f"execution must be an Execution, e.g. run_schedule([a, b], 'AABB'); "
                        f"got {type(execution).__name__} {execution!r:.60}")
    return execution


def _check_var(name: str, var: object, runs: Sequence[Execution]) -> None:
    """``var`` must name a shared variable of the runs (else every value drawn is None)."""
    known = sorted({k for r in runs for k in r.final}, key=str)
    if not isinstance(var, str):
        raise TypeError(f"{name} must be the name of a shared variable (a str), one of "
                        f"{', '.join(map(repr, known))}; got {type(var).__name__} {var!r:.60}")
    check_choice(name, var, known)



def plot_execution(execution: Execution, ax=None, *, title: str | None = None,
                   shared: str | None = None):
    """One lane per thread, one box per step: a schedule as a timeline.

    Each box shows the step and what it did (``read counter`` / ``tmp = 0``);
    a hatched grey box is a thread waiting for a lock.  Above the lanes, the
    shared variable ``shared`` (default: the first one) after every slot.

    Returns:
        The Axes drawn on.
    """
    execution = _check_execution(execution)
    if shared is not None:
        _check_var("shared", shared, [execution])
    threads = execution.threads
    n = len(execution.events)
    var = shared or next(iter(execution.final), None)
    if ax is None:
        with plt.rc_context(BOOK_STYLE):
            fig, ax = plt.subplots(figsize=(max(5.0, min(9.6, 1.05 * n + 1.2)),
                                            0.9 + 0.75 * (len(threads) + 1)),
                                   layout="constrained")
        ax.spines[["top", "right"]].set_visible(False)
    top = -1  # the row above the lanes holds the shared variable
    size = 7.5 if n <= 8 else 6.5  # long schedules get narrower boxes
    for e in execution.events:
        step = threads[e.thread].steps[e.step]
        face = _BLOCKED if e.blocked else worker_color(e.thread)
        ax.add_patch(plt.Rectangle((e.slot + 0.04, e.thread - 0.38), 0.92, 0.76, facecolor=face,
                                   edgecolor="white", hatch="///" if e.blocked else None,
                                   linewidth=0.8))
        color = "black" if e.blocked else text_color(e.thread)
        # Text on the hatched "waiting" boxes gets a pale backing so it stays readable.
        backing = dict(facecolor="white", alpha=0.8, edgecolor="none", pad=0.8) if e.blocked else None
        ax.text(e.slot + 0.5, e.thread - 0.13, step.label, ha="center", va="center",
                fontsize=size, color=color, fontweight="bold", bbox=backing)
        ax.text(e.slot + 0.5, e.thread + 0.17, "waits" if e.blocked else e.text,
                ha="center", va="center", fontsize=size, color=color, bbox=backing)
        if var is not None:
            before = execution.events[e.slot - 1].shared.get(var) if e.slot else None
            now_ = e.shared.get(var)
            changed = e.slot == 0 or now_ != before
            ax.text(e.slot + 0.5, top, f"{now_!r}", ha="center", va="center", fontsize=9,
                    color="black" if changed else "#999999",
                    fontweight="bold" if changed else "normal")
    ax.set_xlim(0, max(n, 1))
    ax.set_ylim(len(threads) - 0.5, top - 0.6)
    ax.set_yticks([top, *range(len(threads))],
                  [f"{var} =" if var else "", *(f"thread {t.name}" for t in threads)])
    ax.set_xticks([k + 0.5 for k in range(n)], [str(k + 1) for k in range(n)])
    ax.set_xlabel("time slot (one step per slot)")
    ax.tick_params(axis="both", length=0)
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    if title is None:
        state = ", ".join(f"{k} = {v!r}" for k, v in execution.final.items())
        title = f"schedule {execution.names}: {'deadlock' if execution.deadlocked else state}"
    ax.set_title(title)
    return ax


_LETTER = {"read": "R", "compute": "+", "write": "W", "acquire": "A", "release": "L"}


def plot_interleavings(exploration: Exploration | Sequence[Execution], var: str = "counter",
                       expected: Any = None, ax=None, *, title: str | None = None):
    """Every interleaving at a glance: one row per schedule, one cell per step.

    Cells are coloured by thread and lettered R (read), + (compute),
    W (write), A (acquire), L (release: let go).  The final value of ``var``
    is written at the end of each row, in vermilion with a ✘ when it is not
    ``expected``.

    Returns:
        The Axes drawn on.
    """
    from matplotlib.patches import Patch

    if isinstance(exploration, Execution):
        raise TypeError("exploration must be an Exploration (or a list of Executions), got one "
                        "Execution; use plot_execution(execution) for one schedule")
    runs = check_items("exploration", exploration)
    if not runs:
        raise ValueError("nothing to draw: the exploration has no executions; pass what "
                         "explore([...]) returned")
    for r in runs:
        if not isinstance(r, Execution):
            raise TypeError(f"exploration must hold Executions (e.g. explore([a, b])), got "
                            f"{type(r).__name__} {r!r:.60} in it")
    _check_var("var", var, runs)
    threads = runs[0].threads
    width = max(len(r.events) for r in runs)
    if ax is None:
        with plt.rc_context(BOOK_STYLE):
            fig, ax = plt.subplots(figsize=(min(10.0, 2.6 + 0.42 * width), 0.9 + 0.24 * len(runs)),
                                   layout="constrained")
    for row, r in enumerate(runs):
        for e in r.events:
            step = threads[e.thread].steps[e.step]
            ax.add_patch(plt.Rectangle((e.slot + 0.05, row - 0.42), 0.9, 0.84,
                                       facecolor=_BLOCKED if e.blocked else worker_color(e.thread),
                                       edgecolor="white", linewidth=0.5))
            ax.text(e.slot + 0.5, row, _LETTER[step.kind], ha="center", va="center", fontsize=7,
                    color=text_color(e.thread))
        value = "deadlock" if r.deadlocked else r.final.get(var)
        bad = expected is not None and value != expected
        ax.text(width + 0.3, row, f"{var} = {value}" + ("  ✘" if bad else ""), va="center",
                fontsize=8, color=PALETTE[5] if bad else "black",
                fontweight="bold" if bad else "normal")
    ax.set_xlim(0, width + 3.2)
    ax.set_ylim(len(runs) - 0.5, -0.5)
    ax.set_yticks(range(len(runs)), [str(r.names) if isinstance(r.names, str) else "" for r in runs],
                  fontsize=7, family="monospace")
    ax.set_xticks([k + 0.5 for k in range(width)], [str(k + 1) for k in range(width)], fontsize=7)
    ax.set_xlabel("time slot")
    ax.set_ylabel("schedule")
    ax.tick_params(axis="both", length=0)
    ax.grid(False)
    for side in ax.spines:
        ax.spines[side].set_visible(False)
    ax.legend(handles=[Patch(color=worker_color(k), label=f"thread {t.name}")
                       for k, t in enumerate(threads)],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.set_title(title or f"All {len(runs)} interleavings")
    return ax


def plot_outcomes(exploration: Exploration, var: str = "counter", expected: Any = None, ax=None, *,
                  title: str | None = None):
    """How many interleavings end in each final value of ``var`` (a bar per value).

    Returns:
        The Axes drawn on.
    """
    if not isinstance(exploration, Exploration):
        raise TypeError(f"exploration must be an Exploration, what explore([...]) returns; got "
                        f"{type(exploration).__name__} {exploration!r:.60}")
    _check_var("var", var, exploration.executions)
    counts = exploration.outcomes(var)
    keys = sorted(counts, key=lambda v: (isinstance(v, str), v))
    ax = new_axes(ax, height=2.6)
    colors = [PALETTE[2] if (expected is not None and k == expected) else PALETTE[5] for k in keys]
    bars = ax.bar([str(k) for k in keys], [counts[k] for k in keys], color=colors, width=0.6)
    ax.bar_label(bars, padding=2)
    ax.set_xlabel(f"final value of {var}")
    ax.set_ylabel("interleavings")
    ax.set_ylim(0, max(counts.values()) * 1.18)
    ax.grid(False, axis="x")
    ax.set_title(title or f"Outcomes of {len(exploration)} interleavings")
    return ax
