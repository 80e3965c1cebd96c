"""The validated rule model: what a rule set says, independent of how it was written.

Every object is a frozen pydantic model that rejects unknown fields, so a typo in a
JSON export or a test case fails loudly instead of being ignored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    # defer_build: the warm path only unpickles these models, so their validators are built on first use
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


@dataclasses.dataclass(frozen=True, slots=True)
class Span:
    """Where something was written: 1-based line and column, end exclusive.

    A plain frozen dataclass, not a pydantic model (pydantic still validates and serialises it as a
    field): every declaration has one, and as a model it was a fifth of the time of lowering.
    """

    file: str
    line: int
    col: int
    end_line: int
    end_col: int


class Citation(Frozen):
    """One law provision at any level of the Danish hierarchy.

    ``section`` is the § number with its letter suffix folded in (``"9a"``); ``None``
    means the whole law.
    """

    law: str | None = None
    section: str | None = None
    stk: int | None = None
    nr: int | None = None
    litra: str | None = None
    pkt: int | None = None

    @property
    def key(self) -> tuple[str, ...]:
        """Every level from the law down ("" where a level is not given: `§ 5, 2. pkt.` has no stk.)."""
        levels = [self.law or "", *("" if v is None else str(v)
                                    for v in (self.section, self.stk, self.nr, self.litra, self.pkt))]
        while len(levels) > 1 and levels[-1] == "":
            levels.pop()
        return tuple(levels)

    @property
    def depth(self) -> int:
        """How specific the citation is: the number of levels given below the law."""
        return sum(v is not None for v in (self.section, self.stk, self.nr, self.litra, self.pkt))

    def canonical(self) -> str:
        # Performance: the stages ask for the same few thousand names again and again (graph nodes,
        # ids, diagnostics); the fields are the key, as the model is frozen.
        return _canonical(self.law, self.section, self.stk, self.nr, self.litra, self.pkt)

    @property
    def key_sort(self) -> tuple[object, ...]:
        """Legal order: SEL § 2 before § 79 a before § 83 before § 139."""
        sec = split_section(self.section) if self.section else (-1, "")
        return (self.law or "", sec, self.stk or 0, self.nr or 0, self.litra or "", self.pkt or 0)

    def __str__(self) -> str:
        return self.canonical()

    def parent(self) -> Citation | None:
        # Performance: model_copy costs ~4.5 µs, and the checker asks for the parents of the same
        # citations in every check; the fields are the key, as the model is frozen.
        return _parent(self.law, self.section, self.stk, self.nr, self.litra, self.pkt)

    def ancestors_or_self(self) -> list[Citation]:
        out: list[Citation] = [self]
        cur = self.parent()
        while cur is not None:
            out.append(cur)
            cur = cur.parent()
        return out

    def section_only(self) -> Citation:
        return Citation(law=self.law, section=self.section)


def split_section(section: str) -> tuple[int, str]:
    """'83a' -> (83, 'a'); used for ordering and canonical printing."""
    digits = ""
    for ch in section:
        if ch.isdigit():
            digits += ch
        else:
            break
    return (int(digits) if digits else 0, section[len(digits) :])


def section_label(section: str) -> str:
    num, letter = split_section(section)
    return f"{num} {letter}" if letter else str(num)


@functools.lru_cache(maxsize=65536)
def _canonical(law: str | None, section: str | None, stk: int | None, nr: int | None, litra: str | None,
               pkt: int | None) -> str:
    parts: list[str] = []
    head = law or ""
    if section is not None:
        head = f"{head} § {section_label(section)}".strip()
    parts.append(head)
    if stk is not None:
        parts.append(f"stk. {stk}")
    if nr is not None:
        parts.append(f"nr. {nr}")
    if litra is not None:
        parts.append(f"litra {litra}")
    if pkt is not None:
        parts.append(f"{pkt}. pkt.")
    return ", ".join(parts)


@functools.lru_cache(maxsize=65536)
def _parent(law: str | None, section: str | None, stk: int | None, nr: int | None, litra: str | None,
            pkt: int | None) -> Citation | None:
    """The citation one level up: the last level given is dropped (`§ 5, stk. 2` -> `§ 5` -> the law)."""
    if pkt is not None:
        return Citation(law=law, section=section, stk=stk, nr=nr, litra=litra)
    if litra is not None:
        return Citation(law=law, section=section, stk=stk, nr=nr)
    if nr is not None:
        return Citation(law=law, section=section, stk=stk)
    if stk is not None:
        return Citation(law=law, section=section)
    if section is not None:
        return Citation(law=law)
    return None


def is_within(inner: Citation, outer: Citation) -> bool:
    """True when ``inner`` is ``outer`` or one of its parts: every level ``outer`` gives, ``inner``
    gives the same (so `§ 5, 2. pkt.` is within `§ 5`, but `§ 5, 1. pkt.` is not within `§ 5, 2. pkt.`)."""
    if inner.law != outer.law:
        return False
    return all(o is None or o == i for i, o in ((inner.section, outer.section), (inner.stk, outer.stk),
                                                 (inner.nr, outer.nr), (inner.litra, outer.litra),
                                                 (inner.pkt, outer.pkt)))


def overlaps(a: Citation, b: Citation) -> bool:
    return is_within(a, b) or is_within(b, a)


class Period(Frozen):
    """An inclusive date range; ``None`` on either side is open."""

    start: dt.date | None = None
    end: dt.date | None = None

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def overlaps(self, other: Period) -> bool:
        lo = max(self.start or dt.date.min, other.start or dt.date.min)
        hi = min(self.end or dt.date.max, other.end or dt.date.max)
        return lo <= hi


class Area(Frozen):
    id: str
    name: str
    source: str | None = None
    span: Span


class Municipality(Frozen):
    code: int
    name: str
    aliases: tuple[str, ...] = ()
    region: str | None = None
    source: str | None = None
    span: Span


class LawVersion(Frozen):
    kind: Literal["LOV", "LBK", "BEK"]
    number: int
    year: int
    date: dt.date
    in_force: Period = Period()
    source: str

    def label(self) -> str:
        return f"{self.kind} nr. {self.number} af {self.date.isoformat()}"


class Law(Frozen):
    id: str
    title: str
    aliases: tuple[str, ...] = ()
    source: str
    versions: tuple[LawVersion, ...] = ()
    sections_complete: bool = False
    # the last day the list is known to be complete (a later amendment may have added a § not read yet)
    sections_complete_to: dt.date | None = None
    note: str | None = None
    span: Span

    def complete_on(self, day: dt.date | None) -> bool:
        """Is every § of the law declared for `day` (None: any day within the list's bound)?"""
        if not self.sections_complete:
            return False
        return self.sections_complete_to is None or day is None or day <= self.sections_complete_to


class Repeal(Frozen):
    date: dt.date
    act: str
    source: str


class Succession(Frozen):
    target: Citation
    date: dt.date


class Alternative(Frozen):
    target: Citation
    text: str


class Provision(Frozen):
    ref: Citation
    heading: str
    topics: tuple[str, ...] = ()
    source: str
    in_force: Period = Period()
    repealed: Repeal | None = None
    succeeded_by: tuple[Succession, ...] = ()
    refers_to: tuple[Citation, ...] = ()
    requires: tuple[Citation, ...] = ()
    replaced_by: tuple[Citation, ...] = ()
    authorised_by: tuple[Citation, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    note: str | None = None
    inferred: str | None = Field(default=None, description="why the provision's existence or number is inferred, "
                                                            "not read in a text of the law")
    span: Span

    @property
    def id(self) -> str:
        return self.ref.canonical()

    def in_force_on(self, day: dt.date) -> bool:
        if self.repealed is not None and day >= self.repealed.date:
            return False
        return self.in_force.contains(day)


class Extension(Frozen):
    end: dt.date
    act: str
    source: str


class Cancellation(Frozen):
    """The agreement was called off before it took effect: it is never in force."""

    date: dt.date
    source: str


class MunicipalStart(Frozen):
    code: int
    date: dt.date
    source: str


class Agreement(Frozen):
    id: str
    title: str
    area: str
    basis: str
    basis_source: str
    municipalities: tuple[int, ...]
    period: Period
    starts: tuple[MunicipalStart, ...] = ()
    extensions: tuple[Extension, ...] = ()
    decisions_under: Citation | None = None
    overview: Citation | None = None
    # the act's transitional rule: measures decided for a citizen outlive the act (VA-Æ § 14, stk. 2)
    transition: Citation | None = None
    cancelled: Cancellation | None = None
    source: str | None = None
    note: str | None = None
    inferred: str | None = None
    span: Span

    def start_for(self, code: int) -> dt.date | None:
        for s in self.starts:
            if s.code == code:
                return s.date
        return self.period.start

    @property
    def end(self) -> dt.date | None:
        ends = [e.end for e in self.extensions]
        if ends:
            return max(ends)
        return self.period.end

    def period_for(self, code: int) -> Period:
        return Period(start=self.start_for(code), end=self.end)

    def in_force_for(self, code: int, day: dt.date) -> bool:
        return self.cancelled is None and code in self.municipalities and self.period_for(code).contains(day)


class StatusKind(str, Enum):
    EXEMPTABLE = "exemptable"
    EXEMPT = "exempt"
    FENCEPOST = "fencepost"
    LOCAL_FENCEPOST = "local-fencepost"
    OUT_OF_SCOPE = "out-of-scope"
    UNKNOWN = "unknown"


class Status(Frozen):
    kind: StatusKind
    target: Citation
    agreements: tuple[str, ...]
    municipalities: tuple[int, ...] = ()
    period: Period = Period()
    source: str
    inferred: str | None = None
    note: str | None = None
    by: str | None = None
    extent: Literal["wholly", "partly"] | None = None
    condition: Citation | None = None
    except_text: str | None = None
    span: Span

    @property
    def is_fencepost(self) -> bool:
        return self.kind in (StatusKind.FENCEPOST, StatusKind.LOCAL_FENCEPOST)


class DecisionItem(Frozen):
    target: Citation
    extent: Literal["wholly", "partly"] = "wholly"
    note: str | None = None
    span: Span


class Decision(Frozen):
    id: str
    title: str
    municipality: int
    agreement: str
    items: tuple[DecisionItem, ...]
    decided: dt.date | None = None
    published: dt.date
    effective: dt.date
    source: str
    inferred: str | None = None
    note: str | None = None
    span: Span


class Verdict(str, Enum):
    ALLOWED = "allowed"
    NEEDS_DECISION = "needs_decision"
    NOT_COVERED = "not_covered"
    VIOLATES_FENCEPOST = "violates_fencepost"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @property
    def inside(self) -> bool:
        return self in (Verdict.ALLOWED, Verdict.NEEDS_DECISION)


_SEVERITY = {
    Verdict.ALLOWED: 0,
    Verdict.NEEDS_DECISION: 1,
    Verdict.NOT_COVERED: 2,
    Verdict.VIOLATES_FENCEPOST: 3,
}


class Example(Frozen):
    name: str
    municipality: int
    date: dt.date
    deviates: tuple[str, ...] = ()
    area: str | None = None
    expect: Verdict
    source: str
    note: str | None = None
    span: Span


class FenceRequirement(Frozen):
    """A provision a fence post needs, and the chain of `requires` that says so."""

    required: Citation
    path: tuple[str, ...]


class RuleSet(Frozen):
    areas: tuple[Area, ...] = ()
    municipalities: tuple[Municipality, ...] = ()
    laws: tuple[Law, ...] = ()
    provisions: tuple[Provision, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    statuses: tuple[Status, ...] = ()
    decisions: tuple[Decision, ...] = ()
    examples: tuple[Example, ...] = ()
    files: tuple[str, ...] = Field(default=(), description="the rule files, in load order")
