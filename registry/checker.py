"""The compliance checker: may municipality M, on date D, deviate from these provisions?

Pure: no I/O, no printing, no networkx (the fence-post requirements were computed by `graph`
when the rules were compiled). The same function serves the CLI, the web page and Python.

Per cited provision, every part that carries its own status is judged (a § covers its stk.),
the most specific applicable status wins, and the finding is the worst of its parts:
violates_fencepost > not_covered > needs_decision > allowed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from registry.diagnostics import Diagnostic, diag
from registry.dsl.tree import CitationSyntax, Range
from registry.messages import t
from registry.model import (
    Agreement,
    Citation,
    Decision,
    DecisionItem,
    FenceRequirement,
    Law,
    Municipality,
    Provision,
    Status,
    StatusKind,
    Succession,
    Verdict,
    is_within,
    overlaps,
    section_label,
)
from registry.pipeline import Compiled, LawPart

# ---------------------------------------------------------------------------- input / output


class CheckRequest(BaseModel):
    """What a caseworker asks. The JSON API takes exactly this."""

    # Performance: `registry check` never validates a CheckRequest (the web API does), so its schema is
    # built on first use instead of at every start of the command.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    municipality: str = Field(min_length=1, max_length=100, description="navn eller kommunekode (fx Viborg, 791)")
    date: dt.date | None = Field(default=None, description="dato (ÅÅÅÅ-MM-DD); i dag, hvis udeladt")
    deviates: list[str] = Field(default_factory=list, max_length=50,
                                description="de bestemmelser, praksis fraviger, fx 'servicelovens § 83, stk. 1, nr. 3'")
    area: str | None = Field(default=None, max_length=40)
    description: str | None = Field(default=None, max_length=5000, description="fri beskrivelse af praksis")
    lang: Literal["da", "en"] = "da"

    @field_validator("deviates")
    @classmethod
    def _short(cls, v: list[str]) -> list[str]:
        for item in v:
            if len(item) > 300:
                raise ValueError("en henvisning må højst være 300 tegn")
        return [x.strip() for x in v if x.strip()]


class Reason(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    provision: str | None = None
    source: str | None = None


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    cited: str
    provision: str
    status: str | None
    verdict: Verdict
    reasons: list[Reason]
    path: list[str] = Field(default_factory=list)


class MunicipalityRef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: int
    name: str


class CheckResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    verdict: Verdict
    inside: bool
    municipality: MunicipalityRef
    date: dt.date
    findings: list[Finding]
    warnings: list[str]
    ruleset: str
    summary: str
    lang: Literal["da", "en"] = "da"


class CheckInputError(Exception):
    """The question cannot be answered as asked: unknown municipality, §, date or area."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


# ---------------------------------------------------------------------------- index

T = TypeVar("T")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


@dataclass
class LawIndex:
    """Look-ups over one law's part of the rules, built the first time a check touches the law."""

    sections: set[str] = field(default_factory=set)
    provisions: dict[str, Provision] = field(default_factory=dict)  # § -> the § itself (not its stk.)
    by_citation: dict[Citation, Provision] = field(default_factory=dict)
    statuses: dict[str | None, list[Status]] = field(default_factory=dict)  # § (None: the whole law)
    fence_statuses: dict[str, list[Status]] = field(default_factory=dict)  # canonical target
    # fence requirements that fall on this law by § (None: the whole law), with their global order
    fence_reqs: dict[str | None, list[tuple[int, str, FenceRequirement]]] = field(default_factory=dict)

    @classmethod
    def build(cls, part: LawPart) -> LawIndex:
        li = cls()
        for p in part.provisions:
            li.by_citation[p.ref] = p
            if p.ref.section:
                li.sections.add(p.ref.section)
                if p.ref.stk is None:
                    li.provisions[p.ref.section] = p
        for s in part.statuses:
            li.statuses.setdefault(s.target.section, []).append(s)
            if s.is_fencepost:
                li.fence_statuses.setdefault(s.target.canonical(), []).append(s)
        for entry in part.fence_reqs:
            li.fence_reqs.setdefault(entry[2].required.section, []).append(entry)
        return li

    def statuses_for(self, section: str | None) -> list[Status]:
        """The statuses that can apply to a § : those on it and those on the whole law."""
        return self.statuses.get(section, []) + (self.statuses.get(None, []) if section is not None else [])


@dataclass
class MunicipalityIndex:
    decisions: list[Decision]
    # (law, §) -> (order, decision, item): the decision items that can cover a §
    items: dict[tuple[str, str | None], list[tuple[int, Decision, DecisionItem]]]

    @classmethod
    def build(cls, decisions: list[Decision]) -> MunicipalityIndex:
        items: dict[tuple[str, str | None], list[tuple[int, Decision, DecisionItem]]] = {}
        order = 0
        for d in decisions:
            for item in d.items:
                items.setdefault((item.target.law or "", item.target.section), []).append((order, d, item))
                order += 1
        return cls(decisions, items)


class Index:
    """The checker's look-up tables. The small ones are built at once; a law's and a municipality's
    are built from the compiled rules the first time a check needs them (see `Compiled`)."""

    def __init__(self, compiled: Compiled) -> None:
        self.compiled = compiled
        h = compiled.header
        self.areas = {a.id: a for a in h.areas}
        self.laws: dict[str, Law] = {}
        self.law_names: dict[str, str] = {}
        for law in h.laws:
            self.laws[law.id] = law
            for name in (law.id, law.title, *law.aliases):
                n = _norm(name)
                self.law_names.setdefault(n, law.id)
                if n.endswith(("en", "loven", "lov")) and not n.endswith("s"):
                    self.law_names.setdefault(n + "s", law.id)  # genitive: serviceloven -> servicelovens
        self.municipalities: dict[int, Municipality] = {}
        self.municipality_names: dict[str, int] = {}
        for m in h.municipalities:
            self.municipalities[m.code] = m
            for name in (m.name, *m.aliases):
                self.municipality_names.setdefault(_strip_kommune(name), m.code)
        self.agreements: dict[str, Agreement] = {a.id: a for a in h.agreements}
        self._laws: dict[str, LawIndex] = {}
        self._munis: dict[int, MunicipalityIndex] = {}
        self._lock = threading.Lock()

    def law(self, law_id: str | None) -> LawIndex:
        key = law_id or ""
        return self._laws.get(key) or self._build(self._laws, key, lambda: LawIndex.build(self.compiled.law_part(key)))

    def municipality(self, code: int) -> MunicipalityIndex:
        return self._munis.get(code) or self._build(
            self._munis, code, lambda: MunicipalityIndex.build(self.compiled.municipality_decisions(code)))

    def _build(self, table: dict[Any, T], key: object, make: Callable[[], T]) -> T:
        with self._lock:  # threads of the web server share the index: one build per table entry
            if key not in table:
                table[key] = make()
            return table[key]

    def sections(self, law_id: str) -> set[str]:
        return self.law(law_id).sections

    def warm(self) -> None:
        """Build every table now (a server does this once, before it takes requests)."""
        for law_id in self.laws:
            self.law(law_id)
        for code in self.municipalities:
            self.municipality(code)


def _strip_kommune(name: str) -> str:
    n = _norm(name)
    n = re.sub(r"\s*kommunes?$", "", n)
    return n


def index_of(compiled: Compiled) -> Index:
    ix = getattr(compiled, "_index", None)
    if ix is None:
        ix = Index(compiled)
        compiled._index = ix  # type: ignore[attr-defined]
    return ix


# ---------------------------------------------------------------------------- resolution


_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")  # soft hyphen, zero-width characters
_HARD_SPACE = re.compile("[\u00a0\u2007\u202f]")  # no-break spaces


def clean_input(text: str) -> str:
    """Text pasted from Word or a web page: invisible characters go, no-break spaces become spaces."""
    return _HARD_SPACE.sub(" ", _INVISIBLE.sub("", text))


def _where(flag: str, text: str, col: int = 1) -> dict[str, Any]:
    """Where a bad command-line value is, for the diagnostic's file:line:col and caret."""
    return {"file": flag, "line": 1, "col": col, "line_text": text[:300]}


def resolve_municipality(ix: Index, text: str) -> Municipality:
    text = clean_input(text)
    raw = text.strip()
    if re.fullmatch(r"\d{1,4}", raw):
        code = int(raw)
        if code in ix.municipalities:
            return ix.municipalities[code]
        raise CheckInputError([diag("C400", f"{raw} er ikke en kommunekode", **_where("--municipality", raw),
                                    help="kommunekoden er Danmarks Statistiks kode, fx 791 eller 0791 for Viborg")])
    key = _strip_kommune(raw)
    for candidate in (key, key[:-1] if key.endswith("s") else None):
        if candidate and candidate in ix.municipality_names:
            return ix.municipalities[ix.municipality_names[candidate]]
    names = {ix.municipalities[c].name: c for c in set(ix.municipality_names.values())}
    near = difflib.get_close_matches(raw.title(), list(names), n=3, cutoff=0.5)
    help = ("mente du " + " eller ".join(f"{n} ({names[n]})" for n in near) + "?") if near else \
        "skriv kommunens navn (fx Viborg) eller kode (fx 791)"
    raise CheckInputError([diag("C400", f"ukendt kommune: {raw[:60]!r}", **_where("--municipality", raw), help=help)])


@dataclass
class Cited:
    text: str
    law: str | None  # None: a law the registry does not model
    law_text: str
    citations: list[Citation]
    undeclared: bool = False


# Performance: a citation typed in its canonical form ("SEL § 83, stk. 1, nr. 3", "servicelovens § 83 a")
# is read by this regex, so a warm `registry check` need not import pyparsing (a third of its start-up);
# anything else goes to the grammar. It builds exactly what registry.dsl.grammar.parse_free_citation
# would (tests/test_benchmarks_smoke.py compares the two).
_QUICK_CITATION = re.compile(r"([^§;]*?) *§ ([0-9]{1,4})(?: ([a-hj-zæøå]))?(?:, stk\. ([0-9]{1,4}))?"
                             r"(?:, nr\. ([0-9]{1,4}))?")


_ODD_SPACE = re.compile(r"[^\S ]")  # tabs, newlines, no-break spaces...: only the grammar decides on those


def quick_citation(text: str) -> CitationSyntax | None:
    m = _QUICK_CITATION.fullmatch(text.strip()) if len(text) <= 500 and not _ODD_SPACE.search(text) else None  # tabs: expanded there
    if m is None:
        return None
    before, num, letter, stk, nr = m.groups()
    return CitationSyntax(law=before.strip() or None, plural=False, sections=[Range(str(int(num)) + (letter or ""))],
                          stk=Range(stk) if stk else None, nr=Range(nr) if nr else None)


def resolve_citation(ix: Index, text: str, day: dt.date | None = None) -> Cited:
    from registry.citations import RangeError, SectionIndex, expand

    text = clean_input(text)
    syntax = quick_citation(text)
    if syntax is None:
        from registry.dsl.grammar import CitationError, parse_free_citation

        try:
            syntax = parse_free_citation(text)
        except CitationError as e:
            raise CheckInputError([diag("C402", f"henvisningen kan ikke læses: {e}", **_where("--deviates", text, e.col),
                                        help="skriv fx 'servicelovens § 83, stk. 1, nr. 3' eller 'SEL § 83'")]) from None
    if not syntax.law:
        raise CheckInputError([diag("C402", f"{text!r} siger ikke, hvilken lov der menes", **_where("--deviates", text),
                                    help="skriv loven foran, fx 'SEL § 83' eller 'servicelovens § 83'; kendte love: "
                                         + ", ".join(sorted(ix.laws)))])
    law_id = ix.law_names.get(_norm(syntax.law)) or ix.law_names.get(_norm(syntax.law).upper().lower())
    if law_id is None:
        return Cited(text, None, syntax.law, [])
    law = ix.laws[law_id]
    try:
        cits = expand(syntax, SectionIndex({law_id: ix.sections(law_id)}), law=law_id)
    except RangeError as e:
        raise CheckInputError([diag("C402", f"henvisningen kan ikke bruges: {e}", **_where("--deviates", text),
                                    help=e.help)]) from None
    declared = ix.sections(law_id)
    missing = [c for c in cits if c.section not in declared]
    if missing and law.complete_on(day):
        from registry.validate import nearest_sections

        c = missing[0]
        near = ", ".join(f"{law_id} § {section_label(s)}" for s in nearest_sections(c.section or "", declared))
        at = text.find("§") + 1 or 1
        raise CheckInputError([diag("C401", f"{law_id} § {section_label(c.section or '')} findes ikke i "
                                            f"{law.title}", **_where("--deviates", text, at),
                                    help=f"nærmeste: {near}" if near else None)])
    return Cited(text, law_id, syntax.law, cits, undeclared=bool(missing))


# ---------------------------------------------------------------------------- judging


@dataclass
class _Judged:
    verdict: Verdict
    status: str | None
    reasons: list[Reason]
    path: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_TIE = {StatusKind.FENCEPOST: 0, StatusKind.LOCAL_FENCEPOST: 0, StatusKind.OUT_OF_SCOPE: 1, StatusKind.UNKNOWN: 1,
        StatusKind.EXEMPTABLE: 2, StatusKind.EXEMPT: 3}


class _Judge:
    def __init__(self, ix: Index, muni: Municipality, day: dt.date, area: str | None, lang: str) -> None:
        self.ix, self.muni, self.day, self.area, self.lang = ix, muni, day, area, lang
        self.member = [a for a in ix.agreements.values() if muni.code in a.municipalities]
        self.active = {a.id: a for a in self.member if a.in_force_for(muni.code, day)
                       and (area is None or a.area == area)}
        self.mi = ix.municipality(muni.code)
        self.decisions = [d for d in self.mi.decisions
                          if d.agreement in self.active and d.effective <= day]
        self.decision_ids = {id(d) for d in self.decisions}

    def _t(self, key: str, **kw: object) -> str:
        return t(key, self.lang, **kw)

    def applies(self, s: Status) -> bool:
        return (any(a in self.active for a in s.agreements)
                and (not s.municipalities or self.muni.code in s.municipalities)
                and s.period.contains(self.day))

    def agreement_of(self, s: Status) -> Agreement:
        return next(self.active[a] for a in s.agreements if a in self.active)

    def disapplied(self, c: Citation) -> bool:
        """Is `c` disapplied for this municipality today (by statute or a decision in force)?"""
        for s in self.ix.law(c.law).statuses_for(c.section):
            if s.kind is StatusKind.EXEMPT and self.applies(s) and is_within(c, s.target):
                return True
        # A decision on `c` or on what contains it (wholly, or partly as the acts allow: "helt eller
        # delvist"); a decision on only a smaller part of `c` does not disapply `c`.
        return any(is_within(c, item.target) for d in self.decisions for item in d.items)

    def effective_status(self, x: Citation, candidates: list[Status]) -> Status | None:
        best: Status | None = None
        for s in candidates:
            if not is_within(x, s.target) or not self.applies(s):
                continue
            if s.condition is not None and not self.disapplied(s.condition):
                continue
            if best is None:
                best = s
                continue
            a, b = s.target.depth, best.target.depth
            if a > b or (a == b and _TIE[s.kind] < _TIE[best.kind]):
                best = s
        return best

    def judge(self, c: Citation) -> _Judged:
        ix = self.ix
        candidates = ix.law(c.law).statuses_for(c.section)
        points = [c] + sorted({s.target for s in candidates if s.target != c and is_within(s.target, c)},
                              key=lambda x: x.key_sort)
        results = []
        for x in points:
            s = self.effective_status(x, candidates)
            if s is None and x != c:
                continue
            results.append(self.judge_point(x, s))
        results.extend(self.required_by_fence(c))
        worst = max(results, key=lambda r: r.verdict.severity)
        reasons: list[Reason] = []
        warnings: list[str] = []
        said: set[tuple[str, str | None]] = set()  # two statuses may give the same limit ("except") word for word
        for r in results:
            if r.verdict == worst.verdict:
                for reason in r.reasons:
                    if (reason.text, reason.source) not in said:
                        said.add((reason.text, reason.source))
                        reasons.append(reason)
            warnings += [w for w in r.warnings if w not in warnings]
        if worst.verdict is not Verdict.ALLOWED:
            reasons += [x for x in self.guidance(c, siblings=not worst.verdict.inside) if x not in reasons]
        else:  # disapplied: now the duty that replaces it must be kept
            reasons += [x for x in self.duties(c) if x not in reasons]
        return _Judged(worst.verdict, worst.status, reasons, worst.path, warnings)

    def judge_point(self, x: Citation, s: Status | None) -> _Judged:
        name = x.canonical()
        if s is None:
            return self.no_status(x)
        ag = self.agreement_of(s)
        warnings = []
        if s.inferred:
            warnings.append(self._t("inferred_warning", target=s.target.canonical(), note=s.inferred))
        if ag.inferred:
            warnings.append(self._t("inferred_agreement_warning", agreement=ag.id, note=ag.inferred))
        extra: list[Reason] = []
        if s.condition is not None:
            extra.append(Reason(text=self._t("condition_met", condition=s.condition.canonical()),
                                provision=s.condition.canonical(), source=s.source))
        if s.except_text:
            # on the status's own target: every point that status decides then shares one reason
            extra.append(Reason(text=self._t("except", text=s.except_text), provision=s.target.canonical(),
                                source=s.source))
        kind = s.kind
        if s.is_fencepost:
            key = "local_fencepost" if kind is StatusKind.LOCAL_FENCEPOST else "fencepost"
            return _Judged(Verdict.VIOLATES_FENCEPOST, kind.value,
                           [Reason(text=self._t(key, target=s.target.canonical(), agreement=ag.id),
                                   provision=s.target.canonical(), source=s.source)],
                           [s.target.canonical()], warnings)
        if kind is StatusKind.EXEMPT:
            return _Judged(Verdict.ALLOWED, kind.value,
                           [Reason(text=self._t("exempt_statute", target=name, agreement=ag.id, by=s.by or s.source),
                                   provision=s.target.canonical(), source=s.source), *extra], [], warnings)
        if kind is StatusKind.OUT_OF_SCOPE:
            return _Judged(Verdict.NOT_COVERED, kind.value,
                           [Reason(text=self._t("out_of_scope", target=name, agreement=ag.id),
                                   provision=s.target.canonical(), source=s.source)], [], warnings)
        if kind is StatusKind.UNKNOWN:
            note = s.note or s.inferred or ""
            warnings.append(self._t("unknown_warning", target=name, note=note))
            return _Judged(Verdict.NOT_COVERED, kind.value,
                           [Reason(text=self._t("unknown_status", target=name, agreement=ag.id, note=note),
                                   provision=s.target.canonical(), source=s.source)], [], warnings)
        # exemptable: a published decision in force must disapply it. Performance: only the items on
        # x's law and § (or the whole law) can cover x, so those are looked up, in the decisions' order,
        # instead of scanning every decision of the municipality.
        items = self.mi.items
        cands = items.get((x.law or "", x.section), []) + (items.get((x.law or "", None), []) if x.section else [])
        for _, d, item in sorted(cands, key=lambda e: e[0]):
            if id(d) not in self.decision_ids or d.agreement not in s.agreements:
                continue
            if is_within(x, item.target):
                if d.inferred:
                    warnings.append(self._t("inferred_decision_warning", title=d.title, note=d.inferred))
                if item.extent == "partly":
                    warnings.append(self._t("partly_warning", target=item.target.canonical(),
                                            note=item.note or "-"))
                return _Judged(Verdict.ALLOWED, kind.value, [
                    Reason(text=self._t("decision_in_force", title=d.title, published=d.published,
                                        effective=d.effective, target=item.target.canonical(),
                                        extent=self._t(f"extent.{item.extent}")),
                           provision=item.target.canonical(), source=d.source), *extra], [], warnings)
        under = self._t("under_cit", cit=ag.decisions_under.canonical()) if ag.decisions_under else ""
        overview = self._t("overview_cit", cit=ag.overview.canonical()) if ag.overview else ""
        # VA-Æ/VADF § 6, stk. 2: a decision takes effect the day after it is published at the earliest, so
        # on the last day of the exemption no decision published now can take effect any more.
        earliest = self.day + dt.timedelta(days=1)
        last = min((e for e in (ag.end, s.period.end) if e is not None), default=None)
        how = (self._t("how_to_decide_too_late", under=under, earliest=earliest, target=name, agreement=ag.id,
                       end=last) if last is not None and earliest > last else
               self._t("how_to_decide", under=under, overview=overview, earliest=earliest, date=self.day)
               + (self._t("decide_until", end=last, agreement=ag.id) if last is not None else ""))
        return _Judged(Verdict.NEEDS_DECISION, kind.value, [
            Reason(text=self._t("exemptable_needs_decision", target=name, agreement=ag.id, date=self.day),
                   provision=s.target.canonical(), source=s.source),
            Reason(text=how, provision=(ag.decisions_under or ag.overview or s.target).canonical(),
                   source=ag.basis_source),
            *extra], [], warnings)

    def no_status(self, x: Citation) -> _Judged:
        name = x.canonical()
        area_txt = self._t("area_suffix", area=self.area) if self.area else ""
        if not self.active:
            reasons = [Reason(text=self._t("no_agreement", name=self.muni.name, date=self.day, area=area_txt))]
            for a in self.member:
                p = a.period_for(self.muni.code)
                if a.cancelled is not None:
                    reasons.append(Reason(text=self._t("agreement_cancelled", agreement=a.id, date=a.cancelled.date,
                                                       start=p.start), source=a.cancelled.source))
                    continue
                reasons.append(Reason(text=self._t("agreement_period", agreement=a.id, start=p.start, end=p.end),
                                      source=a.basis_source))
            more, warnings = self.transition(x)
            return _Judged(Verdict.NOT_COVERED, None, reasons + more, warnings=warnings)
        ag = sorted(self.active)[0]
        return _Judged(Verdict.NOT_COVERED, None,
                       [Reason(text=self._t("no_status", target=name, agreement=ag), provision=name)])

    def transition(self, x: Citation) -> tuple[list[Reason], list[str]]:
        """After an agreement's act is repealed, measures for a citizen that the municipality decided under it
        and that had not run out go on under the act until the municipality decides otherwise (VA-Æ § 14,
        stk. 2; VADF § 11, stk. 2). Said when a decision of the municipality in force at the end covered `x`."""
        reasons: list[Reason] = []
        warnings: list[str] = []
        for a in self.member:
            end = a.end
            if (a.transition is None or a.cancelled is not None or end is None or self.day <= end
                    or (self.area is not None and a.area != self.area)):
                continue
            titles = [f'"{d.title}"' for d in self.mi.decisions if d.agreement == a.id and d.effective <= end
                      and any(overlaps(item.target, x) for item in d.items)]
            if not titles:
                continue
            rule = a.transition.canonical()
            reasons.append(Reason(text=self._t("transition", agreement=a.id, end=end, decisions=", ".join(titles),
                                               rule=rule, target=x.canonical()),
                                  provision=rule, source=a.basis_source))
            warnings.append(self._t("transition_warning", decisions=", ".join(titles), rule=rule))
        return reasons, warnings

    def required_by_fence(self, c: Citation) -> list[_Judged]:
        # Performance: only the requirements on c's law and § (or on the whole law) can overlap c, so
        # they are looked up instead of scanning every fence post's requirements (O(fences) a check).
        reqs = self.ix.law(c.law).fence_reqs
        if c.section is None:
            cands = [e for es in reqs.values() for e in es]
        else:
            cands = reqs.get(c.section, []) + reqs.get(None, [])
        out = []
        for _, key, req in sorted(cands, key=lambda e: e[0]):  # the order of the full scan
            if not overlaps(req.required, c):
                continue
            fence = self.active_fence(key)
            if fence is None:
                continue
            out.append(_Judged(Verdict.VIOLATES_FENCEPOST, fence.kind.value, [Reason(
                text=self._t("required_by_fencepost", fence=key, target=req.required.canonical(),
                             path=" → ".join(req.path)),
                provision=key, source=fence.source)], list(req.path)))
        return out

    def active_fence(self, key: str) -> Status | None:
        """The fence-post status behind `key`, if it holds here and is not overridden at its own target."""
        law_id = key.split(" ", 1)[0]  # a canonical name begins with its law id, which has no spaces
        for s in self.ix.law(law_id).fence_statuses.get(key, []):
            if self.applies(s):
                eff = self.effective_status(s.target, self.ix.law(s.target.law).statuses_for(s.target.section))
                if eff is not None and eff.is_fencepost:
                    return s
        return None

    def duties(self, c: Citation) -> list[Reason]:
        """The duties that replace `c` when it is disapplied (VA-Æ § 9 for SEL § 83). They come with an
        agreement, so they are said only while one is in force for the municipality."""
        p = self.ix.law(c.law).provisions.get(c.section or "")
        if p is None or not self.active:
            return []
        out = []
        for duty in p.replaced_by:
            # the duty's own act is the source, when the registry declares it
            declared = self.ix.law(duty.law).by_citation.get(duty) if duty.law in self.ix.laws else None
            if declared is not None and not declared.in_force_on(self.day):
                continue
            out.append(Reason(text=self._t("replaced_by", target=p.id, duty=duty.canonical()),
                              provision=duty.canonical(), source=declared.source if declared else p.source))
        return out

    def guidance(self, c: Citation, siblings: bool = True) -> list[Reason]:
        """The nearest compliant way: duties that replace it, exemptable siblings, lawful alternatives."""
        out = self.duties(c)
        p = self.ix.law(c.law).provisions.get(c.section or "")
        if p is not None:
            for alt in p.alternatives:
                out.append(Reason(text=self._t("alternative", alt=alt.target.canonical(), text=alt.text),
                                  provision=alt.target.canonical(), source=p.source))
        if not siblings:
            return out
        seen: set[str] = set()
        own = self.ix.law(c.law).statuses.get(c.section, [])
        for s in own:
            if s.kind is not StatusKind.EXEMPTABLE or is_within(c, s.target) or s.target.canonical() in seen:
                continue
            if self.applies(s) and (s.condition is None or self.disapplied(s.condition)):
                seen.add(s.target.canonical())
                out.append(Reason(text=self._t("sibling_exemptable", sibling=s.target.canonical(),
                                               agreement=self.agreement_of(s).id),
                                  provision=s.target.canonical(), source=s.source))
            if len(seen) >= 3:
                break
        if not self.active or not any(self.applies(s) for s in own):
            for s in own:
                if s.kind is StatusKind.EXEMPTABLE and overlaps(s.target, c) and not self.applies(s):
                    names = []
                    member = False  # this municipality is in the agreement: only the date (or area) is wrong
                    for a in s.agreements:
                        ag = self.ix.agreements.get(a)
                        if ag:
                            member = member or self.muni.code in ag.municipalities
                            names += [self.ix.municipalities[m].name for m in ag.municipalities
                                      if m in self.ix.municipalities]
                    out.append(Reason(text=self._t("exemptable_not_now" if member else "exemptable_elsewhere",
                                                   target=s.target.canonical(), agreement=", ".join(s.agreements),
                                                   municipalities=", ".join(names)),
                                      provision=s.target.canonical(), source=s.source))
                    break
        return out


def _declared(ix: Index, c: Citation) -> list[Provision]:
    """The declared provisions that contain `c`, most specific first (its stk. before its §)."""
    by_citation = ix.law(c.law).by_citation
    return [p for a in c.ancestors_or_self() if (p := by_citation.get(a)) is not None]


def _provision_state(declared: list[Provision], moved: Provision | None, successors: list[Succession],
                     c: Citation, day: dt.date, lang: str) -> tuple[_Judged | None, list[Reason]]:
    """Is the cited provision in force? And was it carried over into another law?

    `declared` is `_declared(ix, c)` and (`moved`, `successors`) is `_successors(declared, day)`. The
    most specific declared level decides: SEL § 83, stk. 1, nr. 3 can be repealed while SEL § 83 lives on.
    """
    notes: list[Reason] = []
    for succ in successors:
        assert moved is not None  # successors come from `moved`
        notes.append(Reason(text=t("succeeded", lang, target=moved.id, date=succ.date,
                                   successor=succ.target.canonical()),
                            provision=succ.target.canonical(), source=moved.source))
    p = next((x for x in declared if not x.in_force_on(day)), None)
    if p is not None:
        if p.repealed is not None and day >= p.repealed.date:
            why = t("repealed_why", lang, date=p.repealed.date, act=p.repealed.act)
            src = p.repealed.source
        else:
            why = t("period_why", lang, start=p.in_force.start or "…", end=p.in_force.end or "…")
            src = p.source
        # Fail closed: nothing is left to disapply, and the registry does not judge what replaced it.
        msg = t("not_in_force", lang, target=c.canonical(), date=day, why=why)
        return _Judged(Verdict.NOT_COVERED, None, [Reason(text=msg, provision=p.id, source=src), *notes],
                       warnings=[msg]), notes
    return None, notes


def _successors(declared: list[Provision], day: dt.date) -> tuple[Provision | None, list[Succession]]:
    """The declared level that was carried over into another law, and its successors by `day`."""
    p = next((x for x in declared if x.succeeded_by), None)
    return p, ([s for s in p.succeeded_by if s.date <= day] if p else [])


# ---------------------------------------------------------------------------- the API


def check(
    compiled: Compiled,
    *,
    municipality: str,
    date: dt.date | str | None = None,
    deviates: list[str] | tuple[str, ...] = (),
    area: str | None = None,
    lang: str = "da",
    today: dt.date | None = None,
) -> CheckResult:
    """Answer one compliance question. Raises CheckInputError for a question that cannot be asked."""
    ix = index_of(compiled)
    if lang not in ("da", "en"):
        raise CheckInputError([diag("C402", f"ukendt sprog {lang!r}", help="brug da eller en")])
    if isinstance(date, str):
        raw = date
        try:
            date = dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise CheckInputError([diag("C403", f"{raw[:40]!r} er ikke en dato", **_where("--date", raw),
                                        help="skriv datoen som ÅÅÅÅ-MM-DD, fx 2022-05-01")]) from None
    day: dt.date = date or today or dt.date.today()
    if area is not None and area not in ix.areas:
        near = difflib.get_close_matches(area, list(ix.areas), n=1)
        raise CheckInputError([diag("C404", f"ukendt område {area!r}", **_where("--area", area),
                                    help=f"mente du {near[0]}?" if near else "områder: " + ", ".join(ix.areas))])
    muni = resolve_municipality(ix, municipality)
    cited = [resolve_citation(ix, d, day) for d in deviates]

    judge = _Judge(ix, muni, day, area, lang)

    findings: list[Finding] = []
    warnings: list[str] = []
    for ct in cited:
        if ct.law is None:
            msg = t("unmodelled_law", lang, law=ct.law_text)
            findings.append(Finding(cited=ct.text, provision=ct.text, status=None, verdict=Verdict.NOT_COVERED,
                                    reasons=[Reason(text=msg)]))
            warnings.append(msg)
            continue
        for c in ct.citations:
            declared = _declared(ix, c)  # once: the state, the successor and the warnings all read it
            moved, successors = _successors(declared, day)
            state, notes = _provision_state(declared, moved, successors, c, day, lang)
            successor = successors[0].target if successors else None
            if state is not None and successor is not None and successor.law in ix.laws:
                j = judge.judge(successor)  # the rule lives on under its new number: judge that one
                j.reasons = notes + [r for r in j.reasons if r not in notes]
                j.path = j.path or [successor.canonical()]
            elif state is not None:
                j = state
                more, later = judge.transition(c)  # a repealed provision can still carry measures decided earlier
                j.reasons, j.warnings = j.reasons + more, j.warnings + later
            else:
                j = judge.judge(c)
                j.reasons = j.reasons + [n for n in notes if n not in j.reasons]
            if ct.undeclared and c.section not in ix.sections(c.law or ""):
                warnings.append(t("undeclared_section", lang, target=c.section_only().canonical()))
            elif c.stk is not None and (not declared or declared[0].ref != c):
                # a stk. or nr. the registry knows nothing of (a typo such as "nr. 99" looks the same)
                known = {s.target for s in ix.law(c.law).statuses_for(c.section)} | {p.ref for p in declared}
                if c not in known:
                    whole = next((a for a in c.ancestors_or_self() if a in known), c.section_only())
                    warnings.append(t("undeclared_part", lang, target=c.canonical(), whole=whole.canonical()))
            for p in declared:
                if p.inferred and (w := t("inferred_provision_warning", lang, target=p.id, note=p.inferred)) not in warnings:
                    warnings.append(w)
            findings.append(Finding(cited=ct.text, provision=c.canonical(), status=j.status, verdict=j.verdict,
                                    reasons=j.reasons, path=j.path))
            warnings += [w for w in j.warnings if w not in warnings]
    verdict = max((f.verdict for f in findings), key=lambda v: v.severity, default=Verdict.ALLOWED)
    summary = t(f"headline.{verdict.value}" if findings else "headline.nothing", lang, name=muni.name, date=day)
    return CheckResult(verdict=verdict, inside=verdict.inside, municipality=MunicipalityRef(code=muni.code,
                       name=muni.name), date=day, findings=findings, warnings=warnings, ruleset=compiled.digest,
                       summary=summary, lang=lang)  # type: ignore[arg-type]


def check_request(compiled: Compiled, req: CheckRequest, today: dt.date | None = None) -> CheckResult:
    return check(compiled, municipality=req.municipality, date=req.date, deviates=req.deviates, area=req.area,
                 lang=req.lang, today=today)
