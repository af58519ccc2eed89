"""Run every notebook under nbval on one CPU and sort what went wrong into two lists.

    python tools/one_cpu.py [NOTEBOOK ...]        # default: every notebook in book/

Each notebook runs as Binder often gives it, on one CPU (``taskset -c 0`` on
Linux, plus ``CPU_LIMIT=1`` as Binder sets it).  Failures are sorted into
**cells that raised** (the chapter is broken there: an exception, or a
timeout) and **outputs that differ** from the committed ones (the chapter ran,
but what it printed on one CPU is not what it printed where it was recorded).
Exit status 1 if any cell raised, 2 if only outputs differed, 0 if clean.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_nbval  # noqa: E402  (tools/run_nbval.py: the flags every target uses)

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    notebooks = [Path(a) for a in argv] or sorted((ROOT / "book").glob("*.ipynb"))
    prefix = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    env = dict(os.environ, CPU_LIMIT="1")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        cmd = prefix + run_nbval.command(f"--junitxml={report}", *map(str, notebooks))
        print("running:", " ".join(cmd), flush=True)
        subprocess.run(cmd, cwd=ROOT, env=env)
        raised, differ, passed = [], [], 0
        for case in ET.parse(report).iter("testcase"):
            failure = case.find("failure")
            if failure is None:
                failure = case.find("error")
            if failure is None:
                passed += 1
                continue
            text = (failure.get("message") or "") + (failure.text or "")
            where = f"{case.get('classname', '')} {case.get('name')}"
            (differ if "Cell outputs differ" in text else raised).append(where)
    print(f"\non one CPU: {passed} cells passed, {len(raised)} raised, {len(differ)} differ")
    for title, rows in (("cells that raised", raised), ("outputs that differ", differ)):
        print(f"{title}:" + ("" if rows else " none"))
        for row in rows:
            print("  ", row)
    return 1 if raised else 2 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
