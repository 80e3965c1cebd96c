"""The JSON API and the HTML form against the real app, with a real SQLite audit log (no mocks)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402
from test_web_helpers import RULES  # noqa: E402

from registry import cli  # noqa: E402
from registry.audit import AuditStore  # noqa: E402
from registry.pipeline import load  # noqa: E402
from registry.web.app import MAX_BODY, Settings, TokenFileError, create_app, read_tokens  # noqa: E402

CASEWORKER = "caseworker-token-0123456789abcdef"
AUDITOR = "auditor-token-0123456789abcdefgh"
QUESTIONS = [
    ("Viborg", "2022-05-01", ["servicelovens § 83, stk. 1, nr. 3"]),
    ("410", "2022-05-01", ["SEL § 79 a"]),
    ("viborg kommune", "2022-05-01", ["SEL § 1", "SEL § 83"]),
    ("Aarhus", "2022-05-01", ["SEL § 83"]),
    ("Middelfart", "2022-05-01", []),
]


@pytest.fixture(scope="module")
def compiled():
    c = load([str(RULES)], use_cache=False)
    assert c.ok
    return c


@pytest.fixture
def make_client(tmp_path: Path, compiled) -> Iterator[Callable[..., tuple[TestClient, AuditStore]]]:
    stores: list[AuditStore] = []

    def make(**kw: Any) -> tuple[TestClient, AuditStore]:
        store = AuditStore(f"sqlite:///{tmp_path / f'audit{len(stores)}.sqlite3'}")
        stores.append(store)
        return TestClient(create_app(Settings(compiled=compiled, store=store, **kw))), store

    yield make
    for s in stores:
        s.close()


@pytest.fixture
def client(make_client) -> tuple[TestClient, AuditStore]:
    return make_client()


@pytest.fixture
def tokens(tmp_path: Path) -> dict:
    f = tmp_path / "tokens"
    f.write_text(f"# test tokens\n{CASEWORKER} karen caseworker\n{AUDITOR} aud auditor  # revisor\n")
    f.chmod(0o600)
    return read_tokens(str(f))


def cli_json(capsys: pytest.CaptureFixture[str], municipality: str, date: str, deviates: list[str]) -> dict:
    args = ["check", "-m", municipality, "-d", date, "--format", "json", "--rules", str(RULES)]
    for d in deviates:
        args += ["--deviates", d]
    capsys.readouterr()
    assert cli.main(args) in (0, 1)
    return json.loads(capsys.readouterr().out)


# ---------------------------------------------------------------------------- check


@pytest.mark.parametrize("municipality, date, deviates", QUESTIONS)
def test_check_equals_cli_and_is_logged(client, capsys, municipality: str, date: str, deviates: list[str]) -> None:
    c, store = client
    r = c.post("/api/check", json={"municipality": municipality, "date": date, "deviates": deviates,
                                   "description": "praksis beskrevet"})
    assert r.status_code == 200, r.text
    body = r.json()
    audit_id = body.pop("audit_id")
    assert body == cli_json(capsys, municipality, date, deviates)
    assert list(body) == list(cli_json(capsys, municipality, date, deviates))  # same keys, same order
    entry = store.get(audit_id)
    assert entry is not None
    assert (entry.verdict, entry.date, entry.citations, entry.findings, entry.ruleset, entry.description,
            entry.user, entry.channel) == (body["verdict"], date, deviates, body["findings"], body["ruleset"],
                                           "praksis beskrevet", "anonym", "api")


def test_check_in_english(client) -> None:
    c, _ = client
    r = c.post("/api/check", json={"municipality": "Viborg", "date": "2022-05-01", "deviates": ["SEL § 1"],
                                   "lang": "en"})
    assert r.status_code == 200 and r.json()["summary"].startswith("VIOLATES A FENCE POST")


def test_unanswerable_question_is_400_in_danish(client) -> None:
    c, store = client
    r = c.post("/api/check", json={"municipality": "Vibrg", "date": "2022-05-01", "deviates": []})
    assert r.status_code == 400
    (p,) = r.json()["detail"]
    assert p["code"] == "C400" and "ukendt kommune" in p["message"] and "Viborg" in p["help"]
    r = c.post("/api/check", json={"municipality": "Viborg", "deviates": ["VAAE § 99"]})
    assert r.status_code == 400 and r.json()["detail"][0]["code"] == "C401"
    assert store.count() == 0  # unanswered questions are not checks


@pytest.mark.parametrize("payload, field", [
    ({"date": "2022-05-01"}, "municipality"),
    ({"municipality": "Viborg", "date": "2022-13-01"}, "date"),
    ({"municipality": "Viborg", "deviates": "SEL § 83"}, "deviates"),
    ({"municipality": "Viborg", "deviates": [7]}, "deviates.0"),
    ({"municipality": "Viborg", "lang": "sv"}, "lang"),
    ({"municipality": "Viborg", "admin": True}, "admin"),
    ({"municipality": "x" * 101}, "municipality"),
    ({"municipality": "Viborg", "deviates": ["SEL § 1"] * 51}, "deviates"),
    ({"municipality": "Viborg", "description": "d" * 5001}, "description"),
])
def test_invalid_fields_are_422_in_danish(client, payload: dict, field: str) -> None:
    c, _ = client
    r = c.post("/api/check", json=payload)
    assert r.status_code == 422
    problems = r.json()["detail"]
    assert field in [p["field"] for p in problems]
    for p in problems:
        assert p["code"] == "C406" and p["message"].startswith("Feltet ")
        assert not re.search(r"\b(Field required|Input should|value is not)\b", p["message"])


@pytest.mark.parametrize("body, ctype", [(b"{not json", "application/json"), (b"[1, 2]", "application/json"),
                                         (b"municipality=Viborg", "application/x-www-form-urlencoded")])
def test_non_json_bodies_are_refused(client, body: bytes, ctype: str) -> None:
    c, _ = client
    r = c.post("/api/check", content=body, headers={"content-type": ctype})
    assert r.status_code == 422
    assert all(p["code"] == "C406" for p in r.json()["detail"])


def test_oversized_bodies_are_413(client) -> None:
    c, store = client
    big = json.dumps({"municipality": "Viborg", "description": "x" * (MAX_BODY + 10)})
    r = c.post("/api/check", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "for stor" in r.json()["detail"][0]["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while streaming too
        yield b'{"municipality": "Viborg", "description": "'
        for _ in range(MAX_BODY // 1000 + 2):
            yield b"x" * 1000
        yield b'"}'

    r = c.post("/api/check", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert store.count() == 0


def test_no_traceback_ever(client) -> None:
    c, _ = client
    for r in (c.post("/api/check", content=b"\xff\xfe", headers={"content-type": "application/json"}),
              c.get("/api/audit/not-a-uuid"), c.get("/nope"), c.delete("/api/check"),
              c.post("/api/check", json={"municipality": "Viborg", "deviates": ["§§§ ,,, stk."]})):
        assert r.status_code < 500
        assert "Traceback" not in r.text and 'File "' not in r.text


# ---------------------------------------------------------------------------- look-ups


def test_municipalities_search_by_name_and_code(client) -> None:
    c, _ = client
    everyone = c.get("/api/municipalities").json()
    assert {m["name"] for m in everyone} == {"Viborg", "Middelfart", "Aarhus", "Høje-Taastrup"}
    assert [m["name"] for m in everyone][-1] == "Aarhus"  # Danish order: Aa is Å, last
    assert [m["code"] for m in c.get("/api/municipalities", params={"q": "791"}).json()] == [791]
    assert [m["code"] for m in c.get("/api/municipalities", params={"q": "0791"}).json()] == [791]
    assert [m["name"] for m in c.get("/api/municipalities", params={"q": "taastrup"}).json()] == ["Høje-Taastrup"]
    viborg = c.get("/api/municipalities", params={"q": "vib"}).json()[0]
    assert viborg["agreements"] == ["aeldre-2021"]


@pytest.mark.parametrize("q, first", [
    ("madservice", "SEL § 83"),
    ("hjemmebesøg", "SEL § 79 a"),
    ("servicelovens § 79 a", "SEL § 79 a"),
    ("SEL § 83, stk. 1", "SEL § 83"),
    ("Offentliggørelse", "VAAE § 6"),
])
def test_provisions_search(client, q: str, first: str) -> None:
    c, _ = client
    hits = c.get("/api/provisions", params={"q": q}).json()
    assert hits and hits[0]["citation"] == first


def test_provisions_limit_and_empty_query(client) -> None:
    c, _ = client
    assert len(c.get("/api/provisions", params={"limit": 2}).json()) == 2
    assert c.get("/api/provisions", params={"q": "zzzz-intet"}).json() == []
    assert c.get("/api/provisions", params={"limit": 0}).status_code == 422


# ---------------------------------------------------------------------------- who may do what


def test_without_auth_the_audit_log_is_closed(client) -> None:
    c, _ = client
    r = c.get("/api/audit")
    assert r.status_code == 403 and "registry audit list" in r.json()["detail"][0]["help"]


def test_tokens_roles(make_client, tokens) -> None:
    c, store = make_client(tokens=tokens)
    q = {"municipality": "Viborg", "date": "2022-05-01", "deviates": ["SEL § 83"]}
    assert c.post("/api/check", json=q).status_code == 401
    assert c.post("/api/check", json=q, headers={"Authorization": "Bearer wrong-token-xxxxxxxxxxxx"}).status_code == 401
    assert c.post("/api/check", json=q, headers={"Authorization": f"Basic {CASEWORKER}"}).status_code == 401
    assert c.get("/api/municipalities").status_code == 401
    r = c.post("/api/check", json=q, headers={"Authorization": f"Bearer {CASEWORKER}"})
    assert r.status_code == 200
    audit_id = r.json()["audit_id"]
    assert store.get(audit_id).user == "karen"  # type: ignore[union-attr]
    assert c.get("/api/audit", headers={"Authorization": f"Bearer {CASEWORKER}"}).status_code == 403
    listed = c.get("/api/audit", headers={"Authorization": f"Bearer {AUDITOR}"})
    assert listed.status_code == 200 and [e["id"] for e in listed.json()] == [audit_id]
    one = c.get(f"/api/audit/{audit_id}", headers={"Authorization": f"Bearer {AUDITOR}"}).json()
    assert one["user"] == "karen" and one["verdict"] == r.json()["verdict"]
    missing = c.get("/api/audit/00000000-0000-4000-8000-000000000000", headers={"Authorization": f"Bearer {AUDITOR}"})
    assert missing.status_code == 404


def test_proxy_header_only_from_trusted_proxy(make_client) -> None:
    q = {"municipality": "Viborg", "date": "2022-05-01"}
    # TestClient's peer address is "testclient": not the configured proxy, so the header is ignored
    c, _ = make_client(user_header="X-Remote-User")
    assert c.post("/api/check", json=q, headers={"X-Remote-User": "mallory"}).status_code == 401
    c, store = make_client(user_header="X-Remote-User", trusted_proxies=frozenset({"testclient"}),
                           auditors=frozenset({"revisor1"}))
    r = c.post("/api/check", json=q, headers={"X-Remote-User": "sb1234"})
    assert r.status_code == 200 and store.get(r.json()["audit_id"]).user == "sb1234"  # type: ignore[union-attr]
    assert c.post("/api/check", json=q).status_code == 401  # no anonymous checks once auth is configured
    assert c.get("/api/audit", headers={"X-Remote-User": "sb1234"}).status_code == 403
    assert c.get("/api/audit", headers={"X-Remote-User": "revisor1"}).status_code == 200
    assert c.post("/api/check", json=q, headers={"X-Remote-User": "a\x01b"}).status_code == 400


@pytest.mark.parametrize("text, needle", [
    ("short alice caseworker\n", "for kort"),
    ("0123456789abcdefXYZ alice\n", "3 felter"),
    ("0123456789abcdefXYZ alice admin\n", "ukendt rolle"),
    ("# only comments\n", "ingen nøgler"),
    ("0123456789abcdefXYZ a caseworker\n0123456789abcdefXYZ b auditor\n", "to gange"),
])
def test_bad_tokens_files(tmp_path: Path, text: str, needle: str) -> None:
    f = tmp_path / "tokens"
    f.write_text(text)
    with pytest.raises(TokenFileError) as e:
        read_tokens(str(f))
    assert needle in str(e.value)
    assert "0123456789abcdef" not in str(e.value)  # never echo a token


def test_serve_refuses_bad_tokens_file_without_traceback(tmp_path: Path, capsys) -> None:
    f = tmp_path / "tokens"
    f.write_text("tooshort alice caseworker\n")
    assert cli.main(["serve", "--tokens", str(f), "--rules", str(RULES), "--database-url",
                     f"sqlite:///{tmp_path / 'a.sqlite3'}"]) == 2
    err = capsys.readouterr().err
    assert "W601" in err and "tooshort" not in err and "Traceback" not in err


def test_serve_refuses_missing_rules_and_bad_database(tmp_path: Path, capsys) -> None:
    assert cli.main(["serve", "--rules", str(tmp_path / "none")]) == 2
    assert "C405" in capsys.readouterr().err
    assert cli.main(["serve", "--rules", str(RULES), "--database-url", "postgresql+psycopg://u:pw1234@127.0.0.1:1/x"]) == 2
    err = capsys.readouterr().err
    assert "L600" in err and "pw1234" not in err


# ---------------------------------------------------------------------------- the HTML form


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m
    return m.group(1)


def test_form_check_roundtrip(client, capsys) -> None:
    c, store = client
    page = c.get("/")
    assert page.status_code == 200 and 'lang="da"' in page.text and "Må kommunen fravige reglerne?" in page.text
    assert 'list="municipality-list"' in page.text and '<option value="SEL § 79 a"' in page.text
    token = _csrf(page.text)
    assert c.cookies.get("registry_csrf") == token
    form = {"csrf": token, "municipality": "Viborg (791)", "date": "2022-05-01",
            "deviates": ["servicelovens § 83, stk. 1, nr. 3", "", "SEL § 1"], "description": "Vi leverer mad <b>"}
    r = c.post("/check", data=form)
    assert r.status_code == 200
    expected = cli_json(capsys, "Viborg", "2022-05-01", ["servicelovens § 83, stk. 1, nr. 3", "SEL § 1"])
    m = re.search(r'id="summary" data-summary="([^"]+)"', r.text)
    assert m and m.group(1) == expected["summary"]
    assert f'data-verdict="{expected["verdict"]}"' in r.text
    audit_id = re.search(r'id="audit-id">([0-9a-f-]{36})<', r.text).group(1)  # type: ignore[union-attr]
    entry = store.get(audit_id)
    assert entry is not None and entry.channel == "web" and entry.verdict == expected["verdict"]
    assert entry.description == "Vi leverer mad <b>" and "Vi leverer mad &lt;b&gt;" in r.text  # escaped
    for f in expected["findings"]:
        for reason in f["reasons"]:
            if reason["source"]:
                assert f'href="{reason["source"]}"' in r.text
    for w in expected["warnings"]:
        assert w.replace('"', "&#34;") in r.text


def test_form_without_csrf_is_refused(client) -> None:
    c, store = client
    c.get("/")
    r = c.post("/check", data={"municipality": "Viborg", "csrf": "x" * 43})
    assert r.status_code == 403 and "Formularen" in r.text
    fresh = TestClient(c.app)
    assert fresh.post("/check", data={"municipality": "Viborg"}).status_code == 403
    assert store.count() == 0


def test_form_errors_are_shown_in_danish(client) -> None:
    c, _ = client
    token = _csrf(c.get("/").text)
    r = c.post("/check", data={"csrf": token, "municipality": "Vibrg", "date": "2022-05-01"})
    assert r.status_code == 400 and "ukendt kommune" in r.text and "Viborg (791)" in r.text
    assert 'value="Vibrg"' in r.text  # what was typed is kept
    r = c.post("/check", data={"csrf": token, "municipality": "Viborg", "date": "1. maj"})
    assert r.status_code == 422 and "Feltet date er ikke en dato" in r.text


def test_form_add_provision_without_javascript(client) -> None:
    c, _ = client
    token = _csrf(c.get("/").text)
    r = c.post("/check", data={"csrf": token, "municipality": "Viborg", "deviates": ["SEL § 1"], "action": "add"})
    assert r.status_code == 200
    assert len(re.findall(r'name="deviates"', r.text)) == 2 and 'value="SEL § 1"' in r.text


def test_prefill_from_query(client) -> None:
    c, _ = client
    r = c.get("/", params={"municipality": "Viborg", "date": "2022-05-01", "deviates": ["SEL § 1", "SEL § 83"]})
    assert 'value="Viborg"' in r.text and 'value="2022-05-01"' in r.text and 'value="SEL § 83"' in r.text


def test_login_with_token(make_client, tokens) -> None:
    c, store = make_client(tokens=tokens)
    r = c.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    token = _csrf(c.get("/login").text)
    bad = c.post("/login", data={"csrf": token, "token": "nope"}, follow_redirects=False)
    assert bad.status_code == 401 and "Nøglen er ukendt" in bad.text
    ok = c.post("/login", data={"csrf": token, "token": CASEWORKER}, follow_redirects=False)
    assert ok.status_code == 303
    assert "httponly" in ok.headers["set-cookie"].lower() and "samesite=strict" in ok.headers["set-cookie"].lower()
    page = c.get("/")
    assert page.status_code == 200 and "karen" in page.text
    r = c.post("/check", data={"csrf": _csrf(page.text), "municipality": "Viborg", "date": "2022-05-01"})
    assert r.status_code == 200
    assert store.list()[0].user == "karen"
    out = c.post("/logout", data={"csrf": _csrf(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert c.get("/", follow_redirects=False).status_code == 303


def test_static_files_come_from_memory(client) -> None:
    c, _ = client
    css = c.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css") and "@media print" in css.text
    assert c.get("/static/app.js").status_code == 200
    for path in ("/static/..%2f..%2fapp.py", "/static/%2e%2e/app.py", "/static/../templates/base.html",
                 "/static/app.py", "/static/"):
        assert c.get(path).status_code == 404


def test_security_headers(client) -> None:
    c, _ = client
    r = c.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["cache-control"] == "no-store"


def test_docs_links_use_the_docs_site(make_client) -> None:
    docsgen = pytest.importorskip("registry.docsgen")
    c, _ = make_client(docs_url="https://docs.example.org/registry/")
    token = _csrf(c.get("/").text)
    r = c.post("/check", data={"csrf": token, "municipality": "Viborg", "date": "2022-05-01", "deviates": ["SEL § 1"]})
    expected = "https://docs.example.org/registry/" + docsgen.provision_url("SEL § 1").lstrip("/")
    assert f'href="{expected}"' in r.text.replace("&amp;", "&")
    hit = c.get("/api/provisions", params={"q": "SEL § 1"}).json()[0]
    assert hit["docs_url"] == expected


def test_openapi_is_served_and_describes_the_contract(client) -> None:
    c, _ = client
    spec = c.get("/openapi.json").json()
    assert set(spec["paths"]) >= {"/api/check", "/api/municipalities", "/api/provisions", "/api/audit",
                                  "/api/audit/{audit_id}"}
    post = spec["paths"]["/api/check"]["post"]
    assert {"200", "400", "401", "413", "422", "503"} <= set(post["responses"])
    assert "/" not in spec["paths"] and "/check" not in spec["paths"]
