"""Synthetic corpora for the benchmarks: the same rules in our DSL, in Cedar and in Rego.

A corpus of N provisions has laws of up to 250 provisions each, one agreement with a few
trial municipalities (plus one municipality outside the trial), a status for every provision
(every fifth a fence post, the rest exemptable), `requires` edges that never point from a fence
post to an exemptable provision (so the rules lint clean), and a few decisions.

The Cedar policy set has exactly one policy per provision: a `forbid` for a fence post, a
`permit` for an exemptable provision whose condition lists the decisions in force for it (or
`false` when none was made). Dates are integers YYYYMMDD in `context.date`. The Rego policy is
one module over a data document. All three give the same answer for a request inside the trial:
Cedar Allow <=> our verdict `allowed`; Rego returns our verdict itself.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PER_LAW = 250
PER_FILE = 2_000  # provisions (and statuses) per .rule file
AGREEMENT = "bench-2021"
TRIAL_START, TRIAL_END, EXTENDED_TO = dt.date(2021, 6, 1), dt.date(2024, 9, 30), dt.date(2025, 6, 30)
MEMBERS = {791: "Viborg", 410: "Middelfart", 751: "Aarhus", 169: "Høje-Taastrup"}
OUTSIDER = (101, "København")
SOURCE = "https://example.org/bench"


@dataclass(frozen=True)
class Prov:
    law: str
    section: str  # "17" or "17a"
    fence: bool

    @property
    def citation(self) -> str:
        num = self.section.rstrip("abcdefghijklmnopqrstuvwxyz")
        letter = self.section[len(num):]
        return f"{self.law} § {num}" + (f" {letter}" if letter else "")

    @property
    def slug(self) -> str:  # Cedar / Rego id
        return f"{self.law}-{self.section}"


@dataclass
class Corpus:
    size: int
    provisions: list[Prov]
    decisions: dict[int, dict[str, dt.date]]  # municipality -> provision slug -> effective date
    requires: list[tuple[Prov, Prov]]
    files: dict[str, str] = field(default_factory=dict)  # file name -> DSL text

    @property
    def fences(self) -> list[Prov]:
        return [p for p in self.provisions if p.fence]

    def requests(self, n: int, seed: int = 7) -> list[tuple[int, dt.date, Prov]]:
        """A mix of questions inside the trial: decided, fence posts, exemptable without decision."""
        rnd = random.Random(seed)
        by_slug = {p.slug: p for p in self.provisions}
        exemptable = [p for p in self.provisions if not p.fence]
        out = []
        for i in range(n):
            code = list(MEMBERS)[i % len(MEMBERS)]
            day = dt.date(2023, 1, 1) + dt.timedelta(days=rnd.randrange(0, 700))
            kind = i % 3
            if kind == 0 and self.decisions.get(code):
                p = by_slug[rnd.choice(sorted(self.decisions[code]))]
            elif kind == 1:
                p = rnd.choice(self.fences)
            else:
                p = rnd.choice(exemptable)
            out.append((code, day, p))
        return out

    def expected(self, code: int, day: dt.date, p: Prov) -> str:
        """The verdict our checker must give (used to check that the three engines agree)."""
        if code not in MEMBERS or not (TRIAL_START <= day <= EXTENDED_TO):
            return "not_covered"
        if p.fence:
            return "violates_fencepost"
        eff = self.decisions.get(code, {}).get(p.slug)
        return "allowed" if eff is not None and eff <= day else "needs_decision"


def _sections(count: int) -> list[str]:
    out: list[str] = []
    n = 0
    while len(out) < count:
        n += 1
        out.append(str(n))
        if n % 7 == 0 and len(out) < count:
            out.append(f"{n}a")  # letter suffixes, as in "§ 83 a"
    return out


def _law_id(i: int) -> str:
    return f"L{i + 1}"


def build(size: int, seed: int = 1) -> Corpus:
    rnd = random.Random(seed)
    provisions: list[Prov] = []
    nlaws = (size + PER_LAW - 1) // PER_LAW
    k = 0
    for li in range(nlaws):
        count = min(PER_LAW, size - li * PER_LAW)
        for sec in _sections(count):
            provisions.append(Prov(_law_id(li), sec, fence=(k % 5 == 0)))
            k += 1
    # requires: fence -> earlier fence of the same law, exemptable -> earlier exemptable (a DAG)
    requires: list[tuple[Prov, Prov]] = []
    last: dict[tuple[str, bool], Prov] = {}
    for i, p in enumerate(provisions):
        prev = last.get((p.law, p.fence))
        if prev is not None and i % 3 == 0:
            requires.append((p, prev))
        last[(p.law, p.fence)] = p
    # decisions: about 1 % of the exemptable provisions per municipality, at least a few
    exemptable = [p for p in provisions if not p.fence]
    decisions: dict[int, dict[str, dt.date]] = {}
    per_muni = max(4, size // 400)
    for code in MEMBERS:
        chosen = rnd.sample(exemptable, min(per_muni, len(exemptable)))
        decisions[code] = {}
        for j, p in enumerate(chosen):
            published = dt.date(2021, 10, 1) + dt.timedelta(days=(j // 10) * 30)
            decisions[code][p.slug] = published + dt.timedelta(days=1)
    c = Corpus(size, provisions, decisions, requires)
    c.files = _dsl(c)
    return c


# ---------------------------------------------------------------------------- our DSL


def _dsl(c: Corpus) -> dict[str, str]:
    files: dict[str, str] = {}
    head = ["# Synthetic benchmark corpus (generated by benchmarks/corpus.py).",
            'area bench "Benchmarkområdet"', ""]
    for code, name in [*MEMBERS.items(), OUTSIDER]:
        head += [f'municipality {code} "{name}"', ""]
    head += ['law VA "Lov om velfærdsaftaler (benchmark)"', f'  source "{SOURCE}/va"', ""]
    laws = sorted({p.law for p in c.provisions}, key=lambda x: int(x[1:]))
    for law in laws:
        head += [f'law {law} "Benchmarklov {law[1:]}"', f'  alias "benchmarkloven {law[1:]}"',
                 f'  source "{SOURCE}/{law}"', "  sections complete", ""]
    files["00-base.rule"] = "\n".join(head)

    members = ", ".join(str(m) for m in MEMBERS)
    files["01-agreement.rule"] = "\n".join([
        f'agreement {AGREEMENT} "Velfærdsaftale (benchmark)"',
        "  area bench",
        f'  basis VA source "{SOURCE}/va"',
        f"  municipalities {members}",
        f"  from {TRIAL_START} to {TRIAL_END}",
        f'  extended to {EXTENDED_TO} by "lov nr. 1 af 1. januar 2024" source "{SOURCE}/ext"',
        "",
    ])

    reqs: dict[Prov, list[Prov]] = {}
    for a, b in c.requires:
        reqs.setdefault(a, []).append(b)
    for start in range(0, len(c.provisions), PER_FILE):
        chunk = c.provisions[start:start + PER_FILE]
        lines: list[str] = []
        for p in chunk:
            lines.append(f'provision {p.citation} "Bestemmelse {p.section} i {p.law}"')
            lines.append(f'  source "{SOURCE}/{p.law}/{p.section}"')
            if p in reqs:
                lines.append("  requires " + "; ".join(r.citation for r in reqs[p]))
            lines.append("")
        files[f"10-provisions-{start // PER_FILE:03d}.rule"] = "\n".join(lines)
        lines = []
        for p in chunk:
            lines.append(f"{'fencepost' if p.fence else 'exemptable'} {p.citation} under {AGREEMENT}")
            lines.append(f'  source "{SOURCE}/status/{p.slug}"')
            lines.append("")
        files[f"20-statuses-{start // PER_FILE:03d}.rule"] = "\n".join(lines)

    by_slug = {p.slug: p for p in c.provisions}
    lines = []
    for code, items in c.decisions.items():
        # group by publication date: one decision per date, several `disapplies` lines each
        groups: dict[dt.date, list[str]] = {}
        for slug, eff in items.items():
            groups.setdefault(eff, []).append(slug)
        for i, (eff, slugs) in enumerate(sorted(groups.items())):
            lines.append(f'decision d-{code}-{i + 1} "Beslutning {i + 1} i {MEMBERS[code]}"')
            lines.append(f"  municipality {code}")
            lines.append(f"  under {AGREEMENT}")
            for s in sorted(slugs):
                lines.append(f"  disapplies {by_slug[s].citation}")
            lines.append(f"  published {eff - dt.timedelta(days=1)}")
            lines.append(f'  source "{SOURCE}/decision/{code}/{i + 1}"')
            lines.append("")
    files["30-decisions.rule"] = "\n".join(lines)

    # a few examples, with the verdict the corpus semantics give, so `registry test` checks them
    lines = []
    for i, (code, day, p) in enumerate(c.requests(8, seed=3)):
        lines += [f'example "Eksempel {i + 1}"', f"  municipality {code}", f"  date {day}",
                  f"  deviates {p.citation}", f"  expect {c.expected(code, day, p)}", f'  source "{SOURCE}"', ""]
    files["40-examples.rule"] = "\n".join(lines)
    return files


def write(c: Corpus, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in c.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


_WORKDIR: Path | None = None
_CACHE: dict[int, tuple[Corpus, Path]] = {}
# sizes whose cold compile did not finish in its time budget (set by parse_bench, read by check_bench)
UNCOMPILABLE: dict[int, str] = {}


def too_big(size: int) -> str | None:
    """Why a corpus of `size` is not tried: a corpus no larger than it did not compile in time."""
    failed = [n for n in UNCOMPILABLE if n <= size]
    return UNCOMPILABLE[min(failed)] if failed else None


def workdir() -> Path:
    """One temporary folder per process for corpora and the compiled-rules cache."""
    global _WORKDIR
    if _WORKDIR is None:
        _WORKDIR = Path(tempfile.mkdtemp(prefix="registry-bench-"))
        import atexit

        atexit.register(shutil.rmtree, _WORKDIR, ignore_errors=True)
    return _WORKDIR


def cache_env() -> dict[str, str]:
    """A compiled-rules cache of our own, shared by this process and the processes it starts."""
    import os

    folder = str(workdir() / "cache")
    os.environ["REGISTRY_CACHE_DIR"] = folder
    return {"REGISTRY_CACHE_DIR": folder}


def corpus(size: int) -> tuple[Corpus, Path]:
    """The corpus of `size` provisions and the folder its .rule files are in (built once per process)."""
    if size not in _CACHE:
        c = build(size)
        _CACHE[size] = (c, write(c, workdir() / f"corpus-{size}"))
    return _CACHE[size]


# ---------------------------------------------------------------------------- Cedar


def _day(d: dt.date) -> int:
    return d.year * 10_000 + d.month * 100 + d.day


def cedar_policies(c: Corpus) -> str:
    start, end = _day(TRIAL_START), _day(EXTENDED_TO)
    by_prov: dict[str, list[tuple[int, dt.date]]] = {}
    for code, items in c.decisions.items():
        for slug, eff in items.items():
            by_prov.setdefault(slug, []).append((code, eff))
    out = []
    for p in c.provisions:
        head = f'(principal in Agreement::"{AGREEMENT}", action == Action::"deviate", resource == Provision::"{p.slug}")'
        trial = f"context.date >= {start} && context.date <= {end}"
        if p.fence:
            out.append(f"forbid{head}\nwhen {{ {trial} }};")
            continue
        terms = " || ".join(f'(principal == Municipality::"{code}" && context.date >= {_day(eff)})'
                            for code, eff in sorted(by_prov.get(p.slug, [])))
        out.append(f"permit{head}\nwhen {{ {trial} && ({terms or 'false'}) }};")
    return "\n".join(out) + "\n"


def cedar_entities(c: Corpus) -> list[dict]:
    ents: list[dict] = [{"uid": {"type": "Agreement", "id": AGREEMENT}, "attrs": {}, "parents": []}]
    for code in MEMBERS:
        ents.append({"uid": {"type": "Municipality", "id": str(code)}, "attrs": {},
                     "parents": [{"type": "Agreement", "id": AGREEMENT}]})
    ents.append({"uid": {"type": "Municipality", "id": str(OUTSIDER[0])}, "attrs": {}, "parents": []})
    return ents


def cedar_request(code: int, day: dt.date, p: Prov) -> dict:
    return {"principal": f'Municipality::"{code}"', "action": 'Action::"deviate"',
            "resource": f'Provision::"{p.slug}"', "context": {"date": _day(day)}}


# ---------------------------------------------------------------------------- Rego

REGO_POLICY = """package registry

import rego.v1

default verdict := "not_covered"

in_trial if {
    start := data.members[input.municipality]
    input.date >= start
    input.date <= data.trial_end
}

decided if {
    effective := data.decisions[input.municipality][input.provision]
    input.date >= effective
}

verdict := "violates_fencepost" if {
    in_trial
    data.statuses[input.provision] == "fencepost"
}

verdict := "allowed" if {
    in_trial
    data.statuses[input.provision] == "exemptable"
    decided
}

verdict := "needs_decision" if {
    in_trial
    data.statuses[input.provision] == "exemptable"
    not decided
}
"""


def rego_data(c: Corpus) -> str:
    return json.dumps({
        "members": {str(code): _day(TRIAL_START) for code in MEMBERS},
        "trial_end": _day(EXTENDED_TO),
        "statuses": {p.slug: "fencepost" if p.fence else "exemptable" for p in c.provisions},
        "decisions": {str(code): {slug: _day(eff) for slug, eff in items.items()} for code, items in c.decisions.items()},
    })


def rego_input(code: int, day: dt.date, p: Prov) -> dict:
    return {"municipality": str(code), "date": _day(day), "provision": p.slug}
