"""Real threads: lost updates that show every time, and fixes that are exact every time."""

import threading

import matplotlib
import pytest

matplotlib.use("Agg")

from parallel_demo import RACE_KINDS, SharedCounter, UnsafeCounter, atomicity_table, hammer, instructions, plot_lost_updates, race_runs, stress
from parallel_demo.races import race




@pytest.mark.timeout(60)
def test_read_yield_write_loses_updates_every_run():
    for r in race_runs("yielding", 5, threads=4, increments=300):
        assert r.expected == 1200
        assert 0 < r.lost < r.expected


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["locked", "queue"])
def test_the_fixes_are_exact_every_run(kind):
    for r in race_runs(kind, 3, threads=4, increments=300):
        assert (r.value, r.lost) == (1200, 0)


@pytest.mark.timeout(60)
def test_naive_never_counts_too_many():
    r = race("naive", threads=4, increments=20_000)
    assert 0 <= r.lost <= r.expected - 20_000  # at least one thread's worth survives
    assert r.kind == "naive" and r.wall > 0


@pytest.mark.timeout(60)
def test_injected_yields_break_plus_equals():
    c = UnsafeCounter()
    result = stress(c.increment, threads=4, times=200)
    assert result.calls == 800 and not result.hung and not result.errors
    assert c.value < 800


@pytest.mark.timeout(60)
def test_atomicity_table():
    rows = {row.operation: row for row in atomicity_table(threads=4, times=150)}
    for exact in ("items.append(1)", "q.put(1)", "with lock: x += 1"):
        assert rows[exact].lost == 0, exact
    for racy in ("x += 1", "d[k] += 1", "d[k] = d.get(k, 0) + 1"):
        assert rows[racy].lost > 0, racy


def test_instructions_show_load_add_store():
    ops = instructions("x += 1")
    names = [line.split()[0] for line in ops]
    add = next(i for i, line in enumerate(ops) if line.startswith("BINARY_OP") and "+=" in line)
    assert any(n.startswith("LOAD") for n in names[:add])
    assert any(n.startswith("STORE") for n in names[add:])
    assert "RESUME" not in names


@pytest.mark.timeout(30)
def test_hammer_collects_errors_per_thread():
    def boom():
        raise ValueError("x")

    result = hammer(boom, threads=3, times=5)
    assert len(result.errors) == 3 and all(isinstance(e, ValueError) for e in result.errors)
    assert result.done == (0, 0, 0) and not result.hung


@pytest.mark.timeout(30)
def test_hammer_frees_threads_stuck_on_a_lock_never_released():
    counter = SharedCounter()

    def leaky():
        counter.lock.acquire()  # and never release
        counter.value += 1

    result = hammer(leaky, threads=3, times=2, timeout=0.5, traced=True, shared=counter)
    assert result.hung and result.stuck == 0
    assert result.calls < 6


@pytest.mark.timeout(30)
def test_hammer_reports_threads_it_cannot_free():
    gate = threading.Event()
    result = hammer(gate.wait, threads=2, times=1, timeout=0.3)
    assert result.hung and result.stuck == 2
    gate.set()
    for t in threading.enumerate():
        if t.name.startswith("hammer "):
            t.join(5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown kind"):
        race("fast")
    with pytest.raises(ValueError, match="probability"):
        hammer(print, inject_yields=2)
    assert set(RACE_KINDS) == {"naive", "calling", "yielding", "locked", "queue"}


@pytest.mark.timeout(60)
def test_plot_lost_updates():
    runs = {k: race_runs(k, 2, increments=50) for k in ("yielding", "locked")}
    ax = plot_lost_updates(runs)
    assert len(ax.lines) >= 2
    assert [t.get_text() for t in ax.get_yticklabels()] == ["yielding", "locked"]
    import matplotlib.pyplot as plt
    plt.close("all")


@pytest.mark.timeout(60)
def test_a_call_between_read_and_write_never_counts_too_many():
    for r in race_runs("calling", 2, threads=4, increments=20_000):
        assert 0 <= r.lost < r.expected
        assert r.lost_share == r.lost / r.expected


@pytest.mark.timeout(30)
def test_stall_detection_gives_up_early_and_frees_locks_in_containers():
    class Accounts:
        def __init__(self):
            self.locks = {"a": threading.Lock()}

    shared = Accounts()

    def grab():
        shared.locks["a"].acquire()  # the second call waits forever

    result = hammer(grab, threads=2, times=3, timeout=20.0, traced=True, shared=shared, stall=0.5)
    assert result.hung and result.stuck == 0
    assert result.wall < 10.0


@pytest.mark.timeout(30)
def test_queue_total_is_exact_and_leaves_nothing():
    from parallel_demo import queue_total

    assert queue_total(producers=4, each=500) == 2000
    assert queue_total(producers=1, each=0) == 0


def test_explain_functions_say_what_the_runs_show():
    from parallel_demo import RaceResult, explain_lock_cost, explain_naive, explain_runs

    exact = [RaceResult("naive", 4, 10, 40, 0.01)] * 3
    lossy = [RaceResult("yielding", 4, 10, 12, 0.01 + k * 1e-4) for k in range(5)]
    assert "all 3 runs counted to exactly 40" in explain_naive(exact)
    assert "lost updates in 5 of 5 runs" in explain_runs({"yielding": lossy})
    assert "exact in all 3 runs" in explain_runs({"naive": exact})
    slow = [RaceResult("locked", 4, 10, 40, 0.05 + k * 1e-4) for k in range(5)]
    assert "was slower than" in explain_lock_cost({"yielding": lossy, "locked": slow})
    same = [RaceResult("locked", 4, 10, 40, 0.01 + k * 1e-4) for k in range(5)]
    assert "tie within the noise" in explain_lock_cost({"yielding": lossy, "locked": same})
