"""Measure how long each chapter takes to run, and write the table into the teacher's guide.

    python tools/chapter_times.py                         # every chapter (several minutes)
    python tools/chapter_times.py book/deadlock.ipynb     # re-measure one, keep the others
    python tools/chapter_times.py --exercises             # only the list of exercises (fast)

Each chapter runs as "Restart and Run All" would run it: the teacher edition, a fresh kernel,
in a temporary folder.  The seconds go into the table between the ``chapter-times`` markers
of ``book/teachers_guide.md`` with the machine they were measured on, so the guide never
states a number as a fact of the reader's machine.  A run also checks what a teacher relies
on: no cell raises, and every solution passes its checker (the script exits 1 otherwise).

It also writes the list of exercises between the ``exercises`` markers, each with its kind
and where it suits best, by the rule the guide states: a prediction or a short starter
(a model solution of ``LAB_LINES`` lines or fewer) in the lab, a longer or optional one as
homework.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import student  # noqa: E402

GUIDE = student.BOOK / "teachers_guide.md"
BEGIN, END = "<!-- chapter-times:begin -->", "<!-- chapter-times:end -->"
EX_BEGIN, EX_END = "<!-- exercises:begin -->", "<!-- exercises:end -->"
WORDS_PER_MINUTE = 200
LAB_LINES = 10  # lines of the model solution (comments and the checker call not counted)
_LABEL = re.compile(r"\{exercise-start\}\s*\n:label: (\S+)\s*\n(?:```|:::)\s*\n(.*?)(?=\n(?:```|:::)\{exercise-end\})",
                    re.S)


def exercises(nb) -> list[dict]:
    """Each exercise of a notebook: label, kind, a first sentence, and where it suits."""
    text_cells = [c for c in nb.cells if c.cell_type == "markdown"]
    found = [m for c in text_cells for m in _LABEL.finditer(c.source)]
    solutions = [c for c in nb.cells if student.is_solution(c)]
    rows = []
    for k, m in enumerate(found):
        body = " ".join(m.group(2).split())
        answer = solutions[k].source if k < len(solutions) else ""
        lines = len([ln for ln in answer.splitlines()
                     if ln.strip() and not ln.lstrip().startswith(("#", "check_"))])
        plain = re.sub(r"\*+", "", body)
        if re.match(r"(\(optional\.\)\s*)?(before reading on, )?predict", plain, re.I):
            kind, where = "predict" + (", then measure" if "measure" in plain[:40].lower() else ""), "lab"
        elif re.search(r"\b(decide|pick a|which of these)\b", plain[:200], re.I):
            kind, where = "decide", "lab"
        else:
            kind, where = "write code", "lab" if lines <= LAB_LINES else "homework"
        if "(optional.)" in plain[:40].lower():
            kind, where = kind + " (optional)", "homework"
        sentences = re.split(r"(?<=[.?])\s+", re.sub(r"^\(Optional\.\)\s*", "", plain))
        first = sentences[0]
        if len(first) < 40 and len(sentences) > 1:  # a title such as "Predict, then measure."
            first = sentences[1]
        rows.append({"label": m.group(1), "kind": kind, "where": where, "task": first[:140]})
    return rows


def exercise_table() -> str:
    import nbformat

    lines = [EX_BEGIN, "Generated from the chapters by `python tools/chapter_times.py --exercises`.", "",
             "| chapter | exercise | kind | suits | the task begins |", "| --- | --- | --- | --- | --- |"]
    for path in student.chapters():
        nb = nbformat.read(path, as_version=4)
        for r in exercises(nb):
            task = r["task"].replace("|", "\\|")
            lines.append(f"| {title(nb, path)} | `{r['label']}` | {r['kind']} | {r['where']} | {task} |")
    return "\n".join(lines + ["", EX_END])


def _replace_block(text: str, begin: str, end: str, block: str) -> str:
    if begin not in text or end not in text:
        return text
    head, rest = text.split(begin, 1)
    return head + block + rest.split(end, 1)[1]


def solution_verdicts(nb) -> list[tuple[int, list[str]]]:
    """``(cell index, verdicts)`` of every solution cell that calls a checker."""
    return [(i, student.verdicts(c)) for i, c in enumerate(nb.cells)
            if student.is_solution(c) and student.calls_checker(c.source)]


#: Checkers that judge a prediction against a measurement taken on this machine, at this
#: moment. A model answer reasons from what such a machine usually does; a loaded machine can
#: move the measurement out of the checker's band, so for these a verdict that reports the
#: measurement counts (the checker ran, measured and compared), and only an error fails.
#: Every other checker is deterministic and its solution must pass.
MEASURED_PREDICTIONS = frozenset({
    "check_process_speedup_prediction", "check_gil_speedup_prediction", "check_thread_prediction",
    "check_pool_speedup_prediction", "check_speedup_prediction", "check_thread_speedup_prediction",
    "check_batch_prediction", "check_round_trip_prediction", "check_per_task_prediction",
})


def _checkers_called(source: str) -> set[str]:
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {getattr(n.func, "id", "") or getattr(n.func, "attr", "")
            for n in ast.walk(tree) if isinstance(n, ast.Call)} - {""}


def problems(nb) -> list[str]:
    """What is wrong with an executed teacher edition: errors, or a solution that fails.

    A solution of a measured prediction (:data:`MEASURED_PREDICTIONS`) may show ✘ when the
    machine's measurement fell outside the band, as long as the verdict reports what it
    measured; see :func:`measured_misses`.
    """
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if "raises-exception" not in cell.metadata.get("tags", []):
            found += [f"cell {i}: {e}" for e in student.errors(cell)]
    for i, shown in solution_verdicts(nb):
        if not shown:
            found.append(f"solution cell {i} calls a checker but shows no verdict")
        measured = bool(_checkers_called(nb.cells[i].source) & MEASURED_PREDICTIONS)
        found += [f"solution cell {i} does not pass its checker: {v[:200]!r}"
                  for v in shown if not v.startswith("✔")
                  and not (measured and _reports_a_measurement(v))]
    return found


def _reports_a_measurement(verdict_text: str) -> bool:
    return verdict_text.startswith("✘") and any(
        word in verdict_text for word in ("measured", "median", "the measurement"))


def measured_misses(nb) -> list[str]:
    """The measured predictions whose model answer missed on this run (reported, not failed)."""
    return [f"solution cell {i}: {v[:200]!r}" for i, shown in solution_verdicts(nb)
            if _checkers_called(nb.cells[i].source) & MEASURED_PREDICTIONS
            for v in shown if not v.startswith("✔")]


def reading_minutes(nb) -> int:
    words = sum(len(c.source.split()) for c in nb.cells if c.cell_type == "markdown")
    return max(1, round(words / WORDS_PER_MINUTE))


def title(nb, path: Path) -> str:
    for cell in nb.cells:
        m = re.search(r"^# (.+)$", cell.source, re.M) if cell.cell_type == "markdown" else None
        if m:
            return m.group(1).strip()
    return path.stem


def measure(path: Path) -> dict:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="chapter-times-") as tmp:
        ran, seconds = student.execute(nb, Path(tmp))
    return {"chapter": path.stem, "title": title(nb, path), "seconds": round(seconds, 1),
            "reading_minutes": reading_minutes(nb), "exercises": len(student.checker_cells(nb)),
            "problems": problems(ran), "measured_misses": measured_misses(ran)}


def machine() -> str:
    return (f"{os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}")


def table(rows: list[dict], when: str, where: str) -> str:
    lines = [BEGIN,
             f"Measured on the project's {where} machine on {when} by "
             "`python tools/chapter_times.py` (each chapter run top to bottom in a fresh kernel,"
             " the teacher edition; on a busy or a one-CPU machine expect longer). Reading time"
             f" is estimated from the text at {WORDS_PER_MINUTE} words a minute, not measured.",
             "",
             "| chapter | exercises | running all cells (s) | reading (min, estimated) |",
             "| --- | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| [{r['title']}]({r['chapter']}.ipynb) | {r['exercises']} | "
                     f"{r['seconds']:.0f} | {r['reading_minutes']} |")
    total = sum(r["seconds"] for r in rows)
    lines += [f"| **all chapters** | {sum(r['exercises'] for r in rows)} | {total:.0f} | "
              f"{sum(r['reading_minutes'] for r in rows)} |", "", END]
    return "\n".join(lines)


def previous_rows() -> dict[str, dict]:
    data = GUIDE.with_suffix(".times.json")
    return {r["chapter"]: r for r in json.loads(data.read_text())["rows"]} if data.exists() else {}


def main(argv: list[str]) -> int:
    GUIDE.write_text(_replace_block(GUIDE.read_text(), EX_BEGIN, EX_END, exercise_table()))
    if "--exercises" in argv:
        return 0
    paths = [Path(a) for a in argv] or student.chapters()
    rows = previous_rows()
    failed = False
    for path in paths:
        print(f"{path.stem} ...", end=" ", flush=True)
        r = measure(path)
        print(f"{r['seconds']:.1f} s" + (f"  PROBLEMS: {r['problems']}" if r["problems"] else "")
              + (f"  (a model prediction missed this run's measurement: {r['measured_misses']})"
                 if r["measured_misses"] else ""))
        failed |= bool(r["problems"])
        rows[r["chapter"]] = r
    order = [p.stem for p in student.chapters()]
    ordered = [rows[c] for c in order if c in rows]
    when = datetime.date.today().isoformat()
    where = f"{os.cpu_count()}-CPU"
    GUIDE.with_suffix(".times.json").write_text(json.dumps(
        {"measured": when, "machine": machine(),
         "rows": [{k: v for k, v in r.items() if k not in ("problems", "measured_misses")} for r in ordered]}, indent=1) + "\n")
    GUIDE.write_text(_replace_block(GUIDE.read_text(), BEGIN, END, table(ordered, when, where)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
