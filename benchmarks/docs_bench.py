"""The docs site: time and size of `registry docs` + `mkdocs build --strict`.

Two rule sets: the bundled rules/, and a synthetic corpus of 10,000 provisions (1,000 with
--quick) written here in valid DSL: four areas with one agreement each, 40 laws, a status for
every provision (every fifth a fence post, fence posts requiring the next fence post in short
chains), every tenth provision succeeded by one in a newer law, and decisions for each trial
municipality. Every step runs as a process, as a user runs it: compiling the rules (the pipeline, cached
afterwards), `registry docs`, and `mkdocs build --strict`. Size is the built site/
folder in MB (10^6 bytes), Mermaid's 3.6 MB included.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import ROOT, figure, skipped

AREAS = ("aeldre", "dagtilbud", "folkeskole", "beskaeftigelse")
MUNICIPALITIES = {791: "Viborg", 410: "Middelfart", 751: "Aarhus", 169: "Høje-Taastrup", 101: "København",
                  147: "Frederiksberg", 461: "Odense", 561: "Esbjerg"}
SRC = "https://example.org/bench"


def synthetic(folder: Path, provisions: int) -> None:
    """Write a rule corpus of `provisions` provisions under `folder`."""
    laws = 40
    per_law = max(provisions // laws, 1)
    codes = sorted(MUNICIPALITIES)
    head = [f'area {a} "Område {a}"\n  source "{SRC}/{a}"\n' for a in AREAS]
    head += [f'municipality {c} "{n}"\n' for c, n in MUNICIPALITIES.items()]
    (folder / "base.rule").write_text("\n".join(head), encoding="utf-8")
    for li in range(laws):
        law = f"L{li:02d}"
        area = AREAS[li % len(AREAS)]
        agreement = f"{area}-2021"
        out = [f'law {law} "Syntetisk lov nr. {li}"\n  source "{SRC}/{law}"\n']
        for i in range(1, per_law + 1):
            lines = [f'provision {law} § {i} "Bestemmelse {i} i lov {li} om emne {i % 97}"',
                     f'  topics "emne {i % 97}", "hjemmehjælp"' if i % 7 == 0 else f'  topics "emne {i % 97}"',
                     f'  source "{SRC}/{law}/{i}"']
            fence = i % 5 == 0
            if fence and (i // 5) % 4 != 3 and i + 5 <= per_law:
                lines.append(f"  requires {law} § {i + 5}")
            elif not fence and i > 1:
                lines.append(f"  refers-to {law} § {i - 1}")
            if i % 10 == 1 and li + 4 < laws:
                lines.append(f"  succeeded-by L{li + 4:02d} § {i} from 2025-07-01")
            out.append("\n".join(lines) + "\n")
            kind = "fencepost" if fence else "exemptable"
            out.append(f'{kind} {law} § {i} under {agreement}\n  source "{SRC}/status/{law}/{i}"\n'
                       + ('  inferred "Udledt af bemærkningerne."\n' if i % 11 == 0 else ""))
        (folder / f"{law.lower()}.rule").write_text("\n".join(out), encoding="utf-8")
    agreements = []
    for ai, area in enumerate(AREAS):
        members = codes[2 * ai: 2 * ai + 2]
        basis = f"L{ai:02d}"
        agreements.append(f'agreement {area}-2021 "Velfærdsaftale {area}"\n  area {area}\n'
                          f'  basis {basis} source "{SRC}/{basis}"\n  municipalities {", ".join(map(str, members))}\n'
                          f"  from 2021-06-01 to 2024-09-30\n"
                          f'  extended to 2025-06-30 by "lov nr. 1 af 1. januar 2024" source "{SRC}/ext"\n')
        for m in members:
            for k in range(1, 6):  # decisions on exemptable provisions of this area's laws
                agreements.append(f'decision d{m}-{k} "Beslutning {k} i {MUNICIPALITIES[m]}"\n  municipality {m}\n'
                                  f"  under {area}-2021\n  disapplies {basis} § {k * 5 - 4}\n"
                                  f'  published 2022-0{k}-01\n  source "{SRC}/d/{m}/{k}"\n')
    (folder / "agreements.rule").write_text("\n".join(agreements), encoding="utf-8")


def _du_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def _build(label: str, rules: list[str], work: Path) -> list[dict]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    out = work / "docs" / "generated"
    figs = []
    # compile first (filling the compiled-rules cache), so the docs figure is the generator's own time
    t = time.perf_counter()
    prime = subprocess.run([sys.executable, "-c", "import sys; from registry.pipeline import load; "
                            "sys.exit(0 if load(sys.argv[1:] or None).ok else 3)", *rules[1:]],
                           cwd=ROOT, capture_output=True, text=True, env=env)
    if prime.returncode == 0:
        figs.append(figure(f"docs_{label}_compile_rules", time.perf_counter() - t, "s",
                           note="pipeline.load (parse, validate, graph); cached afterwards"))
    t = time.perf_counter()
    gen = subprocess.run([sys.executable, "-m", "registry", "docs", *rules, "--out", str(out)], cwd=ROOT,
                         capture_output=True, text=True, env=env)
    t_gen = time.perf_counter() - t
    if gen.returncode != 0:
        why = (gen.stderr or gen.stdout).strip().splitlines()[-2:]
        return figs + [skipped(f"docs_{label}_generate", "s", "registry docs failed: " + " | ".join(why))]
    shutil.copyfile(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    t = time.perf_counter()
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(work / "mkdocs.yml"),
                            "-d", str(work / "site")], capture_output=True, text=True, env=env)
    t_build = time.perf_counter() - t
    figs += [figure(f"docs_{label}_generate", t_gen, "s", note="registry docs, compiled rules cached"),
             figure(f"docs_{label}_markdown_size", _du_mb(out), "MB")]
    if build.returncode != 0:
        return figs + [skipped(f"docs_{label}_mkdocs_build", "s", "mkdocs build failed: " + build.stderr[-300:])]
    pages = sum(1 for _ in (work / "site").rglob("*.html"))
    return figs + [figure(f"docs_{label}_mkdocs_build", t_build, "s", note=f"{pages} HTML pages"),
                   figure(f"docs_{label}_site_size", _du_mb(work / "site"), "MB")]


def run(quick: bool) -> list[dict]:
    try:
        import material  # noqa: F401
        import mkdocs  # noqa: F401
    except ImportError:
        return [skipped("docs_bundled_generate", "s", "mkdocs-material is not installed: pip install -e '.[docs]'")]
    figs: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="docs-bench-") as tmp:
        base = Path(tmp)
        (base / "bundled").mkdir()
        figs += _build("bundled", [], base / "bundled")
        n = 1_000 if quick else 10_000
        rules = base / "rules"
        rules.mkdir()
        synthetic(rules, n)
        (base / "synthetic").mkdir()
        figs += _build(f"synthetic_{n // 1000}k", ["--rules", str(rules)], base / "synthetic")
    return figs


if __name__ == "__main__":
    for f in run("--quick" in sys.argv):
        print(f)
