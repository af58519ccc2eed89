"""Client side of "asyncio for I/O": fetch pages with asyncio, and threads vs tasks in time and memory.

Two kinds of client live here, both for :class:`~parallel_demo.server.LatencyServer`:

* :func:`async_client` and :func:`afetch_page`: ``httpx.AsyncClient``, the
  asyncio twin of the ``httpx.Client`` that the I/O chapter's threads use,
  with its connection ``Limits`` set explicitly;
* :func:`get_pages_threads` and :func:`get_pages_asyncio`: the smallest HTTP
  clients the standard library allows (``http.client`` in threads,
  ``asyncio.open_connection`` streams in tasks), each with a pool of
  ``connections`` keep-alive connections.  The threads-vs-asyncio sweep uses
  these, so that it measures threads and tasks rather than one HTTP
  library's bookkeeping (httpx's async connection pool costs milliseconds of
  CPU per request at high concurrency, encode/httpx#3215).

:func:`measure_concurrency` runs each client in a fresh child process, one
run per size, and reads the child's resident memory (``VmHWM`` after
resetting it, from ``/proc/self/status``; ``resource`` elsewhere), so that
thread stacks are counted and no run inherits another's freed memory.
"""

from __future__ import annotations

import asyncio
import functools
import http.client
import json
import queue
import sys
import threading
from dataclasses import dataclass
from typing import Any, Sequence
from urllib.parse import urlsplit

from ._validate import check_choice, check_int, check_items, check_seconds
from .trace import RunResult, now


#: Seconds one request may take (connect, send, read) before it fails.
REQUEST_TIMEOUT = 5.0

#: The two ways :func:`measure_concurrency` keeps many requests in flight.
APPROACHES = ("threads", "asyncio")


@functools.lru_cache(maxsize=1)
def _ssl_context():
    # Loading the certificate bundle takes tens of milliseconds: do it once.
    # (The server is plain HTTP; httpx builds a context for every client anyway.)
    import httpx

    return httpx.create_ssl_context()


def async_client(connections: int = 20, *, timeout: float = REQUEST_TIMEOUT):
    """An ``httpx.AsyncClient`` that keeps up to ``connections`` connections open.

    httpx's default ``Limits`` allow 100 connections but keep only 20 alive
    between requests; set both to the same number so that every connection
    opened is reused, and so that the limit is a number you chose.
    """
    import httpx

    check_int("connections", connections, minimum=1, maximum=1000)
    check_seconds("timeout", timeout)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(limits=limits, timeout=timeout, verify=_ssl_context())


async def afetch_page(client: Any, url: str) -> str:
    """GET ``url`` with ``client`` (an ``httpx.AsyncClient``); return the body as text.

    Raises:
        httpx.HTTPStatusError: the server answered with an error (e.g. 503).
        httpx.TimeoutException: no answer within the client's timeout.
    """
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, got {type(url).__name__} {url!r:.60}")
    httpx = sys.modules.get("httpx")  # an AsyncClient exists only once httpx is imported
    if httpx is None or not isinstance(client, httpx.AsyncClient):
        sync = httpx is not None and isinstance(client, httpx.Client)
        raise TypeError(f"client must be an httpx.AsyncClient, got {type(client).__name__} "
                        f"{client!r:.60}; " + (
                            "an httpx.Client blocks the event loop: use async_client() instead"
                            if sync else "make one with async with async_client() as client: "
                            "and pass it first, afetch_page(client, url)"))
    if not url.lower().startswith(("http://", "https://")) and not str(client.base_url):
        raise ValueError(f"url must start with http:// or https://, got {url!r:.60}; "
                         "use a full address such as srv.url + '/page/0'")
    response = await client.get(url)
    response.raise_for_status()
    return response.text


# ---------------------------------------------------------------------------
# Minimal clients: one pool of keep-alive connections, threads or tasks.

def _split(base_url: str) -> tuple[str, int]:
    if not isinstance(base_url, str):
        raise TypeError(f"base_url must be a str such as 'http://127.0.0.1:PORT' (a "
                        f"LatencyServer's .url), got {type(base_url).__name__} {base_url!r:.60}")
    parts = urlsplit(base_url)
    try:
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range
        port = None
    if parts.scheme != "http" or parts.hostname != "127.0.0.1" or port is None:
        raise ValueError(f"base_url must look like http://127.0.0.1:PORT (a LatencyServer's "
                         f".url), got {base_url!r}")
    return parts.hostname, port


def _body(status: int, data: bytes, path: str) -> str:
    if status != 200:
        raise OSError(f"GET {path} answered {status}: {data[:60]!r}")
    return data.decode()


class _ThreadConnections:
    """``connections`` keep-alive ``http.client`` connections that threads take turns on."""

    def __init__(self, host: str, port: int, connections: int) -> None:
        self.host, self.port = host, port
        self._free: queue.Queue = queue.Queue()
        for _ in range(connections):
            self._free.put(None)  # a slot; its connection is opened on first use
        self._all: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()  # must be held while appending to _all

    def get(self, path: str) -> str:
        conn = self._free.get(timeout=REQUEST_TIMEOUT * 4)  # a bounded wait for a free slot
        try:
            if conn is None:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
                with self._lock:
                    self._all.append(conn)
            conn.request("GET", path)
            response = conn.getresponse()
            return _body(response.status, response.read(), path)
        finally:
            self._free.put(conn)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()


def get_pages_threads(base_url: str, paths: Sequence[str], *, connections: int = 20) -> RunResult:
    """One thread per path, all started before any request, sharing ``connections`` connections.

    Returns:
        ``run("thread_per_task", ...)``'s result; ``results`` are the bodies.
    """
    from .strategies import run

    host, port = _split(base_url)
    check_int("connections", connections, minimum=1, maximum=1000)
    paths = check_items("paths", paths)
    pool = _ThreadConnections(host, port, connections)
    # Every thread waits here until all have started, so that all of them are alive (and
    # hold their stacks) at once, as all of asyncio's tasks are: a fair count of memory.
    everyone = threading.Barrier(max(1, len(paths)), timeout=REQUEST_TIMEOUT * 4)

    def get(path: str) -> str:
        everyone.wait()
        return pool.get(path)

    try:
        return run("thread_per_task", get, paths)
    finally:
        pool.close()


class _StreamConnections:
    """``connections`` keep-alive asyncio stream connections that tasks take turns on."""

    def __init__(self, host: str, port: int, connections: int) -> None:
        self.host, self.port, self.size = host, port, connections
        self._all: list[Any] = []

    async def __aenter__(self) -> "_StreamConnections":
        self._free: asyncio.Queue = asyncio.Queue()
        for _ in range(self.size):
            self._free.put_nowait(None)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for _, writer in self._all:
            writer.close()
        for _, writer in self._all:
            try:
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            except (OSError, asyncio.TimeoutError):
                pass

    async def get(self, path: str) -> str:
        conn = await self._free.get()  # the queue is the semaphore: one task per connection
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                if conn is None:
                    conn = await asyncio.open_connection(self.host, self.port)
                    self._all.append(conn)
                reader, writer = conn
                writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                return _body(status, await reader.readexactly(length), path)
        except BaseException:
            if conn is not None:  # a half-read connection cannot be reused
                conn[1].close()
                conn = None
            raise
        finally:
            self._free.put_nowait(conn)


async def _stream_get(pool: _StreamConnections, path: str) -> str:
    return await pool.get(path)


def get_pages_asyncio(base_url: str, paths: Sequence[str], *, connections: int = 20,
                      timeout: float = 60.0) -> RunResult:
    """One task per path on one event loop, sharing ``connections`` keep-alive connections.

    Returns:
        ``run("asyncio", ...)``'s result; ``results`` are the bodies.
    """
    from .strategies import run

    host, port = _split(base_url)
    check_int("connections", connections, minimum=1, maximum=1000)
    return run("asyncio", _stream_get, check_items("paths", paths), timeout=timeout,
               session=lambda: _StreamConnections(host, port, connections))


def _httpx_get(client: Any, url: str) -> str:
    response = client.get(url)
    response.raise_for_status()
    return response.text


def _httpx_threads(urls: list[str], connections: int) -> RunResult:
    import httpx

    from .strategies import run

    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    with httpx.Client(limits=limits, timeout=REQUEST_TIMEOUT, verify=_ssl_context()) as client:
        return run("thread_pool", functools.partial(_httpx_get, client), urls, workers=connections)


def cpu_per_request(base_url: str, n: int = 40, *, connections: int = 10,
                    repeat: int = 3) -> dict[str, float]:
    """CPU seconds this process spends per request, for three clients, median of ``repeat`` runs.

    The clients take turns (A, B, C, A, B, C, ...).  The count includes the
    server's own CPU time when it runs in this process, the same for all
    three, so the differences are the clients'.

    Returns:
        ``{client: CPU seconds per request}``.
    """
    import statistics
    import time

    from .strategies import run

    _split(base_url)
    check_int("n", n, minimum=1, maximum=500)
    check_int("connections", connections, minimum=1, maximum=100)
    check_int("repeat", repeat, minimum=1, maximum=10)
    urls = [f"{base_url}/page/{i}" for i in range(n)]
    paths = [f"/page/{i}" for i in range(n)]
    clients = {
        "httpx.Client, thread pool": lambda: _httpx_threads(urls, connections),
        "httpx.AsyncClient, tasks": lambda: run(
            "asyncio", afetch_page, urls, limit=connections, timeout=60,
            session=lambda: async_client(connections)),
        "asyncio streams, tasks": lambda: get_pages_asyncio(base_url, paths,
                                                            connections=connections),
    }
    for fn in clients.values():  # warm-up: imports, first connections
        fn()
    cpu: dict[str, list[float]] = {label: [] for label in clients}
    # CPU time, not wall time, so timing.interleaved (which times the wall) does not apply.
    for _ in range(repeat):
        for label, fn in clients.items():
            c0 = time.process_time()
            fn()
            cpu[label].append((time.process_time() - c0) / n)
    return {label: statistics.median(v) for label, v in cpu.items()}


# ---------------------------------------------------------------------------
# Threads vs asyncio: wall time and resident memory, each run in a fresh process.

@dataclass(frozen=True)
class ConcurrencyRow:
    """One run of :func:`measure_concurrency`.

    Attributes:
        approach: ``"threads"`` (one thread per request) or ``"asyncio"`` (one task each).
        requests: Requests started at once.
        connections: Keep-alive connections they shared.
        wall: Seconds for all requests.
        rss_mb: How much the child's resident memory grew at its peak, in MiB
            (what the run really used: stacks, objects, buffers).
        virtual_mb: How much its reserved address space grew, in MiB (a thread
            reserves a whole stack, mostly never touched).
        predicted: Little's law's wall time: ``ceil(requests / connections) * latency``.
        method: Where ``rss_mb`` came from (``"VmHWM"`` or ``"ru_maxrss"``).
    """

    approach: str
    requests: int
    connections: int
    wall: float
    rss_mb: float
    virtual_mb: float
    predicted: float
    method: str

    @property
    def throughput(self) -> float:
        """Requests per second."""
        return self.requests / self.wall if self.wall > 0 else float("inf")


def _status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _probe(approach: str, base_url: str, sizes: Sequence[int], connections: int) -> list[dict]:
    """In the child: warm up, then one measured run per size, smallest first."""
    import resource

    run_once = get_pages_threads if approach == "threads" else get_pages_asyncio
    run_once(base_url, [f"/page/{i}" for i in range(connections)], connections=connections)
    out = []
    for n in sizes:
        paths = [f"/page/{i}" for i in range(n)]
        rss0, vm0 = _status_kb("VmRSS"), _status_kb("VmPeak")
        method = "ru_maxrss"
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # resets VmHWM (peak resident) to the current resident size
            method = "VmHWM"
        except OSError:
            pass
        max0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = now()
        result = run_once(base_url, paths, connections=connections)
        wall = now() - t0
        if method == "VmHWM":
            rss_kb = (_status_kb("VmHWM") or 0) - (rss0 or 0)
        else:  # KiB on Linux, bytes on macOS: growth of the lifetime peak
            grow = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - max0
            rss_kb = grow / 1024 if sys.platform == "darwin" else grow
        vm_kb = ((_status_kb("VmPeak") or 0) - vm0) if vm0 is not None else 0
        ok = result.results == [f"page {i}" for i in range(n)]
        out.append({"n": n, "wall": wall, "rss_kb": max(0, rss_kb), "vm_kb": max(0, vm_kb),
                    "ok": ok, "method": method})
    return out


_PROBE_SCRIPT = """\
import json, sys
from parallel_demo.aio_fetch import _probe
print(json.dumps(_probe({approach!r}, {url!r}, {sizes!r}, {connections})))
"""


def measure_concurrency(base_url: str, sizes: Sequence[int], *, latency: float,
                        connections: int = 25, approaches: Sequence[str] = APPROACHES,
                        timeout: float = 60.0) -> list[ConcurrencyRow]:
    """For each approach and size, start ``size`` requests at once; time it and read the memory.

    Each approach runs in its own fresh child process (one after the other),
    sizes smallest first, each measured from the resident size just before it.
    The server (``base_url``, a :class:`~parallel_demo.server.LatencyServer`'s
    ``url``) stays in this process, so a child's memory is the client's alone.
    (A larger run can reuse a little memory a smaller one freed, such as
    cached thread stacks: the growth of the largest run is a slight underestimate.)

    Args:
        base_url: The server's ``url``.
        sizes: How many requests to start at once, e.g. ``[10, 100, 1000]``.
        latency: The server's latency, for Little's law's prediction.
        connections: Keep-alive connections every run shares.
        approaches: Some of :data:`APPROACHES`.
        timeout: Seconds each child may take, all sizes together, before it is killed.

    Raises:
        RuntimeError: a child failed or ran out of time (its stderr is quoted).
    """
    import math

    from .processes import run_script

    _split(base_url)
    sizes = [check_int("sizes[]", s, minimum=1, maximum=5000) for s in check_items("sizes", sizes)]
    check_int("connections", connections, minimum=1, maximum=1000)
    check_seconds("latency", latency)
    check_seconds("timeout", timeout, maximum=120)
    for a in approaches:
        check_choice("approaches[]", a, APPROACHES)
    by_approach = {}
    for a in approaches:
        script = _PROBE_SCRIPT.format(approach=a, url=base_url, sizes=sorted(sizes),
                                      connections=connections)
        done = run_script(script, timeout=timeout, name=f"probe_{a}.py")
        if done.timed_out or done.returncode != 0:
            why = f"ran past timeout={timeout:g} s" if done.timed_out else f"exited with {done.returncode}"
            raise RuntimeError(f"the {a} client {why}: {done.stderr.strip()[-400:]}")
        by_approach[a] = {d["n"]: d for d in json.loads(done.stdout.strip().splitlines()[-1])}
    rows = []
    for n in sizes:
        for a in approaches:
            data = by_approach[a][n]
            if not data["ok"]:
                raise RuntimeError(f"the {a} client with {n} requests got wrong pages")
            rows.append(ConcurrencyRow(a, n, connections, data["wall"], data["rss_kb"] / 1024,
                                       data["vm_kb"] / 1024,
                                       math.ceil(n / connections) * latency, data["method"]))
    return rows


def explain_concurrency(rows: Sequence[ConcurrencyRow], *, latency: float) -> str:
    """Markdown: memory per thread and per task, and the throughput against Little's law.

    Reads the largest size of :func:`measure_concurrency`'s ``rows`` (both
    approaches must be there); ``latency`` is the server's, in seconds.
    """
    from .fetch import littles_law

    rows = check_items("rows", rows, allow_empty=False)
    check_seconds("latency", latency)
    if not all(isinstance(r, ConcurrencyRow) for r in rows):
        raise TypeError("rows must be what measure_concurrency() returned (ConcurrencyRow objects)")
    n = max(r.requests for r in rows)
    big = {r.approach: r for r in rows if r.requests == n}
    if set(big) != set(APPROACHES):
        raise ValueError(f"rows must hold both approaches {APPROACHES} at their largest size ({n}); "
                         f"got {sorted(big)}: run measure_concurrency with both approaches")
    threads, tasks = big["threads"], big["asyncio"]
    connections = threads.connections
    per_thread, per_task = 1024 * threads.rss_mb / n, 1024 * tasks.rss_mb / n
    text = (f"With {n} requests in flight, resident memory grew by about **{per_thread:.0f} KiB "
            f"per thread** and **{per_task:.1f} KiB per task** at the peak of the run.")
    if threads.virtual_mb > 0:
        text += (f" The threads also *reserved* {threads.virtual_mb / 1024:.1f} GiB of address "
                 "space for their stacks, of which they touched only those few KiB each.")
    rate = littles_law(connections, latency)
    text += (f" Little's law caps the throughput at {connections} connections / "
             f"{latency * 1000:.0f} ms = **{rate:.0f} requests per second**; the {n}-request "
             f"runs reached {threads.throughput:.0f} (threads) and {tasks.throughput:.0f} (asyncio).")
    return text


def explain_sweep_limit(requests: int, *, connections: int, latency: float, stops_at: int) -> str:
    """Markdown: how long ``requests`` would take per approach by Little's law, and why the sweep stops.

    A prediction from configured numbers (``connections``, ``latency`` in
    seconds), not a measurement: ``ceil(requests / connections)`` rounds of
    ``latency`` each. ``stops_at`` is the largest size the sweep ran.
    """
    import math

    check_int("requests", requests, minimum=1)
    check_int("connections", connections, minimum=1)
    check_seconds("latency", latency)
    check_int("stops_at", stops_at, minimum=1)
    rounds = math.ceil(requests / connections)
    return (f"{requests:,} requests would take {rounds} rounds × {latency * 1000:.0f} ms = "
            f"**{rounds * latency:.0f} s** per approach, by Little's law: too long for this page, "
            f"so the sweep stops at {stops_at:,}.")
