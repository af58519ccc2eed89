"""Checkers for threads_and_the_gil: predicting what the GIL allows, a predicted speedup, counting overlap.

The first hint of a failed try names the idea and the section to reread; the
specific fix is the ``detail``, shown from the second failed try on.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable

from ..trace import TaskRecord
from ._base import (CheckResult, call_learner, is_number, is_whole, measure_for_check,
                    sample_record, verdict)

if TYPE_CHECKING:
    from ..scaling import PredictionRun


#: Does running 4 of these on 4 threads beat running them one after another
#: on a machine with several CPUs and a GIL?  And why.
_GIL_FACTS = {
    "spin": (False, "spin is a pure-Python loop: it holds the GIL the whole time, so only "
                    "one thread runs it at any moment"),
    "is_prime": (False, "is_prime is pure-Python arithmetic: it needs the GIL for every step"),
    "hash_bytes": (True, "hashlib releases the GIL while it hashes a large buffer, so threads "
                         "hash on several CPUs at once"),
    "sleep_task": (True, "a sleeping thread releases the GIL; waits overlap even on one CPU"),
    "fetch_page": (True, "a thread waiting for the network releases the GIL; this is the I/O "
                    "chapter's whole point"),
}


def check_gil_prediction(prediction: dict[str, Any]) -> CheckResult:
    """Exercise: for each task name, True if threads speed it up (GIL enabled), else False.

    ``prediction`` maps ``"spin"``, ``"is_prime"``, ``"hash_bytes"``,
    ``"sleep_task"`` and ``"fetch_page"`` to True or False.
    """
    ex = "gil_ex1"
    if not isinstance(prediction, dict):
        return verdict(ex, False, f"expected a dict, got {type(prediction).__name__}",
                       hint="map each task name to True (threads help) or False")
    missing = [name for name in _GIL_FACTS if name not in prediction]
    if missing:
        return verdict(ex, False, f"no prediction for: {', '.join(missing)}",
                       hint=f"give True or False for each of {', '.join(_GIL_FACTS)}")
    not_bool = [name for name in _GIL_FACTS if not isinstance(prediction[name], bool)]
    if not_bool:
        return verdict(ex, False, f"not True or False: {', '.join(not_bool)}",
                       hint="answer each with True (threads help) or False (they do not)")
    wrong = [name for name, (truth, _) in _GIL_FACTS.items() if prediction[name] != truth]
    if not wrong:
        return verdict(ex, True, "right: threads help when the work waits or runs in C code "
                                 "that releases the GIL, not when it is Python bytecode; the "
                                 "chapter now measures it")
    ask = ("ask of each task what its thread does most of the time: run Python bytecode, wait, "
           "or run C code that may let go of the interpreter's lock")
    if all(not prediction[n] for n in _GIL_FACTS):
        hint = "threads do help with some of these: " + ask
    elif all(prediction[n] for n in _GIL_FACTS):
        hint = "with the GIL, threads do not help every task: " + ask
    elif set(wrong) == {"hash_bytes"}:
        hint = "CPU-bound is not the same as GIL-bound: " + ask
    else:
        hint = ask
    detail = "; ".join(_GIL_FACTS[name][1] for name in wrong)
    return verdict(ex, False, f"not quite: {len(wrong)} of {len(_GIL_FACTS)} "
                              f"{'is' if len(wrong) == 1 else 'are'} wrong", hint=hint,
                   detail=detail)


# --- Predict, then measure: threads on pure-Python work ------------------------

_SPEEDUP = "gil_ex2"

#: How far (relative) a prediction may sit outside the measured range and pass.
PREDICTION_TOLERANCE = 0.15

#: The longest the prediction checker waits for its measurement.
MEASURE_TIMEOUT = 10.0


def _measure_threads(prediction: float, workers: int, seconds: float) -> "PredictionRun":
    """``workers`` spin tasks one after another against ``workers`` threads, interleaved."""
    from ..env import effective_cpus
    from ..scaling import PredictionRun
    from ..timing import speedups, sweep_workers
    from ..workloads import calibrate_spin, spin

    items = [calibrate_spin(seconds)] * workers
    base, rows = sweep_workers("thread_pool", spin, items, [workers], repeat=5, warmup=1)
    row = speedups(base, rows)[0]
    # With the GIL the threads' Python bytecode runs one thread at a time: serial.
    return PredictionRun(prediction, workers, 1.0, row.speedup, row.low, row.high,
                         effective_cpus())


def _judge_gil_prediction(prediction: float, run: "PredictionRun", *,
                          parallel_threads: bool = False) -> CheckResult:
    """The verdict on a predicted thread speedup for pure-Python work: pure, so tests feed it runs."""
    off = (prediction - run.measured) / run.measured
    how_far = (f"you predicted {prediction:.2f}×, measured {run.measured:.2f}× (rounds "
               f"{run.low:.2f}–{run.high:.2f}×): {abs(off):.0%} "
               f"{'too high' if off > 0 else 'too low'}" if abs(off) >= 0.005
               else f"you predicted {prediction:.2f}×, measured {run.measured:.2f}×: spot on")
    tol = PREDICTION_TOLERANCE
    expected = float(min(run.workers, run.cpus)) if parallel_threads else 1.0
    # Near the median, not anywhere in the range: on a busy machine the range of
    # the rounds can reach 2x, and 2x is not what threads on pure Python give.
    in_range = abs(prediction - run.measured) <= tol * run.measured
    on_expected = abs(prediction - expected) <= tol * expected
    if in_range or on_expected:
        why = ("" if parallel_threads else
               f" {run.workers} threads, one GIL: they take turns, so they do about the work of "
               "one, whatever the CPUs.")
        note = ("" if in_range else " Your number is what this build should give; the "
                "measurement fell outside it this time (a busy machine: run the cell again).")
        return verdict(_SPEEDUP, True, f"Well predicted: {how_far}.{why}{note}")
    if prediction < 1 and not parallel_threads:
        hint = ("threads can make it a little slower, but not by that much: the work itself is "
                "the same, only taken in turns (the section 'What the GIL is')")
        detail = "with the GIL expect about 1×, a little below on a machine with several CPUs"
    elif abs(prediction - min(run.workers, run.cpus)) <= tol * min(run.workers, run.cpus) \
            or abs(prediction - run.workers) <= tol * run.workers:
        hint = ("that is what workers that execute at the same instant would give; which lock "
                "decides whether two threads run Python code at once? (the section 'What the "
                "GIL is')")
        detail = ("spin is pure Python: only the thread holding the GIL runs it, so the threads "
                  "take turns and expect about 1×, however many threads and CPUs")
    else:
        hint = ("how many threads can run Python bytecode at the same instant? (the section "
                "'What the GIL is')")
        detail = ("one at a time, so the threads do the work of one: expect about 1×")
    return verdict(_SPEEDUP, False, f"Not quite: {how_far}.", hint=hint, detail=detail)


def check_gil_speedup_prediction(prediction: Any, *, workers: int = 4, seconds: float = 0.03,
                                 draw: bool = True, _measure: Callable[[], Any] | None = None,
                                 ) -> CheckResult:
    """Exercise: predict the speedup of ``workers`` threads over one thread on ``spin`` tasks.

    The checker measures it (``workers`` tasks of about ``seconds`` each,
    sequential against a thread pool, interleaved rounds), draws the
    prediction beside the measurement, the ideal line and the one-at-a-time
    line, and says how far off the guess was.
    """
    if prediction is ... or prediction is None:
        return verdict(_SPEEDUP, False, "my_speedup is still empty: type your predicted speedup "
                                        "first (a guess is fine: the point is to commit to a "
                                        "number before you see the measurement)",
                       hint="replace the ... with a number, e.g. my_speedup = 1.5, and run the "
                            "cell again")
    if not is_number(prediction):
        return verdict(_SPEEDUP, False, f"my_speedup must be a number, got "
                                        f"{type(prediction).__name__} {prediction!r:.40}",
                       hint="type the number itself, without quotes: my_speedup = 1.5")
    if prediction <= 0:
        return verdict(_SPEEDUP, False, f"a speedup must be above 0, got {prediction:g}",
                       hint="speedup = time one after another / time on the threads: a "
                            "positive number, 1 meaning no gain")
    from ..free_threading import build_info

    value = float(prediction)
    measured, failed = measure_for_check(
        _SPEEDUP, _measure or (lambda: _measure_threads(value, workers, seconds)),
        timeout=MEASURE_TIMEOUT)
    if failed is not None:
        return failed
    run = replace(measured, prediction=float(prediction))
    parallel = build_info().threads_run_python_in_parallel
    if draw:
        from ..charts.affinity import plot_thread_prediction

        plot_thread_prediction(run, gil=not parallel)
    return _judge_gil_prediction(value, run, parallel_threads=parallel)


def _rec(index: int, worker: str, start: float, end: float) -> TaskRecord:
    return sample_record(index, worker, start, end)


# Four threads whose tasks overlap in time (the GIL lets only one run at any
# instant, but each *task* is in progress for all of its bar).  At most 3 are
# in progress together (from 2.0 to 4.0); thread 0 starts task 3 at the very
# instant task 0 ends, which a count that lets touching tasks overlap gets wrong.
_OVERLAP_SAMPLE = [
    _rec(0, "thread 0", 0.0, 3.0),
    _rec(1, "thread 1", 1.0, 4.0),
    _rec(2, "thread 2", 2.0, 5.0),
    _rec(3, "thread 0", 3.0, 4.5),
    _rec(4, "thread 3", 6.0, 7.0),
]


_OVERLAP_EXPECTED = 3


def check_max_overlap(fn: Callable[[list[TaskRecord]], int]) -> CheckResult:
    """Exercise: ``fn(records)``: the most tasks in progress at the same instant.

    A task is in progress from ``start`` (included) to ``end`` (excluded), so
    one that ends exactly when another starts does not overlap it.
    """
    ex = "gil_ex3"
    method = ("turn each record into two events, (start, +1) and (end, -1), sort them by time "
              "with ends first at equal times, and keep a running count: its maximum is the "
              "answer")
    got, err = call_learner(fn, list(_OVERLAP_SAMPLE))
    if err is not None:
        return verdict(ex, False, f"your function raised {type(err).__name__}: {err}",
                       hint="each record has .start and .end (seconds)", detail=method)
    if got is None:
        return verdict(ex, False, "your function returned None: is it written yet?",
                       hint="return how many tasks were in progress at the busiest instant")
    if not is_whole(got):
        return verdict(ex, False, f"expected an int, got {type(got).__name__}",
                       hint="return how many tasks were in progress at the busiest instant")
    if got == _OVERLAP_EXPECTED:
        single, e2 = call_learner(fn, [_rec(0, "main thread", 0.0, 1.0)])
        empty, e3 = call_learner(fn, [])
        if e2 is not None or single != 1:
            return verdict(ex, False, f"right on the sample, but one task gave {single!r}",
                           hint="compute the answer from the records you are given",
                           detail="a single task is one task in progress")
        if e3 is not None or empty != 0:
            return verdict(ex, False, f"right on the sample, but no records gave {empty!r}"
                           + (f" ({type(e3).__name__})" if e3 else ""),
                           hint="an empty run has nothing in progress",
                           detail="no records: return 0 (max() of an empty list raises)")
        back = call_learner(fn, list(reversed(_OVERLAP_SAMPLE)))[0]
        if back != _OVERLAP_EXPECTED:
            return verdict(ex, False, f"the answer changed to {back!r} when the records "
                                      "came in another order",
                           hint="records need not come sorted", detail="sort the events by "
                                                                       "time before counting")
        return verdict(ex, True, "right: 3 tasks were in progress at once, though with the "
                                 "GIL only one of them was running at any instant")
    interval = ("a task is in progress from its start (included) to its end (excluded), as the "
                "exercise says")
    if got == 4:
        return verdict(ex, False, f"got 4: at most {_OVERLAP_EXPECTED} tasks were in progress "
                                  "together",
                       hint="4 is the number of threads in the sample, and also what you get "
                            "if tasks that only touch count as overlapping: " + interval,
                       detail="at the same time t, process the end (-1) before the start (+1)")
    if got == len(_OVERLAP_SAMPLE):
        return verdict(ex, False, "got 5, the number of tasks",
                       hint="count tasks in progress at the same instant, not all tasks",
                       detail=method)
    return verdict(ex, False, f"got {got!r}: not the most tasks in progress at once",
                   hint="look for the busiest instant of the sample: " + interval,
                   detail=method)
