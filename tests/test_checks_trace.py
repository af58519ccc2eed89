"""Checkers of know_your_machine: the model passes, every wrong answer fails with a fitting hint."""

from __future__ import annotations

from collections import Counter

import pytest

from parallel_demo import CheckResult, check_concurrency, check_tasks_per_worker


def test_check_result_shows_hint_only_when_failed():
    ok, bad = CheckResult(True, "fine", "h"), CheckResult(False, "wrong", "try this")
    assert bool(ok) and not bool(bad)
    assert repr(ok) == "✔ fine" and "Hint: try this" in repr(bad)
    assert "Hint" in bad._repr_html_() and "Hint" not in ok._repr_html_()


def model_tasks_per_worker(records):
    return dict(Counter(r.worker for r in records))


def model_concurrency(records):
    busy = sum(r.end - r.start for r in records)
    return busy / (max(r.end for r in records) - min(r.start for r in records))


def test_models_pass_20_of_20():
    assert all(check_tasks_per_worker(model_tasks_per_worker) for _ in range(20))
    assert all(check_concurrency(model_concurrency) for _ in range(20))


def _starter(records):
    ...  # the committed starter


@pytest.mark.parametrize("wrong, hint, detail", [
    (_starter, "return a dict", ""),
    (lambda rs: {"process 0": 3, "process 1": 2}, "records you are given", "records argument"),
    (lambda rs: dict(Counter(r.pid for r in rs)), "not by process id", "r.worker"),
    (lambda rs: dict(Counter(r.index for r in rs)), "not per task", "r.worker"),
    (lambda rs: {w: sum(r.end - r.start for r in rs if r.worker == w) for w in {r.worker for r in rs}},
     "count records, not time", "how many records"),
    (lambda rs: [r.worker for r in rs], "dict", "Counter"),
    (lambda rs: rs[0].nope, "which of its fields", "r.worker"),
    (lambda rs: dict(Counter(r.worker for r in rs)) if rs else {"x": 0}, "no workers", "empty dict"),
    (lambda rs: {"process 0": len(rs)}, "one entry per worker", "distinct r.worker"),
])
def test_tasks_per_worker_wrong_answers(wrong, hint, detail):
    first = check_tasks_per_worker(wrong)
    assert not first and hint in first.hint, first
    assert not first.shows_detail
    if detail:
        second = check_tasks_per_worker(wrong)
        assert second.shows_detail and detail in second.detail, second


def test_tasks_per_worker_first_hint_does_not_give_the_solution():
    first = check_tasks_per_worker(_starter)
    assert "Counter" not in repr(first) and "r.worker" not in repr(first)


def _span(rs):
    return max(r.end for r in rs) - min(r.start for r in rs)


@pytest.mark.parametrize("wrong, hint, detail", [
    (_starter, "return a number", ""),
    (lambda rs: 1.75, "records you are given", "busy / wall"),
    (lambda rs: _span(rs) / sum(r.end - r.start for r in rs), "which goes on top", "upside down"),
    (lambda rs: sum(r.end - r.start for r in rs), "no unit", "divide it by the wall time"),
    (lambda rs: sum(r.end - r.start for r in rs) / len(rs), "first start to its last end",
     "not the number of tasks"),
    (lambda rs: sum(r.end - r.start for r in rs) / max(r.end for r in rs), "first start",
     "last end alone"),
    (lambda rs: len(rs) / _span(rs), "reread the formula", "busy / wall"),
    (lambda rs: "1.75", "one number", "busy / wall"),
    (lambda rs: rs.nope, "start and end", "busy / wall"),
])
def test_concurrency_wrong_answers(wrong, hint, detail):
    first = check_concurrency(wrong)
    assert not first and hint in first.hint, first
    if detail:
        second = check_concurrency(wrong)
        assert second.shows_detail and detail in second.detail, second


def test_concurrency_first_hint_does_not_give_the_formula():
    assert "busy / wall" not in repr(check_concurrency(_starter))
