"""The chapter's charts draw what the demos recorded: titles, labelled axes, legends, one lane per thread."""

from __future__ import annotations

import pytest

from parallel_demo import (Measurement, barrier_phases, footman_dinner, limited_section,
                           measure_writer_waits, plot_phase_prediction, plot_sync_timeline,
                           plot_writer_waits, stolen_wakeup)
from parallel_demo.checks.primitives import PHASES

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("make", [lambda: stolen_wakeup(True), lambda: stolen_wakeup(False),
                                  lambda: limited_section(2, 4, 0.01),
                                  lambda: barrier_phases(PHASES),
                                  lambda: footman_dinner(5, 1)])
def test_sync_timeline_has_a_lane_per_thread(make):
    report = make()
    ax = plot_sync_timeline(report, title="a title")
    assert ax.get_title() == "a title"
    assert [t.get_text() for t in ax.get_yticklabels()] == list(report.lanes)
    assert "time since start" in ax.get_xlabel() and ax.get_ylabel() == "thread"
    assert ax.get_legend() is not None and ax.get_legend().get_texts()


def test_stolen_wakeup_chart_marks_notify_and_the_empty_wakeup():
    ax = plot_sync_timeline(stolen_wakeup(True))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "notify()" in labels and "woken, but the condition is false" in labels


def test_writer_waits_chart():
    runs = measure_writer_waits(runs=1, seconds=0.05)
    left, right = plot_writer_waits(runs, title="t")
    assert left.get_xscale() == "log" and "ms" in left.get_xlabel()
    assert [t.get_text() for t in left.get_yticklabels()] == list(runs)
    assert "writer" in right.get_xlabel() and left.figure._suptitle.get_text() == "t"


def test_prediction_chart():
    m = Measurement("with a barrier", (0.19, 0.2, 0.21))
    ax = plot_phase_prediction(0.15, m)
    assert ax.get_title() and "(ms)" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["measured (3 runs)",
                                                                   "your prediction"]
