"""Why is it stuck? For the synchronization-primitives chapter: stacks of waiting threads.

:class:`StuckProgram` starts two threads that wait for ever (until released, or
a deadline); :func:`stacks`, :func:`dump_all_threads` (``faulthandler``) and
:func:`py_spy_dump` (``py-spy dump``, from outside) show where they wait.
"""

from __future__ import annotations

import faulthandler
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from typing import Sequence

from ._hang import join_threads, wait_until
from ._validate import check_int, check_items, check_seconds
from .deadlock import where_threads_wait


STEP_TIMEOUT = 5.0  # seconds any one step here may take before it gives up
# where_threads_wait's lines read "file.py:LINE in FUNCTION: source"
_FUNCTION = re.compile(r".*?:\d+ in (.*?): ")


def _check_names(names: object) -> list[str] | None:
    """``names`` as a list of thread names, or None; a lone string is refused, not split."""
    if names is None:
        return None
    if isinstance(names, str):
        raise TypeError(f"names must be a list of thread names, got the str {names!r:.60}; "
                        f"wrap a single name in a list: [{names!r:.60}]")
    names = check_items("names", names)
    for n in names:
        if not isinstance(n, str):
            raise TypeError(f"names must hold thread names (str), e.g. StuckProgram.NAMES; got "
                            f"{type(n).__name__} {n!r:.60} in it")
    return names


class StuckProgram:
    """Two threads that wait for something that does not come, until the book releases them.

    ``with StuckProgram() as stuck:`` starts ``stuck-consumer`` (blocked in
    ``queue.get``) and ``stuck-waiter`` (blocked in ``Event.wait``); leaving
    the block puts the item and sets the event, and joins both.  Each wait also
    has a deadline (``release_after`` seconds), so even a kernel that never
    leaves the block is freed.
    """

    NAMES = ("stuck-consumer", "stuck-waiter")

    def __init__(self, release_after: float = 20.0) -> None:
        self.release_after = check_seconds("release_after", release_after, maximum=60.0)
        self._q: queue.Queue = queue.Queue()
        self._event = threading.Event()
        self._threads: list[threading.Thread] = []
        self.threads_left: list[str] = []

    def _consume(self) -> None:
        self._q.get(timeout=self.release_after)

    def _wait_for_signal(self) -> None:
        self._event.wait(self.release_after)

    def __enter__(self) -> "StuckProgram":
        self._threads = [threading.Thread(target=self._consume, name=self.NAMES[0], daemon=True),
                         threading.Thread(target=self._wait_for_signal, name=self.NAMES[1], daemon=True)]
        for t in self._threads:
            t.start()
        # "stuck" = both are inside their blocking call (their innermost frames say so)
        wait_until(lambda: all(n in stacks() and stacks()[n][-1] in ("wait",)
                               for n in self.NAMES), STEP_TIMEOUT)
        return self

    def __exit__(self, *exc: object) -> None:
        self._q.put("the item it waited for")
        self._event.set()
        self.threads_left = [t.name for t in join_threads(self._threads, STEP_TIMEOUT)]

    @property
    def idents(self) -> dict[int, str]:
        return {t.ident: t.name for t in self._threads if t.ident is not None}


def stacks(names: Sequence[str] | None = None) -> dict[str, list[str]]:
    """``{thread name: function names, outermost first}`` for the other live threads.

    Only the innermost frames (as many as :func:`~parallel_demo.deadlock.where_threads_wait`
    reads) are kept: that function is the one walk over ``sys._current_frames()``;
    this one keeps just the function names and, with ``names``, only those threads.
    """
    names = _check_names(names)
    threads = [t for t in threading.enumerate() if names is None or t.name in names]
    if not threads:
        return {}
    return {name: [_FUNCTION.match(line).group(1) for line in lines]
            for name, lines in where_threads_wait(threads).items()}


def dump_all_threads(names: Sequence[str] | None = None) -> str:
    """``faulthandler.dump_traceback(all_threads=True)`` into a real temp file, read back.

    faulthandler writes to a file descriptor (Jupyter's ``sys.stderr`` has
    none).  With ``names``, keep only those threads' sections (faulthandler
    names threads by ident; this maps idents to names).
    """
    names = _check_names(names)
    with tempfile.TemporaryFile("w+") as f:
        faulthandler.dump_traceback(file=f, all_threads=True)
        f.seek(0)
        text = f.read()
    if names is None:
        return text
    wanted = {f"{ident:#018x}": name for ident, name in
              ((t.ident, t.name) for t in threading.enumerate()) if name in names}
    keep, out = False, []
    for line in text.splitlines():
        if line.startswith(("Thread 0x", "Current thread 0x")):
            ident = line.split()[1] if line.startswith("Thread") else line.split()[2]
            keep = ident in wanted
            if keep:
                line = line.replace(" (most recent call first):", f" [{wanted[ident]}], most recent call first:")
        if keep:
            out.append(line)
    return "\n".join(out)


def py_spy_path() -> str | None:
    """Where ``py-spy`` is: on PATH, or beside this Python (a venv's bin/)."""
    here = os.path.dirname(sys.executable)
    return shutil.which("py-spy", path=os.pathsep.join([here, os.environ.get("PATH", "")]))


def py_spy_dump(pid: int | None = None, names: Sequence[str] | None = None,
                timeout: float = 10.0) -> str:
    """Run ``py-spy dump --pid PID`` (this process by default) and return its text.

    With ``names``, keep only those threads' sections.  Raises
    ``FileNotFoundError`` when py-spy is not installed.
    """
    pid = os.getpid() if pid is None else check_int("pid", pid, minimum=1)
    names = _check_names(names)
    timeout = check_seconds("timeout", timeout, maximum=60)
    exe = py_spy_path()
    if exe is None:
        raise FileNotFoundError("py-spy is not installed: pip install py-spy")
    done = subprocess.run([exe, "dump", "--pid", str(pid)], capture_output=True, text=True,
                          timeout=timeout)
    text = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout or done.stderr)  # ipykernel sets FORCE_COLOR
    if names is None:
        return text
    keep, out = False, []
    for line in text.splitlines():
        if line.startswith("Thread "):
            keep = any(f'"{n}"' in line for n in names)
        if keep:
            out.append(line)
    return "\n".join(out)


def explain_py_spy(spy: str | None, pid: int | None = None) -> str:
    """What to show for the py-spy step: its dump, or how to get one (plain text)."""
    if spy is not None:
        return spy
    pid = os.getpid() if pid is None else check_int("pid", pid, minimum=1)
    return ("py-spy is not installed here. Install it with `pip install py-spy`, then, while a "
            f"program is stuck, run in another terminal:\n    py-spy dump --pid {pid}\n"
            "(this kernel's pid; on Linux it may need sudo, or ptrace permission)")
