"""The parse tree: what was written, where, before any meaning is given to it.

Plain dataclasses (not pydantic) because the parser makes hundreds of thousands of these and
they never leave the pipeline; the model that does leave is pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Range:
    lo: str
    hi: str | None = None


@dataclass(slots=True)
class CitationSyntax:
    """A citation as written: `law` is the text naming the law (id, alias, title) or None."""

    law: str | None
    plural: bool
    sections: list[Range]
    stk: Range | None = None
    nr: Range | None = None
    litra: str | None = None
    pkt: str | None = None

    def render(self) -> str:
        """The canonical spelling of this (possibly plural) citation."""
        from registry.model import section_label  # local: tree must stay import-light

        def sec(r: Range) -> str:
            lo = section_label(r.lo)
            return f"{lo}-{section_label(r.hi)}" if r.hi else lo

        def rng(r: Range) -> str:
            return f"{r.lo}-{r.hi}" if r.hi else r.lo

        if not self.sections:  # the whole law
            return self.law or ""
        if self.plural:
            body = "§§ " + ", ".join(sec(r) for r in self.sections)
            if len(self.sections) > 1 and all(r.hi is None for r in self.sections):
                body = "§§ " + ", ".join(sec(r) for r in self.sections[:-1]) + " og " + sec(self.sections[-1])
        else:
            body = "§ " + sec(self.sections[0])
        parts = [f"{self.law} {body}" if self.law else body]
        if self.stk:
            parts.append(f"stk. {rng(self.stk)}")
        if self.nr:
            parts.append(f"nr. {rng(self.nr)}")
        if self.litra:
            parts.append(f"litra {self.litra}")
        if self.pkt:
            parts.append(f"{self.pkt}. pkt.")
        return ", ".join(parts)


@dataclass(slots=True)
class Value:
    kind: str  # str, strs, date, code, codes, id, ids, lawid, cit, cits, word, int, numyear
    value: Any
    col: int  # 1-based
    end_col: int


@dataclass(slots=True)
class Clause:
    keyword: str
    args: list[Value]
    line: int
    col: int
    end_col: int
    text: str
    comments_before: list[str] = field(default_factory=list)
    comment: str | None = None


@dataclass(slots=True)
class Decl:
    keyword: str
    args: list[Value]
    line: int
    end_col: int
    text: str
    clauses: list[Clause] = field(default_factory=list)
    comments_before: list[str] = field(default_factory=list)
    comment: str | None = None


@dataclass(slots=True)
class ParsedFile:
    path: str
    decls: list[Decl]
    trailing_comments: list[str]
    lines: list[str]
