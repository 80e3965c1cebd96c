"""Durability: 200 concurrent clients against a real `registry serve`, SIGKILL mid-load, restart.

Every check the server acknowledged (200 with an audit_id) must be in the audit log afterwards:
the entry is committed before the answer is sent. SQLite always; PostgreSQL when
REGISTRY_TEST_POSTGRES_URL is set (otherwise that case is skipped and says why).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("sqlalchemy")

from test_web_helpers import Server, fresh_postgres_schema, postgres_url_or_skip  # noqa: E402

from registry.audit import AuditStore  # noqa: E402

CLIENTS = 200
KILL_AFTER_ACKS = 600  # acknowledged checks before the kill: enough that the kill lands mid-load
MAX_SECONDS = 90  # a bound on the load phase, not an assertion
QUESTIONS = [
    {"municipality": "Viborg", "date": "2022-05-01", "deviates": ["SEL § 83, stk. 1, nr. 3"]},
    {"municipality": "410", "date": "2022-05-01", "deviates": ["SEL § 79 a"], "description": "hjemmebesøg"},
    {"municipality": "Viborg", "date": "2022-05-01", "deviates": ["SEL § 1", "SEL § 83"]},
    {"municipality": "Aarhus", "date": "2023-01-01", "deviates": []},
]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    else:
        yield from fresh_postgres_schema(postgres_url_or_skip())


class Load:
    def __init__(self, port: int) -> None:
        self.port = port
        self.acked: list[str] = []
        self.failed_after_kill = 0
        self.other_status: list[int] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def client(self, i: int) -> None:
        body = json.dumps(QUESTIONS[i % len(QUESTIONS)])
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while not self.stop.is_set():
            try:
                conn.request("POST", "/api/check", body, {"content-type": "application/json"})
                r = conn.getresponse()
                data = r.read()
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.failed_after_kill += 1
                conn.close()
                time.sleep(0.05)
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                continue
            if r.status == 200:
                audit_id = json.loads(data)["audit_id"]
                with self.lock:
                    self.acked.append(audit_id)
            else:
                with self.lock:
                    self.other_status.append(r.status)
        conn.close()


def test_acknowledged_checks_survive_sigkill(db_url: str, tmp_path: Path) -> None:
    server = Server(db_url, tmp_path).start()
    load = Load(server.port)
    threads = [threading.Thread(target=load.client, args=(i,), daemon=True) for i in range(CLIENTS)]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + MAX_SECONDS
        while len(load.acked) < KILL_AFTER_ACKS and time.monotonic() < deadline:
            time.sleep(0.02)
        server.kill()
        acked_at_kill = len(load.acked)
        time.sleep(0.5)  # let every client notice the dead server
        load.stop.set()
        for t in threads:
            t.join(timeout=70)
        assert not any(t.is_alive() for t in threads)
    finally:
        server.kill()
    assert acked_at_kill >= KILL_AFTER_ACKS, f"only {acked_at_kill} checks acknowledged before the deadline"
    assert load.failed_after_kill > 0  # the kill landed while clients were sending
    assert load.other_status == []

    restarted = Server(db_url, tmp_path).start()  # opens the same log after the crash
    try:
        conn = http.client.HTTPConnection("127.0.0.1", restarted.port, timeout=60)
        conn.request("POST", "/api/check", json.dumps(QUESTIONS[0]), {"content-type": "application/json"})
        r = conn.getresponse()
        after = json.loads(r.read())
        conn.close()
        assert r.status == 200
    finally:
        restarted.stop()
    store = AuditStore(db_url)
    try:
        logged = store.ids()
    finally:
        store.close()
    missing = set(load.acked) - logged
    assert not missing, f"{len(missing)} of {len(load.acked)} acknowledged checks are not in the audit log"
    assert len(set(load.acked)) == len(load.acked)
    assert after["audit_id"] in logged
