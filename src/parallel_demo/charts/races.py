"""Charts for race_conditions: lost updates, run after run."""

from __future__ import annotations

import random
from typing import Mapping, Sequence

from .._validate import check_items
from ..races import RaceResult
from ._style import new_axes, worker_color


def _check_runs(runs: object) -> dict[str, list[RaceResult]]:
    if not callable(getattr(runs, "items", None)):
        raise TypeError(f"runs must be a dict {{label: [RaceResult, ...]}}, e.g. "
                        f"{{'naive': race_runs('naive')}}; got {type(runs).__name__} {runs!r:.60}")
    if not runs:
        raise ValueError("runs must hold at least one kind, e.g. {'naive': race_runs('naive')}")
    out = {}
    for label, results in runs.items():
        results = check_items(f"runs[{label!r}]", results)
        for r in results:
            if not isinstance(r, RaceResult):
                raise TypeError(f"runs[{label!r}] must hold RaceResult objects, what race() and "
                                f"race_runs() return; got {type(r).__name__} {r!r:.60}")
        out[label] = results
    return out


def plot_lost_updates(runs: Mapping[str, Sequence[RaceResult]], ax=None, *,
                      title: str = "Lost updates, run after run"):
    """One row per kind of increment, one dot per run: the share of updates that vanished.

    Shares (not counts) are drawn, so kinds run with different numbers of
    increments line up on one axis.

    Args:
        runs: ``{label: [RaceResult, ...]}``, e.g. from :func:`race_runs`.

    Returns:
        The Axes drawn on.
    """
    runs = _check_runs(runs)
    labels = list(runs)
    ax = new_axes(ax, height=max(1.8, 0.9 + 0.5 * len(labels)))
    rng = random.Random(0)  # fixed jitter, so equal values stay visible as a cloud
    for k, label in enumerate(labels):
        results = list(runs[label])
        xs = [100 * r.lost_share for r in results]
        ys = [k + rng.uniform(-0.2, 0.2) for _ in results]
        ax.plot(xs, ys, "o", color=worker_color(k), alpha=0.7, markersize=6,
                markeredgecolor="white", markeredgewidth=0.5)
    ax.axvline(0, color="#555555", linewidth=1.0, linestyle="--", zorder=0)
    ax.text(0, -0.62, " exact", color="#555555", fontsize=8, va="bottom")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.7)
    ax.set_xlim(-3, 103)
    ax.set_xlabel("updates lost in a run (% of all updates; 0 = exact)")
    ax.grid(False, axis="y")
    ax.set_title(title)
    return ax
