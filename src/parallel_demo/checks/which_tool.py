"""Checkers for which_tool_when: predict a process pool's per-task cost; pick a tool per scenario."""

from __future__ import annotations

import math
from typing import Any

from ..timing import Measurement, format_seconds
from ..which_tool import ANSWERS
from ._base import CheckResult, is_real, measure_for_check, verdict


# ---------------------------------------------------------------------------
# Predict, then measure: what does one more task cost a process pool?

#: A prediction within this factor of the measured median passes.
FACTOR = 3.0


def _measure_process_per_task() -> Measurement:
    from ..which_tool import measure_costs

    return measure_costs(("process_pool",), repeat=3, warmup=0)["process_pool"][1]


def check_per_task_prediction(predicted_us: Any, *, measured: Measurement | None = None,
                              draw: bool = True) -> CheckResult:
    """Exercise: predict, in microseconds, what one more trivial task costs a process pool here.

    The checker measures it (``measure_costs``: 200 trivial tasks against 1,
    interleaved), draws the prediction against the runs, and says how far off
    it was.  ``measured`` replaces the measurement (for tests).
    """
    ex = "which_tool_predict"
    if not is_real(predicted_us):
        return verdict(ex, False, f"expected a number of microseconds, got "
                       f"{type(predicted_us).__name__} {predicted_us!r:.40}",
                       "type your prediction as a plain number of microseconds first "
                       "(predicted_us = your number), then run the checker: it measures after "
                       "you have committed to a guess")
    if not math.isfinite(predicted_us) or predicted_us <= 0:
        return verdict(ex, False, f"a cost must be a positive number of microseconds, got "
                       f"{predicted_us!r}", "every hand-over costs something: guess a positive "
                       "number of microseconds")
    if measured is None:
        measured, failed = measure_for_check(ex, _measure_process_per_task,
                                             retry="run the checker again",
                                             on_error="run the checker again")
        if failed is not None:
            return failed
    median = max(measured.median, 1e-7)
    guess = predicted_us * 1e-6
    ratio = guess / median
    if draw:
        from ..charts.which_tool import plot_prediction

        plot_prediction(guess, measured)
    off = (f"{ratio:.1f} times the measurement" if ratio >= 1
           else f"{1 / ratio:.1f} times less than the measurement")
    said = (f"you predicted {format_seconds(guess)}; the median of {len(measured.times)} runs "
            f"here was {format_seconds(median)} (runs from {format_seconds(max(measured.best, 0))} "
            f"to {format_seconds(measured.worst)}): your guess was {off}")
    if 1 / FACTOR <= ratio <= FACTOR:
        return verdict(ex, True, f"close: {said}")
    if ratio < 1:
        return verdict(ex, False, f"too low: {said}",
                       "a process pool cannot just call the function: each task and its result "
                       "are pickled and sent through a pipe to another process and back (the "
                       "pickling section of 'Processes done right')",
                       "a call costs well under a microsecond and a thread pool's hand-over a "
                       "few microseconds; a process hand-over adds two pickles, two unpickles "
                       "and two trips through a pipe: tens to hundreds of microseconds")
    return verdict(ex, False, f"too high: {said}",
                   "this is the cost of one more task once the pool is up, not of starting the "
                   "pool: workers are reused from task to task (reread 'Processes done right')",
                   "start-up (tens of milliseconds) is paid once per pool; a task only pays for "
                   "pickling and the pipe, tens to hundreds of microseconds")


# ---------------------------------------------------------------------------
# Classify: which tool for which scenario?

#: Scenario id -> description, for the classification exercise.
TOOL_SCENARIOS = {
    "a": "Download 40 pages from a web server; each request spends nearly all its time waiting "
         "for the reply. Python 3.11 with the GIL.",
    "b": "Test 32 numbers near 10**11 for primality (pure-Python trial division) on a laptop "
         "with 4 CPUs. Python 3.12 with the GIL.",
    "c": "Check once whether 10 small numbers are prime, in a script that runs in a blink.",
    "d": "A chat server that keeps 10,000 client connections open; each is idle most of the time.",
    "e": "Fit 2,000 models, each an hour of CPU time: more than one machine can do in a week.",
    "f": "A CPU-heavy pure-Python simulation on a free-threaded 3.14t build, whose threads all "
         "read one big shared dictionary.",
}

#: Acceptable answers per scenario (the first is the book's own choice).
_ACCEPT = {
    "a": ("threads", "asyncio"),
    "b": ("processes", "subinterpreters"),
    "c": ("sequential",),
    "d": ("asyncio",),
    "e": ("dask",),
    "f": ("free-threaded threads",),
}

#: Concept and chapter per scenario: the first hint.
_CONCEPT = {
    "a": "work that waits releases the GIL, so waits overlap without extra CPUs (reread "
         "'When threads help: I/O')",
    "b": "with the GIL only one thread runs Python bytecode at a time; CPU-bound Python needs "
         "one interpreter per CPU (reread 'When threads don't help' and 'Processes done right')",
    "c": "every pool costs a start-up before the first task runs; compare it with the whole job "
         "(reread 'What the prime example shows' and the start-up column above)",
    "d": "a thread per connection costs a stack and a scheduler slot each; thousands of idle "
         "waits want something lighter (reread 'asyncio for I/O')",
    "e": "a pool on one machine is capped by that machine's CPUs (reread 'Scaling out with Dask')",
    "f": "without the GIL, threads run Python on several CPUs at once and share memory (reread "
         "'Free threading and interpreters')",
}

#: What goes wrong with a specific wrong answer: shown as the detail.
_WRONG = {
    ("a", "processes"): "processes would work, but each costs a whole interpreter to start and "
                        "pickles every page back; the waiting needs no extra CPU: threads",
    ("a", "sequential"): "one request at a time adds up every wait; overlapping them is the "
                         "point: threads (or asyncio)",
    ("b", "threads"): "threads take turns on CPU-bound Python under the GIL: no speedup; use "
                      "processes",
    ("b", "asyncio"): "asyncio runs everything in one thread: CPU work gets no parallelism at "
                      "all; use processes",
    ("b", "free-threaded threads"): "the scenario says Python 3.12 with the GIL: threads take "
                                    "turns there; use processes",
    ("c", "processes"): "a process pool's start-up is far longer than this whole job: a plain "
                        "loop is done first; use sequential",
    ("c", "threads"): "even a thread pool costs more to start than ten trivial checks: sequential",
    ("c", "dask"): "a cluster takes seconds to start for microseconds of work: sequential",
    ("d", "threads"): "threads work for tens or hundreds of connections; for 10,000 the stacks and "
                      "switches add up: asyncio",
    ("d", "processes"): "a process per connection is the heaviest option of all: asyncio",
    ("e", "processes"): "a process pool cannot leave this machine, and the job needs more than "
                        "one: dask",
    ("f", "processes"): "processes would copy the shared dictionary into every worker; on a "
                        "free-threaded build threads can share it and still use every CPU",
    ("f", "threads"): "right idea, but say which threads: 'free-threaded threads' (on a GIL "
                      "build, plain threads would take turns)",
}


def check_tool_choices(answers: Any) -> CheckResult:
    """Exercise: map each id of :data:`TOOL_SCENARIOS` to one of :data:`~parallel_demo.which_tool.ANSWERS`."""
    ex = "which_tool_choose"
    if not isinstance(answers, dict):
        return verdict(ex, False, f"expected a dict, got {type(answers).__name__}",
                       "answers must be a dict mapping each scenario id ('a' to 'f') to one of "
                       + ", ".join(map(repr, ANSWERS)))
    missing = sorted(set(TOOL_SCENARIOS) - set(answers))
    if missing:
        return verdict(ex, False, f"no answer for scenario(s) {', '.join(missing)}",
                       "give one answer per id of TOOL_SCENARIOS")
    bad = {k: v for k, v in answers.items() if k in TOOL_SCENARIOS and v not in ANSWERS}
    if bad:
        k, v = next(iter(sorted(bad.items())))
        return verdict(ex, False, f"scenario {k}: {v!r} is not one of the answers",
                       "use exactly one of " + ", ".join(map(repr, ANSWERS)))
    wrong = [k for k in sorted(TOOL_SCENARIOS) if answers[k] not in _ACCEPT[k]]
    if not wrong:
        also = [k for k in sorted(TOOL_SCENARIOS) if answers[k] != _ACCEPT[k][0]]
        note = "" if not also else (" (for " + ", ".join(also) + " the book would pick "
                                    + ", ".join(repr(_ACCEPT[k][0]) for k in also) + ", but "
                                    "yours works too)")
        return verdict(ex, True, f"all {len(TOOL_SCENARIOS)} right{note}")
    k = wrong[0]
    more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
    detail = _WRONG.get((k, answers[k]),
                        f"for {k}, the book picks {_ACCEPT[k][0]!r}: " + _CONCEPT[k].split(" (")[0])
    return verdict(ex, False, f"scenario {k} is not {answers[k]!r}{more}", _CONCEPT[k], detail)
