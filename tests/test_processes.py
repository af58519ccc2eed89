"""processes.py: sending data, scripts, worker stderr, crashes and recovery."""

from __future__ import annotations

import concurrent.futures as cf
import math
import multiprocessing
from concurrent.futures.process import BrokenProcessPool

import pytest
from procs import assert_process_gone

from parallel_demo import processes
from parallel_demo import CrashingTask, capture_worker_stderr, is_prime, load_values, map_recovering, measure_pool_map, pickled_size, pool_script, read_values, run_script, sleep_task, sum_file_range, sum_loaded_range, sum_values, write_values


@pytest.fixture
def values_file(tmp_path):
    return write_values(tmp_path / "v.bin", 1000, seed=1)


def test_values_round_trip_and_slices(values_file, tmp_path):
    values = read_values(values_file)
    assert len(values) == 1000 and all(0.0 <= v < 1.0 for v in values)
    assert read_values(values_file, 10, 20) == values[10:20]
    assert read_values(values_file, 990, 5000) == values[990:]  # stop is clipped
    assert read_values(write_values(tmp_path / "w.bin", 1000, seed=1)) == values  # deterministic
    with pytest.raises(ValueError, match="start <= stop"):
        read_values(values_file, 20, 10)
    with pytest.raises(ValueError, match="count"):
        write_values(tmp_path / "x.bin", -1)


def test_sums_agree_whichever_way_the_data_came(values_file):
    values = read_values(values_file)
    assert sum_file_range((str(values_file), 100, 300)) == sum_values(values[100:300])
    assert math.isclose(sum_values(values), sum(values))


def test_sum_loaded_range_needs_its_initializer(values_file, monkeypatch):
    monkeypatch.setattr(processes, "_LOADED", None)
    with pytest.raises(RuntimeError, match="initializer=load_values"):
        sum_loaded_range((0, 10))
    load_values(values_file)
    assert sum_loaded_range((0, 10)) == sum_values(read_values(values_file, 0, 10))


def test_indices_pickle_smaller_than_data(values_file):
    values = read_values(values_file)
    assert pickled_size(values) > 50 * pickled_size((str(values_file), 0, 1000))


@pytest.mark.timeout(120)
def test_measure_pool_map_times_a_warm_pool(values_file):
    tasks = [(str(values_file), a, a + 250) for a in range(0, 1000, 250)]
    m = measure_pool_map(sum_file_range, tasks, workers=2, repeat=2, label="idx")
    assert m.label == "idx" and m.workers == 2 and len(m.times) == 2
    assert all(t > 0 for t in m.times)
    loaded = measure_pool_map(sum_loaded_range, [(0, 500), (500, 1000)], workers=1, repeat=1,
                              initializer=load_values, initargs=(str(values_file),),
                              start_method="spawn")
    assert len(loaded.times) == 1


def test_pool_script_text():
    guarded = pool_script(guarded=True)
    bare = pool_script(guarded=False, start_method="spawn", workers=3)
    assert 'if __name__ == "__main__":\n    main()' in guarded
    assert "__main__" not in bare.split("def main")[1].split("main()  #")[0]
    assert "max_workers=3" in bare and "get_context('spawn')" in bare
    compile(guarded, "g.py", "exec")
    compile(bare, "b.py", "exec")
    with pytest.raises(ValueError, match="not available"):
        pool_script(guarded=True, start_method="threads")


@pytest.mark.timeout(120)
def test_run_script_with_and_without_the_guard():
    ok = run_script(pool_script(guarded=True, start_method="spawn"), timeout=60)
    assert ok.returncode == 0 and not ok.timed_out
    assert ok.stdout.strip() == "[True, False, True]"
    bad = run_script(pool_script(guarded=False, start_method="spawn"), timeout=60)
    assert bad.returncode != 0 and not bad.timed_out
    assert {"RuntimeError", "BrokenProcessPool"} <= set(bad.errors)
    assert "BrokenProcessPool" in bad.last_error
    assert "bootstrapping phase" in bad.stderr


@pytest.mark.timeout(60)
def test_run_script_kills_a_hung_script_and_its_children():
    source = (
        "import multiprocessing, time\n"
        "if __name__ == '__main__':\n"
        "    p = multiprocessing.get_context('spawn').Process(target=time.sleep, args=(60,))\n"
        "    p.start()\n"
        "    print(p.pid, flush=True)\n"
        "    time.sleep(60)\n"
    )
    r = run_script(source, timeout=3)
    assert r.timed_out and r.returncode < 0
    assert r.seconds < 30
    assert_process_gone(int(r.stdout.split()[0]), "the script's child process")
    with pytest.raises(ValueError, match="timeout"):
        run_script("pass", timeout=0)


class _FailsToUnpickle:
    # Unpickling calls int("not a number") in the worker: it dies there, with a traceback.
    def __reduce__(self):
        return (int, ("not a number",))


@pytest.mark.timeout(60)
def test_capture_worker_stderr_collects_a_dying_workers_traceback():
    ctx = multiprocessing.get_context("spawn")
    with capture_worker_stderr() as cap:
        with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=cap.initializer,
                                    initargs=cap.initargs) as pool:
            fut = pool.submit(abs, _FailsToUnpickle())
            with pytest.raises(BrokenProcessPool):
                fut.result(timeout=50)
        text = cap.read()
        path = cap.path
    assert "ValueError: invalid literal for int()" in text
    import os

    assert not os.path.exists(path)


def test_crashing_task_in_this_process(tmp_path):
    task = CrashingTask(3)
    assert task(2) == 4
    with pytest.raises(RuntimeError, match="would end this main process"):
        task(3)  # crash_process refuses to kill the main process
    marker = tmp_path / "m"
    marker.touch()
    assert CrashingTask(3, once_marker=marker, seconds=0)(3) == 9  # already crashed once
    import pickle

    copy = pickle.loads(pickle.dumps(CrashingTask(3, once_marker=marker)))
    assert copy.crash_on == 3 and copy.once_marker == str(marker)
    assert "once=True" in repr(copy)


@pytest.mark.timeout(120)
def test_map_recovering_retries_a_transient_crash(tmp_path):
    task = CrashingTask(2, once_marker=tmp_path / "crashed", seconds=0.05)
    report = map_recovering(task, range(6), workers=2, start_method="spawn")
    assert report.complete and report.unfinished == ()
    assert report.results == [i * i for i in range(6)]
    assert len(report.rounds) == 2
    first, second = report.rounds
    assert first.broken and 2 in first.lost and not second.broken
    assert set(first.finished) | set(first.lost) == set(range(6))
    assert second.submitted == first.lost


@pytest.mark.timeout(180)
def test_map_recovering_gives_up_on_a_permanent_crash():
    report = map_recovering(CrashingTask(1, seconds=0.02), range(4), workers=2, max_pools=2,
                            start_method="spawn")
    assert not report.complete and 1 in report.unfinished
    assert len(report.rounds) == 2 and all(r.broken for r in report.rounds)
    assert report.results[1] is None
    for i in set(range(4)) - set(report.unfinished):
        assert report.results[i] == i * i


@pytest.mark.timeout(120)
def test_map_recovering_does_not_retry_ordinary_errors():
    with pytest.raises(TypeError) as info:
        map_recovering(is_prime, [97, "7", 101], workers=1, start_method="spawn")
    assert any("item #1" in note for note in info.value.__notes__)
    assert map_recovering(is_prime, [97, 100], workers=1).results == [True, False]
    with pytest.raises(ValueError, match="max_pools"):
        map_recovering(is_prime, [2], max_pools=0)


@pytest.mark.timeout(60)
def test_map_recovering_timeout_terminates_the_workers():
    with pytest.raises(TimeoutError):
        map_recovering(sleep_task, [30.0], workers=1, timeout=1.0, start_method="spawn")
    assert not multiprocessing.active_children()


@pytest.mark.timeout(120)
def test_measure_data_routes_times_three_ways_on_one_warm_pool(values_file):
    # Issue 9, points 3-4: the three ways take turns, so compare() can judge them.
    from parallel_demo import measure_data_routes

    ranges = [(0, 500), (500, 1000)]
    ms = measure_data_routes(values_file, ranges, workers=1, repeat=3)
    assert [m.label for m in ms] == ["send the values", "send (path, start, stop)",
                                     "load once per worker"]
    assert all(len(m.times) == 3 and m.best > 0 for m in ms)
    assert not multiprocessing.active_children()
    with pytest.raises(ValueError, match="workers"):
        measure_data_routes(values_file, ranges, workers=0)
