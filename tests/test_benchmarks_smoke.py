"""The benchmarks' inputs are right (no timing here): the synthetic corpus is valid rules, its Cedar
and Rego twins are well-formed and give the same answers, and the fast readers the benchmarks
motivated (grammar fast paths, the checker's citation regex) agree with the pyparsing grammar."""

from __future__ import annotations

import dataclasses
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `benchmarks` is not installed; plain `pytest` does not put the root on the path
    sys.path.insert(0, str(ROOT))

from benchmarks import corpus, harness  # noqa: E402
from registry.checker import check, quick_citation  # noqa: E402
from registry.dsl import grammar  # noqa: E402
from registry.pipeline import load  # noqa: E402

SIZE = 600


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[corpus.Corpus, Path]:
    c = corpus.build(SIZE)
    return c, corpus.write(c, tmp_path_factory.mktemp("bench-corpus"))


def _registry(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "registry", *args], capture_output=True, text=True, cwd=ROOT)


def test_corpus_shape(small: tuple[corpus.Corpus, Path]) -> None:
    c, folder = small
    assert len(c.provisions) == SIZE and len({p.slug for p in c.provisions}) == SIZE
    assert len(c.fences) == SIZE // 5
    assert c.requires and all(a.fence == b.fence for a, b in c.requires)  # never fence -> exemptable
    assert any(c.decisions.values())
    assert len(list(folder.glob("*.rule"))) >= 5


def test_corpus_lints_clean_and_its_examples_pass(small: tuple[corpus.Corpus, Path]) -> None:
    _, folder = small
    lint = _registry("lint", str(folder))
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert f"{SIZE} bestemmelser" in lint.stdout and "error" not in lint.stdout
    fmt = _registry("fmt", "--check", str(folder))
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    test = _registry("test", str(folder))
    assert test.returncode == 0, test.stdout + test.stderr
    assert " 0 failed" in test.stdout


def test_checker_gives_the_expected_verdicts(small: tuple[corpus.Corpus, Path]) -> None:
    c, folder = small
    compiled = load([str(folder)], use_cache=False)
    assert compiled.ok and len(compiled.rules.provisions) == SIZE
    seen = set()
    for code, day, p in c.requests(120):
        verdict = check(compiled, municipality=str(code), date=day, deviates=[p.citation]).verdict.value
        assert verdict == c.expected(code, day, p), (code, day, p.citation)
        seen.add(verdict)
    assert seen == {"allowed", "needs_decision", "violates_fencepost"}
    code = corpus.OUTSIDER[0]
    assert check(compiled, municipality=str(code), date="2023-01-01",
                 deviates=[c.provisions[1].citation]).verdict.value == "not_covered"


def test_cedar_policy_set_is_one_policy_per_provision(small: tuple[corpus.Corpus, Path]) -> None:
    c, _ = small
    text = corpus.cedar_policies(c)
    heads = [line for line in text.splitlines() if line.startswith(("permit(", "forbid("))]
    assert len(heads) == SIZE
    assert sum(h.startswith("forbid(") for h in heads) == len(c.fences)
    assert text.count("{") == text.count("}") == SIZE and text.count(";") == SIZE


def test_cedar_parses_and_agrees(small: tuple[corpus.Corpus, Path]) -> None:
    cedarpy = pytest.importorskip("cedarpy", reason="cedarpy (the bench extra) is not installed")
    c, _ = small
    ps = cedarpy.PolicySet.from_str(corpus.cedar_policies(c))
    entities = cedarpy.Entities.from_json_str(json.dumps(corpus.cedar_entities(c)))
    requests = c.requests(90)
    results = cedarpy.is_authorized_batch([corpus.cedar_request(*q) for q in requests], ps, entities)
    for r, q in zip(results, requests, strict=True):
        assert not r.diagnostics.errors
        assert (r.decision == cedarpy.Decision.Allow) == (c.expected(*q) == "allowed"), q


def test_rego_is_well_formed_and_agrees(small: tuple[corpus.Corpus, Path]) -> None:
    regopy = pytest.importorskip("regopy", reason="regopy (the bench extra) is not installed")
    c, _ = small
    it = regopy.Interpreter()
    it.add_module("registry", corpus.REGO_POLICY)
    it.add_data_json(corpus.rego_data(c))
    bundle = it.build("data.registry.verdict")
    outsider = (corpus.OUTSIDER[0], corpus.TRIAL_START, c.provisions[0])
    for q in [*c.requests(45), outsider]:
        it.set_input(corpus.rego_input(*q))
        assert json.loads(str(it.query_bundle(bundle)))["expressions"][0] == c.expected(*q), q


# ---------------------------------------------------------------------------- fast readers


def _plain(o: object) -> object:
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return {f.name: _plain(getattr(o, f.name)) for f in dataclasses.fields(o)}
    if isinstance(o, list | tuple):
        return [_plain(x) for x in o]
    return o


def _parse_both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    fast = grammar.parse_text(text, "t.rule")
    with monkeypatch.context() as m:
        m.setattr(grammar, "_FAST_HEADERS", {})
        m.setattr(grammar, "_FAST_CLAUSES", {k: {} for k in grammar._FAST_CLAUSES})
        slow = grammar.parse_text(text, "t.rule")
    return ((_plain(fast[0]), [d.model_dump() for d in fast[1]]),
            (_plain(slow[0]), [d.model_dump() for d in slow[1]]))


_MUTATIONS = [
    lambda s: s.replace(" ", "  ", 1), lambda s: s + "   ", lambda s: s.replace("§ ", "§"),
    lambda s: s.replace(", ", ",", 1), lambda s: s.replace(" a ", " i "), lambda s: s.replace("stk.", "stk"),
    lambda s: s.replace("; ", " og "), lambda s: s.replace("1", "١"), lambda s: s + " x",
    lambda s: s.replace(" ", "\t", 1), lambda s: s.replace('"', '"\\"', 1), lambda s: s.replace("§", "§§"),
    lambda s: s.upper(), lambda s: s[:-1], lambda s: s.replace("-", "–"), lambda s: s.replace(", ", " ,"),
    lambda s: s.replace("2", "12345"), lambda s: s.replace("; ", ";  "), lambda s: s.replace(", ", ",  "),
    lambda s: s.replace(" under ", "  under "), lambda s: s.replace(" § ", " §  "),
]


def _rule_lines(small: tuple[corpus.Corpus, Path]) -> list[str]:
    files = [*(ROOT / "tests" / "fixtures").rglob("*.rule"), *small[1].glob("*.rule")]
    return [line for f in files for line in f.read_text(encoding="utf-8").split("\n")
            if line.strip() and not line.startswith("#")]


def test_grammar_fast_paths_equal_pyparsing(small: tuple[corpus.Corpus, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    files = [*(ROOT / "tests" / "fixtures").rglob("*.rule"), *small[1].glob("*.rule")]
    for f in files:
        fast, slow = _parse_both(f.read_text(encoding="utf-8"), monkeypatch)
        assert fast == slow, f
    rnd = random.Random(11)
    lines = _rule_lines(small)
    for _ in range(60):  # chunks of mutated lines, so clauses meet their declarations
        chunk = []
        for _ in range(25):
            line = rnd.choice(lines)
            for _ in range(rnd.randint(0, 2)):
                line = rnd.choice(_MUTATIONS)(line)
            chunk.append(line)
        fast, slow = _parse_both("\n".join(chunk), monkeypatch)
        assert fast == slow, chunk


def test_quick_citation_equals_the_grammar(small: tuple[corpus.Corpus, Path]) -> None:
    texts = ["SEL § 83", "servicelovens § 83, stk. 1, nr. 3", "lov om social service § 79 a", "§ 83", "Sel § 83 i",
             "SEL § 0083", "  SEL § 83  ", "VA-Æ § 9, stk. 2", "FSL § 5, stk. 1, 2. pkt.", "§ 83 i serviceloven",
             "SEL\t§ 83", "SEL § 83 a og 84", "SEL §§ 83-84", "SEL § 83, stk. 1-2"]
    texts += [p.citation for p in small[0].provisions[:200]]
    rnd = random.Random(5)
    for _ in range(1500):
        t = rnd.choice(texts)
        for _ in range(rnd.randint(0, 2)):
            t = rnd.choice(_MUTATIONS)(t)
        texts.append(t)
    hits = 0
    for t in texts:
        q = quick_citation(t)
        if q is None:
            continue
        hits += 1
        try:
            assert q == grammar.parse_free_citation(t), t
        except grammar.CitationError:
            pytest.fail(f"the quick reader accepted {t!r}, which the grammar rejects")
    assert hits > 200  # the fast path is actually taken


# ---------------------------------------------------------------------------- harness


def test_harness_reports_a_missing_peer_as_skipped() -> None:
    mod, why = harness.peer("no_such_peer_module_xyz")
    assert mod is None and why and "no_such_peer_module_xyz" in why
    table = harness.render([harness.figure("a.b", 2.5, "s", {"cedarpy": 0.5}), harness.skipped("c.d", "s", why)])
    assert "a.b" in table and "0.5×" in table and "SKIPPED" in table
    assert {"parse_bench", "check_bench"} <= set(harness.discover())
