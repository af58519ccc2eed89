"""measure, speedups, sweep_workers: bookkeeping is tested, not the machine's speed."""

from __future__ import annotations

import pytest

import parallel_demo as pd
from parallel_demo import Measurement, measure, speedups


def test_measure_counts_warmups_and_repeats():
    calls = []
    m = measure(calls.append, 1, repeat=4, warmup=2, label="append")
    assert len(calls) == 6 and len(m.times) == 4 and m.label == "append"
    assert m.best <= m.median <= m.worst


@pytest.mark.parametrize("kwargs, error", [({"repeat": 0}, ValueError), ({"warmup": -1}, ValueError),
                                           ({"repeat": 1.5}, TypeError)])
def test_measure_rejects_bad_counts(kwargs, error):
    with pytest.raises(error, match="repeat|warmup"):
        measure(print, **kwargs)


def test_measurement_statistics():
    m = Measurement("x", (1.0, 2.0, 4.0))
    assert m.median == 2.0 and m.best == 1.0 and m.worst == 4.0
    assert m.spread == pytest.approx(1.5)
    assert "median 2.00 s" in str(m)


def test_speedups_compare_medians_with_a_noise_range():
    base = Measurement("seq", (4.0, 4.0, 4.0), workers=1)
    fast = Measurement("x2", (1.0, 2.0, 4.0), workers=2)
    (row,) = speedups(base, [fast])
    assert row.speedup == 2.0 and row.low == 1.0 and row.high == 4.0
    assert row.efficiency == 1.0
    assert "2.00x" in pd.format_speedups([row])


@pytest.mark.timeout(120)
def test_sweep_workers_measures_each_count():
    base, rows = pd.sweep_workers("thread_pool", pd.sleep_task, [0.02] * 4, [1, 4], repeat=2)
    assert base.workers == 1 and [m.workers for m in rows] == [1, 4]
    # Four 20 ms sleeps: four threads overlap them; one thread cannot.  Generous bound.
    assert rows[1].median < rows[0].median
