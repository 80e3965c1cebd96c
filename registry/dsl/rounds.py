"""The grammar of round files (`*.round`): application rounds for the velfærdsaftaler.

Same look as rule files — a declaration at column 1, indented clauses under it, `#` comments —
and the same line-by-line machinery and value tokens as `registry.dsl.grammar`, so a mistake in
one line never hides the rest and every diagnostic has an exact line and column. pyparsing stays
under registry/dsl/; the meaning of a round is given in `registry.rounds`.
"""

from __future__ import annotations

import pyparsing as pp

from registry.diagnostics import Diagnostic
from registry.dsl.grammar import (
    V_CODE,
    V_CODES,
    V_DATE,
    V_ID,
    V_IDS,
    V_LAWID,
    V_STR,
    K,
    LineGrammar,
    _loc,
    parse_lines,
)
from registry.dsl.tree import ParsedFile

# A small count (places per area, the order of a round). Codes are 3-4 digits, so not V_CODE.
V_INT = _loc("int", pp.Regex(r"\d{1,4}(?![\d\w])").set_name("et tal"), int)

ROUND_HEADERS: dict[str, pp.ParserElement] = {
    # round beskaeftigelse-2022 "Udpegning af velfærdskommuner på beskæftigelsesområdet"
    "round": V_ID + V_STR,
    # application 219 under beskaeftigelse-2022
    "application": V_CODE + K("under") + V_ID,
    # region hovedstaden "Region Hovedstaden"
    "region": V_ID + V_STR,
}

_COMMON = {"source": V_STR, "note": V_STR}

ROUND_CLAUSES: dict[str, dict[str, pp.ParserElement]] = {
    "round": {
        **_COMMON,
        "areas": V_IDS,
        "places": V_ID + V_INT,
        "deadline": V_DATE,
        "order": V_INT,
        "ranking": V_IDS,
        # The decision as it was really made, used as a fixed input by the allocation.
        "chosen": V_ID + V_CODES,
        # The recorded real outcome, which the allocation is compared with.
        "result": V_ID + V_CODES,
        # Only needed for draft agreements: the trial period and the act per area.
        "period": V_DATE + K("to") + V_DATE,
        "basis": V_ID + V_LAWID + K("source") + V_STR,
    },
    "application": {
        **_COMMON,
        "inferred": V_STR,
        "first": V_ID + pp.Optional(V_STR),
        "fallback": V_ID + pp.Optional(V_STR),
        "contact": V_STR,
        "submitted": V_DATE,
    },
    "region": {
        **_COMMON,
        "municipalities": V_CODES,
    },
}

def _compile(table: dict[str, pp.ParserElement]) -> dict[str, pp.ParserElement]:
    return {k: (v + pp.StringEnd()).streamline() for k, v in table.items()}


_HEADERS = _compile(ROUND_HEADERS)
_CLAUSES = {decl: _compile(cl) for decl, cl in ROUND_CLAUSES.items()}


ROUNDS = LineGrammar(_HEADERS, _CLAUSES, what=" i en rundefil", example="application 219 under beskaeftigelse-2022")


def parse_round_text(text: str, path: str = "<runde>") -> tuple[ParsedFile, list[Diagnostic]]:
    """Parse one round file. Never raises: every problem becomes a diagnostic (P1xx codes,
    which mean exactly what they mean in rule files)."""
    return parse_lines(text, path, ROUNDS)
