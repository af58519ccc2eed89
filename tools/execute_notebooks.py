"""Re-execute notebooks in place and stamp them with the library they ran against.

    python tools/execute_notebooks.py book                 # every notebook under book/
    python tools/execute_notebooks.py book/deadlock.ipynb  # just one

Each notebook runs in its own directory with a fresh kernel, and gets
``metadata.parallel_demo.src_hash``: a hash of ``src/``.  The test suite
refuses a notebook whose stamp differs from the current ``src/``, so
committed outputs (what nbval compares and what readers see first) always
come from the library as it is.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def src_hash(root: Path = ROOT) -> str:
    """A short hash of every Python file under src/, by path and content."""
    h = hashlib.sha256()
    for path in sorted((root / "src").rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def execute(path: Path, timeout: int = 120) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    took = time.perf_counter() - t0
    nb.metadata.setdefault("parallel_demo", {})["src_hash"] = src_hash()
    nbformat.write(nb, path)
    return took


def main(argv: list[str]) -> int:
    targets: list[Path] = []
    for arg in argv or ["book"]:
        p = Path(arg)
        targets += sorted(p.rglob("*.ipynb")) if p.is_dir() else [p]
    targets = [t for t in targets if "_build" not in t.parts and ".ipynb_checkpoints" not in t.parts]
    for t in targets:
        print(f"executing {t} ...", end=" ", flush=True)
        print(f"{execute(t):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
