"""The Dask charts draw what they are given: titles, units, legends; nothing computed."""

from __future__ import annotations

import pytest

from parallel_demo.charts.dask_cluster import (plot_round_trips, plot_task_overhead,
                                               plot_task_stream, plot_task_sweep, plot_two_views)
from parallel_demo.dask_cluster import (DOCS_TASK_OVERHEAD, OverheadReport, StreamSpan,
                                        TaskSweep)
from parallel_demo.timing import Measurement
from parallel_demo.trace import RunResult, TaskRecord
from parallel_demo.verdict import crossover

SPANS = [StreamSpan("tcp://127.0.0.1:4001", "a", "compute", 10.00, 10.02),
         StreamSpan("tcp://127.0.0.1:4002", "b", "deserialize", 10.001, 10.002),
         StreamSpan("tcp://127.0.0.1:4002", "b", "compute", 10.002, 10.03),
         StreamSpan("tcp://127.0.0.1:4001", "c", "transfer", 10.02, 10.021)]


def m(label, *times):
    return Measurement(label, tuple(times))


def test_task_stream_lanes_legend_and_units():
    ax = plot_task_stream(SPANS)
    assert ax.get_title() == "Dask's task stream"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["127.0.0.1:4001", "127.0.0.1:4002"]
    assert "ms" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["compute", "deserialize",
                                                                   "transfer"]
    assert len(ax.patches) == len(SPANS)


def test_task_stream_names_and_empty():
    ax = plot_task_stream(SPANS, names={"tcp://127.0.0.1:4001": "w0", "tcp://127.0.0.1:4002": "w1"})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["w0", "w1"]
    assert plot_task_stream([]).texts[0].get_text() == "no tasks"


def test_two_views_share_the_time_axis():
    recs = [TaskRecord(0, "dask worker 0", 11, 1, 10.0, 10.02), TaskRecord(1, "dask worker 1", 12, 1, 10.002, 10.03)]
    result = RunResult("dask", 2, [True, True], recs, wall=0.035, start=9.995)
    top, bottom = plot_two_views(result, SPANS, title="two views")
    assert top.get_xlim() == bottom.get_xlim()
    assert "TaskRecord" in top.get_title() and "get_task_stream" in bottom.get_title()
    assert "ms" in bottom.get_xlabel()
    assert top.figure._suptitle.get_text() == "two views"


def test_task_overhead_with_docs_range_and_prediction():
    report = OverheadReport(100, m("dask", 0.1, 0.12, 0.11), m("process pool", 0.01, 0.012, 0.011))
    ax = plot_task_overhead(report, docs_range=DOCS_TASK_OVERHEAD, prediction=0.002)
    assert "100 tasks" in ax.get_title()
    assert ax.get_xscale() == "log" and "ms" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("Dask's docs: 200.0 µs to 1.0 ms") and "your prediction (Dask)" in labels


def test_task_sweep_marks_the_crossovers_it_is_given():
    sizes = (2, 8, 24)
    seq = [m("s", 0.02, 0.021, 0.022), m("s", 0.08, 0.081, 0.082), m("s", 0.24, 0.241, 0.242)]
    pool = [m("p", 0.10, 0.11, 0.12), m("p", 0.12, 0.13, 0.14), m("p", 0.2, 0.21, 0.22)]
    dask = [m("d", 0.05, 0.051, 0.052), m("d", 0.06, 0.061, 0.062), m("d", 0.13, 0.131, 0.132)]
    sweep = TaskSweep(sizes, {"sequential": tuple(seq), "process pool": tuple(pool), "dask": tuple(dask)},
                      0.01, crossover(sizes, dask, seq, parallel=True, cpus=2),
                      crossover(sizes, dask, pool))
    ax = plot_task_sweep(sweep)
    assert sweep.vs_sequential.size == 8 and sweep.vs_pool.size == 2
    texts = [t.get_text() for t in ax.texts]
    assert any("beats sequential" in t for t in texts) and any("process pool" in t for t in texts)
    assert ax.get_ylabel().startswith("wall time (ms")
    assert len(ax.get_legend().get_texts()) == 3


def test_task_sweep_without_crossover_draws_no_mark():
    sizes = (2, 8)
    a = [m("d", 1.0, 1.1, 1.2)] * 2
    b = [m("s", 0.1, 0.11, 0.12)] * 2
    sweep = TaskSweep(sizes, {"sequential": tuple(b), "process pool": tuple(b), "dask": tuple(a)},
                      0.01, crossover(sizes, a, b), crossover(sizes, a, b))
    ax = plot_task_sweep(sweep)
    assert len(ax.texts) == 0


@pytest.mark.parametrize("prediction, batch", [(0.004, 0.001), (None, None)])
def test_round_trips(prediction, batch):
    ax = plot_round_trips(m("one task at a time", 0.003, 0.0032, 0.0035), prediction=prediction,
                          batch_per_task=batch)
    assert "prediction" in ax.get_title() and "ms" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert ("your prediction" in labels) == (prediction is not None)
