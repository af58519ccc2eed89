"""The student edition (`make student`, tools/student.py): what a learner is handed.

Fast tests (a few seconds, in `make test-lib`) check its shape: no solution's code or prose,
no outputs, every checker call kept, and no cell that would need a solution to have run.

Slow tests run every notebook in a kernel (several minutes; `make test-student` runs them,
with PARALLEL_DEMO_EXECUTE=1): the teacher edition's solutions pass their checkers, and in
the student edition every blank fails its checker with a hint, and nothing raises.
"""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import chapter_times  # noqa: E402
import student  # noqa: E402

CHAPTERS = student.chapters()
slow = pytest.mark.skipif(not os.environ.get("PARALLEL_DEMO_EXECUTE"),
                          reason="runs every notebook: make test-student")


def _read(path):
    return nbformat.read(path, as_version=4)


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    student.write_notebooks(out)
    return out


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_solution_reaches_the_student(edition, path):
    nb = _read(edition / "book" / path.name)
    nbformat.validate(nb)
    text = "\n".join(c.source for c in nb.cells)
    assert "{solution-start}" not in text and "{solution-end}" not in text
    assert not any("solution" in c.metadata.get("tags", []) for c in nb.cells)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:80]
    # exercise blocks stay whole
    assert text.count("{exercise-start}") == text.count("{exercise-end}") >= 1


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_checker_call_is_kept(edition, path):
    teacher, learner = _read(path), _read(edition / "book" / path.name)
    kept = [learner.cells[i].source for i, _ in student.checker_cells(learner)]
    assert kept == [teacher.cells[i].source for i, _ in student.checker_cells(teacher)]
    n_exercises = sum(c.source.count("{exercise-start}") for c in teacher.cells)
    assert len(kept) == n_exercises, "every exercise has one starter cell that calls its checker"
    # every non-solution cell of the teacher edition is there, in order
    assert [c.source for c in learner.cells if c.cell_type == "code"] == [
        c.source for c in teacher.cells if c.cell_type == "code" and not student.is_solution(c)]


def _assigned(source: str, imports: bool = True) -> set[str]:
    """The names a cell defines at its top level (functions, classes, assigned variables)."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif imports and isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return {n for n in names if not n.startswith("_")}


def _read_names(source: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _solutions_and_the_rest(path):
    code = [c for c in _read(path).cells if c.cell_type == "code"]
    for k, cell in enumerate(code):
        if student.is_solution(cell):
            yield cell, [c for c in code[:k] if not student.is_solution(c)], \
                [c for c in code[k + 1:] if not student.is_solution(c)]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_learner_cell_needs_a_solution(path):
    """The student edition has no solutions: no later cell may read a name only a solution defines."""
    for cell, before, after in _solutions_and_the_rest(path):
        only_here = _assigned(cell.source) - set().union(*(_assigned(c.source) for c in before + after))
        for later in after:
            assert not (only_here & _read_names(later.source)), (
                f"a cell reads {sorted(only_here & _read_names(later.source))}, which only a "
                f"solution defines:\n{later.source[:200]}")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_solutions_leave_the_learners_names_alone(path):
    """Run All in the teacher edition must not overwrite what the learner wrote (issue 10, 6)."""
    for cell, before, _ in _solutions_and_the_rest(path):
        mine = _assigned(cell.source, imports=False)
        theirs = set().union(*(_assigned(c.source) for c in before))
        assert not (mine & theirs), f"a solution reassigns {sorted(mine & theirs)}:\n{cell.source[:200]}"


def test_solution_blocks_are_cut_across_cells():
    md = nbformat.v4.new_markdown_cell
    nb = nbformat.v4.new_notebook(cells=[
        md("Intro\n```{exercise-start}\n:label: x\n```\nDo it.\n```{exercise-end}\n```"),
        nbformat.v4.new_code_cell("answer = ...\ncheck_x(answer)"),
        md("```{solution-start} x\n:class: dropdown\n```\nThe answer is 42."),
        nbformat.v4.new_code_cell("check_x(42)", metadata={"tags": ["solution"]}),
        md("Because 6 x 7.\n```{solution-end}\n```\n\n## After"),
    ])
    out = student.student_notebook(nb)
    assert [c.source for c in out.cells] == [nb.cells[0].source, "answer = ...\ncheck_x(answer)",
                                             "## After"]
    with pytest.raises(ValueError):
        student.student_notebook(nbformat.v4.new_notebook(cells=[md("```{solution-start} x\n```")]))


def test_teachers_guide_lists_every_chapter_with_a_measured_time():
    guide = (ROOT / "book" / "teachers_guide.md").read_text()
    table = guide.split(chapter_times.BEGIN, 1)[1].split(chapter_times.END, 1)[0]
    assert "measured on the project's" in table.lower() and "tools/chapter_times.py" in table
    for path in CHAPTERS:
        assert f"]({path.stem}.ipynb)" in table, f"{path.stem} has no measured time in the guide"


# --- slow: every notebook in a kernel ------------------------------------------------------

@slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_student_blanks_fail_with_a_hint(path, tmp_path):
    nb, _ = student.execute(student.student_notebook(_read(path)), tmp_path)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "raises-exception" not in cell.metadata.get("tags", []):
            assert not student.errors(cell), f"cell {i} raised: {student.errors(cell)}\n{cell.source[:300]}"
    blanks = student.checker_cells(nb)
    assert blanks
    for i, name in blanks:
        text = student.result_text(nb.cells[i])
        assert text.startswith("✘") and "Hint:" in text, f"{name} on the blank of cell {i}: {text!r}"
        streams = "".join(o.get("text", "") for o in nb.cells[i].outputs if o.output_type == "stream")
        assert "Traceback" not in streams, f"{name} printed a traceback on the blank: {streams[-500:]}"
        assert len(text.split("Hint:", 1)[1].strip()) > 10, f"{name}: an empty hint"


@slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_teacher_solutions_pass_their_checkers(path, tmp_path):
    nb, _ = student.execute(_read(path), tmp_path)
    assert not chapter_times.problems(nb), chapter_times.problems(nb)
    checked = chapter_times.solution_verdicts(nb)
    assert len(checked) >= len(student.checker_cells(nb)), "every exercise has a solution that is checked"


def _ran(source, verdict_text):
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["solution"]})
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": verdict_text},
                                           execution_count=1)]
    return nbformat.v4.new_notebook(cells=[cell])


@pytest.mark.parametrize("source, shown, fails", [
    ("check_counter(ModelCounter)", "✔ right: no update lost", False),
    ("check_counter(ModelCounter)", "✘ 3 updates were lost\nHint: ...", True),
    # a measured prediction whose model answer missed this run's measurement: reported, not failed
    ("check_per_task_prediction(200)", "✘ too low: you predicted 200 µs; the median of 3 runs "
     "here was 700 µs\nHint: ...", False),
    # ...but not when the checker did not even measure
    ("check_per_task_prediction(200)", "✘ expected a number of microseconds\nHint: ...", True),
])
def test_only_measured_predictions_may_miss_in_the_teacher_edition(source, shown, fails):
    nb = _ran(source, shown)
    assert bool(chapter_times.problems(nb)) is fails
    assert bool(chapter_times.measured_misses(nb)) is (shown.startswith("✘")
                                                       and "prediction" in source)
