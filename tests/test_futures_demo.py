"""FutureTrace and friends: recorded states match what the futures really did."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import threading

import pytest

from parallel_demo import FUTURE_STATES, FutureRecord, FutureTrace, future_state, plot_future_states, sleep_or_fail, sleep_task, wait_until_running


def test_sleep_or_fail_returns_or_raises():
    assert sleep_or_fail(0.0) == 0.0
    with pytest.raises(ValueError, match="asked to fail"):
        sleep_or_fail(0.0, fail=True)
    for bad in (-1, float("nan")):
        with pytest.raises(ValueError, match="seconds must be"):
            sleep_or_fail(bad)
    for bad in ("1", True):   # the validation policy: a wrong type is a TypeError
        with pytest.raises(TypeError, match="seconds must be"):
            sleep_or_fail(bad)


@pytest.mark.timeout(20)
def test_wait_until_running_and_future_state():
    with cf.ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(sleep_task, 0.3)
        second = pool.submit(sleep_task, 0.05)
        assert wait_until_running(first) is True
        assert future_state(first) == "running"
        assert future_state(second) == "pending"
        with pytest.raises(TimeoutError, match="still pending"):
            wait_until_running(second, timeout=0.02)
        assert second.cancel()
        assert future_state(second) == "cancelled"
    assert future_state(first) == "finished"
    assert wait_until_running(first) is False  # done, not running
    with cf.ThreadPoolExecutor(max_workers=1) as pool:
        bad = pool.submit(sleep_or_fail, 0.0, fail=True)
        cf.wait([bad], timeout=5)
    assert future_state(bad) == "raised"


@pytest.mark.timeout(20)
def test_trace_records_every_state_with_threads():
    durations = [0.15, 0.05, 0.1, 0.05, 0.05]
    with cf.ThreadPoolExecutor(max_workers=2) as pool, FutureTrace(pool) as trace:
        futures = [trace.submit(sleep_or_fail, s, fail=(i == 2)) for i, s in enumerate(durations)]
        assert futures[4].cancel()
    records = trace.records
    assert trace.futures == futures
    assert [r.index for r in records] == list(range(5))
    assert [r.outcome for r in records] == ["finished", "finished", "raised", "finished", "cancelled"]
    assert trace.states() == ["finished", "finished", "raised", "finished", "cancelled"]
    assert records[0].label == "sleep_or_fail(0.15, fail=False)"
    for r in records[:4]:
        assert r.submitted <= r.started <= r.done
        assert r.done - r.started >= durations[r.index] * 0.9
        assert r.worker.startswith("ThreadPoolExecutor")
    assert records[4].started is None and records[4].worker == ""
    # two workers: the third task cannot start before one of the first two ended
    assert records[2].started >= min(records[0].done, records[1].done) - 1e-3


@pytest.mark.timeout(20)
def test_trace_reports_not_done_when_read_early():
    with cf.ThreadPoolExecutor(max_workers=1) as pool:
        with FutureTrace(pool) as trace:
            fut = trace.submit(sleep_task, 0.3)
            wait_until_running(fut)
        early = trace.records[0]
        assert early.outcome == "not done" and early.done is None and early.started is not None
        segs = early.segments(until=trace.end)
        assert [s[0] for s in segs] == ["pending", "running"]
    assert trace.records[0].outcome == "finished"


@pytest.mark.timeout(60)
def test_trace_samples_a_process_pool_and_stops_its_sampler():
    before = threading.active_count()
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        with FutureTrace(pool) as trace:
            assert threading.active_count() >= before + 1  # the sampler
            futures = [trace.submit(sleep_task, 0.2) for _ in range(2)]
            cf.wait(futures, timeout=50)
    assert not any(t.name == "future-sampler" for t in threading.enumerate())
    records = trace.records
    assert [r.outcome for r in records] == ["finished", "finished"]
    assert all(r.started is not None and r.submitted <= r.started <= r.done for r in records)


def test_trace_refuses_bad_use():
    with pytest.raises(TypeError, match="Executor"):
        FutureTrace(object())
    with cf.ThreadPoolExecutor(max_workers=1) as pool:
        with FutureTrace(pool) as trace:
            pass
        with pytest.raises(RuntimeError, match="has ended"):
            trace.submit(sleep_task, 0.0)


def test_segments_per_outcome():
    ran = FutureRecord(0, "f()", submitted=0.0, started=1.0, done=2.0, outcome="finished")
    assert ran.segments(3.0) == [("pending", 0.0, 1.0), ("running", 1.0, 2.0),
                                 ("finished", 2.0, 3.0)]
    gone = FutureRecord(1, "g()", submitted=0.0, started=None, done=0.5, outcome="cancelled")
    assert gone.segments(3.0) == [("pending", 0.0, 0.5), ("cancelled", 0.5, 3.0)]
    assert set(FUTURE_STATES) >= {s for s, _, _ in ran.segments(3.0) + gone.segments(3.0)}


def test_long_labels_are_shortened():
    with cf.ThreadPoolExecutor(max_workers=1) as pool, FutureTrace(pool) as trace:
        trace.submit(sleep_or_fail, 0.0, fail=False, ).result()
        trace.submit(sorted, list(range(50))).result()
    labels = [r.label for r in trace.records]
    assert labels[0] == "sleep_or_fail(0.0, fail=False)"
    assert len(labels[1]) == 40 and labels[1].endswith("...")


@pytest.mark.timeout(20)
def test_plot_future_states_draws_one_lane_per_future():
    with cf.ThreadPoolExecutor(max_workers=1) as pool, FutureTrace(pool) as trace:
        futures = [trace.submit(sleep_task, 0.02) for _ in range(3)]
        futures[2].cancel()
    ax = plot_future_states(trace, title="t")
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"{i}: sleep_task(0.02)" for i in range(3)]
    assert ax.get_title() == "t"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["pending", "running"] and "cancelled" in legend
    ax2 = plot_future_states(trace.records)
    assert len(ax2.get_yticklabels()) == 3
    empty = plot_future_states([])
    assert empty.texts[0].get_text() == "no futures"


def test_a_failed_submit_leaves_no_record():
    pool = cf.ThreadPoolExecutor(max_workers=1)
    with FutureTrace(pool) as trace:
        trace.submit(sleep_task, 0.0).result(timeout=5)
        pool.shutdown()
        with pytest.raises(RuntimeError, match="shutdown"):
            trace.submit(sleep_task, 0.0)
    assert len(trace.futures) == 1 and len(trace.records) == 1
    assert trace.records[0].outcome == "finished"


# Issue 9, point 7: what cancel() and a timeout can and cannot stop.

@pytest.mark.timeout(90)
@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_process_pool_calls_in_the_call_queue_report_running_and_cannot_be_cancelled(method):
    from parallel_demo import process_pool_cancel

    attempts = process_pool_cancel(tasks=4, seconds=0.2, start_method=method)
    assert [a.state_before for a in attempts] == ["running", "running", "pending", "pending"]
    assert [a.cancelled for a in attempts] == [False, False, True, True]
    assert [a.state_after for a in attempts] == ["finished", "finished", "cancelled", "cancelled"]
    assert not multiprocessing.active_children()
    with pytest.raises(ValueError, match="tasks"):
        process_pool_cancel(tasks=1)


@pytest.mark.timeout(30)
def test_stoppable_steps_stops_when_asked():
    from parallel_demo import stoppable_steps

    stop = threading.Event()
    assert stoppable_steps(3, stop, 0.001) == "finished"
    pool = cf.ThreadPoolExecutor(max_workers=1)
    fut = pool.submit(stoppable_steps, 10_000, stop, 0.01)   # 100 s unless stopped
    wait_until_running(fut)
    stop.set()
    pool.shutdown(wait=False, cancel_futures=True)
    assert fut.result(timeout=5) == "stopped"
    with pytest.raises(TypeError, match="threading.Event"):
        stoppable_steps(3, None)


@pytest.mark.timeout(30)
def test_inside_with_a_timeout_arrives_only_after_the_task():
    # What the chapter shows: as_completed(timeout=) inside `with` does not stop a stuck task.
    from parallel_demo import stoppable_steps

    stop = threading.Event()
    with pytest.raises(TimeoutError):
        with cf.ThreadPoolExecutor(max_workers=1) as pool:
            stuck = pool.submit(stoppable_steps, 10, stop, 0.05)
            for _ in cf.as_completed([stuck], timeout=0.05):
                pass
    assert stuck.done() and stuck.result() == "finished"   # the with block waited for it


@pytest.mark.timeout(60)
@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_process_pool_cancel_does_not_depend_on_how_fast_the_worker_starts():
    # fork starts a worker in about a millisecond: before the initializer's pause, the
    # worker could take task 0 out of the call queue and let task 2 in (a seen flake).
    from parallel_demo import process_pool_cancel

    for _ in range(5):
        attempts = process_pool_cancel(tasks=4, seconds=0.05, start_method="fork")
        assert [a.cancelled for a in attempts] == [False, False, True, True]
