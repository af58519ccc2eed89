"""The scaling checkers against the wrong answers the chapter warns about, and the model answers."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from parallel_demo import (Measurement, PredictionRun, ScalingSweep, SerialWorkload, amdahl,
                           check_serial_fraction, check_speedup_prediction, effective_cpus,
                           fit_amdahl, measure_scaling, mystery_workload, serial_fraction_from)
from parallel_demo.checks._base import reset_tries
from parallel_demo.checks.scaling import _judge_prediction


@pytest.fixture(autouse=True)
def _fresh():
    reset_tries()
    yield
    plt.close("all")
    reset_tries()


# --- predict, then measure -----------------------------------------------------

TWO_CPUS = PredictionRun(0.0, 4, 0.2, 1.62, 1.55, 1.70, 2)   # measured near 1/(0.2 + 0.8/2)
ONE_CPU = PredictionRun(0.0, 4, 0.2, 1.00, 0.96, 1.03, 1)


@pytest.mark.parametrize("prediction, hint", [
    (amdahl(4, 0.2), "CPU"),                 # Amdahl for 4 workers, forgetting there are 2 CPUs
    (4.0, "ideal"),                          # speedup = workers
    (5.0, "limit"),                          # 1/s
    (0.5, "below 1"),
    (3.2, "Amdahl's law"),                   # just a wrong number
])
def test_prediction_wrong_answers(prediction, hint):
    first = _judge_prediction(prediction, TWO_CPUS)
    assert not first and hint in first.hint
    assert "too high" in first.message or "too low" in first.message
    assert not first.shows_detail
    second = _judge_prediction(prediction, TWO_CPUS)
    assert second.shows_detail and "min(4, effective_cpus())" in second.detail


def test_prediction_on_one_cpu_needs_the_physical_limit():
    wrong = _judge_prediction(amdahl(4, 0.2), ONE_CPU)
    assert not wrong and "1 CPU" in wrong.hint
    assert _judge_prediction(amdahl(1, 0.2), ONE_CPU)


NOISY_ONE_CPU = PredictionRun(0.0, 4, 0.2, 1.3, 0.9, 1.9, 1)   # a busy machine, range past 1


@pytest.mark.parametrize("prediction", [amdahl(4, 0.2), amdahl(2, 0.2), 1.5, 4.0])
def test_prediction_on_one_cpu_never_passes_a_parallel_win(prediction):
    result = _judge_prediction(prediction, NOISY_ONE_CPU)
    assert not result and ("1 CPU" in result.hint or "ideal" in result.hint), result


def test_one_cpu_through_the_checker_with_a_faked_machine():
    def fake(prediction, **kw):
        assert kw == {"serial_fraction": 0.2, "workers": 4, "seconds": 0.2}
        return NOISY_ONE_CPU
    wrong = check_speedup_prediction(amdahl(2, 0.2), draw=False, _measure=fake)
    assert not wrong and "1 CPU" in wrong.hint
    right = check_speedup_prediction(1.0, draw=False, _measure=fake)
    assert right and "no speedup is possible" in right.message


def test_the_processes_chapter_keywords_still_work():
    result = check_speedup_prediction(4.0, exercise="processes_predict", section="the section X",
                                      draw=False, _measure=lambda p, **kw: TWO_CPUS)
    assert not result and "the section X" in result.hint


def test_prediction_model_answer_passes_on_synthetic_runs():
    assert _judge_prediction(amdahl(min(4, 2), 0.2), TWO_CPUS)
    busy = PredictionRun(0.0, 4, 0.2, 1.2, 1.1, 1.3, 2)   # the machine was loaded
    result = _judge_prediction(amdahl(2, 0.2), busy)
    assert result and "busy" in result.message


@pytest.mark.parametrize("value, text", [(..., "empty"), ("1.6", "must be a number"),
                                         (True, "must be a number"), (-1.0, "above 0"),
                                         (float("nan"), "finite")])
def test_prediction_bad_input_fails_without_measuring(value, text):
    result = check_speedup_prediction(value)
    assert not result and text in result.message


@pytest.mark.timeout(120)
def test_prediction_model_solution_passes_repeatedly():
    cpus = effective_cpus()
    passed = 0
    for _ in range(20):
        result = check_speedup_prediction(amdahl(min(4, cpus), 0.2), seconds=0.05, draw=False)
        passed += bool(result)
    assert passed == 20


@pytest.mark.timeout(60)
def test_prediction_checker_draws_the_chart():
    check_speedup_prediction(2.0, seconds=0.05)
    ax = plt.gcf().axes[0]
    assert "prediction" in ax.get_title()


# --- the hidden serial fraction -------------------------------------------------

def _sweep(s=0.3, cpus=2, noise=(1.0, 1.01, 0.99), workers=(1, 2, 3, 4)):
    work = SerialWorkload(1000, 0.25, "mystery", s, hidden=True)
    ms = tuple(Measurement(f"{p}", tuple(0.25 * (s + (1 - s) / min(p, cpus)) * f for f in noise),
                           workers=p) for p in workers)
    return ScalingSweep(work, ms, cpus, "spawn")


SWEEP = _sweep()


@pytest.mark.parametrize("value, hint", [
    (30.0, "percentage"),                      # s in percent
    (0.7, "parallel fraction"),                # 1 - s
    (1 / 0.65, "speedup"),                     # S(2)
    (0.25 * 0.3, "seconds"),                   # the fit's a, in seconds
    (fit_amdahl(SWEEP, upto=4).s, "past your CPUs"),  # fitted on every point
    (0.77, "efficiency"),                      # S(2) / 2
    (-0.2, "negative"),
    (0.6, "Fit Amdahl's model"),
])
def test_serial_fraction_wrong_answers(value, hint):
    first = check_serial_fraction(value, SWEEP)
    assert not first and hint in first.hint, first
    second = check_serial_fraction(value, SWEEP)
    assert second.shows_detail and "fit_amdahl" in second.detail


@pytest.mark.parametrize("value, sweep, text", [(..., SWEEP, "empty"), ("0.3", SWEEP, "number"),
                                                (0.3, [1.0, 0.6], "sweep you measured")])
def test_serial_fraction_bad_input(value, sweep, text):
    result = check_serial_fraction(value, sweep)
    assert not result and text in result.message


def test_serial_fraction_right_answers():
    assert check_serial_fraction(0.3, SWEEP)
    assert check_serial_fraction(fit_amdahl(SWEEP).s, SWEEP)
    row = SWEEP.speedups()[1]
    assert check_serial_fraction(serial_fraction_from(row.speedup, 2), SWEEP)


def test_serial_fraction_on_one_cpu_accepts_what_the_measurement_says():
    flat = _sweep(cpus=1)
    result = check_serial_fraction(fit_amdahl(flat).s, flat)
    assert result and "one CPU" in result.message
    assert not check_serial_fraction(0.05, flat)


def test_busy_machine_fit_passes_with_a_note():
    # A sweep whose 2-worker runs were slowed: the fit is off the truth, and says so.
    work = SerialWorkload(1000, 0.25, "mystery", 0.2, hidden=True)
    ms = (Measurement("1", (0.25, 0.252, 0.248), workers=1),
          Measurement("2", (0.2, 0.202, 0.198), workers=2))
    busy = ScalingSweep(work, ms, 2, "spawn")
    fit = fit_amdahl(busy)
    result = check_serial_fraction(fit.s, busy)
    assert result and "busy" in result.message


@pytest.mark.timeout(120)
def test_mystery_model_solution_passes_on_real_runs():
    for seed in range(3):
        sweep = measure_scaling(mystery_workload(seed, seconds=0.1), repeat=2)
        assert check_serial_fraction(fit_amdahl(sweep).s, sweep)
