"""scaling: the laws (numeric and symbolic), the sweep, and the fits on synthetic data."""

from __future__ import annotations

import math

import pytest

from parallel_demo import (Measurement, ScalingSweep, SerialWorkload, amdahl, compare_models,
                           derive_laws, describe_fit, explain_fit, describe_karp_flatt, effective_cpus,
                           fit_amdahl, fit_line, fit_usl, gustafson, karp_flatt, karp_flatt_table,
                           law_curves, measure_scaling, mystery_workload, serial_fraction_from,
                           serial_workload, sweep_sizes, usl)


# --- the laws, by hand -------------------------------------------------------

def test_amdahl_by_hand():
    # s = 0.25, p = 4: 1 / (0.25 + 0.75/4) = 1 / 0.4375
    assert amdahl(4, 0.25) == pytest.approx(1 / 0.4375)
    assert amdahl(1, 0.7) == pytest.approx(1.0)
    assert amdahl(10, 0.0) == pytest.approx(10.0)
    assert amdahl(10, 1.0) == pytest.approx(1.0)


def test_gustafson_karp_flatt_and_usl_by_hand():
    assert gustafson(4, 0.25) == pytest.approx(4 - 0.25 * 3)          # 3.25
    speedup = 1 / 0.4375
    assert karp_flatt(speedup, 4) == pytest.approx(0.25)
    assert serial_fraction_from(speedup, 4) == pytest.approx(0.25)
    assert usl(4, 0.1, 0.0) == pytest.approx(amdahl(4, 0.1))           # b = 0 is Amdahl
    assert usl(4, 0.1, 0.02) == pytest.approx(4 / (1 + 0.3 + 0.02 * 12))


@pytest.mark.parametrize("call", [lambda: amdahl(0, 0.1), lambda: amdahl(2, 1.5),
                                  lambda: karp_flatt(2.0, 1), lambda: usl(2, -0.1, 0)])
def test_bad_values_are_value_errors(call):
    with pytest.raises(ValueError):
        call()


def test_bad_types_are_type_errors():
    with pytest.raises(TypeError, match="s \\(serial fraction\\)"):
        amdahl(4, "0.1")
    with pytest.raises(TypeError):
        serial_workload(0.2, seconds="1")


@pytest.mark.timeout(60)
def test_sympy_derivations_match_hand_computed_values():
    laws = derive_laws()
    s, p, S = laws.s, laws.p, laws.S
    at = {s: 0.25, p: 4}
    assert float(laws.speedup.subs(at)) == pytest.approx(1 / 0.4375)
    assert float(laws.limit.subs({s: 0.25})) == pytest.approx(4.0)
    assert float(laws.efficiency.subs(at)) == pytest.approx(1 / 0.4375 / 4)
    assert float(laws.gustafson.subs(at)) == pytest.approx(3.25)
    assert float(laws.serial_fraction.subs({S: 1 / 0.4375, p: 4})) == pytest.approx(0.25)
    assert float(laws.karp_flatt.subs({S: 1 / 0.4375, p: 4})) == pytest.approx(0.25)
    assert laws.same_as_karp_flatt is True
    text = laws.markdown()
    assert text.count("$$") == 2 * len(laws.rows())
    assert r"\frac{1}{s}" in text


# --- the workload and the sweep ----------------------------------------------

def test_workload_splits_and_hides():
    w = serial_workload(0.25, iterations=10_000)
    assert w.serial_iterations == 2_500
    assert w.chunks(3) == [2_500] * 3
    assert "0.25" in repr(w)
    m = mystery_workload(seed=3)
    assert 0.1 <= m.serial_fraction <= 0.45 and m.hidden
    assert "hidden" in repr(m) and str(m.serial_fraction) not in repr(m)
    assert mystery_workload(seed=3).serial_fraction == m.serial_fraction


def test_sweep_sizes():
    assert sweep_sizes(1) == [1, 2, 3, 4]
    assert sweep_sizes(2) == [1, 2, 3, 4]
    assert sweep_sizes(4) == list(range(1, 9))
    big = sweep_sizes(64)
    assert big[0] == 1 and big[-1] == 128 and 64 in big and len(big) <= 12


def test_measure_scaling_rejects_bad_input():
    with pytest.raises(TypeError, match="workload"):
        measure_scaling(0.2)
    w = serial_workload(0.2, iterations=2000)
    with pytest.raises(ValueError, match="workers"):
        measure_scaling(w, [0, 2])
    with pytest.raises(TypeError, match="workers"):
        measure_scaling(w, [1, 2.5])


@pytest.mark.timeout(60)
@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_measure_scaling_structure_and_cleanup(method):
    w = serial_workload(0.5, iterations=20_000)
    sweep = measure_scaling(w, [2, 3], repeat=2, warmup=0, start_method=method)
    assert sweep.workers == [1, 2, 3]
    assert sweep.rounds == 2 and sweep.start_method == method
    assert all(t > 0 for m in sweep.measurements for t in m.times)
    assert sweep.cpus == effective_cpus()
    assert [r.workers for r in sweep.speedups()] == [1, 2, 3]
    assert "workers" in sweep.table()


# --- fits on synthetic data -------------------------------------------------

def _sweep(s: float, cpus: int, workers=(1, 2, 3, 4), noise=(1.0, 1.01, 0.99), total=0.25,
           extra=lambda p: 0.0, hidden=False) -> ScalingSweep:
    """A sweep of the model T(p) = total (s + (1-s)/min(p, cpus)) + extra(p), no measuring."""
    work = SerialWorkload(1000, total, "synthetic", s, hidden=hidden)
    ms = tuple(Measurement(f"{p} workers", tuple(
        (total * (s + (1 - s) / min(p, cpus)) + extra(p)) * f for f in noise), workers=p)
        for p in workers)
    return ScalingSweep(work, ms, cpus, "spawn")


def test_fit_line_normal_equations():
    a, b = fit_line([1.0, 0.5, 0.25], [1.0 + 2 * x for x in (1.0, 0.5, 0.25)])
    assert (a, b) == (pytest.approx(1.0), pytest.approx(2.0))
    with pytest.raises(ValueError):
        fit_line([1.0], [2.0])


@pytest.mark.parametrize("s", [0.05, 0.2, 0.4, 0.8])
def test_fit_recovers_a_known_serial_fraction(s):
    sweep = _sweep(s, cpus=8, workers=range(1, 9))
    fit = fit_amdahl(sweep)
    assert fit.s == pytest.approx(s, abs=0.01)
    assert fit.s_low <= s + 0.02 and fit.s_high >= s - 0.02
    assert fit.workers == tuple(range(1, 9))
    assert fit.a == pytest.approx(0.25 * s, rel=0.05)
    assert fit.agrees(s) and not fit.agrees(s + 0.2)
    assert "recovers it" in describe_fit(fit, sweep)


def test_describe_fit_says_when_only_the_noise_covers_the_truth():
    from dataclasses import replace

    sweep = _sweep(0.2, cpus=2)
    fit = replace(fit_amdahl(sweep), s=0.4, s_low=0.15, s_high=0.6)
    assert "rounds were noisy" in describe_fit(fit, sweep)
    assert "recovers it" in describe_fit(replace(fit, s=0.25), sweep)   # 0.05 off, not more
    off = replace(fit, s=0.6, s_low=0.5, s_high=0.7)
    assert "busy" in describe_fit(off, sweep) and "recovers" not in describe_fit(off, sweep)


def test_fit_uses_only_the_points_up_to_the_cpus():
    sweep = _sweep(0.2, cpus=2)
    fit = fit_amdahl(sweep)
    assert fit.workers == (1, 2) and fit.s == pytest.approx(0.2, abs=0.01)
    everything = fit_amdahl(sweep, upto=4)
    assert everything.s > 0.3, "points past the CPUs read as extra serial work"


def test_one_cpu_fit_says_everything_behaved_serially():
    sweep = _sweep(0.2, cpus=1)
    fit = fit_amdahl(sweep)
    assert fit.s == pytest.approx(1.0, abs=0.02)
    text = describe_fit(fit, sweep)
    assert "one CPU" in text and "faster" not in text
    assert sweep.verdict(4).word == "tie"



def test_explain_fit_adds_the_verdict_from_compare():
    sweep = _sweep(0.2, cpus=2)
    fit = fit_amdahl(sweep)
    text = explain_fit(fit, sweep)
    assert text.startswith(describe_fit(fit, sweep))
    assert f"{sweep.verdict(2).word}" in text and "The run on 2 workers" in text


def test_explain_fit_never_claims_a_parallel_win_on_one_cpu():
    sweep = _sweep(0.2, cpus=1)
    text = explain_fit(fit_amdahl(sweep), sweep)
    assert "faster" not in text and "The run on 2 workers" in text

def test_karp_flatt_flat_when_the_serial_part_is_real():
    sweep = _sweep(0.2, cpus=8, workers=range(1, 9))
    rows = karp_flatt_table(sweep)
    assert [r.workers for r in rows] == list(range(2, 9))
    assert all(r.e == pytest.approx(0.2, abs=0.01) and r.low <= r.e <= r.high for r in rows)
    assert "stayed flat" in describe_karp_flatt(rows, 8, 0.2)


def test_karp_flatt_rising_with_overhead_and_past_the_cpus():
    overhead = _sweep(0.1, cpus=8, workers=range(1, 9), extra=lambda p: 0.01 * p)
    assert "rose" in describe_karp_flatt(karp_flatt_table(overhead), 8)
    past = _sweep(0.1, cpus=4, workers=range(1, 9))
    text = describe_karp_flatt(karp_flatt_table(past), 4)
    assert "stayed flat" in text and "Past your 4 CPUs it rose" in text


def test_karp_flatt_on_one_cpu():
    text = describe_karp_flatt(karp_flatt_table(_sweep(0.2, cpus=1)), 1)
    assert "one CPU" in text


def test_usl_fit_recovers_its_coefficients():
    ps = list(range(1, 13))
    a, b = fit_usl(ps, [usl(p, 0.05, 0.01) for p in ps])
    assert a == pytest.approx(0.05, abs=1e-6) and b == pytest.approx(0.01, abs=1e-6)
    a, b = fit_usl(ps, [amdahl(p, 0.1) for p in ps])
    assert a == pytest.approx(0.1, abs=1e-6) and b == pytest.approx(0.0, abs=1e-6)
    a, b = fit_usl(ps, [p * 1.01 for p in ps])           # superlinear noise: clipped at 0
    assert a >= 0 and b >= 0


def test_model_selection_on_amdahl_data_picks_amdahl():
    c = compare_models(_sweep(0.15, cpus=16, workers=range(1, 13)))
    assert c.better == "amdahl" and c.s == pytest.approx(0.15, abs=0.01)
    assert c.amdahl_rms < 0.01
    assert "Amdahl's one number" in c.sentence()


def test_model_selection_on_contention_data_picks_usl():
    # T(p) such that the speedup follows the USL with a coherency term: it peaks, then falls.
    work = SerialWorkload(1000, 1.0, "synthetic", 0.05)
    ms = tuple(Measurement(f"{p}", tuple(1.0 / usl(p, 0.05, 0.02) * f for f in (1.0, 1.005, 0.995)),
                           workers=p) for p in range(1, 13))
    c = compare_models(ScalingSweep(work, ms, 16, "spawn"))
    assert c.better == "usl"
    assert c.b == pytest.approx(0.02, abs=0.003)
    assert c.usl_rms < c.amdahl_rms
    assert math.isfinite(c.usl_peak) and "falls" in c.sentence()


def test_law_curves():
    c = law_curves(0.1, 8, cpus=2)
    assert c.ps[0] == 1 and c.ps[-1] == 16
    assert c.at_workers == pytest.approx(amdahl(8, 0.1))
    assert c.limit == pytest.approx(10)
    assert c.gustafson[-1] == pytest.approx(gustafson(16, 0.1))


def test_karp_flatt_with_one_point_below_the_cpus_compares_with_the_truth():
    rows = karp_flatt_table(_sweep(0.2, cpus=2))
    text = describe_karp_flatt(rows, 2, 0.2)
    assert "takes in the workload's true serial fraction" in text
    assert "Past your 2 CPUs it rose" in text
    busy = karp_flatt_table(_sweep(0.2, cpus=2, extra=lambda p: 0.05 * (p > 1)))
    assert "busy" in describe_karp_flatt(busy, 2, 0.2)


def test_speedup_ranges_leave_out_the_extremes_from_five_rounds():
    # The range is verdict.compare's band of both sides: the baseline's noise counts too.
    from parallel_demo.verdict import compare

    sweep = _sweep(0.2, cpus=2, noise=(1.0, 1.01, 0.99, 3.0, 0.5))
    row = sweep.speedups()[1]
    assert row.low == pytest.approx((0.25 * 0.99) / (0.25 * 0.6 * 1.01))
    assert row.high == pytest.approx((0.25 * 1.01) / (0.25 * 0.6 * 0.99))
    v = compare(sweep.measurement(2), sweep.measurement(1))
    assert (row.speedup, row.low, row.high) == (v.ratio, v.low, v.high)
