"""futures: watch futures change state: pending, running, then finished, failed or cancelled.

A :class:`concurrent.futures.Future` is a small state machine.  ``submit``
creates it *pending*; a worker takes it and it becomes *running*; when the
call returns or raises it is *finished* (with a result or an exception).  A
pending future can instead be *cancelled*; a running one cannot.

:class:`FutureTrace` records those transitions for futures submitted through
it, so a chapter can draw them from a real run instead of describing them::

    with ThreadPoolExecutor(2) as ex, FutureTrace(ex) as trace:
        futures = [trace.submit(sleep_task, s) for s in (0.2, 0.1, 0.3)]
    plot_future_states(trace)

How each moment is taken:

* *submitted*: just before ``executor.submit``, in the caller's thread;
* *started*: inside the task when it runs in this process (a thread pool), by
  a wrapper that stamps the clock before calling the function.  For other
  executors (a process pool) a sampler thread polls ``future.running()``
  every millisecond; there "running" means "handed to a worker process's
  queue", which can happen before the worker is free;
* *done*: in a done-callback, which runs as soon as the future is finished or
  cancelled (in the worker thread, or at once if it was already done).
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from ._hang import JOIN_TIMEOUT, join_threads
from ._validate import check_callable, check_int, check_seconds
from .trace import now

#: The states a chart shows, in the order a future can pass through them.
FUTURE_STATES = ("pending", "running", "finished", "raised", "cancelled")

def sleep_or_fail(seconds: float, fail: bool = False) -> float:
    """Wait ``seconds``, then return them, or raise ``ValueError`` if ``fail``.

    A task whose outcome you choose, for showing what a failed future looks
    like.  Module-level, so it can be sent to a process pool too.
    """
    check_seconds("seconds", seconds, allow_zero=True)
    time.sleep(seconds)
    if fail:
        raise ValueError(f"task asked to fail after {seconds} s")
    return seconds


def _check_future(future: object) -> None:
    if not isinstance(future, cf.Future):
        raise TypeError(f"future must be a concurrent.futures.Future (from submit), got "
                        f"{type(future).__name__} {future!r:.60}; pass what pool.submit(...) "
                        "returned")


def wait_until_running(future: cf.Future, timeout: float = 5.0) -> bool:
    """Block until a worker has taken ``future`` (or it is done); return ``future.running()``.

    ``submit`` returns before any worker has picked the task up, so
    "cancel the running one" needs this wait first.  Polls every millisecond.

    Raises:
        TimeoutError: no worker took it within ``timeout`` seconds (are all
            workers busy?).
    """
    _check_future(future)
    deadline = time.monotonic() + timeout
    while not (future.running() or future.done()):
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"the future was still pending after {timeout} s; are all workers busy "
                "with other tasks? Wait for one of them first"
            )
        time.sleep(0.001)
    return future.running()


@dataclass(frozen=True)
class FutureRecord:
    """What happened to one future, on :func:`parallel_demo.now`'s clock.

    Attributes:
        index: Order of submission (0 for the first ``submit``).
        label: The call, e.g. ``"sleep_task(0.2)"``.
        submitted: When ``submit`` was called.
        started: When it began running, or ``None`` if it never ran (cancelled).
        done: When it was finished or cancelled, or ``None`` if it was still
            not done when the trace ended.
        outcome: ``"finished"``, ``"raised"``, ``"cancelled"`` or
            ``"not done"``.
        worker: The thread that ran it (thread pools), else ``""``.
    """

    index: int
    label: str
    submitted: float
    started: float | None
    done: float | None
    outcome: str
    worker: str = ""

    def segments(self, until: float) -> list[tuple[str, float, float]]:
        """``(state, begin, end)`` spans from submission to ``until``, for charts."""
        out: list[tuple[str, float, float]] = []
        stop = self.done if self.done is not None else until
        if self.started is None:
            out.append(("pending", self.submitted, stop))
        else:
            out.append(("pending", self.submitted, self.started))
            out.append(("running", self.started, stop))
        if self.done is not None and self.outcome in FUTURE_STATES:
            out.append((self.outcome, self.done, max(until, self.done)))
        return [s for s in out if s[2] >= s[1]]


class _Stamped:
    """Call ``fn`` after noting, in this process, when it began and in which thread."""

    def __init__(self, trace: "FutureTrace", index: int, fn: Callable[..., Any]) -> None:
        self._trace, self._index, self._fn = trace, index, fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._trace._note_start(self._index, now(), threading.current_thread().name)
        return self._fn(*args, **kwargs)


class FutureTrace:
    """Submit through this to record every future's state changes.

    Args:
        executor: The executor to submit to.  The trace does not own it:
            shut the executor down yourself (``with`` does).
        poll: Seconds between samples of ``future.running()``, used for
            executors whose tasks run in another process.

    Use it as a context manager; leaving the block stops the sampler (if
    any) and fixes :attr:`end`, the time up to which charts draw.
    """

    def __init__(self, executor: cf.Executor, *, poll: float = 0.001) -> None:
        if not isinstance(executor, cf.Executor):
            raise TypeError(
                f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}; "
                "pass e.g. ThreadPoolExecutor(2)"
            )
        self.executor = executor
        # An InterpreterPoolExecutor (3.14) is a ThreadPoolExecutor too, but its tasks run in
        # other interpreters, where the stamping wrapper (it holds this trace) cannot go.
        self._in_process = (isinstance(executor, cf.ThreadPoolExecutor) and not isinstance(
            executor, getattr(cf, "InterpreterPoolExecutor", ())))
        self._poll = check_seconds("poll", poll, maximum=1.0)
        self._lock = threading.Lock()  # must be held while touching the dicts below
        self._futures: list[cf.Future] = []
        self._labels: list[str] = []
        self._submitted: list[float] = []
        self._started: dict[int, float] = {}
        self._workers: dict[int, str] = {}
        self._done: dict[int, float] = {}
        self._stop = threading.Event()
        self._sampler: threading.Thread | None = None
        self.start: float = now()
        self.end: float | None = None

    # -- recording --------------------------------------------------------
    def __enter__(self) -> "FutureTrace":
        self.start = now()
        if not self._in_process:
            self._sampler = threading.Thread(target=self._sample, name="future-sampler",
                                             daemon=True)
            self._sampler.start()
        return self

    def __exit__(self, *exc: object) -> None:
        # Futures still running finish after this; the chart stops here.
        self.close()

    def close(self) -> None:
        """Stop sampling and fix :attr:`end` (``__exit__`` calls this)."""
        if self.end is None:
            self.end = now()
        self._stop.set()
        if self._sampler is not None:
            join_threads([self._sampler], JOIN_TIMEOUT)
            self._sampler = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future:
        """``executor.submit(fn, *args, **kwargs)``, recorded; returns the real Future."""
        if self.end is not None:
            raise RuntimeError("this trace has ended; start a new FutureTrace to record more")
        check_callable("fn", fn)
        if isinstance(self.executor, cf.ProcessPoolExecutor):
            # A lambda would fail in the pool's feeder thread, not here: refuse it now.
            from .strategies import _check_sendable_for

            context = getattr(self.executor, "_mp_context", None)
            _check_sendable_for(fn, context.get_start_method() if context else None)
        with self._lock:
            index = len(self._futures)
            self._futures.append(None)  # type: ignore[arg-type]  # reserved slot
            self._labels.append(_label(fn, args, kwargs))
            self._submitted.append(now())
        call = _Stamped(self, index, fn) if self._in_process else fn
        # If this raises (e.g. the executor is shut down), nothing was submitted:
        # the reserved slot stays None and is left out of futures and records.
        future = self.executor.submit(call, *args, **kwargs)
        with self._lock:
            self._futures[index] = future
        future.add_done_callback(lambda f, i=index: self._note_done(i, now()))
        return future

    def _note_start(self, index: int, t: float, worker: str) -> None:
        with self._lock:
            self._started.setdefault(index, t)
            self._workers[index] = worker

    def _note_done(self, index: int, t: float) -> None:
        with self._lock:
            self._done.setdefault(index, t)

    def _sample(self) -> None:
        while not self._stop.wait(self._poll):
            with self._lock:
                pending = [(i, f) for i, f in enumerate(self._futures)
                           if f is not None and i not in self._started and i not in self._done]
            t = now()
            for i, f in pending:
                if f.running():
                    with self._lock:
                        self._started.setdefault(i, t)

    # -- reading ----------------------------------------------------------
    @property
    def futures(self) -> list[cf.Future]:
        """The futures submitted so far, in submission order."""
        with self._lock:
            return [f for f in self._futures if f is not None]

    @property
    def records(self) -> list[FutureRecord]:
        """One :class:`FutureRecord` per submitted future, in submission order."""
        with self._lock:
            items = list(enumerate(self._futures))
            started, done, workers = dict(self._started), dict(self._done), dict(self._workers)
        out = []
        for i, f in items:
            if f is None:  # its submit failed, or is still under way in another thread
                continue
            d = done.get(i)
            if d is None:
                outcome = "not done"
            elif f.cancelled():
                outcome = "cancelled"
            elif f.exception() is not None:
                outcome = "raised"
            else:
                outcome = "finished"
            s = started.get(i)
            if s is not None and d is not None and s > d:
                s = d  # sampled just after a quick task had already ended
            out.append(FutureRecord(i, self._labels[i], self._submitted[i],
                                    None if outcome == "cancelled" else s, d, outcome,
                                    workers.get(i, "")))
        return out

    def states(self) -> list[str]:
        """Each future's state right now: pending, running, finished, raised or cancelled."""
        return [future_state(f) for f in self.futures]


def future_state(future: cf.Future) -> str:
    """The state of ``future`` in the chart's words, from its public methods."""
    _check_future(future)
    if future.cancelled():
        return "cancelled"
    if future.done():
        return "raised" if future.exception() is not None else "finished"
    return "running" if future.running() else "pending"


def _label(fn: Callable[..., Any], args: tuple, kwargs: dict) -> str:
    name = getattr(fn, "__name__", type(fn).__name__)
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    text = f"{name}({', '.join(parts)})"
    return text if len(text) <= 40 else text[:37] + "..."




def stoppable_steps(steps: int, stop: threading.Event, step_seconds: float = 0.05) -> str:
    """A thread-pool task that works in ``steps`` short steps and checks ``stop`` between them.

    Nothing can stop a thread from outside; a task that should be stoppable
    asks a ``threading.Event`` between steps of its work, and returns early
    once the event is set.

    Returns:
        ``"finished"``, or ``"stopped"`` when ``stop`` was set before the last step ended.
    """
    steps = check_int("steps", steps, minimum=0)
    if not isinstance(stop, threading.Event):
        raise TypeError(f"stop must be a threading.Event, got {type(stop).__name__}")
    check_seconds("step_seconds", step_seconds, maximum=60)
    for _ in range(steps):
        if stop.wait(step_seconds):  # one step of "work", cut short if stop is set
            return "stopped"
    return "finished"


#: Seconds the worker of :func:`process_pool_cancel` waits before taking its first call.
_SETTLE = 1.0


@dataclass(frozen=True)
class CancelAttempt:
    """One future of :func:`process_pool_cancel`: its state, then what ``cancel()`` said."""

    index: int
    state_before: str
    cancelled: bool
    state_after: str


def process_pool_cancel(tasks: int = 4, seconds: float = 0.5, *,
                        start_method: str | None = None) -> list[CancelAttempt]:
    """Submit ``tasks`` sleeps to a one-worker process pool and try to cancel each one.

    A ``ProcessPoolExecutor`` moves up to ``max_workers + 1`` calls into its
    call queue at once and marks them *running* as it does, before any worker
    has taken them; those can no longer be cancelled.  With one worker, the
    first two futures report ``running()`` (only one really runs), the rest
    are pending and ``cancel()`` succeeds for them.  (The worker waits
    :data:`_SETTLE` seconds in its initializer before it takes a call, so the
    answer does not depend on how fast it starts.)

    Raises:
        TimeoutError: the pool did not take the second call within 60 s.
    """
    import multiprocessing

    from ._hang import check_start_method, quiet_fork_warning, stop_pool_workers
    from ._validate import check_int
    from .workloads import sleep_task

    check_int("tasks", tasks, minimum=2)
    check_seconds("seconds", seconds)
    ctx = multiprocessing.get_context(check_start_method(start_method))
    with quiet_fork_warning():
        # The worker sleeps in its initializer first: until it takes a call, nothing leaves the
        # call queue, so which futures are marked running does not depend on how fast it starts.
        pool = cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=time.sleep,
                                      initargs=(_SETTLE,))
        try:
            futures = [pool.submit(sleep_task, seconds) for _ in range(tasks)]
            wait_until_running(futures[1], timeout=60)
            before = [future_state(f) for f in futures]
            cancelled = [f.cancel() for f in futures]
            cf.wait(futures, timeout=60 + tasks * seconds)
            after = [future_state(f) for f in futures]
        except BaseException:
            stop_pool_workers(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return [CancelAttempt(i, b, c, a) for i, (b, c, a) in enumerate(zip(before, cancelled, after))]
