"""Application rounds: who applied for which welfare area, who got what, and why.

Before anyone is freed, KL asks every municipality which area it wants, why, which other area it
would take instead, and who the contact is. The employment area runs its own round first; a
municipality chosen there drops out of the later rounds. Each municipality gets at most one
agreement. Legal staff write rounds and applications in `*.round` files (docs/rounds.md); this
module gives them meaning:

    text --(registry.dsl.rounds)--> parse tree --(lower_rounds)--> RoundSet + diagnostics
    RoundSet --(allocate)--> Allocation (per municipality: area or None, and why)
    Allocation --(draft_agreements)--> `agreement` declarations in the rule language

The allocation is deterministic and independent of file and application order:

1. rounds run by `order` (then id); a municipality granted an area leaves every later round;
2. in a round, `chosen` municipalities (a decision as really made, a fixed, sourced input) get
   their place first;
3. then first wishes fill each area's `places`, best ranked first;
4. then fallbacks in the same round fill what is left; a fallback naming an area of a later
   round is carried into that round, where it ranks after that round's first wishes;
5. ties are broken by the round's `ranking` keys, in order, then always by municipality code:
   `region` (spread: a region with fewer places already granted in the area first),
   `submitted` (earlier first; no date last), `lot` (a fixed lottery: sha256 of round id and
   code), `code` (lower first).

Diagnostic codes (prefix A, "application round"; P1xx syntax codes are shared with rule files):

    A600 unknown-municipality   error    a municipality code that is not declared
    A601 unknown-area           error    an area id that is not declared
    A602 area-not-open          error    an area that is not open in the round (or a later one)
    A603 fallback-is-first      error    the fallback equals the first wish
    A604 duplicate-application  error    a second application from a municipality in one round
    A605 late-application       error    submitted after the round's deadline
    A606 unknown-round          error    an application under a round that is not declared
    A607 missing-clause         error    a clause the declaration requires is missing
    A608 repeated-clause        error    a clause that may be given once is given twice
    A609 duplicate              error    a round, region or round order declared twice
    A610 unknown-ranking        error    a ranking key the allocation does not know
    A611 not-an-applicant       error    `chosen`/`result` names a municipality that did not apply for it
    A612 over-capacity          error    `chosen`/`result` names more municipalities than places
    A613 no-region              warning  ranking by region, but the municipality has no region
    A614 bad-value              error    a value out of range (0 places, from after to)
    A615 region-overlap         error    a municipality in two regions
    A616 no-draft-data          warning  no draft for a granted area: the round lacks `period`/`basis`
    A617 no-round-files         error    the folder holds no `*.round` files
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import hashlib
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from registry.cli import EXIT_INVALID, EXIT_OK, EXTRA_COMMANDS, UsageError

ROUND_SUFFIX = ".round"
RANKING_KEYS = ("region", "submitted", "lot", "code")

# code -> (severity, short name, description). For the lead: add these to registry.diagnostics.CODES
# so docs/reference/diagnostics.md lists them; until then diag() gets the severity from here.
ROUND_CODES: dict[str, tuple[str, str, str]] = {
    "A600": ("error", "unknown-municipality", "A municipality code that is not declared."),
    "A601": ("error", "unknown-area", "An area id that is not declared."),
    "A602": ("error", "area-not-open", "An area that is not open in the round (or, for a fallback, a later round)."),
    "A603": ("error", "fallback-is-first", "The fallback equals the first wish."),
    "A604": ("error", "duplicate-application", "A second application from the same municipality in one round."),
    "A605": ("error", "late-application", "An application submitted after the round's deadline."),
    "A606": ("error", "unknown-round", "An application under a round that is not declared."),
    "A607": ("error", "missing-clause", "A clause the declaration requires is missing."),
    "A608": ("error", "repeated-clause", "A clause that may be given once is given twice."),
    "A609": ("error", "duplicate", "A round, region or round order declared twice."),
    "A610": ("error", "unknown-ranking", "A ranking key the allocation does not know."),
    "A611": ("error", "not-an-applicant", "`chosen`/`result` names a municipality that did not apply for that area."),
    "A612": ("error", "over-capacity", "`chosen`/`result` names more municipalities than the area has places."),
    "A613": ("warning", "no-region", "The round ranks by region, but an applicant has no region."),
    "A614": ("error", "bad-value", "A value out of range (0 places, a period that ends before it starts)."),
    "A615": ("error", "region-overlap", "A municipality in two regions."),
    "A616": ("warning", "no-draft-data", "Draft agreements need the round's `period` and a `basis` for the area."),
    "A617": ("error", "no-round-files", "The folder holds no *.round files."),
}


def _diag(code: str, message: str, **kw: Any) -> Any:  # -> Diagnostic
    from registry.diagnostics import Severity, diag

    sev = Severity(ROUND_CODES[code][0]) if code in ROUND_CODES else None
    return diag(code, message, severity=sev, **kw)


# ---------------------------------------------------------------------------- model


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Where(_Frozen):
    """Where a declaration was written (1-based)."""

    file: str
    line: int


class Region(_Frozen):
    id: str
    name: str
    municipalities: tuple[int, ...]
    source: str | None = None
    note: str | None = None
    where: Where


class Basis(_Frozen):
    law: str
    source: str


class Round(_Frozen):
    id: str
    title: str
    areas: tuple[str, ...]
    places: dict[str, int]  # an area without an entry has no cap
    deadline: dt.date
    order: int
    ranking: tuple[str, ...] = ()
    chosen: dict[str, tuple[int, ...]] = {}
    result: dict[str, tuple[int, ...]] | None = None
    period: tuple[dt.date, dt.date] | None = None
    basis: dict[str, Basis] = {}
    source: str | None = None
    note: str | None = None
    where: Where

    @property
    def ranking_with_tiebreak(self) -> tuple[str, ...]:
        return self.ranking if "code" in self.ranking else (*self.ranking, "code")


class Application(_Frozen):
    municipality: int
    round: str
    first: str
    first_reason: str | None = None
    fallback: str | None = None
    fallback_reason: str | None = None
    contact: str | None = None
    submitted: dt.date | None = None
    source: str | None = None
    note: str | None = None
    inferred: str | None = None
    where: Where


class Facts(_Frozen):
    """What the rule files say that a round needs: municipality names and area names."""

    municipalities: dict[int, str]
    areas: dict[str, str]
    regions: dict[int, str] = {}  # from `region "..."` on a municipality in the rules, normalised


def region_key(name: str) -> str:
    """"Region Midtjylland", "Midtjylland" and "midtjylland" are the same region."""
    low = name.strip().lower()
    return low[len("region "):].strip() if low.startswith("region ") else low


class RoundSet(_Frozen):
    rounds: tuple[Round, ...] = ()
    applications: tuple[Application, ...] = ()
    regions: tuple[Region, ...] = ()
    files: tuple[str, ...] = ()

    def region_of(self, facts: Facts | None = None) -> dict[int, str]:
        """Region per municipality: the rules' `region` clauses, then the round files' `region`s."""
        out = dict(facts.regions) if facts else {}
        out.update({code: region_key(r.name) for r in self.regions for code in r.municipalities})
        return out

    def ordered_rounds(self) -> list[Round]:
        return sorted(self.rounds, key=lambda r: (r.order, r.id))


Wish = Literal["first", "fallback", "chosen"]


class Outcome(_Frozen):
    code: int
    name: str
    area: str | None
    round: str | None
    wish: Wish | None
    applied: bool
    why: str


class RoundOutcome(_Frozen):
    id: str
    title: str
    order: int
    deadline: dt.date
    places: dict[str, int | None]
    ranking: tuple[str, ...]
    granted: dict[str, tuple[int, ...]]
    result: dict[str, tuple[int, ...]] | None
    matches_result: bool | None
    differences: tuple[str, ...] = ()


class Allocation(_Frozen):
    rounds: tuple[RoundOutcome, ...]
    municipalities: tuple[Outcome, ...]

    def granted(self) -> dict[int, str]:
        return {o.code: o.area for o in self.municipalities if o.area is not None}


# ---------------------------------------------------------------------------- loading


def load_facts(paths: list[str] | None = None) -> tuple[Facts, list[Any]]:
    """Municipalities and areas from the rule files (default: the bundled municipalities.rule
    and areas.rule only, so a half-written law file elsewhere never blocks a round)."""
    from registry.pipeline import default_rules_dir, load

    if not paths:
        base = default_rules_dir()
        two = [base / "municipalities.rule", base / "areas.rule"]
        paths = [str(p) for p in two] if all(p.is_file() for p in two) else [str(base)]
    compiled = load(paths)
    rs = compiled.rules
    facts = Facts(municipalities={m.code: m.name for m in rs.municipalities}, areas={a.id: a.name for a in rs.areas},
                  # getattr: a compiled-rules cache from before `region` existed lacks it
                  regions={m.code: region_key(r) for m in rs.municipalities if (r := getattr(m, "region", None))})
    return facts, [d for d in compiled.diagnostics if d.severity.value == "error"]


def discover_rounds(path: str | Path) -> list[Path]:
    p = Path(path)
    if p.is_file():
        return [p]
    return sorted((q for q in p.rglob(f"*{ROUND_SUFFIX}") if q.is_file()
                   and not any(part.startswith(".") for part in q.parts[len(p.parts):])), key=lambda q: q.as_posix())


def load_rounds(path: str | Path, facts: Facts) -> tuple[RoundSet, list[Any]]:
    """Read every *.round file under `path` (a folder or one file)."""
    import os

    from registry.source import read_source

    texts: list[tuple[str, str]] = []
    diags: list[Any] = []
    for f in discover_rounds(path):
        try:
            shown = os.path.relpath(f)
        except ValueError:
            shown = str(f)
        text, d = read_source(f, shown)
        diags += d
        if text is not None:
            texts.append((shown, text))
    rs, d = lower_rounds(texts, facts)
    return rs, diags + d


def lower_rounds(texts: list[tuple[str, str]], facts: Facts) -> tuple[RoundSet, list[Any]]:
    """Parse and validate (shown path, text) pairs. Never raises."""
    from registry.dsl.rounds import parse_round_text

    low = _Lowering(facts)
    for shown, text in texts:
        pf, d = parse_round_text(text, shown)
        low.diags += d
        low.files.append(shown)
        for decl in pf.decls:
            low.decl(shown, decl)
    return low.finish()


def _near(word: str, options: Iterable[str]) -> str | None:
    best = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return f"mente du `{best[0]}`?" if best else None


class _Lowering:
    """Turns declarations into the model, collecting every problem at once."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.diags: list[Any] = []
        self.files: list[str] = []
        self.rounds: list[Round] = []
        self.regions: list[Region] = []
        # Applications are checked against rounds after every file is read.
        self.pending: list[tuple[Application, Any, str]] = []
        self.round_decls: dict[str, Any] = {}
        self.declared: set[str] = set()  # every round id written, valid or not

    # -- helpers
    def err(self, code: str, msg: str, file: str, line: int, v: Any = None, text: str = "", help: str | None = None,
            col: int | None = None) -> None:
        c = col if col is not None else (v.col if v is not None else 1)
        end = v.end_col if v is not None else c + 1
        self.diags.append(_diag(code, msg, file=file, line=line, col=c, end_col=end, line_text=text, help=help))

    def clauses(self, file: str, d: Any, multi: set[str]) -> dict[str, list[Any]]:
        by: dict[str, list[Any]] = defaultdict(list)
        for c in d.clauses:
            if c.keyword in by and c.keyword not in multi:
                first = by[c.keyword][0]
                self.err("A608", f"`{c.keyword}` er givet to gange", file, c.line, text=c.text, col=c.col,
                         help=f"første gang på linje {first.line}; slet den ene")
                continue
            by[c.keyword].append(c)
        return by

    def require(self, file: str, d: Any, by: dict[str, list[Any]], *names: str) -> bool:
        missing = [n for n in names if n not in by]
        for n in missing:
            self.err("A607", f"`{d.keyword}` mangler `{n}`", file, d.line, text=d.text, col=1,
                     help=f"tilføj en indrykket linje `{n} ...` under erklæringen")
        return not missing

    def date(self, file: str, line: int, v: Any, text: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(v.value)
        except ValueError:
            self.diags.append(_diag("P106", f"{v.value} er ikke en dato, der findes", file=file, line=line,
                                    col=v.col, end_col=v.end_col, line_text=text, help="skriv datoen som ÅÅÅÅ-MM-DD"))
            return None

    def area(self, file: str, line: int, v: Any, text: str) -> bool:
        if v.value in self.facts.areas:
            return True
        self.err("A601", f"området `{v.value}` er ikke erklæret", file, line, v, text,
                 help=_near(v.value, self.facts.areas) or "områderne står i rules/areas.rule")
        return False

    def codes_known(self, file: str, line: int, v: Any, text: str, codes: Iterable[int]) -> list[int]:
        ok = []
        for code in codes:
            if code in self.facts.municipalities:
                ok.append(code)
            else:
                self.err("A600", f"kommunekode {code} er ikke en kendt kommune", file, line, v, text,
                         help="kommunekoder står i rules/municipalities.rule")
        return ok

    # -- declarations
    def decl(self, file: str, d: Any) -> None:
        getattr(self, "_" + d.keyword)(file, d)

    def _region(self, file: str, d: Any) -> None:
        by = self.clauses(file, d, set())
        if not self.require(file, d, by, "municipalities"):
            return
        m = by["municipalities"][0]
        codes = self.codes_known(file, m.line, m.args[0], m.text, m.args[0].value)
        self.regions.append(Region(id=d.args[0].value, name=d.args[1].value, municipalities=tuple(codes),
                                   source=_s(by, "source"), note=_s(by, "note"), where=Where(file=file, line=d.line)))

    def _round(self, file: str, d: Any) -> None:
        by = self.clauses(file, d, {"places", "chosen", "result", "basis"})
        rid = d.args[0].value
        self.declared.add(rid)
        if not self.require(file, d, by, "areas", "deadline", "order"):
            return
        areas: list[str] = []
        a = by["areas"][0]
        for v in a.args[0].value:
            if self.area(file, a.line, v, a.text) and v.value not in areas:
                areas.append(v.value)

        def open_area(c: Any, v: Any) -> bool:
            if v.value in areas:
                return True
            if self.area(file, c.line, v, c.text):
                self.err("A602", f"området `{v.value}` er ikke åbent i runden `{rid}`", file, c.line, v, c.text,
                         help="rundens områder: " + ", ".join(areas) if areas else None)
            return False

        places: dict[str, int] = {}
        for c in by.get("places", []):
            area, n = c.args
            if not open_area(c, area):
                continue
            if area.value in places:
                self.err("A608", f"pladser for `{area.value}` er givet to gange", file, c.line, area, c.text)
            elif n.value < 1:
                self.err("A614", "en runde har mindst 1 plads pr. område", file, c.line, n, c.text,
                         help="udelad `places` for et område uden loft over pladser")
            else:
                places[area.value] = n.value
        deadline = self.date(file, by["deadline"][0].line, by["deadline"][0].args[0], by["deadline"][0].text)
        ranking: list[str] = []
        if "ranking" in by:
            c = by["ranking"][0]
            for v in c.args[0].value:
                if v.value in RANKING_KEYS:
                    ranking.append(v.value)
                else:
                    self.err("A610", f"rangordningen kender ikke `{v.value}`", file, c.line, v, c.text,
                             help=_near(v.value, RANKING_KEYS) or "mulige: " + ", ".join(RANKING_KEYS))

        def picks(kind: str) -> dict[str, tuple[int, ...]]:
            out: dict[str, tuple[int, ...]] = {}
            for c in by.get(kind, []):
                area, codes = c.args
                if not open_area(c, area):
                    continue
                if area.value in out:
                    self.err("A608", f"`{kind} {area.value}` er givet to gange", file, c.line, area, c.text)
                    continue
                out[area.value] = tuple(self.codes_known(file, c.line, codes, c.text, codes.value))
                cap = places.get(area.value)
                if cap is not None and len(codes.value) > cap:
                    self.err("A612", f"`{kind}` nævner {len(codes.value)} kommuner, men `{area.value}` har "
                                     f"{cap} pladser", file, c.line, codes, c.text)
            return out

        chosen = picks("chosen")
        result = picks("result") if "result" in by else None
        period = None
        if "period" in by:
            c = by["period"][0]
            lo, hi = (self.date(file, c.line, v, c.text) for v in c.args)
            if lo and hi:
                if lo > hi:
                    self.err("A614", f"perioden slutter ({hi}) før den begynder ({lo})", file, c.line, c.args[1], c.text)
                else:
                    period = (lo, hi)
        basis: dict[str, Basis] = {}
        for c in by.get("basis", []):
            if open_area(c, c.args[0]):
                basis[c.args[0].value] = Basis(law=c.args[1].value, source=c.args[2].value)
        order = by["order"][0].args[0].value
        for other in self.rounds:
            if other.id == rid:
                self.err("A609", f"runden `{rid}` er erklæret to gange", file, d.line, d.args[0], d.text,
                         help=f"første gang i {other.where.file}:{other.where.line}")
                return
            if other.order == order:
                o = by["order"][0]
                self.err("A609", f"runderne `{other.id}` og `{rid}` har samme `order {order}`", file, o.line,
                         o.args[0], o.text, help="giv hver runde sit eget nummer; beskæftigelsesrunden kører først")
        if deadline is None or not areas:
            return
        self.round_decls[rid] = (file, d, by)
        self.rounds.append(Round(
            id=rid, title=d.args[1].value, areas=tuple(areas), places=places, deadline=deadline, order=order,
            ranking=tuple(ranking), chosen=chosen, result=result, period=period, basis=basis,
            source=_s(by, "source"), note=_s(by, "note"), where=Where(file=file, line=d.line)))

    def _application(self, file: str, d: Any) -> None:
        by = self.clauses(file, d, set())
        code_v, round_v = d.args
        known = bool(self.codes_known(file, d.line, code_v, d.text, [code_v.value]))
        if not self.require(file, d, by, "first"):
            return
        first = by["first"][0]
        fb = by.get("fallback", [None])[0]
        submitted = None
        if "submitted" in by:
            s = by["submitted"][0]
            submitted = self.date(file, s.line, s.args[0], s.text)
            if submitted is None:
                return
        if not known:
            return
        app = Application(
            municipality=code_v.value, round=round_v.value, first=first.args[0].value,
            first_reason=first.args[1].value if len(first.args) > 1 else None,
            fallback=fb.args[0].value if fb else None,
            fallback_reason=fb.args[1].value if fb and len(fb.args) > 1 else None,
            contact=_s(by, "contact"), submitted=submitted, source=_s(by, "source"), note=_s(by, "note"),
            inferred=_s(by, "inferred"), where=Where(file=file, line=d.line))
        self.pending.append((app, d, file))

    # -- whole-set checks
    def finish(self) -> tuple[RoundSet, list[Any]]:
        rounds = {r.id: r for r in self.rounds}
        ordered = sorted(self.rounds, key=lambda r: (r.order, r.id))
        apps: list[Application] = []
        seen: dict[tuple[str, int], Application] = {}
        carried: dict[tuple[str, int], Application] = {}  # (later round, code) -> app carrying a fallback there
        for app, d, file in self.pending:
            round_v = d.args[1]
            rnd = rounds.get(app.round)
            if rnd is None:
                if app.round not in self.declared:
                    self.err("A606", f"runden `{app.round}` er ikke erklæret", file, d.line, round_v, d.text,
                             help=_near(app.round, rounds) or "erklær den med `round ID \"titel\"`")
                continue
            ok = True
            first = d.clauses[[c.keyword for c in d.clauses].index("first")]
            fv = first.args[0]
            if self.area(file, first.line, fv, first.text) and fv.value not in rnd.areas:
                self.err("A602", f"området `{fv.value}` er ikke åbent i runden `{rnd.id}`", file, first.line, fv,
                         first.text, help="rundens områder: " + ", ".join(rnd.areas))
                ok = False
            elif fv.value not in self.facts.areas:
                ok = False
            if app.fallback is not None:
                fbc = next(c for c in d.clauses if c.keyword == "fallback")
                bv = fbc.args[0]
                later = [r for r in ordered if (r.order, r.id) > (rnd.order, rnd.id) and bv.value in r.areas]
                if not self.area(file, fbc.line, bv, fbc.text):
                    ok = False
                elif bv.value == app.first:
                    self.err("A603", "alternativet er det samme som 1. ønske", file, fbc.line, bv, fbc.text,
                             help="angiv et andet område som alternativ, eller slet linjen")
                    ok = False
                elif bv.value not in rnd.areas and not later:
                    self.err("A602", f"alternativet `{bv.value}` er hverken åbent i runden `{rnd.id}` eller i en "
                                     "senere runde", file, fbc.line, bv, fbc.text,
                             help="rundens områder: " + ", ".join(rnd.areas))
                    ok = False
                elif bv.value not in rnd.areas:
                    carried_key = (later[0].id, app.municipality)
                    if carried_key in carried:
                        prev = carried[carried_key]
                        self.err("A604", f"kommune {app.municipality} har allerede et alternativ i runden "
                                         f"`{later[0].id}`", file, fbc.line, bv, fbc.text,
                                 help=f"se {prev.where.file}:{prev.where.line}")
                        ok = False
                    else:
                        carried[carried_key] = app
            if app.submitted and app.submitted > rnd.deadline:
                s = next(c for c in d.clauses if c.keyword == "submitted")
                self.err("A605", f"ansøgningen er indsendt {app.submitted}, efter fristen {rnd.deadline}", file,
                         s.line, s.args[0], s.text, help="en ansøgning efter fristen indgår ikke i fordelingen")
                ok = False
            key = (app.round, app.municipality)
            if key in seen:
                prev = seen[key]
                self.err("A604", f"kommune {app.municipality} har allerede søgt i runden `{app.round}`", file, d.line,
                         d.args[0], d.text, help=f"første ansøgning i {prev.where.file}:{prev.where.line}; "
                                                 "højst én ansøgning pr. kommune pr. runde")
                continue
            seen[key] = app
            if ok:
                apps.append(app)
        # A fallback carried into a later round competes with a direct application there.
        for (rid, code), app in carried.items():
            direct = seen.get((rid, code))
            if direct is not None:
                self.diags.append(_diag(
                    "A604", f"kommune {code} søger direkte i runden `{rid}` og har også sit alternativ dér fra "
                            f"runden `{app.round}`", file=direct.where.file, line=direct.where.line, col=1,
                    help=f"alternativet står i {app.where.file}:{app.where.line}; behold kun det ene"))
        self._check_regions()
        self._check_picks(apps, rounds)
        rs = RoundSet(rounds=tuple(ordered), applications=tuple(sorted(apps, key=lambda a: (a.round, a.municipality))),
                      regions=tuple(sorted(self.regions, key=lambda r: r.id)), files=tuple(self.files))
        self._check_region_coverage(rs)
        return rs, self.diags

    def _check_regions(self) -> None:
        seen: dict[str, Region] = {}
        owner: dict[int, Region] = {}
        for r in self.regions:
            if r.id in seen:
                self.diags.append(_diag("A609", f"regionen `{r.id}` er erklæret to gange", file=r.where.file,
                                        line=r.where.line, col=1))
            seen[r.id] = r
            for code in r.municipalities:
                if code in owner and owner[code].id != r.id:
                    self.diags.append(_diag("A615", f"kommune {code} ligger både i `{owner[code].id}` og `{r.id}`",
                                            file=r.where.file, line=r.where.line, col=1))
                elif code in self.facts.regions and self.facts.regions[code] != region_key(r.name):
                    self.diags.append(_diag("A615", f"kommune {code} ligger både i `{r.id}` og, ifølge "
                                                    f"regelfilerne, i region {self.facts.regions[code]}",
                                            file=r.where.file, line=r.where.line, col=1,
                                            help="ret den ene, så rundefilen og municipalities.rule er enige"))
                owner.setdefault(code, r)

    def _check_picks(self, apps: list[Application], rounds: dict[str, Round]) -> None:
        wants: dict[tuple[str, str], set[int]] = defaultdict(set)
        for a in apps:
            wants[(a.round, a.first)].add(a.municipality)
            if a.fallback:
                wants[(a.round, a.fallback)].add(a.municipality)
        for rid, (file, _d, by) in self.round_decls.items():
            for kind in ("chosen", "result"):
                for c in by.get(kind, []):
                    area, codes = c.args
                    for code in codes.value:
                        if code in self.facts.municipalities and code not in wants[(rid, area.value)]:
                            self.err("A611", f"kommune {code} står under `{kind}`, men har ikke søgt `{area.value}` "
                                             f"i runden `{rid}`", file, c.line, codes, c.text,
                                     help="tilføj kommunens ansøgning (med kilde), eller ret koden")
                    dup = [k for k, n in Counter(codes.value).items() if n > 1]
                    for k in dup:
                        self.err("A611", f"kommune {k} står to gange under `{kind}`", file, c.line, codes, c.text)

    def _check_region_coverage(self, rs: RoundSet) -> None:
        region = rs.region_of(self.facts)
        for r in rs.rounds:
            if "region" not in r.ranking:
                continue
            for a in rs.applications:
                if a.round == r.id and a.municipality not in region:
                    self.diags.append(_diag("A613", f"runden `{r.id}` rangerer efter region, men kommune "
                                                    f"{a.municipality} har ingen region", file=a.where.file,
                                            line=a.where.line, col=1,
                                            help="tilføj koden under en `region` (fx i municipality-facts.round)"))


def _s(by: dict[str, list[Any]], key: str) -> str | None:
    return by[key][0].args[0].value if key in by else None


# ---------------------------------------------------------------------------- allocation

_KEY_DA = {"region": "regional spredning", "submitted": "tidligst indsendt", "lot": "fast lodtrækning",
           "code": "laveste kommunekode"}


def _rank_key(r: Round, a: Application, region: dict[int, str], counts: Counter[str]) -> tuple[Any, ...]:
    out: list[Any] = []
    for k in r.ranking_with_tiebreak:
        if k == "region":
            reg = region.get(a.municipality)
            out.append((0, counts[reg]) if reg else (1, 0))
        elif k == "submitted":
            out.append(a.submitted.toordinal() if a.submitted else 10**9)
        elif k == "lot":
            out.append(hashlib.sha256(f"{r.id}:{a.municipality}".encode()).hexdigest())
        else:
            out.append(a.municipality)
    return tuple(out)


def _pick(r: Round, cands: list[Application], free: int | None, region: dict[int, str],
          taken: list[int]) -> list[Application]:
    """The best `free` candidates (all if None), greedily, so region spread sees earlier picks."""
    counts: Counter[str] = Counter(region[c] for c in taken if c in region)
    left = sorted(cands, key=lambda a: a.municipality)
    out: list[Application] = []
    while left and (free is None or len(out) < free):
        best = min(left, key=lambda a: _rank_key(r, a, region, counts))
        out.append(best)
        left.remove(best)
        if best.municipality in region:
            counts[region[best.municipality]] += 1
    return out


def allocate(rs: RoundSet, facts: Facts) -> Allocation:
    """Distribute the areas. Pure and deterministic: the same round set in any order gives the
    same allocation."""
    return _Allocator(rs, facts).run()


class _Allocator:
    def __init__(self, rs: RoundSet, facts: Facts) -> None:
        self.rs = rs
        self.region = rs.region_of(facts)
        self.name = facts.municipalities
        self.aname = facts.areas
        self.granted: dict[int, tuple[str, str, Wish]] = {}  # code -> (round, area, wish)
        self.steps: dict[int, list[str]] = defaultdict(list)
        self.carried: dict[str, list[Application]] = defaultdict(list)  # fallbacks travelling to a later round
        self.rounds = rs.ordered_rounds()

    def an(self, area: str) -> str:
        return self.aname.get(area, area).lower()

    def run(self) -> Allocation:
        outcomes = [self.round(r) for r in self.rounds]
        applied = {a.municipality for a in self.rs.applications}
        munis: list[Outcome] = []
        for code in sorted(set(self.name) | applied):
            g = self.granted.get(code)
            why = " ".join(self.steps.get(code, [])) or "Søgte ikke i nogen runde."
            munis.append(Outcome(code=code, name=self.name.get(code, str(code)), area=g[1] if g else None,
                                 round=g[0] if g else None, wish=g[2] if g else None, applied=code in applied,
                                 why=why))
        return Allocation(rounds=tuple(outcomes), municipalities=tuple(munis))

    def round(self, r: Round) -> RoundOutcome:
        granted, steps, an = self.granted, self.steps, self.an
        live: list[Application] = []
        for a in sorted((a for a in self.rs.applications if a.round == r.id), key=lambda a: a.municipality):
            g = granted.get(a.municipality)
            if g is not None:
                steps[a.municipality].append(
                    f"Ansøgningen i runden {r.id} blev ikke behandlet: kommunen havde allerede fået {an(g[1])} i "
                    f"runden {g[0]} (højst én aftale pr. kommune).")
            else:
                live.append(a)
        taken: dict[str, list[int]] = {area: [] for area in r.areas}

        def free(area: str) -> int | None:
            cap = r.places.get(area)
            return None if cap is None else cap - len(taken[area])

        def cap_text(area: str) -> str:
            cap = r.places.get(area)
            return "uden loft over pladser" if cap is None else f"{cap} plads{'er' if cap != 1 else ''}"

        def grant(a: Application, area: str, wish: Wish, why: str) -> None:
            taken[area].append(a.municipality)
            granted[a.municipality] = (r.id, area, wish)
            steps[a.municipality].append(why)

        by_code = {a.municipality: a for a in live}
        # 1. the decision as really made (a fixed, sourced input)
        for area in sorted(r.chosen):
            for code in sorted(r.chosen[area]):
                app = by_code.get(code)
                if app is None or code in granted:
                    continue
                grant(app, area, "chosen",
                      f"Udpeget til {an(area)} i runden {r.id} (den faktiske beslutning, registreret som fast input "
                      f"`chosen`{f'; kilde: {r.source}' if r.source else ''}).")
        ranking_da = ", ".join(_KEY_DA[k] for k in r.ranking_with_tiebreak)
        # 2. first wishes
        for area in sorted(r.areas):
            cands = [a for a in live if a.first == area and a.municipality not in granted]
            for a in _pick(r, cands, free(area), self.region, taken[area]):
                grant(a, area, "first", f"Fik sit 1. ønske, {an(area)}, i runden {r.id} ({cap_text(area)}; "
                                        f"rangordning: {ranking_da}).")
            fixed = [c for c in taken[area] if granted[c][2] == "chosen"]
            ranked = [c for c in taken[area] if granted[c][2] != "chosen"]
            given = "; ".join(x for x in (
                f"{_names(fixed, self.name)} var udpeget (`chosen`)" if fixed else "",
                f"{_names(ranked, self.name)} rangerede højere ({ranking_da})" if ranked else "") if x)
            for a in cands:
                if a.municipality not in granted:
                    steps[a.municipality].append(
                        f"Fik ikke sit 1. ønske, {an(area)}, i runden {r.id}: der var {cap_text(area)}; {given}.")
        # 3. fallbacks: this round's own, then those carried here from earlier rounds
        fallbacks = [a for a in live if a.fallback in r.areas] + self.carried.pop(r.id, [])
        for area in sorted(r.areas):
            cands = [a for a in fallbacks if a.fallback == area and a.municipality not in granted]
            for a in _pick(r, cands, free(area), self.region, taken[area]):
                grant(a, area, "fallback", f"Fik sit alternativ, {an(area)}, i runden {r.id} ({cap_text(area)}).")
            for a in cands:
                if a.municipality not in granted:
                    steps[a.municipality].append(
                        f"Fik heller ikke sit alternativ, {an(area)}, i runden {r.id}: pladserne var besat.")
        # 4. a fallback for an area of a later round travels on to the first such round
        for a in live:
            if a.municipality in granted or not a.fallback or a.fallback in r.areas:
                continue
            later = next((x for x in self.rounds if (x.order, x.id) > (r.order, r.id) and a.fallback in x.areas), None)
            if later is not None:
                self.carried[later.id].append(a)
                steps[a.municipality].append(f"Alternativet, {an(a.fallback)}, går videre til runden {later.id}.")
        granted_here = {area: tuple(sorted(codes)) for area, codes in sorted(taken.items())}
        matches, diffs = _compare(granted_here, r.result, self.name)
        return RoundOutcome(
            id=r.id, title=r.title, order=r.order, deadline=r.deadline,
            places={area: r.places.get(area) for area in r.areas}, ranking=r.ranking_with_tiebreak,
            granted=granted_here, result=r.result, matches_result=matches, differences=tuple(diffs))


def _names(codes: Iterable[int], name: dict[int, str]) -> str:
    items = [name.get(c, str(c)) for c in codes]
    if not items:
        return "ingen"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def _compare(got: dict[str, tuple[int, ...]], real: dict[str, tuple[int, ...]] | None,
             name: dict[int, str]) -> tuple[bool | None, list[str]]:
    if real is None:
        return None, []
    diffs = []
    for area in sorted(set(got) | set(real)):
        g, w = set(got.get(area, ())), set(real.get(area, ()))
        if g - w:
            diffs.append(f"{area}: fordelingen giver også {_names(sorted(g - w), name)}, som ikke fik området i virkeligheden")
        if w - g:
            diffs.append(f"{area}: i virkeligheden fik {_names(sorted(w - g), name)} området, men fordelingen giver det ikke")
    return not diffs, diffs


# ---------------------------------------------------------------------------- draft agreements


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def draft_agreements(rs: RoundSet, alloc: Allocation, facts: Facts) -> tuple[str, list[Any]]:
    """The granted places as `agreement` declarations in the rule language (drafts, not law)."""
    from registry.fmt import format_text

    rounds = {r.id: r for r in rs.rounds}
    out = ["# Udkast til velfærdsaftaler, lavet af `registry round allocate --drafts` ud fra rundefilerne.",
           "# Det er udkast: ingen af dem er vedtaget, før en lov eller bekendtgørelse siger det.", ""]
    diags: list[Any] = []
    for ro in alloc.rounds:
        r = rounds[ro.id]
        for area, codes in ro.granted.items():
            if not codes:
                continue
            basis = r.basis.get(area)
            if r.period is None or basis is None:
                missing = " og ".join(x for x, ok in (("`period`", r.period), (f"`basis {area}`", basis)) if not ok)
                diags.append(_diag("A616", f"intet udkast for `{area}` i runden `{r.id}`: runden mangler "
                                           f"{missing}", file=r.where.file, line=r.where.line, col=1,
                                   help=f"fx `period 2023-07-01 to 2026-12-31` og `basis {area} LOVID source \"URL\"`"))
                continue
            aname = facts.areas.get(area, area)
            out += [f"agreement udkast-{r.id}-{area} {_quote(f'Udkast: {aname} (runden {r.id})')}",
                    f"  area {area}",
                    f"  basis {basis.law} source {_quote(basis.source)}",
                    f"  municipalities {', '.join(str(c) for c in codes)}",
                    f"  from {r.period[0].isoformat()} to {r.period[1].isoformat()}"]
            if r.source:
                out.append(f"  source {_quote(r.source)}")
            out += [f"  note {_quote(f'Udkast fra fordelingen i runden {r.id} ({r.title}); ikke en vedtaget aftale.')}",
                    ""]
    text = "\n".join(out).rstrip("\n") + "\n"
    formatted, _ = format_text(text, "<udkast>")
    return formatted or text, diags


# ---------------------------------------------------------------------------- reports


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def render_markdown(rs: RoundSet, alloc: Allocation, facts: Facts, errors: list[Any] | None = None) -> str:
    lines = ["# Ansøgningsrunder: hvem søgte hvad, og hvem fik hvad", "",
             "Før en kommune frisættes, spørger KL alle kommuner, hvilket velfærdsområde de vil frisættes på, "
             "hvorfor, hvilket område de ellers vil tage, og hvem der er kontaktperson. Beskæftigelsesrunden "
             "kører først; en kommune, der får en aftale dér, deltager ikke i de senere runder. Hver kommune får "
             "højst én aftale.", "",
             "Siden er lavet af `registry round report` ud fra filerne i `rules/rounds/` (formatet er "
             "beskrevet i `docs/rounds.md`). Kolonnen *Fik* er registrets fordeling efter de regler, der står "
             "i filerne; hvor det faktiske udfald er kendt, sammenlignes de.", ""]
    if errors:
        lines += ["!!! warning \"Rundefilerne har fejl\"", "",
                  *[f"    - `{_cell(e.file)}:{e.line}` {e.code}: {_cell(e.message)}" for e in errors[:20]], ""]
    if not rs.rounds:
        lines += ["Der er ingen runder registreret endnu.", ""]
        return "\n".join(lines)
    outcome = {o.code: o for o in alloc.municipalities}
    by_round = {ro.id: ro for ro in alloc.rounds}
    for r in rs.ordered_rounds():
        ro = by_round[r.id]
        lines += [f"## {r.title}", "", f"Runde `{r.id}` (nr. {r.order}), frist {r.deadline.isoformat()}.", ""]
        for area in r.areas:
            cap = r.places.get(area)
            lines.append(f"- {facts.areas.get(area, area)}: {'intet loft over pladser' if cap is None else f'{cap} pladser'}")
        lines.append(f"- Rangordning ved lighed: {', '.join(_KEY_DA[k] for k in ro.ranking)}")
        if r.source:
            lines.append(f"- Kilde: <{r.source}>")
        lines.append("")
        if r.note:
            lines += [_cell(r.note), ""]
        apps = [a for a in rs.applications if a.round == r.id]
        lines += [f"{len(apps)} ansøgning(er) registreret.", "",
                  "| Kommune | 1. ønske | Alternativ | Indsendt | Fik | Hvorfor |", "|---|---|---|---|---|---|"]
        for a in sorted(apps, key=lambda a: a.municipality):
            o = outcome[a.municipality]
            first = facts.areas.get(a.first, a.first) + (f" — {a.first_reason}" if a.first_reason else "")
            fb = (facts.areas.get(a.fallback, a.fallback) + (f" — {a.fallback_reason}" if a.fallback_reason else "")) \
                if a.fallback else "—"
            if o.round == r.id and o.area:
                got = facts.areas.get(o.area, o.area)
            elif o.area:
                got = f"intet her (fik {facts.areas.get(o.area, o.area).lower()} i runden {o.round})"
            else:
                got = "intet"
            src = f" [kilde]({a.source})" if a.source else ""
            lines.append(f"| {_cell(o.name)} ({a.municipality}){src} | {_cell(first)} | {_cell(fb)} | "
                         f"{a.submitted.isoformat() if a.submitted else 'ukendt'} | {_cell(got)} | {_cell(o.why)} |")
        lines.append("")
        if ro.result is not None:
            real = "; ".join(f"{facts.areas.get(k, k)}: {_names(v, facts.municipalities)}" for k, v in ro.result.items())
            lines += [f"**Faktisk udfald:** {real}.", ""]
            lines.append("**Fordelingen svarer til det faktiske udfald.**" if ro.matches_result else
                         "**Fordelingen afviger fra det faktiske udfald:** " + "; ".join(ro.differences) + ".")
        else:
            lines.append("Det faktiske udfald af runden er ikke registreret.")
        lines.append("")
    others = [o for o in alloc.municipalities if not o.applied]
    lines += ["## Kommuner uden registreret ansøgning", "",
              f"{len(others)} kommuner har ingen registreret ansøgning. Det betyder ikke, at de ikke søgte: "
              "registret nævner kun ansøgere, som en kilde navngiver.", ""]
    return "\n".join(lines)


def markdown_report(rules_dir: str | Path) -> str:
    """The docs page "who applied for what, who got what" for the rounds under rules_dir/rounds."""
    base = Path(rules_dir)
    two = [base / "municipalities.rule", base / "areas.rule"]
    facts, errs = load_facts([str(p) for p in two] if all(p.is_file() for p in two) else [str(base)])
    folder = base / "rounds"
    rs, diags = load_rounds(folder, facts) if folder.is_dir() else (RoundSet(), [])
    errors = [d for d in errs + diags if d.severity.value == "error"]
    if errors:  # allocate only what validated; the page says so instead of failing the docs build
        rs = RoundSet()
    return render_markdown(rs, allocate(rs, facts), facts, errors)


# ---------------------------------------------------------------------------- entry through the web page

WEB_FILE = "<webformular>"


class ApplicationRequest(BaseModel):
    """One municipality's application, as entered on the web page or sent to the JSON API."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    round: str = Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9-]*$", description="rundens id, fx velfaerd-2022")
    municipality: str = Field(min_length=1, max_length=100, description="navn eller kommunekode")
    first: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9-]*$",
                       description="1. ønske: et område-id, fx folkeskole")
    first_reason: str | None = Field(default=None, max_length=2000, description="begrundelse for 1. ønske")
    fallback: str | None = Field(default=None, max_length=40, pattern=r"^[a-z][a-z0-9-]*$",
                                 description="alternativt område")
    fallback_reason: str | None = Field(default=None, max_length=2000, description="begrundelse for alternativet")
    contact: str | None = Field(default=None, max_length=200, description="kontaktperson")
    submitted: dt.date | None = Field(default=None, description="indsendt (standard: i dag)")


def facts_from_rules(rs: Any) -> Facts:
    """The facts a round needs, from an already compiled rule set (the web service has one)."""
    return Facts(municipalities={m.code: m.name for m in rs.municipalities}, areas={a.id: a.name for a in rs.areas},
                 regions={m.code: region_key(r) for m in rs.municipalities if (r := getattr(m, "region", None))})


def application_text(code: int, req: ApplicationRequest, submitted: dt.date, by: str | None) -> str:
    """The application in the round-file language, ready to add to rules/rounds/."""
    def q(text: str) -> str:
        return _quote(" ".join(text.split()))  # one line: the file format has no multi-line text

    lines = [f"application {code} under {req.round}",
             f"  first {req.first}" + (f" {q(req.first_reason)}" if req.first_reason else "")]
    if req.fallback:
        lines.append(f"  fallback {req.fallback}" + (f" {q(req.fallback_reason)}" if req.fallback_reason else ""))
    if req.contact:
        lines.append(f"  contact {q(req.contact)}")
    lines.append(f"  submitted {submitted.isoformat()}")
    lines.append(f"  note {q('Indsendt via registrets webside' + (f' af {by}' if by else '') + '.')}")
    return "\n".join(lines) + "\n"


def check_application(rounds_dir: str | Path, facts: Facts, code: int, req: ApplicationRequest,
                      submitted: dt.date, by: str | None) -> tuple[str, list[Any]]:
    """Validate a new application against the bundled rounds (deadline, duplicates, open areas, ...).

    Returns its text and the problems that concern it; nothing is written anywhere.
    """
    import os

    from registry.source import read_source

    texts: list[tuple[str, str]] = []
    for f in discover_rounds(rounds_dir) if Path(rounds_dir).exists() else []:
        text, _ = read_source(f, os.path.basename(f))
        if text is not None:
            texts.append((f.name, text))
    new = application_text(code, req, submitted, by)
    _, diags = lower_rounds([*texts, (WEB_FILE, new)], facts)
    return new, [d for d in diags if d.file == WEB_FILE]


def render_text(alloc: Allocation) -> str:
    lines = []
    for ro in alloc.rounds:
        lines.append(f"Runde {ro.id} (nr. {ro.order}): {ro.title}")
        for area, codes in ro.granted.items():
            cap = ro.places.get(area)
            lines.append(f"  {area}: {len(codes)}/{'∞' if cap is None else cap} — {', '.join(map(str, codes)) or 'ingen'}")
        if ro.matches_result is not None:
            lines.append("  svarer til det faktiske udfald" if ro.matches_result else
                         "  afviger fra det faktiske udfald: " + "; ".join(ro.differences))
    lines.append("")
    for o in alloc.municipalities:
        if o.applied:
            lines.append(f"{o.code} {o.name}: {o.area or 'intet'} — {o.why}")
    lines.append(f"{sum(1 for o in alloc.municipalities if not o.applied)} kommune(r) søgte ikke.")
    return "\n".join(lines)


def allocation_json(alloc: Allocation) -> dict[str, Any]:
    data = alloc.model_dump(mode="json")
    return {"municipalities": data["municipalities"], "rounds": data["rounds"]}


# ---------------------------------------------------------------------------- command


def cmd_round(args: argparse.Namespace) -> int:
    from registry.cli import _print_diags
    from registry.diagnostics import diag, has_errors, render_all, render_json

    if not Path(args.dir).exists():
        raise UsageError([diag("C405", f"stien findes ikke: {args.dir}", help="angiv en mappe med *.round-filer")])
    if args.drafts and args.action != "allocate":
        raise UsageError([diag("C405", "`--drafts` hører til `registry round allocate`")])
    if not discover_rounds(args.dir):
        raise UsageError([_diag("A617", f"{args.dir} indeholder ingen *.round-filer",
                                help="rundefiler har endelsen .round (se docs/rounds.md)")])
    if args.rules:
        missing = [p for p in args.rules if not Path(p).exists()]
        if missing:
            raise UsageError([diag("C405", f"stien findes ikke: {p}") for p in missing])
    facts, errs = load_facts(args.rules)
    rs, diags = load_rounds(args.dir, facts)
    diags = errs + diags
    if args.action == "validate":
        if args.format == "json":
            print(render_json(diags))
        else:
            if diags:
                print(render_all(diags))
            print(f"{len(rs.files)} fil(er): {len(rs.rounds)} runde(r), {len(rs.applications)} ansøgning(er), "
                  f"{len(rs.regions)} region(er)")
        return EXIT_INVALID if has_errors(diags) else EXIT_OK
    if has_errors(diags):
        _print_diags(diags, "text")
        print("registry: rundefilerne har fejl; ret dem (se `registry round validate`) før der kan fordeles.",
              file=sys.stderr)
        return EXIT_INVALID
    alloc = allocate(rs, facts)
    if args.action == "report":
        if args.format == "json":
            print(json.dumps({**allocation_json(alloc), "applications": [a.model_dump(mode="json") for a in rs.applications]},
                             ensure_ascii=False, indent=2))
        else:
            print(render_markdown(rs, alloc, facts))
        return EXIT_OK
    if args.drafts:
        text, d = draft_agreements(rs, alloc, facts)
        if d:
            _print_diags(d, "text")  # A616 warnings: a granted area without `period`/`basis` gets no draft
        try:
            Path(args.drafts).write_text(text, encoding="utf-8")
        except OSError as e:
            raise UsageError([diag("C405", f"kan ikke skrive {args.drafts}: {e.strerror or e}")]) from None
    if args.format == "json":
        print(json.dumps(allocation_json(alloc), ensure_ascii=False, indent=2))
    else:
        print(render_text(alloc))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("round", help="ansøgningsrunder: valider, fordel og rapportér (hvem søgte, hvem fik)")
    s.add_argument("action", choices=("validate", "allocate", "report"), metavar="validate|allocate|report")
    s.add_argument("dir", metavar="MAPPE", help="mappe (eller fil) med *.round-filer, fx rules/rounds")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.add_argument("--rules", nargs="+", metavar="STI", default=None,
                   help="regelfiler med kommuner og områder (standard: rules/municipalities.rule og rules/areas.rule)")
    s.add_argument("--drafts", metavar="FIL.rule", help="skriv udkast til aftaler (regelsprog) til denne fil")
    s.set_defaults(func=cmd_round)


EXTRA_COMMANDS.append(register)
