"""nbval as every target runs it: one home for its flags.

    python tools/run_nbval.py book                  # every notebook
    python tools/run_nbval.py book/deadlock.ipynb --junitxml=out.xml

Runs ``python -m pytest`` with :data:`ARGS` and the given arguments, in the
repository's root, with the interpreter that runs this script (so a venv's
or a chroot's Python tests its own installation).  The Makefile, the shell
scripts (``tools/pyenv_tests.sh``, ``tools/sid_chroot.sh``) and the Python
tools (``flake_runner``, ``quick``, ``one_cpu``) all come through here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Compare outputs against the committed ones after book/sanitize.cfg's
#: substitutions; a cell that runs longer than two minutes fails (nothing in
#: the book should: every blocking demo has its own, shorter deadline).
ARGS = ["-q", "--nbval", "--nbval-current-env", "--nbval-sanitize-with", "book/sanitize.cfg",
        "--nbval-cell-timeout=120", "-p", "no:cacheprovider"]


def command(*paths: str, python: str = sys.executable) -> list[str]:
    """The argv that runs nbval on ``paths`` (run it with ``cwd=ROOT``)."""
    return [python, "-m", "pytest", *ARGS, *paths]


if __name__ == "__main__":
    os.chdir(ROOT)
    argv = command(*sys.argv[1:])
    os.execv(argv[0], argv)
