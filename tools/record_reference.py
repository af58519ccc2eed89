"""Record the book's reference runs on this machine, with the machine's facts.

    .venv/bin/python tools/record_reference.py              # all CPUs, then one CPU (taskset -c 0)
    .venv/bin/python tools/record_reference.py --one-cpu no # only with the CPUs this process has
    .venv/bin/python tools/record_reference.py --dask yes   # also Dask, with all CPUs only
    tools/sid_chroot.sh run 3.14 python tools/record_reference.py   # Python 3.14 (forkserver)

Writes ``book/reference/<workload>-<strategy>-<python>-<n>cpu.json`` (format
``parallel_demo.runresult/1``), overwriting earlier recordings of the same
set-up.  Workloads:

* ``primes``: ``is_prime`` over ``large_primes(8)``, two workers (CPU-bound);
* ``tiny``: ``is_prime`` over the 200 numbers 2..201, two workers (per-task cost);
* ``one``: ``is_prime(97)`` alone, two workers allowed (the cost of starting a pool).

Each set-up runs ``--repeat`` times, the strategies taking turns, and the run
with the median wall time is saved together with every repeat's wall time.
Re-runnable; nothing is left running.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from parallel_demo import STRATEGIES, effective_cpus, is_prime, large_primes, run  # noqa: E402
from parallel_demo.reference import save_run, this_machine  # noqa: E402

CORE = ["sequential", "thread_pool", "process_pool"]
PLUGINS = ["asyncio", "interpreter_pool", "dask"]


def workloads() -> dict[str, tuple[str, list[int]]]:
    return {
        "primes": ("is_prime on large_primes(8)", large_primes(8)),
        "tiny": ("is_prime on the 200 numbers 2..201", list(range(2, 202))),
        "one": ("is_prime(97), one task", [97]),
    }


def task_for(strategy: str, workload: str, items: list[int]):
    """``(fn, items)`` for ``strategy``, or None where the workload does not apply.

    ``asyncio`` runs coroutines: it gets ``sleep_async(0)`` (one trip through the
    event loop) for the per-task and start-up workloads, and skips the CPU-bound one.
    """
    if strategy == "asyncio":
        if workload == "primes":
            return None
        from parallel_demo.aio import sleep_async

        return sleep_async, [0.0] * len(items)
    return is_prime, items


def available_plugins(with_dask: bool) -> list[str]:
    """The Part VI strategies that exist and can run here with ``is_prime``."""
    from parallel_demo import strategy_available

    out = []
    for name in PLUGINS:
        if name == "dask" and not with_dask:
            continue
        try:
            if name in STRATEGIES and strategy_available(name) is None:
                out.append(name)
        except Exception as exc:  # a module being written right now
            print(f"  skipping {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
    return out


def record(out: Path, repeat: int, note: str, with_plugins: bool, with_dask: bool) -> list[Path]:
    machine = this_machine()
    tag = f"{machine.implementation.lower()}{'.'.join(machine.python.split('.')[:2])}"
    if machine.build != "GIL":
        tag += "t"
    tag += f"-{machine.effective_cpus}cpu"
    strategies = CORE + (available_plugins(with_dask) if with_plugins else [])
    print(f"recording on {machine.label} ({note or 'no note'}): {', '.join(strategies)}")
    written = []
    for wname, (words, items) in workloads().items():
        runs: dict[str, list] = {s: [] for s in strategies}
        tasks = {s: task_for(s, wname, items) for s in strategies}
        failed: set[str] = set()
        for k in range(repeat):
            for s in strategies:  # taking turns: a busy minute lands on every strategy
                if tasks[s] is None or s in failed or (s == "dask" and k >= 3):
                    continue  # (a cluster takes seconds to start: three runs are enough)
                fn, args = tasks[s]
                try:
                    runs[s].append(run(s, fn, args, workers=2))
                except Exception as exc:
                    print(f"  {s} failed on {wname}: {type(exc).__name__}: {exc}", file=sys.stderr)
                    failed.add(s)
                    runs[s] = []
        for s, results in runs.items():
            if not results:
                continue
            fn, args = tasks[s]
            expected = [0.0] * len(args) if s == "asyncio" else [fn(n) for n in args]
            assert all(r.results == expected for r in results), s
            ordered = sorted(results, key=lambda r: r.wall)
            median = ordered[len(ordered) // 2]
            path = out / f"{wname}-{s}-{tag}.json"
            what = f"sleep_async(0), {len(args)} task(s)" if s == "asyncio" else words
            save_run(median, path, note=note, workload=what, walls=[r.wall for r in results],
                     machine=machine)
            written.append(path)
            print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
                  f"median wall {median.wall * 1e3:.1f} ms of {len(results)}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "book" / "reference")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--note", default="")
    parser.add_argument("--one-cpu", choices=("yes", "no"), default="yes",
                        help="also record under taskset -c 0 (default yes, where taskset exists)")
    parser.add_argument("--plugins", choices=("yes", "no"), default="yes",
                        help="also record the Part VI strategies that are available")
    parser.add_argument("--dask", choices=("yes", "no"), default="no",
                        help="include Dask (a LocalCluster per run: slow); only with all CPUs")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.out.mkdir(parents=True, exist_ok=True)
    record(args.out, args.repeat, args.note, args.plugins == "yes", args.dask == "yes")
    if args.one_cpu == "yes" and effective_cpus() > 1:
        taskset = shutil.which("taskset")
        if taskset is None:
            print("no taskset here: the one-CPU runs are not recorded", file=sys.stderr)
            return 0
        note = "; ".join(filter(None, [args.note, "taskset -c 0"]))
        cmd = [taskset, "-c", "0", sys.executable, __file__, "--out", str(args.out),
               "--repeat", str(args.repeat), "--note", note, "--one-cpu", "no",
               "--plugins", args.plugins]
        return subprocess.run(cmd, env=dict(os.environ), timeout=600).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
