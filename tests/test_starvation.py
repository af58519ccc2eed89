"""Greedy vs polite threads, Jain's index, and the bounded producer/consumer."""

from __future__ import annotations

import threading

import pytest

from parallel_demo import FairLock, describe_fairness, fairness_index, greedy_vs_polite, plot_fairness, plot_pipeline, producer_consumer


def test_fairness_index_bounds():
    assert fairness_index([5, 5, 5]) == pytest.approx(1.0)
    assert fairness_index([9, 0, 0]) == pytest.approx(1 / 3)
    assert fairness_index([]) == 1.0 and fairness_index([0, 0]) == 1.0
    assert 1 / 3 < fairness_index([9, 1, 1]) < 1


@pytest.mark.timeout(30)
@pytest.mark.parametrize("factory", [threading.Lock, FairLock], ids=["Lock", "FairLock"])
def test_greedy_vs_polite_runs_and_cleans_up(factory):
    before = threading.active_count()
    rep = greedy_vs_polite(factory, polite=3, seconds=0.3)
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
    rep = greedy_vs_polite(FairLock, polite=3, seconds=0.3)
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
    from parallel_demo import FairnessReport

    waits = {n: [longest_ms[n] / 1e3] * c for n, c in counts.items()}
    return FairnessReport(lock, counts, waits, 0.5)


@pytest.mark.parametrize("fair_counts, fair_wait, expected", [
    ({"greedy": 40, "polite 0": 30}, 2.0, "shared the turns more evenly and cut"),
    ({"greedy": 40, "polite 0": 30}, 50.0, "came out similar or longer"),
    ({"greedy": 90, "polite 0": 10}, 2.0, "cut the polite threads' longest wait, though"),
    ({"greedy": 90, "polite 0": 10}, 50.0, "happened to be about as fair"),
])
def test_describe_fairness_picks_the_sentence_the_data_supports(fair_counts, fair_wait, expected):
    unfair = _report("threading.Lock", {"greedy": 90, "polite 0": 10}, {"greedy": 1.0, "polite 0": 20.0})
    fair = _report("FairLock", fair_counts, {"greedy": 1.0, "polite 0": fair_wait})
    text = describe_fairness(unfair, fair)
    assert expected in " ".join(text.split())
    assert "90% of the turns" in text and "20.0 ms" in text
    assert max(len(line) for line in text.splitlines()) <= 72


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
