"""The I/O explorer: the plain function draws the run; the widget wraps it."""


import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from parallel_demo import explore_io, io_explorer




@pytest.mark.timeout(30)
def test_explore_io_draws_one_lane_per_thread():
    ax = explore_io(latency=0.02, workers=3, pages=6)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["thread 0", "thread 1", "thread 2"]
    assert len(ax.patches) == 6  # one bar per page
    assert "6 pages, 3 threads, latency 20 ms" in ax.get_title()


@pytest.mark.timeout(30)
def test_explore_io_with_a_server_limit():
    ax = explore_io(latency=0.02, workers=4, pages=4, max_concurrent=2)
    assert "server limit 2" in ax.get_title()


@pytest.mark.timeout(60)
def test_io_explorer_sliders_call_explore_io(monkeypatch):
    calls = []
    import parallel_demo.widgets as w

    real = w.explore_io

    def spy(latency, workers, **kw):
        calls.append((latency, workers))
        return real(latency, workers, pages=4, **kw)

    monkeypatch.setattr(w, "explore_io", spy)
    widget = io_explorer(latency=0.02, workers=2)
    names = {c.description: c for c in widget.children if hasattr(c, "description")}
    assert set(names) >= {"latency (s)", "threads"}
    assert names["threads"].min == 1 and names["threads"].max >= 8
    assert not names["threads"].continuous_update  # a run per release, not per pixel
    calls.clear()
    names["threads"].value = 3  # moving a slider re-runs the same library call
    assert calls and calls[-1] == (0.02, 3)


@pytest.mark.timeout(60)
def test_io_explorer_draw_now_false_skips_only_the_first_run(monkeypatch):
    calls = []
    import parallel_demo.widgets as w

    monkeypatch.setattr(w, "explore_io", lambda latency, workers: calls.append(workers)
                        or plt.figure().gca())
    widget = io_explorer(latency=0.02, workers=2, draw_now=False)
    assert calls == []  # the starting values are not drawn again
    names = {c.description: c for c in widget.children if hasattr(c, "description")}
    names["threads"].value = 5
    assert calls == [5]
    io_explorer(latency=0.02, workers=3)  # default: drawn at once
    assert calls == [5, 3]


def test_slider_picks_its_kind_from_the_bounds():
    from ipywidgets import FloatSlider, IntSlider

    from parallel_demo import slider

    s = slider(0.05, (0.01, 0.2, 0.01), "latency (s)")
    assert isinstance(s, FloatSlider) and (s.min, s.max, s.value) == (0.01, 0.2, 0.05)
    n = slider(4, (1, 16, 1), "threads")
    assert isinstance(n, IntSlider) and n.description == "threads"
    assert not s.continuous_update and not n.continuous_update


@pytest.mark.timeout(60)
def test_amdahl_explorer_passes_the_cpus_and_redraws_on_change(monkeypatch):
    import parallel_demo.widgets_scaling as ws
    from parallel_demo import amdahl_explorer

    calls = []

    def spy(serial_fraction, workers, *, cpus=None):
        calls.append((serial_fraction, workers, cpus))
        return plt.figure().gca()

    monkeypatch.setattr(ws, "explore_amdahl", spy)
    widget = amdahl_explorer(0.2, 4, cpus=2, draw_now=False)
    assert calls == []
    names = {c.description: c for c in widget.children if hasattr(c, "description")}
    names["workers"].value = 8
    assert calls == [(0.2, 8, 2)]
    plt.close("all")
