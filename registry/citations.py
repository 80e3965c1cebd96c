"""Citations as written → the concrete provisions they name (`§§ 91-93` → §§ 91, 92, 93).

Shared by lowering, the checker and the web page; kept apart from `lower` so that a check does not
import the whole lowering stage.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from registry.dsl.tree import CitationSyntax, ParsedFile, Range
from registry.model import Citation, section_label, split_section


@dataclass
class SectionIndex:
    """Which § each law declares, so that `§§ 91-93` can be expanded to the real sections."""

    sections: dict[str, set[str]] = field(default_factory=dict)
    # Performance: the same provision is cited many times (its declaration, its statuses, the
    # `requires` that name it); Citation is frozen, so one object can stand for all of them.
    interned: dict[tuple[object, ...], Citation] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_files(cls, files: list[ParsedFile]) -> SectionIndex:
        idx = cls()
        for pf in files:
            for d in pf.decls:
                if d.keyword == "provision" and d.args and d.args[0].kind == "cit":
                    c: CitationSyntax = d.args[0].value
                    if c.law and c.sections:
                        for r in c.sections:
                            idx.sections.setdefault(c.law, set()).add(r.lo)
        return idx

    def expand_range(self, law: str, r: Range) -> list[str]:
        if r.hi is None:
            return [r.lo]
        lo, hi = split_section(r.lo), split_section(r.hi)
        if hi < lo:
            raise RangeError(f"intervallet §§ {section_label(r.lo)}-{section_label(r.hi)} går baglæns",
                             f"skriv det mindste nummer først: §§ {section_label(r.hi)}-{section_label(r.lo)}")
        if hi[0] - lo[0] > MAX_EXPANSION:
            raise RangeError(f"intervallet §§ {section_label(r.lo)}-{section_label(r.hi)} er for stort",
                             f"højst {MAX_EXPANSION} paragraffer ad gangen")
        declared = {s for s in self.sections.get(law, set()) if lo <= split_section(s) <= hi}
        plain = {str(n) for n in range(lo[0], hi[0] + 1) if lo <= (n, "") <= hi}
        return sorted(declared | plain | {r.lo, r.hi}, key=split_section)


MAX_EXPANSION = 500  # one written citation may name at most this many provisions


class RangeError(ValueError):
    """A range that cannot be expanded: backwards, or too large to be meant."""

    def __init__(self, message: str, help: str) -> None:
        super().__init__(message)
        self.help = help


def _ints(r: Range | None, what: str) -> list[int | None]:
    if r is None:
        return [None]
    lo = int(r.lo)
    hi = int(r.hi) if r.hi else lo
    if hi < lo:
        raise RangeError(f"intervallet {what} {lo}-{hi} går baglæns", f"skriv det mindste tal først: {what} {hi}-{lo}")
    return list(range(lo, hi + 1))


def expand(c: CitationSyntax, index: SectionIndex, law: str | None = None) -> list[Citation]:
    """All the concrete provisions a written citation names (ranges and lists expanded).

    Raises RangeError for a backwards range or one that names more than MAX_EXPANSION provisions.
    """
    law = law or c.law
    if not c.sections:
        return [Citation(law=law)]
    if len(c.sections) == 1 and c.sections[0].hi is None and (c.stk is None or c.stk.hi is None) \
            and (c.nr is None or c.nr.hi is None):  # performance: most citations name one provision
        key = (law, c.sections[0].lo, c.stk.lo if c.stk else None, c.nr.lo if c.nr else None, c.litra, c.pkt)
        one = index.interned.get(key)
        if one is None:
            one = index.interned[key] = Citation(law=law, section=c.sections[0].lo, stk=int(c.stk.lo) if c.stk else None,
                                                 nr=int(c.nr.lo) if c.nr else None, litra=c.litra,
                                                 pkt=int(c.pkt) if c.pkt else None)
        return [one]
    sections = [s for r in c.sections for s in index.expand_range(law or "", r)]
    stks, nrs = _ints(c.stk, "stk."), _ints(c.nr, "nr.")
    if len(sections) * len(stks) * len(nrs) > MAX_EXPANSION:
        raise RangeError(f"henvisningen nævner {len(sections) * len(stks) * len(nrs)} bestemmelser",
                         f"højst {MAX_EXPANSION} ad gangen; del den op")
    out = []
    for sec, stk, nr in itertools.product(sections, stks, nrs):
        out.append(Citation(law=law, section=sec, stk=stk, nr=nr, litra=c.litra,
                            pkt=int(c.pkt) if c.pkt else None))
    return out
