"""know_your_machine (and every chapter that sizes a pool): the environment doctor: what this machine can really run in parallel.

``os.cpu_count()`` counts the CPUs the machine has, not the ones this process
may use.  A container or a Binder pod is usually limited by an affinity mask
or a CPU quota, and a pool sized by ``os.cpu_count()`` then runs more workers
than CPUs: they take turns, and the speedup you expected never comes.
:func:`effective_cpus` takes every limit into account; every chapter sizes its
pools with it.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
from dataclasses import dataclass, fields
from pathlib import Path

#: Set this to ``spawn``, ``forkserver`` or ``fork`` to change the start method
#: every process pool uses (read when parallel_demo is imported).  The test
#: suite runs the notebooks under ``spawn`` this way, as macOS and Windows do.
START_METHOD_ENV = "PARALLEL_DEMO_START_METHOD"


@dataclass(frozen=True)
class CPUCounts:
    """Each limit on how many CPUs this process can use; ``None`` where there is none.

    Attributes:
        machine: ``os.cpu_count()``: CPUs the machine has.
        affinity: CPUs this process may be scheduled on (``sched_getaffinity``).
        quota: CPUs' worth of time the cgroup quota allows (v2 ``cpu.max`` or
            v1 CFS quota), rounded up.
        env_limit: ``CPU_LIMIT`` as set by Binder/JupyterHub, rounded up.
        effective: The smallest of these, and at least 1.
    """

    machine: int | None
    affinity: int | None
    quota: int | None
    env_limit: int | None
    effective: int


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _cgroup_v2_quota(root: Path, proc_cgroup: Path) -> int | None:
    """The tightest ``cpu.max`` on this process's cgroup and its ancestors."""
    text = _read(proc_cgroup)
    rel = None
    for line in (text or "").splitlines():
        hier, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if hier == "0" and controllers == "":
            rel = path
            break
    candidates = []
    if rel is not None:
        d = root / rel.lstrip("/")
        while True:
            candidates.append(d)
            if d == root or root not in d.parents:
                break
            d = d.parent
    candidates.append(root)  # inside a container the namespace root is our cgroup
    best: int | None = None
    for d in dict.fromkeys(candidates):
        value = _read(d / "cpu.max")
        if not value:
            continue
        quota, _, period = value.partition(" ")
        if quota == "max":
            continue
        try:
            cpus = math.ceil(int(quota) / int(period or 100_000))
        except (ValueError, ZeroDivisionError):
            continue
        best = cpus if best is None else min(best, cpus)
    return best


def _cgroup_v1_quota(root: Path) -> int | None:
    for sub in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
        quota = _read(root / sub / "cpu.cfs_quota_us")
        period = _read(root / sub / "cpu.cfs_period_us")
        if quota is None or period is None:
            continue
        try:
            q, p = int(quota), int(period)
        except ValueError:
            continue
        if q > 0 and p > 0:
            return math.ceil(q / p)
    return None


def _env_limit(environ) -> int | None:
    raw = environ.get("CPU_LIMIT")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return math.ceil(value) if value > 0 else None


def _check_path(name: str, value: object) -> None:
    """Refuse a ``value`` that is not a path (a ``str`` or a ``pathlib.Path``).

    Private helper shared by the modules that take file names; an int would be
    taken for a file descriptor by ``open`` and ``os.stat``, silently.
    """
    if isinstance(value, bool) or not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (a str or a pathlib.Path), got "
                        f"{type(value).__name__} {value!r:.60}")
    if isinstance(value, str) and not value:
        raise ValueError(f"{name} must be a path, got an empty str; pass e.g. 'values.bin'")


def cpu_counts(*, cgroup_root: str | os.PathLike = "/sys/fs/cgroup",
               proc_cgroup: str | os.PathLike = "/proc/self/cgroup",
               environ=None, affinity: int | None = None) -> CPUCounts:
    """Read every CPU limit that applies to this process.

    The keyword arguments exist for tests (fixture files, a fake
    environment); call it without arguments.
    """
    _check_path("cgroup_root", cgroup_root)
    _check_path("proc_cgroup", proc_cgroup)
    if environ is not None and not callable(getattr(environ, "get", None)):
        raise TypeError(f"environ must be a mapping of environment variables (like os.environ "
                        f"or {{'CPU_LIMIT': '2'}}), got {type(environ).__name__} {environ!r:.60}")
    if affinity is not None:
        from ._validate import check_int

        affinity = check_int("affinity", affinity, minimum=1,
                             hint="leave it out to read this process's affinity mask")
    environ = os.environ if environ is None else environ
    if affinity is None and hasattr(os, "sched_getaffinity"):
        affinity = len(os.sched_getaffinity(0))
    root = Path(cgroup_root)
    quota = _cgroup_v2_quota(root, Path(proc_cgroup))
    if quota is None:
        quota = _cgroup_v1_quota(root)
    env_limit = _env_limit(environ)
    machine = os.cpu_count()
    limits = [c for c in (machine, affinity, quota, env_limit) if c]
    return CPUCounts(machine, affinity, quota, env_limit, max(1, min(limits, default=1)))


def effective_cpus() -> int:
    """How many CPUs this process can really use: at least 1.

    The smallest of the machine's CPU count, the affinity mask, the cgroup
    CPU quota (v2 ``cpu.max``, v1 CFS) and Binder's ``CPU_LIMIT``.
    """
    return cpu_counts().effective


def default_start_method() -> str:
    """The start method a new process pool uses here, without fixing it.

    (``multiprocessing.get_start_method()`` would fix the default for the
    rest of the session, so a later ``set_start_method`` would fail.)
    """
    chosen = multiprocessing.get_start_method(allow_none=True)
    if chosen:
        return chosen
    # Documented: "The first element of the list is the default" (3.11+ lists
    # the platform default first: fork on Linux up to 3.13, forkserver from 3.14).
    return multiprocessing.get_all_start_methods()[0]


def _apply_start_method_override() -> None:
    method = os.environ.get(START_METHOD_ENV)
    if not method:
        return
    allowed = multiprocessing.get_all_start_methods()
    if method not in allowed:
        raise ValueError(
            f"{START_METHOD_ENV}={method!r} is not a start method on this platform; "
            f"use one of {', '.join(allowed)} or unset it"
        )
    multiprocessing.set_start_method(method, force=True)


def _gil_enabled() -> bool:
    check = getattr(sys, "_is_gil_enabled", None)  # 3.13+
    return True if check is None else bool(check())


def _where() -> str:
    env = os.environ
    if sys.platform == "emscripten":
        return "JupyterLite (Pyodide in the browser: no threads or processes)"
    if "BINDER_LAUNCH_HOST" in env or "BINDER_REPO_URL" in env or "BINDER_REF_URL" in env:
        return "Binder"
    if "COLAB_RELEASE_TAG" in env or "google.colab" in sys.modules:
        return "Google Colab"
    if "ipykernel" in sys.modules:
        return "a local Jupyter kernel"
    return "a plain Python process"


@dataclass(frozen=True)
class DoctorReport:
    """What the doctor found.  ``print(report)`` shows it as a table."""

    python: str
    implementation: str
    platform: str
    free_threaded_build: bool
    gil_enabled: bool
    start_method: str
    start_methods: tuple[str, ...]
    cpus_machine: int | None
    cpus_affinity: int | None
    cpus_quota: int | None
    cpus_env_limit: int | None
    effective_cpus: int
    where: str

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs, in the order the book explains them."""
        def show(v):
            if v is None:
                return "no limit"
            if isinstance(v, bool):
                return "yes" if v else "no"
            if isinstance(v, tuple):
                return ", ".join(v)
            return str(v)

        labels = {
            "python": "Python",
            "implementation": "implementation",
            "platform": "operating system",
            "free_threaded_build": "free-threaded build",
            "gil_enabled": "GIL enabled",
            "start_method": "default start method",
            "start_methods": "available start methods",
            "cpus_machine": "CPUs in the machine (os.cpu_count)",
            "cpus_affinity": "CPUs we may run on (affinity)",
            "cpus_quota": "CPU quota (cgroup)",
            "cpus_env_limit": "CPU_LIMIT (Binder)",
            "effective_cpus": "effective CPUs",
            "where": "running in",
        }
        return [(labels[f.name], show(getattr(self, f.name))) for f in fields(self)]

    def __str__(self) -> str:
        rows = self.rows()
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def doctor() -> DoctorReport:
    """Examine this interpreter and machine; see :class:`DoctorReport`."""
    # Imported here, not at the top: every worker process imports this module
    # (through parallel_demo), and pays for each import it makes.
    import platform
    import sysconfig

    counts = cpu_counts()
    return DoctorReport(
        python=platform.python_version(),
        implementation=platform.python_implementation(),
        platform=f"{platform.system()} {platform.machine()}",
        free_threaded_build=bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        gil_enabled=_gil_enabled(),
        start_method=default_start_method(),
        start_methods=tuple(multiprocessing.get_all_start_methods()),
        cpus_machine=counts.machine,
        cpus_affinity=counts.affinity,
        cpus_quota=counts.quota,
        cpus_env_limit=counts.env_limit,
        effective_cpus=counts.effective,
        where=_where(),
    )




def time_strategies(fn, items, strategies=("sequential", "thread_pool", "process_pool"), *,
                    workers: int | None = None, repeat: int = 3, warmup: int = 0):
    """Run ``fn`` over ``items`` with each strategy, in turns, ``repeat`` times.

    Returns:
        ``(timed, runs)``: ``{strategy: Measurement}`` of every run's wall
        time (from :func:`~parallel_demo.timing.interleaved`, for
        :func:`~parallel_demo.verdict.compare`), and ``{strategy: RunResult}``,
        the least disturbed run of each (the shortest), for the timelines.
    """
    from ._validate import check_items
    from .strategies import run
    from .timing import interleaved

    items = check_items("items", items)
    if not items:
        raise ValueError("items is empty: give the tasks to run")
    strategies = tuple(strategies)
    if not strategies:
        raise ValueError("strategies is empty: name at least one, e.g. ('sequential',)")
    kept: dict[str, list] = {s: [] for s in strategies}

    def case(s: str):
        def go():
            kept[s].append(run(s, fn, items, workers=None if s == "sequential" else workers))
        return go

    timed = interleaved({s: case(s) for s in strategies}, repeat=repeat, warmup=warmup)
    return timed, {s: min(kept[s], key=lambda r: r.wall) for s in strategies}
