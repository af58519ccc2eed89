"""run(): every strategy gives the sequential results, in order, and cleans up."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parallel_demo as pd
from parallel_demo import STRATEGIES, is_prime, run

# distributed keeps one daemon thread for the life of the process ("Dask-Offload"):
# start it now, before any test's leftover snapshot, as Dask's own test utilities do.
from parallel_demo.dask_cluster import dask_process_threads  # noqa: E402

dask_process_threads()

CORE = ["sequential", "thread_per_task", "queue_workers", "thread_pool", "process_pool"]


def test_strategies_are_listed_in_teaching_order():
    assert STRATEGIES[: len(CORE)] == CORE
    assert set(STRATEGIES) == set(CORE) | {"asyncio", "interpreter_pool", "dask"}


@pytest.fixture(scope="module")
def dask_address():
    """One Dask cluster (scheduler + 2 worker processes on 127.0.0.1) for the whole module."""
    from parallel_demo.dask_cluster import DaskCluster

    cluster = DaskCluster(workers=2, timeout=90).start()
    try:
        yield cluster.address
    finally:
        cluster.close()


@pytest.fixture(params=STRATEGIES)
def runner(request):
    """``runner(fn, items, **kw)``: run() with the strategy of this test, every one in STRATEGIES.

    asyncio takes coroutine functions, so a plain task is wrapped in one; a
    strategy this Python cannot run (interpreter_pool before 3.14) is skipped
    with its reason; Dask runs on the module's cluster.
    """
    strategy = request.param
    reason = pd.strategy_available(strategy)
    if reason:
        pytest.skip(reason)
    options = {}
    if strategy == "dask":
        options["scheduler"] = request.getfixturevalue("dask_address")

    def call(fn, items, **kw):
        if strategy == "asyncio":
            async def task(x, fn=fn):
                return fn(x)
            return run(strategy, task, items, **kw, **options), strategy
        return run(strategy, fn, items, **kw, **options), strategy

    return call


@pytest.mark.timeout(180)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(st.integers(min_value=-50, max_value=10**7), max_size=25),
       workers=st.integers(min_value=1, max_value=4))
def test_results_equal_sequential_in_input_order(runner, items, workers):
    result, strategy = runner(is_prime, items, workers=workers)
    assert result.results == [is_prime(n) for n in items]
    assert [r.index for r in result.records] == list(range(len(items)))
    assert result.strategy == strategy


@pytest.mark.timeout(60)
def test_empty_input(runner):
    result, _ = runner(is_prime, [])
    assert result.results == [] and result.records == []
    assert result.wall >= 0


@pytest.mark.timeout(60)
def test_single_item(runner):
    result, _ = runner(is_prime, [97], workers=3)
    assert result.results == [True]
    (rec,) = result.records
    assert rec.index == 0 and rec.end >= rec.start >= result.start


@pytest.mark.timeout(60)
def test_records_are_timed_on_one_clock(runner):
    items = pd.large_primes(4, 10**9)
    result, strategy = runner(is_prime, items, workers=2)
    # Dask's workers keep their own clocks; run() maps them onto ours with an
    # offset measured at connect, good to a few milliseconds.
    slack = 0.005 if strategy == "dask" else 0.0
    for rec in result.records:
        assert result.start - slack <= rec.start <= rec.end <= result.start + result.wall + slack
        assert rec.submitted is None or rec.submitted <= rec.start + slack
    assert result.busy > 0


@pytest.mark.timeout(60)
def test_worker_counts_and_lanes():
    items = [0.05] * 4
    assert run("sequential", pd.sleep_task, items, workers=4).workers == 1
    assert run("sequential", pd.sleep_task, items).lanes == ["main thread"]
    per_task = run("thread_per_task", pd.sleep_task, items)
    assert per_task.workers == 4 and len(per_task.lanes) == 4  # a new thread per item
    # Four tasks that wait for each other: a pool can finish them only with four threads (a
    # 50 ms sleep let a loaded machine reuse a thread that had finished already).
    meet = threading.Barrier(4)
    pool = run("thread_pool", lambda x: meet.wait(timeout=30), items, workers=4)
    assert sorted(pool.lanes) == [f"thread {k}" for k in range(4)]
    procs = run("process_pool", pd.sleep_task, items, workers=2)
    assert set(procs.lanes) <= {"process 0", "process 1"}
    assert {r.pid for r in procs.records}.isdisjoint({multiprocessing.current_process().pid})


@pytest.mark.timeout(60)
def test_default_workers_is_effective_cpus():
    assert run("thread_pool", is_prime, [2, 3]).workers == pd.effective_cpus()
    assert run("process_pool", is_prime, [2, 3]).workers == pd.effective_cpus()


@pytest.mark.timeout(60)
def test_threads_overlap_waiting():
    # A guaranteed ordering, not a timing bound: four 0.2 s sleeps in four threads all
    # start before the first one ends.
    result = run("thread_pool", pd.sleep_task, [0.2] * 4, workers=4)
    assert max(r.start for r in result.records) < min(r.end for r in result.records)


class Boom(Exception):
    pass


def fail_on_three(n):
    if n == 3:
        raise Boom(f"cannot handle {n}")
    return n * 2


@pytest.mark.timeout(60)
@pytest.mark.parametrize("strategy", CORE)
def test_exception_keeps_type_and_names_the_item(strategy):
    before = threading.active_count()
    with pytest.raises(Boom, match="cannot handle 3") as info:
        run(strategy, fail_on_three, [1, 2, 3, 4, 5, 6], workers=2)
    notes = getattr(info.value, "__notes__", [])
    assert any("item #2" in n and "3" in n for n in notes), notes
    assert threading.active_count() == before
    assert multiprocessing.active_children() == []


def test_every_strategy_names_the_failing_item_and_keeps_the_type(runner):
    # is_prime refuses a str with a TypeError: a library task every worker can import.
    with pytest.raises(TypeError, match="must be an int, got str 'three'") as info:
        runner(is_prime, [1, 2, "three", 4, "five"], workers=2)
    notes = getattr(info.value, "__notes__", [])
    assert any("item #2" in n and "three" in n for n in notes), notes  # the first in input order
    assert multiprocessing.active_children() == []


def fail_on_odd(n):
    if n % 2:
        raise ValueError(f"odd {n}")
    return n


@pytest.mark.timeout(60)
@pytest.mark.parametrize("strategy", CORE)
def test_first_failure_in_input_order_wins(strategy):
    with pytest.raises(ValueError, match="odd 1"):
        run(strategy, fail_on_odd, [0, 1, 2, 3, 5, 7], workers=3)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("start_method", multiprocessing.get_all_start_methods())
@pytest.mark.parametrize("chunksize", [1, 3])
def test_process_pool_every_start_method_and_chunksize(start_method, chunksize):
    items = list(range(20))
    result = run("process_pool", is_prime, items, workers=2, start_method=start_method,
                 chunksize=chunksize)
    assert result.results == [is_prime(n) for n in items]
    assert [r.index for r in result.records] == items


@pytest.mark.timeout(60)
def test_worker_crash_is_reported_and_cleaned_up():
    with pytest.raises(cf.process.BrokenProcessPool) as info:
        run("process_pool", pd.crash_process, [1, 1], workers=1)
    assert any("worker process died" in n for n in info.value.__notes__)


@pytest.mark.timeout(60)
def test_initializer_runs_in_each_worker():
    seen = []
    result = run("thread_pool", is_prime, [2, 3, 4], workers=2, initializer=seen.append,
                 initargs=("ready",))
    assert result.results == [True, True, False]
    assert 1 <= len(seen) <= 2 and set(seen) == {"ready"}


def test_bad_inputs_get_clear_errors():
    with pytest.raises(ValueError, match="strategy must be one of sequential.*got 'threads'"):
        run("threads", is_prime, [1])
    with pytest.raises(TypeError, match="fn must be callable"):
        run("sequential", 42, [1])
    with pytest.raises(TypeError, match="items must be iterable"):
        run("sequential", is_prime, 5)
    with pytest.raises(ValueError, match="workers must be at least 1"):
        run("thread_pool", is_prime, [1], workers=0)
    with pytest.raises(ValueError, match="workers must be at least 1"):
        run("sequential", is_prime, [1], workers=-2)
    with pytest.raises(TypeError, match="workers must be an int"):
        run("thread_pool", is_prime, [1], workers=2.5)
    with pytest.raises(TypeError, match="unexpected option.*chunksize"):
        run("thread_pool", is_prime, [1], chunksize=4)
    with pytest.raises(ValueError, match="chunksize must be at least 1, got 0"):
        run("process_pool", is_prime, [1], chunksize=0)
    with pytest.raises(ValueError, match="workers must be at most .*, got 1000000"):
        run("thread_pool", is_prime, [1], workers=10**6)
    with pytest.raises(TypeError, match="strategy must be a str"):
        run(3, is_prime, [1])
    with pytest.raises(TypeError, match="items must be an iterable of items, got a str"):
        run("sequential", is_prime, "123")
    with pytest.raises(ValueError, match="start_method 'thread' is not available"):
        run("process_pool", is_prime, [1], start_method="thread")


def test_register_strategy_rejects_duplicates():
    with pytest.raises(ValueError, match="already registered"):
        pd.register_strategy("sequential", lane="main")(lambda fn, items, workers: [])


def test_run_result_repr_is_short_and_stable():
    r = run("sequential", is_prime, [2, 4])
    assert repr(r) == "RunResult(strategy='sequential', workers=1, tasks=2, lanes=1)"


@pytest.mark.timeout(90)
@pytest.mark.parametrize("start_method", ["spawn", "forkserver", "fork"])
def test_a_lambda_in_a_plain_script_fails_fast_instead_of_hanging(tmp_path, start_method):
    # 3.11's ProcessPoolExecutor could wait for ever after the pickling error.
    script = tmp_path / "lam.py"
    script.write_text(
        "from parallel_demo import run\n"
        "if __name__ == '__main__':\n"
        f"    run('process_pool', lambda x: x, [1, 2], workers=2, start_method={start_method!r})\n")
    import subprocess
    import sys
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                         cwd=tmp_path)
    assert out.returncode == 1
    assert "TypeError: fn='<lambda>' cannot be sent to a worker process" in out.stderr
    assert "top level of a module" in out.stderr


def test_a_notebook_function_under_spawn_is_refused_with_the_reason(monkeypatch):
    import __main__

    monkeypatch.delattr(__main__, "__file__", raising=False)  # as in a Jupyter kernel
    def f(x):
        return x

    f.__module__ = "__main__"
    f.__qualname__ = "f"
    __main__.f = f
    try:
        with pytest.raises(TypeError, match="defined in __main__.*'spawn' cannot find it there"):
            run("process_pool", f, [1], workers=1, start_method="spawn")
    finally:
        del __main__.f


_SIGINT_SCRIPT = """
import multiprocessing, signal, sys, threading
from parallel_demo import run, sleep_task
if __name__ == "__main__":
    # Python's own Ctrl-C handler, even if SIGINT came in ignored: a shell starts background
    # jobs (`make test &`) with SIGINT ignored, and the child would inherit that.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    strategy = sys.argv[1]
    print("started", flush=True)
    try:
        run(strategy, sleep_task, [0.5] * 40, workers=2)
    except KeyboardInterrupt as exc:
        print("interrupted:", exc, flush=True)
    print("children:", len(multiprocessing.active_children()),
          "threads:", threading.active_count(), flush=True)
"""


@pytest.mark.timeout(90)
@pytest.mark.parametrize("strategy", ["process_pool", "thread_pool"])
def test_sigint_during_run_cancels_pending_work_and_leaves_nothing(tmp_path, strategy):
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "interrupt.py"
    script.write_text(_SIGINT_SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), strategy], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert proc.stdout.readline().strip() == "started"
        time.sleep(1.5)                        # the pool is busy with its first tasks
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)        # what Ctrl-C and Jupyter's interrupt send
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    took = time.monotonic() - t0
    assert proc.returncode == 0, err
    assert f"run('{strategy}') interrupted" in out and "cancelled" in out
    assert "children: 0 threads: 1" in out, out
    import re
    cancelled = int(re.search(r"interrupted: (\d+) unfinished", out).group(1))
    assert cancelled >= 30  # of 40 tasks of 0.5 s on 2 workers, at most ~6 had run or started
    assert took < 60
    assert "Traceback" not in err


def test_thread_pool_records_are_built_when_first_read_and_behave_as_a_list():
    import copy
    import pickle
    from dataclasses import replace as dc_replace

    result = pd.run("thread_pool", abs, [-3, 4, -5], workers=2)
    assert "_build" in result.__dict__, "the thread pool's records should wait to be read"
    assert result.results == [3, 4, 5]
    records = result.records
    assert "_build" not in result.__dict__ and result.records is records  # built once
    assert isinstance(records, list) and [r.index for r in records] == [0, 1, 2]
    assert all(r.worker.startswith("thread ") and r.start <= r.end for r in records)
    assert [r.label for r in records] == ["-3", "4", "-5"]
    assert set(result.lanes) == {r.worker for r in records}
    # Pickling, copying and replace() of an unread result see the built records.
    for make in (lambda r: pickle.loads(pickle.dumps(r)), copy.copy, copy.deepcopy,
                 lambda r: dc_replace(r, wall=1.0)):
        fresh = pd.run("thread_pool", abs, [1, 2], workers=2)
        other = make(fresh)
        assert [r.index for r in other.records] == [0, 1]
        assert "_build" not in other.__dict__
    fresh = pd.run("thread_pool", abs, [1, 2], workers=2)
    assert fresh == pickle.loads(pickle.dumps(fresh))
    assert "tasks=2" in repr(pd.run("thread_pool", abs, [1, 2], workers=2))
    assert not hasattr(result, "no_such_field")


def test_thread_pool_failure_names_the_item_on_the_lean_path():
    def fail_on_three(x):
        if x == 3:
            raise ValueError("three")
        return x

    with pytest.raises(ValueError, match="three") as info:
        pd.run("thread_pool", fail_on_three, [1, 2, 3, 4], workers=2)
    assert any("item #2: 3" in note for note in getattr(info.value, "__notes__", []))
