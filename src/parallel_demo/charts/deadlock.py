"""Charts for deadlock: meals per philosopher (the wait-for graph is in :mod:`.locks`)."""

from __future__ import annotations

from typing import Sequence

from matplotlib.axes import Axes

from ._style import new_axes, worker_color


def plot_meals(meals: Sequence[int], ax: Axes | None = None, *, title: str = "Meals per philosopher") -> Axes:
    """A bar per philosopher: how many meals each one ate."""
    ax = new_axes(ax, height=2.4)
    ax.bar([f"philosopher {i}" for i in range(len(meals))], list(meals),
           color=[worker_color(i) for i in range(len(meals))])
    ax.set_ylabel("meals eaten")
    ax.grid(False, axis="x")
    ax.tick_params(axis="x", labelsize=8.5)
    ax.set_title(title)
    return ax
