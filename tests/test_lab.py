"""The chapters in a real JupyterLab, driven as a learner would drive it (headless Chromium).

A JupyterLab server (the versions `make lab` installs, with jupyterlab-myst) starts on
127.0.0.1 with a random token, in a temporary copy of the notebooks, with its own settings
(autosave off, so that any write to a notebook is JupyterLab's own doing).  For each chapter
below the test opens it, checks that it opens clean (not marked modified, MyST rendered,
solutions collapsed), runs Kernel > Restart Kernel and Run All Cells, and checks: no cell
shows an error, the I/O explorer's sliders redraw its chart, the tqdm bar renders; then it
shuts the kernel down and checks that no process the kernel started is left, and at the end
that JupyterLab wrote nothing into the notebook files it ran.

Slow (about two minutes): `make test-browser` runs it (PARALLEL_DEMO_LAB=1).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHAPTERS = ["threads_for_io", "race_conditions", "deadlock", "futures", "processes_done_right"]
RUN_TIMEOUT = 300  # seconds for one chapter's Run All (they take well under a minute here)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.environ.get("PARALLEL_DEMO_LAB"), reason="slow: make test-browser"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for leftovers"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]

# JupyterLab settings for the test's own settings folder (never the user's).
SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # every cell in the DOM, so that outputs can be read from the page
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    """Every live process under ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":  # a zombie is already gone
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            found.add(c)
            todo.append(c)
    return found


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    pytest.importorskip("jupyterlab")
    tmp = tmp_path_factory.mktemp("lab")
    work = tmp / "notebooks"
    work.mkdir()
    shutil.copytree(BOOK / "reference", work / "reference")
    for name in CHAPTERS:
        shutil.copy2(BOOK / f"{name}.ipynb", work)
    for rel, value in SETTINGS.items():
        f = tmp / "settings" / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(value))
    before = {p: _digest(p) for p in work.glob("*.ipynb")}
    token, port = secrets.token_hex(16), _free_port()
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"), JUPYTER_RUNTIME_DIR=str(tmp / "rt"),
               JUPYTER_CONFIG_DIR=str(tmp / "config"), PYTHONUNBUFFERED="1")
    log = (tmp / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
         "--LabApp.expose_app_in_browser=True",
         *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI runs as root
        cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start: {(tmp / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.3)
    yield {"base": base, "token": token, "work": work, "server": server, "before": before}
    server.terminate()
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(5)
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        yield b
        b.close()


def _api(lab, path):
    with urllib.request.urlopen(f"{lab['base']}{path}?token={lab['token']}", timeout=10) as r:
        return json.loads(r.read())


# The open notebook, read from JupyterLab's own model (window.jupyterapp, exposed by
# --LabApp.expose_app_in_browser, as JupyterLab's Galata test framework does).
STATE_JS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  if (!w || !w.context || !w.sessionContext.session || !w.sessionContext.session.kernel) return null;
  const nb = w.context.model.toJSON();
  return {dirty: w.context.model.dirty, kernel: w.sessionContext.session.kernel.status,
          running: [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                     .filter(p => p.textContent.includes('*')).length,
          cells: nb.cells.filter(c => c.cell_type === 'code').map(c => ({
            n: c.execution_count, tags: (c.metadata.tags || []),
            errors: c.outputs.filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue)}))};
}"""


def _state(page):
    return page.evaluate(STATE_JS)


def _open(page, lab, name):
    # a workspace of its own, reset: nothing from the previous chapter's page is reopened
    page.goto(f"{lab['base']}/lab/workspaces/test-{name}/tree/{name}.ipynb?reset&token={lab['token']}")
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=60_000)
    deadline = time.monotonic() + 60
    while (s := _state(page)) is None or s["kernel"] not in ("idle",):
        assert time.monotonic() < deadline, f"{name}: the kernel never became idle ({s and s['kernel']})"
        page.wait_for_timeout(250)
    return s


def _restart_and_run_all(page, name):
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:restart-run-all'); }")
    page.locator(".jp-Dialog .jp-mod-accept").click(timeout=20_000)
    page.wait_for_timeout(1000)
    t0 = time.monotonic()
    while True:
        s = _state(page)
        if s and any(c["errors"] for c in s["cells"]):
            break
        if s and s["kernel"] == "idle" and s["running"] == 0 and all(c["n"] for c in s["cells"]):
            break
        assert time.monotonic() - t0 < RUN_TIMEOUT, f"{name}: Run All did not finish"
        page.wait_for_timeout(500)
    return s, time.monotonic() - t0


def _shut_down(page, lab, name):
    kernels = _api(lab, "/api/kernels")
    page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
    deadline = time.monotonic() + 30
    while _api(lab, "/api/kernels") or _descendants(lab["server"].pid):
        assert time.monotonic() < deadline, (
            f"{name}: left running after the kernel shut down: kernels {_api(lab, '/api/kernels')}, "
            f"processes {sorted(_descendants(lab['server'].pid))}")
        time.sleep(0.25)
    return kernels


def _move_slider_and_wait_for_chart(page):
    widget = page.locator(".jp-OutputArea-output .widget-interact").first
    widget.wait_for(timeout=30_000)
    images = widget.locator("img")
    before = images.first.get_attribute("src") if images.count() else None
    handle = widget.locator(".noUi-handle").first
    handle.focus()
    t0 = time.monotonic()
    for _ in range(2):
        handle.press("ArrowRight")
    deadline = t0 + 60
    while True:
        if images.count() and images.first.get_attribute("src") != before:
            return time.monotonic() - t0
        assert time.monotonic() < deadline, "moving the latency slider did not redraw the chart"
        page.wait_for_timeout(200)


@pytest.mark.timeout(RUN_TIMEOUT + 120)
@pytest.mark.parametrize("name", CHAPTERS)
def test_restart_and_run_all_in_jupyterlab(lab, browser, name):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    try:
        opened = _open(page, lab, name)
        assert not opened["dirty"], f"{name} opens already modified (its kernelspec or format differs)"
        # jupyterlab-myst renders the MyST directives: no raw option lines on screen
        page.wait_for_timeout(1000)
        shown = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown").all_inner_texts()
        raw = [t for t in shown if ":label:" in t or ":class: dropdown" in t or "{exercise" in t]
        assert not raw, f"{name}: MyST markup shown as text: {raw[0][:120]!r}"
        # solution cells open collapsed
        collapsed = page.evaluate("""() => window.jupyterapp.shell.currentWidget.content.widgets
            .filter(c => (c.model.getMetadata('tags') || []).includes('solution'))
            .map(c => c.inputHidden)""")
        assert collapsed and all(collapsed), f"{name}: a solution cell is not collapsed"

        state, took = _restart_and_run_all(page, name)
        timings: dict[str, float] = {}
        errors = [(i, c["errors"]) for i, c in enumerate(state["cells"])
                  if c["errors"] and "raises-exception" not in c["tags"]]
        assert not errors, f"{name}: cells with an error output: {errors[:3]}"
        assert all(c["n"] for c in state["cells"]), f"{name}: Run All stopped early"

        if name == "threads_for_io":
            timings["slider redraw (s)"] = round(_move_slider_and_wait_for_chart(page), 1)
        if name == "futures":
            bar = page.locator(".jp-OutputArea-output .widget-hprogress, .jp-OutputArea-output progress, "
                               ".jp-OutputArea-output .progress-bar").first
            bar.wait_for(timeout=20_000)
            text = page.locator(".jp-OutputArea-output .widget-hbox").filter(has_text="tasks").first.inner_text()
            assert "11/11" in text.replace(" ", ""), f"the tqdm bar did not reach 11/11: {text!r}"
        assert not page_errors, f"{name}: JavaScript errors in JupyterLab: {page_errors[:3]}"
        shots = ROOT / "_build" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / f"lab-{name}.png"))
        _shut_down(page, lab, name)
        print(f"{name}: Run All {took:.1f} s", *(f"{k} {v}" for k, v in timings.items()))
    finally:
        page.close()


def test_no_notebook_changed_on_disk(lab):
    """Run last (file order): JupyterLab wrote nothing into the notebooks it ran.

    (The book's own notebooks in book/ are never opened: like `make lab`, the test works on
    copies, which is what keeps a learner's typing out of the tracked files.)
    """
    changed = [p.name for p, digest in lab["before"].items() if _digest(p) != digest]
    assert not changed, f"notebooks written during the run: {changed}"
    assert not _api(lab, "/api/kernels"), "a kernel is still running"
