"""Lower parse trees to the model: give each declaration its meaning, with positions kept.

Lowering checks what one declaration can check by itself (required clauses, impossible dates,
clauses given twice); what needs the whole rule set is left to `validate`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from registry.citations import RangeError, SectionIndex, expand
from registry.diagnostics import Diagnostic, diag
from registry.dsl.tree import CitationSyntax, Clause, Decl, ParsedFile, Value
from registry.model import (
    Agreement,
    Alternative,
    Area,
    Cancellation,
    Citation,
    Decision,
    DecisionItem,
    Example,
    Extension,
    Law,
    LawVersion,
    Municipality,
    MunicipalStart,
    Period,
    Provision,
    Repeal,
    RuleSet,
    Span,
    Status,
    StatusKind,
    Succession,
    Verdict,
)


@dataclass(slots=True)  # not frozen: frozen dataclasses are slow to make, and lowering makes one per reference
class Ref:
    """A reference written in a rule file, checked by `validate` once all files are known."""

    kind: str  # law, provision, agreement, municipality, area
    value: Any
    file: str
    line: int
    col: int
    end_col: int
    line_text: str


_OPEN = Period(start=None, end=None)  # frozen, so one can be shared
_ELI = re.compile(r"https?://(?:www\.)?retsinformation\.dk/eli/lta/(\d{4})/(\d+)/?")
# clause -> model field, for the clauses that are one text (`source`, `note`, ...) or a list of citations
_TEXTS = {"source": "source", "note": "note", "inferred": "inferred", "by": "by", "except": "except_text"}
_PROVISION_CITATIONS = {"refers-to": "refers_to", "requires": "requires", "replaced-by": "replaced_by",
                        "authorised-by": "authorised_by"}
_SINGLE_PROVISION = frozenset({"source", "from", "to", "repealed", "note", "inferred", "topics"})
_SINGLE_STATUS = frozenset({"source", "inferred", "note", "for", "from", "to", "by", "extent", "condition", "except"})


class Lowerer:
    def __init__(self, index: SectionIndex) -> None:
        self.index = index
        self.diags: list[Diagnostic] = []
        self.refs: list[Ref] = []
        self.out: dict[str, list[Any]] = {k: [] for k in (
            "areas", "municipalities", "laws", "provisions", "agreements", "statuses", "decisions", "examples")}

    # -- helpers -------------------------------------------------------------------------

    def _err(self, code: str, msg: str, pf: ParsedFile, line: int, col: int, end_col: int, text: str,
             help: str | None = None) -> None:
        self.diags.append(diag(code, msg, file=pf.path, line=line, col=col, end_col=end_col, line_text=text, help=help))

    def _span(self, pf: ParsedFile, d: Decl) -> Span:
        return Span(file=pf.path, line=d.line, col=1, end_line=d.line, end_col=d.end_col)

    def _date(self, pf: ParsedFile, line: int, text: str, v: Value) -> dt.date | None:
        try:
            return dt.date.fromisoformat(v.value)
        except ValueError:
            self._err("P106", f"{v.value} er ikke en dato, der findes", pf, line, v.col, v.end_col, text,
                      help="skriv datoen som ÅÅÅÅ-MM-DD")
            return None

    def _ref(self, kind: str, value: Any, pf: ParsedFile, line: int, v: Value, text: str) -> None:
        self.refs.append(Ref(kind, value, pf.path, line, v.col, v.end_col, text))

    def _cits(self, pf: ParsedFile, line: int, text: str, v: Value) -> list[Citation]:
        values = v.value if v.kind == "cits" else [v]
        out: list[Citation] = []
        for one in values:
            try:
                cits = expand(one.value, self.index)
            except RangeError as e:
                self._err("R213", str(e), pf, line, one.col, one.end_col, text, help=e.help)
                continue
            for c in cits:
                self._ref("provision", c, pf, line, one, text)
            out.extend(cits)
        return out

    def _one(self, pf: ParsedFile, cit: list[Citation], line: int, v: Value, text: str) -> Citation | None:
        if len(cit) != 1:
            self._err("R213", "her kan kun stå én bestemmelse, ikke en række", pf, line, v.col, v.end_col, text)
            return None
        return cit[0]

    def _clauses(self, pf: ParsedFile, d: Decl, single: set[str] | frozenset[str]) -> dict[str, list[Clause]]:
        by: dict[str, list[Clause]] = {}
        for c in d.clauses:
            by.setdefault(c.keyword, []).append(c)
        if len(by) == len(d.clauses):
            return by  # performance: no clause given twice (the usual case)
        for k, cs in by.items():
            if k in single and len(cs) > 1:
                c = cs[1]
                self._err("R208", f"`{k}` må kun stå én gang", pf, c.line, c.col, c.col + len(k), c.text,
                          help=f"første gang i linje {cs[0].line}")
        return by

    def _require(self, pf: ParsedFile, d: Decl, by: dict[str, list[Clause]], *names: str) -> bool:
        ok = True
        for n in names:
            if n not in by:
                self._err("R207", f"`{d.keyword}` mangler `{n}`", pf, d.line, 1, len(d.keyword) + 1, d.text,
                          help=f"tilføj en indrykket linje `{n} ...` under erklæringen")
                ok = False
        return ok

    def _str(self, by: dict[str, list[Clause]], name: str) -> str | None:
        cs = by.get(name)
        return cs[0].args[0].value if cs else None

    @staticmethod
    def _texts(by: dict[str, list[Clause]], fields: dict[str, Any]) -> None:
        """Copy the one-text clauses that were written (`source`, `note`, ...) into `fields`."""
        for key, name in _TEXTS.items():
            if key in by:
                fields[name] = by[key][0].args[0].value

    def _period(self, pf: ParsedFile, by: dict[str, list[Clause]]) -> Period:
        if "from" not in by and "to" not in by:
            return _OPEN  # performance: most statuses and provisions have no period of their own
        start = end = None
        for c in by.get("from", []):
            start = self._date(pf, c.line, c.text, c.args[0])
            if len(c.args) > 1:
                end = self._date(pf, c.line, c.text, c.args[1])
        for c in by.get("to", []):
            end = self._date(pf, c.line, c.text, c.args[0])
        if start and end and end < start:
            c = (by.get("to") or by["from"])[0]
            self._err("R206", f"perioden slutter ({end}) før den begynder ({start})", pf, c.line, c.col,
                      len(c.text) + 1, c.text)
        return Period(start=start, end=end)

    def _build(self, kind: str, pf: ParsedFile, d: Decl, make: Callable[[], Any]) -> None:
        try:
            self.out[kind].append(make())
        except ValidationError as e:  # a value the model refuses: report it, never raise
            first = e.errors()[0]
            self._err("R213", f"ugyldig værdi: {first['msg']}", pf, d.line, 1, len(d.text) + 1, d.text)

    # -- declarations ---------------------------------------------------------------------

    def lower_file(self, pf: ParsedFile) -> None:
        lowerers = self._lowerers
        for d in pf.decls:
            lowerers.get(d.keyword, self._status)(pf, d)

    @functools.cached_property
    def _lowerers(self) -> dict[str, Callable[[ParsedFile, Decl], None]]:
        """keyword -> its method (the status keywords all go to `_status`)."""
        return {k: getattr(self, "_" + k) for k in
                ("area", "municipality", "law", "provision", "agreement", "decision", "example")}

    def _area(self, pf: ParsedFile, d: Decl) -> None:
        by = self._clauses(pf, d, {"source"})
        self._build("areas", pf, d, lambda: Area(id=d.args[0].value, name=d.args[1].value,
                                                 source=self._str(by, "source"), span=self._span(pf, d)))

    def _municipality(self, pf: ParsedFile, d: Decl) -> None:
        by = self._clauses(pf, d, {"source", "region"})
        aliases = tuple(a for c in by.get("alias", []) for a in c.args[0].value)
        self._build("municipalities", pf, d, lambda: Municipality(
            code=d.args[0].value, name=d.args[1].value, aliases=aliases, region=self._str(by, "region"),
            source=self._str(by, "source"), span=self._span(pf, d)))

    def _law(self, pf: ParsedFile, d: Decl) -> None:
        by = self._clauses(pf, d, {"source", "sections", "note"})
        if not self._require(pf, d, by, "source"):
            return
        versions = []
        for c in by.get("version", []):
            kind, numyear, *rest = c.args
            number, year = (int(x) for x in numyear.value.split("/"))
            when: dict[str, dt.date | None] = {"of": self._date(pf, c.line, c.text, rest[0])}
            for marker, value in zip(rest[1:-1:2], rest[2:-1:2], strict=True):
                when[marker.value] = self._date(pf, c.line, c.text, value)
            if when["of"] is None:
                continue
            src = rest[-1].value
            # The act's own text is the authority, and its address follows from the version line itself.
            m = _ELI.fullmatch(src)
            if m is None or m.groups() != (str(year), str(number)):
                self._err("R216", f"kilden til {kind.value} {number}/{year} er ikke Retsinformations ELI-adresse for "
                                  "den lov", pf, c.line, rest[-1].col, rest[-1].end_col, c.text,
                          help=f'skriv source "https://www.retsinformation.dk/eli/lta/{year}/{number}" (siden, hvor '
                               "versionen blev set, kan stå i lovens note)")
            frm, to = when.get("from"), when.get("to")
            versions.append(LawVersion(kind=kind.value, number=number, year=year, date=when["of"],
                                       in_force=Period(start=frm, end=to), source=src))
        aliases = tuple(a for c in by.get("alias", []) for a in c.args[0].value)
        complete_to = None
        for c in by.get("sections", []):
            if len(c.args) > 1:
                complete_to = self._date(pf, c.line, c.text, c.args[1])
        self._build("laws", pf, d, lambda: Law(
            id=d.args[0].value, title=d.args[1].value, aliases=aliases, source=self._str(by, "source") or "",
            versions=tuple(versions), sections_complete="sections" in by, sections_complete_to=complete_to,
            note=self._str(by, "note"), span=self._span(pf, d)))

    def _provision(self, pf: ParsedFile, d: Decl) -> None:
        by = self._clauses(pf, d, _SINGLE_PROVISION)
        head = d.args[0]
        syntax: CitationSyntax = head.value
        if syntax.plural or not syntax.sections:
            self._err("R213", "en `provision` er én bestemmelse: skriv én § ad gangen", pf, d.line, head.col,
                      head.end_col, d.text)
            return
        try:
            ref = expand(syntax, self.index)
        except RangeError as e:
            self._err("R213", str(e), pf, d.line, head.col, head.end_col, d.text, help=e.help)
            return
        if len(ref) != 1:
            self._err("R213", "en `provision` er én bestemmelse, ikke en række", pf, d.line, head.col,
                      head.end_col, d.text)
            return
        self._ref("law", ref[0].law, pf, d.line, head, d.text)
        if not self._require(pf, d, by, "source"):
            return
        # Performance: only the fields written are passed (pydantic validates a default-valued keyword
        # like any other, about a third of a model's cost); a model made so equals one given every field.
        fields: dict[str, Any] = {"ref": ref[0], "heading": d.args[1].value, "in_force": self._period(pf, by),
                                  "span": self._span(pf, d)}
        self._texts(by, fields)
        for key, name in _PROVISION_CITATIONS.items():
            if key in by:
                fields[name] = tuple(x for c in by[key] for x in self._cits(pf, c.line, c.text, c.args[0]))
        succ = []
        for c in by.get("succeeded-by", []):
            day = self._date(pf, c.line, c.text, c.args[1])
            one = self._one(pf, self._cits(pf, c.line, c.text, c.args[0]), c.line, c.args[0], c.text)
            if day and one:
                succ.append(Succession(target=one, date=day))
        alts = []
        for c in by.get("alternative", []):
            one = self._one(pf, self._cits(pf, c.line, c.text, c.args[0]), c.line, c.args[0], c.text)
            if one:
                alts.append(Alternative(target=one, text=c.args[1].value))
        repeal = None
        if "repealed" in by:
            c = by["repealed"][0]
            day = self._date(pf, c.line, c.text, c.args[0])
            if day:
                repeal = Repeal(date=day, act=c.args[1].value, source=c.args[2].value)
        if "topics" in by:
            fields["topics"] = tuple(t for c in by["topics"] for t in c.args[0].value)
        if succ:
            fields["succeeded_by"] = tuple(succ)
        if alts:
            fields["alternatives"] = tuple(alts)
        if repeal:
            fields["repealed"] = repeal
        self._build("provisions", pf, d, lambda: Provision(**fields))

    def _agreement(self, pf: ParsedFile, d: Decl) -> None:
        single = {"source", "area", "basis", "from", "note", "inferred", "decisions-under", "overview", "municipalities",
                  "cancelled", "transition"}
        by = self._clauses(pf, d, single)
        if not self._require(pf, d, by, "area", "basis", "municipalities", "from"):
            return
        area = by["area"][0]
        self._ref("area", area.args[0].value, pf, area.line, area.args[0], area.text)
        basis = by["basis"][0]
        self._ref("law", basis.args[0].value, pf, basis.line, basis.args[0], basis.text)
        munis = by["municipalities"][0]
        for code in munis.args[0].value:
            self._ref("municipality", code, pf, munis.line, munis.args[0], munis.text)
        period = self._period(pf, by)
        starts = []
        for c in by.get("start", []):
            self._ref("municipality", c.args[0].value, pf, c.line, c.args[0], c.text)
            day = self._date(pf, c.line, c.text, c.args[1])
            if day:
                if c.args[0].value not in munis.args[0].value:
                    self._err("R209", f"kommune {c.args[0].value} er ikke med i aftalen", pf, c.line, c.args[0].col,
                              c.args[0].end_col, c.text, help="tilføj den under `municipalities`")
                starts.append(MunicipalStart(code=c.args[0].value, date=day, source=c.args[2].value))
        exts = []
        for c in by.get("extended", []):
            day = self._date(pf, c.line, c.text, c.args[0])
            if day:
                if period.end and day <= period.end:
                    self._err("R206", f"forlængelsen til {day} er ikke senere end perioden ({period.end})",
                              pf, c.line, c.args[0].col, c.args[0].end_col, c.text)
                exts.append(Extension(end=day, act=c.args[1].value, source=c.args[2].value))
        cancelled = None
        if "cancelled" in by:
            c = by["cancelled"][0]
            day = self._date(pf, c.line, c.text, c.args[0])
            if day:
                cancelled = Cancellation(date=day, source=c.args[1].value)
        cits: dict[str, Citation | None] = {}
        for key in ("decisions-under", "overview", "transition"):
            cits[key] = None
            if key in by:
                c = by[key][0]
                cits[key] = self._one(pf, self._cits(pf, c.line, c.text, c.args[0]), c.line, c.args[0], c.text)
        self._build("agreements", pf, d, lambda: Agreement(
            id=d.args[0].value, title=d.args[1].value, area=area.args[0].value, basis=basis.args[0].value,
            basis_source=basis.args[1].value, municipalities=tuple(munis.args[0].value), period=period,
            starts=tuple(starts), extensions=tuple(exts), decisions_under=cits["decisions-under"],
            overview=cits["overview"], transition=cits["transition"], cancelled=cancelled, source=self._str(by, "source"), note=self._str(by, "note"),
            inferred=self._str(by, "inferred"), span=self._span(pf, d)))

    def _status(self, pf: ParsedFile, d: Decl) -> None:
        by = self._clauses(pf, d, _SINGLE_STATUS)
        if not self._require(pf, d, by, "source"):
            return
        kind = StatusKind(d.keyword)
        targets = self._cits(pf, d.line, d.text, d.args[0])
        ids = [v.value for v in d.args[1].value]
        for v in d.args[1].value:
            self._ref("agreement", v.value, pf, d.line, v, d.text)
        codes: list[int] = []
        if "for" in by:
            c = by["for"][0]
            codes = c.args[0].value
            for code in codes:
                self._ref("municipality", code, pf, c.line, c.args[0], c.text)
        elif kind is StatusKind.LOCAL_FENCEPOST:
            self._err("R212", "en lokal hegnspæl skal sige, hvilken kommune der har sat den", pf, d.line, 1,
                      len(d.keyword) + 1, d.text, help="tilføj fx `for 316`")
        # the same for every target of the line (a Span is frozen, so they share one); only the fields
        # written are passed (see `_provision`)
        fields: dict[str, Any] = {"kind": kind, "agreements": tuple(ids), "period": self._period(pf, by),
                                  "span": self._span(pf, d)}
        if codes:
            fields["municipalities"] = tuple(codes)
        if "condition" in by:
            c = by["condition"][0]
            fields["condition"] = self._one(pf, self._cits(pf, c.line, c.text, c.args[0]), c.line, c.args[0], c.text)
        if "extent" in by:
            fields["extent"] = by["extent"][0].args[0].value
        self._texts(by, fields)
        for t in targets:
            self._build("statuses", pf, d, lambda t=t: Status(target=t, **fields))  # type: ignore[misc]

    def _decision(self, pf: ParsedFile, d: Decl) -> None:
        single = {"source", "inferred", "note", "municipality", "under", "decided", "published", "effective"}
        by = self._clauses(pf, d, single)
        if not self._require(pf, d, by, "municipality", "under", "disapplies", "published", "source"):
            return
        m = by["municipality"][0]
        self._ref("municipality", m.args[0].value, pf, m.line, m.args[0], m.text)
        u = by["under"][0]
        self._ref("agreement", u.args[0].value, pf, u.line, u.args[0], u.text)
        items = []
        for c in by["disapplies"]:
            extent: Literal["wholly", "partly"] = "wholly"
            note = None
            for v in c.args[1:]:
                if v.kind == "word":
                    extent = "partly" if v.value == "partly" else "wholly"
                elif v.kind == "str":
                    note = v.value
            for t in self._cits(pf, c.line, c.text, c.args[0]):
                items.append(DecisionItem(target=t, extent=extent, note=note,
                                          span=Span(file=pf.path, line=c.line, col=c.args[0].col, end_line=c.line,
                                                    end_col=c.args[0].end_col)))
        dates: dict[str, dt.date | None] = {}
        for key in ("decided", "published", "effective"):
            dates[key] = None
            if key in by:
                c = by[key][0]
                dates[key] = self._date(pf, c.line, c.text, c.args[0])
        published = dates["published"]
        if published is None:
            return
        earliest = published + dt.timedelta(days=1)
        effective = dates["effective"] or earliest
        if effective < earliest:
            c = by["effective"][0]
            self._err("R214", f"en beslutning træder tidligst i kraft dagen efter offentliggørelsen ({earliest})",
                      pf, c.line, c.args[0].col, c.args[0].end_col, c.text,
                      help="jf. § 6, stk. 2, i velfærdsaftalelovene")
        if dates["decided"] and dates["decided"] > published:
            c = by["decided"][0]
            self._err("R206", "beslutningen er offentliggjort før den er truffet", pf, c.line, c.args[0].col,
                      c.args[0].end_col, c.text)
        self._build("decisions", pf, d, lambda: Decision(
            id=d.args[0].value, title=d.args[1].value, municipality=m.args[0].value, agreement=u.args[0].value,
            items=tuple(items), decided=dates["decided"], published=published, effective=effective,
            source=self._str(by, "source") or "", inferred=self._str(by, "inferred"), note=self._str(by, "note"),
            span=self._span(pf, d)))

    def _example(self, pf: ParsedFile, d: Decl) -> None:
        single = {"source", "note", "municipality", "date", "area", "expect"}
        by = self._clauses(pf, d, single)
        if not self._require(pf, d, by, "municipality", "date", "expect", "source"):
            return
        m = by["municipality"][0]
        self._ref("municipality", m.args[0].value, pf, m.line, m.args[0], m.text)
        c = by["date"][0]
        day = self._date(pf, c.line, c.text, c.args[0])
        deviates: list[str] = []
        for c in by.get("deviates", []):
            for one in c.args[0].value:
                if not one.value.sections:  # caseworkers cite a §, so an example must too
                    self._err("R213", "et eksempel skal henvise til en § (fx XL § 5), ikke en hel lov", pf, c.line,
                              one.col, one.end_col, c.text)
                    continue
                deviates.append(one.value.render())
                self._cits(pf, c.line, c.text, one)  # checks the references and the ranges
        area = None
        if "area" in by:
            a = by["area"][0]
            area = a.args[0].value
            self._ref("area", area, pf, a.line, a.args[0], a.text)
        if day is None:
            return
        self._build("examples", pf, d, lambda: Example(
            name=d.args[0].value, municipality=m.args[0].value, date=day, deviates=tuple(deviates), area=area,
            expect=Verdict(by["expect"][0].args[0].value), source=self._str(by, "source") or "",
            note=self._str(by, "note"), span=self._span(pf, d)))


def lower(files: list[ParsedFile]) -> tuple[RuleSet, list[Ref], list[Diagnostic]]:
    index = SectionIndex.from_files(files)
    lw = Lowerer(index)
    for pf in files:
        lw.lower_file(pf)
    rs = RuleSet(**{k: tuple(v) for k, v in lw.out.items()}, files=tuple(pf.path for pf in files))
    return rs, lw.refs, lw.diags
