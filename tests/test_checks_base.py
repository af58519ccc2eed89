"""checks/_base.py: what every checker shares."""

from __future__ import annotations

import pytest

from parallel_demo.checks._base import is_number


@pytest.mark.parametrize("value, expected", [
    (1, True), (2.5, True), (0, True), (-3, True),
    (True, False), (False, False), ("2", False), (None, False), (..., False),
    (float("nan"), False), (float("inf"), False), ([1], False),
])
def test_is_number_means_a_finite_real_typed_as_one(value, expected):
    assert is_number(value) is expected
