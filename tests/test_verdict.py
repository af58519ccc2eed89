"""verdict.py: measured comparisons become words only with repeated runs and a margin."""

import pytest

from parallel_demo import Measurement, compare, crossover, format_percent, format_ratio


def m(*times, label="x"):
    return Measurement(label, tuple(times))


@pytest.mark.parametrize("a, b, kwargs, word", [
    (m(1.0, 1.02, 0.98), m(2.0, 2.1, 1.9), {}, "faster"),
    (m(2.0, 2.1, 1.9), m(1.0, 1.02, 0.98), {}, "slower"),
    (m(1.0, 1.3, 0.9), m(1.1, 1.4, 1.0), {}, "tie"),                 # overlapping spreads
    (m(1.0, 1.0, 1.0), m(1.04, 1.04, 1.04), {}, "tie"),              # inside the 5 % margin
    (m(1.0), m(9.0), {}, "tie"),                                     # one run decides nothing
    (m(1.0, 1.0, 1.0), m(2.0, 2.0, 2.0), {"parallel": True, "cpus": 1}, "tie"),  # no parallel win on 1 CPU
    (m(1.0, 1.0, 1.0), m(2.0, 2.0, 2.0), {"parallel": True, "cpus": 2}, "faster"),
    (m(2.0, 2.0, 2.0), m(1.0, 1.0, 1.0), {"parallel": True, "cpus": 1}, "slower"),  # losing is allowed
    (m(1.0, 1.0, 1.0, 1.0, 9.0), m(2.0, 2.0, 2.0, 2.0, 2.0), {}, "faster"),   # one outlier of 5 trimmed
])
def test_verdict_table(a, b, kwargs, word):
    v = compare(a, b, **kwargs)
    assert v.word == word
    text = v.sentence("A", "B")
    assert ("faster than" in text) == (word == "faster")
    assert ("slower than" in text) == (word == "slower")
    assert ("tie" in text) == (word == "tie")


def test_one_cpu_reason_is_said():
    v = compare(m(1, 1, 1), m(2, 2, 2), parallel=True, cpus=1)
    assert "one CPU" in v.sentence() and v.tie


def test_bad_inputs():
    with pytest.raises(TypeError, match="Measurement"):
        compare(1.0, 2.0)
    with pytest.raises(ValueError, match="margin"):
        compare(m(1, 1, 1), m(1, 1, 1), margin=2)
    with pytest.raises(ValueError, match="same length"):
        crossover([1, 2], [m(1, 1, 1)], [m(1, 1, 1)])


def test_crossover_needs_a_lasting_win():
    sizes = [10, 100, 1000, 10000]
    seq = [m(t, t, t) for t in (0.01, 0.1, 1.0, 10.0)]
    par = [m(t, t, t) for t in (0.2, 0.05, 1.5, 6.0)]  # wins at 100, loses at 1000, wins at 10000
    c = crossover(sizes, par, seq, cpus=2)
    assert c.size == 10000 and "from 10000" in c.sentence("pool", "loop")
    assert crossover(sizes, seq, [m(99, 99, 99)] * 4).size == 10
    never = crossover(sizes, [m(9, 9, 9)] * 4, seq[:1] * 4)
    assert never.size is None and "stayed ahead" in never.sentence("pool", "loop")


def test_formats():
    assert format_ratio(1.934) == "1.93x" and format_ratio(27.4) == "27x"
    assert format_percent(0.0004) == "<0.1%" and format_percent(0.123) == "12%"
    assert format_percent(0.0) == "0.0%"


def test_many_runs_use_the_10th_to_90th_percentile():
    # 100 runs of microsecond work on a busy machine: a few slow outliers on each side
    # must not hide a 2.5x difference.
    a = m(*([1.0] * 90 + [9.0] * 10))
    b = m(*([2.5] * 90 + [0.5] * 10))
    assert compare(a, b).word == "faster"
    assert compare(m(*([1.0] * 85 + [9.0] * 15)), b).word == "tie"  # 15% outliers: beyond the band
