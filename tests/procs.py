"""What tests of child processes share."""

from __future__ import annotations

import os

import pytest

from parallel_demo._hang import wait_until


def process_gone(pid: int) -> bool:
    """True once no process ``pid`` exists (a zombie of ours counts as gone only once reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def assert_process_gone(pid: int, what: str, within: float = 5.0) -> None:
    """Fail with ``what`` unless process ``pid`` is gone within ``within`` seconds."""
    if not wait_until(lambda: process_gone(pid), within):
        pytest.fail(f"{what} {pid} is still running {within:g} s later")
