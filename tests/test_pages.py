"""The built book, opened in headless Chromium as a reader would.

Run after the book is built (`make test` builds it first).  Every page must load with no
request leaving this machine (no CDN: math and widgets are served by the book itself),
render its math and its widgets, and show no JavaScript errors.  A screenshot of each page
is saved to `_build/screenshots/` for a human to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PAGES = sorted(p for p in (HTML / "book").glob("*.html")) if HTML.exists() else []

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


@pytest.mark.timeout(120)
@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: p.name)
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
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{page_path.stem}.png"), full_page=True)
    page.close()
    assert not outside, f"{page_path.name} tried to fetch from the network: {outside[:5]}"
    assert not errors, f"{page_path.name} JavaScript errors: {errors[:3]}"
    assert tracebacks == 0, f"{page_path.name}: {tracebacks} cell error(s) reached the page"


def test_every_chapter_was_built():
    built = {p.stem for p in PAGES}
    for nb in (ROOT / "book").glob("*.ipynb"):
        assert nb.stem in built, f"{nb.name} has no HTML page"
