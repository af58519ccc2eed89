"""Saved runs: JSON round trip, the format version, the Chrome trace-event export."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from parallel_demo import is_prime, run
from parallel_demo.reference import (FORMAT, ReferenceRun, as_reference,
                                     find_references, load_run, run_from_dict, run_to_dict,
                                     save_run, save_trace_events, this_machine, to_trace_events)
from parallel_demo.trace import RunResult, TaskRecord

ROOT = Path(__file__).resolve().parent.parent
NUMBERS = [97, 100, 101, 7919, 7920, 104729]


def _fake(strategy="process_pool") -> RunResult:
    recs = [TaskRecord(0, "process 0", 101, 7, 10.0, 10.5, 9.9, "97"),
            TaskRecord(1, "process 1", 102, 7, 10.1, 10.4, 9.9, "100"),
            TaskRecord(2, "process 0", 101, 7, 10.5, 10.9, None, "")]
    return RunResult(strategy, 2, [True, False, True], recs, wall=1.0, start=9.9)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("strategy", ["sequential", "thread_pool", "process_pool"])
def test_round_trip_equal(tmp_path, strategy):
    result = run(strategy, is_prime, NUMBERS, workers=2)
    path = save_run(result, tmp_path / "r.json", note="a note", workload="primes",
                    walls=[result.wall, 2.0])
    back = load_run(path)
    assert isinstance(back, ReferenceRun)
    assert back.result == result
    assert back.result.records == result.records
    assert replace(back.machine, date="") == replace(this_machine(), date="")
    assert back.note == "a note" and back.workload == "primes"
    assert back.walls == (result.wall, 2.0)
    assert back.source == "reference"


def test_round_trip_of_a_reference_run_keeps_its_machine(tmp_path):
    m = replace(this_machine(), python="3.14.10", start_method="forkserver", effective_cpus=1)
    ref = ReferenceRun(_fake(), m, "chroot", "w", (1.0,))
    back = load_run(save_run(ref, tmp_path / "r.json"))
    assert back.machine == m and back.result == ref.result and back.note == "chroot"


def test_machine_facts():
    m = this_machine()
    assert m.build in ("GIL", "free-threaded")
    assert m.implementation and m.python.count(".") == 2
    assert m.effective_cpus >= 1
    assert m.start_method in ("fork", "spawn", "forkserver")
    assert "T" in m.date and m.date.endswith("+00:00")
    assert m.platform
    assert m.python in m.label and m.start_method in m.label
    data = run_to_dict(_fake())
    assert data["format"] == FORMAT == "parallel_demo.runresult/1"
    assert set(data["machine"]) >= {"python", "implementation", "build", "gil_enabled",
                                    "cpu_count", "effective_cpus", "start_method", "platform",
                                    "date"}


def test_unknown_version_is_refused_with_a_clear_error(tmp_path):
    data = run_to_dict(_fake())
    data["format"] = "parallel_demo.runresult/2"
    path = tmp_path / "new.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"runresult/2.*reads only.*runresult/1"):
        load_run(path)
    for bad in ({"format": "something/1"}, {"no": "format"}, [1, 2]):
        with pytest.raises(ValueError, match="not a saved run|JSON object"):
            run_from_dict(bad)
    (tmp_path / "junk.json").write_text("{not json")
    with pytest.raises(ValueError, match="not JSON"):
        load_run(tmp_path / "junk.json")


def test_incomplete_file_is_refused():
    data = run_to_dict(_fake())
    del data["run"]["records"][0]["start"]
    with pytest.raises(ValueError, match="record #0"):
        run_from_dict(data)
    data = run_to_dict(_fake())
    del data["machine"]
    with pytest.raises(ValueError, match="machine"):
        run_from_dict(data)


def test_results_that_json_would_change_are_refused(tmp_path):
    result = replace(_fake(), results=[(1, 2), {1: "a"}, object()])
    with pytest.raises(TypeError, match="result #0.*keep_results=False"):
        save_run(result, tmp_path / "x.json")
    back = load_run(save_run(result, tmp_path / "x.json", keep_results=False))
    assert back.result.results == [None, None, None]
    assert back.result.records == result.records


def test_bad_arguments():
    with pytest.raises(TypeError, match="run must be a RunResult"):
        run_to_dict([1, 2])
    with pytest.raises(TypeError, match="machine must be a Machine"):
        run_to_dict(_fake(), machine="laptop")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        find_references("/nonexistent/folder")


def test_as_reference_labels_this_kernel():
    ref = as_reference(_fake(), note="n")
    assert ref.source == "this kernel" and ref.label.startswith("this kernel: ")
    assert ref.label.endswith("; n")


# --- the trace-event format ---------------------------------------------------------

def _check_trace_schema(doc: dict) -> None:
    assert isinstance(doc, dict) and isinstance(doc["traceEvents"], list)
    for ev in doc["traceEvents"]:
        assert isinstance(ev["name"], str) and ev["ph"] in ("X", "M")
        assert isinstance(ev["pid"], int) and isinstance(ev["tid"], int)
        assert isinstance(ev["args"], dict)
        if ev["ph"] == "X":
            assert isinstance(ev["ts"], (int, float)) and isinstance(ev["dur"], (int, float))
            assert ev["ts"] >= 0 and ev["dur"] >= 0
            assert isinstance(ev.get("cat", ""), str)
        else:
            assert ev["name"] in ("process_name", "thread_name", "process_sort_index",
                                  "thread_sort_index")


def test_trace_events_schema_and_microseconds():
    result = _fake()
    doc = to_trace_events(result)
    _check_trace_schema(doc)
    json.dumps(doc)  # serialisable as it is
    tasks = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    assert len(tasks) == len(result.records)
    by_index = {e["args"]["index"]: e for e in tasks}
    # start 10.0 with the run starting at 9.9: 0.1 s = 100000 µs; 0.5 s long = 500000 µs
    assert by_index[0]["ts"] == pytest.approx(100_000)
    assert by_index[0]["dur"] == pytest.approx(500_000)
    assert by_index[0]["pid"] == 101 and by_index[0]["tid"] == 7
    assert by_index[0]["args"]["result"] is True
    assert by_index[2]["name"] == "task 2"
    meta = [e for e in doc["traceEvents"] if e["ph"] == "M"]
    procs = {e["pid"]: e["args"]["name"] for e in meta if e["name"] == "process_name"}
    threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in meta if e["name"] == "thread_name"}
    assert set(procs) == {101, 102} and "pid 101" in procs[101]
    assert threads == {(101, 7): "process 0", (102, 7): "process 1"}
    assert doc["otherData"]["wall_us"] == pytest.approx(1_000_000)
    assert doc["otherData"]["strategy"] == "process_pool"


@pytest.mark.timeout(60)
def test_trace_events_of_a_real_process_pool(tmp_path):
    result = run("process_pool", is_prime, NUMBERS, workers=2)
    path = save_trace_events(as_reference(result), tmp_path / "t.json")
    doc = json.loads(path.read_text())
    _check_trace_schema(doc)
    tasks = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    assert sorted(e["args"]["index"] for e in tasks) == list(range(len(NUMBERS)))
    assert {e["pid"] for e in tasks} == {r.pid for r in result.records}
    for e, r in zip(sorted(tasks, key=lambda e: e["args"]["index"]), result.records):
        assert e["dur"] == pytest.approx((r.end - r.start) * 1e6, abs=0.01)
        assert e["ts"] + e["dur"] <= result.wall * 1e6 + 1
    assert doc["otherData"]["machine"]["python"] == this_machine().python


# --- the book's own reference runs ------------------------------------------------

def test_committed_reference_runs_load():
    refs = find_references(ROOT / "book" / "reference")
    assert refs, "book/reference holds no runs: run tools/record_reference.py"
    for ref in refs:
        if ref.workload.startswith("sleep_async"):  # asyncio's trivial coroutine
            assert ref.result.results == [0.0] * len(ref.result.records)
        else:
            assert ref.result.results == [is_prime(int(r.label)) for r in ref.result.records]
        if ref.workload:  # recorded by tools/record_reference.py: every repeat's wall time
            assert ref.walls and ref.result.wall in ref.walls
        _check_trace_schema(to_trace_events(ref))
    kinds = {(r.result.strategy, r.cpus) for r in refs if r.workload.startswith("is_prime on large")}
    assert {("sequential", 1), ("thread_pool", 1), ("process_pool", 1),
            ("sequential", 2), ("thread_pool", 2), ("process_pool", 2)} <= kinds


def test_select_references():
    from parallel_demo.reference import select_references

    refs = find_references(ROOT / "book" / "reference")
    two = select_references(refs, strategy="process_pool", cpus=2, workload="is_prime on large")
    assert two and all(r.result.strategy == "process_pool" and r.cpus == 2 for r in two)
    py = this_machine().python
    assert select_references(refs, python=py.rsplit(".", 1)[0]) or select_references(refs, python="3.14")
    assert select_references(refs, python="2.7") == []
    with pytest.raises(TypeError, match="ReferenceRun"):
        select_references([1])


def test_walls_measurement():
    ref = ReferenceRun(_fake(), this_machine(), walls=(1.0, 2.0, 3.0))
    m = ref.walls_measurement()
    assert m.times == (1.0, 2.0, 3.0) and m.median == 2.0 and "process_pool" in m.label
    assert ReferenceRun(_fake(), this_machine()).walls_measurement("x").times == (1.0,)


def test_find_references_skips_other_formats_and_refuses_new_versions(tmp_path):
    save_run(_fake(), tmp_path / "a.json")
    (tmp_path / "other.json").write_text(json.dumps({"format": "someone.else/1", "x": 1}))
    (tmp_path / "list.json").write_text("[1, 2]")
    assert len(find_references(tmp_path)) == 1
    data = run_to_dict(_fake())
    data["format"] = "parallel_demo.runresult/9"
    (tmp_path / "new.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="runresult/9"):
        find_references(tmp_path)


