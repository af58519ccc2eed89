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

#: Slider ranges: wide enough to see the effect, small enough that one run of
#: the worst setting (1 thread, highest latency) takes a few seconds at most.
_LATENCY = (0.01, 0.2, 0.01)
_WORKERS = (1, 16, 1)
_PAGES = 16


def explore_io(latency: float = 0.05, workers: int = 4, *, pages: int = _PAGES,
               max_concurrent: int | None = None, ax=None):
    """Fetch ``pages`` pages from a fresh server with a pool of ``workers`` threads; draw it.

    The title compares the wall time with what the pages would take one
    after another (``pages * latency``).

    Returns:
        The Axes of the timeline.
    """
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
    return slider_explorer(explore_io, {"latency": slider(latency, _LATENCY, "latency (s)"),
                                        "workers": slider(workers, _WORKERS, "threads")},
                           draw_now=draw_now)


def slider(value: float, bounds: tuple[float, float, float], description: str):
    """One slider that redraws on release: a FloatSlider when ``bounds`` hold a float, else an IntSlider.

    Args:
        value: Where it starts.
        bounds: ``(min, max, step)``.
    """
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
