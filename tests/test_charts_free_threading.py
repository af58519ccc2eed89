"""The free-threading chapter's charts draw what they are given, label it, and return the Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from parallel_demo import plot_build_scaling, plot_pool_costs, plot_speedup_guess
from parallel_demo.free_threading import Scaling
from parallel_demo.interpreters import PoolCost
from parallel_demo.timing import Measurement


def _scaling(label, strategies=("thread_pool", "process_pool"), cpus=2):
    base = Measurement("sequential", (1.0, 1.0, 1.0), 1)
    runs = {(s, 2): Measurement(f"{s} ×2", (0.5, 0.52, 0.51) if s != "thread_pool"
                                else (1.0, 1.01, 0.99), 2) for s in strategies}
    return Scaling(label, cpus, 8, base, runs)


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_scaling_chart_labels_and_markers():
    ax = plot_build_scaling(_scaling("CPython 3.11.7, GIL build"))
    assert isinstance(ax, Axes) and ax.get_title().startswith("Checking primes")
    assert "workers" in ax.get_xlabel() and "speedup" in ax.get_ylabel()
    labels = _legend(ax)
    assert labels[:2] == ["thread_pool", "process_pool"]
    assert any("measured here:\nCPython 3.11.7, GIL build" == t for t in labels)
    assert "ideal: min(workers, 2 CPUs)" in labels
    filled = [ln for ln in ax.lines if ln.get_marker() == "o" and ln.get_markerfacecolor() != "white"]
    hollow = [ln for ln in ax.lines if ln.get_marker() == "o" and ln.get_markerfacecolor() == "white"]
    assert len(filled) >= 1 and len(hollow) >= 1   # process pool won, thread pool tied


def test_scaling_chart_with_a_reference_run():
    ref = _scaling("CPython 3.14.10, GIL build", ("thread_pool", "process_pool",
                                                  "interpreter_pool"))
    ax = plot_build_scaling(_scaling("here"), reference=ref)
    labels = _legend(ax)
    assert "interpreter_pool" in labels and "recorded:\nCPython 3.14.10, GIL build" in labels
    assert any(ln.get_marker() == "s" for ln in ax.lines)


def test_pool_costs_chart():
    def cost(s, start, many):
        return PoolCost(s, Measurement("1", (start,) * 3), Measurement("n", (many,) * 3), 40, 1e-4)
    fig, ax = plt.subplots()
    out = plot_pool_costs([cost("thread_pool", 1e-3, 2e-3), cost("process_pool", 0.06, 0.1)],
                          ax=ax, reference=[cost("interpreter_pool", 0.05, 0.06)],
                          reference_label="recorded on CPython 3.14.10")
    assert out is ax and ax.get_xscale() == "log" and "log scale" in ax.get_xlabel()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[-1] == "interpreter_pool\n(recorded on CPython 3.14.10)"
    assert len(ax.patches) == 6 and any(p.get_hatch() for p in ax.patches)


def test_speedup_guess_chart():
    ax = plot_speedup_guess(2.0, 1.02, 0.9, 1.1)
    assert _legend(ax) == ["your prediction", "measured (median)", "measured range"] or \
        set(_legend(ax)) == {"your prediction", "measured (median)", "measured range"}
    assert ax.get_xlim()[1] >= 2.0 and "speedup" in ax.get_xlabel()
