"""Checkers for "Free-threaded Python and subinterpreters": a speedup prediction, atomic operations.

Both answer within seconds: the prediction checker measures through
:func:`run_bounded` with a deadline; the atomicity checker only compares.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from ..free_threading import BuildInfo, Scaling, build_info, measure_prime_scaling
from ._base import CheckResult, abandoned_message, run_bounded, verdict

_PREDICT = "free_threading_predict"
_ATOMIC = "free_threading_atomic"

#: How far a prediction may sit outside the measured range and still pass (25 %).
TOLERANCE = 1.25

#: The longest the prediction checker waits for its measurement.
MEASURE_TIMEOUT = 10.0


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _measure_default(items: list[int] | None, strategy: str) -> tuple[float, float, float, int]:
    from ..env import effective_cpus
    from ..workloads import is_prime, large_primes

    cpus = effective_cpus()
    scaling: Scaling = measure_prime_scaling(is_prime, items or large_primes(2 * cpus), workers=[cpus],
                                       strategies=[strategy], repeat=3, warmup=1)
    point = scaling.points()[0]
    return point.speedup, point.low, point.high, cpus


def _expected_band(info: BuildInfo, strategy: str, cpus: int) -> tuple[float, float] | None:
    """What a thread pool on pure-Python work should give on this build, whatever the noise."""
    if strategy != "thread_pool":
        return None
    if info.threads_run_python_in_parallel:
        return (0.6 * cpus, 1.05 * cpus) if cpus > 1 else (0.8, 1.25)
    return (0.8, 1.25)


def check_thread_speedup_prediction(predicted: Any, *, strategy: str = "thread_pool",
                             items: list[int] | None = None, draw: bool = True,
                             info: BuildInfo | None = None,
                             _measure: Callable[[], tuple[float, float, float, int]] | None = None,
                             ) -> CheckResult:
    """Exercise: predict the speedup of ``strategy`` with one worker per CPU on ``is_prime``.

    The checker measures it (sequential against the pool, interleaved, three
    runs each), draws the prediction beside the measurement and says how far
    off it was.  A prediction passes when it lies within 25 % of the range of
    the typical runs, or when it is what a thread pool should give on this
    build (about 1 with the GIL, close to the CPU count without), since a
    busy machine can throw one measurement far off.
    """
    info = info or build_info()
    value = _number(predicted)
    if value is None:
        return verdict(_PREDICT, False, f"expected a number, got {predicted!r:.40}",
                       "type your prediction as a number first, e.g. 1.5: how many times "
                       "faster than sequential do you expect the pool to be?")
    if value <= 0:
        return verdict(_PREDICT, False, f"a speedup of {value:g} is impossible",
                       "a speedup is sequential time divided by pool time: it is above 0, "
                       "and 1 means no gain at all")
    outcome = run_bounded(_measure or (lambda: _measure_default(items, strategy)),
                          timeout=MEASURE_TIMEOUT)
    if not outcome.finished:
        return verdict(_PREDICT, False, abandoned_message("The measurement", MEASURE_TIMEOUT),
                       "the machine is very busy; run the cell again")
    if outcome.error is not None:
        return verdict(_PREDICT, False, f"the measurement failed: {outcome.error!r:.120}",
                       "run the chapter's cells from the top first")
    measured, low, high, cpus = outcome.value
    if draw:
        from ..charts.free_threading import plot_speedup_guess

        plot_speedup_guess(value, measured, low, high,
                        title=f"{strategy}, {cpus} workers, is_prime: your prediction")
    off = (value - measured) / measured
    said = (f"you predicted {value:.2f}x, measured {measured:.2f}x "
            f"(typical runs {low:.2f}x to {high:.2f}x): {abs(off):.0%} "
            f"{'too high' if off > 0 else 'too low'}")
    if low / TOLERANCE <= value <= high * TOLERANCE:
        return verdict(_PREDICT, True, said.replace("too high", "above").replace("too low",
                                                                                 "below"))
    band = _expected_band(info, strategy, cpus)
    if band and band[0] <= value <= band[1]:
        # Right for this build; a busy machine pushed the measurement away from it.
        return verdict(_PREDICT, True, said.replace("too high", "above").replace(
            "too low", "below") + "; your number is what this build should give, and the "
            "measurement was thrown off by a busy machine (run it again to see it move)")
    if value > cpus * TOLERANCE:
        return verdict(_PREDICT, False, said,
                       "no pool beats the ideal: with one worker per CPU the speedup is at "
                       f"most the number of CPUs ({cpus})",
                       "the ideal is min(workers, CPUs); the measured curve stays below it")
    if strategy == "thread_pool" and not info.threads_run_python_in_parallel and value > measured:
        return verdict(_PREDICT, False, said,
                       "which lock decides whether two threads run Python code at once? See "
                       "the section on what this kernel is (the GIL)",
                       "on a GIL build threads checking primes take turns: expect about 1x, "
                       "however many threads")
    if strategy == "thread_pool" and info.threads_run_python_in_parallel and value < measured:
        return verdict(_PREDICT, False, said,
                       "this kernel has no GIL: what stops threads from running at once now?",
                       "without the GIL each thread gets its own CPU: expect close to the "
                       "number of CPUs, less the free-threaded build's overheads")
    return verdict(_PREDICT, False, said,
                   "compare the prediction with the benchmark chart above: where did the "
                   f"{strategy} line sit at {cpus} workers?",
                   "read the measured speedup off the chart, then predict close to it")


#: The operations of the atomicity exercise: True if atomic on a free-threaded build
#: (CPython's "Thread safety guarantees" page), and the hint for a wrong answer.
ATOMIC_FACTS: dict[str, tuple[bool, str]] = {
    "lst.append(x)": (True, "appending one element happens in one step, under the list's lock"),
    "lst[i] += 1": (False, "a read, an add and a write: read-modify-write is several steps"),
    "d[k] = d[k] + 1": (False, "read-modify-write: the read and the write are separate steps"),
    "d.setdefault(k, 0)": (True, "insert-if-missing is one call that holds the dict's lock"),
    "if k in d: del d[k]": (False, "check-then-act: the key can go between the check and the del"),
    "d.pop(k, None)": (True, "remove-if-present in one call: the safe check-then-delete"),
}


def check_atomic_operations(answers: Any) -> CheckResult:
    """Exercise: for each operation of :data:`ATOMIC_FACTS`, True if atomic without the GIL."""
    names = list(ATOMIC_FACTS)
    if not isinstance(answers, dict):
        return verdict(_ATOMIC, False, f"expected a dict, got {type(answers).__name__}",
                       "map each operation (as written in the cell) to True or False")
    missing = [n for n in names if n not in answers]
    if missing:
        return verdict(_ATOMIC, False, f"no answer for: {', '.join(missing)}",
                       f"answer each of: {', '.join(names)}")
    not_bool = [n for n in names if not isinstance(answers[n], bool)]
    if not_bool:
        return verdict(_ATOMIC, False, f"not True or False: {', '.join(not_bool)}",
                       "answer each with True (atomic) or False (not atomic)")
    wrong = [n for n in names if answers[n] != ATOMIC_FACTS[n][0]]
    if not wrong:
        return verdict(_ATOMIC, True, "right: one call into a built-in is atomic; a line that "
                                      "reads, decides or computes, then writes, is not")
    if all(answers[n] for n in names):
        hint = ("the GIL used to hide the difference; without it, which of these are several "
                "steps that another thread can come between? See the thread-safety table")
    elif not any(answers[n] for n in names):
        hint = ("some are safe: a single call to a list or dict method runs under that "
                "object's own lock. See the thread-safety table")
    else:
        hint = ("an operation is atomic when it is one call that does its whole job; see the "
                "thread-safety table")
    detail = "; ".join(f"{n}: {ATOMIC_FACTS[n][1]}" for n in wrong)
    return verdict(_ATOMIC, False, f"not quite: {len(wrong)} of {len(names)} wrong", hint,
                   detail)
