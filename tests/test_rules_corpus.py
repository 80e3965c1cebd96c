"""The bundled real rules: complete, sourced, honest about inference, and their scenarios pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.checker import check
from registry.commands import fence_coverage, run_examples
from registry.diagnostics import Severity, render_text
from registry.fmt import format_text
from registry.model import StatusKind
from registry.pipeline import load

RULES = Path(__file__).resolve().parent.parent / "rules"

# The official kommunekoder (Danmarks Statistik / DAWA code list), as in shared/guide/legal-facts.md §3.2.
MUNICIPALITIES = {101: "København", 147: "Frederiksberg", 151: "Ballerup", 153: "Brøndby", 155: "Dragør", 157: "Gentofte", 159: "Gladsaxe", 161: "Glostrup", 163: "Herlev", 165: "Albertslund", 167: "Hvidovre", 169: "Høje-Taastrup", 173: "Lyngby-Taarbæk", 175: "Rødovre", 183: "Ishøj", 185: "Tårnby", 187: "Vallensbæk", 190: "Furesø", 201: "Allerød", 210: "Fredensborg", 217: "Helsingør", 219: "Hillerød", 223: "Hørsholm", 230: "Rudersdal", 240: "Egedal", 250: "Frederikssund", 253: "Greve", 259: "Køge", 260: "Halsnæs", 265: "Roskilde", 269: "Solrød", 270: "Gribskov", 306: "Odsherred", 316: "Holbæk", 320: "Faxe", 326: "Kalundborg", 329: "Ringsted", 330: "Slagelse", 336: "Stevns", 340: "Sorø", 350: "Lejre", 360: "Lolland", 370: "Næstved", 376: "Guldborgsund", 390: "Vordingborg", 400: "Bornholm", 410: "Middelfart", 420: "Assens", 430: "Faaborg-Midtfyn", 440: "Kerteminde", 450: "Nyborg", 461: "Odense", 479: "Svendborg", 480: "Nordfyns", 482: "Langeland", 492: "Ærø", 510: "Haderslev", 530: "Billund", 540: "Sønderborg", 550: "Tønder", 561: "Esbjerg", 563: "Fanø", 573: "Varde", 575: "Vejen", 580: "Aabenraa", 607: "Fredericia", 615: "Horsens", 621: "Kolding", 630: "Vejle", 657: "Herning", 661: "Holstebro", 665: "Lemvig", 671: "Struer", 706: "Syddjurs", 707: "Norddjurs", 710: "Favrskov", 727: "Odder", 730: "Randers", 740: "Silkeborg", 741: "Samsø", 746: "Skanderborg", 751: "Aarhus", 756: "Ikast-Brande", 760: "Ringkøbing-Skjern", 766: "Hedensted", 773: "Morsø", 779: "Skive", 787: "Thisted", 791: "Viborg", 810: "Brønderslev", 813: "Frederikshavn", 820: "Vesthimmerlands", 825: "Læsø", 840: "Rebild", 846: "Mariagerfjord", 849: "Jammerbugt", 851: "Aalborg", 860: "Hjørring"}


@pytest.fixture(scope="module")
def compiled():  # type: ignore[no-untyped-def]
    return load([str(RULES)], use_cache=False)


def test_rules_lint_clean(compiled) -> None:  # type: ignore[no-untyped-def]
    errors = [d for d in compiled.diagnostics if d.severity is Severity.ERROR]
    assert not errors, [f"{d.file}:{d.line} {d.code} {d.message}" for d in errors]


def test_rules_are_formatted() -> None:
    for f in sorted(RULES.rglob("*.rule")):
        text = f.read_text(encoding="utf-8")
        out, _ = format_text(text, str(f))
        assert out == text, f"{f} is not in canonical layout (run registry fmt rules/)"


def test_all_98_municipalities_with_official_codes(compiled) -> None:  # type: ignore[no-untyped-def]
    got = {m.code: m.name for m in compiled.rules.municipalities}
    assert len(got) == 98
    assert got == MUNICIPALITIES
    assert 411 not in MUNICIPALITIES  # Christiansø is not a municipality (the expected table must not say so)


def test_every_fact_has_a_source_and_every_inference_a_note(compiled) -> None:  # type: ignore[no-untyped-def]
    rs = compiled.rules
    for p in rs.provisions:
        assert p.source.startswith("http"), p.id
        if p.inferred is not None:  # an inferred provision says what was read and what was inferred
            assert len(p.inferred.strip()) > 10, p.id
    assert {p.id for p in rs.provisions if p.inferred} >= {"AEL § 31 a", "LSP § 57 a"}
    for s in rs.statuses:
        assert s.source.startswith("http"), (s.target.canonical(), s.span)
        if s.inferred is not None:
            assert len(s.inferred.strip()) > 10, (s.target.canonical(), s.span)
        if s.kind is StatusKind.UNKNOWN:
            assert (s.note or s.inferred), (s.target.canonical(), s.span)
    for d in rs.decisions:
        assert d.source.startswith("http"), d.id
    for e in rs.examples:
        assert e.source.startswith("http"), e.name
    for law in rs.laws:
        assert law.source.startswith("http"), law.id


# Provisions whose text is read only where they are cited here: VA-Æ § 9, stk. 3, 2. pkt. and § 9 a,
# stk. 2-3 are read only in bill L 91 (2022-23); no text of the act has them. (SEL § 2, stk. 5 and
# § 83 b were here until LBK 1129/2025 was read.) Anything else cites the law's own text.
_NOT_YET_CONSOLIDATED = {"VAAE § 9, stk. 3, 2. pkt.", "VAAE § 9 a, stk. 2", "VAAE § 9 a, stk. 3"}


def test_laws_and_provisions_cite_the_law_itself(compiled) -> None:  # type: ignore[no-untyped-def]
    """Every law and version cites Retsinformation's ELI address of that act (no R216), and every provision
    the ELI address of a text of its law — not a commentary, a mirror site or a municipality's page."""
    assert [render_text(d) for d in compiled.diagnostics if d.code == "R216"] == []
    eli = "https://www.retsinformation.dk/eli/lta/"
    assert [x.id for x in compiled.rules.laws if not x.source.startswith(eli)] == []
    elsewhere = {p.id: p.source for p in compiled.rules.provisions if not p.source.startswith(eli)}
    assert set(elsewhere) == _NOT_YET_CONSOLIDATED, elsewhere


def test_agreements_cover_the_four_areas(compiled) -> None:  # type: ignore[no-untyped-def]
    by_area = {a.area: set(a.municipalities) for a in compiled.rules.agreements}
    assert by_area["aeldre"] == {482, 410, 791}
    assert by_area["dagtilbud"] == {217, 840}
    assert by_area["folkeskole"] == {561, 316}
    assert by_area["beskaeftigelse"] == {219, 253, 740, 580}


def test_scenarios_pass_and_cover_every_fencepost(compiled) -> None:  # type: ignore[no-untyped-def]
    failures, results = run_examples(compiled)
    assert not failures, [f.message for f in failures]
    assert len(results) >= 40
    areas = {a.area for ex, _ in results for a in compiled.rules.agreements if ex.municipality in a.municipalities}
    assert areas >= {"aeldre", "dagtilbud", "folkeskole", "beskaeftigelse"}
    verdicts = {ex.expect.value for ex, _ in results}
    assert verdicts == {"allowed", "needs_decision", "not_covered", "violates_fencepost"}
    assert fence_coverage(compiled, results) == []


def test_readme_main_command_gives_a_real_verdict(compiled) -> None:  # type: ignore[no-untyped-def]
    r = check(compiled, municipality="Viborg", date="2022-05-01", deviates=["servicelovens § 83, stk. 1, nr. 3"])
    assert r.verdict.value == "needs_decision"
    assert all(x.source for f in r.findings for x in f.reasons[:1])


def test_no_reason_is_given_twice(compiled) -> None:  # type: ignore[no-untyped-def]
    """Two statuses may carry the same limit word for word (VA-Æ § 8, stk. 2-3 on SEL § 83, stk. 1 and
    on its nr. 3); a caseworker should read each reason once. Every status target, asked by every
    municipality of its agreements, on a day inside the agreement."""
    agreements = {a.id: a for a in compiled.rules.agreements}
    asked = 0
    for s in compiled.rules.statuses:
        if s.target.section is None:  # a whole law is not something a caseworker can cite
            continue
        for ag_id in s.agreements:
            ag = agreements[ag_id]
            for code in s.municipalities or ag.municipalities:
                period = ag.period_for(code)
                if period.start is None or (ag.cancelled is not None and ag.cancelled.date <= period.start):
                    continue
                r = check(compiled, municipality=str(code), date=period.start, deviates=[s.target.canonical()])
                asked += 1
                for f in r.findings:
                    said = [(x.text, x.source) for x in f.reasons]
                    assert len(said) == len(set(said)), (code, period.start, f.provision, said)
    assert asked > 500


def test_replacement_duty_cites_its_own_act(compiled) -> None:  # type: ignore[no-untyped-def]
    """»Hvis SEL § 83 fraviges, gælder i stedet VAAE § 9, stk. 1«: the source is VA-Æ (lov 879/2021),
    not the consolidation of serviceloven the deviated § was read in."""
    r = check(compiled, municipality="Viborg", date="2022-05-01", deviates=["SEL § 83, stk. 1, nr. 3"])
    duty = [x for x in r.findings[0].reasons if x.provision == "VAAE § 9, stk. 1"]
    assert duty and all(x.source == "https://www.retsinformation.dk/eli/lta/2021/879" for x in duty)


def test_every_agreement_with_an_act_names_its_transitional_rule(compiled) -> None:  # type: ignore[no-untyped-def]
    """VA-Æ § 14, stk. 2 and VADF § 11, stk. 2: measures for a citizen outlive the act. The cancelled
    beskæftigelse agreement never took effect, so it has none."""
    got = {a.id: str(a.transition) if a.transition else None for a in compiled.rules.agreements}
    assert {k: v for k, v in got.items() if v} == {"aeldre-2021": "VAAE § 14, stk. 2",
                                                  "dagtilbud-2021": "VADF § 11, stk. 2",
                                                  "folkeskole-2021": "VADF § 11, stk. 2"}
    r = check(compiled, municipality="Middelfart", date="2025-08-01", deviates=["SEL § 79 a"])
    assert r.verdict.value == "not_covered"
    said = [x for x in r.findings[0].reasons if x.provision == "VAAE § 14, stk. 2"]
    assert len(said) == 1 and "Middelfart: forebyggende hjemmebesøg" in said[0].text
    assert said[0].source == "https://www.retsinformation.dk/eli/lta/2021/879"
