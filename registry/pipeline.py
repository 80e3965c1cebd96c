"""The pipeline, in order, in one place: text → parse tree → model → validated model → graph.

    STAGES = parse, lower, validate, graph

Each stage adds diagnostics and the pipeline goes on as far as it can, so a user sees every
problem at once. The result is cached by the content of the files, and the warm path imports
neither pyparsing nor networkx (they are imported inside the cold path only).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import io
import mmap
import os
import pickle
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from registry.diagnostics import Diagnostic, has_errors
from registry.model import (
    Agreement,
    Area,
    Citation,
    Decision,
    FenceRequirement,
    Law,
    Municipality,
    Period,
    Provision,
    RuleSet,
    Status,
)

CACHE_VERSION = "2"
STAGES = ("parse", "lower", "validate", "graph")
BUNDLED_RULES = Path(__file__).resolve().parent.parent / "rules"


@dataclass
class LawPart:
    """What the checker needs about one law: its provisions, the statuses on it, and the fence-post
    requirements that fall on it (with their order in the full list, which decides reason order)."""

    provisions: list[Provision] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    fence_reqs: list[tuple[int, str, FenceRequirement]] = field(default_factory=list)


@dataclass
class Header:
    """The small, always-needed part of a compiled rule set."""

    areas: tuple[Area, ...]
    municipalities: tuple[Municipality, ...]
    laws: tuple[Law, ...]
    agreements: tuple[Agreement, ...]
    digest: str
    diagnostics: list[Diagnostic]


class Compiled:
    """A validated rule set with what the checker needs precomputed.

    Performance: loaded from the cache, only the header is decoded; the full model (`rules`,
    `fences`), each law's part and each municipality's decisions are decoded when first asked
    for, so a check reads only the laws it cites (a warm `registry check` on 100,000 provisions
    decodes a few hundred of them, not all).
    """

    def __init__(self, rules: RuleSet | None, fences: dict[str, list[FenceRequirement]] | None, digest: str,
                 diagnostics: list[Diagnostic] | None = None, *, store: _Store | None = None) -> None:
        self._rules, self._fences, self.digest = rules, fences, digest
        self.diagnostics = list(diagnostics or [])
        self._store = store
        self._header: Header | None = store.header if store is not None else None
        self._groups: tuple[dict[str, LawPart], dict[int, list[Decision]]] | None = None  # in memory: on first use

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    @property
    def rules(self) -> RuleSet:
        if self._rules is None:
            assert self._store is not None
            self._rules = self._store.load("rules")
        return self._rules

    @property
    def fences(self) -> dict[str, list[FenceRequirement]]:
        if self._fences is None:
            assert self._store is not None
            self._fences = self._store.load("fences")
        return self._fences

    @property
    def header(self) -> Header:
        if self._header is None:
            rs = self.rules
            self._header = Header(rs.areas, rs.municipalities, rs.laws, rs.agreements, self.digest, self.diagnostics)
        return self._header

    def law_part(self, law: str) -> LawPart:
        """The provisions, statuses and fence requirements of one law (empty for an unknown law)."""
        if self._store is not None and self._rules is None:
            return self._store.load_opt(("law", law)) or LawPart()
        return self._grouped()[0].get(law) or LawPart()

    def municipality_decisions(self, code: int) -> list[Decision]:
        if self._store is not None and self._rules is None:
            return self._store.load_opt(("decisions", code)) or []
        return self._grouped()[1].get(code, [])

    def _grouped(self) -> tuple[dict[str, LawPart], dict[int, list[Decision]]]:
        if self._groups is None:
            self._groups = partition(self.rules, self.fences)
        return self._groups


def partition(rs: RuleSet, fences: dict[str, list[FenceRequirement]]) -> tuple[
        dict[str, LawPart], dict[int, list[Decision]]]:
    """Group the rule set by law (and decisions by municipality), keeping every list in load order."""
    parts: dict[str, LawPart] = {}
    for p in rs.provisions:
        parts.setdefault(p.ref.law or "", LawPart()).provisions.append(p)
    for s in rs.statuses:
        parts.setdefault(s.target.law or "", LawPart()).statuses.append(s)
    n = 0
    for key, reqs in fences.items():
        for req in reqs:
            parts.setdefault(req.required.law or "", LawPart()).fence_reqs.append((n, key, req))
            n += 1
    decisions: dict[int, list[Decision]] = {}
    for d in rs.decisions:
        decisions.setdefault(d.municipality, []).append(d)
    return parts, decisions


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> bytes:
    """A change to the model or any stage must never reuse a stale compiled cache (read once a process:
    the running code does not change under it)."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in ("model.py", "citations.py", "lower.py", "validate.py", "graph.py", "pipeline.py", "dsl/grammar.py", "dsl/tree.py",
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
    """sha256 of the compiled rules, independent of file order and of where the files lie.

    Positions are left out (they say where rules were written, not what they say). Performance:
    pydantic's own JSON serializer, one call per item, is about 3× faster than dumping to Python
    and encoding with json; a model's fields always come in the same order, so the text is stable.
    """
    parts = []
    for name in ("areas", "municipalities", "laws", "provisions", "agreements", "statuses", "decisions", "examples"):
        exclude = _NO_SPAN_DECISION if name == "decisions" else _NO_SPAN
        prefix = name.encode() + b":"
        for item in getattr(rs, name):
            parts.append(prefix + item.model_dump_json(exclude=exclude).encode())
    parts.sort()
    return hashlib.sha256(b"\n".join(parts) + b"\n").hexdigest()


_NO_SPAN: dict[str, object] = {"span": True}
_NO_SPAN_DECISION: dict[str, object] = {"span": True, "items": {"__all__": {"span"}}}


def compile_texts(texts: list[tuple[str, str]], pre: list[Diagnostic] | None = None, *,
                  through: str = STAGES[-1]) -> Compiled:
    """Run the stages, in order, through `through` (default: all) over (shown path, text) pairs.

    Stopping after `validate` gives the validated model without the graph stage's fence-post
    requirements and checks, and without a digest (it is not a rule set the checker can serve).
    """
    if through not in STAGES[2:]:
        raise ValueError(f"through must be one of {STAGES[2:]}")
    # Performance: the stages allocate hundreds of thousands of small objects that all stay alive,
    # so the cyclic garbage collector only re-scans them again and again (about half the time of
    # parse and lower on 10k provisions). Nothing here makes garbage cycles; it is on again after.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _compile_texts(texts, pre, through)
    finally:
        if was_enabled:
            gc.enable()


def _compile_texts(texts: list[tuple[str, str]], pre: list[Diagnostic] | None, through: str) -> Compiled:
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
    if through == "validate":
        return Compiled(rules=rs, fences={}, digest="", diagnostics=_unique(diags))
    g = graph_stage.build(rs)  # stage: graph
    fences = graph_stage.fence_requirements(rs, g)
    diags += graph_stage.check(rs, g, fences)
    return Compiled(rules=rs, fences=fences, digest=ruleset_digest(rs), diagnostics=_unique(diags))


def _unique(diags: list[Diagnostic]) -> list[Diagnostic]:
    return list({(d.code, d.file, d.line, d.col, d.message): d for d in diags}.values())


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


def _dumps(obj: object) -> bytes:
    buf = io.BytesIO()
    _CachePickler(buf).dump(obj)
    return buf.getvalue()


_MAGIC = b"velfaerd-registry compiled rules\n"


class _Store:
    """A compiled cache file: a header, then separately decodable blobs (the full model, the fence
    requirements, one per law, one per municipality's decisions), each found by its offset."""

    @classmethod
    def open(cls, path: Path) -> _Store:
        # Performance: mapped, not read, so a load touches only the header's pages and a check only
        # its parts' pages. The mapping outlives the file's name: a cache file replaced meanwhile
        # (os.replace) leaves this one's contents as they were.
        with open(path, "rb") as fh:
            return cls(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))

    def __init__(self, data: bytes | mmap.mmap) -> None:
        if not data[:len(_MAGIC)] == _MAGIC:
            raise ValueError("not a compiled-rules file")
        size = int.from_bytes(data[len(_MAGIC):len(_MAGIC) + 8], "big")
        base = len(_MAGIC) + 8
        self.header, self._index = _quiet_loads(memoryview(data)[base:base + size])
        if not isinstance(self.header, Header):
            raise ValueError("not a compiled-rules file")
        self._data, self._base = data, base + size
        end = max((start + length for start, length in self._index.values()), default=0)
        if len(data) != self._base + end:  # cut short (a full disk): rebuild now rather than fail in a check
            raise ValueError("compiled-rules file is incomplete")
        self._decoded: dict[object, object] = {}
        self._lock = threading.Lock()

    def load_opt(self, key: object) -> Any:
        if key in self._decoded:
            return self._decoded[key]
        where = self._index.get(key)
        if where is None:
            return None
        with self._lock:  # one decoding per blob, so every caller sees the same objects
            if key not in self._decoded:
                start, size = where
                self._decoded[key] = _quiet_loads(memoryview(self._data)[self._base + start:self._base + start + size])
        return self._decoded[key]

    def load(self, key: object) -> Any:
        value = self.load_opt(key)
        if value is None:
            raise KeyError(key)
        return value

    @staticmethod
    def write(compiled: Compiled) -> bytes:
        parts, decisions = partition(compiled.rules, compiled.fences)
        blobs: list[tuple[object, bytes]] = [("rules", _dumps(compiled.rules)), ("fences", _dumps(compiled.fences))]
        blobs += [(("law", law), _dumps(part)) for law, part in parts.items()]
        blobs += [(("decisions", code), _dumps(ds)) for code, ds in decisions.items()]
        index: dict[object, tuple[int, int]] = {}
        offset = 0
        for key, blob in blobs:
            index[key] = (offset, len(blob))
            offset += len(blob)
        head = _dumps((compiled.header, index))
        return b"".join([_MAGIC, len(head).to_bytes(8, "big"), head, *(b for _, b in blobs)])


def _quiet_loads(data: memoryview) -> Any:
    was_enabled = gc.isenabled()
    gc.disable()  # performance: as in compile_texts, unpickling only makes live objects
    try:
        return pickle.loads(data)
    finally:
        if was_enabled:
            gc.enable()


def load(paths: list[str] | None = None, *, use_cache: bool = True, through: str = STAGES[-1]) -> Compiled:
    """Load rule files or folders (default: the bundled rules/) through every stage (or through
    `through`; only a full run is cached)."""
    from registry.source import discover, read_source

    files, pre = discover([str(p) for p in (paths or [str(default_rules_dir())])])
    texts: list[tuple[str, str]] = []
    use_cache = use_cache and through == STAGES[-1]
    key = hashlib.sha256(CACHE_VERSION.encode())
    for f in files:
        shown = _shown(f)
        text, d = read_source(f, shown)
        pre += d
        if text is not None:
            texts.append((shown, text))
            if use_cache:  # the cache key: no need to hash megabytes of rules for an uncached run
                key.update(shown.encode() + b"\0" + hashlib.sha256(text.encode()).digest())
    if use_cache:
        key.update(_code_fingerprint())
    cache_file = cache_dir() / f"{key.hexdigest()}.compiled"
    if use_cache and not pre:
        try:
            store = _Store.open(cache_file)
            return Compiled(None, None, store.header.digest, store.header.diagnostics, store=store)
        except Exception:  # noqa: BLE001 - any unreadable cache is simply rebuilt
            pass
    compiled = compile_texts(texts, pre, through=through)
    if use_cache and not pre:
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(_Store.write(compiled))
            os.replace(tmp, cache_file)
        except OSError:
            pass  # a read-only cache folder only costs speed
    return compiled
