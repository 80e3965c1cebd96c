"""The audit log: every answered check, written in a transaction before the answer is sent.

One table, `checks`, in SQLite (default: a file in the user's data folder, WAL, synchronous=FULL)
or PostgreSQL (`--database-url postgresql+psycopg://...`) for a shared installation. The schema
is versioned: `schema_version` holds the number of the last migration step applied, and opening a
store applies the missing steps in order, in one transaction, so an old database is upgraded
without loss. A step is only ever appended, never edited.

Also the `registry audit list|show|export|replay` command. At import time this module uses only
the standard library and registry.cli; SQLAlchemy is imported when a store is opened.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from registry.cli import EXIT_OK, EXIT_OUTSIDE, EXTRA_COMMANDS, UsageError

VERDICT_DA = {"allowed": "tilladt", "needs_decision": "kræver beslutning", "not_covered": "ikke omfattet",
              "violates_fencepost": "strider mod en hegnspæl"}

# Ordered migration steps: (version reached, statements). Portable SQL for SQLite and PostgreSQL.
# Never edit a released step; append a new one.
MIGRATIONS: list[tuple[int, list[str]]] = [
    (1, [
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        "CREATE TABLE checks (id VARCHAR(36) PRIMARY KEY, created_at VARCHAR(32) NOT NULL, username VARCHAR(200), "
        "municipality VARCHAR(100) NOT NULL, check_date VARCHAR(10) NOT NULL, citations TEXT NOT NULL, "
        "description TEXT, verdict VARCHAR(32) NOT NULL, findings TEXT NOT NULL, ruleset VARCHAR(64) NOT NULL)",
    ]),
    (2, [  # what a faithful replay needs, and listing by time
        "ALTER TABLE checks ADD COLUMN municipality_code INTEGER",
        "ALTER TABLE checks ADD COLUMN area VARCHAR(40)",
        "ALTER TABLE checks ADD COLUMN lang VARCHAR(2) NOT NULL DEFAULT 'da'",
        "ALTER TABLE checks ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]'",
        "CREATE INDEX ix_checks_created_at ON checks (created_at)",
    ]),
    (3, [  # where the check came from and the sentence the caseworker read
        "ALTER TABLE checks ADD COLUMN channel VARCHAR(16) NOT NULL DEFAULT 'ukendt'",
        "ALTER TABLE checks ADD COLUMN summary TEXT",
    ]),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


class AuditError(Exception):
    """The audit log cannot be used: bad URL, unreachable, newer schema. The message is safe to show."""


def default_database_url() -> str:
    env = os.environ.get("REGISTRY_DATABASE_URL")
    if env:
        return env
    base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return "sqlite:///" + str(Path(base) / "velfaerd-registry" / "audit.sqlite3")


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def now_utc() -> str:
    # Fixed width (always microseconds) so the text sorts as the time does, in SQLite and PostgreSQL alike.
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class AuditEntry:
    """One logged check, as stored and as shown (`registry audit show`, GET /api/audit/ID)."""

    id: str
    time: str
    user: str | None
    municipality: str
    municipality_code: int | None
    date: str
    citations: list[str]
    description: str | None
    verdict: str
    findings: list[dict[str, Any]]
    warnings: list[str]
    ruleset: str
    area: str | None = None
    lang: str = "da"
    channel: str = "ukendt"
    summary: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_row(cls, row: Any) -> AuditEntry:
        m = row._mapping
        return cls(id=m["id"], time=m["created_at"], user=m["username"], municipality=m["municipality"],
                   municipality_code=m["municipality_code"], date=m["check_date"],
                   citations=json.loads(m["citations"]), description=m["description"], verdict=m["verdict"],
                   findings=json.loads(m["findings"]), warnings=json.loads(m["warnings"] or "[]"),
                   ruleset=m["ruleset"], area=m["area"], lang=m["lang"] or "da", channel=m["channel"] or "ukendt",
                   summary=m["summary"])


def entry_for(result: Any, *, citations: list[str], description: str | None, area: str | None, user: str | None,
              channel: str) -> AuditEntry:
    """An entry for a CheckResult (registry.checker) about to be returned to `user`."""
    return AuditEntry(
        id=str(uuid.uuid4()), time=now_utc(), user=user, municipality=result.municipality.name,
        municipality_code=result.municipality.code, date=result.date.isoformat(), citations=list(citations),
        description=description, verdict=result.verdict.value,
        findings=[f.model_dump(mode="json") for f in result.findings], warnings=list(result.warnings),
        ruleset=result.ruleset, area=area, lang=result.lang, channel=channel, summary=result.summary)


@dataclass
class _Tables:
    checks: Any
    version: Any


_TABLES: list[_Tables] = []


def _tables() -> _Tables:
    if not _TABLES:
        import sqlalchemy as sa

        md = sa.MetaData()
        checks = sa.Table(
            "checks", md,
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("created_at", sa.String(32), nullable=False),
            sa.Column("username", sa.String(200)),
            sa.Column("municipality", sa.String(100), nullable=False),
            sa.Column("municipality_code", sa.Integer),
            sa.Column("check_date", sa.String(10), nullable=False),
            sa.Column("citations", sa.Text, nullable=False),
            sa.Column("description", sa.Text),
            sa.Column("verdict", sa.String(32), nullable=False),
            sa.Column("findings", sa.Text, nullable=False),
            sa.Column("warnings", sa.Text, nullable=False),
            sa.Column("ruleset", sa.String(64), nullable=False),
            sa.Column("area", sa.String(40)),
            sa.Column("lang", sa.String(2), nullable=False),
            sa.Column("channel", sa.String(16), nullable=False),
            sa.Column("summary", sa.Text),
        )
        version = sa.Table("schema_version", md, sa.Column("version", sa.Integer, nullable=False))
        _TABLES.append(_Tables(checks, version))
    return _TABLES[0]


@dataclass
class AuditStore:
    """The audit log behind a database URL. Thread-safe (a connection pool); migrates when opened."""

    url: str
    engine: Any = field(init=False, repr=False)
    migrated_from: int = field(init=False, default=0)
    # SQLite has one writer at a time; queueing writers here instead of in SQLite's busy handler (which
    # sleeps in growing steps) keeps the tail latency down under many concurrent checks.
    _write_lock: Any = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        import sqlalchemy as sa
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            u = make_url(self.url)
        except ArgumentError:
            raise AuditError(f"ugyldig database-URL: {safe_url(self.url)!r}") from None
        backend = u.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise AuditError(f"databasen {backend!r} understøttes ikke; brug sqlite:///STI eller "
                             "postgresql+psycopg://...")
        if backend == "sqlite":
            if not u.database or u.database == ":memory:":
                raise AuditError("audit-loggen skal ligge i en fil: sqlite:///STI/audit.sqlite3")
            Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.engine = sa.create_engine(u, pool_size=8, max_overflow=56, pool_timeout=60,
                                           connect_args={"timeout": 60, "check_same_thread": False})
            _sqlite_pragmas(self.engine)
            self._write_lock = threading.Lock()
        else:
            if u.drivername == "postgresql":  # psycopg 3 is what the `web` extra installs
                u = u.set(drivername="postgresql+psycopg")
            self.engine = sa.create_engine(u, pool_size=8, max_overflow=56, pool_timeout=60, pool_pre_ping=True)
        self.migrated_from = self.migrate()

    # ------------------------------------------------------------------ schema

    def _current_version(self, conn: Any) -> int:
        import sqlalchemy as sa

        if not sa.inspect(conn).has_table("schema_version"):
            return 0
        return int(conn.execute(sa.text("SELECT MAX(version) FROM schema_version")).scalar() or 0)

    def migrate(self) -> int:
        """Apply the missing migration steps in one transaction; return the version found."""
        import sqlalchemy as sa
        from sqlalchemy.exc import DBAPIError

        try:
            with self.engine.connect().execution_options(registry_write=True) as conn, conn.begin():
                if conn.dialect.name == "postgresql":  # two servers starting at once migrate one after the other
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(7310021)"))
                found = self._current_version(conn)
                if found > SCHEMA_VERSION:
                    raise AuditError(f"audit-loggen har skemaversion {found}, men dette registry kender kun op til "
                                     f"{SCHEMA_VERSION}; opdatér registry")
                for version, statements in MIGRATIONS:
                    if version <= found:
                        continue
                    for stmt in statements:
                        conn.execute(sa.text(stmt))
                    if version == 1:
                        conn.execute(sa.text("INSERT INTO schema_version (version) VALUES (1)"))
                    else:
                        conn.execute(sa.text("UPDATE schema_version SET version = :v"), {"v": version})
                return found
        except DBAPIError as e:
            raise AuditError(f"audit-loggen {safe_url(self.url)} kan ikke åbnes ({_short(e)})") from None

    def version(self) -> int:
        with self.engine.connect() as conn:
            return self._current_version(conn)

    # ------------------------------------------------------------------ data

    def record(self, e: AuditEntry) -> None:
        """Write one entry and commit; returns only once the database has it durably."""
        row = {"id": e.id, "created_at": e.time, "username": e.user, "municipality": e.municipality,
               "municipality_code": e.municipality_code, "check_date": e.date,
               "citations": json.dumps(e.citations, ensure_ascii=False), "description": e.description,
               "verdict": e.verdict, "findings": json.dumps(e.findings, ensure_ascii=False),
               "warnings": json.dumps(e.warnings, ensure_ascii=False), "ruleset": e.ruleset, "area": e.area,
               "lang": e.lang, "channel": e.channel, "summary": e.summary}
        if self._write_lock is None:
            self._insert(row)
        else:
            with self._write_lock:
                self._insert(row)

    def _insert(self, row: dict[str, Any]) -> None:
        with self.engine.connect().execution_options(registry_write=True) as conn, conn.begin():
            conn.execute(_tables().checks.insert().values(**row))

    def get(self, entry_id: str) -> AuditEntry | None:
        checks = _tables().checks
        with self.engine.connect() as conn:
            row = conn.execute(checks.select().where(checks.c.id == entry_id)).first()
        return AuditEntry.from_row(row) if row is not None else None

    def list(self, *, limit: int | None = 50, offset: int = 0, municipality: str | None = None,
             user: str | None = None, verdict: str | None = None) -> list[AuditEntry]:
        return list(self.iter(limit=limit, offset=offset, municipality=municipality, user=user, verdict=verdict))

    def iter(self, *, limit: int | None = None, offset: int = 0, municipality: str | None = None,
             user: str | None = None, verdict: str | None = None, newest_first: bool = True) -> Iterator[AuditEntry]:
        checks = _tables().checks
        q = checks.select()
        if municipality:
            q = q.where(checks.c.municipality == municipality if not municipality.isdigit()
                        else checks.c.municipality_code == int(municipality))
        if user:
            q = q.where(checks.c.username == user)
        if verdict:
            q = q.where(checks.c.verdict == verdict)
        order = (checks.c.created_at.desc(), checks.c.id) if newest_first else (checks.c.created_at, checks.c.id)
        q = q.order_by(*order).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            for row in conn.execute(q):
                yield AuditEntry.from_row(row)

    def ids(self) -> set[str]:
        checks = _tables().checks
        with self.engine.connect() as conn:
            return {r[0] for r in conn.execute(checks.select().with_only_columns(checks.c.id))}

    def count(self) -> int:
        import sqlalchemy as sa

        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(_tables().checks)).scalar() or 0)

    def close(self) -> None:
        self.engine.dispose()


def _short(e: Exception) -> str:
    text = str(getattr(e, "orig", e)).strip().splitlines()
    return safe_url(text[0][:200]) if text else type(e).__name__


def _sqlite_pragmas(engine: Any) -> None:
    """WAL + synchronous=FULL: a committed check survives a crash of the process or the machine.

    pysqlite's own transaction handling does not cover DDL, so transactions are begun here: BEGIN
    IMMEDIATE for writers (no lock upgrade deadlock between two writers), a plain BEGIN for readers.
    """
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("registry_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def open_store(url: str | None, *, must_exist: bool = False) -> AuditStore:
    """Open (and migrate) the store; raise UsageError with a Danish diagnostic on failure."""
    from registry.diagnostics import Severity, diag

    url = url or default_database_url()
    if must_exist and url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and not Path(path).expanduser().exists():
            raise UsageError([diag("L601", f"audit-loggen findes ikke: {path}", severity=Severity.ERROR,
                                   help="angiv den database, serveren bruger, med --database-url")])
    try:
        return AuditStore(url)
    except AuditError as e:
        raise UsageError([diag("L600", str(e), severity=Severity.ERROR,
                               help="fx --database-url sqlite:///audit.sqlite3 eller "
                                    "postgresql+psycopg://bruger@vært/db")]) from None
    except ModuleNotFoundError as e:
        raise UsageError([diag("L600", f"audit-loggen kræver pakken {e.name}", severity=Severity.ERROR,
                               help='installér med: pip install "velfaerd-registry[web]"')]) from None


# ---------------------------------------------------------------------------- replay


@dataclass
class Replay:
    entry: AuditEntry
    result: Any  # CheckResult under today's rules
    changed: bool
    ruleset_changed: bool
    why: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.entry.id, "changed": self.changed, "ruleset_changed": self.ruleset_changed,
                "then": {"verdict": self.entry.verdict, "ruleset": self.entry.ruleset,
                         "findings": self.entry.findings},
                "now": {"verdict": self.result.verdict.value, "ruleset": self.result.ruleset,
                        "findings": [f.model_dump(mode="json") for f in self.result.findings],
                        "summary": self.result.summary},
                "why": self.why}


def replay(entry: AuditEntry, compiled: Any) -> Replay:
    """Ask the logged question again against `compiled` (today's rules) and explain any difference."""
    from registry.checker import check

    muni = str(entry.municipality_code) if entry.municipality_code is not None else entry.municipality
    result = check(compiled, municipality=muni, date=entry.date, deviates=entry.citations, area=entry.area,
                   lang=entry.lang if entry.lang in ("da", "en") else "da")
    changed = result.verdict.value != entry.verdict
    ruleset_changed = result.ruleset != entry.ruleset
    why: list[str] = []
    if ruleset_changed:
        why.append(f"Reglerne er ændret siden: sha256:{entry.ruleset[:16]}… → sha256:{result.ruleset[:16]}…")
    else:
        why.append("Reglerne er de samme som dengang.")
    old = {(f["cited"], f["provision"]): f for f in entry.findings}
    new = {(f.cited, f.provision): f for f in result.findings}
    for key in [k for k in old if k not in new]:
        why.append(f"{key[1]} indgik dengang, men ikke nu ({VERDICT_DA.get(old[key]['verdict'], old[key]['verdict'])}).")
    for key, f in new.items():
        before = old.get(key)
        if before is None:
            why.append(f"{f.provision} indgår nu, men ikke dengang: {VERDICT_DA[f.verdict.value]}.")
        elif before["verdict"] != f.verdict.value:
            why.append(f"{f.provision}: {VERDICT_DA.get(before['verdict'], before['verdict'])} → "
                       f"{VERDICT_DA[f.verdict.value]}. " + " ".join(r.text for r in f.reasons[:2]))
        elif [r["text"] for r in before["reasons"]] != [r.text for r in f.reasons]:
            why.append(f"{f.provision}: samme afgørelse ({VERDICT_DA[f.verdict.value]}), men begrundelsen er ændret.")
    return Replay(entry, result, changed, ruleset_changed, why)


# ---------------------------------------------------------------------------- command


CSV_FIELDS = ("id", "time", "user", "municipality", "municipality_code", "date", "citations", "description",
              "verdict", "ruleset", "area", "lang", "channel", "summary", "warnings", "findings")


def _csv_row(e: AuditEntry) -> list[str]:
    d = e.to_json()
    out = []
    for k in CSV_FIELDS:
        v = d[k]
        out.append(json.dumps(v, ensure_ascii=False) if isinstance(v, list) else ("" if v is None else str(v)))
    return out


def _text_line(e: AuditEntry) -> str:
    when = e.time[:19].replace("T", " ")
    cites = "; ".join(e.citations) or "(ingen fravigelse)"
    return f"{e.id}  {when} UTC  {e.user or '-':<12} {e.municipality:<14} {e.date}  " \
           f"{VERDICT_DA.get(e.verdict, e.verdict):<24} {cites}"


def _text_entry(e: AuditEntry) -> str:
    lines = [f"Tjek {e.id}",
             f"  Tidspunkt:   {e.time} (UTC)",
             f"  Bruger:      {e.user or '-'} (via {e.channel})",
             f"  Kommune:     {e.municipality}" + (f" ({e.municipality_code})" if e.municipality_code else ""),
             f"  Dato:        {e.date}" + (f"   Område: {e.area}" if e.area else ""),
             f"  Fravigelser: {'; '.join(e.citations) or '(ingen)'}"]
    if e.description:
        lines.append(f"  Beskrivelse: {e.description}")
    lines.append(f"  Afgørelse:   {VERDICT_DA.get(e.verdict, e.verdict)}")
    if e.summary:
        lines.append(f"  Svar:        {e.summary}")
    for f in e.findings:
        lines.append(f"  ■ {f['provision']}: {VERDICT_DA.get(f['verdict'], f['verdict'])}")
        for r in f.get("reasons", []):
            lines.append(f"    - {r['text']}")
    for w in e.warnings:
        lines.append(f"  ! {w}")
    lines.append(f"  Regelsæt:    sha256:{e.ruleset}")
    return "\n".join(lines)


def _entry_id(text: str) -> str:
    from registry.diagnostics import Severity, diag

    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        raise UsageError([diag("L602", f"{text[:60]!r} er ikke et audit-id", severity=Severity.ERROR,
                               help="id'et står på svarsiden og i `registry audit list`")]) from None


def _get_or_fail(store: AuditStore, text: str) -> AuditEntry:
    from registry.diagnostics import Severity, diag

    entry = store.get(_entry_id(text))
    if entry is None:
        raise UsageError([diag("L603", f"tjek {text.strip()} findes ikke i audit-loggen", severity=Severity.ERROR,
                               help="se `registry audit list`")])
    return entry


def cmd_audit(args: argparse.Namespace) -> int:
    store = open_store(args.database_url, must_exist=True)
    try:
        return _run(args, store)
    finally:
        store.close()


def _run(args: argparse.Namespace, store: AuditStore) -> int:
    out = sys.stdout
    if args.action in ("list", "export"):
        limit = args.limit if args.action == "list" else None
        entries = store.iter(limit=limit, municipality=args.municipality, user=args.user,
                             newest_first=args.action == "list")
        if args.format == "json":
            out.write("[")
            for i, e in enumerate(entries):
                out.write(("," if i else "") + "\n  " + json.dumps(e.to_json(), ensure_ascii=False))
            out.write("\n]\n")
        elif args.format == "csv":
            w = csv.writer(out)
            w.writerow(CSV_FIELDS)
            for e in entries:
                w.writerow(_csv_row(e))
        else:
            n = 0
            for e in entries:
                print(_text_line(e) if args.action == "list" else _text_entry(e) + "\n", file=out)
                n += 1
            if args.action == "list":
                print(f"{n} tjek vist (nyeste først; {store.count()} i alt)", file=out)
        return EXIT_OK
    entry = _get_or_fail(store, args.id)
    if args.action == "show":
        if args.format == "json":
            print(json.dumps(entry.to_json(), ensure_ascii=False, indent=2), file=out)
        else:
            print(_text_entry(entry), file=out)
        return EXIT_OK
    # replay
    from registry.checker import CheckInputError
    from registry.commands import _compiled_or_exit

    compiled = _compiled_or_exit([args.rules] if args.rules else None)
    if isinstance(compiled, int):
        return compiled
    try:
        rep = replay(entry, compiled)
    except CheckInputError as e:
        from registry.diagnostics import Severity, diag

        raise UsageError([diag("L604", "tjekket kan ikke stilles igen med dagens regler: " + str(e),
                               severity=Severity.ERROR)]) from None
    if args.format == "json":
        print(json.dumps(rep.to_json(), ensure_ascii=False, indent=2), file=out)
    else:
        cites = "; ".join(entry.citations) or "(ingen fravigelse)"
        print(f"Tjek {entry.id} ({entry.time[:19].replace('T', ' ')} UTC): {entry.municipality}, {entry.date}, "
              f"{cites}", file=out)
        print(f"  Dengang: {VERDICT_DA.get(entry.verdict, entry.verdict):<26} regelsæt sha256:{entry.ruleset[:16]}…",
              file=out)
        print(f"  I dag:   {VERDICT_DA[rep.result.verdict.value]:<26} regelsæt sha256:{rep.result.ruleset[:16]}…",
              file=out)
        print("  Afgørelsen er ÆNDRET." if rep.changed else "  Afgørelsen er uændret.", file=out)
        for why in rep.why:
            print(f"  - {why}", file=out)
    return EXIT_OUTSIDE if rep.changed else EXIT_OK


def _limit(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        raise argparse.ArgumentTypeError("skal være et tal fra 1 til 100000")
    return int(text)


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("audit", help="audit-loggen: list, vis, eksportér og genafspil tjek")
    acts = s.add_subparsers(dest="action", metavar="HANDLING", parser_class=type(s))
    acts.required = True

    def common(p: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
        p.add_argument("--database-url", metavar="URL",
                       help="standard: $REGISTRY_DATABASE_URL eller en SQLite-fil i ~/.local/share/velfaerd-registry")
        p.add_argument("--format", choices=formats, default=formats[0])
        p.set_defaults(func=cmd_audit)

    p = acts.add_parser("list", help="de seneste tjek, nyeste først")
    p.add_argument("--limit", type=_limit, default=50, metavar="N")
    p.add_argument("--municipality", metavar="KOMMUNE", help="kun denne kommune (navn eller kode)")
    p.add_argument("--user", metavar="BRUGER", help="kun denne bruger")
    common(p, ("text", "json", "csv"))

    p = acts.add_parser("show", help="ét tjek med begrundelser")
    p.add_argument("id", metavar="ID")
    common(p, ("text", "json"))

    p = acts.add_parser("export", help="hele loggen, ældste først")
    p.add_argument("--municipality", metavar="KOMMUNE")
    p.add_argument("--user", metavar="BRUGER")
    common(p, ("json", "csv", "text"))

    p = acts.add_parser("replay", help="stil et logget tjek igen med dagens regler; exit 1 hvis svaret er ændret")
    p.add_argument("id", metavar="ID")
    p.add_argument("--rules", metavar="MAPPE", help="regelmappe (standard: de medfølgende rules/)")
    common(p, ("text", "json"))


EXTRA_COMMANDS.append(register)
