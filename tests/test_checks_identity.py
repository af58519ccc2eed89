"""Checkers of threads_vs_processes: the model passes, every wrong answer fails with a fitting hint."""

from __future__ import annotations

import threading
import time

import pytest

from parallel_demo import check_pool_pays_off, check_run_in_thread, check_same_thread
from checking import assert_fails


# --- same thread -------------------------------------------------------------

def model_same_thread(a, b):
    return (a.pid, a.ident) == (b.pid, b.ident)


def test_same_thread_models_pass_20_of_20():
    assert all(check_same_thread(model_same_thread) for _ in range(20))
    assert check_same_thread(lambda a, b: a.native_id == b.native_id)


@pytest.mark.parametrize("wrong, hint, detail", [
    (lambda a, b: a.ident == b.ident, "unique across the whole machine", "Compare the pid too"),  # the starter
    (lambda a, b: a.thread_name == b.thread_name, "unique across the whole machine", "Compare the pid too"),
    (lambda a, b: a.pid == b.pid, "unique across the whole machine", "same pid means the same process"),
    (lambda a, b: a == b, "look different from one moment to the next", "not whole records"),
    (lambda a, b: (a.pid, a.ident, a.threads) == (b.pid, b.ident, b.threads),
     "look different from one moment to the next", "thread count changes"),
    (lambda a, b: True, "unique across the whole machine", "Compare the pid too"),
    (lambda a, b: False, "look different", "same record twice"),
    (lambda a, b: a.tid == b.tid, ".native_id", ""),
    (lambda a, b: "yes", "bool", ""),
])
def test_same_thread_wrong_answers(wrong, hint, detail):
    assert_fails(check_same_thread, wrong, hint, detail)


# --- run in thread -----------------------------------------------------------

def model_run_in_thread(func, *args):
    box = {}

    def target():
        try:
            box["result"] = func(*args)
        except BaseException as exc:
            box["error"] = exc

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


@pytest.mark.timeout(60)
def test_run_in_thread_model_passes_20_of_20():
    assert all(check_run_in_thread(model_run_in_thread) for _ in range(20))


def starter(func, *args):
    t = threading.Thread(target=func, args=args)
    t.start()
    t.join()


def loses_exception(func, *args):
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("r", func(*args)))
    t.start()
    t.join()
    return box.get("r")


def swallows_exception(func, *args):
    box = {}

    def target():
        try:
            box["r"] = func(*args)
        except Exception:
            pass

    t = threading.Thread(target=target)
    t.start()
    t.join()
    return box.get("r")


def returns_exception(func, *args):
    try:
        return model_run_in_thread(func, *args)
    except Exception as exc:
        return exc


def wraps_exception(func, *args):
    try:
        return model_run_in_thread(func, *args)
    except Exception as exc:
        raise RuntimeError("failed") from exc


def _sleeper(seconds):
    def sleeps_instead_of_join(func, *args):
        box = {}

        def target():
            try:
                box["result"] = func(*args)
            except BaseException as exc:
                box["error"] = exc

        threading.Thread(target=target).start()
        time.sleep(seconds)  # "long enough", instead of join()
        if "error" in box:
            raise box["error"]
        return box.get("result")
    return sleeps_instead_of_join


_started = []


def no_join(func, *args):
    box = {}
    t = threading.Thread(target=lambda: (box.setdefault("r", func(*args)), time.sleep(0.3)))
    _started.append(t)
    t.start()
    while "r" not in box and t.is_alive():
        time.sleep(0.001)
    return box.get("r")


@pytest.fixture(autouse=True)
def join_what_wrong_answers_left():
    yield
    while _started:
        _started.pop().join(5)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("wrong, hint, detail", [
    (starter, "throws away its target's return value", "Thread.join() returns None"),
    (lambda func, *args: func(*args), "caller's thread", "create a threading.Thread"),
    (_sleeper(0.01), "until the thread has finished", "not with time.sleep()"),
    (_sleeper(0.2), "until the thread has finished", "not with time.sleep()"),
    (_sleeper(0.6), "waited longer than the thread needed", "not with time.sleep()"),
    (loses_exception, "never reaches join()", "catch it inside the target"),
    (swallows_exception, "Future.result() raises", "raise exc"),
    (returns_exception, "Future.result() raises", "raise exc"),
    (wraps_exception, "own exception type", "re-raise the caught exception object"),
    (no_join, "returns only when its thread has ended", "join() the thread"),
    (lambda func: func(), "must call func(*args)", "args=args"),
])
def test_run_in_thread_wrong_answers(wrong, hint, detail):
    assert_fails(check_run_in_thread, wrong, hint, detail)
    for t in _started:
        t.join(5)


# --- pool pays off -----------------------------------------------------------

def model_pool_pays_off(work, startup, workers):
    return startup + work / workers < work


def test_pool_pays_off_model_passes_20_of_20():
    assert all(check_pool_pays_off(model_pool_pays_off) for _ in range(20))


@pytest.mark.parametrize("wrong, hint, detail", [
    (lambda w, s, k: k > 1, "more than what they cost", "forgot the start-up cost"),  # the starter
    (lambda w, s, k: w / k < w, "a price the loop does not pay", "forgot the start-up cost"),
    (lambda w, s, k: s + w < w, "depends on the numbers", "startup + work / workers"),   # always False
    (lambda w, s, k: s < w, "both sides matter", "not enough"),
    (lambda w, s, k: s + w / k <= w, "exactly as long as the loop", "use <, not <="),
    (lambda w, s, k: s + w / k < w or k == 1, "plus its start-up", "startup + work / workers"),
    (lambda w, s, k: True, "depends on the numbers", "startup + work / workers"),
    (lambda w, s, k: False, "depends on the numbers", "startup + work / workers"),
    (lambda w, s, k: "yes", "comparison", ""),
    (lambda w, s: True, "seconds", "startup + work / workers"),
])
def test_pool_pays_off_wrong_answers(wrong, hint, detail):
    assert_fails(check_pool_pays_off, wrong, hint, detail)


def test_pool_pays_off_first_hint_and_message_hide_the_formula():
    first = check_pool_pays_off(lambda w, s, k: k > 1)
    assert "work / workers" not in repr(first) and "0.150" not in repr(first)
