"""The race chapter's checkers: the model answers pass 20 of 20 times; every mistake the
chapter warns about fails, quickly, with a hint that names the concept (and, from the second
try, the specific fix); nothing is left running (the conftest fixture checks)."""

import threading
import time

import pytest

from parallel_demo.checks._base import reset_tries

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


@pytest.mark.timeout(120)
def test_the_solution_passes_20_of_20():
    for _ in range(20):
        result = check_counter(Safe, rounds=1)
        assert result.passed, result
    assert "exact every time" in result.message


def test_an_rlock_passes_too():
    class WithRLock(Safe):
        def __init__(self):
            super().__init__()
            self._lock = threading.RLock()

    assert check_counter(WithRLock).passed


COUNTER_WRONG = [
    (UnsafeCounter, "updates were lost", "three steps", "with self._lock"),
    (LockPerCall, "updates were lost", "same* lock object", "new in every call"),
    (NeverReleases, "number 2 never returned", "needs its release()", "with self._lock"),
    (TakesItsLockTwice, "first increment() never returned", "not re-entrant", "RLock"),
    (AddsTwo, "after 3 increments in one thread", "exactly 1", ""),
    (SharedClassCount, "starts at", "on the instance", ""),
    (lambda: 3, "no increment() method", "increment(self)", ""),
    (lambda x: x, "make_counter() raised TypeError", "no arguments", ""),
]


@pytest.mark.parametrize("make, message, hint, detail", COUNTER_WRONG,
                         ids=[getattr(w[0], "__name__", "lambda") for w in COUNTER_WRONG])
def test_typical_mistakes_get_the_right_hint(make, message, hint, detail):
    reset_tries("race_ex1")
    if make is SharedClassCount:
        SharedClassCount.value = 7  # left over from an earlier run of the learner's cell
    t0 = time.monotonic()
    result = check_counter(make)
    assert not result.passed
    assert message in result.message, result
    assert hint in result.hint and not result.shows_detail, result
    assert "with self._lock: self.value += 1" not in result.hint  # the answer waits for try 2
    assert time.monotonic() - t0 < 6.0
    if make is SharedClassCount:
        SharedClassCount.value = 7
    again = check_counter(make)
    assert again.tries == 2 and detail in again.more() and (again.shows_detail or not again.detail)


def test_a_lock_never_released_says_how_to_recover_within_seconds():
    # Like safe_add with acquire() and no release(): bounded, and the message says what now.
    t0 = time.monotonic()
    result = check_counter(NeverReleases)
    assert time.monotonic() - t0 < 10.0
    assert "nothing is left running" in result.message or "Restart" in result.message


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
    reset_tries("race_ex2")
    check_losing_interleavings(answer)
    result = check_losing_interleavings(answer)  # the second try: the specific hint too
    assert not result.passed and hint in result.hint + result.more(), result


def test_the_right_prediction_passes_20_of_20():
    assert all(check_losing_interleavings(1674).passed for _ in range(20))


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


class TwoCriticalSections(OneBankLock):
    # Every balance right at the end, but the money is in neither account in between.
    def transfer(self, src, dst, amount):
        with self._lock:
            self.balances[src] -= amount
        with self._lock:
            self.balances[dst] += amount


class AccountLocksOneAtATime(OrderedAccountLocks):
    def transfer(self, src, dst, amount):
        with self._locks[src]:
            self.balances[src] -= amount
        with self._locks[dst]:
            self.balances[dst] += amount


class WithRLock(OneBankLock):
    def __init__(self, balances):
        super().__init__(balances)
        self._lock = threading.RLock()


class NeverReleasesBank(OneBankLock):
    def transfer(self, src, dst, amount):
        self._lock.acquire()
        self.balances[src] -= amount
        self.balances[dst] += amount


@pytest.mark.timeout(200)
@pytest.mark.parametrize("make", [OneBankLock, OrderedAccountLocks, WithRLock])
def test_bank_solutions_pass_20_of_20(make):
    for _ in range(20):
        result = check_bank(make, rounds=1)
        assert result.passed, result


BANK_WRONG = [
    (UnsafeBank, "while holding no lock", "read-modify-write", "both updates"),
    (SourceLockFirst, "only by luck", "opposite orders", "sorted((src, dst))"),
    (TwoCriticalSections, "under another", "invariant", "one with-block"),
    (AccountLocksOneAtATime, "under another", "invariant", "one with-block"),
    (NeverReleasesBank, "never returned", "already holds", "release every lock"),
    (Doubles, "after transfer('A', 'B', 1)", "nothing else", ""),
    (lambda: None, "make_bank(balances) raised TypeError", "one argument", ""),
    (lambda b: b, "has no transfer() method", "transfer(self", ""),
]


@pytest.mark.parametrize("make, message, hint, detail", BANK_WRONG,
                         ids=[getattr(w[0], "__name__", "lambda") for w in BANK_WRONG])
def test_bank_mistakes_get_the_right_hint(make, message, hint, detail):
    reset_tries("race_ex3")
    t0 = time.monotonic()
    result = check_bank(make)
    assert not result.passed
    assert message in result.message, result
    assert hint in result.hint and not result.shows_detail, result
    assert time.monotonic() - t0 < 6.0
    again = check_bank(make)
    assert again.tries == 2 and detail in again.more() and (again.shows_detail or not again.detail)


@pytest.mark.parametrize("make", [SourceLockFirst, TwoCriticalSections])
def test_bank_verdicts_do_not_depend_on_luck(make):
    # Before the lock order and the holds were recorded, these passed or failed by chance.
    assert not any(check_bank(make, rounds=1).passed for _ in range(5))


def test_a_deadlock_in_the_stress_rounds_is_reported_long_before_the_timeout(monkeypatch):
    from parallel_demo.checks import races as checks_races

    # Skip the one-way pass, so that the stress rounds meet the deadlock for real.
    monkeypatch.setattr(checks_races, "_one_way_at_a_time", lambda *a: None)
    t0 = time.perf_counter()
    result = check_bank(SourceLockFirst, timeout=30.0)
    assert not result.passed and "never finished" in result.message
    assert time.perf_counter() - t0 < 20.0  # the stall detector, not the 30 s timeout
