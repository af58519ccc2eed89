"""Checkers for "Free-threaded Python and subinterpreters": a speedup prediction, atomic operations.

Both answer within seconds: the prediction checker measures through
:func:`run_bounded` with a deadline; the atomicity checker only compares.
"""

from __future__ import annotations

from typing import Any, Callable

from ..free_threading import BuildInfo, Scaling, build_info, measure_prime_scaling
from ._base import CheckResult, is_number, measure_for_check, verdict

_PREDICT = "free_threading_predict"
_ATOMIC = "free_threading_atomic"

#: How far a prediction may sit outside the measured range and still pass (25 %).
TOLERANCE = 1.25

#: The longest the prediction checker waits for its measurement.
MEASURE_TIMEOUT = 10.0


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
    if cpus < 2:
        return (0.75, 1.1)        # one CPU: nothing runs at once, GIL or not
    if info.threads_run_python_in_parallel:
        return (0.6 * cpus, 1.05 * cpus)
    return (0.75, 1.2)


#: No pool beats the ideal (one worker per CPU): a prediction above this many times the CPU
#: count fails whatever one noisy measurement said.
IDEAL_SLACK = 1.1


def _measured_text(value: float, measured: float, low: float, high: float) -> tuple[str, str]:
    off = (value - measured) / measured
    said = (f"you predicted {value:.2f}x, measured {measured:.2f}x (typical runs {low:.2f}x to "
            f"{high:.2f}x): {abs(off):.0%} ")
    return said + ("too high" if off > 0 else "too low"), said + ("above" if off > 0 else "below")


def _judge_thread_prediction(value: float, measured: float, low: float, high: float, cpus: int,
                             info: BuildInfo, strategy: str = "thread_pool") -> CheckResult:
    """The verdict on a prediction, given a measurement: pure, so tests can feed it any machine.

    Never passes a parallel win that this machine cannot give: above the ideal (one CPU per
    worker), above about 1 with the GIL on or on one CPU, whatever the measurement said.
    """
    failed, passed = _measured_text(value, measured, low, high)
    band = _expected_band(info, strategy, cpus)
    one_cpu = cpus < 2
    if value > cpus * IDEAL_SLACK:
        if one_cpu:
            return verdict(_PREDICT, False, failed,
                           "this kernel can use one CPU: can two threads compute at the same "
                           "instant on it? See 'What is your kernel?' and the physical limit",
                           "on one CPU every pool takes turns: expect about 1x at best")
        return verdict(_PREDICT, False, failed,
                       "no pool beats the ideal: with one worker per CPU the speedup is at "
                       f"most the number of CPUs ({cpus})",
                       "the ideal is min(workers, CPUs); the measured curve stays below it")
    gil_on = strategy == "thread_pool" and not info.threads_run_python_in_parallel
    if gil_on and band and value > band[1]:
        if info.free_threaded_build:
            return verdict(_PREDICT, False, failed,
                           "this build is free-threaded, but is its GIL off right now? See "
                           "'How the GIL comes back'",
                           "build_info() says the GIL is on (PYTHON_GIL=1, -X gil=1 or an "
                           "extension without Py_mod_gil): threads take turns, expect about 1x")
        return verdict(_PREDICT, False, failed,
                       "which lock decides whether two threads run Python code at once? See "
                       "'What is your kernel?' (the GIL)",
                       "on a GIL build threads checking primes take turns: expect about 1x, "
                       "however many threads")
    in_range = low / TOLERANCE <= value <= high * TOLERANCE
    in_band = bool(band) and band[0] <= value <= band[1]
    if in_range or in_band:
        note = ""
        if not in_range:
            note = ("; your number is what this build should give, and the measurement was "
                    "thrown off by a busy machine (run it again to see it move)")
        if one_cpu:
            note += ("; on one CPU no pool runs two tasks at once, so how far the measurement "
                     "sits from 1x is overhead and noise, not parallelism")
        return verdict(_PREDICT, True, passed + note)
    if strategy == "thread_pool" and info.threads_run_python_in_parallel and value < measured:
        return verdict(_PREDICT, False, failed,
                       "this kernel has no GIL: what stops threads from running at once now? "
                       "See 'What is your kernel?'",
                       "without the GIL each thread gets its own CPU: expect close to the "
                       "number of CPUs, less the free-threaded build's overheads")
    return verdict(_PREDICT, False, failed,
                   f"what decides a {strategy}'s speedup here: the number of CPUs ({cpus}) and "
                   "whether threads can run Python at once. See 'What is your kernel?'",
                   "with the GIL on, threads give about 1x on pure Python; without it, close "
                   "to the number of CPUs")


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
    busy machine can throw one measurement far off; never when it is a
    parallel win this machine cannot give (see :func:`_judge_thread_prediction`).
    """
    info = info or build_info()
    value = float(predicted) if is_number(predicted) else None
    if value is None:
        return verdict(_PREDICT, False, f"expected a number, got {predicted!r:.40}",
                       "type your prediction as a plain number first (my_speedup = your "
                       "number): how many times faster than sequential do you expect the "
                       "pool to be?")
    if value <= 0:
        return verdict(_PREDICT, False, f"a speedup of {value:g} is impossible",
                       "a speedup is sequential time divided by pool time: it is above 0, "
                       "and 1 means no gain at all")
    measured_run, failed = measure_for_check(
        _PREDICT, _measure or (lambda: _measure_default(items, strategy)), timeout=MEASURE_TIMEOUT)
    if failed is not None:
        return failed
    measured, low, high, cpus = measured_run
    if draw:
        from ..charts.free_threading import plot_speedup_guess

        plot_speedup_guess(value, measured, low, high,
                           title=f"{strategy}, {cpus} workers, is_prime: your prediction")
    return _judge_thread_prediction(value, measured, low, high, cpus, info, strategy)


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
