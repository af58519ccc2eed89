"""parallel_demo: run, time and draw concurrent Python, for the book.

The public names are re-exported here; see each module for the details.
"""

from .env import CPUCounts, Report, cpu_counts, default_start_method, doctor, effective_cpus
from .env import _apply_start_method_override
from .strategies import STRATEGIES, register_strategy, run
from .timing import Measurement, SpeedupRow, format_speedups, measure, speedups, sweep_workers
from .trace import RunResult, TaskRecord, Trace, now, relabel, worker_labels
from .workloads import (
    calibrate_spin,
    count_primes,
    hash_bytes,
    is_prime,
    large_primes,
    mixed_numbers,
    primes_in,
    sleep_task,
    spin,
)
from .exercises import CheckResult, check_parallelism, check_tasks_per_worker

# Chapters add their modules' public names below, one block per chapter group.
# --- Part II: threads, processes, I/O and the GIL ---
# --- Part III: races, deadlock, starvation ---
# --- Part IV/V: the prime example, futures, processes ---

# Charts need matplotlib, which takes a noticeable time to import.  Worker
# processes started with `spawn` or `forkserver` import this package to find
# their task function, and should not pay for plotting they never do, so
# chart names are loaded on first use (PEP 562).
_LAZY = {
    "PALETTE": "charts", "plot_comparison": "charts", "plot_speedup": "charts",
    "plot_timeline": "charts", "plot_timelines": "charts", "plot_timeline_grid": "charts",
    "worker_color": "charts",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'parallel_demo' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


_apply_start_method_override()

__version__ = "0.1.0"

__all__ = [
    "CPUCounts", "Report", "cpu_counts", "default_start_method", "doctor", "effective_cpus",
    "STRATEGIES", "register_strategy", "run",
    "Measurement", "SpeedupRow", "format_speedups", "measure", "speedups", "sweep_workers",
    "RunResult", "TaskRecord", "Trace", "now", "relabel", "worker_labels",
    "calibrate_spin", "count_primes", "hash_bytes", "is_prime", "large_primes", "mixed_numbers",
    "primes_in", "sleep_task", "spin",
    "PALETTE", "plot_comparison", "plot_speedup", "plot_timeline", "plot_timelines",
    "plot_timeline_grid", "worker_color",
    "CheckResult", "check_parallelism", "check_tasks_per_worker",
]
