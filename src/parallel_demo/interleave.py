"""race_conditions: a deterministic interleaving explorer: race conditions without real threads.

A race condition depends on *when* the operating system switches threads,
which a program does not control and a reader cannot see.  This module takes
the timing away: a "thread" is a short list of steps on shared state, and a
*schedule* says which thread takes the next step.  Running a schedule is
exact and repeatable, and :func:`explore` runs every schedule there is, so a
reader sees all possible outcomes of a small program at once::

    a = increment("A")                  # read counter, add 1, write counter
    b = increment("B")
    run_schedule([a, b], "AABABB").final     # {'counter': 1}: an update was lost
    explore([a, b]).outcomes("counter")      # Counter({1: 18, 2: 2})

The steps mirror what a real thread does to a shared variable:

* :func:`read` copies a shared variable into a thread-local name;
* :func:`compute` (or :func:`add`) changes a local, touching nothing shared;
* :func:`write` copies a local back into a shared variable;
* :func:`acquire` / :func:`release` take and give back a named lock, with
  :class:`threading.Lock` semantics: not re-entrant, and a thread whose next
  step is ``acquire`` of a held lock cannot move until the lock is released.

One step is one indivisible action: another thread can run between any two
steps of a thread, never in the middle of one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from numbers import Integral
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from ._validate import check_int, check_items

_KINDS = ("read", "compute", "write", "acquire", "release")

#: Enumeration stops with an error beyond this many interleavings (they grow
#: like a multinomial coefficient: 3 threads of 5 steps already have 756,756).
DEFAULT_LIMIT = 20_000
#: The largest ``limit=`` accepted: beyond it, enumerating would look like a hang.
MAX_LIMIT = 100_000


# --- programs --------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One indivisible action of a thread.

    Attributes:
        kind: ``"read"``, ``"compute"``, ``"write"``, ``"acquire"`` or ``"release"``.
        name: The shared variable (read, write), the local (compute) or the lock.
        local: The thread-local name a read fills or a write copies from.
        fn: For ``compute``: the new value of ``name`` from its old value.
        label: How the step is shown on a timeline, e.g. ``"tmp + 1"``.
    """

    kind: str
    name: str
    local: str = ""
    fn: Callable[[Any], Any] | None = field(default=None, compare=False)
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown step kind {self.kind!r}; use one of {', '.join(_KINDS)}")


@dataclass(frozen=True)
class ThreadSpec:
    """A named "thread": the steps it takes, in program order."""

    name: str
    steps: tuple[Step, ...]

    def __len__(self) -> int:
        return len(self.steps)


def read(var: str, into: str = "tmp") -> Step:
    """Copy shared variable ``var`` into the thread's local ``into``."""
    return Step("read", var, local=into, label=f"read {var}")


def compute(local: str, fn: Callable[[Any], Any], label: str | None = None) -> Step:
    """Replace the thread's local ``local`` by ``fn(local)``; nothing shared changes."""
    if not callable(fn):
        raise TypeError("compute(local, fn): fn must be a function of the local's old value")
    return Step("compute", local, fn=fn, label=label or f"{local} = f({local})")


def add(local: str = "tmp", amount: int = 1) -> Step:
    """``local = local + amount``, a :func:`compute` step with a readable label."""
    sign = "+" if amount >= 0 else "-"
    return Step("compute", local, fn=lambda v: v + amount, label=f"{local} {sign} {abs(amount)}")


def write(var: str, source: str = "tmp") -> Step:
    """Copy the thread's local ``source`` into shared variable ``var``."""
    return Step("write", var, local=source, label=f"write {var}")


def acquire(lock: str = "lock") -> Step:
    """Take lock ``lock``; wait while another thread holds it."""
    return Step("acquire", lock, label=f"acquire {lock}")


def release(lock: str = "lock") -> Step:
    """Give lock ``lock`` back; only the thread holding it may."""
    return Step("release", lock, label=f"release {lock}")


def thread(name: str, *steps: Step) -> ThreadSpec:
    """A thread called ``name`` that takes ``steps`` in order."""
    if not isinstance(name, str) or not name:
        raise ValueError("a thread needs a non-empty name, such as 'A'")
    for s in steps:
        if not isinstance(s, Step):
            raise TypeError(f"thread {name!r}: {s!r} is not a step; build steps with "
                            "read(), add(), compute(), write(), acquire(), release()")
    return ThreadSpec(name, tuple(steps))


def increment(name: str, var: str = "counter", *, lock: str | None = None,
              amount: int = 1, times: int = 1) -> ThreadSpec:
    """The thread behind ``var += amount``: read, add, write (``times`` over).

    Args:
        name: The thread's name (one letter keeps schedules short: ``"AABB"``).
        var: The shared variable.
        lock: If given, each read-add-write is wrapped in acquire/release of it.
        amount: What is added.
        times: How many increments the thread makes, one after the other.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str such as 'A', got {type(name).__name__} {name!r}")
    body = [read(var), add("tmp", amount), write(var)]
    if lock is not None:
        body = [acquire(lock), *body, release(lock)]
    return thread(name, *(body * times))


# --- running one schedule ---------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """What happened in one time slot of a schedule.

    Attributes:
        slot: Position in time, 0, 1, 2, ...
        thread: Index of the thread that was scheduled.
        step: Index of its step that ran (or that it waited at).
        blocked: True if the step was an ``acquire`` of a lock another
            thread holds: the thread waited and did not move.
        text: What the step did, with values, e.g. ``"tmp = 0"``.
        shared: The shared variables after the slot.
    """

    slot: int
    thread: int
    step: int
    blocked: bool
    text: str
    shared: Mapping[str, Any]


@dataclass(frozen=True)
class Execution:
    """One schedule run to the end.

    Attributes:
        threads: The programs that ran.
        schedule: Thread index per slot (blocked attempts included).
        events: One :class:`Slot` per slot.
        final: Shared variables at the end.
        deadlocked: True if the run ended with threads stuck waiting for locks.
    """

    threads: tuple[ThreadSpec, ...]
    schedule: tuple[int, ...]
    events: tuple[Slot, ...]
    final: Mapping[str, Any]
    deadlocked: bool = False

    @property
    def names(self) -> str | tuple[str, ...]:
        """The schedule as thread names: a string if every name is one character."""
        names = [self.threads[i].name for i in self.schedule]
        return "".join(names) if all(len(n) == 1 for n in names) else tuple(names)

    def __repr__(self) -> str:
        state = ", ".join(f"{k}={v!r}" for k, v in self.final.items())
        dead = ", DEADLOCK" if self.deadlocked else ""
        return f"Execution({self.names!r} -> {state}{dead})"


class _Machine:
    """The state of a run: where each thread is, its locals, the shared state, the locks."""

    def __init__(self, threads: Sequence[ThreadSpec], initial: Mapping[str, Any]) -> None:
        self.threads = threads
        self.pc = [0] * len(threads)
        self.locals: list[dict[str, Any]] = [{} for _ in threads]
        self.shared = dict(initial)
        self.owner: dict[str, int] = {}  # lock name -> index of the thread holding it

    def finished(self, k: int) -> bool:
        return self.pc[k] >= len(self.threads[k].steps)

    def runnable(self, k: int) -> bool:
        """Not finished, and not waiting for a lock someone holds."""
        if self.finished(k):
            return False
        s = self.threads[k].steps[self.pc[k]]
        return not (s.kind == "acquire" and s.name in self.owner)

    def step(self, k: int) -> tuple[bool, str]:
        """Run thread k's next step; return (blocked, text)."""
        t = self.threads[k]
        s = t.steps[self.pc[k]]
        loc = self.locals[k]
        if s.kind == "acquire":
            if s.name in self.owner:
                who = self.threads[self.owner[s.name]].name
                return True, f"waits: {who} holds {s.name}"
            self.owner[s.name] = k
            text = f"holds {s.name}"
        elif s.kind == "release":
            if self.owner.get(s.name) != k:
                # threading.Lock raises RuntimeError for this too.
                raise RuntimeError(f"thread {t.name!r} releases lock {s.name!r}, which it does "
                                   "not hold: every release() needs an earlier acquire()")
            del self.owner[s.name]
            text = f"frees {s.name}"
        elif s.kind == "read":
            if s.name not in self.shared:
                raise KeyError(f"thread {t.name!r} reads {s.name!r}, which has no value: "
                               f"pass initial={{{s.name!r}: ...}}")
            loc[s.local] = self.shared[s.name]
            text = f"{s.local} = {loc[s.local]!r}"
        elif s.kind == "compute":
            if s.name not in loc:
                raise KeyError(f"thread {t.name!r} computes with local {s.name!r} before "
                               "setting it: read() into it first")
            loc[s.name] = s.fn(loc[s.name])
            text = f"{s.name} = {loc[s.name]!r}"
        else:  # write
            if s.local not in loc:
                raise KeyError(f"thread {t.name!r} writes local {s.local!r} before setting "
                               "it: read() into it first")
            self.shared[s.name] = loc[s.local]
            text = f"{s.name} = {loc[s.local]!r}"
        self.pc[k] += 1
        return False, text

    def deadlocked(self) -> bool:
        unfinished = [k for k in range(len(self.threads)) if not self.finished(k)]
        return bool(unfinished) and not any(self.runnable(k) for k in unfinished)


def _check_threads(threads: Sequence[ThreadSpec]) -> tuple[ThreadSpec, ...]:
    if isinstance(threads, ThreadSpec):
        raise TypeError(f"threads must be a list of threads, got the single thread "
                        f"{threads.name!r}; wrap it in a list: [thread]")
    threads = tuple(check_items("threads", threads))
    if not threads:
        raise ValueError("give at least one thread, e.g. [increment('A'), increment('B')]")
    for t in threads:
        if not isinstance(t, ThreadSpec):
            raise TypeError(f"threads must hold threads, but {t!r:.60} is not a thread: build "
                            "each with thread(name, *steps) or increment(name)")
    names = [t.name for t in threads]
    if len(set(names)) != len(names):
        raise ValueError(f"thread names must differ, got {names}")
    return threads


def _initial(threads: Sequence[ThreadSpec], initial: Mapping[str, Any] | None) -> dict[str, Any]:
    """Shared variables start at the given values; any other variable read starts at 0."""
    state = {s.name: 0 for t in threads for s in t.steps if s.kind in ("read", "write")}
    state.update(initial or {})
    return state


def run_schedule(threads: Sequence[ThreadSpec], schedule: Iterable[int | str],
                 initial: Mapping[str, Any] | None = None) -> Execution:
    """Run ``threads`` in the order ``schedule`` gives, one step per entry.

    Args:
        threads: The programs, e.g. ``[increment("A"), increment("B")]``.
        schedule: Who takes the next step: thread names (``"AABABB"`` when
            names are single letters) or indexes.  Naming a thread that waits
            for a lock is allowed: that slot shows it waiting, and it does
            not move.
        initial: Starting values of shared variables (others start at 0).

    Returns:
        The :class:`Execution`, with every slot's event and the final state.

    Raises:
        ValueError: The schedule names an unknown or finished thread, or ends
            before every thread has finished (unless the rest are deadlocked).
    """
    threads = _check_threads(threads)
    if isinstance(schedule, (bytes, Integral)) or not hasattr(schedule, "__iter__"):
        raise TypeError(f"schedule must be a string of thread names such as 'AABB', or a list "
                        f"of names or indexes; got {type(schedule).__name__} {schedule!r:.60}")
    if initial is not None and not callable(getattr(initial, "keys", None)):
        raise TypeError(f"initial must be a dict of starting values, e.g. {{'counter': 0}}, "
                        f"or None; got {type(initial).__name__} {initial!r:.60}")
    index = {t.name: k for k, t in enumerate(threads)}
    m = _Machine(threads, _initial(threads, initial))
    order: list[int] = []
    events: list[Slot] = []
    for slot, who in enumerate(schedule):
        if isinstance(who, str):
            if who not in index:
                raise ValueError(f"schedule position {slot}: no thread named {who!r}; "
                                 f"use one of {', '.join(index)}")
            k = index[who]
        elif isinstance(who, Integral) and not isinstance(who, bool) and 0 <= who < len(threads):
            k = int(who)
        else:
            raise ValueError(f"schedule position {slot}: {who!r} is neither a thread name "
                             f"nor an index 0..{len(threads) - 1}; the schedule must use "
                             "one of them")
        if m.finished(k):
            raise ValueError(f"schedule position {slot}: thread {threads[k].name!r} has "
                             f"already taken all its {len(threads[k])} steps; use a shorter "
                             "schedule")
        pc = m.pc[k]
        blocked, text = m.step(k)
        order.append(k)
        events.append(Slot(slot, k, pc, blocked, text, dict(m.shared)))
    deadlocked = m.deadlocked()
    left = {t.name: len(t) - m.pc[k] for k, t in enumerate(threads) if not m.finished(k)}
    if left and not deadlocked:
        todo = ", ".join(f"{n}: {c} step{'s' * (c != 1)}" for n, c in left.items())
        raise ValueError(f"the schedule ends before every thread has finished ({todo} left); "
                         "extend it: the schedule must let every thread take all its steps")
    return Execution(threads, tuple(order), tuple(events), dict(m.shared), deadlocked)


# --- every schedule ------------------------------------------------------------------


def interleavings(threads: Sequence[ThreadSpec], *, limit: int = DEFAULT_LIMIT) -> Iterator[tuple[int, ...]]:
    """Every order in which the threads' steps can run, as tuples of thread indexes.

    Each thread's own steps keep their order; a thread waiting for a lock is
    not scheduled until the lock is free, so schedules that a lock forbids
    never appear.  A schedule that ends with every remaining thread waiting
    is yielded too (its execution is marked ``deadlocked``).  Without locks
    there are (n1 + n2 + ...)! / (n1! n2! ...) of them: 20 for two threads of
    three steps.  Order is lexicographic, so the serial runs come first and last.

    Raises:
        ValueError: There are more than ``limit`` schedules.  Bad arguments are
            refused at the call, before the first schedule is asked for.
    """
    threads = _check_threads(threads)
    limit = check_int("limit", limit, minimum=1, maximum=MAX_LIMIT)
    return _interleavings(threads, limit)


def _interleavings(threads: tuple[ThreadSpec, ...], limit: int) -> Iterator[tuple[int, ...]]:
    count = 0

    def walk(m: _Machine, prefix: list[int]) -> Iterator[tuple[int, ...]]:
        nonlocal count
        ready = [k for k in range(len(threads)) if m.runnable(k)]
        if not ready:  # all finished, or the rest deadlocked
            count += 1
            if count > limit:
                larger = (f", or pass a larger limit= (at most {MAX_LIMIT:,})"
                          if limit < MAX_LIMIT else "")
                raise ValueError(f"more than {limit} interleavings: use fewer or shorter "
                                 f"threads{larger}")
            yield tuple(prefix)
            return
        for k in ready:
            child = _Machine(threads, m.shared)
            child.pc, child.owner = list(m.pc), dict(m.owner)
            child.locals = [dict(d) for d in m.locals]
            child.step(k)
            prefix.append(k)
            yield from walk(child, prefix)
            prefix.pop()

    yield from walk(_Machine(threads, _initial(threads, None)), [])


@dataclass(frozen=True)
class Exploration:
    """Every interleaving of a program, run.

    Iterate over it for the :class:`Execution` objects, in schedule order.
    """

    threads: tuple[ThreadSpec, ...]
    executions: tuple[Execution, ...]

    def __len__(self) -> int:
        return len(self.executions)

    def __iter__(self) -> Iterator[Execution]:
        return iter(self.executions)

    def outcomes(self, var: str | None = None) -> Counter:
        """How many interleavings end in each final value of ``var``.

        Without ``var``: keyed by the whole final state, as sorted tuples.
        Deadlocked runs are counted under the key ``"deadlock"``.
        """
        out: Counter = Counter()
        for e in self.executions:
            if e.deadlocked:
                out["deadlock"] += 1
            elif var is None:
                out[tuple(sorted(e.final.items()))] += 1
            else:
                out[e.final[var]] += 1
        return out

    def where(self, predicate: Callable[[Execution], bool]) -> list[Execution]:
        """The executions for which ``predicate(execution)`` is true."""
        return [e for e in self.executions if predicate(e)]

    def __repr__(self) -> str:
        return f"Exploration({len(self)} interleavings of {', '.join(t.name for t in self.threads)})"


def explore(threads: Sequence[ThreadSpec], initial: Mapping[str, Any] | None = None, *,
            limit: int = DEFAULT_LIMIT) -> Exploration:
    """Run every interleaving of ``threads`` (see :func:`interleavings`)."""
    threads = _check_threads(threads)
    if initial is not None and not callable(getattr(initial, "keys", None)):
        raise TypeError(f"initial must be a dict of starting values, e.g. {{'counter': 0}}, "
                        f"or None; got {type(initial).__name__} {initial!r:.60}")
    runs = tuple(run_schedule(threads, s, initial) for s in interleavings(threads, limit=limit))
    return Exploration(threads, runs)


