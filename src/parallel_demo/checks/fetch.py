"""Checkers for threads_for_io: a throughput model, threads needed, fetching pages with threads.

Each runs the learner's function on cases with known answers and returns a
:class:`~parallel_demo.exercises.CheckResult` whose hint names the
misunderstanding that usually produces that particular wrong answer.
"""

from __future__ import annotations

import math
import threading
from typing import Any, Callable, Sequence

from .._hang import live_threads
from ._base import CheckResult, call_learner


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


# (workers, latency, max_concurrent) -> requests per second
_MODEL_CASES = [(1, 0.1, None), (8, 0.05, None), (2, 0.1, 4), (4, 0.1, 4), (10, 0.2, 4),
                (16, 0.05, 1)]


def check_throughput_model(fn: Callable[[int, float, int | None], float]) -> CheckResult:
    """Exercise: ``fn(workers, latency, max_concurrent)`` predicts requests per second.

    Expected: ``min(workers, max_concurrent) / latency`` (``workers / latency``
    when ``max_concurrent`` is None): Little's law with the requests really in
    flight.
    """
    for k, lat, c in _MODEL_CASES:
        expected = (k if c is None else min(k, c)) / lat
        got, err = call_learner(fn, k, lat, c)
        case = f"workers={k}, latency={lat}, max_concurrent={c}"
        if err is not None:
            hint = ("max_concurrent can be None (no limit): handle that case first"
                    if c is None and isinstance(err, TypeError)
                    else "throughput = requests in flight / latency")
            return CheckResult(False, f"for {case} your function raised "
                                      f"{type(err).__name__}: {err}", hint)
        if not _number(got):
            return CheckResult(False, f"for {case} expected a number, got {type(got).__name__}",
                               "return requests per second as a float")
        if math.isclose(got, expected, rel_tol=1e-6):
            continue
        msg = f"for {case} expected {expected:g} requests/s, got {got:g}"
        if math.isclose(got, lat / k, rel_tol=1e-6) or math.isclose(got, k * lat, rel_tol=1e-6):
            return CheckResult(False, msg, "Little's law: throughput = concurrency / latency; "
                                           "seconds go in the denominator")
        if c is not None and math.isclose(got, k / lat, rel_tol=1e-6):
            return CheckResult(False, msg, "the server serves at most max_concurrent at once: "
                                           "extra threads only wait, so use min(workers, "
                                           "max_concurrent)")
        if c is not None and math.isclose(got, c / lat, rel_tol=1e-6):
            return CheckResult(False, msg, "with fewer threads than the server's limit, the "
                                           "client is the bottleneck: use min(workers, "
                                           "max_concurrent)")
        if math.isclose(got, 1 / lat, rel_tol=1e-6):
            return CheckResult(False, msg, "that is one thread's throughput; k threads keep k "
                                           "requests in flight")
        return CheckResult(False, msg, "in flight = min(workers, max_concurrent); "
                                       "throughput = in flight / latency")
    return CheckResult(True, "right: throughput grows with threads until the server's limit, "
                             "then stays at max_concurrent / latency")


# (target requests/s, latency s) -> fewest threads
_NEEDED_CASES = [(100, 0.05), (7, 0.5), (45, 0.1), (90, 0.04), (1, 0.01)]


def check_threads_needed(fn: Callable[[float, float], int]) -> CheckResult:
    """Exercise: ``fn(target, latency)``: fewest threads for ``target`` requests per second.

    Expected: ``ceil(target * latency)``, at least 1.
    """
    for target, lat in _NEEDED_CASES:
        expected = max(1, math.ceil(round(target * lat, 9)))
        got, err = call_learner(fn, target, lat)
        case = f"target={target} requests/s, latency={lat} s"
        if err is not None:
            return CheckResult(False, f"for {case} your function raised "
                                      f"{type(err).__name__}: {err}",
                               "Little's law solved for concurrency: threads = target * latency")
        if not _number(got):
            return CheckResult(False, f"for {case} expected an int, got {type(got).__name__}",
                               "return a whole number of threads")
        if got == expected and float(got).is_integer():
            continue
        msg = f"for {case} expected {expected} threads, got {got!r}"
        exact = target * lat
        if math.isclose(got, exact, rel_tol=1e-6) and not float(exact).is_integer():
            return CheckResult(False, msg, "threads come in whole numbers: round up "
                                           "(math.ceil), or you fall short of the target")
        if got == 0:
            return CheckResult(False, msg, "you always need at least one thread")
        if got == math.floor(exact) or got == round(exact):
            return CheckResult(False, msg, "rounding down falls short of the target: "
                                           "use math.ceil")
        if math.isclose(got, target / lat, rel_tol=1e-6) or math.isclose(got, lat / target,
                                                                         rel_tol=1e-6):
            return CheckResult(False, msg, "concurrency = throughput * latency "
                                           "(Little's law, L = λW): multiply, do not divide")
        return CheckResult(False, msg, "threads = ceil(target * latency)")
    return CheckResult(True, "right: each thread completes 1 / latency requests per second, "
                             "so you need ceil(target * latency) of them")


def check_fetch_pages(fn: Callable[[Sequence[str]], list[str]], *, pages: int = 8,
                      latency: float = 0.1) -> CheckResult:
    """Exercise: ``fn(urls)`` fetches every page with threads; bodies in URL order.

    The checker starts its own :class:`~parallel_demo.server.LatencyServer`
    and asks the *server* how many requests it served at once, which does
    not depend on how busy the machine is.
    """
    from ..server import LatencyServer

    before = {t.ident for t in threading.enumerate()}
    with LatencyServer(latency=latency) as srv:
        urls = srv.urls(pages)
        got, err = call_learner(fn, urls)
        stats = srv.stats()
    expected = [f"page {i}" for i in range(pages)]
    leftover = live_threads(before)
    if err is not None:
        return CheckResult(False, f"your function raised {type(err).__name__}: {err}",
                           "fetch_page(url) returns one page's text; call it from each thread")
    if got is None:
        return CheckResult(False, "your function returned None",
                           "return the list of page texts, e.g. list(ex.map(fetch_page, urls))")
    if not isinstance(got, (list, tuple)):
        return CheckResult(False, f"expected a list of page texts, got {type(got).__name__}",
                           "ThreadPoolExecutor.map returns an iterator: wrap it in list(...)")
    got = list(got)
    if sorted(map(str, got)) == sorted(expected) and got != expected:
        return CheckResult(False, "every page is there, but not in URL order",
                           "results collected as they finish come in any order; "
                           "executor.map (or futures kept in a list) keeps input order")
    if got != expected:
        return CheckResult(False, f"expected {expected[:2]}... ({pages} pages), "
                                  f"got {got[:2]!r}... ({len(got)} items)",
                           "return the text of every page, one per URL, in URL order")
    if stats.peak_in_service < 2:
        return CheckResult(False, "right pages, but the server never had two requests at once: "
                                  "they ran one after another",
                           "submit every URL before waiting for any result, e.g. with "
                           "ThreadPoolExecutor(max_workers=...).map(fetch_page, urls)")
    if leftover:
        return CheckResult(False, f"right, but {len(leftover)} thread(s) still run after "
                                  "your function returned",
                           "use `with ThreadPoolExecutor(...) as ex:` (or join every thread) "
                           "so that all threads end before you return")
    return CheckResult(True, f"right: {pages} pages in URL order, up to "
                             f"{stats.peak_in_service} requests in flight at once")
