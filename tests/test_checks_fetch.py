"""Checkers of the I/O chapter: the solution passes, typical mistakes get the right hint."""

import math
from concurrent.futures import ThreadPoolExecutor

import pytest

from parallel_demo import check_fetch_pages, check_threads_needed, check_throughput_model
from parallel_demo import fetch_page


# -- throughput model ------------------------------------------------------------

def model_solution(workers, latency, max_concurrent):
    in_flight = workers if max_concurrent is None else min(workers, max_concurrent)
    return in_flight / latency


def test_throughput_model_solution_passes():
    result = check_throughput_model(model_solution)
    assert result.passed and bool(result)
    assert "✔" in repr(result)


@pytest.mark.parametrize("wrong, hint", [
    (lambda k, lat, c: k / lat, "min(workers, max_concurrent)"),
    (lambda k, lat, c: lat / k, "denominator"),
    (lambda k, lat, c: 1 / lat, "one thread"),
    (lambda k, lat, c: min(k, c) / lat, "None"),
    (lambda k, lat, c: (c or k) / lat, "client is the bottleneck"),
    (lambda k, lat, c: "fast", "float"),
])
def test_throughput_model_hints(wrong, hint):
    result = check_throughput_model(wrong)
    assert not result.passed
    assert hint in result.hint
    assert "Hint:" in repr(result)


# -- threads needed --------------------------------------------------------------

def needed_solution(target, latency):
    return max(1, math.ceil(target * latency))


def test_threads_needed_solution_passes():
    assert check_threads_needed(needed_solution).passed


@pytest.mark.parametrize("wrong, hint", [
    (lambda t, lat: t * lat, "whole numbers"),
    (lambda t, lat: int(t * lat), "round"),
    (lambda t, lat: math.ceil(t / lat), "multiply"),
    (lambda t, lat: math.ceil(t * lat) if t * lat >= 1 else 0, "at least one"),
    (lambda t, lat: None, "int"),
    (lambda t, lat: 1 / 0, "target * latency"),
])
def test_threads_needed_hints(wrong, hint):
    result = check_threads_needed(wrong)
    assert not result.passed
    assert hint in f"{result.message} | {result.hint}"


# -- fetching pages with threads -------------------------------------------------

def fetch_solution(urls):
    with ThreadPoolExecutor(max_workers=8) as ex:
        return list(ex.map(fetch_page, urls))


def fetch_sequential(urls):
    return [fetch_page(u) for u in urls]


def fetch_as_completed(urls):
    with ThreadPoolExecutor(max_workers=8) as ex:
        futures = [ex.submit(fetch_page, u) for u in reversed(urls)]
        return [f.result() for f in futures]


_leaked = []


def fetch_leaky(urls):
    ex = ThreadPoolExecutor(max_workers=8)
    _leaked.append(ex)
    out = list(ex.map(fetch_page, urls))
    return out  # never shut down: its threads stay


@pytest.fixture(autouse=True)
def clean_up_learner_pools():
    # conftest's fixture checks for leftover threads after this one has run.
    yield
    while _leaked:
        _leaked.pop().shutdown(wait=True)


@pytest.mark.timeout(30)
def test_fetch_pages_solution_passes():
    result = check_fetch_pages(fetch_solution)
    assert result.passed, result


@pytest.mark.timeout(30)
@pytest.mark.parametrize("wrong, hint", [
    (fetch_sequential, "submit every URL before waiting"),
    (fetch_as_completed, "keeps input order"),
    (lambda urls: iter([]), "list(...)"),
    (lambda urls: None, "return the list of page texts"),
    (lambda urls: ["page 0"], "in URL order"),
    (fetch_leaky, "with ThreadPoolExecutor"),
    (lambda urls: 1 / 0, "fetch_page(url)"),
])
def test_fetch_pages_hints(wrong, hint):
    result = check_fetch_pages(wrong, pages=4, latency=0.05)
    assert not result.passed
    assert hint in result.hint
