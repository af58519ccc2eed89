"""Drop jupyter-cache's outputs of the notebooks whose library files changed.

jupyter-cache keys a notebook by its own code only, so a changed library
module would leave old outputs in the HTML.  This keeps, in
``_build/.stamps.json``, the stamp (``tools/nbdeps.py``) each notebook was
last built with, and removes the cached run of every notebook whose stamp has
changed since: exactly those are re-executed by the next ``jupyter-book build``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbdeps import ROOT, stamp  # noqa: E402

CACHE = ROOT / "_build" / ".jupyter_cache"
STAMPS = ROOT / "_build" / ".stamps.json"


def main() -> int:
    old = json.loads(STAMPS.read_text()) if STAMPS.exists() else {}
    new = {str(p.relative_to(ROOT)): stamp(p) for p in sorted((ROOT / "book").glob("*.ipynb"))}
    stale = [nb for nb, s in new.items() if old.get(nb) != s]
    if stale and CACHE.exists():
        from jupyter_cache import get_cache

        cache = get_cache(CACHE)
        for nb in stale:
            for record in cache.list_cache_records():
                if Path(record.uri).resolve() == (ROOT / nb).resolve():
                    cache.remove_cache(record.pk)
        print(f"library changed for {len(stale)} notebook(s): their cached outputs were dropped")
    STAMPS.parent.mkdir(parents=True, exist_ok=True)
    STAMPS.write_text(json.dumps(new, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
