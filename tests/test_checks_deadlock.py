"""The deadlock chapter's checkers: the model answers pass 20 of 20 times; every mistake the
chapter warns about fails, quickly, with a hint that names the concept (and, from the second
try, the specific fix); nothing is left running (the conftest fixture checks)."""

from __future__ import annotations

import random
import threading
import time

import pytest

from parallel_demo import WaitForGraph, check_find_cycle, check_philosopher, naive_philosopher, ordered_philosopher
from parallel_demo.checks._base import reset_tries
from parallel_demo.checks.deadlock import FIND_CYCLE_LIMIT

pytestmark = pytest.mark.timeout(60)


# --- philosophers -------------------------------------------------------------------------


def one_left_handed(seat, left, right, eat):
    first, second = (right, left) if seat == 0 else (left, right)
    with first, second:
        eat()


_FOOTMAN = threading.Semaphore(4)


def footman(seat, left, right, eat):
    # Four at the table at most: the five-fork cycle can never close.
    with _FOOTMAN:
        with left, right:
            eat()


def backs_off_at_random(seat, left, right, eat):
    while True:
        with left:
            if right.acquire(timeout=0.01):
                try:
                    eat()
                    return
                finally:
                    right.release()
        time.sleep(random.uniform(0, 0.01))


def random_order(seat, left, right, eat):
    first, second = random.sample([left, right], 2)
    with first, second:
        eat()


def no_forks(seat, left, right, eat):
    eat()


def forgets_to_release(seat, left, right, eat):
    first, second = sorted((left, right), key=lambda f: f.number)
    first.acquire()
    second.acquire()
    eat()
    second.release()


def seat_zero_never_tries(seat, left, right, eat):
    if seat == 0:
        time.sleep(0.001)
        return
    ordered_philosopher(seat, left, right, eat)


def does_nothing(seat, left, right, eat):
    ...


def raises(seat, left, right, eat):
    raise KeyError("fork")


# (strategy, {message: hint}, detail): a strategy may fail in more than one fitting way,
# each with its hint.  Forks taken in a random order usually dine by luck (a cycle in the
# order the forks were taken), but now and then they really deadlock.
PHILOSOPHERS_WRONG = [
    (naive_philosopher, {"deadlock in dinner": "cycle of threads"}, "lower-numbered"),
    (random_order, {"only by luck": "at random", "deadlock in dinner": "cycle of threads"},
     "lower-numbered"),
    (no_forks, {"without holding both forks": "both forks at once"}, "hold both forks"),
    (forgets_to_release, {"still held": "never released"}, "with-blocks"),
    (seat_zero_never_tries, {"never ate": "starvation"}, "turn"),
    (does_nothing, {"nobody ate": "call eat()"}, "random while"),
    (raises, {"raised KeyError": "read the error"}, ""),
]


@pytest.mark.parametrize("strategy, messages, detail", PHILOSOPHERS_WRONG,
                         ids=[w[0].__name__ for w in PHILOSOPHERS_WRONG])
def test_each_philosopher_mistake_fails_with_its_hint(strategy, messages, detail):
    reset_tries("deadlock_ex2")
    t0 = time.monotonic()
    first = check_philosopher(strategy)
    assert not first.passed, first
    matched = [m for m in messages if m in first.message]
    assert matched, first
    assert messages[matched[0]] in first.hint and not first.shows_detail, first
    assert time.monotonic() - t0 < 6.0
    again = check_philosopher(strategy, runs=2)
    assert not again.passed and again.tries == 2
    assert detail in again.more() and (again.shows_detail or not again.detail)


@pytest.mark.timeout(120)
def test_random_order_fails_every_time():
    # Passed 4 runs of 5 before the checker recorded the order forks were taken in.
    for _ in range(5):
        assert not check_philosopher(random_order, runs=2).passed


@pytest.mark.timeout(200)
def test_the_model_philosopher_passes_20_of_20():
    for _ in range(20):
        res = check_philosopher(ordered_philosopher, runs=2, seconds=0.2)
        assert res.passed, res


@pytest.mark.timeout(120)
@pytest.mark.parametrize("strategy", [one_left_handed, footman, backs_off_at_random])
def test_other_right_answers_pass(strategy):
    # The chapter names these as answers that pass too; lock order alone would fail the
    # footman (every philosopher takes left, then right), but four seats cannot close five.
    for _ in range(3):
        res = check_philosopher(strategy, runs=3)
        assert res.passed, res


def test_not_a_function():
    assert "expected a function" in check_philosopher(42).message


@pytest.mark.timeout(60)
def test_spinning_philosopher_is_stopped_too():
    # Non-blocking tries in a loop never block, so they must be cancelled too.
    def spins(seat, left, right, eat):
        while not left.acquire(blocking=False):
            pass
        while not right.acquire(blocking=False):
            pass
        eat()
        right.release()
        left.release()

    t0 = time.perf_counter()
    res = check_philosopher(spins, runs=1, seconds=0.3)
    # It may pass or starve, depending on the interleaving; what matters is that
    # the checker returns promptly and (checked by conftest) leaves no thread.
    assert time.perf_counter() - t0 < 10
    assert res.passed or res.hint


# --- find_cycle ----------------------------------------------------------------------------


def model_find_cycle(holds, waits):
    for start in waits:
        path, seen, thread = [start], {start: 0}, start
        while thread in waits:
            holder = holds.get(waits[thread])
            if holder is None:
                break
            path += [waits[thread], holder]
            if holder in seen:
                return path[2 * seen[holder]:]
            seen[holder] = len(path) // 2
            thread = holder
    return None


def walks_back_to_its_start(holds, waits):
    # Loops for ever from a thread that waits *into* a cycle it is not on.
    for start in waits:
        path, thread = [start], start
        while thread in waits:
            holder = holds.get(waits[thread])
            if holder is None:
                break
            path += [waits[thread], holder]
            if holder == start:
                return path
            thread = holder
    return None


def returns_the_lead_in(holds, waits):
    for start in waits:
        path, seen, thread = [start], {start}, start
        while thread in waits:
            holder = holds.get(waits[thread])
            if holder is None:
                break
            path += [waits[thread], holder]
            if holder in seen:
                return path  # the thread it started from is not on the cycle
            seen.add(holder)
            thread = holder
    return None


def crashes_on_free_lock(holds, waits):
    for t in waits:
        holds[waits[t]]  # KeyError when nobody holds it
    return WaitForGraph(holds, waits).cycle()


def misses_self_loop(holds, waits):
    cyc = WaitForGraph(holds, waits).cycle()
    return None if cyc and len(cyc) == 3 else cyc


def no_closing_thread(holds, waits):
    cyc = WaitForGraph(holds, waits).cycle()
    return cyc[:-1] if cyc else None


def sees_cycles_everywhere(holds, waits):
    cyc = WaitForGraph(holds, waits).cycle()
    return cyc or (["T1", "A", "T1"] if waits else None)


FIND_CYCLE_WRONG = [
    (lambda h, w: None, "missed the cycle", "follow the arrows", "[T, A, T]"),
    (walks_back_to_its_start, "checker stopped it", "*into* a cycle", "seen twice"),
    (returns_the_lead_in, "not a cycle of this graph", "waits into the cycle", "lead-in"),
    (crashes_on_free_lock, "KeyError", "nobody holds", "holds.get"),
    (misses_self_loop, "missed the cycle", "follow the arrows", "waiting for a lock it holds"),
    (no_closing_thread, "not a cycle of this graph", "ends where it began", "repeat"),
    (sees_cycles_everywhere, "which has no cycle", "come back", "return None"),
]


@pytest.mark.parametrize("find_cycle, message, hint, detail", FIND_CYCLE_WRONG,
                         ids=["returns_none"] + [w[0].__name__ for w in FIND_CYCLE_WRONG[1:]])
def test_each_find_cycle_mistake_fails_with_its_hint(find_cycle, message, hint, detail):
    reset_tries("deadlock_ex1")
    t0 = time.monotonic()
    first = check_find_cycle(find_cycle)
    assert not first.passed and message in first.message, first
    assert hint in first.hint and not first.shows_detail, first
    assert time.monotonic() - t0 < FIND_CYCLE_LIMIT + 1.5
    again = check_find_cycle(find_cycle)
    assert again.tries == 2 and again.shows_detail and detail in again.detail, again


def test_a_walk_that_loops_for_ever_is_stopped_not_abandoned():
    before = threading.active_count()
    res = check_find_cycle(walks_back_to_its_start)
    assert not res.passed and "stopped it" in res.message
    assert threading.active_count() == before  # the trace hook ended the loop


def test_the_model_find_cycle_passes_20_of_20():
    for answer in (model_find_cycle, lambda h, w: WaitForGraph(h, w).cycle()):
        for _ in range(20):
            assert check_find_cycle(answer).passed


def test_find_cycle_not_a_function():
    assert "expected a function" in check_find_cycle("cycle").message
