"""The asyncio strategy keeps run()'s rules, from a script and from inside a running loop."""

from __future__ import annotations

import asyncio
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parallel_demo import run
from parallel_demo.aio import (LOOKUPS, arun, cancelled_task, fail_async, forgotten_task,
                               loop_is_running, run_coroutine, sleep_async, slow_lookup,
                               stall_demo)
from parallel_demo.aio_fetch import (afetch_page, async_client, get_pages_asyncio,
                                     get_pages_threads, measure_concurrency)
from parallel_demo.server import LatencyServer
from parallel_demo.strategies import STRATEGIES


async def double(x):
    await asyncio.sleep(0)
    return 2 * x


async def double_or_fail(x):
    await asyncio.sleep(0.001 * (x % 3))
    if x < 0:
        raise ValueError(f"negative: {x}")
    return 2 * x


def test_listed_among_strategies():
    assert "asyncio" in STRATEGIES


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(st.integers(-1000, 1000), max_size=30),
       limit=st.one_of(st.none(), st.integers(1, 8)))
def test_results_equal_sequential(items, limit):
    expected = [2 * x for x in items]
    result = run("asyncio", double, items, limit=limit)
    assert result.results == expected
    assert [r.index for r in result.records] == list(range(len(items)))
    assert {r.worker for r in result.records} <= {"event loop 0"}
    assert all(r.label.startswith(f"item-{r.index}:") for r in result.records)
    assert all(r.submitted <= r.start <= r.end for r in result.records)


@settings(max_examples=25, deadline=None)
@given(items=st.lists(st.integers(-5, 20), min_size=1, max_size=15))
def test_first_failure_in_input_order_names_its_item(items):
    negatives = [i for i, x in enumerate(items) if x < 0]
    if not negatives:
        assert run("asyncio", double_or_fail, items).results == [2 * x for x in items]
        return
    first = negatives[0]
    with pytest.raises(ValueError) as info:
        run("asyncio", double_or_fail, items)
    assert str(info.value) == f"negative: {items[first]}"
    assert any(f"item #{first}" in note for note in info.value.__notes__)


def test_an_earlier_slow_failure_beats_a_later_fast_one():
    async def fn(x):
        if x == 1:
            await asyncio.sleep(0.1)
            raise KeyError("slow, earlier")
        if x == 3:
            raise LookupError("fast, later")
        return x

    with pytest.raises(KeyError) as info:
        run("asyncio", fn, range(5))
    assert "item #1" in info.value.__notes__[0]


def test_error_keeps_type_and_note():
    with pytest.raises(ValueError, match="cannot process 'b'") as info:
        run("asyncio", lambda x: fail_async(x) if x == "b" else sleep_async(0), ["a", "b", "c"])
    assert info.value.__notes__ == ["parallel_demo.run: raised while processing item #1: 'b'"]


@pytest.mark.timeout(20)
def test_timeout_stops_it_within_its_bound_and_cancels_everything():
    cleaned = []

    async def slow(x):
        try:
            await asyncio.sleep(0 if x == 0 else 30)
        finally:
            cleaned.append(x)
        return x

    t0 = time.perf_counter()
    with pytest.raises(TimeoutError) as info:
        run("asyncio", slow, range(4), timeout=0.2)
    took = time.perf_counter() - t0
    assert 0.2 <= took < 0.2 + 2.0
    message = str(info.value)
    assert "3 of 4 item(s) still pending" in message and "#1" in message and "#3" in message
    assert sorted(cleaned) == [0, 1, 2, 3]  # every task ran its finally: cancelled and awaited


@pytest.mark.timeout(20)
def test_limit_bounds_concurrency():
    in_flight = []
    peak = []

    async def fn(x):
        in_flight.append(x)
        peak.append(len(in_flight))
        await asyncio.sleep(0.01)
        in_flight.remove(x)
        return x

    result = run("asyncio", fn, range(12), limit=3)
    assert result.results == list(range(12))
    assert max(peak) == 3


def test_works_inside_a_running_loop_and_with_arun():
    async def main():
        assert loop_is_running()
        inside = run("asyncio", double, [1, 2, 3])  # a helper thread with its own loop
        awaited = await arun(double, [4, 5], limit=1)
        return inside, awaited

    inside, awaited = asyncio.run(main())
    assert inside.results == [2, 4, 6] and awaited.results == [8, 10]
    assert awaited.records[0].worker == "event loop 0"
    assert not loop_is_running()


@pytest.mark.timeout(20)
def test_timeout_inside_a_running_loop():
    async def main():
        with pytest.raises(TimeoutError, match="still pending"):
            run("asyncio", sleep_async, [0, 30], timeout=0.1)

    asyncio.run(main())


def test_session_is_entered_once_and_closed():
    log = []

    class Session:
        async def __aenter__(self):
            log.append("enter")
            return "S"

        async def __aexit__(self, *exc):
            log.append("exit")

    async def fn(session, x):
        return f"{session}{x}"

    assert run("asyncio", fn, [1, 2], session=Session).results == ["S1", "S2"]
    assert log == ["enter", "exit"]


@pytest.mark.parametrize("options, error, words", [
    ({"limit": 0}, ValueError, "limit must be at least 1"),
    ({"limit": "2"}, TypeError, "limit must be an int"),
    ({"timeout": -1}, ValueError, "timeout must be > 0"),
    ({"session": 3}, TypeError, "session must be callable"),
    ({"chunksize": 2}, TypeError, "unexpected option"),
])
def test_bad_options_are_named(options, error, words):
    with pytest.raises(error, match=words):
        run("asyncio", double, [1], **options)


def test_a_plain_function_is_refused_with_a_hint():
    with pytest.raises(TypeError, match="coroutine function") as info:
        run("asyncio", lambda x: x, [1])
    assert "item #0" in info.value.__notes__[0]


def test_run_coroutine_from_a_script_and_a_loop():
    assert run_coroutine(lambda: sleep_async(0.01)) == 0.01

    async def main():
        return run_coroutine(lambda: sleep_async(0.01), timeout=5)

    assert asyncio.run(main()) == 0.01
    with pytest.raises(TypeError, match="make must be callable"):
        run_coroutine(sleep_async(0))  # a coroutine, not a function: refused (and closed)


def test_asyncio_run_inside_a_loop_is_refused_by_asyncio():
    async def main():
        coro = asyncio.sleep(0)
        try:
            asyncio.run(coro)
        except RuntimeError as exc:
            coro.close()
            return str(exc)

    assert "cannot be called from a running event loop" in asyncio.run(main())


def test_cancelled_task_sees_cancelled_error_then_finally():
    events = run_coroutine(lambda: cancelled_task(work=5, after=0.01))
    assert events == [
        "worker: waiting",
        "main: task.cancel() returned True",
        "worker: CancelledError raised inside, at the await",
        "worker: finally block ran",
        "main: awaiting it raised CancelledError; task.cancelled() is True",
    ]


@pytest.mark.timeout(30)
def test_stall_demo_sleep_stalls_every_ticker_and_debug_mode_says_so():
    report = stall_demo("sleep", tickers=2, period=0.01, block=0.15, ticks=8)
    assert len(report.ticks) == 2 and all(len(t) == 8 for t in report.ticks)
    assert all(gap >= 0.15 * 0.9 for gap in report.longest_gaps)  # a lower bound only
    assert report.block[1] - report.block[0] >= 0.15 * 0.9
    assert any(name == "blocker" and seconds >= 0.07 for name, seconds in report.warnings)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("blocker", ["to_thread", "cpu"])
def test_stall_demo_other_blockers_have_the_same_structure(blocker):
    report = stall_demo(blocker, tickers=2, period=0.01, block=0.1, ticks=5)
    assert report.blocker == blocker and all(len(t) == 5 for t in report.ticks)
    if blocker == "cpu":
        assert all(gap >= 0.09 for gap in report.longest_gaps)


def test_stall_demo_validates():
    with pytest.raises(ValueError, match="blocker must be one of"):
        stall_demo("nap")


def test_forgotten_task_is_destroyed_unless_referenced():
    assert any("Task was destroyed but it is pending" in m for m in forgotten_task(False))
    kept = forgotten_task(True)
    assert not any("destroyed" in m for m in kept) and kept


def test_slow_lookup_counts_in_flight():
    LOOKUPS.reset()
    assert run("thread_pool", lambda k: slow_lookup(k, 0.05), ["a", "b"], workers=2).results == [
        "value of 'a'", "value of 'b'"]
    assert LOOKUPS.calls == 2 and LOOKUPS.now == 0 and 1 <= LOOKUPS.peak <= 2


# -- the HTTP clients ------------------------------------------------------------

@pytest.mark.timeout(30)
@pytest.mark.parametrize("get_pages", [get_pages_threads, get_pages_asyncio])
def test_minimal_clients_fetch_in_order_within_their_connections(get_pages):
    with LatencyServer(latency=0.02) as srv:
        result = get_pages(srv.url, [f"/page/{i}" for i in range(12)], connections=3)
        stats = srv.stats()
    assert result.results == [f"page {i}" for i in range(12)]
    assert stats.peak_in_service <= 3 and stats.served == 12


@pytest.mark.timeout(30)
def test_httpx_async_client_through_the_strategy():
    with LatencyServer(latency=0.01) as srv:
        result = run("asyncio", afetch_page, srv.urls(6), limit=3,
                     session=lambda: async_client(connections=3))
    assert result.results == [f"page {i}" for i in range(6)]


@pytest.mark.timeout(30)
def test_httpx_error_names_the_url():
    import httpx

    with LatencyServer(latency=0.01, max_concurrent=1, queue_timeout=0.0) as srv:
        urls = srv.urls(3)
        with pytest.raises(httpx.HTTPStatusError) as info:
            run("asyncio", afetch_page, urls, session=lambda: async_client(connections=3))
    assert "parallel_demo.run: raised while processing item #" in info.value.__notes__[0]


def test_clients_refuse_other_hosts():
    with pytest.raises(ValueError, match="127.0.0.1"):
        get_pages_threads("http://example.com:80", ["/"])


@pytest.mark.timeout(60)
def test_measure_concurrency_rows():
    with LatencyServer(latency=0.02) as srv:
        rows = measure_concurrency(srv.url, [4, 12], latency=0.02, connections=4, timeout=30)
    assert [(r.approach, r.requests) for r in rows] == [
        ("threads", 4), ("asyncio", 4), ("threads", 12), ("asyncio", 12)]
    assert all(r.wall > 0 and r.rss_mb >= 0 for r in rows)
    assert rows[2].predicted == pytest.approx(3 * 0.02)


def _rows(virtual=600.0):
    from parallel_demo.aio_fetch import ConcurrencyRow
    return [ConcurrencyRow("threads", 10, 5, 0.1, 0.0, 0.0, 0.08, "VmHWM"),
            ConcurrencyRow("asyncio", 10, 5, 0.1, 0.0, 0.0, 0.08, "VmHWM"),
            ConcurrencyRow("threads", 100, 5, 1.0, 1.5, virtual, 0.8, "VmHWM"),
            ConcurrencyRow("asyncio", 100, 5, 0.9, 0.2, 1.0, 0.8, "VmHWM")]


def test_explain_concurrency_reads_the_largest_size():
    from parallel_demo.aio_fetch import explain_concurrency
    text = explain_concurrency(_rows(), latency=0.04)
    assert text.startswith("With 100 requests in flight")
    assert "**15 KiB per thread**" in text and "**2.0 KiB per task**" in text
    assert "0.6 GiB of address space" in text
    assert "5 connections / 40 ms = **125 requests per second**" in text
    assert "reached 100 (threads) and 111 (asyncio)" in text
    for word in ("faster", "slower", "beat", "tie"):
        assert word not in text


def test_explain_concurrency_without_reserved_memory_leaves_that_sentence_out():
    from parallel_demo.aio_fetch import explain_concurrency
    assert "reserved" not in explain_concurrency(_rows(virtual=0.0), latency=0.04)


def test_explain_concurrency_refuses_bad_input():
    from parallel_demo.aio_fetch import explain_concurrency
    with pytest.raises(ValueError, match="both approaches"):
        explain_concurrency(_rows()[::2], latency=0.04)
    with pytest.raises(TypeError, match="measure_concurrency"):
        explain_concurrency([1, 2], latency=0.04)
    with pytest.raises(ValueError, match="rows"):
        explain_concurrency([], latency=0.04)
    with pytest.raises((TypeError, ValueError), match="latency"):
        explain_concurrency(_rows(), latency=-1)


def test_explain_sweep_limit():
    from parallel_demo.aio_fetch import explain_sweep_limit
    text = explain_sweep_limit(5000, connections=25, latency=0.04, stops_at=1000)
    assert "5,000 requests would take 200 rounds × 40 ms = **8 s**" in text
    assert text.endswith("so the sweep stops at 1,000.")
    with pytest.raises(ValueError, match="connections"):
        explain_sweep_limit(5000, connections=0, latency=0.04, stops_at=1000)
    with pytest.raises(TypeError, match="requests"):
        explain_sweep_limit("5000", connections=25, latency=0.04, stops_at=1000)
