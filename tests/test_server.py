"""LatencyServer: latency honoured, concurrency limit honoured, clean stop, clear errors."""

import socket
import threading

import httpx
import pytest

from parallel_demo import LatencyServer, ServerStats
from parallel_demo import now




def _get_many(urls, timeout=10.0):
    """GET every url at once, one thread each; returns (bodies, wall)."""
    out = [None] * len(urls)

    def get(i, url):
        with httpx.Client(timeout=timeout) as c:
            out[i] = c.get(url)

    threads = [threading.Thread(target=get, args=(i, u)) for i, u in enumerate(urls)]
    t0 = now()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 5)
    return out, now() - t0


@pytest.mark.timeout(20)
def test_answers_after_latency_on_loopback():
    with LatencyServer(latency=0.2) as srv:
        assert srv.url.startswith("http://127.0.0.1:")
        assert srv.port > 0
        t0 = now()
        r = httpx.get(srv.url + "/page/7", timeout=5)
        took = now() - t0
        assert r.status_code == 200 and r.text == "page 7"
        assert took >= 0.2  # lower bound only: the machine may be slow
        assert httpx.get(srv.url + "/other", timeout=5).text == "/other"
        assert srv.stats() == ServerStats(served=2, rejected=0, peak_in_service=1,
                                          peak_connected=1)
    assert not srv.running


@pytest.mark.timeout(20)
def test_no_limit_serves_all_at_once():
    with LatencyServer(latency=0.3) as srv:
        responses, wall = _get_many(srv.urls(6))
        assert [r.text for r in responses] == [f"page {i}" for i in range(6)]
        assert srv.stats().served == 6
        # Six requests at once would take 1.8 s one after another.
        assert wall < 1.5
        assert srv.stats().peak_in_service >= 2


@pytest.mark.timeout(30)
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_concurrency_limit_is_honoured(limit):
    with LatencyServer(latency=0.1, max_concurrent=limit) as srv:
        responses, wall = _get_many(srv.urls(6))
        assert all(r.status_code == 200 for r in responses)
        stats = srv.stats()
        assert stats.served == 6
        assert stats.peak_in_service <= limit
        # (How many clients were connected at once depends on when the OS ran their
        # threads; on a loaded machine they can straggle, so it is not asserted.)
        # At most `limit` at a time: at least ceil(6 / limit) rounds of 0.1 s.
        assert wall >= 0.1 * -(-6 // limit) - 0.02


@pytest.mark.timeout(20)
def test_queue_timeout_answers_503():
    with LatencyServer(latency=1.0, max_concurrent=1, queue_timeout=0.2) as srv:
        responses, _ = _get_many(srv.urls(2))
        assert sorted(r.status_code for r in responses) == [200, 503]
        assert srv.stats().rejected == 1


@pytest.mark.timeout(20)
def test_stop_is_prompt_with_requests_in_flight():
    srv = LatencyServer(latency=60).start()
    errors = []

    def slow_get():
        try:
            httpx.get(srv.url + "/page/0", timeout=30)
        except httpx.HTTPError as exc:
            errors.append(exc)

    t = threading.Thread(target=slow_get)
    t.start()
    deadline = now() + 5
    while srv.stats().peak_in_service == 0 and now() < deadline:
        threading.Event().wait(0.01)
    t0 = now()
    srv.stop(timeout=5)
    assert now() - t0 < 5
    t.join(10)
    assert not t.is_alive()
    srv.stop()  # twice is fine


@pytest.mark.timeout(20)
def test_stop_closes_idle_keep_alive_connections():
    with LatencyServer(latency=0) as srv:
        client = httpx.Client(timeout=5)
        assert client.get(srv.url + "/page/1").text == "page 1"
        # The client keeps the connection open; the server's thread waits on it.
    client.close()  # after the server stopped: the fixture checks no thread was left


@pytest.mark.timeout(20)
def test_client_timeout_on_a_server_that_never_answers():
    with LatencyServer(latency=3600) as srv:
        t0 = now()
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(srv.url + "/page/0", timeout=0.3)
        assert now() - t0 < 5


@pytest.mark.timeout(20)
def test_port_in_use_is_a_clear_error():
    with LatencyServer(latency=0) as first:
        with pytest.raises(OSError, match="already in use.*port=0"):
            LatencyServer(port=first.port).start()
    # Any other listener on the port too.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with pytest.raises(OSError, match="already in use"):
            LatencyServer(port=s.getsockname()[1]).start()


def test_listens_on_loopback_only():
    with LatencyServer(latency=0) as srv:
        assert srv._httpd.server_address[0] == "127.0.0.1"


@pytest.mark.parametrize("kwargs, error", [
    ({"latency": -1}, ValueError),
    ({"latency": float("nan")}, ValueError),
    ({"latency": "0.1"}, TypeError),
    ({"max_concurrent": 0}, ValueError),
    ({"max_concurrent": 2.0}, TypeError),
    ({"port": 70000}, ValueError),
])
def test_bad_arguments(kwargs, error):
    with pytest.raises(error):
        LatencyServer(**kwargs)


def test_url_before_start_and_no_restart():
    srv = LatencyServer(latency=0)
    with pytest.raises(RuntimeError, match="not running"):
        srv.url
    with srv:
        with pytest.raises(RuntimeError, match="already running"):
            srv.start()
        assert "running at http://127.0.0.1:" in repr(srv)
    with pytest.raises(RuntimeError, match="cannot be restarted"):
        srv.start()
    with pytest.raises(ValueError):
        LatencyServer().urls(-1)


@pytest.mark.timeout(20)
def test_reset_stats():
    with LatencyServer(latency=0) as srv:
        httpx.get(srv.url + "/page/0", timeout=5)
        srv.reset_stats()
        assert srv.stats() == ServerStats(0, 0, 0, 0)
