"""parallel_demo: run, time and draw concurrent Python, for the book.

The public names are re-exported here; see each module for the details.
"""

from .env import (CPUCounts, Report, cpu_counts, default_start_method, doctor, effective_cpus,
                  leftovers)
from .env import _apply_start_method_override
from .strategies import STRATEGIES, register_strategy, run
from .timing import Measurement, SpeedupRow, format_speedups, measure, speedups, sweep_workers
from .trace import RunResult, TaskRecord, Trace, now, relabel, worker_labels
from .workloads import (
    calibrate_spin,
    count_primes,
    crash_process,
    hash_bytes,
    is_prime,
    large_primes,
    mixed_numbers,
    primes_in,
    sleep_task,
    spin,
)
from .exercises import CheckResult, check_concurrency, check_tasks_per_worker

# Charts need matplotlib, which takes a noticeable time to import.  Worker
# processes started with `spawn` or `forkserver` import this package to find
# their task function, and should not pay for plotting they never do, so
# chart names are loaded on first use (PEP 562).
_LAZY = {
    "PALETTE": "charts", "plot_comparison": "charts", "plot_speedup": "charts",
    "plot_timeline": "charts", "plot_timelines": "charts", "plot_timeline_grid": "charts",
    "worker_color": "charts",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'parallel_demo' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


_apply_start_method_override()

__version__ = "0.1.0"

__all__ = [
    "CPUCounts", "Report", "cpu_counts", "default_start_method", "doctor", "effective_cpus",
    "leftovers",
    "STRATEGIES", "register_strategy", "run",
    "Measurement", "SpeedupRow", "format_speedups", "measure", "speedups", "sweep_workers",
    "RunResult", "TaskRecord", "Trace", "now", "relabel", "worker_labels",
    "calibrate_spin", "count_primes", "crash_process", "hash_bytes", "is_prime", "large_primes", "mixed_numbers",
    "primes_in", "sleep_task", "spin",
    "PALETTE", "plot_comparison", "plot_speedup", "plot_timeline", "plot_timelines",
    "plot_timeline_grid", "worker_color",
    "CheckResult", "check_concurrency", "check_tasks_per_worker",
]

# Chapters add their modules' public names below, one block per part: explicit
# imports, then `__all__ += [...]`.  Import heavy dependencies (httpx,
# ipywidgets, matplotlib) inside functions, not at module level: spawned
# worker processes import this package.

# --- Part I-II: concurrency vs parallelism, threads vs processes, I/O, the GIL ---
# Part I (concurrency vs parallelism; threads vs processes)
from .affinity import (CAN_PIN, CpuTimed, cpu_parallelism, cpu_timed, pin_to_cpus,
                       plot_cpu_timelines, run_pinned, usable_cpus, worker_cpus)
from .identity import (Identity, ThreadError, append_from_processes, append_from_threads,
                       catch_thread_exceptions, os_thread_count, process_identities,
                       startup_cost, startup_costs, thread_identities, whoami)
from .checks_basics import (KINDS, SCENARIOS, check_classification, check_cpus_executing,
                            check_pool_pays_off, check_run_in_thread, check_same_thread)
__all__ += [
    "CAN_PIN", "CpuTimed", "cpu_parallelism", "cpu_timed", "pin_to_cpus", "plot_cpu_timelines",
    "run_pinned", "usable_cpus", "worker_cpus",
    "Identity", "ThreadError", "append_from_processes", "append_from_threads",
    "catch_thread_exceptions", "os_thread_count", "process_identities", "startup_cost",
    "startup_costs", "thread_identities", "whoami",
    "KINDS", "SCENARIOS", "check_classification", "check_cpus_executing", "check_pool_pays_off",
    "check_run_in_thread", "check_same_thread",
]

# Part II (threads for I/O; threads and the GIL).  The server and the
# explorer load on first use: http.server alone takes ~70 ms to import, which
# every spawned worker would pay.
from .fetch import (ThroughputRow, close_clients, fetch_all, fetch_page, littles_law,
                    measure_throughput, plot_throughput)
from .gil import (calibrate_hash, check_gil_prediction, check_max_overlap, interleaved_sweep,
                  measure_interleaved, switch_interval)
from .checks_io import check_fetch_pages, check_threads_needed, check_throughput_model
_LAZY.update({"LatencyServer": "server", "ServerStats": "server",
              "explore_io": "widgets", "io_explorer": "widgets"})
__all__ += [
    "LatencyServer", "ServerStats",
    "ThroughputRow", "close_clients", "fetch_all", "fetch_page", "littles_law", "measure_throughput",
    "plot_throughput",
    "calibrate_hash", "check_gil_prediction", "check_max_overlap", "interleaved_sweep",
    "measure_interleaved", "switch_interval",
    "check_fetch_pages", "check_threads_needed", "check_throughput_model",
    "explore_io", "io_explorer",
]

# --- Part III: race conditions, deadlock, starvation ---
from .locks import FairLock, LockMonitor, LockRecord, TrackedLock, WaitForGraph
from .deadlock import (DeadlockReport, DiningReport, Fork, count_deadlocks, dine, naive_philosopher,
                       ordered_philosopher, reacquire, two_locks, two_locks_with_backoff)
from .starvation import (FairnessReport, PipelineReport, QueueEvent, describe_fairness, fairness_index,
                         greedy_vs_polite, producer_consumer)
from .checks_locks import check_consumer, check_fairness_index, check_find_cycle, check_philosopher
_LAZY.update({name: "charts_locks" for name in (
    "plot_lock_timeline", "plot_wait_for_graph", "plot_fairness", "plot_pipeline", "plot_meals")})
__all__ += [
    "FairLock", "LockMonitor", "LockRecord", "TrackedLock", "WaitForGraph",
    "DeadlockReport", "DiningReport", "Fork", "count_deadlocks", "dine", "naive_philosopher",
    "ordered_philosopher", "reacquire", "two_locks", "two_locks_with_backoff",
    "FairnessReport", "PipelineReport", "QueueEvent", "describe_fairness", "fairness_index",
    "greedy_vs_polite", "producer_consumer",
    "check_consumer", "check_fairness_index", "check_find_cycle", "check_philosopher",
    "plot_lock_timeline", "plot_wait_for_graph", "plot_fairness", "plot_pipeline", "plot_meals",
]

# Race conditions (interleave.py, races.py, checks_races.py; their charts import
# matplotlib inside the functions).
from .interleave import (Execution, Exploration, Slot, Step, ThreadSpec, acquire, add, compute,
                         explore, increment, interleavings, plot_execution, plot_interleavings,
                         plot_outcomes, read, release, run_schedule, thread, write)
from .races import (RACE_KINDS, AtomicityRow, HammerResult, RaceResult, SharedCounter,
                    UnsafeBank, UnsafeCounter, atomicity_table, calling_increment, hammer,
                    instructions, locked_increment, naive_increment, plot_lost_updates, race,
                    race_runs, stress, yielding_increment)
from .checks_races import LOSING_QUESTION, check_bank, check_counter, check_losing_interleavings
__all__ += [
    "Execution", "Exploration", "Slot", "Step", "ThreadSpec", "acquire", "add", "compute",
    "explore", "increment", "interleavings", "plot_execution", "plot_interleavings",
    "plot_outcomes", "read", "release", "run_schedule", "thread", "write",
    "RACE_KINDS", "AtomicityRow", "HammerResult", "RaceResult", "SharedCounter", "UnsafeBank",
    "UnsafeCounter", "atomicity_table", "calling_increment", "hammer", "instructions",
    "locked_increment", "naive_increment", "plot_lost_updates", "race", "race_runs", "stress",
    "yielding_increment",
    "LOSING_QUESTION", "check_bank", "check_counter", "check_losing_interleavings",
]

# --- Part IV-V: the prime example, futures, processes done right ---

# Part IV, the prime example (primes.py, checks_primes.py; charts_primes.py is lazy).
from .primes import (
    POST_FIGURES,
    SMALL_NUMBERS,
    WAYS,
    OrderingRow,
    PrimeCheck,
    PrimeOutput,
    PrimeRun,
    PrimeThread,
    SizePoint,
    compare_orderings,
    crossover,
    crossover_estimate,
    measure_ways,
    primes_queue_workers,
    primes_sequential,
    primes_thread_per_number,
    primes_thread_pool,
    primes_thread_pool_shared,
    sweep_chunksize,
    sweep_input,
    thread_startup_cost,
    typical_run,
)
from .checks_primes import (
    check_chunksize,
    check_costliest,
    check_crossover,
    check_drain,
    check_input_order,
    check_pool_task,
    check_safe_add,
    check_still_running,
    check_thread_collect,
    check_timer,
)

_LAZY.update({"plot_timing_spread": "charts_primes", "plot_size_sweep": "charts_primes",
              "plot_chunksize": "charts_primes"})
__all__ += [
    "POST_FIGURES", "SMALL_NUMBERS", "WAYS", "OrderingRow", "PrimeCheck", "PrimeOutput",
    "PrimeRun", "PrimeThread", "SizePoint", "compare_orderings", "crossover", "crossover_estimate",
    "measure_ways",
    "primes_queue_workers", "primes_sequential", "primes_thread_per_number",
    "primes_thread_pool", "primes_thread_pool_shared", "sweep_chunksize", "sweep_input",
    "thread_startup_cost", "typical_run",
    "check_chunksize", "check_costliest", "check_crossover", "check_drain", "check_input_order",
    "check_pool_task", "check_safe_add", "check_still_running", "check_thread_collect",
    "check_timer",
    "plot_timing_spread", "plot_size_sweep", "plot_chunksize",
]


# Part V, futures and processes done right (futures_demo.py, processes.py, checks_futures.py).
from .futures_demo import (FUTURE_STATES, FutureRecord, FutureTrace, future_state,
                           plot_future_states, sleep_or_fail, wait_until_running)
from .processes import (CrashingTask, PoolRound, RecoveryReport, ScriptRun, capture_worker_stderr,
                        load_values, map_recovering, measure_pool_map, pickled_size, pool_script,
                        read_values, run_script, sum_file_range, sum_loaded_range, sum_values,
                        write_values)
from .checks_futures import (check_collect_within, check_errors_named, check_index_plan,
                             check_retry_plan)
__all__ += [
    "FUTURE_STATES", "FutureRecord", "FutureTrace", "future_state", "plot_future_states",
    "sleep_or_fail", "wait_until_running",
    "CrashingTask", "PoolRound", "RecoveryReport", "ScriptRun", "capture_worker_stderr",
    "load_values", "map_recovering", "measure_pool_map", "pickled_size", "pool_script",
    "read_values", "run_script", "sum_file_range", "sum_loaded_range", "sum_values",
    "write_values",
    "check_collect_within", "check_errors_named", "check_index_plan", "check_retry_plan",
]
