"""Shared fixtures: every test must leave no thread or process behind."""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time

import matplotlib
import pytest

matplotlib.use("Agg")  # charts draw off-screen in tests


from parallel_demo._hang import live_threads as _alive_threads  # the book's own detector


@pytest.fixture(autouse=True)
def no_leftover_workers(request):
    """Fail a test that leaves a thread or a child process running.

    Tests marked ``browser`` share one Playwright session for the whole module, whose
    driver threads live until the module ends; they are exempt.
    """
    if request.node.get_closest_marker("browser"):
        yield
        return
    before = {t.ident for t in threading.enumerate()}
    interval = sys.getswitchinterval()
    yield
    assert sys.getswitchinterval() == interval, "a test changed the switch interval and left it"
    deadline = time.monotonic() + 2.0  # a just-released thread may need a moment to exit
    while (_alive_threads(before) or multiprocessing.active_children()) and time.monotonic() < deadline:
        time.sleep(0.01)
    left = _alive_threads(before)
    children = multiprocessing.active_children()
    assert not left, f"threads left running: {[t.name for t in left]}"
    assert not children, f"processes left running: {children}"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(autouse=True)
def fresh_tries():
    """Every test starts with no failed tries counted: a checker shows its detail from the second."""
    from parallel_demo.checks._base import reset_tries

    reset_tries()
    yield
    reset_tries()
