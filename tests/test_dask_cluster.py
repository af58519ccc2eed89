"""The "dask" strategy against a real scheduler and two worker processes on 127.0.0.1.

One cluster (``dask scheduler`` + two ``dask worker`` processes, started by
the ``cluster`` fixture) serves the whole module: starting one takes seconds.
The fixture is set up before the first test's leftover snapshot (conftest)
and torn down after the last one's check, and it keeps no thread of its own:
its processes are ``subprocess`` children, not ``multiprocessing`` ones, and
the one thread ``distributed`` keeps for the life of the process
("Dask-Offload") is started by the fixture, before any snapshot, through
:func:`dask_process_threads`.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from parallel_demo import is_prime, large_primes, run, sleep_task
from parallel_demo.dask_cluster import (SCHEDULER_ENV, ClockOffset, DaskCluster, StreamSpan,
                                        break_even_tasks, clock_offsets, dask_process_threads,
                                        measure_task_overhead, sweep_tasks, task_stream_spans)
from parallel_demo.verdict import Crossover

pytestmark = pytest.mark.timeout(120)

NUMBERS = large_primes(4, 10**7) + [4, 9, 91, 97]


@pytest.fixture(scope="module")
def cluster():
    dask_process_threads()
    c = DaskCluster(workers=2, timeout=90).start()
    try:
        yield c
    finally:
        c.close()
    assert not c.running


@pytest.fixture
def client(cluster):
    from distributed import Client

    with Client(cluster.address, timeout="30s") as c:
        yield c


@pytest.fixture(autouse=True)
def no_scheduler_env(monkeypatch):
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)


def test_cluster_is_two_worker_processes_on_loopback(cluster):
    assert cluster.running
    assert cluster.address.startswith("tcp://127.0.0.1:")
    assert [w.name for w in cluster.workers] == ["worker-0", "worker-1"]
    assert all(w.address.startswith("tcp://127.0.0.1:") for w in cluster.workers)
    # --no-nanny: the worker processes are the ones we started.
    assert {w.pid for w in cluster.workers} == set(cluster.pids[1:])
    assert os.getpid() not in cluster.pids
    assert cluster.startup > 0
    assert "dask scheduler --host 127.0.0.1" in cluster.commands[0]
    assert all("--nthreads 1" in cmd and "--host 127.0.0.1" in cmd for cmd in cluster.commands[1:])


def test_results_equal_sequential_and_records_come_from_the_workers(cluster):
    expected = run("sequential", is_prime, NUMBERS).results
    result = run("dask", is_prime, NUMBERS, scheduler=cluster.address)
    assert result.results == expected
    assert [r.index for r in result.records] == list(range(len(NUMBERS)))
    pids = {r.pid for r in result.records}
    assert pids <= {w.pid for w in cluster.workers}
    assert os.getpid() not in pids
    assert set(result.lanes) <= {"dask worker 0", "dask worker 1"}
    for r in result.records:
        assert r.start <= r.end
        assert r.submitted is not None
        # On the parent's clock: inside the run, give or take the offset's error.
        assert result.start - 0.05 <= r.start and r.end <= result.start + result.wall + 0.05


def test_environment_variable_points_run_at_the_cluster(cluster, monkeypatch):
    monkeypatch.setenv(SCHEDULER_ENV, cluster.address)
    result = run("dask", is_prime, NUMBERS[:4])
    assert result.results == [True] * 4
    assert {r.pid for r in result.records} <= {w.pid for w in cluster.workers}


def test_an_error_keeps_its_type_and_names_the_item(cluster):
    with pytest.raises(TypeError, match="n must be an int") as info:
        run("dask", is_prime, [3, "x", 5, "y"], scheduler=cluster.address)
    notes = getattr(info.value, "__notes__", [])
    assert any("item #1" in n and "'x'" in n for n in notes), notes


def test_first_failure_in_input_order_wins(cluster):
    # Items 0 and 2 both fail, on either worker, in either order: #0 is reported.
    with pytest.raises(TypeError) as info:
        run("dask", is_prime, [7.0, 7, "z"], scheduler=cluster.address)
    assert any("item #0" in n for n in info.value.__notes__)


def test_a_client_passed_in_is_left_open(client, cluster):
    result = run("dask", is_prime, NUMBERS[:3], client=client)
    assert result.results == [True] * 3
    assert client.status == "running"


def test_timeout_cancels_and_says_so(cluster):
    with pytest.raises(TimeoutError, match="timeout="):
        run("dask", sleep_task, [1.5], scheduler=cluster.address, timeout=0.2)


@pytest.mark.parametrize("options, error, match", [
    ({"scheduler": 8786}, TypeError, "scheduler must be"),
    ({"scheduler": ""}, TypeError, "scheduler must be"),
    ({"client": "tcp://127.0.0.1:1"}, TypeError, "client must be"),
    ({"timeout": -1}, ValueError, "timeout"),
    ({"chunksize": 2}, TypeError, "unexpected option"),
])
def test_bad_options_are_named(options, error, match):
    with pytest.raises(error, match=match):
        run("dask", is_prime, [3], **options)


def test_clock_offsets_on_one_machine_are_within_the_round_trip(client, cluster):
    offsets = clock_offsets(client, probes=3)
    assert set(offsets) == {w.address for w in cluster.workers}
    for address, off in offsets.items():
        assert isinstance(off, ClockOffset) and off.address == address
        assert off.pid in cluster.pids
        # perf_counter is one system-wide clock here, so the true offset is 0 and
        # the midpoint estimate cannot be further off than half the round trip.
        assert abs(off.perf) <= off.rtt / 2 + 1e-6


def test_task_stream_spans_share_the_parent_clock(client, cluster):
    """Dask's compute spans, moved onto our clock, contain our own records of the same tasks.

    The conversion can be off by each offset's error (at most half its probe's round
    trip) and by any change in Dask's own scheduler-delay estimate between the run and
    the probe (task_stream_spans takes that estimate back out; a loaded worker's
    heartbeat moves it by milliseconds).  The slack allows exactly those, and the run
    gets three attempts: noise misses now and then, a wrong offset would miss on all.
    """
    from distributed import get_task_stream

    misses = []
    for _ in range(3):
        before = clock_offsets(client)
        with get_task_stream(client=client) as ts:
            result = run("dask", is_prime, NUMBERS[:4], client=client)
        offsets = clock_offsets(client)
        spans = task_stream_spans(ts.data, offsets)
        computes = [s for s in spans if s.action == "compute"]
        assert len(computes) == 4
        assert {s.worker for s in computes} <= {w.address for w in cluster.workers}
        for s in computes:
            assert s.start <= s.end
            # Dask's wall-clock stamps, moved onto perf_counter, fall inside our run.
            assert result.start - 0.1 <= s.start and s.end <= result.start + result.wall + 0.1
        drift = max(abs(offsets[a].dask_delay - before[a].dask_delay) for a in offsets if a in before)
        slack = max(o.rtt for o in offsets.values()) + drift + 0.01
        misses = [rec for rec in result.records
                  if not any(s.start - slack <= rec.start and rec.end <= s.end + slack
                             for s in computes)]
        if not misses:
            break
    assert not misses, (misses, computes, slack)


def test_task_stream_spans_flatten_and_sort():
    data = [{"worker": "w1", "key": "b", "startstops": (
                {"action": "transfer", "start": 5.0, "stop": 6.0},
                {"action": "compute", "start": 6.0, "stop": 8.0})},
            {"worker": "w0", "key": "a", "startstops": ({"action": "compute", "start": 1.0, "stop": 2.0},)}]
    offsets = {"w1": ClockOffset("w1", 1, perf=0.0, wall=-0.5, rtt=0.001, dask_delay=0.5)}
    spans = task_stream_spans(data, offsets)
    assert spans == [StreamSpan("w0", "a", "compute", 1.0, 2.0),
                     StreamSpan("w1", "b", "transfer", 4.0, 5.0),
                     StreamSpan("w1", "b", "compute", 5.0, 7.0)]


def test_measure_task_overhead_structure(client):
    report = measure_task_overhead(client, tasks=10, repeat=3)
    assert report.tasks == 10
    assert len(report.dask.times) == 3 and len(report.process_pool.times) == 3
    assert set(report.per_task) == {"dask", "process pool"}
    assert all(v > 0 for v in report.per_task.values())
    assert len(report.per_task_times("dask")) == 3


def test_sweep_tasks_structure(client):
    sweep = sweep_tasks(client, sizes=(1, 2), near=10**5, repeat=3)
    assert sweep.sizes == (1, 2)
    assert set(sweep.measurements) == {"sequential", "process pool", "dask"}
    assert all(len(ms) == 2 for ms in sweep.measurements.values())
    assert isinstance(sweep.vs_sequential, Crossover) and isinstance(sweep.vs_pool, Crossover)
    assert sweep.task_seconds > 0


@pytest.mark.parametrize("bad, error", [((), ValueError), ((3, 2), ValueError),
                                        ((0,), ValueError), (("2",), TypeError)])
def test_sweep_tasks_refuses_bad_sizes(bad, error):
    with pytest.raises(error, match="sizes"):
        sweep_tasks(None, sizes=bad)


def test_break_even_model():
    # 1 s start-up, 1 ms overhead, 10 ms tasks, 2 workers: gain 10 - 5.5 = 4.5 ms a task.
    assert break_even_tasks(1.0, 0.001, 0.010, 2) == pytest.approx(1.0 / 0.0045)
    assert break_even_tasks(1.0, 0.001, 0.010, 1) is None          # one CPU: never
    assert break_even_tasks(1.0, 0.020, 0.010, 2) is None          # overhead > task: never
    with pytest.raises(ValueError, match="workers"):
        break_even_tasks(1.0, 0.001, 0.010, 0)
    with pytest.raises(TypeError, match="startup"):
        break_even_tasks("1", 0.001, 0.010, 2)


def test_default_path_is_a_local_cluster_that_is_gone_afterwards():
    import multiprocessing

    result = run("dask", is_prime, NUMBERS[:4], workers=2)
    assert result.results == [True] * 4
    assert os.getpid() not in {r.pid for r in result.records}
    assert multiprocessing.active_children() == []   # conftest checks threads too


def test_a_cluster_starts_and_stops_cleanly():
    c = DaskCluster(workers=1, timeout=90)
    assert repr(c) == "DaskCluster(workers=1, not started)"
    with c:
        assert c.running and len(c.workers) == 1
        pids = c.pids
    assert not c.running and repr(c) == "DaskCluster(workers=1, stopped)"
    assert c.close() == []  # twice is fine
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(RuntimeError, match="already been started"):
        c.start()


def test_the_repr_says_stopped_only_when_every_process_is():
    """A cluster with one process still alive is not "stopped" (the chapter prints it)."""
    class Proc:
        def __init__(self, code):
            self.code = code

        def poll(self):
            return self.code

    c = DaskCluster(workers=2, timeout=90)
    c._procs = [Proc(None), Proc(0), Proc(-9)]
    assert repr(c) == "DaskCluster(workers=2, 1 of 3 processes running)" and not c.running
    c._procs = [Proc(0), Proc(0), Proc(-9)]
    assert repr(c) == "DaskCluster(workers=2, stopped)"
    c._procs = [Proc(None)] * 3
    assert repr(c) == "DaskCluster(workers=2, running)"
    c._procs = []


@pytest.mark.parametrize("kwargs, error", [({"workers": 0}, ValueError),
                                           ({"workers": "2"}, TypeError),
                                           ({"timeout": 0}, ValueError)])
def test_cluster_arguments_are_checked(kwargs, error):
    with pytest.raises(error):
        DaskCluster(**kwargs)


def test_the_worker_side_module_is_light():
    code = ("import sys, parallel_demo.dask_cluster\n"
            "heavy = [m for m in ('matplotlib', 'sympy', 'httpx', 'ipywidgets', 'distributed')"
            " if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def _overhead(dask=(0.10, 0.11, 0.12), pool=(0.02, 0.021, 0.022), tasks=50):
    from parallel_demo.dask_cluster import OverheadReport
    from parallel_demo.timing import Measurement
    return OverheadReport(tasks, Measurement("dask", dask), Measurement("process pool", pool))


def _sweep(task_seconds=0.004):
    from parallel_demo.dask_cluster import TaskSweep
    from parallel_demo.timing import Measurement
    from parallel_demo.verdict import crossover
    sizes = (2, 6)
    fast = [Measurement("x", (0.01, 0.011, 0.012))] * 2
    slow = [Measurement("y", (0.1, 0.11, 0.12))] * 2
    ms = {"sequential": tuple(fast), "process pool": tuple(slow), "dask": tuple(slow)}
    return TaskSweep(sizes, ms, task_seconds, vs_sequential=crossover(sizes, slow, fast),
                     vs_pool=crossover(sizes, slow, slow))


def test_explain_startup_names_the_time_and_the_processes():
    from parallel_demo.dask_cluster import explain_cluster_startup
    c = DaskCluster(workers=3)
    with pytest.raises(ValueError, match="start"):
        explain_cluster_startup(c)
    c.startup = 1.5
    text = explain_cluster_startup(c)
    assert "**1.50 s**" in text and "four fresh Python interpreters" in text
    assert "three workers registering" in text
    with pytest.raises(TypeError, match="DaskCluster"):
        explain_cluster_startup(1.5)


def test_explain_task_overhead_uses_compare_and_the_docs_range():
    from parallel_demo.dask_cluster import explain_task_overhead
    text = explain_task_overhead(_overhead())
    assert text.startswith("With 50 tasks in flight, a Dask task cost **2.2 ms**")
    assert "The process pool was faster than the Dask cluster" in text
    assert "above the range" in text and "busy machine" in text
    inside = explain_task_overhead(_overhead(dask=(0.02, 0.021, 0.022)))
    assert "within the range" in inside and "busy machine" not in inside
    assert "tie" in inside
    below = explain_task_overhead(_overhead(dask=(0.001,) * 3, pool=(0.001,) * 3))
    assert "below the range" in below
    with pytest.raises(TypeError, match="measure_task_overhead"):
        explain_task_overhead({"dask": 1})


def test_explain_task_sweep_and_break_even():
    from parallel_demo.dask_cluster import explain_break_even, explain_task_sweep
    text = explain_task_sweep(_sweep())
    assert text.startswith("Sequential code stayed ahead of Dask on the running cluster")
    assert "no crossover here" in text
    assert "about **" in explain_break_even(1.0, _overhead(dask=(0.001,) * 3), _sweep(0.1),
                                            workers=2)
    assert "one usable CPU" in explain_break_even(1.0, _overhead(), _sweep(), workers=1)
    costly = explain_break_even(1.0, _overhead(), _sweep(0.001), workers=2)
    assert "never pay back" in costly and "1.0 ms of work" in costly and "2.2 ms of" in costly
    with pytest.raises(TypeError, match="sweep_tasks"):
        explain_break_even(1.0, _overhead(), None, workers=2)
