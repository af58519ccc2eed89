"""Re-execute notebooks in place and stamp them with the library they ran against.

    python tools/execute_notebooks.py book                 # every notebook under book/
    python tools/execute_notebooks.py book/deadlock.ipynb  # just one

Each notebook runs in its own directory with a fresh kernel, and gets
``metadata.parallel_demo.src_hash``: a hash of the library files it depends
on (``tools/nbdeps.py``), so changing one chapter's module re-executes that
chapter only.  The test suite refuses a notebook whose stamp differs, so
committed outputs (what nbval compares and what readers see first) always
come from the library as it is.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbdeps import stamp  # noqa: E402


def _hide_solutions(nb) -> None:
    """Solution cells keep no output (it would give the answer away before the learner asks),
    start collapsed in JupyterLab, and are run but not compared by nbval."""
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and "solution" in tags:
            cell.outputs = []
            cell.metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
            if "nbval-ignore-output" not in tags:
                cell.metadata["tags"] = [*tags, "nbval-ignore-output"]


def execute(path: Path, timeout: int = 120) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    took = time.perf_counter() - t0
    _hide_solutions(nb)
    nb.metadata.setdefault("parallel_demo", {})["src_hash"] = stamp(path)
    # What JupyterLab writes on opening: committing it keeps a freshly opened
    # chapter from showing as modified (and autosaving itself) at once.
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nbformat.write(nb, path)
    return took


def main(argv: list[str]) -> int:
    targets: list[Path] = []
    for arg in [a for a in argv if not a.startswith("--")] or ["book"]:
        p = Path(arg)
        targets += sorted(p.rglob("*.ipynb")) if p.is_dir() else [p]
    targets = [t for t in targets if "_build" not in t.parts and ".ipynb_checkpoints" not in t.parts]
    if "--stale" in argv:  # only the notebooks whose library files changed
        import nbformat

        targets = [t for t in targets if nbformat.read(t, as_version=4).metadata.get(
            "parallel_demo", {}).get("src_hash") != stamp(t)]
    failed: list[tuple[Path, str]] = []
    for t in targets:
        print(f"executing {t} ...", end=" ", flush=True)
        try:
            print(f"{execute(t):.1f} s")
        except Exception as err:  # a cell raised or timed out: the file is left as it was
            first = str(err).strip().splitlines()
            failed.append((t, f"{type(err).__name__}: {first[-1] if first else ''}"))
            print("FAILED, left unchanged")
    # Go on past a failing notebook, so one error does not leave the rest stale
    # unseen; then say which failed, and fail.
    for t, why in failed:
        print(f"failed: {t}: {why}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
