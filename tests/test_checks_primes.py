"""Part IV's checkers: the solutions pass, typical wrong answers get the hint they deserve."""

from __future__ import annotations

import math
import queue
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import pytest

from parallel_demo import CheckResult, check_chunksize, check_costliest, check_crossover, check_drain, check_input_order, check_pool_task, check_safe_add, check_still_running, check_thread_collect, check_timer, is_prime


def _fails(result: CheckResult, *words: str) -> None:
    assert isinstance(result, CheckResult)
    assert not result.passed, result
    text = (result.message + " " + result.hint).lower()
    for w in words:
        assert w.lower() in text, f"{w!r} not in {result!r}"


def _stub(*args, **kwargs):
    return None


# --- chapter 1 ------------------------------------------------------------------

def _median_timer(work, repeat=7):
    work()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _mean_timer(work, repeat=7):
    work()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return sum(times) / len(times)


def _no_warmup_timer(work, repeat=7):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


@pytest.mark.timeout(30)
def test_check_timer():
    assert check_timer(_median_timer).passed
    _fails(check_timer(_mean_timer), "median")
    _fails(check_timer(_no_warmup_timer), "warm-up")
    _fails(check_timer(_stub), "number")
    _fails(check_timer(lambda work, repeat=7: [work() for _ in range(8)] and 7), "ms")


def test_check_costliest():
    assert check_costliest(lambda rs: int(max(rs, key=lambda r: r.end - r.start).label)).passed
    _fails(check_costliest(lambda rs: max(rs, key=lambda r: r.end - r.start).label), "int(")
    _fails(check_costliest(lambda rs: int(max(rs, key=lambda r: r.end).label)), "durations")
    _fails(check_costliest(lambda rs: max(int(r.label) for r in rs)), "even")
    _fails(check_costliest(_stub), "999983")


# --- chapter 2 ------------------------------------------------------------------

def _threads_in_order(numbers):
    answers = [None] * len(numbers)

    def check(i, n):
        answers[i] = is_prime(n)

    ts = [threading.Thread(target=check, args=(i, n)) for i, n in enumerate(numbers)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return [n for n, a in zip(numbers, answers) if a]


def _threads_completion_order(numbers):
    found = []

    def check(n):
        time.sleep(0.001 * (len(numbers) - len(found)) if n % 2 else 0)
        if is_prime(n):
            found.append(n)

    ts = [threading.Thread(target=check, args=(n,)) for n in numbers]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return list(reversed(found)) if found == sorted(found) else found


@pytest.mark.timeout(30)
def test_check_thread_collect():
    assert check_thread_collect(_threads_in_order).passed
    _fails(check_thread_collect(lambda numbers: [n for n in numbers if is_prime(n)]), "one thread per number")
    _fails(check_thread_collect(_threads_completion_order), "order")
    _fails(check_thread_collect(_stub), "0 thread")
    # The checker put threading.Thread.start back as it was.
    assert threading.Thread.start.__name__ == "start"


def _still_running(threads, timeout):
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    return [t for t in threads if t.is_alive()]


def _forgot_is_alive(threads, timeout):
    for t in threads:
        t.join(timeout / len(threads))
    return []


def _old_spelling(threads, timeout):
    for t in threads:
        t.join(timeout)
    return [t for t in threads if t.isAlive()]


@pytest.mark.timeout(60)
def test_check_still_running():
    assert check_still_running(_still_running).passed
    _fails(check_still_running(_forgot_is_alive), "is_alive")
    _fails(check_still_running(_old_spelling), "3.9")
    _fails(check_still_running(lambda threads, timeout: list(threads)), "every thread")
    _fails(check_still_running(_stub), "list")


# --- chapter 3 ------------------------------------------------------------------

@pytest.mark.timeout(60)
def test_check_safe_add():
    def good(output, lock, n):
        with lock:
            output.add(n)

    def new_lock_each_time(output, lock, n):
        with threading.Lock():
            output.add(n)

    def no_lock(output, lock, n):
        output.add(n)

    assert check_safe_add(good).passed
    _fails(check_safe_add(new_lock_each_time), "never taken", "new lock")
    _fails(check_safe_add(no_lock), "never taken")
    _fails(check_safe_add(_stub), "nothing was added")


def _drain(q):
    items = []
    while True:
        try:
            items.append(q.get_nowait())
        except queue.Empty:
            return items


def _drain_blocking(q):
    items = []
    while True:
        item = q.get()  # waits forever once the queue is empty
        if item is None:
            return items
        items.append(item)


@pytest.mark.timeout(30)
def test_check_drain():
    assert check_drain(_drain).passed
    _fails(check_drain(_drain_blocking), "get_nowait")
    _fails(check_drain(lambda q: sorted(_drain(q), reverse=True)), "order")
    _fails(check_drain(lambda q: _drain(q)[::2]), "only 10")
    _fails(check_drain(_stub), "expected")


# --- chapter 4 ------------------------------------------------------------------

def _in_input_order(numbers):
    answers = [None] * len(numbers)
    with ThreadPoolExecutor(max_workers=4) as pool:
        position = {pool.submit(is_prime, n): i for i, n in enumerate(numbers)}
        for fut in as_completed(position):
            answers[position[fut]] = fut.result()
    return answers


def _completion_order(numbers):
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(is_prime, n) for n in numbers]
        return [f.result() for f in as_completed(futures)]


@pytest.mark.timeout(60)
def test_check_input_order():
    assert check_input_order(_in_input_order).passed
    result = check_input_order(_completion_order)
    # Completion order may happen to match input order; when it does not, the hint says why.
    if not result.passed:
        _fails(result, "position")
    _fails(check_input_order(lambda numbers: [n for n in numbers if is_prime(n)]), "one answer per number")
    _fails(check_input_order(_stub), "list")


@pytest.mark.timeout(60)
def test_check_input_order_notices_a_pool_left_running():
    pools = []

    def no_shutdown(numbers):
        pool = ThreadPoolExecutor(max_workers=2)
        pools.append(pool)
        return list(pool.map(is_prime, numbers))

    try:
        _fails(check_input_order(no_shutdown), "left running", "with-block")
    finally:
        for pool in pools:
            pool.shutdown(wait=True)


@pytest.mark.timeout(60)
def test_check_pool_task():
    def good(output):
        lock = threading.Lock()

        def task(n):
            if is_prime(n):
                with lock:
                    output.add(n)
        return task

    def unlocked(output):
        def task(n):
            if is_prime(n):
                output.add(n)
        return task

    def everything(output):
        lock = threading.Lock()

        def task(n):
            with lock:
                output.add(n)
        return task

    assert check_pool_task(good).passed
    _fails(check_pool_task(unlocked), "lost", "make_task")
    _fails(check_pool_task(everything), "only the primes")
    _fails(check_pool_task(_stub), "raised")


# --- chapter 5 ------------------------------------------------------------------

def test_check_chunksize():
    assert check_chunksize(lambda n, w: max(1, math.ceil(n / (4 * w)))).passed
    _fails(check_chunksize(lambda n, w: 1), "trips")
    _fails(check_chunksize(lambda n, w: n), "some workers get nothing")
    _fails(check_chunksize(lambda n, w: n / (4 * w)), "int")
    stub = check_chunksize(lambda n, w: None)      # the learner cell, not yet written
    _fails(stub, "returned None")
    assert "replace the ..." in stub.hint
    _fails(check_chunksize(lambda n, w: n // (4 * w)), "at least 1")


def test_check_crossover():
    def first_win(sizes, t_seq, t_proc):
        answer = None
        for size, s, p in reversed(list(zip(sizes, t_seq, t_proc))):
            if p < s:
                answer = size
            else:
                break
        return answer

    def first_ever(sizes, t_seq, t_proc):
        return next((s for s, a, b in zip(sizes, t_seq, t_proc) if b < a), None)

    assert check_crossover(first_win).passed
    _fails(check_crossover(first_ever), "every larger size")
    _fails(check_crossover(lambda sizes, a, b: sizes[-1]), "last size")
    _fails(check_crossover(lambda sizes, a, b: 1000), "none")
    _fails(check_crossover(_stub), "expected 1000")
