"""Charts draw what they are given and return their Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

import parallel_demo as pd
from parallel_demo import Measurement, TaskRecord, plot_comparison, plot_speedup, plot_timeline
from parallel_demo import RunResult


def records():
    return [TaskRecord(i, f"thread {i % 2}", 1, i % 2, start=i * 0.1, end=i * 0.1 + 0.15)
            for i in range(4)]


def test_timeline_draws_one_lane_per_worker_and_one_bar_per_task():
    ax = plot_timeline(records())
    assert [t.get_text() for t in ax.get_yticklabels()] == ["thread 0", "thread 1"]
    assert len(ax.patches) == 4
    assert ax.get_title() and "time since start (ms)" in ax.get_xlabel()


def test_timeline_of_a_run_result_uses_its_title_and_draws_on_given_axes():
    fig, ax = plt.subplots()
    result = RunResult("thread_pool", 2, [None] * 4, records(), wall=0.5, start=0.0)
    assert plot_timeline(result, ax=ax) is ax
    assert ax.get_title() == "thread_pool (2 workers)"


def test_timeline_of_nothing_says_so():
    ax = plot_timeline([])
    assert any(t.get_text() == "no tasks" for t in ax.texts)


def test_timelines_share_time_axis():
    a = RunResult("sequential", 1, [], records()[:1], wall=1.0, start=0.0)
    b = RunResult("thread_pool", 2, [], records(), wall=0.5, start=0.0)
    axes = pd.plot_timelines([a, b])
    assert len(axes) == 2 and axes[0].get_xlim() == axes[1].get_xlim()
    grid = pd.plot_timeline_grid({"left": [a, b], "right": [b]})
    assert [len(col) for col in grid] == [2, 1]


def test_comparison_draws_a_bar_per_measurement_and_every_run():
    ms = [Measurement("a", (0.1, 0.2, 0.3)), Measurement("b", (0.05, 0.06, 0.07))]
    ax = plot_comparison(ms, baseline="a")
    assert len(ax.patches) == 2
    assert sum(len(line.get_xdata()) for line in ax.lines if line.get_marker() == "o") == 6


def test_speedup_has_ideal_line_and_cpu_marker():
    base = Measurement("seq", (1.0,), workers=1)
    rows = pd.speedups(base, [Measurement("x1", (1.0,), 1), Measurement("x2", (0.6,), 2)])
    ax = plot_speedup(rows, cpus=2)
    labels = [line.get_label() for line in ax.lines]
    assert "ideal (speedup = workers)" in labels
    assert any(t.get_text().strip() == "your CPUs: 2" for t in ax.texts)
    assert ax.get_ylabel().startswith("speedup")


def test_palette_is_colour_blind_safe_okabe_ito():
    assert pd.PALETTE[0] == "#0072B2" and len(set(pd.PALETTE)) == 8
    assert pd.worker_color(8) == pd.worker_color(0)


def test_timelines_take_titles_from_a_mapping():
    a = RunResult("sequential", 1, [], records()[:1], wall=1.0, start=0.0)
    b = RunResult("thread_pool", 2, [], records(), wall=0.5, start=0.0)
    axes = pd.plot_timelines({"one worker": a, "two workers": b}, annotate=False)
    assert [ax.get_title() for ax in axes] == ["one worker", "two workers"]
    assert not any(t.get_text().isdigit() for t in axes[1].texts)  # no task numbers
    with pytest.raises(ValueError, match="no runs"):
        pd.plot_timelines([])
