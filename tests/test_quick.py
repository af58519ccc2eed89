"""`make quick` (tools/quick.py) picks the tests and notebooks a change can break."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import quick  # noqa: E402


def test_a_chapter_module_runs_its_own_tests_and_the_api_test():
    tests, notebooks, everything = quick.plan([ROOT / "src/parallel_demo/checks/primes.py"])
    names = {t.name for t in tests}
    assert {"test_checks_primes.py", "test_primes.py", "test_charts_primes.py",
            "test_api.py"} <= names
    assert not notebooks and not everything


def test_a_shared_module_runs_everything_and_a_notebook_runs_under_nbval():
    _, _, everything = quick.plan([ROOT / "src/parallel_demo/strategies.py"])
    assert everything
    tests, notebooks, everything = quick.plan([ROOT / "book/deadlock.ipynb",
                                               ROOT / "tests/test_locks.py", ROOT / "README.md"])
    assert notebooks == [ROOT / "book/deadlock.ipynb"]
    assert tests == [ROOT / "tests/test_locks.py"] and not everything
