"""threads_for_io: client side of the I/O chapter: fetch pages, measure throughput, draw it.

The task function :func:`fetch_page` is module level, so any strategy of
:func:`parallel_demo.run` can use it, process pools included.  Every thread
of a process shares ONE :class:`httpx.Client`: httpx documents its client as
safe to share between threads, and one client means one connection pool, so
a connection opened by one thread is reused by the next (the default
``httpx.Limits`` allow 100 connections per client, 20 of them kept alive).
The client is made on first use in each process (a forked child makes its
own: sockets must not be shared across a fork) and closed when the process
exits, so a chapter never has to close anything.

Why httpx: a well-kept client library whose every request has a timeout by
default (``requests`` has none: a silent server hangs it forever), that pools
connections, and that has the same API for plain code (``httpx.Client``) and
for asyncio (``httpx.AsyncClient``), which the asyncio chapter reuses.
"""

from __future__ import annotations

import atexit
import os
import threading
from dataclasses import dataclass
from typing import Any, Sequence

from ._validate import check_int, check_items, check_seconds
from .timing import measure
from .trace import RunResult

#: Seconds a request may take (connect, read, write, pool) before it fails.
DEFAULT_TIMEOUT = 5.0

_client_lock = threading.Lock()  # must be held while making or replacing _client
_client: list[Any] = []  # [(pid, httpx.Client)]: this process's shared client, made on first use


def _close_at_exit() -> None:
    with _client_lock:
        entries, _client[:] = list(_client), []
    for pid, client in entries:
        if pid == os.getpid():
            client.close()


atexit.register(_close_at_exit)


def _shared_client():
    """This process's one client, made on first use (again in a forked child)."""
    entry = _client[0] if _client else None
    if entry is not None and entry[0] == os.getpid() and not entry[1].is_closed:
        return entry[1]
    with _client_lock:  # two threads asking at once must not make two clients
        entry = _client[0] if _client else None
        if entry is None or entry[0] != os.getpid() or entry[1].is_closed:
            import httpx

            # A client inherited through fork is dropped, not closed: its
            # sockets belong to the parent.
            _client[:] = [(os.getpid(), httpx.Client(timeout=DEFAULT_TIMEOUT))]
        return _client[0][1]


def fetch_page(url: str) -> str:
    """GET ``url`` with this process's shared client and return the body as text.

    Raises:
        httpx.HTTPStatusError: the server answered with an error (e.g. 503).
        httpx.TimeoutException: no answer within :data:`DEFAULT_TIMEOUT` seconds.
    """
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, got {type(url).__name__} {url!r}")
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"url must start with http:// or https://, got {url!r:.60}; "
                         "use a full address such as srv.url + '/page/0'")
    response = _shared_client().get(url)
    response.raise_for_status()
    return response.text


def fetch_all(strategy: str, urls: Sequence[str], *, workers: int | None = None) -> RunResult:
    """``run(strategy, fetch_page, urls, workers=workers)``.

    Returns:
        The :class:`RunResult`; its ``results`` are the page bodies in URL order.
    """
    from .strategies import run

    return run(strategy, fetch_page, urls, workers=workers)


def default_thread_pool_workers(cpus: int | None = None) -> int:
    """``ThreadPoolExecutor()``'s default ``max_workers`` on this Python and machine.

    Up to 3.12: ``min(32, os.cpu_count() + 4)``; from 3.13:
    ``min(32, os.process_cpu_count() + 4)`` (which follows the affinity
    mask).  Either way a count of CPUs, for a pool that mostly waits.
    ``cpus`` overrides the count, for tests.
    """
    import sys

    if cpus is None:
        counter = os.process_cpu_count if sys.version_info >= (3, 13) else os.cpu_count
        cpus = counter() or 1
    else:
        cpus = check_int("cpus", cpus, minimum=1, hint="leave it out to use this machine's count")
    return min(32, cpus + 4)


# ---------------------------------------------------------------------------
# Little's law and throughput.

def littles_law(concurrency: float, latency: float) -> float:
    """Throughput (requests per second) = requests in flight / seconds each takes.

    Little's law, L = λW, solved for the arrival rate λ: a system that keeps
    ``concurrency`` requests in flight, each taking ``latency`` seconds,
    completes ``concurrency / latency`` requests per second on average.
    """
    if not latency > 0:
        raise ValueError(f"latency must be > 0 seconds, got {latency!r}")
    if concurrency < 0:
        raise ValueError(f"concurrency must be >= 0, got {concurrency!r}")
    return concurrency / latency


@dataclass(frozen=True)
class ThroughputRow:
    """Throughput measured with ``workers`` threads, next to Little's law's prediction.

    Attributes:
        workers: Threads in the client's pool.
        requests: Requests per run.
        wall: Median wall time of a run, in seconds.
        throughput: ``requests / wall``, requests per second.
        predicted: ``littles_law(min(workers, max_concurrent), latency)``.
    """

    workers: int
    requests: int
    wall: float
    throughput: float
    predicted: float


def measure_throughput(url_list: Sequence[str], workers: Sequence[int], *, latency: float,
                       max_concurrent: int | None = None, repeat: int = 1) -> list[ThroughputRow]:
    """Fetch ``url_list`` with a thread pool of each size in ``workers``; time each.

    ``latency`` and ``max_concurrent`` must be the server's: they only feed
    the prediction.  In flight at once are ``min(workers, max_concurrent)``
    requests, so that is the concurrency Little's law is given.
    """
    from .strategies import MAX_WORKERS

    url_list = check_items("url_list", url_list, allow_empty=False)
    for u in url_list:
        if not isinstance(u, str):
            raise TypeError(f"url_list must hold URLs (str), e.g. srv.urls(8); got "
                            f"{type(u).__name__} {u!r:.40} in it")
    if isinstance(workers, (int, float)):
        raise TypeError(f"workers must be a list of pool sizes, e.g. [1, 2, 4], got "
                        f"{type(workers).__name__} {workers!r}; wrap a single size in a list")
    workers = [check_int("workers[]", k, minimum=1, maximum=MAX_WORKERS)
               for k in check_items("workers", workers, allow_empty=False)]
    check_seconds("latency", latency)
    if max_concurrent is not None:
        check_int("max_concurrent", max_concurrent, minimum=1,
                  hint="pass the server's max_concurrent, or leave it out (None) for no limit")
    check_int("repeat", repeat, minimum=1, maximum=50)
    rows = []
    for k in workers:
        m = measure(fetch_all, "thread_pool", url_list, workers=k, repeat=repeat, warmup=0)
        in_flight = k if max_concurrent is None else min(k, max_concurrent)
        rows.append(ThroughputRow(k, len(url_list), m.median, len(url_list) / m.median,
                                  littles_law(in_flight, latency)))
    return rows


