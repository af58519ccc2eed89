"""The decision guide: costs with their sources, the table, the tree, the charts."""

from __future__ import annotations

from pathlib import Path

import pytest

from parallel_demo.charts.which_tool import plot_decision_tree, plot_prediction, plot_tool_costs
from parallel_demo.reference import ReferenceRun, find_references, this_machine
from parallel_demo.timing import Measurement
from parallel_demo.trace import RunResult, TaskRecord
from parallel_demo.which_tool import (ANSWERS, DECISION_TREE, TINY_ITEMS, TOOLS, Leaf, Question,
                                      choose_tool, format_tool_table, measure_costs,
                                      reference_costs, tool_chapter, tool_status, tool_table)

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(60)
def test_measure_costs_here():
    got = measure_costs(("thread_pool", "process_pool"), repeat=2, warmup=0)
    assert set(got) == {"thread_pool", "process_pool"}
    for startup, per_task in got.values():
        assert len(startup.times) == 2 and len(per_task.times) == 2
        assert all(t > 0 for t in startup.times)  # a pool takes some time to start
        assert all(t > 0 for t in per_task.times)


def _ref(strategy, n, walls, cpus=2):
    recs = [TaskRecord(i, "w 0", 1, 1, float(i), float(i) + 0.5) for i in range(n)]
    m = this_machine().__class__(**{**this_machine().__dict__, "effective_cpus": cpus})
    return ReferenceRun(RunResult(strategy, 2, [True] * n, recs, walls[0], 0.0), m, "note", "w",
                        tuple(walls))


def test_reference_costs_from_one_and_tiny_runs():
    n = len(TINY_ITEMS)
    refs = [_ref("process_pool", 1, [0.02, 0.03, 0.02]),
            _ref("process_pool", n, [5.0] * 3),
            _ref("thread_pool", 1, [0.001] * 3, cpus=1)]
    got = reference_costs(refs)
    assert set(got) == {"process_pool"}           # the 1-CPU thread run is left out
    startup, per_task, label = got["process_pool"]
    assert startup.times == (0.02, 0.03, 0.02)
    # one lane, tasks i..i+0.5 for i < 200: span 199.5 s over 200 tasks
    assert per_task.times == (pytest.approx(199.5 / n),)
    assert "note" in label


def test_per_task_seconds_counts_busy_lanes():
    from parallel_demo.which_tool import per_task_seconds

    recs = [TaskRecord(i, f"w {i % 2}", 1, i % 2, 1.0 + (i // 2), 2.0 + (i // 2)) for i in range(4)]
    r = RunResult("thread_pool", 2, [1] * 4, recs, 9.0, 0.0)
    assert per_task_seconds(r) == pytest.approx(2 * 2.0 / 4)   # span 2 s, 2 lanes, 4 tasks
    with pytest.raises(ValueError, match="at least one task"):
        per_task_seconds(RunResult("thread_pool", 2, [], [], 0.0, 0.0))


def test_table_labels_every_source():
    measured = {"thread_pool": (Measurement("s", (1e-3, 2e-3, 3e-3)), Measurement("p", (1e-5,) * 3))}
    refs = find_references(ROOT / "book" / "reference")
    rows = tool_table(measured, refs)
    assert [r.name for r in rows] == [t.name for t in TOOLS]
    by = {r.name: r for r in rows}
    assert by["threads"].startup.source == "this kernel"
    assert by["threads"].startup.seconds == pytest.approx(2e-3)
    assert by["processes"].startup.source.startswith("reference: ")
    for r in rows:
        for c in (r.startup, r.per_task):
            assert c.source == "this kernel" or c.source.startswith("reference: ") or (
                c.seconds is None and c.source == "not measured" and c.why)
    md = format_tool_table(rows)
    assert md.count("\n") == len(rows) + 1 and "this kernel" in md
    assert "reference: " in md
    assert "not measured" in md
    assert "threads" in format_tool_table(rows, markdown=False)


@pytest.mark.timeout(60)
def test_quick_strategies_are_measurable():
    from parallel_demo.which_tool import quick_strategies

    quick = quick_strategies()
    assert {"thread_pool", "process_pool"} <= set(quick)
    got = measure_costs(quick, repeat=1, warmup=0)
    assert set(got) == set(quick)


def test_status_never_raises():
    for t in TOOLS:
        s = tool_status(t)
        assert s == "runs here" or s.startswith("not here") or s == "no run() strategy"
    assert tool_status("threads") == "runs here"


def test_decision_tree_and_choose_tool():
    assert choose_tool(job_seconds=0.001, waits=False, pool_startup=0.05).tool == "sequential"
    assert choose_tool(job_seconds=10, waits=True).tool == "threads"
    assert choose_tool(job_seconds=10, waits=True, concurrent_waits=10_000).tool == "asyncio"
    assert choose_tool(job_seconds=10, waits=False).tool == "processes"
    assert choose_tool(job_seconds=10, waits=False, free_threaded=True).tool == "free-threaded threads"
    assert choose_tool(job_seconds=1e5, waits=False, machines_needed=4).tool == "dask"
    with pytest.raises(ValueError, match="job_seconds"):
        choose_tool(job_seconds=-1, waits=False)
    with pytest.raises(TypeError, match="concurrent_waits"):
        choose_tool(job_seconds=1, waits=True, concurrent_waits=1.5)

    def leaves(node):
        return [node] if isinstance(node, Leaf) else leaves(node.yes) + leaves(node.no)

    for leaf in leaves(DECISION_TREE):
        assert leaf.tool in ANSWERS and leaf.chapter
    assert isinstance(DECISION_TREE, Question)
    assert tool_chapter("subinterpreters") == "free_threading_and_interpreters"
    with pytest.raises(ValueError, match="tool must be one of"):
        tool_chapter("fibers")


def test_charts_draw():
    ax = plot_decision_tree(DECISION_TREE, notes={"tiny": "note here", "threads": "x"})
    texts = [t.get_text() for t in ax.texts]
    assert ax.get_title() and "note here" in texts and "processes" in texts
    measured = {"thread_pool": (Measurement("s", (1e-3,) * 3), Measurement("p", (1e-5,) * 3))}
    rows = tool_table(measured, find_references(ROOT / "book" / "reference"))
    ax = plot_tool_costs(rows)
    assert ax.get_title() and "seconds" in ax.get_xlabel() and ax.get_legend()
    assert [t.get_text() for t in ax.get_yticklabels()] == [t.name for t in TOOLS]
    ax = plot_prediction(1e-4, Measurement("m", (2e-4, 3e-4, 2.5e-4)))
    assert ax.get_title() and "seconds" in ax.get_xlabel() and ax.get_legend()
    with pytest.raises(TypeError, match="tree must be a Question"):
        plot_decision_tree("tree")
    with pytest.raises(ValueError, match="at least one"):
        plot_tool_costs([])


def _m(label, *times):
    return Measurement(label, tuple(times))


def test_explain_costs_compares_both_costs():
    from parallel_demo.which_tool import explain_costs

    costs = {"thread_pool": (_m("a", 0.002, 0.002, 0.0021), _m("b", 1e-4, 1e-4, 1.1e-4)),
             "process_pool": (_m("c", 0.03, 0.031, 0.03), _m("d", 4e-4, 4e-4, 4.2e-4))}
    text = explain_costs(costs)
    lines = text.splitlines()
    assert lines[0].startswith("- **start-up**: the thread pool was faster than the process pool")
    assert lines[1].startswith("- **per-task cost**: the thread pool was faster")
    with pytest.raises(ValueError, match="process_pool"):
        explain_costs({"thread_pool": costs["thread_pool"]})


def test_explain_pool_vs_loop_never_a_parallel_win_on_one_cpu():
    from parallel_demo.which_tool import explain_pool_vs_loop

    pool, loop = _m("pool", 0.05, 0.05, 0.051), _m("loop", 0.1, 0.1, 0.101)
    assert "was faster than a plain loop" in explain_pool_vs_loop(pool, loop, where="x", cpus=2)
    one = explain_pool_vs_loop(pool, loop, where="one CPU", cpus=1)
    assert one.startswith("- one CPU: ") and "a tie" in one and "was faster" not in one


def test_explain_reference_runs_one_line_per_pool_run():
    from parallel_demo.reference import select_references
    from parallel_demo.which_tool import explain_reference_runs

    refs = find_references()
    pools = select_references(refs, strategy="process_pool", workload="is_prime on large")
    lines = explain_reference_runs(pools, refs).splitlines()
    assert len(lines) == len(pools) >= 2
    assert all(line.startswith("- reference, Python ") for line in lines)
    one_cpu = [line for line, p in zip(lines, pools) if p.cpus == 1]
    assert one_cpu and not any("the process pool was faster" in line for line in one_cpu)
