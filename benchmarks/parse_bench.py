"""Issue 2: parse + validate, cold and warm, against cedarpy parsing the equivalent policy set.

- cold: `registry.pipeline.load(paths, use_cache=False, through="validate")` — parse, lower to the
  pydantic model, validate (every reference resolved): the "parse+validate" of the rule-language
  issue, nothing cached. Target: ≤ 2× cedarpy's time.
- full: `load(paths, use_cache=False)` — also the graph stage (fence-post requirements, cycles, status
  conflicts: what `registry lint` adds) and the rule-set digest. Printed with its ratio, no target.
- warm: `load(paths, use_cache=True)` after one cold run has written the compiled cache.
- cedarpy: `cedarpy.PolicySet.from_str(text)` — the cheapest call that parses the whole policy set
  (it parses into a reusable handle and does nothing else; `format_policies` parses *and* pretty-prints,
  about 20× slower, and `is_authorized` parses and then evaluates).

Each measurement runs in a fresh interpreter; before each timed run the previous run's result is
dropped and a full garbage collection runs (as `timeit` keeps the collector out of its timings),
for us and for cedarpy alike (imports excluded from the time, but not from the
memory), so the peak RSS is that process's own. cedarpy and ours run in alternating rounds of children
(3–5; 1 at 100k) and each figure is the median over the rounds, so a noisy spell on a shared
machine slows both sides of a ratio. Ratios are cedarpy time / our time (> 1: we are faster).
"""

from __future__ import annotations

import statistics

from benchmarks import corpus
from benchmarks.check_bench import PRIME
from benchmarks.harness import ChildFailed, ChildTimeout, figure, peer, run_child, size_tag, skipped

COLD = """
    import registry.pipeline as P, registry.dsl.grammar, registry.lower, registry.validate, registry.graph
    base = _rss_mib()
    times, full = [], []
    for _ in range({reps}):
        c = None; gc.collect()  # the previous run's result and garbage are not this run's work
        t = time.perf_counter(); c = P.load([{path!r}], use_cache=False, through="validate")
        times.append(time.perf_counter() - t)
    assert c.ok, [d.message for d in c.diagnostics][:3]
    rss, first = _rss_mib(), times[0]
    for _ in range({reps}):
        f = None; gc.collect()
        t = time.perf_counter(); f = P.load([{path!r}], use_cache=False); full.append(time.perf_counter() - t)
    assert f.ok, [d.message for d in f.diagnostics][:3]
    times.sort(); full.sort()
    print(json.dumps({{"s": times[len(times) // 2], "first": first, "full": full[len(full) // 2], "rss": rss,
                      "full_rss": _rss_mib(), "base": base, "n": len(c.rules.provisions)}}))
"""

WARM = """
    import registry.pipeline as P
    base = _rss_mib()
    times = []
    for _ in range({reps}):
        c = None; gc.collect()  # the previous run's result and garbage are not this run's work
        t = time.perf_counter(); c = P.load([{path!r}], use_cache=True); times.append(time.perf_counter() - t)
    assert c.ok and len(c.rules.provisions) == {size}
    times.sort()
    print(json.dumps({{"s": times[len(times) // 2], "rss": _rss_mib(), "base": base,
                      "pyparsing": "pyparsing" in sys.modules, "networkx": "networkx" in sys.modules}}))
"""

CEDAR = """
    import cedarpy
    text = open({path!r}, encoding="utf-8").read()
    base = _rss_mib()
    times = []
    for _ in range({reps}):
        ps = None; gc.collect()  # as for ours: the previous result is not this run's work
        t = time.perf_counter(); ps = cedarpy.PolicySet.from_str(text); times.append(time.perf_counter() - t)
    first = times[0]
    times.sort()
    print(json.dumps({{"s": times[len(times) // 2], "first": first, "rss": _rss_mib(), "base": base}}))
"""


def sizes(quick: bool) -> list[tuple[int, int, int, float]]:
    """(provisions, repetitions in a child — the same for cedarpy and ours, as a process's first run
    also pays for fresh memory from the system —, rounds of children, timeout per child in s)."""
    if quick:
        return [(1_000, 9, 3, 60), (10_000, 3, 3, 90)]
    return [(1_000, 9, 5, 120), (10_000, 3, 3, 240), (100_000, 3, 1, 600)]


def _median_of(runs: list[dict]) -> dict:
    """Each figure's median over the rounds (peak memory: the largest)."""
    out = {k: statistics.median(r[k] for r in runs) for k in runs[0] if isinstance(runs[0][k], int | float)}
    for k in ("rss", "full_rss"):
        if k in runs[0]:
            out[k] = max(r[k] for r in runs)
    return {**runs[0], **out}


def run(quick: bool) -> list[dict]:
    cedarpy, why = peer("cedarpy")
    out: list[dict] = []
    env = corpus.cache_env()
    for size, reps, rounds, timeout in sizes(quick):
        tag = size_tag(size)
        c, folder = corpus.corpus(size)
        why_not = corpus.too_big(size)
        policy_file = folder.parent / f"corpus-{size}.cedar"
        if cedarpy is not None:
            policy_file.write_text(corpus.cedar_policies(c), encoding="utf-8")
        # Rounds of (cedarpy, ours), one after the other: a noisy spell on a shared machine then
        # slows both sides of a ratio instead of one.
        cedar_runs: list[dict] = []
        cold_runs: list[dict] = []
        cedar_error = cold_error = None
        for _ in range(rounds):
            if cedarpy is not None and cedar_error is None:
                try:
                    cedar_runs.append(run_child(CEDAR.format(path=str(policy_file), reps=reps), timeout, env))
                except (ChildTimeout, ChildFailed) as e:
                    cedar_error = str(e)
            if not why_not and cold_error is None:
                try:
                    cold_runs.append(run_child(COLD.format(path=str(folder), reps=reps), timeout, env))
                except (ChildTimeout, ChildFailed) as e:
                    cold_error = str(e)
        cedar_s = None
        if cedarpy is None:
            out.append(skipped(f"parse.cedarpy.{tag}", "s", why or "cedarpy missing"))
        elif cedar_error or not cedar_runs:
            out.append(skipped(f"parse.cedarpy.{tag}", "s", cedar_error or "no run"))
        else:
            r = _median_of(cedar_runs)
            cedar_s = r["s"]
            out.append(figure(f"parse.cedarpy.{tag}", r["s"], "s",
                              note=f"PolicySet.from_str, {size:,} policies; peak RSS {r['rss']:.0f} MiB "
                                   f"(+{r['rss'] - r['base']:.0f})"))

        def ratio(ours: float, cedar_s: float | None = cedar_s) -> dict[str, float]:
            return {"cedarpy": cedar_s / ours} if cedar_s else {}

        if why_not:
            out.append(skipped(f"parse.cold.{tag}", "s", why_not))
            continue
        if cold_error or not cold_runs:
            corpus.UNCOMPILABLE[size] = f"the cold compile of {size:,} provisions {cold_error}"
            out.append(skipped(f"parse.cold.{tag}", "s", f"{size:,} provisions: {cold_error}"))
            out.append(skipped(f"parse.warm.{tag}", "s", "no cold run to fill the cache"))
            continue
        r = _median_of(cold_runs)
        spread = ""
        if cedar_runs and len(cold_runs) > 1:
            each = sorted(cd["s"] / co["s"] for cd, co in zip(cedar_runs, cold_runs, strict=False))
            spread = f"; ratio per round {each[0]:.2f}–{each[-1]:.2f}× over {len(each)} rounds"
        first = ""
        if cedar_runs:
            cd = _median_of(cedar_runs)
            first = (f"; a process's first run {r['first']:.3g} s (cedarpy {cd['first']:.3g} s, "
                     f"{cd['first'] / r['first']:.2f}×)")
        out.append(figure(f"parse.cold.{tag}", r["s"], "s", ratio(r["s"]), target="≥ 0.5× cedarpy (≤ 2× its time)",
                          note=f"parse + lower + validate, median of {reps} runs a process; "
                               f"{size / r['s']:,.0f} provisions/s{spread}{first}"))
        out.append(figure(f"parse.cold.{tag}.peak_rss", r["rss"], "MiB", note=f"+{r['rss'] - r['base']:.0f} MiB over imports"))
        out.append(figure(f"compile.cold.{tag}", r["full"], "s", ratio(r["full"]),
                          note="every stage, as `registry lint`: + graph (fence-post requirements, cycles, "
                               f"conflicts) + digest; peak RSS {r['full_rss']:.0f} MiB"))
        try:
            run_child(PRIME.format(path=str(folder)), timeout, env)  # fills the cache, in its own process
            w = run_child(WARM.format(path=str(folder), reps=max(reps, 3), size=size), timeout, env)
        except (ChildTimeout, ChildFailed) as e:
            out.append(skipped(f"parse.warm.{tag}", "s", str(e)))
            continue
        imported = [m for m in ("pyparsing", "networkx") if w[m]]
        out.append(figure(f"parse.warm.{tag}", w["s"], "s", ratio(w["s"]), target="≥ 10× cedarpy",
                          note=f"{w['s'] and r['full'] / w['s']:.0f}× faster than a cold compile of every stage"
                               + (f"; imported {', '.join(imported)}" if imported else "")))
        out.append(figure(f"parse.warm.{tag}.peak_rss", w["rss"], "MiB", note=f"+{w['rss'] - w['base']:.0f} MiB over imports"))
    return out
