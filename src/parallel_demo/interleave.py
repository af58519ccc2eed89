"""A deterministic interleaving explorer: race conditions without real threads.

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
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

__all__ = [
    "Step", "ThreadSpec", "Slot", "Execution", "Exploration",
    "read", "compute", "add", "write", "acquire", "release", "thread", "increment",
    "run_schedule", "interleavings", "explore", "plot_execution", "plot_interleavings",
    "plot_outcomes",
]

_KINDS = ("read", "compute", "write", "acquire", "release")

#: Enumeration stops with an error beyond this many interleavings (they grow
#: like a multinomial coefficient: 3 threads of 5 steps already have 756,756).
DEFAULT_LIMIT = 20_000


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
    threads = tuple(threads)
    if not threads:
        raise ValueError("give at least one thread, e.g. [increment('A'), increment('B')]")
    for t in threads:
        if not isinstance(t, ThreadSpec):
            raise TypeError(f"{t!r} is not a thread: build threads with thread(name, *steps) "
                            "or increment(name)")
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
    index = {t.name: k for k, t in enumerate(threads)}
    m = _Machine(threads, _initial(threads, initial))
    order: list[int] = []
    events: list[Slot] = []
    for slot, who in enumerate(schedule):
        if isinstance(who, str):
            if who not in index:
                raise ValueError(f"schedule position {slot}: no thread named {who!r} "
                                 f"(threads are {', '.join(index)})")
            k = index[who]
        elif isinstance(who, int) and 0 <= who < len(threads):
            k = who
        else:
            raise ValueError(f"schedule position {slot}: {who!r} is neither a thread name "
                             f"nor an index 0..{len(threads) - 1}")
        if m.finished(k):
            raise ValueError(f"schedule position {slot}: thread {threads[k].name!r} has "
                             f"already taken all its {len(threads[k])} steps")
        pc = m.pc[k]
        blocked, text = m.step(k)
        order.append(k)
        events.append(Slot(slot, k, pc, blocked, text, dict(m.shared)))
    deadlocked = m.deadlocked()
    left = {t.name: len(t) - m.pc[k] for k, t in enumerate(threads) if not m.finished(k)}
    if left and not deadlocked:
        todo = ", ".join(f"{n}: {c} step{'s' * (c != 1)}" for n, c in left.items())
        raise ValueError(f"the schedule ends before every thread has finished ({todo} left); "
                         "extend it")
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
        ValueError: There are more than ``limit`` schedules.
    """
    threads = _check_threads(threads)
    count = 0

    def walk(m: _Machine, prefix: list[int]) -> Iterator[tuple[int, ...]]:
        nonlocal count
        ready = [k for k in range(len(threads)) if m.runnable(k)]
        if not ready:  # all finished, or the rest deadlocked
            count += 1
            if count > limit:
                raise ValueError(f"more than {limit} interleavings: use fewer or shorter "
                                 "threads, or pass a larger limit=")
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
    runs = tuple(run_schedule(threads, s, initial) for s in interleavings(threads, limit=limit))
    return Exploration(threads, runs)


# --- charts ------------------------------------------------------------------------

_BLOCKED = "#BBBBBB"


def _text_color(k: int) -> str:
    from .charts import worker_color

    # Light palette entries (orange, sky blue, yellow) need dark text.
    return "black" if worker_color(k) in ("#E69F00", "#56B4E9", "#F0E442") else "white"


def plot_execution(execution: Execution, ax=None, *, title: str | None = None,
                   shared: str | None = None):
    """One lane per thread, one box per step: a schedule as a timeline.

    Each box shows the step and what it did (``read counter`` / ``tmp = 0``);
    a hatched grey box is a thread waiting for a lock.  Above the lanes, the
    shared variable ``shared`` (default: the first one) after every slot.

    Returns:
        The Axes drawn on.
    """
    import matplotlib.pyplot as plt

    from .charts import book_style, worker_color

    threads = execution.threads
    n = len(execution.events)
    var = shared or next(iter(execution.final), None)
    if ax is None:
        with plt.rc_context(book_style):
            fig, ax = plt.subplots(figsize=(max(5.0, min(9.6, 1.05 * n + 1.2)),
                                            0.9 + 0.75 * (len(threads) + 1)),
                                   layout="constrained")
        ax.spines[["top", "right"]].set_visible(False)
    top = -1  # the row above the lanes holds the shared variable
    size = 7.5 if n <= 8 else 6.5  # long schedules get narrower boxes
    for e in execution.events:
        step = threads[e.thread].steps[e.step]
        face = _BLOCKED if e.blocked else worker_color(e.thread)
        ax.add_patch(plt.Rectangle((e.slot + 0.04, e.thread - 0.38), 0.92, 0.76, facecolor=face,
                                   edgecolor="white", hatch="///" if e.blocked else None,
                                   linewidth=0.8))
        color = "black" if e.blocked else _text_color(e.thread)
        # Text on the hatched "waiting" boxes gets a pale backing so it stays readable.
        backing = dict(facecolor="white", alpha=0.8, edgecolor="none", pad=0.8) if e.blocked else None
        ax.text(e.slot + 0.5, e.thread - 0.13, step.label, ha="center", va="center",
                fontsize=size, color=color, fontweight="bold", bbox=backing)
        ax.text(e.slot + 0.5, e.thread + 0.17, "waits" if e.blocked else e.text,
                ha="center", va="center", fontsize=size, color=color, bbox=backing)
        if var is not None:
            before = execution.events[e.slot - 1].shared.get(var) if e.slot else None
            now_ = e.shared.get(var)
            changed = e.slot == 0 or now_ != before
            ax.text(e.slot + 0.5, top, f"{now_!r}", ha="center", va="center", fontsize=9,
                    color="black" if changed else "#999999",
                    fontweight="bold" if changed else "normal")
    ax.set_xlim(0, max(n, 1))
    ax.set_ylim(len(threads) - 0.5, top - 0.6)
    ax.set_yticks([top, *range(len(threads))],
                  [f"{var} =" if var else "", *(f"thread {t.name}" for t in threads)])
    ax.set_xticks([k + 0.5 for k in range(n)], [str(k + 1) for k in range(n)])
    ax.set_xlabel("time slot (one step per slot)")
    ax.tick_params(axis="both", length=0)
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    if title is None:
        state = ", ".join(f"{k} = {v!r}" for k, v in execution.final.items())
        title = f"schedule {execution.names}: {'deadlock' if execution.deadlocked else state}"
    ax.set_title(title)
    return ax


_LETTER = {"read": "R", "compute": "+", "write": "W", "acquire": "A", "release": "L"}


def plot_interleavings(exploration: Exploration | Sequence[Execution], var: str = "counter",
                       expected: Any = None, ax=None, *, title: str | None = None):
    """Every interleaving at a glance: one row per schedule, one cell per step.

    Cells are coloured by thread and lettered R (read), + (compute),
    W (write), A (acquire), L (release: let go).  The final value of ``var``
    is written at the end of each row, in vermilion with a ✘ when it is not
    ``expected``.

    Returns:
        The Axes drawn on.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from .charts import PALETTE, book_style, worker_color

    runs = list(exploration)
    if not runs:
        raise ValueError("nothing to draw: the exploration has no executions")
    threads = runs[0].threads
    width = max(len(r.events) for r in runs)
    if ax is None:
        with plt.rc_context(book_style):
            fig, ax = plt.subplots(figsize=(min(10.0, 2.6 + 0.42 * width), 0.9 + 0.24 * len(runs)),
                                   layout="constrained")
    for row, r in enumerate(runs):
        for e in r.events:
            step = threads[e.thread].steps[e.step]
            ax.add_patch(plt.Rectangle((e.slot + 0.05, row - 0.42), 0.9, 0.84,
                                       facecolor=_BLOCKED if e.blocked else worker_color(e.thread),
                                       edgecolor="white", linewidth=0.5))
            ax.text(e.slot + 0.5, row, _LETTER[step.kind], ha="center", va="center", fontsize=7,
                    color=_text_color(e.thread))
        value = "deadlock" if r.deadlocked else r.final.get(var)
        bad = expected is not None and value != expected
        ax.text(width + 0.3, row, f"{var} = {value}" + ("  ✘" if bad else ""), va="center",
                fontsize=8, color=PALETTE[5] if bad else "black",
                fontweight="bold" if bad else "normal")
    ax.set_xlim(0, width + 3.2)
    ax.set_ylim(len(runs) - 0.5, -0.5)
    ax.set_yticks(range(len(runs)), [str(r.names) if isinstance(r.names, str) else "" for r in runs],
                  fontsize=7, family="monospace")
    ax.set_xticks([k + 0.5 for k in range(width)], [str(k + 1) for k in range(width)], fontsize=7)
    ax.set_xlabel("time slot")
    ax.set_ylabel("schedule")
    ax.tick_params(axis="both", length=0)
    ax.grid(False)
    for side in ax.spines:
        ax.spines[side].set_visible(False)
    ax.legend(handles=[Patch(color=worker_color(k), label=f"thread {t.name}")
                       for k, t in enumerate(threads)],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.set_title(title or f"All {len(runs)} interleavings")
    return ax


def plot_outcomes(exploration: Exploration, var: str = "counter", expected: Any = None, ax=None, *,
                  title: str | None = None):
    """How many interleavings end in each final value of ``var`` (a bar per value).

    Returns:
        The Axes drawn on.
    """
    from .charts import PALETTE, _new_axes

    counts = exploration.outcomes(var)
    keys = sorted(counts, key=lambda v: (isinstance(v, str), v))
    ax = _new_axes(ax, height=2.6)
    colors = [PALETTE[2] if (expected is not None and k == expected) else PALETTE[5] for k in keys]
    bars = ax.bar([str(k) for k in keys], [counts[k] for k in keys], color=colors, width=0.6)
    ax.bar_label(bars, padding=2)
    ax.set_xlabel(f"final value of {var}")
    ax.set_ylabel("interleavings")
    ax.set_ylim(0, max(counts.values()) * 1.18)
    ax.grid(False, axis="x")
    ax.set_title(title or f"Outcomes of {len(exploration)} interleavings")
    return ax
