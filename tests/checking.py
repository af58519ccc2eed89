"""What the checker tests share: a wrong answer fails with its hint first, its detail second."""

from __future__ import annotations


def assert_fails(check, wrong, hint: str, detail: str = "") -> None:
    """``check(wrong)`` fails; the first hint contains ``hint`` and not yet ``detail``;
    a second failed try shows ``detail``."""
    first = check(wrong)
    assert not first and hint in first.hint, first
    assert not first.shows_detail and (not first.hint or "Hint:" in repr(first)), first
    if detail:
        assert detail not in first.hint, first
        second = check(wrong)
        assert second.shows_detail and detail in second.detail, second
