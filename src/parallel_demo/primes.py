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
from functools import partial
from typing import Callable, Iterable, Mapping, Sequence

from ._hang import JOIN_TIMEOUT, join_threads
from ._validate import check_int as _check_int
from .timing import Measurement, interleaved, measure_pool_map
from .trace import RunResult, Trace, now, relabel
from .verdict import Verdict, compare
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

    def primes(self) -> list[int]:
        """The primes among the numbers, in input order."""
        found = []
        for n in self.numbers:
            if is_prime(n):
                found.append(n)
        return found


def find_primes_loop(numbers: Iterable[int] = SMALL_NUMBERS) -> list[int]:
    """Way 1, plain: ``PrimeCheck(numbers).primes()``, no trace."""
    return PrimeCheck(numbers).primes()


def primes_sequential(numbers: Iterable[int] = SMALL_NUMBERS) -> PrimeRun:
    """Way 1, traced: :class:`PrimeCheck` in a loop, one record per number.  One lane.

    For timelines only: the book times :func:`find_primes_loop`.
    """
    checker = PrimeCheck(numbers)
    found = []
    with Trace() as trace:
        for i, n in enumerate(checker.numbers):  # PrimeCheck.primes, with a record per check
            if trace.wrap(is_prime, i, label=str(n))(n):
                found.append(n)
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

    def __init__(self, number: int):
        super().__init__()
        self.number = number
        self.is_prime: bool | None = None  # set by run(); read it after join()

    def run(self) -> None:
        self.is_prime = is_prime(self.number)


class _TracedPrimeThread(PrimeThread):
    """:class:`PrimeThread` that also records its check in a :class:`Trace` (for timelines)."""

    def __init__(self, number: int, index: int, trace: Trace):
        super().__init__(number)
        self.name = f"prime-{index}"
        self.index = index
        self.trace = trace
        self.submitted = now()

    def run(self) -> None:
        start = now()
        super().run()
        self.trace.record(self.index, start, now(), worker=f"thread {self.index}",
                          label=str(self.number), submitted=self.submitted)


# Shown in the book (primes_thread_per_number) with inspect.getsource: keep it as the chapter reads it;
# its near-twins elsewhere are deliberate, not duplicates to merge.
def find_primes_thread_per_number(numbers: Iterable[int] = SMALL_NUMBERS) -> list[int]:
    """Way 2, plain: a brand-new :class:`PrimeThread` for every number, then join them all."""
    threads = [PrimeThread(n) for n in _check_numbers(numbers)]
    try:
        for t in threads:
            t.start()
    finally:
        _join_all(threads)  # every started thread, against one deadline
    return [t.number for t in threads if t.is_prime]


def primes_thread_per_number(numbers: Iterable[int] = SMALL_NUMBERS) -> PrimeRun:
    """Way 2, traced: :func:`find_primes_thread_per_number` plus one record per thread.

    For timelines only: recording costs time (see :func:`measure_tracing`),
    so the book times :func:`find_primes_thread_per_number`.
    """
    numbers = _check_numbers(numbers)
    with Trace() as trace:
        threads = [_TracedPrimeThread(n, i, trace) for i, n in enumerate(numbers)]
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
        capacity = _check_int("capacity", capacity, minimum=0)  # 0: an empty list of numbers
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
def find_primes_queue(numbers: Iterable[int] = SMALL_NUMBERS, workers: int = 4, *,
                      use_lock: bool = True, pause: bool = False) -> list[int]:
    """Way 3, plain: ``workers`` threads take numbers from a queue until it is empty.

    Args:
        use_lock: Hold a lock while adding to the shared :class:`PrimeOutput`.
            ``False`` is the "without the lock" demo.
        pause: Passed to :meth:`PrimeOutput.add`: makes the race reliable.
    """
    numbers = _check_numbers(numbers)
    tasks: queue.Queue[int] = queue.Queue()
    for n in numbers:
        tasks.put(n)  # all work is queued before any worker starts
    output = PrimeOutput(len(numbers))
    lock = threading.Lock()  # must be held while calling output.add

    def worker() -> None:
        while True:
            try:
                n = tasks.get_nowait()  # never get() without a timeout: it could wait forever
            except queue.Empty:
                return  # every number has been handed out: this worker is done
            if is_prime(n):
                if use_lock:
                    with lock:
                        output.add(n, pause=pause)
                else:
                    output.add(n, pause=pause)

    threads = [threading.Thread(target=worker) for _ in range(_check_workers(workers))]
    try:
        for t in threads:
            t.start()
    finally:
        _join_all(threads)
    return output.primes


def primes_queue_workers(numbers: Iterable[int] = SMALL_NUMBERS, workers: int = 4, *,
                         use_lock: bool = True, pause: bool = False) -> PrimeRun:
    """Way 3, traced: :func:`find_primes_queue` plus one record per number (for timelines).

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
def find_primes_pool(numbers: Iterable[int] = SMALL_NUMBERS, workers: int = 4) -> list[int]:
    """Way 4, plain: ``pool.map`` checks the numbers; the parent keeps the primes."""
    numbers = _check_numbers(numbers)
    with ThreadPoolExecutor(max_workers=_check_workers(workers)) as pool:
        answers = pool.map(is_prime, numbers, timeout=JOIN_TIMEOUT)
        return [n for n, prime in zip(numbers, answers) if prime]


# Shown in the book (primes_thread_pool) with inspect.getsource: keep it as the chapter reads it;
# its near-twins elsewhere are deliberate, not duplicates to merge.
def primes_thread_pool(numbers: Iterable[int] = SMALL_NUMBERS, workers: int = 4, *,
                       collect: str = "map") -> PrimeRun:
    """Way 4, traced: a ``ThreadPoolExecutor`` checks the numbers, one record per task.

    The timed version is :func:`find_primes_pool`; this one also shows the
    order in which results came back.

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

#: The four ways as traced runs (for timelines), by the names :data:`POST_FIGURES` uses.
WAYS: dict[str, Callable[[Iterable[int]], PrimeRun]] = {
    "sequential": primes_sequential,
    "thread per number": primes_thread_per_number,
    "four threads + queue": primes_queue_workers,
    "ThreadPoolExecutor": primes_thread_pool,
}

#: The four ways as the chapters show them, with no tracing: what the book times.
PLAIN_WAYS: dict[str, Callable[[Iterable[int]], list[int]]] = {
    "sequential": find_primes_loop,
    "thread per number": find_primes_thread_per_number,
    "four threads + queue": find_primes_queue,
    "ThreadPoolExecutor": find_primes_pool,
}


def measure_ways(numbers: Iterable[int] = SMALL_NUMBERS, *,
                 ways: Mapping[str, Callable[[Iterable[int]], object]] | Sequence[str] | None = None,
                 repeat: int = 25, warmup: int = 3, batch: int = 1) -> dict[str, Measurement]:
    """Time each way on the same numbers, in turns: ``{name: Measurement}``.

    Args:
        ways: A mapping ``{name: way}``, or names from :data:`PLAIN_WAYS`;
            default: all of :data:`PLAIN_WAYS`, the plain code the chapters
            show.  Every chapter times the same plain callables, so the same
            task gives the same time (within its spread) in every chapter.
        batch: Calls per timed run; each time is the batch's time per call
            (as ``timeit`` does), so a brief interruption is shared by the
            batch instead of ruining one run.

    The ways take turns (:func:`~parallel_demo.timing.interleaved`), so a
    burst of load on a shared machine hits all of them alike.
    """
    numbers = _check_numbers(numbers)
    if ways is None:
        ways = PLAIN_WAYS
    elif not isinstance(ways, Mapping):
        unknown = [w for w in ways if w not in PLAIN_WAYS]
        if unknown:
            raise ValueError(f"ways: unknown name(s) {unknown}; choose from {list(PLAIN_WAYS)} "
                             "or pass a mapping {name: callable}")
        ways = {w: PLAIN_WAYS[w] for w in ways}
    return _interleaved_per_call({name: partial(way, numbers) for name, way in ways.items()},
                                 repeat=repeat, warmup=warmup, batch=batch)


def _batched(fn: Callable[[], object], batch: int) -> None:
    for _ in range(batch):
        fn()


def _interleaved_per_call(cases: Mapping[str, Callable[[], object]], *, repeat: int, warmup: int,
                          batch: int) -> dict[str, Measurement]:
    """:func:`~parallel_demo.timing.interleaved` on batches of ``batch`` calls, times per call."""
    batch = _check_int("batch", batch, minimum=1)
    timed = interleaved({k: partial(_batched, fn, batch) for k, fn in cases.items()},
                        repeat=_check_int("repeat", repeat, minimum=1),
                        warmup=_check_int("warmup", warmup, minimum=0))
    if batch == 1:
        return timed
    return {k: replace(m, times=tuple(t / batch for t in m.times)) for k, m in timed.items()}


def measure_tracing(numbers: Iterable[int] = SMALL_NUMBERS, *, repeat: int = 100,
                    warmup: int = 5, batch: int = 1) -> dict[str, Measurement]:
    """What recording costs: the plain loop against the traced loop, interleaved.

    ``batch`` as in :func:`measure_ways`.

    Returns:
        ``{"plain loop": Measurement, "traced loop": Measurement}``.
    """
    numbers = _check_numbers(numbers)
    return _interleaved_per_call({"plain loop": partial(find_primes_loop, numbers),
                                  "traced loop": partial(primes_sequential, numbers)},
                                 repeat=repeat, warmup=warmup, batch=batch)


def _start_and_join_idle_thread() -> None:
    t = threading.Thread(target=int)  # int() returns at once: the thread does no work
    t.start()
    _join_all([t])


def measure_thread_costs(numbers: Iterable[int] = SMALL_NUMBERS, *, repeat: int = 200,
                         warmup: int = 5, batch: int = 1) -> dict[str, Measurement]:
    """The loop, thread per number, and one idle thread's start and join, interleaved.

    ``batch`` as in :func:`measure_ways`.

    Returns:
        ``{"loop", "thread per number", "one idle thread", "one check"}``:
        the last is the loop's times divided by the count of numbers (the
        average cost of one check, run by run).
    """
    numbers = _check_numbers(numbers)
    if not numbers:
        raise ValueError("numbers must not be empty: one check is the loop's time per number")
    timed = _interleaved_per_call({"loop": partial(find_primes_loop, numbers),
                                   "thread per number": partial(find_primes_thread_per_number,
                                                                numbers),
                                   "one idle thread": _start_and_join_idle_thread},
                                  repeat=repeat, warmup=warmup, batch=batch)
    timed["one check"] = Measurement("one check",
                                     tuple(t / len(numbers) for t in timed["loop"].times))
    return timed


@dataclass(frozen=True)
class OrderingRow:
    """Is ``faster`` quicker than ``slower`` in the post, and here?

    Attributes:
        verdict: :func:`~parallel_demo.verdict.compare` of ``faster`` against
            ``slower`` here (repeated, interleaved runs, with their spread).
    """

    faster: str
    slower: str
    ratio_post: float
    ratio_here: float
    verdict: Verdict

    @property
    def reproduces(self) -> bool:
        """The post's ordering holds here beyond the noise."""
        return self.verdict.a_wins

    @property
    def outcome(self) -> str:
        """``"yes"``, ``"NO"`` (reversed beyond the noise) or ``"tie"`` (within the noise)."""
        return "yes" if self.verdict.a_wins else "NO" if self.verdict.b_wins else "tie"


def compare_orderings(measured: Mapping[str, Measurement],
                      reported: Mapping[str, float] = POST_FIGURES) -> list[OrderingRow]:
    """Every pair of ways, oriented as the post ranks them, with both ratios and a verdict.

    ``ratio_post`` is slower / faster in the post (always > 1); ``ratio_here``
    is the same ratio of the medians measured now.  Whether the post's
    ordering *holds* is the verdict's call, which sees both sides' spread.
    """
    names = sorted(reported, key=reported.get)
    missing = [n for n in names if n not in measured]
    if missing:
        raise ValueError(f"measured lacks {missing}: time every way of POST_FIGURES "
                         "(measure_ways() does)")
    rows = []
    for a, fast in enumerate(names):
        for slow in names[a + 1:]:
            rows.append(OrderingRow(fast, slow, reported[slow] / reported[fast],
                                    measured[slow].median / measured[fast].median,
                                    compare(measured[fast], measured[slow])))
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


def chunksize_vs_loop(numbers: Sequence[int], chunksizes: Sequence[int], *,
                      workers: int | None = None, repeat: int = 3,
                      start_method: str | None = None,
                      timeout: float = 120.0) -> tuple[list[Measurement], Measurement]:
    """:func:`sweep_chunksize` with the plain loop timed in the same rounds.

    One warm pool (started, and every worker warmed up, before any timing);
    then each round times one ``pool.map`` per chunksize and one plain loop,
    ``primes_in(numbers)``, through :func:`~parallel_demo.timing.interleaved`,
    so the loop and the pool see the same load and
    :func:`~parallel_demo.verdict.compare` can judge them.  (The shared
    :func:`~parallel_demo.timing.measure_pool_map` times pool maps only.)

    Returns:
        ``(one Measurement per chunksize, the loop's Measurement)``.
    """
    import concurrent.futures as cf
    import multiprocessing

    from ._hang import check_start_method, quiet_fork_warning, stop_pool_workers
    from .env import effective_cpus
    from .workloads import primes_in

    numbers = list(_check_numbers(numbers))
    sizes = [_check_int("chunksize", c, minimum=1) for c in chunksizes]
    if not sizes:
        raise ValueError("chunksizes must name at least one chunksize, e.g. [1, 16, 250]")
    workers = effective_cpus() if workers is None else _check_workers(workers)
    ctx = multiprocessing.get_context(check_start_method(start_method))
    with quiet_fork_warning():
        pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        try:
            list(pool.map(is_prime, numbers, timeout=timeout))  # starts every worker
            cases = {f"chunksize {c}": partial(_map_all, pool, numbers, c, timeout) for c in sizes}
            cases["the plain loop"] = partial(primes_in, numbers)
            timed = interleaved(cases, repeat=_check_int("repeat", repeat, minimum=1), warmup=0)
        except BaseException:
            stop_pool_workers(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    loop = timed.pop("the plain loop")
    return [replace(m, workers=workers) for m in timed.values()], loop


def _map_all(pool, numbers: list[int], chunksize: int, timeout: float) -> list[bool]:
    return list(pool.map(is_prime, numbers, chunksize=chunksize, timeout=timeout))
