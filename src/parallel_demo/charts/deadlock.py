"""Charts for deadlock: meals per philosopher (the wait-for graph is in :mod:`.locks`)."""

from __future__ import annotations

from numbers import Integral
from typing import Sequence

from matplotlib.axes import Axes

from .._validate import check_items
from ._style import new_axes, worker_color


def _check_meals(meals: object) -> list[int]:
    if hasattr(meals, "meals") and not isinstance(meals, (list, tuple)):
        raise TypeError(f"meals must be a list of meal counts, got a {type(meals).__name__}; "
                        "pass its .meals, e.g. plot_meals(report.meals)")
    if isinstance(meals, dict):
        raise TypeError("meals must be a list of meal counts, one per seat (e.g. report.meals), "
                        "got a dict")
    meals = check_items("meals", meals, allow_empty=False)
    for m in meals:
        if isinstance(m, bool) or not isinstance(m, Integral):
            raise TypeError(f"meals must hold whole numbers of meals, e.g. [3, 0, 2]; got "
                            f"{type(m).__name__} {m!r:.40} in it")
        if m < 0:
            raise ValueError(f"meals must be counts >= 0, got {m}")
    return [int(m) for m in meals]


def plot_meals(meals: Sequence[int], ax: Axes | None = None, *, title: str = "Meals per philosopher") -> Axes:
    """A bar per philosopher: how many meals each one ate."""
    meals = _check_meals(meals)
    ax = new_axes(ax, height=2.4)
    ax.bar([f"philosopher {i}" for i in range(len(meals))], list(meals),
           color=[worker_color(i) for i in range(len(meals))])
    ax.set_ylabel("meals eaten")
    ax.grid(False, axis="x")
    ax.tick_params(axis="x", labelsize=8.5)
    ax.set_title(title)
    return ax
