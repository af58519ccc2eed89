"""``python -m parallel_demo bench``: the library against its peers, as ratios measured in one run.

No absolute time is compared across runs or machines: each figure is a ratio
of two things measured side by side, interleaved, in this one run, so a busy
machine slows both sides alike.  Goals (from the project's gates):

* process-pool speedup on CPU work / effective CPUs: ours >= 0.95 and no worse
  than the best of a bare ``ProcessPoolExecutor``, joblib/loky and
  ``multiprocessing.Pool``;
* thread-pool speedup on loopback I/O / min(threads, tasks) >= 0.90;
* tracing overhead of ``run("thread_pool")`` over a bare ``ThreadPoolExecutor``
  on 10,000 short tasks <= 5 %;
* asyncio against one thread per request at 1,000 concurrent requests (time
  and the client's resident memory), and Dask's per-task overhead against a
  warm process pool;
* the import of the package, and the start-up of a worker that runs a
  library task, against a bare child (what the start method itself costs);
* with ``--notebooks``, each notebook's execution time under nbval (goal each
  <= 30 s on 2 CPUs, the whole suite <= 4 min).

Every figure is printed by one function returning its lines, so ``--quick``
(smaller sizes, fewer repeats) prints the same lines as the full run.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from typing import Callable

from ._hang import quiet_fork_warning
from .env import effective_cpus
from .timing import interleaved
from .workloads import is_prime, large_primes


#: Sizes and repeats of each part: the full run, and ``--quick`` (CI).  Tests
#: shrink ``QUICK`` further to check the report's structure in seconds.
FULL = {"primes_per_cpu": 16, "near": 10**11, "pool_repeat": 5,
        "io_requests": 32, "io_repeat": 3,
        "trace_tasks": 10_000, "trace_repeat": 15,
        "concurrent": 1000, "dask_tasks": 200, "dask_repeat": 5,
        "startup_reps": 7, "startup_rounds": 3}
QUICK = {"primes_per_cpu": 4, "near": 10**10, "pool_repeat": 2,
         "io_requests": 16, "io_repeat": 2,
         "trace_tasks": 2_000, "trace_repeat": 7,
         "concurrent": 200, "dask_tasks": 50, "dask_repeat": 2,
         "startup_reps": 3, "startup_rounds": 2}


def _sizes(quick: bool) -> dict:
    return QUICK if quick else FULL


def _noop(x):
    return x


def _pool_speedups(quick: bool) -> list[str]:
    # The workload: 32 primes near 1e11 per 2 CPUs (16 per CPU), pool
    # start included.  --quick: 4 per CPU near 1e10, which pool start dominates.
    cfg = _sizes(quick)
    cpus = effective_cpus()
    near = cfg["near"]
    numbers = large_primes(cfg["primes_per_cpu"] * cpus, near=near)
    ctx = multiprocessing.get_context()

    def ours():
        from .strategies import run

        run("process_pool", is_prime, numbers, workers=cpus)

    def bare():
        with cf.ProcessPoolExecutor(cpus, mp_context=ctx) as ex:
            list(ex.map(is_prime, numbers))

    def mp_pool():
        with ctx.Pool(cpus) as pool:
            pool.map(is_prime, numbers, chunksize=1)

    def pool_start():  # what pool start and stop alone cost: one no-op task per worker
        with cf.ProcessPoolExecutor(cpus, mp_context=ctx) as ex:
            list(ex.map(_noop, range(cpus)))

    cases: dict[str, Callable[[], object]] = {
        "sequential": lambda: [is_prime(n) for n in numbers],
        "pool start": pool_start,
        "parallel_demo run('process_pool')": ours,
        "concurrent.futures.ProcessPoolExecutor": bare,
        "multiprocessing.Pool": mp_pool,
    }
    try:
        import joblib

        from joblib.externals.loky import get_reusable_executor

        def with_joblib():
            # loky keeps its workers for the next call: stop them, so that
            # joblib pays for its pool start like the others (and none is left).
            joblib.Parallel(n_jobs=cpus)(joblib.delayed(is_prime)(n) for n in numbers)
            get_reusable_executor().shutdown(wait=True)

        cases["joblib (loky)"] = with_joblib
    except ImportError:
        pass
    with quiet_fork_warning():
        timed = interleaved(cases, repeat=cfg["pool_repeat"], warmup=1)
    base = timed.pop("sequential").median
    start = timed.pop("pool start").median
    lines = [f"process pools, {len(numbers)} primes near 1e{len(str(near)) - 1} "
             f"({len(numbers) // cpus} per CPU), start method {ctx.get_start_method()}, pool start "
             f"included; speedup / effective CPUs ({cpus}):"]
    scores = {name: base / m.median / cpus for name, m in timed.items()}
    for name, score in scores.items():
        lines.append(f"  {name:<40} {score:5.2f}  (spread {timed[name].spread:.0%})")
    ours_score = scores.pop("parallel_demo run('process_pool')")
    best = max(scores.values())
    # With the work split perfectly, the best a pool can do is base / (base/cpus + start).
    ceiling = base / (base / cpus + start) / cpus
    lines.append(f"  sequential {base * 1000:.0f} ms; pool start and stop alone {start * 1000:.0f} ms, "
                 f"so even a perfect split scores at most {ceiling:.2f}")
    lines.append(f"  ours / best peer: {ours_score / best:.2f} (goal: >= 1.00 within noise; "
                 f"ours >= 0.95: {'yes' if ours_score >= 0.95 else 'no'})")
    return lines


def _io_speedup(quick: bool) -> list[str]:
    from .fetch import fetch_page
    from .server import LatencyServer
    from .strategies import run

    k, n, latency = 8, _sizes(quick)["io_requests"], 0.05
    with LatencyServer(latency=latency, max_concurrent=64) as srv:
        urls = srv.urls(n)
        timed = interleaved({"sequential": lambda: run("sequential", fetch_page, urls),
                             "pool": lambda: run("thread_pool", fetch_page, urls, workers=k)},
                            repeat=_sizes(quick)["io_repeat"], warmup=1)
    speedup = timed["sequential"].median / timed["pool"].median
    ideal = min(k, n)
    return [f"thread pool on loopback I/O ({n} requests of {latency * 1000:.0f} ms, {k} threads): "
            f"speedup / ideal min(k, N) = {speedup / ideal:.2f} (goal >= 0.90)"]


def _tracing_overhead(quick: bool) -> list[str]:
    from .strategies import run

    n = _sizes(quick)["trace_tasks"]
    items = list(range(n))

    def bare():
        with cf.ThreadPoolExecutor(4) as ex:
            futures = [ex.submit(abs, i) for i in items]
            [f.result() for f in futures]

    # run() builds its records when they are first read: the third case reads them,
    # so what a chart of the run costs is printed too, not hidden.
    timed = interleaved({"bare ThreadPoolExecutor": bare,
                         "run('thread_pool')": lambda: run("thread_pool", abs, items, workers=4),
                         "run() and its records": lambda: run("thread_pool", abs, items,
                                                              workers=4).records},
                        repeat=_sizes(quick)["trace_repeat"], warmup=1)
    ours, bare_m = timed["run('thread_pool')"].median, timed["bare ThreadPoolExecutor"].median
    read = timed["run() and its records"].median
    ratio = ours / bare_m
    return [f"tracing overhead, {n} short tasks on 4 threads: run() / bare executor = {ratio:.2f} "
            f"({(ratio - 1) * 100:+.0f}%; goal <= +5%); per task: bare {bare_m / n * 1e6:.1f} us, "
            f"run() {ours / n * 1e6:.1f} us, and reading its records too {read / n * 1e6:.1f} us "
            f"({(read / bare_m - 1) * 100:+.0f}%)"]


def _asyncio_vs_threads(quick: bool) -> list[str]:
    from .aio_fetch import measure_concurrency
    from .server import LatencyServer

    n, latency, connections = _sizes(quick)["concurrent"], 0.05, 25
    with LatencyServer(latency=latency, max_concurrent=connections) as srv:
        rows = measure_concurrency(srv.url, [n], latency=latency, connections=connections,
                                   timeout=60 if quick else 120)
    by = {r.approach: r for r in rows}
    t, a = by["threads"], by["asyncio"]
    return [f"asyncio vs threads, {n} concurrent requests of {latency * 1000:.0f} ms over "
            f"{connections} connections (each client in a fresh child):",
            f"  time asyncio / threads {a.wall / t.wall:.2f} (threads {t.wall:.2f} s, asyncio "
            f"{a.wall:.2f} s, Little's law {t.predicted:.2f} s)",
            f"  resident memory growth asyncio / threads {a.rss_mb / max(t.rss_mb, 1e-3):.2f} "
            f"(threads {t.rss_mb:.1f} MiB, asyncio {a.rss_mb:.1f} MiB, {t.method})"]


def _dask_overhead(quick: bool) -> list[str]:
    try:
        from distributed import Client

        from .dask_cluster import DaskCluster, measure_task_overhead
    except ImportError as exc:
        return [f"Dask per-task overhead: skipped ({exc})"]
    cpus = effective_cpus()
    tasks = _sizes(quick)["dask_tasks"]
    with DaskCluster(workers=cpus) as cluster, Client(cluster.address) as client:
        report = measure_task_overhead(client, tasks=tasks, repeat=_sizes(quick)["dask_repeat"],
                                      workers=cpus)
        startup = cluster.startup
    per = report.per_task
    return [f"Dask per-task overhead, {tasks} no-op tasks on {cpus} workers: Dask / warm process "
            f"pool {per['dask'] / per['process pool']:.1f}x (Dask {per['dask'] * 1e6:.0f} us, "
            f"pool {per['process pool'] * 1e6:.0f} us per task"
            + (f"; cluster start {startup:.1f} s)" if startup else ")")]


_CHILD = """
import functools, multiprocessing as mp, sys, time
{imports}
ctx = mp.get_context({method!r})
target = {target}
p = ctx.Process(target=target); p.start(); p.join()   # warm-up (starts a forkserver)
ts = []
for _ in range({reps}):
    t0 = time.perf_counter(); p = ctx.Process(target=target); p.start(); p.join()
    ts.append(time.perf_counter() - t0)
print(sorted(ts)[len(ts) // 2])
"""


def _child_ms(method: str, library_task: bool, reps: int) -> float:
    if library_task:
        code = _CHILD.format(imports="from parallel_demo.workloads import is_prime", method=method,
                             target="functools.partial(is_prime, 7)", reps=reps)
    else:
        code = _CHILD.format(imports="import os", method=method, target="os.getpid", reps=reps)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         check=True)
    return 1000 * float(out.stdout.strip())


def _startup(quick: bool) -> list[str]:
    reps = _sizes(quick)["startup_reps"]
    lines = ["worker start-up (median ms, bare child vs a child running the library's is_prime):"]
    for method in [m for m in ("spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]:
        bare, lib = [], []
        for _ in range(_sizes(quick)["startup_rounds"]):  # interleaved rounds
            bare.append(_child_ms(method, False, reps))
            lib.append(_child_ms(method, True, reps))
        b, lb = statistics.median(bare), statistics.median(lib)
        lines.append(f"  {method:<11} bare {b:6.1f}  library task {lb:6.1f}  ratio {lb / b:.2f}")
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import parallel_demo"],
                         capture_output=True, text=True, timeout=60, check=True)
    total = [line for line in out.stderr.splitlines() if line.rstrip().endswith("| parallel_demo")]
    if total:
        lines.append(f"  import parallel_demo: {int(total[-1].split('|')[1]) / 1000:.1f} ms "
                     "cumulative (python -X importtime)")
    return lines


def _book_dir() -> str | None:
    for root in (os.getcwd(), os.path.join(os.path.dirname(__file__), "..", "..")):
        book = os.path.join(root, "book")
        if os.path.isfile(os.path.join(book, "sanitize.cfg")):
            return os.path.abspath(book)
    return None


def _notebook_times(times_file: str | None) -> list[str]:
    """Per-notebook wall times: read from ``times_file``, or measured by one nbval run now."""
    took = None
    if times_file is None:
        book = _book_dir()
        if book is None:
            return ["notebooks: no book/ here (run from the repository's root)"]
        times_file = os.path.join(os.path.dirname(book), "_build", "notebook_times.json")
        os.makedirs(os.path.dirname(times_file), exist_ok=True)
        if os.path.exists(times_file):
            os.remove(times_file)
        env = dict(os.environ, PARALLEL_DEMO_NB_TIMES=times_file)
        env.setdefault("PARALLEL_DEMO_START_METHOD", "spawn")
        t0 = time.perf_counter()
        # tools/run_nbval.py holds the flags every nbval run uses.
        runner = os.path.join(os.path.dirname(book), "tools", "run_nbval.py")
        subprocess.run([sys.executable, runner, book],
                       cwd=os.path.dirname(book), env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=1800)
        took = time.perf_counter() - t0
    with open(times_file) as f:
        data = json.load(f)
    data = data.get("notebook_seconds", data)  # tools/flake_runner.py's summary, or the raw file
    lines = [f"notebook execution under nbval (goal each <= 30 s on 2 CPUs), from {times_file}:"]
    for name, seconds in sorted(data.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {os.path.basename(name):<45} {seconds:6.1f} s"
                     + ("  over 30 s" if seconds > 30 else ""))
    total = took if took is not None else sum(data.values())
    lines.append(f"  whole suite {total:.0f} s{'' if took else ' (sum of notebooks)'} "
                 f"(goal <= 240 s)")
    return lines


def _machine() -> str:
    from .env import default_start_method

    try:
        affinity = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        affinity = None
    load = "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg()) \
        if hasattr(os, "getloadavg") else "load unknown"
    return (f"Python {sys.version.split()[0]}, os.cpu_count() {os.cpu_count()}, affinity "
            f"{affinity if affinity is not None else 'n/a'}, effective_cpus() {effective_cpus()}, "
            f"default start method {default_start_method()}, {load}")


#: Every part of the benchmark, in the order printed: name -> function(quick) -> lines.
PARTS: dict[str, Callable[[bool], list[str]]] = {
    "process pools": _pool_speedups,
    "thread pool I/O": _io_speedup,
    "tracing overhead": _tracing_overhead,
    "asyncio vs threads": _asyncio_vs_threads,
    "dask overhead": _dask_overhead,
    "worker start-up": _startup,
}


def main(quick: bool = False, *, notebooks: bool = False, notebook_times: str | None = None,
         only: list[str] | None = None) -> int:
    t0 = time.perf_counter()
    print(f"parallel_demo bench{' --quick' if quick else ''}: {_machine()}", flush=True)
    failed = 0
    parts = {name: fn for name, fn in PARTS.items() if not only or name in only}
    if notebooks or notebook_times:
        parts["notebooks"] = lambda quick: _notebook_times(notebook_times)
    for name, part in parts.items():
        try:
            lines = part(quick)
        except Exception as exc:  # one broken part must not hide the others' figures
            failed += 1
            lines = [f"{name}: FAILED ({type(exc).__name__}: {str(exc)[:300]})"]
        for line in lines:
            print(line, flush=True)
    print(f"(bench took {time.perf_counter() - t0:.0f} s; at the end: {_machine().split(', ')[-1]})")
    return 1 if failed else 0


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m parallel_demo bench")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return main(args.quick, notebooks=args.notebooks, notebook_times=args.notebook_times,
                only=args.only)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The bench's options (shared by ``python -m parallel_demo bench``)."""
    parser.add_argument("--quick", action="store_true",
                        help="smaller sizes and fewer repeats (for CI); prints every ratio")
    parser.add_argument("--notebooks", action="store_true",
                        help="also run every notebook once under nbval and print its time")
    parser.add_argument("--notebook-times", metavar="FILE",
                        help="print notebook times from FILE (book/conftest.py's "
                             "PARALLEL_DEMO_NB_TIMES output or _build/flakes.json)")
    parser.add_argument("--only", action="append", choices=list(PARTS), metavar="PART",
                        help=f"run only this part (repeatable): {', '.join(PARTS)}")
