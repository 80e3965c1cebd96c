"""Fuzzing: arbitrary and near-valid rule text gives diagnostics, never an exception.

CI runs 10,000 examples per test (HYPOTHESIS_PROFILE=ci); for a 100,000-example run:
    HYPOTHESIS_PROFILE=long FUZZ_EXAMPLES=100000 python -m pytest tests/property/test_fuzz.py
"""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from registry.pipeline import compile_texts

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10000" if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else "300"))

SEED = '''law SEL "Lov om social service"
  alias "serviceloven"
  source "https://x.dk"

provision SEL § 83, stk. 1, nr. 3 "Madservice"
  source "https://x.dk"
  refers-to SEL § 83 a; SEL §§ 91-93

area aeldre "Ældre"

municipality 791 "Viborg"

agreement a-1 "Aftale"
  area aeldre
  basis SEL source "https://x.dk"
  municipalities 791
  from 2021-06-01 to 2024-09-30

exemptable SEL § 83 under a-1
  source "https://x.dk"
  condition disapplied SEL § 83, stk. 1

decision d "D"
  municipality 791
  under a-1
  disapplies SEL § 83 partly "x"
  published 2022-01-01
  source "https://x.dk"

example "E"
  municipality 791
  date 2022-05-01
  deviates SEL § 83
  expect allowed
  source "https://x.dk"
'''

TOKENS = ["§", "§§", " ", "  ", "\n", "\t", '"', "#", ",", ";", "-", "stk.", "nr.", "litra", "og", "under", "source",
          "2021-02-30", "0791", "SEL", "a-1", "provision", "exemptable", "\\", "æ", "\x00", "\r", "99999"]


def _check(text: str) -> None:
    compiled = compile_texts([("fuzz.rule", text)])
    for d in compiled.diagnostics:
        assert d.code and d.message
        assert d.line >= 0 and d.col >= 0


@settings(max_examples=EXAMPLES)
@given(st.text(max_size=400))
def test_arbitrary_text(text: str) -> None:
    _check(text)


@settings(max_examples=EXAMPLES)
@given(st.lists(st.tuples(st.integers(0, len(SEED)), st.integers(0, 8), st.sampled_from(TOKENS)), max_size=6))
def test_near_valid_text(edits: list[tuple[int, int, str]]) -> None:
    text = SEED
    for pos, cut, token in edits:
        pos = min(pos, len(text))
        text = text[:pos] + token + text[pos + cut:]
    _check(text)
