"""race_conditions: real threads that race: lost updates you can count, and the fixes that stop them.

Since CPython 3.10 a thread running under the GIL is switched out only at
certain points (a call, a backward jump of a loop, the start of a function),
not between any two bytecodes, so the textbook race::

    def naive_increment(counter):
        counter.value += 1

run from four threads almost never loses an update.  It is still a race:
``+=`` is a read, an add and a write (see :func:`instructions`), and nothing
stops a switch from landing between them once something in between yields.
This module makes the race visible in two honest ways:

* :func:`yielding_increment` reads, calls ``time.sleep(0)`` (which lets the
  other threads run, as any I/O or logging call would), then writes;
* :func:`stress` injects such a yield before (almost) every bytecode of the
  code under test, with a tracing hook, so ``x += 1`` itself loses updates.

:func:`hammer` runs any function from several threads at once, with a time
limit and a way to free threads stuck on a lock; :func:`race` counts the lost
updates of one run; :func:`atomicity_table` tests common one-liners
(``list.append``, ``d[k] += 1``, ``queue.put``) under injected yields.
"""

from __future__ import annotations

import contextlib
import dis
import queue
import random
import sys
import threading
import time
from dataclasses import dataclass
from numbers import Real
from typing import Any, Callable, Mapping, Sequence

from ._hang import join_threads
from ._validate import check_callable, check_int, check_number, check_seconds
from .locks import TrackedLock
from .trace import now


# --- what the threads share ---------------------------------------------------------


class SharedCounter:
    """A number several threads add to, and the lock that should guard it."""

    def __init__(self) -> None:
        self.value = 0
        self.lock = threading.Lock()  # must be held from the read to the write of `value`


class UnsafeBank:
    """Accounts and transfers, with no protection at all (an exercise's start)."""

    def __init__(self, balances: dict[str, int]) -> None:
        if not callable(getattr(balances, "items", None)):
            raise TypeError(f"balances must be a dict of account -> amount, e.g. "
                            f"{{'A': 100, 'B': 100}}; got {type(balances).__name__} {balances!r:.60}")
        if not balances:
            raise ValueError("balances must name at least one account, e.g. {'A': 100, 'B': 100}")
        for account, amount in balances.items():
            if isinstance(amount, bool) or not isinstance(amount, Real):
                raise TypeError(f"balances must map each account to a number, e.g. "
                                f"{{'A': 100}}; got {account!r}: {amount!r:.40}")
        self.balances = dict(balances)

    def transfer(self, src: str, dst: str, amount: int) -> None:
        self.balances[src] -= amount  # two read-modify-writes: neither
        self.balances[dst] += amount  # is safe from other threads


# Shown in the book (race_conditions) with inspect.getsource: keep it as the chapter reads it;
# its near-twins elsewhere are deliberate, not duplicates to merge.
class UnsafeCounter:
    """An exercise's starting point: exact in one thread, not in several."""

    def __init__(self) -> None:
        self.value = 0

    def increment(self) -> None:
        self.value += 1  # read, add, write: another thread can come between


def naive_increment(counter: SharedCounter) -> None:
    """``counter.value += 1``: a race that CPython 3.10+ under the GIL rarely shows."""
    counter.value += 1


def note(value: int) -> None:
    """A Python function that does nothing, standing in for a log line or a property."""


# Shown in the book (race_conditions) with inspect.getsource: keep it as the chapter reads it;
# its near-twins elsewhere are deliberate, not duplicates to merge.
def calling_increment(counter: SharedCounter) -> None:
    """Read, call a Python function, write: a switch can land at the call.

    CPython 3.10+ switches there only if the running thread's time slice
    (``sys.getswitchinterval()``, 5 ms) has just run out, so most
    increments get through, and a few lose a whole slice's work: the
    number lost varies wildly from run to run, and is sometimes zero.
    """
    value = counter.value
    note(value)  # a function call: CPython may switch threads here
    counter.value = value + 1


# Shown in the book (race_conditions) with inspect.getsource: keep it as the chapter reads it;
# its near-twins elsewhere are deliberate, not duplicates to merge.
def yielding_increment(counter: SharedCounter) -> None:
    """Read, let other threads run, write: the race, shown in (almost) every run."""
    value = counter.value
    time.sleep(0)  # waiting (I/O, a log line, a lock) lets others run
    counter.value = value + 1


# Shown in the book (race_conditions) with inspect.getsource: keep it as the chapter reads it;
# its near-twins elsewhere are deliberate, not duplicates to merge.
def locked_increment(counter: SharedCounter) -> None:
    """The fix: read and write with the lock held, yield and all."""
    with counter.lock:
        value = counter.value
        time.sleep(0)  # others may run now, but none can enter this block
        counter.value = value + 1


# --- running a function from many threads at once ----------------------------------


# The trace hook leaves threading.py alone: stopping a thread in the middle of
# a Condition or a Barrier could leave it broken for the other threads.
_UNTRACED_FILES = {threading.__file__}
_HARNESS: set[Any] = set()  # code objects of the harness itself: never traced


def harness(fn: Callable) -> Callable:
    _HARNESS.add(fn.__code__)
    return fn


@dataclass(frozen=True)
class HammerResult:
    """What :func:`hammer` saw.

    Attributes:
        threads: How many threads ran.
        times: How many calls each thread was to make.
        done: Calls each thread completed (before the harness gave up, if it did).
        wall: Seconds from the start signal to the last thread's end (or the give-up).
        errors: Exceptions raised by the function, at most one per thread.
        hung: True if some thread did not finish within the time limit.
        stuck: Threads still alive after the harness tried to free them
            (they are daemon threads: they cannot keep the interpreter alive).
    """

    threads: int
    times: int
    done: tuple[int, ...]
    wall: float
    errors: tuple[BaseException, ...] = ()
    hung: bool = False
    stuck: int = 0

    @property
    def calls(self) -> int:
        """Calls completed, summed over threads."""
        return sum(self.done)


def _lock_type() -> type:
    return type(threading.Lock())


def _locks_near(fn: Callable, shared: Any) -> list[Any]:
    """Plain (or tracked) locks a stuck thread may wait for: in ``shared``, its class, fn's globals."""
    kind = (_lock_type(), TrackedLock)
    found: list[Any] = []
    places: list[Any] = []
    for obj in (shared, getattr(fn, "__self__", None)):
        if obj is not None:
            places.append(getattr(obj, "__dict__", {}))
            places.append(getattr(type(obj), "__dict__", {}))
    func = getattr(fn, "__func__", fn)
    code = getattr(func, "__code__", None)
    if code is not None:
        g = getattr(func, "__globals__", {})
        places.append({n: g[n] for n in code.co_names if n in g})
    for place in places:
        for value in list(place.values()):
            # One level into containers too: a lock per account lives in a dict.
            inner = list(value.values()) if isinstance(value, dict) else (
                list(value) if isinstance(value, (list, tuple)) else [])
            for candidate in (value, *inner):
                if isinstance(candidate, kind) and all(candidate is not f for f in found):
                    found.append(candidate)
    return found


def hammer(fn: Callable[..., Any], *args: Any, threads: int = 4, times: int = 1000,
           timeout: float = 20.0, inject_yields: float = 0.0, seed: int = 0,
           shared: Any = None, traced: bool | None = None,
           stall: float | None = None) -> HammerResult:
    """Call ``fn(*args)`` ``times`` times from each of ``threads`` threads, all at once.

    The threads wait at a barrier and start together.  With
    ``inject_yields=p > 0`` each runs with a trace hook on the code under
    test (anything but this harness and ``threading`` itself) that calls
    ``time.sleep(0)`` before each bytecode with probability ``p``, so any
    step that is not atomic gets interrupted sooner or later (slow: use a few
    hundred calls).

    When the time limit passes (or nothing progresses for ``stall``
    seconds), the threads are told to stop before their next call, and the
    harness releases the plain :class:`threading.Lock` (and
    :class:`~parallel_demo.locks.TrackedLock`) objects it can find
    (attributes of ``shared``/``fn.__self__``, one level into their dicts
    and lists, globals ``fn`` uses): that unblocks threads waiting for a
    lock nobody will release, so they can finish their call and leave.  A
    thread stuck in a loop that never returns cannot be stopped; it is
    counted in ``stuck`` (it is a daemon thread).

    Args:
        fn: What each thread calls, e.g. ``counter.increment``.
        args: Passed to every call.
        threads: Number of threads.
        times: Calls per thread.
        timeout: Seconds before the harness gives up (then ``hung`` is True).
        inject_yields: Probability of a yield before each traced bytecode.
        seed: Seeds the injected yields (thread k uses ``seed + k``).
        shared: Where to look for locks to free on a time-out.
        traced: Install the trace hook even without injected yields.
            Tracing slows every line down, so untraced runs are the natural ones.
        stall: Give up early if no call completes for this many seconds
            (a deadlock shows up at once; waiting the full ``timeout`` is
            needed only for code that is merely slow).

    Returns:
        A :class:`HammerResult`; the threads have ended unless ``stuck > 0``.
    """
    check_callable("fn", fn, hint="pass the function itself, e.g. hammer(counter.increment)")
    check_seconds("timeout", timeout)
    if threads < 1 or times < 0:
        raise ValueError("threads must be >= 1 and times >= 0")
    if not 0.0 <= inject_yields <= 1.0:
        raise ValueError("inject_yields is a probability, between 0 and 1")
    traced = inject_yields > 0 if traced is None else traced
    stop = threading.Event()
    start = threading.Barrier(threads + 1)
    done = [0] * threads
    errors: list[BaseException] = []
    errors_lock = threading.Lock()  # must be held while appending to errors

    def make_tracer(rng: random.Random) -> Callable:
        # The hook never raises: on CPython 3.12.1, an exception raised from an
        # opcode-level trace function while other threads are traced crashed
        # the interpreter.  Threads stop between calls instead (see worker).
        def local(frame, event, arg):
            if event == "opcode" and rng.random() < inject_yields:
                time.sleep(0)
            return local

        def global_(frame, event, arg):
            code = frame.f_code
            if code in _HARNESS or code.co_filename in _UNTRACED_FILES:
                return None
            if inject_yields:
                frame.f_trace_opcodes = True
            return local

        return global_

    @harness
    def worker(k: int) -> None:
        try:
            start.wait(timeout)
            if traced:
                sys.settrace(make_tracer(random.Random(seed + k)))
            for _ in range(times):
                if stop.is_set():  # the harness gave up: leave between calls
                    break
                fn(*args)
                done[k] += 1
        except threading.BrokenBarrierError:
            pass
        except BaseException as exc:  # the code under test's error is data, not a crash
            with errors_lock:
                errors.append(exc)
        finally:
            if traced:
                sys.settrace(None)

    pool = [threading.Thread(target=worker, args=(k,), name=f"hammer {k}", daemon=True)
            for k in range(threads)]
    for t in pool:
        t.start()
    t0 = now()
    try:
        start.wait(timeout)
    except threading.BrokenBarrierError:
        stop.set()
    deadline = t0 + timeout
    progress, last_change = -1, now()
    while any(t.is_alive() for t in pool) and now() < deadline:
        calls = sum(done)
        if calls != progress:
            progress, last_change = calls, now()
        elif stall is not None and now() - last_change > stall:
            break  # no call has finished for `stall` seconds: stuck, not slow
        for t in pool:
            t.join(0.02)
    wall = now() - t0
    hung = any(t.is_alive() for t in pool)
    finished = tuple(done)  # counted before freeing threads lets stuck calls complete
    if hung:
        stop.set()
        locks = _locks_near(fn, shared)
        give_up = now() + 2.0
        while any(t.is_alive() for t in pool) and now() < give_up:
            for lock in locks:
                if lock.locked():
                    with contextlib.suppress(RuntimeError):
                        lock.release()
            for t in pool:
                t.join(0.01)
    return HammerResult(threads, times, finished, wall, tuple(errors), hung,
                        sum(t.is_alive() for t in pool))


def stress(fn: Callable[..., Any], *args: Any, threads: int = 4, times: int = 250,
           probability: float = 0.5, seed: int = 0, timeout: float = 20.0) -> HammerResult:
    """:func:`hammer` with a yield injected before about half of all bytecodes."""
    return hammer(fn, *args, threads=threads, times=times, inject_yields=probability,
                  seed=seed, timeout=timeout)


# --- counting lost updates ------------------------------------------------------------


def _queue_run(threads: int, increments: int, timeout: float) -> tuple[int, float]:
    """Producers put 1s on a queue; one consumer owns the total: nothing is shared but the queue."""
    q: queue.Queue = queue.Queue()
    total = [0]
    done = object()

    @harness
    def consumer() -> None:
        finished = 0
        while finished < threads:
            item = q.get(timeout=timeout)
            if item is done:
                finished += 1
            else:
                total[0] += item  # only this thread ever touches total

    def producer() -> None:
        for _ in range(increments):
            q.put(1)
            time.sleep(0)  # the same yield that breaks the unlocked counter
        q.put(done)

    c = threading.Thread(target=consumer, name="consumer", daemon=True)
    c.start()
    result = hammer(producer, threads=threads, times=1, timeout=timeout)
    c.join(timeout)
    if result.hung or c.is_alive() or result.errors:
        raise RuntimeError("the queue demo did not finish in time; is the machine overloaded?")
    return total[0], result.wall


#: The increments :func:`race` can run, by name.
RACE_KINDS: dict[str, Callable[[SharedCounter], None] | None] = {
    "naive": naive_increment,
    "calling": calling_increment,
    "yielding": yielding_increment,
    "locked": locked_increment,
    "queue": None,  # producers hand 1s to a consumer thread (see _queue_run)
}


@dataclass(frozen=True)
class RaceResult:
    """One run of ``threads`` threads each adding 1 ``increments`` times.

    Attributes:
        kind: Which increment ran (a key of :data:`RACE_KINDS`).
        threads: How many threads.
        increments: Increments per thread.
        value: The counter at the end.
        wall: Seconds the run took.
    """

    kind: str
    threads: int
    increments: int
    value: int
    wall: float

    @property
    def expected(self) -> int:
        """What an exact counter would read."""
        return self.threads * self.increments

    @property
    def lost(self) -> int:
        """Updates that vanished: another thread's write was overwritten."""
        return self.expected - self.value

    @property
    def lost_share(self) -> float:
        """The fraction of updates lost, 0.0 (exact) to almost 1.0."""
        return self.lost / self.expected if self.expected else 0.0


def race(kind: str = "yielding", *, threads: int = 4, increments: int = 1000,
         timeout: float = 30.0) -> RaceResult:
    """Run one kind of increment from ``threads`` threads and count what was lost.

    Args:
        kind: ``"naive"`` (``+=``), ``"calling"`` (read, call a Python
            function, write), ``"yielding"`` (read, ``sleep(0)``, write), ``"locked"`` (the same under a lock) or ``"queue"``
            (hand 1s to a single adding thread).
        threads: Threads adding at the same time.
        increments: Additions per thread.
        timeout: Seconds before giving up with an error.
    """
    if kind not in RACE_KINDS:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(RACE_KINDS)}")
    if threads < 1 or increments < 0:
        raise ValueError("threads must be >= 1 and increments >= 0")
    if kind == "queue":
        value, wall = _queue_run(threads, increments, timeout)
        return RaceResult(kind, threads, increments, value, wall)
    counter = SharedCounter()
    result = hammer(RACE_KINDS[kind], counter, threads=threads, times=increments,
                    timeout=timeout, shared=counter)
    if result.hung or result.errors:
        raise RuntimeError(f"the {kind} race did not finish cleanly: {result}")
    return RaceResult(kind, threads, increments, counter.value, result.wall)


def race_runs(kind: str = "yielding", runs: int = 10, **options: Any) -> list[RaceResult]:
    """:func:`race` ``runs`` times: the spread of lost updates from run to run."""
    return [race(kind, **options) for _ in range(runs)]


# --- which one-liners are atomic -----------------------------------------------------


def instructions(code: Any) -> list[str]:
    """The bytecode of ``code`` (a function or a string of source) as short lines.

    Bookkeeping instructions that do no work (``RESUME``, ``NOP``, ``CACHE``,
    returning ``None`` at the end) are left out, so what remains is the
    loads, the operation and the stores.
    """
    if isinstance(code, str):
        code = compile(code, "<instructions>", "exec")
    elif not (callable(code) or hasattr(code, "co_code") or hasattr(code, "gi_code")):
        raise TypeError(f"code must be a function or a string of Python source, e.g. "
                        f"instructions('x += 1'); got {type(code).__name__} {code!r:.60}")
    skip = {"RESUME", "NOP", "CACHE", "RETURN_CONST", "RETURN_VALUE", "PRECALL", "PUSH_NULL",
            "KW_NAMES", "POP_TOP"}
    lines = []
    for ins in dis.get_instructions(code):
        if ins.opname in skip or (ins.opname == "LOAD_CONST" and ins.argval is None):
            continue
        lines.append(f"{ins.opname} {ins.argrepr}".rstrip())
    return lines


class _Box:
    """What the atomicity tests share: a number, a list, a dict, a queue and a lock."""

    def __init__(self) -> None:
        self.value = 0
        self.items: list[int] = []
        self.counts: dict[str, int] = {"k": 0}
        self.queue: queue.Queue = queue.Queue()
        self.lock = threading.Lock()


def _op_add(box: _Box) -> None:
    box.value += 1


def _op_append(box: _Box) -> None:
    box.items.append(1)


def _op_dict_add(box: _Box) -> None:
    box.counts["k"] += 1


def _op_dict_get(box: _Box) -> None:
    box.counts["k"] = box.counts.get("k", 0) + 1


def _op_put(box: _Box) -> None:
    box.queue.put(1)


def _op_locked_add(box: _Box) -> None:
    with box.lock:
        box.value += 1


_OPERATIONS: dict[str, tuple[Callable[[_Box], None], Callable[[_Box], int]]] = {
    "x += 1": (_op_add, lambda b: b.value),
    "items.append(1)": (_op_append, lambda b: len(b.items)),
    "d[k] += 1": (_op_dict_add, lambda b: b.counts["k"]),
    "d[k] = d.get(k, 0) + 1": (_op_dict_get, lambda b: b.counts["k"]),
    "q.put(1)": (_op_put, lambda b: b.queue.qsize()),
    "with lock: x += 1": (_op_locked_add, lambda b: b.value),
}


@dataclass(frozen=True)
class AtomicityRow:
    """How one operation fared under injected yields."""

    operation: str
    expected: int
    counted: int

    @property
    def lost(self) -> int:
        return self.expected - self.counted


def atomicity_table(*, threads: int = 4, times: int = 200, seed: int = 0,
                    probability: float = 0.5) -> list[AtomicityRow]:
    """Run each common one-liner under :func:`stress` and count what survived.

    A yield is injected before about half of the bytecodes of each
    operation, so an operation made of several bytecodes (``+=`` on an
    attribute or a dict item) loses updates, and one that does its whole
    job inside a single call into C (``list.append``) or holds a lock while
    it changes anything (``Queue.put``, which takes its own internal lock,
    and the explicit ``with lock:``) does not.
    """
    threads = check_int("threads", threads, minimum=1, maximum=64)
    times = check_int("times", times, minimum=1, maximum=10_000)  # traced calls are slow
    seed = check_int("seed", seed)
    probability = check_number("probability", probability, low=0.0, high=1.0)
    rows = []
    for k, (name, (op, count)) in enumerate(_OPERATIONS.items()):
        box = _Box()
        result = stress(op, box, threads=threads, times=times, probability=probability,
                        seed=seed + 100 * k)
        if result.hung or result.errors:
            raise RuntimeError(f"{name} did not finish cleanly under stress: {result}")
        rows.append(AtomicityRow(name, threads * times, count(box)))
    return rows




# Shown in the book (race_conditions) with inspect.getsource: keep it as the chapter reads it;
# its near-twin, _queue_run (which also times and yields), is deliberate.
def queue_total(producers: int = 4, each: int = 1000, *, timeout: float = 10.0) -> int:
    """Producers hand 1s to the caller through a queue; only the caller adds them up."""
    producers = check_int("producers", producers, minimum=1)
    handoff: queue.Queue = queue.Queue()
    done = object()  # one "I'm finished" marker per producer

    def producer() -> None:
        for _ in range(each):
            handoff.put(1)  # Queue locks internally: safe from any thread
        handoff.put(done)

    workers = [threading.Thread(target=producer) for _ in range(producers)]
    for w in workers:
        w.start()
    total, finished = 0, 0
    try:
        while finished < producers:
            item = handoff.get(timeout=timeout)  # never wait forever
            if item is done:
                finished += 1
            else:
                total += item  # only this thread touches total
    finally:
        join_threads(workers, timeout)
    return total


def explain_naive(results: Sequence[RaceResult]) -> str:
    """Markdown: what the plain ``+=`` runs lost on this Python, and why that is luck."""
    import sys

    from .env import doctor

    version = f"Python {sys.version_info.major}.{sys.version_info.minor}"
    lossy = [r.lost for r in results if r.lost]
    expected = results[0].expected if results else 0
    if not lossy:
        text = (f"{version}: all {len(results)} runs counted to exactly {expected:,}. "
                "No update was lost this time.")
    else:
        text = (f"{version}: {len(lossy)} of {len(results)} runs lost updates "
                f"(up to {max(lossy):,} of {expected:,}).")
    if not doctor().gil_enabled:
        text += (" This interpreter runs without the GIL: threads really run at the same time "
                 "here, so even the plain race shows up.")
    return text


def explain_runs(runs: Mapping[str, Sequence[RaceResult]]) -> str:
    """Markdown: per kind of increment, in how many runs updates were lost, and how many."""
    lines = []
    for kind, results in runs.items():
        lost = [r.lost for r in results]
        if not any(lost):
            lines.append(f"- `{kind}`: exact in all {len(lost)} runs")
        else:
            share = sum(r.lost_share for r in results) / len(results)
            hit = sum(1 for x in lost if x)
            lines.append(f"- `{kind}`: lost updates in {hit} of {len(lost)} runs "
                         f"({share:.0%} of all updates, on average)")
    return "\n".join(lines)


def explain_lock_cost(runs: Mapping[str, Sequence[RaceResult]], unlocked: str = "yielding",
                      locked: str = "locked") -> str:
    """Markdown: did the lock make the runs slower?  Judged on every run's wall time, with the spread."""
    from .timing import Measurement
    from .verdict import compare

    a = Measurement(f"`{locked}`", tuple(r.wall for r in runs[locked]))
    b = Measurement(f"`{unlocked}`", tuple(r.wall for r in runs[unlocked]))
    return compare(a, b).sentence()
