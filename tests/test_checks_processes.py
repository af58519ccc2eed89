"""The processes_done_right checkers: the model answers pass 20 runs of 20, every mistake the
chapter warns about fails with a hint that fits (the concept first, the fix on the second try),
quickly, and nothing is left running (the conftest fixture checks)."""

from __future__ import annotations

import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from parallel_demo import check_index_plan, check_retry_plan
from parallel_demo.checks._base import reset_tries
from parallel_demo.checks.processes import (POOL_SERIAL_FRACTION, POOL_WORKERS,
                                            check_pool_speedup_prediction)
from parallel_demo.checks.scaling import _judge_prediction
from parallel_demo.scaling import PredictionRun, amdahl

pytestmark = pytest.mark.timeout(60)


# --- exercise 1: balanced index ranges ------------------------------------------------------


def plan_ranges(n_rows, tasks):
    size, extra = divmod(n_rows, tasks)
    bounds = [0]
    for k in range(min(tasks, n_rows)):
        bounds.append(bounds[-1] + size + (k < extra))
    return list(zip(bounds, bounds[1:]))


def plan_ranges_floor(n_rows, tasks):
    cuts = [k * n_rows // tasks for k in range(tasks + 1)]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def plan_ranges_as_range_objects(n_rows, tasks):
    return [range(a, b) for a, b in plan_ranges(n_rows, tasks)]


def starter(n_rows, tasks):
    ...


def ceil_step(n_rows, tasks):
    # The chapter's own even split, applied where the rows do not divide evenly.
    step = -(-n_rows // tasks)
    return [(a, min(a + step, n_rows)) for a in range(0, n_rows, step)]


def floor_step_drops_tail(n_rows, tasks):
    step = max(1, n_rows // tasks)
    return [(k * step, (k + 1) * step) for k in range(min(tasks, n_rows))]


def remainder_to_the_last(n_rows, tasks):
    step = max(1, n_rows // tasks)
    plan = [(k * step, (k + 1) * step) for k in range(min(tasks, n_rows))]
    plan[-1] = (plan[-1][0], n_rows)
    return plan


def inclusive_stop(n_rows, tasks):
    return [(a, b + 1) for a, b in plan_ranges(n_rows, tasks)]


def every_index(n_rows, tasks):
    return [list(range(a, b)) for a, b in plan_ranges(n_rows, tasks)]


def one_range(n_rows, tasks):
    return [(0, n_rows)]


def empty_ranges(n_rows, tasks):
    cuts = [k * n_rows // tasks for k in range(tasks + 1)]
    return list(zip(cuts, cuts[1:]))


def reversed_order(n_rows, tasks):
    return plan_ranges(n_rows, tasks)[::-1]


def raises(n_rows, tasks):
    return n_rows / 0


PLAN_WRONG = [
    (starter, "returned None", "list of (start, stop) pairs"),
    (ceil_step, "plan_ranges(10, 4) gives blocks of", "same number of rows"),
    (floor_step_drops_tail, "leaves rows out", "remainder"),
    (remainder_to_the_last, "gives blocks of", "same number of rows"),
    (inclusive_stop, "in two ranges", "stop exclusive"),
    (every_index, "more than (start, stop) pairs", "two ints"),
    (one_range, "1 range(s)", "number of tasks"),
    (empty_ranges, "empty or reversed range", "same number of rows"),
    (reversed_order, "out of order", "rows' order"),
    (raises, "ZeroDivisionError", "traceback"),
]


@pytest.mark.parametrize("fn, message, hint", PLAN_WRONG, ids=[w[0].__name__ for w in PLAN_WRONG])
def test_index_plan_mistakes_fail_with_their_hint(fn, message, hint):
    reset_tries("processes_ex1")
    t0 = time.monotonic()
    result = check_index_plan(fn)
    assert not result.passed
    assert message in result.message, result
    assert hint in result.hint, result
    assert time.monotonic() - t0 < 4.0
    again = check_index_plan(fn)
    assert not again.passed and again.tries == 2 and again.shows_detail


@pytest.mark.parametrize("fn", [plan_ranges, plan_ranges_floor, plan_ranges_as_range_objects])
def test_index_plan_solutions_pass_20_of_20(fn):
    for _ in range(20):
        result = check_index_plan(fn)
        assert result.passed, result


def test_index_plan_hint_does_not_give_the_formula_first():
    reset_tries("processes_ex1")
    first = check_index_plan(ceil_step)
    assert "divmod" not in repr(first)
    assert "divmod" in repr(check_index_plan(ceil_step))


def test_index_plan_gives_up_on_a_hang():
    def hangs(n_rows, tasks):
        import threading

        threading.Event().wait(3)  # longer than the checker's 2 s; ends on its own
        return []

    result = check_index_plan(hangs)
    assert not result.passed and "stopped waiting" in result.message
    time.sleep(1.2)  # let the abandoned daemon thread finish before the leftover check


# --- exercise 2: what to retry after a crash ------------------------------------------------


def to_retry(future_to_index):
    return sorted(i for f, i in future_to_index.items()
                  if isinstance(f.exception(), BrokenProcessPool))


def retry_starter(future_to_index):
    ...


def every_failure(future_to_index):
    return sorted(i for f, i in future_to_index.items() if f.exception() is not None)


def everything(future_to_index):
    return sorted(future_to_index.values())


def futures_not_indexes(future_to_index):
    return [f for f in future_to_index if isinstance(f.exception(), BrokenProcessPool)]


def calls_result(future_to_index):
    return [i for f, i in future_to_index.items() if f.result() is None]


def falsy_results(future_to_index):
    # A finished task that returned 0 or None is not a failure.
    return sorted(i for f, i in future_to_index.items()
                  if f.exception() is not None and isinstance(f.exception(), BrokenProcessPool)
                  or (f.exception() is None and not f.result()))


def all_but_value_error(future_to_index):
    return sorted(i for f, i in future_to_index.items()
                  if f.exception() is not None and not isinstance(f.exception(), ValueError))


def unsorted(future_to_index):
    picked = to_retry(future_to_index)
    return picked[::-1] if len(picked) > 1 else picked


def hard_coded(future_to_index):
    return [2, 4]


RETRY_WRONG = [
    (retry_starter, "sorted list of indexes", "indexes"),
    (every_failure, "raised an ordinary exception", "BrokenProcessPool means"),
    (everything, "finished futures", "keeps its result"),
    (futures_not_indexes, "returned futures", "index"),
    (calls_result, "your function raised", "exception() returns it"),
    (falsy_results, "returned 0 or None", "keeps its result"),
    (all_but_value_error, "raised an ordinary exception", "BrokenProcessPool means"),
    (unsorted, "not sorted", "sorted"),
]


@pytest.mark.parametrize("fn, message, hint", RETRY_WRONG, ids=[w[0].__name__ for w in RETRY_WRONG])
def test_retry_plan_mistakes_fail_with_their_hint(fn, message, hint):
    reset_tries("processes_ex2")
    t0 = time.monotonic()
    result = check_retry_plan(fn)
    assert not result.passed
    assert message in result.message + " " + result.hint, result
    assert hint in result.hint, result
    assert time.monotonic() - t0 < 4.0
    again = check_retry_plan(fn)
    assert not again.passed and again.tries == 2 and again.shows_detail


def test_retry_plan_hard_coded_answer_fails():
    # The futures are shuffled every check: [2, 4] is right in about 1 check of 120.
    results = [check_retry_plan(hard_coded).passed for _ in range(10)]
    assert results.count(True) <= 1


def test_retry_plan_solution_passes_20_of_20():
    for _ in range(20):
        result = check_retry_plan(to_retry)
        assert result.passed, result


# --- exercise 3: predict the speedup, then measure it ---------------------------------------

RIGHT_ON_TWO = amdahl(2, POOL_SERIAL_FRACTION)


def _run(prediction, measured, cpus):
    return PredictionRun(prediction, POOL_WORKERS, POOL_SERIAL_FRACTION, measured,
                         measured * 0.95, measured * 1.05, cpus)


@pytest.mark.parametrize("prediction, hint", [
    (2.0, "ideal line"),
    (0.5, "slower"),
    (4.0, "Amdahl's limit"),
    (1.2, "Amdahl's law for s = 0.25"),
])
def test_wrong_pool_predictions_fail_with_a_hint(prediction, hint):
    reset_tries("processes_predict")
    result = _judge_prediction(prediction, _run(prediction, RIGHT_ON_TWO, 2),
                               exercise="processes_predict", section="x")
    assert not result.passed and hint in result.hint, result
    assert "you predicted" in result.message and "measured" in result.message
    again = _judge_prediction(prediction, _run(prediction, RIGHT_ON_TWO, 2),
                              exercise="processes_predict", section="x")
    assert again.tries == 2 and "amdahl(min(2" in again.detail


def test_one_cpu_never_claims_a_win():
    # On one CPU the measurement is about 1x; Amdahl on 2 workers is then wrong, 1.0 is right.
    assert not _judge_prediction(RIGHT_ON_TWO, _run(RIGHT_ON_TWO, 1.0, 1))
    result = _judge_prediction(1.0, _run(1.0, 1.0, 1))
    assert result.passed and "faster" not in result.message


@pytest.mark.parametrize("answer", [..., None, "1.8", True])
def test_not_a_prediction(answer):
    result = check_pool_speedup_prediction(answer, draw=False)
    assert not result.passed and ("number" in result.hint or "number" in result.message)


@pytest.mark.timeout(120)
def test_pool_prediction_measures_and_draws():
    import matplotlib.pyplot as plt

    from parallel_demo import effective_cpus

    plt.close("all")
    result = check_pool_speedup_prediction(amdahl(min(2, effective_cpus()), POOL_SERIAL_FRACTION),
                                           seconds=0.08)
    assert "you predicted" in result.message or "Well predicted" in result.message
    labels = [t.get_text() for t in plt.gcf().axes[0].get_legend().get_texts()]
    assert "your prediction" in labels and "measured" in labels
