"""The web API under load: POST /api/check (check + committed audit-log write) on loopback.

A real `registry serve` subprocess per database; 1, 50 and 200 concurrent clients (threads with
keep-alive connections) each send a fixed number of checks taken from the rule set's own examples.
Figures: throughput (checks/s) and p50/p99 latency (ms) per database and concurrency. SQLite always;
PostgreSQL only when REGISTRY_TEST_POSTGRES_URL is set (in its own schema, dropped afterwards).

The clients run in this Python process, so at 200 clients part of the latency is the client's own
GIL contention: the figures are an upper bound on what the server costs.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from benchmarks.harness import figure, skipped

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_RULES = ROOT / "tests" / "fixtures" / "web" / "rules"
LEVELS = (1, 50, 200)


def _questions() -> tuple[str, list[dict]]:
    """The bundled rules and their examples; the small fixture set if the bundled rules are not valid right now."""
    from registry.pipeline import default_rules_dir, load

    for rules in (default_rules_dir(), FIXTURE_RULES):
        c = load([str(rules)])
        if c.ok and c.rules.examples:
            qs = [{"municipality": str(ex.municipality), "date": ex.date.isoformat(), "deviates": list(ex.deviates),
                   **({"area": ex.area} if ex.area else {})} for ex in c.rules.examples]
            return str(rules), qs
    raise RuntimeError("no valid rule set with examples to benchmark")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Server:
    def __init__(self, db_url: str, rules: str, tmp: str) -> None:
        self.port = _free_port()
        exe = shutil.which("registry")
        cmd = [exe] if exe else [sys.executable, "-m", "registry"]
        self.log = open(os.path.join(tmp, f"serve-{self.port}.log"), "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([*cmd, "serve", "--port", str(self.port), "--database-url", db_url, "--rules",
                                      rules, "--log-level", "warning"], stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"registry serve exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("registry serve did not start within 60 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def _drive(port: int, clients: int, per_client: int, questions: list[dict]) -> tuple[float, list[float], int]:
    """Return (wall seconds, per-request latencies in seconds, non-200 count)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    bad = [0] * clients
    start = threading.Barrier(clients + 1)

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        bodies = [json.dumps(questions[(i + k) % len(questions)]) for k in range(per_client)]
        start.wait()
        for body in bodies:
            t = time.perf_counter()
            conn.request("POST", "/api/check", body, {"content-type": "application/json"})
            r = conn.getresponse()
            r.read()
            latencies[i].append(time.perf_counter() - t)
            if r.status != 200:
                bad[i] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, [x for per in latencies for x in per], sum(bad)


def _pct(sorted_xs: list[float], p: float) -> float:
    return sorted_xs[min(len(sorted_xs) - 1, int(round(p / 100 * (len(sorted_xs) - 1))))]


def _measure(db: str, db_url: str, rules: str, questions: list[dict], quick: bool, tmp: str) -> list[dict]:
    total = {1: 60, 50: 600, 200: 1200} if quick else {1: 400, 50: 4000, 200: 8000}
    server = _Server(db_url, rules, tmp)
    out: list[dict] = []
    try:
        _drive(server.port, 4, 10, questions)  # warm-up: pools, caches
        for c in LEVELS:
            wall, lat, bad = _drive(server.port, c, max(total[c] // c, 1), questions)
            lat.sort()
            note = f"{len(lat)} checks, each committed to the audit log before the answer" + (
                f"; {bad} non-200 answers" if bad else "")
            out += [figure(f"web check {db} c={c} throughput", len(lat) / wall, "checks/s", note=note),
                    figure(f"web check {db} c={c} p50", _pct(lat, 50) * 1000, "ms"),
                    figure(f"web check {db} c={c} p99", _pct(lat, 99) * 1000, "ms")]
    finally:
        server.stop()
    return out


def _in_process(rules: str, questions: list[dict], quick: bool) -> dict:
    """The checker alone, for scale: what the web layer and the committed audit write add on top."""
    from registry.checker import check
    from registry.pipeline import load

    compiled = load([rules])
    n = 300 if quick else 3000
    t = time.perf_counter()
    for i in range(n):
        check(compiled, **questions[i % len(questions)])
    return figure("checker in-process (no HTTP, no audit log)", n / (time.perf_counter() - t), "checks/s")


def run(quick: bool) -> list[dict]:
    try:
        import fastapi  # noqa: F401
        import sqlalchemy as sa
        import uvicorn  # noqa: F401
    except ImportError as e:
        return [skipped("web check", "checks/s", f"the web extra is not installed ({e.name}); pip install '.[web]'")]
    rules, questions = _questions()
    out: list[dict] = [_in_process(rules, questions, quick)]
    with tempfile.TemporaryDirectory(prefix="web-bench-") as tmp:
        os.environ.setdefault("REGISTRY_CACHE_DIR", os.path.join(tmp, "cache"))
        out += _measure("sqlite", f"sqlite:///{tmp}/audit.sqlite3", rules, questions, quick, tmp)
        pg = os.environ.get("REGISTRY_TEST_POSTGRES_URL")
        if not pg:
            out.append(skipped("web check postgresql", "checks/s", "REGISTRY_TEST_POSTGRES_URL is not set"))
            return out
        schema = "bench_" + uuid.uuid4().hex[:10]
        engine = sa.create_engine(pg)
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        try:
            sep = "&" if "?" in pg else "?"
            out += _measure("postgresql", f"{pg}{sep}options=-csearch_path%3D{schema}", rules, questions, quick, tmp)
        finally:
            with engine.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            engine.dispose()
    return out
