"""free_threading: detection (faked both ways), what the chapter's functions return and say."""

from __future__ import annotations

import json
import sys
import sysconfig

import pytest

from parallel_demo import free_threading as ft
from parallel_demo.timing import Measurement
from parallel_demo.workloads import is_prime, large_primes

pytestmark = pytest.mark.timeout(90)

GIL = ft.BuildInfo("3.13.5", "cpython", free_threaded_build=False, gil_enabled=True)
FREE = ft.BuildInfo("3.14.0", "cpython", free_threaded_build=True, gil_enabled=False,
                    has_interpreter_pool=True)
BACK = ft.BuildInfo("3.14.0", "cpython", free_threaded_build=True, gil_enabled=True)
FORCED = ft.BuildInfo("3.14.0", "cpython", free_threaded_build=True, gil_enabled=True,
                      gil_setting="PYTHON_GIL=1")


def fake_build(monkeypatch, *, disabled: bool, gil_on: bool | None):
    real = sysconfig.get_config_var
    monkeypatch.setattr(sysconfig, "get_config_var",
                        lambda name: (1 if disabled else 0) if name == "Py_GIL_DISABLED" else real(name))
    if gil_on is None:
        monkeypatch.delattr(sys, "_is_gil_enabled", raising=False)
    else:
        monkeypatch.setattr(sys, "_is_gil_enabled", lambda: gil_on, raising=False)


def test_detection_gil_build(monkeypatch):
    fake_build(monkeypatch, disabled=False, gil_on=None)
    monkeypatch.delenv("PYTHON_GIL", raising=False)
    info = ft.build_info()
    assert (info.free_threaded_build, info.gil_enabled, info.mode) == (False, True, "gil")
    assert not info.threads_run_python_in_parallel
    assert "GIL build" in info.label


def test_detection_free_threaded_gil_off(monkeypatch):
    fake_build(monkeypatch, disabled=True, gil_on=False)
    info = ft.build_info()
    assert info.mode == "free-threaded" and info.threads_run_python_in_parallel
    assert "GIL off" in info.label


def test_detection_free_threaded_gil_back(monkeypatch):
    fake_build(monkeypatch, disabled=True, gil_on=True)
    monkeypatch.setenv("PYTHON_GIL", "1")
    info = ft.build_info()
    assert info.mode == "gil-reenabled" and info.gil_setting == "PYTHON_GIL=1"
    assert "re-enabled" in info.label


def test_detection_interpreter_pool_absent(monkeypatch):
    monkeypatch.setattr(ft, "_has_interpreter_pool", lambda: False)
    assert ft.build_info().has_interpreter_pool is False
    assert "needs Python 3.14" in ft.describe_kernel(ft.build_info())


@pytest.mark.parametrize("info, says", [
    (GIL, "take turns holding the global interpreter lock"),
    (FREE, "It has no GIL"),
    (BACK, "`Py_mod_gil`"),
    (FORCED, "because PYTHON_GIL=1 asked for it"),
])
def test_describe_kernel_adapts(info, says):
    text = ft.describe_kernel(info)
    assert says in text and info.label in text
    pool = "sections run live" if info.has_interpreter_pool else "recorded on Python 3.14"
    assert pool in text


def fake_scaling(thread_times, cpus=2):
    base = Measurement("sequential", (1.0, 1.0, 1.02, 0.98, 1.0), 1)
    runs = {("thread_pool", 1): Measurement("t1", (1.0, 1.01, 0.99, 1.0, 1.0), 1),
            ("thread_pool", 2): Measurement("t2", thread_times, 2),
            ("process_pool", 2): Measurement("p2", (0.55, 0.56, 0.54, 0.55, 0.55), 2)}
    return ft.Scaling("fake", cpus, 8, base, runs)


def test_scaling_explain_on_a_gil_build():
    s = fake_scaling((1.0, 1.02, 0.99, 1.01, 1.0))
    text = s.explain(GIL)
    assert "`process_pool` with 2 workers was faster than sequential" in text
    assert "`thread_pool` with 2 workers and sequential were a tie" in text
    assert "threads take turns" in text


def test_scaling_explain_free_threaded_threads_scale():
    s = fake_scaling((0.52, 0.53, 0.51, 0.52, 0.52))
    text = s.explain(FREE)
    assert "`thread_pool` with 2 workers was faster than sequential" in text
    assert "Without the GIL, 2 threads checked the primes in parallel" in text
    assert "against an ideal of 2.00x" in text


def test_scaling_explain_free_threaded_but_no_win_and_one_cpu():
    s = fake_scaling((0.52, 0.53, 0.51, 0.52, 0.52), cpus=1)
    assert s.verdict("thread_pool", 2).tie  # no parallel win claimed on one CPU
    assert "did not win here" in s.explain(FREE)


def test_scaling_points_carry_the_verdict_words():
    s = fake_scaling((1.0, 1.02, 0.99, 1.01, 1.0))
    words = {(p.strategy, p.workers): p.word for p in s.points()}
    assert words[("process_pool", 2)] == "faster" and words[("thread_pool", 2)] == "tie"


def test_scaling_round_trips_through_a_dict():
    s = fake_scaling((1.0, 1.02, 0.99, 1.01, 1.0))
    again = ft.Scaling.from_dict(json.loads(json.dumps(s.to_dict())))
    assert again.runs.keys() == s.runs.keys() and again.baseline.times == s.baseline.times
    with pytest.raises(ValueError, match="not a parallel_demo scaling file"):
        ft.Scaling.from_dict({"format": "other"})


def test_measure_scaling_structure():
    s = ft.measure_prime_scaling(is_prime, large_primes(2), workers=[1, 2],
                           strategies=("thread_pool",), repeat=1, warmup=0)
    assert set(s.runs) == {("thread_pool", 1), ("thread_pool", 2)}
    assert all(len(m.times) == 1 for m in s.runs.values()) and s.tasks == 2


def test_measure_scaling_skips_unavailable_strategies(monkeypatch):
    from parallel_demo import strategies

    monkeypatch.setattr(strategies, "strategy_available",
                        lambda name: "needs Python 3.14 (this is 3.11.7)"
                        if name == "interpreter_pool" else None)
    s = ft.measure_prime_scaling(is_prime, [97, 101], workers=[1],
                           strategies=("thread_pool", "interpreter_pool"), repeat=1, warmup=0)
    assert s.strategies == ["thread_pool"]


@pytest.mark.parametrize("bad, error", [([], ValueError), (5, TypeError)])
def test_measure_scaling_bad_items(bad, error):
    with pytest.raises(error, match="items"):
        ft.measure_prime_scaling(is_prime, bad, repeat=1)


def test_hidden_races_counts_every_update_made():
    rows = ft.hidden_races(threads=2, times=2000)
    assert [r.operation for r in rows] == list(ft._RACES)
    assert all(r.expected == 4000 and 0 <= r.lost <= r.expected for r in rows)


@pytest.mark.parametrize("info, lost, says", [
    (GIL, 0, "That is the GIL hiding the bug"),
    (GIL, 7, "Even with the GIL some updates were lost"),
    (FREE, 7, "Updates were lost"),
    (FREE, 0, "luck, not safety"),
])
def test_explain_races_adapts(info, lost, says):
    rows = [ft.RaceRow("obj.value += 1", 100, 100 - lost)]
    text = ft.explain_races(rows, info)
    assert says in text and "| `obj.value += 1` | 100 |" in text


def test_hidden_races_validates():
    with pytest.raises(ValueError, match="threads"):
        ft.hidden_races(threads=1)
    with pytest.raises(TypeError, match="times"):
        ft.hidden_races(times="many")


def test_thread_safety_table_follows_the_docs():
    facts = {op: ok for op, ok, _ in ft.THREAD_SAFETY}
    assert facts["lst.append(x)"] and facts["d.setdefault(k, v)"]
    assert not facts["lst[i] += 1"] and not facts["d[k] = d[k] + 1"]
    table = ft.thread_safety_table()
    assert table.count("\n") == len(ft.THREAD_SAFETY) + 1 and "**no**" in table


def test_sum_shared_and_private_agree():
    data = [float(i) for i in range(100)]
    assert ft.sum_shared(data, 3, rounds=2) == ft.sum_private(data, 3, rounds=2) == 3 * 2 * 4950.0
    with pytest.raises(ValueError, match="threads"):
        ft.sum_shared(data, 0)


@pytest.mark.parametrize("info, says", [(GIL, "nothing to fight over"),
                                        (FREE, "reference count")])
def test_contention_explained(info, says):
    c = ft.measure_contention(threads=2, size=500, rounds=1, repeat=3)
    assert c.verdict.word in ("faster", "slower", "tie")
    text = ft.explain_contention(c, info)
    assert says in text and ("private copies" in text)


def test_sibling_python_finds_the_other_build(tmp_path):
    exe = tmp_path / "python3.14t"
    other = tmp_path / "python3.14"
    for p in (exe, other):
        p.write_text("#!/bin/sh\n")
        p.chmod(0o755)
    info = ft.BuildInfo("3.14.0", "cpython", True, False, executable=str(exe))
    assert ft.sibling_python(info) == str(other)
    back = ft.BuildInfo("3.14.0", "cpython", False, True, executable=str(other))
    assert ft.sibling_python(back) == str(exe)
    other.unlink()
    assert ft.sibling_python(info) is None


def test_single_thread_overhead_compares_two_interpreters():
    v = ft.measure_single_thread_overhead(sys.executable, sys.executable, n=1000, repeat=3)
    assert v.word in ("faster", "slower", "tie") and len(v.a.times) == 3


def test_the_committed_reference_loads_through_the_one_run_format():
    from pathlib import Path

    from parallel_demo.reference import FORMAT

    folder = Path(__file__).resolve().parent.parent / "book" / "reference" / "free_threading"
    for path in folder.glob("primes_*_py314.json"):
        assert json.loads(path.read_text())["format"] == FORMAT  # reference.py's, nested layout
    ref = ft.load_reference(folder)
    assert set(ref.runs) == {"thread_pool", "process_pool", "interpreter_pool"}
    assert all(r.results == [True] * len(r.results) for r in ref.runs.values())
