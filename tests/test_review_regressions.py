"""Regressions found in review: each test is a case that once gave a wrong answer."""

from __future__ import annotations

import pytest

from registry.checker import CheckInputError, check, quick_citation
from registry.dsl.grammar import CitationError, parse_free_citation
from registry.model import Citation, Verdict, is_within
from registry.pipeline import compile_texts

BASE = """area a "A"

municipality 791 "Viborg"

law XL "X-loven"
  source "https://x.dk"

provision XL § 5 "fem"
  source "https://x.dk"

provision XL § 5, stk. 2 "fem, stk. 2"
  source "https://x.dk"
  repealed 2022-01-01 by "lov nr. 1" source "https://x.dk/1"

provision XL § 7 "syv"
  source "https://x.dk"

provision XL § 8 "otte"
  source "https://x.dk"

provision XL § 9 "ni"
  source "https://x.dk"

agreement ag "Aftale"
  area a
  basis XL source "https://x.dk"
  municipalities 791
  from 2021-01-01 to 2024-12-31

exemptable XL § 5 under ag
  source "https://x.dk"

exemptable XL § 7, 2. pkt. under ag
  source "https://x.dk"

exemptable XL § 8 under ag
  source "https://x.dk"

exemptable XL § 9 under ag
  source "https://x.dk"
  condition disapplied XL § 8

decision d "Del af § 8"
  municipality 791
  under ag
  disapplies XL § 8, stk. 2
  published 2021-06-01
  source "https://x.dk"
"""


@pytest.fixture(scope="module")
def rules():  # type: ignore[no-untyped-def]
    compiled = compile_texts([("r.rule", BASE)])
    assert compiled.ok, [d.message for d in compiled.diagnostics]
    return compiled


def verdict(rules, *deviates: str) -> Verdict:  # type: ignore[no-untyped-def]
    return check(rules, municipality="791", date="2023-01-01", deviates=list(deviates)).verdict


def test_pkt_of_a_section_is_not_the_section(rules) -> None:  # type: ignore[no-untyped-def]
    assert is_within(Citation(law="XL", section="7", pkt=2), Citation(law="XL", section="7"))
    assert not is_within(Citation(law="XL", section="7"), Citation(law="XL", section="7", pkt=2))
    assert not is_within(Citation(law="XL", section="7", pkt=1), Citation(law="XL", section="7", pkt=2))
    assert verdict(rules, "XL § 7, 2. pkt.") is Verdict.NEEDS_DECISION
    assert verdict(rules, "XL § 7, 1. pkt.") is Verdict.NOT_COVERED
    assert verdict(rules, "XL § 7") is Verdict.NOT_COVERED


def test_repeal_of_a_stk_takes_effect(rules) -> None:  # type: ignore[no-untyped-def]
    r = check(rules, municipality="791", date="2023-01-01", deviates=["XL § 5, stk. 2"])
    assert r.verdict is Verdict.NOT_COVERED and r.warnings
    assert verdict(rules, "XL § 5, stk. 1") is Verdict.NEEDS_DECISION


def test_a_decision_on_part_of_the_condition_does_not_meet_it(rules) -> None:  # type: ignore[no-untyped-def]
    assert verdict(rules, "XL § 9") is Verdict.NOT_COVERED


@pytest.mark.parametrize("text", ["XL §§ 9-7", "XL § 5, stk. 3-1", "XL §§ 1-9999", "XL §§ 1-30, stk. 1-200, nr. 1-200"])
def test_backwards_or_huge_ranges_are_input_errors(rules, text: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CheckInputError) as e:
        verdict(rules, text)
    assert e.value.diagnostics[0].code == "C402" and e.value.diagnostics[0].help


def test_backwards_range_in_a_rule_file_is_reported() -> None:
    compiled = compile_texts([("r.rule", BASE + "\nfencepost XL §§ 9-7 under ag\n  source \"https://x.dk\"\n")])
    assert any(d.code == "R213" and "baglæns" in d.message for d in compiled.diagnostics)


def test_example_must_cite_a_section() -> None:
    text = BASE + '\nexample "Hele loven"\n  municipality 791\n  date 2022-01-01\n  deviates XL\n' \
                  '  expect not_covered\n  source "https://x.dk"\n'
    compiled = compile_texts([("r.rule", text)])
    assert any(d.code == "R213" and "hel lov" in d.message for d in compiled.diagnostics)


@pytest.mark.parametrize("text", ["SEL\u00a0§ 83", "SEL\n§ 83 a", "SEL § 83\u2028", "SEL\t§ 83"])
def test_quick_citation_defers_odd_whitespace_to_the_grammar(text: str) -> None:
    assert quick_citation(text) is None
    try:
        parse_free_citation(text)
    except CitationError:
        pass  # the grammar's answer, whatever it is, is the only one


def test_quick_citation_agrees_with_the_grammar_on_canonical_text() -> None:
    for text in ["SEL § 83", "servicelovens § 83 a", "SEL § 83, stk. 1, nr. 3", "lov om social service § 9"]:
        assert quick_citation(text) == parse_free_citation(text)
