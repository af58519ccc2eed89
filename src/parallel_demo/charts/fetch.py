"""Charts for threads_for_io: measured throughput against Little's law."""

from __future__ import annotations

from typing import Sequence

from .._validate import check_int, check_items
from ..fetch import ThroughputRow
from ._style import PALETTE, new_axes


def plot_throughput(rows: Sequence[ThroughputRow], ax=None, *, max_concurrent: int | None = None,
                    title: str = "Throughput against threads"):
    """Measured requests per second per pool size, and Little's law's line.

    Returns:
        The Axes drawn on.
    """
    rows = check_items("rows", rows, allow_empty=False)
    for r in rows:
        if not isinstance(r, ThroughputRow):
            raise TypeError(f"rows must be what measure_throughput() returned (ThroughputRow "
                            f"objects), got {type(r).__name__} {r!r:.40} in it")
    if max_concurrent is not None:
        check_int("max_concurrent", max_concurrent, minimum=1,
                  hint="pass the server's limit, or leave it out (None)")
    ax = new_axes(ax)
    xs = [r.workers for r in rows]
    ax.plot(xs, [r.predicted for r in rows], ":", color="grey", marker="",
            label="Little's law: min(threads, c) / latency")
    ax.plot(xs, [r.throughput for r in rows], "o-", color=PALETTE[0], label="measured")
    if max_concurrent is not None:
        ax.axvline(max_concurrent, color=PALETTE[5], linestyle="--", linewidth=1)
        ax.text(max_concurrent, 0.02, f" server limit c = {max_concurrent}", color=PALETTE[5],
                ha="left", va="bottom", transform=ax.get_xaxis_transform(), fontsize=9)
    ax.set_xticks(sorted(set(xs)))
    ax.set_xlabel("threads in the client's pool")
    ax.set_ylabel("requests per second")
    ax.set_ylim(bottom=0, top=max([r.predicted for r in rows] + [r.throughput for r in rows]) * 1.15)
    ax.legend(loc="lower right")
    ax.set_title(title)
    return ax
