"""``run``: one task function, many items, one of several ways to run them.

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
import warnings
from dataclasses import replace
from typing import Any, Callable, Iterable

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
            raise ValueError(f"strategy {name!r} is already registered")
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

def _call(fn: Callable[[Any], Any], index: int, item: Any, submitted: float,
          worker: str | None = None) -> tuple[Any, TaskRecord]:
    """Run ``fn(item)`` and time it; on failure, say which item failed."""
    start = now()
    try:
        result = fn(item)
    except BaseException as exc:
        if isinstance(exc, Exception):
            exc.add_note(f"parallel_demo.run: raised while processing item #{index}: {item!r:.80}")
        raise
    end = now()
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


def _call_chunk(fn, chunk, submitted):
    """A process pool's unit of work when ``chunksize > 1``: several items in one trip."""
    return [_call(fn, index, item, submitted) for index, item in chunk]


def _worker_id() -> str:
    # Raw identity; run() replaces it by a short, stable label afterwards.
    return f"{os.getpid()}:{threading.get_ident()}"


# ---------------------------------------------------------------------------
# The strategies, in teaching order.

@register_strategy("sequential", lane="main")
def _sequential(fn, items, workers):
    t = now()
    return [_call(fn, i, item, t) for i, item in enumerate(items)]


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
            out[i] = _call(fn, i, item, submitted, worker=f"task-{i}")
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
                pair = _call(fn, i, item, submitted, worker=name)
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
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    return out


@register_strategy("thread_pool", lane="thread", options=("initializer", "initargs"))
def _thread_pool(fn, items, workers, initializer=None, initargs=()):
    with cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pool",
                               initializer=initializer, initargs=initargs) as ex:
        futures = [ex.submit(_call, fn, i, item, now()) for i, item in enumerate(items)]
        return _collect(futures, ex, flatten=False)


@register_strategy("process_pool", lane="process",
                   options=("start_method", "chunksize", "initializer", "initargs"))
def _process_pool(fn, items, workers, start_method=None, chunksize=1, initializer=None,
                  initargs=()):
    if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
        raise ValueError(f"chunksize must be an int >= 1, got {chunksize!r}")
    if start_method is not None and start_method not in multiprocessing.get_all_start_methods():
        raise ValueError(
            f"start_method {start_method!r} is not available here; "
            f"choose one of {multiprocessing.get_all_start_methods()}"
        )
    ctx = multiprocessing.get_context(start_method)
    with warnings.catch_warnings():
        # 3.12+ warns that fork() in a process with threads (a Jupyter kernel
        # has several) may deadlock.  The book discusses it where it matters.
        warnings.filterwarnings("ignore", message=".*use of fork\\(\\) may lead to deadlocks.*",
                                category=DeprecationWarning)
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                    initializer=initializer, initargs=initargs) as ex:
            indexed = list(enumerate(items))
            if chunksize == 1:
                futures = [ex.submit(_call, fn, i, item, now()) for i, item in indexed]
                return _process_results(futures, ex, flatten=False)
            chunks = [indexed[k:k + chunksize] for k in range(0, len(indexed), chunksize)]
            futures = [ex.submit(_call_chunk, fn, chunk, now()) for chunk in chunks]
            return _process_results(futures, ex, flatten=True)


def _process_results(futures, ex, flatten):
    try:
        return _collect(futures, ex, flatten)
    except cf.process.BrokenProcessPool as exc:
        exc.add_note(
            "parallel_demo.run: a worker process died (it crashed, was killed, or ran "
            "out of memory) before finishing; the pool cannot be used any more"
        )
        raise


# ---------------------------------------------------------------------------

def _check_workers(strategy: str, workers: Any, n_items: int) -> int:
    if workers is not None:
        if isinstance(workers, bool) or not isinstance(workers, int):
            raise TypeError(f"workers must be an int, got {type(workers).__name__} {workers!r}")
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}; "
                             f"leave it out to use effective_cpus() = {effective_cpus()}")
    # These two have no choice: report what they really use.
    if strategy == "sequential":
        return 1
    if strategy == "thread_per_task":
        return max(1, n_items)
    return effective_cpus() if workers is None else workers


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
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__} {fn!r:.60}")
    try:
        items = list(items)
    except TypeError:
        raise TypeError(f"items must be iterable, got {type(items).__name__}") from None
    unknown = set(options) - allowed
    if unknown:
        hint = f"it takes: {', '.join(sorted(allowed))}" if allowed else "it takes no options"
        raise TypeError(f"strategy {strategy!r} got unexpected option(s) "
                        f"{', '.join(sorted(unknown))}; {hint}")
    workers = _check_workers(strategy, workers, len(items))
    start = now()
    pairs = impl(fn, items, workers, **options) if items else []
    wall = now() - start
    results = [r for r, _ in pairs]
    records = [rec for _, rec in pairs]
    # Raw worker ids differ on every run; short labels ("thread 0") keep charts stable.
    records = ([replace(r, worker="main thread") for r in records] if lane == "main"
               else relabel(records, lane))
    return RunResult(strategy=strategy, workers=workers, results=results,
                     records=records, wall=wall, start=start)
