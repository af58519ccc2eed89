"""asyncio for I/O (chapter "asyncio for I/O"): the ``"asyncio"`` strategy and its demos.

``run("asyncio", fn, items)`` runs a *coroutine function* over the items on
one event loop, in one thread, and returns the same
:class:`~parallel_demo.trace.RunResult` as every other strategy::

    async def fetch(url): ...
    run("asyncio", fetch, urls, limit=20, timeout=10).results

Rules it keeps, beside the ones every strategy keeps (input order, one
record per item, the failing item named in a note, first failure in input
order wins):

* ``limit`` bounds how many items are in progress at once (a semaphore);
* ``timeout`` bounds the whole run: when it passes, every unfinished task is
  cancelled and awaited, and a ``TimeoutError`` names the items still pending;
* nothing is left running: on an error, a timeout or an interrupt, every
  task is cancelled *and awaited* before ``run`` returns or raises.

``run`` is synchronous.  In a script it starts a fresh event loop in the
calling thread.  In Jupyter a loop is already running in the kernel's
thread, and ``asyncio.run()`` refuses to start a second one there; so
``run`` starts a short-lived helper thread with its own loop and joins it
against a deadline.  In a notebook you may also ``await arun(fn, items)``,
which runs on the kernel's own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable, Sequence

from ._hang import SLICE, Deadline, join_threads
from ._validate import check_callable, check_choice, check_int, check_items, check_seconds
from .strategies import register_strategy
from .trace import RunResult, TaskRecord, now, relabel
from .workloads import spin_for


#: Seconds a cancelled task gets to finish its clean-up (``finally`` blocks,
#: ``except CancelledError``) before it is reported as ignoring cancellation.
CANCEL_GRACE = 2.0

#: The lane label of every record of the asyncio strategy.
LANE = "event loop"


# ---------------------------------------------------------------------------
# The core: run fn over the items on the *current* loop.

def _check_options(limit: Any, timeout: Any, session: Any) -> None:
    if limit is not None:
        check_int("limit", limit, minimum=1,
                  hint="limit is how many items may be in progress at once; None for no limit")
    check_seconds("timeout", timeout, allow_none=True)
    if session is not None:
        check_callable("session", session,
                       hint="pass a zero-argument callable that returns an async context "
                            "manager, e.g. an httpx.AsyncClient class or factory")


async def _one(fn: Callable[..., Any], index: int, item: Any, submitted: float, worker: str,
               sem: asyncio.Semaphore | None, session: Any, use_session: bool):
    if sem is not None:
        await sem.acquire()
    try:
        start = now()
        name = asyncio.current_task().get_name()
        try:
            awaitable = fn(session, item) if use_session else fn(item)
            if not inspect.isawaitable(awaitable):
                raise TypeError(
                    f"fn must be a coroutine function (async def), but calling it returned "
                    f"{type(awaitable).__name__} {awaitable!r:.40}; for a plain function use "
                    f"the thread_pool strategy, or wrap blocking calls in asyncio.to_thread")
            result = await awaitable
        except Exception as exc:  # CancelledError is a BaseException: it gets no note
            exc.add_note(f"parallel_demo.run: raised while processing item #{index}: {item!r:.80}")
            raise
        end = now()
    finally:
        if sem is not None:
            sem.release()
    return result, TaskRecord(index=index, worker=worker, pid=os.getpid(),
                              thread=threading.get_ident(), start=start, end=end,
                              submitted=submitted, label=f"{name}: {item!r:.40}")


def _describe(indices: Sequence[int], items: Sequence[Any], most: int = 5) -> str:
    shown = ", ".join(f"#{i} {items[i]!r:.30}" for i in indices[:most])
    more = f" and {len(indices) - most} more" if len(indices) > most else ""
    return shown + more


async def _cancel_and_wait(tasks: Sequence[asyncio.Task], grace: float = CANCEL_GRACE) -> None:
    """Cancel every unfinished task, then wait (at most ``grace`` s) until each has ended."""
    for t in tasks:
        if not t.done():
            t.cancel()
    unfinished = [t for t in tasks if not t.done()]
    if unfinished:
        # shield the wait: a second cancel of *this* coroutine must not skip the clean-up
        await asyncio.shield(asyncio.wait(unfinished, timeout=grace))
    for t in tasks:  # retrieve every exception: no "exception was never retrieved" later
        if t.done() and not t.cancelled():
            t.exception()
    stuck = [t.get_name() for t in tasks if not t.done()]
    if stuck:
        raise RuntimeError(f"{len(stuck)} task(s) ignored cancellation for {grace:g} s and are "
                           f"still running: {', '.join(stuck[:5])}; a coroutine must not "
                           "swallow asyncio.CancelledError (re-raise it after cleaning up)")


async def _run_items(fn: Callable[..., Any], items: list[Any], *, limit: int | None,
                     timeout: float | None, session: Callable[[], Any] | None
                     ) -> list[tuple[Any, TaskRecord]]:
    loop = asyncio.get_running_loop()
    worker = f"{os.getpid()}:{threading.get_ident()}"
    sem = asyncio.Semaphore(limit) if limit is not None else None
    deadline = None if timeout is None else loop.time() + timeout
    context = session() if session is not None else contextlib.nullcontext()
    if not hasattr(context, "__aenter__") and session is not None:
        raise TypeError(f"session() must return an async context manager (async with ...), "
                        f"got {type(context).__name__}")
    async with contextlib.AsyncExitStack() as stack:
        value = (await stack.enter_async_context(context) if session is not None else None)
        submitted = now()
        tasks = [loop.create_task(_one(fn, i, item, submitted, worker, sem, value,
                                       session is not None), name=f"item-{i}")
                 for i, item in enumerate(items)]
        index = {t: i for i, t in enumerate(tasks)}
        try:
            pending = set(tasks)
            failed: int | None = None  # lowest failing index so far
            while pending:
                left = None if deadline is None else deadline - loop.time()
                if left is not None and left <= 0:
                    late = sorted(index[t] for t in pending)
                    raise TimeoutError(
                        f"run('asyncio'): {len(late)} of {len(items)} item(s) still pending after "
                        f"timeout={timeout:g} s: {_describe(late, items)}; they were cancelled")
                done, pending = await asyncio.wait(pending, timeout=left,
                                                   return_when=asyncio.FIRST_EXCEPTION)
                for t in done:
                    if not t.cancelled() and t.exception() is not None:
                        failed = index[t] if failed is None else min(failed, index[t])
                if failed is not None:
                    # Later items cannot change the outcome: cancel them.  Earlier ones
                    # might still fail, and the first failure in input order wins.
                    for t in pending:
                        if index[t] > failed:
                            t.cancel()
                    pending = {t for t in pending if index[t] < failed}
            if failed is not None:
                raise tasks[failed].exception()
            return [t.result() for t in tasks]
        finally:
            await _cancel_and_wait(tasks)


async def arun(fn: Callable[..., Awaitable[Any]], items: Iterable[Any], *, limit: int | None = None,
               timeout: float | None = None, session: Callable[[], Any] | None = None
               ) -> RunResult:
    """``await arun(fn, items)``: the asyncio strategy on the loop that is already running.

    For Jupyter's top-level ``await`` (and for async code in general): the
    tasks run on the caller's loop, so they can share its objects.  Same
    arguments and result as ``run("asyncio", fn, items, ...)``.
    """
    check_callable("fn", fn)
    items = check_items("items", items)
    _check_options(limit, timeout, session)
    start = now()
    pairs = await _run_items(fn, items, limit=limit, timeout=timeout, session=session) if items else []
    wall = now() - start
    return RunResult(strategy="asyncio", workers=1, results=[r for r, _ in pairs],
                     records=relabel([rec for _, rec in pairs], LANE), wall=wall, start=start)


# ---------------------------------------------------------------------------
# Running a coroutine from synchronous code, with or without a running loop.

def loop_is_running() -> bool:
    """True if an event loop is running in this thread (as in a Jupyter cell)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _run_in_new_loop(make: Callable[[], Awaitable[Any]], *, debug: bool = False,
                     slow_callback: float = 0.1, on_start: Callable[[Callable[[], None]], None] | None = None,
                     grace: float = CANCEL_GRACE) -> Any:
    loop = asyncio.new_event_loop()
    loop.set_debug(debug)
    loop.slow_callback_duration = slow_callback
    try:
        main = loop.create_task(make(), name="parallel_demo-main")
        if on_start is not None:
            on_start(lambda: loop.call_soon_threadsafe(main.cancel))
        try:
            return loop.run_until_complete(main)
        except BaseException:  # KeyboardInterrupt included: cancel, let clean-ups run
            if not main.done():
                main.cancel()
                loop.run_until_complete(asyncio.wait([main], timeout=grace))
            raise
    finally:
        try:
            rest = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for t in rest:  # tasks that fn started and forgot
                t.cancel()
            if rest:
                loop.run_until_complete(asyncio.wait(rest, timeout=grace))
            loop.run_until_complete(loop.shutdown_asyncgens())
            # to_thread's executor: its threads end when their calls return
            loop.run_until_complete(asyncio.wait([loop.create_task(loop.shutdown_default_executor())],
                                                 timeout=grace))
        finally:
            loop.close()


def run_coroutine(make: Callable[[], Awaitable[Any]], *, timeout: float | None = None,
                  debug: bool = False, slow_callback: float = 0.1) -> Any:
    """Run ``make()`` (a coroutine) to completion from synchronous code, and return its result.

    Works in a script (a fresh loop in this thread) and in a Jupyter cell,
    where a loop is already running in this thread: there a helper thread runs
    a fresh loop and is joined against a deadline (``timeout`` plus the
    clean-up grace), so the kernel can never hang on it.

    Args:
        make: Zero-argument callable returning the coroutine, e.g.
            ``lambda: main(urls)`` (not the coroutine itself: it must be created
            inside the loop that runs it).
        timeout: Only a backstop for the helper thread's join; the coroutine
            should bound its own waits (``asyncio.timeout``).
        debug: Run the loop in asyncio's debug mode (slow callbacks are logged).
        slow_callback: Seconds after which debug mode reports a callback as slow.
    """
    if inspect.iscoroutine(make):
        make.close()  # it can never run now: close it, so no "never awaited" warning follows
        raise TypeError("make must be callable: pass a function that returns the coroutine, "
                        "e.g. run_coroutine(lambda: main()), not the coroutine main() itself")
    check_callable("make", make, hint="pass a function that returns the coroutine, e.g. "
                                      "lambda: main()")
    check_seconds("timeout", timeout, allow_none=True)
    check_seconds("slow_callback", slow_callback)
    kwargs = dict(debug=debug, slow_callback=slow_callback)
    if not loop_is_running():
        return _run_in_new_loop(make, **kwargs)
    box: dict[str, Any] = {}
    started = threading.Event()

    def note_cancel(cancel: Callable[[], None]) -> None:
        box["cancel"] = cancel
        started.set()

    def target() -> None:
        try:
            box["value"] = _run_in_new_loop(make, on_start=note_cancel, **kwargs)
        except BaseException as exc:  # handed to the caller's thread below
            box["error"] = exc
        finally:
            started.set()

    helper = threading.Thread(target=target, name="parallel_demo-asyncio-loop", daemon=True)
    helper.start()
    deadline = None if timeout is None else Deadline(timeout + 2 * CANCEL_GRACE)
    try:
        while helper.is_alive() and not (deadline is not None and deadline.passed):
            helper.join(SLICE)  # sliced: Jupyter's interrupt button is seen at once
    except KeyboardInterrupt:
        _stop_helper(helper, box, started)
        raise
    if helper.is_alive():
        _stop_helper(helper, box, started)
        raise TimeoutError(f"run_coroutine: the coroutine had not finished {timeout:g} s (plus "
                           f"clean-up) after it started; it was cancelled")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _stop_helper(helper: threading.Thread, box: dict[str, Any], started: threading.Event) -> None:
    started.wait(CANCEL_GRACE)
    cancel = box.get("cancel")
    if cancel is not None:
        try:
            cancel()
        except RuntimeError:  # the loop closed in the meantime
            pass
    if join_threads([helper], 2 * CANCEL_GRACE):
        raise RuntimeError("the asyncio helper thread did not stop after cancellation: a task "
                           "is blocking its event loop (a blocking call in a coroutine?)")


# ---------------------------------------------------------------------------
# The strategy.

@register_strategy("asyncio", lane=LANE, options=("limit", "timeout", "session"))
def _asyncio_strategy(fn, items, workers, limit=None, timeout=None, session=None):
    # `workers` does not apply: one event loop, one thread; `limit` bounds concurrency.
    _check_options(limit, timeout, session)
    return run_coroutine(lambda: _run_items(fn, items, limit=limit, timeout=timeout,
                                            session=session),
                         timeout=timeout)


# ---------------------------------------------------------------------------
# Small coroutine functions for the chapter and its tests.

async def sleep_async(seconds: float) -> float:
    """Wait ``seconds`` without blocking the loop, and return ``seconds``: I/O stand-in."""
    check_seconds("seconds", seconds, allow_zero=True)
    await asyncio.sleep(seconds)
    return seconds


async def fail_async(item: Any, *, after: float = 0.0) -> Any:
    """Raise ``ValueError`` naming ``item`` after ``after`` seconds (for error demos)."""
    check_seconds("after", after, allow_zero=True, maximum=60.0)
    await asyncio.sleep(after)
    raise ValueError(f"cannot process {item!r}")


class InFlight:
    """Counts calls in progress, and the most that were ever in progress at once (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # must be held to touch the counts
        self.now = self.peak = self.calls = 0

    def __enter__(self) -> "InFlight":
        with self._lock:
            self.now += 1
            self.calls += 1
            self.peak = max(self.peak, self.now)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.now -= 1

    def reset(self) -> None:
        with self._lock:
            self.now = self.peak = self.calls = 0


#: How many :func:`slow_lookup` calls are running, and the most at once.
LOOKUPS = InFlight()


def slow_lookup(key: Any, seconds: float = 0.2) -> str:
    """A *blocking* call (an old database driver, say): waits ``seconds``, returns ``"value of <key>"``."""
    check_seconds("seconds", seconds, maximum=5.0)
    with LOOKUPS:
        time.sleep(seconds)
    return f"value of {key!r}"


# ---------------------------------------------------------------------------
# What a cancelled task sees.

async def cancelled_task(work: float = 10.0, after: float = 0.05) -> list[str]:
    """Start a task that waits ``work`` s, cancel it after ``after`` s; return what happened, in order."""
    check_seconds("work", work)
    check_seconds("after", after, allow_zero=True, maximum=10.0)
    if work <= after:
        raise ValueError(f"work must be longer than after (got work={work!r}, after={after!r}): "
                         "the task must still be waiting when it is cancelled, e.g. "
                         "cancelled_task(work=10, after=0.05)")
    events: list[str] = []

    async def worker() -> None:
        try:
            events.append("worker: waiting")
            await asyncio.sleep(work)
            events.append("worker: finished (never printed)")
        except asyncio.CancelledError:
            events.append("worker: CancelledError raised inside, at the await")
            raise  # cleaned up: now let the cancellation go on
        finally:
            events.append("worker: finally block ran")

    task = asyncio.create_task(worker(), name="worker")
    await asyncio.sleep(after)
    events.append(f"main: task.cancel() returned {task.cancel()}")
    try:
        await task
    except asyncio.CancelledError:
        events.append(f"main: awaiting it raised CancelledError; task.cancelled() is {task.cancelled()}")
    return events


# ---------------------------------------------------------------------------
# Blocking the event loop.

@dataclass(frozen=True)
class StallReport:
    """Ticker tasks on one loop, and one task that blocks (or not) in the middle.

    Attributes:
        blocker: How the middle task waited: ``"sleep"`` (``time.sleep``, blocks
            the loop), ``"to_thread"`` (``await asyncio.to_thread(time.sleep, ...)``)
            or ``"cpu"`` (a pure-Python loop).
        period: Seconds each ticker asks to sleep between ticks.
        ticks: Per ticker, the times its ticks fired (seconds, on :func:`now`).
        block: ``(start, end)`` of the blocking call.
        t0: When the run began.
        warnings: What asyncio's debug mode logged about slow callbacks,
            as ``(task name, seconds)``.
    """

    blocker: str
    period: float
    ticks: tuple[tuple[float, ...], ...]
    block: tuple[float, float]
    t0: float
    warnings: tuple[tuple[str, float], ...] = field(default=())

    @property
    def longest_gaps(self) -> list[float]:
        """Per ticker, the longest time between two of its ticks (or from the start)."""
        out = []
        for ts in self.ticks:
            marks = (self.t0, *ts)
            out.append(max(b - a for a, b in zip(marks, marks[1:])))
        return out

    @property
    def span(self) -> float:
        return max([self.block[1], *[t for ts in self.ticks for t in ts]]) - self.t0


class _SlowCallbacks(logging.Handler):
    """Collects asyncio debug mode's "Executing <...> took N seconds" warnings."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.found: list[tuple[str, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Executing ") and isinstance(record.args, tuple):
            handle, seconds = record.args[0], record.args[-1]
            m = re.search(r"name='([^']+)'", str(handle))
            self.found.append((m.group(1) if m else str(handle)[:40], float(seconds)))


async def _stall(blocker: str, tickers: int, period: float, block: float, ticks: int):
    t0 = now()
    times: list[list[float]] = [[] for _ in range(tickers)]
    span: list[float] = []

    async def ticker(k: int) -> None:
        for _ in range(ticks):
            await asyncio.sleep(period)
            times[k].append(now())

    async def blocking() -> None:
        await asyncio.sleep(2 * period)  # let the tickers get going first
        span.append(now())
        if blocker == "sleep":
            time.sleep(block)  # the mistake: the whole loop stops here
        elif blocker == "cpu":
            spin_for(block)  # the same mistake, with CPU work
        else:
            await asyncio.to_thread(time.sleep, block)  # the fix: the loop keeps going
        span.append(now())

    async with asyncio.TaskGroup() as tg:
        for k in range(tickers):
            tg.create_task(ticker(k), name=f"ticker-{k}")
        tg.create_task(blocking(), name="blocker")
    return t0, tuple(tuple(ts) for ts in times), (span[0], span[1])


def stall_demo(blocker: str = "sleep", *, tickers: int = 3, period: float = 0.02,
               block: float = 0.2, ticks: int = 15, debug: bool = True) -> StallReport:
    """Run ticker tasks next to one that blocks; record every tick, and debug mode's warnings.

    Runs on a fresh loop (in a helper thread under Jupyter), in asyncio's
    debug mode with ``slow_callback_duration = block / 2``, and captures what
    the ``asyncio`` logger reports instead of letting it print.
    """
    check_choice("blocker", blocker, ("sleep", "to_thread", "cpu"))
    check_int("tickers", tickers, minimum=1, maximum=20)
    check_int("ticks", ticks, minimum=1, maximum=500)
    check_seconds("period", period, maximum=1.0)
    check_seconds("block", block, maximum=5.0)
    logger = logging.getLogger("asyncio")
    handler = _SlowCallbacks()
    old_propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False  # captured here, not printed on the notebook's stderr
    try:
        t0, times, span = run_coroutine(lambda: _stall(blocker, tickers, period, block, ticks),
                                        timeout=ticks * period + block + 5, debug=debug,
                                        slow_callback=block / 2)
    finally:
        logger.removeHandler(handler)
        logger.propagate = old_propagate
    return StallReport(blocker, period, times, span, t0, tuple(handler.found))


# ---------------------------------------------------------------------------
# A task created and forgotten.

async def _forgotten(keep_reference: bool) -> list[str]:
    loop = asyncio.get_running_loop()
    messages: list[str] = []
    old = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: messages.append(context["message"]))

    async def wait_for_reply() -> None:
        reply = loop.create_future()  # nobody else holds it: nothing will ever set it
        await reply

    try:
        keep: set[asyncio.Task] = set()
        task = asyncio.create_task(wait_for_reply(), name="forgotten")
        if keep_reference:
            keep.add(task)  # the fix: a strong reference (or a TaskGroup, which holds one)
            task.add_done_callback(keep.discard)
        del task
        await asyncio.sleep(0.01)  # it starts, and now waits on `reply`
        gc.collect()  # a collection happens sooner or later: make it now
        await asyncio.sleep(0)
        for t in list(keep):
            t.cancel()
        if keep:
            await asyncio.wait(keep, timeout=CANCEL_GRACE)
            messages.append("still referenced: cancelled and awaited at the end")
    finally:
        loop.set_exception_handler(old)
    return messages


def forgotten_task(keep_reference: bool = False) -> list[str]:
    """Create a task, drop every reference to it, collect garbage; return what asyncio reported.

    The event loop keeps only *weak* references to tasks.  A task waiting on
    something only it can reach is garbage, and is destroyed while pending:
    asyncio reports "Task was destroyed but it is pending!".
    """
    if not isinstance(keep_reference, bool):
        raise TypeError(f"keep_reference must be True or False, got "
                        f"{type(keep_reference).__name__} {keep_reference!r:.40}")
    return run_coroutine(lambda: _forgotten(keep_reference), timeout=10)
