"""The student edition: every chapter without its solutions, and its HTML.

    python tools/student.py             # _build/student/book/*.ipynb and _build/student/html/
    python tools/student.py --no-html   # the notebooks only (a second or two)

What a learner gets, per notebook: every code cell tagged ``solution`` removed, every
``{solution-start}`` ... ``{solution-end}`` block removed from the Markdown (the prose of a
solution gives the answer away as surely as its code), every output and execution count
cleared, and everything else (the exercise text, the starter cells and their checker calls)
kept as it is.  The HTML is a Jupyter Book build of that copy with execution turned off,
so it shows exactly what the learner opens: starter cells, no outputs, no solutions.

The same module runs notebooks for the tests (``execute``) and says which code cells are
an exercise's checker calls (``checker_cells``), so that the tests and the teacher's-guide
timings (``tools/chapter_times.py``) read notebooks one way.
"""

from __future__ import annotations

import ast
import copy
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
OUT = ROOT / "_build" / "student"

_START = re.compile(r"^\s*(`{3,}|:{3,})\{solution-start\}")
_END = re.compile(r"^\s*(`{3,}|:{3,})\{solution-end\}")
_EXERCISE = re.compile(r"\{exercise(-start)?\}")


def is_solution(cell) -> bool:
    return cell.cell_type == "code" and "solution" in cell.metadata.get("tags", [])


def _strip_solution_blocks(text: str, inside: bool) -> tuple[str, bool]:
    """Drop the lines of ``text`` that belong to a solution block; ``inside`` carries across cells."""
    kept: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not inside and _START.match(line):
            inside = True
        elif inside and _END.match(line):
            fence = _END.match(line).group(1)
            # the directive's closing fence follows on its own line
            if i + 1 < len(lines) and lines[i + 1].strip() == fence:
                i += 1
            inside = False
        elif not inside:
            kept.append(line)
        i += 1
    return "\n".join(kept).strip("\n"), inside


def student_notebook(nb):
    """A copy of ``nb`` as a learner gets it: no solutions, no outputs."""
    nb = copy.deepcopy(nb)
    cells, inside = [], False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source, inside = _strip_solution_blocks(cell.source, inside)
            if cell.source.strip():
                cells.append(cell)
            continue
        hidden = "remove-cell" in cell.metadata.get("tags", [])
        if is_solution(cell) or (inside and not hidden):
            continue  # a visible code cell inside a solution dropdown is part of the answer
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
        cells.append(cell)
    if inside:
        raise ValueError("a {solution-start} block is never closed by {solution-end}")
    nb.cells = cells
    nb.metadata.setdefault("parallel_demo", {})["edition"] = "student"
    return nb


def _called_checker(source: str) -> str | None:
    """The name of the ``check_*`` function a cell's last statement calls, if it does."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None
    if not body or not isinstance(body[-1], ast.Expr) or not isinstance(body[-1].value, ast.Call):
        return None
    fn = body[-1].value.func
    name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
    return name if name.startswith("check_") else None


def calls_checker(source: str) -> bool:
    """Whether a cell calls a ``check_*`` function anywhere (a solution may print its verdict)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(isinstance(n, ast.Call) and (getattr(n.func, "id", "") or getattr(n.func, "attr", ""))
               .startswith("check_") for n in ast.walk(tree))


def verdicts(cell) -> list[str]:
    """Every checker verdict a cell shows: displayed values and printed lines that start ✔ or ✘."""
    found = []
    for out in cell.get("outputs", []):
        if out.get("output_type") in ("execute_result", "display_data"):
            text = out.get("data", {}).get("text/plain", "")
            if text.startswith(("✔", "✘")):
                found.append(text)
        elif out.get("output_type") == "stream":
            found += [ln for ln in out.get("text", "").splitlines() if ln.startswith(("✔", "✘"))]
    return found


def checker_cells(nb) -> list[tuple[int, str]]:
    """``(cell index, checker name)`` of every exercise's checker call outside the solutions.

    An exercise's starter cell is a code cell after the first ``{exercise-start}`` whose last
    statement calls a ``check_*`` function (the chapter's body may call a checker on its own
    correct code: those cells are not blanks).
    """
    found, seen_exercise = [], False
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and _EXERCISE.search(cell.source):
            seen_exercise = True
        if seen_exercise and cell.cell_type == "code" and not is_solution(cell):
            name = _called_checker(cell.source)
            if name:
                found.append((i, name))
    return found


def result_text(cell) -> str:
    """The text/plain of a cell's displayed values (a CheckResult's repr), joined."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def errors(cell) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for o in cell.get("outputs", [])
            if o.get("output_type") == "error"]


def execute(nb, cwd: Path, timeout: int = 120):
    """Run every cell of ``nb`` in a fresh kernel in ``cwd``; return ``(nb, seconds)``.

    Errors do not stop the run (``allow_errors``): a test wants to see every cell's verdict.
    """
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    if not (cwd / "reference").exists():  # the recorded runs a chapter reads, beside it
        os.symlink(BOOK / "reference", cwd / "reference")
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return nb, time.perf_counter() - t0


def chapters() -> list[Path]:
    """Every notebook the book builds (``_toc.yml``), in reading order."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [ch["file"] for part in toc.get("parts", []) for ch in part.get("chapters", [])]
    return [ROOT / f"{f}.ipynb" for f in files if (ROOT / f"{f}.ipynb").exists()]


def write_notebooks(out: Path = OUT) -> list[Path]:
    """Write the student edition's sources into ``out``: notebooks, pages, data, book config."""
    import nbformat

    if out.exists():
        shutil.rmtree(out)
    (out / "book").mkdir(parents=True)
    written = []
    for path in chapters():
        target = out / "book" / path.name
        nbformat.write(student_notebook(nbformat.read(path, as_version=4)), target)
        written.append(target)
    for md in sorted(BOOK.glob("*.md")):
        shutil.copy2(md, out / "book" / md.name)
    if (BOOK / "reference").is_dir():
        shutil.copytree(BOOK / "reference", out / "book" / "reference")
    return written


def build_html(out: Path = OUT) -> Path:
    """Build the HTML of the student edition in ``out`` (no execution: no outputs to show)."""
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] = f"{config['title']} (student edition)"
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    (out / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    shutil.copy2(ROOT / "_toc.yml", out / "_toc.yml")
    for name in ("_ext", "_vendor", "assets"):  # the extension and the book's own static files
        if (ROOT / name).exists() and not (out / name).exists():
            os.symlink(ROOT / name, out / name)
    jb = Path(sys.executable).with_name("jupyter-book")
    log = out / "build.log"
    with log.open("w") as fh:
        proc = subprocess.run([str(jb), "build", "--all", str(out)], stdout=fh,
                              stderr=subprocess.STDOUT, cwd=out)
    if proc.returncode:
        raise SystemExit(f"The student edition's HTML did not build: see {log}")
    html = out / "html"
    if html.exists():
        shutil.rmtree(html)
    shutil.move(out / "_build" / "html", html)
    shutil.rmtree(out / "_build")
    return html


def main(argv: list[str]) -> int:
    t0 = time.perf_counter()
    written = write_notebooks()
    print(f"student edition: {len(written)} notebooks in {OUT.relative_to(ROOT)}/book "
          f"({time.perf_counter() - t0:.1f} s)")
    if "--no-html" not in argv:
        html = build_html()
        print(f"student edition HTML: file://{html}/index.html ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
