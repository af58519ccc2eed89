"""Checkers for "How fast can it get?": predict a speedup, then recover a hidden serial fraction.

Neither runs learner code: the learner types a number.  The prediction
checker measures (a short sweep with its own deadline per run), draws the
prediction against the measurement and Amdahl's line, and says how far off it
was; the serial-fraction checker compares an estimate with the hidden truth,
within the spread of the learner's own measurement.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from ..scaling import (S_TOLERANCE, PredictionRun, ScalingSweep, fit_amdahl,
                       measure_prediction)
from ._base import CheckResult, is_real, verdict


#: A prediction this close (relative) to the measurement's range, or to
#: Amdahl's law on this machine's CPUs, passes.
PREDICTION_TOLERANCE = 0.10


def _number(name: str, value: Any, exercise: str, what: str,
            example: str = "1.5") -> tuple[float | None, CheckResult | None]:
    if value is ... or value is None:
        return None, verdict(exercise, False, f"{name} is still empty: type {what} first.",
                             hint=f"Replace the ... with a number, e.g. {name} = {example}, and "
                                  "run the cell again.")
    if not is_real(value):
        return None, verdict(exercise, False, f"{name} must be a number, got "
                             f"{type(value).__name__} {value!r:.40}.",
                             hint=f"Type the number itself, without quotes: {name} = {example}")
    if not math.isfinite(value):
        return None, verdict(exercise, False, f"{name} must be a finite number, got {value}.",
                             hint="A speedup or a fraction is an ordinary finite number.")
    return float(value), None


def _near(x: float, y: float, rel: float = 0.06) -> bool:
    return abs(x - y) <= rel * max(abs(y), 1e-9)


def _judge_prediction(prediction: float, run: PredictionRun, *, exercise: str = "scaling_predict",
                      section: str = "the section on Amdahl's law") -> CheckResult:
    """The verdict on ``prediction`` given a measurement: pure, so tests can feed it runs."""
    ex = exercise
    off = run.off_by
    how_far = (f"you predicted {prediction:.2f}×, measured {run.measured:.2f}× (rounds "
               f"{run.low:.2f}–{run.high:.2f}×): {abs(off):.0%} "
               f"{'too high' if off > 0 else 'too low'}" if abs(off) >= 0.005
               else f"you predicted {prediction:.2f}×, measured {run.measured:.2f}×: spot on")
    theory = run.amdahl_on_cpus
    effective = min(run.workers, run.cpus)
    in_range = run.low / (1 + PREDICTION_TOLERANCE) <= prediction <= run.high * (1 + PREDICTION_TOLERANCE)
    on_theory = _near(prediction, theory, PREDICTION_TOLERANCE)
    # Never a parallel win this machine cannot give: above the workers that can run at once
    # (1 on one CPU), a prediction fails whatever one noisy measurement said.
    beyond_cpus = prediction > effective * (1 + PREDICTION_TOLERANCE)
    cpus = f"{run.cpus} CPU{'s' * (run.cpus != 1)}"
    if (in_range or on_theory) and not beyond_cpus:
        note = ""
        if not in_range:
            note = (f" Your number is Amdahl's law on {cpus}; the measurement fell outside it "
                    "this time (a busy machine: run the cell again and watch it move).")
        elif abs(off) > PREDICTION_TOLERANCE:
            note = (" That is within the range of the rounds, which was wide: the machine was "
                    "busy. Run the cell again to see how much the measurement moves.")
        if run.cpus < 2:
            note += (" On one CPU the workers take turns: no speedup is possible, and how far "
                     "the measurement sits from 1× is overhead and noise.")
        return verdict(ex, True, f"Well predicted: {how_far}.{note}")
    fix = (f"amdahl(min({run.workers}, effective_cpus()), {run.serial_fraction:g}) = "
           f"1 / ({run.serial_fraction:g} + {1 - run.serial_fraction:g} / {effective}) = {theory:.2f}")
    if prediction < 1:
        hint = ("A speedup below 1 means the workers made it slower. Speedup is T(1) / T(p): "
                f"the time on one worker divided by the time on p workers ({section}).")
    elif run.cpus < run.workers and _near(prediction, run.amdahl):
        hint = (f"That is Amdahl's law for {run.workers} workers, each with a CPU of its own. "
                f"This kernel can use {cpus}: look at the physical limit on the first chart.")
    elif _near(prediction, float(run.workers)):
        hint = ("That is the ideal line: it assumes all of the work splits. Only the parallel "
                f"part gets faster; the serial part takes as long as ever ({section}).")
    elif run.serial_fraction > 0 and _near(prediction, 1 / run.serial_fraction):
        hint = ("1/s is Amdahl's limit, the speedup with infinitely many workers; this is a "
                "handful of workers.")
    elif run.cpus < 2 and beyond_cpus:
        hint = (f"This kernel can use {cpus}: can two workers compute at the same instant on "
                f"it? Count only the workers that can run at once (the physical limit, {section}).")
    else:
        hint = (f"Work it out with Amdahl's law for s = {run.serial_fraction:g} ({section}), and "
                "count only the workers that can run at the same time (the physical limit).")
    return verdict(ex, False, f"Not quite: {how_far}.", hint=hint, detail=fix)


def check_speedup_prediction(prediction: Any, *, serial_fraction: float = 0.2, workers: int = 4,
                             seconds: float = 0.2, draw: bool = True,
                             exercise: str = "scaling_predict",
                             section: str = "the section on Amdahl's law",
                             _measure: Callable[..., PredictionRun] | None = None) -> CheckResult:
    """Measure ``workers`` workers against one on a workload with ``serial_fraction``; judge ``prediction``.

    Draws the prediction, the measurement (with its range) and Amdahl's line
    unless ``draw`` is False.  ``exercise`` names the exercise whose failed
    tries are counted, and ``section`` the part of the chapter its hints send
    the learner to, so other chapters can ask the same kind of question.
    ``_measure`` replaces :func:`~parallel_demo.scaling.measure_prediction` (tests fake a
    machine with it).
    """
    # The example is never the answer: the book asks for 4 workers and s = 0.2 (processes) or
    # 3 workers and s = 0.1 (how fast), at most 2.5 either way.
    value, problem = _number("my_prediction", prediction, exercise,
                             "your predicted speedup (a guess is fine: the point is to commit "
                             "to a number before you see the measurement)", example="3.0")
    if problem is not None:
        return problem
    if value <= 0:
        return verdict(exercise, False, f"A speedup must be above 0, got {value:g}.",
                       hint="Speedup = time on one worker / time on p workers: a positive number.")
    run = (_measure or measure_prediction)(value, serial_fraction=serial_fraction,
                                           workers=workers, seconds=seconds)
    if draw:
        from ..charts.scaling import plot_speedup_prediction

        plot_speedup_prediction(run)
    return _judge_prediction(value, run, exercise=exercise, section=section)


def check_serial_fraction(estimate: Any, sweep: Any) -> CheckResult:
    """Is ``estimate`` the hidden serial fraction of ``sweep``'s workload, within the measurement's spread?

    It also passes when it matches what the measurement itself says (a busy
    machine can move the measurement away from the truth: then the fit is right
    and the machine is not), and says so.
    """
    ex = "scaling_mystery"
    # The example is never the answer: the hidden s is 0.1-0.45, and one CPU's fit is near 1.
    value, problem = _number("my_s", estimate, ex, "your estimate of the serial fraction",
                             example="0.7")
    if problem is not None:
        return problem
    if not isinstance(sweep, ScalingSweep):
        return verdict(ex, False, "The second argument must be the sweep you measured, from "
                       f"measure_scaling(mystery), got {type(sweep).__name__}.",
                       hint="Pass the sweep itself: check_serial_fraction(my_s, mystery_sweep)")
    truth = sweep.workload.serial_fraction
    fit = fit_amdahl(sweep)
    tol = S_TOLERANCE + (fit.s_high - fit.s_low) / 2
    spread = f"your rounds fitted s = {fit.s_low:.2f} to {fit.s_high:.2f}"
    if abs(value - truth) <= tol and sweep.cpus >= 2:
        return verdict(ex, True, f"Right: the hidden serial fraction is {truth:g}, you found "
                       f"{value:.2f} ({spread}).")
    if abs(value - fit.s) <= tol:
        if sweep.cpus < 2:
            why = ("With one CPU the workers take turns, so the measurement says that "
                   "everything behaved as serial here, and that is what you read from it. On two "
                   "or more CPUs the same steps find the program's own fraction.")
        elif fit.agrees(truth):
            why = "That is what the measurement says."
        else:
            why = ("That is what your measurement says; it sits away from the truth because "
                   "the machine was busy while it ran. Run the sweep again to see it move.")
        return verdict(ex, True, f"Your estimate {value:.2f} matches your measurement (fit "
                       f"{fit.s:.2f}, {spread}); the hidden fraction was {truth:g}. {why}")
    message = f"Not quite: {value:g} is not what the measurement says ({spread})."
    rows = {r.workers: r for r in sweep.speedups()}
    best_within = rows[max(w for w in rows if w <= max(1, sweep.cpus))]
    detail = ("Take the points up to your CPUs, fit T(p) = a + b/p (fit_amdahl(mystery_sweep) "
              f"does it), and use s = a / (a + b): here {fit.s:.2f}.")
    if value > 1 and any(_near(value, r.speedup) for r in rows.values()):
        hint = ("That is a speedup, not a serial fraction. s is the share of one worker's time "
                "that does not split: a number between 0 and 1 (the section on the laws).")
    elif 1 < value <= 100:
        hint = ("A serial fraction is a share between 0 and 1, not a percentage"
                + (": divide by 100." if abs(value / 100 - truth) <= tol else "."))
    elif value < 0:
        hint = "A serial fraction cannot be negative: it is a share of the time, 0 to 1."
    elif abs(value - (1 - fit.s)) <= S_TOLERANCE / 2 and abs(fit.s - 0.5) > S_TOLERANCE:
        hint = ("That is the parallel fraction, 1 - s: the share that does split. The question "
                "asks for the share that does not.")
    elif abs(value - fit.a) <= 1e-3 + 0.02 * abs(fit.a):
        hint = ("That is a, the serial time in seconds. s is a share of the time on one worker, "
                "T(1) = a + b.")
    elif best_within.workers >= 2 and _near(value, best_within.efficiency or 0, 0.04):
        hint = ("That is the efficiency S(p)/p, the share of the workers' capacity put to use, "
                "not the serial fraction.")
    elif max(sweep.workers) > sweep.cpus >= 2 and abs(value - fit_amdahl(
            sweep, upto=max(sweep.workers)).s) <= S_TOLERANCE / 2:
        hint = ("You used the points past your CPUs. There the extra workers have no CPU and "
                "wait, and a fit reads that waiting as serial work (the Karp-Flatt section).")
    else:
        hint = ("Fit Amdahl's model to the times where it holds, up to your CPUs (the section "
                "on fitting), or solve Amdahl's law for s from one speedup at the CPU count.")
        detail = detail + (f" From one speedup: s = (p/S - 1)/(p - 1) with p = "
                           f"{best_within.workers}, S = {best_within.speedup:.2f}."
                           if best_within.workers >= 2 else "")
    return verdict(ex, False, message, hint=hint, detail=detail)
