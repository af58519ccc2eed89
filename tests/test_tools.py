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
from procs import assert_process_gone  # noqa: E402


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
    # fork (Linux's default up to 3.13) on a version that has it as its default, and with
    # 3.11's spawn and forkserver runs, spawn and forkserver on more than one version each.
    assert test_pythons.NB_METHOD["3.12"] == "fork"
    methods = [*test_pythons.NB_METHOD.values(), "spawn", "forkserver"]
    assert methods.count("spawn") >= 2 and methods.count("forkserver") >= 2
    assert "fork" not in {test_pythons.NB_METHOD[v] for v in ("3.14", "3.15")}


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
    assert_process_gone(int(pidfile.read_text()), "the step's child")
    assert "FAILED" in capsys.readouterr().out


def test_a_signal_stops_every_running_step_and_its_children(tmp_path):
    """make test starts the set-ups ahead and stops them on failure with SIGTERM: the
    steps run in their own sessions, so test_pythons must kill them itself."""
    import signal
    import subprocess

    pidfile = tmp_path / "sleep.pid"
    script = f"""
import signal, sys
sys.path.insert(0, {str(ROOT / "tools")!r})
import test_pythons
from pathlib import Path
test_pythons.LOGS = Path({str(tmp_path)!r})
test_pythons._step = lambda v, s, x=(): ["sh", "-c", "sleep 60 & echo $! > {pidfile}; wait"]
signal.signal(signal.SIGTERM, test_pythons._stop_all)
sys.exit(test_pythons.main(["--versions", "3.12", "--setup-only"]))
"""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        from parallel_demo._hang import wait_until

        assert wait_until(lambda: pidfile.exists() and pidfile.read_text().strip(), 20)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + signal.SIGTERM, out
    assert "1 running step(s) killed" in out
    assert_process_gone(int(pidfile.read_text()), "the set-up step's child")


def test_the_chroot_set_up_is_named_for_both_versions(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(test_pythons, "LOGS", tmp_path)
    monkeypatch.setattr(test_pythons, "_step", lambda v, s, x=(): ["true"])
    assert test_pythons.main(["--versions", "3.14", "3.15", "--setup-only"]) == 0
    out = capsys.readouterr().out
    assert "3.14 and 3.15 (sid chroot) setup" in out and "3.14 setup" not in out
    assert (tmp_path / "3.14-and-3.15-(sid-chroot)-setup.log").exists()
