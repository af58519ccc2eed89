"""Checkers for Part I's exercises: concurrency vs parallelism, threads vs processes.

Each checker runs the learner's answer on cases it knows the answer to and
returns a :class:`~parallel_demo.exercises.CheckResult`.  When the answer is
wrong, the hint names the misunderstanding that usually produces that
particular wrong answer.
"""

from __future__ import annotations

import math
import threading
from typing import Any, Callable

from .affinity import CpuTimed
from .exercises import CheckResult, _call_safely
from .identity import Identity, catch_thread_exceptions
from .trace import TaskRecord

__all__ = ["SCENARIOS", "KINDS", "check_classification", "check_cpus_executing",
           "check_same_thread", "check_run_in_thread", "check_pool_pays_off"]

# ---------------------------------------------------------------------------
# Concurrency vs parallelism

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


def check_classification(answers: dict[str, str]) -> CheckResult:
    """Exercise: classify each of :data:`SCENARIOS` as one of :data:`KINDS`."""
    if not isinstance(answers, dict):
        return CheckResult(False, f"expected a dict, got {type(answers).__name__}",
                           "answers must be a dict: map each scenario id ('a' to 'e') to one of " + ", ".join(map(repr, KINDS)))
    missing = sorted(set(SCENARIOS) - set(answers))
    if missing:
        return CheckResult(False, f"no answer for scenario(s) {', '.join(missing)}",
                           "give one answer per id in SCENARIOS")
    bad = {k: v for k, v in answers.items() if k in SCENARIOS and v not in KINDS}
    if bad:
        k, v = next(iter(bad.items()))
        return CheckResult(False, f"scenario {k}: {v!r} is not one of the answers",
                           "use exactly one of " + ", ".join(map(repr, KINDS)))
    wrong = [k for k in sorted(SCENARIOS) if answers[k] != _EXPECTED_KINDS[k]]
    if not wrong:
        return CheckResult(True, "all five right: parallel means executing at the same instant; "
                                 "concurrent means in progress at the same time")
    k = wrong[0]
    more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
    return CheckResult(False, f"scenario {k} is not {answers[k]!r}{more}",
                       _KIND_HINTS.get((k, answers[k]), "ask: are both in progress at once? "
                                       "are both executing at the same instant?"))


def _rec(index: int, worker: str, start: float, end: float) -> TaskRecord:
    return TaskRecord(index=index, worker=worker, pid=2000 + int(worker[-1]), thread=index,
                      start=start, end=end)


# Two processes on one CPU: 4 tasks, wall 0..5 s, 9 s in progress, 4.9 s executing
# (task 3 runs alone from 4 to 5 s; a little CPU time goes to the system).
_PINNED = [_rec(0, "process 0", 0.0, 2.0), _rec(1, "process 1", 0.0, 2.0),
           _rec(2, "process 0", 2.0, 4.0), _rec(3, "process 1", 2.0, 5.0)]
_PINNED_CPU = [CpuTimed(None, 1.0, 2.0), CpuTimed(None, 1.0, 2.0),
               CpuTimed(None, 1.0, 2.0), CpuTimed(None, 1.9, 3.0)]


def check_cpus_executing(fn: Callable[[list[TaskRecord], list[CpuTimed]], float]) -> CheckResult:
    """Exercise: ``fn(records, timed)`` returns the average number of CPUs executing.

    That is the CPU seconds of all tasks divided by the wall time of the run
    (last end minus first start).
    """
    expected = 4.9 / 5.0
    got, err = _call_safely(fn, list(_PINNED), list(_PINNED_CPU))
    if err is not None:
        return CheckResult(False, f"your function raised {type(err).__name__}: {err}",
                           "CPU seconds: sum(t.cpu for t in timed); wall: "
                           "max(r.end) - min(r.start) over the records")
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        return CheckResult(False, f"expected a number, got {type(got).__name__}",
                           "return CPU seconds / wall seconds as a float")
    if math.isclose(got, expected, rel_tol=1e-9):
        return CheckResult(True, "right: 9 s of tasks in progress but only 4.9 s executing, in 5 s: "
                                 "0.98 CPUs, so never two at once")
    wrong = {
        9.0 / 5.0: "that is busy time / wall time: tasks in progress (concurrency), executing or "
                   "not; use the CPU seconds in `timed` instead of the bar lengths",
        (0.5 * 3 + 1.9 / 3.0) / 4: "that is the average share of one task; add up the CPU seconds of all tasks and "
             "divide by the wall time of the whole run",
        4.9: "that is the CPU seconds alone; divide by the wall time, max(r.end) - min(r.start)",
        5.0 / 4.9: "upside down: divide CPU seconds by wall seconds",
        4.9 / 9.0: "you divided by the busy time (sum of bar lengths); divide by the wall time, "
                   "max(r.end) - min(r.start)",
        4.9 / 4.0: "the wall time is max(r.end) - min(r.start), not the number of tasks",
    }
    for value, hint in wrong.items():
        if math.isclose(got, value, rel_tol=1e-9):
            return CheckResult(False, f"got {got:.3f}, expected {expected:.3f}", hint)
    return CheckResult(False, f"got {got!r}, expected {expected:.3f}",
                       "add up the CPU seconds in `timed` (t.cpu), then divide by the run's wall "
                       "time, from the first start to the last end in the records")


# ---------------------------------------------------------------------------
# Threads vs processes

def _id(pid: int, ident: int, native: int, name: str, threads: int) -> Identity:
    return Identity(pid=pid, ident=ident, native_id=native, thread_name=name, threads=threads,
                    os_threads=threads)


# (a, b, same thread?, hint when the answer is wrong)
_THREAD_CASES = [
    (_id(101, 7000, 101, "MainThread", 1), _id(101, 7000, 101, "MainThread", 1), True,
     "the same record twice: same process, same thread"),
    (_id(101, 7000, 101, "MainThread", 3), _id(102, 7000, 102, "MainThread", 1), False,
     "a thread's ident is unique only inside its process: a forked child's main thread often "
     "has its parent's ident. Compare the pid too (or the native_id)"),
    (_id(101, 7100, 103, "worker", 3), _id(101, 7200, 104, "worker", 3), False,
     "the same pid means the same process, not the same thread; and names are not unique: "
     "Compare (pid, ident) or native_id"),
    (_id(101, 7100, 103, "worker", 3), _id(101, 7100, 103, "worker", 2), True,
     "compare identifiers, not whole records: the thread count changes as other threads come "
     "and go, while the thread stays the same"),
]


def _short(i: Identity) -> str:
    return (f"(pid {i.pid}, ident {i.ident}, native id {i.native_id}, {i.thread_name!r}, "
            f"{i.threads} thread{'s' if i.threads != 1 else ''})")


def check_same_thread(fn: Callable[[Identity, Identity], bool]) -> CheckResult:
    """Exercise: ``fn(a, b)`` tells whether two :class:`Identity` records are the same thread."""
    for a, b, expected, hint in _THREAD_CASES:
        got, err = _call_safely(fn, a, b)
        if err is not None:
            return CheckResult(False, f"your function raised {type(err).__name__}: {err}",
                               "an Identity has .pid, .ident, .native_id, .thread_name, .threads")
        if not isinstance(got, bool):
            return CheckResult(False, f"expected True or False, got {got!r}",
                               "return a bool, e.g. the result of a == comparison")
        if got != expected:
            return CheckResult(False, f"for a = {_short(a)} and b = {_short(b)} you said {got}, "
                                      f"but it is {expected}", hint)
    return CheckResult(True, "right: a thread is named by (pid, ident), or by its native id")


def _return_ident() -> int:
    return threading.get_ident()


def _add(a: int, b: int) -> int:
    return a + b


class _Oops(Exception):
    pass


def _fail(message: str) -> None:
    raise _Oops(message)


def check_run_in_thread(fn: Callable[..., Any]) -> CheckResult:
    """Exercise: ``fn(func, *args)`` runs ``func(*args)`` in a new thread and returns its result.

    If ``func`` raises, ``fn`` must raise the same exception in the caller,
    as ``Future.result()`` does; and no thread may be left running.
    """
    before = threading.active_count()
    with catch_thread_exceptions() as caught:
        got, err = _call_safely(fn, _add, 2, 3)
        if err is None and got != 5:
            return CheckResult(False, f"run_in_thread(add, 2, 3) returned {got!r}, expected 5",
                               "Thread.join() returns None and the target's return value is "
                               "dropped: store it (e.g. in a list or dict) inside the target, "
                               "and return it after join()")
        if err is not None:
            return CheckResult(False, f"run_in_thread(add, 2, 3) raised {type(err).__name__}: {err}",
                               "pass args to threading.Thread(target=..., args=args)")
        ident, err = _call_safely(fn, _return_ident)
        if err is None and ident == threading.get_ident():
            return CheckResult(False, "the function ran in the calling thread",
                               "create a threading.Thread, start() it and join() it: calling "
                               "func directly runs it here")
        got, err = _call_safely(fn, _fail, "boom")
    if threading.active_count() > before:
        return CheckResult(False, "a thread was still running after your function returned",
                           "join() the thread before returning")
    if err is None:
        if caught:
            return CheckResult(False, "the exception went to threading.excepthook and was lost",
                               "an exception ends its thread, goes to threading.excepthook and never "
                               "reaches join(): catch it "
                               "inside the target, keep it, and raise it after join()")
        return CheckResult(False, f"run_in_thread(fail, 'boom') returned {got!r} instead of raising",
                           "after join(), raise the exception the target caught")
    if not isinstance(err, _Oops):
        return CheckResult(False, f"raised {type(err).__name__} instead of the function's own "
                                  "exception",
                           "re-raise the caught exception object itself (raise exc), as "
                           "Future.result() does, so the caller can catch its type")
    return CheckResult(True, "right: the result, or the very exception, comes back to the caller, "
                             "just as Future.result() does it")


# (work seconds, start-up seconds, workers)
_POOL_CASES = [(1.0, 0.1, 2), (0.1, 0.1, 2), (1.0, 0.1, 1), (0.15, 0.1, 2), (0.3, 0.1, 2),
               (0.12, 0.1, 8), (0.05, 0.1, 8)]


def _pays_off(work: float, startup: float, workers: int) -> bool:
    return startup + work / workers < work


def check_pool_pays_off(fn: Callable[[float, float, int], bool]) -> CheckResult:
    """Exercise: ``fn(work, startup, workers)``: does a pool finish sooner than a plain loop?

    Model: the pool costs ``startup`` seconds to start, then splits ``work``
    seconds of CPU work evenly over ``workers`` CPUs.
    """
    models = {
        "forgot the start-up cost: with it, the pool takes startup + work / workers":
            lambda w, s, k: w / k < w,
        "forgot to share the work: the pool's time is startup + work / workers":
            lambda w, s, k: s + w < w,
        "comparing start-up with work is not enough: the pool's time is startup + work / "
        "workers, the loop's is work": lambda w, s, k: s < w,
    }
    answers = []
    for case in _POOL_CASES:
        got, err = _call_safely(fn, *case)
        if err is not None:
            return CheckResult(False, f"your function raised {type(err).__name__}: {err}",
                               "compare startup + work / workers with work")
        if not isinstance(got, bool):
            return CheckResult(False, f"expected True or False, got {got!r}",
                               "return the result of a comparison")
        answers.append(got)
    expected = [_pays_off(*c) for c in _POOL_CASES]
    if answers == expected:
        return CheckResult(True, "right: a pool pays off only when work * (1 - 1/workers) "
                                 "exceeds its start-up cost")
    k = next(i for i, (a, e) in enumerate(zip(answers, expected)) if a != e)
    work, startup, workers = _POOL_CASES[k]
    message = (f"work={work} s, startup={startup} s, workers={workers}: you said {answers[k]}, "
               f"but the pool takes {startup + work / workers:.3f} s against {work} s")
    for hint, model in models.items():
        if answers == [model(*c) for c in _POOL_CASES]:
            return CheckResult(False, message, hint)
    if workers == 1:
        return CheckResult(False, message, "one worker does the same work plus its start-up: "
                                           "it never pays off")
    return CheckResult(False, message, "the pool pays off when startup + work / workers < work")
