"""Checkers of threads_and_the_gil: the GIL prediction, the predicted thread speedup, max overlap."""

from __future__ import annotations

import random
import threading

import pytest

from parallel_demo import check_gil_prediction, check_max_overlap
from parallel_demo.checks import gil as cgil
from parallel_demo.checks.gil import check_gil_speedup_prediction
from parallel_demo.scaling import PredictionRun
from checking import assert_fails


# --- which tasks threads help -------------------------------------------------

MODEL = {"spin": False, "is_prime": False, "hash_bytes": True, "sleep_task": True,
         "fetch_page": True}


def test_gil_prediction_model_passes_20_of_20():
    assert all(check_gil_prediction(dict(MODEL)) for _ in range(20))


@pytest.mark.parametrize("answers, hint, detail", [
    ({k: ... for k in MODEL}, "True (threads help) or False", ""),           # the starter
    ({k: False for k in MODEL}, "do help with some", "releases the GIL"),
    ({k: True for k in MODEL}, "do not help every task", "holds the GIL"),
    ({**MODEL, "hash_bytes": False}, "CPU-bound is not the same as GIL-bound", "hashlib releases"),
    ({**MODEL, "sleep_task": False}, "what its thread does most of the time", "sleeping thread"),
    ({**MODEL, "fetch_page": False}, "what its thread does most of the time", "network"),
    ({**MODEL, "spin": True}, "what its thread does most of the time", "pure-Python loop"),
    ({**MODEL, "spin": "no"}, "True (threads help) or False", ""),
    ({"spin": False}, "give True or False for each", ""),
    ([False] * 5, "map each task name", ""),
])
def test_gil_prediction_wrong_answers(answers, hint, detail):
    assert_fails(check_gil_prediction, answers, hint, detail)


def test_gil_prediction_first_hint_names_no_task_answer():
    first = check_gil_prediction({**MODEL, "hash_bytes": False})
    assert "hashlib" not in repr(first) and "releases the GIL" not in first.hint


# --- predict, then measure: threads on spin ----------------------------------

def fake(measured, low, high, cpus=2, workers=4):
    return lambda: PredictionRun(0.0, workers, 1.0, measured, low, high, cpus)


@pytest.mark.parametrize("prediction, run, hint, detail", [
    (4.0, fake(0.95, 0.8, 1.05), "which lock decides", "take turns"),      # the ideal
    (2.0, fake(0.95, 0.8, 1.05), "which lock decides", "take turns"),      # one per CPU
    (2.0, fake(1.1, 0.8, 2.3), "which lock decides", "take turns"),        # inside a wide range
    (0.3, fake(0.95, 0.8, 1.05), "not by that much", "about 1×"),
    (3.0, fake(0.95, 0.8, 1.05, cpus=8), "how many threads can run", "one at a time"),
])
def test_gil_speedup_wrong_predictions(prediction, run, hint, detail):
    def check(p):
        return check_gil_speedup_prediction(p, draw=False, _measure=run)

    assert_fails(check, prediction, hint, detail)


@pytest.mark.parametrize("prediction, hint", [
    (..., "replace the ..."), (None, "replace the ..."), ("1", "without quotes"),
    (False, "without quotes"), (float("inf"), "without quotes"), (0.0, "positive"),
])
def test_gil_speedup_malformed(prediction, hint):
    def never():
        raise AssertionError("no measurement for a malformed prediction")

    r = check_gil_speedup_prediction(prediction, draw=False, _measure=never)
    assert not r and hint in r.hint


def test_gil_speedup_model_passes_20_of_20_whatever_the_noise():
    rng = random.Random(11)
    for _ in range(20):
        measured = rng.uniform(0.6, 1.4)  # a busy machine moves the median both ways
        run = fake(measured, measured * rng.uniform(0.6, 1.0), measured * rng.uniform(1.0, 2.2),
                   cpus=rng.choice([1, 2, 4]))
        r = check_gil_speedup_prediction(1.0, draw=False, _measure=run)
        assert r, r


def test_gil_speedup_says_how_far_off_and_claims_no_parallel_win():
    r = check_gil_speedup_prediction(1.1, draw=False, _measure=fake(1.0, 0.9, 1.1, cpus=1))
    assert r and "10% too high" in r.message and "take turns" in r.message


def test_gil_speedup_on_a_free_threaded_build_expects_the_cpus(monkeypatch):
    r = cgil._judge_gil_prediction(2.0, fake(1.9, 1.7, 2.0)(), parallel_threads=True)
    assert r
    r = cgil._judge_gil_prediction(1.0, fake(1.9, 1.7, 2.0)(), parallel_threads=True)
    assert not r


def test_gil_speedup_failing_or_hanging_measurement(monkeypatch):
    def broken():
        raise RuntimeError("no threads today")

    r = check_gil_speedup_prediction(1.0, draw=False, _measure=broken)
    assert not r and "no threads today" in r.message
    release = threading.Event()
    monkeypatch.setattr(cgil, "MEASURE_TIMEOUT", 0.2)
    r = check_gil_speedup_prediction(1.0, draw=False, _measure=lambda: release.wait(5))
    release.set()
    assert not r and "stopped waiting" in r.message


@pytest.mark.timeout(60)
def test_a_real_measurement_draws_prediction_measurement_ideal_and_gil():
    import matplotlib.pyplot as plt

    r = check_gil_speedup_prediction(1.0, seconds=0.01)
    assert r, r
    labels = [t.get_text() for t in plt.gcf().axes[0].get_legend().get_texts()]
    assert {"your prediction", "ideal (speedup = threads)", "one thread at a time (the GIL)"} <= set(labels)


# --- max overlap ---------------------------------------------------------------

def model_max_overlap(records):
    events = sorted([(r.start, +1) for r in records] + [(r.end, -1) for r in records])
    running = best = 0
    for _, step in events:
        running += step
        best = max(best, running)
    return best


def test_max_overlap_model_passes_20_of_20():
    assert all(check_max_overlap(model_max_overlap) for _ in range(20))


def _starts_first(records):
    events = sorted([(r.start, 0) for r in records] + [(r.end, 1) for r in records])
    running = best = 0
    for _, kind in events:
        running += 1 if kind == 0 else -1
        best = max(best, running)
    return best


def _assumes_sorted(records):
    active, best = [], 0  # ends of the tasks still running, walking records as they come
    for r in records:
        active = [end for end in active if end > r.start] + [r.end]
        best = max(best, len(active))
    return best


def _unsorted(records):
    running = best = 0
    for r in records:
        running += 1
        best = max(best, running)
        if r.end <= records[-1].start:
            running -= 1
    return best


@pytest.mark.parametrize("wrong, hint, detail", [
    (lambda rs: None, "busiest instant", ""),                                   # the starter
    (lambda rs: 3, "records you are given", "single task"),                    # hard-coded
    (_starts_first, "only touch", "end (-1) before the start (+1)"),
    (lambda rs: len({r.worker for r in rs}), "number of threads", "end (-1) before"),
    (lambda rs: len(rs), "not all tasks", "(start, +1)"),
    (lambda rs: model_max_overlap(rs) if rs else max([]), "empty run", "return 0"),
    (_assumes_sorted, "need not come sorted", "sort the events"),
    (lambda rs: 3.0, "busiest instant", ""),
    (lambda rs: rs.nope, ".start and .end", "(start, +1)"),
    (_unsorted, "busiest instant", "(start, +1)"),
])
def test_max_overlap_wrong_answers(wrong, hint, detail):
    assert_fails(check_max_overlap, wrong, hint, detail)
