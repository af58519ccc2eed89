"""_validate.py: one policy: TypeError for a type, ValueError for a value, the name and value said."""

import math

import pytest

from parallel_demo._validate import (check_callable, check_choice, check_int, check_items,
                                     check_number, check_seconds)


@pytest.mark.parametrize("call, error, words", [
    (lambda: check_int("workers", "2"), TypeError, "workers must be an int, got str '2'"),
    (lambda: check_int("workers", True), TypeError, "got bool True"),
    (lambda: check_int("workers", 2.0), TypeError, "got float 2.0"),
    (lambda: check_int("workers", 0, minimum=1), ValueError, "workers must be at least 1, got 0"),
    (lambda: check_int("n", 99, maximum=10), ValueError, "n must be at most 10, got 99"),
    (lambda: check_seconds("timeout", -1), ValueError, "timeout must be > 0 seconds, got -1"),
    (lambda: check_seconds("timeout", 0), ValueError, "> 0"),
    (lambda: check_seconds("timeout", math.inf), ValueError, "finite"),
    (lambda: check_seconds("timeout", "1"), TypeError, "number of seconds"),
    (lambda: check_seconds("timeout", None), TypeError, "got None"),
    (lambda: check_callable("fn", 3), TypeError, "fn must be callable"),
    (lambda: check_choice("kind", "x", ["a", "b"]), ValueError, "kind must be one of 'a', 'b'; got 'x'"),
    (lambda: check_items("items", 3), TypeError, "items must be iterable"),
    (lambda: check_items("items", "abc"), TypeError, "wrap a single item"),
    (lambda: check_items("items", [], allow_empty=False), ValueError, "must not be empty"),
    (lambda: check_number("s", 1.5, low=0, high=1), ValueError, "s must satisfy"),
])
def test_errors_name_the_parameter_and_value(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_good_values_pass_through():
    assert check_int("n", 3, minimum=1) == 3
    assert check_seconds("t", 0, allow_zero=True) == 0.0
    assert check_seconds("t", None, allow_none=True) is None
    assert check_items("items", range(3)) == [0, 1, 2]
    assert check_callable("fn", len) is len
