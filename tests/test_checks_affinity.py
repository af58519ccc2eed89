"""Checkers of concurrency_vs_parallelism: classification, CPUs executing, a predicted speedup."""

from __future__ import annotations

import random

import pytest

from parallel_demo import SCENARIOS, check_classification, check_cpus_executing
from parallel_demo.checks import affinity as caff
from parallel_demo.checks.affinity import KINDS, check_process_speedup_prediction
from parallel_demo.scaling import PredictionRun


# --- classification ----------------------------------------------------------

MODEL_KINDS = {"a": "concurrent only", "b": "concurrent only", "c": "parallel",
               "d": "neither", "e": "concurrent only"}


def test_classification_model_passes_20_of_20():
    assert set(MODEL_KINDS) == set(SCENARIOS) and set(MODEL_KINDS.values()) <= set(KINDS)
    assert all(check_classification(dict(MODEL_KINDS)) for _ in range(20))


@pytest.mark.parametrize("answers, hint, detail", [
    ({k: "?" for k in SCENARIOS}, "exactly one of", ""),                      # the starter
    ({**MODEL_KINDS, "a": "parallel"}, "two questions", "take turns"),
    ({**MODEL_KINDS, "b": "parallel"}, "two questions", "sleeping thread executes nothing"),
    ({**MODEL_KINDS, "c": "concurrent only"}, "two questions", "parallelism"),
    ({**MODEL_KINDS, "d": "concurrent only"}, "two questions", "nothing overlaps"),
    ({**MODEL_KINDS, "e": "parallel"}, "two questions", "GIL"),                 # the chapter's warning
    ({k: "parallel" for k in SCENARIOS}, "not all have the same answer", "take turns"),
    ({k: "concurrent only" for k in SCENARIOS}, "not all have the same answer", "parallelism"),
    (["parallel"] * 5, "dict", ""),
    ({"a": "parallel"}, "one answer per id", ""),
    ({**MODEL_KINDS, "c": "Parallel!"}, "exactly one of", ""),
])
def test_classification_wrong_answers(answers, hint, detail):
    first = check_classification(answers)
    assert not first and hint in first.hint, first
    if detail:
        assert detail not in first.hint  # the first hint names the questions, not the answer
        second = check_classification(answers)
        assert second.shows_detail and detail in second.detail, second


# --- CPUs executing ---------------------------------------------------------

def model_cpus_executing(records, timed):
    wall = max(r.end for r in records) - min(r.start for r in records)
    return sum(t.cpu for t in timed) / wall


def _wall(rs):
    return max(r.end for r in rs) - min(r.start for r in rs)


def test_cpus_executing_model_passes_20_of_20():
    assert all(check_cpus_executing(model_cpus_executing) for _ in range(20))


@pytest.mark.parametrize("wrong, hint, detail", [
    (lambda rs, ts: 0.0, "Two words, two meanings", "sum(t.cpu"),                 # the starter
    (lambda rs, ts: 0.98, "records and results you are given", "sum(t.cpu"),      # hard-coded
    (lambda rs, ts: sum(r.end - r.start for r in rs) / _wall(rs), "concurrency", "instead of the bar lengths"),
    (lambda rs, ts: sum(t.cpu / t.wall for t in ts) / len(ts), "average share", "whole run"),
    (lambda rs, ts: sum(t.cpu for t in ts), "number of seconds", "divide the CPU seconds"),
    (lambda rs, ts: sum(t.cpu for t in ts) / sum(r.end - r.start for r in rs), "first start",
     "busy time"),
    (lambda rs, ts: 1 / model_cpus_executing(rs, ts), "bigger number", "upside down"),
    (lambda rs, ts: sum(t.cpu for t in ts) / len(rs), "first start", "number of tasks"),
    (lambda rs, ts: rs.missing, ".cpu and .wall", "max(r.end)"),
    (lambda rs, ts: "0.98", "one number", ""),
])
def test_cpus_executing_wrong_answers(wrong, hint, detail):
    first = check_cpus_executing(wrong)
    assert not first and hint in first.hint, first
    assert "0.98" not in first.message  # the expected value is not given away
    if detail:
        second = check_cpus_executing(wrong)
        assert second.shows_detail and detail in second.detail, second


# --- predict, then measure --------------------------------------------------

def fake(measured, low, high, cpus, workers=4):
    return lambda: PredictionRun(0.0, workers, 0.0, measured, low, high, cpus)


@pytest.mark.parametrize("prediction, run, hint", [
    (4.0, fake(1.9, 1.7, 2.0, cpus=2), "how many does this kernel have"),   # ideal, CPUs ignored
    (2.0, fake(1.0, 0.9, 1.05, cpus=1), "with one CPU"),                    # one CPU: no gain
    (0.5, fake(1.9, 1.7, 2.0, cpus=2), "slower"),
    (6.0, fake(1.9, 1.7, 2.0, cpus=2), "cannot do more than 4 times"),
    (3.0, fake(1.9, 1.7, 2.0, cpus=2), "execute at the same instant"),
    (1.4, fake(1.9, 1.5, 2.0, cpus=2), "execute at the same instant"),     # inside the range, off the median
])
def test_process_prediction_wrong_answers(prediction, run, hint):
    first = check_process_speedup_prediction(prediction, draw=False, _measure=run)
    assert not first and hint in first.hint, first
    second = check_process_speedup_prediction(prediction, draw=False, _measure=run)
    assert second.shows_detail and "min(workers, CPUs)" in second.detail


@pytest.mark.parametrize("prediction, hint", [
    (..., "replace the ..."), (None, "replace the ..."), ("2", "without quotes"),
    (True, "without quotes"), (float("nan"), "without quotes"), (0, "positive"), (-1, "positive"),
])
def test_process_prediction_malformed(prediction, hint):
    def never():
        raise AssertionError("no measurement for a malformed prediction")

    r = check_process_speedup_prediction(prediction, draw=False, _measure=never)
    assert not r and hint in r.hint


def test_process_prediction_model_passes_20_of_20_whatever_the_noise():
    rng = random.Random(10)
    for _ in range(20):
        cpus = rng.choice([1, 2, 4, 8])
        ideal = min(4, cpus)
        measured = ideal * rng.uniform(0.55, 1.0)  # a busy machine pulls it down
        run = fake(measured, measured * 0.8, measured * 1.1, cpus)
        r = check_process_speedup_prediction(float(min(4, cpus)), draw=False, _measure=run)
        assert r, r


def test_one_cpu_verdict_claims_no_parallel_win():
    r = check_process_speedup_prediction(1.0, draw=False, _measure=fake(0.97, 0.9, 1.0, cpus=1))
    assert r and "never parallel" in r.message and "no gain" in r.message


def test_the_message_says_how_far_off():
    r = check_process_speedup_prediction(2.0, draw=False, _measure=fake(1.6, 1.5, 1.7, cpus=2))
    assert r and "25% too high" in r.message


def test_a_failing_or_hanging_measurement_is_reported(monkeypatch):
    def broken():
        raise RuntimeError("pool broke")

    r = check_process_speedup_prediction(2.0, draw=False, _measure=broken)
    assert not r and "pool broke" in r.message
    import threading
    release = threading.Event()
    monkeypatch.setattr(caff, "MEASURE_TIMEOUT", 0.2)
    r = check_process_speedup_prediction(2.0, draw=False, _measure=lambda: release.wait(5))
    release.set()
    assert not r and "stopped waiting" in r.message


@pytest.mark.timeout(60)
def test_a_real_measurement_draws_prediction_measurement_and_ideal():
    import matplotlib.pyplot as plt

    from parallel_demo import effective_cpus

    r = check_process_speedup_prediction(float(min(4, effective_cpus())), seconds=0.1)
    assert r, r
    ax = plt.gcf().axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "your prediction" in labels and "measured" in labels
