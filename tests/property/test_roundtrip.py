"""fmt then parse gives the same model, and fmt is idempotent (hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from registry.fmt import format_text
from registry.pipeline import compile_texts

SECTIONS = st.builds(lambda n, letter: f"{n}{letter}", st.integers(1, 300), st.sampled_from(["", "", " a", "b"]))
SPACE = st.sampled_from([" ", "  ", "   "])
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def citation(draw: st.DrawFn) -> str:
    sec = draw(SECTIONS)
    sp = draw(SPACE)
    out = f"SEL{sp}§{draw(st.sampled_from(['', ' ']))}{sec}"
    if draw(st.booleans()):
        out += f"{draw(st.sampled_from([', ', ' ']))}stk.{draw(st.sampled_from(['', ' ']))}{draw(st.integers(1, 9))}"
        if draw(st.booleans()):
            out += f", nr. {draw(st.integers(1, 9))}"
    return out


@st.composite
def rule_file(draw: st.DrawFn) -> str:
    parts = ['law SEL "Lov om social service"\n  alias "serviceloven"\n  source "https://x.dk"']
    seen = set()
    for _ in range(draw(st.integers(0, 6))):
        c = draw(citation())
        if c.replace(" ", "") in seen:
            continue
        seen.add(c.replace(" ", ""))
        body = f"provision {c} {_q(draw(TEXT))}\n{draw(SPACE)}source {_q(draw(TEXT))}"
        if draw(st.booleans()):
            body += f"\n  topics {', '.join(_q(t) for t in draw(st.lists(TEXT, min_size=1, max_size=3)))}"
        if draw(st.booleans()):
            body += f"  # {draw(st.text(alphabet='abc æø#§', max_size=10))}"
        if draw(st.booleans()):
            body += f"\n  refers-to {draw(citation())}; {draw(citation())}"
        parts.append(body)
    return ("\n" * draw(st.integers(1, 3))).join(parts) + "\n"


def _model(text: str) -> str:
    compiled = compile_texts([("f.rule", text)])
    rs = compiled.rules
    return "\n".join(sorted(p.model_dump_json(exclude={"span"}) for p in rs.provisions)) + rs.laws[0].model_dump_json(
        exclude={"span"})


@given(rule_file())
def test_fmt_round_trip_keeps_the_model(text: str) -> None:
    out, diags = format_text(text)
    assert out is not None, [d.message for d in diags]
    assert _model(out) == _model(text)


@given(rule_file())
def test_fmt_is_idempotent(text: str) -> None:
    once, _ = format_text(text)
    assert once is not None
    twice, _ = format_text(once)
    assert twice == once
