"""``python -m parallel_demo bench``: the report's structure, on tiny sizes.

No timing is asserted (the machine is shared and noisy): only that every part
prints its lines, with a ratio where a ratio belongs, and that a broken part is
reported without hiding the others.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from parallel_demo import bench

TINY = {"primes_per_cpu": 1, "near": 10**5, "pool_repeat": 1,
        "io_requests": 4, "io_repeat": 1,
        "trace_tasks": 50, "trace_repeat": 1,
        "concurrent": 10, "dask_tasks": 5, "dask_repeat": 1,
        "startup_reps": 1, "startup_rounds": 1}

NUM = r"[0-9]+(\.[0-9]+)?"

#: part -> regexes its lines must match, in order (each line matches the next pattern).
EXPECTED = {
    "process pools": [
        r"^process pools, \d+ primes near 1e5 \(1 per CPU\), start method \w+, pool start included",
        rf"^  parallel_demo run\('process_pool'\) +{NUM}  \(spread",
        rf"^  concurrent\.futures\.ProcessPoolExecutor +{NUM}",
        rf"^  multiprocessing\.Pool +{NUM}",
        rf"^  joblib \(loky\) +{NUM}",
        rf"^  sequential {NUM} ms; pool start and stop alone {NUM} ms, so even a perfect split "
        rf"scores at most {NUM}",
        rf"^  ours / best peer: {NUM} \(goal: >= 1\.00 within noise; ours >= 0\.95: (yes|no)\)",
    ],
    "thread pool I/O": [rf"^thread pool on loopback I/O \(4 requests .*speedup / ideal min\(k, N\) "
                        rf"= {NUM} \(goal >= 0\.90\)"],
    "tracing overhead": [rf"^tracing overhead, 50 short tasks on 4 threads: run\(\) / bare executor "
                         rf"= {NUM} \([+-]\d+%; goal <= \+5%\); per task: bare {NUM} us, "
                         rf"run\(\) {NUM} us, and reading its records too {NUM} us \([+-]\d+%\)$"],
    "asyncio vs threads": [r"^asyncio vs threads, 10 concurrent requests",
                           rf"^  time asyncio / threads {NUM} \(threads {NUM} s, asyncio {NUM} s",
                           rf"^  resident memory growth asyncio / threads {NUM} \(threads {NUM} MiB"],
    "worker start-up": [r"^worker start-up",
                        rf"^  (spawn|forkserver) +bare +{NUM} +library task +{NUM} +ratio {NUM}"],
}


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(bench, "QUICK", dict(TINY))


def _check_lines(lines: list[str], patterns: list[str]) -> None:
    k = 0
    for line in lines:
        if k < len(patterns) and re.search(patterns[k], line):
            k += 1
    assert k == len(patterns), f"no line matches {patterns[k]!r} in:\n" + "\n".join(lines)


def test_every_part_is_listed_and_expected():
    assert set(EXPECTED) | {"dask overhead"} == set(bench.PARTS)


@pytest.mark.timeout(240)
def test_quick_report_prints_every_part_with_its_ratios(tiny, capsys):
    parts = [p for p in bench.PARTS if p != "dask overhead"]  # that one: in a child, below
    assert bench.main(quick=True, only=parts) == 0
    out = capsys.readouterr().out.splitlines()
    assert re.match(r"parallel_demo bench --quick: Python [0-9.]+\S*, os\.cpu_count\(\) \d+, "
                    r"affinity \S+, effective_cpus\(\) \d+, default start method \w+, load", out[0])
    assert re.match(r"\(bench took \d+ s; at the end: load", out[-1])
    assert not [line for line in out if "FAILED" in line]
    for part in parts:
        _check_lines(out, EXPECTED[part])


@pytest.mark.timeout(240)
def test_dask_part_reports_overhead_against_a_process_pool():
    # In a child: a Dask client starts threads of its own that live as long as the process.
    code = ("from parallel_demo import bench; bench.QUICK.update(" + repr(TINY) + "); "
            "raise SystemExit(bench.main(quick=True, only=['dask overhead']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=200)
    assert done.returncode == 0, done.stdout + done.stderr
    _check_lines(done.stdout.splitlines(),
                 [rf"^Dask per-task overhead, 5 no-op tasks on \d+ workers: Dask / warm process pool "
                  rf"{NUM}x \(Dask {NUM} us, pool {NUM} us per task"])


def test_a_failing_part_is_reported_and_the_others_still_print(monkeypatch, capsys):
    def broken(quick):
        raise RuntimeError("no server")

    monkeypatch.setitem(bench.PARTS, "thread pool I/O", broken)
    monkeypatch.setitem(bench.PARTS, "tracing overhead", lambda quick: ["tracing line"])
    assert bench.main(quick=True, only=["thread pool I/O", "tracing overhead"]) == 1
    out = capsys.readouterr().out
    assert "thread pool I/O: FAILED (RuntimeError: no server)" in out
    assert "tracing line" in out


@pytest.mark.parametrize("wrapped", [False, True])
def test_notebook_times_from_a_file(tmp_path, wrapped):
    times = {"/x/book/slow.ipynb": 31.5, "/x/book/fast.ipynb": 2.0}
    path = tmp_path / "times.json"
    path.write_text(json.dumps({"notebook_seconds": times} if wrapped else times))
    out = bench._notebook_times(str(path))
    _check_lines(out, [r"^notebook execution under nbval \(goal each <= 30 s on 2 CPUs\)",
                       r"^  slow\.ipynb +31\.5 s  over 30 s",
                       r"^  fast\.ipynb +2\.0 s$",
                       r"^  whole suite 34 s \(sum of notebooks\) \(goal <= 240 s\)"])


def test_cli_options(monkeypatch):
    from parallel_demo.__main__ import main

    seen = {}

    def fake_main(quick, **kw):
        seen.update(quick=quick, **kw)
        return 0

    monkeypatch.setattr(bench, "main", fake_main)
    assert main(["bench", "--quick", "--only", "tracing overhead", "--notebook-times", "f.json"]) == 0
    assert seen == {"quick": True, "notebooks": False, "notebook_times": "f.json",
                    "only": ["tracing overhead"]}
    with pytest.raises(SystemExit):
        main(["bench", "--only", "no such part"])
