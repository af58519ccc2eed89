"""charts/_style.py: the time unit and the one lane drawer."""

import pytest

from parallel_demo.charts._style import MIN_BAR, Bar, draw_lanes, new_axes, time_unit


@pytest.mark.parametrize("span, unit", [(20e-6, "µs"), (1.5e-3, "µs"), (0.02, "ms"), (1.9, "ms"),
                                        (3.0, "s")])
def test_time_unit_picks_microseconds_too(span, unit):
    assert time_unit(span)[1] == unit


def test_draw_lanes_keeps_tiny_bars_visible_and_labels_lanes():
    ax = new_axes()
    scale, unit = draw_lanes(ax, [Bar(0, 0.0, 1e-6), Bar(1, 0.0, 1.0, text="1")], ["a", "b"],
                             t0=0.0, span=1.0)
    assert unit == "ms" and scale == 1e3
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths[0] == pytest.approx(1e3 * MIN_BAR)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert ax.get_xlabel() == "time since start (ms)"
