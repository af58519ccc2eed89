"""Verdicts: how the book turns repeated measurements into words (every chapter).

No chapter writes "faster", "slower", "beat", "win", "crossover" or "a tie"
on its own.  It measures both sides several times, interleaved
(:func:`parallel_demo.timing.interleaved`), and asks :func:`compare`, which
looks at the spread of both sides before it says anything:

* one side is *faster* only when even its slow runs beat the other side's fast
  runs by a margin;
* otherwise it is *a tie within the noise*, and the sentence says how noisy;
* a parallel win (``parallel=True``) is never claimed where
  :func:`~parallel_demo.env.effective_cpus` is 1: there, any lead is noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ._validate import check_number
from .timing import Measurement, format_seconds

#: Fewer runs than this and no side is ever called faster.
MIN_RUNS = 3

#: The default margin: the slow end of the winner must beat the fast end of
#: the loser by this fraction.
MARGIN = 0.05

WORDS = ("faster", "slower", "tie")


def _band(times: Sequence[float]) -> tuple[float, float]:
    """The range of typical runs: all of them below 5 runs; less the fastest and slowest one
    from 5 runs; the 10th to the 90th percentile from 10 runs (a loaded machine makes outliers)."""
    ordered = sorted(times)
    n = len(ordered)
    cut = n // 10 if n >= 10 else (1 if n >= 5 else 0)
    if cut:
        ordered = ordered[cut:n - cut]
    return ordered[0], ordered[-1]


def format_ratio(x: float) -> str:
    """``1.93x``, ``27x``: two significant decimals below 10, none above."""
    return f"{x:.2f}x" if x < 10 else f"{x:.0f}x"


def format_percent(fraction: float) -> str:
    """``12%``, ``0.4%``, ``<0.1%``: never a misleading ``0.0%``."""
    pct = 100 * fraction
    if 0 < abs(pct) < 0.1:
        return "<0.1%"
    return f"{pct:.0f}%" if abs(pct) >= 10 else f"{pct:.1f}%"


@dataclass(frozen=True)
class Verdict:
    """What a comparison of ``a`` against ``b`` showed, with its evidence.

    Attributes:
        word: ``"faster"`` (a beat b), ``"slower"`` (b beat a) or ``"tie"``.
        a, b: The two measurements compared.
        ratio: ``b.median / a.median``: how many times faster ``a`` ran.
        low, high: The ratio between the typical runs' extremes: ``b``'s fast
            end over ``a``'s slow end, and ``b``'s slow end over ``a``'s fast end.
        reason: Why a lead was not called a win, where one was not.
    """

    word: str
    a: Measurement
    b: Measurement
    ratio: float
    low: float
    high: float
    reason: str = ""

    @property
    def a_wins(self) -> bool:
        return self.word == "faster"

    @property
    def b_wins(self) -> bool:
        return self.word == "slower"

    @property
    def tie(self) -> bool:
        return self.word == "tie"

    @property
    def runs(self) -> int:
        return min(len(self.a.times), len(self.b.times))

    def sentence(self, a: str | None = None, b: str | None = None) -> str:
        """One sentence for the prose: the word, the ratio and the evidence."""
        a = a or self.a.label
        b = b or self.b.label
        evidence = (f"medians {format_seconds(self.a.median)} vs {format_seconds(self.b.median)}, "
                    f"{self.runs} runs each")
        if self.word == "faster":
            return (f"{a} was faster than {b}: {b} took {format_ratio(self.ratio)} as long "
                    f"(at least {format_ratio(self.low)} in typical runs; {evidence}).")
        if self.word == "slower":
            return (f"{a} was slower than {b}: {a} took {format_ratio(1 / self.ratio)} as long "
                    f"(at least {format_ratio(1 / self.high)} in typical runs; {evidence}).")
        if self.reason:
            return f"{a} and {b} count as a tie ({evidence}). {self.reason}"
        return (f"{a} and {b} were a tie within the noise ({evidence}; the typical runs of "
                "each overlap or differ by less than the margin).")

    def __str__(self) -> str:
        return self.sentence()


def compare(a: Measurement, b: Measurement, *, margin: float = MARGIN, parallel: bool = False,
            cpus: int | None = None) -> Verdict:
    """Is ``a`` faster than ``b``, slower, or is it a tie within the noise?

    Args:
        a, b: Measurements of the two sides, ideally from interleaved runs.
        margin: How far apart the typical runs must be (0.05 = 5 %).
        parallel: ``a`` wins only by running on several CPUs at once (a pool
            of processes on CPU work, say).  With one usable CPU such a win is
            impossible, so any lead is reported as a tie, with the reason.
        cpus: The usable CPUs; defaults to :func:`effective_cpus`.

    Returns:
        A :class:`Verdict`.
    """
    if not isinstance(a, Measurement) or not isinstance(b, Measurement):
        raise TypeError("compare(a, b) takes two Measurement objects (from measure() or "
                        f"interleaved()), got {type(a).__name__} and {type(b).__name__}")
    check_number("margin", margin, low=0.0, high=1.0)
    a_lo, a_hi = _band(a.times)
    b_lo, b_hi = _band(b.times)
    ratio = b.median / a.median if a.median > 0 else float("inf")
    low = b_lo / a_hi if a_hi > 0 else float("inf")
    high = b_hi / a_lo if a_lo > 0 else float("inf")
    word, reason = "tie", ""
    if a.times and b.times and min(len(a.times), len(b.times)) < MIN_RUNS:
        reason = f"{min(len(a.times), len(b.times))} run(s) is too few to call a winner."
    elif a_hi * (1 + margin) < b_lo:
        word = "faster"
    elif b_hi * (1 + margin) < a_lo:
        word = "slower"
    if word == "faster" and parallel:
        if cpus is None:
            from .env import effective_cpus

            cpus = effective_cpus()
        if cpus < 2:
            word, reason = "tie", ("Only one CPU is usable here, so running in parallel cannot "
                                   "be faster: the lead is noise.")
    return Verdict(word, a, b, ratio, low, high, reason)


@dataclass(frozen=True)
class Crossover:
    """Where ``a`` starts to beat ``b`` for good as the input grows."""

    size: int | None          # the first size from which a wins at every larger size
    verdicts: tuple[Verdict, ...]
    sizes: tuple[int, ...]

    def sentence(self, a: str, b: str, unit: str = "items") -> str:
        if self.size is None:
            if any(v.b_wins for v in self.verdicts) and not any(v.a_wins for v in self.verdicts):
                return f"{b} stayed ahead of {a} at every size measured (up to {self.sizes[-1]} {unit})."
            return (f"{a} did not pull ahead of {b} for good at any size measured "
                    f"(up to {self.sizes[-1]} {unit}): no crossover here.")
        if self.size == self.sizes[0]:
            return f"{a} was faster than {b} at every size measured, from {self.size} {unit} on."
        return (f"{a} was faster than {b} from {self.size} {unit} on, and at every larger size "
                "measured; below that it was slower or a tie within the noise.")


def crossover(sizes: Sequence[int], a: Sequence[Measurement], b: Sequence[Measurement], *,
              margin: float = MARGIN, parallel: bool = False, cpus: int | None = None) -> Crossover:
    """The smallest size from which ``a`` is faster than ``b`` at that size and every larger one."""
    if not (len(sizes) == len(a) == len(b)) or not sizes:
        raise ValueError("sizes, a and b must be non-empty and of the same length, got "
                         f"{len(sizes)}, {len(a)} and {len(b)}")
    verdicts = tuple(compare(x, y, margin=margin, parallel=parallel, cpus=cpus) for x, y in zip(a, b))
    size = None
    for k in range(len(sizes) - 1, -1, -1):
        if not verdicts[k].a_wins:
            break
        size = sizes[k]
    return Crossover(size, verdicts, tuple(sizes))



@dataclass(frozen=True)
class AmountVerdict:
    """A comparison of two sets of counts or sizes (turns, lost updates, bytes): more, fewer, a tie.

    Attributes:
        word: ``"more"`` (a's typical runs all above b's, by the margin),
            ``"fewer"`` (all below) or ``"tie"``.
        a, b: The values of each side, one per run.
        low_a, high_a, low_b, high_b: Each side's typical range (the extreme
            runs are left out once there are five or more).
    """

    word: str
    a: tuple[float, ...]
    b: tuple[float, ...]
    low_a: float
    high_a: float
    low_b: float
    high_b: float
    reason: str = ""

    def sentence(self, a: str, b: str, what: str, fmt=lambda x: f"{x:,.0f}") -> str:
        """E.g. ``"the polite thread got fewer turns with Lock than with FairLock: 83-166 vs 264-283"``."""
        def span(lo, hi):
            return fmt(lo) if fmt(lo) == fmt(hi) else f"{fmt(lo)} to {fmt(hi)}"

        ranges = (f"{span(self.low_a, self.high_a)} vs {span(self.low_b, self.high_b)} "
                  f"in the typical runs, {min(len(self.a), len(self.b))} runs each")
        if self.word == "tie":
            why = f" {self.reason}" if self.reason else ""
            return f"{what}: a tie within the noise between {a} and {b} ({ranges}).{why}"
        return f"{what}: {self.word} with {a} than with {b} ({ranges})."


def compare_amounts(a, b, *, margin: float = MARGIN) -> AmountVerdict:
    """Are ``a``'s values (one per run) more than ``b``'s, fewer, or a tie within the noise?

    The same rule as :func:`compare`: at least :data:`MIN_RUNS` runs a side,
    and one side's typical runs must all lie beyond the other's by ``margin``.
    """
    a, b = tuple(float(x) for x in a), tuple(float(x) for x in b)
    if not a or not b:
        raise ValueError("compare_amounts needs at least one value on each side")
    check_number("margin", margin, low=0.0, high=1.0)
    a_lo, a_hi = _band(a)
    b_lo, b_hi = _band(b)
    word, reason = "tie", ""
    if min(len(a), len(b)) < MIN_RUNS:
        reason = f"{min(len(a), len(b))} run(s) is too few to call a difference."
    elif a_lo > b_hi * (1 + margin):
        word = "more"
    elif a_hi * (1 + margin) < b_lo:
        word = "fewer"
    return AmountVerdict(word, a, b, a_lo, a_hi, b_lo, b_hi, reason)
