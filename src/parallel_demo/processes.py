"""processes_done_right: process pools done right: what crosses the process boundary, and what to do when a worker dies.

Four ideas, each small:

* **Sending costs.**  Every argument and result of a process-pool task is
  pickled, piped and unpickled.  :func:`measure_pool_map` times a warm pool's
  ``map`` so that cost can be compared: big data vs. a few indices
  (:func:`sum_values` vs. :func:`sum_file_range`), or data loaded once per
  worker by an ``initializer`` (:func:`load_values` + :func:`sum_loaded_range`).
* **Scripts.**  Under ``spawn`` and ``forkserver`` a worker imports the main
  module again.  :func:`pool_script` writes a small script with or without the
  ``if __name__ == "__main__":`` guard; :func:`run_script` runs it in a fresh
  interpreter, bounded by a timeout, and kills its whole process group if the
  time runs out.
* **Seeing a worker's stderr.**  A worker that dies prints its traceback to its
  own stderr, which a notebook does not always show;
  :func:`capture_worker_stderr` sends it to a file the parent can read.
* **Surviving a crash.**  One dead worker breaks the whole pool
  (``BrokenProcessPool``) and every unfinished future with it.
  :func:`map_recovering` starts a new pool and retries what did not finish.

Everything that runs in a worker is defined at module level, so it can be
pickled by name under every start method.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import multiprocessing
import os
import pickle
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from ._hang import check_start_method, quiet_fork_warning, stop_pool_workers
from ._validate import check_int, check_seconds
from .env import _check_path, effective_cpus
from .trace import now
from .workloads import crash_process

if TYPE_CHECKING:
    from .timing import Measurement

# ---------------------------------------------------------------------------
# Data to send, or not to send.  The file is raw float64 values (array 'd'),
# so a worker can read any slice of it with one seek.

_ITEM = array("d").itemsize


def write_values(path: str | os.PathLike, count: int, seed: int = 0) -> Path:
    """Write ``count`` pseudo-random floats in [0, 1) to ``path``; return the path."""
    import random

    check_int("count", count, minimum=0)
    rng = random.Random(seed)
    path = Path(path)
    with open(path, "wb") as f:
        array("d", (rng.random() for _ in range(count))).tofile(f)
    return path


def read_values(path: str | os.PathLike, start: int = 0, stop: int | None = None) -> list[float]:
    """The values ``start:stop`` of a file written by :func:`write_values`, as a list."""
    return _read_array(path, start, stop).tolist()


def _read_array(path, start: int = 0, stop: int | None = None) -> array:
    _check_path("path", path)  # an int would be read as a file descriptor
    start = check_int("start", start, minimum=0)
    if stop is not None:
        stop = check_int("stop", stop, minimum=0)
    size = os.path.getsize(path) // _ITEM
    stop = size if stop is None else min(stop, size)
    if not 0 <= start <= stop:
        raise ValueError(f"need 0 <= start <= stop, got start={start}, stop={stop}")
    values = array("d")
    with open(path, "rb") as f:
        f.seek(start * _ITEM)
        values.fromfile(f, stop - start)
    return values


def sum_values(values: Sequence[float]) -> float:
    """The exact sum of ``values`` (math.fsum): cheap work on data that was *sent*."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"values must be a sequence of numbers, got a {type(values).__name__} "
                        f"{values!r:.60}; pass e.g. read_values(path)")
    try:
        return math.fsum(values)
    except TypeError as exc:
        raise TypeError(f"values must be a sequence of numbers (e.g. a list of floats), got "
                        f"{type(values).__name__} {values!r:.60} ({exc})") from None


def _pair(name: str, value: Any, shape: str) -> tuple:
    # A task's tuple, checked before it is unpacked: "not enough values to unpack" names nothing.
    if not isinstance(value, (tuple, list)) or len(value) != shape.count(",") + 1:
        raise TypeError(f"{name} must be a {shape} tuple, got {type(value).__name__} "
                        f"{value!r:.60}")
    return tuple(value)


def sum_file_range(task: tuple[str, int, int]) -> float:
    """``(path, start, stop)`` -> sum of those values, read by the worker itself.

    Only a path and two ints cross the process boundary.
    """
    path, start, stop = _pair("task", task, "(path, start, stop)")
    if stop is None:
        raise TypeError("task must be a (path, start, stop) tuple with an int stop, got None")
    return math.fsum(_read_array(path, start, stop))


#: Set in each worker by :func:`load_values` (the pool's initializer).
_LOADED: list[float] | None = None


def load_values(path: str | os.PathLike) -> None:
    """Initializer: read the whole file once per worker process, for :func:`sum_loaded_range`."""
    global _LOADED
    _check_path("path", path)
    _LOADED = read_values(path)


def sum_loaded_range(bounds: tuple[int, int]) -> float:
    """``(start, stop)`` -> sum of the values this worker loaded at start-up."""
    start, stop = _pair("bounds", bounds, "(start, stop)")
    start = check_int("start", start, minimum=0)
    stop = check_int("stop", stop, minimum=start)
    if _LOADED is None:
        raise RuntimeError("no values loaded in this process; create the pool with "
                           "initializer=load_values, initargs=(path,)")
    return math.fsum(_LOADED[start:stop])


def measure_data_routes(path: str | os.PathLike, ranges: Sequence[tuple[int, int]], *,
                        workers: int | None = None, repeat: int = 5,
                        start_method: str | None = None,
                        timeout: float = 120.0) -> list["Measurement"]:
    """Time three ways of handing out blocks of the file's values, in turns, on one warm pool.

    1. send the values (each task receives its block as a list);
    2. send ``(path, start, stop)`` (each task reads its block);
    3. load once per worker (the pool's ``initializer`` read the file; each
       task receives ``(start, stop)``).

    The pool is started with ``initializer=load_values`` and warmed up with
    one untimed round of each way, so the times hold sending, running and
    receiving, not starting processes or loading; the ways then take turns
    (:func:`~parallel_demo.timing.interleaved`), so load on the machine hits
    them alike and :func:`~parallel_demo.verdict.compare` can judge them.

    Returns:
        ``[values, indices, loaded]`` Measurements, labelled for a chart.
    """
    from functools import partial

    from ._validate import check_items
    from .strategies import MAX_WORKERS
    from .timing import interleaved

    _check_path("path", path)
    path = str(path)
    ranges = [_check_range(r) for r in check_items("ranges", ranges, allow_empty=False)]
    workers = effective_cpus() if workers is None else check_int("workers", workers, minimum=1,
                                                                 maximum=MAX_WORKERS)
    repeat = check_int("repeat", repeat, minimum=1)
    check_seconds("timeout", timeout)
    check_start_method(start_method)
    values = read_values(path)
    beyond = [(a, b) for a, b in ranges if b > len(values)]
    if beyond:
        raise ValueError(f"ranges must lie inside the file's {len(values)} values, got "
                         f"{beyond[0]}; use stops <= {len(values)}")
    send_values = [values[a:b] for a, b in ranges]
    send_indices = [(path, a, b) for a, b in ranges]
    ctx = multiprocessing.get_context(check_start_method(start_method))

    def map_all(pool, fn, tasks):
        return list(pool.map(fn, tasks, timeout=timeout))

    with quiet_fork_warning():
        pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                      initializer=load_values, initargs=(path,))
        try:
            cases = {"send the values": partial(map_all, pool, sum_values, send_values),
                     "send (path, start, stop)": partial(map_all, pool, sum_file_range,
                                                         send_indices),
                     "load once per worker": partial(map_all, pool, sum_loaded_range, ranges)}
            timed = interleaved(cases, repeat=repeat, warmup=1)
        except BaseException:
            stop_pool_workers(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return list(timed.values())


def _check_range(r: Any) -> tuple[int, int]:
    # One (start, stop) of measure_data_routes' ranges.
    if isinstance(r, (str, bytes)) or not isinstance(r, (tuple, list)) or len(r) != 2:
        raise TypeError(f"ranges must hold (start, stop) pairs of ints, e.g. [(0, 1000)], "
                        f"got {type(r).__name__} {r!r:.60}")
    a = check_int("ranges' start", r[0], minimum=0)
    b = check_int("ranges' stop", r[1], minimum=a)
    return a, b


def pickled_size(obj: Any) -> int:
    """How many bytes ``obj`` becomes when a pool sends it (pickle, highest protocol).

    Raises:
        TypeError: ``obj`` cannot be pickled, so no process pool could send it.
    """
    try:
        return len(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise TypeError(
            f"obj cannot be pickled, so a process pool could not send it either "
            f"({type(exc).__name__}: {exc}); pass data (numbers, str, lists, dicts, tuples) "
            "or a function defined at the top level of a module") from exc


def pool_script(*, guarded: bool, start_method: str = "spawn", workers: int = 2) -> str:
    """Source of a small script that checks three numbers with a process pool.

    With ``guarded=False`` the pool is created at module level, without the
    ``if __name__ == "__main__":`` guard.
    """
    check_start_method(start_method)
    workers = check_int("workers", workers, minimum=1)
    body = textwrap.dedent(f"""\
        def main():
            ctx = multiprocessing.get_context({start_method!r})
            with cf.ProcessPoolExecutor(max_workers={workers}, mp_context=ctx) as pool:
                print(list(pool.map(is_prime, [97, 100, 101])))
        """)
    call = ('\n\nif __name__ == "__main__":\n    main()\n' if guarded
            else "\n\nmain()  # no guard: every process that imports this file runs it\n")
    head = ("import concurrent.futures as cf\nimport multiprocessing\n\n"
            "from parallel_demo.workloads import is_prime\n\n\n")
    return head + body + call


@dataclass(frozen=True)
class ScriptRun:
    """How a script run by :func:`run_script` ended.

    Attributes:
        returncode: The exit status (negative: killed by that signal).
        stdout, stderr: Everything it printed.
        timed_out: True if it was killed for running past the timeout.
        seconds: Wall time, start to exit.
    """

    returncode: int
    stdout: str
    stderr: str
    timed_out: bool
    seconds: float

    @property
    def errors(self) -> list[str]:
        """The exception names in stderr's tracebacks, first seen first (e.g. ``RuntimeError``)."""
        names = re.findall(r"^(?:[\w.]+\.)?(\w+(?:Error|Exception|Pool)):", self.stderr, re.M)
        return list(dict.fromkeys(names))

    @property
    def last_error(self) -> str:
        """The last line of stderr that names an exception, or ``""``."""
        lines = [ln for ln in self.stderr.splitlines()
                 if re.match(r"^(?:[\w.]+\.)?\w+(?:Error|Exception|Pool):", ln)]
        return lines[-1] if lines else ""


def run_script(source: str, *, timeout: float = 30.0, name: str = "script.py",
               env: dict[str, str] | None = None) -> ScriptRun:
    """Write ``source`` to a temporary directory and run it with this Python, with a timeout.

    The script runs in its own process group (session); if it is still
    running after ``timeout`` seconds the whole group, workers included, is
    killed, so a runaway script cannot leave processes behind.
    """
    if not isinstance(source, str):
        raise TypeError(f"source must be the script as a str, got {type(source).__name__} "
                        f"{source!r:.60}")
    if not timeout > 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout!r}")
    # Plain tracebacks: ipykernel sets FORCE_COLOR=1 and 3.13+ would colour them (`errors` reads them).
    full_env = {**os.environ, "PYTHON_COLORS": "0", **(env or {})}
    with tempfile.TemporaryDirectory(prefix="parallel_demo_") as tmp:
        path = Path(tmp) / name
        path.write_text(source)
        t0 = now()
        proc = subprocess.Popen([sys.executable, str(path)], cwd=tmp, env=full_env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        timed_out = False
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc.pid)
            out, err = proc.communicate(timeout=10)
        finally:
            _kill_group(proc.pid)  # a finished script's orphaned workers, if any
        return ScriptRun(proc.returncode, out, err, timed_out, now() - t0)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# ---------------------------------------------------------------------------
# A worker's stderr, where the parent can read it.

def _stderr_to(path: str) -> None:
    # Initializer: point this worker's file descriptor 2 (and sys.stderr) at a file.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stderr = open(2, "w", closefd=False, buffering=1)


@dataclass
class _StderrCapture:
    path: str
    initializer: Callable[[str], None] = _stderr_to
    initargs: tuple = field(default=())

    def read(self) -> str:
        """Everything the workers wrote to stderr so far."""
        try:
            return Path(self.path).read_text()
        except FileNotFoundError:
            return ""


@contextmanager
def capture_worker_stderr() -> Iterator[_StderrCapture]:
    """Collect what a pool's workers print to stderr (tracebacks of dying workers).

    Pass ``cap.initializer`` and ``cap.initargs`` to the pool; read
    ``cap.read()`` after the pool is shut down.  The file is removed on exit::

        with capture_worker_stderr() as cap:
            with ProcessPoolExecutor(2, initializer=cap.initializer,
                                     initargs=cap.initargs) as pool: ...
            print(cap.read())
    """
    fd, path = tempfile.mkstemp(prefix="parallel_demo_stderr_", suffix=".txt")
    os.close(fd)
    try:
        yield _StderrCapture(path, _stderr_to, (path,))
    finally:
        os.unlink(path)


# ---------------------------------------------------------------------------
# Crashes, and recovering from them.

class CrashingTask:
    """A task that squares its item, and kills its worker process on one item.

    Args:
        crash_on: The item whose task crashes the worker (``os._exit``).
        once_marker: A file path.  If given, only the first attempt crashes
            (it creates the file); retries succeed, as after a transient
            failure such as a node running out of memory.  If None, it
            crashes every time.
        seconds: How long each task works first, so tasks overlap.

    An instance of a module-level class pickles by name, like a function.
    """

    def __init__(self, crash_on: Any, *, once_marker: str | os.PathLike | None = None,
                 seconds: float = 0.05) -> None:
        if once_marker is not None:
            _check_path("once_marker", once_marker)
        self.crash_on = crash_on
        self.once_marker = None if once_marker is None else str(once_marker)
        # Each task sleeps this long in a worker: a day would look like a hang.
        check_seconds("seconds", seconds, allow_zero=True, maximum=60)
        self.seconds = seconds

    def __call__(self, item: Any) -> Any:
        time.sleep(self.seconds)
        if item == self.crash_on:
            if self.once_marker is None:
                crash_process(1)
            try:  # exclusive create: exactly one attempt ever crashes
                os.close(os.open(self.once_marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                pass
            else:
                crash_process(1)
        return item * item

    def __repr__(self) -> str:
        return f"CrashingTask(crash_on={self.crash_on!r}, once={self.once_marker is not None})"


@dataclass(frozen=True)
class PoolRound:
    """One pool's life in :func:`map_recovering`: item indexes sent, finished, and lost."""

    pool: int
    submitted: tuple[int, ...]
    finished: tuple[int, ...]
    lost: tuple[int, ...]

    @property
    def broken(self) -> bool:
        """Did a worker die (so some futures failed with ``BrokenProcessPool``)?"""
        return bool(self.lost)


@dataclass(frozen=True)
class RecoveryReport:
    """What :func:`map_recovering` got done.

    Attributes:
        results: ``fn(item)`` per item in input order; ``None`` where unfinished.
        rounds: One :class:`PoolRound` per pool that was started.
        unfinished: Indexes of items that never finished (their pools kept breaking).
    """

    results: list[Any]
    rounds: list[PoolRound]
    unfinished: tuple[int, ...]

    @property
    def complete(self) -> bool:
        """True when every item finished."""
        return not self.unfinished


def map_recovering(fn: Callable[[Any], Any], items: Sequence[Any], *, workers: int | None = None,
                   max_pools: int = 3, start_method: str | None = None,
                   timeout: float = 60.0) -> RecoveryReport:
    """``fn(item)`` for every item in a process pool that is replaced when a worker dies.

    A crash breaks the pool: the futures still pending or running fail with
    ``BrokenProcessPool``, while results that had arrived are kept.  Then a
    fresh pool retries only the items that did not finish, up to
    ``max_pools`` pools in all.  An ordinary exception raised by ``fn`` is
    not a crash and is not retried: it propagates, with a note naming its item.

    Returns:
        A :class:`RecoveryReport`; check ``.complete`` or ``.unfinished``.

    Raises:
        TimeoutError: the items took longer than ``timeout`` seconds in all;
            the pool's workers are terminated first.
    """
    from .strategies import _check_sendable_for

    check_int("max_pools", max_pools, minimum=1)
    check_seconds("timeout", timeout)
    _check_sendable_for(fn, start_method)  # a lambda would fail inside the pool
    from ._validate import check_items
    from .strategies import MAX_WORKERS

    items = check_items("items", items)
    workers = effective_cpus() if workers is None else check_int("workers", workers, minimum=1,
                                                                 maximum=MAX_WORKERS)
    ctx = multiprocessing.get_context(check_start_method(start_method))
    deadline = time.monotonic() + timeout
    results: list[Any] = [None] * len(items)
    todo = list(range(len(items)))
    rounds: list[PoolRound] = []
    with quiet_fork_warning():  # a Jupyter kernel has threads; see the chapter
        while todo and len(rounds) < max_pools:
            finished, lost = [], []
            pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
            try:
                fut_to_index = {pool.submit(fn, items[i]): i for i in todo}
                for fut in cf.as_completed(fut_to_index, timeout=max(0.0, deadline - time.monotonic())):
                    i = fut_to_index[fut]
                    try:
                        results[i] = fut.result()
                        finished.append(i)
                    except cf.process.BrokenProcessPool:
                        lost.append(i)
                    except Exception as exc:
                        exc.add_note(f"map_recovering: raised while processing item #{i}: "
                                     f"{items[i]!r:.80}")
                        raise
            except BaseException:
                stop_pool_workers(pool)  # a timeout or a task's error: stop at once
                raise
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
            rounds.append(PoolRound(len(rounds), tuple(todo), tuple(sorted(finished)),
                                    tuple(sorted(lost))))
            todo = sorted(lost)
    return RecoveryReport(results, rounds, tuple(todo))


