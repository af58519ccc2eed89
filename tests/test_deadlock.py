"""Deadlock demos: certain when the orders are opposite, impossible with one
global order, recovered by back-off; every demo returns and leaves no thread."""

from __future__ import annotations

import threading

import pytest

from parallel_demo import LockMonitor, count_deadlocks, dine, naive_philosopher, ordered_philosopher, plot_lock_timeline, plot_meals, plot_wait_for_graph, reacquire, two_locks, two_locks_with_backoff


@pytest.mark.timeout(30)
def test_opposite_order_deadlocks_every_time():
    before = threading.active_count()
    for _ in range(5):
        rep = two_locks("opposite", timeout=0.1)
        assert rep.deadlocked
        assert rep.graph.cycle() in (["thread 1", "lock B", "thread 2", "lock A", "thread 1"],
                                     ["thread 2", "lock A", "thread 1", "lock B", "thread 2"])
        # Thread 1 (less patient) gives up first and lets go, so thread 2 can finish.
        assert rep.gave_up == ["thread 1"] and rep.finished == ["thread 2"]
        assert rep.threads_left == []
    assert threading.active_count() == before
    assert "DEADLOCK" in repr(rep)


@pytest.mark.timeout(60)
def test_global_order_never_deadlocks():
    assert count_deadlocks("global", 40, timeout=0.5) == 0
    rep = two_locks("global")
    assert rep.finished == ["thread 1", "thread 2"] and rep.gave_up == [] and rep.graph is None
    assert "no deadlock" in repr(rep)


@pytest.mark.timeout(30)
def test_backoff_recovers_from_a_certain_deadlock():
    rep = two_locks_with_backoff(patience=0.03, seed=1)
    assert rep.deadlocked  # round one, forced by the barrier
    assert rep.finished == ["thread 1", "thread 2"] and rep.gave_up == []
    assert max(rep.attempts.values()) >= 2  # someone had to back off and retry
    assert rep.threads_left == []
    assert "recovered" in repr(rep)


@pytest.mark.timeout(10)
def test_reacquire_lock_times_out_rlock_reenters():
    again, waited = reacquire(threading.Lock(), timeout=0.1)
    assert again is False and waited >= 0.09
    again, waited = reacquire(threading.RLock(), timeout=0.1)
    assert again is True and waited < 0.09
    lock = threading.Lock()
    reacquire(lock, timeout=0.05)
    assert not lock.locked()  # everything taken was given back


@pytest.mark.timeout(10)
def test_reacquire_tracked_lock_shows_a_self_cycle():
    mon = LockMonitor()
    again, _ = reacquire(mon.lock("lock A"), timeout=0.05)
    assert again is False
    me = threading.current_thread().name
    assert mon.timeouts[0].cycle() == [me, "lock A", me]


def test_bad_arguments():
    with pytest.raises(ValueError, match="order"):
        two_locks("sideways")
    with pytest.raises(ValueError, match="timeout"):
        two_locks("opposite", timeout=0)
    with pytest.raises(ValueError):
        reacquire(threading.Lock(), timeout=0)
    with pytest.raises(ValueError):
        dine(naive_philosopher, seats=1)
    lock = threading.Lock()
    lock.acquire()
    with pytest.raises(RuntimeError, match="free lock"):
        reacquire(lock, timeout=0.01)
    lock.release()


@pytest.mark.timeout(30)
def test_naive_philosophers_deadlock_and_are_stopped():
    rep = dine(naive_philosopher, seconds=0.3)
    assert rep.deadlocked
    cyc = rep.graph.cycle()
    assert len(cyc) == 11 and all(name.startswith("philosopher") for name in cyc[::2])
    assert rep.threads_left == []
    assert "DEADLOCK" in repr(rep)


@pytest.mark.timeout(30)
def test_ordered_philosophers_all_eat():
    rep = dine(ordered_philosopher, seconds=0.3)
    assert not rep.deadlocked and rep.problem == ""
    assert min(rep.meals) > 0
    assert rep.threads_left == []


@pytest.mark.timeout(30)
def test_dine_reports_rule_breaking():
    def greedy_eater(seat, left, right, eat):
        eat()  # no forks at all

    assert "without holding" in dine(greedy_eater, seconds=0.2).problem

    def keeps_fork(seat, left, right, eat):
        first, second = sorted((left, right), key=lambda f: f.number)  # no deadlock...
        first.acquire()  # ...but this fork is never put down
        with second:
            eat()

    assert "still held" in dine(keeps_fork, seconds=0.2).problem

    def raises(seat, left, right, eat):
        raise KeyError("oops")

    assert "KeyError" in dine(raises, seconds=0.2).problem


@pytest.mark.timeout(30)
def test_charts_draw_reports():
    rep = two_locks("opposite", timeout=0.05)
    ax = plot_lock_timeline(rep.records)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["thread 1", "thread 2"]
    assert "gave up (timeout)" in [t.get_text() for t in ax.get_legend().get_texts()]
    ax = plot_wait_for_graph(rep.graph)
    assert {"thread\n1", "lock\nB"} <= {t.get_text() for t in ax.texts}
    ax = plot_meals([3, 0, 2])
    assert len(ax.patches) == 3
    assert plot_lock_timeline([]).get_title()


@pytest.mark.timeout(30)
def test_livelock_collides_in_every_round_and_cleans_up():
    from parallel_demo import livelock

    for _ in range(3):  # deterministic: the barrier keeps both in step
        r = livelock(rounds=3, patience=0.01, pause=0.005)
        assert r.finished == [] and r.gave_up == ["thread 1", "thread 2"]
        assert r.attempts == {"thread 1": 3, "thread 2": 3} and r.threads_left == []
        assert "LIVELOCK" in repr(r)
        assert sum(rec.timed_out for rec in r.records) == 6


@pytest.mark.timeout(30)
def test_stuck_stacks_show_where_each_thread_waits():
    from parallel_demo import stuck_stacks

    stacks = stuck_stacks(hold=0.3)
    assert sorted(stacks) == ["thread 1", "thread 2"]
    for frames in stacks.values():
        assert "in transfer: if second.acquire(timeout=hold)" in frames[-1]


@pytest.mark.parametrize("kwargs, error", [({"rounds": 0}, ValueError), ({"patience": 0}, ValueError),
                                           ({"rounds": "3"}, TypeError), ({"pause": -1}, ValueError)])
def test_livelock_bad_input(kwargs, error):
    from parallel_demo import livelock

    with pytest.raises(error):
        livelock(**kwargs)


def test_a_dinner_reports_the_order_forks_were_taken_in():
    from parallel_demo import dine, naive_philosopher, ordered_philosopher

    assert dine(ordered_philosopher, seconds=0.2).order_cycle is None
    naive = dine(naive_philosopher, seconds=0.2)
    assert naive.order_cycle[0] == naive.order_cycle[-1] and len(naive.order_cycle) == 6
