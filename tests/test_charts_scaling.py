"""The scaling charts draw what they are given, label it, and return the Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.axes import Axes

from parallel_demo import (Measurement, PredictionRun, ScalingSweep, SerialWorkload, compare_models,
                           explore_amdahl, fit_amdahl, karp_flatt_table, law_curves, plot_karp_flatt,
                           plot_laws, plot_models, plot_speedup_prediction, plot_scaling)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _sweep(s=0.2, cpus=2, hidden=False):
    work = SerialWorkload(1000, 0.25, "synthetic", s, hidden=hidden)
    ms = tuple(Measurement(f"{p}", tuple(0.25 * (s + (1 - s) / min(p, cpus)) * f
                                         for f in (1.0, 1.02, 0.98)), workers=p) for p in (1, 2, 3, 4))
    return ScalingSweep(work, ms, cpus, "spawn")


def _labelled(ax: Axes):
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_plot_scaling_draws_points_fit_truth_ideal_and_limit():
    sweep = _sweep()
    ax = plot_scaling(sweep, fit_amdahl(sweep))
    labels = _labelled(ax)
    assert any(l.startswith("Amdahl fitted: s = 0.20") for l in labels)
    assert any("true s = 0.2" in l for l in labels)
    assert any(l.startswith("ideal") for l in labels) and any("2 CPUs" in l for l in labels)
    assert any("measured" in l for l in labels)
    assert any("your CPUs: 2" in t.get_text() for t in ax.texts)
    assert "×" in ax.get_ylabel()


def test_plot_scaling_hides_a_hidden_truth():
    sweep = _sweep(hidden=True)
    labels = _labelled(plot_scaling(sweep, fit_amdahl(sweep)))
    assert not any("true s" in l for l in labels)


def test_plot_karp_flatt_on_given_axes():
    fig, ax = plt.subplots()
    sweep = _sweep()
    out = plot_karp_flatt(karp_flatt_table(sweep), ax=ax, cpus=2, truth=0.2)
    assert out is ax
    labels = _labelled(ax)
    assert any("true serial fraction" in l for l in labels)
    assert list(ax.get_xticks()) == [2, 3, 4]


def test_plot_models_has_a_residual_panel():
    ax = plot_models(compare_models(_sweep()))
    labels = _labelled(ax)
    assert any(l.startswith("Amdahl") for l in labels) and any(l.startswith("USL") for l in labels)
    res = ax.figure.axes[1]
    assert "Residuals" in res.get_title() and res.get_ylabel()
    assert len(res.patches) >= 8  # two bars per worker count (plus the noise band)


def test_plot_laws_and_explorer():
    ax = plot_laws(law_curves(0.1, 8, cpus=2))
    labels = _labelled(ax)
    assert any("Gustafson" in l for l in labels) and any("Amdahl" in l for l in labels)
    assert any("1/s = 10.0" in t.get_text() for t in ax.texts)
    ax2 = explore_amdahl(0.3, 4)
    assert "0.30" in ax2.get_title()


def test_plot_prediction():
    run = PredictionRun(2.5, 4, 0.2, 1.62, 1.55, 1.7, 2)
    ax = plot_speedup_prediction(run)
    labels = _labelled(ax)
    assert "your prediction" in labels and "measured" in labels
    assert any("your 2 CPUs" in l for l in labels)
