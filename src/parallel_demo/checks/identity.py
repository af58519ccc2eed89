"""Checkers for threads_vs_processes: same thread or not, running a function in a thread, when a pool pays off.

Each checker runs the learner's answer on cases it knows the answer to and
returns a :class:`~parallel_demo.checks._base.CheckResult`.  When the answer is
wrong, the first hint names the idea and the section to reread; the fix for
that particular wrong answer is the ``detail``, shown from the second try on.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from .._hang import live_threads
from ._base import CheckResult, call_learner, verdict
from ..identity import Identity, catch_thread_exceptions

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


_WHO = "the section 'Who is running this code?'"


def check_same_thread(fn: Callable[[Identity, Identity], bool]) -> CheckResult:
    """Exercise: ``fn(a, b)`` tells whether two :class:`Identity` records are the same thread."""
    ex = "tvp_ex1"
    for a, b, expected, detail in _THREAD_CASES:
        got, err = call_learner(fn, a, b)
        if err is not None:
            return verdict(ex, False, f"your function raised {type(err).__name__}: {err}",
                           hint="an Identity has .pid, .ident, .native_id, .thread_name, .threads")
        if not isinstance(got, bool):
            return verdict(ex, False, f"expected True or False, got {got!r}",
                           hint="return a bool, e.g. the result of a == comparison")
        if got != expected:
            if expected:
                hint = ("the same thread can look different from one moment to the next: which "
                        "fields name a thread, and which only describe its process? (" + _WHO + ")")
            else:
                hint = ("which numbers are unique across the whole machine, and which only "
                        "inside one process? (" + _WHO + ")")
            return verdict(ex, False, f"for a = {_short(a)} and b = {_short(b)} you said {got}, "
                                      f"but it is {expected}", hint=hint, detail=detail)
    return verdict(ex, True, "right: a thread is named by (pid, ident), or by its native id")


def _return_ident() -> int:
    return threading.get_ident()


def _add(a: int, b: int) -> int:
    return a + b


def _slow_add(seconds: float, a: int, b: int) -> int:
    time.sleep(seconds)
    return a + b


class _Oops(Exception):
    pass


def _fail(message: str) -> None:
    raise _Oops(message)


#: How long after its thread finished a correct ``run_in_thread`` may take to
#: return (join() returns within microseconds; a sleep instead of join waits on).
LAG_LIMIT = 0.25


def check_run_in_thread(fn: Callable[..., Any]) -> CheckResult:
    """Exercise: ``fn(func, *args)`` runs ``func(*args)`` in a new thread and returns its result.

    If ``func`` raises, ``fn`` must raise the same exception in the caller,
    as ``Future.result()`` does; and no thread may be left running.  Two slow
    calls of different lengths catch a ``sleep`` in place of ``join()``: one
    returns before the thread is done, or waits on long after it.
    """
    ex = "tvp_ex2"
    results = ("a Thread throws away its target's return value (the section 'An exception in a "
               "thread' shows the same for exceptions)")
    before = {t.ident for t in threading.enumerate()}
    with catch_thread_exceptions() as caught:
        got, err = call_learner(fn, _add, 2, 3)
        if err is not None:
            return verdict(ex, False, f"run_in_thread(add, 2, 3) raised {type(err).__name__}: {err}",
                           hint="run_in_thread(func, *args) must call func(*args) in the new "
                                "thread", detail="pass args to threading.Thread(target=..., "
                                                 "args=args)")
        if got != 5:
            return verdict(ex, False, f"run_in_thread(add, 2, 3) returned {got!r}, expected 5",
                           hint=results + ": where can the target put it so that the caller "
                                          "finds it?",
                           detail="Thread.join() returns None: store the result (e.g. in a list "
                                  "or dict) inside a target function of your own, and return it "
                                  "after join()")
        # Compare with the thread that calls fn (the checker runs learner code
        # in a thread of its own, so that nothing the learner writes can hang it).
        caller: dict[str, int] = {}

        def call_and_note_caller():
            caller["ident"] = threading.get_ident()
            return fn(_return_ident)

        ident, err = call_learner(call_and_note_caller)
        if err is None and ident == caller.get("ident"):
            return verdict(ex, False, "the function ran in the calling thread",
                           hint="calling func directly runs it here, in the caller's thread",
                           detail="create a threading.Thread, start() it and join() it")
        for seconds in (0.05, 0.4):
            ended: dict[str, float] = {}

            def slow(a: int, b: int, seconds: float = seconds) -> int:
                value = _slow_add(seconds, a, b)
                ended["at"] = time.perf_counter()
                return value

            def timed_call(slow=slow) -> tuple[Any, float]:
                value = fn(slow, 20, 22)
                return value, time.perf_counter()

            timed_call.__name__ = getattr(fn, "__name__", "run_in_thread")  # for the abandoned message
            pair, err = call_learner(timed_call)
            got, returned = pair if err is None else (None, 0.0)
            if err is not None or got != 42:
                said = (f"raised {type(err).__name__}" if err is not None else f"returned {got!r}")
                return verdict(ex, False, f"for a function that takes {seconds:g} s, "
                                          f"run_in_thread {said} instead of 42",
                               hint="the caller must wait until the thread has finished, "
                                    "however long it takes",
                               detail="wait with t.join(), not with time.sleep(): join returns "
                                      "exactly when the thread ends")
            lag = returned - ended.get("at", returned)  # both read in the learner's threads
            if lag > LAG_LIMIT:
                return verdict(ex, False, f"for a function that takes {seconds:g} s, "
                                          f"run_in_thread returned {lag:.2f} s after the thread "
                                          "had finished",
                               hint="the caller waited longer than the thread needed",
                               detail="wait with t.join(), not with time.sleep(): join returns "
                                      "exactly when the thread ends")
        got, err = call_learner(fn, _fail, "boom")
    if [t for t in live_threads(before) if t.name != "learner-code"]:
        return verdict(ex, False, "a thread was still running after your function returned",
                       hint="run_in_thread returns only when its thread has ended",
                       detail="join() the thread before returning")
    if err is None:
        if caught:
            return verdict(ex, False, "the exception went to threading.excepthook and was lost",
                           hint="an exception ends its thread and never reaches join() (the "
                                "section 'An exception in a thread')",
                           detail="catch it inside the target, keep it, and raise it after "
                                  "join()")
        return verdict(ex, False, f"run_in_thread(fail, 'boom') returned {got!r} instead of "
                                  "raising",
                       hint="Future.result() raises the function's exception in the caller; "
                            "so must run_in_thread",
                       detail="after join(), raise the exception the target caught (raise exc)")
    if not isinstance(err, _Oops):
        return verdict(ex, False, f"raised {type(err).__name__} instead of the function's own "
                                  "exception",
                       hint="the caller should be able to catch the function's own exception "
                            "type",
                       detail="re-raise the caught exception object itself (raise exc), as "
                              "Future.result() does")
    return verdict(ex, True, "right: the result, or the very exception, comes back to the "
                             "caller, just as Future.result() does it")


# (work seconds, start-up seconds, workers)
_POOL_CASES = [(1.0, 0.1, 2), (0.1, 0.1, 2), (1.0, 0.1, 1), (0.15, 0.1, 2), (0.3, 0.1, 2),
               (0.12, 0.1, 8), (0.05, 0.1, 8), (0.2, 0.1, 2)]


def _pays_off(work: float, startup: float, workers: int) -> bool:
    return startup + work / workers < work


_COSTS = "the section 'What it costs to start one'"


def check_pool_pays_off(fn: Callable[[float, float, int], bool]) -> CheckResult:
    """Exercise: ``fn(work, startup, workers)``: does a pool finish sooner than a plain loop?

    Model: the pool costs ``startup`` seconds to start, then splits ``work``
    seconds of CPU work evenly over ``workers`` CPUs.  A pool that only ties
    the loop does not pay off.
    """
    ex = "tvp_ex3"
    formula = "the pool takes startup + work / workers; the loop takes work; compare them with <"
    models = [
        # Also the starter's `workers > 1`: the same answers on every case.
        (lambda w, s, k: w / k < w,
         "more workers help only if the time they save is more than what they cost: a pool has "
         "a price the loop does not pay (" + _COSTS + ")",
         "forgot the start-up cost: " + formula),
        (lambda w, s, k: s + w < w,
         "what does each worker do, with the work shared evenly?",
         "forgot to share the work: " + formula),
        (lambda w, s, k: s < w,
         "both sides matter: what the pool costs and how much of the work each worker does",
         "comparing start-up with work is not enough: " + formula),
        (lambda w, s, k: s + w / k <= w,
         "a pool that takes exactly as long as the loop does not finish sooner",
         "use <, not <=: " + formula),
    ]
    answers = []
    for case in _POOL_CASES:
        got, err = call_learner(fn, *case)
        if err is not None:
            return verdict(ex, False, f"your function raised {type(err).__name__}: {err}",
                           hint="work and startup are seconds, workers a whole number",
                           detail=formula)
        if not isinstance(got, bool):
            return verdict(ex, False, f"expected True or False, got {got!r}",
                           hint="return the result of a comparison")
        answers.append(got)
    expected = [_pays_off(*c) for c in _POOL_CASES]
    if answers == expected:
        return verdict(ex, True, "right: a pool pays off only when work * (1 - 1/workers) "
                                 "exceeds its start-up cost")
    k = next(i for i, (a, e) in enumerate(zip(answers, expected)) if a != e)
    work, startup, workers = _POOL_CASES[k]
    message = (f"work={work} s, startup={startup} s, workers={workers}: you said {answers[k]}, "
               f"but the pool {'does' if expected[k] else 'does not'} finish sooner than the "
               "loop")
    if len(set(answers)) == 1:
        return verdict(ex, False, message, hint="the answer depends on the numbers: sometimes "
                                                "the pool pays off, sometimes not",
                       detail=formula)
    for model, hint, detail in models:
        if answers == [model(*c) for c in _POOL_CASES]:
            return verdict(ex, False, message, hint=hint, detail=detail)
    if workers == 1:
        return verdict(ex, False, message, hint="one worker does the same work as the loop, "
                                                "plus its start-up", detail=formula)
    return verdict(ex, False, message, hint="write down how long the pool takes and how long "
                                            "the loop takes (" + _COSTS + ")", detail=formula)
