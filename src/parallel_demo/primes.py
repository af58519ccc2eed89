"""Part IV (primes_sequential ... primes_what_it_shows): the prime example, built up: the four teaching versions and the measurements around them.

Part IV of the book retells a blog post that checks a list of numbers for
primality four ways: a plain loop in a class, one ``threading.Thread``
subclass per number, four worker threads draining a ``queue.Queue`` with a
lock around the shared output, and a ``ThreadPoolExecutor``.  Each version
here is written to be *read* (the chapters show its source), and each
returns a :class:`PrimeRun`: the primes it found, in the order it produced
them, plus one :class:`~parallel_demo.trace.TaskRecord` per number, so every
timeline in the book is drawn from a real run.

The last chapter grows the input and adds processes: :func:`sweep_input`,
:func:`sweep_chunksize` and :func:`crossover` measure where process
start-up stops dominating.
"""

from __future__ import annotations

import queue
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Mapping, Sequence

from ._hang import JOIN_TIMEOUT, join_threads
from ._validate import check_int as _check_int
from .timing import Measurement, interleaved, measure_pool_map
from .trace import RunResult, Trace, now, relabel
from .workloads import is_prime

#: Ten numbers of assorted sizes, small enough that checking all of them
#: takes microseconds: the scale of the post's example.
SMALL_NUMBERS: tuple[int, ...] = (2, 17, 91, 97, 561, 7_919, 10_007, 65_537, 104_729, 999_983)

#: The wall times (seconds) the post reports for its four versions, one run each.
POST_FIGURES: dict[str, float] = {
    "sequential": 0.0003110579855274409,
    "thread per number": 0.003693028003908694,
    "four threads + queue": 0.0011432539904490113,
    "ThreadPoolExecutor": 0.0028543049993459135,
}

# No demo may hang: every join waits at most this long, then complains.


@dataclass(frozen=True, repr=False)
class PrimeRun(RunResult):
    """What one teaching version did: a :class:`RunResult` with two extras.

    Unlike :func:`parallel_demo.run`, ``results`` is the *output list the
    version built*: the primes it found, in the order it produced them
    (which for threads may not be input order).  ``records`` are still one
    per number, in input order.

    Attributes:
        numbers: The input.
        order: Input positions in the order their results reached the caller.
    """

    numbers: tuple[int, ...] = ()
    order: tuple[int, ...] = ()

    @property
    def completion_order(self) -> list[int]:
        """Input positions in the order their tasks *finished* (by record end time)."""
        return [r.index for r in sorted(self.records, key=lambda r: (r.end, r.index))]

    def __repr__(self) -> str:
        return (f"PrimeRun({self.strategy!r}, workers={self.workers}, "
                f"numbers={len(self.numbers)}, primes found={len(self.results)})")


def _check_numbers(numbers: Iterable[int]) -> tuple[int, ...]:
    try:
        numbers = tuple(numbers)
    except TypeError:
        raise TypeError(
            f"numbers must be an iterable of ints, got {type(numbers).__name__}") from None
    return tuple(_check_int("each number", n) for n in numbers)


def _check_workers(workers: int) -> int:
    return _check_int("workers", workers, minimum=1, maximum=256)


def _join_all(threads: Sequence[threading.Thread], timeout: float = JOIN_TIMEOUT) -> None:
    """Join every started thread against one deadline; complain instead of hanging."""
    stuck = join_threads(threads, timeout)
    if stuck:
        raise RuntimeError(f"threads still running after {timeout:.0f} s: "
                           f"{', '.join(t.name for t in stuck)}")


# ---------------------------------------------------------------------------
# 1. The synchronous way: a class that loops.

# Shown in the book (primes_sequential) with inspect.getsource: keep it as the chapter reads it;
# its near-twins elsewhere are deliberate, not duplicates to merge.
class PrimeCheck:
    """Check a list of numbers one after the other, in the calling thread."""

    def __init__(self, numbers: Iterable[int]):
        self.numbers = _check_numbers(numbers)

    def primes(self, trace: Trace | None = None) -> list[int]:
        """The primes among the numbers, in input order."""
        found = []
        for i, n in enumerate(self.numbers):
            check = trace.wrap(is_prime, i, label=str(n)) if trace else is_prime
            if check(n):
                found.append(n)
        return found


def primes_sequential(numbers: Iterable[int] = SMALL_NUMBERS) -> PrimeRun:
    """Way 1: :class:`PrimeCheck` in a plain loop.  One lane, no threads."""
    checker = PrimeCheck(numbers)
    with Trace() as trace:
        found = checker.primes(trace)
    records = [replace(r, worker="main thread") for r in trace.records]
    return PrimeRun("sequential", 1, found, records, trace.wall, trace.start,
                     numbers=checker.numbers, order=tuple(range(len(checker.numbers))))


# ---------------------------------------------------------------------------
# 2. One thread per number: subclass threading.Thread and override run().

# Shown in the book (primes_thread_per_number) with inspect.getsource: keep it as the chapter reads it;
# its near-twins elsewhere are deliberate, not duplicates to merge.
class PrimeThread(threading.Thread):
    """A thread that checks one number.

    ``start()`` asks the operating system for a new thread, which then calls
    ``run()``; the answer is kept on the object, so the parent reads
    ``thread.is_prime`` after ``join()``.  Each thread writes only its own
    attribute, so no lock is needed.
    """

    def __init__(self, number: int, index: int = 0, trace: Trace | None = None):
        super().__init__(name=f"prime-{index}")
        self.number = number
        self.index = index
        self.trace = trace
        self.is_prime: bool | None = None  # set by run(); read it after join()
        self.submitted = now()

    def run(self) -> None:
        start = now()
        self.is_prime = is_prime(self.number)
        if self.trace is not None:
            self.trace.record(self.index, start, now(), worker=f"thread {self.index}",
                              label=str(self.number), submitted=self.submitted)


# Shown in the book (primes_thread_per_number) with inspect.getsource: keep it as the chapter reads it;
# its near-twins elsewhere are deliberate, not duplicates to merge.
def primes_thread_per_number(numbers: Iterable[int] = SMALL_NUMBERS) -> PrimeRun:
    """Way 2: a brand-new :class:`PrimeThread` for every number, then join them all."""
    numbers = _check_numbers(numbers)
    with Trace() as trace:
        threads = [PrimeThread(n, i, trace) for i, n in enumerate(numbers)]
        try:
            for t in threads:
                t.start()
        finally:
            _join_all(threads)
        found = [t.number for t in threads if t.is_prime]
    return PrimeRun("thread per number", len(numbers), found, trace.records, trace.wall,
                    trace.start, numbers=numbers, order=tuple(range(len(numbers))))


# ---------------------------------------------------------------------------
# 3. A fixed crew of threads drains a queue; a lock guards the shared output.

# Shown in the book (primes_queue_and_lock) with inspect.getsource: keep it as the chapter reads it;
# its near-twins elsewhere are deliberate, not duplicates to merge.
class PrimeOutput:
    """Where the workers put the primes they find: slots plus a fill mark.

    Adding a prime takes three steps: read the mark, write the slot it
    points at, move the mark.  Two threads that interleave those steps can
    both read the same mark and write the same slot: one prime is lost.
    That is the critical section the lock must cover.
    """

    def __init__(self, capacity: int):
        self.slots: list[int | None] = [None] * capacity
        self.filled = 0  # slots[:filled] hold the primes found so far

    def add(self, n: int, *, pause: bool = False) -> None:
        """Store ``n`` in the next free slot.

        Args:
            pause: Call ``time.sleep(0)`` between reading the mark and
                writing the slot.  It lets another thread run at exactly the
                worst moment, so an unprotected race shows on every run,
                instead of once in a while.
        """
        k = self.filled          # 1. where is the next free slot?
        if pause:
            time.sleep(0)        #    (a thread switch here is what hurts)
        self.slots[k] = n        # 2. fill it
        self.filled = k + 1      # 3. move the mark

    @property
    def primes(self) -> list[int]:
        return list(self.slots[: self.filled])


# Shown in the book (primes_queue_and_lock) with inspect.getsource: keep it as the chapter reads it;
# its near-twins elsewhere are deliberate, not duplicates to merge.
def primes_queue_workers(numbers: Iterable[int] = SMALL_NUMBERS, workers: int = 4, *,
                         use_lock: bool = True, pause: bool = False) -> PrimeRun:
    """Way 3: ``workers`` threads take numbers from a queue until it is empty.

    Args:
        use_lock: Hold a lock while adding to the shared :class:`PrimeOutput`.
            ``False`` is the "without the lock" demo.
        pause: Passed to :meth:`PrimeOutput.add`: makes the race reliable.
    """
    numbers = _check_numbers(numbers)
    workers = _check_workers(workers)
    tasks: queue.Queue[tuple[int, int]] = queue.Queue()
    for i, n in enumerate(numbers):
        tasks.put((i, n))  # all work is queued before any worker starts
    output = PrimeOutput(len(numbers))
    lock = threading.Lock()  # must be held while calling output.add
    order: list[int] = []    # list.append is a single step: safe without the lock

    def worker(trace: Trace) -> None:
        while True:
            try:
                i, n = tasks.get_nowait()  # never get() without a timeout: it could wait forever
            except queue.Empty:
                return  # every number has been handed out: this worker is done
            start = now()
            if is_prime(n):
                if use_lock:
                    with lock:
                        output.add(n, pause=pause)
                else:
                    output.add(n, pause=pause)
            order.append(i)
            trace.record(i, start, now(), label=str(n))

    with Trace() as trace:
        threads = [threading.Thread(target=worker, args=(trace,), name=f"worker-{k}")
                   for k in range(workers)]
        try:
            for t in threads:
                t.start()
        finally:
            _join_all(threads)
    name = "four threads + queue" if workers == 4 else f"{workers} threads + queue"
    if not use_lock:
        name += " (no lock)"
    return PrimeRun(name, workers, output.primes, relabel(trace.records, "thread"), trace.wall,
                    trace.start, numbers=numbers, order=tuple(order))


# ---------------------------------------------------------------------------
# 4. The standard library's pool: ThreadPoolExecutor.

# Shown in the book (primes_thread_pool) with inspect.getsource: keep it as the chapter reads it;
# its near-twins elsewhere are deliberate, not duplicates to merge.
def primes_thread_pool(numbers: Iterable[int] = SMALL_NUMBERS, workers: int = 4, *,
                       collect: str = "map") -> PrimeRun:
    """Way 4: a ``ThreadPoolExecutor`` checks the numbers; the parent keeps the primes.

    Args:
        collect: ``"map"``: ``pool.map`` hands results back in input order.
            ``"as_completed"``: ``pool.submit`` each number, then take results
            in the order the tasks finish.
    """
    numbers = _check_numbers(numbers)
    workers = _check_workers(workers)
    if collect not in ("map", "as_completed"):
        raise ValueError(f"collect must be 'map' or 'as_completed', got {collect!r}")
    found: list[int] = []
    order: list[int] = []

    def check(i: int, n: int) -> bool:  # runs in a pool thread
        start = now()
        prime = is_prime(n)
        trace.record(i, start, now(), label=str(n))
        return prime

    with Trace() as trace:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            if collect == "map":
                # map yields answers in input order, waiting for slow ones if need be.
                answers = pool.map(check, range(len(numbers)), numbers, timeout=JOIN_TIMEOUT)
                for i, prime in enumerate(answers):
                    order.append(i)
                    if prime:
                        found.append(numbers[i])
            else:
                # as_completed yields each future as soon as it is done.
                futures = {pool.submit(check, i, n): i for i, n in enumerate(numbers)}
                for fut in as_completed(futures, timeout=JOIN_TIMEOUT):
                    i = futures[fut]
                    order.append(i)
                    if fut.result():
                        found.append(numbers[i])
    return PrimeRun(f"ThreadPoolExecutor.{collect}", workers, found,
                    relabel(trace.records, "thread"), trace.wall, trace.start,
                    numbers=numbers, order=tuple(order))


# Shown in the book (primes_thread_pool) with inspect.getsource: keep it as the chapter reads it;
# its near-twins elsewhere are deliberate, not duplicates to merge.
def primes_thread_pool_shared(numbers: Iterable[int] = SMALL_NUMBERS, workers: int = 4, *,
                              use_lock: bool = False, pause: bool = True) -> PrimeRun:
    """Tasks in a ``ThreadPoolExecutor`` that write to a shared :class:`PrimeOutput`.

    The pool hands each task's *return value* back safely; it knows nothing
    about data the tasks change themselves.  With ``use_lock=False`` the
    pool loses primes just as bare threads do.
    """
    numbers = _check_numbers(numbers)
    workers = _check_workers(workers)
    output = PrimeOutput(len(numbers))
    lock = threading.Lock()  # must be held while calling output.add (when use_lock)

    def task(n: int) -> None:
        if is_prime(n):
            if use_lock:
                with lock:
                    output.add(n, pause=pause)
            else:
                output.add(n, pause=pause)

    with Trace() as trace:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(trace.wrap(task, i, label=str(n)), n)
                       for i, n in enumerate(numbers)]
            for fut in futures:
                fut.result(timeout=JOIN_TIMEOUT)  # re-raises a task's exception here
    name = "ThreadPoolExecutor, shared output" + ("" if use_lock else " (no lock)")
    return PrimeRun(name, workers, output.primes, relabel(trace.records, "thread"), trace.wall,
                    trace.start, numbers=numbers, order=())


def typical_run(way: Callable[..., PrimeRun], numbers: Iterable[int] = SMALL_NUMBERS, *,
                runs: int = 15, **kwargs) -> PrimeRun:
    """Run ``way(numbers, **kwargs)`` ``runs`` times and return the run with the median wall time.

    One run of a microsecond-scale job is often stretched by an interruption
    (another program got the CPU); the median run is a typical one, neither
    lucky nor unlucky, and is the one the chapters draw.
    """
    numbers = _check_numbers(numbers)
    _check_int("runs", runs, minimum=1)
    done = sorted((way(numbers, **kwargs) for _ in range(runs)), key=lambda r: r.wall)
    return done[len(done) // 2]


# ---------------------------------------------------------------------------
# 5. What it shows: measure the four ways, compare with the post, grow the input.

#: The four ways, by the names :data:`POST_FIGURES` uses.
WAYS: dict[str, Callable[[Iterable[int]], PrimeRun]] = {
    "sequential": primes_sequential,
    "thread per number": primes_thread_per_number,
    "four threads + queue": primes_queue_workers,
    "ThreadPoolExecutor": primes_thread_pool,
}


def measure_ways(numbers: Iterable[int] = SMALL_NUMBERS, *,
                 ways: Mapping[str, Callable[[Iterable[int]], object]] | None = None,
                 repeat: int = 25, warmup: int = 3) -> dict[str, Measurement]:
    """Time each way (default: :data:`WAYS`) on the same numbers: ``{name: Measurement}``.

    The ways take turns, one repeat of each per round, so a burst of load on
    a shared machine hits all of them alike instead of one.
    """
    numbers = _check_numbers(numbers)
    ways = dict(WAYS if ways is None else ways)
    _check_int("repeat", repeat, minimum=1)
    for _ in range(warmup):
        for way in ways.values():
            way(numbers)
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(repeat):
        for name, way in ways.items():
            t0 = now()
            way(numbers)
            times[name].append(now() - t0)
    return {name: Measurement(name, tuple(ts)) for name, ts in times.items()}


@dataclass(frozen=True)
class OrderingRow:
    """Is ``faster`` quicker than ``slower`` in the post, and here?"""

    faster: str
    slower: str
    ratio_post: float
    ratio_here: float

    @property
    def reproduces(self) -> bool:
        return self.ratio_here > 1.0


def compare_orderings(measured: Mapping[str, Measurement],
                      reported: Mapping[str, float] = POST_FIGURES) -> list[OrderingRow]:
    """Every pair of ways, oriented as the post ranks them, with both ratios.

    ``ratio_post`` is slower / faster in the post (always > 1); ``ratio_here``
    is the same ratio of the medians measured now: above 1 means the
    post's ordering of that pair reproduces here.
    """
    names = sorted(reported, key=reported.get)
    rows = []
    for a, fast in enumerate(names):
        for slow in names[a + 1:]:
            rows.append(OrderingRow(fast, slow, reported[slow] / reported[fast],
                                    measured[slow].median / measured[fast].median))
    return rows


@dataclass(frozen=True)
class SizePoint:
    """One strategy timed at one input size."""

    strategy: str
    size: int
    measurement: Measurement

    @property
    def median(self) -> float:
        return self.measurement.median


def sweep_input(inputs: Mapping[int, Sequence[int]], strategies: Sequence[str], *,
                workers: int | None = None, repeat: int = 3, warmup: int = 1,
                **options) -> list[SizePoint]:
    """Time ``run(strategy, is_prime, numbers)`` for each input and strategy.

    Args:
        inputs: ``{size: numbers}``; ``size`` is whatever the x axis shows
            (how many numbers, or how big).
        strategies: Names from :data:`parallel_demo.STRATEGIES`.
        workers: Pool size; defaults to ``effective_cpus()``.
        **options: Passed to ``run`` for ``process_pool`` only (``chunksize``,
            ``start_method``).

    Wall times include starting and stopping the workers, as a program pays them.
    The strategies take turns (one run of each per round), so load on a shared
    machine hits them alike.
    """
    from .strategies import run

    _check_int("repeat", repeat, minimum=1)
    points = []
    for size, numbers in inputs.items():
        numbers = list(_check_numbers(numbers))
        cases = {s: (lambda s=s: run(s, is_prime, numbers, workers=workers,
                                     **(options if s == "process_pool" else {})))
                 for s in strategies}
        timed = interleaved(cases, repeat=repeat, warmup=warmup)
        points += [SizePoint(s, size, replace(timed[s], workers=workers)) for s in strategies]
    return points


def size_crossover(points: Iterable[SizePoint], faster: str = "process_pool",
                   than: str = "sequential", *, cpus: int | None = None):
    """From which size on ``faster`` beats ``than`` at that size and every larger one.

    Judged by :func:`parallel_demo.verdict.crossover` on each size's repeated
    runs (a win needs a margin beyond both sides' spread), and never a
    parallel win for a process pool on one CPU.

    Returns:
        A :class:`~parallel_demo.verdict.Crossover` (``.size`` is None when
        there is none; ``.sentence(...)`` says it in words).
    """
    from .verdict import crossover

    by = {(p.strategy, p.size): p.measurement for p in points}
    sizes = sorted({s for (name, s) in by if name == faster} & {s for (name, s) in by if name == than})
    if not sizes:
        raise ValueError(f"no size has measurements of both {faster!r} and {than!r}")
    return crossover(sizes, [by[faster, s] for s in sizes], [by[than, s] for s in sizes],
                     parallel=faster == "process_pool", cpus=cpus)


def crossover_estimate(points: Iterable[SizePoint], faster: str = "process_pool",
                       than: str = "sequential") -> float | None:
    """Where straight lines fitted to the two strategies' medians cross.

    Each strategy is modelled as ``time = fixed + per_item * size`` (least
    squares over the sizes measured): right when ``size`` counts equally
    costly items.  ``None`` if ``faster`` never gets ahead (its per-item
    cost is not lower, or it is ahead already at size 0).
    """
    def fit(name: str) -> tuple[float, float]:
        xy = sorted((p.size, p.median) for p in points if p.strategy == name)
        if len(xy) < 2:
            raise ValueError(f"need at least two sizes measured for {name!r}")
        xs, ys = [x for x, _ in xy], [y for _, y in xy]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        slope = (sum((x - mx) * (y - my) for x, y in xy)
                 / sum((x - mx) ** 2 for x in xs))
        return my - slope * mx, slope

    points = list(points)
    (a_fast, b_fast), (a_slow, b_slow) = fit(faster), fit(than)
    if b_fast >= b_slow or a_fast <= a_slow:
        return None
    return (a_fast - a_slow) / (b_slow - b_fast)


def sweep_chunksize(numbers: Sequence[int], chunksizes: Sequence[int], *,
                    workers: int | None = None, repeat: int = 3,
                    start_method: str | None = None) -> list[Measurement]:
    """Time ``pool.map(is_prime, numbers, chunksize=c)`` for each ``c`` on one warm pool.

    The pool is started (and every worker warmed up) once, before any
    timing, so the measurements show what chunksize changes: how many
    round trips the numbers make, not what starting processes costs.
    """
    numbers = list(_check_numbers(numbers))
    return measure_pool_map(is_prime, numbers, workers=workers, repeat=repeat,
                            chunksize=list(chunksizes), start_method=start_method)
