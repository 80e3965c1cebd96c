"""The grammar of round files (`*.round`): application rounds for the velfærdsaftaler.

Same look as rule files — a declaration at column 1, indented clauses under it, `#` comments —
and the same line-by-line machinery and value tokens as `registry.dsl.grammar`, so a mistake in
one line never hides the rest and every diagnostic has an exact line and column. pyparsing stays
under registry/dsl/; the meaning of a round is given in `registry.rounds`.
"""

from __future__ import annotations

import pyparsing as pp

from registry.diagnostics import Diagnostic, diag
from registry.dsl.grammar import (
    _KEYWORD,
    MAX_LINE,
    V_CODE,
    V_CODES,
    V_DATE,
    V_ID,
    V_IDS,
    V_LAWID,
    V_STR,
    K,
    _loc,
    _parse_line,
    _suggest,
    split_comment,
)
from registry.dsl.tree import Clause, Decl, ParsedFile

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


def parse_round_text(text: str, path: str = "<runde>") -> tuple[ParsedFile, list[Diagnostic]]:
    """Parse one round file. Never raises: every problem becomes a diagnostic (P1xx codes,
    which mean exactly what they mean in rule files)."""
    lines = text.split("\n")
    diags: list[Diagnostic] = []
    decls: list[Decl] = []
    pending: list[str] = []
    current: Decl | None = None
    skipping = False
    decl_names = sorted(ROUND_HEADERS)
    for i, raw in enumerate(lines):
        lineno = i + 1
        line = raw.rstrip("\r")
        if len(line) > MAX_LINE:
            diags.append(diag("P108", f"linjen er {len(line):,} tegn lang; højst {MAX_LINE:,} læses",
                              file=path, line=lineno, col=1, line_text=line[:MAX_LINE]))
            continue
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            pending.append(stripped[1:].strip())
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent]:
            diags.append(diag("P109", "indryk med mellemrum, ikke tabulator", file=path, line=lineno, col=1,
                              end_col=indent + 1, line_text=line))
            continue
        code, comment = split_comment(line)
        m = _KEYWORD.match(code, indent)
        word = m.group(0) if m else code[indent:].split(" ")[0]
        kw_end = indent + len(word)
        rest = code[kw_end:]
        if indent == 0:
            expr = _HEADERS.get(word) if m else None
            if expr is None:
                diags.append(diag("P102", f"ukendt erklæring `{word[:40]}` i en rundefil", file=path, line=lineno,
                                  col=1, end_col=max(kw_end, 1) + 1, line_text=line,
                                  help=_suggest(word, decl_names) or "en erklæring begynder med: " + ", ".join(decl_names)))
                current, skipping, pending = None, True, []
                continue
            args, d = _parse_line(expr, rest, kw_end, path, lineno, line)
            if d:
                diags.append(d)
                current, skipping, pending = None, True, []
                continue
            skipping = False
            current = Decl(word, args or [], lineno, len(code) + 1, line, comments_before=pending, comment=comment)
            pending = []
            decls.append(current)
            continue
        if current is None:
            if not skipping:
                diags.append(diag("P104", "indrykket linje uden en erklæring foran", file=path, line=lineno,
                                  col=indent + 1, end_col=kw_end + 1, line_text=line,
                                  help="skriv erklæringen (fx `application 219 under beskaeftigelse-2022`) i kolonne 1 over den"))
            continue
        table = _CLAUSES[current.keyword]
        expr = table.get(word) if m else None
        if expr is None:
            diags.append(diag("P103", f"`{word[:40]}` hører ikke til en `{current.keyword}`", file=path, line=lineno,
                              col=indent + 1, end_col=kw_end + 1, line_text=line,
                              help=_suggest(word, sorted(table)) or "mulige: " + ", ".join(sorted(table))))
            pending = []
            continue
        args, d = _parse_line(expr, rest, kw_end, path, lineno, line)
        if d:
            diags.append(d)
            pending = []
            continue
        current.clauses.append(Clause(word, args or [], lineno, indent + 1, len(code) + 1, line,
                                      comments_before=pending, comment=comment))
        pending = []
    return ParsedFile(path, decls, pending, lines), diags
