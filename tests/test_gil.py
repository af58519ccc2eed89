"""switch_interval; the GIL chapter's timing helpers (now in timing.py) and checkers."""

import sys

import pytest

from parallel_demo import calibrate_hash, switch_interval
from parallel_demo.timing import interleaved as measure_interleaved, sweep_workers as interleaved_sweep
from parallel_demo import sleep_task
from parallel_demo import hash_bytes


def test_switch_interval_sets_and_restores():
    before = sys.getswitchinterval()
    with switch_interval(0.05) as previous:
        assert previous == before
        assert sys.getswitchinterval() == pytest.approx(0.05)
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError):
        with switch_interval(0.001):
            raise RuntimeError("boom")
    assert sys.getswitchinterval() == before


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-1, ValueError),
                                        (float("inf"), ValueError), ("5ms", TypeError)])
def test_switch_interval_bad_values(bad, error):
    with pytest.raises(error):
        with switch_interval(bad):
            pass


@pytest.mark.timeout(30)
def test_calibrate_hash_sizes_a_task():
    small, big = calibrate_hash(0.005), calibrate_hash(0.05)
    assert 64 * 1024 <= small <= big <= 256 * 2**20
    assert big > small  # ten times the time is more bytes (noise cannot undo a 10x gap)
    assert len(hash_bytes(small)) == 64
    with pytest.raises(ValueError):
        calibrate_hash(0)


def test_measure_interleaved_takes_turns():
    order = []
    timed = measure_interleaved({"a": lambda: order.append("a"), "b": lambda: order.append("b")},
                                repeat=3, warmup=1)
    assert order == ["a", "b"] * 4  # one warm-up round, then three timed rounds, in turns
    assert list(timed) == ["a", "b"]
    assert all(len(m.times) == 3 and m.label == label for label, m in timed.items())
    for bad in ({"repeat": 0}, {"warmup": -1}):
        with pytest.raises(ValueError):
            measure_interleaved({"a": lambda: None}, **bad)
    with pytest.raises(ValueError):
        measure_interleaved({})


@pytest.mark.timeout(30)
def test_interleaved_sweep_on_sleeps():
    base, rows = interleaved_sweep("thread_pool", sleep_task, [0.05] * 4, [1, 4], repeat=2)
    assert base.workers == 1 and [r.workers for r in rows] == [1, 4]
    assert base.median >= 0.2  # four sleeps in a row: a lower bound only
    assert rows[1].median < base.median  # overlapping sleeps beat sequential


# The checkers of this chapter are tested in tests/test_checks_gil.py.


# -- counting context switches (issue 9, point 3) -----------------------------------

import parallel_demo.gil as gil_mod
from parallel_demo import (CAN_COUNT_SWITCHES, SwitchCost, Switched, measure_switch_cost,
                           switch_counted, thread_switches)


@pytest.mark.skipif(not CAN_COUNT_SWITCHES, reason="the OS does not count switches here")
def test_thread_switches_counts_this_threads_waits():
    import time

    before = thread_switches()
    for _ in range(5):
        time.sleep(0.001)  # each sleep gives up the CPU: a voluntary switch
    after = thread_switches()
    assert isinstance(before, int) and after >= before + 5


def test_without_proc_switches_are_not_counted(monkeypatch):
    monkeypatch.setattr(gil_mod, "CAN_COUNT_SWITCHES", False)
    assert thread_switches() is None
    result = switch_counted(abs)(-3)
    assert result == Switched(3, None)


def test_status_without_the_keys_counts_nothing(monkeypatch, tmp_path):
    status = tmp_path / "status"
    status.write_text("Name:\tpython\nvoluntary_ctxt_switches:\t7\n")
    monkeypatch.setattr(gil_mod, "CAN_COUNT_SWITCHES", True)
    monkeypatch.setattr(gil_mod, "_status_path", lambda: str(status))
    assert thread_switches() is None  # one of the two keys is missing
    status.write_text("voluntary_ctxt_switches:\t7\nnonvoluntary_ctxt_switches:\t5\n")
    assert thread_switches() == 12


def test_fit_slope_recovers_a_line_and_refuses_too_little():
    xs = [0, 100, 200, 300, 400]
    assert gil_mod.fit_slope(xs, [1.0 + 2e-6 * x for x in xs]) == pytest.approx((2e-6, 0.0), abs=1e-12)
    assert gil_mod.fit_slope([1, 1, 1], [1, 2, 3]) is None  # no spread in x
    assert gil_mod.fit_slope([1, 2], [1, 2]) is None


@pytest.mark.timeout(60)
def test_measure_switch_cost_counts_every_run():
    from parallel_demo import spin

    cost = measure_switch_cost(spin, [2000] * 2, (0.0005, 0.05), repeat=3)
    assert isinstance(cost, SwitchCost)
    assert [r.interval for r in cost.runs] == [0.0005, 0.05]
    assert len(cost.baseline.times) == 3
    for r in cost.runs:
        assert len(r.measurement.times) == len(r.switches) == 3
        if CAN_COUNT_SWITCHES:
            assert all(isinstance(n, int) and n >= 0 for n in r.switches)
    assert cost.run_at(0.005).interval == 0.0005
    assert sys.getswitchinterval() == pytest.approx(0.005)  # restored
    with pytest.raises(ValueError, match="items"):
        measure_switch_cost(spin, [])
