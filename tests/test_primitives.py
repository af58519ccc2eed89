"""The chapter's demos give their results, and its readers-writer locks behave like locks.

The writer view of each readers-writer lock passes the behavioural suite that
tests/test_locks.py runs for threading.Lock, TrackedLock and FairLock, plus the
checks of CPython's Lib/test/lock_tests.py that apply to a lock without an owner
(BaseLockTests and LockTests); the reader view passes those that apply to a shared lock.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
import weakref

import pytest

from parallel_demo import (CHECK_THEN_ACT, RW_LOCKS, BoundedBuffer, StuckProgram, barrier_phases,
                           broken_barrier, check_then_act, context_in_threads, dump_all_threads,
                           footman_dinner, limited_section, lock_handoff_note, longest_waits,
                           measure_writer_waits, py_spy_dump, py_spy_path, release_too_many,
                           safe_calls, stacks, stolen_wakeup, stop_signal, stress_buffer,
                           thread_inherits_context, thread_local_demo, thread_takes_context,
                           writer_starvation, asyncio_lock_order)
from parallel_demo.checks.primitives import PHASES

from test_locks import _in_thread, _wait_until  # one copy of the bounded-thread helpers

pytestmark = pytest.mark.timeout(60)


# --- the readers-writer locks: the writer side is a Lock ------------------------------------

SIDES = [(kind, side) for kind in RW_LOCKS for side in ("writer", "reader")]


@pytest.fixture(params=list(RW_LOCKS))
def rw(request):
    return RW_LOCKS[request.param]()


@pytest.fixture(params=SIDES, ids=[f"{k}.{s}" for k, s in SIDES])
def side(request):
    kind, which = request.param
    return getattr(RW_LOCKS[kind](), which)


def test_acquire_release_locked(side):
    assert not side.locked()
    assert side.acquire() is True
    assert side.locked()
    side.release()
    assert not side.locked()
    assert "unlocked" in repr(side)


@pytest.mark.parametrize("args, kwargs", [((False, 1), {}), ((), {"blocking": False, "timeout": 0}),
                                          ((), {"timeout": -2}), ((), {"timeout": -100})])
def test_bad_arguments_raise_valueerror(side, args, kwargs):
    with pytest.raises(ValueError):
        side.acquire(*args, **kwargs)
    assert not side.locked()


def test_huge_timeouts_overflow_and_timeout_max_is_fine(side):
    # lock_tests.BaseLockTests.test_timeout
    with pytest.raises(OverflowError):
        side.acquire(timeout=1e100)
    with pytest.raises(OverflowError):
        side.acquire(timeout=threading.TIMEOUT_MAX + 1)
    assert side.acquire(timeout=threading.TIMEOUT_MAX)
    side.release()


def test_release_of_unheld_side_raises_runtimeerror(side):
    with pytest.raises(RuntimeError):
        side.release()
    side.acquire()
    side.release()
    with pytest.raises(RuntimeError):
        side.release()


def test_context_manager_releases_on_exception(side):
    with pytest.raises(ZeroDivisionError):
        with side as entered:
            assert entered is True and side.locked()
            1 / 0
    assert not side.locked()


def test_released_by_another_thread(side):
    # lock_tests.LockTests.test_different_thread: no owner, like threading.Lock
    side.acquire()
    _in_thread(side.release)
    assert not side.locked()
    assert side.acquire(False)
    side.release()


@pytest.mark.parametrize("kind", list(RW_LOCKS))
def test_acquire_destroy_and_weakref(kind):
    # lock_tests.BaseLockTests.test_acquire_destroy / test_weakref_exists / test_weakref_deleted
    rw = RW_LOCKS[kind]()
    rw.writer.acquire()
    ref = weakref.ref(rw)
    assert ref() is rw
    del rw
    gc.collect()
    assert ref() is None


def test_writer_nonblocking_fails_while_held(rw):
    # lock_tests: test_try_acquire_contended, test_reacquire (not re-entrant)
    rw.writer.acquire()
    try:
        t0 = time.perf_counter()
        assert _in_thread(lambda: rw.writer.acquire(False)) is False
        assert rw.writer.acquire(blocking=False) is False
        assert _in_thread(lambda: rw.reader.acquire(False)) is False
        assert time.perf_counter() - t0 < 2.0
    finally:
        rw.writer.release()


def test_timeout_expires_when_held_and_state_after_timeout(rw):
    # lock_tests: test_timeout (waits about the timeout), test_state_after_timeout
    with rw.writer:
        t0 = time.perf_counter()
        assert _in_thread(lambda: rw.writer.acquire(timeout=0.1)) is False
        assert time.perf_counter() - t0 >= 0.09
        assert _in_thread(lambda: rw.reader.acquire(timeout=0)) is False
    assert not rw.writer.locked() and not rw.reader.locked()
    assert rw.writer.acquire(blocking=False)
    rw.writer.release()
    with rw.reader:
        assert _in_thread(lambda: rw.writer.acquire(timeout=0.05)) is False
    assert rw.writer.acquire(False)  # a writer that gave up leaves no trace
    rw.writer.release()


def test_blocked_acquire_wakes_on_release(rw):
    # lock_tests: test_acquire_contended
    rw.writer.acquire()
    got = []
    threads = [threading.Thread(target=lambda: got.append(rw.writer.acquire(timeout=5)) or rw.writer.release(),
                                daemon=True) for _ in range(5)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    assert got == []
    rw.writer.release()
    for t in threads:
        t.join(5)
    assert got == [True] * 5 and not rw.writer.locked()


def test_readers_share_writers_exclude(rw):
    with rw.reader:
        assert _in_thread(lambda: rw.reader.acquire(False)) is True  # a second reader
        assert rw.reader.locked()
        rw.reader.release()
        assert rw.reader.locked()  # still the first reader
    assert not rw.reader.locked()


@pytest.mark.timeout(30)
def test_mutual_exclusion_under_contention(rw):
    counter, inside, most, readers_seen = [0], [0], [0], [0]

    def write():
        for _ in range(150):
            with rw.writer:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                value = counter[0]
                time.sleep(0)
                counter[0] = value + 1
                inside[0] -= 1

    def read():
        for _ in range(150):
            with rw.reader:
                if inside[0]:
                    readers_seen[0] += 1  # a reader saw a writer inside
                time.sleep(0)

    threads = [threading.Thread(target=f, daemon=True) for f in (write, write, read, read)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not any(t.is_alive() for t in threads)
    assert counter[0] == 300 and most[0] == 1 and readers_seen[0] == 0


def test_writer_preferring_holds_new_readers_back():
    rw = RW_LOCKS["writer-preferring"]()
    rw.reader.acquire()
    waiting = threading.Thread(target=lambda: rw.writer.acquire(timeout=5) and rw.writer.release(),
                               daemon=True)
    waiting.start()
    _wait_until(lambda: rw._writers_waiting == 1)
    assert _in_thread(lambda: rw.reader.acquire(False)) is False  # queued behind the writer
    rw.reader.release()
    waiting.join(5)
    assert not waiting.is_alive()
    rp = RW_LOCKS["readers-preferring"]()
    rp.reader.acquire()
    waiting = threading.Thread(target=lambda: rp.writer.acquire(timeout=5) and rp.writer.release(),
                               daemon=True)
    waiting.start()
    _wait_until(lambda: rp._writers_waiting == 1)
    assert _in_thread(lambda: rp.reader.acquire(False)) is True  # barges past the writer
    rp.reader.release()
    rp.reader.release()
    waiting.join(5)
    assert not waiting.is_alive()


def test_writer_that_times_out_lets_held_back_readers_in():
    rw = RW_LOCKS["writer-preferring"]()
    rw.reader.acquire()
    late = []
    w = threading.Thread(target=lambda: rw.writer.acquire(timeout=0.2), daemon=True)
    w.start()
    _wait_until(lambda: rw._writers_waiting == 1)
    r = threading.Thread(target=lambda: late.append(rw.reader.acquire(timeout=5)), daemon=True)
    r.start()
    w.join(5)
    r.join(5)
    assert late == [True]
    rw.reader.release()
    rw.reader.release()
    assert not rw.reader.locked()


@pytest.mark.timeout(30)
def test_writer_starvation_measurement_structure():
    runs = measure_writer_waits(runs=2, seconds=0.1)
    assert set(runs) == set(RW_LOCKS)
    for kind, reps in runs.items():
        assert len(reps) == 2
        for r in reps:
            assert r.kind == kind and r.threads_left == [] and r.reads > 0 and r.waits
            assert r.longest_wait <= r.seconds + 0.05
    assert all(r.writes > 0 for r in runs["writer-preferring"])
    m = longest_waits(runs["readers-preferring"])
    assert m.label == "readers-preferring" and len(m.times) == 2


@pytest.mark.parametrize("bad", [{"kind": "fair"}, {"readers": 0}, {"seconds": 0}, {"hold": -1}])
def test_writer_starvation_rejects_bad_input(bad):
    with pytest.raises((ValueError, TypeError)):
        writer_starvation(**bad)


# --- the demos ------------------------------------------------------------------------------


@pytest.mark.parametrize("use_while", [True, False])
def test_stolen_wakeup_is_deterministic(use_while):
    for _ in range(5):
        r = stolen_wakeup(use_while)
        assert r.threads_left == []
        assert r.taken["consumer 2"] == ["item 1"]
        kinds = [(e.thread, e.kind) for e in r.events]
        if use_while:
            assert r.taken["consumer 1"] == ["item 2"] and r.errors == {}
            assert ("consumer 1", "woken-empty") in kinds
        else:
            assert r.taken["consumer 1"] == [] and "IndexError" in r.errors["consumer 1"]


@pytest.mark.parametrize("capacity", [1, 3])
def test_bounded_buffer_and_queue_pass_the_stress(capacity):
    import queue
    b = BoundedBuffer(capacity)
    rep = stress_buffer(b.put, b.get, capacity=capacity, size=lambda: len(b.items), items=100)
    assert rep.ok and rep.consumed == rep.produced == 300, rep
    q = queue.Queue(capacity)
    assert stress_buffer(q.put, q.get, capacity=capacity, size=q.qsize, items=100).ok


def test_bounded_buffer_timeouts_and_validation():
    import queue
    b = BoundedBuffer(1)
    with pytest.raises(queue.Empty):
        b.get(timeout=0.01)
    b.put(1)
    with pytest.raises(queue.Full):
        b.put(2, timeout=0.01)
    with pytest.raises(ValueError):
        BoundedBuffer(0)
    with pytest.raises(TypeError):
        BoundedBuffer("2")


def test_stress_finds_a_lossy_buffer():
    from collections import deque
    items = deque()
    lossy = stress_buffer(lambda x: items.append(x) if x[1] % 10 else None,
                          lambda: items.popleft() if items else None, capacity=5,
                          size=lambda: len(items), items=50, timeout=3)
    assert not lossy.ok and lossy.lost > 0


def test_limited_section_never_exceeds_the_limit():
    for limit in (1, 2, 3):
        r = limited_section(limit, workers=5, hold=0.02)
        assert r.most_inside == limit and r.threads_left == []
        assert len([e for e in r.events if e.kind == "inside"]) == 5


def test_release_too_many():
    assert release_too_many("Semaphore", 2) == ("the extra release was accepted silently", 3)
    what, entered = release_too_many("BoundedSemaphore", 2)
    assert what.startswith("ValueError") and entered == 2
    with pytest.raises(ValueError):
        release_too_many("Lock")


def test_footman_prevents_the_deadlock():
    d = footman_dinner(5, meals=2)
    assert d.gave_up == [] and set(d.meals.values()) == {2} and d.most_seated <= 4
    assert d.threads_left == []
    stuck = footman_dinner(5, meals=1, footman=False, patience=0.3)
    assert stuck.threads_left == [] and stuck.most_seated <= 5


def test_event_stop_and_barriers():
    s = stop_signal(0.05, 0.005)
    assert s.rounds >= 1 and s.threads_left == [] and s.reaction < 1.0
    p = barrier_phases(PHASES)
    assert p.threads_left == [] and p.wall >= sum(max(r[i] for r in PHASES) for i in range(3)) * 0.95
    assert len([e for e in p.events if e.kind == "work"]) == 12
    q = barrier_phases(PHASES, barrier=False)
    assert not [e for e in q.events if e.kind == "wait"]
    with pytest.raises(ValueError):
        barrier_phases([[0.1], [0.1, 0.2]])
    for fail in ("abort", "timeout"):
        out = broken_barrier(fail=fail, parties=3, timeout=0.1)
        assert out["worker 2"] == "failed before the barrier"
        assert all(out[f"worker {w}"].startswith("BrokenBarrierError") for w in (0, 1))


def test_check_then_act_racy_kinds_fail_and_fixes_do_not():
    for kind, what in CHECK_THEN_ACT.items():
        r = check_then_act(kind, rounds=20)
        if what == "fixed":
            assert r.failures == 0, kind
        else:
            assert r.failures > 0, kind  # a sleep(0) sits between check and act


def test_per_thread_state():
    seen = thread_local_demo(3)
    assert seen["MainThread"][1] == "main's value"
    assert all(seen[f"thread {i}"] == ("(unset)", f"thread {i}") for i in range(3))
    ctx = context_in_threads("r1")
    assert ctx["Thread(target=copy_context().run, args=(f,))"] == "r1"
    assert ctx["Thread(target=f)"] == ("r1" if thread_inherits_context() else "(default)")
    assert ("Thread(target=f, context=copy_context())" in ctx) == thread_takes_context()
    assert thread_takes_context() == (sys.version_info >= (3, 14))


@pytest.mark.parametrize("container", ["deque", "SimpleQueue"])
def test_safe_calls_lose_nothing(container):
    assert safe_calls(container, producers=4, per_producer=2000) == {"put": 8000, "taken": 8000,
                                                                      "distinct": 8000}


def test_stuck_program_is_diagnosed_and_released():
    with StuckProgram(release_after=10) as stuck:
        st = stacks(StuckProgram.NAMES)
        assert st["stuck-consumer"][-2:] == ["get", "wait"]
        assert st["stuck-waiter"][-1] == "wait"
        dump = dump_all_threads(StuckProgram.NAMES)
        assert "[stuck-consumer]" in dump and "_consume" in dump and "_wait_for_signal" in dump
        assert "MainThread" not in dump
    assert stuck.threads_left == []


def test_py_spy_dump_without_py_spy(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    assert py_spy_path() is None
    with pytest.raises(FileNotFoundError):
        py_spy_dump()


def test_fairness_elsewhere():
    assert asyncio_lock_order(3) == ["task 0", "task 1", "task 2", "the holder, again"]
    assert "PyMutex" in lock_handoff_note((3, 14, 0)) and "1 ms" in lock_handoff_note((3, 13, 1))
    assert "no hand-off" in lock_handoff_note((3, 11, 7))


# --- both sides of a readers-writer lock refuse what threading.Lock refuses -----------------

@pytest.mark.parametrize("blocking, timeout", [(False, 1), (False, 0), (True, -2), (True, -100),
                                               (True, 1e100), (True, threading.TIMEOUT_MAX + 1),
                                               (True, "soon")])
@pytest.mark.parametrize("kind, side", SIDES)
def test_rwlock_rejects_acquire_arguments_exactly_like_threading_lock(kind, side, blocking, timeout):
    errors = []
    for lock in (threading.Lock(), getattr(RW_LOCKS[kind](), side)):
        with pytest.raises((ValueError, OverflowError, TypeError)) as info:
            lock.acquire(blocking, timeout)
        errors.append(type(info.value))
    assert errors[0] == errors[1]


# --- the chapter's computed sentences ---------------------------------------------------------

def test_explain_footman_says_how_many_gave_up():
    from parallel_demo import explain_footman

    none = footman_dinner(philosophers=5, meals=1, footman=True)
    assert "**0 of 5**" in explain_footman(none) and "bad luck" in explain_footman(none)
    text = explain_footman(footman_dinner(philosophers=5, meals=1, footman=False, patience=0.2))
    assert text.startswith("Without the footman, in this run, **") and "of 5**" in text
    with pytest.raises(TypeError, match="report"):
        explain_footman({"gave_up": []})


def test_explain_thread_context_matches_this_python():
    from parallel_demo import explain_thread_context

    text = explain_thread_context()
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}" in text
    assert ("a copy of the caller's context" in text) == thread_inherits_context()
    assert ("also accepts `Thread(context=...)`" in text) == thread_takes_context()


def test_explain_writer_waits_uses_the_verdict():
    from parallel_demo import explain_writer_waits

    runs = measure_writer_waits(runs=3, seconds=0.05)
    text = explain_writer_waits(runs)
    assert text.startswith("In this run the writer's longest wait was **")
    assert any(w in text for w in ("**shorter**", "**longer**", "**not different beyond the noise**"))
    with pytest.raises(ValueError, match="runs"):
        explain_writer_waits({"writer-preferring": runs["writer-preferring"]})


def test_explain_py_spy():
    from parallel_demo import explain_py_spy

    assert explain_py_spy("Thread 1 (idle)") == "Thread 1 (idle)"
    assert "py-spy dump --pid 123" in explain_py_spy(None, pid=123)
