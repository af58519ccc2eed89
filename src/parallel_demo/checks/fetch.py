"""Checkers for threads_for_io: a throughput model, threads needed, fetching pages with threads.

Each runs the learner's function on cases with known answers and returns a
:class:`~parallel_demo.checks._base.CheckResult`: its first hint names the idea
and the section to reread, its ``detail`` the fix for that particular wrong
answer (shown from the second failed try on).
"""

from __future__ import annotations

import functools
import math
import threading
from typing import Any, Callable, Sequence

from .._hang import live_threads
from ._base import CheckResult, call_learner, is_number, verdict


_LITTLE = "Little's law (the section 'Speedup against the number of threads')"

# (workers, latency, max_concurrent) -> requests per second
_MODEL_CASES = [(1, 0.1, None), (8, 0.05, None), (2, 0.1, 4), (4, 0.1, 4), (10, 0.2, 4),
                (16, 0.05, 1)]


def check_throughput_model(fn: Callable[[int, float, int | None], float]) -> CheckResult:
    """Exercise: ``fn(workers, latency, max_concurrent)`` predicts requests per second.

    Expected: ``min(workers, max_concurrent) / latency`` (``workers / latency``
    when ``max_concurrent`` is None): Little's law with the requests really in
    flight.
    """
    ex = "io_ex1"
    formula = ("in flight = workers, or min(workers, max_concurrent) when there is a limit; "
               "throughput = in flight / latency")
    for k, lat, c in _MODEL_CASES:
        expected = (k if c is None else min(k, c)) / lat
        got, err = call_learner(fn, k, lat, c)
        case = f"workers={k}, latency={lat}, max_concurrent={c}"
        if err is not None:
            if c is None and isinstance(err, TypeError):
                return verdict(ex, False, f"for {case} your function raised "
                                          f"{type(err).__name__}: {err}",
                               hint="max_concurrent can be None, meaning no limit",
                               detail="handle max_concurrent is None first: then all the "
                                      "workers' requests are in flight")
            return verdict(ex, False, f"for {case} your function raised "
                                      f"{type(err).__name__}: {err}", hint=_LITTLE,
                           detail=formula)
        if got is None:
            return verdict(ex, False, f"for {case} your function returned None: is it written "
                                      "yet?", hint="return requests per second, a number")
        if not is_number(got):
            return verdict(ex, False, f"for {case} expected a number, got {type(got).__name__}",
                           hint="return requests per second as a float")
        if math.isclose(got, expected, rel_tol=1e-6):
            continue
        msg = f"for {case} expected {expected:g} requests/s, got {got:g}"
        if math.isclose(got, lat / k, rel_tol=1e-6) or math.isclose(got, k * lat, rel_tol=1e-6):
            return verdict(ex, False, msg, hint="check the units: requests per second. " + _LITTLE,
                           detail="throughput = concurrency / latency; seconds go in the "
                                  "denominator")
        if c is not None and math.isclose(got, k / lat, rel_tol=1e-6):
            return verdict(ex, False, msg, hint="what does a server with a concurrency limit do "
                                                "with the requests beyond it? (the section on "
                                                "the server's limit, and the plateau)",
                           detail="the server serves at most max_concurrent at once: extra "
                                  "threads only wait, so use min(workers, max_concurrent)")
        if c is not None and math.isclose(got, c / lat, rel_tol=1e-6):
            return verdict(ex, False, msg, hint="a limit is a ceiling, not a promise: who keeps "
                                                "the requests in flight?",
                           detail="with fewer threads than the server's limit, the client is "
                                  "the bottleneck: use min(workers, max_concurrent)")
        if math.isclose(got, 1 / lat, rel_tol=1e-6):
            return verdict(ex, False, msg, hint="that is one thread's throughput; " + _LITTLE,
                           detail="k threads keep k requests in flight (up to the server's "
                                  "limit)")
        return verdict(ex, False, msg, hint=_LITTLE, detail=formula)
    return verdict(ex, True, "right: throughput grows with threads until the server's limit, "
                             "then stays at max_concurrent / latency")


# (target requests/s, latency s) -> fewest threads.  100 x 0.07 is 7.000000000000001
# in floating point: a bare math.ceil answers 8 (the solution's warning).
_NEEDED_CASES = [(100, 0.05), (7, 0.5), (45, 0.1), (90, 0.04), (1, 0.01), (100, 0.07)]


def check_threads_needed(fn: Callable[[float, float], int]) -> CheckResult:
    """Exercise: ``fn(target, latency)``: fewest threads for ``target`` requests per second.

    Expected: ``ceil(target * latency)``, at least 1, with the product rounded
    first so that floating-point noise does not add a thread.
    """
    ex = "io_ex2"
    formula = "threads = max(1, math.ceil(round(target * latency, 9)))"
    for target, lat in _NEEDED_CASES:
        expected = max(1, math.ceil(round(target * lat, 9)))
        got, err = call_learner(fn, target, lat)
        case = f"target={target} requests/s, latency={lat} s"
        if err is not None:
            return verdict(ex, False, f"for {case} your function raised "
                                      f"{type(err).__name__}: {err}",
                           hint=_LITTLE + ", solved for the requests in flight", detail=formula)
        if got is None:
            return verdict(ex, False, f"for {case} your function returned None: is it written "
                                      "yet?", hint="return a whole number of threads")
        if not is_number(got):
            return verdict(ex, False, f"for {case} expected an int, got {type(got).__name__}",
                           hint="return a whole number of threads")
        if got == expected and float(got).is_integer():
            continue
        msg = f"for {case} expected {expected} threads, got {got!r}"
        exact = target * lat
        if got == math.ceil(exact) and got == expected + 1:
            return verdict(ex, False, msg, hint="floating-point arithmetic: the product is a "
                                                f"hair above a whole number ({exact!r})",
                           detail="round the product first, round(target * latency, 9), then "
                                  "math.ceil")
        if math.isclose(got, exact, rel_tol=1e-6) and not float(exact).is_integer():
            return verdict(ex, False, msg, hint="threads come in whole numbers, and the target "
                                                "must be reached",
                           detail="round up (math.ceil), or you fall short of the target")
        if got == 0:
            return verdict(ex, False, msg, hint="you always need at least one thread",
                           detail="max(1, ...)")
        if got == math.floor(exact) or got == round(exact):
            return verdict(ex, False, msg, hint="with that many threads, is the target reached?",
                           detail="rounding down falls short of the target: use math.ceil")
        if math.isclose(got, target / lat, rel_tol=1e-6) or math.isclose(got, lat / target,
                                                                         rel_tol=1e-6):
            return verdict(ex, False, msg, hint=_LITTLE + ": L = λW",
                           detail="concurrency = throughput * latency: multiply, do not divide")
        return verdict(ex, False, msg, hint=_LITTLE + ", solved for the requests in flight",
                       detail=formula)
    return verdict(ex, True, "right: each thread completes 1 / latency requests per second, "
                             "so you need ceil(target * latency) of them")


#: The two servers of :func:`check_fetch_pages`: every other page comes from a
#: slow one, so that pages finish in another order than they were asked for,
#: and an answer collected as they finish is out of order every time.
_SLOW, _FAST = 0.25, 0.05


def _snapshot(fn: Callable[[Sequence[str]], Any], urls: list[str]) -> Any:
    """``fn(urls)``, copied the moment it returns: threads it left running may still write to it."""
    got = fn(urls)
    return list(got) if isinstance(got, list) else got


def check_fetch_pages(fn: Callable[[Sequence[str]], list[str]], *, pages: int = 8) -> CheckResult:
    r"""Exercise: ``fn(urls)`` fetches every page with threads; bodies in URL order.

    The checker starts two :class:`~parallel_demo.server.LatencyServer`\ s, a
    slow one and a fast one, and alternates their pages: completion order is
    then never URL order.  It asks the *servers* how many requests they
    served and how many at once, which does not depend on how busy the machine
    is, and checks that no thread is left running.
    """
    from ..server import LatencyServer

    ex = "io_ex3"
    where = "the section 'Three ways to fetch 16 pages'"
    before = {t.ident for t in threading.enumerate()}
    with LatencyServer(latency=_SLOW) as slow, LatencyServer(latency=_FAST) as fast:
        urls = [f"{(slow if i % 2 == 0 else fast).url}/page/{i}" for i in range(pages)]
        snapshot = functools.partial(_snapshot, fn)
        snapshot.__name__ = getattr(fn, "__name__", "fetch_pages")  # for the abandoned message
        got, err = call_learner(snapshot, list(urls))
        stats = [slow.stats(), fast.stats()]
    expected = [f"page {i}" for i in range(pages)]
    leftover = live_threads(before)
    served = sum(s.served for s in stats)
    peak = max(s.peak_in_service for s in stats)
    if err is not None:
        return verdict(ex, False, f"your function raised {type(err).__name__}: {err}",
                       hint="fetch_page(url) returns one page's text; call it from each thread "
                            "(" + where + ")",
                       detail="with ThreadPoolExecutor(max_workers=8) as ex: return "
                              "list(ex.map(fetch_page, urls))")
    if got is None:
        return verdict(ex, False, "your function returned None: is it written yet?",
                       hint="return the list of page texts, one per URL (" + where + ")")
    if not isinstance(got, (list, tuple)):
        return verdict(ex, False, f"expected a list of page texts, got {type(got).__name__}",
                       hint="return a list",
                       detail="ThreadPoolExecutor.map returns an iterator: wrap it in list(...)")
    got = list(got)
    missing = sum(1 for x in got if x is None) + max(0, pages - len(got))
    if served < pages and not missing:
        return verdict(ex, False, f"the servers answered {served} request(s) for {pages} URLs",
                       hint="fetch every URL you are given: the checker's URLs are not the "
                            "chapter's", detail="call fetch_page(url) once per url in urls")
    if sorted(map(str, got)) == sorted(expected) and got != expected:
        return verdict(ex, False, "every page is there, but not in URL order",
                       hint="some pages come back sooner than others: in which order do you "
                            "collect the results?",
                       detail="results collected as they finish (as_completed, or appended by "
                              "each thread) come in any order; executor.map, or futures kept in "
                              "a list, keeps input order")
    if got != expected:
        return verdict(ex, False, f"expected {expected[:2]}... ({pages} pages), "
                                  f"got {got[:2]!r}... ({len(got)} items)",
                       hint=("some results were not there yet when your function returned: "
                             "does it wait for every thread to finish?" if missing else
                             "return the text of every page, one per URL, in URL order"),
                       detail="wait with join() (or let the `with ThreadPoolExecutor` block "
                              "wait), not with time.sleep(); then collect the results in URL "
                              "order")
    if peak < 2:
        return verdict(ex, False, "right pages, but the servers never had two requests at once: "
                                  "they ran one after another",
                       hint="threads overlap their waits only if several are started before "
                            "any is waited for (" + where + ")",
                       detail="starting and joining one thread at a time is a loop; submit every "
                              "URL before waiting for any result, e.g. with "
                              "ThreadPoolExecutor(max_workers=8).map(fetch_page, urls)")
    if leftover:
        return verdict(ex, False, f"right, but {len(leftover)} thread(s) still run after "
                                  "your function returned",
                       hint="a function that starts threads should not return before they end",
                       detail="use `with ThreadPoolExecutor(...) as ex:` (or join every thread) "
                              "so that all threads end before you return")
    return verdict(ex, True, f"right: {pages} pages in URL order, up to {peak} requests in "
                             "flight at once on one server")
