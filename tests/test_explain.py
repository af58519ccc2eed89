"""explain_*: measured prose for Part I and II; every verdict word from compare(), never 0.0%."""

import pytest

from parallel_demo import (Measurement, explain_cpu_demo, explain_gil_speedups, explain_io_overlap,
                           explain_io_speedup, explain_machine, explain_startup,
                           explain_switch_cost)
from parallel_demo.affinity import GIL_THREADS, PARALLEL, PINNED, SEQUENTIAL, CpuDemo, CpuTimed
from parallel_demo.gil import SwitchCost, SwitchRun
from parallel_demo.trace import RunResult
from parallel_demo.checks._base import sample_record


def m(label, *times, workers=None):
    return Measurement(label, tuple(times), workers)


FAST = (0.10, 0.101, 0.102)
SLOW = (0.40, 0.401, 0.402)
NOISY = (0.10, 0.30, 0.50)


def ways(seq, threads, procs):
    return {"sequential": m("sequential", *seq), "thread_pool": m("thread_pool", *threads),
            "process_pool": m("process_pool", *procs)}


def test_machine_threads_win_waits_but_not_computation():
    text = explain_machine(ways(SLOW, SLOW, FAST), ways(SLOW, FAST, FAST), cpus=2, gil=True)
    cpu_threads, cpu_procs, io = text.split("\n\n")
    assert "tie" in cpu_threads and "took turns" in cpu_threads
    assert "was faster than" in cpu_procs and "2 CPUs at once" in cpu_procs
    assert "was faster than" in io and "waiting needs no CPU" in io


def test_machine_never_claims_a_parallel_win_on_one_cpu():
    text = explain_machine(ways(SLOW, FAST, FAST), ways(SLOW, FAST, FAST), cpus=1, gil=True)
    cpu_threads, cpu_procs, io = text.split("\n\n")
    assert "was faster" not in cpu_threads and "was faster" not in cpu_procs
    assert "Only one CPU is usable" in cpu_procs and "nothing makes CPU-bound work faster" in cpu_procs
    assert "was faster than" in io  # overlapping waits is not parallelism: allowed on one CPU


def test_machine_noise_is_a_tie_and_missing_keys_say_so():
    text = explain_machine(ways(SLOW, NOISY, NOISY), ways(SLOW, NOISY, NOISY), cpus=2, gil=True)
    assert text.count("tie within the noise") == 3
    with pytest.raises(ValueError, match="thread_pool"):
        explain_machine({"sequential": m("s", *SLOW)}, ways(SLOW, FAST, FAST))


def timed_run(shares, wall=1.0):
    recs = [sample_record(i, f"worker {i % 2}", 0.0, wall) for i in range(len(shares))]
    return RunResult("x", 2, [CpuTimed(None, s * wall, wall) for s in shares], recs, wall)


def demo(concurrent, parallel, seq_times=SLOW, other=SLOW, alone=0.95):
    runs = {SEQUENTIAL: timed_run([alone] * 4)}
    timed = {SEQUENTIAL: m(SEQUENTIAL, *seq_times)}
    for label in (concurrent, parallel):
        if label:
            runs[label] = timed_run([0.5] * 4)
            timed[label] = m(label, *other)
    notes = ("why the concurrent way", "one usable CPU") if parallel is None else ("why",)
    return CpuDemo(runs, timed, concurrent, parallel, notes)


def test_cpu_demo_prose_on_two_cpus_and_with_the_gil_fallback():
    text = explain_cpu_demo(demo(PINNED, PARALLEL))
    assert f"**{PINNED}**" in text and f"**{PARALLEL}**" in text and "50%" in text
    assert "Why the concurrent way" not in text  # pinning needs no excuse
    text = explain_cpu_demo(demo(GIL_THREADS, None))
    assert f"**{GIL_THREADS}**" in text and PARALLEL not in text
    assert "Why the concurrent way." in text and "One usable CPU." in text


def test_cpu_demo_never_calls_taking_turns_faster_and_warns_of_load():
    text = explain_cpu_demo(demo(PINNED, None, seq_times=SLOW, other=FAST, alone=0.4))
    assert "was faster" not in text and "noise" in text
    assert text.startswith("Other programs were using")


def test_io_overlap_names_the_peak_and_the_cpus_executing():
    run = timed_run([0.001] * 4)
    text = explain_io_overlap(m("s", *SLOW), m("t", *FAST), run, label="the pool of 4 threads")
    assert text.startswith("The pool of 4 threads was faster") and "Up to 4 tasks" in text


def test_startup_bare_against_task_per_method():
    costs = [m("thread", 0.0002, 0.0002, 0.0002),
             m("process (fork)", 0.02, 0.021, 0.022), m("process (fork) + is_prime", 0.02, 0.021, 0.022),
             m("process (spawn)", 0.05, 0.051, 0.052), m("process (spawn) + is_prime", 0.2, 0.21, 0.22)]
    lines = explain_startup(costs).splitlines()
    assert len(lines) == 2 and all(line.startswith("- Starting a thread was faster") for line in lines)
    assert "tie" in lines[0] and "inherits the parent's imports" in lines[0]
    assert "importing is_prime's module" in lines[1]
    with pytest.raises(ValueError, match="thread"):
        explain_startup(costs[1:])


def test_io_speedup_beyond_the_cpu_count_and_on_one_cpu():
    base = m("sequential", *SLOW, workers=1)
    rows = [m("×1", *SLOW, workers=1), m("×16", 0.02, 0.021, 0.022, workers=16)]
    text = explain_io_speedup(base, rows, cpus=1)
    assert "16 threads was faster" in text and "above 1x" in text
    assert "tie" in explain_io_speedup(base, [m("×2", *NOISY, workers=2)], cpus=2)


def test_gil_speedups_one_cpu_and_busy_machine():
    spin = (m("s", *SLOW), [m("×2", *SLOW, workers=2)])
    hashing = (m("s", *SLOW), [m("×2", *FAST, workers=2)])
    text = explain_gil_speedups(spin, hashing, cpus=2, gil=True)
    assert "only one lets go of the GIL" in text
    text = explain_gil_speedups(spin, hashing, cpus=1, gil=True)
    assert "was faster" not in text and "one usable CPU" in text
    text = explain_gil_speedups(spin, spin, cpus=2, gil=True)
    assert "do not separate" in text


def cost(per_switch, spread, switches=((500,) * 3, (100,) * 3, (30,) * 3)):
    runs = tuple(SwitchRun(s, m(f"{s}", *SLOW), n) for s, n in zip((0.0001, 0.005, 0.05), switches))
    return SwitchCost(runs, m("sequential", *SLOW), per_switch, spread)


def test_switch_cost_prints_below_a_tenth_of_a_percent_not_zero():
    text = explain_switch_cost(cost(1e-6, 1e-8))
    assert "<0.1%" in text and "0.0%" not in text
    assert "500 at 0.1 ms, 100 at 5 ms, 30 at 50 ms" in text


def test_switch_cost_within_its_spread_of_zero_says_so():
    text = explain_switch_cost(cost(2e-6, 4e-5))
    assert "not distinguishable from zero" in text and "%" not in text


def test_switch_cost_where_switches_cannot_be_counted():
    text = explain_switch_cost(cost(None, None, switches=((None,) * 3,) * 3))
    assert "cannot be counted" in text and "/proc/self/task" in text


def test_threads_running_python_under_the_gil_never_win():
    text = explain_machine(ways(SLOW, FAST, FAST), ways(SLOW, FAST, FAST), cpus=2, gil=True)
    cpu_threads = text.split("\n\n")[0]
    assert "was faster" not in cpu_threads and "one CPU's worth" in cpu_threads
    text = explain_machine(ways(SLOW, FAST, FAST), ways(SLOW, FAST, FAST), cpus=2, gil=False)
    assert "was faster" in text.split("\n\n")[0]  # free-threaded: threads may win
    spin = (m("s", *SLOW), [m("×2", *FAST, workers=2)])
    text = explain_gil_speedups(spin, spin, cpus=2, gil=True)
    spin_line, hash_line = text.split("\n")[:2]
    assert "was faster" not in spin_line and "was faster" in hash_line
    fast_threads = SwitchCost(tuple(SwitchRun(s, m(f"{s}", *FAST), (100,) * 3)
                                    for s in (0.0001, 0.005, 0.05)),
                              m("sequential", *SLOW), 1e-6, 1e-8)
    assert "was faster" not in explain_switch_cost(fast_threads, gil=True)
