"""Reference traces (Which tool when): save a run, load it elsewhere, open it in Perfetto.

A :class:`~parallel_demo.trace.RunResult` made on one machine can be saved as
versioned JSON together with the facts about the machine that made it
(:class:`Machine`), shipped with the book, and drawn beside a reader's own
run.  :func:`to_trace_events` writes the same run in the Chrome trace-event
format, which Perfetto (https://ui.perfetto.dev) and ``chrome://tracing`` open
as a timeline with one track per process and thread.

The file format is ``"parallel_demo.runresult/1"``::

    {"format": "parallel_demo.runresult/1",
     "machine": {"python": "3.11.7", "implementation": "CPython", "build": "GIL", ...},
     "note": "taskset -c 0", "workload": "is_prime on large_primes(8)",
     "walls": [...],                 # every repeat's wall time, the saved run's among them
     "run": {"strategy": ..., "workers": ..., "wall": ..., "start": ...,
             "results": [...], "records": [{"index": 0, "worker": ..., ...}, ...]}}

A loader meets a file written by a newer library with a clear error, never a
half-read run.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import sys
import sysconfig
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Iterable

from .trace import RunResult, TaskRecord

#: The format name and version written into every file; the loader accepts only this.
FORMAT = "parallel_demo.runresult/1"
_FORMAT_NAME = FORMAT.rsplit("/", 1)[0]

#: Where the book's reference runs live, relative to the repository root.
REFERENCE_DIR = Path("book") / "reference"


@dataclass(frozen=True)
class Machine:
    """The facts about the machine and interpreter a run was recorded on.

    Attributes:
        python: ``platform.python_version()``, e.g. ``"3.11.7"``.
        implementation: ``"CPython"``, ``"PyPy"``, ...
        build: ``"GIL"`` or ``"free-threaded"`` (the build, not whether the
            GIL happened to be switched on at run time).
        gil_enabled: Whether the GIL was on while the run was made.
        cpu_count: ``os.cpu_count()``: CPUs in the machine.
        effective_cpus: :func:`~parallel_demo.env.effective_cpus`: CPUs the
            process could really use (affinity, quota, Binder's limit).
        start_method: The default start method of a new process pool.
        platform: Operating system and architecture, e.g. ``"Linux x86_64"``.
        date: When it was recorded, ISO 8601 in UTC.
    """

    python: str
    implementation: str
    build: str
    gil_enabled: bool
    cpu_count: int | None
    effective_cpus: int
    start_method: str
    platform: str
    date: str

    @property
    def label(self) -> str:
        """A short description for chart legends: ``CPython 3.11.7 (GIL), 1 of 2 CPUs, fork``."""
        cpus = (f"{self.effective_cpus} CPU{'s' if self.effective_cpus != 1 else ''}"
                if self.cpu_count in (None, self.effective_cpus)
                else f"{self.effective_cpus} of {self.cpu_count} CPUs")
        return f"{self.implementation} {self.python} ({self.build}), {cpus}, {self.start_method}"


def this_machine() -> Machine:
    """The :class:`Machine` this interpreter runs on, now."""
    from .env import default_start_method, effective_cpus

    check = getattr(sys, "_is_gil_enabled", None)  # 3.13+
    return Machine(
        python=platform.python_version(),
        implementation=platform.python_implementation(),
        build="free-threaded" if sysconfig.get_config_var("Py_GIL_DISABLED") else "GIL",
        gil_enabled=True if check is None else bool(check()),
        cpu_count=os.cpu_count(),
        effective_cpus=effective_cpus(),
        start_method=default_start_method(),
        platform=f"{platform.system()} {platform.machine()}",
        date=_dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
    )


@dataclass(frozen=True)
class ReferenceRun:
    """A run together with where it was recorded.

    Attributes:
        result: The run itself.
        machine: Where it was recorded.
        note: How (``"taskset -c 0"``, ``"Debian sid chroot"``), for the label.
        workload: What ran, in words (``"is_prime on large_primes(8)"``).
        walls: Every repeat's wall time (seconds) when the run was picked from
            several; ``result.wall`` is one of them.  Empty for a single run.
        source: ``"reference"`` for a run loaded from a file, ``"this kernel"``
            for one wrapped by :func:`as_reference`.
    """

    result: RunResult
    machine: Machine
    note: str = ""
    workload: str = ""
    walls: tuple[float, ...] = ()
    source: str = "reference"

    @property
    def label(self) -> str:
        """Where it was recorded, for a legend: the source, the machine and the note."""
        note = f"; {self.note}" if self.note else ""
        return f"{self.source}: {self.machine.label}{note}"

    @property
    def cpus(self) -> int:
        """Effective CPUs of the machine it was recorded on."""
        return self.machine.effective_cpus

    def walls_measurement(self, label: str | None = None):
        """Every repeat's wall time as a :class:`~parallel_demo.timing.Measurement`, for ``compare``.

        A run saved without its repeats gives a one-run Measurement, which
        ``compare`` never calls a winner.
        """
        from .timing import Measurement

        times = self.walls or (self.result.wall,)
        return Measurement(label or f"{self.result.strategy} ({self.source})", tuple(times))


def as_reference(result: RunResult, *, note: str = "", workload: str = "",
                 walls: Iterable[float] = ()) -> ReferenceRun:
    """Wrap a run made in this kernel, so it can be saved or drawn beside a reference."""
    _check_result(result)
    _check_str("note", note)
    _check_str("workload", workload)
    walls = _check_walls(walls)
    return ReferenceRun(result, this_machine(), note, workload, walls, "this kernel")


# ---------------------------------------------------------------------------
# JSON

def _check_result(result: Any, name: str = "result") -> RunResult:
    if not isinstance(result, RunResult):
        also = "" if name == "result" else " or a ReferenceRun (from load_run or as_reference)"
        raise TypeError(f"{name} must be a RunResult (what run(...) returns){also}, got "
                        f"{type(result).__name__} {result!r:.60}")
    return result


def _check_str(name: str, value: Any, *, allow_none: bool = False) -> Any:
    if value is None and allow_none:
        return value
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str{' or None' if allow_none else ''}, got "
                        f"{type(value).__name__} {value!r:.60}"
                        + (f"; pass it in quotes, e.g. {str(value)!r}"
                           if isinstance(value, (int, float)) and not isinstance(value, bool)
                           else ""))
    return value


def _check_walls(walls: Any) -> tuple[float, ...]:
    from ._validate import check_items, check_number

    return tuple(check_number("walls", w, low=0.0) for w in check_items("walls", walls))


def _check_path(name: str, path: Any) -> Path:
    if not isinstance(path, (str, os.PathLike)):  # Path()'s own message differs by version
        raise TypeError(f"{name} must be a str or a pathlib.Path, got {type(path).__name__} "
                        f"{path!r:.60}")
    return Path(path)


def _check_machine(machine: Any) -> Any:
    if machine is not None and not isinstance(machine, Machine):
        raise TypeError(f"machine must be a Machine (from this_machine()) or None, got "
                        f"{type(machine).__name__} {machine!r:.60}")
    return machine


def _json_value(value: Any, where: str) -> Any:
    """``value`` if JSON gives it back unchanged, else a TypeError that says where."""
    try:
        back = json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{where} cannot be saved as JSON ({exc}); save_run keeps bool, int, "
                        "float, str, None, lists and str-keyed dicts: pass keep_results=False "
                        "to save the run without its results") from None
    if back != value or type(back) is not type(value):
        raise TypeError(f"{where} = {value!r:.60} would not load back equal from JSON (tuples "
                        "become lists, int keys become str); pass keep_results=False to save "
                        "the run without its results")
    return value


def run_to_dict(run: RunResult | ReferenceRun, *, note: str = "", workload: str = "",
                walls: Iterable[float] = (), machine: Machine | None = None,
                keep_results: bool = True) -> dict[str, Any]:
    """The JSON-ready dictionary :func:`save_run` writes (see the module docstring)."""
    if isinstance(run, ReferenceRun):
        ref = run
        result, machine = ref.result, machine or ref.machine
        note, workload = note or ref.note, workload or ref.workload
        walls = tuple(walls) or ref.walls
    else:
        result = _check_result(run, "run")
        machine = machine or this_machine()
    if not isinstance(machine, Machine):
        raise TypeError(f"machine must be a Machine (from this_machine()), got {type(machine).__name__}")
    if keep_results:
        results = [_json_value(v, f"result #{i}") for i, v in enumerate(result.results)]
    else:
        results = None
    body = {f.name: getattr(result, f.name) for f in fields(RunResult)
            if f.name not in ("results", "records")}
    body["results"] = results
    body["records"] = [asdict(r) for r in result.records]
    return {
        "format": FORMAT,
        "machine": asdict(machine),
        "note": str(note),
        "workload": str(workload),
        "walls": [float(w) for w in walls],
        "run": body,
    }


def _require(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise ValueError(f"{where} has no {key!r}: this is not a complete {FORMAT} file")
    return mapping[key]


def _build(cls, data: Any, where: str):
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be a JSON object, got {type(data).__name__}")
    known = {f.name for f in fields(cls)}
    try:
        return cls(**{k: v for k, v in data.items() if k in known})
    except TypeError as exc:
        raise ValueError(f"{where} is incomplete ({exc}); it is not a {FORMAT} file") from None


def run_from_dict(data: Any, *, where: str = "the data") -> ReferenceRun:
    """The :class:`ReferenceRun` a :func:`run_to_dict` dictionary describes.

    Raises:
        ValueError: not a run file, or written in a format version this
            library does not know (a newer library wrote it).
    """
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be a JSON object with a 'format' key, "
                         f"got {type(data).__name__}")
    fmt = data.get("format")
    if fmt != FORMAT:
        if isinstance(fmt, str) and fmt.startswith(_FORMAT_NAME + "/"):
            raise ValueError(
                f"{where} is in format {fmt!r}, but this parallel_demo reads only {FORMAT!r}: "
                "it was written by a different version of the library; upgrade parallel_demo "
                "(pip install -U parallel_demo) or record the run again with this one")
        raise ValueError(f"{where} is not a saved run: its 'format' is {fmt!r}, expected {FORMAT!r}")
    machine = _build(Machine, _require(data, "machine", where), f"{where}: 'machine'")
    body = _require(data, "run", where)
    records_raw = _require(body, "records", f"{where}: 'run'")
    if not isinstance(records_raw, list):
        raise ValueError(f"{where}: 'run.records' must be a list")
    records = [_build(TaskRecord, r, f"{where}: record #{i}") for i, r in enumerate(records_raw)]
    results = body.get("results")
    if results is None:
        results = [None] * len(records)
    fields_run = {k: v for k, v in body.items() if k not in ("results", "records")}
    result = _build(RunResult, {**fields_run, "results": list(results), "records": records},
                    f"{where}: 'run'")
    walls = data.get("walls") or ()
    return ReferenceRun(result, machine, str(data.get("note", "")), str(data.get("workload", "")),
                        tuple(float(w) for w in walls), "reference")


def save_run(run: RunResult | ReferenceRun, path: str | os.PathLike, *, note: str = "",
             workload: str = "", walls: Iterable[float] = (), machine: Machine | None = None,
             keep_results: bool = True) -> Path:
    """Write ``run`` (and the machine it came from) to ``path`` as JSON; return the path.

    Args:
        run: What :func:`~parallel_demo.run` returned, or a :class:`ReferenceRun`.
        path: The file to write (its folder must exist).
        note, workload: Words for the label (how it was recorded, what ran).
        walls: Every repeat's wall time, when ``run`` was picked from several.
        machine: Defaults to :func:`this_machine` (or the ReferenceRun's own).
        keep_results: Save the results too (they must survive JSON unchanged).

    Raises:
        TypeError: ``run`` is not a run, or a result cannot be saved as JSON.
    """
    path = _check_path("path", path)
    data = run_to_dict(run, note=note, workload=workload, walls=walls, machine=machine,
                       keep_results=keep_results)
    path.write_text(json.dumps(data, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    return path


def load_run(path: str | os.PathLike) -> ReferenceRun:
    """Read a run saved by :func:`save_run`.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a saved run, or an unknown format version.
    """
    if not isinstance(path, (str, os.PathLike)):  # Path()'s own message differs by version
        raise TypeError(f"path must be a str or a pathlib.Path of a file save_run wrote, "
                        f"got {type(path).__name__} {path!r:.60}")
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not JSON ({exc}); expected a file written by save_run") from None
    return run_from_dict(data, where=str(path))


def _default_dirs() -> list[Path]:
    here = Path.cwd()
    package_root = Path(__file__).resolve().parents[2]  # src/parallel_demo -> the repository
    return [here / "reference", here / REFERENCE_DIR, package_root / REFERENCE_DIR]


def _is_run_file(path: Path) -> bool:
    """True for a file in this format family (any version: the loader judges the version).

    Other JSON files may share the folder (other chapters' reference data);
    they are skipped, not refused.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    fmt = data.get("format") if isinstance(data, dict) else None
    return isinstance(fmt, str) and fmt.startswith(_FORMAT_NAME + "/")


def find_references(directory: str | os.PathLike | None = None) -> list[ReferenceRun]:
    """Every saved run in ``directory`` (default: the book's ``reference/`` folder), by file name.

    JSON files of other formats in the same folder are skipped; a run file of
    an unknown version of this format is refused (``ValueError``).

    Without a directory, looks in ``./reference`` (a notebook in ``book/``),
    ``./book/reference`` (the repository root), then beside the package's
    source checkout; returns an empty list when none exists.
    """
    if directory is not None:
        directory = _check_path("directory", directory)
        if directory.is_file():
            raise ValueError(f"directory must be a folder, got the file {str(directory)!r}; pass "
                             "its folder, or use load_run for one file")
    candidates = [directory] if directory is not None else _default_dirs()
    for d in candidates:
        if d.is_dir():
            return [load_run(p) for p in sorted(d.glob("*.json")) if _is_run_file(p)]
    if directory is not None:
        raise FileNotFoundError(f"directory {str(directory)!r} does not exist; pass the folder "
                                "that holds the saved runs, e.g. 'book/reference'")
    return []


def select_references(references: Iterable[ReferenceRun], *, strategy: str | None = None,
                      cpus: int | None = None, workload: str | None = None,
                      python: str | None = None) -> list[ReferenceRun]:
    """The runs that match every filter given.

    Args:
        references: Runs, e.g. from :func:`find_references`.
        strategy: The strategy's name (``"process_pool"``).
        cpus: Effective CPUs when it was recorded.
        workload: The start of the workload's description (``"is_prime on large"``).
        python: The start of the Python version (``"3.14"``).
    """
    from ._validate import check_int, check_items

    references = check_items("references", references)
    _check_str("strategy", strategy, allow_none=True)
    _check_str("workload", workload, allow_none=True)
    _check_str("python", python, allow_none=True)
    if cpus is not None:
        cpus = check_int("cpus", cpus, minimum=1, hint="leave it out to keep every CPU count")
    out = []
    for r in references:
        if not isinstance(r, ReferenceRun):
            raise TypeError(f"references must hold ReferenceRun objects (from find_references()), "
                            f"got {type(r).__name__}")
        if strategy is not None and r.result.strategy != strategy:
            continue
        if cpus is not None and r.cpus != cpus:
            continue
        if workload is not None and not r.workload.startswith(workload):
            continue
        if python is not None and not (r.machine.python == python
                                       or r.machine.python.startswith(python + ".")):
            continue
        out.append(r)
    return out


# ---------------------------------------------------------------------------
# Chrome trace-event format

def to_trace_events(run: RunResult | ReferenceRun, *, machine: Machine | None = None) -> dict:
    """``run`` in the Chrome trace-event format, ready for ``json.dump``.

    One complete event (``"ph": "X"``) per task, with ``ts`` (start) and
    ``dur`` in microseconds since the run began, on the track of the process
    (``pid``) and thread (``tid``) that ran it; metadata events (``"ph":
    "M"``) name each process and thread after the run's worker labels.  The
    machine and the wall time go into ``otherData``.  Open the file in
    https://ui.perfetto.dev or ``chrome://tracing``.
    """
    _check_machine(machine)
    if isinstance(run, ReferenceRun):
        result, machine = run.result, machine or run.machine
    else:
        result = _check_result(run, "run")
    t0 = result.start if result.start else min((r.start for r in result.records), default=0.0)
    events: list[dict[str, Any]] = []
    named_pids: dict[int, str] = {}
    named_tids: dict[tuple[int, int], str] = {}
    for r in result.records:
        named_pids.setdefault(r.pid, f"pid {r.pid}")
        named_tids.setdefault((r.pid, r.thread), r.worker)
    for sort, (pid, name) in enumerate(named_pids.items()):
        workers = sorted({w for (p, _), w in named_tids.items() if p == pid})
        events.append({"name": "process_name", "ph": "M", "pid": pid, "tid": 0,
                       "args": {"name": f"{' + '.join(workers)} ({name})"}})
        events.append({"name": "process_sort_index", "ph": "M", "pid": pid, "tid": 0,
                       "args": {"sort_index": sort}})
    for (pid, tid), worker in named_tids.items():
        events.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid,
                       "args": {"name": worker}})
    for r in result.records:
        args: dict[str, Any] = {"index": r.index, "worker": r.worker}
        if r.submitted is not None:
            args["queued_us"] = round((r.start - r.submitted) * 1e6, 3)
        if r.index < len(result.results):
            value = result.results[r.index]
            args["result"] = value if isinstance(value, (bool, int, float, str, type(None))) else repr(value)
        events.append({
            "name": r.label or f"task {r.index}",
            "cat": result.strategy,
            "ph": "X",
            "ts": round((r.start - t0) * 1e6, 3),
            "dur": round(max(r.end - r.start, 0.0) * 1e6, 3),
            "pid": r.pid,
            "tid": r.thread,
            "args": args,
        })
    other: dict[str, Any] = {"format": FORMAT, "strategy": result.strategy,
                             "workers": result.workers, "wall_us": round(result.wall * 1e6, 3)}
    if machine is not None:
        other["machine"] = asdict(machine)
    return {"traceEvents": events, "displayTimeUnit": "ms", "otherData": other}


def save_trace_events(run: RunResult | ReferenceRun, path: str | os.PathLike, *,
                      machine: Machine | None = None) -> Path:
    """Write :func:`to_trace_events` to ``path``; open it in Perfetto or chrome://tracing."""
    path = _check_path("path", path)
    events = to_trace_events(run, machine=machine)  # refuses a wrong run before the file exists
    path.write_text(json.dumps(events) + "\n", encoding="utf-8")
    return path
