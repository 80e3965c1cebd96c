"""Golden files: parse trees, diagnostics and formatting, regenerated with --update-golden and
reviewed in the diff. Each case is a .rule file; the expected output sits next to it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from registry.diagnostics import render_all
from registry.dsl.grammar import parse_text
from registry.fmt import format_text
from registry.pipeline import compile_texts

GOLDEN = Path(__file__).parent / "golden"


def _cases(kind: str) -> list[Path]:
    return sorted((GOLDEN / kind).glob("*.rule"))


def _compare(path: Path, actual: str, update: bool) -> None:
    if update or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not update:
            pytest.fail(f"golden file {path.name} was missing and has been written; review and commit it")
    assert actual == path.read_text(encoding="utf-8"), f"differs from {path} (run pytest --update-golden to accept)"


def _tree(text: str, name: str) -> str:
    pf, diags = parse_text(text, name)

    def plain(o: object) -> object:
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            return {f.name: plain(getattr(o, f.name)) for f in dataclasses.fields(o) if f.name not in ("text", "lines")}
        if isinstance(o, list):
            return [plain(x) for x in o]
        return o

    return json.dumps({"decls": plain(pf.decls), "diagnostics": [d.code for d in diags]}, ensure_ascii=False,
                      indent=1) + "\n"


@pytest.mark.parametrize("case", _cases("parse"), ids=lambda p: p.stem)
def test_parse_tree(case: Path, update_golden: bool) -> None:
    _compare(case.with_suffix(".tree.json"), _tree(case.read_text(encoding="utf-8"), case.name), update_golden)


@pytest.mark.parametrize("case", _cases("errors"), ids=lambda p: p.stem)
def test_diagnostics(case: Path, update_golden: bool) -> None:
    compiled = compile_texts([(case.name, case.read_text(encoding="utf-8"))])
    assert not compiled.ok, "an error case must produce at least one error"
    _compare(case.with_suffix(".diagnostics.txt"), render_all(compiled.diagnostics) + "\n", update_golden)


@pytest.mark.parametrize("case", _cases("fmt"), ids=lambda p: p.stem)
def test_format(case: Path, update_golden: bool) -> None:
    out, diags = format_text(case.read_text(encoding="utf-8"), case.name)
    assert out is not None, render_all(diags)
    _compare(case.with_suffix(".formatted"), out, update_golden)
    again, _ = format_text(out, case.name)
    assert again == out, "formatting is not idempotent"
