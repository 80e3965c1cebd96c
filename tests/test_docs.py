"""The docs site generator (`registry docs`): pages, links, data files and loud failures."""

from __future__ import annotations

import csv
import html.parser
import io
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.cli import main
from registry.docsgen import Site, check_links, provision_anchor, provision_url
from registry.model import Citation, RuleSet
from registry.pipeline import load

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "docs"
OK = FIXTURES / "ok"


def run_docs(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a child process: exit code, stdout and stderr as a user sees them."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "registry", "docs", *args], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "generated"
    assert main(["docs", "--rules", str(OK), "--out", str(out), "--no-mermaid"]) == 0
    return out


@pytest.fixture(scope="module")
def compiled_ok():
    c = load([str(OK)], use_cache=False)
    assert c.ok, c.diagnostics
    return c


def table_rows(md: str) -> list[str]:
    return [line for line in md.splitlines() if line.startswith("| ") and not line.startswith("| Bestemmelse")]


def md_links(text: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", text)


# ---------------------------------------------------------------------------- pages


def test_every_area_page_lists_each_fence_post_with_a_web_source(fixture_site: Path, compiled_ok) -> None:
    rs: RuleSet = compiled_ok.rules
    for area in rs.areas:
        ids = {a.id for a in rs.agreements if a.area == area.id}
        page = (fixture_site / "omraader" / f"{area.id}.md").read_text(encoding="utf-8")
        rows = table_rows(page.split("## Hegnspæle")[1].split("\n## ")[0])
        fences = [s for s in rs.statuses if s.is_fencepost and set(s.agreements) & ids]
        assert fences, f"the fixture should give {area.id} fence posts to test"
        for s in fences:
            link = f"#{provision_anchor(s.target)})" if s.target.section else f"love/{(s.target.law or '').lower()}.md)"
            row = next((r for r in rows if link in r and "egnspæl" in r), None)
            assert row is not None, f"{s.target} is not in the fence-post table of {area.id}"
            sources = [u for u in md_links(row) if u.startswith(("http://", "https://"))]
            assert s.source in sources, f"{s.target}: source {s.source} not linked in {row}"


def test_area_page_explains_replacements_conditions_and_inferred(fixture_site: Path) -> None:
    page = (fixture_site / "omraader" / "aeldre.md").read_text(encoding="utf-8")
    assert "Pligter, der træder i stedet" in page and "VAAE § 9, stk. 1" in page.split("Pligter, der træder i stedet")[1]
    cond = page.split("Undtagelser med betingelser")[1]
    assert "kun så længe" in cond and "SEL § 83, stk. 1, nr. 3" in cond
    assert "borgere, der ikke selv kan tilmelde sig" in cond
    assert 'class="rr-badge rr-inferred"' in page
    assert "Listen over bestemmelser er ikke læst i selve loven." in page  # the inferred note itself


def test_area_page_has_a_mermaid_diagram_of_the_fence_posts(fixture_site: Path, compiled_ok) -> None:
    page = (fixture_site / "omraader" / "aeldre.md").read_text(encoding="utf-8")
    block = re.search(r"```mermaid\n(.*?)```", page, re.S)
    assert block, "no mermaid diagram on the area page"
    ids = {a.id for a in compiled_ok.rules.agreements if a.area == "aeldre"}
    for s in compiled_ok.rules.statuses:
        if s.is_fencepost and set(s.agreements) & ids:
            assert f'"{s.target.canonical()}"' in block.group(1)
    assert "kræver" in block.group(1)  # VAAE § 6 requires VAAE § 7


def test_each_trial_municipality_overview_lists_exactly_its_decisions(fixture_site: Path, compiled_ok) -> None:
    rs: RuleSet = compiled_ok.rules
    trial = {c for a in rs.agreements for c in a.municipalities}
    names = {m.code: m for m in rs.municipalities}
    pages = {p.stem for p in (fixture_site / "kommuner").glob("*.md")} - {"index"}
    assert len(pages) == len(trial)
    for code in trial:
        slug = re.sub(r"[^a-z0-9]+", "-", names[code].name.lower().replace("ø", "oe").replace("æ", "ae")
                      .replace("å", "aa")).strip("-")
        page = (fixture_site / "kommuner" / f"{slug}.md").read_text(encoding="utf-8")
        block = page.split('<div class="rr-overview" markdown>')[1].split("</div>")[0]
        mine = [d for d in rs.decisions if d.municipality == code]
        assert set(re.findall(r'id="beslutning-([\w-]+)"', block)) == {d.id for d in mine}
        assert len(table_rows(block)) == sum(len(d.items) for d in mine)
        with open(fixture_site / "data" / f"oversigt-{slug}.csv", encoding="utf-8") as fh:
            assert len(list(csv.DictReader(fh))) == sum(len(d.items) for d in mine)


def test_local_fence_post_is_on_its_municipality_page(fixture_site: Path) -> None:
    page = (fixture_site / "kommuner" / "hoeje-taastrup.md").read_text(encoding="utf-8")
    local = page.split("## Lokale hegnspæle")[1]
    assert "fsl-44" in local and "https://example.org/hoeje-taastrup/fsl44" in local
    other = (fixture_site / "kommuner" / "viborg.md").read_text(encoding="utf-8").split("## Lokale hegnspæle")[1]
    assert "fsl-44" not in other


def test_law_pages_carry_an_anchor_for_every_cited_provision(fixture_site: Path, compiled_ok) -> None:
    from registry.docsgen import _all_citations, page_ids

    rs: RuleSet = compiled_ok.rules
    for c in _all_citations(rs):
        if c.section is None:
            continue
        url = provision_url(c, rs)
        page, _, anchor = url.partition("#")
        md = fixture_site / (page.rstrip("/") + ".md")
        assert anchor in page_ids(md.read_text(encoding="utf-8")), f"{c} -> {url}"


def test_law_page_shows_what_refers_to_a_provision(fixture_site: Path) -> None:
    sel = (fixture_site / "love" / "sel.md").read_text(encoding="utf-8")
    block = sel.split("{ #sel-83 }")[1].split("\n### ")[0]
    assert "[SEL § 91](#sel-91) henviser til den" in block
    ael = (fixture_site / "love" / "ael.md").read_text(encoding="utf-8")
    assert "er videreført i den fra 1. juli 2025" in ael


def test_changes_page_is_chronological_and_names_the_succession(fixture_site: Path) -> None:
    page = (fixture_site / "aendringer.md").read_text(encoding="utf-8")
    assert "SEL § 83" in page and "AEL § 10" in page and "Videreført i Ældrelov" in page
    months = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
              "november", "december"]
    days = [(int(y), months.index(m) + 1, int(d)) for d, m, y in
            re.findall(r"^- \*\*(\d+)\. (\w+) (\d{4}):\*\*", page, re.M)]
    assert days == sorted(days) and len(days) > 5


def test_diagnostics_page_lists_every_code(fixture_site: Path) -> None:
    from registry.diagnostics import CODES

    page = (fixture_site / "reference" / "diagnostics.md").read_text(encoding="utf-8")
    for code in CODES:
        assert f"`{code}`" in page


def test_navigation_points_only_at_existing_pages(fixture_site: Path) -> None:
    nav = (fixture_site / ".nav.yml").read_text(encoding="utf-8")
    targets = re.findall(r'"([^"]+\.md)"\s*$', nav, re.M)
    assert "index.md" in targets and "guide/index.md" in targets and "language.md" in targets
    for t in targets:
        assert (fixture_site / t).is_file(), t


# ---------------------------------------------------------------------------- data


def test_data_files_round_trip_the_model(fixture_site: Path, compiled_ok) -> None:
    rs: RuleSet = compiled_ok.rules
    data = json.loads((fixture_site / "data" / "registry.json").read_text(encoding="utf-8"))
    assert RuleSet.model_validate(data) == rs
    schema = json.loads((fixture_site / "data" / "registry.schema.json").read_text(encoding="utf-8"))
    assert set(schema["properties"]) >= {"provisions", "statuses", "decisions", "agreements"}

    def rows(name: str) -> list[dict[str, str]]:
        with open(fixture_site / "data" / name, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    assert {r["citation"] for r in rows("provisions.csv")} == {p.id for p in rs.provisions}
    assert len(rows("statuses.csv")) == len(rs.statuses)
    assert all(r["source"].startswith("https://") for r in rows("statuses.csv"))
    assert len(rows("decisions.csv")) == sum(len(d.items) for d in rs.decisions)
    assert {int(r["code"]) for r in rows("municipalities.csv")} == {m.code for m in rs.municipalities}


def test_schema_validates_the_json_when_jsonschema_is_available(fixture_site: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    data = json.loads((fixture_site / "data" / "registry.json").read_text(encoding="utf-8"))
    schema = json.loads((fixture_site / "data" / "registry.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    data["provisions"][0]["ref"] = "not a citation"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


# ---------------------------------------------------------------------------- failing loudly


@pytest.mark.parametrize(("fixture", "words"), [
    ("missing_source", ["R207", "source"]),
    ("bad_source", ["kilde", "http(s)", "L 198, bemærkningerne"]),
    ("empty_area", ["dagtilbud", "tom"]),
])
def test_generator_fails_loudly_on_bad_rules(tmp_path: Path, fixture: str, words: list[str]) -> None:
    out = tmp_path / "generated"
    proc = run_docs("--rules", str(FIXTURES / fixture), "--out", str(out), "--no-mermaid")
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    for w in words:
        assert w in proc.stderr
    assert not out.exists(), "nothing may be written when the rules are not fit to publish"


def test_generator_will_not_overwrite_a_folder_it_did_not_make(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.md").write_text("# mine\n", encoding="utf-8")
    proc = run_docs("--rules", str(OK), "--out", str(out), "--no-mermaid")
    assert proc.returncode == 3 and "ikke lavet af `registry docs`" in proc.stderr
    assert (out / "notes.md").read_text(encoding="utf-8") == "# mine\n"


def test_link_checker_finds_broken_pages_and_anchors() -> None:
    site = Site(pages={
        "index.md": "[a](omraader/aeldre.md#sel-83) [b](omraader/x.md) [c](#top) [d](https://example.org/)",
        "omraader/aeldre.md": "## SEL § 83 { #sel-83 }\n[e](../index.md#nope)\n```\n[f](nowhere.md)\n```",
    })
    problems = check_links(site)
    assert any("omraader/x.md" in p for p in problems)
    assert any("#nope" in p for p in problems)
    assert any("#top" in p for p in problems)
    assert not any("sel-83" in p or "nowhere" in p or "example.org" in p for p in problems)
    site.pages["index.md"] = "[a](omraader/aeldre.md#sel-83)"
    site.pages["omraader/aeldre.md"] = "## SEL § 83 { #sel-83 }\n[e](../index.md)"
    assert check_links(site) == []


# ---------------------------------------------------------------------------- anchors and URLs


def test_provision_anchor_and_url_examples() -> None:
    assert provision_anchor("SEL § 83 a") == "sel-83-a"
    assert provision_anchor(Citation(law="SEL", section="83a")) == "sel-83-a"
    assert provision_anchor("SEL § 83, stk. 1, nr. 3") == "sel-83-stk-1-nr-3"
    assert provision_url("SEL § 83 a") == "love/sel/#sel-83-a"
    assert provision_url(Citation(law="VAAE", section="9a", stk=2)) == "love/vaae/#vaae-9-a-stk-2"


def test_provision_url_falls_back_to_the_nearest_anchored_ancestor(compiled_ok) -> None:
    rs = compiled_ok.rules
    undeclared = Citation(law="SEL", section="83", stk=7)
    assert provision_url(undeclared, rs) == "love/sel/#sel-83"
    assert provision_url(undeclared) == "love/sel/#sel-83-stk-7"
    assert provision_url("SEL § 83, stk. 7", rs) == "love/sel/#sel-83"  # the text the checker's findings carry
    assert provision_url("SEL § 83, stk. 1, nr. 3", rs) == "love/sel/#sel-83-stk-1-nr-3"


_sections = st.builds(lambda n, a: f"{n}{a}", st.integers(1, 400), st.sampled_from(["", "a", "b", "c"]))
_citations = st.builds(Citation, law=st.sampled_from(["SEL", "VAAE", "FSL", "AEL"]), section=_sections,
                       stk=st.none() | st.integers(1, 20), nr=st.none() | st.integers(1, 20),
                       litra=st.none() | st.sampled_from(["a", "b"]), pkt=st.none() | st.integers(1, 5))


@given(_citations, _citations)
def test_anchors_are_html_ids_and_distinct_for_distinct_provisions(a: Citation, b: Citation) -> None:
    assert re.fullmatch(r"[a-z][a-z0-9-]*", provision_anchor(a))
    assert provision_anchor(a) == provision_anchor(a.canonical())
    if a.canonical() != b.canonical():
        assert provision_anchor(a) != provision_anchor(b)


# ---------------------------------------------------------------------------- the built site


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        if d.get("id"):
            self.ids.add(d["id"] or "")
        if tag == "a" and d.get("href"):
            self.hrefs.append(d["href"] or "")


def _mkdocs_build(docs_out: Path, site: Path) -> None:
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (pip install -e '.[docs]')")
    pytest.importorskip("material", reason="mkdocs-material is not installed (pip install -e '.[docs]')")
    cfg = docs_out.parent.parent / "mkdocs.yml"
    shutil.copyfile(ROOT / "mkdocs.yml", cfg)
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(cfg), "-d", str(site)],
                          capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_built_html_has_no_broken_internal_link(tmp_path: Path) -> None:
    out = tmp_path / "docs" / "generated"
    assert main(["docs", "--rules", str(OK), "--out", str(out), "--no-mermaid"]) == 0
    site = tmp_path / "site"
    _mkdocs_build(out, site)
    pages: dict[str, _Links] = {}
    for f in site.rglob("*.html"):
        parser = _Links()
        parser.feed(f.read_text(encoding="utf-8"))
        pages[f.relative_to(site).as_posix()] = parser
    assert "omraader/aeldre/index.html" in pages and "love/sel/index.html" in pages
    broken = []
    checked = 0
    for page, parser in pages.items():
        if page == "404.html":
            continue  # served for any path, so mkdocs links it from the site root
        for href in parser.hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("mailto:"):
                continue
            path = unquote(parts.path)
            dest = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
            if (site / dest).is_dir():
                dest = posixpath.join(dest, "index.html")
            checked += 1
            if not (site / dest).exists():
                broken.append(f"{page}: {href}")
            elif parts.fragment and dest in pages and unquote(parts.fragment) not in pages[dest].ids:
                broken.append(f"{page}: {href} (no #{parts.fragment})")
    assert checked > 100
    assert broken == []


def test_bundled_rules_give_a_page_for_every_trial_municipality_area_and_law(tmp_path: Path) -> None:
    compiled = load()
    assert compiled.ok, "the bundled rules must validate (see `registry lint rules/`)"
    out = tmp_path / "generated"
    proc = run_docs("--out", str(out), "--no-mermaid")
    assert proc.returncode == 0, proc.stderr
    rs = compiled.rules
    municipality_pages = (out / "kommuner").glob("*.md")
    text = " ".join(p.read_text(encoding="utf-8") for p in municipality_pages)
    for code in {c for a in rs.agreements for c in a.municipalities}:
        name = next(m.name for m in rs.municipalities if m.code == code)
        assert f"# {name} Kommune" in text
    for area in {a.area for a in rs.agreements}:
        assert (out / "omraader" / f"{area}.md").is_file()
    for law in rs.laws:
        assert (out / "love" / f"{law.id.lower()}.md").is_file()
    assert (out / "index.md").read_text(encoding="utf-8").startswith("# Velfærdsaftalerne")
    with open(out / "data" / "provisions.csv", encoding="utf-8") as fh:
        assert len(list(csv.reader(io.StringIO(fh.read())))) == len(rs.provisions) + 1
    # an agreement called off before it started is never shown as a running trial
    for a in rs.agreements:
        if a.cancelled is not None:
            area_page = (out / "omraader" / f"{a.area}.md").read_text(encoding="utf-8")
            assert "**Aflyst**" in area_page and a.cancelled.source in area_page


def test_an_inferred_provision_is_marked_on_its_law_page_and_in_the_data(fixture_site: Path) -> None:
    page = (fixture_site / "love" / "vaae.md").read_text(encoding="utf-8")
    block = page.split("### VAAE § 9 b")[1].split("\n### ")[0]
    assert 'class="rr-badge rr-inferred"' in block and "Nummeret er udledt af rækkefølgen i ændringsloven." in block
    other = page.split("### VAAE § 9 a")[1].split("\n### ")[0]
    assert "rr-inferred" not in other
    with open(fixture_site / "data" / "provisions.csv", encoding="utf-8") as fh:
        rows = {r["citation"]: r for r in csv.DictReader(fh)}
    assert rows["VAAE § 9 b"]["inferred"] == "Nummeret er udledt af rækkefølgen i ændringsloven."
    assert rows["VAAE § 9 a"]["inferred"] == ""
