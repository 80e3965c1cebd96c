"""Applications entered through the web page and the JSON API, checked against the bundled rounds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from registry.audit import open_store  # noqa: E402
from registry.pipeline import load  # noqa: E402
from registry.web.app import Settings, create_app  # noqa: E402

RULES = Path(__file__).resolve().parent.parent / "rules"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    db = tmp_path_factory.mktemp("audit") / "audit.sqlite3"
    s = Settings(compiled=load([str(RULES)]), store=open_store(f"sqlite:///{db}"), rounds_dir=RULES / "rounds")
    return TestClient(create_app(s))


def test_api_accepts_a_valid_application_and_returns_round_file_text(client: TestClient) -> None:
    r = client.post("/api/rounds/applications", json={
        "round": "velfaerd-2022", "municipality": "Norddjurs Kommune", "first": "folkeskole",
        "first_reason": "Kortere skoledage", "fallback": "aeldre", "contact": "Skolechef", "submitted": "2022-09-20"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["municipality"] == {"code": 707, "name": "Norddjurs"}
    assert data["text"].startswith("application 707 under velfaerd-2022\n  first folkeskole \"Kortere skoledage\"")
    assert "submitted 2022-09-20" in data["text"]


@pytest.mark.parametrize("body,code", [
    ({"round": "velfaerd-2022", "municipality": "250", "first": "folkeskole", "submitted": "2022-09-20"}, "A604"),
    ({"round": "velfaerd-2022", "municipality": "Norddjurs", "first": "folkeskole", "fallback": "folkeskole",
      "submitted": "2022-09-20"}, "A603"),
    ({"round": "velfaerd-2022", "municipality": "Norddjurs", "first": "folkeskole", "submitted": "2022-10-01"}, "A605"),
    ({"round": "velfaerd-2022", "municipality": "Norddjurs", "first": "beskaeftigelse",
      "submitted": "2022-09-20"}, "A602"),
    ({"round": "velfaerd-2099", "municipality": "Norddjurs", "first": "folkeskole", "submitted": "2022-09-20"}, "A606"),
    ({"round": "velfaerd-2022", "municipality": "Atlantis", "first": "folkeskole"}, "C400"),
])
def test_api_rejects_bad_applications_with_a_danish_diagnostic(client: TestClient, body: dict, code: str) -> None:
    r = client.post("/api/rounds/applications", json=body)
    assert r.status_code == 400
    codes = [p["code"] for p in r.json()["detail"]]
    assert code in codes
    assert all(p["message"] for p in r.json()["detail"])


def test_api_validates_fields(client: TestClient) -> None:
    r = client.post("/api/rounds/applications", json={"round": "velfaerd-2022", "municipality": "x"})
    assert r.status_code == 422


def test_web_form_round_trip(client: TestClient) -> None:
    page = client.get("/ansoegning")
    assert page.status_code == 200 and "Ansøgning om frisættelse" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post("/ansoegning", data={"csrf": csrf, "round": "velfaerd-2022", "municipality": "Norddjurs",
                                          "first": "folkeskole", "first_reason": "Frihed", "fallback": "",
                                          "fallback_reason": "", "contact": "", "submitted": "2022-09-01"})
    assert r.status_code == 200, r.text
    assert "Ansøgningen er gyldig" in r.text and "application 707 under velfaerd-2022" in r.text
    late = client.post("/ansoegning", data={"csrf": csrf, "round": "velfaerd-2022", "municipality": "Norddjurs",
                                             "first": "folkeskole", "submitted": "2022-12-01"})
    assert late.status_code == 400 and "efter fristen" in late.text


def test_web_form_needs_csrf(client: TestClient) -> None:
    r = client.post("/ansoegning", data={"round": "velfaerd-2022", "municipality": "Norddjurs", "first": "folkeskole"})
    assert r.status_code == 403


@pytest.mark.parametrize("field", ["round", "first", "fallback"])
def test_api_refuses_clause_injection_through_id_fields(client: TestClient, field: str) -> None:
    body = {"round": "velfaerd-2022", "municipality": "Norddjurs", "first": "folkeskole", "submitted": "2022-09-20"}
    body[field] = 'folkeskole\n  source "https://x.dk"'
    r = client.post("/api/rounds/applications", json=body)
    assert r.status_code == 422
