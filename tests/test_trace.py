"""TaskRecord, RunResult and Trace."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from parallel_demo import Trace, TaskRecord, now, relabel, worker_labels
from parallel_demo import RunResult


def rec(i, worker, start, end):
    return TaskRecord(index=i, worker=worker, pid=1, thread=i, start=start, end=end)


def test_records_are_frozen_and_have_a_duration():
    r = rec(0, "a", 1.0, 1.5)
    assert r.duration == 0.5
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.start = 0.0  # type: ignore[misc]


def test_worker_labels_follow_first_start():
    records = [rec(0, "b", 2.0, 3.0), rec(1, "a", 1.0, 4.0), rec(2, "b", 0.5, 0.6)]
    assert worker_labels(records) == ["b", "a"]
    assert [r.worker for r in relabel(records, "thread")] == ["thread 0", "thread 1", "thread 0"]


def test_run_result_busy_and_lanes():
    records = [rec(0, "x", 0.0, 1.0), rec(1, "y", 0.0, 2.0)]
    result = RunResult("thread_pool", 2, [1, 2], records, wall=2.0)
    assert result.busy == 3.0 and result.lanes == ["x", "y"]


@pytest.mark.timeout(10)
def test_trace_records_hand_built_threads():
    with Trace() as t:
        threads = [threading.Thread(target=t.wrap(sum, i), args=([i, i],), name=f"hand-{i}")
                   for i in range(3)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert [r.index for r in t.records] == [0, 1, 2]
    assert {r.worker for r in t.records} == {"hand-0", "hand-1", "hand-2"}
    assert t.wall >= 0 and all(t.start <= r.start <= r.end <= t.end for r in t.records)


def test_trace_wall_before_exit_is_an_error():
    t = Trace()
    with pytest.raises(RuntimeError, match="with-block"):
        t.wall


def test_trace_record_when_wrapped_function_raises():
    t = Trace()
    with pytest.raises(ZeroDivisionError):
        t.wrap(lambda: 1 / 0, 5)()
    assert [r.index for r in t.records] == [5]
    assert now() >= t.records[0].end
