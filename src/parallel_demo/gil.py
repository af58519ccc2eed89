"""threads_and_the_gil (also race_conditions): the switch interval, set for a block and restored.

CPython's global interpreter lock (GIL) lets one thread at a time run Python
bytecode.  A thread that wants the GIL asks the holder to drop it; the holder
does so after at most ``sys.getswitchinterval()`` seconds (5 ms by default).
Code that waits (sleep, sockets, files) or works on big buffers in C
(hashlib, zlib, NumPy) releases the GIL while it does, so other threads run
meanwhile.  A free-threaded build (3.13t, 3.14t) has no GIL at all unless an
extension turns it back on; :func:`parallel_demo.doctor` tells which you have.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

from ._validate import check_seconds


@contextmanager
def switch_interval(seconds: float) -> Iterator[float]:
    """Set ``sys.setswitchinterval(seconds)`` for the ``with`` block, then restore it.

    The interval is how long a thread may keep the GIL while another thread
    is waiting for it.  Yields the previous value.
    """
    check_seconds("seconds", seconds)
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield previous
    finally:
        sys.setswitchinterval(previous)


