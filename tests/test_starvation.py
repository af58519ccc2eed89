"""Greedy vs polite threads, Jain's index, and the bounded producer/consumer."""

from __future__ import annotations

import threading

import pytest

from parallel_demo import (FairLock, FairnessReport, FairnessSeries, explain_fairness, fairness_index,
                           fairness_runs, greedy_vs_polite, lock_handoff, plot_fairness,
                           plot_fairness_runs, plot_pipeline, producer_consumer)


def test_fairness_index_bounds():
    assert fairness_index([5, 5, 5]) == pytest.approx(1.0)
    assert fairness_index([9, 0, 0]) == pytest.approx(1 / 3)
    assert fairness_index([]) == 1.0 and fairness_index([0, 0]) == 1.0
    assert 1 / 3 < fairness_index([9, 1, 1]) < 1


@pytest.mark.timeout(30)
@pytest.mark.parametrize("factory", [threading.Lock, FairLock], ids=["Lock", "FairLock"])
def test_greedy_vs_polite_runs_and_cleans_up(factory):
    before = threading.active_count()
    rep = greedy_vs_polite(factory, polite=3, seconds=0.3, work="cpu")
    assert threading.active_count() == before
    assert rep.threads_left == []
    assert list(rep.counts) == ["greedy", "polite 0", "polite 1", "polite 2"]
    assert rep.counts["greedy"] > 0
    assert all(len(rep.waits[n]) == rep.counts[n] for n in rep.counts)
    assert 0 < rep.greedy_share <= 1 and rep.fair_share == 0.25
    assert 0.25 <= rep.index <= 1.0


@pytest.mark.timeout(30)
def test_fairlock_gives_every_polite_thread_turns():
    # FIFO: a polite thread that queues is served within a few turns, so in
    # 0.3 s (hundreds of turns) each must get many.  A generous lower bound.
    rep = greedy_vs_polite(FairLock, polite=3, seconds=0.3, pause=0.0002)
    assert min(rep.counts[f"polite {i}"] for i in range(3)) >= 10


@pytest.mark.timeout(30)
def test_producer_consumer_back_pressure_and_shutdown():
    before = threading.active_count()
    rep = producer_consumer(12, maxsize=3, consumers=2, produce_time=0.002, consume_time=0.02)
    assert threading.active_count() == before and rep.threads_left == []
    assert rep.produced == list(range(12))
    assert sorted(rep.consumed) == [i * i for i in range(12)]
    # Consumers cannot keep up (2 x 20 ms vs 2 ms per item) and the queue
    # holds only 3, so the producer must have blocked in put.
    assert rep.put_blocked > 0.01
    assert max(e.depth for e in rep.events) <= 3
    gets = [e for e in rep.events if e.kind == "get" and e.item is None]
    assert len(gets) == 2  # each consumer took exactly one sentinel
    assert "threads_left=[]" in repr(rep)


def test_producer_consumer_rejects_unbounded_queue():
    with pytest.raises(ValueError, match="unbounded"):
        producer_consumer(maxsize=0)


@pytest.mark.timeout(30)
def test_charts_draw_reports():
    reps = [greedy_vs_polite(threading.Lock, seconds=0.1), greedy_vs_polite(FairLock, seconds=0.1)]
    axes = plot_fairness(reps)
    assert axes.shape == (2, 2)
    ax, axq = plot_pipeline(producer_consumer(6, consume_time=0.01))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["producer", "consumer 0", "consumer 1"]
    assert axq.get_ylabel() == "items queued"


def _report(lock, counts, longest_ms):
    waits = {n: [longest_ms[n] / 1e3] * c for n, c in counts.items()}
    return FairnessReport(lock, counts, waits, 0.5)


def _series(unfair_polite, fair_polite, unfair_wait, fair_wait, totals=(100, 100)):
    def reps(lock, polites, waits, total):
        return [_report(lock, {"greedy": total - p, "polite 0": p}, {"greedy": 1.0, "polite 0": w})
                for p, w in zip(polites, waits)]
    return FairnessSeries({"threading.Lock": reps("threading.Lock", unfair_polite, unfair_wait, totals[0]),
                           "FairLock": reps("FairLock", fair_polite, fair_wait, totals[1])})


@pytest.mark.parametrize("series, words", [
    (_series([10, 12, 11], [40, 42, 41], [20, 25, 22], [2, 3, 2]),
     ["share of the turns: fewer with `threading.Lock`", "longest wait for one turn: more with",
      "visible in every run"]),
    (_series([30, 45, 38], [35, 42, 40], [5, 9, 7], [6, 8, 7]),
     ["share of the turns: a tie within the noise", "did not starve the polite thread measurably"]),
    (_series([10, 12, 11], [40, 42, 41], [20, 25, 22], [2, 3, 2], totals=(120, 100)),
     ["Fairness cost throughput"]),
    (_series([10], [40], [20], [2]), ["too few to call", "did not starve"]),   # one run decides nothing
])
def test_explain_fairness_says_only_what_every_run_supports(series, words):
    text = explain_fairness(series)
    for w in words:
        assert w in text, (w, text)


def test_lock_handoff_names_this_version(monkeypatch):
    import sys
    assert sys.version.split()[0] in lock_handoff()
    monkeypatch.setattr(sys, "version_info", (3, 14, 0, "final", 0))
    assert "PyMutex" in lock_handoff() and "hands the lock directly" in lock_handoff()
    monkeypatch.setattr(sys, "version_info", (3, 13, 0, "final", 0))
    assert "plain operating-system lock" in lock_handoff()


@pytest.mark.timeout(60)
def test_fairness_runs_take_turns_and_clean_up():
    series = fairness_runs([threading.Lock, FairLock], runs=3, seconds=0.1)
    assert series.locks == ["threading.Lock", "FairLock"]
    assert all(len(v) == 3 for v in series.runs.values()) and series.threads_left == []
    assert all(0 <= x <= 1 for x in series.polite_share("FairLock"))
    left, right = plot_fairness_runs(series)
    assert right.get_xscale() == "log" and [t.get_text() for t in left.get_yticklabels()] == series.locks


@pytest.mark.parametrize("kwargs, error", [({"polite": 0}, ValueError), ({"seconds": -1}, ValueError),
                                           ({"work": "gpu"}, ValueError), ({"polite": "2"}, TypeError),
                                           ({"seconds": 1e6}, ValueError)])
def test_greedy_vs_polite_bad_input(kwargs, error):
    with pytest.raises(error):
        greedy_vs_polite(**kwargs)


@pytest.mark.timeout(30)
def test_a_starved_wait_is_measured_across_acquire_timeouts():
    # Regression: each acquire timeout used to restart the clock, so a thread
    # that never got the lock reported a longest wait of 0.0 ms, hiding the
    # very starvation the chapter shows.  Here nobody can get the lock.
    held = threading.Lock()
    held.acquire()
    rep = greedy_vs_polite(lambda: held, polite=2, seconds=0.3, timeout=0.05)
    assert rep.threads_left == [] and sum(rep.counts.values()) == 0
    for name in rep.counts:
        assert rep.unfinished[name] >= 0.25
        assert rep.longest_wait(name) >= 0.25
