"""Checkers for race_conditions: a counter that loses nothing, losing interleavings, a bank.

:func:`check_counter` does what a single run of a learner's code cannot: it
makes the race happen.  It builds fresh counters, hammers ``increment`` from
several threads with the interpreter switching threads as often as it can
(``sys.setswitchinterval``, restored afterwards) and a yield injected before
about half of the bytecodes of the learner's code, all under a time limit.
A counter passes only if every round is exact and nothing hangs.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

from ._base import CheckResult
from ..gil import switch_interval
import threading

from ..races import HammerResult, harness, hammer

_LOST_HINT = ("self.value += 1 is three steps, a read, an add and a write "
              "(see instructions(...)): another thread can run between them and its update is "
              "then overwritten. Hold one lock, created once in __init__ and shared by all "
              "threads, from the read to the write: with self._lock: self.value += 1")


def _describe_error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ""


def _build(make_counter: Callable[[], Any]) -> tuple[Any, CheckResult | None]:
    try:
        counter = make_counter()
    except Exception as exc:  # the learner's bug is the checker's data
        return None, CheckResult(False, f"make_counter() raised {_describe_error(exc)}",
                                 "pass the class itself (check_counter(MyCounter)) or a "
                                 "function that returns a new counter, with no arguments")
    if not callable(getattr(counter, "increment", None)):
        return None, CheckResult(False, f"{type(counter).__name__} has no increment() method",
                                 "the counter needs a method increment(self) that adds 1")
    value = getattr(counter, "value", None)
    if not isinstance(value, int) or isinstance(value, bool):
        return None, CheckResult(False, f"a new counter's .value is {value!r}, not an int",
                                 "set self.value = 0 in __init__ (or make value a property "
                                 "that returns the count)")
    if value != 0:
        return None, CheckResult(False, f"a new counter starts at {value}, not 0",
                                 "each counter must start at 0 and count only its own "
                                 "increments: keep the count on the instance, not the class")
    return counter, None


def _hang_result(result: HammerResult, where: str) -> CheckResult:
    stuck = (f" {result.stuck} thread(s) could not be freed: restart the kernel before "
             "trying again." if result.stuck else "")
    if result.threads == 1 and result.done[0] == 0:
        return CheckResult(False, f"{where}: the first increment() never returned." + stuck,
                           "a thread that acquires a threading.Lock it already holds waits "
                           "for itself forever (Lock is not re-entrant): take the lock in one "
                           "place only, or use threading.RLock")
    if result.threads == 1:
        return CheckResult(False, f"{where}: increment() number {result.done[0] + 1} never "
                           "returned, though the first one did." + stuck,
                           "an earlier increment() left its lock held: use 'with lock:', which "
                           "releases it on every way out, instead of acquire() without release()")
    return CheckResult(False, f"{where}: the threads did not finish in time "
                       f"({result.calls} of {result.threads * result.times} increments done)."
                       + stuck,
                       "some thread is waiting for a lock that is never released: use 'with "
                       "lock:' rather than acquire()/release(), and never wait for something "
                       "while holding the lock")


def check_counter(make_counter: Callable[[], Any], *, threads: int = 4, times: int = 200,
                  rounds: int = 3, timeout: float = 10.0) -> CheckResult:
    """Exercise: make a counter whose ``increment()`` is exact from many threads.

    Args:
        make_counter: A class or function; ``make_counter()`` returns a new
            counter with an ``increment()`` method and a ``value`` attribute
            starting at 0.
        threads: Threads that increment at once.
        times: Increments per thread per round.
        rounds: Fresh counters tried, each under different injected yields.
        timeout: Seconds a round may take before it counts as a hang.
    """
    counter, problem = _build(make_counter)
    if problem is not None:
        return problem
    # One thread first: a counter that hangs or miscounts alone has a bug that is
    # not a race, and deserves its own hint.
    alone = hammer(counter.increment, threads=1, times=3, timeout=min(timeout, 2.0),
                   traced=True, shared=counter)
    if alone.hung:
        return _hang_result(alone, "in a single thread")
    if alone.errors:
        return CheckResult(False, f"increment() raised {_describe_error(alone.errors[0])}",
                           "run counter = make_counter(); counter.increment() in a cell of "
                           "its own and read the traceback")
    if counter.value != 3:
        return CheckResult(False, f"after 3 increments in one thread, value is {counter.value!r}",
                           "each increment() must add exactly 1 to value, even without threads")
    expected = threads * times
    for r in range(rounds):
        counter, problem = _build(make_counter)
        if problem is not None:
            return problem
        with switch_interval(1e-6):
            result = hammer(counter.increment, threads=threads, times=times, timeout=timeout,
                            inject_yields=0.5, seed=1000 * r, shared=counter, stall=3.0)
        if result.hung:
            return _hang_result(result, f"round {r + 1}")
        if result.errors:
            return CheckResult(False, f"with {threads} threads, increment() raised "
                               f"{_describe_error(result.errors[0])}",
                               "the error only appears with several threads: something the "
                               "threads share changes between the check and the use")
        value = counter.value
        if value == expected:
            continue
        if isinstance(value, int) and value < expected:
            src = _source(type(counter))
            hint = _LOST_HINT
            if "Lock()" in _source(getattr(type(counter), "increment", None) or counter.increment):
                hint = ("a lock created inside increment() is new in every call, so no two "
                        "threads ever wait for the same one: create it once, in __init__, "
                        "and use that one in every increment()")
            elif "Lock" in src:
                hint = ("the lock must be held for the whole read-add-write, and every "
                        "thread must use the same lock object: with self._lock: "
                        "self.value += 1")
            return CheckResult(False, f"round {r + 1}: {expected - value} of {expected} updates "
                               f"were lost ({threads} threads x {times} increments, value = "
                               f"{value})", hint)
        return CheckResult(False, f"round {r + 1}: value is {value!r}, expected {expected}",
                           "more than one was added per increment(), or value is not the "
                           "count: add exactly 1 per call")
    return CheckResult(True, f"exact every time: {rounds} rounds of {threads} threads x {times} "
                       "increments, with threads switching as often as possible, and "
                       "nothing hung")


#: The program of the "predict" exercise: three threads, each `counter += 1`.
LOSING_QUESTION = ("Three threads A, B, C each run read counter / tmp + 1 / write counter. "
                   "Of the 9!/(3!*3!*3!) = 1680 interleavings, how many end with counter < 3?")
_TOTAL, _SERIAL = 1680, 6


def check_losing_interleavings(answer: Any) -> CheckResult:
    """Exercise: predict how many interleavings of 3 increment threads lose an update."""
    if isinstance(answer, bool) or not isinstance(answer, int):
        return CheckResult(False, f"expected a whole number, got {answer!r}",
                           "answer with an int, e.g. check_losing_interleavings(1000)")
    losing = _TOTAL - _SERIAL
    if answer == losing:
        return CheckResult(True, f"right: only the 3! = {_SERIAL} orders that run the threads one "
                           f"after another are exact; the other {losing} lose an update")
    if answer == _SERIAL:
        return CheckResult(False, "6 is how many interleavings are exact",
                           "the question asks for the ones that lose: subtract from the total")
    if answer == _TOTAL - 2:
        return CheckResult(False, "close: with two threads only 2 orders were exact",
                           "with three threads, how many ways can whole threads run one after "
                           "another? (3 choices first, then 2, then 1)")
    if answer == _TOTAL:
        return CheckResult(False, "not every interleaving loses",
                           "running A, then B, then C (no overlap) counts to 3")
    if answer == 18:
        return CheckResult(False, "18 is the answer for two threads",
                           "three threads have 1680 interleavings: which of them are exact?")
    if not 0 <= answer <= _TOTAL:
        return CheckResult(False, f"{answer} is not between 0 and {_TOTAL}",
                           "there are 1680 interleavings in all")
    return CheckResult(False, f"{answer} is not it",
                       "an interleaving is exact only if each thread writes before the next "
                       "one reads, so whole threads run one after another: count those orders "
                       "and subtract them from 1680; explore() can confirm")


# --- the bank --------------------------------------------------------------------

#: Thread k of the bank check moves 1 along _ROUTES[k], over and over.  The
#: first two go opposite ways between the same accounts: with one lock per
#: account taken in (src, dst) order, they deadlock.
_ROUTES = (("A", "B"), ("B", "A"), ("C", "A"))


def _router(bank: Any) -> Callable[[], None]:
    @harness
    def move_one() -> None:
        k = int(threading.current_thread().name.rsplit(" ", 1)[1])  # "hammer k"
        src, dst = _ROUTES[k]
        bank.transfer(src, dst, 1)

    return move_one


def _make_bank(make_bank: Callable[[dict], Any], initial: dict) -> tuple[Any, CheckResult | None]:
    try:
        bank = make_bank(dict(initial))
    except Exception as exc:  # the learner's bug is the checker's data
        return None, CheckResult(False, f"make_bank(balances) raised {_describe_error(exc)}",
                                 "pass the class itself; it is called with one argument, a "
                                 "dict of starting balances like {'A': 1000, 'B': 1000}")
    if not callable(getattr(bank, "transfer", None)):
        return None, CheckResult(False, f"{type(bank).__name__} has no transfer() method",
                                 "add transfer(self, src, dst, amount)")
    if getattr(bank, "balances", None) != initial:
        return None, CheckResult(False, f"a new bank's .balances is {getattr(bank, 'balances', None)!r}",
                                 "keep the balances in a dict, self.balances, starting as "
                                 "a copy of the dict you are given")
    return bank, None


def check_bank(make_bank: Callable[[dict], Any], *, times: int = 100, rounds: int = 3,
               timeout: float = 10.0) -> CheckResult:
    """Exercise: transfers between accounts, from several threads, keep every balance right.

    Three threads move 1 at a time, ``times`` times each: A to B, B to A
    (the opposite way: a deadlock trap) and C to A, under the same stress as
    :func:`check_counter`.  Afterwards no money may be created or destroyed,
    and each balance must be what the transfers add up to.

    Args:
        make_bank: ``make_bank(balances)`` returns a bank with a
            ``transfer(src, dst, amount)`` method and a ``balances`` dict.
    """
    initial = {"A": 1000, "B": 1000, "C": 1000}
    bank, problem = _make_bank(make_bank, initial)
    if problem is not None:
        return problem
    alone = hammer(bank.transfer, "A", "B", 1, threads=1, times=1, timeout=min(timeout, 2.0),
                   traced=True, shared=bank)
    if alone.hung:
        return CheckResult(False, "a single transfer() in a single thread never returned",
                           "a thread that acquires a threading.Lock it already holds waits for "
                           "itself: if src and dst share a lock, take it once")
    if alone.errors:
        return CheckResult(False, f"transfer('A', 'B', 1) raised {_describe_error(alone.errors[0])}",
                           "try it by hand in a cell of its own and read the traceback")
    if bank.balances != {"A": 999, "B": 1001, "C": 1000}:
        return CheckResult(False, f"after transfer('A', 'B', 1) the balances are {bank.balances}",
                           "take amount from src and add it to dst, nothing else")
    expected = {"A": 1000 + times, "B": 1000, "C": 1000 - times}
    for r in range(rounds):
        bank, problem = _make_bank(make_bank, initial)
        if problem is not None:
            return problem
        with switch_interval(1e-6):
            result = hammer(_router(bank), threads=len(_ROUTES), times=times, timeout=timeout,
                            inject_yields=0.5, seed=1000 * r, shared=bank, stall=3.0)
        stuck = (f" {result.stuck} thread(s) could not be freed: restart the kernel before "
                 "trying again." if result.stuck else "")
        if result.hung:
            return CheckResult(False, f"round {r + 1}: the transfers never finished "
                               f"({result.calls} of {len(_ROUTES) * times} done)." + stuck,
                               "A-to-B and B-to-A ran at the same time: if each takes its src "
                               "lock first, each holds one lock and waits for the other forever "
                               "(a deadlock). Take the two locks in one fixed order, e.g. "
                               "sorted((src, dst)), whichever way the money goes")
        if result.errors:
            return CheckResult(False, f"round {r + 1}: transfer() raised "
                               f"{_describe_error(result.errors[0])}",
                               "it only fails with several threads: look for a lock released "
                               "twice, or released by a thread that did not take it")
        got = dict(bank.balances)
        if got == expected:
            continue
        total = sum(got.values())
        if total != sum(initial.values()):
            verb = "created" if total > sum(initial.values()) else "destroyed"
            return CheckResult(False, f"round {r + 1}: money was {verb}: the balances add up to "
                               f"{total}, not {sum(initial.values())} ({got})",
                               "each balances[x] -= amount is a read-modify-write another "
                               "thread can come between: hold a lock over both updates (one "
                               "for the bank, or both accounts' locks)")
        return CheckResult(False, f"round {r + 1}: the total is right but the balances are {got}, "
                           f"not {expected}",
                           "every transfer must happen exactly once, with both of its updates "
                           "under the same lock(s)")
    return CheckResult(True, f"every balance right in {rounds} rounds of {len(_ROUTES)} threads x "
                       f"{times} transfers, opposite directions included, and no deadlock")
