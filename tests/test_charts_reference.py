"""A reference run drawn beside the reader's own: two labelled lane groups on one chart."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.patches import Rectangle

from parallel_demo import is_prime, run
from parallel_demo.charts.reference import plot_reference, plot_runs_beside
from parallel_demo.reference import as_reference, find_references

ROOT = Path(__file__).resolve().parent.parent


def _bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


@pytest.mark.timeout(60)
def test_reference_beside_mine():
    ref = next(r for r in find_references(ROOT / "book" / "reference")
               if r.result.strategy == "process_pool" and r.workload.startswith("is_prime on large"))
    mine = as_reference(run("thread_pool", is_prime, [97, 101, 103, 107], workers=2))
    ax = plot_reference(ref, mine)
    assert ax.get_title()
    assert "ms" in ax.get_xlabel() or "µs" in ax.get_xlabel() or "(s)" in ax.get_xlabel()
    lanes = [t.get_text() for t in ax.get_yticklabels()]
    assert lanes == ref.result.lanes + mine.result.lanes
    assert len(_bars(ax)) == len(ref.result.records) + len(mine.result.records)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("reference: ") and ref.machine.python in legend[0]
    assert legend[1].startswith("this kernel: ")
    # both groups start at zero on one axis
    assert min(b.get_x() for b in _bars(ax)) >= 0


def test_labels_and_errors():
    from parallel_demo.trace import RunResult, TaskRecord

    a = RunResult("sequential", 1, [1], [TaskRecord(0, "main thread", 1, 1, 5.0, 5.1)], 0.2, 5.0)
    ax = plot_runs_beside([a, a], labels=["left", "right"], title="t")
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["left", "right"]
    assert ax.get_title() == "t"
    with pytest.raises(ValueError, match="at least one run"):
        plot_runs_beside([])
    with pytest.raises(TypeError, match=r"runs\[1\]"):
        plot_runs_beside([a, "b"])
    with pytest.raises(ValueError, match="one entry per run"):
        plot_runs_beside([a], labels=["x", "y"])
