"""Checkers for the exercises of "asyncio for I/O".

``check_batch_prediction`` is the predict-then-measure exercise: the learner
types how long a batch of requests through a few connections will take; the
checker runs it against its own :class:`~parallel_demo.server.LatencyServer`,
draws the prediction against the runs, and says how far off it was.
``check_unblocked`` runs the learner's coroutine next to a ticker task and
asks whether the blocking lookups overlapped, which does not depend on how
busy the machine is.
"""

from __future__ import annotations

import asyncio
import inspect
import math
import statistics
from typing import Any, Callable

from ..trace import now
from ._base import (CHECK_TIMEOUT, CheckResult, abandoned_message, is_number, measure_for_check,
                    run_bounded, verdict)


#: The batch of exercise aio_ex1: requests started at once, connections, server latency (s).
BATCH = {"requests": 40, "connections": 8, "latency": 0.05}

#: How close a prediction must be to the median run to pass (0.35 = 35 %).
TOLERANCE = 0.35


def _run_batch(requests: int, connections: int, latency: float, runs: int) -> list[float]:
    from ..aio_fetch import get_pages_asyncio
    from ..server import LatencyServer

    paths = [f"/page/{i}" for i in range(requests)]
    walls = []
    with LatencyServer(latency=latency) as srv:
        for _ in range(runs):
            t0 = now()
            result = get_pages_asyncio(srv.url, paths, connections=connections, timeout=8)
            walls.append(now() - t0)
            if result.results != [f"page {i}" for i in range(requests)]:
                raise RuntimeError("the batch returned wrong pages")
    return walls


def check_batch_prediction(predicted: Any, *, requests: int = BATCH["requests"],
                           connections: int = BATCH["connections"],
                           latency: float = BATCH["latency"], runs: int = 2,
                           draw: bool = True) -> CheckResult:
    """Exercise aio_ex1: ``predicted`` seconds for ``requests`` requests sharing ``connections``.

    The model answer is Little's law in rounds: ``ceil(requests /
    connections) * latency``; the run itself takes a little longer.
    """
    ex = "aio_ex1"
    if not is_number(predicted) or predicted <= 0:
        return verdict(ex, False, f"expected your prediction as a number of seconds, got "
                                  f"{predicted!r:.40}",
                       "type a number of seconds first (my_prediction = your number), then "
                       "run the cell: guess before you measure")
    walls, failed = measure_for_check(ex, _run_batch, requests, connections, latency, runs,
                                      what="The measured batch", on_error="run the cell again")
    if failed is not None:
        return failed
    measured = statistics.median(walls)
    model = math.ceil(requests / connections) * latency
    off = (predicted - measured) / measured
    if draw:
        from ..charts.aio import plot_batch_prediction

        plot_batch_prediction(predicted, walls, model=model,
                        title=f"{requests} requests, {connections} connections, "
                              f"{latency * 1e3:.0f} ms each")
    how_far = (f"you predicted {predicted:g} s; the batch took {measured:.3f} s (median of "
               f"{len(walls)} runs), {abs(off) * 100:.0f}% {'over' if off > 0 else 'under'}")
    if abs(off) <= TOLERANCE:
        return verdict(ex, True, f"{how_far}: close. Little's law in rounds gives "
                                 f"{model:g} s; the rest is the client's and server's own work")
    where = "see the section on the plateau and Little's law"
    if math.isclose(predicted, latency, rel_tol=0.3):
        return verdict(ex, False, how_far,
                       f"only `connections` requests can be in flight at once; {where}",
                       f"{requests} requests / {connections} connections = "
                       f"{math.ceil(requests / connections)} rounds of {latency:g} s each")
    if math.isclose(predicted, requests * latency, rel_tol=0.3):
        return verdict(ex, False, how_far,
                       f"asyncio overlaps the waits: up to `connections` requests at once; {where}",
                       "divide the requests into rounds of `connections` each")
    if predicted > 20 * measured:
        return verdict(ex, False, how_far, "the answer is in seconds, not milliseconds",
                       f"rounds x latency, with the latency in seconds ({latency:g} s)")
    if math.isclose(predicted, requests / connections, rel_tol=0.3):
        return verdict(ex, False, how_far, "each round takes one latency: multiply by it",
                       f"{math.ceil(requests / connections)} rounds x {latency:g} s")
    return verdict(ex, False, how_far, f"throughput = connections / latency (Little's law); {where}",
                   "time = ceil(requests / connections) x latency")


async def _scenario(fn: Callable[[Any], Any], keys: list[Any], period: float):
    from ..aio import LOOKUPS, arun

    LOOKUPS.reset()
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            await asyncio.sleep(period)
            ticks.append(now())

    t0 = now()
    tick_task = asyncio.create_task(ticker(), name="checker-ticker")
    try:
        result = await arun(fn, keys, timeout=4)
    finally:
        tick_task.cancel()
        await asyncio.wait([tick_task], timeout=1)
    marks = [t0, *ticks, now()]
    gap = max(b - a for a, b in zip(marks, marks[1:]))
    return result.results, LOOKUPS.peak, gap, LOOKUPS.calls


def check_unblocked(fn: Callable[[Any], Any], *, keys: int = 4) -> CheckResult:
    """Exercise aio_ex2: ``async def fn(key)`` returns ``slow_lookup(key)`` without blocking the loop."""
    from ..aio import run_coroutine

    import random

    ex = "aio_ex2"
    # Fresh keys on every check, so that a hard-coded answer cannot pass.
    names = [f"{random.choice('abcdefgh')}{random.randrange(10**6)}" for _ in range(keys)]
    expected = [f"value of {k!r}" for k in names]
    if not callable(fn):
        return verdict(ex, False, f"expected a function, got {type(fn).__name__}",
                       "pass the function itself, without calling it")
    outcome = run_bounded(run_coroutine, lambda: _scenario(fn, names, 0.01), timeout=CHECK_TIMEOUT)
    if not outcome.finished:
        return verdict(ex, False, abandoned_message("your coroutine"),
                       "something waited forever; every await must end")
    err = outcome.error
    if err is not None:
        if isinstance(err, TypeError) and "coroutine function" in str(err):
            return verdict(ex, False, "calling your function did not give a coroutine",
                           "define it with `async def`, so that the event loop can run it",
                           "async def lookup(key): ...")
        if isinstance(err, TimeoutError):
            return verdict(ex, False, "your coroutine had not finished after 4 s",
                           "it waits for something that never happens; await the lookup itself")
        return verdict(ex, False, f"your coroutine raised {type(err).__name__}: {err}",
                       "call slow_lookup(key) and return its value")
    results, peak, gap, calls = outcome.value
    pending = [r for r in results if inspect.isawaitable(r)]
    if pending:
        for r in pending:
            if inspect.iscoroutine(r):
                r.close()  # never awaited: close it quietly
        return verdict(ex, False, "your coroutine returned an awaitable instead of a value",
                       "a coroutine does nothing until it is awaited",
                       "return await asyncio.to_thread(slow_lookup, key)")
    if results != expected:
        return verdict(ex, False, f"expected {expected[:2]}..., got {results[:2]!r:.80}...",
                       "return what slow_lookup(key) returns, for the key you were given")
    if calls < keys:
        return verdict(ex, False, f"right values, but slow_lookup ran {calls} time(s) for "
                                  f"{keys} keys",
                       "the exercise is about calling a blocking function from a coroutine: "
                       "the value must come from slow_lookup(key) itself (the section on "
                       "blocking calls)",
                       "return await asyncio.to_thread(slow_lookup, key)")
    if peak < 2:
        return verdict(ex, False, f"right values, but the {keys} lookups ran one at a time, and "
                                  f"the loop's ticker waited up to {gap * 1e3:.0f} ms",
                       "a blocking call inside a coroutine stops the whole event loop; see "
                       "the section on blocking calls",
                       "hand it to a thread: await asyncio.to_thread(slow_lookup, key)")
    return verdict(ex, True, f"right: the {keys} lookups overlapped ({peak} at once) while the "
                             f"event loop kept running (its ticker's longest wait: "
                             f"{gap * 1e3:.0f} ms)")
