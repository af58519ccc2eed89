"""The library tests and nbval on Python 3.12 to 3.15, in the time `make test` can give them.

    python tools/test_pythons.py                     # every version, as `make test` runs it
    python tools/test_pythons.py --versions 3.14     # one version
    python tools/test_pythons.py --lib-workers 0     # each library suite in one process

Three phases, each step with its own deadline (a step that passes it is killed,
with its process group, and counts as failed):

1. setup: the 3.12 and 3.13 venvs (``tools/pyenv_tests.sh setup``) and the sid
   chroot for 3.14 and 3.15 (``tools/sid_chroot.sh provision``), side by side:
   they wait on the network and the disk, not on a CPU;
2. the library suites, one version at a time, each in ``--lib-workers``
   processes (pytest-xdist, default 4, a file's tests in one process, as
   ``make test-lib`` runs 3.11's).  A suite spends most of its time waiting
   (deadlines, sleeps, worker start-up), so four share a 2-CPU machine;
3. nbval, one version at a time (it keeps both CPUs busy), under the start
   method :data:`NB_METHOD` gives each version: ``fork`` on 3.12 (Linux's
   default up to 3.13, what the committed outputs were made with, and which
   3.11's runs under spawn and forkserver do not check), then spawn and
   forkserver again on 3.13-3.15, so that every method runs every notebook on
   more than one version.

Each step's output goes to ``_build/pythons/<version>-<step>.log``; the
summary prints each step's result line and time, and the failures' summary
of any step that failed.  The exit status is 1 if any step failed.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "_build" / "pythons"
VERSIONS = ("3.12", "3.13", "3.14", "3.15")
#: nbval's start method per version.
NB_METHOD = {"3.12": "fork", "3.13": "spawn", "3.14": "forkserver", "3.15": "spawn"}
DEADLINE = {"setup": 20 * 60, "lib": 30 * 60, "nbval": 20 * 60}


def _tool(version: str) -> str:
    return "tools/pyenv_tests.sh" if version in ("3.12", "3.13") else "tools/sid_chroot.sh"


def _step(version: str, step: str, xdist: tuple[str, ...] = ()) -> list[str]:
    tool = _tool(version)
    if step == "setup":
        return [tool, "setup", version] if tool.endswith("pyenv_tests.sh") else [tool, "provision"]
    if step == "lib":
        return [tool, "test", version, *xdist]
    return [tool, "nbval", version, "book"]


class Result:
    def __init__(self, version: str, step: str, rc: int, seconds: float, log: Path):
        self.version, self.step, self.rc, self.seconds, self.log = version, step, rc, seconds, log

    @property
    def ok(self) -> bool:
        return self.rc == 0

    def summary(self) -> str:
        """pytest's last line (``N passed, M skipped in ...``), or the log's last line."""
        lines = [line.strip() for line in self.log.read_text(errors="replace").splitlines()
                 if line.strip()] if self.log.exists() else []
        found = [line for line in lines if re.search(r"\b(passed|failed|error)\b", line)
                 and " in " in line]
        return found[-1].strip("= ") if found else (lines[-1] if lines else "(no output)")

    def failures(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        i = text.find("short test summary info")
        return text[i:] if i >= 0 else "\n".join(text.splitlines()[-30:])


#: The steps running now (each in its own process group), for :func:`_stop_all`.
_RUNNING: set[subprocess.Popen] = set()


def _stop_all(signum: int, frame: object) -> None:
    """SIGINT or SIGTERM (Ctrl-C, or ``make test`` stopping a set-up it started ahead):
    stop every running step's process group, then exit; a step's children would
    otherwise outlive us, each in its own session."""
    for proc in list(_RUNNING):
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    print(f"[test_pythons] stopped by signal {signum}: {len(_RUNNING)} running step(s) killed",
          flush=True)
    os._exit(128 + signum)


def run_step(version: str, step: str, env: dict[str, str], xdist: tuple[str, ...] = (),
             label: str | None = None) -> Result:
    """One step in its own process group, killed (with its children) at its deadline.

    ``label`` names the step in the summary and the log (default: ``version``).
    """
    LOGS.mkdir(parents=True, exist_ok=True)
    label = label or version
    log = LOGS / f"{label.replace(' ', '-')}-{step}.log"
    t0 = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(_step(version, step, xdist), cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        _RUNNING.add(proc)
        try:
            rc = proc.wait(timeout=DEADLINE[step])
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            out.write(f"\n[test_pythons] killed: {step} under {version} passed its "
                      f"{DEADLINE[step]} s deadline\n")
            rc = 124
        except BaseException:
            os.killpg(proc.pid, signal.SIGTERM)  # Ctrl-C: leave no suite running
            proc.wait()
            raise
        finally:
            _RUNNING.discard(proc)
    result = Result(label, step, rc, time.monotonic() - t0, log)
    print(f"  {label} {step:5} {'ok    ' if result.ok else 'FAILED'} {result.seconds:6.0f} s  "
          f"{result.summary()}", flush=True)
    return result


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--versions", nargs="+", default=list(VERSIONS), choices=VERSIONS)
    ap.add_argument("--setup-only", action="store_true",
                    help="only make (or reuse) each version's environment; make test runs this "
                         "ahead, beside 3.11's tests, since it waits on the network and the disk")
    ap.add_argument("--lib-workers", type=int, default=4,
                    help="pytest-xdist processes per library suite (default 4; 0: one process)")
    args = ap.parse_args(argv)
    if args.lib_workers < 0:
        ap.error("--lib-workers must be 0 or more")
    xdist = ("-n", str(args.lib_workers), "--dist", "loadfile") if args.lib_workers else ()
    versions = args.versions
    env = dict(os.environ)
    results: list[Result] = []
    t0 = time.monotonic()

    print(f"== other Pythons: setup ({', '.join(versions)})", flush=True)
    setups = {v: v if _tool(v).endswith("pyenv_tests.sh") else "chroot" for v in versions}
    with ThreadPoolExecutor(len(set(setups.values()))) as pool:
        # One provision serves both chroot versions.
        firsts = {key: v for v, key in reversed(list(setups.items()))}
        labels = {key: ("3.14 and 3.15 (sid chroot)" if key == "chroot" else key) for key in firsts}
        done = dict(zip(firsts, pool.map(lambda key: run_step(firsts[key], "setup", env,
                                                              label=labels[key]), firsts)))
    results += done.values()
    ready = [v for v in versions if done[setups[v]].ok]
    if args.setup_only:
        print(f"== other Pythons: set up in {(time.monotonic() - t0) / 60:.1f} min", flush=True)
        return 0 if len(ready) == len(versions) else 1

    print(f"== other Pythons: library tests, one version at a time"
          f"{f' ({args.lib_workers} processes each)' if xdist else ''}", flush=True)
    for v in ready:
        results.append(run_step(v, "lib", env, xdist))

    print("== other Pythons: nbval, one version at a time", flush=True)
    for v in ready:
        results.append(run_step(v, "nbval", dict(env, PARALLEL_DEMO_START_METHOD=NB_METHOD[v])))

    failed = [r for r in results if not r.ok]
    print(f"== other Pythons: {len(results) - len(failed)} of {len(results)} steps passed in "
          f"{(time.monotonic() - t0) / 60:.1f} min (logs in {LOGS.relative_to(ROOT)}/)")
    for r in failed:
        print(f"\n-- {r.version} {r.step} failed (exit {r.rc}); from {r.log.relative_to(ROOT)}:\n"
              f"{r.failures()}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    signal.signal(signal.SIGINT, _stop_all)
    signal.signal(signal.SIGTERM, _stop_all)
    sys.exit(main(sys.argv[1:]))
