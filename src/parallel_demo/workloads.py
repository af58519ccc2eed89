"""every chapter: tasks to run: CPU-bound, I/O-bound, and the prime check the book is built on.

Everything here is a plain module-level function, so a process pool can
pickle it by name under every start method (``fork``, ``spawn`` and
``forkserver``).  A function defined in a notebook cannot be sent to a
``spawn``/``forkserver`` worker: the worker re-imports ``__main__`` and finds
no such name.  That is why the chapters import their tasks from here.
"""

from __future__ import annotations

import math
import time

from ._validate import check_int as _check_int
from ._validate import check_items, check_seconds


def is_prime(n: int) -> bool:
    """Return True if ``n`` is a prime number, by trial division.

    The readable version the chapters teach: rule out 2 and 3, then try only
    divisors of the form 6k - 1 and 6k + 1 up to the square root of ``n``
    (every prime above 3 has that form).  It costs about sqrt(n)/3 divisions,
    so numbers near 10**11 take tens of milliseconds: enough work to see on
    a timeline.

    Args:
        n: The number to test.  Numbers below 2 are not prime.

    Raises:
        TypeError: ``n`` is not an int (``"7"``, ``7.0`` and ``True`` are refused).
    """
    n = _check_int("n", n)
    if n < 2:
        return False
    if n < 4:
        return True  # 2 and 3
    if n % 2 == 0 or n % 3 == 0:
        return False
    d = 5
    while d * d <= n:
        if n % d == 0 or n % (d + 2) == 0:
            return False
        d += 6
    return True


def primes_in(numbers) -> list[int]:
    """The primes among ``numbers``, in the order given."""
    numbers = check_items("numbers", numbers)
    return [n for n in numbers if is_prime(n)]


def large_primes(count: int, near: int = 10**11) -> list[int]:
    """The first ``count`` primes at or above ``near``: a CPU-bound batch.

    Each costs :func:`is_prime` its full sqrt(n)/3 divisions, so the batch's
    cost grows with ``count`` and with ``sqrt(near)``, and is the same on every
    run.  Found with :func:`is_prime` itself.
    """
    # The maximum refuses a typo such as 10**30 that would run for ever.
    count = _check_int("count", count, maximum=10**6)
    near = _check_int("near", near)
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    out: list[int] = []
    n = max(near, 2)
    while len(out) < count:
        if is_prime(n):
            out.append(n)
        n += 1
    return out


def mixed_numbers(count: int, near: int = 10**11, seed: int = 0) -> list[int]:
    """``count`` numbers near ``near``: about half large primes, half composites.

    The composites are cheap (a small factor is found at once) and the primes
    dear, so the tasks have very uneven costs, as real work does.
    Deterministic for a given seed.
    """
    import random

    rng = random.Random(seed)
    primes = large_primes((count + 1) // 2, near)
    composites = [p + 1 for p in primes][: count // 2]  # p + 1 is even: cheap to reject
    numbers = primes + composites
    rng.shuffle(numbers)
    return numbers


def spin(iterations: int) -> int:
    """Pure-Python busy loop: holds the GIL the whole time.

    Returns a checksum so the loop cannot be optimised away and the result
    can be checked.
    """
    # The maximum (minutes of work) refuses a typo that would look like a hang.
    iterations = _check_int("iterations", iterations, maximum=10**10)
    if iterations < 0:
        raise ValueError(f"iterations must be >= 0, got {iterations}")
    total = 0
    for i in range(iterations):
        total = (total + i * i) % 1_000_003
    return total


def count_primes(start: int, stop: int) -> int:
    """How many primes lie in ``range(start, stop)``: a CPU-bound chunk of work."""
    start = _check_int("start", start)
    stop = _check_int("stop", stop)
    if stop - start > 10**8:  # hours of work: a typo, not a demo
        raise ValueError(f"stop must be at most start + 10**8 ({start + 10**8}), got {stop}; "
                         "split a larger range into chunks")
    return sum(1 for n in range(start, stop) if is_prime(n))


def spin_for(seconds: float) -> int:
    """Keep the CPU (and, on a GIL build, the GIL) busy for ``seconds``; returns the rounds spun.

    The CPU-bound twin of :func:`sleep_task`: a fixed time rather than a fixed
    amount of work (:func:`spin`), for demos where work is done while holding
    a lock or blocking an event loop.
    """
    check_seconds("seconds", seconds, allow_zero=True)
    end = time.perf_counter() + seconds
    rounds = 0
    while time.perf_counter() < end:
        rounds += 1
    return rounds


def sleep_task(seconds: float) -> float:
    """Simulated I/O: wait ``seconds`` without using the CPU; returns ``seconds``.

    While a thread sleeps it releases the GIL, just as it does while waiting
    on a socket or a disk.
    """
    check_seconds("seconds", seconds, allow_zero=True, maximum=600)
    time.sleep(seconds)
    return seconds


def hash_bytes(size: int, rounds: int = 1) -> str:
    """SHA-256 of ``size`` bytes, ``rounds`` times: CPU work that releases the GIL.

    hashlib releases the GIL while it hashes buffers larger than 2 KiB, so
    several threads running this do use several CPUs.  Returns the hex digest.
    """
    import hashlib  # here, not at the top: workers that never hash should not load OpenSSL

    size = _check_int("size", size, minimum=0, maximum=2**30)  # 1 GiB: far above calibrate_hash
    rounds = _check_int("rounds", rounds, minimum=1)
    data = bytes(size)
    digest = b""
    for _ in range(rounds):
        digest = hashlib.sha256(data).digest()
    return digest.hex()


def calibrate_spin(seconds: float, *, trials: int = 3) -> int:
    """How many :func:`spin` iterations take about ``seconds`` on this machine.

    Chapters size their CPU-bound tasks with this, so a demo takes the same
    time on a fast laptop and on a slow shared Binder machine.  Returns at
    least 1000.
    """
    check_seconds("seconds", seconds)
    return max(1000, int(seconds / _seconds_per_unit(spin, 20_000, trials)))


def _seconds_per_unit(task, probe: int, trials: int) -> float:
    """The best of ``trials`` timings of ``task(probe)``, divided by ``probe``."""
    _check_int("trials", trials, minimum=1)
    best = math.inf
    for _ in range(trials):
        t0 = time.perf_counter()
        task(probe)
        best = min(best, time.perf_counter() - t0)
    return max(best, 1e-9) / probe


def crash_process(exit_code: int = 1) -> None:
    """End the calling *process* at once, as a segfault or an out-of-memory kill would.

    ``os._exit`` skips every ``finally`` and cleanup, so from the outside it
    looks like a crash.  Sent to a process pool, it shows that one dead
    worker breaks the whole pool (``BrokenProcessPool``) while the parent
    lives on.  Refuses to run in the main process of an interactive session,
    where it would kill your kernel.
    """
    import multiprocessing
    import os

    exit_code = _check_int("exit_code", exit_code)
    if multiprocessing.parent_process() is None:
        raise RuntimeError(
            "crash_process() would end this main process (your notebook kernel); "
            "send it to a worker process instead, e.g. run('process_pool', crash_process, [1])"
        )
    os._exit(exit_code)


def calibrate_hash(seconds: float, *, trials: int = 3) -> int:
    """How many bytes :func:`~parallel_demo.workloads.hash_bytes` hashes in about ``seconds``.

    The counterpart of :func:`~parallel_demo.workloads.calibrate_spin` for the
    task that releases the GIL, so the two can be compared task for task.
    Returns a size of at least 64 KiB and at most 256 MiB.
    """
    check_seconds("seconds", seconds)
    per_byte = _seconds_per_unit(hash_bytes, 4 * 2**20, trials)
    return int(min(256 * 2**20, max(64 * 2**10, seconds / per_byte)))


def loaded_modules(packages) -> list[str]:
    """Task: the modules of ``packages`` (top-level names) this process has imported.

    The book and its tests send it to a worker to show what a worker paid for.
    """
    import sys

    wanted = set(check_items("packages", packages)) | {"parallel_demo"}
    return sorted(m for m in sys.modules if m.split(".")[0] in wanted)
