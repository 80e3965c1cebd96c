"""The built docs site in headless Chromium: the ældre page's table, its rendered Mermaid diagram,
and the Danish search finding provisions. Needs /usr/bin/chromium, mkdocs-material and mermaid
(vendored by `registry docs`)."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.pipeline import load

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUTPUT = ROOT / "tests" / "output"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    pytest.importorskip("playwright", reason="playwright is not installed (pip install -e '.[dev]')")
    pytest.importorskip("material", reason="mkdocs-material is not installed (pip install -e '.[docs]')")
    tmp = tmp_path_factory.mktemp("docsite")
    rules = [] if load().ok else ["--rules", str(ROOT / "tests" / "fixtures" / "docs" / "ok")]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    gen = subprocess.run([sys.executable, "-m", "registry", "docs", *rules, "--out", str(tmp / "docs" / "generated")],
                         cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert gen.returncode == 0, gen.stderr
    shutil.copyfile(ROOT / "mkdocs.yml", tmp / "mkdocs.yml")
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(tmp / "mkdocs.yml"),
                            "-d", str(tmp / "site")], capture_output=True, text=True, env=env, timeout=600)
    assert build.returncode == 0, build.stderr[-3000:]
    handler = functools.partial(_Quiet, directory=str(tmp / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def test_aeldre_page_shows_table_and_rendered_diagram(site_url: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    # Material draws each diagram in a closed shadow root; open it so the test can see the svg.
    page.add_init_script("const a = Element.prototype.attachShadow; "
                         "Element.prototype.attachShadow = function (o) { return a.call(this, {...o, mode: 'open'}); };")
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith((site_url, "data:", "blob:")) else None)
    page.goto(f"{site_url}/omraader/aeldre/")
    assert page.locator("h1").first.inner_text().startswith("Ældreområdet")
    table = page.locator("article table").first
    table.wait_for(state="visible")
    assert table.locator("tbody tr").count() > 0
    assert "Kan fraviges" in table.inner_text()
    svg = page.locator(".mermaid svg").first  # Mermaid replaced the code block with a drawing
    svg.wait_for(state="visible", timeout=20_000)
    assert svg.bounding_box()["width"] > 100
    assert "Hegnspæl" in page.locator("article").inner_text()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "docs-aeldre.png"), full_page=True)
    assert external == [], f"the site must work offline, but it fetched {external}"
    page.close()


@pytest.mark.parametrize("query", ["madservice", "§ 79 a", "hjemmehjælp"])
def test_search_finds_provisions(site_url: str, browser, query: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{site_url}/")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially(query)  # Material searches on key events
    page.locator(".md-search-result__item").first.wait_for(state="visible", timeout=20_000)
    hits = page.eval_on_selector_all(
        ".md-search-result__link",
        "els => els.filter(e => e.offsetParent !== null).map(e => [e.getAttribute('href'), e.innerText])")
    assert hits, f"no search result for {query!r}"
    if query.startswith("§"):  # the provision itself is offered, not just pages that mention it
        assert any(re.search(r"/love/[a-z]+/\?[^#]*#[a-z]+-79-a$", href) for href, _ in hits), hits[:10]
    else:
        assert any(query in text.lower() for _, text in hits), hits[:10]
    page.close()


def test_dark_mode_toggle_switches_the_palette(site_url: str, browser) -> None:
    page = browser.new_page()
    page.goto(f"{site_url}/")
    before = page.locator("body").get_attribute("data-md-color-scheme")
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') !== {before!r}")
    assert page.locator("body").get_attribute("data-md-color-scheme") in ("default", "slate")
    page.close()
