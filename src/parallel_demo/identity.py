"""threads_vs_processes: threads versus processes, observed: who runs a task, what they share, what they cost.

Each function here runs real threads or real processes and reports what it
saw, so a chapter can show (not just say) that

* threads of one process share its memory, while a child process changes
  only its own copy;
* every thread has an ident, unique only inside its process, and a native
  id the operating system gives it; every process has a pid;
* starting a process costs far more than starting a thread, and how much
  depends on the start method;
* an exception in a thread goes to :func:`threading.excepthook`, not to the
  thread that started it;
* a fresh process has exactly one thread: "at least one", not "multiple".

Task functions are module-level so that ``spawn`` and ``forkserver``
children can import them.  Every helper joins what it starts, with a
timeout, before it returns.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from ._hang import (JOIN_TIMEOUT, PROCESS_TIMEOUT, check_start_method, join_processes,
                    join_threads, quiet_fork_warning)
from ._validate import check_callable, check_choice, check_int
from .timing import Measurement, measure


@dataclass(frozen=True)
class Identity:
    """Who ran a piece of code.

    Attributes:
        pid: ``os.getpid()``: the process.
        ident: ``threading.get_ident()``: the thread, unique only within its
            process (and reused once a thread ends).
        native_id: ``threading.get_native_id()``: the operating system's id of
            the thread, unique across the machine while the thread lives.
        thread_name: ``threading.current_thread().name``.
        threads: ``threading.active_count()``: Python threads in the process.
        os_threads: Threads the operating system counts in the process
            (``/proc/self/task`` on Linux), or ``None`` where unknown.
    """

    pid: int
    ident: int
    native_id: int
    thread_name: str
    threads: int
    os_threads: int | None


def os_thread_count() -> int | None:
    """Threads in this process as the OS counts them (Linux), else ``None``.

    This includes threads that Python did not start (an extension's own
    threads), which ``threading.active_count()`` cannot see.
    """
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return None


def whoami(_: Any = None) -> Identity:
    """Task: the :class:`Identity` of the thread and process running it."""
    return Identity(os.getpid(), threading.get_ident(), threading.get_native_id(),
                    threading.current_thread().name, threading.active_count(), os_thread_count())


# ---------------------------------------------------------------------------
# Running code in a thread or a process, and getting its answer back.

def _in_child(conn, fn: Callable[..., Any], args: tuple) -> None:
    # Runs in the child process: send back ("ok", value) or ("error", exception).
    try:
        conn.send(("ok", fn(*args)))
    except BaseException as exc:  # the parent re-raises it
        conn.send(("error", exc))
    finally:
        conn.close()


def _context(start_method: str | None):
    return multiprocessing.get_context(check_start_method(start_method))


def _call_in_processes(fn: Callable[..., Any], args_list: list[tuple],
                       start_method: str | None, timeout: float = PROCESS_TIMEOUT) -> list[Any]:
    """Run ``fn(*args)`` in one new process per args tuple, all alive at once; return values."""
    ctx = _context(start_method)
    started = []
    try:
        with quiet_fork_warning():
            for args in args_list:
                recv, send = ctx.Pipe(duplex=False)
                p = ctx.Process(target=_in_child, args=(send, fn, args), daemon=True)
                p.start()
                send.close()  # the child holds the other copy
                started.append((p, recv))
        out = []
        for p, recv in started:
            if not recv.poll(timeout):
                raise TimeoutError(f"a child process sent nothing within {timeout} s")
            try:
                status, value = recv.recv()
            except EOFError:
                raise RuntimeError(f"child process {p.pid} died before answering "
                                   f"(exit code {p.exitcode})") from None
            if status == "error":
                raise value
            out.append(value)
        return out
    finally:
        for _, recv in started:
            recv.close()
        join_processes([p for p, _ in started], timeout)  # stops any that hang


def _wait_then(barrier: threading.Barrier | None, fn: Callable[..., Any], args: tuple):
    if barrier is not None:
        barrier.wait(JOIN_TIMEOUT)  # so every thread is alive at once: idents stay distinct
    return fn(*args)


def _call_in_threads(fn: Callable[..., Any], args_list: list[tuple]) -> list[Any]:
    """Run ``fn(*args)`` in one new thread per args tuple, all alive at once; return values."""
    results: list[Any] = [None] * len(args_list)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(args_list)) if args_list else None

    def target(i, args):
        try:
            results[i] = _wait_then(barrier, fn, args)  # each thread writes its own slot
        except BaseException as exc:
            errors.append(exc)
            if barrier is not None:
                barrier.abort()

    threads = [threading.Thread(target=target, args=(i, a), name=f"demo-thread-{i}")
               for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    stuck = join_threads(threads, JOIN_TIMEOUT)  # one deadline for all of them
    if stuck:
        raise TimeoutError(f"{len(stuck)} demo thread(s) did not finish within {JOIN_TIMEOUT:g} s")
    if errors:
        # A failing thread aborts the barrier, so others fail with BrokenBarrierError:
        # report the original failure.
        original = [e for e in errors if not isinstance(e, threading.BrokenBarrierError)]
        raise (original or errors)[0]
    return results


def _check_count(name: str, n: Any) -> int:
    # Far more threads or processes than a demo needs is a slip, not a wish.
    return check_int(name, n, minimum=1, maximum=64)


def thread_identities(n: int = 2) -> list[Identity]:
    """Start ``n`` threads, alive at the same time, and return who each one is."""
    return _call_in_threads(whoami, [(i,) for i in range(_check_count("n", n))])


def process_identities(n: int = 2, start_method: str | None = None) -> list[Identity]:
    """Start ``n`` fresh processes, alive at the same time, and return who each one is.

    Each :class:`Identity` is taken in the child's main thread, as its first
    task: its ``threads`` and ``os_threads`` show how many threads a process
    starts with.
    """
    return _call_in_processes(whoami, [(i,) for i in range(_check_count("n", n))], start_method)


# ---------------------------------------------------------------------------
# Shared memory versus copied memory.

def _append_items(target: list, worker: str, count: int) -> list:
    for k in range(count):
        target.append(f"{worker} #{k}")
    return target


def append_from_threads(shared: list, workers: int = 2, per_worker: int = 2) -> list:
    """Each of ``workers`` threads appends ``per_worker`` strings to ``shared`` itself.

    Threads share their process's memory, so they all change the very list
    you passed.  (``list.append`` is atomic in CPython; for anything longer
    you need a lock: see the chapter on race conditions.)  Returns ``shared``.
    """
    if not isinstance(shared, list):
        raise TypeError(f"shared must be a list, got {type(shared).__name__}")
    _check_count("per_worker", per_worker)
    _call_in_threads(_append_items, [(shared, f"thread {w}", per_worker)
                                     for w in range(_check_count("workers", workers))])
    return shared


def append_from_processes(shared: list, workers: int = 2, per_worker: int = 2,
                          start_method: str | None = None) -> list[list]:
    """Each of ``workers`` processes appends ``per_worker`` strings to its copy of ``shared``.

    A child process gets a *copy* of the list (pickled under ``spawn`` and
    ``forkserver``, copy-on-write memory under ``fork``), so ``shared`` in
    the parent is unchanged afterwards.  Returns each child's copy as the
    child last saw it.
    """
    if not isinstance(shared, list):
        raise TypeError(f"shared must be a list, got {type(shared).__name__}")
    _check_count("per_worker", per_worker)
    return _call_in_processes(_append_items, [(shared, f"process {w}", per_worker)
                                              for w in range(_check_count("workers", workers))],
                              start_method)


# ---------------------------------------------------------------------------
# What it costs to start a worker.

def _noop() -> None:
    """The cheapest possible task: what is left is the cost of the worker itself."""


def _thread_round_trip() -> None:
    t = threading.Thread(target=_noop)
    t.start()
    if join_threads([t], JOIN_TIMEOUT):
        raise TimeoutError(f"a no-op thread did not finish within {JOIN_TIMEOUT:g} s")


def _process_round_trip(ctx, task: Callable[[], Any]) -> None:
    p = ctx.Process(target=task)
    p.start()
    if join_processes([p], PROCESS_TIMEOUT):
        raise TimeoutError(f"a no-op process did not finish within {PROCESS_TIMEOUT:g} s")


def _check_task(task: Any, method: str) -> None:
    """Refuse a ``task`` that a child process started with ``method`` cannot receive.

    Under ``fork`` the child inherits the task (a lambda works); under
    ``spawn`` and ``forkserver`` it is pickled, and failing at ``start()``
    would leave the measurement half done.
    """
    check_callable("task", task)
    if method != "fork":
        from .strategies import _check_sendable_for

        _check_sendable_for(task, method, "task")


def startup_cost(kind: str = "thread", *, start_method: str | None = None, repeat: int = 5,
                 warmup: int = 1, task: Callable[[], Any] | None = None) -> Measurement:
    """Time starting a worker, running ``task`` in it, and waiting for it to end.

    Args:
        kind: ``"thread"`` or ``"process"``.
        start_method: For processes: ``"fork"``, ``"spawn"``, ``"forkserver"``
            or None for the default.
        repeat: Timed runs; ``warmup`` untimed ones come first (the first
            ``forkserver`` process also starts the server).
        task: For processes, what the child runs.  None: a *bare* child that
            imports nothing (its target, ``os.getpid``, is built in), so what is
            timed is the start method itself.  Pass a library task (e.g.
            ``functools.partial(is_prime, 7)``) to add what a real worker pays:
            importing the module its task lives in.

    Returns:
        A :class:`~parallel_demo.timing.Measurement` labelled ``"thread"`` or
        ``"process (<method>)"`` (plus the task's name when one is given).
    """
    check_choice("kind", kind, ("thread", "process"))
    if kind == "thread":
        if start_method is not None or task is not None:
            raise ValueError("start_method and task apply to processes only; leave them out "
                             "for threads")
        return measure(_thread_round_trip, repeat=repeat, warmup=warmup, label="thread")
    ctx = _context(start_method)
    label = f"process ({ctx.get_start_method()})"
    if task is None:
        task = os.getpid
    else:
        _check_task(task, ctx.get_start_method())
        name = getattr(getattr(task, "func", task), "__name__", "task")
        label += f" + {name}"
    with quiet_fork_warning():
        return measure(_process_round_trip, ctx, task, repeat=repeat, warmup=warmup, label=label)


def startup_costs(*, repeat: int = 5, warmup: int = 1, start_methods: list[str] | None = None,
                  task: Callable[[], Any] | None = None) -> list[Measurement]:
    """:func:`startup_cost` of a thread, then of a process under each start method here.

    The cases take turns (:func:`~parallel_demo.timing.interleaved`), so
    load from elsewhere lands on all of them alike and they can be compared.

    Args:
        task: Also time, beside each bare child, a child that runs ``task``
            (e.g. ``functools.partial(is_prime, 7)``): the difference is what
            the child pays to import the task's module.  (Under ``fork`` the
            child inherits the parent's imports, so it pays nothing.)

    Returns:
        Measurements labelled ``"thread"``, ``"process (<method>)"`` and, with
        a task, ``"process (<method>) + <task name>"`` after each method's bare one.
    """
    import functools

    from ._validate import check_items
    from .timing import interleaved

    check_int("repeat", repeat, minimum=1)
    check_int("warmup", warmup, minimum=0)
    allowed = multiprocessing.get_all_start_methods()
    if start_methods is None:
        methods = allowed
    else:
        methods = check_items("start_methods", start_methods)
        for m in methods:
            check_choice("start_methods", m, allowed)
    if task is not None:
        for m in methods:
            _check_task(task, m)
        check_callable("task", task)
        name = getattr(getattr(task, "func", task), "__name__", "task")
    cases: dict[str, Callable[[], Any]] = {"thread": _thread_round_trip}
    for m in methods:
        ctx = _context(m)
        cases[f"process ({m})"] = functools.partial(_process_round_trip, ctx, os.getpid)
        if task is not None:
            cases[f"process ({m}) + {name}"] = functools.partial(_process_round_trip, ctx, task)
    with quiet_fork_warning():
        return list(interleaved(cases, repeat=repeat, warmup=warmup).values())


# ---------------------------------------------------------------------------
# Exceptions in threads.

@dataclass(frozen=True)
class ThreadError:
    """An exception that ended a thread, as :func:`threading.excepthook` received it."""

    thread_name: str
    exc_type: type
    message: str

    def __str__(self) -> str:
        return f"{self.exc_type.__name__} in thread {self.thread_name!r}: {self.message}"


@contextmanager
def catch_thread_exceptions() -> Iterator[list[ThreadError]]:
    """Collect exceptions that end threads, instead of printing them; restore the hook after.

    ::

        with catch_thread_exceptions() as caught:
            t = threading.Thread(target=is_prime, args=("97",)); t.start(); t.join()
        caught   # [ThreadError(thread_name='Thread-1 ...', exc_type=TypeError, ...)]

    Only threads that end *inside* the ``with`` block are caught: join them
    there.
    """
    caught: list[ThreadError] = []
    lock = threading.Lock()  # must be held while appending: hooks run in the failing threads

    def hook(args: threading.ExceptHookArgs) -> None:
        name = args.thread.name if args.thread is not None else "<unknown>"
        with lock:
            caught.append(ThreadError(name, args.exc_type, str(args.exc_value)))

    previous = threading.excepthook
    threading.excepthook = hook
    try:
        yield caught
    finally:
        threading.excepthook = previous
