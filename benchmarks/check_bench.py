"""Issue 3: check throughput in-process against cedarpy and regopy, and the wall time of `registry check`.

Throughput: the same questions (a trial municipality, a date inside the trial, one deviated
provision each: a third with a decision in force, a third fence posts, a third exemptable without a
decision) asked of
- registry: `registry.checker.check(compiled, municipality=..., date=..., deviates=[citation])`
  on the compiled corpus (the full answer: verdict, reasons in Danish, sources);
- cedarpy: `is_authorized_batch(requests, PolicySet, Entities)` with the policies and entities
  parsed once beforehand (their handles), so only evaluation is timed;
- regopy: `Interpreter.query_bundle(bundle)` after `set_input(...)`, with the policy and data
  compiled once into a bundle by `Interpreter.build` (much faster than `query`, which recompiles).
Every engine's answers are compared with the expected verdicts; a mismatch is reported in the note.
Ratios are our checks/s over the peer's (> 1: we are faster).

Wall time: `registry check` as a process (bundled rules, compiled cache warm), mean of several
runs, against `python -c "import pydantic, networkx, pyparsing"` in the same run.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import corpus
from benchmarks.harness import (
    ROOT,
    ChildFailed,
    ChildTimeout,
    child_env,
    figure,
    peer,
    rate,
    run_child,
    size_tag,
    skipped,
    wall,
)

PRIME = """
    import registry.pipeline as P
    c = P.load([{path!r}], use_cache=True)
    print(json.dumps({{"ok": c.ok, "n": len(c.rules.provisions)}}))
"""


def sizes(quick: bool) -> list[tuple[int, float]]:
    """(provisions, timeout in s for compiling the corpus if it is not cached yet)."""
    return [(500, 60), (10_000, 60)] if quick else [(500, 120), (10_000, 240), (100_000, 420)]


def _ours(c: corpus.Corpus, folder: Path, requests: list, budget: float) -> tuple[float, float, int]:
    """(checks/s, the answer floor in answers/s, wrong verdicts)."""
    from registry.checker import CheckResult, check
    from registry.messages import t
    from registry.pipeline import load

    compiled = load([str(folder)], use_cache=True)
    bad = 0
    answers = []
    for code, day, p in requests:  # correctness pass (also warms the checker's index)
        r = check(compiled, municipality=str(code), date=day, deviates=[p.citation])
        bad += r.verdict.value != c.expected(code, day, p)
        answers.append(r)

    def one(i: int) -> int:
        code, day, p = requests[i % len(requests)]
        check(compiled, municipality=str(code), date=day, deviates=[p.citation])
        return 1

    # The floor: only what returning an answer costs, with its findings already judged — the answer
    # model built from finished parts and its headline written. No check can be faster than this
    # while it returns the contract's pydantic answer, so floor / peer is the highest ratio possible.
    def floor(i: int) -> int:
        r = answers[i % len(answers)]
        CheckResult(verdict=r.verdict, inside=r.inside, municipality=r.municipality, date=r.date,
                    findings=r.findings, warnings=r.warnings, ruleset=r.ruleset, lang=r.lang,
                    summary=t(f"headline.{r.verdict.value}", r.lang, name=r.municipality.name, date=r.date))
        return 1

    per_s, _ = rate(one, budget)
    floor_s, _ = rate(floor, budget)
    return per_s, floor_s, bad


def _cedar(cedarpy, c: corpus.Corpus, requests: list, budget: float) -> tuple[float, int]:  # noqa: ANN001
    ps = cedarpy.PolicySet.from_str(corpus.cedar_policies(c))
    ents = cedarpy.Entities.from_json_str(json.dumps(corpus.cedar_entities(c)))
    reqs = [corpus.cedar_request(*q) for q in requests]
    # Batches, not single calls (the cheapest way to ask cedarpy), but small ones: cedarpy evaluates
    # every policy for every request, so at 100k policies one request takes a good fraction of a second.
    batch = 50
    first = cedarpy.is_authorized_batch(reqs[:30], ps, ents)
    bad = sum((r.decision == cedarpy.Decision.Allow) != (c.expected(*q) == "allowed")
              for r, q in zip(first, requests[:30], strict=True)) + sum(bool(r.diagnostics.errors) for r in first)

    def one(i: int) -> int:
        lo = (i * batch) % len(reqs)
        chunk = reqs[lo:lo + batch]
        cedarpy.is_authorized_batch(chunk, ps, ents)
        return len(chunk)

    per_s, _ = rate(one, budget)
    return per_s, bad


def _rego(regopy, c: corpus.Corpus, requests: list, budget: float) -> tuple[float, int]:  # noqa: ANN001
    it = regopy.Interpreter()
    it.add_module("registry", corpus.REGO_POLICY)
    it.add_data_json(corpus.rego_data(c))
    bundle = it.build("data.registry.verdict")
    inputs = [corpus.rego_input(*q) for q in requests]
    bad = 0
    for q, inp in zip(requests[:30], inputs[:30], strict=True):
        it.set_input(inp)
        got = json.loads(str(it.query_bundle(bundle)))["expressions"][0]
        bad += got != c.expected(*q)

    def one(i: int) -> int:
        it.set_input(inputs[i % len(inputs)])
        it.query_bundle(bundle)
        return 1

    per_s, _ = rate(one, budget)
    return per_s, bad


def throughput(quick: bool) -> list[dict]:
    cedarpy, why_cedar = peer("cedarpy")
    regopy, why_rego = peer("regopy")
    env = corpus.cache_env()
    budget = 1.0 if quick else 3.0
    out: list[dict] = []
    for size, timeout in sizes(quick):
        tag = size_tag(size)
        c, folder = corpus.corpus(size)
        why_not = corpus.too_big(size)
        if why_not:
            out.append(skipped(f"check.{tag}.registry", "checks/s", why_not))
            continue
        try:  # compile once in a child (bounded in time); the in-process load below is then warm
            r = run_child(PRIME.format(path=str(folder)), timeout, env)
            if not r["ok"]:
                raise ChildFailed("the corpus does not validate")
        except (ChildTimeout, ChildFailed) as e:
            corpus.UNCOMPILABLE[size] = f"the cold compile of {size:,} provisions {e}"
            out.append(skipped(f"check.{tag}.registry", "checks/s", f"compiling {size:,} provisions: {e}"))
            continue
        requests = c.requests(300 if quick else 1000)
        ours, floor, bad = _ours(c, folder, requests, budget)
        ratio: dict[str, float] = {}
        ceiling: dict[str, float] = {}
        notes = [f"{bad} wrong verdicts" if bad else "all verdicts as expected"]
        for name, mod, why, fn in (("cedarpy", cedarpy, why_cedar, _cedar), ("regopy", regopy, why_rego, _rego)):
            if mod is None:
                out.append(skipped(f"check.{tag}.{name}", "checks/s", why or f"{name} missing"))
                continue
            try:
                theirs, pbad = fn(mod, c, requests, budget)
            except Exception as e:  # noqa: BLE001 - a peer that fails is reported, not fatal
                out.append(skipped(f"check.{tag}.{name}", "checks/s", f"{type(e).__name__}: {e}"[:300]))
                continue
            ratio[name] = ours / theirs
            ceiling[name] = floor / theirs
            out.append(figure(f"check.{tag}.{name}", theirs, "checks/s",
                              note=f"{pbad} answers differ from ours" if pbad else "same answers"))
        out.append(figure(f"check.{tag}.registry", ours, "checks/s", ratio, target="≥ 100× both",
                          note="; ".join(notes)))
        out.append(figure(f"check.{tag}.answer_floor", floor, "answers/s", ceiling,
                          note=f"building the answer model and its headline only ({1e6 / floor:.1f} µs): "
                               "the ratio no checker returning this answer could exceed"))
    return out


def cli_wall(quick: bool) -> list[dict]:
    """`registry check` on the bundled rules with a warm cache vs importing the three dependencies."""
    runs = 5 if quick else 15
    exe = shutil.which("registry")
    base = [exe] if exe else [sys.executable, "-m", "registry"]
    cache = tempfile.mkdtemp(prefix="registry-bench-cli-")
    env = {"REGISTRY_CACHE_DIR": cache}
    rules = ROOT / "rules"
    note = "bundled rules"
    probe = [*base, "lint", str(rules)]
    if subprocess.run(probe, capture_output=True, env=child_env(env), cwd=ROOT).returncode != 0:
        rules = ROOT / "tests" / "fixtures" / "mini"
        note = "bundled rules do not validate right now: tests/fixtures/mini used instead"
    argv = [*base, "check", "--rules", str(rules), "-m", "Viborg", "-d", dt.date(2022, 5, 1).isoformat(),
            "--deviates", "servicelovens § 83, stk. 1, nr. 3", "--format", "json"]
    out = []
    # pip byte-compiles an installed package; an editable install on a machine with
    # PYTHONDONTWRITEBYTECODE would otherwise compile registry/ from source in every run (≈ 80 ms),
    # while the peers' site-packages are compiled.
    compiled = subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "registry")],
                              capture_output=True).returncode == 0
    try:
        wall(argv, 0, env, ok=(0, 1), prints=b'"verdict"')  # fills the cache
        ours_t, imports_t = [], []
        for _ in range(runs):  # interleaved, so both see the same load on a shared machine
            ours_t.append(wall(argv, 1, env, ok=(0, 1), warmup=False, prints=b'"verdict"'))
            imports_t.append(wall([sys.executable, "-c", "import pydantic, networkx, pyparsing"], 1, warmup=False))
        ours, imports = statistics.mean(ours_t), statistics.mean(imports_t)
    except ChildFailed as e:
        return [skipped("check.cli.warm", "s", str(e))]
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    out.append(figure("check.cli.imports", imports, "s", note='python -c "import pydantic, networkx, pyparsing"'))
    out.append(figure("check.cli.warm", ours, "s", {"imports": imports / ours}, target="≤ 1.0× the imports (ratio ≥ 1)",
                      note=f"mean of {runs} runs, {'byte-compiled' if compiled else 'NOT byte-compiled (compileall failed)'}, {note}" + ("" if exe else "; via python -m registry")))
    return out


def run(quick: bool) -> list[dict]:
    return throughput(quick) + cli_wall(quick)
