"""interpreters: the "interpreter_pool" strategy on 3.14, its "not available" path before, pool costs."""

from __future__ import annotations

import os
import sys

import pytest

from parallel_demo import STRATEGIES, run, strategy_available
from parallel_demo import interpreters as ip
from parallel_demo.workloads import is_prime, large_primes

pytestmark = pytest.mark.timeout(120)

needs_314 = pytest.mark.skipif(not ip.HAS_INTERPRETER_POOL,
                               reason=f"interpreter_pool {ip.INTERPRETER_POOL_REASON}")
before_314 = pytest.mark.skipif(ip.HAS_INTERPRETER_POOL, reason="this Python has the executor")


def test_listed_among_the_strategies():
    assert "interpreter_pool" in STRATEGIES


@pytest.mark.parametrize("version, has, says", [
    ((3, 11, 7), False, "needs Python 3.14 (this is 3.11.7)"),
    ((3, 13, 0), False, "needs Python 3.14 (this is 3.13.0)"),
    ((3, 14, 0), False, "needs concurrent.futures.InterpreterPoolExecutor"),
    ((3, 14, 0), True, None),
    ((3, 15, 2), True, None),
])
def test_reason_from_faked_detection(version, has, says):
    reason = ip.interpreter_pool_reason(version, has)
    assert reason == says if says is None else says in reason


@before_314
def test_not_available_before_314_says_why():
    assert strategy_available("interpreter_pool") == ip.INTERPRETER_POOL_REASON
    assert ip.INTERPRETER_POOL_REASON == f"needs Python 3.14 (this is {sys.version.split()[0]})"
    with pytest.raises(RuntimeError, match=r"interpreter_pool.*needs Python 3\.14"):
        run("interpreter_pool", is_prime, [97])
    with pytest.raises(RuntimeError, match="needs Python 3.14"):
        ip.try_in_interpreter(is_prime, 97)


@before_314
def test_pool_costs_skip_it_before_314():
    costs = ip.measure_pool_costs(["thread_pool", "interpreter_pool"], tasks=4, repeat=1)
    assert [c.strategy for c in costs] == ["thread_pool"]


def test_pool_cost_structure_and_round_trip():
    [cost] = ip.measure_pool_costs(["thread_pool"], tasks=5, repeat=2)
    assert len(cost.startup.times) == 2 and cost.tasks == 5 and cost.per_task >= 1e-7
    again = ip.PoolCost.from_dict(cost.to_dict())
    assert again.startup.times == cost.startup.times and again.many.times == cost.many.times


def test_explain_pool_costs_heading():
    costs = ip.measure_pool_costs(["thread_pool"], tasks=3, repeat=1)
    plain = ip.explain_pool_costs(costs)
    assert plain.startswith("- One more task")
    assert ip.explain_pool_costs(costs, heading="Measured here") == "Measured here:\n\n" + plain


@pytest.mark.parametrize("kwargs, error", [({"tasks": 1}, ValueError),
                                          ({"workers": 0}, ValueError),
                                          ({"tasks": "10"}, TypeError)])
def test_pool_costs_validate(kwargs, error):
    with pytest.raises(error):
        ip.measure_pool_costs(["thread_pool"], **kwargs)


def test_telling_line_finds_the_reason():
    numpy_like = ("\n\nIMPORTANT: PLEASE READ THIS\n...\nOriginal error was: module "
                  "numpy._core._multiarray_umath does not support loading in subinterpreters\n")
    assert ip._telling_line(numpy_like).endswith("does not support loading in subinterpreters")
    assert ip._telling_line("Traceback (most recent call last):\nValueError: x") == "ValueError: x"


# --- on a real Python 3.14 (run in the sid chroot: tools/sid_chroot.sh test 3.14) ---------

@needs_314
def test_results_equal_sequential():
    items = large_primes(3) + [1, 4, 97, 100]
    expected = run("sequential", is_prime, items).results
    result = run("interpreter_pool", is_prime, items, workers=2)
    assert result.results == expected
    assert [r.index for r in result.records] == list(range(len(items)))


@needs_314
def test_one_thread_per_interpreter_same_pid():
    result = run("interpreter_pool", is_prime, large_primes(6), workers=2)
    assert {r.pid for r in result.records} == {os.getpid()}
    threads_of: dict[str, set[int]] = {}
    for r in result.records:
        threads_of.setdefault(r.worker, set()).add(r.thread)
    assert all(len(t) == 1 for t in threads_of.values()), threads_of
    assert len({next(iter(t)) for t in threads_of.values()}) == len(threads_of)
    assert set(threads_of) <= {"interpreter 0", "interpreter 1"}


@needs_314
def test_first_failure_in_input_order_keeps_its_type_and_names_the_item():
    with pytest.raises(TypeError) as info:
        run("interpreter_pool", is_prime, [97, "x", 5, "y"], workers=2)
    assert any("item #1: 'x'" in n for n in getattr(info.value, "__notes__", []))


@needs_314
def test_runs_in_another_interpreter():
    crossing = ip.try_in_interpreter(ip.interpreter_id)
    assert crossing.ok and crossing.result != ip.interpreter_id() == 0


@needs_314
def test_what_crosses_in_a_script():
    assert ip.try_in_interpreter(is_prime, 97).result is True

    def closure_maker(k):
        return lambda x: x + k

    bad = ip.try_in_interpreter(closure_maker(5), 1, name="closure")
    assert not bad.ok and bad.error == "NotShareableError"
    numpy = ip.try_in_interpreter(ip.import_in_interpreter, "numpy")
    assert not numpy.ok and numpy.error == "ImportError"
    assert "subinterpreters" in numpy.message


@needs_314
def test_nothing_left_running_after_a_failure():
    import threading

    before = threading.active_count()
    with pytest.raises(TypeError):
        run("interpreter_pool", is_prime, ["x"] + large_primes(4), workers=2)
    assert threading.active_count() <= before


@needs_314
def test_pool_costs_include_interpreters():
    costs = ip.measure_pool_costs(tasks=4, repeat=1)
    assert [c.strategy for c in costs] == ["thread_pool", "process_pool", "interpreter_pool"]


def test_explain_crossings_falls_back_to_the_recorded_ones():
    crossings, text = ip.explain_crossings({"abs": abs}, recorded=[], recorded_on="X")
    if ip.INTERPRETER_POOL_REASON is None:
        assert [c.name for c in crossings] == ["abs"] and text.startswith("Tried just now")
    else:
        assert crossings == [] and text.startswith("Recorded in a Jupyter kernel on X:")
