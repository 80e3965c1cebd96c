"""The pipeline, in order, in one place: text → parse tree → model → validated model → graph.

    STAGES = parse, lower, validate, graph

Each stage adds diagnostics and the pipeline goes on as far as it can, so a user sees every
problem at once. The result is cached by the content of the files, and the warm path imports
neither pyparsing nor networkx (they are imported inside the cold path only).
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from registry.diagnostics import Diagnostic, has_errors
from registry.model import Citation, FenceRequirement, Period, RuleSet

CACHE_VERSION = "1"
STAGES = ("parse", "lower", "validate", "graph")
BUNDLED_RULES = Path(__file__).resolve().parent.parent / "rules"


@dataclass
class Compiled:
    """A validated rule set with what the checker needs precomputed."""

    rules: RuleSet
    fences: dict[str, list[FenceRequirement]]
    digest: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def _code_fingerprint() -> bytes:
    """A change to the model or any stage must never reuse a stale compiled cache."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in ("model.py", "lower.py", "validate.py", "graph.py", "pipeline.py", "dsl/grammar.py", "dsl/tree.py",
                 "diagnostics.py", "source.py"):
        try:
            h.update((here / name).read_bytes())
        except OSError:
            h.update(name.encode())
    return h.digest()


def default_rules_dir() -> Path:
    env = os.environ.get("REGISTRY_RULES")
    return Path(env) if env else BUNDLED_RULES


def cache_dir() -> Path:
    base = os.environ.get("REGISTRY_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "velfaerd-registry")
    return Path(base)


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def ruleset_digest(rs: RuleSet) -> str:
    """sha256 of the compiled rules, independent of file order and of where the files lie."""
    import json

    def strip(o: object) -> object:  # positions are where rules were written, not what they say
        if isinstance(o, dict):
            return {k: strip(v) for k, v in o.items() if k != "span"}
        if isinstance(o, list):
            return [strip(v) for v in o]
        return o

    parts = []
    for name in ("areas", "municipalities", "laws", "provisions", "agreements", "statuses", "decisions", "examples"):
        for item in getattr(rs, name):
            parts.append(name + ":" + json.dumps(strip(item.model_dump(mode="json")), sort_keys=True))
    h = hashlib.sha256()
    for p in sorted(parts):
        h.update(p.encode())
        h.update(b"\n")
    return h.hexdigest()


def compile_texts(texts: list[tuple[str, str]], pre: list[Diagnostic] | None = None) -> Compiled:
    """Run every stage over (shown path, text) pairs."""
    # Performance: the stages allocate hundreds of thousands of small objects that all stay alive,
    # so the cyclic garbage collector only re-scans them again and again (about half the time of
    # parse and lower on 10k provisions). Nothing here makes garbage cycles; it is on again after.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _compile_texts(texts, pre)
    finally:
        if was_enabled:
            gc.enable()


def _compile_texts(texts: list[tuple[str, str]], pre: list[Diagnostic] | None) -> Compiled:
    from registry import graph as graph_stage
    from registry.dsl.grammar import parse_text
    from registry.lower import lower
    from registry.validate import validate

    diags = list(pre or [])
    parsed = []
    for shown, text in texts:  # stage: parse
        pf, d = parse_text(text, shown)
        diags += d
        if not pf.decls and not d:
            from registry.diagnostics import diag

            diags.append(diag("P110", "filen indeholder ingen erklæringer", file=shown))
        parsed.append(pf)
    rs, refs, d = lower(parsed)  # stage: lower
    diags += d
    diags += validate(rs, refs)  # stage: validate
    g = graph_stage.build(rs)  # stage: graph
    fences = graph_stage.fence_requirements(rs, g)
    diags += graph_stage.check(rs, g, fences)
    unique = list({(d.code, d.file, d.line, d.col, d.message): d for d in diags}.values())
    return Compiled(rules=rs, fences=fences, digest=ruleset_digest(rs), diagnostics=unique)


def _same(value: object) -> object:
    return value


class _CachePickler(pickle.Pickler):
    """Performance: a status's target equals a provision's ref, and most periods are open, so the
    cache writes each distinct Citation and Period once and refers to it after that (a third
    fewer objects to rebuild on a warm load). They are frozen, so sharing them changes nothing;
    the key includes the fields that were set, so even `exclude_unset` dumps stay the same."""

    def __init__(self, fh: BinaryIO) -> None:
        super().__init__(fh, protocol=pickle.HIGHEST_PROTOCOL)
        self._seen: dict[tuple[object, frozenset[str]], object] = {}

    def reducer_override(self, obj: object) -> object:
        if type(obj) in (Citation, Period):
            canon = self._seen.setdefault((obj, frozenset(obj.model_fields_set)), obj)  # type: ignore[attr-defined]
            if canon is not obj:
                return _same, (canon,)
        return NotImplemented


def load(paths: list[str] | None = None, *, use_cache: bool = True) -> Compiled:
    """Load rule files or folders (default: the bundled rules/) through every stage."""
    from registry.source import discover, read_source

    files, pre = discover([str(p) for p in (paths or [str(default_rules_dir())])])
    texts: list[tuple[str, str]] = []
    key = hashlib.sha256(CACHE_VERSION.encode())
    for f in files:
        shown = _shown(f)
        text, d = read_source(f, shown)
        pre += d
        if text is not None:
            texts.append((shown, text))
            key.update(shown.encode() + b"\0" + hashlib.sha256(text.encode()).digest())
    key.update(_code_fingerprint())
    cache_file = cache_dir() / f"{key.hexdigest()}.pickle"
    if use_cache and not pre:
        try:
            with open(cache_file, "rb") as fh:
                was_enabled = gc.isenabled()
                gc.disable()  # performance: as in compile_texts, unpickling only makes live objects
                try:
                    cached = pickle.load(fh)
                finally:
                    if was_enabled:
                        gc.enable()
            if isinstance(cached, Compiled):
                return cached
        except Exception:  # noqa: BLE001 - any unreadable cache is simply rebuilt
            pass
    compiled = compile_texts(texts, pre)
    if use_cache and not pre:
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                _CachePickler(fh).dump(compiled)
            os.replace(tmp, cache_file)
        except OSError:
            pass  # a read-only cache folder only costs speed
    return compiled
