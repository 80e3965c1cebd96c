"""`registry serve`: the caseworker's web page and the JSON API (FastAPI on uvicorn).

Only the standard library and registry.cli at import time; FastAPI, uvicorn and SQLAlchemy are
imported when the command runs (they come with the `web` extra).
"""

from __future__ import annotations

import argparse
import os
import sys

from registry.cli import EXIT_OK, EXTRA_COMMANDS, UsageError


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError("skal være et portnummer fra 1 til 65535")
    return int(text)


def cmd_serve(args: argparse.Namespace) -> int:
    from registry.diagnostics import Severity, diag

    try:
        import uvicorn

        from registry.web.app import Settings, TokenFileError, create_app, read_tokens
    except ModuleNotFoundError as e:
        raise UsageError([diag("W600", f"`registry serve` kræver pakken {e.name}", severity=Severity.ERROR,
                               help='installér med: pip install "velfaerd-registry[web]"')]) from None
    from pathlib import Path

    from registry.audit import open_store, safe_url
    from registry.commands import _compiled_or_exit
    from registry.pipeline import default_rules_dir

    compiled = _compiled_or_exit([args.rules] if args.rules else None)
    if isinstance(compiled, int):
        return compiled
    tokens = {}
    if args.tokens:
        try:
            tokens = read_tokens(args.tokens)
        except TokenFileError as e:
            raise UsageError([diag("W601", str(e), severity=Severity.ERROR,
                                   help="hver linje: NØGLE BRUGER ROLLE (rolle: caseworker eller auditor)")]) from None
    if args.user_header and not args.user_header.replace("-", "").isalnum():
        raise UsageError([diag("W602", f"ugyldigt headernavn {args.user_header[:60]!r}", severity=Severity.ERROR,
                               help="fx --user-header X-Remote-User")])
    store = open_store(args.database_url)
    docs_url = args.docs_url if args.docs_url is not None else os.environ.get("REGISTRY_DOCS_URL") or None
    settings = Settings(compiled=compiled, store=store, tokens=tokens, user_header=args.user_header,
                        trusted_proxies=frozenset(args.trusted_proxy or ("127.0.0.1", "::1")),
                        auditors=frozenset(args.auditor or ()), docs_url=docs_url,
                        rounds_dir=Path(args.rules or default_rules_dir()) / "rounds")
    app = create_app(settings)
    where = f"http://{'[' + args.host + ']' if ':' in args.host else args.host}:{args.port}/"
    auth = ("nøgler fra " + args.tokens if tokens else "") + (
        (" og " if tokens else "") + f"{args.user_header} fra proxyen" if args.user_header else "")
    print(f"Registret kører på {where}  (stop med Ctrl+C)", file=sys.stderr)
    print(f"  regelsæt sha256:{compiled.digest[:16]}…, audit-log {safe_url(store.url)}", file=sys.stderr)
    print(f"  adgang: {auth or 'ingen login (alle på denne adresse kan tjekke; audit-loggen kan ikke læses her)'}",
          file=sys.stderr)
    if not auth and args.host not in ("127.0.0.1", "::1", "localhost"):
        print("  ADVARSEL: serveren lytter på netværket uden login; brug --tokens eller --user-header.", file=sys.stderr)
    try:
        # proxy_headers off: the peer address must be the proxy itself, which --trusted-proxy names.
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, proxy_headers=False,
                    server_header=False, timeout_graceful_shutdown=5)
    finally:
        store.close()
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("serve", help="start websiden og JSON-API'et for sagsbehandlere")
    s.add_argument("--host", default="127.0.0.1", help="adresse (standard: 127.0.0.1)")
    s.add_argument("--port", type=_port, default=8000, help="port (standard: 8000)")
    s.add_argument("--database-url", metavar="URL",
                   help="audit-loggen: sqlite:///STI eller postgresql+psycopg://... "
                        "(standard: $REGISTRY_DATABASE_URL eller ~/.local/share/velfaerd-registry/audit.sqlite3)")
    s.add_argument("--rules", metavar="MAPPE", help="regelmappe (standard: de medfølgende rules/)")
    s.add_argument("--tokens", metavar="FIL", help="nøglefil med linjer 'NØGLE BRUGER ROLLE' (caseworker/auditor)")
    s.add_argument("--user-header", metavar="HEADER",
                   help="stol på brugernavnet i denne header fra kommunens reverse proxy, fx X-Remote-User")
    s.add_argument("--trusted-proxy", action="append", metavar="IP",
                   help="proxyens adresse; headeren bruges kun fra den (standard: 127.0.0.1 og ::1)")
    s.add_argument("--auditor", action="append", metavar="BRUGER",
                   help="en proxy-bruger med revisorrollen (må læse audit-loggen); kan gentages")
    s.add_argument("--docs-url", metavar="URL", help="dokumentationssitets adresse (standard: $REGISTRY_DOCS_URL)")
    s.add_argument("--log-level", choices=("warning", "info", "debug"), default="info")
    s.set_defaults(func=cmd_serve)


EXTRA_COMMANDS.append(register)
