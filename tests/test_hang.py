"""_hang.py: one deadline for many joins; nothing waits longer than it was told."""

import threading
import time

import pytest

from parallel_demo._hang import (Deadline, check_start_method, join_threads, leftovers,
                                 live_threads, wait_event, wait_until)


def test_join_threads_uses_one_deadline_for_all():
    release = threading.Event()
    threads = [threading.Thread(target=release.wait, daemon=True) for _ in range(5)]
    for t in threads:
        t.start()
    t0 = time.monotonic()
    stuck = join_threads(threads, timeout=0.3)
    took = time.monotonic() - t0
    assert len(stuck) == 5
    assert took < 0.3 * 5 / 2  # not 5 x 0.3 s: one deadline (generous bound)
    release.set()
    assert join_threads(threads, timeout=5) == []


def test_unstarted_threads_are_skipped():
    assert join_threads([threading.Thread(target=print)], timeout=0.1) == []


def test_waits_return_false_at_the_deadline():
    assert wait_until(lambda: False, 0.05) is False
    assert wait_until(lambda: True, 0.05) is True
    assert wait_event(threading.Event(), 0.05) is False
    assert Deadline(0).passed


def test_leftovers_sees_a_thread_and_waits_for_ending_ones():
    before = {t.ident for t in threading.enumerate()}
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, name="lingering", daemon=True)
    t.start()
    assert any("lingering" in x for x in leftovers(before, grace=0.05))
    assert t in live_threads(before)
    stop.set()
    assert leftovers(before, grace=2.0) == []


def test_start_method_check():
    assert check_start_method(None) is None
    with pytest.raises(ValueError, match="not available here"):
        check_start_method("thread")
    with pytest.raises(TypeError, match="must be a str"):
        check_start_method(3)
