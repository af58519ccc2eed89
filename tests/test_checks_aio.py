"""Checkers of the asyncio chapter: the model answers pass, each typical mistake gets its hint."""

from __future__ import annotations

import asyncio
import time

import pytest

from parallel_demo.aio import slow_lookup
from parallel_demo.checks.aio import BATCH, check_batch_prediction, check_unblocked


# -- aio_ex1: predict, then measure ------------------------------------------------

MODEL = -(-BATCH["requests"] // BATCH["connections"]) * BATCH["latency"]


@pytest.mark.timeout(60)
def test_prediction_model_answer_passes_repeatedly():
    for _ in range(20):
        result = check_batch_prediction(MODEL, draw=False, runs=1)
        assert result.passed, result


@pytest.mark.timeout(60)
@pytest.mark.parametrize("wrong, hint", [
    (None, "type a number of seconds first"),
    ("0.25", "type a number of seconds first"),
    (BATCH["latency"], "only `connections` requests can be in flight"),         # all at once
    (BATCH["requests"] * BATCH["latency"], "asyncio overlaps the waits"),      # one by one
    (MODEL * 1000, "seconds, not milliseconds"),                               # in ms
    (BATCH["requests"] / BATCH["connections"], "multiply by it"),              # rounds only
    (1.0, "Little's law"),
])
def test_prediction_wrong_answers(wrong, hint):
    t0 = time.perf_counter()
    result = check_batch_prediction(wrong, draw=False)
    assert not result.passed
    assert hint in result.hint, result
    assert time.perf_counter() - t0 < 10


@pytest.mark.timeout(30)
def test_prediction_draws_a_chart():
    import matplotlib.pyplot as plt

    check_batch_prediction(MODEL)
    assert plt.get_fignums()


def test_detail_only_from_the_second_try():
    first = check_batch_prediction(BATCH["latency"], draw=False)
    second = check_batch_prediction(BATCH["latency"], draw=False)
    assert not first.shows_detail and second.shows_detail
    assert "rounds" in second.detail


# -- aio_ex2: do not block the loop -------------------------------------------------

async def model_lookup(key):
    return await asyncio.to_thread(slow_lookup, key)


async def blocks_the_loop(key):
    return slow_lookup(key)


async def blocks_after_an_await(key):
    await asyncio.sleep(0)
    return slow_lookup(key)


def not_async(key):
    return slow_lookup(key)


async def forgets_await(key):
    return asyncio.to_thread(slow_lookup, key)


async def wrong_value(key):
    await asyncio.to_thread(slow_lookup, key)
    return key


async def never_ends(key):
    await asyncio.Event().wait()


async def raises(key):
    raise KeyError(key)


async def fakes_the_value(key):          # the right string, without the lookup
    await asyncio.sleep(0.2)
    return f"value of {key!r}"


async def hard_coded(key):
    await asyncio.sleep(0)
    return "value of 'k0'"


async def sleeps_instead(key):           # overlaps, but asyncio.sleep does not look anything up
    await asyncio.sleep(0.2)
    return slow_lookup(key, seconds=0.01)


async def run_in_executor_lookup(key):   # the other right answer
    return await asyncio.get_running_loop().run_in_executor(None, slow_lookup, key)


async def calls_it_too_early(key):
    return await asyncio.to_thread(slow_lookup(key))


@pytest.mark.timeout(120)
def test_unblocked_model_answer_passes_repeatedly():
    for _ in range(20):
        result = check_unblocked(model_lookup)
        assert result.passed, result


@pytest.mark.timeout(60)
def test_unblocked_run_in_executor_passes():
    assert check_unblocked(run_in_executor_lookup)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("wrong, hint", [
    (blocks_the_loop, "blocking call inside a coroutine"),
    (blocks_after_an_await, "blocking call inside a coroutine"),
    (not_async, "async def"),
    (forgets_await, "until it is awaited"),
    (wrong_value, "return what slow_lookup(key) returns"),
    (never_ends, "never happens"),
    (raises, "call slow_lookup(key)"),
    (calls_it_too_early, "call slow_lookup(key)"),
    (fakes_the_value, "must come from slow_lookup(key)"),
    (hard_coded, "for the key you were given"),
    (sleeps_instead, "blocking call inside a coroutine"),
    (42, "the function itself"),
])
def test_unblocked_wrong_answers(wrong, hint):
    t0 = time.perf_counter()
    result = check_unblocked(wrong)
    assert not result.passed
    assert hint in result.hint, result
    assert time.perf_counter() - t0 < 10
