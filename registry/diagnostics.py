"""Diagnostics as data: every problem the registry reports has a stable code, a place and help.

Codes carry one prefix per pipeline stage (P parse, R model/validate, G graph, C check input,
T scenario tests), as OPA and Cedar do, so a code never changes meaning.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import Enum

from pydantic import BaseModel, ConfigDict


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


# code -> (severity, short name). docs/reference/diagnostics.md is generated from this table.
CODES: dict[str, tuple[Severity, str, str]] = {
    "P100": (Severity.ERROR, "unreadable-file", "The file cannot be read as UTF-8 text."),
    "P101": (Severity.ERROR, "syntax", "The line does not follow the grammar of its clause."),
    "P102": (Severity.ERROR, "unknown-declaration", "A line at column 1 must start a declaration."),
    "P103": (Severity.ERROR, "unknown-clause", "The clause is not one this declaration takes."),
    "P104": (Severity.ERROR, "orphan-clause", "An indented line before any declaration."),
    "P105": (Severity.ERROR, "bad-citation", "A citation that cannot be read."),
    "P106": (Severity.ERROR, "bad-date", "A date that does not exist or is not YYYY-MM-DD."),
    "P107": (Severity.ERROR, "unterminated-string", "A text value without its closing quote."),
    "P108": (Severity.ERROR, "line-too-long", "A line longer than the registry reads."),
    "P109": (Severity.ERROR, "bad-indent", "Clauses are indented with spaces, not tabs."),
    "P110": (Severity.WARNING, "empty-file", "The file holds no declarations."),
    "R200": (Severity.ERROR, "duplicate", "The same thing is declared twice."),
    "R201": (Severity.ERROR, "unknown-law", "A citation names a law that is not declared."),
    "R202": (Severity.ERROR, "unknown-provision", "A § that is not declared in a law whose sections are complete."),
    "R203": (Severity.ERROR, "unknown-municipality", "A municipality code that is not declared."),
    "R204": (Severity.ERROR, "unknown-agreement", "An agreement id that is not declared."),
    "R205": (Severity.ERROR, "unknown-area", "An area id that is not declared."),
    "R206": (Severity.ERROR, "date-order", "Dates in the wrong order."),
    "R207": (Severity.ERROR, "missing-clause", "A clause the declaration requires is missing."),
    "R208": (Severity.ERROR, "repeated-clause", "A clause that may be given once is given twice."),
    "R209": (Severity.ERROR, "not-in-agreement", "A municipality that is not part of the agreement."),
    "R210": (Severity.ERROR, "outside-period", "A date outside the agreement's period."),
    "R211": (Severity.ERROR, "not-exemptable", "A decision disapplies a provision the agreement does not let it disapply."),
    "R212": (Severity.ERROR, "local-without-for", "A local fence post must name its municipality with `for`."),
    "R213": (Severity.ERROR, "bad-value", "A value of the wrong form."),
    "R214": (Severity.ERROR, "too-early", "A decision cannot take effect before the day after publication."),
    "R215": (Severity.WARNING, "undeclared-section", "A § that is not declared as a provision."),
    "R216": (Severity.WARNING, "version-source", "A law version's source is not Retsinformation's ELI address of that act."),
    "G300": (Severity.ERROR, "requires-cycle", "Provisions that require each other in a circle."),
    "G301": (Severity.ERROR, "protected-and-exemptable", "A provision both a fence post and exemptable under one agreement at the same time."),
    "G302": (Severity.WARNING, "exemptable-but-required", "An exemptable provision that a fence post requires."),
    "G303": (Severity.WARNING, "dangling-reference", "A reference to a provision that is not declared."),
    "C400": (Severity.ERROR, "unknown-municipality-input", "The municipality asked about is not known."),
    "C401": (Severity.ERROR, "unknown-section-input", "The § asked about does not exist in that law."),
    "C402": (Severity.ERROR, "bad-citation-input", "The citation asked about cannot be read."),
    "C403": (Severity.ERROR, "bad-date-input", "The date asked about is not a date."),
    "C404": (Severity.ERROR, "unknown-area-input", "The area asked about is not known."),
    "C405": (Severity.ERROR, "bad-path", "A path given on the command line cannot be used."),
    # application rounds (registry/rounds.py)
    "A600": (Severity.ERROR, "unknown-municipality", "A municipality code that is not declared."),
    "A601": (Severity.ERROR, "unknown-area", "An area id that is not declared."),
    "A602": (Severity.ERROR, "area-not-open", "An area that is not open in the round (or, for a fallback, a later round)."),
    "A603": (Severity.ERROR, "fallback-is-first", "The fallback equals the first wish."),
    "A604": (Severity.ERROR, "duplicate-application", "A second application from the same municipality in one round."),
    "A605": (Severity.ERROR, "late-application", "An application submitted after the round's deadline."),
    "A606": (Severity.ERROR, "unknown-round", "An application under a round that is not declared."),
    "A607": (Severity.ERROR, "missing-clause", "A clause the declaration requires is missing."),
    "A608": (Severity.ERROR, "repeated-clause", "A clause that may be given once is given twice."),
    "A609": (Severity.ERROR, "duplicate", "A round, region or round order declared twice."),
    "A610": (Severity.ERROR, "unknown-ranking", "A ranking key the allocation does not know."),
    "A611": (Severity.ERROR, "not-an-applicant", "`chosen`/`result` names a municipality that did not apply for that area."),
    "A612": (Severity.ERROR, "over-capacity", "`chosen`/`result` names more municipalities than the area has places."),
    "A613": (Severity.WARNING, "no-region", "The round ranks by region, but an applicant has no region."),
    "A614": (Severity.ERROR, "bad-value", "A value out of range (0 places, a period that ends before it starts)."),
    "A615": (Severity.ERROR, "region-overlap", "A municipality in two regions."),
    "A616": (Severity.WARNING, "no-draft-data", "Draft agreements need the round's `period` and a `basis` for the area."),
    "A617": (Severity.ERROR, "no-round-files", "The folder holds no *.round files."),
    # the web service (registry/web) and the audit log (registry/audit.py)
    "C406": (Severity.ERROR, "bad-request-field", "A field of a web request is missing or of the wrong form."),
    "W400": (Severity.ERROR, "bad-request", "The request cannot be used."),
    "W401": (Severity.ERROR, "unauthenticated", "The request needs a login or a valid token."),
    "W403": (Severity.ERROR, "forbidden", "The user's role may not do this."),
    "W404": (Severity.ERROR, "not-found", "No such page or audit entry."),
    "W405": (Severity.ERROR, "method-not-allowed", "The page does not take that HTTP method."),
    "W413": (Severity.ERROR, "too-large", "The request body is larger than the service accepts."),
    "W500": (Severity.ERROR, "internal", "A bug in the service; the request was not answered."),
    "W503": (Severity.ERROR, "audit-write-failed", "The check could not be logged, so no answer was given."),
    "W600": (Severity.ERROR, "web-extra-missing", "The web service needs the `web` extra installed."),
    "W601": (Severity.ERROR, "bad-tokens-file", "The tokens file cannot be used."),
    "W602": (Severity.ERROR, "bad-header-name", "The user header name is not a valid HTTP header name."),
    "L600": (Severity.ERROR, "audit-unavailable", "The audit database cannot be opened."),
    "L601": (Severity.ERROR, "audit-missing", "The audit database file does not exist."),
    "L602": (Severity.ERROR, "bad-audit-id", "Not an audit id."),
    "L603": (Severity.ERROR, "unknown-audit-id", "No check with that id in the audit log."),
    "L604": (Severity.ERROR, "replay-impossible", "The logged check cannot be asked again with today's rules."),
    "T500": (Severity.ERROR, "example-failed", "An example's verdict differs from what it expects."),
    "T501": (Severity.ERROR, "example-error", "An example could not be checked."),
}


class Diagnostic(BaseModel):
    # defer_build: a clean run (a warm `registry check`) never makes one, so it never pays for the schema
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    code: str
    severity: Severity
    message: str
    file: str = ""
    line: int = 0
    col: int = 0
    end_col: int = 0
    line_text: str = ""
    help: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.col, self.code)


def diag(
    code: str,
    message: str,
    *,
    file: str = "",
    line: int = 0,
    col: int = 0,
    end_col: int = 0,
    line_text: str = "",
    help: str | None = None,
    severity: Severity | None = None,
) -> Diagnostic:
    return Diagnostic(
        code=code,
        severity=severity or CODES[code][0],
        message=message,
        file=file,
        line=line,
        col=col,
        end_col=max(end_col, col + 1) if col else 0,
        line_text=line_text,
        help=help,
    )


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diags)


MAX_SHOWN_LINE = 200


def render_text(d: Diagnostic) -> str:
    """`file:line:col: error[R201]: message`, the source line with a caret, then help."""
    where = f"{d.file}:{d.line}:{d.col}: " if d.file and d.line else (f"{d.file}: " if d.file else "")
    out = [f"{where}{d.severity.value}[{d.code}]: {d.message}"]
    if d.line and d.line_text:
        text = d.line_text.replace("\t", " ")
        col = max(d.col, 1)
        width = max(d.end_col - d.col, 1)
        if len(text) > MAX_SHOWN_LINE:  # keep huge lines readable: show a window around the caret
            lo = max(col - 60, 0)
            text = ("…" if lo else "") + text[lo : lo + 120] + "…"
            col = col - lo + (1 if lo else 0)
            width = min(width, 120)
        gutter = str(d.line)
        pad = " " * len(gutter)
        out.append(f"{pad} |")
        out.append(f"{gutter} | {text}")
        out.append(f"{pad} | {' ' * (col - 1)}{'^' * width}")
    if d.help:
        out.append(f"  = help: {d.help}")
    return "\n".join(out)


def render_all(diags: list[Diagnostic], *, limit: int = 200) -> str:
    shown = sorted(diags, key=Diagnostic.sort_key)
    parts = [render_text(d) for d in shown[:limit]]
    if len(shown) > limit:
        parts.append(f"... and {len(shown) - limit} more")
    errors = sum(1 for d in diags if d.severity is Severity.ERROR)
    warnings = len(diags) - errors
    parts.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n\n".join(parts)


def render_json(diags: list[Diagnostic]) -> str:
    return json.dumps(
        [d.model_dump(mode="json") for d in sorted(diags, key=Diagnostic.sort_key)],
        ensure_ascii=False,
        indent=2,
    )
