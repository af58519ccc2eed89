"""Checkers: the solution passes, typical wrong answers get the matching hint."""

from __future__ import annotations

from collections import Counter

from parallel_demo import CheckResult, check_concurrency, check_tasks_per_worker


def test_check_result_shows_hint_only_when_failed():
    ok, bad = CheckResult(True, "fine", "h"), CheckResult(False, "wrong", "try this")
    assert bool(ok) and not bool(bad)
    assert repr(ok) == "✔ fine" and "Hint: try this" in repr(bad)
    assert "Hint" in bad._repr_html_() and "Hint" not in ok._repr_html_()


def test_tasks_per_worker_solution_passes():
    assert check_tasks_per_worker(lambda recs: dict(Counter(r.worker for r in recs))).passed


def test_tasks_per_worker_hints():
    by_pid = check_tasks_per_worker(lambda recs: dict(Counter(r.pid for r in recs)))
    assert not by_pid and "r.worker" in by_pid.hint
    stub = check_tasks_per_worker(lambda recs: None)
    assert not stub and "Counter" in stub.hint
    raises = check_tasks_per_worker(lambda recs: recs[0].nope)
    assert not raises and "AttributeError" in raises.message
    bad_empty = check_tasks_per_worker(
        lambda recs: dict(Counter(r.worker for r in recs)) if recs else {"x": 0})
    assert not bad_empty and "empty dict" in bad_empty.hint


def test_parallelism_solution_passes():
    def concurrency(recs):
        busy = sum(r.end - r.start for r in recs)
        return busy / (max(r.end for r in recs) - min(r.start for r in recs))

    assert check_concurrency(concurrency).passed


def test_parallelism_hints():
    def busy(recs):
        return sum(r.end - r.start for r in recs)

    wall = lambda recs: max(r.end for r in recs) - min(r.start for r in recs)  # noqa: E731
    upside_down = check_concurrency(lambda recs: wall(recs) / busy(recs))
    assert not upside_down and "upside down" in upside_down.message
    only_busy = check_concurrency(busy)
    assert not only_busy and "busy time alone" in only_busy.message
    by_count = check_concurrency(lambda recs: busy(recs) / len(recs))
    assert not by_count and "wall time" in by_count.hint
    assert "float" in check_concurrency(lambda recs: None).hint
