"""threads_for_io: client side of the I/O chapter: fetch pages, measure throughput, draw it.

The task function :func:`fetch_page` is module level, so any strategy of
:func:`parallel_demo.run` can use it, process pools included.  It uses one
:class:`httpx.Client` per thread: a client keeps a pool of open connections,
which is what makes the second request to a server cheaper than the first,
but a client is not meant to be shared by threads that each want their own
connection limits and timeouts, and one per thread keeps every thread's
connections its own.  :func:`fetch_all` runs a strategy and then closes every
client the run opened, so nothing is left behind.

Why httpx: a well-kept client library whose every request has a timeout by
default (``requests`` has none: a silent server hangs it forever), that pools
connections, and that has the same API for plain code (``httpx.Client``) and
for asyncio (``httpx.AsyncClient``), which the asyncio chapter reuses.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Sequence

from .timing import measure
from .trace import RunResult

#: Seconds a request may take (connect, read, write, pool) before it fails.
DEFAULT_TIMEOUT = 5.0

_local = threading.local()  # .client: this thread's httpx.Client
_open_lock = threading.Lock()  # must be held while touching _open
_open: list[Any] = []  # every client this process opened and has not closed yet
_ssl: list[Any] = []  # the one SSL context all clients share, made on first use


def _ssl_context():
    # Loading the certificate bundle costs tens of milliseconds, and with a
    # client per thread every thread would pay it, one after another under
    # the GIL.  An SSLContext may be shared by threads, so it is made once.
    with _open_lock:
        if not _ssl:
            import httpx

            _ssl.append(httpx.create_ssl_context())
        return _ssl[0]


def _thread_client(timeout: float = DEFAULT_TIMEOUT):
    """This thread's client, made on first use (and again after close_clients)."""
    client = getattr(_local, "client", None)
    if client is None or client.is_closed:
        import httpx

        client = httpx.Client(timeout=timeout, verify=_ssl_context())
        _local.client = client
        with _open_lock:
            _open.append(client)
    return client


def fetch_page(url: str) -> str:
    """GET ``url`` with this thread's client and return the body as text.

    Raises:
        httpx.HTTPStatusError: the server answered with an error (e.g. 503).
        httpx.TimeoutException: no answer within :data:`DEFAULT_TIMEOUT` seconds.
    """
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, got {type(url).__name__} {url!r}")
    response = _thread_client().get(url)
    response.raise_for_status()
    return response.text


def close_clients() -> int:
    """Close every client :func:`fetch_page` opened in this process; returns how many.

    Call it when no fetch is running (e.g. after ``run`` returns).
    """
    with _open_lock:
        clients, _open[:] = list(_open), []
    for client in clients:
        client.close()
    return len(clients)


def fetch_all(strategy: str, urls: Sequence[str], *, workers: int | None = None) -> RunResult:
    """``run(strategy, fetch_page, urls, workers=workers)``, then close the clients it opened.

    Returns:
        The :class:`RunResult`; its ``results`` are the page bodies in URL order.
    """
    from .strategies import run

    try:
        return run(strategy, fetch_page, urls, workers=workers)
    finally:
        close_clients()


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
    url_list = list(url_list)
    if not url_list:
        raise ValueError("url_list is empty: nothing to measure")
    rows = []
    for k in workers:
        m = measure(fetch_all, "thread_pool", url_list, workers=k, repeat=repeat, warmup=0)
        in_flight = k if max_concurrent is None else min(k, max_concurrent)
        rows.append(ThroughputRow(k, len(url_list), m.median, len(url_list) / m.median,
                                  littles_law(in_flight, latency)))
    return rows


