"""Checkers of the I/O chapter: the model passes, every wrong answer fails with a fitting hint."""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import pytest

from parallel_demo import check_fetch_pages, check_threads_needed, check_throughput_model
from parallel_demo import fetch_page
from checking import assert_fails


# -- throughput model ------------------------------------------------------------

def model_predict_throughput(workers, latency, max_concurrent):
    in_flight = workers if max_concurrent is None else min(workers, max_concurrent)
    return in_flight / latency


def test_throughput_model_passes_20_of_20():
    results = [check_throughput_model(model_predict_throughput) for _ in range(20)]
    assert all(results) and "✔" in repr(results[0])


def _starter(*args):
    ...


@pytest.mark.parametrize("wrong, hint, detail", [
    (_starter, "requests per second", ""),
    (lambda k, lat, c: k / lat, "concurrency limit", "min(workers, max_concurrent)"),
    (lambda k, lat, c: lat / k, "units", "denominator"),
    (lambda k, lat, c: k * lat, "units", "denominator"),
    (lambda k, lat, c: 1 / lat, "one thread's throughput", "k threads"),
    (lambda k, lat, c: min(k, c) / lat, "can be None", "is None first"),
    (lambda k, lat, c: (c or k) / lat, "ceiling, not a promise", "client is the bottleneck"),
    (lambda k, lat, c: 10.0, "Little's law", "in flight / latency"),               # hard-coded
    (lambda k, lat, c: "fast", "float", ""),
    (lambda k, lat, c: 1 / 0, "Little's law", "in flight / latency"),
])
def test_throughput_model_wrong_answers(wrong, hint, detail):
    assert_fails(check_throughput_model, wrong, hint, detail)


# -- threads needed --------------------------------------------------------------

def model_threads_needed(target, latency):
    return max(1, math.ceil(round(target * latency, 9)))


def test_threads_needed_passes_20_of_20():
    assert all(check_threads_needed(model_threads_needed) for _ in range(20))


@pytest.mark.parametrize("wrong, hint, detail", [
    (_starter, "whole number", ""),
    (lambda t, lat: max(1, math.ceil(t * lat)), "floating-point", "round the product first"),  # the solution's warning
    (lambda t, lat: t * lat, "whole numbers", "math.ceil"),
    (lambda t, lat: int(t * lat), "is the target reached", "rounding down"),
    (lambda t, lat: round(t * lat), "is the target reached", "rounding down"),
    (lambda t, lat: math.ceil(t / lat), "L = λW", "multiply"),
    (lambda t, lat: math.ceil(t * lat) if t * lat >= 1 else 0, "at least one", "max(1"),
    (lambda t, lat: 4, "solved for the requests in flight", "math.ceil(round"),   # hard-coded
    (lambda t, lat: 1 / 0, "solved for the requests in flight", "math.ceil(round"),
])
def test_threads_needed_wrong_answers(wrong, hint, detail):
    assert_fails(check_threads_needed, wrong, hint, detail)


# -- fetching pages with threads -------------------------------------------------

def model_fetch_pages(urls):
    with ThreadPoolExecutor(max_workers=8) as ex:
        return list(ex.map(fetch_page, urls))


def fetch_sequential(urls):
    return [fetch_page(u) for u in urls]


def fetch_as_completed(urls):
    with ThreadPoolExecutor(max_workers=8) as ex:
        return [f.result() for f in as_completed([ex.submit(fetch_page, u) for u in urls])]


def fetch_appended_by_threads(urls):
    out = []
    threads = [threading.Thread(target=lambda u=u: out.append(fetch_page(u))) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def fetch_serial_threads(urls):
    out = []
    for u in urls:  # started and joined one at a time: a loop with extra steps
        t = threading.Thread(target=lambda u=u: out.append(fetch_page(u)))
        t.start()
        t.join()
    return out


def fetch_sleep_instead_of_join(urls):
    out = [None] * len(urls)

    def get(i, u):
        out[i] = fetch_page(u)

    for i, u in enumerate(urls):
        threading.Thread(target=get, args=(i, u)).start()
    time.sleep(0.1)  # "long enough"
    return out


def fetch_one_worker(urls):
    with ThreadPoolExecutor(max_workers=1) as ex:
        return list(ex.map(fetch_page, urls))


_leaked = []


def fetch_leaky(urls):
    ex = ThreadPoolExecutor(max_workers=8)
    _leaked.append(ex)
    return list(ex.map(fetch_page, urls))  # never shut down: its threads stay


@pytest.fixture(autouse=True)
def clean_up_learner_pools():
    # conftest's fixture checks for leftover threads after this one has run.
    yield
    while _leaked:
        _leaked.pop().shutdown(wait=True)
    deadline = time.monotonic() + 3
    while any(t.name.startswith("Thread-") and t.is_alive() for t in threading.enumerate()) \
            and time.monotonic() < deadline:
        time.sleep(0.02)  # the sleep-instead-of-join answer's threads finish their fetch


@pytest.mark.timeout(90)
def test_fetch_pages_model_passes_20_of_20():
    results = [check_fetch_pages(model_fetch_pages) for _ in range(20)]
    assert all(results), [r for r in results if not r]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("wrong, hint, detail", [
    (_starter, "return the list of page texts", ""),
    (fetch_sequential, "started before any is waited for", "submit every URL"),
    (fetch_serial_threads, "started before any is waited for", "one thread at a time"),
    (fetch_one_worker, "started before any is waited for", "submit every URL"),
    (fetch_as_completed, "in which order", "keeps input order"),
    (fetch_appended_by_threads, "in which order", "appended by each thread"),
    (fetch_sleep_instead_of_join, "wait for every thread", "not with time.sleep()"),
    (lambda urls: [f"page {i}" for i in range(8)], "checker's URLs", "once per url"),  # hard-coded
    (lambda urls: iter([]), "return a list", "list(...)"),
    (fetch_leaky, "before they end", "with ThreadPoolExecutor"),
    (lambda urls: 1 / 0, "fetch_page(url)", "ex.map(fetch_page, urls)"),
])
def test_fetch_pages_wrong_answers(wrong, hint, detail):
    assert_fails(check_fetch_pages, wrong, hint, detail)
    while _leaked:
        _leaked.pop().shutdown(wait=True)
