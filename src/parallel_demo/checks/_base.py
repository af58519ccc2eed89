"""What every checker shares: the verdict it returns and the one bounded runner for learner code.

Learner code can be wrong in every way the chapter warns about, including
ways that block forever (a lock never released, a ``join()`` with no
timeout, a queue drained with a blocking ``get()``).  :func:`run_bounded`
runs it in a daemon thread and waits for it against a deadline, so a checker
answers within seconds whatever the learner wrote, and says so when it had to
leave a thread behind.
"""

from __future__ import annotations

import math

import html
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from .._hang import SLICE
from ..trace import TaskRecord

#: The longest a checker waits for learner code before it gives up on it.
CHECK_TIMEOUT = 10.0


@dataclass(frozen=True)
class CheckResult:
    """The verdict on an exercise: did it pass, and if not, what to think about.

    ``hint`` names the concept and where to look; ``detail`` is the specific
    fix, shown only from the second failed try on (or on request, with
    ``result.more()``), so that a first try is not handed the answer.
    """

    passed: bool
    message: str
    hint: str = ""
    detail: str = ""
    tries: int = field(default=1, compare=False)

    def __bool__(self) -> bool:
        return self.passed

    @property
    def shows_detail(self) -> bool:
        return bool(self.detail) and self.tries >= 2

    def more(self) -> str:
        """The specific hint, when the first one was not enough."""
        return self.detail or self.hint

    def __repr__(self) -> str:
        if self.passed:
            return f"✔ {self.message}"
        text = f"✘ {self.message}"
        if self.hint:
            text += f"\n  Hint: {self.hint}"
        if self.shows_detail:
            text += f"\n  More: {self.detail}"
        elif self.detail:
            text += "\n  (Try again; a second failed try shows a more specific hint.)"
        return text

    def _repr_html_(self) -> str:
        colour = "#009E73" if self.passed else "#D55E00"
        mark = "✔" if self.passed else "✘"
        body = f"{mark} {html.escape(self.message)}"
        if not self.passed and self.hint:
            body += f"<br><b>Hint:</b> {html.escape(self.hint)}"
        if not self.passed and self.shows_detail:
            body += f"<br><b>More:</b> {html.escape(self.detail)}"
        elif not self.passed and self.detail:
            body += "<br><i>Try again; a second failed try shows a more specific hint.</i>"
        return (f'<div style="border-left:4px solid {colour};padding:4px 8px;'
                f'white-space:pre-wrap">{body}</div>')


# How many times each checker has failed in this kernel: the second failure
# of the same exercise shows the specific hint.
_FAILURES: dict[str, int] = {}
_FAILURES_LOCK = threading.Lock()  # must be held while reading or changing _FAILURES


def is_real(x: Any) -> bool:
    """A real number typed as one: an int or a float, not a bool (nan and inf pass)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def is_number(x: Any) -> bool:
    """A finite real number typed as one: not a bool, not a string, not nan or inf."""
    return is_real(x) and math.isfinite(x)


def is_whole(x: Any) -> bool:
    """An int, not a bool: ``True`` is an int to Python but never a count."""
    return isinstance(x, int) and not isinstance(x, bool)


def verdict(exercise: str, passed: bool, message: str, hint: str = "", detail: str = "") -> CheckResult:
    """A :class:`CheckResult` that knows how many times ``exercise`` has failed so far."""
    if passed:
        return CheckResult(True, message)
    with _FAILURES_LOCK:
        _FAILURES[exercise] = _FAILURES.get(exercise, 0) + 1
        tries = _FAILURES[exercise]
    return CheckResult(False, message, hint, detail, tries)


def reset_tries(exercise: str | None = None) -> None:
    """Forget failed tries (all exercises, or one): for tests and for a teacher's demo."""
    with _FAILURES_LOCK:
        if exercise is None:
            _FAILURES.clear()
        else:
            _FAILURES.pop(exercise, None)


def sample_record(index: int, worker: str, start: float, end: float, *, pid: int = 1,
                  label: str = "") -> TaskRecord:
    """A made-up :class:`TaskRecord` for a checker's fixed cases (times in seconds)."""
    return TaskRecord(index=index, worker=worker, pid=pid, thread=index, start=start, end=end,
                      label=label)


@dataclass(frozen=True)
class Outcome:
    """What running learner code under a deadline gave."""

    value: Any = None
    error: BaseException | None = None
    finished: bool = True
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.finished and self.error is None


def run_bounded(fn: Callable[..., Any], *args: Any, timeout: float = CHECK_TIMEOUT,
                **kwargs: Any) -> Outcome:
    """Run ``fn(*args, **kwargs)`` in a daemon thread; wait at most ``timeout`` seconds.

    An exception is data (``Outcome.error``), not a crash of the checker.  If
    the call has not returned by the deadline, ``finished`` is False and the
    thread is left behind as a daemon: it cannot be killed, but it cannot
    keep the kernel from exiting either.  Use :func:`abandoned_message` to
    tell the learner.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        t0 = time.perf_counter()
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # the learner's bug is the checker's data
            box["error"] = exc
        box["seconds"] = time.perf_counter() - t0

    th = threading.Thread(target=target, name="learner-code", daemon=True)
    th.start()
    deadline = time.monotonic() + timeout
    while th.is_alive() and time.monotonic() < deadline:
        th.join(SLICE)
    if th.is_alive():
        return Outcome(finished=False, seconds=timeout)
    return Outcome(box.get("value"), box.get("error"), True, box.get("seconds", 0.0))


def abandoned_message(what: str, timeout: float = CHECK_TIMEOUT) -> str:
    """The sentence a checker adds when learner code did not return in time."""
    return (f"{what} had not returned after {timeout:g} s, so the checker stopped waiting. Its "
            "thread is still blocked in the background (a daemon thread: it cannot stop the "
            "kernel from exiting). If the kernel feels slow, use Kernel > Restart.")


def measure_for_check(exercise: str, fn: Callable[..., Any], *args: Any,
                      what: str = "The measurement", timeout: float = CHECK_TIMEOUT,
                      retry: str = "run the cell again",
                      on_error: str = "run the chapter's cells from the top first, then "
                                      "the checker again") -> tuple[Any, CheckResult | None]:
    """A predict-then-measure checker's own experiment, run under a deadline.

    Returns ``(value, None)``, or ``(None, verdict)`` with a failed verdict that
    says the measurement did not finish in time (a very busy machine: ``retry``)
    or raised (``on_error``); the learner's prediction is not judged on a failed
    run.  Every checker that measures goes through here, so they all say the
    same thing when the machine cannot give them a measurement.
    """
    out = run_bounded(fn, *args, timeout=timeout)
    if not out.finished:
        return None, verdict(exercise, False, abandoned_message(what, timeout),
                             f"the machine may be very busy: {retry} in a moment")
    if out.error is not None:
        return None, verdict(exercise, False, f"{what} failed: {type(out.error).__name__}: "
                             f"{out.error}"[:200], on_error)
    return out.value, None


class LearnerTimeout(TimeoutError):
    """Learner code that had not returned by the checker's deadline."""


def call_learner(fn: Callable[..., Any], *args: Any, timeout: float = CHECK_TIMEOUT,
                 **kwargs: Any) -> tuple[Any, BaseException | None]:
    """``(value, None)`` or ``(None, exception)``: learner code run under :func:`run_bounded`.

    Code that does not return in time gives a :class:`LearnerTimeout` whose
    message says so and how to recover.
    """
    out = run_bounded(fn, *args, timeout=timeout, **kwargs)
    if not out.finished:
        name = getattr(fn, "__name__", "your function")
        return None, LearnerTimeout(abandoned_message(f"{name}()", timeout))
    return out.value, out.error
