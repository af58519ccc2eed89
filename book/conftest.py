"""nbval, per notebook: the kernel must end clean (the gate "no hangs, no orphans").

pytest loads this file for every notebook it collects under ``book/`` (``make
test-notebooks`` runs ``pytest --nbval ... book``), so no flag is needed.  After
the last cell of each notebook, while its kernel is still running, it checks
that the notebook left behind:

* no child process of the kernel (what multiprocessing keeps for the kernel's
  whole life, the forkserver and the resource tracker, is not the notebook's);
* no non-daemon thread in the kernel (asked inside the kernel, silently);
* no listening TCP socket of the kernel or its children, other than the five
  ZMQ ports the kernel talks to Jupyter on.

A leak fails the teardown of the notebook's last cell, naming what is left.
Everything is given a short grace period first: a pool's worker exits a
moment after ``shutdown``.

With ``PARALLEL_DEMO_NB_TIMES=FILE`` set, it also writes each notebook's wall
time (kernel start to last cell) to ``FILE`` as JSON (``tools/flake_runner.py``
and ``python -m parallel_demo bench --notebooks`` read it).
"""

from __future__ import annotations

import json
import os
import time

import pytest

GRACE = 3.0  # seconds a leftover gets to end before it counts

# Processes multiprocessing starts once and keeps for the kernel's lifetime.
_KEPT_FOR_LIFE = ("multiprocessing.forkserver", "multiprocessing.resource_tracker")

# Non-daemon threads that libraries start once and keep for the life of the
# process, not the notebook's to stop: distributed's offload and comm executors
# (a Dask Client imports them; they end when the kernel does).
_FOREIGN_THREADS = ("Dask-Offload", "TCP-Executor")

# Runs inside the kernel, silently (no output, no history, at the end of the
# notebook): the names of non-daemon threads other than the main one, after a
# grace period for threads on their way out.
_IN_KERNEL = """
def __nbval_leftover_threads(grace={grace}):
    import threading, time
    deadline = time.monotonic() + grace
    while True:
        left = [t.name for t in threading.enumerate()
                if t.is_alive() and not t.daemon and t is not threading.main_thread()
                and not t.name.startswith({foreign!r})]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)
"""

_notebook_start: dict[str, float] = {}
_notebook_times: dict[str, float] = {}


def _is_nbval_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell" and getattr(item.parent, "kernel", None) is not None


def _last_cell_of_notebook(item, nextitem) -> bool:
    return nextitem is None or nextitem.parent is not item.parent


_baseline_ports: dict[str, set[int]] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    # The first cell's setup starts the notebook's kernel: time from there, and
    # note the ports the kernel listens on before any cell ran (its own ZMQ
    # sockets, and one ipykernel opens for itself).
    key = str(getattr(item.parent, "path", item.parent.name))
    first = type(item).__name__ == "IPyNbCell" and key not in _notebook_start
    if first:
        _notebook_start[key] = time.perf_counter()
    result = yield
    if first and _is_nbval_cell(item):
        pid = _kernel_pid(item.parent.kernel)
        _baseline_ports[key] = _kernel_ports(item.parent.kernel) | _listening_ports(pid)
    return result


def _listening_ports(pid: int | None) -> set[int]:
    try:
        import psutil
    except ImportError:
        return set()

    try:
        proc = psutil.Process(pid)
        conns = proc.net_connections(kind="inet") if hasattr(proc, "net_connections") \
            else proc.connections(kind="inet")
    except (psutil.Error, TypeError, ValueError):
        return set()
    return {c.laddr.port for c in conns if c.status == psutil.CONN_LISTEN}


def _kernel_pid(kernel) -> int | None:
    km = kernel.km
    provisioner = getattr(km, "provisioner", None)
    pid = getattr(provisioner, "pid", None) or getattr(getattr(provisioner, "process", None), "pid", None)
    if pid is None and getattr(km, "kernel", None) is not None:
        pid = km.kernel.pid
    return pid


def _kernel_ports(kernel) -> set[int]:
    info = kernel.km.get_connection_info()
    return {int(info[k]) for k in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
            if info.get(k)}


def _process_leftovers(pid: int, ports: set[int]) -> tuple[list[str], list[str]]:
    import psutil

    kernel = psutil.Process(pid)
    deadline = time.monotonic() + GRACE
    while True:
        children, sockets = [], []
        try:
            procs = kernel.children(recursive=True)
        except psutil.NoSuchProcess:
            return [], []
        for child in procs:
            try:
                cmdline = " ".join(child.cmdline())
                if child.status() == psutil.STATUS_ZOMBIE:
                    continue
            except psutil.Error:
                continue  # ended meanwhile
            if any(kept in cmdline for kept in _KEPT_FOR_LIFE):
                continue
            children.append(f"pid {child.pid}: {cmdline[:120]}")
        for proc in [kernel, *procs]:
            try:
                conns = proc.net_connections(kind="inet") if hasattr(proc, "net_connections") \
                    else proc.connections(kind="inet")
            except psutil.Error:
                continue
            for c in conns:
                if c.status == psutil.CONN_LISTEN and not (proc is kernel and c.laddr.port in ports):
                    sockets.append(f"pid {proc.pid} listens on {c.laddr.ip}:{c.laddr.port}")
        if (not children and not sockets) or time.monotonic() > deadline:
            return children, sockets
        time.sleep(0.1)


def _kernel_threads(kernel, timeout: float = 30.0) -> list[str] | None:
    """Non-daemon threads left in the kernel, or None if the kernel did not answer."""
    from queue import Empty

    kc = kernel.kc
    msg_id = kc.execute(_IN_KERNEL.format(grace=GRACE, foreign=_FOREIGN_THREADS), silent=True, store_history=False,
                        user_expressions={"left": "__nbval_leftover_threads()"})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        except Empty:
            break
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        result = msg["content"].get("user_expressions", {}).get("left", {})
        if result.get("status") != "ok":
            return [f"(the check failed in the kernel: {result.get('ename')}: {result.get('evalue')})"]
        import ast

        return ast.literal_eval(result["data"]["text/plain"])
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # Look before pytest's own teardown stops the kernel; fail after it, so
    # that the kernel is stopped whatever was found.
    problems = []
    if _is_nbval_cell(item) and _last_cell_of_notebook(item, nextitem):
        key = str(getattr(item.parent, "path", item.parent.name))
        if key in _notebook_start:
            _notebook_times[key] = time.perf_counter() - _notebook_start[key]
        if item.parent.kernel.is_alive():  # if it died, the cells that failed say so
            problems = _leftovers(item.parent.kernel, _baseline_ports.get(key, set()))
    result = yield
    if problems:
        pytest.fail(f"{item.parent.name} left things running after its last cell: "
                    + "; ".join(problems), pytrace=False)
    return result


def _leftovers(kernel, ports: set[int]) -> list[str]:
    problems = []
    threads = _kernel_threads(kernel)
    if threads is None:
        problems.append("the kernel did not answer the leftover check within 30 s")
    elif threads:
        problems.append(f"non-daemon thread(s) still running in the kernel: {threads}")
    pid = _kernel_pid(kernel)
    try:
        import psutil  # noqa: F401  (comes with distributed, in requirements.txt)
    except ImportError:
        import warnings

        warnings.warn("psutil is not installed: the kernel's child processes and sockets "
                      "are not checked")
        pid = None
    if pid is not None:
        children, sockets = _process_leftovers(pid, ports | _kernel_ports(kernel))
        if children:
            problems.append(f"child process(es) of the kernel still running: {children}")
        if sockets:
            problems.append(f"listening socket(s) still open: {sockets}")
    return problems


def pytest_sessionfinish(session):
    path = os.environ.get("PARALLEL_DEMO_NB_TIMES")
    if path and _notebook_times:
        old = {}
        if os.path.exists(path):
            try:
                with open(path) as f:
                    old = json.load(f)
            except ValueError:
                old = {}
        old.update(_notebook_times)
        with open(path, "w") as f:
            json.dump(old, f, indent=1, sort_keys=True)
