"""Tests for parallel_demo.affinity: pinning pool workers, CPU time vs wall time."""

import multiprocessing
import os
import pickle

import pytest

from parallel_demo import CAN_PIN, CpuTimed, calibrate_spin, cpu_parallelism, cpu_timed, pin_to_cpus, run, run_pinned, sleep_task, spin, usable_cpus, worker_cpus
from parallel_demo.affinity import _check_cpus

needs_pinning = pytest.mark.skipif(not CAN_PIN, reason="no os.sched_setaffinity here")




def test_usable_cpus_is_sorted_and_not_empty():
    cpus = usable_cpus()
    assert cpus and cpus == sorted(cpus)
    if hasattr(os, "sched_getaffinity"):
        assert set(cpus) == os.sched_getaffinity(0)


@pytest.mark.parametrize("bad, error", [((), ValueError), ([10_000], ValueError),
                                        (["0"], TypeError), ([True], TypeError),
                                        (0, TypeError)])
def test_bad_cpus_are_refused_with_a_clear_message(bad, error):
    with pytest.raises(error, match="cpu|CPU"):
        _check_cpus(bad)


def test_cpu_timed_wraps_and_pickles():
    timed = cpu_timed(spin)
    out = timed(10_000)
    assert isinstance(out, CpuTimed) and out.value == spin(10_000)
    assert out.cpu >= 0 and out.wall > 0
    assert pickle.loads(pickle.dumps(timed))(100).value == spin(100)
    with pytest.raises(TypeError, match="callable"):
        cpu_timed(42)


def test_sleep_uses_wall_time_but_almost_no_cpu():
    out = cpu_timed(sleep_task)(0.2)
    assert out.wall >= 0.19
    assert out.share < 0.5  # sleeping is waiting, not executing


def test_cpu_parallelism_divides_cpu_seconds_by_wall():
    timed = [CpuTimed(None, 1.0, 2.0), CpuTimed(None, 0.5, 1.0)]
    assert cpu_parallelism(timed, 3.0) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="wall"):
        cpu_parallelism(timed, 0)


@needs_pinning
@pytest.mark.timeout(60)
def test_pinned_workers_report_their_cpu():
    cpu = usable_cpus()[-1]
    res = run("process_pool", worker_cpus, range(4), workers=2, initializer=pin_to_cpus,
              initargs=((cpu,),))
    assert all(cpus == (cpu,) for _, cpus in res.results)
    assert os.getpid() not in {pid for pid, _ in res.results}
    assert set(usable_cpus()) == os.sched_getaffinity(0)  # the parent stays unpinned


@needs_pinning
@pytest.mark.timeout(60)
@pytest.mark.parametrize("method", [m for m in ("spawn", "forkserver", "fork")
                                    if m in multiprocessing.get_all_start_methods()])
def test_two_workers_on_one_cpu_never_execute_together(method):
    n = calibrate_spin(0.2)
    res = run_pinned(spin, [n] * 4, usable_cpus()[:1], workers=2, start_method=method)
    assert [t.value for t in res.results] == [spin(n)] * 4
    # One CPU can give out at most one CPU-second per second: physics, not timing luck.
    assert cpu_parallelism(res.results, res.wall) <= 1.05
    # ...while two tasks were in progress at once: concurrency without parallelism.
    assert max_in_progress(res.records) == 2


def test_run_pinned_refuses_unknown_cpu():
    if not CAN_PIN:
        with pytest.raises(NotImplementedError, match="CAN_PIN"):
            run_pinned(spin, [1], [0])
    else:
        with pytest.raises(ValueError, match="not available"):
            run_pinned(spin, [1], [10_000])


def test_pin_to_cpus_without_affinity_support(monkeypatch):
    import parallel_demo.affinity as aff

    monkeypatch.setattr(aff, "CAN_PIN", False)
    with pytest.raises(NotImplementedError, match="sched_setaffinity"):
        aff.pin_to_cpus((0,))
    with pytest.raises(NotImplementedError):
        aff.run_pinned(spin, [1], [0])


def test_plot_cpu_timelines_labels_each_bar():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from parallel_demo import plot_cpu_timelines

    runs = {"alone": run("sequential", cpu_timed(sleep_task), [0.05] * 2),
            "threads": run("thread_pool", cpu_timed(sleep_task), [0.05] * 2, workers=2)}
    axes = plot_cpu_timelines(runs, title="t")
    assert [ax.get_title() for ax in axes] == ["alone", "threads"]
    labels = [t.get_text() for ax in axes for t in ax.texts]
    assert len(labels) == 4 and all(s.endswith("% CPU") for s in labels)
    plt.close("all")
    with pytest.raises(TypeError, match="CpuTimed"):
        plot_cpu_timelines({"plain": run("sequential", spin, [10])})
    with pytest.raises(ValueError, match="empty"):
        plot_cpu_timelines({})


# -- the chapter's central demo, and its fallback without pinning (issue 9, point 6) ---

import parallel_demo.affinity as affinity_mod
from parallel_demo import CpuDemo, concurrent_only_way, cpu_demo, max_in_progress
from parallel_demo.checks._base import sample_record


def test_max_in_progress_counts_overlap_not_touching():
    recs = [sample_record(0, "a", 0.0, 1.0), sample_record(1, "b", 0.5, 2.0),
            sample_record(2, "a", 1.0, 1.5), sample_record(3, "c", 3.0, 4.0)]
    assert max_in_progress(recs) == 2
    assert max_in_progress(recs[:1]) == 1 and max_in_progress([]) == 0


def test_without_pinning_two_threads_sharing_the_gil_stand_in(monkeypatch):
    monkeypatch.setattr(affinity_mod, "CAN_PIN", False)
    monkeypatch.setattr(affinity_mod, "_gil_enabled", lambda: True)
    label, why = concurrent_only_way()
    assert label == affinity_mod.GIL_THREADS and "os.sched_setaffinity" in why
    monkeypatch.setattr(affinity_mod, "_gil_enabled", lambda: False)
    assert concurrent_only_way()[0] is None  # free-threaded and no pinning: no such way


@pytest.mark.timeout(120)
def test_cpu_demo_fallback_runs_on_threads_and_takes_turns(monkeypatch):
    from parallel_demo import spin

    monkeypatch.setattr(affinity_mod, "CAN_PIN", False)
    monkeypatch.setattr(affinity_mod, "_gil_enabled", lambda: True)
    demo = cpu_demo(spin, [20_000] * 4, repeat=3, cpus=1)
    assert isinstance(demo, CpuDemo)
    assert list(demo.runs) == [affinity_mod.SEQUENTIAL, affinity_mod.GIL_THREADS]
    assert demo.concurrent_only == affinity_mod.GIL_THREADS and demo.parallel is None
    threads = demo.runs[affinity_mod.GIL_THREADS]
    assert [t.value for t in threads.results] == [spin(20_000)] * 4
    assert {r.pid for r in threads.records} == {__import__("os").getpid()}  # threads, not processes
    assert len(threads.lanes) <= 2
    assert all(len(m.times) == 3 for m in demo.timed.values())
    assert any("one usable CPU" in n for n in demo.notes)


@pytest.mark.timeout(120)
@pytest.mark.skipif(not CAN_PIN, reason="needs os.sched_setaffinity")
def test_cpu_demo_pins_where_it_can_and_adds_the_parallel_way_with_two_cpus():
    from parallel_demo import spin

    demo = cpu_demo(spin, [20_000] * 2, repeat=3, cpus=2)
    assert list(demo.runs) == [affinity_mod.SEQUENTIAL, affinity_mod.PINNED, affinity_mod.PARALLEL]
    with pytest.raises(ValueError, match="items"):
        cpu_demo(spin, [])
