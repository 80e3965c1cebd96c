"""`registry docs`: the published docs site, as plain Markdown built from the rule model.

The pages are generated from the same compiled rules the checker uses, so the site and the
verdicts cannot disagree. Output goes to one folder (default docs/generated/, git-ignored) that
mkdocs.yml uses as its docs_dir: the hand-written pages under docs/ are copied in beside the
generated ones, and the navigation is written to `.nav.yml` there, which mkdocs.yml inherits.

At import time this module may import only the standard library and registry.cli (the CLI
imports every command module on start-up); the model, graph and pipeline are imported inside.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registry.cli import EXIT_INVALID, EXIT_OK, EXTRA_COMMANDS, UsageError

if TYPE_CHECKING:
    from registry.model import Agreement, Citation, Decision, Law, Municipality, Provision, RuleSet, Status
    from registry.pipeline import Compiled

# Mermaid is served from the site itself (there is no CDN at build or read time). Pinned by
# version and by the hash of the file we ship, so a site build is reproducible.
MERMAID_VERSION = "11.17.2"
MERMAID_SHA256 = "581ed7d74bd9048d0e3a91363927d72ef22942d7722546b27f7cc29e35390eb8"
MERMAID_ASSET = "assets/javascripts/mermaid.min.js"
CSS_ASSET = "assets/stylesheets/registry.css"
MARKER = ".registry-docs"
NAV_FILE = ".nav.yml"

MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")

STATUS_LABEL = {
    "exemptable": "Kan fraviges",
    "exempt": "Fraveget ved loven",
    "fencepost": "Hegnspæl",
    "local-fencepost": "Lokal hegnspæl",
    "out-of-scope": "Uden for forsøget",
    "unknown": "Uafklaret",
}
STATUS_CLASS = {
    "exemptable": "rr-exemptable", "exempt": "rr-exemptable", "fencepost": "rr-fence",
    "local-fencepost": "rr-fence", "out-of-scope": "rr-neutral", "unknown": "rr-unknown",
}

# Danish names for the diagnostic codes (registry.diagnostics.CODES holds English descriptions);
# a code missing here is shown with its English text, so a new code never breaks the build.
DIAGNOSTICS_DA = {
    "P100": "Filen kan ikke læses som UTF-8-tekst.",
    "P101": "Linjen følger ikke grammatikken for sin klausul.",
    "P102": "En linje i kolonne 1 skal begynde en erklæring.",
    "P103": "Klausulen hører ikke til denne erklæring.",
    "P104": "En indrykket linje før den første erklæring.",
    "P105": "En henvisning, der ikke kan læses.",
    "P106": "En dato, der ikke findes eller ikke er skrevet ÅÅÅÅ-MM-DD.",
    "P107": "En tekst uden afsluttende anførselstegn.",
    "P108": "En linje, der er længere, end registret læser.",
    "P109": "Klausuler indrykkes med mellemrum, ikke tabulatorer.",
    "P110": "Filen indeholder ingen erklæringer.",
    "R200": "Det samme er erklæret to gange.",
    "R201": "En henvisning nævner en lov, der ikke er erklæret.",
    "R202": "En §, der ikke er erklæret i en lov, hvis paragraffer er komplette.",
    "R203": "En kommunekode, der ikke er erklæret.",
    "R204": "Et aftale-id, der ikke er erklæret.",
    "R205": "Et område-id, der ikke er erklæret.",
    "R206": "Datoer i forkert rækkefølge.",
    "R207": "En klausul, erklæringen kræver, mangler (fx `source`).",
    "R208": "En klausul, der kun må stå én gang, står to gange.",
    "R209": "En kommune, der ikke er med i aftalen.",
    "R210": "En dato uden for aftalens periode.",
    "R211": "En beslutning fraviger en bestemmelse, aftalen ikke tillader at fravige.",
    "R212": "En lokal hegnspæl skal nævne sin kommune med `for`.",
    "R213": "En værdi af forkert form.",
    "R214": "En beslutning kan tidligst få virkning dagen efter offentliggørelsen.",
    "R215": "En §, der ikke er erklæret som `provision`.",
    "G300": "Bestemmelser, der kræver hinanden i ring.",
    "G301": "En bestemmelse, der på samme tid er hegnspæl og kan fraviges under samme aftale.",
    "G302": "En bestemmelse, der kan fraviges, men som en hegnspæl kræver.",
    "G303": "En henvisning til en bestemmelse, der ikke er erklæret.",
    "C400": "Den kommune, der spørges om, kendes ikke.",
    "C401": "Den §, der spørges om, findes ikke i loven.",
    "C402": "Den henvisning, der spørges om, kan ikke læses.",
    "C403": "Den dato, der spørges om, er ikke en dato.",
    "C404": "Det område, der spørges om, kendes ikke.",
    "C405": "En sti på kommandolinjen kan ikke bruges.",
    "T500": "Et eksempels svar er et andet end det forventede.",
    "T501": "Et eksempel kunne ikke tjekkes.",
}


class DocsError(Exception):
    """The site cannot be generated as asked; each problem is one line a legal editor can act on."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# ---------------------------------------------------------------------------- public helpers


def _ascii_slug(text: str) -> str:
    text = text.lower()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e"), ("ü", "u"), ("ö", "oe"), ("ä", "ae")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _canonical(citation: Any) -> str:
    return citation.canonical() if hasattr(citation, "canonical") else str(citation).strip()


def provision_anchor(citation: Any) -> str:
    """The HTML id of a provision on its law page: `SEL § 83 a` -> `sel-83-a`.

    Takes a `Citation` or its canonical text (`SEL § 83, stk. 1, nr. 3` -> `sel-83-stk-1-nr-3`).
    """
    return _ascii_slug(_canonical(citation).replace("§", " ")) or "bestemmelse"


def law_slug(law_id: str) -> str:
    return _ascii_slug(law_id)


def _law_of(text: str) -> str:
    return text.split("§", 1)[0].strip().split(" ")[0] if text.strip() else ""


def provision_url(citation: Any, rules: RuleSet | None = None) -> str:
    """Where a provision is shown on the docs site, relative to the site root: `love/sel/#sel-83-a`.

    With `rules`, a citation the site has no anchor for (a stk. the registry does not declare)
    links to its nearest ancestor that has one, so the link always lands on the right §.
    """
    text = _canonical(citation)
    law = getattr(citation, "law", None) or _law_of(text)
    anchor = provision_anchor(text)
    cit = _citation_from_text(text) if isinstance(citation, str) and rules is not None else citation
    if rules is not None and cit is not None and not isinstance(cit, str):
        known = _known_anchors(rules).get(law or "", set())
        for c in cit.ancestors_or_self():
            if provision_anchor(c) in known:
                anchor = provision_anchor(c)
                break
    page = f"love/{law_slug(law or '')}/"
    return page if anchor == law_slug(law or "") else f"{page}#{anchor}"


def _citation_from_text(text: str) -> Citation | None:
    """A single canonical citation (`SEL § 83, stk. 1, nr. 3`) as a Citation; None for ranges or bad text."""
    from registry.dsl.grammar import CitationError, parse_free_citation
    from registry.model import Citation

    try:
        syn = parse_free_citation(text)
    except CitationError:
        return None
    if syn.plural or len(syn.sections) != 1 or syn.sections[0].hi or any(
            r is not None and r.hi for r in (syn.stk, syn.nr)):
        return None
    try:
        return Citation(law=(syn.law or "").strip() or None, section=syn.sections[0].lo,
                        stk=int(syn.stk.lo) if syn.stk else None, nr=int(syn.nr.lo) if syn.nr else None,
                        litra=syn.litra, pkt=int(syn.pkt) if syn.pkt else None)
    except (ValueError, TypeError):
        return None


def _known_anchors(rs: RuleSet) -> dict[str, set[str]]:
    """Anchors each law page carries: every citation the rules mention, grouped by law."""
    out: dict[str, set[str]] = {}
    for c in _all_citations(rs):
        if c.law and c.section is not None:
            out.setdefault(c.law, set()).add(provision_anchor(c))
    return out


def _all_citations(rs: RuleSet) -> list[Citation]:
    cits: list[Citation] = []
    for p in rs.provisions:
        cits.append(p.ref)
        cits += list(p.refers_to) + list(p.requires) + list(p.replaced_by) + list(p.authorised_by)
        cits += [s.target for s in p.succeeded_by] + [a.target for a in p.alternatives]
    for s in rs.statuses:
        cits.append(s.target)
        if s.condition is not None:
            cits.append(s.condition)
    for d in rs.decisions:
        cits += [i.target for i in d.items]
    for a in rs.agreements:
        cits += [c for c in (a.decisions_under, a.overview, a.transition) if c is not None]
    return cits


# ---------------------------------------------------------------------------- small formatting


def da_date(d: dt.date | None) -> str:
    if d is None:
        return ""
    return f"{d.day}. {MONTHS[d.month - 1]} {d.year}"


def da_short(d: dt.date | None) -> str:
    """Compact Danish date for table cells: 1.6.2021."""
    return f"{d.day}.{d.month}.{d.year}" if d else ""


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ").strip()


def _domain(url: str) -> str:
    m = re.match(r"https?://(?:www\.)?([^/]+)", url)
    return m.group(1) if m else url


def _src(url: str | None) -> str:
    return f"[{_domain(url)}]({url})" if url else ""


def _cit_key(c: Citation) -> tuple[Any, ...]:
    from registry.model import split_section

    sec = split_section(c.section) if c.section else (-1, "")
    return (c.law or "", sec, c.stk or 0, c.nr or 0, c.litra or "", c.pkt or 0)


def _table(head: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c).replace("\n", " ") for c in r) + " |" for r in rows]
    return "\n".join(out)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else (", ".join(items[:-1]) + " og " + items[-1] if items else "")


def _muni_slug(m: Municipality) -> str:
    return _ascii_slug(m.name)


def _period_text(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return f"{da_date(start)} – {da_date(end)}"
    if start:
        return f"fra {da_date(start)}"
    if end:
        return f"til {da_date(end)}"
    return "hele perioden"


# ---------------------------------------------------------------------------- the generator


@dataclass
class Site:
    """Everything the generator writes, by path relative to the output folder."""

    pages: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    copied: dict[str, Path] = field(default_factory=dict)
    nav: list[Any] = field(default_factory=list)


class _Gen:
    def __init__(self, compiled: Compiled, handwritten: Path | None, rules_dir: Path | None,
                 out: Path | None = None) -> None:
        self.compiled = compiled
        self.out = out
        self.rs = compiled.rules
        self.handwritten = handwritten
        self.rules_dir = rules_dir
        self.site = Site()
        self.problems: list[str] = []
        rs = self.rs
        self.laws = {law.id: law for law in rs.laws}
        self.munis = {m.code: m for m in rs.municipalities}
        self.areas = {a.id: a for a in rs.areas}
        self.agreements = {a.id: a for a in rs.agreements}
        self.prov = {p.id: p for p in rs.provisions}
        self.trial_codes = sorted({c for a in rs.agreements for c in a.municipalities},
                                  key=lambda c: self.munis[c].name if c in self.munis else str(c))
        self.cits_by_law: dict[str, list[Citation]] = {}
        for c in _all_citations(rs):
            if c.law and c.section is not None:
                self.cits_by_law.setdefault(c.law, []).append(c)
        self.notes: list[str] = []  # per page, filled by _note()

    # -- links

    def rel(self, frm: str, to: str, anchor: str | None = None) -> str:
        path = posixpath.relpath(to, posixpath.dirname(frm) or ".")
        if to == frm:
            path = ""
        return path + (f"#{anchor}" if anchor else "")

    def law_page(self, law_id: str) -> str:
        return f"love/{law_slug(law_id)}.md"

    def cite(self, frm: str, c: Citation, text: str | None = None) -> str:
        label = text or c.canonical()
        if not c.law or c.law not in self.laws:
            return label
        if c.section is None:
            return f"[{text or c.law + ' (hele loven)'}]({self.rel(frm, self.law_page(c.law))})"
        return f"[{label}]({self.rel(frm, self.law_page(c.law), provision_anchor(c))})"

    def heading_of(self, c: Citation) -> str:
        for a in c.ancestors_or_self():
            p = self.prov.get(a.canonical())
            if p is not None:
                return p.heading if a == c else f"{p.heading} (del af {a.canonical()})"
        law = self.laws.get(c.law or "")
        return law.title if law is not None and c.section is None else ""

    def quoted(self, c: Citation) -> str:
        h = self.heading_of(c)
        return f" »{_cell(h)}«" if h else ""

    def muni_name(self, code: int) -> str:
        m = self.munis.get(code)
        return m.name if m else str(code)

    def muni_link(self, frm: str, code: int) -> str:
        m = self.munis.get(code)
        if m is None or code not in self.trial_codes:
            return self.muni_name(code)
        return f"[{m.name}]({self.rel(frm, f'kommuner/{_muni_slug(m)}.md')})"

    def area_link(self, frm: str, area_id: str) -> str:
        a = self.areas.get(area_id)
        return f"[{a.name}]({self.rel(frm, f'omraader/{area_id}.md')})" if a else area_id

    def agreement_text(self, frm: str, ids: Iterable[str]) -> str:
        parts = []
        for i in ids:
            a = self.agreements.get(i)
            parts.append(self.area_link(frm, a.area) if a else i)
        return ", ".join(parts)

    def _note(self, page_key: str, text: str, inferred: bool) -> str:
        """A badge in the table, with the full note collected under the table."""
        if text in self.notes:
            n = self.notes.index(text) + 1
        else:
            self.notes.append(text)
            n = len(self.notes)
        nid = f"note-{page_key}-{n}"
        badge = ('<span class="rr-badge rr-inferred" title="Ikke læst i selve loven – se noten">udledt</span> '
                 if inferred else "")
        return f'{badge}<a href="#{nid}">note {n}</a>'

    def _flush_notes(self, page_key: str) -> str:
        if not self.notes:
            return ""
        lines = ['<div class="rr-notes" markdown>', "", "**Noter**", ""]
        for i, text in enumerate(self.notes, 1):
            lines.append(f'{i}. <a id="note-{page_key}-{i}"></a>{_cell(text)}')
        lines += ["", "</div>", ""]
        self.notes = []
        return "\n".join(lines)

    # -- checks

    def check_sources(self) -> None:
        def bad(what: str, url: str | None, where: Any) -> None:
            place = f" ({where.file}:{where.line})" if where is not None else ""
            if not url or not url.strip():
                self.problems.append(f"{what} mangler en kilde{place}: tilføj `source \"https://...\"`")
            elif not re.match(r"https?://\S+$", url.strip()):
                self.problems.append(f"{what} har en kilde, der ikke er en http(s)-adresse{place}: {url!r}")

        for p in self.rs.provisions:
            bad(f"bestemmelsen {p.id}", p.source, p.span)
        for s in self.rs.statuses:
            bad(f"statussen {s.kind.value} {s.target} under {', '.join(s.agreements)}", s.source, s.span)
        for d in self.rs.decisions:
            bad(f"beslutningen {d.id}", d.source, d.span)
        for law in self.rs.laws:
            bad(f"loven {law.id}", law.source, law.span)
        for a in self.rs.agreements:
            bad(f"aftalen {a.id} (basis)", a.basis_source, a.span)

    # -- pages

    def build(self) -> Site:
        self.check_sources()
        if self.problems:
            raise DocsError(self.problems)
        self.page_index()
        self.page_areas()
        self.page_municipalities()
        self.page_laws()
        self.page_changes()
        self.page_data()
        self.page_diagnostics()
        self.copy_handwritten()
        self.page_sources()
        self.page_rounds()
        self.site.files[CSS_ASSET] = CSS
        self.build_nav()
        for path, text in list(self.site.pages.items()):
            # rank the provision pages above the long source notes when a reader searches for "§ 79 a"
            boost = next((b for prefix, b in SEARCH_BOOST if path.startswith(prefix) and not path.endswith("index.md")), None)
            if boost:
                self.site.pages[path] = f"---\nsearch:\n  boost: {boost}\n---\n\n{text}"
        for path, text in self.site.pages.items():
            if len(re.sub(r"^#.*$|\s+", "", text, flags=re.M)) < 20:
                self.problems.append(f"siden {path} ville være tom")
        self.problems += check_links(self.site)
        if self.problems:
            raise DocsError(self.problems)
        return self.site

    def trial_table(self, frm: str, agreements: list[Agreement]) -> str:
        rows = []
        for a in sorted(agreements, key=lambda a: (a.period.start or dt.date.min, a.id)):
            for code in sorted(a.municipalities, key=self.muni_name):
                start = a.start_for(code)
                ext = "; ".join(f"til {da_date(e.end)} ([{_cell(e.act)}]({e.source}))" for e in a.extensions)
                if a.cancelled is not None:  # announced, then called off: it never took effect
                    ext = f"**aflyst {da_date(a.cancelled.date)}, trådte aldrig i kraft** ([kilde]({a.cancelled.source}))"
                rows.append([self.muni_link(frm, code), self.area_link(frm, a.area), da_date(start),
                             da_date(a.period.end), ext or "–"])
        return _table(["Kommune", "Område", "Fra", "Oprindelig slutdato", "Forlænget"], rows)

    def page_index(self) -> None:
        p = "index.md"
        rs = self.rs
        lines = [
            "# Velfærdsaftalerne: hvad kommunerne må fravige",
            "",
            "Her kan du se, hvilke statslige regler kommunerne i forsøgene med **velfærdsaftaler** er frisat fra, "
            "hvilke regler de stadig skal overholde (**hegnspæle**), og hvilke beslutninger kommunerne har "
            "offentliggjort. Alle sider er dannet automatisk ud fra det samme regelregister, som tjekket bruger, "
            "når en sagsbehandler spørger, om kommunen må fravige en regel. Derfor siger siderne og tjekket det samme.",
            "",
            "## Hvad er en velfærdsaftale?",
            "",
            "En velfærdsaftale er en aftale mellem regeringen og en kommune om, at kommunen i en forsøgsperiode "
            "bliver **frisat** fra statslige regler på ét velfærdsområde. Frisættelsen står i en særlig lov for "
            "hvert område. Kommunalbestyrelsen beslutter selv, hvilke regler den vil fravige, og skal "
            "offentliggøre sine beslutninger i en samlet oversigt; en beslutning gælder tidligst fra dagen efter, "
            "at den er offentliggjort.",
            "",
            "Nogle regler gælder stadig, selv om kommunen er frisat. De kaldes **hegnspæle**: fx borgernes "
            "retssikkerhed, forvaltningsloven og de regler, der sikrer, at borgeren får en afgørelse. En kommune "
            "kan også selv sætte **lokale hegnspæle**.",
            "",
            "## De fire områder",
            "",
            '<div class="grid cards" markdown>',
            "",
        ]
        for a in rs.areas:
            agrs = [x for x in rs.agreements if x.area == a.id]
            munis = sorted({self.muni_name(c) for x in agrs for c in x.municipalities})
            who = ", ".join(munis) if munis else "ingen kommuner i registret endnu"
            if agrs and all(x.cancelled is not None for x in agrs):
                who += f" — aftalerne blev aflyst {da_date(min(x.cancelled.date for x in agrs if x.cancelled))} " \
                       "og trådte aldrig i kraft"
            lines += [f"-   **{self.area_link(p, a.id)}**", "", "    ---", "", f"    {who}", ""]
        lines += ["</div>", "", "## Hvilke kommuner er med, og hvornår?", "",
                  "Datoerne er fra og med / til og med. Tabellen er dannet ud fra aftalerne og lovene om dem.", "",
                  self.trial_table(p, list(rs.agreements)), "",
                  "## Sådan læses en status", "",
                  "Hver bestemmelse har en **status** under hver aftale:", ""]
        lines.append(_table(["Status", "Betyder"], [[f'<span class="rr-status {STATUS_CLASS[k]}">{v}</span>', STATUS_TEXT[k]]
                                                   for k, v in STATUS_LABEL.items()]))
        lines += ["",
                  'En status mærket <span class="rr-badge rr-inferred">udledt</span> er ikke læst i selve loven, men '
                  "udledt af andre kilder (fx lovforslagets bemærkninger eller kommunens hjemmeside). Noten under "
                  "tabellen siger hvorfra. Læs mere i [Sådan læses en status](guide/status.md).", "",
                  "## Hvor kommer oplysningerne fra?", "",
                  "Hver bestemmelse, status og beslutning har en kilde: et link til loven, lovforslaget eller "
                  "kommunens offentliggjorte oversigt. Juristerne, der vedligeholder registret, beskriver under "
                  "[Kilder](sources.md), hvad der er læst, og hvad der er udledt. Hele registret kan hentes som "
                  "[data](data/index.md) (JSON og CSV).", "",
                  f"Regelsættets version: `sha256:{self.compiled.digest[:16]}`.", ""]
        self.site.pages[p] = "\n".join(lines)

    # -- areas

    def area_statuses(self, area_id: str) -> list[Status]:
        ids = {a.id for a in self.rs.agreements if a.area == area_id}
        return [s for s in self.rs.statuses if set(s.agreements) & ids]

    def status_row(self, p: str, key: str, s: Status, agreements: list[Agreement]) -> list[str]:
        mine = [a for a in agreements if a.id in s.agreements]
        start = s.period.start or min((a.period.start for a in mine if a.period.start), default=None)
        end = s.period.end or max((a.end for a in mine if a.end), default=None)
        prov = next((self.prov[c.canonical()] for c in s.target.ancestors_or_self() if c.canonical() in self.prov), None)
        until = da_short(end)
        if prov is not None and prov.repealed is not None and (end is None or prov.repealed.date <= end):
            until = f"{da_short(prov.repealed.date - dt.timedelta(days=1))} (ophævet)"
        label = STATUS_LABEL[s.kind.value]
        if s.kind.value == "local-fencepost":
            label += " (" + ", ".join(self.muni_name(c) for c in s.municipalities) + ")"
        elif s.municipalities:
            label += " – kun " + ", ".join(self.muni_name(c) for c in s.municipalities)
        if s.condition is not None:
            label += " – på betingelse"
        if s.extent == "partly":
            label += " (delvist)"
        notes = []
        if s.inferred:
            notes.append(self._note(key, s.inferred, True))
        if s.note:
            notes.append(self._note(key, s.note, False))
        if s.by:
            notes.append(_cell(f"ved {s.by}"))
        when = f"{da_short(start)} – {until}" if start or until else "hele perioden"
        return [self.cite(p, s.target), _cell(self.heading_of(s.target)),
                f'<span class="rr-status {STATUS_CLASS[s.kind.value]}">{label}</span>',
                when, _src(s.source) + (" " + ", ".join(notes) if notes else "")]

    def page_areas(self) -> None:
        index = ["# Områderne", "",
                 "Velfærdsaftalerne dækker fire velfærdsområder. Vælg et område for at se, hvad kommunerne i "
                 "forsøget kan fravige, og hvilke hegnspæle de stadig skal overholde.", ""]
        for area in self.rs.areas:
            agrs = [a for a in self.rs.agreements if a.area == area.id]
            sts = self.area_statuses(area.id)
            p = f"omraader/{area.id}.md"
            index.append(f"- {self.area_link('omraader/index.md', area.id)}: "
                         + (", ".join(sorted({self.muni_name(c) for a in agrs for c in a.municipalities})) or "ingen aftaler"))
            if not agrs and not sts:
                self.problems.append(f"siden for området {area.id} ville være tom: ingen aftale og ingen statusser "
                                     "(tilføj en `agreement` med `area " + area.id + "`)")
                continue
            self.site.pages[p] = self.area_page(p, area.id, agrs, sts)
        self.site.pages["omraader/index.md"] = "\n".join(index) + "\n"

    def area_page(self, p: str, area_id: str, agrs: list[Agreement], sts: list[Status]) -> str:
        area = self.areas[area_id]
        key = area_id
        munis = sorted({self.muni_name(c) for a in agrs for c in a.municipalities})
        lines = [f"# {area.name}", "",
                 f"Her ser du, hvad {_and(munis) or 'kommunerne'} kan fravige i forsøget på {area.name.lower()}, "
                 "og hvilke regler de stadig skal overholde (hegnspæle). Tabellerne er dannet ud fra loven og "
                 "de kilder, der står ved hver linje." + (f" Områdets grundlag: {_src(area.source)}." if area.source else ""), ""]
        for a in agrs:
            basis = self.laws.get(a.basis)
            basis_txt = f"[{basis.title}]({self.rel(p, self.law_page(basis.id))})" if basis else a.basis
            lines += [f"## {a.title}", "",
                      f"- **Lov:** {basis_txt} ({_src(a.basis_source)})",
                      "- **Kommuner:** " + ", ".join(self.muni_link(p, c) for c in sorted(a.municipalities, key=self.muni_name)),
                      f"- **Periode:** {_period_text(a.period.start, a.period.end)}"]
            for s in a.starts:
                lines.append(f"    - {self.muni_name(s.code)} begyndte {da_date(s.date)} ({_src(s.source)})")
            for e in a.extensions:
                lines.append(f"- **Forlænget** til og med {da_date(e.end)} ved {_cell(e.act)} ({_src(e.source)})")
            if a.cancelled is not None:
                lines.append(f"- **Aflyst** {da_date(a.cancelled.date)}: aftalen trådte aldrig i kraft, og ingen regel "
                             f"blev frisat ({_src(a.cancelled.source)})")
            if a.decisions_under:
                lines.append(f"- **Kommunalbestyrelsen beslutter efter** {self.cite(p, a.decisions_under)}")
            if a.overview:
                lines.append(f"- **Beslutningerne offentliggøres i en samlet oversigt efter** {self.cite(p, a.overview)}")
            if a.transition:
                lines.append(f"- **Efter udløbet:** foranstaltninger over for den enkelte borger, som kommunen har "
                             f"besluttet efter loven, fortsætter, indtil kommunen beslutter andet "
                             f"({self.cite(p, a.transition)})")
            if a.source:
                lines.append(f"- **Kilde:** {_src(a.source)}")
            lines.append("")
            if a.inferred:
                lines += ['??? note "Udledt: hvad der ikke er læst i selve loven"', "", f"    {_cell(a.inferred)}", ""]
            if a.note:
                lines += ['??? info "Bemærkning om aftalen"', "", f"    {_cell(a.note)}", ""]
        head = STATUS_HEAD

        def group(title: str, kinds: tuple[str, ...], intro: str) -> list[str]:
            rows = [self.status_row(p, key, s, agrs)
                    for s in sorted((s for s in sts if s.kind.value in kinds), key=lambda s: _cit_key(s.target))]
            return [f"## {title}", "", intro, "",
                    _table(head, rows) if rows else "_Ingen i registret._", "", self._flush_notes(key)]

        lines += group("Det kan kommunen fravige", ("exemptable", "exempt"),
                       "Bestemmelser, kommunalbestyrelsen kan fravige ved en offentliggjort beslutning, og "
                       "bestemmelser, som loven selv har fraveget for forsøgskommunerne. Hvad den enkelte kommune "
                       "faktisk har besluttet, står på kommunens side.")
        lines += self.area_replacements(p, sts)
        lines += self.area_conditions(p, sts)
        lines += group("Hegnspæle: det gælder stadig", ("fencepost", "local-fencepost"),
                       "Hegnspæle kan ikke fraviges. Lokale hegnspæle har kommunen selv sat.")
        lines += self.area_diagram(p, area_id, sts)
        lines += group("Uden for forsøget eller uafklaret", ("out-of-scope", "unknown"),
                       "Her gælder de almindelige regler. »Uafklaret« betyder, at kilderne ikke siger, om "
                       "bestemmelsen kan fraviges; tjekket svarer da »ikke omfattet« med en advarsel.")
        return "\n".join(lines)

    def area_diagram(self, p: str, area_id: str, sts: list[Status]) -> list[str]:
        from registry import graph as graph_stage
        from registry.model import overlaps

        fences = [s for s in sts if s.is_fencepost]
        lines = ["## Hegnspælene og det, de bygger på", ""]
        if not fences:
            return lines + ["Der er ingen hegnspæle på dette område i registret.", ""]
        g = getattr(self, "_graph", None) or graph_stage.build(self.rs)
        self._graph = g
        nodes_by: dict[tuple[str, str | None], list[str]] = {}
        for n, d in g.nodes(data=True):
            if d.get("declared"):
                nodes_by.setdefault((d["citation"].law or "", d["citation"].section), []).append(n)
        sub = g.__class__()  # same graph class; networkx itself is only imported in registry.graph
        kinds: dict[str, str] = {}
        added: set[tuple[str, str, str]] = set()
        for s in sts:
            if s.kind.value in ("exemptable", "exempt"):
                kinds.setdefault(s.target.canonical(), "exemptable")
        for s in fences:
            t = s.target.canonical()
            kinds[t] = "fencepost"
            sub.add_node(t)
            cands = nodes_by.get((s.target.law or "", s.target.section), [])
            if s.target.section is None:
                cands = [n for (law, _), ns in nodes_by.items() if law == s.target.law for n in ns]
            else:
                cands = cands + nodes_by.get((s.target.law or "", None), [])
            for n in cands:  # the fence post's own references, also those written on its § or its parts
                if not overlaps(g.nodes[n]["citation"], s.target):
                    continue
                for _, v, k in g.out_edges(n, data="kind"):
                    if k in ("requires", "refers_to", "replaced_by") and (t, v, k) not in added and v != t:
                        added.add((t, v, k))
                        sub.add_edge(t, v, kind=k)
            for req in self.compiled.fences.get(t, []):
                path = list(req.path)
                for u, v in zip(path, path[1:], strict=False):
                    if u != v and (u, v, "requires") not in added:
                        added.add((u, v, "requires"))
                        sub.add_edge(u, v, kind="requires")
        lines += [
            "Diagrammet viser hver hegnspæl (rød) og de bestemmelser, den kræver (tyk pil) eller henviser til "
            "(»jf.«). Grønne bokse kan kommunen fravige på dette område. Kræver en hegnspæl en anden "
            "bestemmelse, er den også beskyttet.", "",
            "```mermaid", graph_stage.to_mermaid(sub, {n: kinds[n] for n in sub.nodes if n in kinds}), "```", ""]
        return lines

    def area_replacements(self, p: str, sts: list[Status]) -> list[str]:
        from registry.model import overlaps

        exemptable = [s for s in sts if s.kind.value in ("exemptable", "exempt")]
        items = []
        for prov in sorted(self.rs.provisions, key=lambda x: _cit_key(x.ref)):
            if prov.replaced_by and any(overlaps(prov.ref, s.target) for s in exemptable):
                repl = " og ".join(f"{self.cite(p, c)}{self.quoted(c)}" for c in prov.replaced_by)
                items.append(f"- Når kommunen fraviger {self.cite(p, prov.ref)}{self.quoted(prov.ref)}, gælder i "
                             f"stedet {repl}. {'Den pligt' if len(prov.replaced_by) == 1 else 'De pligter'} "
                             "skal kommunen overholde.")
        if not items:
            return []
        return ["## Pligter, der træder i stedet", "",
                "Nogle bestemmelser kan kun fraviges, fordi loven sætter en anden pligt i stedet:", "", *items, ""]

    def area_conditions(self, p: str, sts: list[Status]) -> list[str]:
        items = []
        for s in sorted(sts, key=lambda s: _cit_key(s.target)):
            if s.condition is None and not s.except_text:
                continue
            what = {"exemptable": "kan fraviges", "exempt": "er fraveget", "fencepost": "er en hegnspæl",
                    "local-fencepost": "er en lokal hegnspæl", "out-of-scope": "er uden for forsøget",
                    "unknown": "er uafklaret"}[s.kind.value]
            text = f"- {self.cite(p, s.target)}{self.quoted(s.target)} {what}"
            if s.period.start or s.period.end:
                text += " " + _period_text(s.period.start, s.period.end).replace("hele perioden", "")
            if s.condition is not None:
                text += (f", men kun så længe {self.cite(p, s.condition)}{self.quoted(s.condition)} "
                         "er fraveget – enten ved loven selv eller ved en beslutning, der er i kraft")
            text += "."
            if s.except_text:
                text += f" Undtagelsen gælder ikke for {_cell(s.except_text)}."
            text += f" Kilde: {_src(s.source)}."
            items.append(text)
        if not items:
            return []
        return ["## Undtagelser med betingelser", "",
                "Disse regler afhænger af, hvad kommunen ellers har fraveget:", "", *items, ""]

    # -- municipalities

    def page_municipalities(self) -> None:
        index = ["# Kommunerne i forsøg", "",
                 "Hver kommune har en side med dens aftale og periode, dens offentliggjorte beslutninger – samlet i "
                 "en oversigt, der kan lægges på kommunens hjemmeside – og dens lokale hegnspæle.", ""]
        if not self.trial_codes:
            self.problems.append("ingen kommuner er med i en aftale: kommunesiderne ville være tomme")
        index.append(self.trial_table("kommuner/index.md", list(self.rs.agreements)))
        self.site.pages["kommuner/index.md"] = "\n".join(index) + "\n"
        for code in self.trial_codes:
            m = self.munis.get(code)
            if m is None:
                continue
            self.municipality_page(m)

    def overview_rows(self, p: str, decisions: list[Decision]) -> list[list[str]]:
        rows = []
        for d in sorted(decisions, key=lambda d: (d.effective, d.id)):
            for i, item in enumerate(d.items):
                extent = "Hel frisættelse" if item.extent == "wholly" else "Delvis frisættelse"
                if item.note:
                    extent += f": {_cell(item.note)}"
                anchor = f'<a id="beslutning-{d.id}"></a>' if i == 0 else ""
                rows.append([self.cite(p, item.target), _cell(self.heading_of(item.target)), extent,
                             f"{anchor}[{_cell(d.title)}]({d.source})", da_short(d.published), da_short(d.effective)])
        return rows

    def municipality_page(self, m: Municipality) -> None:
        slug = _muni_slug(m)
        p = f"kommuner/{slug}.md"
        key = slug
        agrs = [a for a in self.rs.agreements if m.code in a.municipalities]
        decisions = [d for d in self.rs.decisions if d.municipality == m.code]
        lines = [f"# {m.name} Kommune", "", f"Kommunekode {m.code}.", "", "## Aftaler", ""]
        for a in agrs:
            period = a.period_for(m.code)
            lines.append(f"- **{_cell(a.title)}** ({self.area_link(p, a.area)}): "
                         f"{_period_text(period.start, period.end)}"
                         + (f" (oprindeligt til {da_date(a.period.end)}; forlænget)" if a.extensions else "")
                         + (f" — **aflyst {da_date(a.cancelled.date)}, trådte aldrig i kraft** "
                            f"({_src(a.cancelled.source)})" if a.cancelled else ""))
        lines += ["", '## Samlet oversigt over beslutninger { #samlet-oversigt }', ""]
        overviews = sorted({a.overview.canonical() for a in agrs if a.overview})
        law_txt = (" Oversigten kræves af " + ", ".join(self.cite(p, next(a.overview for a in agrs if a.overview
                                                                      and a.overview.canonical() == o)) for o in overviews)
                   + ".") if overviews else ""
        lines += [f"Kommunalbestyrelsens offentliggjorte beslutninger om at fravige regler.{law_txt} Tabellen kan "
                  "bruges, som den er, på kommunens hjemmeside; den kan også hentes som "
                  f"[CSV-fil]({self.rel(p, f'data/oversigt-{slug}.csv')}).", ""]
        rows = self.overview_rows(p, decisions)
        head = ["Bestemmelse", "Emne", "Frisættelse", "Beslutning", "Offentliggjort", "Gælder fra"]
        lines += ['<div class="rr-overview" markdown>', ""]
        lines += [_table(head, rows) if rows else "_Registret kender ingen offentliggjorte beslutninger fra "
                  f"{m.name} Kommune._", "", "</div>", ""]
        inferred = [d for d in decisions if d.inferred]
        if inferred:
            lines += ['!!! note "Udledte oplysninger"', ""]
            for d in inferred:
                lines.append(f"    - **{_cell(d.title)}:** {_cell(d.inferred)}")
            lines.append("")
        self.site.files[f"data/oversigt-{slug}.csv"] = _csv(
            ["bestemmelse", "emne", "frisaettelse", "bemaerkning", "beslutning", "offentliggjort", "gaelder_fra",
             "kilde"],
            [[i.target.canonical(), self.heading_of(i.target), "hel" if i.extent == "wholly" else "delvis",
              i.note or "", d.title, d.published.isoformat(), d.effective.isoformat(), d.source]
             for d in sorted(decisions, key=lambda d: (d.effective, d.id)) for i in d.items])
        local = [s for s in self.rs.statuses if s.kind.value == "local-fencepost" and m.code in s.municipalities]
        lines += ["## Lokale hegnspæle", "",
                  "Regler, kommunen selv har besluttet at holde fast i, selv om den er frisat.", ""]
        if local:
            lines.append(_table(STATUS_HEAD,
                                [self.status_row(p, key, s, agrs) for s in sorted(local, key=lambda s: _cit_key(s.target))]))
            lines += ["", self._flush_notes(key)]
        else:
            lines += ["_Ingen lokale hegnspæle i registret._", ""]
        lines += ["## Hvad kan kommunen ellers fravige?", "",
                  "Se områdesiden: " + ", ".join(self.area_link(p, a.area) for a in agrs) + ".", ""]
        self.site.pages[p] = "\n".join(lines)

    # -- laws

    def page_laws(self) -> None:
        index = ["# Lovene", "",
                 "Lovene og bestemmelserne i registret. Hver bestemmelse har sin egen adresse, som tjekket linker "
                 "til, når det begrunder et svar.", ""]
        rows = []
        for law in sorted(self.rs.laws, key=lambda x: x.title):
            n = sum(1 for p in self.rs.provisions if p.ref.law == law.id)
            rows.append([f"[{_cell(law.title)}]({law_slug(law.id)}.md)", law.id, str(n), _src(law.source)])
            self.law_page_md(law)
        index.append(_table(["Lov", "Forkortelse", "Bestemmelser", "Kilde"], rows))
        self.site.pages["love/index.md"] = "\n".join(index) + "\n"

    def backlinks(self) -> dict[str, list[tuple[str, Citation, str]]]:
        from registry.model import is_within

        labels = {"refers_to": "henviser til den", "requires": "kræver den",
                  "replaced_by": "erstattes af den, når den fraviges", "authorised_by": "er udstedt med hjemmel i den",
                  "succeeded_by": "er videreført i den", "alternative": "har den som alternativ"}
        out: dict[str, list[tuple[str, Citation, str]]] = {}
        by_section: dict[tuple[str, str | None], list[Citation]] = {}
        for p in self.rs.provisions:
            by_section.setdefault((p.ref.law or "", p.ref.section), []).append(p.ref)
        for src in self.rs.provisions:
            edges: list[tuple[str, Citation, str]] = [("refers_to", c, "") for c in src.refers_to]
            edges += [("requires", c, "") for c in src.requires]
            edges += [("replaced_by", c, "") for c in src.replaced_by]
            edges += [("authorised_by", c, "") for c in src.authorised_by]
            edges += [("succeeded_by", s.target, f" fra {da_date(s.date)}") for s in src.succeeded_by]
            edges += [("alternative", a.target, f": {_cell(a.text)}") for a in src.alternatives]
            for kind, c, extra in edges:
                # shown on the cited provision and on the § (or law) it is part of
                for tref in by_section.get((c.law or "", c.section), []) + by_section.get((c.law or "", None), []):
                    if tref != src.ref and is_within(c, tref):
                        out.setdefault(tref.canonical(), []).append((labels[kind] + extra, src.ref, c.canonical()))
        return out

    def law_page_md(self, law: Law) -> None:
        p = self.law_page(law.id)
        provs = sorted((x for x in self.rs.provisions if x.ref.law == law.id), key=lambda x: _cit_key(x.ref))
        statuses_by: dict[str, list[Status]] = {}
        for s in self.rs.statuses:
            if s.target.law == law.id:
                statuses_by.setdefault(s.target.canonical(), []).append(s)
        decisions_by: dict[str, list[tuple[Decision, Any]]] = {}
        for d in self.rs.decisions:
            for item in d.items:
                if item.target.law == law.id:
                    decisions_by.setdefault(item.target.canonical(), []).append((d, item))
        back = getattr(self, "_back", None) or self.backlinks()
        self._back = back
        lines = [f"# {law.title}", "", f"Forkortelse i registret: **{law.id}**."]
        if law.aliases:
            lines.append("Kaldes også: " + ", ".join(f"»{_cell(a)}«" for a in law.aliases) + ".")
        lines += ["", f"Kilde: {_src(law.source)}", ""]
        if law.note:
            lines += ['!!! info "Bemærkning"', "", f"    {_cell(law.note)}", ""]
        if law.versions:
            lines += ["## Versioner", "", _table(["Version", "I kraft", "Kilde"], [
                [v.label().replace(v.date.isoformat(), da_date(v.date)),
                 _period_text(v.in_force.start, v.in_force.end).replace("hele perioden", "ikke oplyst"),
                 _src(v.source)] for v in law.versions]), ""]
        if not law.sections_complete:
            lines += ["Registret indeholder kun de bestemmelser, forsøgene handler om – ikke hele loven.", ""]
        elif law.sections_complete_to:
            lines += [f"Registret indeholder alle lovens paragraffer til og med {da_date(law.sections_complete_to)}; "
                      "en paragraf indsat senere kan mangle.", ""]
        # citations without a provision of their own get an anchor on their nearest declared ancestor
        declared = {x.id for x in provs}
        extra: dict[str, list[str]] = {}
        orphans: list[Citation] = []
        seen: set[str] = set()
        for c in sorted(self.cits_by_law.get(law.id, []), key=_cit_key):
            cid = c.canonical()
            if cid in declared or cid in seen:
                continue
            seen.add(cid)
            host = next((a.canonical() for a in c.ancestors_or_self()[1:] if a.canonical() in declared), None)
            if host is None:
                orphans.append(c)
            else:
                extra.setdefault(host, []).append(cid)
        whole = statuses_by.get(law.id, [])
        if whole:
            lines += ["## Hele loven", ""]
            for st in whole:
                who = (" – " + ", ".join(self.muni_name(c) for c in st.municipalities)) if st.municipalities else ""
                lines.append(f"- **Status på {self.agreement_text(p, st.agreements)}:** {STATUS_LABEL[st.kind.value]}"
                             f"{who} ({_src(st.source)})")
            lines.append("")
        if provs:
            lines += ["## Bestemmelserne", ""]
        for prov in provs:
            lines += self.provision_block(p, prov, extra.get(prov.id, []), statuses_by, decisions_by, back)
        if orphans:
            lines += ["## Henvisninger uden egen bestemmelse i registret", "",
                      "Disse dele af loven nævnes i registret, men er ikke erklæret som bestemmelser:", ""]
            for c in orphans:
                sts = statuses_by.get(c.canonical(), [])
                desc = "; ".join(f"{STATUS_LABEL[s.kind.value]} under {self.agreement_text(p, s.agreements)} "
                                 f"({_src(s.source)})" for s in sts)
                lines.append(f'- <a id="{provision_anchor(c)}"></a>**{c.canonical()}**' + (f": {desc}" if desc else ""))
            lines.append("")
        if not provs and not orphans and not whole:
            self.problems.append(f"siden for loven {law.id} ville være tom: ingen bestemmelser i registret "
                                 f"(erklær mindst én `provision {law.id} § ...`, eller fjern loven)")
        self.site.pages[p] = "\n".join(lines)

    def provision_block(self, p: str, prov: Provision, extra: list[str], statuses_by: dict[str, list[Status]],
                        decisions_by: dict[str, list[tuple[Decision, Any]]],
                        back: dict[str, list[tuple[str, Citation, str]]]) -> list[str]:
        anchor = provision_anchor(prov.ref)
        lines = [f"### {prov.id} – {_cell(prov.heading)} {{ #{anchor} }}", ""]
        if extra:
            lines += ["".join(f'<a id="{provision_anchor(x)}"></a>' for x in extra), ""]
        facts: list[str] = []
        if prov.inferred:
            facts.append('<span class="rr-badge rr-inferred" title="Ikke læst i lovteksten – se noten">udledt</span> '
                         f"**Udledt, ikke læst i lovteksten:** {_cell(prov.inferred)}")
        if prov.topics:
            facts.append("**Emneord:** " + ", ".join(_cell(t) for t in prov.topics))
        if prov.in_force.start or prov.in_force.end:
            facts.append(f"**I kraft:** {_period_text(prov.in_force.start, prov.in_force.end)}")
        if prov.repealed:
            facts.append(f"**Ophævet** fra {da_date(prov.repealed.date)} ved {_cell(prov.repealed.act)} "
                         f"({_src(prov.repealed.source)})")
        for succ in prov.succeeded_by:
            facts.append(f"**Videreført i** {self.cite(p, succ.target)} fra {da_date(succ.date)}")
        for label, cits in (("Henviser til", prov.refers_to), ("Kræver", prov.requires),
                            ("Erstattes af, når den fraviges", prov.replaced_by), ("Udstedt med hjemmel i", prov.authorised_by)):
            if cits:
                facts.append(f"**{label}:** " + ", ".join(self.cite(p, c) for c in cits))
        for a in prov.alternatives:
            facts.append(f"**Alternativ uden frisættelse:** {self.cite(p, a.target)} – {_cell(a.text)}")
        for cid in [prov.id, *extra]:
            for s in statuses_by.get(cid, []):
                where = f" ({cid})" if cid != prov.id else ""
                extra_txt = " – udledt" if s.inferred else ""
                if s.municipalities:
                    extra_txt += " – " + ", ".join(self.muni_name(c) for c in s.municipalities)
                if s.period.start or s.period.end:
                    extra_txt += " – " + _period_text(s.period.start, s.period.end)
                facts.append(f"**Status på {self.agreement_text(p, s.agreements)}{where}:** "
                             f"{STATUS_LABEL[s.kind.value]}{extra_txt} ({_src(s.source)})")
            for d, item in decisions_by.get(cid, []):
                facts.append(f"**Fraveget** {'helt' if item.extent == 'wholly' else 'delvist'}{' (' + cid + ')' if cid != prov.id else ''} "
                             f"af {self.muni_link(p, d.municipality)} fra {da_date(d.effective)}: "
                             f"[{_cell(d.title)}]({d.source})")
        for label, src, cited in back.get(prov.id, []):
            facts.append(f"**Henvisning hertil:** {self.cite(p, src)} {label}"
                         + (f" ({cited})" if cited != prov.id else ""))
        if prov.note:
            facts.append(f"**Bemærkning:** {_cell(prov.note)}")
        facts.append(f"**Kilde:** {_src(prov.source)}")
        lines += [f"- {f}" for f in facts] + [""]
        return lines

    # -- changes

    def page_changes(self) -> None:
        events: list[tuple[dt.date, int, str]] = []
        p = "aendringer.md"

        def add(day: dt.date | None, text: str, order: int = 5) -> None:
            if day is not None:
                events.append((day, order, text))

        def munis(codes: Iterable[int]) -> str:
            return _and([self.muni_link(p, c) for c in sorted(codes, key=self.muni_name)])

        for a in self.rs.agreements:
            area = self.area_link(p, a.area)
            if a.cancelled is not None:
                add(a.cancelled.date, f"{area}: aftalerne med {munis(a.municipalities)}, som skulle være begyndt "
                    f"{da_date(a.period.start)}, aflyses og træder aldrig i kraft ({_src(a.cancelled.source)}).", 1)
                continue
            first = [c for c in a.municipalities if a.start_for(c) == a.period.start]
            add(a.period.start, f"{area}: forsøget begynder" + (f" for {munis(first)}." if first else
                                                                  "; kommunerne går ind senere."), 1)
            for st in a.starts:
                add(st.date, f"{area}: {self.muni_link(p, st.code)} går ind i forsøget ({_src(st.source)}).", 1)
            if a.extensions:
                add(a.period.end, f"{area}: forsøgets oprindelige sidste dag – forsøget er forlænget.", 8)
            for e in a.extensions:
                add(e.end, f"{area}: forsøgets sidste dag efter forlængelse ved {_cell(e.act)} ({_src(e.source)}).", 9)
            if not a.extensions:
                add(a.period.end, f"{area}: forsøgets sidste dag.", 9)
        for d in self.rs.decisions:
            add(d.effective, f"{self.muni_link(p, d.municipality)}: beslutningen [{_cell(d.title)}]({d.source}) får "
                "virkning (" + ", ".join(self.cite(p, i.target) for i in d.items) + ").", 3)
        # provisions: grouped per day and law/act, so a new law is one line, not forty
        starts: dict[tuple[dt.date, str], list[Provision]] = {}
        ends: dict[tuple[dt.date, str], list[Provision]] = {}
        repeals: dict[tuple[dt.date, str, str], list[Provision]] = {}
        moves: dict[tuple[dt.date, str], list[tuple[Provision, Citation]]] = {}
        for prov in self.rs.provisions:
            if prov.in_force.start:
                starts.setdefault((prov.in_force.start, prov.ref.law or ""), []).append(prov)
            if prov.in_force.end:
                ends.setdefault((prov.in_force.end, prov.ref.law or ""), []).append(prov)
            if prov.repealed:
                repeals.setdefault((prov.repealed.date, prov.repealed.act, prov.repealed.source), []).append(prov)
            for sc in prov.succeeded_by:
                moves.setdefault((sc.date, sc.target.law or ""), []).append((prov, sc.target))

        def provs(ps: list[Provision]) -> str:
            ps = sorted(ps, key=lambda x: _cit_key(x.ref))
            if len(ps) > 5:  # a whole new law: the citations say enough
                return _and([self.cite(p, x.ref) for x in ps])
            return _and([f"{self.cite(p, x.ref)}{self.quoted(x.ref)}" for x in ps])

        for (day, _law), ps in starts.items():
            add(day, f"Træder i kraft: {provs(ps)}.", 2)
        for (day, _law), ps in ends.items():
            add(day, f"Sidste dag i kraft: {provs(ps)}.", 9)
        for (day, act, src), ps in repeals.items():
            add(day, f"Ophævet ved {_cell(act)} ({_src(src)}): {provs(ps)}.", 4)
        for (day, law_id), pairs in moves.items():
            law = self.laws.get(law_id)
            pairs.sort(key=lambda x: _cit_key(x[0].ref))
            add(day, f"Videreført i {_cell(law.title if law else law_id)}: "
                + "; ".join(f"{self.cite(p, x.ref)} → {self.cite(p, t)}" for x, t in pairs) + ".", 4)
        for s in self.rs.statuses:
            where = self.agreement_text(p, s.agreements)
            label = STATUS_LABEL[s.kind.value].lower()
            who = f" for {munis(s.municipalities)}" if s.municipalities else ""
            if s.period.start:
                add(s.period.start, f"{self.cite(p, s.target)}{self.quoted(s.target)} bliver »{label}«{who} på "
                    f"{where} ({_src(s.source)}).", 6)
            if s.period.end:
                add(s.period.end, f"Sidste dag, {self.cite(p, s.target)} er »{label}«{who} på {where}.", 9)
        for law in self.rs.laws:
            for v in law.versions:
                add(v.in_force.start, f"[{_cell(law.title)}]({self.rel(p, self.law_page(law.id))}): "
                    f"{v.label().replace(v.date.isoformat(), da_date(v.date))} træder i kraft ({_src(v.source)}).", 2)
        lines = ["# Ændringer", "",
                 "Hvad der sker hvornår: aftaler, der begynder, slutter eller forlænges, beslutninger, der får "
                 "virkning, og bestemmelser, der ophæves eller videreføres i en anden lov. Ældst først.", ""]
        if not events:
            self.problems.append("siden Ændringer ville være tom: registret har ingen datoer")
        year = None
        for day, _, text in sorted(events, key=lambda e: (e[0], e[1], e[2])):
            if day.year != year:
                year = day.year
                lines += ["", f"## {year}", ""]
            lines.append(f"- **{da_date(day)}:** {text}")
        self.site.pages[p] = "\n".join(lines) + "\n"

    # -- data

    def page_data(self) -> None:
        from registry.model import RuleSet

        rs = self.rs
        files = self.site.files
        files["data/registry.json"] = rs.model_dump_json() + "\n"  # compact: it is for programs, and large
        files["data/registry.schema.json"] = json.dumps(
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "registry.schema.json",
             **RuleSet.model_json_schema(mode="serialization")}, ensure_ascii=False, indent=1) + "\n"
        files["data/provisions.csv"] = _csv(
            ["citation", "law", "section", "stk", "nr", "heading", "topics", "in_force_from", "in_force_to",
             "repealed", "succeeded_by", "refers_to", "requires", "replaced_by", "inferred", "source", "docs_url"],
            [[x.id, x.ref.law or "", x.ref.section or "", x.ref.stk or "", x.ref.nr or "", x.heading,
              "; ".join(x.topics), _iso(x.in_force.start), _iso(x.in_force.end),
              _iso(x.repealed.date) if x.repealed else "",
              "; ".join(f"{s.target} ({s.date.isoformat()})" for s in x.succeeded_by),
              "; ".join(map(str, x.refers_to)), "; ".join(map(str, x.requires)), "; ".join(map(str, x.replaced_by)),
              x.inferred or "", x.source, provision_url(x.ref)] for x in sorted(rs.provisions, key=lambda x: _cit_key(x.ref))])
        files["data/statuses.csv"] = _csv(
            ["kind", "target", "agreements", "municipalities", "from", "to", "extent", "condition", "except", "by",
             "inferred", "note", "source"],
            [[s.kind.value, s.target.canonical(), "; ".join(s.agreements), "; ".join(map(str, s.municipalities)),
              _iso(s.period.start), _iso(s.period.end), s.extent or "", str(s.condition or ""), s.except_text or "",
              s.by or "", s.inferred or "", s.note or "", s.source] for s in rs.statuses])
        files["data/decisions.csv"] = _csv(
            ["decision", "title", "municipality_code", "municipality", "agreement", "target", "extent", "item_note",
             "decided", "published", "effective", "inferred", "source"],
            [[d.id, d.title, d.municipality, self.muni_name(d.municipality), d.agreement, i.target.canonical(),
              i.extent, i.note or "", _iso(d.decided), d.published.isoformat(), d.effective.isoformat(),
              d.inferred or "", d.source] for d in rs.decisions for i in d.items])
        files["data/municipalities.csv"] = _csv(
            ["code", "name", "aliases", "agreement", "area", "from", "to", "source"],
            [[m.code, m.name, "; ".join(m.aliases), a.id if a else "", a.area if a else "",
              _iso(a.start_for(m.code)) if a else "", _iso(a.end) if a else "", m.source or ""]
             for m in sorted(rs.municipalities, key=lambda m: m.code)
             for a in ([x for x in rs.agreements if m.code in x.municipalities] or [None])])  # type: ignore[list-item]
        files["data/agreements.csv"] = _csv(
            ["agreement", "title", "area", "basis", "municipalities", "from", "to_as_enacted", "to", "decisions_under",
             "overview", "inferred", "source"],
            [[a.id, a.title, a.area, a.basis, "; ".join(map(str, a.municipalities)), _iso(a.period.start),
              _iso(a.period.end), _iso(a.end), str(a.decisions_under or ""), str(a.overview or ""), a.inferred or "",
              a.source or a.basis_source] for a in rs.agreements])
        files["data/laws.csv"] = _csv(
            ["law", "title", "aliases", "sections_complete", "source"],
            [[x.id, x.title, "; ".join(x.aliases), ("ja" if not x.sections_complete_to else f"ja, til {x.sections_complete_to.isoformat()}")
              if x.sections_complete else "nej", x.source] for x in rs.laws])
        described = [
            ("registry.json", "Hele registret: områder, kommuner, love, bestemmelser, aftaler, statusser, "
                              "beslutninger og eksempler, som tjekket bruger dem."),
            ("registry.schema.json", "JSON Schema for registry.json (dannet af datamodellen)."),
            ("provisions.csv", "Én række pr. bestemmelse med overskrift, emneord, ikrafttræden, ophævelse og kilde."),
            ("statuses.csv", "Én række pr. status: hvad en bestemmelse er under en aftale, med kilde og evt. udledning."),
            ("decisions.csv", "Én række pr. fraveget bestemmelse i kommunernes offentliggjorte beslutninger."),
            ("municipalities.csv", "Alle kommuner med kode; forsøgskommuner med aftale og periode."),
            ("agreements.csv", "Aftalerne med område, lov, kommuner og periode."),
            ("laws.csv", "Lovene med forkortelse, titel og kilde."),
        ]
        rows = [[f"[{name}]({name})", desc] for name, desc in described]
        rows += [[f"[oversigt-{_muni_slug(self.munis[c])}.csv](oversigt-{_muni_slug(self.munis[c])}.csv)",
                  f"{self.munis[c].name} Kommunes samlede oversigt over beslutninger."]
                 for c in self.trial_codes if c in self.munis]
        lines = ["# Data", "",
                 "Hele registret kan genbruges frit. Filerne dannes sammen med siderne, så de altid svarer til "
                 "det regelsæt, siderne og tjekket bygger på. Adresserne er faste – altid `data/FILNAVN` under "
                 "webstedets adresse – så brug dem gerne i egne systemer.", "",
                 _table(["Fil", "Indhold"], rows), "",
                 "CSV-filerne er UTF-8 med komma som skilletegn og en overskriftsrække. Datoer er skrevet "
                 "ÅÅÅÅ-MM-DD, og lister inden for en celle er adskilt af semikolon. Kolonnen `docs_url` i "
                 "provisions.csv er bestemmelsens adresse på dette websted.", "",
                 f"Regelsættets version (sha256 over de oversatte regler): `{self.compiled.digest}`.", "",
                 '!!! example "Eksempel: læs registret i Python"', "",
                 "    ```python",
                 "    import json, urllib.request",
                 "    data = json.load(urllib.request.urlopen(BASE_URL + \"/data/registry.json\"))",
                 "    fences = [s for s in data[\"statuses\"] if s[\"kind\"] == \"fencepost\"]",
                 "    ```", ""]
        self.site.pages["data/index.md"] = "\n".join(lines)

    # -- for jurister

    def page_diagnostics(self) -> None:
        from registry.diagnostics import CODES, Severity

        stages = {"P": "Indlæsning (syntaks)", "R": "Regelmodellen", "G": "Afhængighedsgrafen",
                  "C": "Spørgsmål til tjekket", "T": "Eksempler (registry test)"}
        lines = ["# Fejlkoder", "",
                 "`registry lint`, `registry test` og tjekket melder hver fejl med en fast kode, stedet i filen og "
                 "en hjælpetekst. Koden skifter aldrig betydning. Denne side er dannet ud fra registrets egen "
                 "kodeliste.", ""]
        by_stage: dict[str, list[tuple[str, tuple[Any, str, str]]]] = {}
        for code, info in sorted(CODES.items()):
            by_stage.setdefault(code[0], []).append((code, info))
        for prefix, items in by_stage.items():
            lines += [f"## {stages.get(prefix, prefix)}", ""]
            rows = [[f'<a id="{code.lower()}"></a>`{code}`', "fejl" if sev is Severity.ERROR else "advarsel",
                     f"`{name}`", _cell(DIAGNOSTICS_DA.get(code, desc))] for code, (sev, name, desc) in items]
            lines += [_table(["Kode", "Alvor", "Navn", "Betyder"], rows), ""]
        self.site.pages["reference/diagnostics.md"] = "\n".join(lines)

    # -- hand-written pages, sources, rounds

    def copy_handwritten(self) -> None:
        if self.handwritten is None or not self.handwritten.is_dir():
            return
        for f in sorted(self.handwritten.rglob("*")):
            rel = f.relative_to(self.handwritten).as_posix()
            if not f.is_file() or rel.split("/")[0] in ("generated",) or rel.startswith("."):
                continue
            if self.out is not None and f.resolve().is_relative_to(self.out.resolve()):
                continue  # never copy a previous run's output back in
            if rel in self.site.pages or rel in self.site.files:
                continue  # a generated page wins over a stale hand-written copy
            self.site.copied[rel] = f

    def page_sources(self) -> None:
        notes = sorted(r for r in self.site.copied if r.startswith("sources/") and r.endswith(".md"))
        if "sources.md" in self.site.copied:
            return
        lines = ["# Kilder", "",
                 "Alt i registret har en kilde. Juristerne, der vedligeholder reglerne, skriver for hvert område ned, "
                 "hvad der er læst i selve lovene, og hvad der er udledt af andre kilder. Noterne er arbejdsnoter og "
                 "skrevet på engelsk.", ""]
        for r in notes:
            title = _first_heading(self.site.copied[r]) or r
            lines.append(f"- [{_cell(title)}]({r})")
        counts: dict[str, int] = {}
        for url in _all_sources(self.rs):
            counts[_domain(url)] = counts.get(_domain(url), 0) + 1
        lines += ["", "## Kilderne i registret fordelt på websted", "",
                  _table(["Websted", "Antal henvisninger"], [[d, str(n)] for d, n in
                                                             sorted(counts.items(), key=lambda x: (-x[1], x[0]))]), ""]
        self.site.pages["sources.md"] = "\n".join(lines)

    def page_rounds(self) -> None:
        rules_dir = self.rules_dir or _default_rules()
        if not (rules_dir / "rounds").is_dir():
            return  # no application rounds in this rule set: nothing to report (and nothing to load twice)
        try:
            from registry import rounds

            report = rounds.markdown_report  # written by another module; optional
        except (ImportError, AttributeError):
            return
        text = report(rules_dir)
        if text and text.strip():
            self.site.pages["ansoegningsrunden.md"] = text if text.lstrip().startswith("#") else \
                "# Ansøgningsrunden\n\n" + text

    # -- navigation

    def build_nav(self) -> None:
        pages = self.site.pages
        copied = self.site.copied
        nav: list[Any] = [{"Forside": "index.md"}]
        guide = [r for r in sorted(copied) if r.startswith("guide/") and r.endswith(".md")]
        if guide:
            guide.sort(key=lambda r: (r != "guide/index.md", r))
            nav.append({"For sagsbehandlere": [_nav_item(r, copied[r]) for r in guide]})
        nav.append({"Områder": ["omraader/index.md"] + [{a.name: f"omraader/{a.id}.md"} for a in self.rs.areas
                                                        if f"omraader/{a.id}.md" in pages]})
        nav.append({"Kommuner": ["kommuner/index.md"] + [
            {self.munis[c].name: f"kommuner/{_muni_slug(self.munis[c])}.md"} for c in self.trial_codes if c in self.munis]})
        nav.append({"Ændringer": "aendringer.md"})
        if "ansoegningsrunden.md" in pages:
            nav.append({"Ansøgningsrunden": "ansoegningsrunden.md"})
        nav.append({"Love": ["love/index.md"] + [{f"{law.title} ({law.id})": self.law_page(law.id)}
                                                  for law in sorted(self.rs.laws, key=lambda x: x.title)]})
        jur: list[Any] = []
        if "language.md" in copied:
            jur.append({"Regelsproget": "language.md"})
        # other hand-written top-level pages (fx the round-file format) are for the legal editors too
        for rel in sorted(copied):
            if "/" not in rel and rel.endswith(".md") and rel not in ("language.md", "sources.md", "index.md") \
                    and rel not in pages:
                jur.append(_nav_item(rel, copied[rel]))
        jur.append({"Fejlkoder": "reference/diagnostics.md"})
        nav.append({"For jurister": jur})
        src: list[Any] = ["sources.md"]
        src += [_nav_item(r, copied[r]) for r in sorted(copied) if r.startswith("sources/") and r.endswith(".md")]
        nav.append({"Kilder": src})
        nav.append({"Data": "data/index.md"})
        self.site.nav = nav


SEARCH_BOOST = (("love/", 8), ("omraader/", 4), ("kommuner/", 2))

STATUS_HEAD = ["Bestemmelse", "Overskrift", "Status", "Gælder", "Kilde og noter"]

STATUS_TEXT = {
    "exemptable": "Kommunalbestyrelsen kan fravige bestemmelsen – men først når den har offentliggjort en "
                  "beslutning om det. Uden beslutning svarer tjekket »kræver beslutning«.",
    "exempt": "Loven har selv fraveget bestemmelsen for forsøgskommunerne; der skal ikke træffes beslutning.",
    "fencepost": "En hegnspæl: bestemmelsen gælder stadig og kan ikke fraviges.",
    "local-fencepost": "En hegnspæl, som kommunen selv har sat: den gælder i den kommune.",
    "out-of-scope": "Forsøget rører ikke bestemmelsen; de almindelige regler gælder.",
    "unknown": "Kilderne siger ikke, om bestemmelsen kan fraviges. Tjekket svarer »ikke omfattet« med en advarsel.",
}


def _default_rules() -> Path:
    from registry.pipeline import default_rules_dir

    return default_rules_dir()


def _nav_item(rel: str, path: Path) -> Any:
    title = _first_heading(path)
    return {title: rel} if title else rel


def _first_heading(path: Path) -> str | None:
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                return re.sub(r"\s*\{[^}]*\}\s*$", "", line[2:]).strip()
    except (OSError, UnicodeDecodeError):
        return None
    return None


def _all_sources(rs: RuleSet) -> list[str]:
    urls: list[str] = []
    urls += [x.source for x in rs.provisions] + [s.source for s in rs.statuses] + [d.source for d in rs.decisions]
    urls += [law.source for law in rs.laws] + [a.basis_source for a in rs.agreements]
    urls += [a.source for a in rs.agreements if a.source] + [a.source for a in rs.areas if a.source]
    return [u for u in urls if u]


def _iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def _csv(head: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue()


# ---------------------------------------------------------------------------- link checking

_MD_LINK = re.compile(r"\]\(([^)\s]+)\)")
_HREF = re.compile(r"""href="([^"]+)\"""")
_IDS = re.compile(r"""\{\s*#([\w-]+)\s*\}|\bid="([^"]+)\"""")


def page_ids(text: str) -> set[str]:
    return {a or b for a, b in _IDS.findall(text)}


def check_links(site: Site) -> list[str]:
    """Every relative link in every page must point at a page or file of the site (and anchor, where known)."""
    problems: list[str] = []
    known = set(site.pages) | set(site.files) | set(site.copied) | {MERMAID_ASSET}
    ids = {p: page_ids(t) for p, t in site.pages.items()}
    texts: dict[str, str] = dict(site.pages)
    for rel, path in site.copied.items():
        if rel.endswith(".md"):
            try:
                texts[rel] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                problems.append(f"{rel} kan ikke læses: {e}")
    for page, text in texts.items():
        body = re.sub(r"```.*?```", "", text, flags=re.S)  # links inside code are not links
        body = re.sub(r"`[^`\n]*`", "", body)
        for target in _MD_LINK.findall(body) + _HREF.findall(body):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                continue  # http(s), mailto: external
            path, _, anchor = target.partition("#")
            dest = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
            if dest not in known:
                problems.append(f"{page}: linket {target!r} peger på {dest}, som ikke findes")
            elif anchor and dest in ids and anchor not in ids[dest]:
                problems.append(f"{page}: linket {target!r} peger på ankeret #{anchor}, som ikke findes i {dest}")
    return problems


# ---------------------------------------------------------------------------- mermaid


def _cache_dir() -> Path:
    from registry.pipeline import cache_dir

    return cache_dir()


def mermaid_js() -> bytes:
    """The pinned mermaid.min.js: from REGISTRY_MERMAID_JS, the cache, or `npm pack` (then cached)."""
    env = os.environ.get("REGISTRY_MERMAID_JS")
    if env:
        data = Path(env).read_bytes()
        return data
    cached = _cache_dir() / f"mermaid-{MERMAID_VERSION}.min.js"
    if cached.is_file():
        data = cached.read_bytes()
        if hashlib.sha256(data).hexdigest() == MERMAID_SHA256:
            return data
    npm = shutil.which("npm")
    if npm is None:
        raise DocsError([f"Mermaid {MERMAID_VERSION} (til diagrammerne) findes ikke i {cached.parent}, og npm er ikke "
                         "installeret: installér npm (Debian: apt-get install npm), sæt REGISTRY_MERMAID_JS til en "
                         "lokal mermaid.min.js, eller kør med --no-mermaid"])
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([npm, "pack", f"mermaid@{MERMAID_VERSION}", "--silent", "--pack-destination", tmp],
                              cwd=tmp, capture_output=True, text=True, timeout=300)
        tgz = next(Path(tmp).glob("mermaid-*.tgz"), None)
        if proc.returncode != 0 or tgz is None:
            raise DocsError([f"`npm pack mermaid@{MERMAID_VERSION}` mislykkedes: "
                             f"{(proc.stderr or proc.stdout).strip()[-400:]}"])
        with tarfile.open(tgz) as tf:
            member = tf.extractfile("package/dist/mermaid.min.js")
            data = member.read() if member else b""
    if hashlib.sha256(data).hexdigest() != MERMAID_SHA256:
        raise DocsError([f"mermaid.min.js fra npm har ikke den forventede sha256 ({MERMAID_SHA256[:12]}…); "
                         "filen er ikke brugt"])
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmpf = cached.with_suffix(f".{os.getpid()}.tmp")
        tmpf.write_bytes(data)
        os.replace(tmpf, cached)
    except OSError:
        pass  # a read-only cache only costs a download next time
    return data


# ---------------------------------------------------------------------------- writing


def _yaml_nav(nav: list[Any], indent: int = 0) -> list[str]:
    pad = "  " * indent
    out: list[str] = []
    for item in nav:
        if isinstance(item, str):
            out.append(f"{pad}- {json.dumps(item, ensure_ascii=False)}")
            continue
        for title, value in item.items():
            if isinstance(value, list):
                out.append(f"{pad}- {json.dumps(title, ensure_ascii=False)}:")
                out += _yaml_nav(value, indent + 2)
            else:
                out.append(f"{pad}- {json.dumps(title, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}")
    return out


def write_site(site: Site, out: Path, mermaid: bytes | None) -> None:
    if out.exists():
        if not out.is_dir():
            raise DocsError([f"{out} findes og er ikke en mappe"])
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise DocsError([f"mappen {out} findes og er ikke lavet af `registry docs`; vælg en anden --out "
                             "eller tøm mappen"])
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("Dannet af `registry docs`; slettes og dannes igen ved hver kørsel.\n", encoding="utf-8")
    for rel, src in site.copied.items():
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    for rel, text in {**site.pages, **site.files}.items():
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
    if mermaid is not None:
        dest = out / MERMAID_ASSET
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(mermaid)
    nav = ["# Dannet af `registry docs`: navigationen, som mkdocs.yml arver (INHERIT).", "nav:", *_yaml_nav(site.nav, 1)]
    (out / NAV_FILE).write_text("\n".join(nav) + "\n", encoding="utf-8")


def generate(compiled: Compiled, out: Path, *, handwritten: Path | None = None, rules_dir: Path | None = None,
             mermaid: bool = True) -> Site:
    """Generate the site's Markdown and data into `out`. Raises DocsError on anything a reader would miss."""
    site = _Gen(compiled, handwritten, rules_dir, out).build()
    write_site(site, out, mermaid_js() if mermaid else None)
    return site


def _project_root() -> Path:
    cwd = Path.cwd()
    if (cwd / "mkdocs.yml").exists():
        return cwd
    return Path(__file__).resolve().parent.parent


def cmd_docs(args: argparse.Namespace) -> int:
    from registry.commands import _compiled_or_exit

    compiled = _compiled_or_exit([args.rules] if args.rules else None)
    if isinstance(compiled, int):
        return compiled
    root = _project_root()
    out = Path(args.out) if args.out else root / "docs" / "generated"
    src = Path(args.src) if args.src else root / "docs"
    if args.src and not src.is_dir():
        from registry.diagnostics import diag

        raise UsageError([diag("C405", f"mappen findes ikke: {src}", help="angiv mappen med de håndskrevne sider")])
    from registry.pipeline import default_rules_dir

    try:
        site = generate(compiled, out, handwritten=src, rules_dir=Path(args.rules) if args.rules else default_rules_dir(),
                        mermaid=not args.no_mermaid)
    except DocsError as e:
        for p in e.problems:
            print(f"registry docs: fejl: {p}", file=sys.stderr)
        print(f"registry docs: {len(e.problems)} fejl; intet websted er dannet.", file=sys.stderr)
        return EXIT_INVALID
    except OSError as e:
        print(f"registry docs: fejl: kan ikke skrive {out}: {e}", file=sys.stderr)
        return EXIT_INVALID
    n_pages = len(site.pages) + sum(1 for r in site.copied if r.endswith(".md"))
    print(f"skrev {n_pages} sider og {len(site.files)} datafiler til {out}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("docs", help="dan dokumentationswebstedet (Markdown til mkdocs) ud fra reglerne")
    s.add_argument("--rules", metavar="MAPPE", help="regelmappe (standard: de medfølgende rules/)")
    s.add_argument("--out", metavar="MAPPE", help="hvor siderne skrives (standard: docs/generated/)")
    s.add_argument("--src", metavar="MAPPE", help="de håndskrevne sider, der kopieres med (standard: docs/)")
    s.add_argument("--no-mermaid", action="store_true",
                   help="læg ikke mermaid.min.js med (diagrammerne vises da som tekst)")
    s.set_defaults(func=cmd_docs)


EXTRA_COMMANDS.append(register)


CSS = """\
/* Dannet af `registry docs`. Status- og mærkefarver, læsbare i lys og mørk tilstand. */
.rr-badge, .rr-status { display: inline-block; padding: 0 .45em; border-radius: .3em; font-size: .85em;
  font-weight: 600; white-space: nowrap; }
.rr-inferred { background: #fff3cd; color: #664d03; border: 1px solid #e0c36a; }
.rr-exemptable { background: #d1e7dd; color: #0f5132; }
.rr-fence { background: #f8d7da; color: #842029; }
.rr-neutral { background: #e2e3e5; color: #41464b; }
.rr-unknown { background: #fff3cd; color: #664d03; }
.md-typeset .rr-notes { font-size: .7rem; }
.md-grid { max-width: 1600px; }
.md-typeset .rr-overview table:not([class]) { font-size: .8rem; }
.md-typeset .mermaid { text-align: center; }
"""
