"""Workloads: is_prime is right, errors are clear, tasks are picklable by name."""

from __future__ import annotations

import pickle
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import parallel_demo as pd
from parallel_demo import is_prime


def test_is_prime_agrees_with_sympy_below_100000():
    mismatches = [n for n in range(-10, 100_000) if is_prime(n) != sympy.isprime(n)]
    assert mismatches == []


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=10**6, max_value=10**13))
def test_is_prime_agrees_with_sympy_on_large_numbers(n):
    assert is_prime(n) == sympy.isprime(n)


def test_is_prime_on_large_primes_and_semiprimes():
    primes = list(sympy.primerange(10**10, 10**10 + 3000))[:20]
    assert len(primes) == 20 and all(is_prime(p) for p in primes)
    # Products of two primes near 10**5 have no small factor: the hardest composites.
    small = list(sympy.primerange(10**5, 10**5 + 400))
    semiprimes = [p * q for p, q in zip(small, reversed(small))]
    assert semiprimes and not any(is_prime(n) for n in semiprimes)
    assert is_prime(2**31 - 1) and not is_prime(2**32 + 1)  # a Mersenne prime; 641 * 6700417


@pytest.mark.parametrize("bad", ["7", 7.0, None, True, [7]])
def test_is_prime_rejects_non_integers(bad):
    with pytest.raises(TypeError, match="n must be an int"):
        is_prime(bad)


def test_is_prime_error_says_what_to_do():
    with pytest.raises(TypeError, match=r"int\('7'\)"):
        is_prime("7")


def test_large_primes_are_consecutive_primes():
    ps = pd.large_primes(5, 10**6)
    assert ps == [p for p in sympy.primerange(10**6, ps[-1] + 1)]
    assert pd.large_primes(0) == []
    with pytest.raises(ValueError):
        pd.large_primes(-1)


def test_mixed_numbers_is_deterministic_and_half_prime():
    a = pd.mixed_numbers(10, 10**8, seed=1)
    assert a == pd.mixed_numbers(10, 10**8, seed=1)
    assert len(a) == 10 and sum(map(sympy.isprime, a)) == 5


def test_spin_and_count_primes():
    assert pd.spin(0) == 0 and pd.spin(10) == sum(i * i for i in range(10)) % 1_000_003
    assert pd.count_primes(0, 100) == 25
    with pytest.raises(ValueError):
        pd.spin(-1)


def test_sleep_task_validates():
    assert pd.sleep_task(0) == 0
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            pd.sleep_task(bad)
    with pytest.raises(TypeError):
        pd.sleep_task("1")


def test_hash_bytes_matches_hashlib():
    import hashlib

    assert pd.hash_bytes(1000) == hashlib.sha256(bytes(1000)).hexdigest()
    with pytest.raises(ValueError):
        pd.hash_bytes(10, rounds=0)


def test_calibrate_spin_scales_with_target():
    short, long = pd.calibrate_spin(0.001), pd.calibrate_spin(0.05)
    assert short >= 1000 and long > short
    with pytest.raises(ValueError):
        pd.calibrate_spin(0)


def test_crash_process_refuses_the_main_process():
    with pytest.raises(RuntimeError, match="worker process"):
        pd.crash_process()


@pytest.mark.parametrize("fn", [pd.is_prime, pd.spin, pd.sleep_task, pd.hash_bytes,
                                pd.count_primes, pd.crash_process])
def test_tasks_pickle_by_reference(fn):
    # Process pools send functions by name: they must round-trip as the same object.
    assert pickle.loads(pickle.dumps(fn)) is fn


def test_spin_for_keeps_busy_for_the_time_asked():
    import time

    t0 = time.perf_counter()
    rounds = pd.spin_for(0.02)
    assert time.perf_counter() - t0 >= 0.02 and rounds > 0
    assert pd.spin_for(0) == 0
    with pytest.raises(ValueError, match="seconds"):
        pd.spin_for(-1)
