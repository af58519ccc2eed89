"""threads_for_io: explorers: sliders around the same library calls a reader could make by hand.

A widget only wraps: its callback calls :class:`~parallel_demo.server.LatencyServer`,
:func:`~parallel_demo.fetch.fetch_all` and
:func:`~parallel_demo.charts.plot_timeline`, nothing else.  Each explorer has
a plain function behind it (``explore_io``), which the book calls first with
the default settings to show a static chart, because the published HTML has
no kernel to run the sliders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from numbers import Real

from ._validate import check_callable, check_int, check_items, check_number, check_seconds

#: Slider ranges: wide enough to see the effect, small enough that one run of
#: the worst setting (1 thread, highest latency) takes a few seconds at most.
_LATENCY = (0.01, 0.2, 0.01)
_WORKERS = (1, 16, 1)
_PAGES = 16

#: What explore_io accepts by hand: beyond these one call would look like a hang.
_MAX_LATENCY = 5.0
_MAX_THREADS = 64
_MAX_PAGES = 1000


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} "
                        f"{value!r:.60}")
    return value


def _check_ax(ax: object) -> object:
    """``ax`` if it is None or a matplotlib Axes (checked before anything is drawn)."""
    if ax is not None:
        from matplotlib.axes import Axes

        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes or None (a new figure), got "
                            f"{type(ax).__name__} {ax!r:.60}; pass e.g. plt.subplots()[1]")
    return ax


def _check_start(name: str, value: object, bounds: tuple) -> None:
    """A slider's starting value: of the slider's kind and inside its range (else it is clamped)."""
    lo, hi, _ = bounds
    if any(isinstance(b, float) for b in bounds):
        check_number(name, value, low=lo, high=hi)
    else:
        check_int(name, value, minimum=lo, maximum=hi,
                  hint=f"the slider goes from {lo} to {hi}")


def explore_io(latency: float = 0.05, workers: int = 4, *, pages: int = _PAGES,
               max_concurrent: int | None = None, ax=None):
    """Fetch ``pages`` pages from a fresh server with a pool of ``workers`` threads; draw it.

    The title compares the wall time with what the pages would take one
    after another (``pages * latency``).

    Returns:
        The Axes of the timeline.
    """
    latency = check_seconds("latency", latency, allow_zero=True, maximum=_MAX_LATENCY)
    workers = check_int("workers", workers, minimum=1, maximum=_MAX_THREADS)
    pages = check_int("pages", pages, minimum=1, maximum=_MAX_PAGES)
    if max_concurrent is not None:
        max_concurrent = check_int("max_concurrent", max_concurrent, minimum=1,
                                   hint="or None for no server limit")
    _check_ax(ax)
    from .charts.timeline import plot_timeline
    from .fetch import fetch_all
    from .server import LatencyServer

    with LatencyServer(latency=latency, max_concurrent=max_concurrent) as srv:
        result = fetch_all("thread_pool", srv.urls(pages), workers=workers)
    limit = "" if max_concurrent is None else f", server limit {max_concurrent}"
    title = (f"{pages} pages, {workers} thread{'s' * (workers != 1)}, latency "
             f"{latency * 1e3:.0f} ms{limit}: {result.wall:.2f} s "
             f"(one after another ≥ {pages * latency:.2f} s)")
    return plot_timeline(result, ax=ax, title=title)


def io_explorer(latency: float = 0.05, workers: int = 4, *, draw_now: bool = True):
    """Sliders for latency and threads; each change runs :func:`explore_io` again.

    Args:
        latency: Where the latency slider starts, in seconds.
        workers: Where the threads slider starts.
        draw_now: Run and draw the starting settings at once.  Pass False
            when the same chart is already on the page just above.

    Returns:
        An ``ipywidgets.interactive`` widget (display it as a cell's last line).
    """
    _check_start("latency", latency, _LATENCY)
    _check_start("workers", workers, _WORKERS)
    _check_bool("draw_now", draw_now)
    return slider_explorer(explore_io, {"latency": slider(latency, _LATENCY, "latency (s)"),
                                        "workers": slider(workers, _WORKERS, "threads")},
                           draw_now=draw_now)


def slider(value: float, bounds: tuple[float, float, float], description: str):
    """One slider that redraws on release: a FloatSlider when ``bounds`` hold a float, else an IntSlider.

    Args:
        value: Where it starts.
        bounds: ``(min, max, step)``.
    """
    bounds = check_items("bounds", bounds)
    if len(bounds) != 3:
        raise ValueError(f"bounds must be (min, max, step), three numbers, got {len(bounds)}: "
                         f"{bounds!r:.60}; pass e.g. (1, 16, 1) or (0.0, 0.5, 0.01)")
    for b in bounds:
        if isinstance(b, bool) or not isinstance(b, Real):
            raise TypeError(f"bounds must hold numbers (min, max, step), got "
                            f"{type(b).__name__} {b!r:.60}; pass e.g. (1, 16, 1)")
    lo, hi, step = (check_number("bounds", float(b)) for b in bounds)
    if not lo < hi:
        raise ValueError(f"bounds must have min < max, got min={lo:g}, max={hi:g}")
    if step <= 0:
        raise ValueError(f"bounds must have a step > 0, got {step:g}")
    if not isinstance(description, str):
        raise TypeError(f"description must be a str (the slider's label), got "
                        f"{type(description).__name__} {description!r:.60}")
    _check_start("value", value, tuple(bounds))
    import ipywidgets as widgets

    lo, hi, step = bounds
    if any(isinstance(b, float) for b in bounds):
        return widgets.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                                   readout_format=".2f", continuous_update=False)
    return widgets.IntSlider(value=value, min=lo, max=hi, step=step, description=description,
                             continuous_update=False)


def slider_explorer(draw: Callable[..., object], sliders: Mapping[str, object], *,
                    draw_now: bool = True):
    """An ``ipywidgets.interactive`` whose every change calls ``draw(**values)`` and shows its chart.

    The one pattern behind every explorer of the book: ``draw`` takes the
    sliders' values as keywords and returns the Axes it drew on; the figure
    is shown, then closed, so redrawing does not pile up figures.

    Args:
        draw: ``draw(**values) -> Axes``.
        sliders: ``{keyword: widget}``, in the order they are shown.
        draw_now: Draw the starting values at once.  Pass False when the
            same chart is already on the page just above.
    """
    check_callable("draw", draw, hint="pass the drawing function itself, e.g. explore_io")
    if not isinstance(sliders, Mapping):
        raise TypeError(f"sliders must be a dict {{keyword: widget}}, got "
                        f"{type(sliders).__name__} {sliders!r:.60}; pass e.g. "
                        "{'workers': slider(4, (1, 16, 1), 'threads')}")
    if not sliders:
        raise ValueError("sliders must hold at least one {keyword: widget}; pass e.g. "
                         "{'workers': slider(4, (1, 16, 1), 'threads')}")
    for key in sliders:
        if not (isinstance(key, str) and key.isidentifier()):
            raise TypeError(f"sliders must have keyword names (str) as keys, got {key!r:.60}")
    _check_bool("draw_now", draw_now)
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    # interactive() calls show() once while it is built, with the starting values.
    skip_first = [not draw_now]

    def show(**values) -> None:
        if skip_first[0]:
            skip_first[0] = False
            return
        ax = draw(**values)
        plt.show()
        plt.close(ax.figure)

    return widgets.interactive(show, **sliders)
