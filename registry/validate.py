"""Validate a lowered rule set as a whole: references resolve, nothing is declared twice,
decisions stay inside their agreements. Graph-shaped checks live in `graph`."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable

from registry.diagnostics import Diagnostic, diag
from registry.lower import Ref
from registry.model import Citation, RuleSet, Status, StatusKind, is_within, section_label, split_section


def _near(word: str, options: Iterable[str], n: int = 3) -> list[str]:
    return difflib.get_close_matches(word, list(options), n=n, cutoff=0.5)


def nearest_sections(section: str, declared: Iterable[str], n: int = 3) -> list[str]:
    """The declared § closest to a wrong one: same number with another letter, then by distance."""
    num, _ = split_section(section)
    ranked = sorted(declared, key=lambda s: (abs(split_section(s)[0] - num), split_section(s)))
    return ranked[:n]


def _dups(kind: str, items: list[tuple[str, str, int]]) -> list[Diagnostic]:
    """items: (key, file, line)."""
    out = []
    seen: dict[str, tuple[str, int]] = {}
    for key, file, line in items:
        if key in seen:
            f0, l0 = seen[key]
            out.append(diag("R200", f"{kind} `{key}` er erklæret to gange", file=file, line=line, col=1,
                            help=f"første gang i {f0}:{l0}"))
        else:
            seen[key] = (file, line)
    return out


def validate(rs: RuleSet, refs: list[Ref]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    out += _dups("området", [(a.id, a.span.file, a.span.line) for a in rs.areas])
    out += _dups("kommunen", [(str(m.code), m.span.file, m.span.line) for m in rs.municipalities])
    out += _dups("loven", [(x.id, x.span.file, x.span.line) for x in rs.laws])
    out += _dups("bestemmelsen", [(p.id, p.span.file, p.span.line) for p in rs.provisions])
    out += _dups("aftalen", [(a.id, a.span.file, a.span.line) for a in rs.agreements])
    out += _dups("beslutningen", [(d.id, d.span.file, d.span.line) for d in rs.decisions])
    out += _dups("eksemplet", [(e.name, e.span.file, e.span.line) for e in rs.examples])

    laws = {x.id: x for x in rs.laws}
    sections: dict[str, set[str]] = {}
    for p in rs.provisions:
        if p.ref.section and p.ref.law:
            sections.setdefault(p.ref.law, set()).add(p.ref.section)
    agreements = {a.id: a for a in rs.agreements}
    municipalities = {m.code for m in rs.municipalities}
    areas = {a.id for a in rs.areas}

    def at(r: Ref, code: str, msg: str, help: str | None = None) -> None:
        out.append(diag(code, msg, file=r.file, line=r.line, col=r.col, end_col=r.end_col, line_text=r.line_text,
                        help=help))

    for r in refs:
        if r.kind == "law" or (r.kind == "provision" and r.value.law not in laws):
            law = r.value if r.kind == "law" else r.value.law
            if law not in laws:
                near = _near(law, laws)
                at(r, "R201", f"loven `{law}` er ikke erklæret",
                   f"mente du `{near[0]}`?" if near else "erklær den med `law " + law + ' "titel"`')
        elif r.kind == "provision":
            c: Citation = r.value
            if c.section is None or c.section in sections.get(c.law or "", set()):
                continue
            near_txt = ", ".join(f"§ {section_label(s)}" for s in nearest_sections(c.section, sections.get(c.law or "", ())))
            help = f"mente du {near_txt}?" if near_txt else None
            if laws[c.law or ""].sections_complete:
                at(r, "R202", f"{c.law} § {section_label(c.section)} findes ikke i registret", help)
            else:
                at(r, "R215", f"{c.law} § {section_label(c.section)} er ikke erklæret som `provision`", help)
        elif r.kind == "agreement" and r.value not in agreements:
            near = _near(r.value, agreements)
            at(r, "R204", f"aftalen `{r.value}` er ikke erklæret", f"mente du `{near[0]}`?" if near else None)
        elif r.kind == "municipality" and r.value not in municipalities:
            at(r, "R203", f"kommunekode {r.value} er ikke en kendt kommune",
               "kommunekoder står i rules/municipalities.rule")
        elif r.kind == "area" and r.value not in areas:
            near = _near(r.value, areas)
            at(r, "R205", f"området `{r.value}` er ikke erklæret", f"mente du `{near[0]}`?" if near else None)

    for s in rs.statuses:
        for a in s.agreements:
            ag = agreements.get(a)
            if ag is None:
                continue
            for code in s.municipalities:
                if code not in ag.municipalities:
                    out.append(diag("R209", f"kommune {code} er ikke med i aftalen `{a}`", file=s.span.file,
                                    line=s.span.line, col=1, line_text=""))

    exemptable: dict[tuple[str | None, str | None], list[Status]] = {}
    for st in rs.statuses:
        if st.kind is StatusKind.EXEMPTABLE:
            exemptable.setdefault((st.target.law, st.target.section), []).append(st)
    for d in rs.decisions:
        ag = agreements.get(d.agreement)
        if ag is None:
            continue
        where = {"file": d.span.file, "line": d.span.line, "col": 1}
        if d.municipality not in ag.municipalities:
            out.append(diag("R209", f"kommune {d.municipality} er ikke med i aftalen `{ag.id}`", **where))  # type: ignore[arg-type]
            continue
        period = ag.period_for(d.municipality)
        if ag.cancelled is not None:
            out.append(diag("R210", f"aftalen `{ag.id}` blev aflyst {ag.cancelled.date} og trådte aldrig i kraft",
                            **where))  # type: ignore[arg-type]
        elif not period.contains(d.effective):
            out.append(diag("R210", f"beslutningen træder i kraft {d.effective}, uden for aftalens periode "
                                    f"({period.start} – {period.end})", **where))  # type: ignore[arg-type]
        for item in d.items:
            t = item.target
            candidates = exemptable.get((t.law, t.section), []) + exemptable.get((t.law, None), [])
            if not any(d.agreement in s.agreements and (not s.municipalities or d.municipality in s.municipalities)
                       and is_within(t, s.target) for s in candidates):
                out.append(diag("R211", f"{item.target} kan ikke fraviges efter aftalen `{ag.id}`",
                                file=d.span.file, line=item.span.line, col=item.span.col, end_col=item.span.end_col,
                                help="kun bestemmelser med status `exemptable` under aftalen kan fraviges ved beslutning"))

    names = Counter(m.name.lower() for m in rs.municipalities)
    for m in rs.municipalities:
        if names[m.name.lower()] > 1:
            out.append(diag("R200", f"kommunenavnet {m.name} bruges af flere koder", file=m.span.file,
                            line=m.span.line, col=1))
    return out
