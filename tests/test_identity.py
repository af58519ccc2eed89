"""Tests for parallel_demo.identity: who runs a task, shared vs copied memory, start-up cost."""

import multiprocessing
import os
import sys
import threading

import pytest

from parallel_demo import append_from_processes, append_from_threads, catch_thread_exceptions, is_prime, os_thread_count, process_identities, startup_cost, startup_costs, thread_identities, whoami

METHODS = multiprocessing.get_all_start_methods()




def test_whoami_here():
    me = whoami()
    assert me.pid == os.getpid()
    assert me.ident == threading.get_ident()
    assert me.native_id == threading.get_native_id()
    assert me.threads == threading.active_count() >= 1


@pytest.mark.timeout(30)
def test_threads_share_the_pid_but_not_the_thread():
    ids = thread_identities(3)
    assert {i.pid for i in ids} == {os.getpid()}
    assert len({i.ident for i in ids}) == 3  # alive at once, so distinct
    assert len({i.native_id for i in ids}) == 3
    assert threading.get_ident() not in {i.ident for i in ids}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("method", METHODS)
def test_fresh_processes_have_own_pid_and_one_thread(method):
    ids = process_identities(2, start_method=method)
    pids = {i.pid for i in ids}
    assert len(pids) == 2 and os.getpid() not in pids
    for i in ids:
        assert i.thread_name == "MainThread"
        assert i.threads == 1  # at least one thread -- and a fresh one has exactly one
        if i.os_threads is not None:
            assert i.os_threads == 1
        if sys.platform == "linux":
            assert i.native_id == i.pid  # Linux: the main thread's id is the pid


def test_threads_append_to_the_very_list():
    shared = ["parent"]
    out = append_from_threads(shared, workers=3, per_worker=2)
    assert out is shared
    assert len(shared) == 1 + 3 * 2
    assert sorted(shared[1:]) == sorted(f"thread {w} #{k}" for w in range(3) for k in range(2))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("method", METHODS)
def test_processes_change_only_their_copy(method):
    shared = ["parent"]
    copies = append_from_processes(shared, workers=2, per_worker=2, start_method=method)
    assert shared == ["parent"]
    assert copies == [["parent", f"process {w} #0", f"process {w} #1"] for w in range(2)]


@pytest.mark.parametrize("fn, kwargs", [
    (append_from_threads, {"workers": 0}), (append_from_processes, {"per_worker": -1}),
    (thread_identities, {"n": 0}), (process_identities, {"n": "2"}),
])
def test_bad_counts_are_refused(fn, kwargs):
    args = ([],) if fn in (append_from_threads, append_from_processes) else ()
    with pytest.raises((ValueError, TypeError), match="at least 1|must be an int"):
        fn(*args, **kwargs)


def test_shared_must_be_a_list():
    with pytest.raises(TypeError, match="list"):
        append_from_threads((1, 2))


def test_unknown_start_method():
    with pytest.raises(ValueError, match="not available"):
        process_identities(1, start_method="teleport")


@pytest.mark.timeout(120)
def test_startup_costs_cover_every_method_and_a_process_costs_more():
    ms = startup_costs(repeat=3)
    assert [m.label for m in ms] == ["thread"] + [f"process ({m})" for m in METHODS]
    assert all(len(m.times) == 3 and m.best > 0 for m in ms)
    thread = ms[0].median
    # Generous: a process is at least twice a thread under every method (measured: 20-800x).
    assert all(m.median > 2 * thread for m in ms[1:])


def test_startup_cost_bad_input():
    with pytest.raises(ValueError, match="'thread', 'process'"):
        startup_cost("fiber")
    with pytest.raises(ValueError, match="processes only"):
        startup_cost("thread", start_method="spawn")


def test_catch_thread_exceptions_collects_and_restores():
    previous = threading.excepthook
    with catch_thread_exceptions() as caught:
        t = threading.Thread(target=is_prime, args=("97",), name="bad-input")
        t.start()
        t.join(10)
    assert threading.excepthook is previous
    assert len(caught) == 1
    assert caught[0].thread_name == "bad-input" and caught[0].exc_type is TypeError
    assert "bad-input" in str(caught[0]) and "TypeError" in str(caught[0])


def test_os_thread_count_sees_at_least_this_thread():
    n = os_thread_count()
    assert n is None or n >= threading.active_count() >= 1


def _fail_on_one(i):
    if i == 1:
        raise KeyError("worker one failed")
    return i


@pytest.mark.timeout(30)
def test_a_failing_thread_reports_its_own_exception():
    from parallel_demo.identity import _call_in_threads

    with pytest.raises(KeyError, match="worker one failed"):
        _call_in_threads(_fail_on_one, [(0,), (1,), (2,)])
    assert _call_in_threads(_fail_on_one, [(0,), (2,)]) == [0, 2]


@pytest.mark.timeout(60)
def test_an_exception_in_a_child_process_comes_back():
    from parallel_demo.identity import _call_in_processes
    from parallel_demo import is_prime

    with pytest.raises(TypeError, match="must be an int"):
        _call_in_processes(is_prime, [("7",)], None)


@pytest.mark.timeout(120)
def test_startup_costs_show_a_bare_child_beside_one_that_runs_a_task():
    import functools

    ms = startup_costs(repeat=3, start_methods=["spawn"], task=functools.partial(is_prime, 7))
    assert [m.label for m in ms] == ["thread", "process (spawn)", "process (spawn) + is_prime"]
    assert all(len(m.times) == 3 for m in ms)
    with pytest.raises(TypeError, match="task"):
        startup_costs(repeat=1, start_methods=["spawn"], task=42)
