"""The test tools: nbval's one set of flags (tools/run_nbval.py) and the other Pythons' runner
(tools/test_pythons.py)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import run_nbval  # noqa: E402
import test_pythons  # noqa: E402


def test_every_nbval_run_takes_its_flags_from_run_nbval():
    assert run_nbval.command("book", python="py") == ["py", "-m", "pytest", *run_nbval.ARGS, "book"]
    assert "--nbval-sanitize-with" in run_nbval.ARGS and "--nbval-cell-timeout=120" in run_nbval.ARGS
    # No other file spells the flags out again.
    for path in [ROOT / "Makefile", *sorted((ROOT / "tools").glob("*.*")),
                 ROOT / "src/parallel_demo/bench.py"]:
        if path.name != "run_nbval.py" and path.suffix in ("", ".py", ".sh"):
            assert "--nbval-sanitize-with" not in path.read_text(), path


def test_each_version_runs_its_library_suite_and_nbval_under_its_start_method():
    xdist = ("-n", "4", "--dist", "loadfile")
    assert test_pythons._step("3.12", "lib", xdist) == ["tools/pyenv_tests.sh", "test", "3.12", *xdist]
    assert test_pythons._step("3.14", "lib") == ["tools/sid_chroot.sh", "test", "3.14"]
    assert test_pythons._step("3.15", "setup") == ["tools/sid_chroot.sh", "provision"]
    assert test_pythons._step("3.13", "nbval") == ["tools/pyenv_tests.sh", "nbval", "3.13", "book"]
    # With 3.11's spawn and forkserver runs, each method on more than one version.
    assert sorted(test_pythons.NB_METHOD.values()) == ["forkserver"] * 2 + ["spawn"] * 2


def test_the_summary_is_pytests_last_result_line(tmp_path):
    log = tmp_path / "3.12-lib.log"
    log.write_text("....\nFAILED tests/test_x.py::test_y\n== short test summary info ==\n"
                   "FAILED tests/test_x.py::test_y - boom\n"
                   "1 failed, 1779 passed, 62 skipped in 185.18s (0:03:05)\n")
    result = test_pythons.Result("3.12", "lib", 1, 190.0, log)
    assert not result.ok
    assert result.summary() == "1 failed, 1779 passed, 62 skipped in 185.18s (0:03:05)"
    assert result.failures().startswith("short test summary info")
    assert "boom" in result.failures()


def test_a_step_past_its_deadline_is_killed_with_its_children(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(test_pythons, "LOGS", tmp_path)
    monkeypatch.setattr(test_pythons, "DEADLINE", {"lib": 1})
    pidfile = tmp_path / "child.pid"
    # A shell that starts a long sleep in the background and waits: the sleep is its child.
    monkeypatch.setattr(test_pythons, "_step", lambda v, s, x=(): [
        "sh", "-c", f"sleep 60 & echo $! > {pidfile}; wait"])
    t0 = time.monotonic()
    result = test_pythons.run_step("3.12", "lib", dict(os.environ))
    assert result.rc == 124 and time.monotonic() - t0 < 20
    assert "passed its 1 s deadline" in (tmp_path / "3.12-lib.log").read_text()
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"the step's child {child} is still running")
    assert "FAILED" in capsys.readouterr().out
