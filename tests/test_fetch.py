"""fetch_page / fetch_all with every thread strategy, Little's law, throughput rows and chart."""


import httpx
import pytest

import parallel_demo.fetch as fetch_mod
from parallel_demo import ThroughputRow, fetch_all, fetch_page, littles_law, measure_throughput, plot_throughput
from parallel_demo import LatencyServer, default_thread_pool_workers


@pytest.fixture
def server():
    with LatencyServer(latency=0.05) as srv:
        yield srv


@pytest.mark.timeout(30)
@pytest.mark.parametrize("strategy", ["sequential", "thread_per_task", "queue_workers",
                                      "thread_pool"])
def test_fetch_all_every_thread_strategy(server, strategy):
    urls = server.urls(6)
    result = fetch_all(strategy, urls, workers=3)
    assert result.results == [f"page {i}" for i in range(6)]
    assert [r.index for r in result.records] == list(range(6))


@pytest.mark.timeout(60)
def test_fetch_all_process_pool(server):
    import multiprocessing

    result = fetch_all("process_pool", server.urls(3), workers=2)
    assert result.results == ["page 0", "page 1", "page 2"]
    assert multiprocessing.active_children() == []


@pytest.mark.timeout(30)
def test_threads_overlap_on_the_server(server):
    server.reset_stats()
    fetch_all("thread_pool", server.urls(8), workers=4)
    assert server.stats().peak_in_service >= 2  # several requests really were in flight
    server.reset_stats()
    fetch_all("sequential", server.urls(4))
    assert server.stats().peak_in_service == 1


@pytest.mark.timeout(30)
def test_every_thread_shares_one_client(server):
    import threading

    fetch_page(server.url + "/page/0")
    first = fetch_mod._shared_client()
    seen = []

    def in_thread():
        fetch_page(server.url + "/page/1")
        seen.append(fetch_mod._shared_client())

    threads = [threading.Thread(target=in_thread) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == [first] * 4  # one client, one connection pool, for every thread
    assert not first.is_closed
    assert not hasattr(fetch_mod, "close_clients")  # nothing for a chapter to close


@pytest.mark.timeout(30)
def test_a_closed_or_inherited_client_is_replaced(server, monkeypatch):
    client = fetch_mod._shared_client()
    client.close()
    assert fetch_page(server.url + "/page/2") == "page 2"
    fresh = fetch_mod._shared_client()
    assert fresh is not client and not fresh.is_closed
    # A client made in another process (inherited through fork) is not reused.
    monkeypatch.setattr(fetch_mod, "_client", [(-1, fresh)])
    assert fetch_mod._shared_client() is not fresh
    assert not fresh.is_closed  # dropped, not closed: its sockets are the parent's
    fresh.close()


def test_default_thread_pool_workers_follows_the_cpu_count():
    assert default_thread_pool_workers(cpus=1) == 5
    assert default_thread_pool_workers(cpus=2) == 6
    assert default_thread_pool_workers(cpus=64) == 32
    assert 5 <= default_thread_pool_workers() <= 32


@pytest.mark.timeout(30)
def test_errors_propagate():
    with LatencyServer(latency=1.0, max_concurrent=1, queue_timeout=0.1) as srv:
        with pytest.raises(httpx.HTTPStatusError):
            fetch_all("thread_per_task", srv.urls(3))
    with pytest.raises(TypeError):
        fetch_page(42)


def test_littles_law():
    assert littles_law(4, 0.1) == pytest.approx(40.0)
    assert littles_law(0, 0.5) == 0
    with pytest.raises(ValueError):
        littles_law(2, 0)
    with pytest.raises(ValueError):
        littles_law(-1, 0.1)


@pytest.mark.timeout(60)
def test_measure_throughput_plateaus_at_the_limit():
    with LatencyServer(latency=0.05, max_concurrent=2) as srv:
        rows = measure_throughput(srv.urls(8), [1, 2, 4], latency=0.05, max_concurrent=2)
    assert [r.workers for r in rows] == [1, 2, 4]
    assert [r.predicted for r in rows] == pytest.approx([20.0, 40.0, 40.0])
    for r in rows:  # cannot beat the law: at most `in flight` requests per latency
        assert r.throughput <= r.predicted * 1.05
        assert r.requests == 8
    with pytest.raises(ValueError):
        measure_throughput([], [1], latency=0.1)


def test_plot_throughput():
    import matplotlib.pyplot as plt

    rows = [ThroughputRow(1, 8, 0.4, 20.0, 20.0), ThroughputRow(4, 8, 0.2, 40.0, 40.0)]
    ax = plot_throughput(rows, max_concurrent=2)
    assert ax.get_xlabel().startswith("threads")
    assert len(ax.lines) == 3  # prediction, measured, limit
    plt.close(ax.figure)
