"""Part IV's charts draw what they are given, label it, and return the Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.axes import Axes

from parallel_demo import Measurement, SizePoint, plot_chunksize, plot_size_sweep, plot_timing_spread


def _m(label, times):
    return Measurement(label, tuple(times))


def test_plot_timing_spread_draws_every_run_and_the_median():
    m = _m("loop", [40e-6] * 90 + [80e-6] * 9 + [4e-3])
    ax = plot_timing_spread(m, reference=3.1e-4, reference_label="the post")
    assert isinstance(ax, Axes)
    heights = sum(p.get_height() for p in ax.patches)
    assert heights == pytest.approx(100)          # every run is in a bar
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert "µs" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["median of 100 runs", "the post"]
    assert ax.lines[0].get_xdata()[0] == pytest.approx(40.0)   # median, in µs


def test_plot_timing_spread_on_given_axes():
    fig, ax = plt.subplots()
    assert plot_timing_spread(_m("x", [1e-3, 2e-3, 3e-3]), ax=ax, title="T") is ax
    assert ax.get_title() == "T"


def _points():
    out = []
    for name, per in (("sequential", 0.002), ("process_pool", 0.001)):
        for size in (2, 8, 32):
            base = 0.2 if name == "process_pool" else 0.0
            t = base + per * size
            out.append(SizePoint(name, size, _m(name, [t * 0.9, t, t * 1.2])))
    return out


def test_plot_size_sweep_one_line_per_strategy_on_log_axes():
    ax = plot_size_sweep(_points(), xlabel="numbers", mark=8, mark_label="crossover")
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sequential", "process_pool"]
    assert ax.get_xlabel() == "numbers (log scale)"
    assert any(t.get_text().strip() == "crossover" for t in ax.texts)
    seq_line = ax.lines[0]
    assert list(seq_line.get_xdata()) == [2, 8, 32]
    assert list(seq_line.get_ydata()) == pytest.approx([0.004, 0.016, 0.064])


def test_plot_chunksize_median_per_chunksize_and_baseline():
    ms = [_m(f"chunksize {c}", [t, t * 1.1, t * 0.9]) for c, t in ((1, 0.8), (16, 0.1), (256, 0.05))]
    ax = plot_chunksize(ms, [1, 16, 256], baseline=_m("the loop", [0.04, 0.05, 0.06]))
    assert ax.get_xscale() == "log"
    assert list(ax.lines[0].get_ydata()) == pytest.approx([800, 100, 50])   # medians, in ms
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["process pool, median",
                                                                    "the loop, median"]
    assert "ms" in ax.get_ylabel()


def test_plot_chunksize_needs_one_chunksize_per_measurement():
    with pytest.raises(ValueError, match="one chunksize per measurement"):
        plot_chunksize([_m("a", [1.0])], [1, 2])


@pytest.mark.parametrize("gil", [True, False])
def test_the_thread_prediction_chart_draws_ideal_cpus_gil_measurement_and_guess(gil):
    from parallel_demo import plot_thread_prediction
    from parallel_demo.scaling import PredictionRun

    ax = plot_thread_prediction(PredictionRun(2.5, 4, 0.0, 0.9, 0.85, 0.95, 2), gil=gil,
                                title="4 threads, one per big prime")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "your prediction" in labels and "measured: median, range of the rounds" in labels
    assert "ideal (speedup = threads)" in labels
    assert "your 2 CPUs: the most that can execute" in labels
    assert ("one thread at a time (the GIL)" in labels) is gil
    assert ax.get_xlabel() == "threads" and "speedup" in ax.get_ylabel()
    assert ax.get_title() == "4 threads, one per big prime"
    assert ax.get_ylim()[1] >= 4  # the ideal at 4 threads is on the chart
