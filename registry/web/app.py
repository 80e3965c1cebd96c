"""The caseworker's web page and the JSON API, over the same checker as `registry check`.

Every answered check is written to the audit log, and committed, before the answer leaves the
server; if it cannot be written, the caseworker gets an error instead of an unlogged answer.

Security, in one place: identities come from bearer tokens (a file the administrator controls)
or from a header set by the municipality's reverse proxy (only from the proxy's address, only
when configured); without configured authentication checks are anonymous and the audit log is
not readable over HTTP. Bodies are capped, every field is validated by pydantic, the HTML form
carries a double-submit CSRF token, static files are served from memory (no request path
reaches the file system), and neither tokens nor database passwords are logged.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import re
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from registry.audit import VERDICT_DA, AuditEntry, AuditStore, entry_for
from registry.checker import (
    CheckInputError,
    CheckRequest,
    CheckResult,
    MunicipalityRef,
    check_request,
    index_of,
    resolve_municipality,
)
from registry.diagnostics import Diagnostic
from registry.model import Citation, RuleSet, is_within
from registry.pipeline import Compiled
from registry.rounds import ApplicationRequest as ApplicationIn

log = logging.getLogger("registry.web")

HERE = Path(__file__).resolve().parent
MAX_BODY = 64 * 1024  # a check is at most ~20 kB of JSON (50 citations of 300 chars + 5000 chars of text)
CSRF_COOKIE, SESSION_COOKIE = "registry_csrf", "registry_session"
ROLES = {"caseworker": frozenset({"check"}), "auditor": frozenset({"check", "audit"})}
ROLE_DA = {"caseworker": "sagsbehandler", "auditor": "revisor"}
_USER_RE = re.compile(r"[^\x00-\x1f\x7f]{1,200}")
# The citation reader (pyparsing) is not thread-safe: concurrent parses fail at random with TypeError.
# Checks are CPU-bound under the GIL anyway, so running one at a time costs next to nothing; the audit
# write, which waits on the disk, stays outside the lock.
CHECK_LOCK = threading.Lock()


# ---------------------------------------------------------------------------- settings and identity


@dataclass(frozen=True)
class Principal:
    user: str
    role: str
    via: Literal["token", "session", "proxy", "none"]

    def may(self, action: str) -> bool:
        return action in ROLES.get(self.role, frozenset())


class TokenFileError(Exception):
    """The tokens file cannot be used. The message names lines, never tokens."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def read_tokens(path: str) -> dict[str, Principal]:
    """`token user role` per line; '#' comments. Keyed by the token's sha256 so no token sits in memory twice."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise TokenFileError(f"nøglefilen {path} kan ikke læses ({type(e).__name__})") from None
    out: dict[str, Principal] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 3:
            raise TokenFileError(f"{path}:{n}: forventede 'NØGLE BRUGER ROLLE' (3 felter), fandt {len(parts)}")
        token, user, role = parts
        if len(token) < 16:
            raise TokenFileError(f"{path}:{n}: nøglen er for kort (mindst 16 tegn; fx `python -c 'import secrets; "
                                 "print(secrets.token_urlsafe(32))'`)")
        if role not in ROLES:
            raise TokenFileError(f"{path}:{n}: ukendt rolle {role[:30]!r} (caseworker eller auditor)")
        if _digest(token) in out:
            raise TokenFileError(f"{path}:{n}: samme nøgle står to gange")
        out[_digest(token)] = Principal(user, role, "token")
    if not out:
        raise TokenFileError(f"nøglefilen {path} indeholder ingen nøgler")
    try:
        if Path(path).stat().st_mode & 0o077:
            log.warning("nøglefilen %s kan læses af andre end ejeren; kør chmod 600 %s", path, path)
    except OSError:
        pass
    return out


@dataclass
class Settings:
    compiled: Compiled
    store: AuditStore
    tokens: dict[str, Principal] = field(default_factory=dict)
    user_header: str | None = None
    trusted_proxies: frozenset[str] = frozenset({"127.0.0.1", "::1"})
    auditors: frozenset[str] = frozenset()
    docs_url: str | None = None
    max_body: int = MAX_BODY
    rounds_dir: Path | None = None  # the application rounds new applications are checked against

    @property
    def auth_configured(self) -> bool:
        return bool(self.tokens) or bool(self.user_header)


class AuthProblem(Exception):
    def __init__(self, status: int, code: str, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.help = status, code, message, help


def identify(s: Settings, request: Request) -> Principal | None:
    """Who is asking. None: nobody identified although authentication is configured."""
    auth = request.headers.get("authorization")
    if auth is not None:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not s.tokens:
            raise AuthProblem(401, "W401", "Authorization-headeren skal være 'Bearer NØGLE', og serveren skal være "
                                           "startet med --tokens")
        p = s.tokens.get(_digest(token.strip()))
        if p is None:
            raise AuthProblem(401, "W401", "Ukendt eller tilbagekaldt nøgle.", "bed administratoren om en ny nøgle")
        return p
    session = request.cookies.get(SESSION_COOKIE)
    if session and s.tokens:
        p = s.tokens.get(_digest(session))
        if p is not None:
            return Principal(p.user, p.role, "session")
    if s.user_header and request.client is not None and request.client.host in s.trusted_proxies:
        user = request.headers.get(s.user_header, "").strip()
        if user:
            if not _USER_RE.fullmatch(user):
                raise AuthProblem(400, "W400", "Brugernavnet fra proxyen er ugyldigt.")
            return Principal(user, "auditor" if user in s.auditors else "caseworker", "proxy")
    if not s.auth_configured:
        return Principal("anonym", "caseworker", "none")
    return None


def require(s: Settings, request: Request, action: str) -> Principal:
    p = identify(s, request)
    if p is None:
        raise AuthProblem(401, "W401", "Du skal være logget ind.",
                          "send 'Authorization: Bearer NØGLE'" if s.tokens else
                          f"adgang sker gennem kommunens proxy ({s.user_header})")
    if not p.may(action):
        if action == "audit" and not s.auth_configured:
            raise AuthProblem(403, "W403", "Audit-loggen kan ikke læses over HTTP, når serveren kører uden login.",
                              "brug `registry audit list` på serveren, eller start den med --tokens/--user-header")
        raise AuthProblem(403, "W403", f"Rollen {ROLE_DA.get(p.role, p.role)} må ikke dette.",
                          "audit-loggen kræver revisorrollen (auditor)")
    return p


# ---------------------------------------------------------------------------- API models


class Problem(BaseModel):
    code: str = Field(description="stabil fejlkode (se dokumentationen)")
    message: str = Field(description="hvad der er galt, på dansk")
    help: str | None = Field(default=None, description="hvad man kan gøre")
    field: str | None = Field(default=None, description="feltet, fejlen angår")


class ErrorResponse(BaseModel):
    detail: list[Problem]


class CheckResponse(CheckResult):
    """The JSON of `registry check --format json`, plus the id of the audit-log entry."""

    audit_id: str = Field(description="id i audit-loggen (UUID)")


class ApplicationResponse(BaseModel):
    """A valid application, in the round-file language, ready to add to rules/rounds/."""

    valid: bool
    municipality: MunicipalityRef
    round: str
    text: str = Field(description="ansøgningen i registrets filformat (rules/rounds/*.round)")


class MunicipalityOut(BaseModel):
    code: int
    name: str
    aliases: list[str]
    agreements: list[str] = Field(description="de velfærdsaftaler, kommunen er med i")
    label: str


class ProvisionOut(BaseModel):
    citation: str = Field(description="kanonisk henvisning, fx 'SEL § 83'")
    heading: str
    topics: list[str]
    law: str
    law_title: str
    source: str
    docs_url: str | None
    label: str


# The audit entry as stored is also what the API returns (FastAPI serialises the dataclass).
AuditEntryOut = AuditEntry


class Health(BaseModel):
    status: Literal["ok"]
    ruleset: str
    schema_version: int


def result_json(result: CheckResult) -> dict[str, Any]:
    """Exactly what `registry check --format json` prints (registry.commands.cmd_check)."""
    data = result.model_dump(mode="json", exclude={"summary", "lang"})
    return {"verdict": data.pop("verdict"), "inside": data.pop("inside"), **data, "summary": result.summary}


# ---------------------------------------------------------------------------- Danish validation messages


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(x) for x in loc if x not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "forespørgslen"


def problem_from_error(err: dict[str, Any]) -> Problem:
    t, ctx, name = err.get("type", ""), err.get("ctx") or {}, _field_name(tuple(err.get("loc", ())))
    msg = {
        "missing": "mangler",
        "extra_forbidden": "er ikke et felt, API'et kender",
        "string_too_short": "må ikke være tom",
        "string_too_long": f"er for lang (højst {ctx.get('max_length')} tegn)",
        "too_long": f"har for mange elementer (højst {ctx.get('max_length')})",
        "too_short": f"har for få elementer (mindst {ctx.get('min_length')})",
        "string_type": "skal være tekst",
        "list_type": "skal være en liste",
        "dict_type": "skal være et objekt",
        "model_attributes_type": "skal være et JSON-objekt",
        "date_type": "skal være en dato (ÅÅÅÅ-MM-DD)",
        "date_parsing": "er ikke en dato (skriv ÅÅÅÅ-MM-DD, fx 2022-05-01)",
        "date_from_datetime_parsing": "er ikke en dato (skriv ÅÅÅÅ-MM-DD, fx 2022-05-01)",
        "date_from_datetime_inexact": "skal være en dato uden klokkeslæt",
        "literal_error": f"skal være en af: {ctx.get('expected', '')}".replace("'", ""),
        "int_parsing": "skal være et heltal",
        "int_type": "skal være et heltal",
        "greater_than_equal": f"skal være mindst {ctx.get('ge')}",
        "less_than_equal": f"må højst være {ctx.get('le')}",
        "uuid_parsing": "er ikke et gyldigt id (UUID)",
        "uuid_type": "er ikke et gyldigt id (UUID)",
        "json_invalid": "er ikke gyldig JSON",
        "value_error": str(ctx.get("error", "har en ugyldig værdi")),
    }.get(t, "har en ugyldig værdi")
    if t == "json_invalid":
        return Problem(code="C406", message="Forespørgslen er ikke gyldig JSON.", help="send et JSON-objekt",
                       field=None)
    shown = re.sub(r"\.(\d+)", lambda m: f" (nr. {int(m.group(1)) + 1})", name)
    return Problem(code="C406", message=f"Feltet {shown} {msg}.", help=_FIELD_HELP.get(name.split(".")[0]),
                   field=name)


_FIELD_HELP = {
    "municipality": "kommunens navn eller kode, fx Viborg eller 791",
    "date": "ÅÅÅÅ-MM-DD; udelad for dags dato",
    "deviates": "en liste af henvisninger, fx [\"servicelovens § 83, stk. 1, nr. 3\"]",
    "lang": "da eller en",
}


def problems_from_diagnostics(diags: list[Diagnostic]) -> list[Problem]:
    return [Problem(code=d.code, message=d.message, help=d.help) for d in diags]


def error_json(status: int, problems: list[Problem], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": [p.model_dump() for p in problems]}, status_code=status, headers=headers)


HTTP_DA = {400: "Forespørgslen er ugyldig.", 401: "Du skal være logget ind.", 403: "Adgang nægtet.",
           404: "Siden findes ikke.", 405: "Metoden er ikke tilladt her.", 406: "Formatet kan ikke leveres.",
           413: "Forespørgslen er for stor.", 415: "Indholdstypen understøttes ikke.",
           503: "Tjenesten er midlertidigt utilgængelig."}


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Forespørgslen er for stor (højst {limit // 1024} kB).")


class BodyLimit:
    """Refuse bodies over `limit` bytes with 413, by Content-Length up front and while streaming."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for k, v in scope["headers"]:
            if k == b"content-length":
                if not v.isdigit():
                    return await _raw_json(send, 400, "Content-Length er ugyldig.")
                if int(v) > self.limit:
                    return await _raw_json(send, 413, f"Forespørgslen er for stor (højst {self.limit // 1024} kB).")
        seen = 0

        async def limited() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, limited, send)


async def _raw_json(send: Any, status: int, message: str) -> None:
    body = json.dumps({"detail": [{"code": f"W{status}", "message": message, "help": None, "field": None}]},
                      ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                h = list(message.get("headers", []))
                names = {k.lower() for k, _ in h}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                         (b"x-frame-options", b"DENY"),
                         (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; "
                          b"img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")]
                if b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = h + [x for x in extra if x[0] not in names]
            await send(message)

        await self.app(scope, receive, with_headers)


# ---------------------------------------------------------------------------- look-up tables


def _danish_key(text: str) -> str:
    """Sort as a Danish reader expects: Æ, Ø, Å after Z, and a leading Aa as Å (Aarhus)."""
    s = text.lower()
    if s.startswith("aa"):
        s = "å" + s[2:]
    return s.translate(_DANISH)


_DANISH: dict[int, str] = {ord("æ"): "{0", ord("ø"): "{1", ord("å"): "{2"}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("§", " § ")).strip()


@dataclass
class Catalog:
    municipalities: list[MunicipalityOut]
    provisions: list[ProvisionOut]
    refs: list[Citation]
    search_text: list[str]
    areas: list[tuple[str, str]]


def municipality_from_input(text: str) -> str:
    """What the form's datalist sends ("Viborg (791)", "791 · Viborg") reduced to the code; else the text."""
    muni = text.strip()
    m = re.fullmatch(r".*\((\d{1,4})\)\s*", muni) or re.fullmatch(r"\s*(\d{1,4})\s*·.*", muni)
    return m.group(1) if m else muni


def docs_link(citation: str, base: str | None, rules: RuleSet | None = None) -> str | None:
    """Link to the provision's page on the docs site, if registry.docsgen is installed and a base is known."""
    try:
        from registry.docsgen import provision_url  # type: ignore[import-not-found,attr-defined]
    except ImportError:
        return None
    try:
        url = str(provision_url(citation, rules))
    except Exception:  # noqa: BLE001 - a docs helper that cannot place a citation only costs the link
        return None
    if urlsplit(url).scheme in ("http", "https"):
        return url
    if not base or urlsplit(base).scheme not in ("http", "https"):
        return None
    return base.rstrip("/") + "/" + url.lstrip("/")


def build_catalog(compiled: Compiled, docs_url: str | None) -> Catalog:
    rs = compiled.rules
    laws = {law.id: law for law in rs.laws}
    member: dict[int, list[str]] = {}
    for a in rs.agreements:
        for code in a.municipalities:
            member.setdefault(code, []).append(a.id)
    munis = [MunicipalityOut(code=m.code, name=m.name, aliases=list(m.aliases), agreements=member.get(m.code, []),
                             label=f"{m.code:03d} · {m.name} Kommune"
                                   + (f" · {', '.join(member[m.code])}" if m.code in member else ""))
             for m in sorted(rs.municipalities, key=lambda m: _danish_key(m.name))]
    provs: list[ProvisionOut] = []
    refs: list[Citation] = []
    texts: list[str] = []
    for p in sorted(rs.provisions, key=lambda p: p.ref.key):
        law = laws.get(p.ref.law or "")
        title = law.title if law else (p.ref.law or "")
        cit = p.id
        provs.append(ProvisionOut(citation=cit, heading=p.heading, topics=list(p.topics), law=p.ref.law or "",
                                  law_title=title, source=p.source, docs_url=docs_link(cit, docs_url, compiled.rules),
                                  label=f"{p.heading} — {title}" + (f" ({', '.join(p.topics)})" if p.topics else "")))
        refs.append(p.ref)
        texts.append(_norm(" ".join([cit, p.heading, *p.topics, title, *(law.aliases if law else ())])))
    areas = [(a.id, a.name) for a in rs.areas]
    return Catalog(munis, provs, refs, texts, areas)


def search_provisions(compiled: Compiled, cat: Catalog, q: str, limit: int) -> list[ProvisionOut]:
    q = q.strip()
    if not q:
        return cat.provisions[:limit]
    hits: list[tuple[int, int]] = []
    cited: list[Citation] = []
    try:  # a citation in any form the checker reads ("servicelovens § 83") finds its provisions first
        from registry.checker import resolve_citation

        with CHECK_LOCK:
            cited = resolve_citation(index_of(compiled), q).citations
    except Exception:  # noqa: BLE001 - not a citation: plain text search below
        pass
    words = _norm(q).split()
    for i, (ref, text) in enumerate(zip(cat.refs, cat.search_text, strict=True)):
        p = cat.provisions[i]
        if any(ref == c for c in cited):
            hits.append((0, i))
        elif any(is_within(ref, c) or is_within(c, ref) for c in cited):
            hits.append((1, i))
        elif words and all(w in text for w in words):
            head = _norm(p.heading + " " + " ".join(p.topics))
            hits.append((2 if all(w in head for w in words) else 3, i))
    hits.sort()
    return [cat.provisions[i] for _, i in hits[:limit]]


# ---------------------------------------------------------------------------- the app


def today_dk() -> dt.date:
    try:
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    except Exception:  # noqa: BLE001 - no tz database: the server's own date
        return dt.date.today()


def _load_static() -> dict[str, tuple[bytes, str]]:
    types = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
    return {f.name: (f.read_bytes(), types[f.suffix]) for f in sorted((HERE / "static").iterdir())
            if f.suffix in types}


ERRORS_422: dict[int | str, dict[str, Any]] = {422: {"model": ErrorResponse, "description": "ugyldigt felt"}}
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorResponse, "description": "ikke logget ind"},
               403: {"model": ErrorResponse, "description": "rollen må ikke dette"}}


def create_app(s: Settings) -> FastAPI:
    compiled = s.compiled
    index_of(compiled).warm()  # build every look-up table now, before threads share them
    cat = build_catalog(compiled, s.docs_url)
    static = _load_static()
    static_version = hashlib.sha256(b"".join(b for b, _ in static.values())).hexdigest()[:10]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                             autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals.update(verdict_da=VERDICT_DA, static_version=static_version, ruleset=compiled.digest)
    env.filters["docs"] = functools.lru_cache(maxsize=4096)(lambda c: docs_link(c, s.docs_url, compiled.rules) if c else None)
    env.filters["safe_href"] = lambda u: u if u and urlsplit(u).scheme in ("http", "https") else None
    env.filters["danish_date"] = _danish_date

    app = FastAPI(
        title="Velfærdsregistret",
        version="1",
        description="Må kommunen fravige disse bestemmelser på denne dato? Samme svar som `registry check "
                    "--format json`; hvert tjek skrives i audit-loggen, før svaret sendes.",
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
    )
    app.state.settings = s
    app.add_middleware(BodyLimit, limit=s.max_body)
    app.add_middleware(SecurityHeaders)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        p = ctx.pop("principal", None)
        if p is None:
            try:
                p = identify(s, request)
            except AuthProblem:
                p = None
        html = env.get_template(name).render(principal=p, login_enabled=bool(s.tokens), **ctx)
        return HTMLResponse(html, status_code=status)

    def error_page(request: Request, status: int, message: str, help: str | None = None) -> HTMLResponse:
        return page(request, "error.html", status, code=status, message=message, help=help)

    @app.exception_handler(AuthProblem)
    async def _auth(request: Request, e: AuthProblem) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if e.status == 401 else None
        if wants_json(request):
            return error_json(e.status, [Problem(code=e.code, message=e.message, help=e.help)], headers)
        if e.status == 401 and s.tokens:
            return RedirectResponse("/login", status_code=303)
        return error_page(request, e.status, e.message, e.help)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError) -> Response:
        problems = [problem_from_error(dict(err)) for err in e.errors()][:20]
        if wants_json(request):
            return error_json(422, problems)
        return error_page(request, 422, "Forespørgslen er ugyldig.", " ".join(p.message for p in problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException) -> Response:
        message = e.detail if isinstance(e.detail, str) and e.status_code == 413 else \
            HTTP_DA.get(e.status_code, "Forespørgslen kunne ikke besvares.")
        headers = dict(e.headers or {})
        if e.status_code == 413:
            headers["connection"] = "close"
        if wants_json(request):
            return error_json(e.status_code, [Problem(code=f"W{e.status_code}", message=message)], headers)
        return error_page(request, e.status_code, message)

    @app.exception_handler(Exception)
    async def _crash(request: Request, e: Exception) -> Response:
        log.error("intern fejl ved %s %s: %s", request.method, request.url.path, type(e).__name__, exc_info=e)
        message = "Der opstod en intern fejl i registret. Prøv igen; meld fejlen, hvis den gentager sig."
        if wants_json(request):
            return error_json(500, [Problem(code="W500", message=message)])
        return error_page(request, 500, message)

    # ------------------------------------------------------------------ the core: check and log

    def run_check(req: CheckRequest, principal: Principal, channel: str) -> tuple[CheckResult, AuditEntry]:
        with CHECK_LOCK:
            result = check_request(compiled, req, today=today_dk())
        entry = entry_for(result, citations=req.deviates, description=req.description, area=req.area,
                          user=principal.user, channel=channel)
        s.store.record(entry)  # committed before the caller sends anything
        return result, entry

    # ------------------------------------------------------------------ JSON API

    @app.post("/api/check", response_model=CheckResponse, tags=["tjek"],
              responses={400: {"model": ErrorResponse, "description": "spørgsmålet kan ikke besvares som stillet"},
                         **AUTH_ERRORS, 413: {"model": ErrorResponse, "description": "for stor"}, **ERRORS_422,
                         503: {"model": ErrorResponse, "description": "audit-loggen kan ikke skrives"}})
    def api_check(req: CheckRequest, request: Request) -> Response:
        """Tjek en praksis. Svaret er det samme som `registry check --format json` plus `audit_id`."""
        principal = require(s, request, "check")
        try:
            result, entry = run_check(req, principal, "api")
        except CheckInputError as e:
            return error_json(400, problems_from_diagnostics(e.diagnostics))
        except _db_errors() as e:
            log.error("audit-loggen kunne ikke skrives: %s", type(e).__name__)
            return error_json(503, [Problem(code="W503", message="Tjekket kunne ikke skrives i audit-loggen, så "
                                                                 "svaret gives ikke. Prøv igen om lidt.")])
        return JSONResponse({**result_json(result), "audit_id": entry.id})

    @app.get("/api/municipalities", response_model=list[MunicipalityOut], tags=["opslag"],
             responses={**AUTH_ERRORS, **ERRORS_422})
    def api_municipalities(request: Request, q: str = Query("", max_length=100,
                                                            description="navn eller kode")) -> list[MunicipalityOut]:
        """Kommunerne (til søgning mens man skriver), evt. filtreret på navn eller kode."""
        require(s, request, "check")
        qn = _norm(q)
        if not qn:
            return cat.municipalities
        if qn.isdigit():
            return [m for m in cat.municipalities if f"{m.code:03d}".startswith(qn) or f"{m.code:04d}".startswith(qn)]
        return [m for m in cat.municipalities if qn in _norm(m.name) or any(qn in _norm(a) for a in m.aliases)]

    @app.get("/api/provisions", response_model=list[ProvisionOut], tags=["opslag"],
             responses={**AUTH_ERRORS, **ERRORS_422})
    def api_provisions(request: Request,
                       q: str = Query("", max_length=100, description="henvisning, overskrift eller emneord"),
                       limit: int = Query(20, ge=1, le=100)) -> list[ProvisionOut]:
        """Bestemmelserne, søgt på kanonisk henvisning, overskrift og emneord."""
        require(s, request, "check")
        return search_provisions(compiled, cat, q, limit)

    @app.get("/api/audit", response_model=list[AuditEntryOut], tags=["audit"], responses={**AUTH_ERRORS, **ERRORS_422})
    def api_audit(request: Request, limit: int = Query(50, ge=1, le=1000), offset: int = Query(0, ge=0, le=10**9),
                  municipality: str | None = Query(None, max_length=100),
                  user: str | None = Query(None, max_length=200)) -> list[AuditEntryOut]:
        """Audit-loggen, nyeste først (kræver revisorrollen)."""
        require(s, request, "audit")
        return [e
                for e in s.store.list(limit=limit, offset=offset, municipality=municipality, user=user)]

    @app.get("/api/audit/{audit_id}", response_model=AuditEntryOut, tags=["audit"],
             responses={**AUTH_ERRORS, 404: {"model": ErrorResponse, "description": "findes ikke"}, **ERRORS_422})
    def api_audit_entry(audit_id: uuid.UUID, request: Request) -> Response:
        """Ét tjek fra audit-loggen (kræver revisorrollen)."""
        require(s, request, "audit")
        e = s.store.get(str(audit_id))
        if e is None:
            return error_json(404, [Problem(code="W404", message=f"Tjek {audit_id} findes ikke i audit-loggen.")])
        return JSONResponse(e.to_json())

    @app.get("/api/health", response_model=Health, tags=["drift"])
    def api_health() -> Health:
        """Kører serveren, og kan den nå audit-loggen?"""
        return Health(status="ok", ruleset=compiled.digest, schema_version=s.store.version())

    # ------------------------------------------------------------------ HTML

    @app.get("/static/{name}", include_in_schema=False)
    def static_file(name: str) -> Response:
        hit = static.get(name)  # a dict look-up: the request never names a file on disk
        if hit is None:
            raise StarletteHTTPException(404)
        return Response(hit[0], media_type=hit[1], headers={"cache-control": "public, max-age=86400"})

    def csrf_of(request: Request) -> tuple[str, bool]:
        token = request.cookies.get(CSRF_COOKIE, "")
        if re.fullmatch(r"[A-Za-z0-9_-]{43}", token):
            return token, False
        return secrets.token_urlsafe(32), True

    def with_csrf(request: Request, resp: HTMLResponse, token: str, new: bool) -> HTMLResponse:
        if new:
            resp.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https")
        return resp

    def form_page(request: Request, principal: Principal, status: int = 200, *, values: dict[str, Any] | None = None,
                  errors: list[Problem] | None = None) -> HTMLResponse:
        token, new = csrf_of(request)
        v = {"municipality": "", "date": today_dk().isoformat(), "deviates": [""], "description": "", "area": ""}
        v.update(values or {})
        if not v["deviates"]:
            v["deviates"] = [""]
        resp = page(request, "form.html", status, principal=principal, v=v, errors=errors or [], csrf=token,
                    municipalities=cat.municipalities, provisions=cat.provisions, areas=cat.areas)
        return with_csrf(request, resp, token, new)

    def csrf_ok(request: Request, form: Any) -> bool:
        cookie, sent = request.cookies.get(CSRF_COOKIE, ""), str(form.get("csrf", ""))
        return bool(cookie) and len(cookie) == len(sent) and secrets.compare_digest(cookie, sent)

    def stale_form(request: Request) -> HTMLResponse:
        return error_page(request, 403, "Formularen er udløbet eller kom ikke fra denne side.",
                          "Gå tilbage, genindlæs siden og send igen.")

    @app.get("/", include_in_schema=False)
    def index(request: Request) -> Response:
        principal = require(s, request, "check")
        qp = request.query_params  # prefill from an "ask again" link: shown in the form, checked only when sent
        values: dict[str, Any] = {k: qp[k][:200] for k in ("municipality", "date", "area") if k in qp}
        if "deviates" in qp:
            values["deviates"] = [x[:400] for x in qp.getlist("deviates")][:60]
        return form_page(request, principal, values=values)

    @app.post("/check", include_in_schema=False)
    async def check_form(request: Request) -> Response:
        principal = require(s, request, "check")
        form = await request.form(max_files=0, max_fields=120)
        if not csrf_ok(request, form):
            return stale_form(request)
        values: dict[str, Any] = {"municipality": str(form.get("municipality", ""))[:200],
                  "date": str(form.get("date", ""))[:40],
                  "deviates": [str(x)[:400] for x in form.getlist("deviates")][:60],
                  "description": str(form.get("description", ""))[:6000],
                  "area": str(form.get("area", ""))[:60]}
        if form.get("action") == "add":
            values["deviates"] = [*values["deviates"], ""]
            return form_page(request, principal, values=values)
        muni = municipality_from_input(values["municipality"])
        try:
            req = CheckRequest(municipality=muni, date=values["date"].strip() or None,
                               deviates=values["deviates"], area=values["area"].strip() or None,
                               description=values["description"].strip() or None, lang="da")
        except ValidationError as e:
            return form_page(request, principal, 422, values=values,
                             errors=[problem_from_error(dict(err)) for err in e.errors()])
        try:
            result, entry = await run_in_threadpool(run_check, req, principal, "web")
        except CheckInputError as e:
            return form_page(request, principal, 400, values=values, errors=problems_from_diagnostics(e.diagnostics))
        except _db_errors() as e:
            log.error("audit-loggen kunne ikke skrives: %s", type(e).__name__)
            return error_page(request, 503, "Tjekket kunne ikke skrives i audit-loggen, så svaret vises ikke.",
                              "Prøv igen om lidt. Sig det til administratoren, hvis det gentager sig.")
        return page(request, "result.html", principal=principal, r=result, entry=entry, req=req,
                    again="/?" + "&".join(f"{k}={quote(str(x))}" for k, x in (
                        ("municipality", result.municipality.name), ("date", result.date.isoformat()),
                        *(("deviates", d) for d in req.deviates))))

    # ------------------------------------------------------------------ applications (issue: the round)

    from registry.rounds import facts_from_rules

    facts = facts_from_rules(compiled.rules)  # the rules do not change while the server runs

    def open_rounds() -> list[Any]:
        """The rounds, read per request so that a new round file shows without a restart."""
        from registry.rounds import load_rounds

        if s.rounds_dir is None or not s.rounds_dir.exists():
            return []
        rset, _ = load_rounds(s.rounds_dir, facts)
        return sorted(rset.rounds, key=lambda r: r.order)

    def submit_application(req: Any, principal: Principal) -> tuple[int, str, str, list[Problem]]:
        """(code, name, text, problems) for an application; nothing is written anywhere."""
        from registry.rounds import check_application

        try:
            muni = resolve_municipality(index_of(compiled), req.municipality)
        except CheckInputError as e:
            return 0, "", "", problems_from_diagnostics(e.diagnostics)
        text, diags = check_application(s.rounds_dir or Path("."), facts, muni.code, req,
                                        req.submitted or today_dk(), principal.user)
        return muni.code, muni.name, text, problems_from_diagnostics(diags)

    def application_page(request: Request, principal: Principal, status: int = 200, **ctx: Any) -> HTMLResponse:
        token, new = csrf_of(request)
        rounds = open_rounds()
        v = {"round": rounds[-1].id if rounds else "", "municipality": "", "first": "", "first_reason": "",
             "fallback": "", "fallback_reason": "", "contact": "", "submitted": today_dk().isoformat()}
        v.update(ctx.pop("values", None) or {})
        resp = page(request, "application.html", status, principal=principal, v=v, csrf=token, rounds=rounds,
                    municipalities=cat.municipalities, areas=[(a.id, a.name) for a in compiled.rules.areas],
                    errors=ctx.pop("errors", []), text=ctx.pop("text", ""), **ctx)
        return with_csrf(request, resp, token, new)

    @app.get("/ansoegning", include_in_schema=False)
    def application_form(request: Request) -> Response:
        return application_page(request, require(s, request, "check"))

    @app.post("/ansoegning", include_in_schema=False)
    async def application_submit(request: Request) -> Response:
        from registry.rounds import ApplicationRequest

        principal = require(s, request, "check")
        form = await request.form(max_files=0, max_fields=30)
        if not csrf_ok(request, form):
            return stale_form(request)
        keys = ("round", "municipality", "first", "first_reason", "fallback", "fallback_reason", "contact", "submitted")
        values = {k: str(form.get(k, ""))[:2000] for k in keys}
        muni = municipality_from_input(values["municipality"])
        try:
            fields: dict[str, Any] = {k: (v.strip() or None) if k not in ("round", "municipality", "first") else v
                                      for k, v in values.items()}
            req = ApplicationRequest.model_validate({**fields, "municipality": muni})
        except ValidationError as e:
            return application_page(request, principal, 422, values=values,
                                    errors=[problem_from_error(dict(err)) for err in e.errors()])
        code, name, text, problems = await run_in_threadpool(submit_application, req, principal)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower().translate(str.maketrans("æøå", "eoa"))).strip("-")
        return application_page(request, principal, 400 if problems else 200, values=values, errors=problems,
                                text=text, code=code, muni_name=name, filename=f"{req.round}-{slug or code}.round")

    @app.post("/api/rounds/applications", response_model=ApplicationResponse, tags=["ansøgningsrunde"],
              responses={400: {"model": ErrorResponse, "description": "ansøgningen kan ikke bruges"},
                         **AUTH_ERRORS, **ERRORS_422})
    def api_application(req: ApplicationIn, request: Request) -> Response:
        """Kontrollér en ansøgning mod runden og få den tilbage i registrets filformat. Intet gemmes."""
        principal = require(s, request, "check")
        code, name, text, problems = submit_application(req, principal)
        if problems:
            return error_json(400, problems)
        return JSONResponse({"valid": True, "municipality": {"code": code, "name": name}, "round": req.round,
                             "text": text})

    @app.get("/login", include_in_schema=False)
    def login_form(request: Request) -> Response:
        if not s.tokens:
            return RedirectResponse("/", status_code=303)
        token, new = csrf_of(request)
        return with_csrf(request, page(request, "login.html", csrf=token, error=None), token, new)

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        if not s.tokens:
            return RedirectResponse("/", status_code=303)
        form = await request.form(max_files=0, max_fields=10)
        token = str(form.get("token", "")).strip()
        if not csrf_ok(request, form):
            return error_page(request, 403, "Formularen er udløbet.", "Genindlæs siden og prøv igen.")
        if not token or _digest(token) not in s.tokens:
            csrf, _ = csrf_of(request)
            return page(request, "login.html", 401, csrf=csrf, error="Nøglen er ukendt.")
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https", max_age=12 * 3600)
        return resp

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=10)
        if not csrf_ok(request, form):
            return error_page(request, 403, "Formularen er udløbet.")
        resp = RedirectResponse("/login" if s.tokens else "/", status_code=303)
        resp.delete_cookie(SESSION_COOKIE, path="/")
        return resp

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(static["favicon.svg"][0], media_type="image/svg+xml",
                        headers={"cache-control": "public, max-age=86400"})

    return app


def _db_errors() -> tuple[type[BaseException], ...]:
    from sqlalchemy.exc import SQLAlchemyError

    return (SQLAlchemyError, OSError)


def _danish_date(d: dt.date | str) -> str:
    from registry.docsgen import da_date

    return da_date(dt.date.fromisoformat(d[:10]) if isinstance(d, str) else d)
