"""The checker's contract on a small fixture: each verdict, each exit status, each bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.checker import CheckInputError, check
from registry.cli import main
from registry.model import Verdict
from registry.pipeline import compile_texts, load

MINI = Path(__file__).parent / "fixtures" / "mini"
BASE = (MINI / "base.rule").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def mini():  # type: ignore[no-untyped-def]
    compiled = load([str(MINI)], use_cache=False)
    assert compiled.ok, compiled.diagnostics
    return compiled


def ask(compiled, municipality, date, *deviates, **kw):  # type: ignore[no-untyped-def]
    return check(compiled, municipality=municipality, date=date, deviates=list(deviates), **kw)


def test_needs_decision_names_the_decision_to_publish(mini) -> None:  # type: ignore[no-untyped-def]
    r = ask(mini, "Viborg", "2022-05-01", "servicelovens § 83, stk. 1, nr. 3")
    assert r.verdict is Verdict.NEEDS_DECISION and r.inside
    texts = " ".join(x.text for x in r.findings[0].reasons)
    assert "VAAE § 7" in texts and "VAAE § 6" in texts and "2022-05-02" in texts
    assert "VAAE § 9, stk. 1" in texts  # the replacement duty


def test_allowed_by_published_decision(mini) -> None:  # type: ignore[no-untyped-def]
    r = ask(mini, "410", "2022-05-01", "SEL § 79 a")
    assert r.verdict is Verdict.ALLOWED
    assert r.findings[0].reasons[0].source == "https://middelfart.dk"


def test_decision_takes_effect_the_day_after_publication(mini) -> None:  # type: ignore[no-untyped-def]
    assert ask(mini, "410", "2021-12-15", "SEL § 79 a").verdict is Verdict.NEEDS_DECISION
    assert ask(mini, "410", "2021-12-16", "SEL § 79 a").verdict is Verdict.ALLOWED


def test_fencepost_and_required_path(mini) -> None:  # type: ignore[no-untyped-def]
    r = ask(mini, "Viborg", "2024-01-01", "VAAE § 7")
    assert r.verdict is Verdict.VIOLATES_FENCEPOST and not r.inside
    assert r.findings[0].path == ["VAAE § 6", "VAAE § 7"]


def test_citing_a_section_covers_its_protected_parts(mini) -> None:  # type: ignore[no-untyped-def]
    r = ask(mini, "Viborg", "2024-01-01", "VAAE § 9")
    assert r.verdict is Verdict.VIOLATES_FENCEPOST


def test_conditional_exception(mini) -> None:  # type: ignore[no-untyped-def]
    # Viborg's madservice decision (published 2023-08-01) meets the condition from 2023-08-02.
    assert ask(mini, "Viborg", "2023-08-01", "VAAE § 9, stk. 2").verdict is Verdict.VIOLATES_FENCEPOST
    r = ask(mini, "Viborg", "2023-08-02", "VAAE § 9, stk. 2")
    assert r.verdict is Verdict.NEEDS_DECISION
    assert any("ikke selv kan tilmelde sig" in x.text for x in r.findings[0].reasons)
    # Middelfart never disapplied madservice: the fence post stands.
    assert ask(mini, "Middelfart", "2024-01-01", "VAAE § 9, stk. 2").verdict is Verdict.VIOLATES_FENCEPOST


def test_not_covered_cases(mini) -> None:  # type: ignore[no-untyped-def]
    assert ask(mini, "Aarhus", "2022-05-01", "SEL § 83").verdict is Verdict.NOT_COVERED  # no agreement
    assert ask(mini, "Viborg", "2021-08-31", "SEL § 83").verdict is Verdict.NOT_COVERED  # before Viborg's start
    assert ask(mini, "Viborg", "2025-07-01", "SEL § 83 a").verdict is Verdict.NOT_COVERED  # after the end
    assert ask(mini, "Viborg", "2022-05-01", "SEL § 91").verdict is Verdict.NOT_COVERED  # no status
    assert ask(mini, "Viborg", "2022-05-01", "SEL § 83", area="folkeskole").verdict is Verdict.NOT_COVERED


def test_extension_counts(mini) -> None:  # type: ignore[no-untyped-def]
    assert ask(mini, "Middelfart", "2025-06-30", "SEL § 79 a").verdict is Verdict.ALLOWED


def test_needs_decision_says_how_long_a_decision_can_last(mini) -> None:  # type: ignore[no-untyped-def]
    r = ask(mini, "Viborg", "2025-06-29", "SEL § 79 a")
    texts = " ".join(x.text for x in r.findings[0].reasons)
    assert "tidligst 2025-06-30" in texts and "til og med 2025-06-30" in texts  # the extended end, not 2024-09-30
    assert "ikke længere" not in texts


def test_needs_decision_on_the_last_day_says_no_decision_can_take_effect(mini) -> None:  # type: ignore[no-untyped-def]
    # VA-Æ § 6, stk. 2: effect the day after publication at the earliest, and the trial ends that day
    for lang, words in (("da", "kan ikke længere nå at få virkning"), ("en", "can no longer take effect")):
        r = ask(mini, "Viborg", "2025-06-30", "SEL § 79 a", lang=lang)
        assert r.verdict is Verdict.NEEDS_DECISION
        how = [x for x in r.findings[0].reasons if words in x.text]
        assert len(how) == 1 and "2025-07-01" in how[0].text and "2025-06-30" in how[0].text
        assert not any("2025-07-01 if published" in x.text or "tidligst 2025-07-01, hvis" in x.text
                       for x in r.findings[0].reasons)


def test_repealed_provision_fails_closed_with_warning(mini) -> None:  # type: ignore[no-untyped-def]
    r = ask(mini, "Middelfart", "2025-07-01", "SEL § 79 a")
    assert r.verdict is Verdict.NOT_COVERED and r.warnings


def test_unmodelled_law_is_not_covered_with_warning(mini) -> None:  # type: ignore[no-untyped-def]
    r = ask(mini, "Viborg", "2022-05-01", "§ 19 i forvaltningsloven")
    assert r.verdict is Verdict.NOT_COVERED
    assert any("forvaltningsloven" in w for w in r.warnings)


def test_inferred_status_warns(mini) -> None:  # type: ignore[no-untyped-def]
    r = ask(mini, "Viborg", "2022-05-01", "SEL § 1")
    assert r.verdict is Verdict.VIOLATES_FENCEPOST
    assert any("udledt" in w for w in r.warnings)


def test_partly_decision_warns(mini) -> None:  # type: ignore[no-untyped-def]
    r = ask(mini, "Viborg", "2023-09-01", "SEL § 83, stk. 1, nr. 3")
    assert r.verdict is Verdict.ALLOWED
    assert any("delvist" in w for w in r.warnings)
    assert any("sekundære kilder" in w for w in r.warnings)


def test_no_deviation_is_allowed(mini) -> None:  # type: ignore[no-untyped-def]
    r = ask(mini, "Aarhus", "2022-05-01")
    assert r.verdict is Verdict.ALLOWED and r.findings == []
    assert "Der er ikke angivet nogen fravigelse" in r.summary


def test_worst_finding_wins(mini) -> None:  # type: ignore[no-untyped-def]
    r = ask(mini, "Viborg", "2022-05-01", "SEL § 79 a", "SEL § 91", "VAAE § 6")
    assert [f.verdict for f in r.findings] == [Verdict.NEEDS_DECISION, Verdict.NOT_COVERED, Verdict.VIOLATES_FENCEPOST]
    assert r.verdict is Verdict.VIOLATES_FENCEPOST


def test_english(mini) -> None:  # type: ignore[no-untyped-def]
    r = ask(mini, "Viborg", "2022-05-01", "SEL § 83", lang="en")
    assert r.summary.startswith("NEEDS A DECISION")


@pytest.mark.parametrize("municipality", ["viborg", "VIBORG", "Viborg Kommune", "viborg kommune", "791", "0791"])
def test_municipality_forms(mini, municipality: str) -> None:  # type: ignore[no-untyped-def]
    assert ask(mini, municipality, "2022-05-01").municipality.code == 791


def test_hyphenated_and_alias_names(mini) -> None:  # type: ignore[no-untyped-def]
    assert ask(mini, "høje-taastrup", "2022-05-01").municipality.code == 169
    assert ask(mini, "Høje Taastrup Kommune", "2022-05-01").municipality.code == 169


@pytest.mark.parametrize(
    "kw,code",
    [
        ({"municipality": "Atlantis"}, "C400"),
        ({"municipality": "9999"}, "C400"),
        ({"municipality": "Viborg", "date": "2022-02-30"}, "C403"),
        ({"municipality": "Viborg", "deviates": ["VAAE § 99"]}, "C401"),
        ({"municipality": "Viborg", "deviates": ["§ 83"]}, "C402"),
        ({"municipality": "Viborg", "deviates": ["stk. 2"]}, "C402"),
        ({"municipality": "Viborg", "area": "skole"}, "C404"),
    ],
)
def test_bad_input(mini, kw: dict, code: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CheckInputError) as e:
        check(mini, **{"date": "2022-05-01", **kw})
    assert e.value.diagnostics[0].code == code
    assert e.value.diagnostics[0].help  # every input error says what to do instead


def test_unknown_section_suggests_nearest(mini) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CheckInputError) as e:
        ask(mini, "Viborg", "2022-05-01", "VAAE § 99")
    assert "VAAE § 9" in (e.value.diagnostics[0].help or "")


def test_unknown_municipality_suggests(mini) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CheckInputError) as e:
        ask(mini, "Viborgg", "2022-05-01")
    assert "Viborg (791)" in (e.value.diagnostics[0].help or "")


@pytest.mark.parametrize(
    "args,status",
    [
        (["-m", "Viborg", "-d", "2022-05-01", "--deviates", "SEL § 79 a"], 0),
        (["-m", "Viborg", "-d", "2022-05-01"], 0),
        (["-m", "Viborg", "-d", "2022-05-01", "--deviates", "VAAE § 6"], 1),
        (["-m", "Aarhus", "-d", "2022-05-01", "--deviates", "SEL § 83"], 1),
        (["-m", "Atlantis"], 2),
        (["-m", "Viborg", "-d", "01-05-2022"], 2),
        (["-m", "Viborg", "--deviates", "VAAE § 99"], 2),
    ],
)
def test_exit_status(args: list[str], status: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--rules", str(MINI), *args]) == status


def test_invalid_rules_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.rule").write_text(BASE + "\nfencepost SEL § 1 under nowhere\n  source \"x\"\n")
    assert main(["check", "--rules", str(tmp_path), "-m", "Viborg"]) == 3


def test_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--rules", str(MINI), "-m", "0791", "-d", "2024-01-01", "--deviates", "VAAE § 7", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "violates_fencepost" and data["inside"] is False
    assert data["municipality"] == {"code": 791, "name": "Viborg"}
    assert data["date"] == "2024-01-01"
    f = data["findings"][0]
    assert set(f) >= {"cited", "provision", "status", "verdict", "reasons", "path"}
    assert set(f["reasons"][0]) == {"text", "provision", "source"}
    assert len(data["ruleset"]) == 64 and isinstance(data["warnings"], list)


def test_date_defaults_to_today(mini) -> None:  # type: ignore[no-untyped-def]
    assert ask(mini, "Viborg", None).date == dt.date.today()


# ---------------------------------------------------------------------------- properties

QUESTIONS = st.tuples(
    st.sampled_from(["Viborg", "Middelfart", "Aarhus"]),
    st.dates(dt.date(2021, 1, 1), dt.date(2026, 1, 1)),
    st.lists(st.sampled_from(["SEL § 83", "SEL § 83, stk. 1, nr. 3", "SEL § 79 a", "VAAE § 9, stk. 2", "VAAE § 7",
                              "SEL § 91", "SEL § 1", "VAAE § 6", "SEL § 83 a"]), max_size=4),
)


def _blocks(text: str) -> list[str]:
    return [b for b in text.split("\n\n") if b.strip()]


@pytest.fixture(scope="module")
def shuffled():  # type: ignore[no-untyped-def]
    blocks = _blocks(BASE)
    a = compile_texts([("a.rule", "\n\n".join(blocks))])
    b = compile_texts([("b1.rule", "\n\n".join(blocks[1::2])), ("b2.rule", "\n\n".join(reversed(blocks[0::2])))])
    extra = BASE + '\n\nprovision SEL § 200 "Uvedkommende"\n  source "https://x.dk"\n'
    c = compile_texts([("c.rule", extra)])
    assert a.ok and b.ok and c.ok
    return a, b, c


@settings(max_examples=60, deadline=None)
@given(QUESTIONS)
def test_verdict_independent_of_file_and_citation_order(shuffled, q) -> None:  # type: ignore[no-untyped-def]
    a, b, _ = shuffled
    muni, day, devs = q
    ra = check(a, municipality=muni, date=day, deviates=devs)
    rb = check(b, municipality=muni, date=day, deviates=list(reversed(devs)))
    assert ra.verdict == rb.verdict
    assert ra.ruleset == rb.ruleset
    assert sorted(f.verdict for f in ra.findings) == sorted(f.verdict for f in rb.findings)


@settings(max_examples=60, deadline=None)
@given(QUESTIONS)
def test_unrelated_provision_never_changes_a_verdict(shuffled, q) -> None:  # type: ignore[no-untyped-def]
    a, _, c = shuffled
    muni, day, devs = q
    assert check(a, municipality=muni, date=day, deviates=devs).verdict == \
        check(c, municipality=muni, date=day, deviates=devs).verdict


def test_cancelled_agreement_is_never_in_force(mini) -> None:  # type: ignore[no-untyped-def]
    r = ask(mini, "Aarhus", "2023-07-15", "SEL § 83")
    assert r.verdict is Verdict.NOT_COVERED
    assert any(x.source == "https://x.dk/aflyst" and "aflyst" in x.text for x in r.findings[0].reasons)


def test_sections_complete_until_a_date() -> None:
    """`sections complete to DATE`: an unknown § is an input error up to DATE, a warning after it."""
    from registry.fmt import format_text

    assert BASE.count("  sections complete\n") == 1
    text = BASE.replace("  sections complete\n", "  sections complete to 2024-06-30\n")
    compiled = compile_texts([("bounded.rule", text)])
    assert compiled.ok, compiled.diagnostics
    law = next(x for x in compiled.rules.laws if x.id == "VAAE")
    assert law.sections_complete and law.sections_complete_to == dt.date(2024, 6, 30)
    with pytest.raises(CheckInputError) as e:
        ask(compiled, "Viborg", "2024-06-30", "VAAE § 99")
    assert e.value.diagnostics[0].code == "C401"
    later = ask(compiled, "Viborg", "2024-07-01", "VAAE § 99")
    assert any("VAAE § 99" in w for w in later.warnings)
    formatted, diags = format_text(text, "bounded.rule")
    assert not diags and formatted is not None and "  sections complete to 2024-06-30\n" in formatted
    assert format_text(formatted, "bounded.rule")[0] == formatted


def test_inferred_provision_warns_whenever_it_is_cited() -> None:
    """A provision whose number was inferred (`inferred "..."` on the provision) is answered as usual,
    with a warning in both languages; citing its stk. warns too, and other provisions do not."""
    from registry.fmt import format_text

    extra = ('provision SEL § 83 c "Nummeret er udledt"\n  source "https://example.org/lov"\n'
             '  inferred "nummeret er udledt af rækkefølgen i ændringsloven"\n')
    compiled = compile_texts([("base.rule", BASE), ("extra.rule", extra)])
    assert compiled.ok, compiled.diagnostics
    (p,) = [x for x in compiled.rules.provisions if x.id == "SEL § 83 c"]
    assert p.inferred == "nummeret er udledt af rækkefølgen i ændringsloven"
    for cited in ("SEL § 83 c", "SEL § 83 c, stk. 2"):
        r = ask(compiled, "Viborg", "2022-05-01", cited)
        assert [w for w in r.warnings if "udledt af rækkefølgen" in w and "SEL § 83 c" in w], r.warnings
    en = ask(compiled, "Viborg", "2022-05-01", "SEL § 83 c", lang="en")
    assert any(w.startswith("Part of what the registry records about SEL § 83 c") for w in en.warnings)
    twice = ask(compiled, "Viborg", "2022-05-01", "SEL § 83 c", "SEL § 83 c, stk. 2")
    assert len([w for w in twice.warnings if "udledt af rækkefølgen" in w]) == 1  # said once, not per citation
    plain = ask(compiled, "Viborg", "2022-05-01", "SEL § 83")
    assert not [w for w in plain.warnings if "udledt af rækkefølgen" in w]
    formatted, diags = format_text(extra, "extra.rule")
    assert not diags and formatted == extra


def test_transition_after_the_act_is_repealed(mini) -> None:  # type: ignore[no-untyped-def]
    # VA-Æ § 14, stk. 2: measures decided for a citizen under the act go on after it is repealed
    assert BASE.count("  overview VAAE § 6\n") == 1
    compiled = compile_texts([("t.rule", BASE.replace("  overview VAAE § 6\n",
                                                      "  overview VAAE § 6\n  transition VAAE § 14, stk. 2\n")
                                 + '\n\nprovision VAAE § 14 "Ophævelse og overgang"\n  source "https://x.dk/879"\n')])
    assert compiled.ok, compiled.diagnostics
    after = ask(compiled, "Viborg", "2025-08-01", "SEL § 83, stk. 1, nr. 3")  # Viborg's decision "Madservice"
    assert after.verdict is Verdict.NOT_COVERED  # no new exemptions
    said = [x for x in after.findings[0].reasons if x.provision == "VAAE § 14, stk. 2"]
    assert len(said) == 1 and '"Madservice"' in said[0].text and "2025-06-30" in said[0].text
    assert any("VAAE § 14, stk. 2" in w for w in after.warnings)
    whole = ask(compiled, "Viborg", "2025-08-01", "SEL § 83").findings[0].reasons  # the § contains the decided nr.
    assert any("Madservice" in x.text and x.provision == "VAAE § 14, stk. 2" for x in whole)
    # a repealed provision: the decision on it still carries measures (Middelfart's decision on SEL § 79 a)
    repealed = ask(compiled, "Middelfart", "2025-08-01", "SEL § 79 a", lang="en")
    assert any(x.provision == "VAAE § 14, stk. 2" and "By VAAE § 14, stk. 2" in x.text
               for x in repealed.findings[0].reasons)
    # not said: no decision on the provision, before the end, or without the clause in the rules
    for rules, who, day, cit in ((compiled, "Middelfart", "2025-08-01", "SEL § 83 a"),
                                 (compiled, "Viborg", "2025-06-30", "SEL § 83, stk. 1, nr. 3"),
                                 (mini, "Viborg", "2025-08-01", "SEL § 83, stk. 1, nr. 3")):
        r = ask(rules, who, day, cit)
        assert not [x for x in r.findings[0].reasons if "14, stk. 2" in x.text], (who, day, cit)
