"""The free-threading chapter's checkers: model answers pass, the chapter's mistakes get fitting hints."""

from __future__ import annotations

import threading

import pytest

from parallel_demo import check_atomic_operations, check_thread_speedup_prediction
from parallel_demo.checks import free_threading as cft
from parallel_demo.free_threading import BuildInfo, build_info
from parallel_demo.workloads import large_primes

pytestmark = pytest.mark.timeout(120)

GIL = BuildInfo("3.13.5", "cpython", free_threaded_build=False, gil_enabled=True)
FREE = BuildInfo("3.14.0", "cpython", free_threaded_build=True, gil_enabled=False)
REENABLED = BuildInfo("3.14.0", "cpython", free_threaded_build=True, gil_enabled=True,
                      gil_setting="1")


def fake(measured, low, high, cpus=2):
    return lambda: (measured, low, high, cpus)


@pytest.mark.parametrize("predicted, info, measured, hint", [
    (..., GIL, (1.0, 0.9, 1.1), "type your prediction as a plain number"),
    ("2", GIL, (1.0, 0.9, 1.1), "type your prediction as a plain number"),
    (float("nan"), GIL, (1.0, 0.9, 1.1), "type your prediction as a plain number"),
    (-1, GIL, (1.0, 0.9, 1.1), "above 0"),
    (0, GIL, (1.0, 0.9, 1.1), "above 0"),
    (8, GIL, (1.0, 0.9, 1.1), "no pool beats the ideal"),
    (2.0, GIL, (1.0, 0.9, 1.1), "which lock decides"),           # ideal scaling under the GIL
    (1.0, FREE, (1.9, 1.7, 2.0), "this kernel has no GIL"),      # GIL habits on a free build
    (0.3, GIL, (1.0, 0.9, 1.1), "what decides"),
    # A noisy measurement never makes a parallel win on a GIL build pass.
    (2.0, GIL, (1.3, 0.9, 1.7), "which lock decides"),
    (1.8, REENABLED, (1.0, 0.9, 1.1), "is its GIL off right now"),  # the GIL came back
    (0.5, FREE, (1.9, 1.7, 2.0), "this kernel has no GIL"),
])
def test_wrong_predictions_fail_with_a_fitting_hint(predicted, info, measured, hint):
    result = check_thread_speedup_prediction(predicted, info=info, draw=False,
                                             _measure=fake(*measured))
    assert not result.passed and hint in result.hint, result


@pytest.mark.parametrize("info", [GIL, FREE, REENABLED])
@pytest.mark.parametrize("predicted", [1.6, 2.0, 1.3])
def test_one_cpu_never_passes_a_parallel_win(info, predicted):
    # Faked CPU count: one CPU, and a noisy measurement whose range reaches past 1.
    result = check_thread_speedup_prediction(predicted, info=info, draw=False,
                                             _measure=fake(1.2, 0.9, 1.8, cpus=1))
    assert not result.passed and "one CPU" in result.hint, result


@pytest.mark.parametrize("info", [GIL, FREE])
def test_one_cpu_model_passes_without_claiming_parallelism(info):
    result = check_thread_speedup_prediction(1.0, info=info, draw=False,
                                             _measure=fake(1.15, 0.9, 1.3, cpus=1))
    assert result.passed and "no pool runs two tasks at once" in result.message, result


def test_the_second_try_shows_the_specific_fix():
    first = check_thread_speedup_prediction(2.0, info=GIL, draw=False, _measure=fake(1.0, .9, 1.1))
    second = check_thread_speedup_prediction(2.0, info=GIL, draw=False, _measure=fake(1.0, .9, 1.1))
    assert not first.shows_detail and second.shows_detail
    assert "expect about 1x" in repr(second) and "expect about 1x" not in repr(first)


def test_the_message_says_how_far_off():
    result = check_thread_speedup_prediction(1.2, info=GIL, draw=False, _measure=fake(1.0, .9, 1.1))
    assert result.passed and "20% above" in result.message


def test_a_failing_measurement_is_reported():
    def broken():
        raise RuntimeError("no CPUs today")
    result = check_thread_speedup_prediction(1.0, info=GIL, draw=False, _measure=broken)
    assert not result.passed and "measurement failed" in result.message


def test_a_measurement_that_hangs_is_abandoned_in_time(monkeypatch):
    monkeypatch.setattr(cft, "MEASURE_TIMEOUT", 0.2)
    release = threading.Event()
    try:
        result = check_thread_speedup_prediction(1.0, info=GIL, draw=False,
                                                 _measure=lambda: release.wait(30))
        assert not result.passed and "stopped waiting" in result.message
    finally:
        release.set()


def test_the_model_prediction_passes_on_a_real_measurement_20_times():
    info = build_info()
    from parallel_demo import effective_cpus

    model = effective_cpus() * 0.9 if info.threads_run_python_in_parallel else 1.0
    items = large_primes(2)
    for _ in range(20):
        result = check_thread_speedup_prediction(model, items=items, draw=False, info=info)
        assert result.passed, result


def test_the_checker_draws_the_prediction():
    import matplotlib.pyplot as plt

    check_thread_speedup_prediction(1.0, info=GIL, _measure=fake(1.0, .9, 1.1))
    ax = plt.gcf().axes[0]
    assert "your prediction" in ax.get_title()


MODEL = {op: truth for op, (truth, _) in cft.ATOMIC_FACTS.items()}


@pytest.mark.parametrize("answers, hint", [
    ("all of them", "map each operation"),
    ({}, "answer each of"),
    ({op: ... for op in MODEL}, "True (atomic) or False"),
    ({op: True for op in MODEL}, "the GIL used to hide the difference"),   # the chapter's warning
    ({op: False for op in MODEL}, "some are safe"),
    ({**MODEL, "lst[i] += 1": True}, "one call that does its whole job"),
    ({**MODEL, "if k in d: del d[k]": True, "d.pop(k, None)": False}, "one call"),
])
def test_wrong_atomicity_answers(answers, hint):
    result = check_atomic_operations(answers)
    assert not result.passed and hint in result.hint, result


def test_atomicity_detail_names_the_wrong_ones_on_the_second_try():
    wrong = {**MODEL, "lst[i] += 1": True}
    check_atomic_operations(wrong)
    second = check_atomic_operations(wrong)
    assert second.shows_detail and "lst[i] += 1: a read, an add and a write" in second.detail


def test_atomicity_model_passes():
    assert check_atomic_operations(dict(MODEL)).passed
