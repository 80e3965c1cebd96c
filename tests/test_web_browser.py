"""The caseworker's page in headless Chromium against a real `registry serve`: the answer equals `registry check`."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_web_helpers import CHROMIUM, CHROMIUM_ARGS, Server, cli_check_json, run_registry

pytestmark = pytest.mark.browser

QUESTIONS = [
    ("Viborg", "2022-05-01", ["servicelovens § 83, stk. 1, nr. 3"]),
    ("Middelfart", "2022-05-01", ["SEL § 79 a", "SEL § 1"]),
    ("Aarhus", "2022-05-01", ["SEL § 83"]),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    tmp = tmp_path_factory.mktemp("browser")
    srv = Server(f"sqlite:///{tmp / 'audit.sqlite3'}", tmp).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browsertesten springes over: {CHROMIUM} findes ikke (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("municipality, date, deviates", QUESTIONS)
def test_form_answer_equals_cli(server: Server, browser, tmp_path: Path, municipality: str, date: str,
                                deviates: list[str]) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(server.url + "/")
        assert page.input_value("#date")  # today's date is filled in
        page.fill("#municipality", municipality[:3])
        # search as you type: the suggestion list comes from /api/municipalities
        page.wait_for_selector(f"ul.suggest li:has-text('{municipality}')")
        page.click(f"ul.suggest li:has-text('{municipality}')")
        assert page.input_value("#municipality") == municipality
        page.fill("#date", date)
        for i, d in enumerate(deviates):
            if i:
                page.click("button.add")
            page.locator("input.provision").nth(i).fill(d)
            page.keyboard.press("Escape")
        page.click("#submit")
        page.wait_for_selector("#summary")
        verdict = page.get_attribute("#verdict", "data-verdict")
        summary = page.get_attribute("#summary", "data-summary")
        shown = page.inner_text("#summary")
        audit_id = page.inner_text("#audit-id").strip()
    finally:
        page.close()
    expected = cli_check_json(tmp_path, municipality, date, deviates)
    assert (verdict, summary) == (expected["verdict"], expected["summary"])
    assert shown == expected["summary"].split(": ", 1)[1]
    logged = run_registry("audit", "show", audit_id, "--format", "json", "--database-url", server.db_url, tmp=tmp_path)
    assert logged.returncode == 0, logged.stderr
    entry = json.loads(logged.stdout)
    assert (entry["verdict"], entry["citations"], entry["findings"]) == (expected["verdict"], deviates,
                                                                         expected["findings"])


def test_provision_autocomplete_by_topic(server: Server, browser) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(server.url + "/")
        page.fill("input.provision", "madservice")
        page.wait_for_selector("ul.suggest li")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        assert page.input_value("input.provision") == "SEL § 83"
    finally:
        page.close()


def test_result_page_prints_without_controls(server: Server, browser) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(server.url + "/")
        page.fill("#municipality", "Viborg")
        page.fill("input.provision", "SEL § 1")
        page.keyboard.press("Escape")
        page.click("#submit")
        page.wait_for_selector("#summary")
        page.emulate_media(media="print")
        assert not page.is_visible(".actions")
        assert page.is_visible("#summary") and page.is_visible("#audit-id")
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
    finally:
        page.close()
