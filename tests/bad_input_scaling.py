"""Bad-input rows for scaling and choosing a tool: the scaling sweep and its fits, the cost
measurements of "Which tool when", reference runs and their trace events, the explorers (plain
functions and widgets) and the charts of those chapters.  Run by ``test_bad_input.py``.

No row measures anything: every sweep, fit and chart row is refused before a pool starts, the
spin loop is calibrated or a figure is made (a chart row also checks that no figure was left).
The objects the charts take are built by hand from synthetic numbers.  Rows that write a file
get pytest's ``tmp_path`` (``tmp``) and check that nothing was written.  Widget rows are refused
before any widget is created.
"""

from __future__ import annotations

import parallel_demo as pd
from bad_input_base import C, T, V, interp_unavailable
from parallel_demo.which_tool import Cost, ToolRow

NAMES = set("""
    compare_models fit_amdahl measure_prediction measure_scaling mystery_workload
    measure_costs reference_costs
    as_reference find_references save_trace_events select_references to_trace_events
    explore_io io_explorer slider slider_explorer
    amdahl_explorer explore_amdahl
    plot_karp_flatt plot_laws plot_models plot_scaling plot_speedup_prediction
    plot_decision_tree plot_prediction plot_tool_costs
    plot_reference plot_runs_beside
""".split())


# ---------------------------------------------------------------------------
# What the library would have returned, built from synthetic numbers (nothing measured).

def _workload():
    return pd.SerialWorkload(1000, 0.25, "synthetic", 0.2)


def _sweep(workers=(1, 2, 4)):
    ms = tuple(pd.Measurement(f"{p} workers", tuple(0.25 * (0.2 + 0.8 / p) * f
                                                    for f in (1.0, 1.01, 0.99)), workers=p)
               for p in workers)
    return pd.ScalingSweep(_workload(), ms, 2, "spawn")


def _fit():
    return pd.fit_amdahl(_sweep())


def _kf_row():
    return pd.KarpFlattRow(2, 0.2, 0.18, 0.22)


def _prediction_run():
    return pd.PredictionRun(3.0, 4, 0.2, 2.4, 2.3, 2.5, 2)


def _result():
    rec = pd.TaskRecord(index=0, worker="thread 0", pid=1, thread=1, start=0.0, end=0.01,
                        submitted=0.0, label="is_prime(97)")
    return pd.RunResult("thread_pool", 1, [True], [rec], wall=0.01, start=0.0)


def _reference():
    return pd.as_reference(_result())


def _tool_row():
    cost = Cost(1e-3, "this kernel", 0.1, 3)
    return ToolRow(pd.TOOLS[0], cost, cost, "runs here")


def _no_figure(call):
    """The row's call, and a check that the refusal came before any figure was made."""
    def row():
        import matplotlib.pyplot as plt

        before = set(plt.get_fignums())
        try:
            call()
        finally:
            made = set(plt.get_fignums()) - before
            plt.close("all")
            assert not made, "a figure was made before the bad input was refused"
    return row


def _nothing_written(call, name="out.json"):
    """``call(path)`` in ``tmp``, and a check that the refused call wrote no file there."""
    def row(tmp):
        path = tmp / name
        try:
            call(path)
        finally:
            assert not path.exists(), f"{path.name} was written although the input was refused"
    return row


def _interp_runs_here():
    return "interpreter pools run here" if interp_unavailable() is None else None


CASES = [
    # scaling.py: refused before the spin loop is calibrated or a pool starts
    C("compare_models int", lambda: pd.compare_models(5), T, "sweep", "measure_scaling"),
    C("compare_models a fit", lambda: pd.compare_models(_fit()), T, "sweep"),
    C("compare_models one worker count", lambda: pd.compare_models(_sweep((1,))), V, "sweep",
      "above 1"),
    C("fit_amdahl int", lambda: pd.fit_amdahl(5), T, "sweep"),
    C("fit_amdahl dict", lambda: pd.fit_amdahl({1: 0.25, 2: 0.15}), T, "sweep"),
    C("fit_amdahl one worker count", lambda: pd.fit_amdahl(_sweep((1,))), V, "sweep"),
    C("fit_amdahl upto 0", lambda: pd.fit_amdahl(_sweep(), upto=0), V, "upto"),
    C("fit_amdahl upto str", lambda: pd.fit_amdahl(_sweep(), upto="2"), T, "upto"),
    C("measure_prediction str", lambda: pd.measure_prediction("3"), T, "prediction"),
    C("measure_prediction 0", lambda: pd.measure_prediction(0), V, "prediction"),
    C("measure_prediction negative", lambda: pd.measure_prediction(-2.0), V, "prediction"),
    C("measure_prediction workers 1", lambda: pd.measure_prediction(2.0, workers=1), V,
      "workers"),
    C("measure_prediction workers huge", lambda: pd.measure_prediction(2.0, workers=10**6), V,
      "workers"),
    C("measure_prediction serial_fraction above 1",
      lambda: pd.measure_prediction(2.0, serial_fraction=1.5), V, "serial_fraction"),
    C("measure_prediction seconds 0", lambda: pd.measure_prediction(2.0, seconds=0), V,
      "seconds"),
    C("measure_prediction seconds huge", lambda: pd.measure_prediction(2.0, seconds=1e9), V,
      "seconds"),
    C("measure_prediction repeat 0", lambda: pd.measure_prediction(2.0, repeat=0), V, "repeat"),
    C("measure_prediction repeat huge", lambda: pd.measure_prediction(2.0, repeat=10**6), V,
      "repeat"),
    C("measure_scaling workload float", lambda: pd.measure_scaling(0.2), T, "workload"),
    C("measure_scaling workers int", lambda: pd.measure_scaling(_workload(), 4), T, "workers",
      "[1, 2, 4]"),
    C("measure_scaling workers empty", lambda: pd.measure_scaling(_workload(), []), V,
      "workers"),
    C("measure_scaling workers 0", lambda: pd.measure_scaling(_workload(), [0, 2]), V,
      "workers"),
    C("measure_scaling workers negative", lambda: pd.measure_scaling(_workload(), [-2]), V,
      "workers"),
    C("measure_scaling workers huge", lambda: pd.measure_scaling(_workload(), [10**6]), V,
      "workers"),
    C("measure_scaling workers str", lambda: pd.measure_scaling(_workload(), "124"), T,
      "workers"),
    C("measure_scaling repeat 0", lambda: pd.measure_scaling(_workload(), [2], repeat=0), V,
      "repeat"),
    C("measure_scaling repeat huge", lambda: pd.measure_scaling(_workload(), [2],
                                                                repeat=10**6), V, "repeat"),
    C("measure_scaling warmup negative", lambda: pd.measure_scaling(_workload(), [2],
                                                                    warmup=-1), V, "warmup"),
    C("measure_scaling start_method unknown",
      lambda: pd.measure_scaling(_workload(), [2], start_method="thread"), V, "start_method"),
    C("measure_scaling start_method int",
      lambda: pd.measure_scaling(_workload(), [2], start_method=1), T, "start_method"),
    C("mystery_workload seed str", lambda: pd.mystery_workload("3"), T, "seed"),
    C("mystery_workload seed list", lambda: pd.mystery_workload([3]), T, "seed"),
    C("mystery_workload seconds 0", lambda: pd.mystery_workload(seconds=0), V, "seconds"),
    C("mystery_workload seconds negative", lambda: pd.mystery_workload(seconds=-1), V,
      "seconds"),
    C("mystery_workload seconds huge", lambda: pd.mystery_workload(seconds=1e9), V, "seconds"),
    # which_tool.py: refused before a pool starts
    C("measure_costs one name", lambda: pd.measure_costs("thread_pool"), T, "strategies",
      "wrap"),
    C("measure_costs empty", lambda: pd.measure_costs([]), V, "strategies"),
    C("measure_costs strategy unknown", lambda: pd.measure_costs(["fibers"]), V, "strategies",
      "thread_pool"),
    C("measure_costs strategy int", lambda: pd.measure_costs([1]), T, "strategies"),
    C("measure_costs strategy not here", lambda: pd.measure_costs(["interpreter_pool"]), V,
      "strategies", "quick_strategies", skip=_interp_runs_here),
    C("measure_costs repeat 0", lambda: pd.measure_costs(repeat=0), V, "repeat"),
    C("measure_costs repeat huge", lambda: pd.measure_costs(repeat=10**6), V, "repeat"),
    C("measure_costs warmup negative", lambda: pd.measure_costs(warmup=-1), V, "warmup"),
    C("measure_costs workers 0", lambda: pd.measure_costs(workers=0), V, "workers"),
    C("measure_costs workers huge", lambda: pd.measure_costs(workers=10**6), V, "workers"),
    C("reference_costs int", lambda: pd.reference_costs(5), T, "references"),
    C("reference_costs not runs", lambda: pd.reference_costs([_result()]), T, "references",
      "find_references"),
    C("reference_costs cpus 0", lambda: pd.reference_costs([], cpus=0), V, "cpus"),
    C("reference_costs cpus str", lambda: pd.reference_costs([], cpus="2"), T, "cpus"),
    # reference.py
    C("as_reference int", lambda: pd.as_reference(5), T, "result"),
    C("as_reference records", lambda: pd.as_reference(_result().records), T, "result",
      "RunResult"),
    C("as_reference walls float", lambda: pd.as_reference(_result(), walls=0.01), T, "walls"),
    C("as_reference walls negative", lambda: pd.as_reference(_result(), walls=[0.01, -1]), V,
      "walls"),
    C("as_reference note int", lambda: pd.as_reference(_result(), note=5), T, "note"),
    C("find_references int", lambda: pd.find_references(5), T, "directory"),
    C("find_references a file", lambda tmp: pd.find_references(
        pd.save_run(_result(), tmp / "run.json")), V, "directory", "load_run", needs_mp=True),
    C("save_run path int", lambda: pd.save_run(_result(), 5), T, "path"),
    C("save_trace_events int", _nothing_written(lambda path: pd.save_trace_events(5, path)), T,
      "run", needs_mp=True),
    C("save_trace_events dict", _nothing_written(lambda path: pd.save_trace_events(
        {"traceEvents": []}, path)), T, "run", needs_mp=True),
    C("save_trace_events machine str", _nothing_written(lambda path: pd.save_trace_events(
        _result(), path, machine="laptop")), T, "machine", needs_mp=True),
    C("save_trace_events path int", lambda: pd.save_trace_events(_result(), 5), T, "path"),
    C("select_references int", lambda: pd.select_references(5), T, "references"),
    C("select_references not runs", lambda: pd.select_references([_result()]), T,
      "references"),
    C("select_references cpus 0", lambda: pd.select_references([_reference()], cpus=0), V,
      "cpus"),
    C("select_references cpus str", lambda: pd.select_references([_reference()], cpus="2"), T,
      "cpus"),
    C("select_references python float", lambda: pd.select_references([_reference()],
                                                                     python=3.14), T, "python",
      "'3.14'"),
    C("select_references workload int", lambda: pd.select_references([_reference()],
                                                                     workload=8), T, "workload"),
    C("to_trace_events int", lambda: pd.to_trace_events(5), T, "run"),
    C("to_trace_events list", lambda: pd.to_trace_events([_result()]), T, "run"),
    C("to_trace_events machine dict", lambda: pd.to_trace_events(_result(), machine={}), T,
      "machine"),
    # widgets.py: explore_io refuses before its server starts, the widgets before any widget
    C("explore_io latency negative", lambda: pd.explore_io(latency=-0.05), V, "latency"),
    C("explore_io latency huge", lambda: pd.explore_io(latency=1e9), V, "latency"),
    C("explore_io latency str", lambda: pd.explore_io(latency="0.05"), T, "latency"),
    C("explore_io workers 0", lambda: pd.explore_io(workers=0), V, "workers"),
    C("explore_io workers huge", lambda: pd.explore_io(workers=10**6), V, "workers"),
    C("explore_io pages 0", lambda: pd.explore_io(pages=0), V, "pages"),
    C("explore_io pages huge", lambda: pd.explore_io(pages=10**9), V, "pages"),
    C("explore_io max_concurrent 0", lambda: pd.explore_io(max_concurrent=0), V,
      "max_concurrent"),
    C("explore_io ax int", lambda: pd.explore_io(ax=5), T, "ax"),
    C("io_explorer latency above the slider", lambda: pd.io_explorer(latency=5.0), V,
      "latency"),
    C("io_explorer latency str", lambda: pd.io_explorer(latency="0.05"), T, "latency"),
    C("io_explorer workers 0", lambda: pd.io_explorer(workers=0), V, "workers"),
    C("io_explorer workers float", lambda: pd.io_explorer(workers=4.5), T, "workers"),
    C("io_explorer draw_now str", lambda: pd.io_explorer(draw_now="no"), T, "draw_now"),
    C("slider bounds two numbers", lambda: pd.slider(4, (1, 16), "threads"), V, "bounds"),
    C("slider bounds int", lambda: pd.slider(4, 16, "threads"), T, "bounds"),
    C("slider bounds str", lambda: pd.slider(4, (1, "16", 1), "threads"), T, "bounds"),
    C("slider bounds reversed", lambda: pd.slider(4, (16, 1, 1), "threads"), V, "bounds"),
    C("slider step 0", lambda: pd.slider(4, (1, 16, 0), "threads"), V, "step"),
    C("slider step negative", lambda: pd.slider(0.1, (0.0, 0.5, -0.01), "s"), V, "step"),
    C("slider value outside", lambda: pd.slider(40, (1, 16, 1), "threads"), V, "value"),
    C("slider value float on an int slider", lambda: pd.slider(4.5, (1, 16, 1), "threads"), T,
      "value"),
    C("slider value str", lambda: pd.slider("0.1", (0.0, 0.5, 0.01), "s"), T, "value"),
    C("slider description int", lambda: pd.slider(4, (1, 16, 1), 4), T, "description"),
    C("slider_explorer draw not callable", lambda: pd.slider_explorer(
        "explore_io", {"workers": pd.slider(4, (1, 16, 1), "threads")}), T, "draw"),
    C("slider_explorer sliders list", lambda: pd.slider_explorer(
        pd.explore_io, [pd.slider(4, (1, 16, 1), "threads")]), T, "sliders"),
    C("slider_explorer sliders empty", lambda: pd.slider_explorer(pd.explore_io, {}), V,
      "sliders"),
    C("slider_explorer sliders key int", lambda: pd.slider_explorer(
        pd.explore_io, {1: pd.slider(4, (1, 16, 1), "threads")}), T, "sliders"),
    C("slider_explorer draw_now str", lambda: pd.slider_explorer(
        pd.explore_io, {"workers": pd.slider(4, (1, 16, 1), "threads")}, draw_now="no"), T,
      "draw_now"),
    # widgets_scaling.py
    C("explore_amdahl serial_fraction above 1", _no_figure(lambda: pd.explore_amdahl(1.5)), V,
      "serial_fraction"),
    C("explore_amdahl serial_fraction str", _no_figure(lambda: pd.explore_amdahl("0.1")), T,
      "serial_fraction"),
    C("explore_amdahl workers 0", _no_figure(lambda: pd.explore_amdahl(0.1, 0)), V, "workers"),
    C("explore_amdahl workers huge", _no_figure(lambda: pd.explore_amdahl(0.1, 10**9)), V,
      "workers"),
    C("explore_amdahl cpus 0", _no_figure(lambda: pd.explore_amdahl(0.1, 8, cpus=0)), V,
      "cpus"),
    C("explore_amdahl ax str", _no_figure(lambda: pd.explore_amdahl(0.1, 8, ax="left")), T,
      "ax"),
    C("amdahl_explorer serial_fraction above the slider", lambda: pd.amdahl_explorer(0.9), V,
      "serial_fraction"),
    C("amdahl_explorer serial_fraction negative", lambda: pd.amdahl_explorer(-0.1), V,
      "serial_fraction"),
    C("amdahl_explorer workers 0", lambda: pd.amdahl_explorer(0.1, 0), V, "workers"),
    C("amdahl_explorer workers above the slider", lambda: pd.amdahl_explorer(0.1, 1000), V,
      "workers"),
    C("amdahl_explorer cpus str", lambda: pd.amdahl_explorer(0.1, 8, cpus="2"), T, "cpus"),
    C("amdahl_explorer draw_now int", lambda: pd.amdahl_explorer(draw_now=0), T, "draw_now"),
    # charts/scaling.py: refused before any figure is made
    C("plot_karp_flatt int", _no_figure(lambda: pd.plot_karp_flatt(5, cpus=2)), T, "rows"),
    C("plot_karp_flatt empty", _no_figure(lambda: pd.plot_karp_flatt([], cpus=2)), V, "rows"),
    C("plot_karp_flatt the sweep", _no_figure(lambda: pd.plot_karp_flatt(_sweep(), cpus=2)), T,
      "rows", "karp_flatt_table"),
    C("plot_karp_flatt not rows", _no_figure(lambda: pd.plot_karp_flatt([0.2, 0.3], cpus=2)),
      T, "rows", "karp_flatt_table"),
    C("plot_karp_flatt cpus 0", _no_figure(lambda: pd.plot_karp_flatt([_kf_row()], cpus=0)), V,
      "cpus"),
    C("plot_karp_flatt cpus str", _no_figure(lambda: pd.plot_karp_flatt([_kf_row()],
                                                                        cpus="2")), T, "cpus"),
    C("plot_karp_flatt truth above 1", _no_figure(lambda: pd.plot_karp_flatt(
        [_kf_row()], cpus=2, truth=20)), V, "truth"),
    C("plot_laws int", _no_figure(lambda: pd.plot_laws(5)), T, "curves", "law_curves"),
    C("plot_laws dict", _no_figure(lambda: pd.plot_laws({"s": 0.1})), T, "curves"),
    C("plot_laws ax int", _no_figure(lambda: pd.plot_laws(pd.law_curves(0.1, 8), ax=1)), T,
      "ax"),
    C("plot_models int", _no_figure(lambda: pd.plot_models(5)), T, "comparison"),
    C("plot_models the sweep", _no_figure(lambda: pd.plot_models(_sweep())), T, "comparison",
      "compare_models"),
    C("plot_scaling int", _no_figure(lambda: pd.plot_scaling(5, _fit())), T, "sweep"),
    C("plot_scaling fit dict", _no_figure(lambda: pd.plot_scaling(_sweep(), {"s": 0.2})), T,
      "fit", "fit_amdahl"),
    C("plot_scaling arguments swapped", _no_figure(lambda: pd.plot_scaling(_fit(), _sweep())),
      T, "sweep"),
    C("plot_speedup_prediction float", _no_figure(lambda: pd.plot_speedup_prediction(3.0)), T,
      "run", "measure_prediction"),
    C("plot_speedup_prediction dict", _no_figure(lambda: pd.plot_speedup_prediction(
        {"prediction": 3.0})), T, "run"),
    # charts/which_tool.py
    C("plot_decision_tree str", _no_figure(lambda: pd.plot_decision_tree("tree")), T, "tree"),
    C("plot_decision_tree dict", _no_figure(lambda: pd.plot_decision_tree({"tiny": True})), T,
      "tree"),
    C("plot_decision_tree notes list", _no_figure(lambda: pd.plot_decision_tree(
        pd.DECISION_TREE, notes=["30 ms"])), T, "notes"),
    C("plot_prediction predicted str", _no_figure(lambda: pd.plot_prediction(
        "1e-4", pd.Measurement("m", (2e-4, 3e-4)))), T, "predicted"),
    C("plot_prediction predicted 0", _no_figure(lambda: pd.plot_prediction(
        0, pd.Measurement("m", (2e-4, 3e-4)))), V, "predicted"),
    C("plot_prediction predicted negative", _no_figure(lambda: pd.plot_prediction(
        -1e-4, pd.Measurement("m", (2e-4, 3e-4)))), V, "predicted"),
    C("plot_prediction measured list", _no_figure(lambda: pd.plot_prediction(
        1e-4, [2e-4, 3e-4])), T, "measured", "Measurement"),
    C("plot_tool_costs int", _no_figure(lambda: pd.plot_tool_costs(5)), T, "rows"),
    C("plot_tool_costs empty", _no_figure(lambda: pd.plot_tool_costs([])), V, "rows"),
    C("plot_tool_costs not rows", _no_figure(lambda: pd.plot_tool_costs(pd.TOOLS)), T, "rows",
      "tool_table"),
    C("plot_tool_costs ax str", _no_figure(lambda: pd.plot_tool_costs([_tool_row()],
                                                                      ax="top")), T, "ax"),
    # charts/reference.py
    C("plot_reference int", _no_figure(lambda: pd.plot_reference(5, _result())), T,
      "reference"),
    C("plot_reference mine dict", _no_figure(lambda: pd.plot_reference(_reference(), {})), T,
      "mine"),
    C("plot_runs_beside int", _no_figure(lambda: pd.plot_runs_beside(5)), T, "runs"),
    C("plot_runs_beside one run", _no_figure(lambda: pd.plot_runs_beside(_result())), T,
      "runs", "wrap"),
    C("plot_runs_beside empty", _no_figure(lambda: pd.plot_runs_beside([])), V, "runs"),
    C("plot_runs_beside not runs", _no_figure(lambda: pd.plot_runs_beside([_result(), 5])), T,
      "runs"),
    C("plot_runs_beside labels str", _no_figure(lambda: pd.plot_runs_beside(
        [_result(), _result()], labels="ab")), T, "labels"),
    C("plot_runs_beside labels wrong length", _no_figure(lambda: pd.plot_runs_beside(
        [_result(), _result()], labels=["mine"])), V, "labels"),
]
