"""The race chapter's checkers: the solution passes, typical mistakes get the right hint."""

import threading

import pytest

from parallel_demo import check_counter, check_losing_interleavings
from parallel_demo import explore, increment
from parallel_demo import UnsafeCounter

pytestmark = pytest.mark.timeout(60)




class Safe:
    def __init__(self):
        self.value = 0
        self._lock = threading.Lock()

    def increment(self):
        with self._lock:
            self.value += 1


class LockPerCall:
    def __init__(self):
        self.value = 0

    def increment(self):
        with threading.Lock():
            self.value += 1


class NeverReleases(Safe):
    def increment(self):
        self._lock.acquire()
        self.value += 1


class TakesItsLockTwice(Safe):
    def _add(self):
        with self._lock:
            self.value += 1

    def increment(self):
        with self._lock:
            self._add()


class AddsTwo(Safe):
    def increment(self):
        with self._lock:
            self.value += 2


class SharedClassCount:
    value = 0
    lock = threading.Lock()

    def increment(self):
        with self.lock:
            SharedClassCount.value += 1


def test_the_solution_passes():
    result = check_counter(Safe)
    assert result.passed, result
    assert "exact every time" in result.message


def test_an_rlock_passes_too():
    class WithRLock(Safe):
        def __init__(self):
            super().__init__()
            self._lock = threading.RLock()

    assert check_counter(WithRLock).passed


@pytest.mark.parametrize("make, message, hint", [
    (UnsafeCounter, "updates were lost", "three steps"),
    (LockPerCall, "updates were lost", "new in every call"),
    (NeverReleases, "number 2 never returned", "left its lock held"),
    (TakesItsLockTwice, "first increment() never returned", "not re-entrant"),
    (AddsTwo, "after 3 increments in one thread", "exactly 1"),
    (SharedClassCount, "starts at", "on the instance"),
    (lambda: 3, "no increment() method", "increment(self)"),
    (lambda x: x, "make_counter() raised TypeError", "no arguments"),
])
def test_typical_mistakes_get_the_right_hint(make, message, hint):
    if make is SharedClassCount:
        SharedClassCount.value = 7  # left over from an earlier run of the learner's cell
    result = check_counter(make)
    assert not result.passed
    assert message in result.message, result
    assert hint in result.hint, result


def test_an_exception_is_reported():
    class Raises(Safe):
        def increment(self):
            raise KeyError("oops")

    result = check_counter(Raises)
    assert not result.passed and "KeyError" in result.message


def test_losing_interleavings_answer_matches_the_explorer():
    ex = explore([increment(c) for c in "ABC"])
    losing = len(ex.where(lambda e: e.final["counter"] < 3))
    assert check_losing_interleavings(losing).passed
    assert losing == 1674


@pytest.mark.parametrize("answer, hint", [
    (6, "subtract"), (1678, "3 choices"), (1680, "counts to 3"), (18, "1680 interleavings"),
    (5000, "1680 interleavings in all"), ("1674", "int"), (100, "whole threads"),
])
def test_wrong_predictions_get_hints(answer, hint):
    result = check_losing_interleavings(answer)
    assert not result.passed and hint in result.hint, result


# --- the bank exercise ---------------------------------------------------------------

from parallel_demo import check_bank
from parallel_demo import UnsafeBank


class OneBankLock:
    def __init__(self, balances):
        self.balances = dict(balances)
        self._lock = threading.Lock()

    def transfer(self, src, dst, amount):
        with self._lock:
            self.balances[src] -= amount
            self.balances[dst] += amount


class OrderedAccountLocks:
    def __init__(self, balances):
        self.balances = dict(balances)
        self._locks = {name: threading.Lock() for name in balances}

    def transfer(self, src, dst, amount):
        first, second = sorted((src, dst))
        with self._locks[first], self._locks[second]:
            self.balances[src] -= amount
            self.balances[dst] += amount


class SourceLockFirst(OrderedAccountLocks):
    def transfer(self, src, dst, amount):
        with self._locks[src]:
            with self._locks[dst]:
                self.balances[src] -= amount
                self.balances[dst] += amount


class Doubles(OneBankLock):
    def transfer(self, src, dst, amount):
        with self._lock:
            self.balances[src] -= amount
            self.balances[dst] += 2 * amount


@pytest.mark.parametrize("make", [OneBankLock, OrderedAccountLocks])
def test_bank_solutions_pass(make):
    result = check_bank(make)
    assert result.passed, result


@pytest.mark.parametrize("make, message, hint", [
    (UnsafeBank, "money was", "read-modify-write"),
    (SourceLockFirst, "never finished", "fixed order"),
    (Doubles, "after transfer('A', 'B', 1)", "nothing else"),
    (lambda: None, "make_bank(balances) raised TypeError", "one argument"),
    (lambda b: b, "has no transfer() method", "transfer(self"),
])
def test_bank_mistakes_get_the_right_hint(make, message, hint):
    result = check_bank(make)
    assert not result.passed
    assert message in result.message, result
    assert hint in result.hint, result


def test_a_deadlock_is_reported_long_before_the_timeout():
    import time

    t0 = time.perf_counter()
    assert not check_bank(SourceLockFirst, timeout=30.0).passed
    assert time.perf_counter() - t0 < 20.0  # the stall detector, not the 30 s timeout
