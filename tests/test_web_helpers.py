"""Shared helpers for the web and audit-log tests: the fixture rules, a real server subprocess, PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "web"
RULES = FIXTURES / "rules"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PG_ENV = "REGISTRY_TEST_POSTGRES_URL"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def registry_cmd() -> list[str]:
    exe = shutil.which("registry")
    return [exe] if exe else [sys.executable, "-m", "registry"]


class Server:
    """`registry serve` in a subprocess on a free loopback port."""

    def __init__(self, db_url: str, tmp: Path, *extra: str, rules: Path = RULES) -> None:
        self.db_url, self.tmp, self.extra, self.rules = db_url, tmp, extra, rules
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tmp / f"serve-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> Server:
        env = {**os.environ, "REGISTRY_CACHE_DIR": str(self.tmp / "cache")}
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [*registry_cmd(), "serve", "--port", str(self.port), "--database-url", self.db_url, "--rules",
                 str(self.rules), "--log-level", "warning", *self.extra],
                stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"registry serve stopped (exit {self.proc.returncode}): {self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"registry serve did not answer within {timeout}s: {self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing: what a power cut does to the process."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def run_registry(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REGISTRY_CACHE_DIR": str(tmp / "cache")}
    return subprocess.run([*registry_cmd(), *args], capture_output=True, text=True, env=env, timeout=120)


def cli_check_json(tmp: Path, municipality: str, date: str, deviates: list[str], rules: Path = RULES) -> dict:
    args = ["check", "-m", municipality, "-d", date, "--format", "json", "--rules", str(rules)]
    for d in deviates:
        args += ["--deviates", d]
    out = run_registry(*args, tmp=tmp)
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


def postgres_url_or_skip() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"PostgreSQL-testen springes over: {PG_ENV} er ikke sat (kilde .ci/postgres.sh for at køre den)")
    return url


def fresh_postgres_schema(url: str) -> Iterator[str]:
    """A URL whose search_path is a new, empty schema; dropped afterwards. Keeps tests apart in one database."""
    import sqlalchemy as sa

    name = "t_" + uuid.uuid4().hex[:12]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {name}"))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{name}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {name} CASCADE"))
        engine.dispose()


def test_fixture_rules_are_valid(tmp_path: Path) -> None:
    out = run_registry("test", str(RULES), tmp=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
