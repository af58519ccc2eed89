"""checks/_base.py: what every checker shares."""

from __future__ import annotations

import pytest

from parallel_demo.checks._base import is_number, is_real, is_whole


@pytest.mark.parametrize("value, expected", [
    (1, True), (2.5, True), (0, True), (-3, True),
    (True, False), (False, False), ("2", False), (None, False), (..., False),
    (float("nan"), False), (float("inf"), False), ([1], False),
])
def test_is_number_means_a_finite_real_typed_as_one(value, expected):
    assert is_number(value) is expected


@pytest.mark.parametrize("value, real, whole", [
    (1, True, True), (0, True, True), (-3, True, True), (2.5, True, False), (2.0, True, False),
    (float("nan"), True, False), (float("inf"), True, False),
    (True, False, False), (False, False, False), ("2", False, False), (None, False, False),
])
def test_is_real_and_is_whole_refuse_bools_and_strings(value, real, whole):
    assert is_real(value) is real and is_whole(value) is whole


def test_measure_for_check_returns_the_value_or_a_failed_verdict_that_says_why():
    import threading

    from parallel_demo.checks._base import measure_for_check

    value, failed = measure_for_check("ex_base", lambda a, b: a + b, 2, 3)
    assert (value, failed) == (5, None)

    def broken():
        raise OSError("no such device")

    value, failed = measure_for_check("ex_base", broken, on_error="run the setup cell first")
    assert value is None and not failed.passed
    assert "The measurement failed: OSError: no such device" in failed.message
    assert failed.hint == "run the setup cell first"

    release = threading.Event()
    try:
        value, failed = measure_for_check("ex_base", release.wait, what="The sweep", timeout=0.2,
                                          retry="run the checker again")
        assert value is None and not failed.passed
        assert "The sweep had not returned after 0.2 s" in failed.message
        assert "very busy: run the checker again in a moment" in failed.hint
    finally:
        release.set()   # the abandoned daemon thread ends, so no thread is left behind
