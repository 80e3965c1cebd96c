"""Application rounds: the round file format, its diagnostics, the allocation and its reports.

The rounds in tests/fixtures/rounds/ and the 98-municipality rounds generated here are
SYNTHETIC (made up for the tests); only rules/rounds/ holds real, sourced applications.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import textwrap
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.cli import main
from registry.diagnostics import Severity, render_text
from registry.rounds import (
    ROUND_CODES,
    Facts,
    allocate,
    allocation_json,
    draft_agreements,
    load_facts,
    load_rounds,
    lower_rounds,
    markdown_report,
)

ROOT = Path(__file__).resolve().parent.parent
FIX = Path(__file__).resolve().parent / "fixtures" / "rounds"
BASE = str(FIX / "base.rule")
RULES = ROOT / "rules"


@cache
def fixture_facts() -> Facts:
    facts, errs = load_facts([BASE])
    assert not errs, errs
    return facts


@cache
def bundled_facts() -> Facts:
    facts, errs = load_facts([str(RULES / "municipalities.rule"), str(RULES / "areas.rule")])
    assert not errs, errs
    return facts


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


JOB = """\
round job "Syntetisk"
  areas beskaeftigelse
  places beskaeftigelse 2
  deadline 2022-08-08
  order 1
"""
REST = """\
round rest "Syntetisk 2"
  areas dagtilbud, folkeskole
  deadline 2022-09-30
  order 2
"""


def diags_of(text: str, facts: Facts | None = None) -> list:
    _, diags = lower_rounds([("t.round", textwrap.dedent(text))], facts or fixture_facts())
    return diags


def only(diags: list, code: str):
    hits = [d for d in diags if d.code == code]
    assert len(hits) == 1, [(d.code, d.message) for d in diags]
    return hits[0]


# ---------------------------------------------------------------------------- diagnostics


@pytest.mark.parametrize(
    ("text", "code", "line", "col", "words"),
    [
        # A600: unknown municipality, caret on the code
        (JOB + "application 999 under job\n  first beskaeftigelse\n", "A600", 6, 13, "999"),
        # A601: an area that does not exist, with a suggestion
        (JOB + "application 219 under job\n  first beskaeftigelse\n  fallback folkeskolen\n", "A601", 8, 12,
         "folkeskolen"),
        # A602: the first wish is not open in the round
        (JOB + "application 219 under job\n  first folkeskole\n", "A602", 7, 9, "folkeskole"),
        # A602: the fallback is open neither here nor in a later round
        (JOB + "application 219 under job\n  first beskaeftigelse\n  fallback folkeskole\n", "A602", 8, 12,
         "senere runde"),
        # A603: fallback equal to the first wish
        (JOB + "application 219 under job\n  first beskaeftigelse\n  fallback beskaeftigelse\n", "A603", 8, 12,
         "samme"),
        # A604: a second application in the same round
        (JOB + "application 219 under job\n  first beskaeftigelse\n\napplication 219 under job\n"
               "  first beskaeftigelse\n", "A604", 9, 13, "allerede"),
        # A605: submitted after the deadline
        (JOB + "application 219 under job\n  first beskaeftigelse\n  submitted 2022-08-09\n", "A605", 8, 13,
         "efter fristen"),
        # A606: unknown round, with a suggestion
        (JOB + "application 219 under jbo\n  first beskaeftigelse\n", "A606", 6, 23, "jbo"),
        # A607: an application without a first wish
        (JOB + "application 219 under job\n  contact \"x\"\n", "A607", 6, 1, "first"),
        # A607: a round without a deadline
        ('round job "x"\n  areas beskaeftigelse\n  order 1\n', "A607", 1, 1, "deadline"),
        # A608: a repeated clause
        (JOB + "application 219 under job\n  first beskaeftigelse\n  first beskaeftigelse\n", "A608", 8, 3,
         "to gange"),
        # A609: a round declared twice
        (JOB + '\nround job "igen"\n  areas beskaeftigelse\n  deadline 2022-08-08\n  order 2\n', "A609", 7, 7,
         "to gange"),
        # A609: two rounds with the same order
        (JOB + '\nround job2 "x"\n  areas dagtilbud\n  deadline 2022-08-08\n  order 1\n', "A609", 10, 9,
         "samme"),
        # A610: an unknown ranking key, with a suggestion
        (JOB + "  ranking regoin\n", "A610", 6, 11, "regoin"),
        # A611: chosen names a municipality that did not apply
        (JOB + "  chosen beskaeftigelse 253\n\napplication 219 under job\n  first beskaeftigelse\n", "A611", 6,
         25, "ikke søgt"),
        # A612: result names more municipalities than places
        (JOB + "  result beskaeftigelse 219, 253, 580\n", "A612", 6, 25, "2 pladser"),
        # A614: zero places
        ('round job "x"\n  areas beskaeftigelse\n  places beskaeftigelse 0\n  deadline 2022-08-08\n  order 1\n',
         "A614", 3, 25, "mindst 1"),
        # A614: a period that ends before it starts
        (JOB + "  period 2026-01-01 to 2023-01-01\n", "A614", 6, 24, "før"),
        # A615: a municipality in two regions
        ('region a "A"\n  municipalities 219\n\nregion b "B"\n  municipalities 219\n', "A615", 4, 1, "både"),
        # P106: a date that does not exist
        (JOB + "application 219 under job\n  first beskaeftigelse\n  submitted 2022-02-30\n", "P106", 8, 13,
         "2022-02-30"),
        # P103: a clause that does not belong, with a suggestion
        (JOB + "  plasces beskaeftigelse 2\n", "P103", 6, 3, "plasces"),
        # P101: a clause whose value does not parse
        (JOB + "application 219 under job\n  first 42\n", "P101", 7, 9, "forventede"),
    ],
)
def test_every_bad_input_gets_a_clear_error(text: str, code: str, line: int, col: int, words: str) -> None:
    d = only(diags_of(text), code)
    assert (d.file, d.line, d.col) == ("t.round", line, col)
    assert d.severity is Severity.ERROR
    assert words in d.message or words in (d.help or ""), d.message
    shown = render_text(d)
    assert f"t.round:{line}:{col}: error[{code}]" in shown
    if d.line_text:
        assert "^" in shown


def test_helpful_suggestions() -> None:
    d = only(diags_of(JOB + "application 219 under jbo\n  first beskaeftigelse\n"), "A606")
    assert d.help == "mente du `job`?"
    d = only(diags_of(JOB + "  ranking regoin\n"), "A610")
    assert d.help == "mente du `region`?"


def test_carried_fallback_and_direct_application_in_the_later_round() -> None:
    text = (JOB + "\n" + REST + "application 219 under job\n  first beskaeftigelse\n  fallback folkeskole\n\n"
            "application 219 under rest\n  first dagtilbud\n")
    d = only(diags_of(text), "A604")
    assert "alternativ" in d.message and d.line == 15


def test_region_missing_is_a_warning_not_an_error() -> None:
    d = only(diags_of(JOB + "  ranking region\n\napplication 219 under job\n  first beskaeftigelse\n"), "A613")
    assert d.severity is Severity.WARNING


def test_diagnostic_codes_are_documented() -> None:
    import registry.rounds as mod

    for code, (sev, name, _) in ROUND_CODES.items():
        assert code in (mod.__doc__ or "") and name in (mod.__doc__ or ""), code
        assert sev in ("error", "warning")


# ---------------------------------------------------------------------------- allocation (fixture)


def fixture_allocation():
    facts = fixture_facts()
    rs, diags = load_rounds(FIX / "good", facts)
    assert not [d for d in diags if d.severity is Severity.ERROR], diags
    return rs, allocate(rs, facts), facts


def test_fixture_allocation_follows_the_rules() -> None:
    rs, alloc, _ = fixture_allocation()
    got = {o.code: (o.area, o.round, o.wish) for o in alloc.municipalities}
    # Region spread: Hillerød (Hovedstaden) first, then Norddjurs (Midtjylland, earlier than Silkeborg);
    # Frederikssund is Hovedstaden again, so it ranks after Norddjurs although it applied earlier.
    assert got[219] == ("beskaeftigelse", "job", "first")
    assert got[707] == ("beskaeftigelse", "job", "first")
    assert got[740] == (None, None, None) and got[250] == (None, None, None)
    # First wishes before fallbacks: Aalborg's first wish beats Frederikssund's carried fallback.
    assert got[851] == ("folkeskole", "rest", "first")
    assert got[580] == ("dagtilbud", "rest", "first")
    why = {o.code: o.why for o in alloc.municipalities}
    assert "går videre til runden rest" in why[250] and "alternativ" in why[250]
    assert "allerede fået beskæftigelsesområdet" in why[219]  # the employment round ran first
    assert why[791] == "Søgte ikke i nogen runde."
    job = next(r for r in alloc.rounds if r.id == "job")
    assert job.matches_result is False
    assert any("Silkeborg" in d for d in job.differences) and any("Norddjurs" in d for d in job.differences)


def test_chosen_is_a_fixed_input_that_wins_over_the_ranking() -> None:
    text = (FIX / "good" / "rounds.round").read_text(encoding="utf-8").replace(
        "  result beskaeftigelse 219, 740", "  chosen beskaeftigelse 740\n  result beskaeftigelse 219, 740")
    regions = (FIX / "good" / "regions.round").read_text(encoding="utf-8")
    rs, diags = lower_rounds([("r.round", text), ("g.round", regions)], fixture_facts())
    assert not diags
    alloc = allocate(rs, fixture_facts())
    job = next(r for r in alloc.rounds if r.id == "job")
    assert job.granted == {"beskaeftigelse": (219, 740)} and job.matches_result is True
    silkeborg = next(o for o in alloc.municipalities if o.code == 740)
    assert silkeborg.wish == "chosen" and "`chosen`" in silkeborg.why


def test_lot_ranking_is_deterministic_and_changes_with_the_round_id() -> None:
    apps = "".join(f"application {c} under {{rid}}\n  first beskaeftigelse\n\n" for c in (219, 250, 253, 580, 707, 740))
    picks = set()
    for rid in ("a", "b", "c", "d", "e", "f"):
        text = (f'round {rid} "x"\n  areas beskaeftigelse\n  places beskaeftigelse 1\n  deadline 2022-08-08\n'
                f"  order 1\n  ranking lot\n\n" + apps.format(rid=rid))
        rs, diags = lower_rounds([("t.round", text)], fixture_facts())
        assert not diags
        first = allocate(rs, fixture_facts()).rounds[0].granted["beskaeftigelse"]
        assert first == allocate(rs, fixture_facts()).rounds[0].granted["beskaeftigelse"]
        picks.add(first)
    assert len(picks) > 1  # not simply the lowest code every time


# ---------------------------------------------------------------------------- the bundled 2022 rounds


def bundled():
    facts = bundled_facts()
    rs, diags = load_rounds(RULES / "rounds", facts)
    return rs, diags, facts


def test_bundled_rounds_are_valid() -> None:
    rs, diags, _ = bundled()
    assert not [d for d in diags if d.severity is Severity.ERROR], [render_text(d) for d in diags]
    assert any(r.areas == ("beskaeftigelse",) for r in rs.rounds)
    for a in rs.applications:  # never an applicant without a source
        assert a.source and a.source.startswith("https://"), a
    for r in rs.regions:
        assert r.source
    # every municipality has exactly one region
    codes = [c for r in rs.regions for c in r.municipalities]
    assert sorted(codes) == sorted(bundled_facts().municipalities)


def test_bundled_employment_round_allocates_to_the_real_result() -> None:
    rs, _, facts = bundled()
    alloc = allocate(rs, facts)
    job = next(r for r in rs.ordered_rounds() if "beskaeftigelse" in r.areas)
    assert job.order == min(r.order for r in rs.rounds)  # the employment round runs first
    assert job.places == {"beskaeftigelse": 4}
    assert job.result is not None and set(job.result["beskaeftigelse"]) == {219, 253, 740, 580}
    outcome = next(o for o in alloc.rounds if o.id == job.id)
    assert outcome.granted == {area: tuple(sorted(codes)) for area, codes in job.result.items()}
    assert outcome.matches_result is True
    for o in alloc.municipalities:
        assert (o.area == "beskaeftigelse") == (o.code in job.result["beskaeftigelse"])


def test_rounds_with_a_recorded_result_all_match_it() -> None:
    rs, _, facts = bundled()
    for r in allocate(rs, facts).rounds:
        assert r.matches_result in (True, None), (r.id, r.differences)


def test_markdown_report_of_the_bundled_rounds() -> None:
    page = markdown_report(RULES)
    assert page.startswith("# Ansøgningsrunder")
    for name in ("Hillerød", "Greve", "Silkeborg", "Aabenraa"):
        assert name in page
    assert "Fordelingen svarer til det faktiske udfald" in page
    assert "](rounds.md)" not in page  # no relative links: the page may be placed anywhere in the site


def test_markdown_report_without_rounds(tmp_path: Path) -> None:
    for name in ("municipalities.rule", "areas.rule"):
        (tmp_path / name).write_text((RULES / name).read_text(encoding="utf-8"), encoding="utf-8")
    assert "ingen runder registreret" in markdown_report(tmp_path)


# ---------------------------------------------------------------------------- draft agreements


def lint_errors(*paths: str) -> set[tuple[str, str, int]]:
    from registry.pipeline import load

    compiled = load(list(paths), use_cache=False)
    return {(d.code, d.file, d.line) for d in compiled.diagnostics if d.severity is Severity.ERROR}


def test_drafts_are_valid_rules_fixture(tmp_path: Path) -> None:
    rs, alloc, facts = fixture_allocation()
    text, diags = draft_agreements(rs, alloc, facts)
    assert not diags
    assert "agreement udkast-job-beskaeftigelse" in text and "municipalities 219, 707" in text
    assert "agreement udkast-rest-folkeskole" in text
    out = tmp_path / "drafts.rule"
    out.write_text(text, encoding="utf-8")
    assert lint_errors(BASE, str(out)) == set()


def test_drafts_need_period_and_basis() -> None:
    text = JOB + "\napplication 219 under job\n  first beskaeftigelse\n"
    rs, diags = lower_rounds([("t.round", text)], fixture_facts())
    assert not diags
    drafts, diags = draft_agreements(rs, allocate(rs, fixture_facts()), fixture_facts())
    d = only(diags, "A616")
    assert d.severity is Severity.WARNING and "period" in d.message
    assert "agreement" not in drafts


def test_bundled_drafts_lint_with_the_bundled_rules(tmp_path: Path) -> None:
    out = tmp_path / "drafts.rule"
    code, stdout, _ = run("round", "allocate", str(RULES / "rounds"), "--drafts", str(out))
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert "area beskaeftigelse" in text and "municipalities 219, 253, 580, 740" in text
    # The rules may be mid-edit by others: the drafts must add no error of their own.
    before = lint_errors(str(RULES))
    after = lint_errors(str(RULES), str(out))
    assert after <= before, after - before


# ---------------------------------------------------------------------------- command line


def test_cli_allocate_json_says_for_every_municipality_what_and_why() -> None:
    code, out, _ = run("round", "allocate", str(FIX / "good"), "--rules", BASE, "--format", "json")
    assert code == 0
    data = json.loads(out)
    munis = {m["code"]: m for m in data["municipalities"]}
    assert set(munis) == set(fixture_facts().municipalities)
    assert munis[219]["area"] == "beskaeftigelse" and munis[740]["area"] is None
    assert all(m["why"] for m in munis.values())
    assert {r["id"] for r in data["rounds"]} == {"job", "rest"}


def test_cli_validate_and_exit_codes(tmp_path: Path) -> None:
    code, out, _ = run("round", "validate", str(FIX / "good"), "--rules", BASE)
    assert code == 0 and "2 runde(r), 7 ansøgning(er), 5 region(er)" in out
    code, out, _ = run("round", "validate", str(FIX / "bad"), "--rules", BASE, "--format", "json")
    assert code == 3 and json.loads(out)[0]["code"] == "A605"
    code, _, err = run("round", "allocate", str(FIX / "bad"), "--rules", BASE)
    assert code == 3 and "A605" in err
    code, _, err = run("round", "validate", str(tmp_path / "nope"))
    assert code == 2 and "C405" in err
    code, _, err = run("round", "validate", str(tmp_path))
    assert code == 2 and "A617" in err
    code, _, err = run("round", "validate", str(FIX / "good"), "--drafts", str(tmp_path / "x.rule"))
    assert code == 2 and "--drafts" in err
    code, out, _ = run("round", "report", str(FIX / "good"), "--rules", BASE)
    assert code == 0 and "| Aalborg (851)" in out


def test_cli_never_shows_a_traceback_for_garbage(tmp_path: Path) -> None:
    (tmp_path / "x.round").write_bytes(b"\x00\xff garbage\n\tround\n")
    code, out, err = run("round", "allocate", str(tmp_path), "--rules", BASE)
    assert code == 3 and "Traceback" not in out + err and "P100" in err


# ---------------------------------------------------------------------------- synthetic: all 98


BESK, OTHERS = "beskaeftigelse", ("dagtilbud", "folkeskole", "aeldre")


def synthetic_text(apps: list[tuple[int, str, str, str | None, int]], places: dict[str, int | None],
                   ranking: list[str], rounds: bool = True) -> str:
    """A made-up, clearly labelled full round for all applicants: (code, round, first, fallback, day).
    With rounds=False only the applications (a second file of the same rounds)."""
    head = ["# SYNTHETIC: generated by tests/test_rounds.py; not real applications.",
            'round job "Syntetisk beskæftigelsesrunde"', f"  areas {BESK}",
            "  deadline 2022-08-31", "  order 1"]
    if places.get(BESK):
        head.append(f"  places {BESK} {places[BESK]}")
    if ranking:
        head.append(f"  ranking {', '.join(ranking)}")
    head += ["", 'round rest "Syntetisk runde for de andre områder"', f"  areas {', '.join(OTHERS)}",
             "  deadline 2022-09-30", "  order 2"]
    head += [f"  places {a} {places[a]}" for a in OTHERS if places.get(a)]
    if ranking:
        head.append(f"  ranking {', '.join(ranking)}")
    if not rounds:
        head = head[:1]
    body = []
    for code, rid, first, fallback, day in apps:
        body += ["", f"application {code} under {rid}", f"  first {first} \"syntetisk begrundelse\"",
                 *([f"  fallback {fallback}"] if fallback else []), f"  submitted 2022-08-{day:02d}"]
    return "\n".join(head + body) + "\n"


def regions_text() -> str:
    return (RULES / "rounds" / "municipality-facts.round").read_text(encoding="utf-8")


@st.composite
def full_rounds(draw: st.DrawFn):
    codes = sorted(bundled_facts().municipalities)
    apps = []
    for code in codes:
        kind = draw(st.integers(0, 3))  # 0: does not apply, 1: employment, 2-3: the other areas
        day = draw(st.integers(1, 31))
        if kind == 0:
            continue
        if kind == 1:
            fallback = draw(st.sampled_from([None, *OTHERS]))
            apps.append((code, "job", BESK, fallback, day))
        else:
            first = draw(st.sampled_from(OTHERS))
            fallback = draw(st.sampled_from([None, *[a for a in OTHERS if a != first]]))
            apps.append((code, "rest", first, fallback, day))
    places = {a: draw(st.one_of(st.none(), st.integers(1, 30))) for a in (BESK, *OTHERS)}
    ranking = draw(st.lists(st.sampled_from(["region", "submitted", "lot", "code"]), unique=True, max_size=4))
    return apps, places, ranking


def allocate_texts(texts: list[tuple[str, str]]):
    rs, diags = lower_rounds(texts, bundled_facts())
    assert not [d for d in diags if d.severity is Severity.ERROR], [render_text(d) for d in diags[:3]]
    return rs, allocate(rs, bundled_facts())


@given(full_rounds(), st.randoms(use_true_random=False))
def test_synthetic_full_round_respects_every_rule(case, rnd: random.Random) -> None:
    apps, places, ranking = case
    rs, alloc = allocate_texts([("synt.round", synthetic_text(apps, places, ranking)),
                                ("regions.round", regions_text())])
    asked: dict[int, set[str]] = {}
    for code, _, first, fallback, _ in apps:
        asked[code] = {first} | ({fallback} if fallback else set())
    granted = [(o.code, o.area) for o in alloc.municipalities if o.area]
    # no municipality twice
    assert len({c for c, _ in granted}) == len(granted)
    # nobody gets an area it did not ask for
    for code, area in granted:
        assert area in asked[code]
    # no area over capacity, per round
    for r in alloc.rounds:
        for area, codes in r.granted.items():
            cap = r.places[area]
            assert cap is None or len(codes) <= cap
            assert all(o.round == r.id for o in alloc.municipalities if o.code in codes)
    # first wishes before fallbacks: whoever missed its first wish found that area full
    by_round = {r.id: r for r in alloc.rounds}
    for code, rid, first, _, _ in apps:
        o = next(o for o in alloc.municipalities if o.code == code)
        if o.wish != "first":
            r = by_round[rid]
            cap = r.places[first]
            assert cap is not None and len(r.granted[first]) == cap
            assert all(next(x for x in alloc.municipalities if x.code == c).wish == "first"
                       for c in r.granted[first])
    # unlimited areas take every first wish
    for code, rid, first, _, _ in apps:
        if by_round[rid].places[first] is None:
            assert dict(granted).get(code) == first
    # same input in any order (and split over files) gives the same result
    shuffled = list(apps)
    rnd.shuffle(shuffled)
    half = len(shuffled) // 2
    text_a = synthetic_text(shuffled[:half], places, ranking)
    text_b = synthetic_text(shuffled[half:], places, ranking, rounds=False)
    _, again = allocate_texts([("b.round", regions_text()), ("a.round", text_a), ("c.round", text_b)])
    assert allocation_json(again) == allocation_json(alloc)


def test_synthetic_full_round_is_deterministic() -> None:
    rnd = random.Random(2022)  # a fixed, made-up round: same input, same output, twice
    apps = []
    for code in sorted(bundled_facts().municipalities):
        if rnd.random() < 0.5:
            apps.append((code, "job", BESK, rnd.choice([None, *OTHERS]), rnd.randint(1, 31)))
        else:
            first = rnd.choice(OTHERS)
            apps.append((code, "rest", first, rnd.choice([None, *[a for a in OTHERS if a != first]]),
                         rnd.randint(1, 31)))
    text = synthetic_text(apps, {BESK: 4, "dagtilbud": 10, "folkeskole": 10, "aeldre": 10}, ["region", "submitted"])
    one = allocate_texts([("s.round", text), ("regions.round", regions_text())])[1]
    two = allocate_texts([("regions.round", regions_text()), ("s.round", text)])[1]
    assert allocation_json(one) == allocation_json(two)
    job = next(r for r in one.rounds if r.id == "job")
    assert len(job.granted[BESK]) == 4
    regions = {c: r.id for r in lower_rounds([("r.round", regions_text())], bundled_facts())[0].regions
               for c in r.municipalities}
    applicant_regions = {regions[c] for c, rid, *_ in apps if rid == "job"}
    # region spread: four places go to four different regions when at least four regions applied
    if len(applicant_regions) >= 4:
        assert len({regions[c] for c in job.granted[BESK]}) == 4


@given(st.text(alphabet=st.sampled_from(list('roundapplicatiunder first fallback 0123456789-"#\n  ,beskaeftigelsjob')),
               max_size=300))
def test_round_reader_never_raises(text: str) -> None:
    rs, diags = lower_rounds([("f.round", JOB + text)], fixture_facts())
    allocate(rs, fixture_facts())  # whatever validated can be allocated
    for d in diags:
        assert d.code in ROUND_CODES or d.code.startswith("P"), d


def test_region_from_the_rules_is_used_and_must_agree(tmp_path: Path) -> None:
    rule = tmp_path / "m.rule"
    rule.write_text('area beskaeftigelse "Beskæftigelsesområdet"\n\n'
                    'municipality 219 "Hillerød"\n  region "Hovedstaden"\n\n'
                    'municipality 250 "Frederikssund"\n  region "Hovedstaden"\n\n'
                    'municipality 707 "Norddjurs"\n  region "Midtjylland"\n', encoding="utf-8")
    facts, errs = load_facts([str(rule)])
    assert not errs and facts.regions == {219: "hovedstaden", 250: "hovedstaden", 707: "midtjylland"}
    text = ('round job "x"\n  areas beskaeftigelse\n  places beskaeftigelse 2\n  deadline 2022-08-08\n  order 1\n'
            "  ranking region\n\n" + "".join(f"application {c} under job\n  first beskaeftigelse\n\n"
                                          for c in (219, 250, 707)))
    rs, diags = lower_rounds([("t.round", text)], facts)
    assert not diags
    # spread: Norddjurs (Midtjylland) before Frederikssund (Hovedstaden again), though 250 < 707
    assert allocate(rs, facts).rounds[0].granted == {"beskaeftigelse": (219, 707)}
    clash = 'region sjaelland "Region Sjælland"\n  municipalities 707\n'
    d = only(lower_rounds([("t.round", text), ("r.round", clash)], facts)[1], "A615")
    assert "midtjylland" in d.message
