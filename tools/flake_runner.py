"""Run the whole nbval suite N times while another process keeps one CPU busy; count failures per cell.

    python tools/flake_runner.py                  # 5 runs of every notebook, spawn
    python tools/flake_runner.py -n 2 --start-method forkserver book/deadlock.ipynb

A flake is a cell that fails on some runs and not others: timing, ordering or
load makes its output differ.  One run proves little, so this runs the suite
``N`` times (default 5) with the same flags as ``make test-notebooks`` while a
busy loop (a second Python process) keeps one CPU fully used, as a shared CI
runner or a laptop doing something else would.  It then prints every cell that
failed at least once, as ``notebook  cell  failures/N``, plus each notebook's
slowest wall time (kernel start to last cell; from ``book/conftest.py``) and
each run's total.  The goal is no line at all; the exit status is 1 otherwise.

A JSON summary goes to ``_build/flakes.json``, each run's junit report (with
every failure's full text) to ``_build/flakes/runN.xml``.  The busy process is stopped
when this ends, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_nbval  # noqa: E402  (tools/run_nbval.py: the flags every target uses)

ROOT = Path(__file__).resolve().parent.parent


_BUSY = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass\n"


def start_busy_cpu(seconds: float) -> subprocess.Popen:
    """A process that keeps one CPU busy for at most ``seconds`` (so it cannot outlive us long)."""
    return subprocess.Popen([sys.executable, "-c", _BUSY.format(seconds=seconds)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


_ANSI = re.compile(r"\x1b\[[0-9;]*m|#x1B\[[0-9;]*m")


def _reason(message: str, text: str) -> str:
    """The informative line of a failure: the exception raised in the cell, or nbval's own."""
    lines = [_ANSI.sub("", line).strip() for line in (text or message).splitlines()]
    lines = [line for line in lines if line and "Notebook cell execution failed" not in line]
    for line in reversed(lines):  # a cell's traceback ends with "SomeError: what"
        if re.match(r"^[A-Za-z_.]*(Error|Exception|Interrupt|Exit)\b", line):
            return line[:200]
    for line in lines:
        if "did not match" in line or "left things running" in line or "Timeout" in line:
            return line[:200]
    return (lines[0] if lines else _ANSI.sub("", message))[:200]


def _failures(junit: Path) -> list[tuple[str, str, str]]:
    """(notebook, cell, first line of the failure) for each failed or errored test case."""
    if not junit.exists():
        return [("(pytest)", "-", "no report written: pytest crashed or was killed")]
    out = []
    for case in ET.parse(junit).iter("testcase"):
        bad = case.find("failure")
        if bad is None:
            bad = case.find("error")
        if bad is None:
            continue
        notebook = case.get("file") or case.get("classname", "?")
        name = case.get("name", "?")
        out.append((notebook, name, _reason(bad.get("message") or "", bad.text or "")))
    return out


def run_once(paths: list[str], start_method: str, timeout: float, workdir: Path, i: int
             ) -> tuple[list[tuple[str, str, str]], dict[str, float], float, int]:
    junit = workdir / f"run{i}.xml"
    times = workdir / f"times{i}.json"
    env = dict(os.environ, PARALLEL_DEMO_START_METHOD=start_method,
               PARALLEL_DEMO_NB_TIMES=str(times))
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(run_nbval.command(f"--junitxml={junit}", *paths), cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=timeout)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        code = -1
    took = time.perf_counter() - t0
    fails = _failures(junit)
    if code == -1:
        fails.append(("(pytest)", "-", f"the whole run took more than {timeout:.0f} s"))
    nb_times = json.loads(times.read_text()) if times.exists() else {}
    return fails, nb_times, took, code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["book"], help="notebooks or folders (default: book)")
    parser.add_argument("-n", "--runs", type=int, default=5, help="how many runs (default 5)")
    parser.add_argument("--start-method", default="spawn", choices=["spawn", "forkserver", "fork"],
                        help="PARALLEL_DEMO_START_METHOD for the runs (default spawn)")
    parser.add_argument("--no-load", action="store_true", help="do not keep a CPU busy")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds one whole run may take (default 1800)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")

    counts: Counter = Counter()
    first_message: dict[tuple[str, str], str] = {}
    slowest: dict[str, float] = {}
    totals: list[float] = []
    busy = None if args.no_load else start_busy_cpu(args.runs * args.timeout)
    load = "no extra load" if busy is None else "one CPU kept busy by another process"
    print(f"flake runner: {args.runs} run(s) of {' '.join(args.paths)}, start method "
          f"{args.start_method}, {os.cpu_count()} CPU(s), {load}", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="flakes-") as tmp:
            for i in range(args.runs):
                fails, nb_times, took, code = run_once(args.paths, args.start_method,
                                                       args.timeout, Path(tmp), i)
                keep = ROOT / "_build" / "flakes"  # each run's junit report, for the details
                keep.mkdir(parents=True, exist_ok=True)
                if (Path(tmp) / f"run{i}.xml").exists():
                    shutil.copy(Path(tmp) / f"run{i}.xml", keep / f"run{i + 1}.xml")
                totals.append(took)
                for nb, t in nb_times.items():
                    name = str(Path(nb).relative_to(ROOT)) if Path(nb).is_absolute() else nb
                    slowest[name] = max(slowest.get(name, 0.0), t)
                for nb, cell, message in fails:
                    counts[(nb, cell)] += 1
                    first_message.setdefault((nb, cell), message)
                print(f"  run {i + 1}/{args.runs}: {took:6.0f} s, {len(fails)} failing cell(s), "
                      f"load average {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()

    print(f"\nfailures per cell ({args.runs} run(s)):" if counts else
          f"\nno cell failed in {args.runs} run(s)")
    for (nb, cell), k in sorted(counts.items()):
        print(f"  {nb:<45} {cell:<10} {k}/{args.runs}  {first_message[(nb, cell)]}")
    if slowest:
        print("\nslowest wall time per notebook (goal <= 30 s on 2 CPUs):")
        for nb, t in sorted(slowest.items(), key=lambda kv: -kv[1]):
            print(f"  {nb:<45} {t:6.1f} s{'  over 30 s' if t > 30 else ''}")
    print(f"\nwhole suite per run: {', '.join(f'{t:.0f} s' for t in totals)} (goal <= 240 s)")
    summary = {"runs": args.runs, "start_method": args.start_method, "load": load,
               "cpus": os.cpu_count(),
               "failures": [{"notebook": nb, "cell": cell, "count": k,
                             "message": first_message[(nb, cell)]}
                            for (nb, cell), k in sorted(counts.items())],
               "notebook_seconds": slowest, "suite_seconds": totals}
    out = ROOT / "_build" / "flakes.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(summary, indent=1))
    print(f"summary: {out.relative_to(ROOT)}")
    return 1 if counts else 0


if __name__ == "__main__":
    sys.exit(main())
