"""effective_cpus honours affinity, cgroup quotas and CPU_LIMIT; the doctor reports."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import parallel_demo as pd
from parallel_demo import cpu_counts


def cgroup_v2(tmp_path: Path, cpu_max: str, nested: str | None = None) -> dict:
    root = tmp_path / "cgroup"
    (root / "user.slice" / "pod").mkdir(parents=True)
    (root / "cpu.max").write_text("max 100000\n")
    (root / "user.slice" / "pod" / "cpu.max").write_text(cpu_max + "\n")
    if nested is not None:
        (root / "user.slice" / "cpu.max").write_text(nested + "\n")
    proc = tmp_path / "proc_cgroup"
    proc.write_text("0::/user.slice/pod\n")
    return {"cgroup_root": root, "proc_cgroup": proc, "environ": {}}


def test_v2_quota_rounds_up(tmp_path):
    c = cpu_counts(affinity=64, **cgroup_v2(tmp_path, "150000 100000"))
    assert c.quota == 2 and c.effective == min(2, os.cpu_count())


def test_v2_tightest_ancestor_wins(tmp_path):
    c = cpu_counts(affinity=64, **cgroup_v2(tmp_path, "400000 100000", nested="100000 100000"))
    assert c.quota == 1 and c.effective == 1


def test_v2_max_means_no_limit(tmp_path):
    c = cpu_counts(affinity=1, **cgroup_v2(tmp_path, "max 100000"))
    assert c.quota is None and c.effective == 1


def test_v1_cfs_quota(tmp_path):
    root = tmp_path / "cg1"
    (root / "cpu,cpuacct").mkdir(parents=True)
    (root / "cpu,cpuacct" / "cpu.cfs_quota_us").write_text("50000\n")
    (root / "cpu,cpuacct" / "cpu.cfs_period_us").write_text("100000\n")
    c = cpu_counts(cgroup_root=root, proc_cgroup=tmp_path / "none", environ={}, affinity=8)
    assert c.quota == 1 and c.effective == 1
    (root / "cpu,cpuacct" / "cpu.cfs_quota_us").write_text("-1\n")
    assert cpu_counts(cgroup_root=root, proc_cgroup=tmp_path / "none", environ={},
                      affinity=8).quota is None


def test_binder_cpu_limit(tmp_path):
    empty = {"cgroup_root": tmp_path, "proc_cgroup": tmp_path / "none"}
    assert cpu_counts(environ={"CPU_LIMIT": "0.5"}, affinity=8, **empty).effective == 1
    assert cpu_counts(environ={"CPU_LIMIT": "1.0"}, affinity=8, **empty).env_limit == 1
    assert cpu_counts(environ={"CPU_LIMIT": "junk"}, affinity=8, **empty).env_limit is None


def test_garbage_files_are_ignored(tmp_path):
    kw = cgroup_v2(tmp_path, "lots of cpus")
    assert cpu_counts(affinity=2, **kw).quota is None


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no affinity API here")
@pytest.mark.timeout(60)
def test_affinity_mask_is_honoured_in_a_real_process():
    code = "import parallel_demo as pd; print(pd.effective_cpus(), pd.cpu_counts().affinity)"
    out = subprocess.run(["taskset", "-c", "0", sys.executable, "-c", code], capture_output=True,
                         text=True, timeout=60, check=True).stdout.split()
    assert out == ["1", "1"]


def test_effective_cpus_is_at_least_one():
    assert pd.effective_cpus() >= 1


def test_doctor_report_lists_every_fact():
    report = pd.doctor()
    text = str(report)
    for label in ("Python", "GIL enabled", "default start method", "effective CPUs", "running in"):
        assert label in text
    assert report.start_method in report.start_methods
    assert report.effective_cpus == pd.effective_cpus()
    assert report.gil_enabled == getattr(sys, "_is_gil_enabled", lambda: True)()


def test_default_start_method_does_not_fix_the_context():
    code = ("import multiprocessing as mp, parallel_demo as pd; pd.doctor(); "
            "mp.set_start_method('spawn'); print(mp.get_start_method())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "spawn"


@pytest.mark.timeout(60)
def test_start_method_override_env():
    env = {**os.environ, "PARALLEL_DEMO_START_METHOD": "spawn"}
    code = "import multiprocessing as mp, parallel_demo; print(mp.get_start_method())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.strip() == "spawn"
    env["PARALLEL_DEMO_START_METHOD"] = "teleport"
    bad = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode != 0 and "not a start method" in bad.stderr


@pytest.mark.timeout(30)
def test_leftovers_reports_our_threads_and_not_others():
    baseline = {t.ident for t in threading.enumerate()}
    stop = threading.Event()
    th = threading.Thread(target=stop.wait, name="forgotten")
    th.start()
    try:
        assert pd.leftovers(baseline) == ["thread 'forgotten' (not daemon)"]
    finally:
        stop.set()
        th.join()
    assert pd.leftovers(baseline) == []


@pytest.mark.timeout(60)
def test_cli_doctor():
    out = subprocess.run([sys.executable, "-m", "parallel_demo", "doctor"], capture_output=True,
                         text=True, timeout=60, check=True).stdout
    assert "effective CPUs" in out and "default start method" in out


@pytest.mark.timeout(120)
def test_time_strategies_times_every_way_in_turns_and_keeps_one_run_each():
    from parallel_demo import sleep_task, time_strategies

    timed, runs = time_strategies(sleep_task, [0.01] * 3, ("sequential", "thread_pool"),
                                  workers=3, repeat=3)
    assert list(timed) == list(runs) == ["sequential", "thread_pool"]
    assert all(len(m.times) == 3 for m in timed.values())
    assert runs["thread_pool"].results == [0.01] * 3
    with pytest.raises(ValueError, match="items"):
        time_strategies(sleep_task, [])
    with pytest.raises(ValueError, match="strategies"):
        time_strategies(sleep_task, [0.01], ())
