"""Checkers for the synchronization-primitives chapter: a bounded buffer, and a barrier prediction.

:func:`check_bounded_buffer` gives the same verdict every time for the same
code: besides a stress run, it *provokes* each classic mistake on purpose.
It parks a ``get()`` on an empty buffer (and a ``put()`` on a full one), then
wakes it with ``notify_all()`` although nothing changed (a spurious wake-up,
which Python's documentation allows): an ``if`` around ``wait`` returns, a
``while`` waits again.  It counts the lines of Python the parked call runs
(a busy-wait runs thousands, a real wait none), and checks that a ``put``
wakes the parked ``get`` (a missing ``notify`` leaves it asleep).
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from typing import Any, Callable

from ..gil import switch_interval
from ..primitives import barrier_phases, stress_buffer
from ..timing import measure
from ._base import CheckResult, abandoned_message, is_real, run_bounded, verdict


#: A parked call that runs more lines of Python than this in a quarter second is polling.
BUSY_LINES = 400

_WAIT_HINT = ("wake-ups can be spurious or stolen (see 'Why wait sits in a loop'): after wait() "
              "returns, the condition may be false again")
_NOTIFY_HINT = ("a thread asleep in wait() wakes only when another thread notifies the same "
                "condition (see 'A bounded buffer by hand')")


class _Parked:
    """A learner call in a daemon thread that counts the lines of Python it runs."""

    def __init__(self, fn: Callable[..., Any], *args: Any, name: str) -> None:
        self.fn, self.args = fn, args
        self.lines = 0
        self.value: Any = None
        self.error: BaseException | None = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _trace(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            self.lines += 1
        return self._trace

    def _run(self) -> None:
        sys.settrace(self._trace)
        try:
            self.value = self.fn(*self.args)
        except BaseException as exc:  # the learner's bug is the checker's data
            self.error = exc
        finally:
            sys.settrace(None)
            self.done.set()


def _conditions(buf: Any) -> list[threading.Condition]:
    return [v for v in vars(buf).values() if isinstance(v, threading.Condition)]


def _spurious_wakeup(buf: Any) -> None:
    """notify_all() every Condition of the buffer, without changing anything."""
    for cond in _conditions(buf):
        if cond.acquire(timeout=0.5):
            try:
                cond.notify_all()
            finally:
                cond.release()


def _free(buf: Any, parked: _Parked, *, fill: bool) -> bool:
    """Get a parked call out by hand: add (or remove) an item behind its back, and nudge."""
    items = getattr(buf, "items", None)
    for _ in range(40):
        if parked.done.is_set():
            return True
        try:
            if fill and items is not None:
                items.append("freed by the checker")
            elif items:
                items.popleft() if isinstance(items, deque) else items.pop(0)
        except (IndexError, AttributeError):
            pass
        _spurious_wakeup(buf)
        parked.done.wait(0.05)
    return parked.done.is_set()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _error_result(ex: str, where: str, exc: BaseException) -> CheckResult:
    text = str(exc)
    if isinstance(exc, RuntimeError) and "un-acquired" in text:
        return verdict(ex, False, f"{where} raised {_describe(exc)}",
                       "wait() and notify() need the condition's lock held (see 'A bounded "
                       "buffer by hand')",
                       "put the notify() inside the 'with self.cond:' block, after changing items")
    if isinstance(exc, IndexError):
        return verdict(ex, False, f"{where} raised {_describe(exc)}: it took from an empty buffer",
                       _WAIT_HINT, "wait in a loop: while not self.items: self.cond.wait()")
    return verdict(ex, False, f"{where} raised {_describe(exc)}",
                   "run it in a cell of its own and read the traceback")


def _probe(ex: str, make: Callable[[int], Any], side: str) -> CheckResult | None:
    """Park a get() on an empty buffer (side="get") or a put() on a full one (side="put")."""
    buf = make(1)
    if side == "put":
        first = run_bounded(buf.put, "first", timeout=2.0)
        if not first.ok:
            return verdict(ex, False, "put() into an empty buffer of capacity 1 did not return",
                           "a put into a buffer with room must not wait")
        parked = _Parked(buf.put, "second", name="parked put")
        what = "put() into a full buffer"
    else:
        parked = _Parked(buf.get, name="parked get")
        what = "get() from an empty buffer"
    try:
        time.sleep(0.05)
        start_lines = parked.lines
        time.sleep(0.25)
        busy = parked.lines - start_lines
        if parked.done.is_set():
            if parked.error is not None:
                return _error_result(ex, what, parked.error)
            size = len(getattr(buf, "items", ()))
            return verdict(ex, False, f"{what} returned at once (the buffer now holds {size})",
                           "a get from an empty buffer, or a put into a full one, must wait until "
                           "another thread changes the buffer",
                           "wait on the condition while the buffer is empty (in get) or full "
                           "(in put): while len(self.items) >= self.capacity: self.cond.wait()")
        _spurious_wakeup(buf)
        time.sleep(0.15)
        if parked.done.is_set():
            return verdict(ex, False, f"{what} returned after a wake-up that changed nothing",
                           _WAIT_HINT, "use 'while', not 'if', around wait(), or "
                           "cond.wait_for(predicate), which loops for you")
        if busy > BUSY_LINES:
            return verdict(ex, False, f"while it waited, {what} ran {busy} lines of Python in a "
                           "quarter of a second: it is polling, not waiting",
                           "a waiting thread should sleep until it is notified (see "
                           "'Condition'): a loop that checks again and again burns CPU and the GIL",
                           "use a threading.Condition: cond.wait() releases the lock and sleeps "
                           "until another thread calls cond.notify()")
        # Now change the buffer for real: the parked call must wake.
        other = run_bounded(buf.get if side == "put" else buf.put,
                            *(() if side == "put" else ("wake up",)), timeout=2.0)
        if not other.finished:
            return verdict(ex, False, f"with a {side}() parked, the other side blocked too",
                           "do not hold the lock while you wait: cond.wait() releases it")
        if other.error is not None:
            return _error_result(ex, "put()" if side == "get" else "get()", other.error)
        if not parked.done.wait(1.0):
            fixer = "put" if side == "get" else "get"
            return verdict(ex, False, f"a {fixer}() did not wake the parked {what.split()[0]}",
                           _NOTIFY_HINT, f"in {fixer}(), call self.cond.notify_all() (or notify "
                           "the right condition) after changing items, inside the lock")
        if parked.error is not None:
            return _error_result(ex, what, parked.error)
        if side == "get" and parked.value != "wake up":
            return verdict(ex, False, f"the parked get() returned {parked.value!r}, not the item "
                           "put", "get() must return the item it removes")
        return None
    finally:
        if not parked.done.is_set():
            _free(buf, parked, fill=(side == "get"))


def check_bounded_buffer(make_buffer: Callable[[int], Any]) -> CheckResult:
    """Exercise: a bounded buffer, ``make_buffer(capacity)`` with ``put(item)`` and ``get()``.

    The buffer keeps its items in ``self.items`` (a deque), which the
    checker's auditor reads to check the bound.
    """
    ex = "sync_ex1"
    if not callable(make_buffer):
        return verdict(ex, False, f"expected a class, got {type(make_buffer).__name__}",
                       "pass the class itself: check_bounded_buffer(MyBuffer)")
    built = run_bounded(make_buffer, 2, timeout=2.0)
    if not built.ok:
        return verdict(ex, False, "MyBuffer(2) failed: " + (
            _describe(built.error) if built.error else "it did not return"),
            "__init__(self, capacity) should only set up the fields")
    buf = built.value
    if not isinstance(getattr(buf, "items", None), (deque, list)):
        return verdict(ex, False, "the buffer has no self.items deque",
                       "keep the items in self.items = collections.deque(), as the starter does")

    def in_order() -> list:
        buf.put("a")
        buf.put("b")
        return [buf.get(), buf.get()]

    alone = run_bounded(in_order, timeout=2.0)
    if not alone.finished:
        return verdict(ex, False, "two puts and two gets in one thread did not finish "
                       "(capacity 2, so none of them needs to wait). "
                       + abandoned_message("Your buffer", 2.0),
                       "check what each wait waits for: put waits only while full, get only "
                       "while empty; and never wait while holding a plain Lock you need again")
    if alone.error is not None:
        return _error_result(ex, "put/get in one thread", alone.error)
    if alone.value == [None, None]:
        return verdict(ex, False, "get() returned None: are put() and get() written yet?",
                       "put() appends to self.items, get() removes the oldest item and returns it")
    if alone.value != ["a", "b"]:
        return verdict(ex, False, f"put('a'), put('b'), then get() twice gave {alone.value!r}",
                       "a buffer is first in, first out",
                       "append on the right, take from the left: self.items.popleft()")
    for side in ("get", "put"):
        problem = _probe(ex, make_buffer, side)
        if problem is not None:
            return problem
    stressed = make_buffer(2)
    with switch_interval(1e-5):
        report = stress_buffer(stressed.put, stressed.get, capacity=2,
                               size=lambda: len(stressed.items), producers=3, consumers=3,
                               items=150, timeout=8.0)
    if report.threads_left:
        return verdict(ex, False, f"under stress, {len(report.threads_left)} thread(s) never "
                       "finished. " + abandoned_message("Your buffer", 8.0),
                       _NOTIFY_HINT + "; with one condition for both sides, notify() may wake "
                       "the wrong side", "use notify_all(), or two conditions (not_full, "
                       "not_empty) on one lock")
    if report.errors:
        return verdict(ex, False, f"under stress: {report.errors[0]}",
                       "what is safe in one thread can break when threads interleave: hold the "
                       "condition's lock around every check and change of items")
    if report.most_seen > report.capacity:
        return verdict(ex, False, f"under stress the buffer held {report.most_seen} items, more "
                       f"than its capacity {report.capacity}", _WAIT_HINT,
                       "in put(): while len(self.items) >= self.capacity: self.cond.wait()")
    if report.lost or report.duplicated:
        return verdict(ex, False, f"under stress {report.lost} item(s) were lost and "
                       f"{report.duplicated} duplicated",
                       "the check and the change must be one critical section (see "
                       "'Check-then-act')", "do the wait, the append/popleft and the notify inside "
                       "one 'with self.cond:' block")
    return verdict(ex, True, f"right: FIFO, every one of {report.produced} items arrived exactly "
                   f"once from 3 producers to 3 consumers, never more than {report.capacity} "
                   "inside, and parked calls slept, survived a spurious wake-up and were woken "
                   "by the other side")


# --- predict, then measure: phases behind a barrier ------------------------------------------

#: Seconds of work for worker w in phase p; a barrier ends every phase.
PHASES = [[0.01, 0.08, 0.01], [0.06, 0.01, 0.01], [0.01, 0.01, 0.05], [0.03, 0.03, 0.03]]


def _expected(phases: list[list[float]]) -> float:
    return sum(max(row[p] for row in phases) for p in range(len(phases[0])))


def check_barrier_prediction(prediction_ms: Any, *, runs: int = 5, draw: bool = True) -> CheckResult:
    """Exercise: predict how long :data:`PHASES` takes with a barrier after each phase (ms).

    Runs :func:`~parallel_demo.primitives.barrier_phases` ``runs`` times,
    draws the prediction against the runs, and says how far off it was.
    """
    ex = "sync_ex2"
    if not is_real(prediction_ms):
        return verdict(ex, False, f"expected a number of milliseconds, got {prediction_ms!r}",
                       "type a number first, e.g. my_prediction_ms = 150")
    if not prediction_ms > 0:
        return verdict(ex, False, f"{prediction_ms} ms is not a duration",
                       "the workers sleep for tens of milliseconds: predict a positive number")
    measured = measure(barrier_phases, PHASES, repeat=runs, warmup=0, label="with a barrier")
    prediction = prediction_ms / 1000
    if draw:
        from ..charts.primitives import plot_phase_prediction

        plot_phase_prediction(prediction, measured, title="Four workers, three phases, a barrier after each")
    off = (prediction - measured.median) / measured.median
    text = (f"you predicted {prediction_ms:g} ms; the {runs} runs took "
            f"{measured.best * 1e3:.0f} to {measured.worst * 1e3:.0f} ms (median "
            f"{measured.median * 1e3:.0f} ms): {abs(off):.0%} {'over' if off > 0 else 'under'}")
    if abs(off) <= 0.2:
        return verdict(ex, True, text)
    per_worker = max(sum(row) for row in PHASES)
    everyone = sum(sum(row) for row in PHASES)
    if abs(prediction - per_worker) < 0.005:
        detail = ("that is the busiest worker's own total; but at each barrier everybody waits "
                  "for the slowest worker *of that phase*")
    elif abs(prediction - everyone) < 0.005:
        detail = "that is all the work one after another; the workers run at the same time"
    else:
        detail = "add up, phase by phase, the longest time any worker needs in that phase"
    return verdict(ex, False, text, "a phase ends for everyone when the last worker reaches the "
                   "barrier (see 'Barrier: phases')", detail)
