"""threads_for_io (and asyncio_for_io): a real HTTP server on this machine, slow on purpose: I/O you can measure.

:class:`LatencyServer` answers every ``GET`` after a fixed ``latency``, like a
far-away web service or a busy database, and can be told to serve at most
``max_concurrent`` requests at once, like a service with a fixed number of
workers.  It is built on the standard library only
(:class:`http.server.ThreadingHTTPServer` running in a background thread), so
the chapters need nothing but Python to show what threads do for I/O::

    with LatencyServer(latency=0.1, max_concurrent=4) as srv:
        httpx.get(srv.url + "/page/1").text    # 'page 1', after about 0.1 s

Rules it keeps (the tests check each one):

* it listens on 127.0.0.1 only: nothing outside this machine can reach it;
* it never hangs its caller: starting fails fast with a clear error, a
  request waits at most ``queue_timeout`` for a free slot (then ``503``),
  and :meth:`LatencyServer.stop` wakes every sleeping request, closes every
  open connection and joins every thread it started, within ``timeout``;
* it prints nothing: a request log would land in the notebook's stderr.
"""

from __future__ import annotations

import errno
import math
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from ._validate import check_int
from .trace import now

#: The only address the server binds to.
HOST = "127.0.0.1"


@dataclass(frozen=True)
class ServerStats:
    """What a :class:`LatencyServer` has served since it started (or was reset).

    Attributes:
        served: Requests answered with ``200``.
        rejected: Requests answered with ``503`` because no slot freed up
            within ``queue_timeout``.
        peak_in_service: The most requests it was serving at the same moment
            (waiting for a slot does not count).  Never above
            ``max_concurrent``.
        peak_connected: The most requests inside the server at the same
            moment, waiting or served.
    """

    served: int
    rejected: int
    peak_in_service: int
    peak_connected: int


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections open between requests, so a client that
    # pools connections (httpx.Client does) reuses them, as it would on the web.
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; with Nagle's algorithm on, the
    # second waits for the client's delayed ACK (~40 ms on Linux) and every
    # response would take that much longer than `latency`.
    disable_nagle_algorithm = True
    server: "_Server"

    def setup(self) -> None:
        super().setup()
        self.server.owner._opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._closed(self.connection)

    def do_GET(self) -> None:  # noqa: N802 (the name http.server looks for)
        owner = self.server.owner
        status, body = owner._serve(urlsplit(self.path).path)
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if owner._stopping.is_set():
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass  # silent: see the module docstring


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # never keep the interpreter alive; stop() joins them anyway
    block_on_close = False  # stop() joins with a deadline instead of forever
    # socketserver's default backlog is 5: a burst of new connections beyond it
    # has its SYNs dropped, and the client retries after a full second.
    request_queue_size = 128
    owner: "LatencyServer"

    def process_request(self, request, client_address):
        # As ThreadingMixIn does, but every thread is named and tracked by the owner.
        owner = self.owner
        t = threading.Thread(target=self.process_request_thread, args=(request, client_address),
                             name=f"LatencyServer-{owner.port}-request", daemon=True)
        owner._track(t)
        t.start()

    def handle_error(self, request, client_address):
        # A client that hangs up mid-request is normal here (timeouts, stop()).
        pass


def _check_latency(latency: object) -> float:
    if isinstance(latency, bool) or not isinstance(latency, (int, float)):
        raise TypeError(f"latency must be a number of seconds, got {type(latency).__name__} "
                        f"{latency!r}")
    if not math.isfinite(latency) or latency < 0:
        raise ValueError(f"latency must be a finite number of seconds >= 0, got {latency!r}")
    return float(latency)


class LatencyServer:
    """An HTTP server on 127.0.0.1 that answers each request after ``latency`` seconds.

    ``GET /page/<n>`` answers ``page <n>``; any other path answers the path.
    Use it as a context manager, which starts it and always stops it::

        with LatencyServer(latency=0.05, max_concurrent=2) as srv:
            urls = srv.urls(8)       # ['http://127.0.0.1:PORT/page/0', ...]
            ...
            srv.stats()              # ServerStats(served=8, ...)

    Args:
        latency: Seconds every request takes to serve, the server's own
            "work" (it sleeps, using no CPU, as a server waiting on a disk
            or a database does).
        max_concurrent: Serve at most this many requests at once; the others
            wait their turn (a semaphore).  ``None``: no limit.
        port: Port to listen on; ``0`` (the default) picks a free one.
        queue_timeout: Seconds a request may wait for a free slot before it
            is answered ``503 Service Unavailable``.

    Raises:
        ValueError / TypeError: a bad argument.
        OSError: the port is already in use (the message says what to do).
    """

    def __init__(self, latency: float = 0.1, max_concurrent: int | None = None, *,
                 port: int = 0, queue_timeout: float = 30.0) -> None:
        self.latency = _check_latency(latency)
        if self.latency > 86400:  # the chapters' "silent" server uses 3600: a day is a slip
            raise ValueError(f"latency must be at most 86400 seconds (a day), got {latency!r}; "
                             "for a server that never answers in time, use latency=3600")
        if max_concurrent is not None:
            if isinstance(max_concurrent, bool) or not isinstance(max_concurrent, int):
                raise TypeError(f"max_concurrent must be an int or None, got "
                                f"{type(max_concurrent).__name__} {max_concurrent!r}")
            if max_concurrent < 1:
                raise ValueError(f"max_concurrent must be >= 1 (or None for no limit), "
                                 f"got {max_concurrent}")
        self.max_concurrent = max_concurrent
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an int in 0..65535 (0 picks a free one), got {port!r}")
        self._requested_port = port
        self.queue_timeout = _check_latency(queue_timeout)
        self._slots = (threading.BoundedSemaphore(max_concurrent)
                       if max_concurrent is not None else None)
        self._stopping = threading.Event()  # set by stop(): sleepers wake, waiters give up
        self._lock = threading.Lock()  # must be held to touch the counters and sets below
        self._threads: list[threading.Thread] = []
        self._connections: set[socket.socket] = set()
        self._reset_counters()
        self._httpd: _Server | None = None
        self._loop: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------

    def start(self) -> "LatencyServer":
        """Bind to 127.0.0.1 and start serving in a background thread; returns self."""
        if self._httpd is not None:
            raise RuntimeError("this LatencyServer is already running; stop() it first")
        if self._stopping.is_set():
            raise RuntimeError("a stopped LatencyServer cannot be restarted; make a new one")
        try:
            httpd = _Server((HOST, self._requested_port), _Handler, bind_and_activate=True)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise OSError(
                    exc.errno,
                    f"port {self._requested_port} on {HOST} is already in use (another server, "
                    f"or an earlier one not stopped yet); pass port=0 to get a free port",
                ) from exc
            raise
        httpd.owner = self
        self._httpd = httpd
        self._loop = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                      name=f"LatencyServer-{self.port}", daemon=True)
        self._loop.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and end every thread the server started, within ``timeout`` seconds.

        Requests still sleeping are answered at once; idle keep-alive
        connections are closed.  Safe to call twice.

        Raises:
            RuntimeError: some thread did not end in time (a bug: please report it).
        """
        httpd, loop = self._httpd, self._loop
        self._stopping.set()
        if httpd is None or loop is None:
            return
        deadline = now() + timeout
        # shutdown() waits for serve_forever to notice, within one poll_interval.
        stopper = threading.Thread(target=httpd.shutdown, daemon=True)
        stopper.start()
        stopper.join(timeout)
        loop.join(max(0.0, deadline - now()))
        with self._lock:
            connections = list(self._connections)
        for conn in connections:  # wakes handlers blocked reading the next request
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the client
        with self._lock:
            threads = list(self._threads)
        for t in threads:
            t.join(max(0.0, deadline - now()))
        httpd.server_close()
        self._httpd = None
        left = [t.name for t in [stopper, loop, *threads] if t.is_alive()]
        if left:
            raise RuntimeError(f"LatencyServer.stop: {len(left)} thread(s) still running "
                               f"after {timeout} s: {left}")

    def __enter__(self) -> "LatencyServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        where = f" at {self.url}" if self.running else ""
        return (f"LatencyServer(latency={self.latency}, max_concurrent={self.max_concurrent}, "
                f"{state}{where})")

    # -- where to find it ---------------------------------------------------

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._httpd is not None

    @property
    def port(self) -> int:
        """The port it listens on (known once started)."""
        if self._httpd is None:
            return self._requested_port
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash."""
        if self._httpd is None:
            raise RuntimeError("the server is not running: use `with LatencyServer(...) as srv:` "
                               "or call start() first")
        return f"http://{HOST}:{self.port}"

    def urls(self, n: int) -> list[str]:
        """``n`` page addresses, ``<url>/page/0`` to ``<url>/page/<n-1>``."""
        check_int("n", n, minimum=0)
        return [f"{self.url}/page/{i}" for i in range(n)]

    # -- what it did --------------------------------------------------------

    def stats(self) -> ServerStats:
        """Counts since start (or the last :meth:`reset_stats`)."""
        with self._lock:
            return ServerStats(self._served, self._rejected, self._peak_service,
                               self._peak_connected)

    def reset_stats(self) -> None:
        """Start counting afresh (e.g. between two measurements)."""
        with self._lock:
            self._reset_counters()

    def _reset_counters(self) -> None:
        self._served = self._rejected = 0
        self._in_service = self._connected = 0
        self._peak_service = self._peak_connected = 0

    # -- called by the handler threads -------------------------------------

    def _track(self, thread: threading.Thread) -> None:
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)

    def _opened(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)

    def _closed(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def _serve(self, path: str) -> tuple[int, str]:
        """Wait for a slot, then for ``latency``; return (status, body)."""
        with self._lock:
            self._connected += 1
            self._peak_connected = max(self._peak_connected, self._connected)
        try:
            if self._slots is not None and not self._acquire_slot():
                with self._lock:
                    self._rejected += 1
                return 503, "busy: no free slot within queue_timeout\n"
            try:
                with self._lock:
                    self._in_service += 1
                    self._peak_service = max(self._peak_service, self._in_service)
                self._stopping.wait(self.latency)  # a sleep that stop() can cut short
                with self._lock:
                    self._in_service -= 1
                    self._served += 1
            finally:
                if self._slots is not None:
                    self._slots.release()
        finally:
            with self._lock:
                self._connected -= 1
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "page":
            return 200, f"page {parts[1]}"
        return 200, path

    def _acquire_slot(self) -> bool:
        # Wait in short steps so that stop() is noticed: never blocks past queue_timeout.
        deadline = now() + self.queue_timeout
        while not self._stopping.is_set():
            left = deadline - now()
            if left <= 0:
                return False
            if self._slots.acquire(timeout=min(left, 0.05)):
                return True
        return False
