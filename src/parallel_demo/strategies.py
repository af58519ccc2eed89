"""every chapter: ``run``: one task function, many items, one of several ways to run them.

Each strategy is one of the ways the book builds up, from a plain loop to a
process pool.  All of them return the same :class:`~parallel_demo.trace.RunResult`:
the results in input order, one :class:`~parallel_demo.trace.TaskRecord` per
item, and the wall time, so that any two can be compared and drawn alike.

Rules every strategy keeps (the tests check each one):

* results come back in input order, whatever order the tasks finished in;
* an exception raised by ``fn`` propagates with its original type, and a note
  names the item that failed; when several fail, the first in input order wins;
* when ``run`` returns or raises, every thread and process it started has ended.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import queue
import threading
from dataclasses import replace
from typing import Any, Callable, Iterable

from ._hang import check_start_method, quiet_fork_warning, stop_pool_workers
from ._validate import check_callable, check_int, check_items
from .env import effective_cpus
from .trace import RunResult, TaskRecord, now, relabel

#: Strategies that live in their own module (Part VI), imported the first
#: time they are used so that ``run("sequential", ...)`` never pays for
#: asyncio, subinterpreters or Dask.  name -> module (relative to the package).
_PLUGINS: dict[str, str] = {
    "asyncio": "aio",
    "interpreter_pool": "interpreters",
    "dask": "dask_cluster",
}

_CORE = ["sequential", "thread_per_task", "queue_workers", "thread_pool", "process_pool"]


def _plugin_exists(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(f"{__package__}.{module}") is not None


#: Strategy names, in the order the book teaches them.
STRATEGIES: list[str] = _CORE + [name for name, mod in _PLUGINS.items() if _plugin_exists(mod)]

_REGISTRY: dict[str, tuple[Callable[..., list[tuple[Any, TaskRecord]]], str, frozenset[str]]] = {}

#: name -> why it cannot run on this Python (None when it can).
_UNAVAILABLE: dict[str, str | None] = {}


def register_strategy(name: str, *, lane: str, options: Iterable[str] = (),
                      unavailable: str | None = None):
    """Decorator: make ``impl(fn, items, workers, **options)`` available to :func:`run`.

    ``impl`` returns one ``(result, record)`` pair per item, in input order.
    ``lane`` is the prefix of the worker labels in charts (``"thread"``,
    ``"process"``, ...); ``options`` are the keyword options it accepts;
    ``unavailable`` says why it cannot run here (an old Python, say), and
    :func:`run` raises that reason instead of running it.
    """

    def decorate(impl):
        if name in _REGISTRY:
            raise ValueError(f"strategy {name!r} is already registered; choose another name")
        _REGISTRY[name] = (impl, lane, frozenset(options))
        _UNAVAILABLE[name] = unavailable
        if name not in STRATEGIES:
            STRATEGIES.append(name)
        return impl

    return decorate


def _lookup(strategy: str):
    if strategy not in _REGISTRY and strategy in _PLUGINS:
        import importlib

        importlib.import_module(f".{_PLUGINS[strategy]}", __package__)
    if strategy not in _REGISTRY:
        hint = ", ".join(STRATEGIES)
        raise ValueError(f"strategy must be one of {hint}; got {strategy!r}")
    return _REGISTRY[strategy]


def strategy_available(strategy: str) -> str | None:
    """None if ``strategy`` can run on this Python, else the reason it cannot."""
    _lookup(strategy)
    return _UNAVAILABLE.get(strategy)


# ---------------------------------------------------------------------------
# The code that runs inside a worker.  Module-level, so processes can pickle it.

def call_and_record(fn: Callable[[Any], Any], index: int, item: Any, submitted: float,
                    worker: str | None = None) -> tuple[Any, TaskRecord]:
    """Run ``fn(item)`` and time it; on failure, say which item failed.

    What every worker of every strategy runs (threads, processes, subinterpreters,
    Dask workers), so one rule makes every record and every error note.
    ``worker`` is the raw worker id (default ``pid:thread``, unique per thread,
    and so per subinterpreter too); :func:`run` relabels it afterwards.
    """
    result, start, end, _, _ = _timed_call(fn, index, item, submitted)
    record = TaskRecord(
        index=index,
        worker=worker if worker is not None else _worker_id(),
        pid=os.getpid(),
        thread=threading.get_ident(),
        start=start,
        end=end,
        submitted=submitted,
        label=f"{item!r:.40}",
    )
    return result, record


def _timed_call(fn, index, item, submitted):
    """``fn(item)`` timed, as a bare tuple ``(result, start, end, thread, submitted)``.

    The one place that times a task (with :func:`_timing_task`, its twin for
    the thread pool); :func:`_note_item` names the failing item for both.
    """
    start = now()
    try:
        result = fn(item)
    except BaseException as exc:
        _note_item(exc, index, item)
        raise
    return result, start, now(), threading.get_ident(), submitted


def _note_item(exc: BaseException, index: int, item: Any) -> None:
    if isinstance(exc, Exception):
        exc.add_note(f"parallel_demo.run: raised while processing item #{index}: {item!r:.80}")


class _Deferred:
    """What a lean strategy returns: the results now, the (labelled) records on demand."""

    __slots__ = ("results", "build")

    def __init__(self, results: list[Any], build: Callable[[], list[TaskRecord]]) -> None:
        self.results, self.build = results, build


def _timing_task(fn):
    """The thread pool's worker for ``fn``: ``task(index, item) -> (result, start, end, thread)``.

    A bare ``ThreadPoolExecutor`` spends ~10 us per task; a ``TaskRecord``
    built in the worker costs about a microsecond more, and a frozen
    dataclass's ``__init__`` three times that.  So a worker returns four plain
    values and the parent builds the records later, once, only if they are read.
    """
    clock, ident = now, threading.get_ident

    def task(index, item):
        start = clock()
        try:
            result = fn(item)
        except BaseException as exc:
            _note_item(exc, index, item)
            raise
        return result, start, clock(), ident()

    return task


def _records_later(timed, items, submitted):
    """A builder of a thread pool's records from its workers' tuples, labelled.

    Workers are labelled ``thread 0``, ``thread 1``, ... by first start, as
    :func:`~parallel_demo.trace.relabel` would.  Each record's fields are filled
    in one step (a frozen dataclass's ``__init__`` sets them one by one through
    ``object.__setattr__``, three times slower), and the collector is paused
    meanwhile: these objects all live on, so a collection would only walk them.
    """
    pid = os.getpid()

    def build() -> list[TaskRecord]:
        import gc

        first: dict[int, float] = {}
        for _, start, _, thread in timed:
            if start < first.get(thread, float("inf")):
                first[thread] = start
        order = sorted(first, key=lambda t: (first[t], f"{pid}:{t}"))
        names = {t: f"thread {k}" for k, t in enumerate(order)}
        new = object.__new__
        records = []
        append = records.append
        paused = gc.isenabled()
        gc.disable()
        try:
            for index, (_, start, end, thread) in enumerate(timed):
                record = new(TaskRecord)
                record.__dict__.update(index=index, worker=names[thread], pid=pid,
                                       thread=thread, start=start, end=end,
                                       submitted=submitted[index],
                                       label=f"{items[index]!r:.40}")
                append(record)
        finally:
            if paused:
                gc.enable()
        return records

    return build


def _call_chunk(fn, chunk, submitted):
    """A process pool's unit of work when ``chunksize > 1``: several items in one trip."""
    return [call_and_record(fn, index, item, submitted) for index, item in chunk]


def _worker_id() -> str:
    # Raw identity; run() replaces it by a short, stable label afterwards.
    return f"{os.getpid()}:{threading.get_ident()}"


# ---------------------------------------------------------------------------
# The strategies, in teaching order.

@register_strategy("sequential", lane="main")
def _sequential(fn, items, workers):
    t = now()
    return [call_and_record(fn, i, item, t) for i, item in enumerate(items)]


def _first_error(errors: dict[int, BaseException]) -> BaseException:
    return errors[min(errors)]


@register_strategy("thread_per_task", lane="thread")
def _thread_per_task(fn, items, workers):
    # The blog's first concurrent version: a brand-new thread for every item.
    out: list[Any] = [None] * len(items)
    errors: dict[int, BaseException] = {}

    def target(i, item, submitted):
        try:
            # Each thread writes only its own slot, so no lock is needed.  Its
            # label is explicit: a finished thread's ident is reused by the next.
            out[i] = call_and_record(fn, i, item, submitted, worker=f"task-{i}")
        except BaseException as exc:  # reported by the parent, not by excepthook
            errors[i] = exc

    threads = []
    try:
        for i, item in enumerate(items):
            th = threading.Thread(target=target, args=(i, item, now()), name=f"task-{i}")
            th.start()
            threads.append(th)
    finally:
        for th in threads:
            th.join()
    if errors:
        raise _first_error(errors)
    return out


@register_strategy("queue_workers", lane="thread")
def _queue_workers(fn, items, workers):
    # The blog's second version: a fixed crew of threads drains a queue, and a
    # lock guards the shared list they append their results to.
    tasks: queue.Queue = queue.Queue()
    done: list[tuple[int, tuple[Any, TaskRecord]]] = []
    done_lock = threading.Lock()  # must be held while appending to `done`
    errors: dict[int, BaseException] = {}
    stop = threading.Event()  # set on the first error: the others stop taking work
    submitted = now()
    for i, item in enumerate(items):
        tasks.put((i, item))
    for _ in range(workers):
        tasks.put(None)  # one "no more work" marker per worker

    def worker(name):
        while True:
            job = tasks.get()
            if job is None or stop.is_set():
                return
            i, item = job
            try:
                pair = call_and_record(fn, i, item, submitted, worker=name)
            except BaseException as exc:
                with done_lock:
                    errors[i] = exc
                stop.set()
                return
            with done_lock:
                done.append((i, pair))

    threads = [threading.Thread(target=worker, args=(f"worker-{w}",), name=f"worker-{w}")
               for w in range(workers)]
    try:
        for th in threads:
            th.start()
    finally:
        for th in threads:
            if th.ident is not None:  # started
                th.join()
    if errors:
        raise _first_error(errors)
    done.sort(key=lambda pair: pair[0])
    return [pair for _, pair in done]


def _collect(futures_in_order: list[cf.Future], executor: cf.Executor, flatten: bool):
    """Results in submission order; on the first failure cancel what has not started."""
    out = []
    try:
        for fut in futures_in_order:
            value = fut.result()
            out.extend(value if flatten else [value])
    except KeyboardInterrupt:
        raise  # the caller stops the pool its own way
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    return out


@register_strategy("thread_pool", lane="thread", options=("initializer", "initargs"))
def _thread_pool(fn, items, workers, initializer=None, initargs=()):
    with cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pool",
                               initializer=initializer, initargs=initargs) as ex:
        # The lean path (the tracing-overhead benchmark): a worker returns four
        # plain values, and the records are built when first read.
        task = _timing_task(fn)
        submitted = []
        stamp = submitted.append
        submit = ex.submit
        futures = []
        append = futures.append
        for i, item in enumerate(items):
            stamp(now())
            append(submit(task, i, item))
        try:
            timed = _collect(futures, ex, flatten=False)
            return _Deferred([t[0] for t in timed], _records_later(timed, items, submitted))
        except KeyboardInterrupt:
            # Threads cannot be stopped from outside: cancel what has not
            # started, let the running tasks end, and say so in one line.
            pending = sum(not f.done() for f in futures)
            ex.shutdown(wait=True, cancel_futures=True)
            raise KeyboardInterrupt(
                f"run('thread_pool') interrupted: {pending} unfinished task(s) cancelled or "
                "finished; the pool's threads have ended") from None


@register_strategy("process_pool", lane="process",
                   options=("start_method", "chunksize", "initializer", "initargs"))
def _process_pool(fn, items, workers, start_method=None, chunksize=1, initializer=None,
                  initargs=()):
    check_int("chunksize", chunksize, minimum=1)
    ctx = multiprocessing.get_context(check_start_method(start_method))
    with quiet_fork_warning():  # a Jupyter kernel has threads; the processes chapter explains
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                    initializer=initializer, initargs=initargs) as ex:
            indexed = list(enumerate(items))
            if chunksize == 1:
                futures = [ex.submit(call_and_record, fn, i, item, now()) for i, item in indexed]
                return _process_results(futures, ex, flatten=False)
            chunks = [indexed[k:k + chunksize] for k in range(0, len(indexed), chunksize)]
            futures = [ex.submit(_call_chunk, fn, chunk, now()) for chunk in chunks]
            return _process_results(futures, ex, flatten=True)


def _process_results(futures, ex, flatten):
    try:
        return _collect(futures, ex, flatten)
    except KeyboardInterrupt:
        # Jupyter's interrupt button: stop the workers now rather than wait for
        # their tasks, and say so in one line instead of a traceback through
        # concurrent.futures' internals.
        pending = sum(not f.done() for f in futures)
        stop_pool_workers(ex)
        ex.shutdown(wait=True, cancel_futures=True)
        raise KeyboardInterrupt(
            f"run('process_pool') interrupted: {pending} unfinished task(s) cancelled, "
            "the pool's worker processes stopped; nothing is left running") from None
    except cf.process.BrokenProcessPool as exc:
        exc.add_note(
            "parallel_demo.run: a worker process died (it crashed, was killed, or ran "
            "out of memory) before finishing; the pool cannot be used any more"
        )
        raise


# ---------------------------------------------------------------------------

#: A pool far larger than any machine needs is a slip (``workers=10**6``), and
#: starting that many threads or processes would take the machine down.
MAX_WORKERS = 256


def _check_workers(strategy: str, workers: Any, n_items: int) -> int:
    if workers is not None:
        check_int("workers", workers, minimum=1, maximum=MAX_WORKERS,
                  hint=f"leave it out to use effective_cpus() = {effective_cpus()}")
    # These two have no choice: report what they really use.
    if strategy in ("sequential", "asyncio"):  # one thread; for asyncio, one event loop
        return 1
    if strategy == "thread_per_task":
        return max(1, n_items)
    return effective_cpus() if workers is None else workers


def _check_sendable_for(fn: Callable[..., Any], start_method: str | None,
                        param: str = "fn") -> None:
    """Refuse, before any worker starts, a function a worker process cannot receive.

    A worker gets a function by pickling, which stores only its module and
    name; the worker imports that module and looks the name up.  Lambdas and
    nested functions cannot be pickled at all, and a function defined in
    ``__main__`` (a notebook cell, the script being run) is not found by a
    ``spawn``/``forkserver`` worker; failing inside the pool instead can leave
    it waiting for a result that never comes.
    """
    check_start_method(start_method)
    import pickle

    name = getattr(fn, "__qualname__", repr(fn))
    try:
        pickle.dumps(fn)
    except Exception as exc:
        raise TypeError(
            f"{param}={name!r} cannot be sent to a worker process ({type(exc).__name__}: {exc}). "
            "A process pool sends functions by module and name, so it must be defined at the "
            "top level of a module you import (e.g. from parallel_demo import is_prime), not "
            "as a lambda or inside another function."
        ) from None
    if (getattr(fn, "__module__", None) == "__main__" and _main_has_no_file()
            and _default_method_reimports(start_method)):
        raise TypeError(
            f"{param}={name!r} is defined in __main__ (a notebook cell or an interactive "
            f"session), and worker processes started with {_start_method_now(start_method)!r} "
            "cannot find it there: they start a fresh interpreter whose __main__ has no such "
            "name (there is no file to re-run). Move the function into a module (a .py file "
            "next to the notebook) and import it from there."
        )


def _main_has_no_file() -> bool:
    # A script's __main__ has a file, which spawn/forkserver children re-run as
    # __mp_main__ (so its guarded, top-level functions are found); a notebook's
    # or a REPL's has none.
    import sys

    return getattr(sys.modules.get("__main__"), "__file__", None) is None


def _start_method_now(start_method: str | None = None) -> str:
    from .env import default_start_method

    return start_method or default_start_method()


def _default_method_reimports(start_method: str | None = None) -> bool:
    return _start_method_now(start_method) in ("spawn", "forkserver")


def run(strategy: str, fn: Callable[[Any], Any], items: Iterable[Any], *,
        workers: int | None = None, **options: Any) -> RunResult:
    """Run ``fn(item)`` for every item with the named strategy, and time it.

    Args:
        strategy: One of :data:`STRATEGIES`: ``"sequential"``,
            ``"thread_per_task"``, ``"queue_workers"``, ``"thread_pool"``,
            ``"process_pool"``, ...
        fn: A function of one argument.  For ``"process_pool"`` it must be
            importable by name (defined in a module, not in a notebook or as a
            lambda), because worker processes receive it by pickling.
        items: The inputs.  Consumed once, up front.
        workers: How many workers a pool gets; defaults to
            :func:`effective_cpus`.  ``"sequential"`` always uses 1 and
            ``"thread_per_task"`` one thread per item, whatever is passed.
        **options: Strategy-specific, named as in :mod:`concurrent.futures`:
            ``initializer`` and ``initargs`` for the pools, and also
            ``start_method`` and ``chunksize`` for ``"process_pool"``.

    Returns:
        A :class:`RunResult` with results and records in input order.

    Raises:
        ValueError: unknown strategy, ``workers < 1`` or a bad option value.
        TypeError: ``fn`` is not callable, ``items`` is not iterable, or an
            option the strategy does not take.
        Exception: whatever ``fn`` raised, for the first failing item in input
            order, with a note naming that item.
    """
    if not isinstance(strategy, str):
        raise TypeError(f"strategy must be a str, one of {', '.join(STRATEGIES)}; "
                        f"got {type(strategy).__name__} {strategy!r:.60}")
    impl, lane, allowed = _lookup(strategy)
    reason = _UNAVAILABLE.get(strategy)
    if reason:
        raise RuntimeError(f"strategy {strategy!r} cannot run here: {reason}")
    check_callable("fn", fn)
    items = check_items("items", items)
    unknown = set(options) - allowed
    if unknown:
        hint = f"it takes: {', '.join(sorted(allowed))}" if allowed else "it takes no options"
        raise TypeError(f"strategy {strategy!r} got unexpected option(s) "
                        f"{', '.join(sorted(unknown))}; {hint}")
    workers = _check_workers(strategy, workers, len(items))
    if lane == "process" and items:
        _check_sendable_for(fn, options.get("start_method"))
        if options.get("initializer") is not None:
            _check_sendable_for(options["initializer"], options.get("start_method"), "initializer")
    start = now()
    pairs = impl(fn, items, workers, **options) if items else []
    wall = now() - start
    if isinstance(pairs, _Deferred):  # records labelled already, built when first read
        return RunResult._deferred(strategy=strategy, workers=workers, results=pairs.results,
                                   wall=wall, start=start, build=pairs.build)
    results = [r for r, _ in pairs]
    records = [rec for _, rec in pairs]
    # Raw worker ids differ on every run; short labels ("thread 0") keep charts stable.
    records = ([replace(r, worker="main thread") for r in records] if lane == "main"
               else relabel(records, lane))
    return RunResult(strategy=strategy, workers=workers, results=results,
                     records=records, wall=wall, start=start)
