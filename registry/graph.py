"""The provision dependency graph. The only module that imports networkx.

Nodes are provisions in canonical form; edges carry a `kind`: refers_to (jf.), requires,
replaced_by, authorised_by, succeeded_by, alternative. A reference to a § also reaches its
stk./nr. and the other way round, so paths are followed through overlapping provisions.
"""

from __future__ import annotations

import json
from collections import deque

import networkx as nx

from registry.diagnostics import Diagnostic, diag
from registry.model import Citation, FenceRequirement, RuleSet, Status, StatusKind, overlaps


def build(rs: RuleSet) -> nx.MultiDiGraph:
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    for p in rs.provisions:
        g.add_node(p.id, citation=p.ref, heading=p.heading, declared=True)
    for p in rs.provisions:
        edges: list[tuple[str, Citation]] = [
            *(("refers_to", c) for c in p.refers_to),
            *(("requires", c) for c in p.requires),
            *(("replaced_by", c) for c in p.replaced_by),
            *(("authorised_by", c) for c in p.authorised_by),
            *(("succeeded_by", s.target) for s in p.succeeded_by),
            *(("alternative", a.target) for a in p.alternatives),
        ]
        pid = p.id
        for kind, target in edges:
            name = target.canonical()
            if name not in g:
                g.add_node(name, citation=target, heading="", declared=False)
            g.add_edge(pid, name, kind=kind)
    return g


def _requires_graph(g: nx.MultiDiGraph) -> nx.DiGraph:
    # fence_requirements and check both need it; keyed by the graph's identity, because a copy
    # (subgraph_for_area) carries the same graph attributes
    owner, r = g.graph.get("requires_graph", (None, None))
    if owner != id(g) or r is None:
        r = nx.DiGraph()
        r.add_nodes_from(g.nodes(data=True))
        r.add_edges_from((u, v) for u, v, k in g.edges(data="kind") if k == "requires")
        g.graph["requires_graph"] = (id(g), r)
    return r


class _Origins:
    """The nodes with `requires` edges, in graph order, looked up by law and § (performance: a scan
    of all of them for every step made fence_requirements quadratic in the number of provisions)."""

    def __init__(self, r: nx.DiGraph) -> None:
        self.items: list[tuple[str, Citation]] = [(n, r.nodes[n]["citation"]) for n in r.nodes if r.out_degree(n)]
        self.by_section: dict[tuple[str, str | None], list[int]] = {}
        self.by_law: dict[str, list[int]] = {}
        for i, (_, c) in enumerate(self.items):
            self.by_section.setdefault((c.law or "", c.section), []).append(i)
            self.by_law.setdefault(c.law or "", []).append(i)

    def overlapping(self, target: Citation) -> list[tuple[str, Citation]]:
        """The origins that overlap `target`, in graph order (only its § or its whole law can)."""
        law = target.law or ""
        if target.section is None:
            ids = self.by_law.get(law, [])
        else:
            ids = sorted(self.by_section.get((law, target.section), []) + self.by_section.get((law, None), []))
        return [self.items[i] for i in ids if overlaps(self.items[i][1], target)]


def requires_paths(g: nx.MultiDiGraph, start: Citation, r: nx.DiGraph | None = None,
                   origins: _Origins | None = None) -> dict[str, list[str]]:
    """Every provision that `start` requires, directly or through others, with the path to it.

    A requirement declared on a § also binds its stk., and one declared on a stk. binds the §,
    so the search steps through overlapping nodes as well as along `requires` edges.
    """
    r = r if r is not None else _requires_graph(g)
    origins = origins if origins is not None else _Origins(r)
    paths: dict[str, list[str]] = {}
    first = [n for n, _ in origins.overlapping(start)]
    queue: deque[tuple[str, list[str]]] = deque(
        (s, [start.canonical()] + ([s] if s != start.canonical() else [])) for s in first)
    seen = set(first)
    while queue:
        node, path = queue.popleft()
        for nxt in r.successors(node):
            if nxt in paths:
                continue
            npath = path + [nxt]
            paths[nxt] = npath
            target = r.nodes[nxt]["citation"]
            for m, _ in origins.overlapping(target):  # continue through anything that overlaps the required provision
                if m not in seen:
                    seen.add(m)
                    queue.append((m, npath + ([m] if m != nxt else [])))
    return paths


def fence_requirements(rs: RuleSet, g: nx.MultiDiGraph) -> dict[str, list[FenceRequirement]]:
    """For each fence-post target (canonical form), what it requires transitively."""
    out: dict[str, list[FenceRequirement]] = {}
    cits = {n: d["citation"] for n, d in g.nodes(data=True)}
    r = _requires_graph(g)
    origins = _Origins(r)
    for s in rs.statuses:
        if not s.is_fencepost:
            continue
        key = s.target.canonical()
        if key in out:
            continue
        out[key] = [FenceRequirement(required=cits[n], path=tuple(p))
                    for n, p in sorted(requires_paths(g, s.target, r, origins).items())]
    return out


def check(rs: RuleSet, g: nx.MultiDiGraph, fences: dict[str, list[FenceRequirement]]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    r = _requires_graph(g)
    spans = {p.id: p.span for p in rs.provisions}
    for cycle in sorted(nx.simple_cycles(r), key=lambda c: sorted(c)):
        first = min(cycle)
        i = cycle.index(first)
        ordered = cycle[i:] + cycle[:i] + [first]
        sp = spans.get(first)
        out.append(diag("G300", "bestemmelser kræver hinanden i ring: " + " → ".join(ordered),
                        file=sp.file if sp else "", line=sp.line if sp else 0, col=1 if sp else 0,
                        help="en `requires`-kæde må ikke gå i ring; fjern den kant, der ikke står i loven"))
    out += _status_conflicts(rs.statuses, fences)
    declared = {p.id for p in rs.provisions}
    sections = {(p.ref.law, p.ref.section) for p in rs.provisions}
    laws_with_provisions = {p.ref.law for p in rs.provisions}
    for u, v, kind in g.edges(data="kind"):
        if v not in declared and kind in ("requires", "replaced_by"):
            sp = spans[u]
            cit: Citation = g.nodes[v]["citation"]
            # declared at another level (the § of an undeclared stk.) is not dangling
            if (cit.law not in laws_with_provisions if cit.section is None
                    else (cit.law, cit.section) not in sections):
                out.append(diag("G303", f"{u} henviser ({kind}) til {v}, som ikke er erklæret",
                                file=sp.file, line=sp.line, col=1))
    return out


def _status_conflicts(statuses: tuple[Status, ...], fences: dict[str, list[FenceRequirement]]) -> list[Diagnostic]:
    """G301 (a fence post and exemptable at once) and G302 (exemptable but required by a fence post).

    Statuses are grouped by target and by (law, §), so this stays linear in the rule set.
    """
    out: list[Diagnostic] = []
    by_target: dict[Citation, list[Status]] = {}
    for st in statuses:
        by_target.setdefault(st.target, []).append(st)
    for group in by_target.values():
        if len(group) < 2:
            continue
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                pair = {a.kind, b.kind}
                if not (pair & {StatusKind.FENCEPOST, StatusKind.LOCAL_FENCEPOST} and StatusKind.EXEMPTABLE in pair):
                    continue
                if not set(a.agreements) & set(b.agreements) or not a.period.overlaps(b.period):
                    continue
                if a.condition or b.condition:
                    continue  # a conditional exception deliberately overrides the fence post
                if a.municipalities and b.municipalities and not set(a.municipalities) & set(b.municipalities):
                    continue
                later = b if (b.span.file, b.span.line) > (a.span.file, a.span.line) else a
                other = a if later is b else b
                out.append(diag("G301", f"{a.target} er både hegnspæl og kan fraviges under "
                                        f"{', '.join(sorted(set(a.agreements) & set(b.agreements)))}",
                                file=later.span.file, line=later.span.line, col=1,
                                help=f"den anden status står i {other.span.file}:{other.span.line}"))
    # what each fence post requires, indexed by the law and § required
    required: dict[tuple[str | None, str | None], list[tuple[Status, FenceRequirement]]] = {}
    by_law: dict[str | None, list[tuple[Status, FenceRequirement]]] = {}
    for f in statuses:
        if not f.is_fencepost:
            continue
        for req in fences.get(f.target.canonical(), []):
            required.setdefault((req.required.law, req.required.section), []).append((f, req))
            by_law.setdefault(req.required.law, []).append((f, req))
    for st in statuses:
        if st.kind is not StatusKind.EXEMPTABLE:
            continue
        t = st.target
        candidates = by_law.get(t.law, []) if t.section is None else \
            required.get((t.law, t.section), []) + required.get((t.law, None), [])
        reported: set[int] = set()  # one warning per fence post, naming its first path
        for f, req in candidates:
            if id(f) in reported:
                continue
            if set(f.agreements) & set(st.agreements) and f.period.overlaps(st.period) and overlaps(req.required, t):
                reported.add(id(f))
                out.append(diag("G302", f"{t} kan fraviges, men hegnspælen {f.target} kræver den: "
                                        + " → ".join(req.path),
                                file=st.span.file, line=st.span.line, col=1,
                                help="en beslutning om at fravige den vil altid stride mod hegnspælen"))
    return out


def impact(rs: RuleSet, g: nx.MultiDiGraph, target: Citation, agreement: str | None = None) -> dict[str, list[dict[str, object]]]:
    """If `target` were disapplied: the fence posts that need it, and what refers to it."""
    breaks = []
    for s in rs.statuses:
        if not s.is_fencepost or (agreement and agreement not in s.agreements):
            continue
        if overlaps(s.target, target):
            breaks.append({"fencepost": s.target.canonical(), "path": [s.target.canonical()], "source": s.source,
                           "agreements": list(s.agreements)})
            continue
        for node, path in requires_paths(g, s.target).items():
            if overlaps(g.nodes[node]["citation"], target):
                breaks.append({"fencepost": s.target.canonical(), "path": path, "source": s.source,
                               "agreements": list(s.agreements)})
                break
    hanging = []
    replaced = []
    for u, v, kind in g.edges(data="kind"):
        vc: Citation = g.nodes[v]["citation"]
        uc: Citation = g.nodes[u]["citation"]
        if kind == "refers_to" and overlaps(vc, target) and not overlaps(uc, target):
            hanging.append({"provision": u, "refers_to": v})
        if kind == "replaced_by" and overlaps(uc, target):
            replaced.append({"provision": u, "replaced_by": v})
    def order(d: dict[str, object]) -> tuple[object, ...]:
        return g.nodes[str(d["provision"])]["citation"].key_sort

    return {"fenceposts": breaks, "hanging": sorted(hanging, key=order), "replaced_by": replaced}


def subgraph_for_area(rs: RuleSet, g: nx.MultiDiGraph, area: str | None) -> nx.MultiDiGraph:
    if area is None:
        return g
    agreements = {a.id for a in rs.agreements if a.area == area}
    keep = set()
    for s in rs.statuses:
        if set(s.agreements) & agreements:
            keep |= {n for n, d in g.nodes(data=True) if overlaps(d["citation"], s.target)}
    keep |= {v for u in list(keep) for v in g.successors(u)}
    return g.subgraph(keep).copy()


def _mermaid_id(n: str) -> str:
    return "n" + "".join(ch if ch.isalnum() else "_" for ch in n)


def to_mermaid(g: nx.MultiDiGraph, kinds: dict[str, str] | None = None) -> str:
    labels = {"refers_to": "jf.", "requires": "kræver", "replaced_by": "erstattes af", "authorised_by": "hjemmel",
              "succeeded_by": "videreført i", "alternative": "alternativ"}
    lines = ["graph LR"]
    for n in sorted(g.nodes):
        text = n.replace('"', "'")
        cls = (kinds or {}).get(n)
        lines.append(f'  {_mermaid_id(n)}["{text}"]' + (f":::{cls}" if cls else ""))
    for u, v, kind in sorted(g.edges(data="kind")):
        arrow = "==>" if kind == "requires" else "-->"
        lines.append(f"  {_mermaid_id(u)} {arrow}|{labels.get(kind, kind)}| {_mermaid_id(v)}")
    if kinds:
        lines.append("  classDef fencepost fill:#fdd,stroke:#a00")
        lines.append("  classDef exemptable fill:#dfd,stroke:#070")
    return "\n".join(lines)


def to_dot(g: nx.MultiDiGraph) -> str:
    lines = ["digraph registry {", "  rankdir=LR;"]
    for n in sorted(g.nodes):
        lines.append(f'  "{n}";')
    for u, v, kind in sorted(g.edges(data="kind")):
        lines.append(f'  "{u}" -> "{v}" [label="{kind}"];')
    lines.append("}")
    return "\n".join(lines)


def to_json(g: nx.MultiDiGraph) -> str:
    data = {
        "nodes": [{"id": n, "heading": d.get("heading", ""), "declared": d.get("declared", False)}
                  for n, d in sorted(g.nodes(data=True))],
        "edges": [{"from": u, "to": v, "kind": k} for u, v, k in sorted(g.edges(data="kind"))],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
