"""Reading rule files from disk: the one place where bytes become text, safely."""

from __future__ import annotations

import os
from pathlib import Path

from registry.diagnostics import Diagnostic, diag

MAX_FILE_BYTES = 64 * 1024 * 1024
RULE_SUFFIX = ".rule"


def read_source(path: Path, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """Return the text of a rule file, or a P100 diagnostic that says why it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [diag("P100", f"filen er {size:,} bytes; højst {MAX_FILE_BYTES:,} læses", file=shown)]
        data = path.read_bytes()
    except OSError as e:
        return None, [diag("P100", f"filen kan ikke læses: {e.strerror or e}", file=shown)]
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return None, [diag("P100", "filen er binær (den indeholder NUL-bytes), ikke en regelfil", file=shown,
                           line=line, col=1, help="regelfiler er tekst i UTF-8")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        return None, [diag("P100", f"filen er ikke UTF-8 (byte 0x{data[e.start]:02x})", file=shown, line=line,
                           col=col, line_text=data.split(b"\n")[line - 1].decode("utf-8", "replace")[:500],
                           help="gem filen som UTF-8 (fx i Notesblok: Gem som → Kodning: UTF-8)")]
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, []


def discover(paths: list[str]) -> tuple[list[Path], list[Diagnostic]]:
    """Expand folders into their *.rule files, sorted so the load order never depends on the disk."""
    files: list[Path] = []
    diags: list[Diagnostic] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                (q for q in p.rglob(f"*{RULE_SUFFIX}") if q.is_file() and not any(part.startswith(".") for part in q.parts[len(p.parts):])),
                key=lambda q: q.as_posix(),
            )
            files.extend(found)
            if not found:  # checking against no rules would call every municipality unknown
                diags.append(diag("C405", f"mappen indeholder ingen regelfiler (*{RULE_SUFFIX}): {raw}",
                                  help="angiv mappen med regelfilerne, fx rules/"))
        elif p.is_file():
            files.append(p)
        else:
            diags.append(diag("C405", f"stien findes ikke: {raw}", help="angiv en regelfil eller en mappe med *.rule-filer"))
    seen: set[str] = set()
    unique = []
    for f in files:
        key = os.path.realpath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, diags
