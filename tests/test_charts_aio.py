"""The asyncio chapter's charts draw what they are given, with titles, labels and units."""

from __future__ import annotations

from parallel_demo.aio import StallReport
from parallel_demo.aio_fetch import ConcurrencyRow
from parallel_demo.charts.aio import (plot_batch_prediction, plot_concurrency, plot_stalls,
                                      plot_task_timeline)
from parallel_demo.trace import RunResult, TaskRecord


def _result():
    records = [TaskRecord(index=i, worker="event loop 0", pid=1, thread=7, start=0.01 * i,
                          end=0.05 + 0.01 * i, submitted=0.0, label=f"item-{i}: {i}")
               for i in range(4)]
    return RunResult("asyncio", 1, [0, 1, 2, 3], records, wall=0.08, start=0.0)


def test_task_timeline_has_one_lane_per_task():
    ax = plot_task_timeline(_result())
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"item-{i}" for i in range(4)]
    assert "one event loop" in ax.get_title()
    assert "ms" in ax.get_xlabel()


def test_task_timeline_empty():
    ax = plot_task_timeline(RunResult("asyncio", 1, [], [], wall=0.0))
    assert ax.get_title()


def test_stalls_marks_the_blocking_call():
    report = StallReport("sleep", 0.02, ((0.02, 0.3, 0.32), (0.02, 0.3, 0.32)), (0.05, 0.28), 0.0,
                         (("blocker", 0.23),))
    ax = plot_stalls(report)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["ticker-0", "ticker-1", "blocker"]
    assert ax.get_legend() is not None and "time.sleep" in ax.get_title()
    fixed = plot_stalls(StallReport("to_thread", 0.02, ((0.02, 0.04),), (0.01, 0.2), 0.0))
    assert fixed.get_legend() is None


def test_concurrency_two_panels_with_units():
    rows = [ConcurrencyRow(a, n, 25, 0.1 * n / 25 + 0.05, (10.0 if a == "threads" else 1.0) * n / 1000,
                           0.0, 0.05 * max(1, n / 25), "VmHWM")
            for n in (10, 100, 1000) for a in ("threads", "asyncio")]
    t_ax, m_ax = plot_concurrency(rows, title="sweep")
    assert t_ax.get_ylabel() == "wall time (s)" and "MiB" in m_ax.get_ylabel()
    assert {line.get_label() for line in t_ax.get_lines()} >= {"threads", "asyncio"}
    assert t_ax.get_xscale() == "log" and t_ax.get_title() and m_ax.get_title()


def test_prediction_bars():
    ax = plot_batch_prediction(0.3, [0.26, 0.28], model=0.25)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "your prediction", "run 1", "run 2", "Little's law"]
    assert "ms" in ax.get_xlabel() and ax.get_title()


def test_stall_pair_shares_one_time_axis():
    from parallel_demo.charts.aio import plot_stall_pair

    a = StallReport("sleep", 0.02, ((0.02, 0.3),), (0.05, 0.28), 0.0)
    b = StallReport("to_thread", 0.02, ((0.02, 0.04, 0.06),), (0.05, 0.25), 0.0)
    top, bottom = plot_stall_pair(a, b, titles=("blocked", "fixed"))
    assert top.get_title() == "blocked" and bottom.get_title() == "fixed"
    assert top.get_xlim() == bottom.get_xlim() and "ms" in bottom.get_xlabel()
