"""Bad-input rows for I/O: asyncio demos, the asyncio and threaded fetch clients, the Dask
cluster's measurements (and their charts).  Run by ``test_bad_input.py``.

No row starts a cluster or connects to anything: the Dask functions check their other
parameters first, then refuse a client that is not a connected ``distributed.Client``
without importing ``distributed``.  Async functions run under ``asyncio.run`` in the row.
(A lambda or a closure is not unsendable to Dask, which pickles with cloudpickle: no
unsendable-callable rows for ``run_on_client``.)
"""

from __future__ import annotations

import asyncio
import types

import parallel_demo as pd
from bad_input_base import C, T, V

NAMES = set("""
    cancelled_task fail_async forgotten_task stall_demo afetch_page cpu_per_request
    measure_throughput clock_offsets measure_round_trips measure_task_overhead run_on_client
    sweep_tasks task_stream_spans plot_batch_prediction plot_concurrency plot_stall_pair
    plot_stalls plot_task_timeline plot_round_trips plot_task_overhead plot_task_stream
    plot_task_sweep plot_two_views plot_throughput
""".split())

#: Never contacted: every row is refused before a request is made.
URL = "http://127.0.0.1:1"
PAGE = URL + "/page/0"


def _arun(coro):
    return asyncio.run(coro)


def _sync_client_row():
    """``afetch_page`` given an ``httpx.Client`` (the threads chapter's) instead of an async one."""
    import httpx

    with httpx.Client() as client:
        _arun(pd.afetch_page(client, PAGE))


def _no_scheme_row():
    async def main():
        async with pd.async_client(1) as client:
            await pd.afetch_page(client, "page/0")

    _arun(main())


def _result():
    rec = pd.TaskRecord(index=0, worker="event loop", pid=1, thread=1, start=0.0, end=0.05,
                        submitted=0.0, label="item-0: 0")
    return pd.RunResult("asyncio", 1, [0], [rec], wall=0.05, start=0.0)


def _stall():
    return pd.StallReport("sleep", 0.02, ((0.02, 0.3),), (0.05, 0.28), 0.0)


def _span():
    return pd.StreamSpan("tcp://127.0.0.1:4001", "a", "compute", 10.0, 10.02)


def _measurement():
    return pd.Measurement("one task at a time", (0.003, 0.0032))


def _overhead():
    return pd.OverheadReport(10, pd.Measurement("dask", (0.1, 0.12)),
                             pd.Measurement("process pool", (0.01, 0.012)))


def _throughput_row():
    return pd.ThroughputRow(1, 8, 0.4, 20.0, 20.0)


CASES = [
    # aio.py
    C("cancelled_task work str", lambda: _arun(pd.cancelled_task(work="10")), T, "work"),
    C("cancelled_task work negative", lambda: _arun(pd.cancelled_task(work=-1)), V, "work"),
    C("cancelled_task after negative", lambda: _arun(pd.cancelled_task(after=-0.05)), V,
      "after"),
    C("cancelled_task work not longer than after",
      lambda: _arun(pd.cancelled_task(work=0.01, after=0.05)), V, "work", "after"),
    C("cancelled_task after huge", None, V, "after",
      child="import asyncio; from parallel_demo import cancelled_task; "
            "asyncio.run(cancelled_task(work=1e10, after=1e9))"),
    C("fail_async after str", lambda: _arun(pd.fail_async("x", after="1")), T, "after"),
    C("fail_async after negative", lambda: _arun(pd.fail_async("x", after=-1)), V, "after"),
    C("fail_async after huge", None, V, "after",
      child="import asyncio; from parallel_demo import fail_async; "
            "asyncio.run(fail_async('x', after=1e9))"),
    C("forgotten_task keep_reference str", lambda: pd.forgotten_task("no"), T,
      "keep_reference"),
    C("forgotten_task keep_reference int", lambda: pd.forgotten_task(1), T, "keep_reference"),
    C("stall_demo blocker unknown", lambda: pd.stall_demo("nap"), V, "blocker", "to_thread"),
    C("stall_demo tickers 0", lambda: pd.stall_demo(tickers=0), V, "tickers"),
    C("stall_demo tickers str", lambda: pd.stall_demo(tickers="3"), T, "tickers"),
    C("stall_demo ticks huge", lambda: pd.stall_demo(ticks=10**9), V, "ticks"),
    C("stall_demo period 0", lambda: pd.stall_demo(period=0), V, "period"),
    C("stall_demo block negative", lambda: pd.stall_demo(block=-0.2), V, "block"),
    C("stall_demo block huge", lambda: pd.stall_demo(block=1e9), V, "block"),
    # aio_fetch.py
    C("afetch_page client None", lambda: _arun(pd.afetch_page(None, PAGE)), T, "client"),
    C("afetch_page client a url", lambda: _arun(pd.afetch_page(PAGE, PAGE)), T, "client",
      "async_client"),
    C("afetch_page client not async", _sync_client_row, T, "client", "async_client"),
    C("afetch_page url int", lambda: _arun(pd.afetch_page(None, 5)), T, "url"),
    C("afetch_page url no scheme", _no_scheme_row, V, "url", "http://"),
    C("cpu_per_request base_url int", lambda: pd.cpu_per_request(8080), T, "base_url"),
    C("cpu_per_request base_url not local", lambda: pd.cpu_per_request("http://localhost:1"), V,
      "base_url"),
    C("cpu_per_request base_url bad port", lambda: pd.cpu_per_request("http://127.0.0.1:x"), V,
      "base_url"),
    C("cpu_per_request n 0", lambda: pd.cpu_per_request(URL, 0), V, "n"),
    C("cpu_per_request n huge", lambda: pd.cpu_per_request(URL, 10**9), V, "n"),
    C("cpu_per_request connections 0", lambda: pd.cpu_per_request(URL, connections=0), V,
      "connections"),
    C("cpu_per_request repeat 0", lambda: pd.cpu_per_request(URL, repeat=0), V, "repeat"),
    C("cpu_per_request repeat str", lambda: pd.cpu_per_request(URL, repeat="3"), T, "repeat"),
    # fetch.py
    C("measure_throughput url_list int", lambda: pd.measure_throughput(5, [1], latency=0.1), T,
      "url_list"),
    C("measure_throughput url_list one url", lambda: pd.measure_throughput(PAGE, [1],
                                                                           latency=0.1), T,
      "url_list", "wrap"),
    C("measure_throughput url_list empty", lambda: pd.measure_throughput([], [1], latency=0.1),
      V, "url_list"),
    C("measure_throughput url_list not urls", lambda: pd.measure_throughput([5], [1],
                                                                            latency=0.1), T,
      "url_list"),
    C("measure_throughput workers int", lambda: pd.measure_throughput([PAGE], 4, latency=0.1), T,
      "workers", "[1, 2, 4]"),
    C("measure_throughput workers empty", lambda: pd.measure_throughput([PAGE], [],
                                                                        latency=0.1), V,
      "workers"),
    C("measure_throughput workers 0", lambda: pd.measure_throughput([PAGE], [1, 0],
                                                                    latency=0.1), V, "workers"),
    C("measure_throughput workers huge", lambda: pd.measure_throughput([PAGE], [10**6],
                                                                       latency=0.1), V,
      "workers"),
    C("measure_throughput latency 0", lambda: pd.measure_throughput([PAGE], [1], latency=0), V,
      "latency"),
    C("measure_throughput latency negative", lambda: pd.measure_throughput([PAGE], [1],
                                                                           latency=-0.1), V,
      "latency"),
    C("measure_throughput latency str", lambda: pd.measure_throughput([PAGE], [1],
                                                                      latency="0.1"), T,
      "latency"),
    C("measure_throughput max_concurrent 0", lambda: pd.measure_throughput(
        [PAGE], [1], latency=0.1, max_concurrent=0), V, "max_concurrent"),
    C("measure_throughput repeat 0", lambda: pd.measure_throughput([PAGE], [1], latency=0.1,
                                                                   repeat=0), V, "repeat"),
    C("measure_throughput repeat huge", lambda: pd.measure_throughput([PAGE], [1], latency=0.1,
                                                                      repeat=10**6), V,
      "repeat"),
    # dask_cluster.py: a wrong client is refused without importing distributed
    C("clock_offsets client None", lambda: pd.clock_offsets(None), T, "client"),
    C("clock_offsets client a DaskCluster", lambda: pd.clock_offsets(pd.DaskCluster()), T,
      "client", "Client(cluster.address)"),
    C("clock_offsets client an address", lambda: pd.clock_offsets("tcp://127.0.0.1:8786"), T,
      "client", "Client("),
    C("clock_offsets probes 0", lambda: pd.clock_offsets(None, probes=0), V, "probes"),
    C("clock_offsets probes str", lambda: pd.clock_offsets(None, probes="3"), T, "probes"),
    C("clock_offsets probes huge", lambda: pd.clock_offsets(None, probes=10**9), V, "probes"),
    C("measure_round_trips client None", lambda: pd.measure_round_trips(None), T, "client"),
    C("measure_round_trips client a DaskCluster",
      lambda: pd.measure_round_trips(pd.DaskCluster()), T, "client", "Client(cluster.address)"),
    C("measure_round_trips tasks 0", lambda: pd.measure_round_trips(None, tasks=0), V, "tasks"),
    C("measure_round_trips tasks huge", lambda: pd.measure_round_trips(None, tasks=10**9), V,
      "tasks"),
    C("measure_task_overhead client int", lambda: pd.measure_task_overhead(5), T, "client"),
    C("measure_task_overhead tasks 0", lambda: pd.measure_task_overhead(None, tasks=0), V,
      "tasks"),
    C("measure_task_overhead tasks huge", lambda: pd.measure_task_overhead(None, tasks=10**9), V,
      "tasks"),
    C("measure_task_overhead repeat huge", lambda: pd.measure_task_overhead(None, repeat=10**6),
      V, "repeat"),
    C("measure_task_overhead workers 0", lambda: pd.measure_task_overhead(None, workers=0), V,
      "workers"),
    C("run_on_client client None", lambda: pd.run_on_client(None, abs, [1]), T, "client"),
    C("run_on_client client an address", lambda: pd.run_on_client("tcp://127.0.0.1:8786", abs,
                                                                  [1]), T, "client"),
    C("run_on_client fn not callable", lambda: pd.run_on_client(None, 5, [1]), T, "fn"),
    C("run_on_client items int", lambda: pd.run_on_client(None, abs, 5), T, "items"),
    C("run_on_client timeout 0", lambda: pd.run_on_client(None, abs, [1], timeout=0), V,
      "timeout"),
    C("run_on_client timeout negative", lambda: pd.run_on_client(None, abs, [1], timeout=-1), V,
      "timeout"),
    C("sweep_tasks client None", lambda: pd.sweep_tasks(None), T, "client"),
    C("sweep_tasks client a DaskCluster", lambda: pd.sweep_tasks(pd.DaskCluster()), T, "client",
      "Client(cluster.address)"),
    C("sweep_tasks sizes empty", lambda: pd.sweep_tasks(None, sizes=()), V, "sizes"),
    C("sweep_tasks sizes 0", lambda: pd.sweep_tasks(None, sizes=(0, 2)), V, "sizes"),
    C("sweep_tasks sizes int", lambda: pd.sweep_tasks(None, sizes=6), T, "sizes"),
    C("sweep_tasks near str", lambda: pd.sweep_tasks(None, near="1e10"), T, "near"),
    C("sweep_tasks near huge", None, V, "near",
      child="from parallel_demo import sweep_tasks; sweep_tasks(None, near=10**30)"),
    C("sweep_tasks workers 0", lambda: pd.sweep_tasks(None, workers=0), V, "workers"),
    C("sweep_tasks repeat 0", lambda: pd.sweep_tasks(None, repeat=0), V, "repeat"),
    C("task_stream_spans data int", lambda: pd.task_stream_spans(5), T, "data"),
    C("task_stream_spans data the stream itself",
      lambda: pd.task_stream_spans(types.SimpleNamespace(data=[])), T, "data", ".data"),
    C("task_stream_spans data not records", lambda: pd.task_stream_spans([5]), T, "data"),
    C("task_stream_spans offsets list", lambda: pd.task_stream_spans([], [1]), T, "offsets",
      "clock_offsets"),
    C("task_stream_spans offsets not ClockOffset",
      lambda: pd.task_stream_spans([], {"tcp://127.0.0.1:1": 0.5}), T, "offsets"),
    # charts/aio.py: refused before any figure is made
    C("plot_task_timeline int", lambda: pd.plot_task_timeline(5), T, "result"),
    C("plot_task_timeline records", lambda: pd.plot_task_timeline(_result().records), T,
      "result", "RunResult"),
    C("plot_task_timeline a StallReport", lambda: pd.plot_task_timeline(_stall()), T, "result"),
    C("plot_stalls int", lambda: pd.plot_stalls(5), T, "report"),
    C("plot_stalls two reports", lambda: pd.plot_stalls([_stall(), _stall()]), T, "report",
      "plot_stall_pair"),
    C("plot_stalls a RunResult", lambda: pd.plot_stalls(_result()), T, "report", "stall_demo"),
    C("plot_stall_pair first int", lambda: pd.plot_stall_pair(5, _stall()), T, "first"),
    C("plot_stall_pair second None", lambda: pd.plot_stall_pair(_stall(), None), T, "second"),
    C("plot_stall_pair titles str", lambda: pd.plot_stall_pair(_stall(), _stall(),
                                                              titles="blocked"), T, "titles"),
    C("plot_stall_pair titles one", lambda: pd.plot_stall_pair(_stall(), _stall(),
                                                              titles=("blocked",)), T, "titles"),
    C("plot_concurrency int", lambda: pd.plot_concurrency(5), T, "rows"),
    C("plot_concurrency empty", lambda: pd.plot_concurrency([]), V, "rows"),
    C("plot_concurrency not rows", lambda: pd.plot_concurrency([_throughput_row()]), T, "rows",
      "measure_concurrency"),
    C("plot_concurrency axes wrong", lambda: pd.plot_concurrency(
        [pd.ConcurrencyRow("threads", 10, 5, 0.1, 1.0, 0.0, 0.1, "VmHWM")], axes=(1, 2)), T,
      "axes"),
    C("plot_batch_prediction predicted str", lambda: pd.plot_batch_prediction("0.3", [0.2]), T,
      "predicted"),
    C("plot_batch_prediction predicted negative",
      lambda: pd.plot_batch_prediction(-0.3, [0.2]), V, "predicted"),
    C("plot_batch_prediction measured float", lambda: pd.plot_batch_prediction(0.3, 0.2), T,
      "measured", "wrap"),
    C("plot_batch_prediction measured empty", lambda: pd.plot_batch_prediction(0.3, []), V,
      "measured"),
    C("plot_batch_prediction measured negative",
      lambda: pd.plot_batch_prediction(0.3, [0.2, -1]), V, "measured"),
    C("plot_batch_prediction model str", lambda: pd.plot_batch_prediction(0.3, [0.2],
                                                                          model="0.25"), T,
      "model"),
    # charts/dask_cluster.py
    C("plot_round_trips latency float", lambda: pd.plot_round_trips(0.003), T, "latency",
      "measure_round_trips"),
    C("plot_round_trips latency None", lambda: pd.plot_round_trips(None), T, "latency"),
    C("plot_round_trips prediction negative",
      lambda: pd.plot_round_trips(_measurement(), prediction=-0.002), V, "prediction"),
    C("plot_round_trips batch_per_task str",
      lambda: pd.plot_round_trips(_measurement(), batch_per_task="1ms"), T, "batch_per_task"),
    C("plot_task_overhead report int", lambda: pd.plot_task_overhead(5), T, "report"),
    C("plot_task_overhead report dict", lambda: pd.plot_task_overhead({"dask": 0.001}), T,
      "report", "measure_task_overhead"),
    C("plot_task_overhead docs_range one number",
      lambda: pd.plot_task_overhead(_overhead(), docs_range=0.001), T, "docs_range"),
    C("plot_task_overhead docs_range reversed",
      lambda: pd.plot_task_overhead(_overhead(), docs_range=(1e-3, 2e-4)), V, "docs_range"),
    C("plot_task_overhead prediction 0", lambda: pd.plot_task_overhead(_overhead(),
                                                                      prediction=0), V,
      "prediction"),
    C("plot_task_stream spans int", lambda: pd.plot_task_stream(5), T, "spans"),
    C("plot_task_stream raw task stream",
      lambda: pd.plot_task_stream([{"worker": "w", "startstops": ()}]), T, "spans",
      "task_stream_spans"),
    C("plot_task_stream t0 str", lambda: pd.plot_task_stream([_span()], t0="0"), T, "t0"),
    C("plot_task_stream span negative", lambda: pd.plot_task_stream([_span()], span=-1), V,
      "span"),
    C("plot_task_stream names list", lambda: pd.plot_task_stream([_span()], names=["w0"]), T,
      "names"),
    C("plot_task_sweep int", lambda: pd.plot_task_sweep(5), T, "sweep"),
    C("plot_task_sweep dict", lambda: pd.plot_task_sweep({"dask": []}), T, "sweep",
      "sweep_tasks"),
    C("plot_two_views result int", lambda: pd.plot_two_views(5, [_span()]), T, "result"),
    C("plot_two_views spans int", lambda: pd.plot_two_views(_result(), 5), T, "spans"),
    C("plot_two_views arguments swapped", lambda: pd.plot_two_views([_span()], _result()), T,
      "result"),
    # charts/fetch.py
    C("plot_throughput int", lambda: pd.plot_throughput(5), T, "rows"),
    C("plot_throughput empty", lambda: pd.plot_throughput([]), V, "rows"),
    C("plot_throughput not rows", lambda: pd.plot_throughput([{"workers": 1}]), T, "rows",
      "measure_throughput"),
    C("plot_throughput max_concurrent 0",
      lambda: pd.plot_throughput([_throughput_row()], max_concurrent=0), V, "max_concurrent"),
]
