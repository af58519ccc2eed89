"""Checkers for concurrency_vs_parallelism: classifying scenarios, CPUs really executing, a predicted speedup.

The first hint of a failed try names the idea and the section to reread; the
specific fix is the ``detail``, shown from the second failed try on.
"""

from __future__ import annotations

from dataclasses import replace
import math
from typing import TYPE_CHECKING, Callable

from ..affinity import CpuTimed
from ..trace import TaskRecord
from ._base import (CheckResult, call_learner, is_number, is_real, measure_for_check, sample_record,
                    verdict)

if TYPE_CHECKING:
    from ..scaling import PredictionRun


#: The answers :func:`check_classification` accepts.
KINDS = ("neither", "concurrent only", "parallel")


#: Scenario id -> description.  "parallel" means executing at the same instant
#: (and so also concurrent); "concurrent only" means in progress at the same
#: time but taking turns.
SCENARIOS = {
    "a": "Two worker processes pinned to one CPU, each halfway through a spin() task.",
    "b": "Four threads, each waiting inside sleep_task(1) at the same moment.",
    "c": "Two worker processes, each running spin() on a CPU of its own.",
    "d": "A for loop that calls is_prime() on one number after another.",
    "e": "Two threads of one CPython process (with the GIL), both running spin().",
}


_EXPECTED_KINDS = {"a": "concurrent only", "b": "concurrent only", "c": "parallel",
                   "d": "neither", "e": "concurrent only"}


_KIND_HINTS = {
    ("a", "parallel"): "both lanes look busy, but one CPU executes one thing at a time: the two "
                       "processes take turns, so they are concurrent, not parallel",
    ("a", "neither"): "both tasks have started and neither has finished: they are in progress "
                      "at the same time, which is concurrency",
    ("b", "parallel"): "a sleeping thread executes nothing; four waits can overlap on a single CPU",
    ("b", "neither"): "all four waits are in progress at once, which is concurrency",
    ("c", "concurrent only"): "two CPUs executing at the same instant is parallelism (and "
                              "parallel tasks are concurrent too)",
    ("c", "neither"): "both tasks run at the same instant, each on its own CPU: parallel",
    ("d", "concurrent only"): "each call starts after the previous one ended: nothing overlaps",
    ("d", "parallel"): "one thread, one call at a time: nothing overlaps",
    ("e", "parallel"): "with the GIL only one thread runs Python code at a time: they take turns "
                       "like the pinned processes (Part II measures it)",
    ("e", "neither"): "both threads are in the middle of their loop at once: concurrent",
}


_QUESTIONS = ("ask two questions (the section 'Two words, two meanings'): are the tasks in "
              "progress at the same time? Are they executing at the same instant, each on a "
              "CPU of its own?")


def check_classification(answers: dict[str, str]) -> CheckResult:
    """Exercise: classify each of :data:`SCENARIOS` as one of :data:`KINDS`."""
    ex = "cvp_ex1"
    kinds = ", ".join(map(repr, KINDS))
    if not isinstance(answers, dict):
        return verdict(ex, False, f"expected a dict, got {type(answers).__name__}",
                       hint="answers must be a dict: map each scenario id ('a' to 'e') to one "
                            "of " + kinds)
    missing = sorted(set(SCENARIOS) - set(answers))
    if missing:
        return verdict(ex, False, f"no answer for scenario(s) {', '.join(missing)}",
                       hint="give one answer per id in SCENARIOS")
    bad = {k: v for k, v in answers.items() if k in SCENARIOS and v not in KINDS}
    if bad:
        k, v = next(iter(bad.items()))
        return verdict(ex, False, f"scenario {k}: {v!r} is not one of the answers",
                       hint="use exactly one of " + kinds)
    wrong = [k for k in sorted(SCENARIOS) if answers[k] != _EXPECTED_KINDS[k]]
    if not wrong:
        return verdict(ex, True, "all five right: parallel means executing at the same instant; "
                                 "concurrent means in progress at the same time")
    k = wrong[0]
    more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
    if len({answers[x] for x in SCENARIOS}) == 1:
        hint = ("the five scenarios do not all have the same answer: " + _QUESTIONS)
    else:
        hint = _QUESTIONS
    return verdict(ex, False, f"scenario {k} is not {answers[k]!r}{more}", hint=hint,
                   detail=f"scenario {k}: " + _KIND_HINTS.get((k, answers[k]), "ask: are both "
                          "in progress at once? are both executing at the same instant?"))


def _rec(index: int, worker: str, start: float, end: float) -> TaskRecord:
    return sample_record(index, worker, start, end, pid=2000 + int(worker[-1]))


# Two processes on one CPU: 4 tasks, wall 0..5 s, 9 s in progress, 4.9 s executing
# (task 3 runs alone from 4 to 5 s; a little CPU time goes to the system).
_PINNED = [_rec(0, "process 0", 0.0, 2.0), _rec(1, "process 1", 0.0, 2.0),
           _rec(2, "process 0", 2.0, 4.0), _rec(3, "process 1", 2.0, 5.0)]


_PINNED_CPU = [CpuTimed(None, 1.0, 2.0), CpuTimed(None, 1.0, 2.0),
               CpuTimed(None, 1.0, 2.0), CpuTimed(None, 1.9, 3.0)]

# Two processes on two CPUs, starting at 7 s: wall 7.0..9.5 s, 4.45 s executing,
# so 1.78 CPUs.  A second run, so that a number typed in for the first fails.
_FREE = [_rec(0, "process 0", 7.0, 8.0), _rec(1, "process 1", 7.0, 8.0),
         _rec(2, "process 0", 8.0, 9.0), _rec(3, "process 1", 8.0, 9.5)]
_FREE_CPU = [CpuTimed(None, 1.0, 1.0), CpuTimed(None, 0.95, 1.0),
             CpuTimed(None, 1.0, 1.0), CpuTimed(None, 1.5, 1.5)]


def _cpus_executing(records: list[TaskRecord], timed: list[CpuTimed]) -> float:
    wall = max(r.end for r in records) - min(r.start for r in records)
    return sum(t.cpu for t in timed) / wall


def check_cpus_executing(fn: Callable[[list[TaskRecord], list[CpuTimed]], float]) -> CheckResult:
    """Exercise: ``fn(records, timed)`` returns the average number of CPUs executing.

    That is the CPU seconds of all tasks divided by the wall time of the run
    (last end minus first start).
    """
    ex = "cvp_ex2"
    where = ("CPU time says how long a task was executing, a bar's length how long it was in "
             "progress (the section 'Two words, two meanings', and the table after the "
             "timelines)")
    formula = ("add up the CPU seconds in `timed` (sum(t.cpu for t in timed)), then divide by "
               "the run's wall time, max(r.end) - min(r.start) over the records")
    for records, timed in ((_PINNED, _PINNED_CPU), (_FREE, _FREE_CPU)):
        expected = _cpus_executing(records, timed)
        cpu = sum(t.cpu for t in timed)
        busy = sum(r.end - r.start for r in records)
        wall = max(r.end for r in records) - min(r.start for r in records)
        got, err = call_learner(fn, list(records), list(timed))
        if err is not None:
            return verdict(ex, False, f"your function raised {type(err).__name__}: {err}",
                           hint="records have .start and .end; each CpuTimed in `timed` has "
                                ".cpu and .wall (seconds)", detail=formula)
        if not is_real(got):
            return verdict(ex, False, f"expected a number, got {type(got).__name__}",
                           hint="return one number: how many CPUs were executing, on average")
        if math.isclose(got, expected, rel_tol=1e-9):
            continue
        msg = f"got {got:.3f}: not the average number of CPUs executing"
        if records is _FREE and math.isclose(got, _cpus_executing(_PINNED, _PINNED_CPU),
                                             rel_tol=1e-9):
            return verdict(ex, False, "right on the first run, but the same number came back "
                                      "for another run",
                           hint="compute it from the records and results you are given",
                           detail=formula)
        wrong = {
            busy / wall: ("that counts tasks in progress (concurrency), executing or not",
                          "use the CPU seconds in `timed` instead of the bar lengths"),
            sum(t.cpu / t.wall for t in timed) / len(timed): (
                "that is the average share of one task, not the whole run",
                "add up the CPU seconds of all tasks and divide by the wall time of the whole "
                "run"),
            cpu: ("that is a number of seconds; the answer is a number of CPUs",
                  "divide the CPU seconds by the wall time, max(r.end) - min(r.start)"),
            wall / cpu: ("more CPU time should give a bigger number", "upside down: divide CPU "
                                                                      "seconds by wall seconds"),
            cpu / busy: ("the run lasted from its first start to its last end",
                         "you divided by the busy time (sum of bar lengths); divide by the "
                         "wall time, max(r.end) - min(r.start)"),
            cpu / len(records): ("the run lasted from its first start to its last end",
                                 "the wall time is max(r.end) - min(r.start), not the number "
                                 "of tasks"),
        }
        for value, (hint, detail) in wrong.items():
            if math.isclose(got, value, rel_tol=1e-9):
                return verdict(ex, False, msg, hint=f"{hint}: {where}", detail=detail)
        return verdict(ex, False, msg, hint=where, detail=formula)
    return verdict(ex, True, "right: 9 s of tasks in progress but only 4.9 s executing, in 5 s: "
                             "0.98 CPUs, so never two at once")


# --- Predict, then measure ---------------------------------------------------

_PREDICT = "cvp_ex3"

#: A prediction this close (relative) to the measured range, or to the ideal on
#: this machine's CPUs, passes.
PREDICTION_TOLERANCE = 0.10

#: The longest the prediction checker waits for its measurement.
MEASURE_TIMEOUT = 10.0


def _judge_process_prediction(prediction: float, run: "PredictionRun") -> CheckResult:
    """The verdict on a predicted speedup of ``run.workers`` processes: pure, so tests feed it runs."""
    off = (prediction - run.measured) / run.measured
    how_far = (f"you predicted {prediction:.2f}×, measured {run.measured:.2f}× (rounds "
               f"{run.low:.2f}–{run.high:.2f}×): {abs(off):.0%} "
               f"{'too high' if off > 0 else 'too low'}" if abs(off) >= 0.005
               else f"you predicted {prediction:.2f}×, measured {run.measured:.2f}×: spot on")
    ideal = float(min(run.workers, run.cpus))
    cpus = f"{run.cpus} CPU{'s' * (run.cpus != 1)}"
    tol = PREDICTION_TOLERANCE
    # Near the median, not anywhere in the range: on a busy machine the rounds
    # spread widely, and a guess should not pass for landing inside a wide range.
    in_range = abs(prediction - run.measured) <= tol * run.measured
    on_ideal = abs(prediction - ideal) <= tol * ideal
    if in_range or on_ideal:
        if run.cpus < 2:
            why = (f" On {cpus} the {run.workers} processes take turns: concurrent, never "
                   "parallel, so no gain.")
        elif run.workers > run.cpus:
            why = (f" {run.workers} processes, but only {cpus} to execute them: at most "
                   f"{run.cpus} run at any instant.")
        else:
            why = ""
        note = ""
        if not in_range:
            note = (" Your number is the ideal for this machine; the measurement fell outside "
                    "it this time (a busy machine: run the cell again and watch it move).")
        return verdict(_PREDICT, True, f"Well predicted: {how_far}.{why}{note}")
    fix = (f"the work has no serial part and the pool is warm, so expect about min(workers, "
           f"CPUs) = min({run.workers}, {run.cpus}) = {ideal:g}×, a little less for sending "
           "tasks to the workers")
    if prediction < 1:
        hint = ("a speedup below 1 means the processes made it slower; speedup is the time on "
                "one process divided by the time on several")
    elif run.cpus < run.workers and abs(prediction - run.workers) <= tol * run.workers:
        hint = ("that is one CPU per process. A process executes only on a CPU of its own: "
                "how many does this kernel have? (the first cell of 'Two words, two meanings')")
    elif prediction > run.workers * (1 + tol):
        hint = f"{run.workers} processes cannot do more than {run.workers} times the work of one"
    elif run.cpus < 2:
        hint = ("with one CPU, can two processes execute at the same instant? (the pinned run in "
                "'The same tasks, three ways')")
    else:
        hint = ("count the processes that can execute at the same instant on this machine "
                "('Two words, two meanings'), and remember the work splits evenly")
    return verdict(_PREDICT, False, f"Not quite: {how_far}.", hint=hint, detail=fix)


def check_process_speedup_prediction(prediction, *, workers: int = 4, seconds: float = 0.2,
                                     draw: bool = True, _measure=None) -> CheckResult:
    """Exercise: predict the speedup of ``workers`` processes over one on pure-Python ``spin`` work.

    The checker measures it (a warm pool, one worker against ``workers``,
    interleaved rounds: :func:`~parallel_demo.scaling.measure_prediction` with
    no serial part), draws the prediction beside the measurement and the
    ideal line, and says how far off the guess was.
    """
    if prediction is ... or prediction is None:
        return verdict(_PREDICT, False, "my_prediction is still empty: type your predicted "
                                        "speedup first (a guess is fine: the point is to commit "
                                        "to a number before you see the measurement)",
                       hint="replace the ... with a number, e.g. my_prediction = 1.5, and run "
                            "the cell again")
    if not is_number(prediction):
        return verdict(_PREDICT, False, f"my_prediction must be a number, got "
                                        f"{type(prediction).__name__} {prediction!r:.40}",
                       hint="type the number itself, without quotes: my_prediction = 1.5")
    if prediction <= 0:
        return verdict(_PREDICT, False, f"a speedup must be above 0, got {prediction:g}",
                       hint="speedup = time on one process / time on several: a positive "
                            "number, 1 meaning no gain")
    from ..scaling import measure_prediction

    measure = _measure or (lambda: measure_prediction(float(prediction), serial_fraction=0.0,
                                                      workers=workers, seconds=seconds))
    measured, failed = measure_for_check(_PREDICT, measure, timeout=MEASURE_TIMEOUT)
    if failed is not None:
        return failed
    run = replace(measured, prediction=float(prediction))
    if draw:
        from ..charts.scaling import plot_speedup_prediction

        plot_speedup_prediction(run, title=f"{run.workers} processes on spin: your prediction "
                                           f"{run.prediction:.2f}×, measured {run.measured:.2f}×")
    return _judge_process_prediction(float(prediction), run)
