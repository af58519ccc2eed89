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
* the import of the package, and the start-up of a worker that runs a
  library task, against a bare child (what the start method itself costs).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import multiprocessing
import statistics
import subprocess
import sys
import time
from typing import Callable

from ._hang import quiet_fork_warning
from .env import effective_cpus
from .timing import interleaved
from .workloads import is_prime, large_primes


def _pool_speedups(quick: bool) -> list[str]:
    cpus = effective_cpus()
    numbers = large_primes(8 if quick else 16 * cpus, near=10**11 if not quick else 10**10)
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

    cases: dict[str, Callable[[], object]] = {
        "sequential": lambda: [is_prime(n) for n in numbers],
        "parallel_demo run('process_pool')": ours,
        "concurrent.futures.ProcessPoolExecutor": bare,
        "multiprocessing.Pool": mp_pool,
    }
    try:
        import joblib

        cases["joblib (loky)"] = lambda: joblib.Parallel(n_jobs=cpus)(
            joblib.delayed(is_prime)(n) for n in numbers)
    except ImportError:
        pass
    with quiet_fork_warning():
        timed = interleaved(cases, repeat=2 if quick else 5, warmup=1)
    base = timed.pop("sequential").median
    lines = [f"process pools, {len(numbers)} primes near 1e{10 if quick else 11}, pool start "
             f"included; speedup / effective CPUs ({cpus}):"]
    scores = {name: base / m.median / cpus for name, m in timed.items()}
    for name, score in scores.items():
        lines.append(f"  {name:<40} {score:5.2f}")
    ours_score = scores.pop("parallel_demo run('process_pool')")
    best = max(scores.values())
    lines.append(f"  ours / best peer: {ours_score / best:.2f} (goal: >= 1.00 within noise; "
                 f"ours >= 0.95: {'yes' if ours_score >= 0.95 else 'no'})")
    return lines


def _io_speedup(quick: bool) -> list[str]:
    from .fetch import fetch_page
    from .server import LatencyServer
    from .strategies import run

    k, n, latency = 8, 16 if quick else 32, 0.05
    with LatencyServer(latency=latency, max_concurrent=64) as srv:
        urls = srv.urls(n)
        timed = interleaved({"sequential": lambda: run("sequential", fetch_page, urls),
                             "pool": lambda: run("thread_pool", fetch_page, urls, workers=k)},
                            repeat=2 if quick else 3, warmup=1)
    speedup = timed["sequential"].median / timed["pool"].median
    ideal = min(k, n)
    return [f"thread pool on loopback I/O ({n} requests of {latency * 1000:.0f} ms, {k} threads): "
            f"speedup / ideal min(k, N) = {speedup / ideal:.2f} (goal >= 0.90)"]


def _tracing_overhead(quick: bool) -> list[str]:
    from .strategies import run

    n = 2_000 if quick else 10_000
    items = list(range(n))

    def bare():
        with cf.ThreadPoolExecutor(4) as ex:
            futures = [ex.submit(abs, i) for i in items]
            [f.result() for f in futures]

    timed = interleaved({"bare ThreadPoolExecutor": bare,
                         "run('thread_pool')": lambda: run("thread_pool", abs, items, workers=4)},
                        repeat=3 if quick else 7, warmup=1)
    ratio = timed["run('thread_pool')"].median / timed["bare ThreadPoolExecutor"].median
    return [f"tracing overhead, {n} short tasks on 4 threads: run() / bare executor = {ratio:.2f} "
            f"({(ratio - 1) * 100:+.0f}%; goal <= +5%)"]


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
    reps = 3 if quick else 7
    lines = ["worker start-up (median ms, bare child vs a child running the library's is_prime):"]
    for method in [m for m in ("spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]:
        bare, lib = [], []
        for _ in range(2 if quick else 3):  # interleaved rounds
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


def main(quick: bool = False) -> int:
    t0 = time.perf_counter()
    from .env import default_start_method

    print(f"parallel_demo bench{' --quick' if quick else ''}: Python {sys.version.split()[0]}, "
          f"{effective_cpus()} effective CPU(s), start method {default_start_method()}")
    for part in (_pool_speedups, _io_speedup, _tracing_overhead, _startup):
        for line in part(quick):
            print(line, flush=True)
    print(f"(bench took {time.perf_counter() - t0:.0f} s)")
    return 0


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m parallel_demo bench")
    parser.add_argument("--quick", action="store_true", help="fewer and smaller runs (for CI)")
    return main(parser.parse_args(argv).quick)

