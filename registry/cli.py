"""The `registry` command. Thin: parse arguments, call a stage, print, return an exit code.

Exit codes: 0 clean / inside, 1 outside the fence posts, 2 bad input or usage,
3 invalid rules, 4 internal error (a bug: the message says how to report it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

EXIT_OK, EXIT_OUTSIDE, EXIT_USAGE, EXIT_INVALID, EXIT_INTERNAL = 0, 1, 2, 3, 4


class UsageError(Exception):
    """Bad input from the command line: printed as a diagnostic, exit 2."""

    def __init__(self, diagnostics: list) -> None:  # list[Diagnostic]
        super().__init__("usage")
        self.diagnostics = diagnostics


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"registry: fejl: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _print_diags(diags: list, fmt: str, stream: object = None) -> None:
    from registry.diagnostics import render_all, render_json

    out = stream or sys.stderr
    if fmt == "json":
        print(render_json(diags), file=out)  # type: ignore[arg-type]
    elif diags:
        print(render_all(diags), file=out)  # type: ignore[arg-type]


def _load(paths: Sequence[str] | None, *, cache: bool = True):  # -> Compiled
    from registry.pipeline import load

    return load(list(paths) if paths else None, use_cache=cache)


def _paths_ok(paths: Sequence[str]) -> None:
    from registry.diagnostics import diag

    bad = [p for p in paths if not Path(p).exists()]
    if bad:
        raise UsageError([diag("C405", f"stien findes ikke: {p}", help="angiv en regelfil eller en mappe") for p in bad])


# ---------------------------------------------------------------------------- commands


def cmd_lint(args: argparse.Namespace) -> int:
    from registry.diagnostics import has_errors

    _paths_ok(args.paths)
    compiled = _load(args.paths, cache=False)
    diags = compiled.diagnostics
    if args.format == "json":
        _print_diags(diags, "json", sys.stdout)
    else:
        if diags:
            _print_diags(diags, "text", sys.stdout)
        rs = compiled.rules
        print(f"{len(rs.files)} fil(er): {len(rs.laws)} love, {len(rs.provisions)} bestemmelser, "
              f"{len(rs.agreements)} aftaler, {len(rs.statuses)} statusser, {len(rs.decisions)} beslutninger, "
              f"{len(rs.examples)} eksempler")
    return EXIT_INVALID if has_errors(diags) else EXIT_OK


def cmd_fmt(args: argparse.Namespace) -> int:
    from registry.fmt import format_text
    from registry.source import discover, read_source

    _paths_ok(args.paths)
    files, diags = discover(args.paths)
    changed: list[str] = []
    for f in files:
        text, d = read_source(f, str(f))
        diags += d
        if text is None:
            continue
        out, d = format_text(text, str(f))
        diags += [x for x in d if x.severity.value == "error"]
        if out is None or out == text:
            continue
        changed.append(str(f))
        if not args.check:
            f.write_text(out, encoding="utf-8")
    if diags:
        _print_diags(diags, "text")
    for c in changed:
        print(("ville omformatere " if args.check else "omformaterede ") + c)
    if diags:
        return EXIT_INVALID
    if args.check and changed:
        return 1
    if not changed:
        print(f"{len(files)} fil(er) er allerede formateret")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="registry", description="Regelregister for velfærdsaftalerne (frisættelse og hegnspæle).")
    sub = p.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=_Parser)
    sub.required = True

    s = sub.add_parser("lint", help="læs og valider regelfiler")
    s.add_argument("paths", nargs="*", default=None, metavar="STI")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.set_defaults(func=cmd_lint)

    s = sub.add_parser("fmt", help="formatér regelfiler kanonisk")
    s.add_argument("paths", nargs="*", metavar="STI")
    s.add_argument("--check", action="store_true", help="ændr intet; exit 1 hvis en fil ville blive ændret")
    s.set_defaults(func=cmd_fmt)

    for register in EXTRA_COMMANDS:
        register(sub)
    return p


# Other modules add their subcommands here (check, test, impact, graph, docs, serve, audit, round).
EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []


# Modules that add subcommands; each must import only the standard library and registry.cli at
# import time (heavy or optional dependencies are imported inside the command).
COMMAND_MODULES = ("commands", "docsgen", "web", "rounds", "audit")
# Which module adds which subcommand. Performance: a command imports only its own module (rounds and
# docsgen cost a warm `registry check` about 0.15 s); anything else (help, a typo) imports them all.
# tests/test_cli.py checks that this table matches what the modules register.
COMMAND_HOMES = {"check": "commands", "test": "commands", "impact": "commands", "graph": "commands",
                 "docs": "docsgen", "serve": "web", "round": "rounds", "audit": "audit", "lint": None, "fmt": None}
_REGISTERED: set[str] = set()


def _register_all(argv: Sequence[str] | None = None) -> None:
    import importlib

    command = next((a for a in (argv or ()) if not a.startswith("-")), None)
    if command in COMMAND_HOMES:
        home = COMMAND_HOMES[command]
        names: tuple[str, ...] = (home,) if home else ()
    else:
        names = COMMAND_MODULES
    for name in names:
        if name in _REGISTERED:
            continue
        _REGISTERED.add(name)
        try:
            importlib.import_module(f"registry.{name}")
        except ModuleNotFoundError as e:
            if e.name not in (f"registry.{name}",):
                raise


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a console that cannot show "æøå§" gets "?", not a failure
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        _register_all(sys.argv[1:] if argv is None else argv)
        parser = build_parser()
        args = parser.parse_args(argv)
        if getattr(args, "paths", None) == [] and args.command in ("lint", "fmt"):
            from registry.pipeline import default_rules_dir

            args.paths = [str(default_rules_dir())]
        return int(args.func(args))
    except UsageError as e:
        _print_diags(e.diagnostics, "text")
        return EXIT_USAGE
    except SystemExit as e:
        return int(e.code) if isinstance(e.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        print("afbrudt", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:  # noqa: BLE001 - the promise: no traceback ever reaches a user
        print(f"registry: intern fejl ({type(e).__name__}: {e}). Det er en fejl i registret, ikke i dine "
              "regler; meld den gerne med kommandoen og filerne.", file=sys.stderr)
        return EXIT_INTERNAL


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
