"""parallel_demo: run, time and draw concurrent Python, for the book.

The public API is declared once, in :data:`_API` below: module -> the names it
exports.  Nothing is imported until it is first used (PEP 562), so that
``import parallel_demo`` is light, and a worker process started with ``spawn``
or ``forkserver`` that unpickles a task function imports only that function's
module (and never matplotlib, httpx, ipywidgets or sympy).

To export a new name, add it to its module's line here: that is the only edit.
"""

from __future__ import annotations

import importlib
import os

__version__ = "0.2.0"

#: module (relative to this package) -> the public names it exports, in
#: teaching order.  Chart modules live in ``charts/``, checkers in ``checks/``.
_API: dict[str, str] = {
    # core
    "env": "CPUCounts DoctorReport cpu_counts default_start_method doctor effective_cpus "
           "time_strategies",
    "_hang": "leftovers",
    "strategies": "STRATEGIES register_strategy run strategy_available",
    "timing": "Measurement SpeedupRow format_seconds format_speedups interleaved measure "
              "measure_pool_map speedups sweep_workers",
    "verdict": "AmountVerdict Crossover Verdict compare compare_amounts crossover format_percent "
               "format_ratio",
    "trace": "RunResult TaskRecord Trace now relabel worker_labels",
    "workloads": "calibrate_hash calibrate_spin count_primes crash_process hash_bytes is_prime "
                 "large_primes loaded_modules mixed_numbers primes_in sleep_task spin spin_for",
    "checks._base": "CheckResult",
    "charts._style": "PALETTE worker_color",
    "charts.timeline": "plot_timeline plot_timelines plot_timeline_grid",
    "charts.timing": "plot_comparison plot_speedup plot_timing_spread",
    "checks.trace": "check_concurrency check_tasks_per_worker",
    "explain": "explain_machine explain_cpu_demo explain_io_overlap explain_startup "
               "explain_io_speedup explain_gil_speedups explain_switch_cost",
    # Part I
    "affinity": "CAN_PIN CpuTimed cpu_parallelism cpu_timed pin_to_cpus run_pinned usable_cpus "
                "worker_cpus max_in_progress CpuDemo cpu_demo concurrent_only_way",
    "charts.affinity": "plot_cpu_timelines plot_thread_prediction",
    "checks.affinity": "SCENARIOS check_classification check_cpus_executing "
                       "check_process_speedup_prediction",
    "identity": "Identity ThreadError append_from_processes append_from_threads "
                "catch_thread_exceptions os_thread_count process_identities startup_cost "
                "startup_costs thread_identities whoami",
    "checks.identity": "check_pool_pays_off check_run_in_thread check_same_thread",
    # Part II
    "server": "LatencyServer ServerStats",
    "fetch": "ThroughputRow fetch_all fetch_page littles_law measure_throughput "
             "default_thread_pool_workers",
    "charts.fetch": "plot_throughput",
    "checks.fetch": "check_fetch_pages check_threads_needed check_throughput_model",
    "widgets": "explore_io io_explorer slider slider_explorer",
    "gil": "switch_interval CAN_COUNT_SWITCHES thread_switches switch_counted Switched "
           "SwitchRun SwitchCost measure_switch_cost",
    "checks.gil": "check_gil_prediction check_gil_speedup_prediction check_max_overlap",
    # Part III
    "interleave": "Execution Exploration ThreadSpec explore increment interleavings run_schedule",
    "charts.interleave": "plot_execution plot_interleavings plot_outcomes",
    "races": "RACE_KINDS AtomicityRow HammerResult RaceResult SharedCounter UnsafeBank "
             "UnsafeCounter atomicity_table calling_increment explain_lock_cost explain_naive "
             "explain_runs hammer instructions locked_increment naive_increment queue_total "
             "race_runs stress yielding_increment",
    "charts.races": "plot_lost_updates",
    "checks.races": "LOSING_QUESTION check_bank check_counter check_losing_interleavings",
    "locks": "FairLock LockMonitor LockRecord TrackedLock WaitForGraph",
    "charts.locks": "plot_lock_timeline plot_wait_for_graph",
    "deadlock": "DeadlockReport DiningReport count_deadlocks dine livelock naive_philosopher "
                "ordered_philosopher reacquire stuck_stacks two_locks two_locks_with_backoff "
                "where_threads_wait",
    "charts.deadlock": "plot_meals",
    "checks.deadlock": "check_find_cycle check_philosopher",
    "starvation": "FairnessReport FairnessSeries PipelineReport QueueEvent RecordedSeries beside "
                  "explain_fairness explain_versions fairness_index fairness_runs greedy_vs_polite "
                  "load_fairness_series lock_handoff producer_consumer save_fairness_series",
    "charts.starvation": "plot_fairness plot_fairness_runs plot_pipeline",
    "checks.starvation": "check_consumer check_fairness_index",
    "explain_later": "explain_chunksize explain_crew explain_data_routes explain_gil_threads "
                     "explain_orderings explain_pool_speed explain_size_sweep explain_thread_costs "
                     "explain_tracing orderings_table ways_table",
    # Part IV
    "primes": "PLAIN_WAYS POST_FIGURES SMALL_NUMBERS OrderingRow PrimeCheck PrimeOutput PrimeRun "
              "PrimeThread SizePoint chunksize_vs_loop compare_orderings crossover_estimate "
              "find_primes_loop find_primes_pool find_primes_queue find_primes_thread_per_number "
              "measure_thread_costs measure_tracing measure_ways primes_queue_workers "
              "primes_sequential primes_thread_per_number primes_thread_pool "
              "primes_thread_pool_shared size_crossover sweep_chunksize sweep_input typical_run",
    "charts.primes": "plot_size_sweep plot_chunksize",
    "checks.primes": "check_chunksize check_costliest check_crossover check_drain "
                     "check_input_order check_pool_task check_safe_add check_still_running "
                     "check_thread_collect check_thread_prediction check_timer",
    # Part V
    "futures_demo": "FUTURE_STATES CancelAttempt FutureRecord FutureTrace future_state "
                    "process_pool_cancel sleep_or_fail stoppable_steps wait_until_running",
    "charts.futures_demo": "plot_future_states",
    "checks.futures_demo": "check_collect_within check_errors_named",
    "processes": "CrashingTask PoolRound RecoveryReport ScriptRun capture_worker_stderr "
                 "load_values map_recovering measure_data_routes pickled_size pool_script "
                 "read_values run_script sum_file_range sum_loaded_range sum_values write_values",
    "checks.processes": "check_index_plan check_pool_speedup_prediction check_retry_plan",
    # Part III, synchronization primitives
    "primitives": "BoundedBuffer CHECK_THEN_ACT SyncEvent SyncTrace barrier_phases "
                  "broken_barrier check_then_act context_in_threads explain_footman "
                  "explain_thread_context footman_dinner limited_section release_too_many "
                  "request_id safe_calls stolen_wakeup stop_signal stress_buffer "
                  "thread_inherits_context thread_local_demo thread_takes_context",
    "stuck": "StuckProgram dump_all_threads explain_py_spy py_spy_dump py_spy_path stacks",
    "rwlock": "RW_LOCKS ReadersPreferringLock WriterPreferringLock WriterReport "
              "asyncio_lock_order explain_writer_waits lock_handoff_note longest_waits "
              "measure_writer_waits "
              "trio_lock_order writer_starvation",
    "charts.primitives": "plot_phase_prediction plot_sync_timeline plot_sync_timelines "
                         "plot_writer_waits",
    "checks.primitives": "PHASES check_barrier_prediction check_bounded_buffer",
    # [sync]
    # Part VI
    "free_threading": "BuildInfo Scaling build_info describe_kernel measure_prime_scaling "
                      "hidden_races explain_races thread_safety_table measure_contention "
                      "explain_contention sibling_python measure_single_thread_overhead "
                      "load_reference record_reference",
    "interpreters": "Crossing PoolCost CROSSING_CELL crossing_table interpreter_id "
                    "import_in_interpreter kernel_crossings measure_pool_costs try_in_interpreter "
                    "explain_pool_costs explain_crossings",
    "charts.free_threading": "plot_build_scaling plot_pool_costs plot_speedup_guess",
    "checks.free_threading": "check_thread_speedup_prediction check_atomic_operations",
    # [interpreters]
    "aio": "arun run_coroutine loop_is_running sleep_async fail_async cancelled_task StallReport "
           "stall_demo forgotten_task slow_lookup InFlight LOOKUPS",
    "aio_fetch": "async_client afetch_page get_pages_threads get_pages_asyncio cpu_per_request "
                 "ConcurrencyRow measure_concurrency explain_concurrency explain_sweep_limit",
    "charts.aio": "plot_task_timeline plot_stalls plot_stall_pair plot_concurrency "
                  "plot_batch_prediction",
    "checks.aio": "check_batch_prediction check_unblocked",
    # [aio]
    "scaling": "amdahl gustafson karp_flatt serial_fraction_from usl Laws derive_laws "
               "SerialWorkload serial_workload mystery_workload sweep_sizes ScalingSweep "
               "measure_scaling fit_line AmdahlFit fit_amdahl describe_fit explain_fit KarpFlattRow "
               "karp_flatt_table describe_karp_flatt fit_usl ModelComparison compare_models "
               "LawCurves law_curves PredictionRun measure_prediction",
    "charts.scaling": "plot_scaling plot_karp_flatt plot_models plot_laws plot_speedup_prediction",
    "checks.scaling": "check_speedup_prediction check_serial_fraction",
    "widgets_scaling": "explore_amdahl amdahl_explorer",
    # [amdahl]
    "dask_cluster": "SCHEDULER_ENV DOCS_TASK_OVERHEAD ClockOffset DaskCluster DaskWorker "
                    "OverheadReport StreamSpan TaskSweep break_even_tasks clock_offsets "
                    "dask_process_threads measure_round_trips measure_task_overhead "
                    "run_on_client sweep_tasks task_stream_spans explain_cluster_startup "
                    "explain_task_overhead explain_task_sweep explain_break_even",
    "charts.dask_cluster": "plot_round_trips plot_task_overhead plot_task_stream plot_task_sweep "
                           "plot_two_views",
    "checks.dask_cluster": "check_batched_primes check_round_trip_prediction",
    # [dask]
    # Wrapping up
    "reference": "Machine ReferenceRun as_reference find_references load_run save_run "
                 "save_trace_events select_references this_machine to_trace_events",
    "charts.reference": "plot_reference plot_runs_beside",
    "which_tool": "ANSWERS DECISION_TREE TOOLS choose_tool explain_costs explain_pool_vs_loop "
                  "explain_reference_runs format_tool_table measure_costs "
                  "per_task_seconds quick_strategies reference_costs tool_status tool_table",
    "charts.which_tool": "plot_decision_tree plot_prediction plot_tool_costs",
    "checks.which_tool": "TOOL_SCENARIOS check_per_task_prediction check_tool_choices",
    # [wrapup]
}

_WHERE: dict[str, str] = {name: module for module, names in _API.items() for name in names.split()}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'parallel_demo' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return list(__all__)


# PARALLEL_DEMO_START_METHOD=spawn (or forkserver) runs the book as macOS and
# Windows would.  Only then is multiprocessing imported here: every worker and
# subinterpreter imports this package, and should not pay for it otherwise.
if os.environ.get("PARALLEL_DEMO_START_METHOD"):
    from .env import _apply_start_method_override

    _apply_start_method_override()
