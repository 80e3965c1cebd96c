"""The canonical layout of rule files: one way to write each thing, comments kept.

Formatting works on the parse tree, not the model, so nothing the author wrote is lost: every
value is printed in its canonical form and the words between values keep their order.
"""

from __future__ import annotations

import re

from registry.diagnostics import Diagnostic, has_errors
from registry.dsl.grammar import BLANK, parse_text
from registry.dsl.tree import Clause, Decl, ParsedFile, Value

INDENT = "  "


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_value(v: Value) -> str:
    k = v.kind
    if k == "str":
        return quote(v.value)
    if k == "strs":
        return ", ".join(quote(s) for s in v.value)
    if k == "code":
        return str(int(v.value))
    if k == "codes":
        return ", ".join(str(int(c)) for c in v.value)
    if k == "ids":
        return ", ".join(x.value for x in v.value)
    if k == "cit":
        return v.value.render()
    if k == "cits":
        return "; ".join(x.value.render() for x in v.value)
    if k == "numyear":
        n, y = v.value.split("/")
        return f"{int(n)}/{y}"
    return str(v.value)


def _line(text: str, start: int, args: list[Value]) -> str:
    """Rebuild `text` from column `start`: canonical values, single spaces between words."""
    out: list[str] = []
    pos = start
    for v in args:
        gap = text[pos : v.col - 1].split()
        out.extend(gap)
        out.append(render_value(v))
        pos = v.end_col - 1
    code = text[pos:]
    out.extend(code.split())
    return " ".join(out)


def _comment(c: str | None) -> str:
    return f"  # {c}" if c else ""


def _code_part(text: str) -> str:
    from registry.dsl.grammar import split_comment

    return split_comment(text)[0]


def _comment_line(c: str, indent: str = "") -> str:
    return "" if c == BLANK else f"{indent}# {c}".rstrip()


def render_decl(d: Decl) -> list[str]:
    lines = [_comment_line(c) for c in d.comments_before]
    head_code = _code_part(d.text)
    lines.append((d.keyword + " " + _line(head_code, len(d.keyword), d.args)).rstrip() + _comment(d.comment))
    for c in d.clauses:
        lines.extend(f"{INDENT}# {x}".rstrip() for x in c.comments_before)
        lines.append(render_clause(c))
    return lines


def render_clause(c: Clause) -> str:
    code = _code_part(c.text)
    start = c.col - 1 + len(c.keyword)
    body = _line(code, start, c.args)
    return (f"{INDENT}{c.keyword} {body}".rstrip()) + _comment(c.comment)


def render(pf: ParsedFile) -> str:
    blocks = ["\n".join(render_decl(d)) for d in pf.decls]
    if pf.trailing_comments:
        blocks.append("\n".join(_comment_line(c) for c in pf.trailing_comments))
    text = "\n\n".join(blocks)
    return re.sub(r"[ \t]+\n", "\n", text) + "\n" if text else ""


def format_text(text: str, path: str = "<tekst>") -> tuple[str | None, list[Diagnostic]]:
    """The canonical text, or None with the syntax errors that stop formatting."""
    pf, diags = parse_text(text, path)
    if has_errors(diags):
        return None, diags
    return render(pf), diags
