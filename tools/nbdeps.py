"""Which library files a notebook depends on, and the stamp made from them.

A notebook's outputs go stale when a library module it uses changes, and only
then.  ``library_files(nb)`` follows the notebook's ``parallel_demo`` imports
through the package's API table (``_API`` in ``__init__.py``) and then every
module's own imports (also those inside functions), transitively.
``stamp(nb)`` hashes those files by path and content: the test suite refuses a
notebook whose stored stamp differs, and ``make book`` drops the cached
outputs of exactly those notebooks (see ``tools/stale_cache.py``).
"""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "src" / "parallel_demo"


def _api_table() -> dict[str, str]:
    tree = ast.parse((PKG / "__init__.py").read_text())
    for node in tree.body:
        target = getattr(node, "target", None) or (node.targets[0] if isinstance(node, ast.Assign) else None)
        if isinstance(target, ast.Name) and target.id == "_API":
            table = ast.literal_eval(node.value)
            return {name: module for module, names in table.items() for name in names.split()}
    raise RuntimeError("no _API table in parallel_demo/__init__.py")


def _module_file(module: str) -> Path | None:
    base = PKG.joinpath(*module.split("."))
    for cand in (base.with_suffix(".py"), base / "__init__.py"):
        if cand.exists():
            return cand
    return None


def _imports_of(path: Path) -> set[str]:
    """Modules of the package that ``path`` imports (relative or absolute, anywhere in it)."""
    here = path.relative_to(PKG).with_suffix("").parts
    package = here[:-1] if path.name != "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - (node.level - 1)])
                mod = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.startswith("parallel_demo"):
                mod = node.module.split(".")[1:]
            else:
                continue
            found.add(".".join(mod))
            for alias in node.names:  # `from . import x` / `from .charts import timeline`
                found.add(".".join(mod + [alias.name]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("parallel_demo."):
                    found.add(".".join(alias.name.split(".")[1:]))
    return {m for m in found if m and _module_file(m) is not None}


def _notebook_modules(nb_path: Path) -> set[str]:
    where = _api_table()
    mods: set[str] = set()
    for cell in json.loads(Path(nb_path).read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        src = "\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "parallel_demo":
                if node.module == "parallel_demo":
                    mods |= {where[a.name] for a in node.names if a.name in where}
                    mods |= {a.name for a in node.names if _module_file(a.name)}
                else:
                    mods.add(".".join(node.module.split(".")[1:]))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "parallel_demo":  # `import parallel_demo as pd`: all of it
                        mods |= set(where.values())
                    elif alias.name.startswith("parallel_demo."):
                        mods.add(".".join(alias.name.split(".")[1:]))
    return mods


def library_files(nb_path: Path) -> list[Path]:
    """The package files a notebook's code can reach, sorted."""
    todo = _notebook_modules(nb_path) | {"__init__", "env"}
    seen: set[str] = set()
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        seen.add(mod)
        path = _module_file(mod)
        if path is not None:
            todo |= _imports_of(path) - seen
            parts = mod.split(".")
            for k in range(1, len(parts)):  # a subpackage's __init__ runs too
                todo.add(".".join(parts[:k]))
    return sorted(p for p in (_module_file(m) for m in seen) if p is not None)


def stamp(nb_path: Path) -> str:
    """A short hash of the library files ``nb_path`` depends on."""
    h = hashlib.sha256()
    # The package's __init__ is only the name table: a line added for another
    # chapter must not make this one stale.  The modules behind the names are
    # what counts.
    for path in [p for p in library_files(Path(nb_path)) if p != PKG / "__init__.py"]:
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]
