"""The public API: declared once, exported lazily, and light to import (in workers too)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import parallel_demo as pd

HEAVY = ("matplotlib", "httpx", "ipywidgets", "sympy", "IPython", "dask", "distributed", "numpy")


def test_dir_is_all_and_every_name_resolves():
    assert dir(pd) == list(pd.__all__)
    assert len(set(pd.__all__)) == len(pd.__all__)
    for name in pd.__all__:
        assert getattr(pd, name) is not None, name


def test_each_name_is_declared_once_in_the_table():
    seen: dict[str, str] = {}
    for module, names in pd._API.items():
        for name in names.split():
            assert name not in seen, f"{name} is declared for {seen.get(name)} and {module}"
            seen[name] = module


@pytest.mark.parametrize("name", ["read", "write", "add", "compute", "acquire", "release", "thread",
                                  "Step", "Slot", "race", "KINDS", "WAYS", "Report", "Fork",
                                  "close_clients", "thread_startup_cost", "measure_interleaved"])
def test_generic_names_stay_in_their_module(name):
    assert name not in pd.__all__
    with pytest.raises(AttributeError, match=name):
        getattr(pd, name)


def test_an_unknown_name_says_so():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pd.nope


_PROBE = textwrap.dedent("""
    import json, sys
    import parallel_demo
    print(json.dumps(sorted(m for m in sys.modules
                            if m.split(".")[0] in {"parallel_demo", *HEAVY})))
""")


def _modules_after(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", f"HEAVY = {HEAVY!r}\n" + code],
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_parallel_demo_is_light():
    mods = _modules_after(_PROBE)
    assert not [m for m in mods if m.split(".")[0] in HEAVY], mods
    assert set(mods) == {"parallel_demo"}, mods


@pytest.mark.parametrize("start_method", ["spawn", "forkserver"])
def test_a_worker_running_a_library_task_imports_only_what_it_needs(tmp_path, start_method):
    # The script imports inside its __main__ guard, as a notebook's kernel
    # would: a spawn child re-runs a script's top level, never a notebook's.
    script = tmp_path / "probe.py"
    script.write_text(textwrap.dedent(f"""
        if __name__ == "__main__":
            import json
            from parallel_demo import is_prime, loaded_modules, run

            res = run("process_pool", is_prime, [7, 8], workers=1, start_method={start_method!r})
            assert res.results == [True, False]
            seen = run("process_pool", loaded_modules, [{HEAVY!r}], workers=1,
                       start_method={start_method!r})
            print(json.dumps(seen.results[0]))
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                         check=True, cwd=tmp_path)
    mods = json.loads(out.stdout.strip().splitlines()[-1])
    assert not [m for m in mods if m.split(".")[0] in HEAVY], mods
    ours = {m for m in mods if m.startswith("parallel_demo")}
    # The task's module, and run()'s record-keeping wrapper: nothing of any chapter.
    assert ours <= {"parallel_demo", "parallel_demo.env", "parallel_demo.workloads",
                    "parallel_demo.strategies", "parallel_demo.trace", "parallel_demo._hang",
                    "parallel_demo._validate"}, ours
    assert {"parallel_demo.workloads", "parallel_demo.strategies"} <= ours
