"""Bad-input rows for locks, races, deadlocks and the interleaving explorer (Part III), and
their charts.  Collected by ``test_bad_input.py``.

The blocking demos (two locks, back-off, livelock, philosophers, stuck stacks, reacquire)
bound every wait; a huge number that would make a demo run for ever is refused, and its row
runs in a child process with a deadline in case it is not.  None of these functions sends a
callable to a process or an interpreter, so there are no unsendable-callable rows.
"""

from __future__ import annotations

import threading

import parallel_demo as pd
from bad_input_base import C, T, V

NAMES = set("""
    dine livelock naive_philosopher ordered_philosopher reacquire stuck_stacks two_locks
    two_locks_with_backoff where_threads_wait
    UnsafeBank atomicity_table instructions
    interleavings run_schedule
    TrackedLock
    dump_all_threads py_spy_dump stacks
    plot_meals plot_execution plot_interleavings plot_outcomes plot_lock_timeline
    plot_wait_for_graph plot_lost_updates
""".split())


def _one():
    return [pd.increment("A")]


def _execution():
    return pd.run_schedule(_one(), "AAA")


def _exploration():
    return pd.explore(_one())


def _forks():
    from parallel_demo.deadlock import Fork

    mon, abort = pd.LockMonitor(), threading.Event()
    return Fork(0, mon, abort), Fork(1, mon, abort)


def _report():
    return pd.DeadlockReport("opposite", [], [], None, [])


def _dinner():
    return pd.DiningReport([1, 2], False, None, "", 0.1, [], [])


CASES = [
    # deadlock.py: two locks
    C("two_locks order unknown", lambda: pd.two_locks("sideways"), V, "order"),
    C("two_locks timeout 0", lambda: pd.two_locks(timeout=0), V, "timeout"),
    C("two_locks timeout negative", lambda: pd.two_locks(timeout=-1), V, "timeout"),
    C("two_locks timeout str", lambda: pd.two_locks(timeout="1"), T, "timeout"),
    C("two_locks timeout huge", None, V, "timeout",
      child="from parallel_demo import two_locks; two_locks(timeout=1e9)"),
    C("two_locks hold negative", lambda: pd.two_locks(hold=-1), V, "hold"),
    C("two_locks hold str", lambda: pd.two_locks(hold="x"), T, "hold"),
    C("two_locks hold huge", None, V, "hold",
      child="from parallel_demo import two_locks; two_locks(hold=1e9)"),
    C("two_locks_with_backoff patience 0", lambda: pd.two_locks_with_backoff(patience=0), V,
      "patience"),
    C("two_locks_with_backoff patience negative",
      lambda: pd.two_locks_with_backoff(patience=-1), V, "patience"),
    C("two_locks_with_backoff patience str", lambda: pd.two_locks_with_backoff(patience="x"), T,
      "patience"),
    C("two_locks_with_backoff patience huge", None, V, "patience",
      child="from parallel_demo import two_locks_with_backoff; "
            "two_locks_with_backoff(patience=1e9)"),
    C("two_locks_with_backoff give_up_after 0",
      lambda: pd.two_locks_with_backoff(give_up_after=0), V, "give_up_after"),
    C("two_locks_with_backoff give_up_after negative",
      lambda: pd.two_locks_with_backoff(give_up_after=-1), V, "give_up_after"),
    C("two_locks_with_backoff give_up_after huge", None, V, "give_up_after",
      child="from parallel_demo import two_locks_with_backoff; "
            "two_locks_with_backoff(give_up_after=1e9)"),
    C("two_locks_with_backoff seed str", lambda: pd.two_locks_with_backoff(seed="x"), T, "seed"),
    C("livelock rounds 0", lambda: pd.livelock(rounds=0), V, "rounds"),
    C("livelock rounds str", lambda: pd.livelock(rounds="3"), T, "rounds"),
    C("livelock rounds huge", None, V, "rounds",
      child="from parallel_demo import livelock; livelock(rounds=10**9)"),
    C("livelock patience 0", lambda: pd.livelock(patience=0), V, "patience"),
    C("livelock pause negative", lambda: pd.livelock(pause=-1), V, "pause"),
    # deadlock.py: stacks and re-entry
    C("where_threads_wait int", lambda: pd.where_threads_wait(5), T, "threads"),
    C("where_threads_wait str", lambda: pd.where_threads_wait("thread 1"), T, "threads"),
    C("where_threads_wait not threads", lambda: pd.where_threads_wait([5]), T, "threads",
      "threading.Thread"),
    C("stuck_stacks hold 0", lambda: pd.stuck_stacks(hold=0), V, "hold"),
    C("stuck_stacks hold negative", lambda: pd.stuck_stacks(hold=-1), V, "hold"),
    C("stuck_stacks hold huge", None, V, "hold",
      child="from parallel_demo import stuck_stacks; stuck_stacks(hold=1e9)"),
    C("reacquire lock int", lambda: pd.reacquire(5), T, "lock", "threading.Lock()"),
    C("reacquire lock None", lambda: pd.reacquire(None), T, "lock"),
    C("reacquire timeout 0", lambda: pd.reacquire(threading.Lock(), timeout=0), V, "timeout"),
    C("reacquire timeout negative", lambda: pd.reacquire(threading.Lock(), timeout=-1), V,
      "timeout"),
    C("reacquire timeout str", lambda: pd.reacquire(threading.Lock(), timeout="1"), T, "timeout"),
    C("reacquire timeout huge", None, V, "timeout",
      child="import threading; from parallel_demo import reacquire; "
            "reacquire(threading.Lock(), timeout=1e9)"),
    # deadlock.py: dining philosophers
    C("dine philosopher not callable", lambda: pd.dine(5), T, "philosopher"),
    C("dine philosopher None", lambda: pd.dine(None), T, "philosopher"),
    C("dine seats 1", lambda: pd.dine(pd.ordered_philosopher, seats=1), V, "seats"),
    C("dine seats negative", lambda: pd.dine(pd.ordered_philosopher, seats=-5), V, "seats"),
    C("dine seats float", lambda: pd.dine(pd.ordered_philosopher, seats=2.5), T, "seats"),
    C("dine seats str", lambda: pd.dine(pd.ordered_philosopher, seats="5"), T, "seats"),
    C("dine seats huge", None, V, "seats",
      child="from parallel_demo import dine, naive_philosopher; "
            "dine(naive_philosopher, seats=10**6)"),
    C("dine seconds 0", lambda: pd.dine(pd.ordered_philosopher, seconds=0), V, "seconds"),
    C("dine seconds negative", lambda: pd.dine(pd.ordered_philosopher, seconds=-1), V,
      "seconds"),
    C("dine seconds huge", None, V, "seconds",
      child="from parallel_demo import dine, ordered_philosopher; "
            "dine(ordered_philosopher, seconds=1e9)"),
    C("dine stall 0", lambda: pd.dine(pd.ordered_philosopher, stall=0), V, "stall"),
    C("dine eat_time negative", lambda: pd.dine(pd.ordered_philosopher, eat_time=-1), V,
      "eat_time"),
    C("dine eat_time huge", None, V, "eat_time",
      child="from parallel_demo import dine, ordered_philosopher; "
            "dine(ordered_philosopher, eat_time=1e9)"),
    C("naive_philosopher left int", lambda: pd.naive_philosopher(0, 5, 6, abs), T, "left",
      "dine()"),
    C("naive_philosopher eat not callable",
      lambda: pd.naive_philosopher(0, threading.Lock(), threading.Lock(), 5), T, "eat"),
    C("ordered_philosopher forks unnumbered",
      lambda: pd.ordered_philosopher(0, threading.Lock(), threading.Lock(), abs), T, "left",
      "dine()"),
    C("ordered_philosopher forks int", lambda: pd.ordered_philosopher(0, 5, 6, abs), T, "left"),
    C("ordered_philosopher eat None", lambda: pd.ordered_philosopher(0, *_forks(), None), T,
      "eat"),
    # races.py
    C("UnsafeBank balances int", lambda: pd.UnsafeBank(5), T, "balances"),
    C("UnsafeBank balances list", lambda: pd.UnsafeBank([100, 100]), T, "balances"),
    C("UnsafeBank balances empty", lambda: pd.UnsafeBank({}), V, "balances"),
    C("UnsafeBank amount str", lambda: pd.UnsafeBank({"A": "100"}), T, "balances"),
    C("atomicity_table threads 0", lambda: pd.atomicity_table(threads=0), V, "threads"),
    C("atomicity_table threads str", lambda: pd.atomicity_table(threads="4"), T, "threads"),
    C("atomicity_table threads huge", None, V, "threads",
      child="from parallel_demo import atomicity_table; atomicity_table(threads=10**6)"),
    C("atomicity_table times 0", lambda: pd.atomicity_table(times=0), V, "times"),
    C("atomicity_table times negative", lambda: pd.atomicity_table(times=-1), V, "times"),
    C("atomicity_table times huge", None, V, "times",
      child="from parallel_demo import atomicity_table; atomicity_table(times=10**9)"),
    C("atomicity_table probability above 1", lambda: pd.atomicity_table(probability=2), V,
      "probability"),
    C("atomicity_table probability negative", lambda: pd.atomicity_table(probability=-0.1), V,
      "probability"),
    C("atomicity_table seed str", lambda: pd.atomicity_table(seed="x"), T, "seed"),
    C("instructions int", lambda: pd.instructions(5), T, "code"),
    C("instructions None", lambda: pd.instructions(None), T, "code"),
    C("instructions list", lambda: pd.instructions(["x += 1"]), T, "code"),
    # interleave.py (refused at the call, not at the first next())
    C("interleavings threads int", lambda: pd.interleavings(5), T, "threads"),
    C("interleavings threads empty", lambda: pd.interleavings([]), V, "thread"),
    C("interleavings one thread unwrapped", lambda: pd.interleavings(pd.increment("A")), T,
      "threads", "wrap"),
    C("interleavings limit 0", lambda: pd.interleavings(_one(), limit=0), V, "limit"),
    C("interleavings limit negative", lambda: pd.interleavings(_one(), limit=-1), V, "limit"),
    C("interleavings limit str", lambda: pd.interleavings(_one(), limit="5"), T, "limit"),
    C("interleavings limit huge", None, V, "limit",
      child="from parallel_demo import increment, interleavings; "
            "list(interleavings([increment(c, times=30) for c in 'ABC'], limit=10**12))"),
    C("run_schedule threads int", lambda: pd.run_schedule(5, "AB"), T, "threads"),
    C("run_schedule threads str", lambda: pd.run_schedule("AB", "AB"), T, "threads"),
    C("run_schedule threads not threads", lambda: pd.run_schedule([5], "A"), T, "threads"),
    C("run_schedule schedule int", lambda: pd.run_schedule(_one(), 5), T, "schedule"),
    C("run_schedule schedule empty", lambda: pd.run_schedule(_one(), ""), V, "schedule"),
    C("run_schedule schedule too long", lambda: pd.run_schedule(_one(), "AAAA"), V, "schedule"),
    C("run_schedule schedule unknown name", lambda: pd.run_schedule(_one(), "AAB"), V,
      "schedule", "'B'"),
    C("run_schedule schedule bool", lambda: pd.run_schedule(_one(), [True, 0, 0]), V,
      "schedule"),
    C("run_schedule initial int", lambda: pd.run_schedule(_one(), "AAA", initial=5), T,
      "initial"),
    # locks.py
    C("TrackedLock name int", lambda: pd.TrackedLock(5), T, "name"),
    C("TrackedLock monitor wrong", lambda: pd.TrackedLock("lock A", monitor=5), T, "monitor"),
    C("TrackedLock.acquire timeout str", lambda: pd.TrackedLock().acquire(timeout="1"), T,
      "timeout"),
    C("TrackedLock.acquire timeout negative", lambda: pd.TrackedLock().acquire(timeout=-2), V,
      "timeout"),
    C("TrackedLock.acquire timeout non-blocking",
      lambda: pd.TrackedLock().acquire(False, timeout=1), V, "timeout"),
    # Like threading.Lock (the same tests pass for both): too large a timeout overflows.
    C("TrackedLock.acquire timeout huge", lambda: pd.TrackedLock().acquire(timeout=1e100),
      OverflowError, "timeout"),
    # stuck.py
    C("stacks names int", lambda: pd.stacks(5), T, "names"),
    C("stacks names str", lambda: pd.stacks("MainThread"), T, "names", "list"),
    C("stacks names not str", lambda: pd.stacks([5]), T, "names"),
    C("dump_all_threads names int", lambda: pd.dump_all_threads(5), T, "names"),
    C("dump_all_threads names str", lambda: pd.dump_all_threads("MainThread"), T, "names"),
    # py_spy_dump: refused before it looks for py-spy (installed or not)
    C("py_spy_dump pid 0", lambda: pd.py_spy_dump(pid=0), V, "pid"),
    C("py_spy_dump pid str", lambda: pd.py_spy_dump(pid="1"), T, "pid"),
    C("py_spy_dump timeout 0", lambda: pd.py_spy_dump(timeout=0), V, "timeout"),
    C("py_spy_dump timeout negative", lambda: pd.py_spy_dump(timeout=-1), V, "timeout"),
    C("py_spy_dump names str", lambda: pd.py_spy_dump(names="MainThread"), T, "names"),
    # charts: refused before any figure is made
    C("plot_meals int", lambda: pd.plot_meals(5), T, "meals"),
    C("plot_meals empty", lambda: pd.plot_meals([]), V, "meals"),
    C("plot_meals a report", lambda: pd.plot_meals(_dinner()), T, "meals", ".meals"),
    C("plot_meals dict", lambda: pd.plot_meals({"philosopher 0": 1}), T, "meals"),
    C("plot_meals negative", lambda: pd.plot_meals([1, -2]), V, "meals"),
    C("plot_execution int", lambda: pd.plot_execution(5), T, "execution"),
    C("plot_execution an exploration", lambda: pd.plot_execution(_exploration()), T,
      "execution", "plot_interleavings"),
    C("plot_execution shared unknown", lambda: pd.plot_execution(_execution(), shared="x"), V,
      "shared", "counter"),
    C("plot_interleavings int", lambda: pd.plot_interleavings(5), T, "exploration"),
    C("plot_interleavings empty", lambda: pd.plot_interleavings([]), V, "exploration"),
    C("plot_interleavings not executions", lambda: pd.plot_interleavings([5]), T,
      "exploration"),
    C("plot_interleavings one execution", lambda: pd.plot_interleavings(_execution()), T,
      "exploration", "plot_execution"),
    C("plot_interleavings var int", lambda: pd.plot_interleavings(_exploration(), var=5), T,
      "var"),
    C("plot_interleavings var unknown", lambda: pd.plot_interleavings(_exploration(), var="x"),
      V, "var", "counter"),
    C("plot_outcomes int", lambda: pd.plot_outcomes(5), T, "exploration"),
    C("plot_outcomes list", lambda: pd.plot_outcomes(list(_exploration())), T, "exploration",
      "explore("),
    C("plot_outcomes var unknown", lambda: pd.plot_outcomes(_exploration(), var="x"), V, "var",
      "counter"),
    C("plot_lock_timeline int", lambda: pd.plot_lock_timeline(5), T, "records"),
    C("plot_lock_timeline not records", lambda: pd.plot_lock_timeline([5]), T, "records"),
    C("plot_lock_timeline a report", lambda: pd.plot_lock_timeline(_report()), T, "records",
      ".records"),
    C("plot_lock_timeline t0 str", lambda: pd.plot_lock_timeline([], t0="0"), T, "t0"),
    C("plot_wait_for_graph None", lambda: pd.plot_wait_for_graph(None), T, "graph",
      "WaitForGraph()"),
    C("plot_wait_for_graph dict", lambda: pd.plot_wait_for_graph({}), T, "graph"),
    C("plot_wait_for_graph a report", lambda: pd.plot_wait_for_graph(_report()), T, "graph",
      "report.graph"),
    C("plot_lost_updates int", lambda: pd.plot_lost_updates(5), T, "runs"),
    C("plot_lost_updates list", lambda: pd.plot_lost_updates([]), T, "runs", "race_runs"),
    C("plot_lost_updates empty", lambda: pd.plot_lost_updates({}), V, "runs"),
    C("plot_lost_updates not a list", lambda: pd.plot_lost_updates({"naive": 5}), T, "runs"),
    C("plot_lost_updates not results", lambda: pd.plot_lost_updates({"naive": [5]}), T,
      "runs", "RaceResult"),
]
