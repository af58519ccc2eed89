"""The chapter's checkers: the model answers pass, every mistake the chapter warns about fails
with its own hint, quickly, and nothing is left running."""

from __future__ import annotations

import threading
import time
from collections import deque

import pytest

from parallel_demo.checks._base import reset_tries
from parallel_demo.checks.primitives import PHASES, check_barrier_prediction, check_bounded_buffer

pytestmark = pytest.mark.timeout(60)


class Model:
    """Two conditions on one lock, wait in while loops, notify one waiter of the other side."""

    def __init__(self, capacity):
        self.capacity = capacity
        self.items = deque()
        self.lock = threading.Lock()
        self.not_full = threading.Condition(self.lock)
        self.not_empty = threading.Condition(self.lock)

    def put(self, item):
        with self.not_full:
            while len(self.items) >= self.capacity:
                self.not_full.wait()
            self.items.append(item)
            self.not_empty.notify()

    def get(self):
        with self.not_empty:
            while not self.items:
                self.not_empty.wait()
            item = self.items.popleft()
            self.not_full.notify()
            return item


class WaitFor:
    def __init__(self, capacity):
        self.capacity = capacity
        self.items = deque()
        self.cond = threading.Condition()

    def put(self, item):
        with self.cond:
            self.cond.wait_for(lambda: len(self.items) < self.capacity)
            self.items.append(item)
            self.cond.notify_all()

    def get(self):
        with self.cond:
            self.cond.wait_for(lambda: self.items)
            item = self.items.popleft()
            self.cond.notify_all()
            return item


class Starter:
    def __init__(self, capacity):
        self.capacity = capacity
        self.items = deque()

    def put(self, item):
        ...

    def get(self):
        ...


class IfNotWhile(Model):
    def get(self):
        with self.not_empty:
            if not self.items:
                self.not_empty.wait()
            item = self.items.popleft()
            self.not_full.notify()
            return item


class IfNotWhileInPut(Model):
    def put(self, item):
        with self.not_full:
            if len(self.items) >= self.capacity:
                self.not_full.wait()
            self.items.append(item)
            self.not_empty.notify()


class Spins(Model):
    def get(self):
        while not self.items:
            pass
        with self.lock:
            item = self.items.popleft()
            self.not_full.notify()
            return item


class SleepPolls(Model):
    def get(self):
        while True:
            with self.lock:
                if self.items:
                    item = self.items.popleft()
                    self.not_full.notify()
                    return item
            time.sleep(0.001)


class SpinsHoldingTheLock(Model):
    def get(self):
        with self.lock:
            while not self.items:
                pass
            return self.items.popleft()


class NotifyOutsideTheLock(Model):
    def put(self, item):
        with self.not_full:
            while len(self.items) >= self.capacity:
                self.not_full.wait()
            self.items.append(item)
        self.not_empty.notify()


class ForgetsToNotify(Model):
    def put(self, item):
        with self.not_full:
            while len(self.items) >= self.capacity:
                self.not_full.wait()
            self.items.append(item)


class NeverWaitsWhenFull(Model):
    def put(self, item):
        with self.not_full:
            self.items.append(item)
            self.not_empty.notify()


class Lifo(Model):
    def get(self):
        with self.not_empty:
            while not self.items:
                self.not_empty.wait()
            item = self.items.pop()
            self.not_full.notify()
            return item


class NoItems:
    def __init__(self, capacity):
        self.queue = []


WRONG = [
    (Starter, "get() returned None", "put() appends"),
    (IfNotWhile, "returned after a wake-up", "spurious or stolen"),
    (IfNotWhileInPut, "returned after a wake-up", "spurious or stolen"),
    (Spins, "polling", "sleep until it is notified"),
    (SleepPolls, "polling", "sleep until it is notified"),
    (SpinsHoldingTheLock, "polling", "sleep until it is notified"),
    (NotifyOutsideTheLock, "un-acquired", "lock held"),
    (ForgetsToNotify, "did not wake", "notifies the same condition"),
    (NeverWaitsWhenFull, "returned at once", "must wait"),
    (Lifo, "then get() twice gave", "first in, first out"),
    (NoItems, "no self.items", "self.items"),
]


@pytest.mark.parametrize("buffer, message, hint", WRONG, ids=[w[0].__name__ for w in WRONG])
def test_each_mistake_fails_with_its_hint(buffer, message, hint):
    reset_tries("sync_ex1")
    t0 = time.monotonic()
    result = check_bounded_buffer(buffer)
    assert not result.passed
    assert message in result.message, result
    assert hint in result.hint, result
    assert time.monotonic() - t0 < 5.0
    again = check_bounded_buffer(buffer)  # the second try shows the specific fix, if it has one
    assert again.tries == 2 and (again.shows_detail or not again.detail)


def test_lifo_message_shows_what_came_back():
    result = check_bounded_buffer(Lifo)
    assert "['b', 'a']" in result.message


@pytest.mark.timeout(200)
@pytest.mark.parametrize("buffer", [Model, WaitFor])
def test_models_pass_20_of_20(buffer):
    for _ in range(20):
        result = check_bounded_buffer(buffer)
        assert result.passed, result


def test_not_a_class():
    assert "expected a class" in check_bounded_buffer(42).message


# --- predict, then measure ---------------------------------------------------------------

RIGHT_MS = 1000 * sum(max(row[p] for row in PHASES) for p in range(3))


@pytest.mark.parametrize("answer, detail", [
    (1000 * max(sum(r) for r in PHASES), "busiest worker"),
    (1000 * sum(sum(r) for r in PHASES), "one after another"),
    (30, "phase by phase"),
])
def test_wrong_predictions_fail_with_a_hint(answer, detail):
    reset_tries("sync_ex2")
    result = check_barrier_prediction(answer, runs=3)
    assert not result.passed and "barrier" in result.hint and detail in result.detail
    assert "you predicted" in result.message and "median" in result.message


@pytest.mark.parametrize("answer", ["190", None, True, -5, 0])
def test_not_a_prediction(answer):
    result = check_barrier_prediction(answer, runs=1)
    assert not result.passed and "number" in result.hint or "positive" in result.hint


@pytest.mark.timeout(120)
def test_the_right_prediction_passes_every_time():
    for _ in range(20):
        result = check_barrier_prediction(RIGHT_MS, runs=3, draw=False)
        assert result.passed, result


def test_the_check_draws_the_prediction():
    import matplotlib.pyplot as plt

    plt.close("all")
    assert check_barrier_prediction(RIGHT_MS, runs=2).passed
    ax = plt.gcf().axes[0]
    assert "prediction" in [t.get_text() for t in ax.get_legend().get_texts()][1]
