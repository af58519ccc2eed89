"""Chapter "How fast can it get?": the explorer, sliders for the serial fraction and the workers.

A widget only wraps: its callback calls :func:`~parallel_demo.scaling.law_curves`
and :func:`~parallel_demo.charts.scaling.plot_laws`, nothing else.
:func:`explore_amdahl` is the plain function behind it, which the book calls
first with the default settings, because the published HTML has no kernel to
move the sliders.
"""

from __future__ import annotations

from .scaling import law_curves


#: Slider ranges (start, stop, step).
_SERIAL = (0.0, 0.5, 0.01)
_WORKERS = (1, 64, 1)


def explore_amdahl(serial_fraction: float = 0.1, workers: int = 8, *, cpus: int | None = None,
                   ax=None):
    """Draw Amdahl and Gustafson for ``serial_fraction``, with ``workers`` marked.

    Args:
        cpus: Mark a CPU count (pass ``effective_cpus()``), or None for none.

    Returns:
        The Axes.
    """
    from ._validate import check_int, check_number
    from .widgets import _check_ax

    check_number("serial_fraction", serial_fraction, low=0.0, high=1.0)
    check_int("workers", workers, minimum=1, maximum=4096)
    if cpus is not None:
        check_int("cpus", cpus, minimum=1, hint="pass effective_cpus(), or None for no mark")
    _check_ax(ax)
    from .charts.scaling import plot_laws

    return plot_laws(law_curves(serial_fraction, workers, cpus=cpus), ax=ax)


def amdahl_explorer(serial_fraction: float = 0.1, workers: int = 8, *, cpus: int | None = None,
                    draw_now: bool = True):
    """Sliders for the serial fraction and the workers; each change redraws :func:`explore_amdahl`.

    Args:
        draw_now: Draw the starting settings at once.  Pass False when the
            same chart is already on the page just above.

    Returns:
        An ``ipywidgets.interactive`` widget (display it as a cell's last line).
    """
    from functools import partial

    from ._validate import check_int
    from .widgets import _check_bool, _check_start, slider, slider_explorer

    _check_start("serial_fraction", serial_fraction, _SERIAL)
    _check_start("workers", workers, _WORKERS)
    if cpus is not None:
        check_int("cpus", cpus, minimum=1, hint="pass effective_cpus(), or None for no mark")
    _check_bool("draw_now", draw_now)

    return slider_explorer(partial(explore_amdahl, cpus=cpus),
                           {"serial_fraction": slider(serial_fraction, _SERIAL, "serial s"),
                            "workers": slider(workers, _WORKERS, "workers")},
                           draw_now=draw_now)
