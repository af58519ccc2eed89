"""Every chapter is listed, complete, committed with outputs from the current library.

nbval (in `make test`) re-runs each notebook and compares outputs; these checks catch what
nbval cannot: a notebook missing from the book, outputs computed by an older `src/`, a
committed error, a chapter without its summary or exercises.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("nbdeps", ROOT / "tools" / "nbdeps.py")
nbdeps = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nbdeps)


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return files


NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_every_toc_entry_exists_and_every_notebook_is_listed():
    listed = toc_files()
    for f in listed:
        assert any((ROOT / f"{f}{ext}").exists() for ext in (".md", ".ipynb")), f"{f} is in _toc.yml but missing"
    for nb in NOTEBOOKS:
        assert f"book/{nb.stem}" in listed, f"{nb.name} is not in _toc.yml"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_come_from_the_current_library(path):
    stamp = load(path)["metadata"].get("parallel_demo", {}).get("src_hash")
    assert stamp == nbdeps.stamp(path), (
        f"{path.name} was executed against an older version of the library modules it uses; "
        f"run `make execute` (or tools/execute_notebooks.py {path.relative_to(ROOT)}) and "
        "commit the outputs")


def test_a_stamp_follows_only_the_modules_a_notebook_uses():
    files = {str(p.relative_to(nbdeps.PKG)) for p in nbdeps.library_files(ROOT / "book/race_conditions.ipynb")}
    assert {"races.py", "interleave.py", "charts/races.py", "checks/races.py"} <= files
    assert not files & {"primes.py", "fetch.py", "server.py", "charts/primes.py"}, files


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_with_outputs_and_no_unexpected_errors(path):
    cells = [c for c in load(path)["cells"] if c["cell_type"] == "code"]
    assert any(c.get("outputs") for c in cells), f"{path.name} has no outputs: execute it"
    assert all(c.get("execution_count") for c in cells if c["source"]), "a code cell was not executed"
    for c in cells:
        tags = c["metadata"].get("tags", [])
        errors = [o for o in c.get("outputs", []) if o["output_type"] == "error"]
        assert not errors or "raises-exception" in tags, (
            f"{path.name}: committed error {errors[0]['ename']} in a cell not tagged raises-exception")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_skeleton(path):
    cells = load(path)["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert re.search(r"^# \S", text, re.M), "a chapter starts with a # title"
    for heading in ("## Overview", "## Summary", "## Exercises"):
        assert re.search(rf"^{heading}\b", text, re.M), f"{path.name} lacks {heading}"
    assert "```{exercise-start}" in text and "```{solution-start}" in text
    first_code = next("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert "parallel_demo" in first_code, "the first code cell imports from parallel_demo"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_charts_have_alt_text(path):
    for c in load(path)["cells"]:
        if c["cell_type"] != "code":
            continue
        if any("image/png" in o.get("data", {}) for o in c.get("outputs", [])):
            tags = c["metadata"].get("tags", [])
            if "remove-cell" in tags or "remove-output" in tags:
                continue
            alt = c["metadata"].get("mystnb", {}).get("image", {}).get("alt")
            assert alt, f"{path.name}: a chart without alt text: {''.join(c['source'])[:80]!r}"
