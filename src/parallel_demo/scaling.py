"""Chapter "How fast can it get?": Amdahl, Gustafson, Karp-Flatt and the USL, derived and fitted to your runs.

Three layers, each usable alone:

* the models as plain functions (:func:`amdahl`, :func:`gustafson`,
  :func:`karp_flatt`, :func:`usl`, :func:`serial_fraction_from`), and the same
  laws derived symbolically with sympy (:func:`derive_laws`; sympy is imported
  inside it, so this module stays light);
* a workload whose serial fraction is known because it is built in
  (:func:`serial_workload`, and :func:`mystery_workload` for the exercise),
  and :func:`measure_scaling`, which times it for 1, 2, ... workers in
  interleaved rounds;
* the fits: ``T(p) = a + b/p`` by least squares (:func:`fit_amdahl`), the
  Karp-Flatt metric per worker count (:func:`karp_flatt_table`), and the
  Universal Scalability Law against Amdahl (:func:`compare_models`), each
  with a sentence computed from the data and its noise.

The sweep keeps ONE process pool warm for all its runs.  ``run("process_pool",
...)`` starts a fresh pool every call, and that start-up (tens of milliseconds
per process under ``spawn``) is itself serial work: it would be fitted as part
of ``s`` and the fit could not be checked against the truth.  The task the
workers run is :func:`parallel_demo.workloads.spin`, so a worker imports only
that light module.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import multiprocessing
import random
from dataclasses import dataclass, field
from numbers import Integral
from typing import Any, Iterable, Sequence

from ._hang import check_start_method, quiet_fork_warning
from ._validate import check_int, check_items, check_number
from .env import effective_cpus
from .timing import Measurement, SpeedupRow, interleaved
from .workloads import calibrate_spin, sleep_task, spin


#: The most worker counts a default sweep measures (a big machine gets a thinned list).
MAX_POINTS = 10

#: How far outside the rounds' range of fitted ``s`` a value may lie and still agree.
S_TOLERANCE = 0.05

#: The longest one run of the workload may take before the sweep gives up (a hung pool).
RUN_TIMEOUT = 60.0

#: The most rounds (timed or warm-up) a sweep takes: more would look like a hang.
MAX_REPEAT = 50


# ---------------------------------------------------------------------------
# The models, as plain functions of numbers.

def _check_p(p: Any) -> float:
    return check_number("p (workers)", p, low=1.0)


def _check_s(s: Any) -> float:
    return check_number("s (serial fraction)", s, low=0.0, high=1.0)


def amdahl(p: float, s: float) -> float:
    """Amdahl's speedup on ``p`` workers when a fraction ``s`` of the work is serial."""
    p, s = _check_p(p), _check_s(s)
    return 1.0 / (s + (1.0 - s) / p)


def gustafson(p: float, s: float) -> float:
    """Gustafson's scaled speedup: the problem grows with ``p``, the serial time does not."""
    p, s = _check_p(p), _check_s(s)
    return p - s * (p - 1.0)


def karp_flatt(speedup: float, p: float) -> float:
    """The Karp-Flatt metric: the serial fraction that explains ``speedup`` on ``p`` workers."""
    speedup = check_number("speedup", speedup, low=0.0, inclusive=False)
    p = check_number("p (workers)", p, low=1.0, inclusive=False)
    return (1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p)


def serial_fraction_from(speedup: float, p: float) -> float:
    """Amdahl's law solved for ``s``: the serial fraction one measured speedup implies.

    The same number as :func:`karp_flatt` (sympy shows it in :func:`derive_laws`).
    """
    speedup = check_number("speedup", speedup, low=0.0, inclusive=False)
    p = check_number("p (workers)", p, low=1.0, inclusive=False)
    return (p / speedup - 1.0) / (p - 1.0)


def usl(p: float, a: float, b: float) -> float:
    """The Universal Scalability Law: ``p / (1 + a(p-1) + b p(p-1))``.

    ``a`` is contention (Amdahl's ``s``: waiting for a shared resource), ``b``
    is coherency (every worker talking to every other), which makes the
    speedup *fall* past a peak.
    """
    p = _check_p(p)
    a = check_number("a (contention)", a, low=0.0)
    b = check_number("b (coherency)", b, low=0.0)
    return p / (1.0 + a * (p - 1.0) + b * p * (p - 1.0))


# ---------------------------------------------------------------------------
# The same laws, derived with sympy.

@dataclass(frozen=True)
class Laws:
    """The chapter's laws as sympy expressions, derived from one definition.

    Attributes:
        s, p, S: The symbols (serial fraction, workers, a measured speedup).
        time: ``T(p) / T(1)``: the serial part plus the parallel part split ``p`` ways.
        speedup: Amdahl's ``S(p) = T(1) / T(p)``.
        limit: ``S(p)`` as ``p`` goes to infinity.
        efficiency: ``S(p) / p``.
        gustafson: The scaled speedup when the parallel work grows with ``p``.
        serial_fraction: Amdahl's law solved for ``s`` given one speedup ``S``.
        karp_flatt: ``(1/S - 1/p) / (1 - 1/p)``.
        same_as_karp_flatt: sympy's simplification of their difference is 0.
    """

    s: Any
    p: Any
    S: Any
    time: Any
    speedup: Any
    limit: Any
    efficiency: Any
    gustafson: Any
    serial_fraction: Any
    karp_flatt: Any
    same_as_karp_flatt: bool

    def rows(self) -> list[tuple[str, str]]:
        """``(what, LaTeX)`` for each law, in teaching order."""
        import sympy as sp

        lx = sp.latex
        return [
            ("Time on $p$ workers (one worker's time = 1)", f"T(p) = {lx(self.time)}"),
            ("Amdahl's speedup", r"S(p) = \frac{T(1)}{T(p)} = " + lx(1 / self.time) + " = "
             + lx(self.speedup)),
            ("Its limit: infinitely many workers",
             r"\lim_{p \to \infty} S(p) = " + lx(self.limit)),
            ("Efficiency: speedup per worker", r"E(p) = \frac{S(p)}{p} = " + lx(self.efficiency)),
            ("Gustafson: the parallel work grows with $p$",
             f"S_G(p) = s + p\\,(1 - s) = {lx(self.gustafson)}"),
            ("The serial fraction from one measured speedup $S$",
             f"s = {lx(self.serial_fraction)}"),
            ("Karp-Flatt metric", "e(p) = " + lx(self.karp_flatt, order="none")
             + (r" \quad\text{the same as } s \text{ above (sympy simplifies the difference to 0)}"
                if self.same_as_karp_flatt else "")),
        ]

    def markdown(self) -> str:
        """The laws as Markdown with display math (MathJax renders it on the page)."""
        return "\n\n".join(f"{what}:\n\n$$\n{tex}\n$$" for what, tex in self.rows())

    def _repr_markdown_(self) -> str:
        return self.markdown()


def derive_laws() -> Laws:
    """Derive Amdahl, its limit, efficiency, Gustafson and Karp-Flatt from ``T(p)``.

    Everything follows from one definition: on one worker the program takes
    1 (a unit of time), a fraction ``s`` of it serial; on ``p`` workers the
    serial part takes ``s`` and the rest ``(1 - s) / p``.
    """
    import sympy as sp

    s, p, S = sp.symbols("s p S", positive=True)
    time = s + (1 - s) / p
    speedup = sp.simplify(1 / time)
    limit = sp.limit(speedup, p, sp.oo)
    efficiency = sp.simplify(speedup / p)
    # Gustafson: keep the time on p workers at 1 (s serial, 1 - s parallel on
    # each worker); one worker would need s + p (1 - s) for the same work.
    gustafson = p - s * (p - 1)
    if sp.simplify(s + p * (1 - s) - gustafson) != 0:  # pragma: no cover - sympy broke
        raise AssertionError("Gustafson's two forms differ")
    solved = sp.solve(sp.Eq(S, speedup), s)
    serial_fraction = sp.simplify(solved[0])
    kf = (1 / S - 1 / p) / (1 - 1 / p)
    same = sp.simplify(serial_fraction - kf) == 0
    return Laws(s, p, S, time, speedup, limit, efficiency, gustafson, serial_fraction, kf, bool(same))


# ---------------------------------------------------------------------------
# A workload whose serial fraction is known.

@dataclass(frozen=True, repr=False)
class SerialWorkload:
    """CPU work with a built-in serial fraction: a serial part, then a parallel part.

    On ``p`` workers the parent process runs the serial part (``spin`` for
    ``serial_iterations``), then splits the parallel part into ``p`` equal
    chunks that the pool's workers spin through at the same time.

    Attributes:
        iterations: ``spin`` iterations of the whole job (one worker, serial + parallel).
        seconds: About how long the whole job takes on one worker.
        label: A name for tables and charts.
    """

    iterations: int
    seconds: float
    label: str
    _serial_fraction: float = field(compare=False)
    hidden: bool = False

    @property
    def serial_fraction(self) -> float:
        """The truth.  For a mystery workload, look only after you have fitted it."""
        return self._serial_fraction

    @property
    def serial_iterations(self) -> int:
        return round(self.iterations * self._serial_fraction)

    def chunks(self, workers: int) -> list[int]:
        """The parallel part split into ``workers`` equal chunks (iterations each)."""
        workers = check_int("workers", workers, minimum=1)
        parallel = self.iterations - self.serial_iterations
        return [parallel // workers] * workers

    def __repr__(self) -> str:
        s = "hidden" if self.hidden else f"{self._serial_fraction:g}"
        return (f"SerialWorkload({self.label!r}, serial_fraction={s}, "
                f"about {self.seconds * 1e3:.0f} ms on one worker)")


def serial_workload(serial_fraction: float = 0.2, seconds: float = 0.25, *,
                    iterations: int | None = None, label: str | None = None) -> SerialWorkload:
    """A workload of about ``seconds`` on one worker, ``serial_fraction`` of it serial.

    Args:
        serial_fraction: The share of the work that cannot be split, 0 to 1.
        seconds: Its size on one worker; :func:`~parallel_demo.workloads.calibrate_spin`
            turns it into iterations for this machine.
        iterations: Give the size in ``spin`` iterations instead (for tests).
        label: Its name in tables and charts.
    """
    serial_fraction = check_number("serial_fraction", serial_fraction, low=0.0, high=1.0)
    seconds = check_number("seconds", seconds, low=0.0, high=30.0, inclusive=False)
    if iterations is None:
        iterations = calibrate_spin(seconds)
    iterations = check_int("iterations", iterations, minimum=1)
    return SerialWorkload(iterations, seconds, label or f"s = {serial_fraction:g}",
                          serial_fraction)


def mystery_workload(seed: int | None = None, seconds: float = 0.25) -> SerialWorkload:
    """A workload whose serial fraction (between 0.1 and 0.45) is not shown: the exercise.

    Its ``repr`` hides the fraction.  ``seed`` makes the choice repeatable.
    """
    if seed is not None:
        seed = check_int("seed", seed, hint="pass an int such as 3, or leave it out for a "
                                            "new mystery each time")
    # The size is checked before the draw, so a wrong one is named as mystery_workload's.
    seconds = check_number("seconds", seconds, low=0.0, high=30.0, inclusive=False)
    rng = random.Random(seed)
    s = round(rng.uniform(0.1, 0.45), 2)
    w = serial_workload(s, seconds, label="mystery")
    return SerialWorkload(w.iterations, w.seconds, "mystery", s, hidden=True)


def sweep_sizes(cpus: int | None = None, *, most: int = MAX_POINTS) -> list[int]:
    """The worker counts of a default sweep: 1 .. max(4, 2 x CPUs), thinned to ``most`` points.

    On a machine where that is more than ``most`` counts, roughly evenly spaced
    counts on a log scale are kept, always with 1, the CPU count and the top.
    """
    cpus = effective_cpus() if cpus is None else check_int("cpus", cpus, minimum=1)
    most = check_int("most", most, minimum=2)  # 1 would divide by zero below
    top = max(4, 2 * cpus)
    if top <= most:
        return list(range(1, top + 1))
    picks = {1, cpus, top}
    picks |= {max(1, round(top ** (k / (most - 1)))) for k in range(most)}
    return sorted(picks)


def _run_once(workload: SerialWorkload, pool: cf.Executor, workers: int) -> None:
    """One job on ``workers`` workers: the serial part here, the chunks in the pool."""
    spin(workload.serial_iterations)
    futures = [pool.submit(spin, n) for n in workload.chunks(workers)]
    done, pending = cf.wait(futures, timeout=RUN_TIMEOUT)
    if pending:
        raise TimeoutError(f"a chunk of {workload.label!r} had not finished after "
                           f"{RUN_TIMEOUT:g} s; the pool is stuck")
    for fut in done:
        fut.result()  # re-raise a worker's error here


# ---------------------------------------------------------------------------
# The sweep.

@dataclass(frozen=True)
class ScalingSweep:
    """Times of one workload on 1, 2, ... workers, from interleaved rounds.

    Attributes:
        workload: What was run.
        measurements: One per worker count, in ``workers`` order; the ``r``-th
            time of each comes from the same round.
        cpus: :func:`effective_cpus` when it was measured.
        start_method: How the pool started its workers.
    """

    workload: SerialWorkload
    measurements: tuple[Measurement, ...]
    cpus: int
    start_method: str

    @property
    def workers(self) -> list[int]:
        return [m.workers for m in self.measurements]

    @property
    def rounds(self) -> int:
        return min(len(m.times) for m in self.measurements)

    def measurement(self, workers: int) -> Measurement:
        for m in self.measurements:
            if m.workers == workers:
                return m
        raise ValueError(f"workers={workers} was not measured; the sweep has {self.workers}")

    def speedups(self) -> list[SpeedupRow]:
        """Speedup over one worker for every count, with the range the typical runs allow.

        The speedup and its range are :func:`parallel_demo.verdict.compare`'s
        ratio and band of this count against one worker: the same typical runs
        (extreme ones left out from 5 rounds on) that every verdict in the book
        looks at, with the noise of both sides in the range.
        """
        from .verdict import compare

        base = self.measurement(1)
        rows = []
        for m in self.measurements:
            v = compare(m, base)
            rows.append(SpeedupRow(m.label, m.workers, m.median, v.ratio, v.low, v.high))
        return rows

    def upto(self, workers: int) -> "ScalingSweep":
        """The same sweep, only the counts up to ``workers``."""
        kept = tuple(m for m in self.measurements if m.workers <= workers)
        return ScalingSweep(self.workload, kept, self.cpus, self.start_method)

    def verdict(self, workers: int):
        """``compare`` of ``workers`` workers against one (a parallel win needs 2+ CPUs)."""
        from .verdict import compare

        return compare(self.measurement(workers), self.measurement(1), parallel=True,
                       cpus=self.cpus)

    def best(self) -> int:
        """The worker count with the lowest median time."""
        return min(self.measurements, key=lambda m: m.median).workers

    def table(self) -> str:
        """A plain-text table: workers, median time, speedup and its range."""
        from .timing import format_seconds

        lines = [f"{'workers':>7}{'median':>11}{'speedup':>9}{'range':>13}"]
        for r in self.speedups():
            lines.append(f"{r.workers:>7}{format_seconds(r.median):>11}{r.speedup:>8.2f}x"
                         f"{f'{r.low:.2f}-{r.high:.2f}x':>13}")
        return "\n".join(lines)


def _warm(pool: cf.Executor, workers: int) -> None:
    # Every worker process starts (and imports what spin needs) before timing.
    futures = [pool.submit(sleep_task, 0.05) for _ in range(workers)]
    cf.wait(futures, timeout=RUN_TIMEOUT)


def measure_scaling(workload: SerialWorkload, workers: Iterable[int] | None = None, *,
                    repeat: int = 3, warmup: int = 1,
                    start_method: str | None = None) -> ScalingSweep:
    """Time ``workload`` on each worker count, in interleaved rounds, with one warm pool.

    Args:
        workload: From :func:`serial_workload` or :func:`mystery_workload`.
        workers: The counts to measure; 1 is always added (the baseline).
            Default :func:`sweep_sizes`: 1 .. max(4, 2 x CPUs).
        repeat: Rounds; each round runs every count once, in turn.
        warmup: Untimed rounds first.
        start_method: The pool's start method (default: the platform's, or
            ``PARALLEL_DEMO_START_METHOD``).

    Returns:
        A :class:`ScalingSweep`.  The pool is shut down when it returns or raises.
    """
    if not isinstance(workload, SerialWorkload):
        raise TypeError("workload must come from serial_workload() or mystery_workload(), got "
                        f"{type(workload).__name__}")
    if workers is not None:
        if isinstance(workers, Integral) and not isinstance(workers, bool):
            raise TypeError(f"workers must be a list of worker counts, got the int {workers}; "
                            f"pass e.g. [1, 2, {workers}], or leave it out for sweep_sizes()")
        workers = [check_int("workers", k, minimum=1, maximum=256)
                   for k in check_items("workers", workers, allow_empty=False)]
    check_int("repeat", repeat, minimum=1, maximum=MAX_REPEAT)
    check_int("warmup", warmup, minimum=0, maximum=MAX_REPEAT)
    check_start_method(start_method)
    cpus = effective_cpus()
    counts = sweep_sizes(cpus) if workers is None else workers
    counts = sorted(set(counts) | {1})
    ctx = multiprocessing.get_context(check_start_method(start_method))
    with quiet_fork_warning():
        pool = cf.ProcessPoolExecutor(max_workers=max(counts), mp_context=ctx)
    try:
        with quiet_fork_warning():
            _warm(pool, max(counts))
        cases = {k: (lambda k=k: _run_once(workload, pool, k)) for k in counts}
        timed = interleaved(cases, repeat=repeat, warmup=warmup)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    measurements = tuple(Measurement(f"{k} worker{'s' * (k != 1)}", timed[k].times, workers=k)
                         for k in counts)
    return ScalingSweep(workload, measurements, cpus, ctx.get_start_method())


# ---------------------------------------------------------------------------
# Fits.

def fit_line(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least squares ``y = a + b x`` by the normal equations: ``(a, b)``.

    Raises:
        ValueError: fewer than two distinct ``x``.
    """
    n = len(xs)
    if n != len(ys) or n < 2 or len(set(xs)) < 2:
        raise ValueError(f"a line needs at least two distinct x values, got xs={list(xs)!r:.80}")
    sx, sy = sum(xs), sum(ys)
    sxx = sum(x * x for x in xs)
    sxy = sum(x * y for x, y in zip(xs, ys))
    det = n * sxx - sx * sx
    return (sy * sxx - sx * sxy) / det, (n * sxy - sx * sy) / det


def _s_from(a: float, b: float) -> float:
    total = a + b
    return min(1.0, max(0.0, a / total)) if total > 0 else 1.0


@dataclass(frozen=True)
class AmdahlFit:
    """``T(p) = a + b/p`` fitted to measured times, and the serial fraction it implies.

    Attributes:
        a: The time that does not shrink with workers (seconds): the serial part.
        b: The time that does (seconds, on one worker): the parallel part.
        s: ``a / (a + b)``, clipped to 0..1.
        s_low, s_high: The same fit for each round alone: the spread of ``s``
            (with 5 rounds or more, less the lowest and the highest).
        workers: The worker counts the fit used.
        truth: The workload's real serial fraction (None for a mystery).
    """

    a: float
    b: float
    s: float
    s_low: float
    s_high: float
    workers: tuple[int, ...]
    truth: float | None = None

    def time(self, p: float) -> float:
        return self.a + self.b / p

    def speedup(self, p: float) -> float:
        return amdahl(p, self.s)

    def curve(self, ps: Sequence[float]) -> list[float]:
        return [self.speedup(p) for p in ps]

    def truth_curve(self, ps: Sequence[float]) -> list[float]:
        """Amdahl's law with the true serial fraction (empty when it is hidden)."""
        return [] if self.truth is None else [amdahl(p, self.truth) for p in ps]

    @property
    def limit(self) -> float:
        return math.inf if self.s == 0 else 1.0 / self.s

    def agrees(self, s: float) -> bool:
        """Is ``s`` within the rounds' range of fitted values, widened by :data:`S_TOLERANCE`?"""
        return self.s_low - S_TOLERANCE <= s <= self.s_high + S_TOLERANCE


def fit_amdahl(sweep: ScalingSweep, *, upto: int | None = None) -> AmdahlFit:
    """Fit ``T(p) = a + b/p`` to the sweep's medians (and each round alone, for the spread).

    Args:
        upto: Use the counts up to this many workers.  Default: the sweep's
            CPUs, where Amdahl's model holds (past them the extra workers have
            no CPU and the time stops falling, which a fit would read as a
            bigger serial part).  With one CPU, or fewer than two counts that
            low, every count is used: then nothing runs in parallel and the
            fit rightly says that almost everything behaved as serial.
    """
    if not isinstance(sweep, ScalingSweep):
        raise TypeError(f"sweep must be a ScalingSweep from measure_scaling(), got "
                        f"{type(sweep).__name__}")
    limit = sweep.cpus if upto is None else check_int("upto", upto, minimum=1)
    used = [m for m in sweep.measurements if m.workers <= limit]
    if len(used) < 2:
        used = list(sweep.measurements)
    if len(used) < 2:
        raise ValueError("fit_amdahl needs at least two worker counts; the sweep has "
                         f"{sweep.workers}")
    xs = [1.0 / m.workers for m in used]
    a, b = fit_line(xs, [m.median for m in used])
    per_round = sorted(_s_from(*fit_line(xs, [m.times[r] for m in used]))
                       for r in range(sweep.rounds))
    if len(per_round) >= 5:  # as verdict.compare does: drop the two most disturbed rounds
        per_round = per_round[1:-1]
    truth = None if sweep.workload.hidden else sweep.workload.serial_fraction
    return AmdahlFit(a, b, _s_from(a, b), per_round[0], per_round[-1],
                     tuple(m.workers for m in used), truth)


def describe_fit(fit: AmdahlFit, sweep: ScalingSweep) -> str:
    """A computed paragraph: what the fit found, against the truth and the CPUs."""
    cpus = sweep.cpus
    used = ", ".join(map(str, fit.workers))
    text = (f"Fitted to the medians for {used} worker{'s' * (len(fit.workers) != 1)}, "
            f"T(p) = a + b/p gives a serial fraction s = {fit.s:.2f} "
            f"(typical rounds alone: {fit.s_low:.2f} to {fit.s_high:.2f}).")
    if cpus < 2:
        return text + (" This machine lets this kernel use one CPU, so the workers took turns "
                       "and the time hardly changed with their number: measured here, "
                       "everything behaves as serial, whatever the program's own serial "
                       "fraction is. On two or more CPUs the same cell should recover it.")
    if fit.truth is None:
        return text
    if abs(fit.s - fit.truth) <= S_TOLERANCE + 1e-9:
        return text + (f" The workload was built with s = {fit.truth:g}: the fit recovers it "
                       f"to within {S_TOLERANCE:g}.")
    if fit.agrees(fit.truth):
        return text + (f" The workload was built with s = {fit.truth:g}. That lies within the "
                       f"range of the rounds (widened by {S_TOLERANCE:g}), but the median fit is "
                       f"further off than {S_TOLERANCE:g}: the rounds were noisy or the machine "
                       "busy. Run the cell again to see how much it moves.")
    side = "more" if fit.s > fit.truth else "less"
    return text + (f" The workload was built with s = {fit.truth:g}, so the fit saw {side} "
                   "serial time than the program has: the machine was busy, or starting the "
                   "chunks cost more than they did on a quiet machine. Run the cell again to "
                   "see how much it moves.")


def explain_fit(fit: AmdahlFit, sweep: ScalingSweep) -> str:
    """``describe_fit`` followed by the verdict of the most workers that have a CPU each vs one.

    The verdict comes from ``sweep.verdict`` (``compare`` on the repeated rounds), so on one CPU
    it never calls a parallel win.
    """
    workers = max(2, min(sweep.cpus, max(sweep.workers)))
    headline = sweep.verdict(workers)
    return (describe_fit(fit, sweep) + " "
            + headline.sentence(f"The run on {workers} workers", "the run on 1 worker"))


@dataclass(frozen=True)
class KarpFlattRow:
    """The Karp-Flatt metric at one worker count, with the range the runs allow."""

    workers: int
    e: float
    low: float
    high: float


def karp_flatt_table(sweep: ScalingSweep) -> list[KarpFlattRow]:
    """``e(p)`` for every measured ``p >= 2``; the range comes from the speedup's range."""
    rows = []
    for r in sweep.speedups():
        if r.workers < 2:
            continue
        # e falls as the speedup rises: the worst speedup gives the highest e.
        rows.append(KarpFlattRow(r.workers, karp_flatt(r.speedup, r.workers),
                                 karp_flatt(r.high, r.workers), karp_flatt(r.low, r.workers)))
    return rows


#: Karp-Flatt values closer than this count as the same (noise in a short run).
KF_TOLERANCE = 0.03


def _trend(rows: Sequence[KarpFlattRow]) -> str:
    """flat (one value fits every range), rising, falling or unclear, with the noise."""
    if len(rows) < 2:
        return "single"
    if max(r.low for r in rows) <= min(r.high for r in rows) + KF_TOLERANCE:
        return "flat"
    first, last = rows[0], rows[-1]
    if last.low > first.high + KF_TOLERANCE:
        return "rising"
    if last.high < first.low - KF_TOLERANCE:
        return "falling"
    return "unclear"


def describe_karp_flatt(rows: Sequence[KarpFlattRow], cpus: int, truth: float | None = None) -> str:
    """A computed paragraph: is ``e(p)`` flat (a true serial part) or rising (overhead)?"""
    if not rows:
        return "Karp-Flatt needs at least two workers; this sweep has only one."
    inside = [r for r in rows if r.workers <= cpus]
    beyond = [r for r in rows if r.workers > cpus]
    parts = []
    if len(inside) >= 2:
        trend = _trend(inside)
        span = f"{min(r.e for r in inside):.2f} to {max(r.e for r in inside):.2f}"
        if trend == "flat":
            parts.append(f"Up to your {cpus} CPUs, e(p) stayed flat ({span}, within the noise "
                         "of the runs): a fixed serial part explains the speedup, just as "
                         "Amdahl assumes.")
        elif trend == "rising":
            parts.append(f"Even before the CPUs ran out, e(p) rose ({span}, more than the noise "
                         "of the runs): something grows with the workers, overhead or "
                         "contention, on top of the serial part.")
        else:
            parts.append(f"Up to your {cpus} CPUs, e(p) went from {span} without a clear "
                         "trend beyond the noise of the runs.")
    elif len(inside) == 1:
        r = inside[0]
        text = (f"With {r.workers} workers on your {cpus} CPUs, e = {r.e:.2f} "
                f"(rounds: {r.low:.2f} to {r.high:.2f})")
        if truth is None:
            text += "."
        elif r.low - KF_TOLERANCE <= truth <= r.high + KF_TOLERANCE:
            text += f", which takes in the workload's true serial fraction, {truth:g}."
        else:
            text += (f", {'above' if r.low > truth else 'below'} the workload's true serial "
                     f"fraction, {truth:g}: the machine was busy while it ran.")
        parts.append(text)
    if beyond:
        ref = inside[-1] if inside else None
        top = beyond[-1]
        if cpus < 2:
            parts.append(f"On one CPU every worker count past 1 is already past the CPUs: e(p) "
                         f"is {min(r.e for r in beyond):.2f} to {max(r.e for r in beyond):.2f} "
                         "(1 in theory), because the workers take turns on the one CPU and "
                         "Karp-Flatt counts all their time as serial.")
        elif ref is not None and top.low > ref.high + KF_TOLERANCE:
            parts.append(f"Past your {cpus} CPUs it rose to {top.e:.2f} at {top.workers} "
                         "workers: the extra workers had no CPU of their own and waited, and "
                         "Karp-Flatt counts that waiting as serial time. Rising means overhead "
                         "or contention, here the machine itself, not a serial part of the "
                         "program.")
        elif ref is not None:
            parts.append(f"Past your {cpus} CPUs it stayed within the noise ({top.e:.2f} at "
                         f"{top.workers} workers).")
    return " ".join(parts)


def fit_usl(workers: Sequence[float], speedup: Sequence[float]) -> tuple[float, float]:
    """Least squares for the USL's ``(a, b)``, both kept >= 0.

    ``p / S(p) - 1 = a (p - 1) + b p (p - 1)`` is linear in ``a`` and ``b``:
    two normal equations.  A negative solution (noise) is clipped to 0 and
    the other coefficient refitted alone.
    """
    workers, speedup = check_items("workers", workers), check_items("speedup", speedup)
    if len(workers) != len(speedup):
        raise ValueError(f"workers and speedup must have the same length (one speedup per "
                         f"worker count), got {len(workers)} and {len(speedup)}")
    pts = [(p, y) for p, y in zip(workers, speedup) if p > 1]
    if not pts:
        raise ValueError("the USL fit needs at least one worker count above 1")
    ys = [p / y - 1.0 for p, y in pts]
    x1 = [p - 1.0 for p, _ in pts]
    x2 = [p * (p - 1.0) for p, _ in pts]
    s11 = sum(x * x for x in x1)
    s22 = sum(x * x for x in x2)
    s12 = sum(u * v for u, v in zip(x1, x2))
    s1y = sum(x * y for x, y in zip(x1, ys))
    s2y = sum(x * y for x, y in zip(x2, ys))
    det = s11 * s22 - s12 * s12
    a = b = -1.0
    if det > 1e-12 * max(1.0, s11 * s22):
        a = (s1y * s22 - s2y * s12) / det
        b = (s2y * s11 - s1y * s12) / det
    if a >= 0 and b >= 0:
        return a, b
    # The best fit on the boundary: one coefficient 0, the other fitted alone.
    candidates = [(0.0, 0.0), (max(0.0, s1y / s11), 0.0), (0.0, max(0.0, s2y / s22))]
    return min(candidates, key=lambda ab: sum((y - ab[0] * u - ab[1] * v) ** 2
                                              for y, u, v in zip(ys, x1, x2)))


def _rms(values: Sequence[float]) -> float:
    return math.sqrt(sum(v * v for v in values) / len(values)) if values else 0.0


@dataclass(frozen=True)
class ModelComparison:
    """Amdahl against the USL, both fitted to every measured speedup.

    Attributes:
        workers, speedup, low, high: The measured points and their ranges.
        s: Amdahl's fitted serial fraction (in speedup terms).
        a, b: The USL's fitted contention and coherency.
        amdahl_residuals, usl_residuals: Measured minus model, per point.
        noise: The typical half-width of a measured point's range.
        better: ``"usl"`` when its residuals are smaller by more than the
            noise, else ``"amdahl"`` (the simpler model, when it does as well).
    """

    workers: tuple[int, ...]
    speedup: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    s: float
    a: float
    b: float
    amdahl_residuals: tuple[float, ...]
    usl_residuals: tuple[float, ...]
    noise: float
    better: str
    cpus: int

    @property
    def amdahl_rms(self) -> float:
        return _rms(self.amdahl_residuals)

    @property
    def usl_rms(self) -> float:
        return _rms(self.usl_residuals)

    def amdahl_curve(self, ps: Sequence[float]) -> list[float]:
        return [amdahl(p, self.s) for p in ps]

    def usl_curve(self, ps: Sequence[float]) -> list[float]:
        return [usl(p, self.a, self.b) for p in ps]

    @property
    def usl_peak(self) -> float:
        """Where the USL's speedup peaks: ``sqrt((1 - a) / b)`` (infinite when b = 0)."""
        return math.inf if self.b <= 0 else math.sqrt(max(0.0, 1.0 - self.a) / self.b)

    def sentence(self) -> str:
        """Which model describes these runs, with the residuals and the noise."""
        fits = (f"Fitted to all {len(self.workers)} points, Amdahl (s = {self.s:.2f}) misses by "
                f"{self.amdahl_rms:.3f} on average (root mean square, in units of speedup), the "
                f"USL (a = {self.a:.3f}, b = {self.b:.4f}) by {self.usl_rms:.3f}; a measured "
                f"point itself is uncertain by about {self.noise:.3f}.")
        if self.better == "usl":
            peak = self.usl_peak
            where = (f" Its speedup peaks near {peak:.1f} workers and falls after that."
                     if math.isfinite(peak) and peak < max(self.workers) else "")
            return fits + (" The USL's second term is needed: past the best worker count the "
                           "speedup stops rising or falls, and a single serial fraction cannot "
                           "bend like that." + where)
        return fits + (" The difference is within the noise, so Amdahl's one number describes "
                       "these runs as well as the USL's two; take the simpler model.")


def compare_models(sweep: ScalingSweep) -> ModelComparison:
    """Fit Amdahl and the USL to every measured speedup and say which describes it better."""
    if not isinstance(sweep, ScalingSweep):
        raise TypeError(f"sweep must be a ScalingSweep from measure_scaling(), got "
                        f"{type(sweep).__name__} {sweep!r:.60}")
    if not any(w > 1 for w in sweep.workers):
        raise ValueError(f"sweep must include a worker count above 1 (it has {sweep.workers}); "
                         "measure it with measure_scaling(workload, [1, 2, 4])")
    rows = sweep.speedups()
    ps = [float(r.workers) for r in rows]
    ys = [r.speedup for r in rows]
    pts = [(p, y) for p, y in zip(ps, ys) if p > 1]
    # Amdahl in speedup terms is the USL with b = 0: p/S - 1 = s (p - 1).
    s = sum((p / y - 1.0) * (p - 1.0) for p, y in pts) / sum((p - 1.0) ** 2 for p, _ in pts)
    s = min(1.0, max(0.0, s))
    a, b = fit_usl(ps, ys)
    am = tuple(y - amdahl(p, s) for p, y in zip(ps, ys))
    us = tuple(y - usl(p, a, b) for p, y in zip(ps, ys))
    noise = sum((r.high - r.low) / 2 for r in rows) / len(rows)
    better = "usl" if _rms(am) - _rms(us) > max(noise, 0.01) else "amdahl"
    return ModelComparison(tuple(r.workers for r in rows), tuple(ys),
                           tuple(r.low for r in rows), tuple(r.high for r in rows),
                           s, a, b, am, us, noise, better, sweep.cpus)


# ---------------------------------------------------------------------------
# What the explorer and the prediction exercise draw.

@dataclass(frozen=True)
class LawCurves:
    """Amdahl's and Gustafson's speedups for one serial fraction, ready to draw.

    Attributes:
        s: The serial fraction.
        workers: The highlighted worker count.
        ps: The x values of the curves (1 .. ``top``).
        amdahl, gustafson: The two speedups at each of ``ps``.
        cpus: A physical limit to mark (None: none).
    """

    s: float
    workers: int
    ps: tuple[float, ...]
    amdahl: tuple[float, ...]
    gustafson: tuple[float, ...]
    cpus: int | None = None

    @property
    def limit(self) -> float:
        return math.inf if self.s == 0 else 1.0 / self.s

    @property
    def at_workers(self) -> float:
        return amdahl(self.workers, self.s)

    @property
    def efficiency(self) -> float:
        return self.at_workers / self.workers


def law_curves(s: float, workers: int, *, top: int | None = None,
               cpus: int | None = None) -> LawCurves:
    """Amdahl and Gustafson from 1 to ``top`` workers (default: twice ``workers``, at least 16)."""
    s = _check_s(s)
    workers = check_int("workers", workers, minimum=1, maximum=4096)
    top = max(16, 2 * workers) if top is None else check_int("top", top, minimum=2)
    n = 200
    ps = tuple(1 + (top - 1) * k / (n - 1) for k in range(n))
    return LawCurves(s, workers, ps, tuple(amdahl(p, s) for p in ps),
                     tuple(gustafson(p, s) for p in ps), cpus)


@dataclass(frozen=True)
class PredictionRun:
    """A predicted speedup next to the measured one and Amdahl's law.

    Attributes:
        prediction: What the learner typed.
        workers: The workers the measurement used.
        serial_fraction: The workload's serial fraction.
        measured, low, high: The measured speedup and its range over the rounds.
        cpus: The CPUs the machine let the kernel use.
    """

    prediction: float
    workers: int
    serial_fraction: float
    measured: float
    low: float
    high: float
    cpus: int

    @property
    def amdahl(self) -> float:
        """Amdahl's law with as many workers as asked for (enough CPUs assumed)."""
        return amdahl(self.workers, self.serial_fraction)

    @property
    def amdahl_on_cpus(self) -> float:
        """Amdahl's law with the workers that can really run at once: min(workers, CPUs)."""
        return amdahl(min(self.workers, self.cpus), self.serial_fraction)

    @property
    def off_by(self) -> float:
        """(prediction - measured) / measured: +0.1 means 10 % too optimistic."""
        return (self.prediction - self.measured) / self.measured

    def curves(self, ps: Sequence[float]) -> tuple[list[float], list[float]]:
        """Amdahl's law at ``ps``: with enough CPUs, and with this machine's CPUs."""
        return ([amdahl(p, self.serial_fraction) for p in ps],
                [amdahl(min(p, self.cpus), self.serial_fraction) for p in ps])


def measure_prediction(prediction: float, *, serial_fraction: float = 0.2, workers: int = 4,
                       seconds: float = 0.2, repeat: int = 3) -> PredictionRun:
    """Measure the speedup of ``workers`` workers over one and set it beside ``prediction``."""
    prediction = check_number("prediction", prediction, low=0.0, inclusive=False)
    workers = check_int("workers", workers, minimum=2, maximum=64)
    # Everything checked before serial_workload calibrates the spin loop.
    check_number("serial_fraction", serial_fraction, low=0.0, high=1.0)
    check_number("seconds", seconds, low=0.0, high=30.0, inclusive=False)
    check_int("repeat", repeat, minimum=1, maximum=MAX_REPEAT)
    sweep = measure_scaling(serial_workload(serial_fraction, seconds), [1, workers],
                            repeat=repeat)
    row = sweep.speedups()[-1]
    return PredictionRun(prediction, workers, serial_fraction, row.speedup, row.low, row.high,
                         sweep.cpus)
