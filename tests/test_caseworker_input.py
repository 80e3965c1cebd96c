"""What a caseworker types, read as typed: nothing dropped, nothing guessed, every error located.

Found by a black-box pass over `registry check` on the bundled rules (November 2026).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from registry.checker import CheckInputError, check
from registry.cli import main
from registry.pipeline import load

RULES = Path(__file__).resolve().parent.parent / "rules"


@pytest.fixture(scope="module")
def compiled():  # type: ignore[no-untyped-def]
    c = load([str(RULES)], use_cache=False)
    assert c.ok
    return c


@pytest.mark.parametrize(("text", "col"), [
    ("SEL § 83, 1. stk.", 11),  # read as "SEL § 83" before: a different verdict
    ("SEL § 83, stk. 1, pkt. 2", 19),
    ("SEL § 83, stk. 1, hvad som helst", 19),
    ("SEL § 85, ikke", 11),
    ("§ 83, 1. stk.", 7),
])
def test_text_after_the_citation_is_an_error_not_dropped(compiled, text: str, col: int) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CheckInputError) as e:
        check(compiled, municipality="Viborg", date="2022-05-01", deviates=[text])
    d = e.value.diagnostics[0]
    assert d.code == "C402" and d.col == col and d.file == "--deviates"


def test_a_law_name_after_the_section_still_reads(compiled) -> None:  # type: ignore[no-untyped-def]
    r = check(compiled, municipality="Viborg", date="2022-05-01", deviates=["§ 83, stk. 1 i serviceloven"])
    assert r.findings[0].provision == "SEL § 83, stk. 1" and r.verdict.value == "needs_decision"


def test_an_unknown_part_is_flagged(compiled) -> None:  # type: ignore[no-untyped-def]
    typo = check(compiled, municipality="Viborg", date="2022-05-01", deviates=["SEL § 83, stk. 1, nr. 99"])
    assert any("SEL § 83, stk. 1, nr. 99 er ikke registreret" in w and "SEL § 83, stk. 1." in w
               for w in typo.warnings)
    known = check(compiled, municipality="Viborg", date="2022-05-01", deviates=["SEL § 83, stk. 1, nr. 3"])
    assert not [w for w in known.warnings if "ikke registreret" in w]


@pytest.mark.parametrize("text", ["SEL\u00a0§\u00a083", "S\u200bEL § 83", "SEL §\u202f83\ufeff"])
def test_pasted_text_is_cleaned(compiled, text: str) -> None:  # type: ignore[no-untyped-def]
    r = check(compiled, municipality="Vi\u00adborg", date="2022-05-01", deviates=[text])
    assert r.findings[0].provision == "SEL § 83" and r.municipality.code == 791


@pytest.mark.parametrize(("kw", "flag"), [
    ({"municipality": "Vibor"}, "--municipality"),
    ({"municipality": "9999"}, "--municipality"),
    ({"date": "2021-02-30"}, "--date"),
    ({"area": "xx"}, "--area"),
    ({"deviates": ["SEL § 83 z"]}, "--deviates"),
    ({"deviates": ["§ 83"]}, "--deviates"),
])
def test_every_bad_value_is_located(compiled, kw: dict, flag: str) -> None:  # type: ignore[no-untyped-def]
    args = {"municipality": "Viborg", "date": "2022-05-01", **kw}
    with pytest.raises(CheckInputError) as e:
        check(compiled, **args)
    d = e.value.diagnostics[0]
    assert d.file == flag and d.line == 1 and d.col >= 1 and d.line_text and d.help


def test_nothing_declared_says_so_without_claiming_a_deviation(compiled) -> None:  # type: ignore[no-untyped-def]
    r = check(compiled, municipality="Viborg", date="2022-05-01")
    assert "ikke angivet nogen fravigelse" in r.summary and "fravige det angivne" not in r.summary


def test_a_member_outside_its_period_is_told_the_date_is_the_problem(compiled) -> None:  # type: ignore[no-untyped-def]
    r = check(compiled, municipality="Viborg", date="2021-05-14", deviates=["SEL § 83, stk. 1"])
    texts = [x.text for x in r.findings[0].reasons]
    assert any("ikke på denne dato" in x for x in texts) and not any("ikke af denne kommune" in x for x in texts)
    assert not [x for x in r.findings[0].reasons if x.provision == "VAAE § 9, stk. 1"]  # VA-Æ not in force yet
    aarhus = check(compiled, municipality="Aarhus", date="2022-05-01", deviates=["SEL § 83, stk. 1"])
    assert any("ikke af denne kommune" in x.text for x in aarhus.findings[0].reasons)


def test_the_replacement_duty_is_named_when_the_provision_is_disapplied(compiled) -> None:  # type: ignore[no-untyped-def]
    r = check(compiled, municipality="Middelfart", date="2022-03-01", deviates=["SEL § 83, stk. 1"])
    assert r.verdict.value == "allowed"
    assert [x for x in r.findings[0].reasons if x.provision == "VAAE § 9, stk. 1"]


def test_a_whole_section_points_to_its_parts_that_can_be_disapplied(compiled) -> None:  # type: ignore[no-untyped-def]
    r = check(compiled, municipality="Viborg", date="2022-05-01", deviates=["SEL § 83"])
    assert r.verdict.value == "not_covered"
    assert any(x.provision == "SEL § 83, stk. 1" and "kan fraviges" in x.text for x in r.findings[0].reasons)


def test_an_empty_rules_folder_is_invalid_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "-m", "Viborg", "-d", "2022-05-01", "--rules", str(tmp_path)]) == 3
    assert "ingen regelfiler" in capsys.readouterr().err
    assert main(["lint", str(tmp_path)]) == 3


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash for PIPESTATUS")
def test_the_exit_status_survives_a_closed_pipe() -> None:
    cmd = (f"'{sys.executable}' -m registry check -m Viborg -d 2022-05-01 --deviates 'SEL § 83' | true; "
           "exit ${PIPESTATUS[0]}")
    done = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_a_console_without_danish_letters_still_gets_the_verdict() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = subprocess.run([sys.executable, "-m", "registry", "check", "-m", "Viborg", "-d", "2022-05-01",
                           "--deviates", "SEL § 83"], capture_output=True, env=env)
    assert done.returncode == 1, done.stderr  # not_covered, not "intern fejl" (4)
    assert b"IKKE OMFATTET" in done.stdout
