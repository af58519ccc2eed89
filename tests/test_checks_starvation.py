"""The starvation chapter's checkers: the model answers pass 20 of 20 times; every mistake the
chapter warns about fails, quickly, with a hint that names the concept (and, from the second
try, the specific fix); nothing is left running (the conftest fixture checks)."""

from __future__ import annotations

import queue
import time

import pytest

from parallel_demo import check_consumer, check_fairness_index, fairness_index
from parallel_demo.checks._base import reset_tries

pytestmark = pytest.mark.timeout(60)


def jain(counts):
    total = sum(counts)
    return total * total / (len(counts) * sum(x * x for x in counts))


FAIRNESS_WRONG = [
    (lambda xs: len(xs) * sum(x * x for x in xs) / sum(xs) ** 2, "gave", "formula", "upside down"),
    (lambda xs: sum(xs) ** 2 / sum(x * x for x in xs), "gave", "1/n", "divide by n"),
    (lambda xs: sum(xs) / (len(xs) * sum(x * x for x in xs)), "gave", "formula", "square the sum"),
    (lambda xs: 1.0, "gave", "1/n", "divide by n"),  # 1.0 is also what forgetting n gives here
    (lambda xs: 0.5, "gave", "formula", "step by step"),
    (lambda xs: 1 / 0, "raised ZeroDivisionError", "formula", "total * total"),
    (lambda xs: "fair", "returned str", "float", ""),
    (lambda xs: None, "returned NoneType", "float", ""),
]


@pytest.mark.parametrize("index, message, hint, detail", FAIRNESS_WRONG,
                         ids=["upside_down", "no_n", "no_square", "always_one", "constant", "raises", "str",
                              "stub"])
def test_each_fairness_mistake_fails_with_its_hint(index, message, hint, detail):
    reset_tries("starvation_ex1")
    first = check_fairness_index(index)
    assert not first.passed and message in first.message and hint in first.hint, first
    assert not first.shows_detail
    again = check_fairness_index(index)
    assert again.tries == 2 and detail in again.more()


def test_the_fairness_models_pass_20_of_20():
    for answer in (jain, fairness_index):
        for _ in range(20):
            assert check_fairness_index(answer).passed


# --- the consumer --------------------------------------------------------------------------


def good_consumer(q, results):
    while True:
        item = q.get()
        if item is None:
            return
        results.append(item * item)


def skips_its_sentinel(q, results):
    while True:
        item = q.get()
        if item is None:
            continue  # "nothing to do": waits for ever
        results.append(item * item)


def busy_polls(q, results):
    while True:
        try:
            item = q.get_nowait()
        except queue.Empty:
            continue
        if item is None:
            return
        results.append(item * item)


def spins_on_empty(q, results):
    while True:
        while q.empty():
            pass
        item = q.get()
        if item is None:
            return
        results.append(item * item)


def stops_when_queue_looks_empty(q, results):
    while True:
        time.sleep(0.002)
        if q.empty():
            return
        item = q.get()
        if item is None:
            return
        results.append(item * item)


def stops_on_a_short_timeout(q, results):
    while True:
        try:
            item = q.get(timeout=0.05)
        except queue.Empty:
            return
        if item is None:
            return
        results.append(item * item)


def appends_the_sentinel(q, results):
    while True:
        item = q.get()
        results.append(item)
        if item is None:
            return


def crashes(q, results):
    item = q.get()
    results.append(item.upper())


CONSUMER_WRONG = [
    (skips_its_sentinel, "never returned", "one sentinel", "Skipping the sentinel"),
    (busy_polls, "polling", "blocking q.get()", "get_nowait()"),
    (spins_on_empty, "polling", "blocking q.get()", "q.empty()"),
    (stops_when_queue_looks_empty, "items were processed", "producer is slow", "q.empty()"),
    (stops_on_a_short_timeout, "items were processed", "producer is slow", "queue.Empty"),
    (appends_the_sentinel, "results were", "signal, not an item", "never the sentinel"),
    (crashes, "raised AttributeError", "one item at a time", "return at None"),
    (lambda q, results: None, "only 0 of 12 items", "loops until its sentinel", "q.get()"),
]


@pytest.mark.parametrize("consumer, message, hint, detail", CONSUMER_WRONG,
                         ids=[getattr(w[0], "__name__", "stub") for w in CONSUMER_WRONG])
def test_each_consumer_mistake_fails_with_its_hint(consumer, message, hint, detail):
    reset_tries("starvation_ex2")
    t0 = time.monotonic()
    first = check_consumer(consumer, limit=1.5)
    assert not first.passed and message in first.message and hint in first.hint, first
    assert not first.shows_detail
    assert time.monotonic() - t0 < 5.0
    again = check_consumer(consumer, limit=1.5)
    assert again.tries == 2 and again.shows_detail and detail in again.detail, again


@pytest.mark.timeout(120)
def test_the_model_consumer_passes_20_of_20():
    for _ in range(20):
        res = check_consumer(good_consumer)
        assert res.passed, res


def test_a_consumer_that_waits_with_a_timeout_is_not_polling():
    def waits_politely(q, results):
        while True:
            try:
                item = q.get(timeout=1.0)
            except queue.Empty:
                continue
            if item is None:
                return
            results.append(item * item)

    assert check_consumer(waits_politely).passed


def test_not_a_function():
    assert "expected a function" in check_consumer(3).message
    assert "expected a function" in check_fairness_index(3).message
