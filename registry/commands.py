"""Subcommands beyond lint and fmt: check, test, impact, graph. Each registers into the CLI."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from registry.cli import EXIT_INVALID, EXIT_OK, EXIT_OUTSIDE, EXTRA_COMMANDS, UsageError, _load, _paths_ok, _print_diags


def _compiled_or_exit(rules: list[str] | None):  # -> Compiled | int
    from registry.diagnostics import Severity

    if rules:
        _paths_ok(rules)
    compiled = _load(rules)
    if not compiled.ok:
        _print_diags([d for d in compiled.diagnostics if d.severity is Severity.ERROR], "text")
        print("registry: reglerne er ugyldige; ret dem (se `registry lint`) før der kan tjekkes.", file=sys.stderr)
        return EXIT_INVALID
    return compiled


# ---------------------------------------------------------------------------- check


def render_result_text(result: Any) -> str:
    lang = result.lang
    lines = [result.summary, ""]
    label = {"da": {"allowed": "tilladt", "needs_decision": "kræver beslutning", "not_covered": "ikke omfattet",
                    "violates_fencepost": "strider mod hegnspæl"},
             "en": {"allowed": "allowed", "needs_decision": "needs a decision", "not_covered": "not covered",
                    "violates_fencepost": "violates a fence post"}}[lang]
    for f in result.findings:
        head = f.provision if f.provision == f.cited else f"{f.provision} ({f.cited})"
        lines.append(f"■ {head}: {label[f.verdict.value]}")
        for r in f.reasons:
            lines.append(f"  - {r.text}")
            if r.source:
                lines.append(f"    {'Kilde' if lang == 'da' else 'Source'}: {r.source}")
        if len(f.path) > 1:
            lines.append(f"  {'Kæde' if lang == 'da' else 'Path'}: " + " → ".join(f.path))
        lines.append("")
    if result.warnings:
        lines.append("Advarsler:" if lang == "da" else "Warnings:")
        lines += [f"  ! {w}" for w in result.warnings]
        lines.append("")
    lines.append(("Regelsæt" if lang == "da" else "Rule set") + f": sha256:{result.ruleset[:16]}…")
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    from registry.checker import CheckInputError, check

    compiled = _compiled_or_exit([args.rules] if args.rules else None)
    if isinstance(compiled, int):
        return compiled
    try:
        result = check(compiled, municipality=args.municipality, date=args.date, deviates=args.deviates or [],
                       area=args.area, lang=args.lang)
    except CheckInputError as e:
        raise UsageError(e.diagnostics) from None
    if args.format == "json":
        data = result.model_dump(mode="json", exclude={"summary", "lang"})
        data = {"verdict": data.pop("verdict"), "inside": data.pop("inside"), **data, "summary": result.summary}
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        text = render_result_text(result)
    try:
        print(text, flush=True)
    except BrokenPipeError:  # `registry check ... | head -1`: the reader left, but the verdict still decides the status
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK if result.inside else EXIT_OUTSIDE


# ---------------------------------------------------------------------------- test


def run_examples(compiled: Any) -> tuple[list[Any], list[Any]]:
    """Run every example; return (diagnostics for failures, per-example results)."""
    from registry.checker import CheckInputError, check
    from registry.diagnostics import diag

    failures = []
    results: list[tuple[Any, Any]] = []
    for ex in compiled.rules.examples:
        try:
            res = check(compiled, municipality=str(ex.municipality), date=ex.date, deviates=list(ex.deviates),
                        area=ex.area)
        except CheckInputError as e:
            failures.append(diag("T501", f"eksemplet \"{ex.name}\" kunne ikke tjekkes: {e}", file=ex.span.file,
                                 line=ex.span.line, col=1))
            results.append((ex, None))
            continue
        results.append((ex, res))
        if res.verdict != ex.expect:
            why = "; ".join(r.text for f in res.findings for r in f.reasons[:1])
            failures.append(diag("T500", f"eksemplet \"{ex.name}\" forventer {ex.expect.value}, men gav "
                                         f"{res.verdict.value}", file=ex.span.file, line=ex.span.line, col=1,
                                 help=why[:300] or None))
    return failures, results


def fence_coverage(compiled: Any, results: list[Any]) -> list[str]:
    """Fence posts that no example exercises (a violation naming them, or a path through them)."""
    covered: set[str] = set()
    for _, res in results:
        if res is None:
            continue
        for f in res.findings:
            covered |= set(f.path)
            for r in f.reasons:
                if r.provision:
                    covered.add(r.provision)
    fences = sorted({s.target.canonical() for s in compiled.rules.statuses if s.is_fencepost})
    return [f for f in fences if f not in covered]


def cmd_test(args: argparse.Namespace) -> int:
    compiled = _compiled_or_exit(args.paths or None)
    if isinstance(compiled, int):
        return compiled
    failures, results = run_examples(compiled)
    uncovered = fence_coverage(compiled, results)
    if args.format == "json":
        print(json.dumps({"examples": len(results), "failed": len(failures),
                          "failures": [f.model_dump(mode="json") for f in failures],
                          "uncovered_fenceposts": uncovered}, ensure_ascii=False, indent=2))
    else:
        if failures:
            _print_diags(failures, "text", sys.stdout)
        fences = {s.target.canonical() for s in compiled.rules.statuses if s.is_fencepost}
        print(f"hegnspæle dækket af eksempler: {len(fences) - len(uncovered)}/{len(fences)}")
        for u in uncovered:
            print(f"  ikke dækket: {u}")
        print(f"{len(results) - len(failures)} passed, {len(failures)} failed")
    return EXIT_OK if not failures and not (args.require_coverage and uncovered) else EXIT_OUTSIDE


# ---------------------------------------------------------------------------- impact and graph


def cmd_impact(args: argparse.Namespace) -> int:
    from registry import graph
    from registry.checker import CheckInputError, index_of, resolve_citation
    from registry.diagnostics import diag

    compiled = _compiled_or_exit([args.rules] if args.rules else None)
    if isinstance(compiled, int):
        return compiled
    ix = index_of(compiled)
    if args.agreement and args.agreement not in ix.agreements:
        raise UsageError([diag("C404", f"ukendt aftale {args.agreement!r}",
                               help="aftaler: " + ", ".join(sorted(ix.agreements)))])
    try:
        cited = resolve_citation(ix, args.citation)
    except CheckInputError as e:
        raise UsageError(e.diagnostics) from None
    if cited.law is None:
        raise UsageError([diag("C402", f"loven {cited.law_text!r} findes ikke i registret")])
    g = graph.build(compiled.rules)
    reports = {c.canonical(): graph.impact(compiled.rules, g, c, args.agreement) for c in cited.citations}
    if args.format == "json":
        print(json.dumps(reports, ensure_ascii=False, indent=2))
        return EXIT_OK
    for target, rep in reports.items():
        print(f"Hvis {target} fraviges{' under ' + args.agreement if args.agreement else ''}:")
        if rep["fenceposts"]:
            print("  Hegnspæle, der brydes (de kræver den):")
            for b in rep["fenceposts"]:
                agreements = ", ".join(map(str, b["agreements"]))  # type: ignore[call-overload]
                print(f"    ✗ {b['fencepost']} ({agreements}): {' → '.join(map(str, b['path']))}")  # type: ignore[call-overload]
                print(f"      Kilde: {b['source']}")
        else:
            print("  Ingen hegnspæl kræver den.")
        if rep["hanging"]:
            print("  Bestemmelser, der henviser til den og hænger i luften:")
            for h in rep["hanging"]:
                print(f"    ⚠ {h['provision']} henviser til {h['refers_to']}")
        for r in rep["replaced_by"]:
            print(f"  I stedet gælder: {r['replaced_by']} (for {r['provision']})")
    return EXIT_OK


def cmd_graph(args: argparse.Namespace) -> int:
    from registry import graph
    from registry.diagnostics import diag

    compiled = _compiled_or_exit([args.rules] if args.rules else None)
    if isinstance(compiled, int):
        return compiled
    if args.area and args.area not in {a.id for a in compiled.rules.areas}:
        raise UsageError([diag("C404", f"ukendt område {args.area!r}",
                               help="områder: " + ", ".join(a.id for a in compiled.rules.areas))])
    g = graph.subgraph_for_area(compiled.rules, graph.build(compiled.rules), args.area)
    if args.format == "mermaid":
        print(graph.to_mermaid(g))
    elif args.format == "dot":
        print(graph.to_dot(g))
    else:
        print(graph.to_json(g))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("check", help="må kommunen fravige disse bestemmelser på denne dato?")
    s.add_argument("--municipality", "-m", required=True, metavar="KOMMUNE", help="navn eller kode (Viborg, 791)")
    s.add_argument("--date", "-d", metavar="ÅÅÅÅ-MM-DD", help="dato (standard: i dag)")
    s.add_argument("--deviates", action="append", metavar="HENVISNING",
                   help="en bestemmelse, praksis fraviger (kan gentages)")
    s.add_argument("--area", metavar="OMRÅDE", help="aeldre, dagtilbud, folkeskole, beskaeftigelse")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.add_argument("--lang", choices=("da", "en"), default="da")
    s.add_argument("--rules", metavar="MAPPE", help="regelmappe (standard: de medfølgende rules/)")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("test", help="kør eksemplerne i regelfilerne og vis hegnspæle-dækning")
    s.add_argument("paths", nargs="*", metavar="STI")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.add_argument("--require-coverage", action="store_true", help="fejl, hvis en hegnspæl ikke er dækket")
    s.set_defaults(func=cmd_test)

    s = sub.add_parser("impact", help="hvad brydes, hvis denne bestemmelse fraviges?")
    s.add_argument("citation", metavar="HENVISNING")
    s.add_argument("--agreement", metavar="AFTALE")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.add_argument("--rules", metavar="MAPPE")
    s.set_defaults(func=cmd_impact)

    s = sub.add_parser("graph", help="afhængighedsgrafen (til dokumentationen)")
    s.add_argument("--area", metavar="OMRÅDE")
    s.add_argument("--format", choices=("mermaid", "dot", "json"), default="mermaid")
    s.add_argument("--rules", metavar="MAPPE")
    s.set_defaults(func=cmd_graph)


EXTRA_COMMANDS.append(register)
