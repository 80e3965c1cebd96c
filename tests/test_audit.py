"""The audit log: schema migrations, writing and reading, the `registry audit` command, replay."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")

from test_web_helpers import FIXTURES, RULES, fresh_postgres_schema, postgres_url_or_skip  # noqa: E402

from registry import cli  # noqa: E402
from registry.audit import (  # noqa: E402
    MIGRATIONS,
    SCHEMA_VERSION,
    AuditEntry,
    AuditError,
    AuditStore,
    entry_for,
    replay,
)
from registry.checker import check  # noqa: E402
from registry.pipeline import load  # noqa: E402

# The v1 schema exactly as the first release created it, written out by hand (not taken from MIGRATIONS),
# with the rows a v1 server wrote.
V1_SQL = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (1);
CREATE TABLE checks (id VARCHAR(36) PRIMARY KEY, created_at VARCHAR(32) NOT NULL, username VARCHAR(200),
  municipality VARCHAR(100) NOT NULL, check_date VARCHAR(10) NOT NULL, citations TEXT NOT NULL,
  description TEXT, verdict VARCHAR(32) NOT NULL, findings TEXT NOT NULL, ruleset VARCHAR(64) NOT NULL);
"""


@pytest.fixture(scope="module")
def compiled():
    c = load([str(RULES)], use_cache=False)
    assert c.ok, c.diagnostics
    return c


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    else:
        yield from fresh_postgres_schema(postgres_url_or_skip())


def _entry(compiled, municipality="Viborg", deviates=("SEL § 83, stk. 1, nr. 3",), user="alice", **kw) -> AuditEntry:
    result = check(compiled, municipality=municipality, date="2022-05-01", deviates=list(deviates))
    return entry_for(result, citations=list(deviates), description=kw.get("description"), area=None, user=user,
                     channel="test")


def test_new_database_gets_latest_schema(store_url: str) -> None:
    store = AuditStore(store_url)
    assert store.migrated_from == 0
    assert store.version() == SCHEMA_VERSION == MIGRATIONS[-1][0]
    store.close()
    again = AuditStore(store_url)  # opening an up-to-date database changes nothing
    assert again.migrated_from == SCHEMA_VERSION
    again.close()


def test_migration_steps_are_ordered_and_contiguous() -> None:
    assert [v for v, _ in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_upgrade_v1_database_keeps_every_row(tmp_path: Path, compiled) -> None:
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(V1_SQL)
    finding = {"cited": "SEL § 1", "provision": "SEL § 1", "status": "fencepost", "verdict": "violates_fencepost",
               "reasons": [{"text": "hegnspæl", "provision": "SEL § 1", "source": "https://ft.dk/l198"}], "path": []}
    rows = [(str(uuid.uuid4()), f"2023-01-0{i}T10:00:00.000000Z", f"user{i}", "Viborg", "2022-05-01",
             json.dumps(["SEL § 1"]), f"praksis {i}", "violates_fencepost", json.dumps([finding]), "ab" * 32)
            for i in range(1, 6)]
    con.executemany("INSERT INTO checks VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    con.commit()
    con.close()

    store = AuditStore(f"sqlite:///{path}")
    assert store.migrated_from == 1
    assert store.version() == SCHEMA_VERSION
    assert store.count() == len(rows)
    for row in rows:
        e = store.get(row[0])
        assert e is not None
        assert (e.id, e.time, e.user, e.municipality, e.date, e.citations, e.description, e.verdict, e.ruleset) == (
            row[0], row[1], row[2], row[3], row[4], ["SEL § 1"], row[6], row[7], row[9])
        assert e.findings == [finding]
        assert (e.lang, e.warnings, e.channel, e.area, e.municipality_code) == ("da", [], "ukendt", None, None)
    # the upgraded database takes new rows next to the old ones
    store.record(_entry(compiled))
    assert store.count() == len(rows) + 1
    # and an old row can be replayed against today's rules (found by name: v1 stored no code)
    rep = replay(store.get(rows[0][0]), compiled)  # type: ignore[arg-type]
    assert rep.result.verdict.value == "violates_fencepost"
    assert not rep.changed and rep.ruleset_changed
    store.close()


def test_upgrade_is_atomic_when_a_step_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(V1_SQL)
    con.execute("INSERT INTO checks VALUES ('x', 't', 'u', 'Viborg', '2022-05-01', '[]', NULL, 'allowed', '[]', 'h')")
    con.commit()
    con.close()
    broken = [*MIGRATIONS[:2], (3, ["ALTER TABLE checks ADD COLUMN channel VARCHAR(16)", "THIS IS NOT SQL"])]
    monkeypatch.setattr("registry.audit.MIGRATIONS", broken)
    monkeypatch.setattr("registry.audit.SCHEMA_VERSION", 3)
    with pytest.raises(AuditError):
        AuditStore(f"sqlite:///{path}")
    con = sqlite3.connect(path)
    assert con.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    assert [r[1] for r in con.execute("PRAGMA table_info(checks)")][-1] == "ruleset"  # step 2 rolled back too
    assert con.execute("SELECT COUNT(*) FROM checks").fetchone() == (1,)
    con.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    AuditStore(url).close()
    con = sqlite3.connect(tmp_path / "a.sqlite3")
    con.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    con.commit()
    con.close()
    with pytest.raises(AuditError, match="opdatér registry"):
        AuditStore(url)


@pytest.mark.parametrize("url", ["mysql://u@h/db", "sqlite://", "sqlite:///:memory:", "not a url"])
def test_unusable_urls_are_refused(url: str) -> None:
    with pytest.raises(AuditError):
        AuditStore(url)


def test_sqlite_is_durable_by_configuration(tmp_path: Path) -> None:
    store = AuditStore(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    store.close()


def test_record_get_list_filters(store_url: str, compiled) -> None:
    store = AuditStore(store_url)
    a = _entry(compiled, user="alice", description="madservice uden visitation")
    b = _entry(compiled, municipality="Middelfart", deviates=("SEL § 79 a",), user="bob")
    store.record(a)
    store.record(b)
    got = store.get(a.id)
    assert got is not None and got.to_json() == a.to_json()
    assert store.get(str(uuid.uuid4())) is None
    assert {e.id for e in store.list()} == {a.id, b.id}
    assert [e.id for e in store.list(user="bob")] == [b.id]
    assert [e.id for e in store.list(municipality="410")] == [b.id]
    assert [e.id for e in store.list(municipality="Viborg")] == [a.id]
    assert [e.id for e in store.list(limit=1)] == [max((a, b), key=lambda e: e.time).id]
    store.close()


def test_concurrent_writers_lose_nothing(store_url: str, compiled) -> None:
    store = AuditStore(store_url)
    entries = [_entry(compiled, user=f"u{i}") for i in range(200)]
    errors: list[BaseException] = []

    def write(chunk: list[AuditEntry]) -> None:
        try:
            for e in chunk:
                store.record(e)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(entries[i::40],)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.ids() == {e.id for e in entries}
    store.close()


# ---------------------------------------------------------------------------- the command


@pytest.fixture
def filled(tmp_path: Path, compiled) -> tuple[str, list[AuditEntry]]:
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    store = AuditStore(url)
    entries = [_entry(compiled, user="alice"), _entry(compiled, municipality="Middelfart", deviates=("SEL § 79 a",),
                                                      user="bob", description='med "citat", komma og\nny linje')]
    for e in entries:
        store.record(e)
    store.close()
    return url, entries


def test_cli_list_show_export(filled, capsys: pytest.CaptureFixture[str]) -> None:
    url, entries = filled
    assert cli.main(["audit", "list", "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert all(e.id in out for e in entries) and "2 tjek vist" in out

    assert cli.main(["audit", "show", entries[0].id, "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert entries[0].id in out and "kræver beslutning" in out and entries[0].ruleset in out

    assert cli.main(["audit", "show", entries[1].id, "--database-url", url, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == entries[1].to_json()

    assert cli.main(["audit", "export", "--database-url", url, "--format", "json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert sorted(x["id"] for x in exported) == sorted(e.id for e in entries)

    assert cli.main(["audit", "export", "--database-url", url, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    by_id = {r["id"]: r for r in rows}
    assert by_id[entries[1].id]["description"] == entries[1].description
    assert json.loads(by_id[entries[1].id]["citations"]) == entries[1].citations
    assert json.loads(by_id[entries[0].id]["findings"]) == entries[0].findings


@pytest.mark.parametrize("args, code", [
    (["audit", "show", "not-an-id"], "L602"),
    (["audit", "show", "00000000-0000-4000-8000-000000000000"], "L603"),
    (["audit", "replay", "00000000-0000-4000-8000-000000000000"], "L603"),
])
def test_cli_bad_ids_are_usage_errors(filled, args: list[str], code: str, capsys: pytest.CaptureFixture[str]) -> None:
    url, _ = filled
    assert cli.main([*args, "--database-url", url]) == 2
    err = capsys.readouterr().err
    assert code in err and "Traceback" not in err


def test_cli_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["audit", "list", "--database-url", f"sqlite:///{tmp_path / 'nope.sqlite3'}"]) == 2
    assert "L601" in capsys.readouterr().err
    assert not (tmp_path / "nope.sqlite3").exists()


def test_cli_hides_database_password(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["audit", "list", "--database-url", "postgresql+psycopg://u:hemmelig@127.0.0.1:1/db"])
    err = capsys.readouterr().err
    assert code == 2 and "hemmelig" not in err and "L600" in err


def test_replay_unchanged(filled, capsys: pytest.CaptureFixture[str]) -> None:
    url, entries = filled
    assert cli.main(["audit", "replay", entries[0].id, "--database-url", url, "--rules", str(RULES)]) == 0
    out = capsys.readouterr().out
    assert "uændret" in out and "Reglerne er de samme" in out


def test_replay_changed_rules_explains(filled, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, entries = filled
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    shutil.copy(FIXTURES / "viborg-decision.rule", rules)
    code = cli.main(["audit", "replay", entries[0].id, "--database-url", url, "--rules", str(rules), "--format",
                     "json"])
    rep = json.loads(capsys.readouterr().out)
    assert code == 1
    assert rep["changed"] and rep["ruleset_changed"]
    assert (rep["then"]["verdict"], rep["now"]["verdict"]) == ("needs_decision", "allowed")
    assert rep["then"]["ruleset"] == entries[0].ruleset != rep["now"]["ruleset"]
    assert any("kræver beslutning → tilladt" in w and "Viborg: madservice" in w for w in rep["why"])
    # the text form says the same to a person
    assert cli.main(["audit", "replay", entries[0].id, "--database-url", url, "--rules", str(rules)]) == 1
    out = capsys.readouterr().out
    assert "ÆNDRET" in out and entries[0].ruleset[:16] in out and rep["now"]["ruleset"][:16] in out
