"""TrackedLock and FairLock behave like threading.Lock where it matters (one suite, three
lock kinds), plus what each adds: records and wait-for graphs, FIFO order."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parallel_demo import FairLock, LockMonitor, TrackedLock, WaitForGraph, now

LOCKS = {"threading.Lock": threading.Lock, "TrackedLock": TrackedLock, "FairLock": FairLock}


@pytest.fixture(params=list(LOCKS), ids=list(LOCKS))
def make_lock(request):
    return LOCKS[request.param]


def _in_thread(fn, *args):
    """Run fn in a thread, join it (bounded), return its result."""
    out = []
    t = threading.Thread(target=lambda: out.append(fn(*args)), daemon=True)
    t.start()
    t.join(5)
    assert not t.is_alive()
    return out[0]


def _wait_until(cond, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.001)


@pytest.mark.timeout(30)
def test_mutual_exclusion_under_contention(make_lock):
    lock = make_lock()
    counter = [0]
    inside = [0]
    most_inside = [0]

    def work():
        for _ in range(300):
            with lock:
                inside[0] += 1
                most_inside[0] = max(most_inside[0], inside[0])
                value = counter[0]
                time.sleep(0)  # invite a thread switch inside the critical section
                counter[0] = value + 1
                inside[0] -= 1

    before = threading.active_count()
    threads = [threading.Thread(target=work, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not any(t.is_alive() for t in threads)
    assert threading.active_count() == before
    assert counter[0] == 4 * 300
    assert most_inside[0] == 1


@pytest.mark.timeout(10)
def test_acquire_release_locked(make_lock):
    lock = make_lock()
    assert not lock.locked()
    assert lock.acquire() is True
    assert lock.locked()
    lock.release()
    assert not lock.locked()


@pytest.mark.timeout(10)
def test_nonblocking_acquire_of_a_held_lock_fails_at_once(make_lock):
    lock = make_lock()
    lock.acquire()
    try:
        t0 = time.perf_counter()
        assert _in_thread(lambda: lock.acquire(False)) is False
        assert lock.acquire(blocking=False) is False  # same thread: a Lock is not re-entrant
        assert time.perf_counter() - t0 < 2.0
    finally:
        lock.release()
    assert _in_thread(lambda: lock.acquire(False)) is True  # now free: taken by the thread...
    lock.release()  # ...and released by another: a Lock has no owner


@pytest.mark.timeout(10)
def test_timeout_expires_when_held(make_lock):
    lock = make_lock()
    with lock:
        t0 = time.perf_counter()
        assert _in_thread(lambda: lock.acquire(timeout=0.1)) is False
        assert time.perf_counter() - t0 >= 0.09  # waited (at least about) the timeout
        assert _in_thread(lambda: lock.acquire(timeout=0)) is False
    assert not lock.locked()


@pytest.mark.timeout(10)
def test_blocked_acquire_wakes_on_release(make_lock):
    lock = make_lock()
    lock.acquire()
    got = []
    t = threading.Thread(target=lambda: got.append(lock.acquire(timeout=5)), daemon=True)
    t.start()
    time.sleep(0.05)
    assert got == []  # still waiting
    lock.release()
    t.join(5)
    assert got == [True]
    assert lock.locked()  # now held by the finished thread
    lock.release()


@pytest.mark.parametrize("args, kwargs", [((False, 1), {}), ((), {"blocking": False, "timeout": 0}),
                                          ((), {"timeout": -2})])
def test_bad_arguments_raise_valueerror(make_lock, args, kwargs):
    lock = make_lock()
    with pytest.raises(ValueError):
        lock.acquire(*args, **kwargs)
    assert not lock.locked()


def test_release_of_unheld_lock_raises_runtimeerror(make_lock):
    lock = make_lock()
    with pytest.raises(RuntimeError):
        lock.release()
    lock.acquire()
    lock.release()
    with pytest.raises(RuntimeError):
        lock.release()


def test_context_manager_releases_on_exception(make_lock):
    lock = make_lock()
    with pytest.raises(ZeroDivisionError):
        with lock as entered:
            assert entered is True
            assert lock.locked()
            1 / 0
    assert not lock.locked()


# --- TrackedLock's records and graphs -------------------------------------------------


@pytest.mark.timeout(10)
def test_tracked_lock_records_wait_hold_release():
    mon = LockMonitor()
    lock = mon.lock("lock A")
    lock.acquire()
    t = threading.Thread(target=lambda: (lock.acquire(timeout=5), lock.release()), name="waiter",
                         daemon=True)
    t.start()
    _wait_until(lambda: mon.graph().waits == {"waiter": "lock A"})
    assert mon.graph().holds == {"lock A": threading.current_thread().name}
    lock.release()
    t.join(5)
    main, waiter = mon.records
    assert (main.thread, waiter.thread) == (threading.current_thread().name, "waiter")
    assert waiter.requested <= main.released <= waiter.acquired <= waiter.released
    assert waiter.waited > 0 and not waiter.timed_out
    assert mon.graph().holds == {} and mon.graph().waits == {}


@pytest.mark.timeout(10)
def test_tracked_lock_timeout_keeps_the_cycle():
    mon = LockMonitor()
    a, b = mon.lock("A"), mon.lock("B")
    barrier = threading.Barrier(2, timeout=5)
    results = {}

    def worker(name, first, second, patience):
        with first:
            barrier.wait()
            results[name] = second.acquire(timeout=patience)
            if results[name]:
                second.release()

    threads = [threading.Thread(target=worker, args=("T1", a, b, 0.1), name="T1", daemon=True),
               threading.Thread(target=worker, args=("T2", b, a, 2.0), name="T2", daemon=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert results == {"T1": False, "T2": True}  # T1 gave up first, which freed T2
    snap = mon.timeouts[0]
    assert snap.cycle() in (["T1", "B", "T2", "A", "T1"], ["T2", "A", "T1", "B", "T2"])
    assert "cycle: " in snap.describe()
    timed_out = [r for r in mon.records if r.timed_out]
    assert [(r.thread, r.lock) for r in timed_out] == [("T1", "B")]


def test_tracked_lock_default_name_and_repr():
    lock = TrackedLock()
    assert lock.name.startswith("lock ")
    assert "unlocked" in repr(lock)
    fair = FairLock()
    with fair:
        assert "locked" in repr(fair) and "unlocked" not in repr(fair)


def test_wait_for_graph_cycles():
    assert WaitForGraph({"A": "T1", "B": "T2"}, {"T1": "B", "T2": "A"}).cycle() == ["T1", "B", "T2", "A", "T1"]
    assert WaitForGraph({"A": "T1"}, {"T1": "A"}).cycle() == ["T1", "A", "T1"]
    assert WaitForGraph({"A": "T1", "B": "T2"}, {"T1": "B"}).cycle() is None
    assert WaitForGraph({}, {"T1": "A"}).cycle() is None
    # A thread waiting *into* a cycle is not on it.
    g = WaitForGraph({"A": "T1", "B": "T2"}, {"T0": "A", "T1": "B", "T2": "A"})
    assert g.cycle() == ["T1", "B", "T2", "A", "T1"]


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from("ABCDE"), st.sampled_from(["T1", "T2", "T3", "T4"])),
       st.dictionaries(st.sampled_from(["T1", "T2", "T3", "T4"]), st.sampled_from("ABCDE")))
def test_wait_for_graph_cycle_matches_brute_force(holds, waits):
    # In a real graph a thread never waits for a lock it could take: fine either way here.
    cyc = WaitForGraph(holds, waits).cycle()

    def walks_back(start):
        thread = start
        for _ in range(len(waits) + 1):
            lock = waits.get(thread)
            thread = holds.get(lock) if lock is not None else None
            if thread is None:
                return False
            if thread == start:
                return True
        return False

    has_cycle = any(walks_back(t) for t in waits)
    assert (cyc is not None) == has_cycle
    if cyc is not None:
        assert cyc[0] == cyc[-1]
        for i in range(0, len(cyc) - 1, 2):
            assert waits[cyc[i]] == cyc[i + 1] and holds[cyc[i + 1]] == cyc[i + 2]


# --- FairLock's order -----------------------------------------------------------------


@pytest.mark.timeout(15)
def test_fairlock_serves_waiters_in_arrival_order():
    lock = FairLock()
    order = []
    lock.acquire()
    threads = []
    for i in range(5):
        def take(i=i):
            if lock.acquire(timeout=5):
                order.append(i)
                lock.release()
        t = threading.Thread(target=take, daemon=True)
        t.start()
        threads.append(t)
        _wait_until(lambda: len(lock._waiters) == i + 1)  # i is queued before i+1 starts
    # The releasing thread tries to barge back in at once: it must queue behind them.
    lock.release()
    assert lock.acquire(timeout=5)
    order.append("main")
    lock.release()
    for t in threads:
        t.join(5)
    assert order == [0, 1, 2, 3, 4, "main"]
    assert not lock.locked()


@pytest.mark.timeout(10)
def test_fairlock_timed_out_waiter_leaves_the_queue():
    lock = FairLock()
    lock.acquire()
    assert _in_thread(lambda: lock.acquire(timeout=0.05)) is False
    assert len(lock._waiters) == 0
    lock.release()
    assert not lock.locked()  # nobody was handed a lock they gave up on
    assert lock.acquire(False)
    lock.release()


@pytest.mark.timeout(20)
def test_fairlock_hands_over_under_timeout_races():
    """Many short timeouts racing releases: the lock ends free and the count is exact."""
    lock = FairLock()
    counter = [0]

    def work():
        done = 0
        while done < 200:
            if lock.acquire(timeout=0.0005):
                counter[0] += 1
                done += 1
                lock.release()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(4)]
    t0 = now()
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    assert not any(t.is_alive() for t in threads), f"stuck after {now() - t0:.1f} s"
    assert counter[0] == 800
    assert not lock.locked() and len(lock._waiters) == 0


@pytest.mark.parametrize("make", LOCKS.values(), ids=LOCKS.keys())
def test_a_huge_timeout_overflows_as_threading_lock_does(make):
    lock = make()
    lock.acquire()
    try:
        with pytest.raises(OverflowError):
            lock.acquire(timeout=1e100)
    finally:
        lock.release()
    assert not lock.locked()


@pytest.mark.timeout(30)
def test_fairlock_interrupted_while_waiting_does_not_stay_locked():
    # What Jupyter's interrupt button does: KeyboardInterrupt in the main
    # thread while it is blocked in acquire().
    import signal

    lock = FairLock()
    held, release = threading.Event(), threading.Event()

    def holder():
        with lock:
            held.set()
            release.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    assert held.wait(10)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(KeyboardInterrupt):
            lock.acquire()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    release.set()
    t.join(10)
    assert not lock.locked(), "the interrupted waiter left the lock locked for good"
    assert lock.acquire(timeout=1)
    lock.release()


def test_fairlock_interrupt_after_hand_over_passes_the_lock_on():
    lock = FairLock()
    lock.acquire()
    gate = threading.Lock()
    gate.acquire()
    lock._waiters.append(gate)
    lock.release()                      # hands the lock to the gate's (absent) waiter
    assert lock.locked()
    assert lock._give_up(gate, handed_over=lock._release_after_interrupt) is False
    assert not lock.locked()            # passed on, not lost


# --- lock order, lockdep-style ---------------------------------------------------------------

def _take_in_order(first, second, name):
    def body():
        with first:
            with second:
                pass
    t = threading.Thread(target=body, name=name, daemon=True)
    t.start()
    t.join(5)
    assert not t.is_alive()


def test_opposite_orders_make_a_cycle_without_any_deadlock():
    mon = LockMonitor()
    a, b = mon.lock("A"), mon.lock("B")
    _take_in_order(a, b, "t1")
    _take_in_order(b, a, "t2")  # one after the other: nothing deadlocked
    assert mon.order == {("A", "B"): frozenset({"t1"}), ("B", "A"): frozenset({"t2"})}
    assert mon.order_cycle() == ["A", "B", "A"]
    assert mon.peak_threads == 1
    assert mon.order_cycle(max_threads=1) is None  # two threads are needed to close it


def test_one_order_has_no_cycle_and_one_thread_cannot_deadlock_with_itself():
    mon = LockMonitor()
    a, b = mon.lock("A"), mon.lock("B")
    _take_in_order(a, b, "t1")
    _take_in_order(a, b, "t2")
    assert mon.order_cycle() is None
    alone = LockMonitor()
    a, b = alone.lock("A"), alone.lock("B")
    _take_in_order(a, b, "t1")
    _take_in_order(b, a, "t1")  # t1 both ways: no second thread to close the cycle
    assert alone.order_cycle() is None


def test_waits_with_a_timeout_add_no_edge_and_holds_are_numbered():
    mon = LockMonitor()
    a, b = mon.lock("A"), mon.lock("B")
    me = threading.current_thread().name
    with a:
        assert b.acquire(timeout=1)
        assert len(mon.held_by(me)) == 2
        b.release()
        first = mon.held_by(me)
    assert mon.order == {} and mon.held_by(me) == frozenset()
    with a:
        assert mon.held_by(me) != first  # a new hold of the same lock
