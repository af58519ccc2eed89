"""Bad input, table-driven, over the public API (``parallel_demo.__all__``).

Every public name is classified below, exhaustively (a new name fails
``test_every_public_name_is_classified`` until it is put in a group):

* ``ROWS``: names with rows in ``CASES``: wrong types, zero and negative sizes,
  empty inputs, huge numbers, timeouts of 0 and below, and callables a worker
  process or a subinterpreter cannot receive (a lambda, a closure, a function
  of ``__main__`` as a notebook defines it).  Each must raise ``TypeError`` or
  ``ValueError`` at once, with a message that names the parameter and says what
  to pass (``must ...``, ``pass ...``, ``use ...``);
* the exempt groups, each with its reason (``EXEMPT``);
* ``PENDING``: public functions with parameters that have no row yet (the
  count is printed by ``test_pending_is_shrinking_only``; move a name to
  ``ROWS`` when you add its row).

Nothing may hang: a row that could run for ever (a huge number that is *not*
refused) runs in a child process with a deadline.  Nothing is left running:
the conftest fixture checks threads and processes after every row.

Rows marked ``xfail(strict=True)`` are real findings in modules this test's
author does not own; each reason names the fix.  Remove the mark when the fix
is merged (strict: the test then says so by failing).
"""

from __future__ import annotations

import asyncio
import importlib
import pathlib

import pytest

import parallel_demo as pd
from bad_input_base import (INTERP_UNSENDABLE, UNSENDABLE, C, Case, T, V, check_message,
                            interp_unavailable, run_in_child)

#: The rows of each part of the library, one module each (``NAMES`` and ``CASES``).
AREAS = [importlib.import_module(p.stem)
         for p in sorted(pathlib.Path(__file__).parent.glob("bad_input_*.py"))
         if p.stem != "bad_input_base"]

# ---------------------------------------------------------------------------
# The classification.

ROWS = set("""
    BoundedBuffer DaskCluster LatencyServer PrimeOutput StuckProgram Trace amdahl arun
    async_client break_even_tasks calibrate_hash calibrate_spin choose_tool compare
    count_deadlocks count_primes cpu_demo crash_process
    default_thread_pool_workers explore fairness_index fetch_all fetch_page fit_line fit_usl
    footman_dinner format_seconds future_state get_pages_asyncio get_pages_threads gustafson
    hammer hash_bytes increment interleaved is_prime karp_flatt large_primes law_curves
    leftovers littles_law load_run loaded_modules map_recovering measure measure_concurrency
    measure_contention measure_pool_map mixed_numbers per_task_seconds pin_to_cpus pool_script
    primes_in process_identities process_pool_cancel producer_consumer queue_total race_runs
    read_values register_strategy relabel run run_coroutine run_pinned run_script save_run
    serial_fraction_from serial_workload sleep_async sleep_or_fail sleep_task slow_lookup
    speedups spin startup_cost strategy_available stress sweep_sizes sweep_workers
    switch_interval thread_identities time_strategies tool_status try_in_interpreter usl
    wait_until_running worker_labels write_values writer_starvation
""".split())

EXEMPT: dict[str, tuple[str, set[str]]] = {
    "data": ("pure data (constants, tables, the palette), not called", set("""
        ANSWERS CAN_COUNT_SWITCHES CAN_PIN CHECK_THEN_ACT CROSSING_CELL DECISION_TREE
        DOCS_TASK_OVERHEAD FUTURE_STATES LOOKUPS LOSING_QUESTION PALETTE PHASES PLAIN_WAYS
        POST_FIGURES RACE_KINDS RW_LOCKS SCENARIOS SCHEDULER_ENV SMALL_NUMBERS STRATEGIES TOOLS
        TOOL_SCENARIOS request_id""".split())),
    "record": ("a frozen result record the library builds and returns; plain data, no logic "
               "to guard (its fields are what a function measured)", set("""
        AmdahlFit AmountVerdict AtomicityRow BuildInfo CPUCounts CancelAttempt ClockOffset
        ConcurrencyRow CpuDemo CpuTimed Crossing Crossover DaskWorker DeadlockReport DiningReport
        DoctorReport Execution Exploration FairnessReport FairnessSeries FutureRecord HammerResult
        Identity KarpFlattRow LawCurves Laws LockRecord Machine Measurement ModelComparison
        OrderingRow OverheadReport PipelineReport PoolCost PoolRound PredictionRun PrimeRun
        QueueEvent RaceResult RecordedSeries RecoveryReport ReferenceRun RunResult Scaling
        ScalingSweep ScriptRun SerialWorkload ServerStats SizePoint SpeedupRow StallReport
        StreamSpan SwitchCost SwitchRun Switched SyncEvent TaskRecord TaskSweep ThreadError
        ThreadSpec ThroughputRow Verdict WaitForGraph WriterReport""".split())),
    "no_params": ("takes no parameters: nothing to get wrong", set("""
        FairLock InFlight LockMonitor ReadersPreferringLock SharedCounter SyncTrace UnsafeCounter
        WriterPreferringLock build_info capture_worker_stderr catch_thread_exceptions
        concurrent_only_way dask_process_threads default_start_method derive_laws doctor
        effective_cpus interpreter_id lock_handoff loop_is_running now os_thread_count py_spy_path
        quick_strategies this_machine thread_inherits_context thread_switches thread_takes_context
        usable_cpus""".split())),
    "checker": ("an exercise checker: it answers a learner's wrong answer with a hint instead of "
                "raising; its wrong-answer table is tests/test_checks_<topic>.py", set("""
        CheckResult check_atomic_operations check_bank check_barrier_prediction
        check_batch_prediction check_batched_primes check_bounded_buffer check_chunksize
        check_classification check_collect_within check_concurrency check_consumer check_costliest
        check_counter check_cpus_executing check_crossover check_drain check_errors_named
        check_gil_speedup_prediction check_process_speedup_prediction
        check_fairness_index check_fetch_pages check_find_cycle check_gil_prediction
        check_index_plan check_input_order check_losing_interleavings check_max_overlap
        check_per_task_prediction check_philosopher check_pool_pays_off
        check_pool_speedup_prediction check_pool_task check_retry_plan check_round_trip_prediction
        check_run_in_thread check_safe_add check_same_thread check_serial_fraction
        check_speedup_prediction check_still_running check_tasks_per_worker check_thread_collect
        check_thread_prediction check_thread_speedup_prediction check_threads_needed
        check_throughput_model check_timer check_tool_choices check_unblocked""".split())),
    "shown": ("the race chapter prints its source (inspect.getsource, dis.dis) and races it as "
              "printed: a check inside would change both; given a non-counter it fails at once "
              "with AttributeError", set("""
        naive_increment calling_increment yielding_increment locked_increment""".split())),
    "ignores_item": ("a pool task whose one argument is the item it ignores (it reports where it "
                     "ran): nothing to get wrong", set("""
        whoami worker_cpus""".split())),
    "prose": ("turns a result the library returned into words or a table; the chapters pass "
              "it what a measuring function returned, never a reader's value", set("""
        crossing_table describe_fit describe_karp_flatt describe_kernel explain_break_even
        explain_chunksize explain_cluster_startup explain_concurrency explain_contention
        explain_costs explain_cpu_demo explain_crew explain_crossings explain_data_routes
        explain_fairness explain_fit explain_footman explain_gil_speedups explain_gil_threads
        explain_io_overlap explain_io_speedup explain_lock_cost explain_machine explain_naive
        explain_orderings explain_pool_costs explain_pool_speed explain_pool_vs_loop explain_py_spy
        explain_races explain_reference_runs explain_runs explain_size_sweep explain_startup
        explain_sweep_limit explain_switch_cost explain_task_overhead explain_task_sweep
        explain_thread_context explain_thread_costs explain_tracing explain_versions
        explain_writer_waits format_percent format_ratio format_speedups format_tool_table
        karp_flatt_table orderings_table thread_safety_table tool_table ways_table""".split())),
}

#: Charts with no rows yet (the primes and timing charts).
CHARTS_PENDING = set("""
    plot_chunksize plot_comparison plot_size_sweep plot_speedup plot_timeline plot_timeline_grid plot_timelines plot_timing_spread
    worker_color
""".split())

#: Public functions with parameters and no row yet.  Only ever shrink this list.
PENDING = set("""
    PrimeCheck PrimeThread chunksize_vs_loop compare_amounts compare_orderings crossover crossover_estimate find_primes_loop
    find_primes_pool find_primes_queue find_primes_thread_per_number measure_thread_costs measure_tracing measure_ways primes_queue_workers primes_sequential
    primes_thread_per_number primes_thread_pool primes_thread_pool_shared size_crossover spin_for sweep_chunksize sweep_input typical_run
""".split())
PENDING_COUNT = 24  # `len(PENDING)` when written; a test keeps it from growing

for _area in AREAS:
    ROWS |= _area.NAMES

GROUPS: dict[str, set[str]] = {"rows": ROWS, **{k: v for k, (_, v) in EXEMPT.items()},
                               "charts (pending)": CHARTS_PENDING, "pending": PENDING}


def test_every_public_name_is_classified():
    public = set(pd.__all__)
    classified = set().union(*GROUPS.values())
    new = sorted(public - classified)
    assert not new, (f"public name(s) not classified in tests/test_bad_input.py: {new}; add rows "
                     "for them to CASES (and the name to ROWS), or put them in an exempt group")
    # A name with rows must be public (a name dropped from an exempt group's list does no harm).
    assert not sorted(ROWS - public), "names in ROWS that are not public"
    for a in GROUPS:
        for b in GROUPS:
            if a < b:
                assert not GROUPS[a] & GROUPS[b], f"in two groups ({a}, {b}): {GROUPS[a] & GROUPS[b]}"


def test_pending_is_shrinking_only():
    assert len(PENDING) <= PENDING_COUNT, "PENDING only shrinks: add rows instead"
    print(f"{len(ROWS)} names with rows, {len(PENDING & set(pd.__all__))} pending, "
          f"{len(CHARTS_PENDING)} charts pending")


# ---------------------------------------------------------------------------
# The rows (more rows, one file per part of the library: bad_input_<area>.py).

CASES: list[Case] = [
    # run(): the centre of the book
    C("run strategy wrong type", lambda: pd.run(3, abs, [1]), T, "strategy"),
    C("run strategy unknown", lambda: pd.run("threads", abs, [1]), V, "strategy", "thread_pool"),
    C("run fn not callable", lambda: pd.run("sequential", 5, [1]), T, "fn"),
    C("run fn called already", lambda: pd.run("sequential", abs(1), [1]), T, "fn"),
    C("run items not iterable", lambda: pd.run("sequential", abs, 5), T, "items"),
    C("run items a string", lambda: pd.run("sequential", abs, "123"), T, "items"),
    C("run workers 0", lambda: pd.run("thread_pool", abs, [1], workers=0), V, "workers"),
    C("run workers negative", lambda: pd.run("thread_pool", abs, [1], workers=-2), V, "workers"),
    C("run workers huge", lambda: pd.run("thread_pool", abs, [1], workers=10**6), V, "workers"),
    C("run workers str", lambda: pd.run("thread_pool", abs, [1], workers="2"), T, "workers"),
    C("run workers float", lambda: pd.run("process_pool", abs, [1], workers=2.0), T, "workers"),
    C("run workers bool", lambda: pd.run("thread_pool", abs, [1], workers=True), T, "workers"),
    C("run unknown option", lambda: pd.run("thread_pool", abs, [1], chunksize=2), T, "chunksize"),
    C("run chunksize 0", lambda: pd.run("process_pool", pd.is_prime, [1], chunksize=0), V,
      "chunksize"),
    C("run start method unknown", lambda: pd.run("process_pool", pd.is_prime, [1],
                                                 start_method="fast"), V, "start_method"),
    C("run initializer lambda", lambda: pd.run("process_pool", pd.is_prime, [1],
                                               initializer=lambda: None), T, "initializer"),
    *[C(f"run process_pool {kind}", lambda mp, make=make: pd.run(
        "process_pool", make(mp), [1], workers=1, start_method="spawn"), T, "fn",
        needs_mp=True) for kind, make in UNSENDABLE.items()],
    *[C(f"run interpreter_pool {kind}", lambda mp, make=make: pd.run(
        "interpreter_pool", make(mp), [1], workers=1), T, "fn", needs_mp=True,
        skip=interp_unavailable) for kind, make in INTERP_UNSENDABLE.items()],
    C("strategy_available wrong", lambda: pd.strategy_available("gpu"), V, "strategy"),
    C("register_strategy twice", lambda: pd.register_strategy("sequential", lane="main")(abs), V,
      "sequential", "already"),
    C("time_strategies items int", lambda: pd.time_strategies(abs, 5), T, "items"),
    C("sweep_workers workers 0", lambda: pd.sweep_workers("thread_pool", abs, [1], [0]), V,
      "workers"),
    # workloads
    C("is_prime str", lambda: pd.is_prime("7"), T, "n", "int("),
    C("is_prime float", lambda: pd.is_prime(7.0), T, "n"),
    C("large_primes negative", lambda: pd.large_primes(-1), V, "count"),
    C("large_primes str", lambda: pd.large_primes("3"), T, "count"),
    C("large_primes huge", None, V, "count",
      child="from parallel_demo import large_primes; large_primes(10**30)"),
    C("mixed_numbers negative", lambda: pd.mixed_numbers(-2), V, "count"),
    C("primes_in not iterable", lambda: pd.primes_in(5), T, "numbers"),
    C("sleep_task negative", lambda: pd.sleep_task(-1), V, "seconds"),
    C("sleep_task huge", None, V, "seconds",
      child="from parallel_demo import sleep_task; sleep_task(1e9)"),
    C("spin negative", lambda: pd.spin(-1), V, "iterations"),
    C("spin huge", None, V, "iterations", child="from parallel_demo import spin; spin(10**15)"),
    C("hash_bytes negative", lambda: pd.hash_bytes(-1), V, "size"),
    C("hash_bytes huge", None, V, "size",
      child="from parallel_demo import hash_bytes; hash_bytes(10**12)"),
    C("count_primes str", lambda: pd.count_primes(10, "a"), T, "stop"),
    C("count_primes huge", None, V, "stop",
      child="from parallel_demo import count_primes; count_primes(0, 10**15)"),
    C("calibrate_spin 0", lambda: pd.calibrate_spin(0), V, "seconds"),
    C("calibrate_spin negative", lambda: pd.calibrate_spin(-1), V, "seconds"),
    C("calibrate_hash str", lambda: pd.calibrate_hash("1"), T, "seconds"),
    C("crash_process str", lambda: pd.crash_process("x"), T, "exit_code"),
    C("loaded_modules int", lambda: pd.loaded_modules(5), T, "packages"),
    # timing and verdicts
    C("measure fn int", lambda: pd.measure(5), T, "fn"),
    C("measure repeat 0", lambda: pd.measure(abs, 1, repeat=0), V, "repeat"),
    C("measure warmup negative", lambda: pd.measure(abs, 1, warmup=-1), V, "warmup"),
    C("interleaved empty", lambda: pd.interleaved({}), V, "cases"),
    C("interleaved not callable", lambda: pd.interleaved({"a": 5}), T, "cases"),
    C("measure_pool_map workers 0", lambda: pd.measure_pool_map(pd.is_prime, [1], workers=0), V,
      "workers"),
    C("measure_pool_map timeout 0", lambda: pd.measure_pool_map(pd.is_prime, [1], timeout=0), V,
      "timeout"),
    C("measure_pool_map timeout negative",
      lambda: pd.measure_pool_map(pd.is_prime, [1], timeout=-1), V, "timeout"),
    C("measure_pool_map lambda", lambda: pd.measure_pool_map(lambda x: x, [1]), T, "fn"),
    C("compare not measurements", lambda: pd.compare(1, 2), T, "a"),
    C("compare margin negative", lambda: pd.compare(pd.measure(abs, 1, repeat=2),
                                                    pd.measure(abs, 1, repeat=2), margin=-1),
      V, "margin"),
    C("speedups not measurements", lambda: pd.speedups(1, []), T, "baseline"),
    C("format_seconds str", lambda: pd.format_seconds("x"), T, "seconds"),
    # records
    C("relabel not records", lambda: pd.relabel(5, "x"), T, "records"),
    C("worker_labels not records", lambda: pd.worker_labels(5), T, "records"),
    C("Trace.wrap not callable", lambda: pd.Trace().wrap(5, 0), T, "fn"),
    C("leftovers grace negative", lambda: pd.leftovers(grace=-1), V, "grace"),
    # servers and fetching
    C("LatencyServer latency negative", lambda: pd.LatencyServer(-1), V, "latency"),
    C("LatencyServer max_concurrent 0", lambda: pd.LatencyServer(max_concurrent=0), V,
      "max_concurrent"),
    C("LatencyServer latency huge", lambda: pd.LatencyServer(latency=1e9), V, "latency"),
    C("fetch_page int", lambda: pd.fetch_page(5), T, "url"),
    C("fetch_page no scheme", lambda: pd.fetch_page("nope"), V, "url"),
    C("fetch_all strategy unknown", lambda: pd.fetch_all("x", []), V, "strategy"),
    C("littles_law negative", lambda: pd.littles_law(-1, 1), V, "concurrency"),
    C("default_thread_pool_workers 0", lambda: pd.default_thread_pool_workers(0), V, "cpus"),
    C("get_pages_threads connections 0",
      lambda: pd.get_pages_threads("http://127.0.0.1:1", ["/"], connections=0), V, "connections"),
    C("get_pages_asyncio timeout 0",
      lambda: pd.get_pages_asyncio("http://127.0.0.1:1", ["/"], timeout=0), V, "timeout"),
    C("measure_concurrency sizes 0",
      lambda: pd.measure_concurrency("http://127.0.0.1:1", [0], latency=0.05), V, "sizes"),
    C("async_client connections 0", lambda: pd.async_client(0), V, "connections"),
    # asyncio
    C("arun fn int", lambda: asyncio.run(pd.arun(5, [1])), T, "fn"),
    C("arun timeout 0", lambda: asyncio.run(pd.arun(pd.sleep_async, [0.01], timeout=0)), V,
      "timeout"),
    C("arun timeout negative", lambda: asyncio.run(pd.arun(pd.sleep_async, [0.01], timeout=-1)),
      V, "timeout"),
    C("arun limit 0", lambda: asyncio.run(pd.arun(pd.sleep_async, [0.01], limit=0)), V, "limit"),
    C("run_coroutine not callable", lambda: pd.run_coroutine(5), T, "make"),
    C("run_coroutine timeout negative", lambda: pd.run_coroutine(lambda: pd.sleep_async(0),
                                                                 timeout=-1), V, "timeout"),
    C("sleep_async negative", lambda: asyncio.run(pd.sleep_async(-1)), V, "seconds"),
    C("slow_lookup negative", lambda: asyncio.run(pd.slow_lookup("k", -1)), V, "seconds"),
    # processes, interpreters, Dask
    C("run_script not str", lambda: pd.run_script(5), T, "source"),
    C("run_script timeout 0", lambda: pd.run_script("pass", timeout=0), V, "timeout"),
    C("run_script timeout negative", lambda: pd.run_script("pass", timeout=-1), V, "timeout"),
    C("map_recovering lambda", lambda: pd.map_recovering(lambda x: x, [1]), T, "fn"),
    C("map_recovering timeout 0", lambda: pd.map_recovering(pd.is_prime, [1], timeout=0), V,
      "timeout"),
    C("pool_script workers 0", lambda: pd.pool_script(guarded=True, workers=0), V, "workers"),
    C("write_values count negative", lambda: pd.write_values("/tmp/never-written.bin", -1), V,
      "count"),
    C("read_values start negative", lambda tmp: pd.read_values(
        pd.write_values(tmp / "v.bin", 4), -1), V, "start", needs_mp=True),
    C("try_in_interpreter not callable", lambda: pd.try_in_interpreter(5), T, "fn"),
    C("try_in_interpreter timeout negative", lambda: pd.try_in_interpreter(abs, 1, timeout=-1), V,
      "timeout"),
    C("DaskCluster workers 0", lambda: pd.DaskCluster(0), V, "workers"),
    C("DaskCluster timeout negative", lambda: pd.DaskCluster(timeout=-1), V, "timeout"),
    C("break_even_tasks negative", lambda: pd.break_even_tasks(-1, 1, 1, 2), V, "startup"),
    # threads, identity, affinity
    C("startup_cost kind unknown", lambda: pd.startup_cost("fiber"), V, "kind"),
    C("startup_cost repeat 0", lambda: pd.startup_cost(repeat=0), V, "repeat"),
    C("thread_identities 0", lambda: pd.thread_identities(0), V, "n"),
    C("process_identities negative", lambda: pd.process_identities(-1), V, "n"),
    C("cpu_demo lambda", lambda: pd.cpu_demo(lambda x: x, [1]), T, "fn"),
    C("pin_to_cpus negative", lambda: pd.pin_to_cpus([-1]), V, "cpu"),
    C("run_pinned no cpus", lambda: pd.run_pinned(abs, [1], []), V, "cpus"),
    C("switch_interval 0", lambda: pd.switch_interval(0).__enter__(), V, "seconds"),
    C("switch_interval negative", lambda: pd.switch_interval(-1).__enter__(), V, "seconds"),
    # futures
    C("process_pool_cancel tasks 0", lambda: pd.process_pool_cancel(0), V, "tasks"),
    C("sleep_or_fail negative", lambda: pd.sleep_or_fail(-1), V, "seconds"),
    C("wait_until_running not a future", lambda: pd.wait_until_running(5), T, "future"),
    C("future_state not a future", lambda: pd.future_state(5), T, "future"),
    # scaling
    C("amdahl p 0", lambda: pd.amdahl(0, 0.5), V, "p"),
    C("amdahl s above 1", lambda: pd.amdahl(2, 1.5), V, "s"),
    C("gustafson str", lambda: pd.gustafson("x", 0.5), T, "p"),
    C("karp_flatt speedup 0", lambda: pd.karp_flatt(0, 2), V, "speedup"),
    C("usl negative", lambda: pd.usl(-1, 0, 0), V, "p"),
    C("serial_fraction_from p 1", lambda: pd.serial_fraction_from(1.5, 1), V, "p"),
    C("serial_workload fraction above 1", lambda: pd.serial_workload(1.5), V, "serial_fraction"),
    C("serial_workload seconds 0", lambda: pd.serial_workload(seconds=0), V, "seconds"),
    C("law_curves workers 0", lambda: pd.law_curves(0.1, 0), V, "workers"),
    C("sweep_sizes most 0", lambda: pd.sweep_sizes(most=0), V, "most"),
    C("fit_line empty", lambda: pd.fit_line([], []), V, "xs"),
    C("fit_usl lengths differ", lambda: pd.fit_usl([1], [1, 2]), V, "speedup"),
    # Part III
    C("BoundedBuffer capacity 0", lambda: pd.BoundedBuffer(0), V, "capacity"),
    C("PrimeOutput capacity negative", lambda: pd.PrimeOutput(-1), V, "capacity"),
    C("hammer fn int", lambda: pd.hammer(5), T, "fn"),
    C("hammer threads 0", lambda: pd.hammer(abs, 1, threads=0), V, "threads"),
    C("stress timeout negative", lambda: pd.stress(abs, 1, timeout=-1), V, "timeout"),
    C("queue_total producers 0", lambda: pd.queue_total(producers=0), V, "producers"),
    C("race_runs kind unknown", lambda: pd.race_runs("x"), V, "kind"),
    C("count_deadlocks order unknown", lambda: pd.count_deadlocks("x"), V, "order"),
    # An empty list of shares is fair by definition (documented, 1.0): not bad input.
    C("fairness_index not iterable", lambda: pd.fairness_index(5), T, "counts"),
    C("explore empty", lambda: pd.explore([]), V, "thread"),
    C("increment name int", lambda: pd.increment(5), T, "name"),
    C("footman_dinner 0", lambda: pd.footman_dinner(0), V, "philosophers"),
    C("producer_consumer items negative", lambda: pd.producer_consumer(items=-1), V, "items"),
    C("writer_starvation kind unknown", lambda: pd.writer_starvation("x"), V, "kind"),
    C("StuckProgram negative", lambda: pd.StuckProgram(-1), V, "release_after"),
    C("measure_contention size 0", lambda: pd.measure_contention(size=0), V, "size"),
    # wrapping up
    C("choose_tool job negative", lambda: pd.choose_tool(job_seconds=-1, waits=False), V,
      "job_seconds"),
    C("per_task_seconds not a result", lambda: pd.per_task_seconds(5), T, "result"),
    C("tool_status unknown", lambda: pd.tool_status("x"), V, "tool"),
    C("load_run not a path", lambda: pd.load_run(5), T, "path"),
    C("save_run not a result", lambda: pd.save_run(5, "/tmp/never-written.json"), T, "run"),
]


for _area in AREAS:
    CASES += _area.CASES


def _params():
    out = []
    for case in CASES:
        marks = [pytest.mark.timeout(60)]
        if case.xfail:
            marks.append(pytest.mark.xfail(strict=True, reason=case.xfail))
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


def test_every_row_is_of_a_classified_name():
    # Each row's id starts with the public name it exercises (methods: Class.method).
    for case in CASES:
        name = case.id.split()[0].split(".")[0]
        assert name in ROWS, f"row {case.id!r}: {name!r} is not in ROWS"
    assert ROWS <= {case.id.split()[0].split(".")[0] for case in CASES}, "a name in ROWS has no row"


@pytest.mark.parametrize("case", _params())
def test_bad_input_gets_a_clear_error(case: Case, monkeypatch, tmp_path):
    reason = case.skip()
    if reason:
        pytest.skip(reason)
    if case.child is not None:
        run_in_child(case)
        return
    args = ()
    if case.needs_mp:
        args = (tmp_path,) if "tmp" in case.call.__code__.co_varnames else (monkeypatch,)
    with pytest.raises(case.error) as info:
        case.call(*args)
    check_message(str(info.value), case)


