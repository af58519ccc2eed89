"""Tests for parallel_demo.checks_basics: solutions pass, typical mistakes get their hint."""

import threading

import pytest

from parallel_demo.checks.affinity import KINDS
from parallel_demo import SCENARIOS, check_classification, check_cpus_executing, check_pool_pays_off, check_run_in_thread, check_same_thread




# --- classification ----------------------------------------------------------

SOLUTION_KINDS = {"a": "concurrent only", "b": "concurrent only", "c": "parallel",
                  "d": "neither", "e": "concurrent only"}


def test_classification_solution_passes():
    assert set(SOLUTION_KINDS) == set(SCENARIOS)
    assert set(SOLUTION_KINDS.values()) <= set(KINDS)
    assert check_classification(SOLUTION_KINDS)


@pytest.mark.parametrize("key, answer, words", [
    ("a", "parallel", "take turns"),
    ("b", "parallel", "sleeping thread executes nothing"),
    ("c", "concurrent only", "parallelism"),
    ("d", "concurrent only", "nothing overlaps"),
    ("e", "parallel", "GIL"),
])
def test_classification_mistakes_get_their_hint(key, answer, words):
    r = check_classification({**SOLUTION_KINDS, key: answer})
    assert not r and words in r.hint and f"scenario {key}" in r.message


@pytest.mark.parametrize("answers, words", [
    (["parallel"], "dict"), ({"a": "parallel"}, "one answer per id"),
    ({**SOLUTION_KINDS, "c": "Parallel!"}, "exactly one of"),
])
def test_classification_malformed(answers, words):
    r = check_classification(answers)
    assert not r and words in r.hint


# --- CPUs executing ---------------------------------------------------------

def cpus_executing(records, timed):
    wall = max(r.end for r in records) - min(r.start for r in records)
    return sum(t.cpu for t in timed) / wall


def test_cpus_executing_solution_passes():
    assert check_cpus_executing(cpus_executing)


@pytest.mark.parametrize("wrong, words", [
    (lambda rs, ts: sum(r.end - r.start for r in rs) / (max(r.end for r in rs) - min(r.start for r in rs)),
     "concurrency"),
    (lambda rs, ts: sum(t.cpu / t.wall for t in ts) / len(ts), "average share"),
    (lambda rs, ts: sum(t.cpu for t in ts), "CPU seconds alone"),
    (lambda rs, ts: sum(t.cpu for t in ts) / sum(r.end - r.start for r in rs), "busy time"),
    (lambda rs, ts: 1 / cpus_executing(rs, ts), "upside down"),
    (lambda rs, ts: rs.missing, "max(r.end)"),
    (lambda rs, ts: "0.9", "float"),
])
def test_cpus_executing_mistakes_get_their_hint(wrong, words):
    r = check_cpus_executing(wrong)
    assert not r and words in r.hint


# --- same thread -------------------------------------------------------------

def test_same_thread_solutions_pass():
    assert check_same_thread(lambda a, b: (a.pid, a.ident) == (b.pid, b.ident))
    assert check_same_thread(lambda a, b: a.native_id == b.native_id)


@pytest.mark.parametrize("wrong, words", [
    (lambda a, b: a.ident == b.ident, "unique only inside its process"),
    (lambda a, b: a.thread_name == b.thread_name, "unique only inside its process"),
    (lambda a, b: a.pid == b.pid, "same pid means the same process"),
    (lambda a, b: a == b, "not whole records"),
    (lambda a, b: a.tid == b.tid, ".native_id"),
    (lambda a, b: "yes", "bool"),
])
def test_same_thread_mistakes_get_their_hint(wrong, words):
    r = check_same_thread(wrong)
    assert not r and words in r.hint


# --- run in thread -----------------------------------------------------------

def run_in_thread(func, *args):
    box = {}

    def target():
        try:
            box["result"] = func(*args)
        except BaseException as exc:
            box["error"] = exc

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


@pytest.mark.timeout(30)
def test_run_in_thread_solution_passes():
    assert check_run_in_thread(run_in_thread)


def drops_result(func, *args):
    t = threading.Thread(target=func, args=args)
    t.start()
    t.join()


def loses_exception(func, *args):
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("r", func(*args)))
    t.start()
    t.join()
    return box.get("r")


def swallows_exception(func, *args):
    box = {}

    def target():
        try:
            box["r"] = func(*args)
        except Exception:
            pass

    t = threading.Thread(target=target)
    t.start()
    t.join()
    return box.get("r")


def wraps_exception(func, *args):
    try:
        return run_in_thread(func, *args)
    except Exception as exc:
        raise RuntimeError("failed") from exc


def no_join(func, *args):
    import time
    box = {}
    t = threading.Thread(target=lambda: (box.setdefault("r", func(*args)), time.sleep(0.3)))
    t.start()
    while "r" not in box and t.is_alive():
        time.sleep(0.001)
    return box.get("r")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("wrong, words", [
    (drops_result, "return value is dropped"),
    (lambda func, *args: func(*args), "calling func directly"),
    (loses_exception, "threading.excepthook"),
    (swallows_exception, "raise the exception"),
    (wraps_exception, "re-raise the caught exception object"),
])
def test_run_in_thread_mistakes_get_their_hint(wrong, words):
    r = check_run_in_thread(wrong)
    assert not r and words in r.hint


@pytest.mark.timeout(30)
def test_run_in_thread_left_running_thread():
    import time
    r = check_run_in_thread(no_join)
    assert not r and "join()" in r.hint
    time.sleep(0.5)  # let the un-joined threads of the wrong answer end


# --- pool pays off -----------------------------------------------------------

def test_pool_pays_off_solution_passes():
    assert check_pool_pays_off(lambda work, startup, workers: startup + work / workers < work)


@pytest.mark.parametrize("wrong, words", [
    (lambda w, s, k: w / k < w, "forgot the start-up cost"),
    (lambda w, s, k: s + w < w, "forgot to share the work"),
    (lambda w, s, k: s < w, "not enough"),
    (lambda w, s, k: s + w / k < w or k == 1, "never pays off"),
    (lambda w, s, k: "yes", "comparison"),
    (lambda w, s: True, "startup + work / workers"),
])
def test_pool_pays_off_mistakes_get_their_hint(wrong, words):
    r = check_pool_pays_off(wrong)
    assert not r and words in r.hint
