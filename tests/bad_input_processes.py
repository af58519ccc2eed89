"""Bad-input rows for processes, identity, affinity, env, gil, futures, interpreters and
free threading (and their charts).  Run by ``test_bad_input.py``."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import threading

import parallel_demo as pd
from bad_input_base import INTERP_UNSENDABLE, UNSENDABLE, C, T, V, interp_unavailable

NAMES = set("""
    CrashingTask load_values measure_data_routes pickled_size sum_file_range sum_loaded_range
    sum_values append_from_processes append_from_threads startup_costs cpu_parallelism
    cpu_timed max_in_progress cpu_counts measure_switch_cost switch_counted FutureTrace
    stoppable_steps import_in_interpreter kernel_crossings measure_pool_costs hidden_races
    load_reference measure_prime_scaling measure_single_thread_overhead record_reference
    sibling_python plot_cpu_timelines plot_thread_prediction plot_future_states
    plot_build_scaling plot_pool_costs plot_speedup_guess
""".split())


def _values(tmp, count=8):
    return pd.write_values(tmp / "values.bin", count)


def _spawn_default(mp):
    """Make the platform's default start method ``spawn`` (as on macOS and Windows)."""
    mp.setattr("parallel_demo.env.default_start_method", lambda: "spawn")


def _submit(kind, fn):
    """``FutureTrace.submit(fn, 1)`` on a fresh pool (thread, or process under spawn)."""
    ex = (cf.ThreadPoolExecutor(1) if kind == "thread" else
          cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")))
    with ex, pd.FutureTrace(ex) as trace:
        trace.submit(fn, 1)


def _sequential_run():
    return pd.run("sequential", pd.is_prime, [7])


def _prediction_like():
    return {"prediction": 2.0, "workers": 2, "measured": 1.0}


CASES = [
    # processes.py
    C("CrashingTask seconds negative", lambda: pd.CrashingTask(5, seconds=-1), V, "seconds"),
    C("CrashingTask seconds str", lambda: pd.CrashingTask(5, seconds="1"), T, "seconds"),
    C("CrashingTask seconds huge", lambda: pd.CrashingTask(5, seconds=1e9), V, "seconds"),
    C("CrashingTask once_marker int", lambda: pd.CrashingTask(5, once_marker=5), T,
      "once_marker"),
    C("load_values path int", lambda: pd.load_values(3), T, "path"),
    C("load_values path None", lambda: pd.load_values(None), T, "path"),
    C("sum_values not iterable", lambda: pd.sum_values(5), T, "values"),
    C("sum_values str", lambda: pd.sum_values("123"), T, "values"),
    C("sum_values not numbers", lambda: pd.sum_values([1, "2"]), T, "values"),
    C("sum_file_range int", lambda: pd.sum_file_range(5), T, "task"),
    C("sum_file_range pair", lambda: pd.sum_file_range(("values.bin", 1)), T, "task"),
    C("sum_file_range start negative", lambda tmp: pd.sum_file_range(
        (str(_values(tmp)), -1, 4)), V, "start", needs_mp=True),
    C("sum_file_range stop str", lambda tmp: pd.sum_file_range((str(_values(tmp)), 0, "4")), T,
      "stop", needs_mp=True),
    C("sum_loaded_range int", lambda: pd.sum_loaded_range(5), T, "bounds"),
    C("sum_loaded_range start negative", lambda: pd.sum_loaded_range((-1, 2)), V, "start"),
    C("sum_loaded_range stop before start", lambda: pd.sum_loaded_range((4, 2)), V, "stop"),
    C("measure_data_routes path int", lambda: pd.measure_data_routes(3, [(0, 4)]), T, "path"),
    C("measure_data_routes ranges empty", lambda tmp: pd.measure_data_routes(_values(tmp), []),
      V, "ranges", needs_mp=True),
    C("measure_data_routes ranges int", lambda tmp: pd.measure_data_routes(_values(tmp), 5), T,
      "ranges", needs_mp=True),
    C("measure_data_routes range not a pair", lambda tmp: pd.measure_data_routes(
        _values(tmp), [4]), T, "ranges", needs_mp=True),
    C("measure_data_routes range negative", lambda tmp: pd.measure_data_routes(
        _values(tmp), [(-1, 4)]), V, "ranges", needs_mp=True),
    C("measure_data_routes range past the file", lambda tmp: pd.measure_data_routes(
        _values(tmp), [(0, 100)], workers=1, repeat=1), V, "ranges", needs_mp=True),
    C("measure_data_routes workers 0", lambda tmp: pd.measure_data_routes(
        _values(tmp), [(0, 4)], workers=0), V, "workers", needs_mp=True),
    C("measure_data_routes workers huge", lambda tmp: pd.measure_data_routes(
        _values(tmp), [(0, 4)], workers=10**6), V, "workers", needs_mp=True),
    C("measure_data_routes repeat 0", lambda tmp: pd.measure_data_routes(
        _values(tmp), [(0, 4)], repeat=0), V, "repeat", needs_mp=True),
    C("measure_data_routes timeout 0", lambda tmp: pd.measure_data_routes(
        _values(tmp), [(0, 4)], timeout=0), V, "timeout", needs_mp=True),
    C("measure_data_routes timeout negative", lambda tmp: pd.measure_data_routes(
        _values(tmp), [(0, 4)], timeout=-1), V, "timeout", needs_mp=True),
    C("measure_data_routes start method unknown", lambda tmp: pd.measure_data_routes(
        _values(tmp), [(0, 4)], start_method="fast"), V, "start_method", needs_mp=True),
    C("pickled_size lambda", lambda: pd.pickled_size(lambda x: x), T, "obj"),
    C("pickled_size lock", lambda: pd.pickled_size(threading.Lock()), T, "obj"),
    # identity.py
    C("append_from_threads shared tuple", lambda: pd.append_from_threads(()), T, "shared"),
    C("append_from_threads workers 0", lambda: pd.append_from_threads([], workers=0), V,
      "workers"),
    C("append_from_threads workers huge", lambda: pd.append_from_threads([], workers=10**6), V,
      "workers"),
    C("append_from_threads per_worker negative", lambda: pd.append_from_threads(
        [], per_worker=-1), V, "per_worker"),
    C("append_from_threads per_worker str", lambda: pd.append_from_threads(
        [], per_worker="2"), T, "per_worker"),
    C("append_from_processes shared str", lambda: pd.append_from_processes("abc"), T, "shared"),
    C("append_from_processes workers 0", lambda: pd.append_from_processes([], workers=0), V,
      "workers"),
    C("append_from_processes per_worker huge", lambda: pd.append_from_processes(
        [], per_worker=10**9), V, "per_worker"),
    C("append_from_processes start method unknown", lambda: pd.append_from_processes(
        [], start_method="fast"), V, "start_method"),
    C("startup_costs repeat 0", lambda: pd.startup_costs(repeat=0), V, "repeat"),
    C("startup_costs warmup negative", lambda: pd.startup_costs(warmup=-1), V, "warmup"),
    C("startup_costs start_methods str", lambda: pd.startup_costs(start_methods="spawn"), T,
      "start_methods"),
    C("startup_costs start_methods unknown", lambda: pd.startup_costs(start_methods=["fast"]), V,
      "start_methods"),
    C("startup_costs task not callable", lambda: pd.startup_costs(task=5), T, "task"),
    *[C(f"startup_costs task {kind}", lambda mp, make=make: pd.startup_costs(
        repeat=1, warmup=0, start_methods=["spawn"], task=make(mp)), T, "task", needs_mp=True)
      for kind, make in UNSENDABLE.items()],
    *[C(f"startup_cost task {kind}", lambda mp, make=make: pd.startup_cost(
        "process", start_method="spawn", repeat=1, warmup=0, task=make(mp)), T, "task",
        needs_mp=True) for kind, make in UNSENDABLE.items()],
    # affinity.py
    C("cpu_parallelism wall str", lambda: pd.cpu_parallelism([], "1"), T, "wall"),
    C("cpu_parallelism wall 0", lambda: pd.cpu_parallelism([], 0), V, "wall"),
    C("cpu_parallelism wall negative", lambda: pd.cpu_parallelism([], -1.0), V, "wall"),
    C("cpu_parallelism timed int", lambda: pd.cpu_parallelism(5, 1.0), T, "timed"),
    C("cpu_parallelism timed not CpuTimed", lambda: pd.cpu_parallelism([1, 2], 1.0), T,
      "timed", "cpu_timed"),
    C("cpu_timed fn int", lambda: pd.cpu_timed(5), T, "fn"),
    C("cpu_timed fn called already", lambda: pd.cpu_timed(pd.spin(10)), T, "fn"),
    C("max_in_progress int", lambda: pd.max_in_progress(5), T, "records"),
    C("max_in_progress not records", lambda: pd.max_in_progress([1, 2]), T, "records"),
    C("max_in_progress a RunResult", lambda: pd.max_in_progress(_sequential_run()), T,
      "records", ".records"),
    # env.py
    C("cpu_counts affinity str", lambda: pd.cpu_counts(affinity="2"), T, "affinity"),
    C("cpu_counts affinity 0", lambda: pd.cpu_counts(affinity=0), V, "affinity"),
    C("cpu_counts affinity negative", lambda: pd.cpu_counts(affinity=-2), V, "affinity"),
    C("cpu_counts cgroup_root int", lambda: pd.cpu_counts(cgroup_root=5), T, "cgroup_root"),
    C("cpu_counts environ list", lambda: pd.cpu_counts(environ=["CPU_LIMIT=2"]), T, "environ"),
    # gil.py
    C("measure_switch_cost fn int", lambda: pd.measure_switch_cost(5, [1]), T, "fn"),
    C("measure_switch_cost items empty", lambda: pd.measure_switch_cost(pd.spin, []), V,
      "items"),
    C("measure_switch_cost items int", lambda: pd.measure_switch_cost(pd.spin, 5), T, "items"),
    C("measure_switch_cost intervals 0", lambda: pd.measure_switch_cost(pd.spin, [1], [0]), V,
      "intervals"),
    C("measure_switch_cost intervals negative", lambda: pd.measure_switch_cost(
        pd.spin, [1], [-0.005]), V, "intervals"),
    C("measure_switch_cost intervals a number", lambda: pd.measure_switch_cost(
        pd.spin, [1], 0.005), T, "intervals"),
    C("measure_switch_cost workers 0", lambda: pd.measure_switch_cost(pd.spin, [1], workers=0),
      V, "workers"),
    C("measure_switch_cost workers huge", lambda: pd.measure_switch_cost(
        pd.spin, [1], workers=10**6), V, "workers"),
    C("measure_switch_cost repeat 0", lambda: pd.measure_switch_cost(pd.spin, [1], repeat=0), V,
      "repeat"),
    C("switch_counted fn int", lambda: pd.switch_counted(5), T, "fn"),
    C("switch_counted fn called already", lambda: pd.switch_counted(pd.spin(10)), T, "fn"),
    # futures_demo.py
    C("FutureTrace executor wrong", lambda: pd.FutureTrace(object()), T, "executor"),
    C("FutureTrace poll 0", lambda: pd.FutureTrace(cf.ThreadPoolExecutor(1), poll=0), V,
      "poll"),
    C("FutureTrace poll negative", lambda: pd.FutureTrace(cf.ThreadPoolExecutor(1), poll=-1), V,
      "poll"),
    C("FutureTrace poll str", lambda: pd.FutureTrace(cf.ThreadPoolExecutor(1), poll="1"), T,
      "poll"),
    C("FutureTrace.submit not callable", lambda: _submit("thread", 5), T, "fn"),
    *[C(f"FutureTrace.submit process pool {kind}", lambda mp, make=make: _submit(
        "process", make(mp)), T, "fn", needs_mp=True) for kind, make in UNSENDABLE.items()],
    C("stoppable_steps steps negative", lambda: pd.stoppable_steps(-1, threading.Event()), V,
      "steps"),
    C("stoppable_steps steps str", lambda: pd.stoppable_steps("3", threading.Event()), T,
      "steps"),
    C("stoppable_steps stop not an Event", lambda: pd.stoppable_steps(3, None), T, "stop"),
    C("stoppable_steps step_seconds 0", lambda: pd.stoppable_steps(
        3, threading.Event(), 0), V, "step_seconds"),
    C("stoppable_steps step_seconds negative", lambda: pd.stoppable_steps(
        3, threading.Event(), -1), V, "step_seconds"),
    # interpreters.py
    C("import_in_interpreter int", lambda: pd.import_in_interpreter(5), T, "module"),
    C("import_in_interpreter empty", lambda: pd.import_in_interpreter(""), V, "module"),
    C("kernel_crossings timeout 0", lambda: pd.kernel_crossings(0), V, "timeout"),
    C("kernel_crossings timeout negative", lambda: pd.kernel_crossings(-1), V, "timeout"),
    C("kernel_crossings timeout str", lambda: pd.kernel_crossings("60"), T, "timeout"),
    C("kernel_crossings timeout huge", lambda: pd.kernel_crossings(1e9), V, "timeout"),
    C("measure_pool_costs strategies str", lambda: pd.measure_pool_costs("thread_pool"), T,
      "strategies"),
    C("measure_pool_costs strategies empty", lambda: pd.measure_pool_costs([]), V,
      "strategies"),
    C("measure_pool_costs strategy unknown", lambda: pd.measure_pool_costs(["gpu"]), V,
      "strategy"),
    C("measure_pool_costs tasks 1", lambda: pd.measure_pool_costs(tasks=1), V, "tasks"),
    C("measure_pool_costs workers 0", lambda: pd.measure_pool_costs(workers=0), V, "workers"),
    C("measure_pool_costs repeat huge", lambda: pd.measure_pool_costs(repeat=10**6), V,
      "repeat"),
    # free_threading.py
    C("hidden_races threads 1", lambda: pd.hidden_races(threads=1), V, "threads"),
    C("hidden_races times 0", lambda: pd.hidden_races(times=0), V, "times"),
    C("hidden_races times huge", lambda: pd.hidden_races(times=10**12), V, "times"),
    C("hidden_races timeout 0", lambda: pd.hidden_races(timeout=0), V, "timeout"),
    C("hidden_races timeout negative", lambda: pd.hidden_races(timeout=-1), V, "timeout"),
    C("load_reference directory int", lambda: pd.load_reference(5), T, "directory"),
    C("load_reference tag int", lambda tmp: pd.load_reference(tmp, 314), T, "tag",
      needs_mp=True),
    C("load_reference tag empty", lambda tmp: pd.load_reference(tmp, ""), V, "tag",
      needs_mp=True),
    C("measure_prime_scaling fn int", lambda: pd.measure_prime_scaling(5, [7]), T, "fn"),
    C("measure_prime_scaling items empty", lambda: pd.measure_prime_scaling(pd.is_prime, []), V,
      "items"),
    C("measure_prime_scaling items int", lambda: pd.measure_prime_scaling(pd.is_prime, 7), T,
      "items"),
    C("measure_prime_scaling workers int", lambda: pd.measure_prime_scaling(
        pd.is_prime, [7], workers=2), T, "workers", "[2]"),
    C("measure_prime_scaling workers 0", lambda: pd.measure_prime_scaling(
        pd.is_prime, [7], workers=[0]), V, "workers"),
    C("measure_prime_scaling workers huge", lambda: pd.measure_prime_scaling(
        pd.is_prime, [7], workers=[10**6]), V, "workers"),
    C("measure_prime_scaling strategies str", lambda: pd.measure_prime_scaling(
        pd.is_prime, [7], strategies="thread_pool"), T, "strategies"),
    C("measure_prime_scaling strategy unknown", lambda: pd.measure_prime_scaling(
        pd.is_prime, [7], strategies=["gpu"]), V, "strategy"),
    C("measure_prime_scaling repeat 0", lambda: pd.measure_prime_scaling(
        pd.is_prime, [7], repeat=0), V, "repeat"),
    *[C(f"measure_prime_scaling process_pool {kind}", lambda mp, make=make: (
        _spawn_default(mp), pd.measure_prime_scaling(make(mp), [7], strategies=("process_pool",),
                                                     repeat=1, warmup=0)), T, "fn",
        needs_mp=True) for kind, make in UNSENDABLE.items()],
    *[C(f"measure_prime_scaling interpreter_pool {kind}", lambda mp, make=make:
        pd.measure_prime_scaling(make(mp), [7], workers=[1], strategies=("interpreter_pool",),
                                 repeat=1, warmup=0), T, "fn", needs_mp=True,
        skip=interp_unavailable) for kind, make in INTERP_UNSENDABLE.items()],
    C("measure_single_thread_overhead this int", lambda: pd.measure_single_thread_overhead(
        5, "python3"), T, "this"),
    C("measure_single_thread_overhead other None", lambda: pd.measure_single_thread_overhead(
        "python3", None), T, "other"),
    C("measure_single_thread_overhead n 0", lambda: pd.measure_single_thread_overhead(
        "python3", "python3", n=0), V, "n"),
    C("measure_single_thread_overhead repeat 0", lambda: pd.measure_single_thread_overhead(
        "python3", "python3", repeat=0), V, "repeat"),
    C("measure_single_thread_overhead timeout 0", lambda: pd.measure_single_thread_overhead(
        "python3", "python3", timeout=0), V, "timeout"),
    C("measure_single_thread_overhead timeout negative",
      lambda: pd.measure_single_thread_overhead("python3", "python3", timeout=-1), V, "timeout"),
    C("record_reference directory int", lambda: pd.record_reference(5, where="here"), T,
      "directory"),
    C("record_reference where int", lambda tmp: pd.record_reference(tmp, where=5), T, "where",
      needs_mp=True),
    C("record_reference repeat 0", lambda tmp: pd.record_reference(tmp, where="", repeat=0), V,
      "repeat", needs_mp=True),
    C("sibling_python info wrong", lambda: pd.sibling_python("python3.14"), T, "info"),
    # charts
    C("plot_cpu_timelines int", lambda: pd.plot_cpu_timelines(5), T, "runs"),
    C("plot_cpu_timelines empty", lambda: pd.plot_cpu_timelines({}), V, "runs"),
    C("plot_cpu_timelines one RunResult", lambda: pd.plot_cpu_timelines(_sequential_run()), T,
      "runs"),
    C("plot_cpu_timelines values not RunResults", lambda: pd.plot_cpu_timelines({"a": 5}), T,
      "runs"),
    C("plot_cpu_timelines results not CpuTimed", lambda: pd.plot_cpu_timelines(
        {"a": _sequential_run()}), T, "runs", "cpu_timed"),
    C("plot_thread_prediction int", lambda: pd.plot_thread_prediction(5), T, "run"),
    C("plot_thread_prediction dict", lambda: pd.plot_thread_prediction(_prediction_like()), T,
      "run", "PredictionRun"),
    C("plot_future_states int", lambda: pd.plot_future_states(5), T, "trace"),
    C("plot_future_states not records", lambda: pd.plot_future_states([1, 2]), T, "trace"),
    C("plot_future_states t0 str", lambda: pd.plot_future_states([], t0="0"), T, "t0"),
    C("plot_build_scaling int", lambda: pd.plot_build_scaling(5), T, "scaling"),
    C("plot_build_scaling dict", lambda: pd.plot_build_scaling({}), T, "scaling"),
    C("plot_build_scaling reference wrong", lambda: pd.plot_build_scaling(
        pd.Scaling("here", 1, 1, pd.Measurement("sequential", (1.0,)), {}), reference=[]), T,
      "reference"),
    C("plot_pool_costs int", lambda: pd.plot_pool_costs(5), T, "costs"),
    C("plot_pool_costs not PoolCosts", lambda: pd.plot_pool_costs([1, 2]), T, "costs"),
    C("plot_pool_costs empty", lambda: pd.plot_pool_costs([]), V, "costs"),
    C("plot_pool_costs reference wrong", lambda: pd.plot_pool_costs([], reference=5), T,
      "reference"),
    C("plot_speedup_guess predicted str", lambda: pd.plot_speedup_guess("2", 1.0, 0.9, 1.1), T,
      "predicted"),
    C("plot_speedup_guess predicted negative", lambda: pd.plot_speedup_guess(
        -1, 1.0, 0.9, 1.1), V, "predicted"),
    C("plot_speedup_guess measured nan", lambda: pd.plot_speedup_guess(
        2, float("nan"), 0.9, 1.1), V, "measured"),
    C("plot_speedup_guess low above high", lambda: pd.plot_speedup_guess(2, 1.0, 1.1, 0.9), V,
      "low"),
]
