"""The inner loop (`make quick`): only the tests and notebooks that what you changed can break.

    python tools/quick.py            # changes against HEAD (staged, unstaged, untracked)
    python tools/quick.py --base main~3

It picks, from the files changed since ``--base``:

* for a library module ``src/parallel_demo/[charts/|checks/]NAME.py``: ``tests/test_NAME.py``,
  ``tests/test_charts_NAME.py`` and ``tests/test_checks_NAME.py`` (those that exist);
* a changed test file itself;
* ``tests/test_api.py`` (names declared once, the light import) whenever the library changed;
* the notebooks that changed, and those whose library stamp is now stale
  (``tools/nbdeps.py``), run under nbval with the Makefile's flags.

A change to a shared module (``_hang``, ``_validate``, ``strategies``, ``trace``, ``timing``,
``verdict``, ``checks/_base``, ``charts/_style``) runs every library test: nearly every
chapter goes through them.  ``make test`` remains the gate; this is for the minutes between.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import run_nbval  # noqa: E402  (tools/run_nbval.py: the flags every target uses)

SHARED = {"_hang", "_validate", "strategies", "trace", "timing", "verdict", "_base", "_style",
          "__init__", "env"}


def changed_files(base: str) -> list[Path]:
    def git(*args: str) -> list[str]:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
        return [line for line in out.stdout.splitlines() if line]

    names = set(git("diff", "--name-only", base)) | set(git("ls-files", "--others",
                                                              "--exclude-standard"))
    return sorted(ROOT / n for n in names if (ROOT / n).exists())


def plan(files: list[Path]) -> tuple[list[Path], list[Path], bool]:
    """``(test files, notebooks, every library test)`` for these changed files."""
    tests: set[Path] = set()
    notebooks: set[Path] = set()
    everything = False
    library = ROOT / "src" / "parallel_demo"
    for f in files:
        if f.suffix == ".ipynb" and f.parent == ROOT / "book":
            notebooks.add(f)
        elif f.parent == ROOT / "tests" and f.name.startswith("test_") and f.suffix == ".py":
            tests.add(f)
        elif f.suffix == ".py" and library in f.parents:
            if f.stem in SHARED:
                everything = True
            for name in (f"test_{f.stem}.py", f"test_charts_{f.stem}.py",
                         f"test_checks_{f.stem}.py"):
                if (ROOT / "tests" / name).exists():
                    tests.add(ROOT / "tests" / name)
            tests.add(ROOT / "tests" / "test_api.py")
    return sorted(tests), sorted(notebooks), everything


def stale_notebooks() -> list[Path]:
    import nbformat
    from nbdeps import stamp

    stale = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        meta = nbformat.read(path, as_version=4).metadata.get("parallel_demo", {})
        if meta.get("src_hash") != stamp(path):
            stale.append(path)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD", help="compare with this revision (default HEAD)")
    args = parser.parse_args(argv)
    tests, notebooks, everything = plan(changed_files(args.base))
    stale = stale_notebooks()
    if stale:
        print("stale stamps (run `make execute` before committing):",
              ", ".join(p.stem for p in stale))
    notebooks = sorted(set(notebooks) | set(stale))
    python = sys.executable
    rc = 0
    if everything:
        print("a shared module changed: every library test")
        rc = subprocess.call([python, "-m", "pytest", "tests", "-q", "-x",
                              "--ignore=tests/test_pages.py"], cwd=ROOT)
    elif tests:
        print("tests:", " ".join(t.name for t in tests))
        rc = subprocess.call([python, "-m", "pytest", "-q", "-x", *map(str, tests)], cwd=ROOT)
    if rc == 0 and notebooks:
        print("nbval:", " ".join(n.name for n in notebooks))
        rc = subprocess.call(run_nbval.command(*map(str, notebooks), python=python), cwd=ROOT)
    if not (everything or tests or notebooks):
        print(f"nothing changed since {args.base} that a test covers")
    return rc


if __name__ == "__main__":
    sys.exit(main())
