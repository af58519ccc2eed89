"""Checkers for race_conditions: a counter that loses nothing, losing interleavings, a bank.

:func:`check_counter` does what a single run of a learner's code cannot: it
makes the race happen.  It builds fresh counters, hammers ``increment`` from
several threads with the interpreter switching threads as often as it can
(``sys.setswitchinterval``, restored afterwards) and a yield injected before
about half of the bytecodes of the learner's code, all under a time limit.
A counter passes only if every round is exact and nothing hangs.

:func:`check_bank` adds two checks that do not depend on luck.  It swaps the
bank's plain locks for :class:`~parallel_demo.locks.TrackedLock` objects and
its ``balances`` for a dict that notes, at every write, which lock holds the
writing thread has.  Then, one direction at a time (so nothing can deadlock),
it makes transfers and reads off (1) the *lock order*, lockdep-style: a cycle
such as A -> B and B -> A fails even though no deadlock happened; and (2)
whether the debit and the credit of one transfer were made under one hold of
a lock, so the invariant (the total) holds whenever the locks are free.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any, Callable

from ..gil import switch_interval
from ..locks import LockMonitor, TrackedLock
from ..races import HammerResult, harness, hammer
from ._base import CheckResult, is_whole, verdict

_STEPS = ("self.value += 1 is three steps, a read, an add and a write, and another thread can "
          "run between them (see 'Three steps: the bytecode of +=' and 'The fix: one lock "
          "around the read and the write')")
_STEPS_DETAIL = ("create one threading.Lock in __init__ (self._lock = threading.Lock()) and hold "
                 "it from the read to the write: with self._lock: self.value += 1")


def _describe_error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ""


def _construct(ex: str, factory: Callable[..., Any], args: tuple, call: str, how: str,
               method: str, method_hint: str) -> tuple[Any, CheckResult | None]:
    """``factory(*args)``, or the verdict on why it is not an object with ``method()``."""
    try:
        obj = factory(*args)
    except Exception as exc:  # the learner's bug is the checker's data
        return None, verdict(ex, False, f"{call} raised {_describe_error(exc)}", how)
    if not callable(getattr(obj, method, None)):
        return None, verdict(ex, False, f"{type(obj).__name__} has no {method}() method",
                             method_hint)
    return obj, None


def _build(ex: str, make_counter: Callable[[], Any]) -> tuple[Any, CheckResult | None]:
    counter, problem = _construct(ex, make_counter, (), "make_counter()",
                                  "pass the class itself (check_counter(MyCounter)) or a "
                                  "function that returns a new counter, with no arguments",
                                  "increment", "the counter needs a method increment(self) "
                                  "that adds 1")
    if problem is not None:
        return None, problem
    value = getattr(counter, "value", None)
    if not is_whole(value):
        return None, verdict(ex, False, f"a new counter's .value is {value!r}, not an int",
                             "set self.value = 0 in __init__ (or make value a property "
                             "that returns the count)")
    if value != 0:
        return None, verdict(ex, False, f"a new counter starts at {value}, not 0",
                             "each counter must start at 0 and count only its own "
                             "increments: keep the count on the instance, not the class")
    return counter, None


def _freed(result: HammerResult) -> str:
    if result.stuck:
        return (f" {result.stuck} thread(s) could not be freed and stay blocked in the "
                "background (daemon threads): use Kernel > Restart before trying again.")
    return (" The checker released the lock itself to free its threads, so nothing is left "
            "running: fix the code and run the cell again.")


def _hang_result(ex: str, result: HammerResult, where: str) -> CheckResult:
    if result.threads == 1 and result.done[0] == 0:
        return verdict(ex, False, f"{where}: the first increment() never returned."
                       + _freed(result),
                       "a threading.Lock is not re-entrant: a thread that acquires it again "
                       "waits for itself (see the deadlock chapter, 'The deadlock with only one "
                       "thread')", "take the lock in one place only (not in increment() and "
                       "again in a helper it calls), or use threading.RLock")
    if result.threads == 1:
        return verdict(ex, False, f"{where}: increment() number {result.done[0] + 1} never "
                       "returned, though the first one did." + _freed(result),
                       "every acquire() needs its release(), on every way out of the function",
                       "use 'with self._lock:', which releases the lock even on an exception, "
                       "instead of acquire() without release()")
    return verdict(ex, False, f"{where}: the threads did not finish in time "
                   f"({result.calls} of {result.threads * result.times} increments done)."
                   + _freed(result),
                   "some thread waits for a lock that is never released",
                   "use 'with lock:' rather than acquire()/release(), and never wait for "
                   "something while holding the lock")


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
    ex = "race_ex1"
    counter, problem = _build(ex, make_counter)
    if problem is not None:
        return problem
    # One thread first: a counter that hangs or miscounts alone has a bug that is
    # not a race, and deserves its own hint.
    alone = hammer(counter.increment, threads=1, times=3, timeout=min(timeout, 2.0),
                   traced=True, shared=counter)
    if alone.hung:
        return _hang_result(ex, alone, "in a single thread")
    if alone.errors:
        return verdict(ex, False, f"increment() raised {_describe_error(alone.errors[0])}",
                       "run counter = make_counter(); counter.increment() in a cell of "
                       "its own and read the traceback")
    if counter.value != 3:
        return verdict(ex, False, f"after 3 increments in one thread, value is {counter.value!r}",
                       "each increment() must add exactly 1 to value, even without threads")
    expected = threads * times
    for r in range(rounds):
        counter, problem = _build(ex, make_counter)
        if problem is not None:
            return problem
        with switch_interval(1e-6):
            result = hammer(counter.increment, threads=threads, times=times, timeout=timeout,
                            inject_yields=0.5, seed=1000 * r, shared=counter, stall=3.0)
        if result.hung:
            return _hang_result(ex, result, f"round {r + 1}")
        if result.errors:
            return verdict(ex, False, f"with {threads} threads, increment() raised "
                           f"{_describe_error(result.errors[0])}",
                           "the error only appears with several threads: something the "
                           "threads share changes between the check and the use")
        value = counter.value
        if value == expected:
            continue
        if isinstance(value, int) and value < expected:
            src = _source(type(counter))
            hint, detail = _STEPS, _STEPS_DETAIL
            if "Lock()" in _source(getattr(type(counter), "increment", None) or counter.increment):
                hint = ("a lock protects only threads that wait for the *same* lock object (see "
                        "'The fix: one lock around the read and the write')")
                detail = ("a lock created inside increment() is new in every call, so no two "
                          "threads ever wait for the same one: create it once, in __init__, "
                          "and use that one in every increment()")
            elif "Lock" in src:
                hint = ("the lock must be held for the whole read-add-write, by every thread, "
                        "and it must be the same lock (see 'A lock takes the bad interleavings "
                        "away')")
            return verdict(ex, False, f"round {r + 1}: {expected - value} of {expected} updates "
                           f"were lost ({threads} threads x {times} increments, value = "
                           f"{value})", hint, detail)
        return verdict(ex, False, f"round {r + 1}: value is {value!r}, expected {expected}",
                       "more than one was added per increment(), or value is not the "
                       "count: add exactly 1 per call")
    return verdict(ex, True, f"exact every time: {rounds} rounds of {threads} threads x {times} "
                       "increments, with threads switching as often as possible, and "
                       "nothing hung")


#: The program of the "predict" exercise: three threads, each `counter += 1`.
LOSING_QUESTION = ("Three threads A, B, C each run read counter / tmp + 1 / write counter. "
                   "Of the 9!/(3!*3!*3!) = 1680 interleavings, how many end with counter < 3?")
_TOTAL, _SERIAL = 1680, 6


def check_losing_interleavings(answer: Any) -> CheckResult:
    """Exercise: predict how many interleavings of 3 increment threads lose an update."""
    ex = "race_ex2"
    if not is_whole(answer):
        return verdict(ex, False, f"expected a whole number, got {answer!r}",
                       "answer with an int, e.g. my_prediction = 1000")
    losing = _TOTAL - _SERIAL
    if answer == losing:
        return verdict(ex, True, f"right: only the 3! = {_SERIAL} orders that run the threads one "
                       f"after another are exact; the other {losing} lose an update")
    where = "(see 'Every interleaving of two increments')"
    if answer == _SERIAL:
        return verdict(ex, False, "6 is how many interleavings are exact",
                       "the question asks for the ones that lose an update",
                       "subtract the exact ones from the total")
    if answer == _TOTAL - 2:
        return verdict(ex, False, "close: with two threads only 2 orders were exact",
                       f"which orders are exact? {where}",
                       "with three threads, how many ways can whole threads run one after "
                       "another? (3 choices first, then 2, then 1)")
    if answer == _TOTAL:
        return verdict(ex, False, "not every interleaving loses",
                       f"some orders are exact {where}",
                       "running A, then B, then C (no overlap) counts to 3")
    if answer == 18:
        return verdict(ex, False, "18 is the answer for two threads",
                       "three threads have 1680 interleavings: which of them are exact?")
    if not 0 <= answer <= _TOTAL:
        return verdict(ex, False, f"{answer} is not between 0 and {_TOTAL}",
                       "there are 1680 interleavings in all")
    return verdict(ex, False, f"{answer} is not it",
                   f"an interleaving is exact only if each thread writes before the next one "
                   f"reads {where}",
                   "so whole threads run one after another: count those orders and subtract "
                   "them from 1680; explore() can confirm")


# --- the bank --------------------------------------------------------------------

#: Thread k of the bank check moves 1 along _ROUTES[k], over and over.  The
#: first two go opposite ways between the same accounts: with one lock per
#: account taken in (src, dst) order, they deadlock.
_ROUTES = (("A", "B"), ("B", "A"), ("C", "A"))

_LOCK_TYPE = type(threading.Lock())
_OTHER_SYNC = (type(threading.RLock()), threading.Condition, threading.Semaphore)


def _router(bank: Any) -> Callable[[], None]:
    @harness
    def move_one() -> None:
        k = int(threading.current_thread().name.rsplit(" ", 1)[1])  # "hammer k"
        src, dst = _ROUTES[k]
        bank.transfer(src, dst, 1)

    return move_one


def _make_bank(ex: str, make_bank: Callable[[dict], Any], initial: dict) -> tuple[Any, CheckResult | None]:
    bank, problem = _construct(ex, make_bank, (dict(initial),), "make_bank(balances)",
                               "pass the class itself; it is called with one argument, a "
                               "dict of starting balances like {'A': 1000, 'B': 1000}",
                               "transfer", "add transfer(self, src, dst, amount)")
    if problem is not None:
        return None, problem
    if getattr(bank, "balances", None) != initial:
        return None, verdict(ex, False, f"a new bank's .balances is {getattr(bank, 'balances', None)!r}",
                             "keep the balances in a dict, self.balances, starting as "
                             "a copy of the dict you are given")
    return bank, None


class _Balances(dict):
    """The bank's balances, noting at each write which lock holds the writer has."""

    def __init__(self, data: dict, monitor: LockMonitor) -> None:
        super().__init__(data)
        self._monitor = monitor
        self.writes: list[tuple[str, Any, frozenset[int]]] = []  # (thread, account, holds)

    def __setitem__(self, key: Any, value: Any) -> None:
        name = threading.current_thread().name
        self.writes.append((name, key, self._monitor.held_by(name)))
        super().__setitem__(key, value)


def _instrument(bank: Any) -> tuple[LockMonitor, _Balances, int, bool]:
    """Swap the bank's plain locks for tracked ones and its balances for a :class:`_Balances`.

    Returns the monitor, the balances, how many locks were swapped, and whether
    the bank holds other synchronisation objects (an RLock, a Condition...),
    whose holds the checker cannot see.
    """
    mon = LockMonitor()
    swapped, other = 0, False
    for attr, value in list(vars(bank).items()):
        if isinstance(value, _LOCK_TYPE):
            setattr(bank, attr, mon.lock(f"self.{attr}"))
            swapped += 1
        elif isinstance(value, dict):
            for key, inner in list(value.items()):
                if isinstance(inner, _LOCK_TYPE):
                    value[key] = mon.lock(f"self.{attr}[{key!r}]")
                    swapped += 1
                other = other or isinstance(inner, _OTHER_SYNC)
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                if isinstance(inner, _LOCK_TYPE):
                    value[i] = mon.lock(f"self.{attr}[{i}]")
                    swapped += 1
                other = other or isinstance(inner, _OTHER_SYNC)
        other = other or isinstance(value, _OTHER_SYNC)
    for value in vars(type(bank)).values():  # a lock on the class is shared, as it should be
        other = other or isinstance(value, (_LOCK_TYPE, *_OTHER_SYNC))
    transfer = getattr(type(bank), "transfer", None)
    code, names = getattr(transfer, "__code__", None), getattr(transfer, "__globals__", {})
    if code is None:
        other = True  # not a plain method: the checker cannot see what it uses
    else:  # a module-level lock the method uses
        other = other or any(isinstance(names.get(n), (_LOCK_TYPE, *_OTHER_SYNC))
                             for n in code.co_names)
    balances = _Balances(bank.balances, mon)
    bank.balances = balances
    return mon, balances, swapped, other


def _one_way_at_a_time(ex: str, make_bank: Callable[[dict], Any], initial: dict) -> CheckResult | None:
    """Transfers along each route in turn, in its own thread: lock order and critical sections."""
    bank, problem = _make_bank(ex, make_bank, initial)
    if problem is not None:
        return problem
    mon, balances, _, other = _instrument(bank)
    for src, dst in _ROUTES:
        errors: list[BaseException] = []

        def move(src: str = src, dst: str = dst) -> None:
            try:
                for _ in range(2):
                    bank.transfer(src, dst, 1)
            except Exception as exc:  # the learner's bug is the checker's data
                errors.append(exc)

        t = threading.Thread(target=move, name=f"{src} to {dst}", daemon=True)
        t.start()
        t.join(2.0)
        if t.is_alive():
            for value in list(vars(bank).values()):  # free it: release what it holds
                for lock in (list(value.values()) if isinstance(value, dict) else [value]):
                    if isinstance(lock, TrackedLock) and lock.locked():
                        lock.release()
            t.join(1.0)
            left = (" Its thread could not be freed: use Kernel > Restart." if t.is_alive()
                    else " The checker released the locks to free it; nothing is left running.")
            return verdict(ex, False, f"transfer({src!r}, {dst!r}, 1), alone in its thread, "
                           "never returned." + left,
                           "a thread that waits for a lock it already holds waits for ever "
                           "(see the deadlock chapter, 'The deadlock with only one thread')",
                           "take each lock once per transfer, and release every lock you take "
                           "(use with-blocks)")
        if errors:
            return verdict(ex, False, f"transfer({src!r}, {dst!r}, 1) raised "
                           f"{_describe_error(errors[0])}",
                           "try it by hand in a cell of its own and read the traceback")
    cycle = mon.order_cycle()
    if cycle:
        return verdict(ex, False, "no deadlock this time, but only by luck: the transfers took "
                       f"their locks in orders that form a cycle ({' -> '.join(cycle)}; an "
                       "arrow means one transfer waited for the second lock while holding the "
                       "first). Run A to B and B to A at the same moment and each holds one "
                       "lock, waiting for the other for ever",
                       "two transfers in opposite directions must not take the same two locks "
                       "in opposite orders (see the deadlock chapter, 'Fix 1: one global lock "
                       "order')",
                       "take the two account locks in one fixed order whichever way the money "
                       "goes: first, second = sorted((src, dst)); with self._locks[first], "
                       "self._locks[second]: ...")
    if other:
        return None  # holds the checker cannot see: the stress rounds judge alone
    by_thread: dict[str, list[frozenset[int]]] = {}
    for thread, account, holds in balances.writes:
        by_thread.setdefault(thread, []).append(holds)
    for thread, holds in by_thread.items():
        if any(not h for h in holds):
            return verdict(ex, False, f"transfer() (thread '{thread}') changed a balance while "
                           "holding no lock",
                           "a read-modify-write of shared data needs a lock held from the read "
                           "to the write (see 'The fix: one lock around the read and the write')",
                           "hold the lock(s) around both updates of balances")
        for debit, credit in zip(holds[::2], holds[1::2]):
            if not debit & credit:
                return verdict(ex, False, f"transfer() (thread '{thread}') took the money out "
                               "under one hold of a lock and put it in under another: in "
                               "between, the lock was free while the money was in neither "
                               "account, and any thread adding up the balances then sees money "
                               "missing",
                               "an invariant, here the total of all balances, must be true "
                               "whenever the lock is free: both updates belong in one critical "
                               "section (see 'The fix: one lock around the read and the write')",
                               "one with-block around both lines: with self._lock: "
                               "self.balances[src] -= amount; self.balances[dst] += amount")
    return None


def check_bank(make_bank: Callable[[dict], Any], *, times: int = 100, rounds: int = 3,
               timeout: float = 10.0) -> CheckResult:
    """Exercise: transfers between accounts, from several threads, keep every balance right.

    First, one direction at a time, it records the lock order and the lock
    holds of every write (see the module docstring): a lock-order cycle, or a
    debit and a credit in two separate critical sections, fail every time.
    Then three threads move 1 at a time, ``times`` times each: A to B, B to
    A (the opposite way: a deadlock trap) and C to A, under the same stress as
    :func:`check_counter`.  Afterwards no money may be created or destroyed,
    and each balance must be what the transfers add up to.

    Args:
        make_bank: ``make_bank(balances)`` returns a bank with a
            ``transfer(src, dst, amount)`` method and a ``balances`` dict.
    """
    ex = "race_ex3"
    initial = {"A": 1000, "B": 1000, "C": 1000}
    bank, problem = _make_bank(ex, make_bank, initial)
    if problem is not None:
        return problem
    alone = hammer(bank.transfer, "A", "B", 1, threads=1, times=1, timeout=min(timeout, 2.0),
                   traced=True, shared=bank)
    if alone.hung:
        return verdict(ex, False, "a single transfer() in a single thread never returned."
                       + _freed(alone),
                       "a thread that acquires a threading.Lock it already holds waits for "
                       "itself (see the deadlock chapter, 'The deadlock with only one thread')",
                       "if src and dst share a lock, take it once")
    if alone.errors:
        return verdict(ex, False, f"transfer('A', 'B', 1) raised {_describe_error(alone.errors[0])}",
                       "try it by hand in a cell of its own and read the traceback")
    if bank.balances != {"A": 999, "B": 1001, "C": 1000}:
        return verdict(ex, False, f"after transfer('A', 'B', 1) the balances are {bank.balances}",
                       "take amount from src and add it to dst, nothing else")
    problem = _one_way_at_a_time(ex, make_bank, initial)
    if problem is not None:
        return problem
    expected = {"A": 1000 + times, "B": 1000, "C": 1000 - times}
    for r in range(rounds):
        bank, problem = _make_bank(ex, make_bank, initial)
        if problem is not None:
            return problem
        with switch_interval(1e-6):
            result = hammer(_router(bank), threads=len(_ROUTES), times=times, timeout=timeout,
                            inject_yields=0.5, seed=1000 * r, shared=bank, stall=3.0)
        if result.hung:
            return verdict(ex, False, f"round {r + 1}: the transfers never finished "
                           f"({result.calls} of {len(_ROUTES) * times} done)." + _freed(result),
                           "A-to-B and B-to-A ran at the same time and waited for each other "
                           "(see the deadlock chapter, 'Two threads, two locks, opposite orders')",
                           "take the two locks in one fixed order, e.g. sorted((src, dst)), "
                           "whichever way the money goes")
        if result.errors:
            return verdict(ex, False, f"round {r + 1}: transfer() raised "
                           f"{_describe_error(result.errors[0])}",
                           "it only fails with several threads: look for a lock released "
                           "twice, or released by a thread that did not take it")
        got = dict(bank.balances)
        if got == expected:
            continue
        total = sum(got.values())
        if total != sum(initial.values()):
            verb = "created" if total > sum(initial.values()) else "destroyed"
            return verdict(ex, False, f"round {r + 1}: money was {verb}: the balances add up to "
                           f"{total}, not {sum(initial.values())} ({got})",
                           "each balances[x] -= amount is a read-modify-write another thread "
                           "can come between (see 'Three steps: the bytecode of +=')",
                           "hold a lock over both updates: one for the bank, or both accounts' "
                           "locks taken in a fixed order")
        return verdict(ex, False, f"round {r + 1}: the total is right but the balances are {got}, "
                       f"not {expected}",
                       "every transfer must happen exactly once, with both of its updates "
                       "under the same lock(s)")
    return verdict(ex, True, f"every balance right in {rounds} rounds of {len(_ROUTES)} threads x "
                   f"{times} transfers, opposite directions included; locks taken in one order "
                   "and each transfer in one critical section")
