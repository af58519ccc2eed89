"""The Dask checkers: every wrong answer the chapter warns about fails with a fitting hint.

One real cluster (a scheduler and two worker processes on 127.0.0.1) for the module,
started before the first test's leftover snapshot; see tests/test_dask_cluster.py.
"""

from __future__ import annotations

import time

import pytest

from parallel_demo.checks.dask_cluster import (ROUND_TRIP_FACTOR, check_batched_primes,
                                               check_round_trip_prediction, order_was_tested)
from parallel_demo.dask_cluster import (DaskCluster, dask_process_threads,
                                        measure_task_overhead)
from parallel_demo.timing import Measurement
from parallel_demo.workloads import is_prime, primes_in

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def client():
    from distributed import Client

    dask_process_threads()
    with DaskCluster(workers=2, timeout=90) as cluster, Client(cluster.address) as c:
        yield c


def fake(ms):
    return lambda client, tasks=10: Measurement("one task at a time", (ms / 1e3,) * tasks)


# ---------------------------------------------------------------------------
# Predict, then measure: one task's round trip.

@pytest.mark.parametrize("prediction, hint", [
    (None, "predict before you measure"),
    (..., "predict before you measure"),
    ("3 ms", "plain number"),
    (True, "plain number"),
    (float("nan"), "plain number"),
    (-2, "milliseconds"),
    (0, "milliseconds"),
    (0.002, "not a function call"),        # thinking of a function call: microseconds
    (0.5, "overlap"),                      # the batch cost, taken for a lone task's
    (2000, "already running"),             # the start-up, taken for a task's cost
])
def test_round_trip_wrong_predictions(client, prediction, hint):
    t0 = time.monotonic()
    result = check_round_trip_prediction(prediction, client, measure=fake(5.0), draw=False)
    assert not result.passed
    assert hint in result.hint, result.hint
    assert time.monotonic() - t0 < 5


def test_round_trip_says_how_far_off_and_gives_detail_on_the_second_try(client):
    first = check_round_trip_prediction(0.5, client, measure=fake(5.0), draw=False)
    assert "10.0x your prediction" in first.message and not first.shows_detail
    second = check_round_trip_prediction(0.5, client, measure=fake(5.0), draw=False)
    assert second.shows_detail and "lower bound" in second.detail


@pytest.mark.parametrize("prediction", [5.0 / ROUND_TRIP_FACTOR, 5.0, 5.0 * ROUND_TRIP_FACTOR])
def test_round_trip_close_enough_passes(client, prediction):
    result = check_round_trip_prediction(prediction, client, measure=fake(5.0), draw=False)
    assert result.passed and "measured 5.00 ms" in result.message


def test_round_trip_needs_the_client():
    result = check_round_trip_prediction(3.0, "tcp://127.0.0.1:8786", draw=False)
    assert not result.passed and "client" in result.message


@pytest.mark.parametrize("batch_ms, lone_ms", [(1.0, 3.0), (2.0, 4.0), (1.5, 6.0), (3.0, 12.0)])
def test_round_trip_model_solution_passes_20_times(client, batch_ms, lone_ms):
    # The solution's reasoning: a lone task cannot overlap its messages with others', so
    # expect about 3 times the per-task cost measured with many tasks in flight. Judged
    # against lone round trips 2-4 times the batch cost, as measured here when idle.
    for _ in range(20):
        result = check_round_trip_prediction(3 * batch_ms, client, measure=fake(lone_ms),
                                             draw=False)
        assert result.passed, result


def test_round_trip_on_the_real_cluster(client):
    # One real measurement, drawn: its shape, not its timing (the machine is shared).
    batch = measure_task_overhead(client, tasks=50, repeat=2).per_task["dask"]
    result = check_round_trip_prediction(3 * batch * 1e3, client, batch_per_task=batch)
    assert "ms per task (10 round trips, median)" in result.message, result


# ---------------------------------------------------------------------------
# Batching: one task per batch, primes in input order.

def model_find_primes(client, numbers, batch):
    futures = [client.submit(primes_in, numbers[i:i + batch])
               for i in range(0, len(numbers), batch)]
    return [p for part in client.gather(futures) for p in part]


def one_task_per_number(client, numbers, batch):
    flags = client.gather(client.map(is_prime, numbers))
    return [n for n, ok in zip(numbers, flags) if ok]


def forgets_the_last_batch(client, numbers, batch):
    starts = range(0, len(numbers) - batch + 1, batch)
    futures = [client.submit(primes_in, numbers[i:i + batch]) for i in starts]
    return [p for part in client.gather(futures) for p in part]


def completion_order(client, numbers, batch):
    from distributed import as_completed

    futures = [client.submit(primes_in, numbers[i:i + batch])
               for i in range(0, len(numbers), batch)]
    return [p for fut in as_completed(futures) for p in fut.result()]


def returns_futures(client, numbers, batch):
    return [client.submit(primes_in, numbers[i:i + batch]) for i in range(0, len(numbers), batch)]


def returns_batches(client, numbers, batch):
    futures = [client.submit(primes_in, numbers[i:i + batch])
               for i in range(0, len(numbers), batch)]
    return client.gather(futures)


def works_locally(client, numbers, batch):
    return primes_in(numbers)


def one_big_task(client, numbers, batch):
    return client.submit(primes_in, numbers).result()


def waits_forever(client, numbers, batch):
    from distributed import Event

    Event(f"never-{time.monotonic()}", client=client).wait(timeout=30)
    return []


def raises(client, numbers, batch):
    raise ValueError("oops")


def hard_coded(client, numbers, batch):
    # The primes of one run, typed in: the checker draws fresh numbers every time.
    return [100000000003, 100000000019, 100000000057, 100007]


def returns_none(client, numbers, batch):
    return None


@pytest.mark.parametrize("fn, hint", [
    (one_task_per_number, "round trip through the scheduler"),
    (forgets_the_last_batch, "last slice is shorter"),
    (completion_order, "as_completed"),
    (returns_futures, "placeholder"),
    (returns_batches, "flat list"),
    (works_locally, "send the batches to the workers"),
    (one_big_task, "workers sit idle"),
    (raises, "read the error first"),
    (returns_none, "list of the primes"),
    (hard_coded, "send the batches to the workers"),
    ("not a function", "without calling it"),
])
def test_batches_wrong_answers(client, fn, hint):
    t0 = time.monotonic()
    result = check_batched_primes(fn, client)
    assert not result.passed, result
    assert hint in result.hint, result.hint
    assert "range(0, len(numbers), batch)" not in result.hint   # the fix waits for the detail
    assert time.monotonic() - t0 < 8


def test_batches_a_stuck_answer_is_abandoned_within_the_deadline(client):
    t0 = time.monotonic()
    result = check_batched_primes(waits_forever, client, timeout=2.0)
    assert not result.passed and "had not returned" in result.message
    assert time.monotonic() - t0 < 8
    # The learner's thread is a daemon blocked on a Dask Event; release it so that
    # the leftover check finds nothing.
    from distributed import Event

    for name in client.run_on_scheduler(lambda dask_scheduler: list(
            dask_scheduler.extensions["events"]._events)):
        Event(name, client=client).set()


def test_batches_model_solution_passes_every_time(client):
    for _ in range(20):
        result = check_batched_primes(model_find_primes, client)
        assert result.passed, result


def test_batches_needs_the_client():
    result = check_batched_primes(model_find_primes, None)
    assert not result.passed and "client" in result.message


# ---------------------------------------------------------------------------
# A try tests the order only if some batch finished before the costly one.

def _stream(*spans):
    return [{"startstops": ({"action": "transfer", "start": 0.0, "stop": 0.001},
                            {"action": "compute", "start": start, "stop": stop})}
            for start, stop in spans]


@pytest.mark.parametrize("spans, tested", [
    (((0.0, 0.2), (0.01, 0.011), (0.02, 0.021)), True),     # cheap batches done first
    (((0.0, 0.2), (0.21, 0.211), (0.22, 0.221)), False),    # one after another, in order
    (((0.0, 0.2),), False),                                 # a single task
    ((), False),
])
def test_order_was_tested(spans, tested):
    assert order_was_tested(_stream(*spans)) is tested


def test_batches_retries_until_a_try_tests_the_order(client, monkeypatch):
    """A completion-order answer passes every try whose batches finished in order,
    and fails the first try that tested the order."""
    from parallel_demo.checks import dask_cluster as dc

    verdicts = iter([False, False, True])
    monkeypatch.setattr(dc, "order_was_tested", lambda stream: next(verdicts))
    result = check_batched_primes(model_find_primes, client)
    assert result.passed and "could not be tested" not in result.message
    monkeypatch.setattr(dc, "order_was_tested", lambda stream: False)
    result = check_batched_primes(model_find_primes, client, max_tries=3)
    assert result.passed and "on each of 3 tries" in result.message


@pytest.mark.parametrize("kwargs, error", [
    ({"tries": 0}, "tries must be at least 1"),
    ({"tries": True}, "tries must be an int"),
    ({"tries": 3, "max_tries": 2}, "max_tries must be at least 3"),
])
def test_batches_refuses_bad_tries(client, kwargs, error):
    with pytest.raises((TypeError, ValueError), match=error):
        check_batched_primes(model_find_primes, client, **kwargs)
