"""Bad-input rows for the synchronization primitives (Condition, Semaphore, Event, Barrier,
per-thread state, thread-safe containers), the readers-writer locks, starvation and fairness,
and their charts.  Collected by ``test_bad_input.py``.

Every demo here starts threads and joins them against a deadline, so a number that would keep
a thread busy past its deadline (a huge count, a long hold, a zero-sized semaphore) is refused
before any thread starts; its row runs in a child process with a deadline in case it is not.
None of these functions sends a callable to a process or an interpreter, so there are no
unsendable-callable rows.  The save/load rows write only into pytest's ``tmp_path``.
"""

from __future__ import annotations

import json
import threading

import parallel_demo as pd
from bad_input_base import C, T, V

NAMES = set("""
    barrier_phases broken_barrier check_then_act context_in_threads limited_section
    release_too_many safe_calls stolen_wakeup stop_signal stress_buffer thread_local_demo
    asyncio_lock_order lock_handoff_note longest_waits measure_writer_waits trio_lock_order
    beside fairness_runs greedy_vs_polite load_fairness_series save_fairness_series
    plot_phase_prediction plot_sync_timeline plot_sync_timelines plot_writer_waits
    plot_fairness plot_fairness_runs plot_pipeline
""".split())


def _buffer():
    return pd.BoundedBuffer(3)


def _fairness_report():
    return pd.FairnessReport("threading.Lock", {"greedy": 3, "polite 0": 1},
                             {"greedy": [0.001] * 3, "polite 0": [0.002]}, 0.1)


def _series():
    return pd.FairnessSeries({"threading.Lock": [_fairness_report()]})


def _writer_report():
    return pd.WriterReport("readers-preferring", 1, 10, (0.01,), 0.1, [])


def _write(tmp, text):
    path = tmp / "series.json"
    path.write_text(text)
    return path


_FORMAT = "parallel_demo.fairness_series/1"

CASES = [
    # primitives.py: Condition, a stolen wake-up
    C("stolen_wakeup timeout 0", lambda: pd.stolen_wakeup(timeout=0), V, "timeout"),
    C("stolen_wakeup timeout negative", lambda: pd.stolen_wakeup(timeout=-1), V, "timeout"),
    C("stolen_wakeup timeout str", lambda: pd.stolen_wakeup(timeout="5"), T, "timeout"),
    C("stolen_wakeup timeout huge", None, V, "timeout",
      child="from parallel_demo import stolen_wakeup; stolen_wakeup(timeout=1e9)"),
    C("stolen_wakeup use_while str", lambda: pd.stolen_wakeup("if"), T, "use_while"),
    # a bounded buffer under stress
    C("stress_buffer put not callable", lambda: pd.stress_buffer(5, _buffer().get, capacity=3),
      T, "put"),
    C("stress_buffer get called already", lambda: pd.stress_buffer(_buffer().put, None,
                                                                   capacity=3), T, "get"),
    C("stress_buffer size not callable", lambda: pd.stress_buffer(
        _buffer().put, _buffer().get, capacity=3, size=3), T, "size"),
    C("stress_buffer capacity 0", lambda: pd.stress_buffer(_buffer().put, _buffer().get,
                                                           capacity=0), V, "capacity"),
    C("stress_buffer capacity str", lambda: pd.stress_buffer(_buffer().put, _buffer().get,
                                                             capacity="3"), T, "capacity"),
    C("stress_buffer producers 0", lambda: pd.stress_buffer(
        _buffer().put, _buffer().get, capacity=3, producers=0), V, "producers"),
    C("stress_buffer consumers huge", lambda: pd.stress_buffer(
        _buffer().put, _buffer().get, capacity=3, consumers=10**6), V, "consumers"),
    C("stress_buffer items negative", lambda: pd.stress_buffer(
        _buffer().put, _buffer().get, capacity=3, items=-1), V, "items"),
    C("stress_buffer items huge", None, V, "items",
      child="import parallel_demo as pd; b = pd.BoundedBuffer(3); "
            "pd.stress_buffer(b.put, b.get, capacity=3, items=10**9)"),
    C("stress_buffer timeout 0", lambda: pd.stress_buffer(
        _buffer().put, _buffer().get, capacity=3, timeout=0), V, "timeout"),
    C("stress_buffer timeout negative", lambda: pd.stress_buffer(
        _buffer().put, _buffer().get, capacity=3, timeout=-1), V, "timeout"),
    # Semaphore and BoundedSemaphore
    C("limited_section limit 0", lambda: pd.limited_section(limit=0), V, "limit"),
    C("limited_section workers negative", lambda: pd.limited_section(workers=-1), V, "workers"),
    C("limited_section workers str", lambda: pd.limited_section(workers="5"), T, "workers"),
    C("limited_section workers huge", None, V, "workers",
      child="from parallel_demo import limited_section; limited_section(workers=10**7)"),
    C("limited_section hold negative", lambda: pd.limited_section(hold=-0.1), V, "hold"),
    C("limited_section hold huge", None, V, "hold",
      child="from parallel_demo import limited_section; limited_section(hold=1e9)"),
    C("limited_section timeout 0", lambda: pd.limited_section(timeout=0), V, "timeout"),
    C("limited_section timeout negative", lambda: pd.limited_section(timeout=-1), V, "timeout"),
    C("release_too_many kind unknown", lambda: pd.release_too_many("Lock"), V, "kind",
      "Semaphore"),
    # Semaphore(0): the first acquire() used to wait for ever.
    C("release_too_many limit 0", None, V, "limit",
      child="from parallel_demo import release_too_many; release_too_many('Semaphore', 0)"),
    C("release_too_many limit negative", lambda: pd.release_too_many(limit=-2), V, "limit"),
    C("release_too_many limit str", lambda: pd.release_too_many(limit="2"), T, "limit"),
    C("release_too_many limit huge", None, V, "limit",
      child="from parallel_demo import release_too_many; release_too_many('Semaphore', 10**12)"),
    # Event and Barrier
    C("stop_signal run_for 0", lambda: pd.stop_signal(run_for=0), V, "run_for"),
    C("stop_signal run_for negative", lambda: pd.stop_signal(run_for=-1), V, "run_for"),
    C("stop_signal run_for huge", None, V, "run_for",
      child="from parallel_demo import stop_signal; stop_signal(run_for=1e9)"),
    C("stop_signal round_time 0", lambda: pd.stop_signal(round_time=0), V, "round_time"),
    C("stop_signal round_time str", lambda: pd.stop_signal(round_time="fast"), T, "round_time"),
    C("barrier_phases durations int", lambda: pd.barrier_phases(5), T, "durations"),
    C("barrier_phases durations empty", lambda: pd.barrier_phases([]), V, "durations"),
    C("barrier_phases durations rows str", lambda: pd.barrier_phases(["0.1", "0.2"]), T,
      "durations"),
    C("barrier_phases durations ragged", lambda: pd.barrier_phases([[0.01], [0.01, 0.02]]), V,
      "durations"),
    C("barrier_phases duration negative", lambda: pd.barrier_phases([[0.01], [-0.01]]), V,
      "durations"),
    C("barrier_phases duration huge", None, V, "durations",
      child="from parallel_demo import barrier_phases; barrier_phases([[1e9], [1e9]])"),
    C("barrier_phases workers huge", lambda: pd.barrier_phases([[0.01]] * 10_000), V,
      "durations"),
    C("barrier_phases phases outlast timeout", None, V, "timeout", "durations",
      child="from parallel_demo import barrier_phases; barrier_phases([[0.5] * 100] * 2)"),
    C("barrier_phases timeout 0", lambda: pd.barrier_phases([[0.01]], timeout=0), V, "timeout"),
    C("barrier_phases timeout negative", lambda: pd.barrier_phases([[0.01]], timeout=-1), V,
      "timeout"),
    C("barrier_phases barrier str", lambda: pd.barrier_phases([[0.01]], barrier="no"), T,
      "barrier"),
    C("broken_barrier fail unknown", lambda: pd.broken_barrier(fail="crash"), V, "fail"),
    C("broken_barrier parties 1", lambda: pd.broken_barrier(parties=1), V, "parties"),
    C("broken_barrier parties huge", lambda: pd.broken_barrier(parties=10**6), V, "parties"),
    C("broken_barrier timeout 0", lambda: pd.broken_barrier(timeout=0), V, "timeout"),
    C("broken_barrier timeout negative", lambda: pd.broken_barrier(timeout=-1), V, "timeout"),
    C("broken_barrier timeout huge", None, V, "timeout",
      child="from parallel_demo import broken_barrier; broken_barrier(fail='timeout', timeout=1e9)"),
    # check-then-act
    C("check_then_act kind unknown", lambda: pd.check_then_act("list: append"), V, "kind"),
    C("check_then_act threads 1", lambda: pd.check_then_act("dict: setdefault", threads=1), V,
      "threads"),
    C("check_then_act threads str", lambda: pd.check_then_act("dict: setdefault", threads="4"),
      T, "threads"),
    C("check_then_act rounds 0", lambda: pd.check_then_act("dict: setdefault", rounds=0), V,
      "rounds"),
    C("check_then_act rounds huge", None, V, "rounds",
      child="from parallel_demo import check_then_act; "
            "check_then_act('dict: setdefault', rounds=10**9)"),
    # per-thread state
    C("thread_local_demo threads 0", lambda: pd.thread_local_demo(0), V, "threads"),
    C("thread_local_demo threads str", lambda: pd.thread_local_demo("3"), T, "threads"),
    C("thread_local_demo threads huge", None, V, "threads",
      child="from parallel_demo import thread_local_demo; thread_local_demo(10**6)"),
    C("context_in_threads value int", lambda: pd.context_in_threads(42), T, "value"),
    # thread-safe containers
    C("safe_calls container unknown", lambda: pd.safe_calls("list"), V, "container"),
    C("safe_calls producers 0", lambda: pd.safe_calls(producers=0), V, "producers"),
    C("safe_calls producers huge", lambda: pd.safe_calls(producers=10**6), V, "producers"),
    C("safe_calls per_producer negative", lambda: pd.safe_calls(per_producer=-1), V,
      "per_producer"),
    C("safe_calls per_producer huge", None, V, "per_producer",
      child="from parallel_demo import safe_calls; safe_calls(per_producer=10**10)"),

    # rwlock.py: measuring writer starvation
    C("measure_writer_waits runs 0", lambda: pd.measure_writer_waits(runs=0), V, "runs"),
    C("measure_writer_waits runs huge", None, V, "runs",
      child="from parallel_demo import measure_writer_waits; measure_writer_waits(runs=10**6)"),
    C("measure_writer_waits kinds str",
      lambda: pd.measure_writer_waits(kinds="readers-preferring"), T, "kinds", "list"),
    C("measure_writer_waits kinds empty", lambda: pd.measure_writer_waits(kinds=[]), V, "kinds"),
    C("measure_writer_waits kinds unknown", lambda: pd.measure_writer_waits(kinds=["fair"]), V,
      "kinds"),
    C("measure_writer_waits option unknown", lambda: pd.measure_writer_waits(writers=2), T,
      "writers", "seconds"),
    C("measure_writer_waits seconds 0", lambda: pd.measure_writer_waits(seconds=0), V,
      "seconds"),
    C("longest_waits int", lambda: pd.longest_waits(5), T, "reports"),
    C("longest_waits empty", lambda: pd.longest_waits([]), V, "reports"),
    C("longest_waits whole dict", lambda: pd.longest_waits({"readers-preferring": [
        _writer_report()]}), T, "reports", "runs["),
    C("longest_waits not reports", lambda: pd.longest_waits([0.1, 0.2]), T, "reports",
      "WriterReport"),
    # other libraries' locks
    C("asyncio_lock_order tasks 0", lambda: pd.asyncio_lock_order(0), V, "tasks"),
    C("asyncio_lock_order tasks str", lambda: pd.asyncio_lock_order("4"), T, "tasks"),
    C("asyncio_lock_order tasks huge", None, V, "tasks",
      child="from parallel_demo import asyncio_lock_order; asyncio_lock_order(10**7)"),
    C("trio_lock_order tasks 0", lambda: pd.trio_lock_order(0), V, "tasks"),
    C("trio_lock_order tasks str", lambda: pd.trio_lock_order("4"), T, "tasks"),
    C("trio_lock_order tasks huge", None, V, "tasks",
      child="from parallel_demo import trio_lock_order; trio_lock_order(10**7)"),
    C("lock_handoff_note version str", lambda: pd.lock_handoff_note("3.13.1"), T, "version",
      "(3, 13, 1)"),
    C("lock_handoff_note version int", lambda: pd.lock_handoff_note(3), T, "version"),
    C("lock_handoff_note version empty", lambda: pd.lock_handoff_note(()), V, "version"),
    C("lock_handoff_note version of str", lambda: pd.lock_handoff_note(("3", "13")), T,
      "version"),

    # starvation.py: a greedy thread against polite ones
    C("greedy_vs_polite lock_factory a lock", lambda: pd.greedy_vs_polite(threading.Lock()), T,
      "lock_factory", "without ()"),
    C("greedy_vs_polite lock_factory makes no lock", lambda: pd.greedy_vs_polite(int), T,
      "lock_factory", "acquire"),
    C("greedy_vs_polite polite 0", lambda: pd.greedy_vs_polite(polite=0), V, "polite"),
    C("greedy_vs_polite polite huge", lambda: pd.greedy_vs_polite(polite=10**6), V, "polite"),
    C("greedy_vs_polite seconds huge", None, V, "seconds",
      child="from parallel_demo import greedy_vs_polite; greedy_vs_polite(seconds=1e9)"),
    C("greedy_vs_polite hold huge", None, V, "hold",
      child="from parallel_demo import greedy_vs_polite; greedy_vs_polite(hold=1e9)"),
    C("greedy_vs_polite pause negative", lambda: pd.greedy_vs_polite(pause=-1), V, "pause"),
    C("greedy_vs_polite pause huge", None, V, "pause",
      child="from parallel_demo import greedy_vs_polite; greedy_vs_polite(pause=1e9)"),
    C("greedy_vs_polite timeout 0", lambda: pd.greedy_vs_polite(timeout=0), V, "timeout"),
    C("greedy_vs_polite timeout negative", lambda: pd.greedy_vs_polite(timeout=-1), V,
      "timeout"),
    C("greedy_vs_polite work unknown", lambda: pd.greedy_vs_polite(work="gpu"), V, "work"),
    C("fairness_runs one lock type", lambda: pd.fairness_runs(threading.Lock), T,
      "lock_factories", "wrap"),
    C("fairness_runs lock_factories int", lambda: pd.fairness_runs(5), T, "lock_factories"),
    C("fairness_runs lock_factories empty", lambda: pd.fairness_runs([]), V, "lock_factories"),
    C("fairness_runs lock instances", lambda: pd.fairness_runs([threading.Lock()]), T,
      "lock_factories"),
    C("fairness_runs runs 0", lambda: pd.fairness_runs([threading.Lock], runs=0), V, "runs"),
    C("fairness_runs runs huge", None, V, "runs",
      child="import threading; from parallel_demo import fairness_runs; "
            "fairness_runs([threading.Lock], runs=10**6)"),
    C("fairness_runs option unknown", lambda: pd.fairness_runs([threading.Lock], greedy=2), T,
      "greedy", "polite"),
    # reference runs: saved and loaded (only inside tmp_path)
    C("save_fairness_series series int", lambda tmp: pd.save_fairness_series(5, tmp / "s.json"),
      T, "series", needs_mp=True),
    C("save_fairness_series series empty", lambda tmp: pd.save_fairness_series(
        pd.FairnessSeries({}), tmp / "s.json"), V, "series", needs_mp=True),
    C("save_fairness_series path int", lambda tmp: pd.save_fairness_series(_series(), 5), T,
      "path", needs_mp=True),
    C("save_fairness_series note int", lambda tmp: pd.save_fairness_series(
        _series(), tmp / "s.json", note=3), T, "note", needs_mp=True),
    # open(5) would read file descriptor 5: in a child, where that cannot block the tests.
    C("load_fairness_series path int", None, T, "path",
      child="from parallel_demo import load_fairness_series; load_fairness_series(5)"),
    C("load_fairness_series not json", lambda tmp: pd.load_fairness_series(
        _write(tmp, "not json")), V, "path", "save_fairness_series", needs_mp=True),
    C("load_fairness_series a list", lambda tmp: pd.load_fairness_series(
        _write(tmp, "[1, 2]")), V, "path", "save_fairness_series", needs_mp=True),
    C("load_fairness_series other format", lambda tmp: pd.load_fairness_series(
        _write(tmp, json.dumps({"format": "x"}))), V, "path", "fairness", needs_mp=True),
    C("load_fairness_series damaged", lambda tmp: pd.load_fairness_series(
        _write(tmp, json.dumps({"format": _FORMAT, "runs": 5}))), V, "path", needs_mp=True),
    C("beside series int", lambda: pd.beside(5, None), T, "series"),
    C("beside series empty", lambda: pd.beside(pd.FairnessSeries({}), None), V, "series"),
    C("beside recorded a series", lambda: pd.beside(_series(), _series()), T, "recorded",
      "load_fairness_series"),

    # charts/primitives.py
    C("plot_sync_timeline report int", lambda: pd.plot_sync_timeline(5), T, "report"),
    C("plot_sync_timeline report dict", lambda: pd.plot_sync_timeline({"events": []}), T,
      "report"),
    C("plot_sync_timelines reports int", lambda: pd.plot_sync_timelines(5, ["a"]), T, "reports"),
    C("plot_sync_timelines reports empty", lambda: pd.plot_sync_timelines([], []), V, "reports"),
    C("plot_sync_timelines one report", lambda: pd.plot_sync_timelines(pd.stolen_wakeup(), ["a"]),
      T, "reports", "wrap"),
    C("plot_sync_timelines titles str", lambda: pd.plot_sync_timelines(
        [pd.stolen_wakeup(), pd.stolen_wakeup(False)], "ab"), T, "titles"),
    C("plot_sync_timelines titles short", lambda: pd.plot_sync_timelines(
        [pd.stolen_wakeup()], []), V, "titles"),
    C("plot_writer_waits runs int", lambda: pd.plot_writer_waits(5), T, "runs"),
    C("plot_writer_waits runs empty", lambda: pd.plot_writer_waits({}), V, "runs"),
    C("plot_writer_waits runs a list", lambda: pd.plot_writer_waits([_writer_report()]), T,
      "runs", "measure_writer_waits"),
    C("plot_writer_waits runs of numbers", lambda: pd.plot_writer_waits(
        {"readers-preferring": [0.1]}), T, "runs", "WriterReport"),
    C("plot_phase_prediction prediction str", lambda: pd.plot_phase_prediction(
        "150 ms", pd.Measurement("m", (0.2,))), T, "prediction"),
    C("plot_phase_prediction prediction negative", lambda: pd.plot_phase_prediction(
        -1, pd.Measurement("m", (0.2,))), V, "prediction"),
    C("plot_phase_prediction measured list", lambda: pd.plot_phase_prediction(0.15, [0.2]), T,
      "measured", "Measurement"),
    C("plot_phase_prediction measured empty", lambda: pd.plot_phase_prediction(
        0.15, pd.Measurement("m", ())), V, "measured"),
    # charts/starvation.py
    C("plot_fairness reports int", lambda: pd.plot_fairness(5), T, "reports"),
    C("plot_fairness reports empty", lambda: pd.plot_fairness([]), V, "reports"),
    C("plot_fairness one report", lambda: pd.plot_fairness(_fairness_report()), T, "reports",
      "wrap"),
    C("plot_fairness reports of dicts", lambda: pd.plot_fairness([{"greedy": 3}]), T, "reports",
      "FairnessReport"),
    C("plot_pipeline report int", lambda: pd.plot_pipeline(5), T, "report"),
    C("plot_pipeline report a series", lambda: pd.plot_pipeline(_series()), T, "report",
      "producer_consumer"),
    C("plot_fairness_runs series int", lambda: pd.plot_fairness_runs(5), T, "series"),
    C("plot_fairness_runs series empty", lambda: pd.plot_fairness_runs(pd.FairnessSeries({})), V,
      "series"),
    C("plot_fairness_runs reports list", lambda: pd.plot_fairness_runs([_fairness_report()]), T,
      "series", "fairness_runs"),
]
