"""The interleaving explorer, checked against answers worked out by hand."""

import itertools
import math
import threading

import matplotlib
import pytest

matplotlib.use("Agg")

from parallel_demo.interleave import acquire, add, compute, read, release, thread, write
from parallel_demo import explore, increment, interleavings, plot_execution, plot_interleavings, plot_outcomes, run_schedule

pytestmark = pytest.mark.timeout(60)


def two():
    return [increment("A"), increment("B")]


def brute_force(threads, initial=0):
    """An independent count: every distinct arrangement of the thread letters, simulated."""
    letters = "".join(t.name * len(t) for t in threads)
    outcomes = {}
    for order in set(itertools.permutations(letters)):
        shared, tmp, pos = initial, {}, {t.name: 0 for t in threads}
        for name in order:
            kind = ("read", "add", "write")[pos[name] % 3]
            pos[name] += 1
            if kind == "read":
                tmp[name] = shared
            elif kind == "add":
                tmp[name] += 1
            else:
                shared = tmp[name]
        outcomes[shared] = outcomes.get(shared, 0) + 1
    return outcomes


def test_two_increments_have_20_interleavings_and_18_lose():
    ex = explore(two())
    assert len(ex) == math.comb(6, 3) == 20
    assert ex.outcomes("counter") == {1: 18, 2: 2}
    exact = {e.names for e in ex.where(lambda e: e.final["counter"] == 2)}
    assert exact == {"AAABBB", "BBBAAA"}  # only the serial orders
    assert len({e.names for e in ex}) == 20  # all distinct


def test_schedules_are_in_lexicographic_order_with_serial_runs_at_the_ends():
    schedules = list(interleavings(two()))
    assert schedules == sorted(schedules)
    assert schedules[0] == (0, 0, 0, 1, 1, 1) and schedules[-1] == (1, 1, 1, 0, 0, 0)


def test_three_threads_match_brute_force():
    threads = [increment(c) for c in "ABC"]
    ex = explore(threads)
    assert len(ex) == math.factorial(9) // math.factorial(3) ** 3 == 1680
    assert ex.outcomes("counter") == brute_force(threads)
    assert ex.outcomes("counter")[3] == 6  # 3! serial orders


def test_one_thread_incrementing_twice_against_one_incrementing_once():
    threads = [increment("A"), increment("B", times=2)]
    ex = explore(threads)
    assert len(ex) == math.comb(9, 3) == 84
    # Exact only if all of A fits before, between or after B's two increments.
    assert ex.outcomes("counter")[3] == 3
    assert ex.outcomes("counter") == brute_force(threads)


def test_initial_values_shift_the_outcomes():
    assert explore(two(), {"counter": 10}).outcomes("counter") == {11: 18, 12: 2}


def test_a_lock_allows_only_the_serial_orders_and_none_loses():
    threads = [increment("A", lock="L"), increment("B", lock="L")]
    ex = explore(threads)
    assert [e.names for e in ex] == ["AAAAABBBBB", "BBBBBAAAAA"]  # of C(10, 5) = 252 orders
    assert ex.outcomes("counter") == {2: 2}


def test_a_lock_only_one_thread_takes_protects_nothing():
    threads = [increment("A", lock="L"), increment("B")]
    ex = explore(threads)
    assert len(ex) == math.comb(8, 3) == 56  # B never waits, so every order is possible
    assert ex.outcomes("counter")[1] > 0


def test_work_outside_the_lock_still_interleaves():
    a = thread("A", read("x", "mine"), add("mine"), acquire(), read("counter"), add(),
               write("counter"), release())
    b = thread("B", acquire(), read("counter"), add(), write("counter"), release())
    ex = explore([a, b])
    assert ex.outcomes("counter") == {2: len(ex)}
    assert len(ex) > 2


def test_blocked_attempts_show_as_waiting_slots():
    threads = [increment("A", lock="L"), increment("B", lock="L")]
    e = run_schedule(threads, "AABBAAABBBBB")
    assert e.final == {"counter": 2}
    assert [s.blocked for s in e.events] == [False, False, True, True] + [False] * 8
    assert e.events[2].text == "waits: A holds L"
    assert e.schedule.count(1) == 7  # B was scheduled 7 times, moved 5


def test_run_schedule_by_names_or_indexes():
    by_name = run_schedule(two(), "ABABAB")
    by_index = run_schedule(two(), [0, 1, 0, 1, 0, 1])
    assert by_name.final == by_index.final == {"counter": 1}
    assert [s.text for s in by_name.events] == ["tmp = 0", "tmp = 0", "tmp = 1", "tmp = 1",
                                               "counter = 1", "counter = 1"]
    assert repr(by_name) == "Execution('ABABAB' -> counter=1)"


def test_deadlock_is_found_and_counted():
    a = thread("A", acquire("x"), acquire("y"), release("y"), release("x"))
    b = thread("B", acquire("y"), acquire("x"), release("x"), release("y"))
    ex = explore([a, b])
    # By hand: A first gives AB.. (deadlock), AAAABBBB, AAABABBB; B first is symmetric.
    assert len(ex) == 6
    assert ex.outcomes()["deadlock"] == 2
    assert {e.names for e in ex if e.deadlocked} == {"AB", "BA"}
    assert run_schedule([a, b], "AB").deadlocked


def test_compute_and_custom_threads():
    a = thread("A", read("x", "v"), compute("v", lambda v: v * 2, "v * 2"), write("x", "v"))
    b = thread("B", read("x", "w"), compute("w", lambda w: w + 3, "w + 3"), write("x", "w"))
    ex = explore([a, b], {"x": 1})
    assert set(ex.outcomes("x")) == {2, 4, 5, 8}  # A lost, B lost, A then B, B then A


@pytest.mark.parametrize("schedule, message", [
    ("ABABAC", "no thread named 'C'"),
    ("AAAAB", "already taken all its 3 steps"),
    ("AAAB", "B: 2 steps left"),
    ([0, 5], "neither a thread name nor an index"),
])
def test_bad_schedules_say_what_to_do(schedule, message):
    with pytest.raises(ValueError, match=message):
        run_schedule(two(), schedule)


def test_bad_programs_say_what_to_do():
    with pytest.raises(RuntimeError, match="does not hold"):
        run_schedule([thread("A", release("L"))], "A")
    with pytest.raises(KeyError, match="read\\(\\) into it first"):
        run_schedule([thread("A", add("tmp"))], "A")
    with pytest.raises(ValueError, match="names must differ"):
        explore([increment("A"), increment("A")])
    with pytest.raises(TypeError, match="not a step"):
        thread("A", "read counter")
    with pytest.raises(ValueError, match="more than 100 interleavings"):
        explore([increment(c) for c in "ABC"], limit=100)


def test_charts_draw_one_box_per_step():
    e = run_schedule(two(), "ABABAB")
    ax = plot_execution(e)
    assert len(ax.patches) == 6
    assert ax.get_title() == "schedule ABABAB: counter = 1"
    ex = explore(two())
    ax = plot_interleavings(ex, expected=2)
    assert len(ax.patches) == 20 * 6
    assert sum("✘" in t.get_text() for t in ax.texts) == 18
    ax = plot_outcomes(ex, expected=2)
    assert [round(p.get_height()) for p in ax.patches] == [18, 2]
    import matplotlib.pyplot as plt
    plt.close("all")


def test_no_threads_are_used():
    before = threading.active_count()
    explore([increment(c) for c in "ABC"])
    assert threading.active_count() == before
