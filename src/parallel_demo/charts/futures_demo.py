"""Charts for futures: what each future was doing, state by state, over time."""

from __future__ import annotations

from typing import Sequence

from matplotlib.patches import Patch

from ..futures_demo import FUTURE_STATES, FutureRecord, FutureTrace
from ._style import PALETTE, Bar, draw_lanes, new_axes

#: One colour per state (Okabe-Ito, as every chart in the book).
_STATE_COLORS = {
    "pending": "#BBBBBB",
    "running": PALETTE[0],
    "finished": PALETTE[2],
    "raised": PALETTE[5],
    "cancelled": PALETTE[3],
}


def plot_future_states(trace: FutureTrace | Sequence[FutureRecord], ax=None, *,
                       title: str = "What each future was doing",
                       t0: float | None = None, until: float | None = None):
    """One lane per future, coloured by state over time: pending, running, then the outcome.

    Args:
        trace: A finished :class:`FutureTrace`, or its records.
        ax: Where to draw; a new figure if None.
        t0: Time origin; defaults to the trace's start (first submission).
        until: Right end of the chart; defaults to the trace's end.

    Returns:
        The matplotlib Axes.
    """
    from .._validate import check_items, check_number

    for name, value in (("t0", t0), ("until", until)):
        if value is not None:
            check_number(name, value)
    if isinstance(trace, FutureTrace):
        records = trace.records
        t0 = trace.start if t0 is None else t0
        until = trace.end if until is None else until
    else:
        try:
            records = check_items("trace", trace)
        except TypeError:
            raise TypeError(f"trace must be a FutureTrace or its records (trace.records), got "
                            f"{type(trace).__name__} {trace!r:.60}") from None
        for r in records:
            if not isinstance(r, FutureRecord):
                raise TypeError(f"trace must be a FutureTrace or a list of FutureRecords "
                                f"(trace.records), got a {type(r).__name__} {r!r:.40} in it")
    ax = new_axes(ax, height=max(1.8, 1.0 + 0.34 * len(records)))
    if not records:
        ax.set_title(title)
        ax.text(0.5, 0.5, "no futures", ha="center", va="center", transform=ax.transAxes)
        return ax
    t0 = min(r.submitted for r in records) if t0 is None else t0
    last = max(max(r.done or r.submitted, r.started or r.submitted) for r in records)
    until = max(until or last, last)
    until += 0.03 * (until - t0)  # room for the last marker
    bars = []
    for k, r in enumerate(records):
        for state, a, b in r.segments(until):
            after = state in ("finished", "raised", "cancelled")
            bars.append(Bar(k, a, b, color=_STATE_COLORS[state], alpha=0.45 if after else 1.0,
                            height=0.35 if after else 0.7))
    scale, unit = draw_lanes(ax, bars, [f"{r.index}: {r.label}" for r in records], t0=t0,
                             span=until - t0, ylabel=None)
    for k, r in enumerate(records):
        if r.done is not None:
            marker = {"finished": "o", "raised": "X", "cancelled": "x"}.get(r.outcome, "o")
            ax.plot((r.done - t0) * scale, k, marker, color=_STATE_COLORS.get(r.outcome, "grey"),
                    markersize=8, markeredgewidth=1.0 if marker == "X" else 2.0,
                    markeredgecolor="white" if marker != "x" else None, zorder=3)
    ax.set_xlim(-(until - t0) * scale * 0.015, (until - t0) * scale)  # room for marks at 0
    ax.set_xlabel(f"time since the first submit ({unit})")
    used = [s for s in FUTURE_STATES if any(seg[0] == s for r in records for seg in r.segments(until))]
    ax.legend(handles=[Patch(color=_STATE_COLORS[s], label=s) for s in used],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
    ax.set_title(title)
    return ax
