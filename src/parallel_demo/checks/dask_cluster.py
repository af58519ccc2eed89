"""Checkers for scaling_out_with_dask: predict a task's round trip, and batch small tasks.

* :func:`check_round_trip_prediction` (predict, then measure): the learner
  types how long one Dask task takes when tasks go one at a time; the checker
  measures it on the running cluster, draws both, and says how far off it was.
* :func:`check_batched_primes`: ``fn(client, numbers, batch)`` must find the
  primes with one task per batch, results in input order.  The checker counts
  the tasks the cluster ran (Dask's task stream), so one task per number
  cannot pass.

Both run within a deadline (:func:`~._base.run_bounded`) and leave nothing
running: the cluster is the chapter's, the checker only submits to it.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable, Sequence

from .._validate import check_int
from ._base import (CheckResult, abandoned_message, is_number, measure_for_check, run_bounded,
                    verdict)

#: A prediction within this factor of the measured median passes.
ROUND_TRIP_FACTOR = 4.0

_PLACEHOLDERS = (None, Ellipsis)


def _client_or_error(client: Any) -> str | None:
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - dask is in requirements.txt
        return "dask.distributed is not installed"
    if not isinstance(client, Client) or client.status != "running":
        return ("the checker needs the chapter's connected client: pass client=client "
                "(run the cells that start the cluster first)")
    return None


def check_round_trip_prediction(predicted_ms: Any, client: Any, *, batch_per_task: float | None = None,
                                tasks: int = 10, measure: Callable[..., Any] | None = None,
                                draw: bool = True) -> CheckResult:
    """Exercise: predict one task's round trip (milliseconds), then measure it.

    Args:
        predicted_ms: The learner's prediction, in milliseconds per task.
        client: The chapter's connected ``distributed.Client``.
        batch_per_task: Seconds per task with many in flight (measured earlier
            in the chapter), drawn for reference.
        tasks: Round trips to time.
        measure: Replaces :func:`~parallel_demo.dask_cluster.measure_round_trips`
            (tests pass a fake one).
        draw: Draw the prediction against the measurement.
    """
    ex = "dask_round_trip"
    if predicted_ms in _PLACEHOLDERS:
        return verdict(ex, False, "no prediction yet: type a number of milliseconds first",
                       "predict before you measure: how long does one submit(...).result() take?")
    if not is_number(predicted_ms):
        return verdict(ex, False, f"expected a number of milliseconds, got "
                                  f"{type(predicted_ms).__name__} {predicted_ms!r:.40}",
                       "write the prediction as a plain number of milliseconds, without "
                       "quotes or units (my_prediction_ms = your number)")
    if predicted_ms <= 0:
        return verdict(ex, False, f"a time must be positive, got {predicted_ms!r}",
                       "a time is positive: write the prediction in milliseconds "
                       "(my_prediction_ms = your number)")
    problem = _client_or_error(client)
    if problem:
        return verdict(ex, False, problem, "pass the client you connected in this chapter")
    if measure is None:
        from ..dask_cluster import measure_round_trips as measure
    latency, failed = measure_for_check(
        ex, lambda: measure(client, tasks=tasks), what="Measuring the round trips", timeout=10.0,
        retry="check that the cluster is still running (re-run the cell that starts it), then "
              "run the checker again",
        on_error="is the cluster still running? Re-run the cell that starts it")
    if failed is not None:
        return failed
    measured_ms = latency.median * 1e3
    ratio = predicted_ms / measured_ms
    if draw:
        from ..charts.dask_cluster import plot_round_trips

        plot_round_trips(latency, prediction=predicted_ms / 1e3, batch_per_task=batch_per_task)
    how_far = (f"your prediction was {ratio:.1f}x the measured median" if ratio >= 1
               else f"the measured median was {1 / ratio:.1f}x your prediction")
    measured = f"measured {measured_ms:.2f} ms per task ({len(latency.times)} round trips, median)"
    if 1 / ROUND_TRIP_FACTOR <= ratio <= ROUND_TRIP_FACTOR:
        return verdict(ex, True, f"close: {measured}; {how_far}.")
    if predicted_ms < 0.05:
        hint = ("a Dask task is not a function call: the client sends it to the scheduler, the "
                "scheduler to a worker, and the result travels back, each time pickled and sent "
                "over TCP (the section 'What a task costs on a cluster').")
        detail = ("tens of microseconds is what a call in the same process costs; a round trip "
                  "through three processes costs milliseconds.")
    elif ratio < 1:
        hint = ("with many tasks in flight, the messages of one task overlap with the work and "
                "messages of others; alone, a task waits for every hop of its own round trip "
                "(the section 'What a task costs on a cluster').")
        detail = ("the per-task cost measured with many tasks in flight is a lower bound for one "
                  "task alone: expect several times more.")
    else:
        hint = ("the cluster is already running: a task no longer pays for starting processes "
                "or importing modules, only for its messages (the sections on what a task "
                "costs and on starting the cluster).")
        detail = ("start-up costs seconds once; a running cluster's round trip is closer to the "
                  "per-task cost measured in the chapter than to its start-up.")
    return verdict(ex, False, f"off by more than {ROUND_TRIP_FACTOR:g}x: {measured}; {how_far}.",
                   hint, detail)


# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _costly_numbers() -> tuple[int, ...]:
    """The first batch's numbers: three primes near 10**13, about 0.2 s of work in all.

    A batch's cost must dwarf the client's submission of the next batch, even on
    a loaded machine where each ``client.submit`` takes milliseconds; found once
    (about a quarter of a second) and kept.
    """
    from ..workloads import large_primes

    return tuple(large_primes(3, 10**13))


def _checker_numbers() -> list[int]:
    """Numbers whose first batch is costly, so that batches finish out of order.

    The cheap ones are drawn afresh on every call: the same tasks submitted
    twice would have the same Dask keys, and a result still held from the
    last try would be reused instead of run (and not show in the task stream).
    """
    import random

    from ..workloads import large_primes

    rng = random.Random()
    cheap = rng.sample(range(2, 100_000), 57)        # microseconds each
    last = large_primes(1, rng.randrange(100_000, 200_000))  # the short last batch has a prime
    return list(_costly_numbers()) + cheap + last


def order_was_tested(stream: Sequence[dict]) -> bool:
    """Did some task finish before the longest one, in this task stream?

    ``stream`` is ``get_task_stream(...).data``.  The longest task is the costly
    first batch; if every other task finished after it, the batches finished in
    input order and an answer collected in completion order looks right: the
    try tells nothing about order.
    """
    spans = []
    for task in stream:
        for ss in task.get("startstops", ()):
            if ss.get("action") == "compute":
                spans.append((ss["stop"] - ss["start"], ss["stop"]))
    if len(spans) < 2:
        return False
    _, longest_stop = max(spans)
    return any(stop < longest_stop for _, stop in spans)


def check_batched_primes(fn: Callable[[Any, Sequence[int], int], Any], client: Any, *,
                         batch: int = 8, timeout: float = 10.0, tries: int = 2,
                         max_tries: int = 6) -> CheckResult:
    """Exercise: ``fn(client, numbers, batch)`` -> the primes, in input order, one task per batch.

    The checker runs ``fn`` under a deadline, inside ``get_task_stream`` so it
    can count the tasks the cluster ran.  Its first batch holds costly numbers,
    so batches finish out of order and code that collects results in
    completion order gets them out of order.  A loaded machine can still run
    the batches one after another; the task stream shows when that happened
    (:func:`order_was_tested`), and such a try does not count as a test of
    the order.  ``fn`` must be right on ``tries`` fresh sets of numbers, at
    least one of which tested the order; the checker gives up looking for
    such a try after ``max_tries`` and says so in its verdict.
    """
    tries = check_int("tries", tries, minimum=1, maximum=20)
    max_tries = check_int("max_tries", max_tries, minimum=tries, maximum=50,
                          hint="max_tries counts every try, so it is at least tries")
    passed = tested = 0
    for _ in range(max_tries):
        streams: list = []
        result = _batched_try(fn, client, batch=batch, timeout=timeout, streams=streams)
        if not result.passed:
            return result
        passed += 1
        tested += order_was_tested(streams[-1])
        if passed >= tries and tested:
            return result
    return verdict("dask_batches", True,
                   f"{result.message}; but on each of {max_tries} tries the batches finished in "
                   "input order, so the order of your results could not be tested here")


def _batched_try(fn, client, *, batch: int, timeout: float, streams: list) -> CheckResult:
    """One run of :func:`check_batched_primes` on fresh numbers; its task stream goes to ``streams``."""
    ex = "dask_batches"
    from ..workloads import is_prime

    if not callable(fn):
        return verdict(ex, False, f"expected a function, got {type(fn).__name__}",
                       "pass the function itself, without calling it")
    problem = _client_or_error(client)
    if problem:
        return verdict(ex, False, problem, "pass the client you connected in this chapter")
    from distributed import Future, get_task_stream

    numbers = _checker_numbers()
    expected = [n for n in numbers if is_prime(n)]
    batches = math.ceil(len(numbers) / batch)
    with get_task_stream(client=client) as stream:
        outcome = run_bounded(fn, client, numbers, batch, timeout=timeout)
    streams.append(stream.data)
    if not outcome.finished:
        return verdict(ex, False, abandoned_message(f"{getattr(fn, '__name__', 'fn')}(client, "
                                                    "numbers, batch)", timeout),
                       "every wait needs a result that will come: gather the futures you "
                       "submitted", "client.gather(futures) waits for exactly those futures")
    if outcome.error is not None:
        err = outcome.error
        return verdict(ex, False, f"your function raised {type(err).__name__}: {err}",
                       "read the error first; the shape of the answer is one task per slice "
                       "of `batch` numbers, gathered (the section on Dask's futures)",
                       "submit primes_in(numbers[i:i + batch]) for i in range(0, len(numbers), "
                       "batch), then client.gather the futures")
    got = outcome.value
    ran = len([t for t in stream.data if any(ss["action"] == "compute"
                                              for ss in t.get("startstops", ()))])
    if isinstance(got, Future) or (isinstance(got, (list, tuple)) and got
                                   and all(isinstance(g, Future) for g in got)):
        return verdict(ex, False, "you returned futures, not the primes",
                       "a future is a placeholder: ask the cluster for the values",
                       "client.gather(futures) returns their results, in the order of the list")
    if not isinstance(got, (list, tuple)):
        return verdict(ex, False, f"expected a list of primes, got {type(got).__name__}",
                       "return a list of the primes found, in input order")
    got = list(got)
    if got and all(isinstance(g, list) for g in got):
        return verdict(ex, False, "you returned one list per batch",
                       "the caller wants one flat list of primes",
                       "join the batches' lists: [p for part in parts for p in part]")
    if ran == 0:
        return verdict(ex, False, "no task ran on the cluster: the work was done here",
                       "the point is to send the batches to the workers: client.submit or "
                       "client.map", "client.map(primes_in, [numbers[i:i + batch] for i in "
                                     "range(0, len(numbers), batch)])")
    if ran > batches:
        return verdict(ex, False, f"the cluster ran {ran} tasks for {len(numbers)} numbers; "
                                  f"batches of {batch} make {batches}",
                       "every task pays a round trip through the scheduler: send a batch of "
                       "numbers per task, not one number (the section 'When not to distribute')",
                       "submit primes_in(numbers[i:i + batch]) for i in range(0, len(numbers), "
                       "batch)")
    if sorted(got) == sorted(expected) and got != expected:
        return verdict(ex, False, "the right primes, in the wrong order",
                       "as_completed hands futures over as they finish, not as they were "
                       "submitted (the section on Dask's futures)",
                       "keep the futures in a list and gather them in that order")
    missing = [p for p in expected if p not in got]
    if missing:
        hint = ("the primes at the end are missing: the last slice is shorter than batch, "
                "does your loop reach it?"
                if set(missing) <= set(expected[-len(missing):]) else
                "every number must be in exactly one batch")
        return verdict(ex, False, f"{len(missing)} prime(s) missing, e.g. {missing[0]}", hint,
                       "slices numbers[i:i + batch] for i in range(0, len(numbers), batch)")
    if got != expected:
        return verdict(ex, False, f"expected {len(expected)} primes, got {len(got)} values",
                       "return only the primes, each once, in input order")
    if ran < batches:
        return verdict(ex, False, f"the right primes, but from {ran} task(s) where batches of "
                                  f"{batch} make {batches}",
                       "with fewer tasks than batches, workers sit idle while one task does it "
                       "all: use the batch size you are given",
                       "one task per slice numbers[i:i + batch]")
    return verdict(ex, True, f"right: {len(expected)} primes in input order, from {ran} tasks "
                             f"for {len(numbers)} numbers")
