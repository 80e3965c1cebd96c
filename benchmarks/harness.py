"""The benchmark harness: discover `benchmarks/*_bench.py`, run them, print one table, write JSON.

Each module defines `run(quick: bool) -> list[dict]`; a figure is
    {"name": str, "value": float | None, "unit": str, "ratio": {peer: float}}
and may carry "note", "target" and "skipped" (the reason a figure could not be measured).

A ratio is always "how many times better we are than the peer" (peer time / our time, or our
rate / peer rate), so > 1 means faster than the peer whatever the unit.
"""

from __future__ import annotations

import importlib
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


# ---------------------------------------------------------------------------- figures


def figure(name: str, value: float | None, unit: str, ratio: dict[str, float] | None = None, **extra: Any) -> dict:
    out: dict[str, Any] = {"name": name, "value": value, "unit": unit, "ratio": dict(ratio or {})}
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


def skipped(name: str, unit: str, reason: str) -> dict:
    return figure(name, None, unit, skipped=reason)


def peer(module: str) -> tuple[ModuleType | None, str | None]:
    """Import an optional peer; return (module, None) or (None, why it is missing)."""
    try:
        return importlib.import_module(module), None
    except Exception as e:  # noqa: BLE001 - an optional peer that fails to import is simply skipped
        return None, f"{module} is not installed ({type(e).__name__}: {e}); pip install '.[bench]'"


# ---------------------------------------------------------------------------- measuring


def size_tag(n: int) -> str:
    """1000 -> "1k", 500 -> "500": the size part of a figure's name."""
    return f"{n // 1000}k" if n >= 1000 else str(n)


def rate(fn: Callable[[int], int], budget: float = 1.0, max_items: int | None = None) -> tuple[float, int]:
    """Items per second: call fn(i) (which returns how many items it handled) until the budget is spent."""
    done = 0
    i = 0
    t0 = time.perf_counter()
    while True:
        done += fn(i)
        i += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= budget or (max_items is not None and done >= max_items):
            return done / elapsed, done


class ChildTimeout(Exception):
    pass


class ChildFailed(Exception):
    pass


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.update(extra or {})
    return env


def run_child(code: str, timeout: float, env: dict[str, str] | None = None) -> dict:
    """Run Python `code` in a fresh interpreter; it prints one JSON object on its last line.

    A fresh process gives an honest peak memory (ru_maxrss) and a cold start for every figure.
    """
    prelude = textwrap.dedent("""
        import gc, json, resource, sys, time
        def _rss_mib():
            # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent across exec
            try:
                with open("/proc/self/status") as fh:
                    for line in fh:
                        if line.startswith("VmHWM:"):
                            return int(line.split()[1]) / 1024
            except OSError:
                pass
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    """)
    try:
        p = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True,
                           timeout=timeout, env=child_env(env), cwd=ROOT)
    except subprocess.TimeoutExpired:
        raise ChildTimeout(f"did not finish within {timeout:.0f} s") from None
    if p.returncode != 0:
        tail = (p.stderr or p.stdout).strip().splitlines()[-3:]
        raise ChildFailed(f"exit {p.returncode}: " + " | ".join(tail))
    return json.loads(p.stdout.strip().splitlines()[-1])


def wall(argv: list[str], runs: int, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,),
         warmup: bool = True, prints: bytes | None = None) -> float:
    """Mean wall time of a process, in seconds (by default one untimed run first, to warm caches).

    `prints`: bytes its stdout must contain — a crash can exit with an accepted status (a traceback
    exits 1, as `registry check` does for "outside"), so the status alone does not show it worked."""
    times = []
    for i in range(runs + int(warmup)):
        t = time.perf_counter()
        p = subprocess.run(argv, capture_output=True, env=child_env(env), cwd=ROOT)
        elapsed = time.perf_counter() - t
        if p.returncode not in ok or (prints is not None and prints not in p.stdout):
            raise ChildFailed(f"{' '.join(argv[:3])}... exit {p.returncode}: {p.stderr.decode(errors='replace')[-300:]}")
        if i or not warmup:
            times.append(elapsed)
    return statistics.mean(times) if times else 0.0


# ---------------------------------------------------------------------------- running


def discover(only: str | None = None) -> list[str]:
    names = sorted(p.stem for p in HERE.glob("*_bench.py"))
    if only:
        want = {x.strip().removesuffix("_bench") for x in only.split(",")}
        names = [n for n in names if n.removesuffix("_bench") in want]
    return names


def run_module(name: str, quick: bool) -> tuple[list[dict], bool]:
    """Run one module; never raises. Returns (figures, ok)."""
    try:
        mod = importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError as e:
        return [skipped(name, "", f"cannot import {name}: {e} (an optional dependency is missing)")], True
    except Exception as e:  # noqa: BLE001
        return [skipped(name, "", f"{name} failed to import: {type(e).__name__}: {e}")], False
    try:
        figures = list(mod.run(quick))
    except Exception as e:  # noqa: BLE001 - one broken module never stops the others
        traceback.print_exc()
        return [skipped(name, "", f"{name} crashed: {type(e).__name__}: {e}")], False
    out = []
    for f in figures:
        if not isinstance(f, dict) or "name" not in f:
            out.append(skipped(name, "", f"{name} returned a malformed figure: {f!r}"[:200]))
            continue
        f.setdefault("ratio", {})
        f.setdefault("unit", "")
        f.setdefault("value", None)
        f["module"] = name
        out.append(f)
    return out, True


def _fmt_value(v: float | None) -> str:
    if v is None:
        return "-"
    if v == 0 or abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.4g}"


def render(figures: list[dict]) -> str:
    peers = sorted({p for f in figures for p in f.get("ratio", {})})
    head = ["figure", "value", "unit", *(f"× vs {p}" for p in peers), "note"]
    rows = []
    for f in figures:
        ratios = [(f"{f['ratio'][p]:.3g}×" if p in f.get("ratio", {}) and f["ratio"][p] is not None else "")
                  for p in peers]
        note = f"SKIPPED: {f['skipped']}" if f.get("skipped") else "; ".join(
            x for x in (f.get("target") and f"target {f['target']}", f.get("note")) if x)
        rows.append([f["name"], _fmt_value(f.get("value")), f.get("unit", ""), *ratios, note])
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head) - 1)]
    lines = []
    for r in [head, ["-" * w for w in widths] + ["----"], *rows]:
        cells = [str(c).rjust(w) if 0 < i < len(widths) else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=False))]
        lines.append("  ".join(cells) + "  " + str(r[-1]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m benchmarks", description="Run the registry's benchmarks.")
    ap.add_argument("--quick", action="store_true", help="small sizes only (about 2 minutes on 2 cores)")
    ap.add_argument("--json", metavar="PATH", help="write the figures as a JSON list")
    ap.add_argument("--only", metavar="NAME", help="run only these modules (comma-separated, e.g. parse,check)")
    args = ap.parse_args(argv)

    names = discover(args.only)
    if not names:
        print(f"no benchmark module matches {args.only!r}", file=sys.stderr)
        return 2
    all_figures: list[dict] = []
    ok = True
    t0 = time.perf_counter()
    for name in names:
        t = time.perf_counter()
        print(f"running {name}{' (quick)' if args.quick else ''} ...", file=sys.stderr, flush=True)
        figures, mod_ok = run_module(name, args.quick)
        ok &= mod_ok
        for f in figures:
            if f.get("skipped"):
                print(f"  skipped {f['name']}: {f['skipped']}", file=sys.stderr)
        print(f"  {name}: {len(figures)} figure(s) in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
        all_figures.extend(figures)
    print(render(all_figures))
    print(f"\n{len(all_figures)} figure(s), {sum(1 for f in all_figures if f.get('skipped'))} skipped, "
          f"{time.perf_counter() - t0:.0f} s; ratios are times better than the peer (> 1 = we are faster)")
    if args.json:
        Path(args.json).write_text(json.dumps(all_figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if ok else 1
