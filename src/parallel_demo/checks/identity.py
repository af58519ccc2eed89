"""Checkers for threads_vs_processes: same thread or not, running a function in a thread, when a pool pays off.

Each checker runs the learner's answer on cases it knows the answer to and
returns a :class:`~parallel_demo.exercises.CheckResult`.  When the answer is
wrong, the hint names the misunderstanding that usually produces that
particular wrong answer.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from ._base import CheckResult, call_learner
from ..identity import Identity, catch_thread_exceptions

# ---------------------------------------------------------------------------
# Concurrency vs parallelism


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
        got, err = call_learner(fn, a, b)
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
        got, err = call_learner(fn, _add, 2, 3)
        if err is None and got != 5:
            return CheckResult(False, f"run_in_thread(add, 2, 3) returned {got!r}, expected 5",
                               "Thread.join() returns None and the target's return value is "
                               "dropped: store it (e.g. in a list or dict) inside the target, "
                               "and return it after join()")
        if err is not None:
            return CheckResult(False, f"run_in_thread(add, 2, 3) raised {type(err).__name__}: {err}",
                               "pass args to threading.Thread(target=..., args=args)")
        # Compare with the thread that calls fn (the checker runs learner code
        # in a thread of its own, so that nothing the learner writes can hang it).
        caller: dict[str, int] = {}

        def call_and_note_caller():
            caller["ident"] = threading.get_ident()
            return fn(_return_ident)

        ident, err = call_learner(call_and_note_caller)
        if err is None and ident == caller.get("ident"):
            return CheckResult(False, "the function ran in the calling thread",
                               "create a threading.Thread, start() it and join() it: calling "
                               "func directly runs it here")
        got, err = call_learner(fn, _fail, "boom")
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
        got, err = call_learner(fn, *case)
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
