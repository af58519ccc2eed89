"""The built book, opened in headless Chromium as a reader would.

Run after the book is built (`make test` builds it first).  Every page must load with no
request leaving this machine (no CDN: math and widgets are served by the book itself),
render its math and its widgets, and show no JavaScript errors.  axe-core (the engine behind
most accessibility checkers, run inside the page) must find no serious or critical WCAG
violation on any page; the moderate and minor ones are written to `_build/axe/` for a human.
A screenshot of each page is saved to `_build/screenshots/` for a human to look at.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
# PARALLEL_DEMO_HTML=_build/student/html checks the student edition (`make student`) instead.
HTML = ROOT / os.environ.get("PARALLEL_DEMO_HTML", "_build/html")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PAGES = sorted(p for p in (HTML / "book").glob("*.html")) if HTML.exists() else []
# The book's other pages (search, index), less the root's redirect to the first chapter.
OTHER_PAGES = sorted(p for p in HTML.glob("*.html") if "http-equiv" not in p.read_text()[:2000].lower()) \
    if HTML.exists() else []
#: What fails the test; "moderate" and "minor" findings are reported, not failed.
AXE_FAILS = {"serious", "critical"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HTML.exists(), reason="build the book first: make test-build"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


@pytest.mark.timeout(180)
@pytest.mark.parametrize("page_path", PAGES + OTHER_PAGES, ids=lambda p: p.name)
def test_page_renders_offline(browser, page_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside: list[str] = []
    errors: list[str] = []

    def route(r):
        url = urlparse(r.request.url)
        if url.scheme in ("file", "data", "blob", "about"):
            return r.continue_()
        outside.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_path.as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    html = page.content()
    # myst-nb renders a cell's exception as `.output.traceback`; only cells tagged
    # raises-exception may show one.
    tracebacks = page.locator(".cell:not(.tag_raises-exception) .output.traceback").count()
    if 'class="math' in html:
        page.wait_for_selector("mjx-container", timeout=20_000)
        assert page.locator("mjx-container").count() >= 1
        bad = page.locator("mjx-merror")
        assert bad.count() == 0, f"MathJax could not parse: {bad.first.get_attribute('data-mjx-error')}"
    if "application/vnd.jupyter.widget-view+json" in html:
        page.wait_for_selector(".widget-container, .jupyter-widgets", timeout=20_000)
    problems = _axe(page, page_path)
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{page_path.stem}.png"), full_page=True)
    page.close()
    assert not outside, f"{page_path.name} tried to fetch from the network: {outside[:5]}"
    assert not errors, f"{page_path.name} JavaScript errors: {errors[:3]}"
    assert tracebacks == 0, f"{page_path.name}: {tracebacks} cell error(s) reached the page"
    assert not problems, f"{page_path.name}: axe-core found " + "; ".join(problems)


def _axe(page, page_path) -> list[str]:
    """Run axe-core in the page; write every finding to _build/axe/, return the failing ones."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    out = ROOT / "_build" / "axe"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{page_path.parent.name}-{page_path.stem}.json").write_text(json.dumps(
        [{k: v[k] for k in ("id", "impact", "help", "helpUrl")} | {"targets": [n["target"] for n in v["nodes"]]}
         for v in violations], indent=1))
    return [f"{v['impact']} {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes'][:3]]}"
            for v in violations if v["impact"] in AXE_FAILS]


def test_every_chapter_was_built():
    built = {p.stem for p in PAGES}
    for nb in (ROOT / "book").glob("*.ipynb"):
        assert nb.stem in built, f"{nb.name} has no HTML page"
