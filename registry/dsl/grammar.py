"""The grammar of rule files and of citations. The only module that imports pyparsing.

A rule file is line-oriented: a declaration starts at column 1 and the indented lines under it
are its clauses. Each line is parsed on its own by the pyparsing grammar for its keyword, so an
error never hides the rest of the file and every diagnostic has an exact line and column.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyparsing as pp

from registry.diagnostics import Diagnostic, diag
from registry.dsl.tree import CitationSyntax, Clause, Decl, ParsedFile, Range, Value

pp.ParserElement.set_default_whitespace_chars(" \t")

MAX_LINE = 10_000

# ---------------------------------------------------------------------------- citations

_SEC = r"(\d{1,4})(?:\s*(?!i\s+\w)([a-zæøå])(?![\wæøå]))?"
_sec_re = re.compile(_SEC, re.I)


def _sec_value(text: str) -> str:
    m = _sec_re.fullmatch(text.strip())
    assert m is not None
    return str(int(m.group(1))) + (m.group(2) or "").lower()


SECNUM = pp.Regex(_SEC, re.I).set_name("paragrafnummer").set_parse_action(lambda t: _sec_value(t[0]))
DASH = pp.Regex(r"\s*[-–]\s*").suppress()
OG = pp.Regex(r"og(?![\wæøå])", re.I).suppress()
COMMA = pp.Suppress(",")
NUM = pp.Regex(r"\d{1,4}").set_name("tal")


SEC_ITEM = (SECNUM + pp.Optional(DASH + SECNUM)).set_parse_action(lambda t: Range(t[0], t[1] if len(t) > 1 else None))
NUM_RANGE = (NUM + pp.Optional((DASH | OG) + NUM)).set_parse_action(lambda t: Range(t[0], t[1] if len(t) > 1 else None))

STK = pp.Regex(r"stk\.?", re.I).suppress() + NUM_RANGE("stk")
NR = pp.Regex(r"nr\.?", re.I).suppress() + NUM_RANGE("nr")
LITRA = pp.Regex(r"litra", re.I).suppress() + pp.Regex(r"[a-zæøå](?![\wæøå])", re.I)("litra")
PKT = pp.Regex(r"(\d{1,3})\.\s*pkt\.?", re.I)("pkt").set_parse_action(lambda t: re.match(r"\d+", t[0]).group(0))  # type: ignore[union-attr]

SUB = (
    pp.Optional(pp.Optional(COMMA) + STK)
    + pp.Optional(pp.Optional(COMMA) + NR)
    + pp.Optional(pp.Optional(COMMA) + LITRA)
    + pp.Optional(pp.Optional(COMMA) + PKT)
)
SINGLE = pp.Regex(r"§(?!§)").set_name("'§'").suppress() + SEC_ITEM("sections*") + SUB
PLURAL = (
    pp.Regex(r"§§").set_name("'§'").suppress()
    + pp.Group(SEC_ITEM + pp.ZeroOrMore((COMMA | OG) + SEC_ITEM))("plural")
    + SUB
)
SECTION_PART = (PLURAL | SINGLE).set_name("'§' og et paragrafnummer")

LAWID_RE = r"[A-ZÆØÅ][A-ZÆØÅ0-9]*(?![\wæøå-])"
LAWID = pp.Regex(LAWID_RE).set_name("lov-id")


def _to_citation(law: str | None, t: pp.ParseResults) -> CitationSyntax:
    if "plural" in t:
        secs = list(t["plural"])
        plural = True
    else:
        secs = [t["sections"][0]]
        plural = secs[0].hi is not None
    return CitationSyntax(
        law=law,
        plural=plural,
        sections=secs,
        stk=t.get("stk"),
        nr=t.get("nr"),
        litra=t["litra"].lower() if "litra" in t else None,
        pkt=t.get("pkt"),
    )


RULE_CITATION = (LAWID("law") + SECTION_PART) | (LAWID("lawonly") + ~pp.Literal("§"))


def _rule_citation_action(t: pp.ParseResults) -> CitationSyntax:
    if "lawonly" in t:
        return CitationSyntax(law=t["lawonly"], plural=False, sections=[])
    return _to_citation(t["law"], t)


RULE_CITATION.set_parse_action(_rule_citation_action).set_name("henvisning (fx SEL § 83, stk. 1)")

# Free text (CLI, web): "servicelovens § 83", "§ 83 i lov om social service", "SEL § 83".
_LAWNAME_BEFORE = pp.Regex(r"[^§;]*?(?=\s*§)").set_name("lovnavn")
_LAWNAME_AFTER = pp.Regex(r"(?:,\s*|i\s+)([^§;]+?)\s*$", re.I)
FREE_CITATION = pp.Optional(_LAWNAME_BEFORE("before")) + SECTION_PART + pp.Optional(_LAWNAME_AFTER("after"))


class CitationError(ValueError):
    def __init__(self, message: str, col: int) -> None:
        super().__init__(message)
        self.col = col


# pyparsing elements keep per-parse state, so concurrent parses (the web service) take turns.
_PARSE_LOCK = threading.Lock()


def parse_free_citation(text: str) -> CitationSyntax:
    """Parse a citation as a caseworker types it; the law name stays text for the resolver.

    The result is shared between callers (cached): treat it as read-only.
    """
    if len(text) > 500:
        raise CitationError("henvisningen er for lang", 1)
    return _parse_free_cached(text.strip())


@functools.lru_cache(maxsize=4096)
def _parse_free_cached(text: str) -> CitationSyntax:
    try:
        with _PARSE_LOCK:
            t = FREE_CITATION.parse_string(text, parse_all=True)
    except pp.ParseBaseException as e:
        raise CitationError(_explain(e), e.col) from None
    law: str | None = None
    if "after" in t and t["after"].strip():
        law = re.sub(r"^(,\s*|\s*i\s+)", "", t["after"].strip(), flags=re.I).strip()
        col = len(text) - len(law) + 1  # the law name runs to the end of the (stripped) text
        # Text after the § part may only name the law ("§ 83, stk. 1 i serviceloven"). Anything else would be
        # dropped without a word ("§ 83, 1. stk." read as § 83), so it is an error.
        if "before" in t and t["before"].strip():
            raise CitationError(f"uventet tekst efter henvisningen: {law[:60]!r}", col)
        if re.match(r"\d|(?:.*\b)?(?:stk|nr|pkt|litra)\b", law, re.I):
            raise CitationError(f"{law[:60]!r} kan ikke læses som en del af henvisningen "
                                "(skriv fx 'stk. 1, nr. 3')", col)
    if "before" in t and t["before"].strip():
        law = t["before"].strip()
    return _to_citation(law, t)


# ---------------------------------------------------------------------------- values

def _loc(kind: str, expr: pp.ParserElement, conv: Callable[[Any], Any] = lambda v: v) -> pp.ParserElement:
    def act(s: str, loc: int, t: pp.ParseResults) -> Value:
        return Value(kind, conv(t[0]), 0, 0)

    located = pp.Located(expr.copy().add_parse_action(act))

    def fix(t: pp.ParseResults) -> Value:
        start, toks, end = t[0], t[1], t[2]
        v: Value = toks[0]
        v.col, v.end_col = start + 1, end + 1
        return v

    return located.set_parse_action(fix).set_name(expr.customName or kind)


STRING = pp.QuotedString('"', esc_char="\\", multiline=False).set_name('tekst i "anførselstegn"')
DATE_RE = pp.Regex(r"\d{4}-\d{2}-\d{2}(?!\d)").set_name("dato (ÅÅÅÅ-MM-DD)")
CODE_RE = pp.Regex(r"\d{3,4}(?!\d)").set_name("kommunekode")
ID_RE = pp.Regex(r"[a-z][a-z0-9-]*(?![\wæøå])").set_name("id")


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)  # an impossible date (2021-02-30) is caught in lowering


V_STR = _loc("str", STRING)
V_STRS = _loc("strs", pp.Group(STRING + pp.ZeroOrMore(COMMA + STRING)), list)
V_DATE = _loc("date", DATE_RE)
V_CODE = _loc("code", CODE_RE, int)
V_CODES = _loc("codes", pp.Group(CODE_RE + pp.ZeroOrMore(COMMA + CODE_RE)), lambda g: [int(x) for x in g])
V_ID = _loc("id", ID_RE)
V_IDS = _loc("ids", pp.Group(V_ID + pp.ZeroOrMore(COMMA + V_ID)), list)
V_LAWID = _loc("lawid", LAWID)
V_CIT = _loc("cit", RULE_CITATION)
V_CITS = _loc("cits", pp.Group(V_CIT + pp.ZeroOrMore((pp.Suppress(";") | OG) + V_CIT)), list)
V_NUMYEAR = _loc("numyear", pp.Regex(r"\d{1,5}/\d{4}").set_name("nummer/år (fx 879/2021)"))


def _word(*words: str) -> pp.ParserElement:
    return _loc("word", pp.Regex("|".join(re.escape(w) for w in words) + r"(?![\w-])").set_name(" eller ".join(words)))


def K(word: str) -> pp.ParserElement:
    return pp.Regex(re.escape(word) + r"(?![\w-])").suppress().set_name(word)


VERDICTS = ("allowed", "needs_decision", "not_covered", "violates_fencepost")
STATUS_KEYWORDS = ("exemptable", "exempt", "fencepost", "local-fencepost", "out-of-scope", "unknown")

# Declaration headers: keyword -> grammar of the rest of the line.
HEADERS: dict[str, pp.ParserElement] = {
    "area": V_ID + V_STR,
    "municipality": V_CODE + V_STR,
    "law": V_LAWID + V_STR,
    "provision": V_CIT + V_STR,
    "agreement": V_ID + V_STR,
    "decision": V_ID + V_STR,
    "example": V_STR,
    **{k: V_CITS + K("under") + V_IDS for k in STATUS_KEYWORDS},
}

_COMMON = {"source": V_STR, "note": V_STR}
_STATUS_CLAUSES = {
    **_COMMON,
    "inferred": V_STR,
    "for": V_CODES,
    "from": V_DATE + pp.Optional(K("to") + V_DATE),
    "to": V_DATE,
    "by": V_STR,
    "extent": _word("wholly", "partly"),
    "condition": K("disapplied") + V_CIT,
    "except": V_STR,
}

CLAUSES: dict[str, dict[str, pp.ParserElement]] = {
    "area": {"source": V_STR},
    "municipality": {"alias": V_STRS, "source": V_STR, "region": V_STR},
    "law": {
        **_COMMON,
        "alias": V_STRS,
        "version": _word("LOV", "LBK", "BEK") + V_NUMYEAR + K("of") + V_DATE
        + pp.Optional(_word("from") + V_DATE) + pp.Optional(_word("to") + V_DATE) + K("source") + V_STR,
        "sections": _word("complete") + pp.Optional(K("to") + V_DATE),
    },
    "provision": {
        **_COMMON,
        "inferred": V_STR,
        "topics": V_STRS,
        "from": V_DATE + pp.Optional(K("to") + V_DATE),
        "to": V_DATE,
        "repealed": V_DATE + K("by") + V_STR + K("source") + V_STR,
        "succeeded-by": V_CIT + K("from") + V_DATE,
        "refers-to": V_CITS,
        "requires": V_CITS,
        "replaced-by": V_CITS,
        "authorised-by": V_CITS,
        "alternative": V_CIT + V_STR,
    },
    "agreement": {
        **_COMMON,
        "inferred": V_STR,
        "area": V_ID,
        "basis": V_LAWID + K("source") + V_STR,
        "municipalities": V_CODES,
        "from": V_DATE + K("to") + V_DATE,
        "start": V_CODE + V_DATE + K("source") + V_STR,
        "extended": K("to") + V_DATE + K("by") + V_STR + K("source") + V_STR,
        "cancelled": V_DATE + K("source") + V_STR,
        "decisions-under": V_CIT,
        "overview": V_CIT,
        "transition": V_CIT,
    },
    "decision": {
        **_COMMON,
        "inferred": V_STR,
        "municipality": V_CODE,
        "under": V_ID,
        "disapplies": V_CIT + pp.Optional(_word("wholly", "partly")) + pp.Optional(V_STR),
        "decided": V_DATE,
        "published": V_DATE,
        "effective": V_DATE,
    },
    "example": {
        **_COMMON,
        "municipality": V_CODE,
        "date": V_DATE,
        "deviates": V_CITS,
        "area": V_ID,
        "expect": _word(*VERDICTS),
    },
    **{k: _STATUS_CLAUSES for k in STATUS_KEYWORDS},
}

_KEYWORD = re.compile(r"[a-z][a-z-]*")
BLANK = "\n"  # marks a blank line inside a run of comments (a comment itself never holds a newline)


def _compile(table: dict[str, pp.ParserElement]) -> dict[str, pp.ParserElement]:
    return {k: (v + pp.StringEnd()).streamline() for k, v in table.items()}


_HEADERS = _compile(HEADERS)
_CLAUSES = {decl: _compile(cl) for decl, cl in CLAUSES.items()}


# ---------------------------------------------------------------------------- lines


def split_comment(line: str) -> tuple[str, str | None]:
    """Split `code  # comment`, honouring quotes (a `#` inside "..." is text)."""
    if "#" not in line:
        return line, None
    in_str = False
    esc = False
    for i, ch in enumerate(line):
        if esc:
            esc = False
        elif ch == "\\" and in_str:
            esc = True
        elif ch == '"':
            in_str = not in_str
        elif ch == "#" and not in_str:
            return line[:i].rstrip(), line[i + 1 :].strip()
    return line, None


def _explain(e: pp.ParseBaseException) -> str:
    found = e.line[e.col - 1 : e.col + 14].split(" ")[0] if e.col - 1 < len(e.line) else ""
    expected = str(e.parser_element.customName or e.parser_element) if e.parser_element is not None else ""
    if expected.startswith("StringEnd") or expected == "end of text":
        return f"uventet tekst: {found!r}"
    if found:
        return f"forventede {expected}, fandt {found!r}"
    return f"forventede {expected}, men linjen slutter"


# ---------------------------------------------------------------------------- fast paths
#
# Performance: pyparsing takes about 0.3 ms a line, and most lines of a formatted rule file have
# one of a few canonical shapes (`source "..."`, `provision SEL § 83 a "..."`,
# `fencepost SEL § 83, stk. 1 under aeldre-2021`). These anchored regexes read exactly those shapes
# (about 20× faster) and build the very Values the grammar would. Anything else — tabs, escapes,
# ranges, `og`, litra, pkt., a letter `i`, unusual spacing — returns None and goes to the grammar
# above, which stays the definition of the language (tests/test_benchmarks_smoke.py compares them).

_F_STR = r'"[^"\\\r\n]*"'
_F_CIT = r"[A-ZÆØÅ][A-ZÆØÅ0-9]* § [0-9]{1,4}(?: [a-hj-zæøå])?(?:, stk\. [0-9]{1,4})?(?:, nr\. [0-9]{1,4})?"
_F_CIT_RE = re.compile(r"([A-ZÆØÅ][A-ZÆØÅ0-9]*) § ([0-9]{1,4})(?: ([a-hj-zæøå]))?(?:, stk\. ([0-9]{1,4}))?"
                       r"(?:, nr\. ([0-9]{1,4}))?")
_F_ID = r"[a-z][a-z0-9-]*"
_FastFn = Callable[[str, int], "list[Value] | None"]


def _past_spaces(text: str, i: int) -> int:
    """Where the grammar ends a citation: its trailing optional parts (stk., nr., ...) have already
    skipped the spaces after it when they fail, so a `cit` spans them (a quirk kept for equality)."""
    while i < len(text) and text[i] == " ":
        i += 1
    return i


def _group_end(text: str, hi: int, items: int) -> int:
    """End column of a list value: the grammar's failed `ZeroOrMore` spans the spaces after a
    one-item list (it skipped them before failing) but not after a longer one."""
    return (_past_spaces(text, hi) if items == 1 else hi) + 1


def _f_str(text: str, m: re.Match[str], g: int) -> Value:
    return Value("str", m.group(g)[1:-1], m.start(g) + 1, m.end(g) + 1)


def _f_cit(text: str, lo: int, hi: int) -> Value:
    return Value("cit", _cit_syntax(text[lo:hi]), lo + 1, _past_spaces(text, hi) + 1)


@functools.lru_cache(maxsize=65536)
def _cit_syntax(piece: str) -> CitationSyntax:
    """Performance: a provision is cited again and again (its declaration, statuses, `requires`), so
    its syntax is read once. Shared safely: nothing after the parser changes a CitationSyntax."""
    m = _F_CIT_RE.fullmatch(piece)
    assert m is not None
    law, num, letter, stk, nr = m.groups()
    return CitationSyntax(law=law, plural=False, sections=[Range(str(int(num)) + (letter or ""))],
                          stk=Range(stk) if stk else None, nr=Range(nr) if nr else None)


def _f_cits(text: str, lo: int, hi: int) -> Value:
    inner: list[Value] = []
    at = lo
    for piece in text[lo:hi].split("; "):
        v = _f_cit(text, at, at + len(piece))
        if inner:
            v.col -= 1  # after `;` the grammar starts the next citation at the space
        inner.append(v)
        at += len(piece) + 2
    return Value("cits", inner, lo + 1, inner[-1].end_col)


def _f_ids(text: str, lo: int, hi: int) -> Value:
    inner: list[Value] = []
    at = lo
    for piece in text[lo:hi].split(", "):
        inner.append(Value("id", piece, at + 1, at + len(piece) + 1))
        at += len(piece) + 2
    return Value("ids", inner, lo + 1, _group_end(text, hi, len(inner)))


def _fast(pattern: str, build: Callable[[str, re.Match[str]], list[Value]]) -> _FastFn:
    rx = re.compile(r" +" + pattern + r" *")

    def parse(line: str, start: int) -> list[Value] | None:
        """Read `line` from `start` (just after its keyword); the match's positions are the line's
        own, so the Values' columns need no shifting."""
        m = rx.fullmatch(line, start)
        return build(line, m) if m else None

    return parse


def _word_fast(*words: str) -> _FastFn:
    return _fast("(" + "|".join(re.escape(w) for w in words) + ")", lambda t, m: [
        Value("word", m.group(1), m.start(1) + 1, m.end(1) + 1)])


_FAST_STR = _fast(f"({_F_STR})", lambda t, m: [_f_str(t, m, 1)])
_FAST_DATE = _fast(r"(\d{4}-\d{2}-\d{2})", lambda t, m: [Value("date", m.group(1), m.start(1) + 1, m.end(1) + 1)])
_FAST_CODE = _fast(r"(\d{3,4})", lambda t, m: [Value("code", int(m.group(1)), m.start(1) + 1, m.end(1) + 1)])
_FAST_ID = _fast(f"({_F_ID})", lambda t, m: [Value("id", m.group(1), m.start(1) + 1, m.end(1) + 1)])
_FAST_CIT = _fast(f"({_F_CIT})", lambda t, m: [_f_cit(t, m.start(1), m.end(1))])
_FAST_CITS = _fast(f"({_F_CIT}(?:; {_F_CIT})*)", lambda t, m: [_f_cits(t, m.start(1), m.end(1))])
_FAST_STRS = _fast(f"({_F_STR}(?:, {_F_STR})*)", lambda t, m: [
    Value("strs", [x[1:-1] for x in re.findall(_F_STR, m.group(1))], m.start(1) + 1,
          _group_end(t, m.end(1), m.group(1).count('"') // 2))])
_FAST_CODES = _fast(r"(\d{3,4}(?:, \d{3,4})*)", lambda t, m: [
    Value("codes", [int(x) for x in m.group(1).split(", ")], m.start(1) + 1,
          _group_end(t, m.end(1), m.group(1).count(",") + 1))])


def _named(kind: str, head: str, conv: Callable[[str], Any]) -> _FastFn:
    """`area aeldre "..."`, `municipality 791 "..."`, `law SEL "..."`: a head value and a text."""
    return _fast(f"({head}) +({_F_STR})", lambda t, m: [
        Value(kind, conv(m.group(1)), m.start(1) + 1, m.end(1) + 1), _f_str(t, m, 2)])


_FAST_NAMED = {"id": _named("id", _F_ID, str), "code": _named("code", r"\d{3,4}", int),
               "lawid": _named("lawid", r"[A-ZÆØÅ][A-ZÆØÅ0-9]*", str)}
_FAST_PROVISION = _fast(f"({_F_CIT}) +({_F_STR})", lambda t, m: [_f_cit(t, m.start(1), m.end(1)), _f_str(t, m, 2)])
_FAST_STATUS = _fast(f"({_F_CIT}(?:; {_F_CIT})*) under ({_F_ID}(?:, {_F_ID})*)", lambda t, m: [
    _f_cits(t, m.start(1), m.end(1)), _f_ids(t, m.start(2), m.end(2))])
_FAST_FROM = _fast(r"(\d{4}-\d{2}-\d{2})(?: to (\d{4}-\d{2}-\d{2}))?", lambda t, m: [
    Value("date", m.group(g), m.start(g) + 1, m.end(g) + 1) for g in (1, 2) if m.group(g)])

_FAST_HEADERS: dict[str, _FastFn] = {
    "area": _FAST_NAMED["id"], "agreement": _FAST_NAMED["id"], "decision": _FAST_NAMED["id"],
    "municipality": _FAST_NAMED["code"], "law": _FAST_NAMED["lawid"], "provision": _FAST_PROVISION,
    "example": _FAST_STR, **{k: _FAST_STATUS for k in STATUS_KEYWORDS},
}
_FAST_CLAUSE_BY_NAME: dict[str, _FastFn] = {
    "source": _FAST_STR, "note": _FAST_STR, "inferred": _FAST_STR, "by": _FAST_STR, "except": _FAST_STR,
    "region": _FAST_STR, "alias": _FAST_STRS, "topics": _FAST_STRS, "for": _FAST_CODES,
    "municipalities": _FAST_CODES, "decided": _FAST_DATE, "published": _FAST_DATE, "effective": _FAST_DATE,
    "date": _FAST_DATE, "to": _FAST_DATE, "refers-to": _FAST_CITS, "requires": _FAST_CITS,
    "replaced-by": _FAST_CITS, "authorised-by": _FAST_CITS, "deviates": _FAST_CITS, "under": _FAST_ID,
    "area": _FAST_ID, "expect": _word_fast(*VERDICTS), "sections": _word_fast("complete"),
    "extent": _word_fast("wholly", "partly"), "disapplies": _FAST_CIT, "decisions-under": _FAST_CIT,
    "overview": _FAST_CIT, "transition": _FAST_CIT,
}


def _fast_clauses(decl: str) -> dict[str, _FastFn]:
    """The fast readers for the clauses of `decl`, only where the grammar gives the same shape."""
    out = {k: f for k, f in _FAST_CLAUSE_BY_NAME.items() if k in CLAUSES[decl]}
    if "municipality" in CLAUSES[decl]:
        out["municipality"] = _FAST_CODE
    if "from" in CLAUSES[decl]:
        # `from D` or `from D to D`; an agreement's `from` must have both, so only that shape there
        out["from"] = _FAST_FROM if decl != "agreement" else _fast(
            r"(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})", lambda t, m: [
                Value("date", m.group(g), m.start(g) + 1, m.end(g) + 1) for g in (1, 2)])
    return out


_FAST_CLAUSES = {decl: _fast_clauses(decl) for decl in CLAUSES}


def _parse_line(
    expr: pp.ParserElement, code: str, start: int, path: str, lineno: int, full: str,
    fast: _FastFn | None = None,
) -> tuple[list[Value] | None, Diagnostic | None]:
    """Parse `code` from `start` (the part after the keyword)."""
    if fast is not None and "\t" not in code:  # tabs: the grammar expands them
        quick = fast(code, start)
        if quick is not None:
            return quick, None
    text = code[start:]
    try:
        with _PARSE_LOCK:
            toks = expr.parse_string(text, parse_all=True)
    except pp.ParseBaseException as e:
        col = start + e.loc
        message = _explain(e)
        code = "P101"
        if text.count('"') % 2 == 1 and '"' in text[e.loc :]:
            code, message = "P107", "teksten mangler sit afsluttende anførselstegn"
        return None, diag(code, message, file=path, line=lineno, col=col + 1, end_col=col + 2, line_text=full)
    except RecursionError:
        return None, diag("P101", "linjen er for indviklet til at læse", file=path, line=lineno, col=start + 1, line_text=full)
    out: list[Value] = []
    for v in toks:
        if isinstance(v, Value):
            v.col += start
            v.end_col += start
            if v.kind in ("cits", "ids"):
                for inner in v.value:
                    inner.col += start
                    inner.end_col += start
            out.append(v)
    return out, None


# Danish words legal staff may reach for first, mapped to the keyword they mean.
DANISH_KEYWORDS = {
    "lov": "law", "bestemmelse": "provision", "paragraf": "provision", "aftale": "agreement",
    "kommune": "municipality", "område": "area", "beslutning": "decision", "eksempel": "example",
    "hegnspæl": "fencepost", "kilde": "source", "kan-fraviges": "exemptable", "fritaget": "exempt",
    "note": "note", "udledt": "inferred", "periode": "from", "fra": "from", "til": "to",
}


def _suggest(word: str, options: list[str]) -> str | None:
    import difflib

    if DANISH_KEYWORDS.get(word.lower()) in options:
        return f"mente du `{DANISH_KEYWORDS[word.lower()]}`? (nøgleordene er engelske)"
    best = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"mente du `{best[0]}`?" if best else None


@dataclass(frozen=True)
class LineGrammar:
    """One line-oriented language: its declarations, their clauses and the fast readers for them.

    Rule files and round files share the layout (declarations at column 1, indented clauses,
    `#` comments) and so share `parse_lines`.
    """

    headers: dict[str, pp.ParserElement]
    clauses: dict[str, dict[str, pp.ParserElement]]
    fast_headers: dict[str, _FastFn] = field(default_factory=dict)
    fast_clauses: dict[str, dict[str, _FastFn]] = field(default_factory=dict)
    what: str = ""  # added to "ukendt erklæring", e.g. " i en rundefil"
    example: str = 'provision SEL § 83 "..."'


RULES = LineGrammar(_HEADERS, _CLAUSES, _FAST_HEADERS, _FAST_CLAUSES)


def parse_text(text: str, path: str = "<tekst>") -> tuple[ParsedFile, list[Diagnostic]]:
    """Parse one rule file. Never raises: every problem becomes a diagnostic."""
    return parse_lines(text, path, RULES)


def parse_lines(text: str, path: str, lg: LineGrammar) -> tuple[ParsedFile, list[Diagnostic]]:
    """Parse a file in the line layout of `lg`. Never raises: every problem becomes a diagnostic."""
    lines = text.split("\n")
    diags: list[Diagnostic] = []
    decls: list[Decl] = []
    pending: list[str] = []
    current: Decl | None = None
    skipping = False  # the header above failed: its clauses are not reported again
    decl_names = sorted(lg.headers)
    # Performance: this loop runs once per line of every file, so what does not change from line to
    # line is looked up once (per file, or per declaration for its clause tables).
    keyword_match = _KEYWORD.match
    crlf = "\r" in text
    long_lines = len(text) > MAX_LINE
    headers, fast_headers = lg.headers, lg.fast_headers
    table: dict[str, pp.ParserElement] = {}
    fast_table: dict[str, _FastFn] = {}
    for i, raw in enumerate(lines):
        lineno = i + 1
        line = raw.rstrip("\r") if crlf else raw
        if long_lines and len(line) > MAX_LINE:
            diags.append(diag("P108", f"linjen er {len(line):,} tegn lang; højst {MAX_LINE:,} læses",
                              file=path, line=lineno, col=1, line_text=line[:MAX_LINE]))
            continue
        body = line.lstrip(" \t")
        if not body or body.isspace():
            if pending and pending[-1] != BLANK:
                pending.append(BLANK)  # a blank line after a comment block is kept by fmt
            continue
        if body[0] == "#" or (body[0].isspace() and body.strip().startswith("#")):
            pending.append(body.strip()[1:].strip())
            continue
        indent = len(line) - len(body)
        if indent and "\t" in line[:indent]:
            diags.append(diag("P109", "indryk med mellemrum, ikke tabulator", file=path, line=lineno, col=1,
                              end_col=indent + 1, line_text=line, help="`registry fmt` retter indrykningen"))
            continue
        code, comment = split_comment(line) if "#" in line else (line, None)
        m = keyword_match(code, indent)
        if m:
            word, kw_end = m.group(0), m.end()
        else:
            word = code[indent:].split(" ")[0]
            kw_end = indent + len(word)
        if indent == 0:
            expr = headers.get(word) if m else None
            if expr is None:
                diags.append(diag("P102", f"ukendt erklæring `{word[:40]}`{lg.what}", file=path, line=lineno, col=1,
                                  end_col=max(kw_end, 1) + 1, line_text=line,
                                  help=_suggest(word, decl_names) or "en erklæring begynder med: " + ", ".join(decl_names)))
                current, skipping, pending = None, True, []
                continue
            args, d = _parse_line(expr, code, kw_end, path, lineno, line, fast_headers.get(word))
            if d:
                diags.append(d)
                current, skipping, pending = None, True, []
                continue
            skipping = False
            current = Decl(word, args or [], lineno, len(code) + 1, line, comments_before=pending, comment=comment)
            table, fast_table = lg.clauses[word], lg.fast_clauses.get(word, {})
            pending = []
            decls.append(current)
            continue
        if current is None:
            if not skipping:
                diags.append(diag("P104", "indrykket linje uden en erklæring foran", file=path, line=lineno,
                                  col=indent + 1, end_col=kw_end + 1, line_text=line,
                                  help=f"skriv erklæringen (fx `{lg.example}`) i kolonne 1 over den"))
            continue
        expr = table.get(word) if m else None
        if expr is None:
            diags.append(diag("P103", f"`{word[:40]}` hører ikke til en `{current.keyword}`", file=path, line=lineno,
                              col=indent + 1, end_col=kw_end + 1, line_text=line,
                              help=_suggest(word, sorted(table)) or "mulige: " + ", ".join(sorted(table))))
            pending = []
            continue
        args, d = _parse_line(expr, code, kw_end, path, lineno, line, fast_table.get(word))
        if d:
            diags.append(d)
            pending = []
            continue
        current.clauses.append(Clause(word, args or [], lineno, indent + 1, len(code) + 1, line,
                                      comments_before=[c for c in pending if c != BLANK] if pending else [],
                                      comment=comment))
        pending = []
    while pending and pending[-1] == BLANK:
        pending.pop()
    return ParsedFile(path, decls, pending, lines), diags
