"""Every Part V checker: the solution passes, typical wrong answers get the right hint."""

from __future__ import annotations

import concurrent.futures as cf
from concurrent.futures.process import BrokenProcessPool

import pytest

from parallel_demo import check_collect_within, check_errors_named, check_index_plan, check_retry_plan

# --- collect_within ----------------------------------------------------------


def collect_within(executor, task, items, timeout):
    future_to_item = {executor.submit(task, item): item for item in items}
    results = {}
    try:
        for fut in cf.as_completed(future_to_item, timeout=timeout):
            results[future_to_item[fut]] = fut.result()
    except TimeoutError:
        for fut in future_to_item:
            fut.cancel()
    return results


@pytest.mark.timeout(30)
def test_collect_within_solution_passes():
    assert check_collect_within(collect_within).passed


@pytest.mark.timeout(30)
def test_collect_within_wrong_answers():
    def uses_map(executor, task, items, timeout):
        return dict(zip(items, executor.map(task, items)))

    def no_catch(executor, task, items, timeout):
        futs = {executor.submit(task, i): i for i in items}
        return {futs[f]: f.result() for f in cf.as_completed(futs, timeout=timeout)}

    def keyed_by_future(executor, task, items, timeout):
        futs = [executor.submit(task, i) for i in items]
        done, _ = cf.wait(futs, timeout=timeout)
        return {f: f.result() for f in done}

    def returns_list(executor, task, items, timeout):
        return list(collect_within(executor, task, items, timeout).values())

    r = check_collect_within(uses_map)
    assert not r.passed and "as_completed" in r.hint and "waited" in r.message
    r = check_collect_within(no_catch)
    assert not r.passed and "TimeoutError" in r.message and "catch it" in r.hint
    r = check_collect_within(keyed_by_future)
    assert not r.passed and "keyed by futures" in r.message
    r = check_collect_within(returns_list)
    assert not r.passed and "dict" in r.message
    r = check_collect_within(lambda *a: 1 / 0)
    assert not r.passed and "ZeroDivisionError" in r.message


# --- results_by_item ---------------------------------------------------------


def results_by_item(future_to_item):
    results, errors = {}, {}
    for fut, item in future_to_item.items():
        exc = fut.exception()
        if exc is None:
            results[item] = fut.result()
        else:
            exc.add_note(f"while processing {item!r}")
            errors[item] = exc
    return results, errors


def test_errors_named_solution_passes():
    assert check_errors_named(results_by_item).passed


def test_errors_named_wrong_answers():
    def raises(future_to_item):
        return {item: f.result() for f, item in future_to_item.items()}, {}

    def no_note(future_to_item):
        results, errors = {}, {}
        for f, item in future_to_item.items():
            if f.exception() is None:
                results[item] = f.result()
            else:
                errors[item] = f.exception()
        return results, errors

    def by_future(future_to_item):
        return {f: f.exception() for f in future_to_item}, {}

    def messages(future_to_item):
        results, errors = results_by_item(future_to_item)
        return results, {k: str(v) for k, v in errors.items()}

    r = check_errors_named(raises)
    assert not r.passed and "TypeError" in r.message and "catch it" in r.hint
    r = check_errors_named(no_note)
    assert not r.passed and "no note" in r.message and "add_note" in r.hint
    r = check_errors_named(by_future)
    assert not r.passed and "keyed by futures" in r.message
    r = check_errors_named(messages)
    assert not r.passed and "not an exception" in r.message
    r = check_errors_named(lambda d: None)
    assert not r.passed and "pair of dicts" in r.message


# --- plan_ranges -------------------------------------------------------------


def plan_ranges(n_rows, workers):
    step = max(1, -(-n_rows // (4 * workers)))
    return [(start, min(start + step, n_rows)) for start in range(0, n_rows, step)]


def test_index_plan_solution_passes():
    assert check_index_plan(plan_ranges).passed


def test_index_plan_wrong_answers():
    def inclusive(n, w):
        step = max(1, n // w)
        return [(a, min(a + step + 1, n)) for a in range(0, n, step)]

    def drops_tail(n, w):
        step = max(1, n // w)
        return [(k * step, (k + 1) * step) for k in range(n // step)][:w]

    def every_index(n, w):
        step = max(1, -(-n // w))
        return [list(range(a, min(a + step, n))) for a in range(0, n, step)]

    def one_range(n, w):
        return [(0, n)]

    r = check_index_plan(inclusive)
    assert not r.passed and "two ranges" in r.message and "exclusive" in r.hint
    r = check_index_plan(drops_tail)
    assert not r.passed and "leaves rows out" in r.message and "min(start + step" in r.hint
    r = check_index_plan(every_index)
    assert not r.passed and "two ints" in r.hint
    r = check_index_plan(one_range)
    assert not r.passed and "per worker" in r.hint
    r = check_index_plan(lambda n, w: None)
    assert not r.passed and "(start, stop)" in r.hint


# --- to_retry ----------------------------------------------------------------


def to_retry(future_to_index):
    return sorted(i for f, i in future_to_index.items()
                  if isinstance(f.exception(), BrokenProcessPool))


def test_retry_plan_solution_passes():
    assert check_retry_plan(to_retry).passed


def test_retry_plan_wrong_answers():
    r = check_retry_plan(lambda d: sorted(i for f, i in d.items() if f.exception() is not None))
    assert not r.passed and "item 3" in r.message and "BrokenProcessPool" in r.hint
    r = check_retry_plan(lambda d: sorted(d.values()))
    assert not r.passed and "everything" in r.message
    r = check_retry_plan(lambda d: [f for f in d if f.exception() is not None])
    assert not r.passed and "futures" in r.message
    r = check_retry_plan(lambda d: [f.result() for f in d])
    assert not r.passed and "BrokenProcessPool" in r.message + r.hint
