"""Scaling out with Dask: a real scheduler and workers, and ``run("dask", ...)``.

The chapter ``scaling_out_with_dask`` starts a Dask scheduler and workers as
separate operating-system processes (what ``dask scheduler`` and ``dask
worker`` do on a real cluster), connects to them, and runs the book's prime
workload through the same :func:`~parallel_demo.strategies.run` as every
other strategy.  This module holds everything the chapter computes:

* :class:`DaskCluster` starts ``dask scheduler`` and ``dask worker`` processes
  on 127.0.0.1 (never on every interface), each with a deadline, and stops
  them again;
* the ``"dask"`` strategy: by default a ``LocalCluster`` of worker processes
  on this machine; when :data:`SCHEDULER_ENV` names a scheduler, that cluster;
* :func:`clock_offsets` maps each worker's clock onto the parent's, so that
  records taken on the workers are drawn on the parent's time axis;
* :func:`measure_task_overhead` and :func:`sweep_tasks` measure what a task
  costs on a cluster and when distributing pays off.

It is *light*: ``distributed`` is imported inside functions, and nothing here
imports matplotlib, sympy or httpx, because Dask workers unpickle the
module-level task functions below (``_dask_call``, ``_clock_probe``,
``_noop``) and so import this module.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from ._hang import Deadline, quiet_fork_warning, wait_until
from ._validate import check_callable, check_int, check_items, check_seconds
from .strategies import call_and_record, register_strategy, run
from .timing import Measurement, format_seconds, interleaved
from .trace import TaskRecord, now
from .verdict import Crossover, compare, crossover

#: The environment variable that points ``run("dask", ...)`` at a running
#: cluster, e.g. ``tcp://10.0.0.5:8786``.  Unset: a LocalCluster on this machine.
SCHEDULER_ENV = "PARALLEL_DEMO_SCHEDULER"

#: How long starting a cluster, or a ``run("dask")``, may take before it is
#: reported as stuck.  Start-up takes a few seconds on a loaded laptop.
START_TIMEOUT = 60.0
RUN_TIMEOUT = 120.0

#: What Dask's documentation says one task costs: "somewhere between 200us
#: and 1ms" (docs.dask.org, Dask Best Practices, "Avoid very large graphs");
#: distributed's front page says "about 1ms of overhead" per task.
DOCS_TASK_OVERHEAD = (200e-6, 1e-3)
DOCS_TASK_OVERHEAD_URL = "https://docs.dask.org/en/stable/best-practices.html"

#: How long connecting a Client to a scheduler may take.
CONNECT_TIMEOUT = 30.0

#: Shutting processes down: how long they get after SIGTERM before SIGKILL.
STOP_TIMEOUT = 10.0


# ---------------------------------------------------------------------------
# What runs on a worker.  Module-level and light: workers import this module.

def _clock_probe(dask_worker: Any = None) -> tuple[float, float, int, float]:
    """On a worker: its ``perf_counter``, its wall clock, its pid, and Dask's own correction.

    ``client.run`` passes the worker as ``dask_worker``.  Its
    ``scheduler_delay`` is what Dask adds to the worker's wall-clock stamps
    in the task stream, to put them on the *scheduler's* clock.
    """
    delay = float(getattr(dask_worker, "scheduler_delay", 0.0) or 0.0)
    return now(), time.time(), os.getpid(), delay


def _noop(x: Any) -> Any:
    """The smallest task there is: what a task costs when it does nothing."""
    return x


def _dask_call(fn: Callable[[Any], Any], index: int, item: Any,
               submitted: float) -> tuple[Any, TaskRecord]:
    """On a worker: ``strategies.call_and_record`` with the worker's address as its raw id.

    The record's times are on the *worker's* clock; the parent shifts them
    onto its own with the offset :func:`clock_offsets` measured.
    """
    from distributed import get_worker

    return call_and_record(fn, index, item, submitted, worker=get_worker().address)


# ---------------------------------------------------------------------------
# Clocks.

@dataclass(frozen=True)
class ClockOffset:
    """How to put one worker's timestamps on the parent's clock.

    ``parent_time = worker_perf_counter + perf`` and
    ``parent_time = worker_time_time + wall``.  ``dask_delay`` is the shift
    Dask itself applied to this worker's task-stream stamps (its estimate of
    the scheduler's clock), which :func:`task_stream_spans` takes back out.
    Measured like NTP: the parent
    notes its clock before and after asking the worker for its own, and
    assumes the worker read its clock half-way through the round trip; the
    error is at most half the round trip, ``rtt / 2``.
    """

    address: str
    pid: int
    perf: float
    wall: float
    rtt: float
    dask_delay: float = 0.0


def clock_offsets(client: Any, *, probes: int = 3) -> dict[str, ClockOffset]:
    """Measure every worker's clock offset; keep the probe with the shortest round trip.

    Args:
        client: A connected ``distributed.Client``.
        probes: Round trips per worker (each costs about a millisecond).

    Returns:
        ``{worker address: ClockOffset}``.
    """
    check_int("probes", probes, minimum=1, maximum=1000)
    _need_client(client)
    best: dict[str, ClockOffset] = {}
    for _ in range(probes):
        before = now()
        answers = client.run(_clock_probe)
        after = now()
        mid, rtt = (before + after) / 2, after - before
        for address, (perf, wall, pid, delay) in answers.items():
            if address not in best or rtt < best[address].rtt:
                best[address] = ClockOffset(address, pid, mid - perf, mid - wall, rtt, delay)
    return best


def _on_parent_clock(record: TaskRecord, offsets: Mapping[str, ClockOffset]) -> TaskRecord:
    from dataclasses import replace

    shift = offsets[record.worker].perf if record.worker in offsets else 0.0
    return replace(record, start=record.start + shift, end=record.end + shift)


# ---------------------------------------------------------------------------
# dask's own thread, which lives as long as the process.

def dask_process_threads() -> set[int]:
    """Idents of the threads ``distributed`` keeps for the life of the process.

    ``distributed`` runs some (de)serialisation on one module-level thread
    pool, ``distributed.utils._offload_executor`` ("Dask-Offload"), created
    when ``distributed`` is imported and started the first time it is used.
    It is never shut down (shutting it down would break every later Client),
    and it is a daemon, so it cannot keep Python from exiting.  It is not
    ours to stop: start it now, and add its ident to a leftover baseline,
    as Dask's own test suite does (``distributed/utils_test.py``)::

        baseline = {t.ident for t in threading.enumerate()} | dask_process_threads()
    """
    from distributed import utils

    utils._offload_executor.submit(lambda: None).result(timeout=10)
    return {t.ident for t in threading.enumerate() if t.name.startswith("Dask-Offload")}


# ---------------------------------------------------------------------------
# A cluster of separate processes, as on real machines.

@dataclass(frozen=True)
class DaskWorker:
    """One ``dask worker`` process: its name, its address and its pid."""

    name: str
    address: str
    pid: int


_LIVE: "weakref.WeakSet[DaskCluster]" = weakref.WeakSet()


@atexit.register
def _close_live_clusters() -> None:  # a kernel that exits takes its cluster with it
    for cluster in list(_LIVE):
        cluster.close()


class DaskCluster:
    """A Dask scheduler and ``workers`` workers, each a separate process on 127.0.0.1.

    The commands are the ones you would type on real machines (see
    :attr:`commands`); here they run as child processes of this one, with
    their logs in a temporary directory.  Every step has a deadline::

        with DaskCluster(workers=2) as cluster:
            run("dask", is_prime, numbers, scheduler=cluster.address)

    Args:
        workers: How many ``dask worker`` processes (one thread each).
        timeout: Seconds the whole start-up may take before it is abandoned
            (the processes are then stopped and ``TimeoutError`` is raised).
        idle_timeout: The scheduler stops itself after this many seconds
            without any task (and its workers follow), so that a kernel
            killed before :meth:`close` leaves nothing running for long.
    """

    def __init__(self, workers: int = 2, *, timeout: float = START_TIMEOUT,
                 idle_timeout: float = 900.0) -> None:
        self.n_workers = check_int("workers", workers, minimum=1, maximum=16)
        self.timeout = check_seconds("timeout", timeout)
        self.idle_timeout = check_seconds("idle_timeout", idle_timeout)
        self.address: str | None = None
        self.workers: tuple[DaskWorker, ...] = ()
        self.startup: float | None = None
        self._procs: list[subprocess.Popen] = []  # scheduler first
        self._logs: list[Any] = []
        self._dir: tempfile.TemporaryDirectory | None = None

    # -- the commands ------------------------------------------------------
    @property
    def scheduler_command(self) -> list[str]:
        """``dask scheduler ...`` as run here (``python -m`` the same module)."""
        # --no-dashboard turns off the dashboard's pages; the scheduler still
        # serves a small HTTP endpoint (health, metrics): bind it to loopback too.
        return ["dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                "--dashboard-address", "127.0.0.1:0", "--idle-timeout", f"{self.idle_timeout:g}s",
                "--scheduler-file", "scheduler.json"]

    def worker_command(self, k: int) -> list[str]:
        """``dask worker ...`` for worker ``k``.

        ``--scheduler-file`` instead of an address: a worker waits until the
        scheduler has written the file, so all processes can start at once.
        ``--no-nanny``: the worker is this very process, so its pid is the
        pid that the task records show.
        """
        return ["dask", "worker", "--scheduler-file", "scheduler.json", "--nthreads", "1",
                "--host", "127.0.0.1", "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
                "--no-nanny", "--name", f"worker-{k}",
                "--death-timeout", "30s"]

    @property
    def commands(self) -> list[str]:
        """The command lines, as you would type them in a shell."""
        return [" ".join(self.scheduler_command)] + [
            " ".join(self.worker_command(k)) for k in range(self.n_workers)]

    def _spawn(self, argv: list[str], log_name: str) -> subprocess.Popen:
        # `dask scheduler` is `python -m distributed.cli.dask_scheduler`: use this
        # interpreter, so the children import the same distributed and parallel_demo.
        module = {"scheduler": "distributed.cli.dask_scheduler",
                  "worker": "distributed.cli.dask_worker"}[argv[1]]
        assert self._dir is not None
        log = open(Path(self._dir.name) / log_name, "wb")
        self._logs.append(log)
        env = dict(os.environ, PYTHON_COLORS="0", NO_COLOR="1")
        env.pop(SCHEDULER_ENV, None)
        proc = subprocess.Popen([sys.executable, "-m", module, *argv[2:]], cwd=self._dir.name,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                env=env)
        self._procs.append(proc)
        return proc

    def log(self, which: str = "scheduler", lines: int = 20) -> str:
        """The last ``lines`` lines of a process's log (``"scheduler"`` or ``"worker-0"``...)."""
        if self._dir is None:
            return ""
        path = Path(self._dir.name) / f"{which}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # -- start and stop ----------------------------------------------------
    def start(self) -> "DaskCluster":
        """Start the scheduler, then the workers; return when all have registered."""
        if self._procs:
            raise RuntimeError("this DaskCluster has already been started; make a new one")
        from distributed import Client

        t0 = now()
        deadline = Deadline(self.timeout)
        self._dir = tempfile.TemporaryDirectory(prefix="parallel-demo-dask-")
        _LIVE.add(self)
        try:
            scheduler = self._spawn(self.scheduler_command, "scheduler.log")
            for k in range(self.n_workers):  # they wait for scheduler.json
                self._spawn(self.worker_command(k), f"worker-{k}.log")
            info = Path(self._dir.name) / "scheduler.json"
            ready = wait_until(lambda: _scheduler_file(info) or scheduler.poll() is not None,
                               deadline.left())
            self.address = _scheduler_file(info)
            if scheduler.poll() is not None:
                raise RuntimeError(f"dask scheduler exited with code {scheduler.returncode}:\n"
                                   + self.log("scheduler"))
            if not ready or not self.address:
                raise TimeoutError(f"dask scheduler did not start within {self.timeout:g} s "
                                   "(timeout=...):\n" + self.log("scheduler"))
            with Client(self.address, timeout=f"{max(deadline.left(), 1):.0f}s") as client:
                self._wait_for_workers(client, deadline)
                pids = client.run(os.getpid)
                names = {a: w.get("name") for a, w in client.scheduler_info(n_workers=-1)["workers"].items()}
            self.workers = tuple(sorted((DaskWorker(str(names.get(a, a)), a, pid)
                                         for a, pid in pids.items()), key=lambda w: w.name))
        except BaseException:
            self.close()
            raise
        self.startup = now() - t0
        return self

    def _wait_for_workers(self, client: Any, deadline: Deadline) -> None:
        def registered() -> bool:
            dead = [p for p in self._procs[1:] if p.poll() is not None]
            if dead:
                k = self._procs.index(dead[0]) - 1
                raise RuntimeError(f"dask worker-{k} exited with code {dead[0].returncode}:\n"
                                   + self.log(f"worker-{k}"))
            return len(client.scheduler_info(n_workers=-1)["workers"]) >= self.n_workers

        if not wait_until(registered, deadline.left()):
            raise TimeoutError(f"{self.n_workers} dask workers did not register within "
                               f"{self.timeout:g} s (timeout=...):\n" + self.log("worker-0"))

    @property
    def pids(self) -> list[int]:
        """Process ids of the scheduler and the workers (scheduler first)."""
        return [p.pid for p in self._procs]

    @property
    def running(self) -> bool:
        return bool(self._procs) and all(p.poll() is None for p in self._procs)

    def close(self, timeout: float = STOP_TIMEOUT) -> list[int]:
        """Stop the workers, then the scheduler: SIGTERM, then SIGKILL after ``timeout``.

        Returns the pids that had to be killed (empty when all stopped cleanly).
        Safe to call twice.
        """
        deadline = Deadline(timeout)
        killed: list[int] = []
        # Workers first: a worker that is told to stop says goodbye to its
        # scheduler, and waits for it if the scheduler is already going.
        for group in (self._procs[1:], self._procs[:1]):
            for p in group:
                if p.poll() is None:
                    p.terminate()
            for p in group:
                try:
                    p.wait(timeout=max(deadline.left(), 0.01))
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(timeout=5)
                    killed.append(p.pid)
        for log in self._logs:
            log.close()
        self._logs.clear()
        if self._dir is not None and not any(p.poll() is None for p in self._procs):
            self._dir.cleanup()
            self._dir = None
        _LIVE.discard(self)
        return killed

    def __enter__(self) -> "DaskCluster":
        return self if self._procs else self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        alive = sum(p.poll() is None for p in self._procs)
        state = ("not started" if not self._procs else "running" if alive == len(self._procs)
                 else "stopped" if not alive else f"{alive} of {len(self._procs)} processes running")
        return f"DaskCluster(workers={self.n_workers}, {state})"


def _scheduler_file(path: Path) -> str | None:
    try:
        return json.loads(path.read_text()).get("address")
    except (OSError, ValueError):
        return None  # not written yet, or half-written


# ---------------------------------------------------------------------------
# The "dask" strategy.

def _connect(workers: int, scheduler: str | None):
    """(client, cluster or None): the named scheduler, $PARALLEL_DEMO_SCHEDULER, or a LocalCluster."""
    from distributed import Client, LocalCluster

    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if address:
        return Client(address, timeout=f"{CONNECT_TIMEOUT:.0f}s"), None
    with quiet_fork_warning():
        # dashboard off; the scheduler's small HTTP endpoint on loopback, any free port.
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address="127.0.0.1:0",
                               scheduler_kwargs={"dashboard": False})
    try:
        return Client(cluster, timeout=f"{CONNECT_TIMEOUT:.0f}s"), cluster
    except BaseException:
        cluster.close()
        raise


def _check_scheduler(scheduler: Any) -> str | None:
    if scheduler is None:
        return None
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise TypeError("scheduler must be a scheduler address such as 'tcp://127.0.0.1:8786' "
                        f"(a str), got {type(scheduler).__name__} {scheduler!r:.60}")
    return scheduler.strip()


def _check_client(client: Any) -> Any:
    if client is None:
        return None
    from distributed import Client

    if not isinstance(client, Client):
        raise TypeError("client must be a connected distributed.Client, got "
                        f"{type(client).__name__}; or pass scheduler='tcp://...' instead")
    if client.status != "running":
        raise ValueError(f"client must be connected (its status is {client.status!r}); "
                         "make a new Client(address)")
    return client


def _need_client(client: Any) -> Any:
    """``client`` if it is a connected ``distributed.Client``, else a clear error.

    Nothing is imported or connected to refuse a wrong type: a Client can only
    exist once ``distributed`` is imported, so without it nothing is a Client.
    """
    distributed = sys.modules.get("distributed")
    if distributed is not None and isinstance(client, distributed.Client):
        if client.status != "running":
            raise ValueError(f"client must be connected (its status is {client.status!r}); "
                             "make a new one, e.g. client = Client(cluster.address)")
        return client
    if isinstance(client, DaskCluster):
        hint = "pass a Client connected to it: client = Client(cluster.address)"
    elif isinstance(client, str):
        hint = f"connect first and pass the client: client = Client({client!r:.40})"
    elif type(client).__name__ == "LocalCluster":
        hint = "pass a Client connected to it: client = Client(cluster)"
    else:
        hint = "e.g. client = Client(cluster.address) (from distributed import Client)"
    raise TypeError(f"client must be a connected distributed.Client, got "
                    f"{type(client).__name__} {client!r:.60}; {hint}")


@register_strategy("dask", lane="dask worker", options=("scheduler", "client", "timeout"))
def _dask(fn, items, workers, scheduler=None, client=None, timeout=RUN_TIMEOUT):
    """One Dask task per item on a cluster; see :func:`run_on_client`.

    Which cluster: ``client`` (a connected Client, left open), else
    ``scheduler`` (an address), else ``$PARALLEL_DEMO_SCHEDULER``, else a new
    LocalCluster of ``workers`` processes, one thread each, on 127.0.0.1 with
    no dashboard.  Whatever ``run`` opened, it closes before returning.
    """
    scheduler = _check_scheduler(scheduler)
    client = _check_client(client)
    timeout = check_seconds("timeout", timeout)
    if client is not None:
        return run_on_client(client, fn, items, timeout=timeout)
    children = {p.pid for p in _mp_children()}
    own_client, cluster = _connect(workers, scheduler)
    try:
        return run_on_client(own_client, fn, items, timeout=timeout)
    finally:
        own_client.close(timeout=STOP_TIMEOUT)
        if cluster is not None:
            cluster.close(timeout=STOP_TIMEOUT)
        _reap(children)


def run_on_client(client: Any, fn: Callable[[Any], Any], items: Sequence[Any], *,
                  timeout: float = RUN_TIMEOUT) -> list[tuple[Any, TaskRecord]]:
    """Submit ``fn(item)`` per item; ``(result, record)`` pairs in input order.

    Records are made on the workers and shifted onto this process's clock.
    The first failure in input order is raised (its type kept, a note naming
    the item); the tasks not yet finished are cancelled first.

    Raises:
        TimeoutError: the tasks had not all finished after ``timeout`` seconds.
    """
    check_callable("fn", fn)
    items = check_items("items", items)
    timeout = check_seconds("timeout", timeout)
    _need_client(client)
    deadline = Deadline(timeout)
    run_id = uuid.uuid4().hex[:8]
    # One map, not one submit per item: a single message to the scheduler for
    # the whole batch (each submit would be a graph update of its own).
    n = len(items)
    futures = client.map(_dask_call, [fn] * n, range(n), items, [now()] * n,
                         key=[f"run-{run_id}-{i}" for i in range(n)], pure=False)
    from distributed import wait

    try:
        try:
            # Wait for all, then look in input order: the first failure wins.
            wait(futures, timeout=max(deadline.left(), 0.001))
        except TimeoutError as exc:
            raise TimeoutError(f"dask tasks had not finished after {timeout:g} s "
                               "(timeout=...); are the workers alive?") from exc
        for fut in futures:
            if fut.status == "error":
                fut.result()  # raises fn's exception, with its type and note
        pairs = client.gather(futures)  # one request for every result
    except BaseException:
        client.cancel(futures)
        raise
    finally:
        del futures
    offsets = _offsets_for(client, {record.worker for _, record in pairs})
    return [(result, _on_parent_clock(record, offsets)) for result, record in pairs]


# Offsets measured when a client first ran tasks ("at connect"), per client: clocks
# do not jump, so a running cluster is probed once, not on every run.  A worker
# that joined since is probed when its first record arrives.
_OFFSETS: "weakref.WeakKeyDictionary[Any, dict[str, ClockOffset]]" = weakref.WeakKeyDictionary()
_OFFSETS_LOCK = threading.Lock()  # must be held while reading or changing _OFFSETS


def _offsets_for(client: Any, workers: set[str]) -> dict[str, ClockOffset]:
    with _OFFSETS_LOCK:
        known = _OFFSETS.get(client, {})
    if workers <= set(known):
        return known
    fresh = {**known, **clock_offsets(client)}
    with _OFFSETS_LOCK:
        _OFFSETS[client] = fresh
    return fresh


def _mp_children():
    import multiprocessing

    return multiprocessing.active_children()


def _reap(before: set[int], timeout: float = STOP_TIMEOUT) -> None:
    """Wait for the worker processes a LocalCluster started; stop any that linger."""
    from ._hang import join_processes

    new = [p for p in _mp_children() if p.pid not in before]
    stuck = join_processes(new, timeout)
    if stuck:
        raise RuntimeError(f"{len(stuck)} Dask worker process(es) did not exit after the "
                           "cluster closed and had to be terminated")


# ---------------------------------------------------------------------------
# What a task costs on a cluster, and when distributing pays off.

@dataclass(frozen=True)
class OverheadReport:
    """End-to-end time per no-op task: Dask against a warm local process pool.

    Each measurement times ``tasks`` no-op tasks submitted at once and
    gathered; divide by ``tasks`` for the cost of one task.
    """

    tasks: int
    dask: Measurement
    process_pool: Measurement

    @property
    def per_task(self) -> dict[str, float]:
        """Median seconds per task, by side."""
        return {"dask": self.dask.median / self.tasks,
                "process pool": self.process_pool.median / self.tasks}

    def per_task_times(self, side: str) -> tuple[float, ...]:
        m = self.dask if side == "dask" else self.process_pool
        return tuple(t / self.tasks for t in m.times)


def measure_task_overhead(client: Any, *, tasks: int = 100, repeat: int = 5,
                          workers: int = 2) -> OverheadReport:
    """Time ``tasks`` no-op tasks on the cluster and on a warm process pool, interleaved.

    Neither side's start-up is counted: the cluster is running, and the pool
    is started (and warmed) before the clock starts.  What is left is the
    cost of a task's round trip: pickling, scheduling, sending, running a
    no-op, and sending the result back.
    """
    check_int("tasks", tasks, minimum=1, maximum=5000)
    check_int("repeat", repeat, minimum=1, maximum=50)
    check_int("workers", workers, minimum=1, maximum=16)
    _need_client(client)
    items = list(range(tasks))

    def on_dask():
        futures = client.map(_noop, items, pure=False)
        return client.gather(futures)

    with quiet_fork_warning(), cf.ProcessPoolExecutor(max_workers=workers) as pool:
        def on_pool():
            return list(pool.map(_noop, items))

        m = interleaved({"dask": on_dask, "process pool": on_pool}, repeat=repeat, warmup=1)
    return OverheadReport(tasks, m["dask"], m["process pool"])


def measure_round_trips(client: Any, *, tasks: int = 10) -> Measurement:
    """Time ``tasks`` no-op tasks one at a time: submit, wait for the result, repeat.

    Each time is one task's full round trip (client to scheduler to worker
    and back), with no other task to overlap with: the *latency* of a task,
    where :func:`measure_task_overhead` gives the cost per task when many
    are in flight (its *throughput*).
    """
    check_int("tasks", tasks, minimum=1, maximum=1000)
    _need_client(client)
    client.submit(_noop, -1, pure=False).result(timeout=CONNECT_TIMEOUT)  # warm-up
    times = []
    for i in range(tasks):
        t0 = now()
        client.submit(_noop, i, pure=False).result(timeout=CONNECT_TIMEOUT)
        times.append(now() - t0)
    return Measurement("one task at a time", tuple(times))


@dataclass(frozen=True)
class TaskSweep:
    """Wall times of the prime workload as the number of tasks grows.

    ``measurements[label]`` holds one :class:`Measurement` per size, from runs
    interleaved across labels; ``vs_sequential`` and ``vs_pool`` say from
    which size the running Dask cluster beat sequential and a fresh process
    pool (:func:`parallel_demo.verdict.crossover`).
    """

    sizes: tuple[int, ...]
    measurements: dict[str, tuple[Measurement, ...]]
    task_seconds: float
    vs_sequential: Crossover
    vs_pool: Crossover
    labels: tuple[str, ...] = field(default=("sequential", "process pool", "dask"))


def sweep_tasks(client: Any, sizes: Sequence[int] = (2, 6, 18), *, near: int = 10**10,
                workers: int = 2, repeat: int = 3) -> TaskSweep:
    """Run the prime workload three ways at each size, interleaved and repeated.

    The three ways: ``run("sequential")``; ``run("process_pool")``, which
    starts a pool of ``workers`` processes each time, as a script would; and
    ``run("dask", client=client)`` on the running cluster (its start-up was
    paid once, before).  Each size's primes lie ``near`` the same number, so
    every task costs about the same.
    """
    sizes = tuple(check_items("sizes", sizes, allow_empty=False))
    for s in sizes:
        check_int("sizes[...]", s, minimum=1, maximum=1000)
    if list(sizes) != sorted(set(sizes)):
        raise ValueError(f"sizes must be increasing and distinct, got {sizes}")
    check_int("repeat", repeat, minimum=1, maximum=20)
    # A task costs sqrt(near)/3 divisions: 10**13 is already about 0.1 s a task.
    check_int("near", near, minimum=0, maximum=10**13,
              hint="each task tests numbers near it; e.g. near=10**10 (a few ms a task)")
    check_int("workers", workers, minimum=1, maximum=16)
    _need_client(client)
    from .workloads import is_prime, large_primes

    numbers = large_primes(max(sizes), near)
    t0 = now()
    for n in numbers[:4]:
        is_prime(n)
    task_seconds = (now() - t0) / min(4, len(numbers))
    per: dict[str, list[Measurement]] = {"sequential": [], "process pool": [], "dask": []}
    for k, size in enumerate(sizes):
        items = numbers[:size]
        # One warm-up round, before the first size only: it pays the one-time costs
        # (workers importing the task's module); later sizes start warm.
        m = interleaved({
            "sequential": lambda: run("sequential", is_prime, items),
            "process pool": lambda: run("process_pool", is_prime, items, workers=workers),
            "dask": lambda: run("dask", is_prime, items, client=client),
        }, repeat=repeat, warmup=1 if k == 0 else 0)
        for label in per:
            per[label].append(m[label])
    measurements = {k: tuple(v) for k, v in per.items()}
    return TaskSweep(
        sizes, measurements, task_seconds,
        vs_sequential=crossover(sizes, measurements["dask"], measurements["sequential"],
                                parallel=True),
        vs_pool=crossover(sizes, measurements["dask"], measurements["process pool"]),
    )


def break_even_tasks(startup: float, overhead: float, task_seconds: float,
                     workers: int) -> float | None:
    """A model, not a measurement: how many tasks repay a cluster's start-up.

    Sequentially ``n`` tasks take ``n * t``; on ``w`` parallel workers with
    start-up ``S`` and a per-task cost ``o``, about ``S + n * (t + o) / w``.
    The cluster comes out ahead once ``n > S / (t - (t + o) / w)``; when the
    denominator is not positive (one CPU, or tasks cheaper than their
    overhead) it never does, and this returns None.  ``workers`` should be
    the workers that can really run at once: ``min(workers, effective_cpus())``.
    """
    for name, value in (("startup", startup), ("overhead", overhead),
                        ("task_seconds", task_seconds)):
        check_seconds(name, value, allow_zero=True)
    check_int("workers", workers, minimum=1)
    gain = task_seconds - (task_seconds + overhead) / workers
    if gain <= 0:
        return None
    return startup / gain


# ---------------------------------------------------------------------------
# Dask's own view: the task stream.

@dataclass(frozen=True)
class StreamSpan:
    """One stretch of one task on one worker, from Dask's task stream.

    ``action`` is Dask's: ``"compute"``, ``"transfer"``, ``"deserialize"``,
    ``"disk-read"``... ; ``start`` and ``end`` are on the parent's clock when
    offsets were given, else on the workers' wall clocks.
    """

    worker: str
    key: str
    action: str
    start: float
    end: float


def _check_stream(data: Any) -> list[Any]:
    from collections.abc import Mapping as _Mapping

    if hasattr(data, "data") and not isinstance(data, (list, tuple)):
        raise TypeError(f"data must be the task stream's records, got a {type(data).__name__}; "
                        "pass its .data, e.g. task_stream_spans(ts.data, offsets)")
    data = check_items("data", data)
    for task in data:
        if not isinstance(task, _Mapping):
            raise TypeError("data must hold the task stream's records (dicts with 'worker' and "
                            "'startstops'), e.g. ts.data from get_task_stream(); got "
                            f"{type(task).__name__} {task!r:.40} in it")
    return data


def task_stream_spans(data: Sequence[Mapping[str, Any]],
                      offsets: Mapping[str, ClockOffset] | None = None) -> list[StreamSpan]:
    """Flatten ``client.get_task_stream()``'s records into spans, sorted by start.

    Dask stamps a task with the worker's wall clock plus the worker's
    estimate of how far the scheduler's clock is ahead (``scheduler_delay``,
    measured at each heartbeat).  With ``offsets`` (from
    :func:`clock_offsets`, measured soon after the run), that estimate is
    taken back out and each worker's own offset applied instead, which moves
    the stamps onto the parent's ``perf_counter`` clock, the clock of
    :class:`~parallel_demo.trace.TaskRecord`, so both views share an axis.
    """
    data = _check_stream(data)
    if offsets is not None:
        from collections.abc import Mapping as _Mapping

        if not isinstance(offsets, _Mapping) or not all(
                isinstance(o, ClockOffset) for o in offsets.values()):
            raise TypeError(f"offsets must be what clock_offsets(client) returned (a dict of "
                            f"ClockOffset), got {type(offsets).__name__} {offsets!r:.60}; "
                            "or leave it out (None)")
    spans = []
    for task in data:
        worker = task.get("worker", "?")
        off = offsets.get(worker) if offsets else None
        shift = off.wall - off.dask_delay if off is not None else 0.0
        for ss in task.get("startstops", ()):
            spans.append(StreamSpan(worker, str(task.get("key", "")), ss["action"],
                                    ss["start"] + shift, ss["stop"] + shift))
    return sorted(spans, key=lambda s: (s.start, s.worker))


# ---------------------------------------------------------------------------
# The chapter's computed prose: the notebook shows these as Markdown.

def explain_cluster_startup(cluster: "DaskCluster") -> str:
    """Markdown: how long ``cluster`` (a started :class:`DaskCluster`) took to start."""
    if not isinstance(cluster, DaskCluster):
        raise TypeError(f"cluster must be a DaskCluster, got {type(cluster).__name__}")
    if cluster.startup is None:
        raise ValueError("cluster has not been started: call cluster.start() first")
    n = cluster.n_workers
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
    return (f"Starting the cluster took **{format_seconds(cluster.startup)}**: "
            f"{words.get(n + 1, n + 1)} fresh Python interpreters, each importing `distributed`, "
            f"then {words.get(n, n)} worker{'s' if n != 1 else ''} registering with the "
            "scheduler. Keep that number in mind; it comes back when we ask whether a cluster pays.")


def explain_task_overhead(overhead: OverheadReport,
                          docs_range: tuple[float, float] = DOCS_TASK_OVERHEAD) -> str:
    """Markdown: what one task cost on each side, the verdict, and where Dask's cost falls
    against ``docs_range`` (seconds, low and high, from Dask's documentation)."""
    if not isinstance(overhead, OverheadReport):
        raise TypeError("overhead must be what measure_task_overhead() returned, "
                        f"got {type(overhead).__name__}")
    low, high = (check_seconds("docs_range[]", x) for x in docs_range)
    verdict = compare(overhead.process_pool, overhead.dask)
    per_task = overhead.per_task
    dask = per_task["dask"]
    where = "within" if low <= dask <= high else "above" if dask > high else "below"
    text = (f"With {overhead.tasks} tasks in flight, a Dask task cost **{format_seconds(dask)}** "
            f"end to end, and a process pool's **{format_seconds(per_task['process pool'])}**. "
            + verdict.sentence("The process pool", "the Dask cluster")
            + f" That is {where} the range Dask's documentation gives.")
    if where == "above":
        text += (" On a busy machine the scheduler and the workers share the CPUs with everything "
                 "else, and every hop waits its turn.")
    return text


def explain_task_sweep(sweep: TaskSweep) -> str:
    """Markdown: the two crossover sentences of :func:`sweep_tasks`, Dask first."""
    if not isinstance(sweep, TaskSweep):
        raise TypeError(f"sweep must be what sweep_tasks() returned, got {type(sweep).__name__}")
    said = [sweep.vs_sequential.sentence("Dask on the running cluster", "sequential code", "tasks"),
            sweep.vs_pool.sentence("Dask on the running cluster", "a freshly started process pool",
                                   "tasks")]
    return " ".join(s[0].upper() + s[1:] for s in said)


def explain_break_even(startup: float, overhead: OverheadReport, sweep: TaskSweep,
                       workers: int) -> str:
    """Markdown: :func:`break_even_tasks` for this cluster, or why it never pays back.

    ``workers`` should be the workers that can really run at once,
    ``min(workers, effective_cpus())``.
    """
    if not isinstance(overhead, OverheadReport):
        raise TypeError("overhead must be what measure_task_overhead() returned, "
                        f"got {type(overhead).__name__}")
    if not isinstance(sweep, TaskSweep):
        raise TypeError(f"sweep must be what sweep_tasks() returned, got {type(sweep).__name__}")
    repaid = break_even_tasks(startup, overhead.per_task["dask"], sweep.task_seconds, workers)
    if repaid is None:
        if workers == 1:
            why = "with one usable CPU, the workers cannot run at once, so there is nothing to gain"
        else:
            why = (f"a task's {format_seconds(sweep.task_seconds)} of work, shared among {workers} "
                   f"workers, does not cover its {format_seconds(overhead.per_task['dask'])} of "
                   "overhead on the cluster")
        return f"Started for this job, the cluster would never pay back its start-up here: {why}."
    return (f"Started for this job, the cluster would need about **{repaid:,.0f} tasks** of this "
            "size to pay back its start-up.")
