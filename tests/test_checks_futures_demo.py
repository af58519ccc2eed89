"""The futures chapter's checkers: the model answers pass 20 runs of 20, every mistake the chapter
warns about fails with a hint that fits (the concept first, the fix on the second try), quickly,
and nothing is left running (the conftest fixture checks)."""

from __future__ import annotations

import concurrent.futures as cf
import time

import pytest

from parallel_demo import check_collect_within, check_errors_named
from parallel_demo.checks._base import reset_tries

pytestmark = pytest.mark.timeout(60)


# --- exercise 1: collect within a deadline -------------------------------------------------


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


def starter(executor, task, items, timeout):
    ...


def uses_map(executor, task, items, timeout):
    return dict(zip(items, executor.map(task, items)))


def map_with_timeout(executor, task, items, timeout):
    # The chapter's warning: map hands results back in input order, so a slow item
    # holds back every result after it.
    results = {}
    try:
        for item, result in zip(items, executor.map(task, items, timeout=timeout)):
            results[item] = result
    except TimeoutError:
        pass
    return results


def no_catch(executor, task, items, timeout):
    futs = {executor.submit(task, i): i for i in items}
    return {futs[f]: f.result() for f in cf.as_completed(futs, timeout=timeout)}


def timeout_per_future(executor, task, items, timeout):
    futs = {executor.submit(task, i): i for i in items}
    results = {}
    for f, item in futs.items():
        try:
            results[item] = f.result(timeout=timeout)
        except TimeoutError:
            pass
    return results


def waits_for_all(executor, task, items, timeout):
    futs = {executor.submit(task, i): i for i in items}
    done, _ = cf.wait(futs, return_when=cf.ALL_COMPLETED)
    return {futs[f]: f.result() for f in done}


def shuts_down(executor, task, items, timeout):
    results = collect_within(executor, task, items, timeout)
    executor.shutdown(wait=True)
    return results


def keyed_by_future(executor, task, items, timeout):
    futs = [executor.submit(task, i) for i in items]
    done, _ = cf.wait(futs, timeout=timeout)
    return {f: f.result() for f in done}


def keeps_the_slow(executor, task, items, timeout):
    futs = {executor.submit(task, i): i for i in items}
    cf.wait(futs, timeout=timeout)
    return {item: (f.result() if f.done() else None) for f, item in futs.items()}


def returns_list(executor, task, items, timeout):
    return list(collect_within(executor, task, items, timeout).values())


def hard_coded(executor, task, items, timeout):
    return {0.01: 0.01, 0.02: 0.02, 0.03: 0.03}  # never drawn: quick items are 15-90 ms


def raises(executor, task, items, timeout):
    return 1 / 0


COLLECT_WRONG = [
    (starter, "expected a dict", "dict {item: result}"),
    (uses_map, "waiting for the slow tasks", "one deadline for the whole loop"),
    (map_with_timeout, "of the 3 quick results", "input order"),
    (no_catch, "TimeoutError escaped", "raise TimeoutError in your loop"),
    (timeout_per_future, "for a timeout of", "not a wait per task"),
    (waits_for_all, "waiting for the slow tasks", "one deadline for the whole loop"),
    (shuts_down, "waiting for the slow tasks", "shutting the executor down"),
    (keyed_by_future, "keyed by futures", "maps each future to its item"),
    (keeps_the_slow, "a slow item is in your answer", "had not finished"),
    (returns_list, "expected a dict", "dict {item: result}"),
    (hard_coded, "expected", "its own task's result"),
    (raises, "ZeroDivisionError", "read the traceback"),
]


@pytest.mark.parametrize("fn, message, hint", COLLECT_WRONG, ids=[w[0].__name__ for w in COLLECT_WRONG])
def test_collect_within_mistakes_fail_with_their_hint(fn, message, hint):
    reset_tries("futures_ex1")
    t0 = time.monotonic()
    result = check_collect_within(fn)
    assert not result.passed
    assert message in result.message, result
    assert hint in result.hint, result
    assert "Hint" in repr(result) and "More" not in repr(result)  # the fix waits for try 2
    assert time.monotonic() - t0 < 4.0
    again = check_collect_within(fn)
    assert not again.passed and again.tries == 2 and again.shows_detail and "More" in repr(again)


@pytest.mark.timeout(120)
def test_collect_within_solution_passes_20_of_20():
    for _ in range(20):
        result = check_collect_within(collect_within)
        assert result.passed, result


def test_collect_within_starter_output_gives_nothing_away():
    reset_tries("futures_ex1")
    text = repr(check_collect_within(starter))
    assert "as_completed(" not in text and "submit(" not in text


# --- exercise 2: errors that name their item -----------------------------------------------


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


def results_by_item_try(future_to_item):
    results, errors = {}, {}
    for fut, item in future_to_item.items():
        try:
            results[item] = fut.result()
        except Exception as exc:
            exc.add_note(f"item {item!r} failed")
            errors[item] = exc
    return results, errors


def named_starter(future_to_item):
    ...


def no_catch_result(future_to_item):
    return {item: f.result() for f, item in future_to_item.items()}, {}


def _split(future_to_item, on_error):
    """The loop every wrong answer below shares; on_error(item, exc) says what is stored."""
    results, errors = {}, {}
    for f, item in future_to_item.items():
        if f.exception() is None:
            results[item] = f.result()
        else:
            errors[item] = on_error(item, f.exception())
    return results, errors


def _noted(exc, note):
    exc.add_note(note)
    return exc


def no_note(future_to_item):
    return _split(future_to_item, lambda item, exc: exc)


def note_with_str(future_to_item):
    # "7" is in "7.5": a note check by substring would be fooled; the item's repr is "'7'".
    return _split(future_to_item, lambda item, exc: _noted(exc, f"while processing {item}"))


def note_after_the_loop(future_to_item):
    results, errors = no_note(future_to_item)
    for exc in errors.values():
        exc.add_note(f"while processing {list(future_to_item.values())[-1]!r}")  # one item for all
    return results, errors


def one_note_for_all(future_to_item):
    failed = [item for f, item in future_to_item.items() if f.exception() is not None]
    return _split(future_to_item, lambda item, exc: _noted(exc, f"failed: {failed!r}"))


def new_exception(future_to_item):
    return _split(future_to_item, lambda item, exc: _noted(
        RuntimeError(f"while processing {item!r}: {exc}"), f"while processing {item!r}"))


def by_future(future_to_item):
    return {f: f.exception() for f in future_to_item}, {}


def messages(future_to_item):
    results, errors = results_by_item(future_to_item)
    return results, {k: str(v) for k, v in errors.items()}


def none_for_errors(future_to_item):
    results, errors = results_by_item(future_to_item)
    results.update({item: None for item in errors})
    return results, errors


NAMED_WRONG = [
    (named_starter, "pair of dicts", "two dicts"),
    (no_catch_result, "TypeError", "raises the task's exception again"),
    (no_note, "no note", "add_note"),
    (note_with_str, "no note with '7'", "add_note"),
    (note_after_the_loop, "no note with", "add_note"),
    (one_note_for_all, "names", "add_note"),
    (new_exception, "a new RuntimeError", "very exception"),
    (by_future, "keyed by futures", "maps each future to its item"),
    (messages, "not an exception", "add_note"),
    (none_for_errors, "results should be", "has no result"),
]


@pytest.mark.parametrize("fn, message, hint", NAMED_WRONG, ids=[w[0].__name__ for w in NAMED_WRONG])
def test_errors_named_mistakes_fail_with_their_hint(fn, message, hint):
    reset_tries("futures_ex2")
    t0 = time.monotonic()
    result = check_errors_named(fn)
    assert not result.passed
    assert message in result.message, result
    assert hint in result.hint, result
    assert time.monotonic() - t0 < 4.0
    again = check_errors_named(fn)
    assert not again.passed and again.tries == 2 and again.shows_detail


@pytest.mark.parametrize("fn", [results_by_item, results_by_item_try])
def test_errors_named_solutions_pass_20_of_20(fn):
    for _ in range(20):
        result = check_errors_named(fn)
        assert result.passed, result


def test_errors_named_starter_output_gives_nothing_away():
    text = repr(check_errors_named(named_starter))
    assert "add_note(" not in text and "exception()" not in text
