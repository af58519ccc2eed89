"""Free-threaded Python and subinterpreters: the ``"interpreter_pool"`` strategy and what crosses.

Python 3.14 added :class:`concurrent.futures.InterpreterPoolExecutor` (PEP 734):
a pool of worker *threads*, each running its own interpreter, with its own
modules, its own globals and (since 3.12, PEP 684) its own GIL.  Tasks run in
parallel inside one process, like processes, yet start like threads.  What a
task receives must cross from one interpreter to another: the callable, its
arguments and its result are pickled (or shared directly when they are simple
immutable values), so the rules resemble a process pool's, with twists of
their own.  C extensions must declare that they support subinterpreters;
NumPy does not, and refuses to load in one.

Registered with :func:`parallel_demo.strategies.register_strategy` under the
same rules as the core strategies: results in input order, one
:class:`~parallel_demo.trace.TaskRecord` per item, the exception of the first
failing item (in input order) with a note naming it, and nothing left running
when ``run`` returns or raises.  On Pythons without the executor the strategy
is listed but :func:`~parallel_demo.strategies.run` raises the reason.
"""

from __future__ import annotations

import concurrent.futures as cf
import sys
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ._validate import check_callable, check_int, check_seconds
from .strategies import call_and_record, register_strategy
from .timing import Measurement
from .trace import TaskRecord, now


def interpreter_pool_reason(version_info: tuple[int, ...] | None = None,
                            has_executor: bool | None = None) -> str | None:
    """Why ``"interpreter_pool"`` cannot run on this Python, or None if it can.

    Both arguments default to this interpreter's facts; tests pass others.
    """
    if version_info is None:
        version_info = tuple(sys.version_info[:3])
    if has_executor is None:
        has_executor = hasattr(cf, "InterpreterPoolExecutor")
    if has_executor:
        return None
    shown = ".".join(str(v) for v in version_info[:3])
    if tuple(version_info[:2]) < (3, 14):
        return f"needs Python 3.14 (this is {shown})"
    return (f"needs concurrent.futures.InterpreterPoolExecutor, which this Python ({shown}, "
            f"{sys.implementation.name}) does not have")


#: Why the strategy cannot run here (None when it can).
INTERPRETER_POOL_REASON: str | None = interpreter_pool_reason()

#: True where ``concurrent.futures.InterpreterPoolExecutor`` exists (CPython 3.14+).
HAS_INTERPRETER_POOL: bool = INTERPRETER_POOL_REASON is None


def interpreter_id() -> int:
    """The id of the interpreter running the caller: 0 is the main one (needs 3.14 to be > 0)."""
    try:
        from concurrent import interpreters  # 3.14 (PEP 734)
    except ImportError:
        return 0
    return interpreters.get_current().id


# ---------------------------------------------------------------------------
# What runs inside a worker interpreter.  Module-level and light: each worker
# interpreter imports this module (and so the package) once, before its first task.

@register_strategy("interpreter_pool", lane="interpreter", options=("initializer", "initargs"),
                   unavailable=INTERPRETER_POOL_REASON)
def _interpreter_pool(fn, items, workers, initializer=None, initargs=()):
    executor = cf.InterpreterPoolExecutor(max_workers=workers, thread_name_prefix="interp",
                                          initializer=initializer, initargs=initargs)
    with executor as ex:
        futures = [ex.submit(call_and_record, fn, i, item, now())
                   for i, item in enumerate(items)]
        out = []
        try:
            for fut in futures:
                out.append(fut.result())
        except TypeError as exc:
            ex.shutdown(wait=True, cancel_futures=True)
            if type(exc).__name__ != "NotShareableError":
                raise
            raise _not_shareable(exc, fn) from exc
        except BaseException:
            ex.shutdown(wait=True, cancel_futures=True)
            raise
        return out


def _not_shareable(exc: TypeError, fn: Any) -> TypeError:
    """``exc`` (a NotShareableError, a TypeError) again, with a message that names ``fn``."""
    name = getattr(fn, "__qualname__", repr(fn))
    message = (
        f"fn={name!r} (or one of its items) cannot be sent to a worker interpreter "
        f"({type(exc).__name__}; the original error is chained below). "
        "A closure (a function that uses a variable of the function that made it) cannot "
        "cross, nor can a notebook function that reads the notebook's globals. Pass a "
        "function defined at the top level of a module you import instead (e.g. from "
        "parallel_demo import is_prime), and give it the values it needs as items.")
    try:
        return type(exc)(message)
    except Exception:  # an exception type that takes other arguments
        return TypeError(message)


# ---------------------------------------------------------------------------
# What crosses into a subinterpreter, tried one callable at a time.

@dataclass(frozen=True)
class Crossing:
    """What happened when one callable was sent to a worker interpreter.

    Attributes:
        name: What was sent, for the table.
        ok: It ran and its result came back.
        result: The result, when ``ok``.
        error: The exception's type name, when not ``ok`` (``""`` otherwise).
        message: The line of its message that says what went wrong.
        cause: The type name of the exception's ``__cause__``, if any.
        cause_message: That line of the cause's message (often the real reason).
    """

    name: str
    ok: bool
    result: Any = None
    error: str = ""
    message: str = ""
    cause: str = ""
    cause_message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in ("name", "ok", "result", "error", "message",
                                             "cause", "cause_message")}


def _telling_line(text: str) -> str:
    """The line of an error message that says what went wrong (NumPy's first line does not)."""
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    for ln in lines:
        if "Original error was:" in ln:
            return ln.split("Original error was:", 1)[1].strip()[:200]
    for ln in lines:
        if not ln.startswith(("Traceback", "File ", "The above exception", "Uncaught")):
            return ln[:200]
    return ""


def try_in_interpreter(fn: Callable[..., Any], *args: Any, name: str | None = None,
                       timeout: float = 30.0) -> Crossing:
    """Send ``fn(*args)`` to a one-worker :class:`~concurrent.futures.InterpreterPoolExecutor`.

    Any failure (sending the callable, importing in the worker, the call
    itself) is caught and returned as data, so a notebook can show it.  The
    pool is shut down before this returns.

    Raises:
        RuntimeError: this Python has no ``InterpreterPoolExecutor``.
    """
    check_callable("fn", fn)
    check_seconds("timeout", timeout, maximum=120)
    if INTERPRETER_POOL_REASON:
        raise RuntimeError(f"try_in_interpreter cannot run here: {INTERPRETER_POOL_REASON}")
    label = name or getattr(fn, "__qualname__", repr(fn))
    with cf.InterpreterPoolExecutor(max_workers=1) as ex:
        try:
            value = ex.submit(fn, *args).result(timeout=timeout)
        except Exception as exc:
            cause = exc.__cause__
            return Crossing(label, False, error=type(exc).__name__, message=_telling_line(exc),
                            cause=type(cause).__name__ if cause is not None else "",
                            cause_message=_telling_line(cause) if cause is not None else "")
    return Crossing(label, True, result=value)


def import_in_interpreter(module: str) -> str:
    """Import ``module`` here and return its version (run it in a worker interpreter)."""
    import importlib

    if not isinstance(module, str):
        raise TypeError(f"module must be a module's name as a str, e.g. 'numpy', got "
                        f"{type(module).__name__} {module!r:.60}")
    if not module.strip() or module.startswith("."):
        raise ValueError(f"module must be an absolute module name such as 'numpy', "
                         f"got {module!r}")

    mod = importlib.import_module(module)
    return str(getattr(mod, "__version__", "?"))


# ---------------------------------------------------------------------------
# What a pool costs: starting it, and each task after that.

@dataclass(frozen=True)
class PoolCost:
    """Start-up and per-task cost of one strategy, from interleaved runs of tiny tasks.

    Attributes:
        strategy: The :func:`~parallel_demo.run` strategy.
        startup: Wall times of ``run`` with one tiny task: starting the pool,
            one round trip, shutting down.
        many: Wall times of ``run`` with ``tasks`` tiny tasks.
        tasks: How many tasks ``many`` ran.
        gap: The median time a worker spent between the end of one task and the
            start of its next, in the runs of many tasks: the cost of one more task,
            free of the start-up's noise.
    """

    strategy: str
    startup: Measurement
    many: Measurement
    tasks: int
    gap: float

    @property
    def per_task(self) -> float:
        """Seconds one more task costs (never below 0.1 µs, so a log axis can show it)."""
        return max(self.gap, 1e-7)

    def to_dict(self) -> dict[str, Any]:
        return {"strategy": self.strategy, "tasks": self.tasks, "gap": self.gap,
                "startup": list(self.startup.times), "many": list(self.many.times)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "PoolCost":
        return cls(d["strategy"], Measurement(f"{d['strategy']}, 1 task", tuple(d["startup"])),
                   Measurement(f"{d['strategy']}, {d['tasks']} tasks", tuple(d["many"])),
                   d["tasks"], d["gap"])


def _gaps(records: Sequence[TaskRecord]) -> list[float]:
    lanes: dict[str, list[TaskRecord]] = {}
    for r in records:
        lanes.setdefault(r.worker, []).append(r)
    out = []
    for mine in lanes.values():
        mine.sort(key=lambda r: r.start)
        out += [b.start - a.end for a, b in zip(mine, mine[1:])]
    return out


def measure_pool_costs(strategies: Sequence[str] | None = None, *, tasks: int = 40,
                       workers: int = 2, repeat: int = 3) -> list[PoolCost]:
    """Time ``run(s, abs, ...)`` with 1 and with ``tasks`` items, for each strategy, in turns.

    ``abs`` is a built-in: it crosses to threads, processes and interpreters
    alike and costs almost nothing, so what is measured is the machinery.
    Strategies unavailable here are skipped.
    """
    import statistics

    from ._validate import check_items
    from .strategies import run, strategy_available
    from .timing import interleaved

    names = check_items("strategies", strategies, allow_empty=False) if strategies is not None \
        else ["thread_pool", "process_pool", "interpreter_pool"]
    check_int("tasks", tasks, minimum=2, maximum=10_000)
    check_int("workers", workers, minimum=1, maximum=64)
    check_int("repeat", repeat, minimum=1, maximum=50)
    names = [s for s in names if strategy_available(s) is None]
    items = [-i for i in range(tasks)]
    gaps: dict[str, list[float]] = {s: [] for s in names}
    cases = {}
    for s in names:
        cases[f"{s} 1"] = (lambda s=s: run(s, abs, [-1], workers=workers))
        cases[f"{s} n"] = (lambda s=s: gaps[s].extend(
            _gaps(run(s, abs, items, workers=workers).records)))
    got = interleaved(cases, repeat=repeat, warmup=1)
    return [PoolCost(s, Measurement(f"{s}, 1 task", got[f"{s} 1"].times),
                     Measurement(f"{s}, {tasks} tasks", got[f"{s} n"].times), tasks,
                     statistics.median(gaps[s]) if gaps[s] else 0.0)
            for s in names]


# ---------------------------------------------------------------------------
# The chapter's crossing cases, as a notebook cell runs them (a kernel's
# ``__main__`` is not a script's: the worker cannot re-import it).

#: The cell the chapter runs; :func:`kernel_crossings` runs it in a fresh Jupyter kernel.
CROSSING_CELL = '''\
factor = 3
def double(x):          # uses nothing but its argument
    return 2 * x
def scaled(x):          # reads a global of the notebook
    return factor * x
def make_adder(k):      # returns a closure over k
    return lambda x: x + k
cases = {"is_prime (a library function)": is_prime,
         "double (a notebook function)": double,
         "scaled (reads a notebook global)": scaled,
         "lambda x: x + 1": lambda x: x + 1,
         "make_adder(5) (a closure)": make_adder(5),
         "import numpy in the worker": import_in_interpreter}
'''


def kernel_crossings(timeout: float = 60.0) -> list[Crossing]:
    """Run :data:`CROSSING_CELL` in a fresh Jupyter kernel and try each case in an interpreter.

    For recording reference runs: what a notebook reader on Python 3.14 sees.
    """
    check_seconds("timeout", timeout, maximum=300)
    import json

    import nbformat
    from nbclient import NotebookClient

    cells = ["from parallel_demo import is_prime\n"
             "from parallel_demo.interpreters import import_in_interpreter, try_in_interpreter",
             CROSSING_CELL,
             "import json\nprint(json.dumps([try_in_interpreter(fn, 'numpy' if 'numpy' in name "
             "else 7, name=name).to_dict() for name, fn in cases.items()]))"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=int(timeout), kernel_name="python3").execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    return [Crossing(**d) for d in json.loads(text.strip().splitlines()[-1])]


def explain_crossings(cases: dict[str, Callable[..., Any]], *, recorded: Sequence[Crossing],
                      recorded_on: str) -> tuple[list[Crossing], str]:
    """Try ``cases`` ({name: callable}) in an interpreter here, or fall back to ``recorded``.

    Each callable is sent with the argument 7 (:func:`import_in_interpreter` with "numpy").
    Returns the crossings and Markdown: a line saying where they come from, then the table.
    """
    if INTERPRETER_POOL_REASON is None:
        crossings = [try_in_interpreter(fn, "numpy" if fn is import_in_interpreter else 7,
                                        name=name) for name, fn in cases.items()]
        where = "Tried just now, on this kernel:"
    else:
        crossings = list(recorded)
        where = f"Recorded in a Jupyter kernel on {recorded_on}:"
    return crossings, f"{where}\n\n{crossing_table(crossings)}"


def crossing_table(crossings: Sequence[Crossing]) -> str:
    """Markdown: one row per case, whether it crossed, and the error's telling lines."""
    rows = []
    for c in crossings:
        if c.ok:
            rows.append(f"| {c.name} | yes | returned `{c.result!r}` |")
            continue
        if c.cause_message and c.cause == c.error:       # the same error, said more plainly
            text = f"`{c.error}`: `{c.cause_message}`"
        elif c.cause_message and c.cause_message != c.message:
            text = f"`{c.error}`: `{c.message}`, caused by `{c.cause_message}`"
        else:
            text = f"`{c.error}`: `{c.message}`"
        rows.append(f"| {c.name} | **no** | {text.replace('|', '/')} |")
    return "| sent to a worker interpreter | crossed? | what came back |\n|---|---|---|\n" + \
        "\n".join(rows)


def explain_pool_costs(costs: Sequence[PoolCost], heading: str | None = None) -> str:
    """Markdown bullets: start-up compared pool against pool (through ``compare``), per-task gaps.

    ``heading``, if given, is put first as its own paragraph followed by a colon.
    """
    from .timing import format_seconds
    from .verdict import compare

    by = {c.strategy: c for c in costs}
    names = {"thread_pool": "a thread pool", "process_pool": "a process pool",
             "interpreter_pool": "an interpreter pool"}
    lines = []
    for a, b in (("thread_pool", "process_pool"), ("thread_pool", "interpreter_pool"),
                 ("interpreter_pool", "process_pool")):
        if a in by and b in by:
            v = compare(by[a].startup, by[b].startup)
            lines.append(f"- Start-up (a run of one task): {v.sentence(names[a], names[b])}")
    gaps = ", ".join(f"{format_seconds(c.per_task)} for {names.get(c.strategy, c.strategy)}"
                     for c in costs)
    lines.append(f"- One more task, once the pool runs (the median gap between two tasks on a "
                 f"worker): {gaps}.")
    text = "\n".join(lines)
    return f"{heading}:\n\n{text}" if heading else text
