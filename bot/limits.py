"""What every request must pass before any route reads it: a body limit per route, enforced while the body
streams in; the REST API's bearer token, checked before its body is read; and no NUL in what the REST API
and Open311 take as text (PostgreSQL text cannot hold one: without this check a missed field is a 500).

A pure ASGI middleware wrapping `receive`: a route that reads its body whole (`await request.body()`)
gets at most its limit, so a 1 GiB POST costs the limit, not 1 GiB, whoever reads it. A declared
Content-Length over the limit is answered 413 before one byte of the body is read; a chunked body is
stopped as soon as it passes the limit. Whenever the answer comes before the whole body, the connection
is closed (`Connection: close`), so that the server stops receiving the rest: kept alive, it would read
and discard it all.

One table (`RULES`) owns every limit; the routes' own body readers rely on it.
"""

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import security
from bot.routes.api import contacts
from handlers.contact_book import sheet

log = logging.getLogger("kentongan.limits")

KB = 1024
MB = 1024 * KB


@dataclass(frozen=True, slots=True)
class Rule:
    """What requests to a path (`prefix` and below) may carry, and why."""

    prefix: str
    limit: int  # bytes of body
    why: str
    too_large: str = ""  # the 413's reason, when the route words it itself
    token: bool = False  # the REST API: a valid bearer token before any body is read
    refuse_nul: bool = False  # in the query string and in JSON or form bodies
    refuse_nul_in_path: bool = False
    georeport: bool = False  # errors as GeoReport lists (Open311), not {"detail": ...}


def _rest(prefix: str, limit: int, why: str, too_large: str = "") -> Rule:
    """A REST API rule: a token before the body, no NUL anywhere."""
    return Rule(prefix, limit, why, too_large, token=True, refuse_nul=True, refuse_nul_in_path=True)


RULES: tuple[Rule, ...] = (
    Rule(
        "/webhooks/twilio",  # and /webhooks/twilio/status
        64 * KB,
        "Twilio's largest inbound form (1,600 characters, 10 media URLs) is ~6 KB; status callbacks less",
    ),
    Rule("/webhooks/whatsapp", 4 * MB, "Meta batches many messages and statuses into one POST"),
    Rule(
        "/webhooks/smsgate",
        3 * MB,
        "one event per POST, but an mms:downloaded event carries its attachments base64: the 1.5 MB the"
        " gateway parser keeps is 2 MB encoded, and a larger MMS must still arrive to be kept in part",
    ),
    Rule(
        "/webhooks/console",
        128 * KB,
        "one message of 4,096 characters (48 KB when every one is an escaped emoji) and 10 media URLs",
    ),
    _rest(
        "/api/v1/contacts/import",
        contacts.MAX_BODY,
        "a CSV of at most 2 MB (handlers/contact_book/sheet.py) in a multipart envelope",
        f"the upload is over {sheet.MAX_IMPORT_BYTES // MB} MB: split the file",
    ),
    _rest(
        "/api/v1/broadcasts",
        4 * MB,
        "an audience may name 100,000 contact ids and exclude as many: 2.4 MB of JSON with 10-digit ids",
    ),
    _rest(
        "/api/v1",
        64 * KB,
        "JSON typed by people: the longest text (a decision's 3,500 characters) is 42 KB even when every "
        "character is an escaped emoji",
    ),
    Rule(
        "/open311",
        64 * KB,
        "read only: nothing to send",
        refuse_nul=True,  # a path segment with NUL is a request code that does not exist: the route's 404
        georeport=True,
    ),
)
DEFAULT = Rule("", 1 * MB, "anything else (health, metrics, docs) takes no body; room for a new route")


def rule_for(path: str) -> Rule:
    """The rule of the longest prefix that `path` is, or is below."""
    best = DEFAULT
    for rule in RULES:
        below = path == rule.prefix or path.startswith(rule.prefix + "/")
        if below and len(rule.prefix) > len(best.prefix):
            best = rule
    return best


def _size(limit: int) -> str:
    return f"{limit // MB} MB" if limit % MB == 0 else f"{limit // KB} KB"


@dataclass(frozen=True, slots=True)
class Refusal:
    """An answer given instead of the route's."""

    status: int
    reason: str
    headers: Mapping[str, str] | None = None

    async def send(self, send: Send, *, rule: Rule, close: bool) -> None:
        content: object = (
            [{"code": self.status, "description": self.reason}] if rule.georeport else {"detail": self.reason}
        )
        response = JSONResponse(content, self.status, headers=dict(self.headers or {}))
        headers = list(response.raw_headers)
        if close:  # the rest of the body is never read: the connection cannot carry another request
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})


def too_large(rule: Rule) -> Refusal:
    """413 with the route's reason, or one naming the limit and the paths it holds for (never the path
    itself: it is the caller's, of any length)."""
    where = f"{rule.prefix} and below" if rule.prefix else "this server"
    return Refusal(413, rule.too_large or f"the body is over {_size(rule.limit)}, the limit for {where}")


# 400 for the REST API and Open311 alike: a NUL is no value to validate but bytes no text can hold.
NUL_STATUS = 400
NUL_IN_QUERY = "the query string contains a NUL character (%00), which no text can hold"
NUL_IN_PATH = "the path contains a NUL character (%00), which no text can hold"
NUL_IN_JSON = "the JSON body contains a NUL character (\\u0000 or a 0x00 byte), which no text can hold"
NUL_IN_FORM = "the form contains a NUL character (%00 or a 0x00 byte), which no text can hold"


class NulScanner(Protocol):
    """Looks for NUL in a body chunk by chunk, so that one split across two chunks is found too."""

    reason: str

    def found(self, chunk: bytes) -> bool: ...


# An escape (a backslash and what it escapes: "\\\\" is one, so "\\\\u0000" is a backslash and the text
# "u0000"), or a raw NUL (never valid in JSON).
_JSON_ESCAPE_OR_NUL = re.compile(rb"\\(?:u[0-9A-Fa-f]{0,4}|.)|\x00", re.DOTALL)


class JsonNul:
    """`\\u0000` (not `\\\\u0000`) or a 0x00 byte in JSON."""

    reason = NUL_IN_JSON

    def __init__(self) -> None:
        self._carry = b""  # an escape cut by the chunk's end

    def found(self, chunk: bytes) -> bool:
        data, self._carry = self._carry + chunk, b""
        end = 0
        for match in _JSON_ESCAPE_OR_NUL.finditer(data):
            token = match.group()
            if token in (b"\x00", b"\\u0000"):
                return True
            end = match.end()
            if end == len(data) and token.startswith(b"\\u") and len(token) < 6:
                self._carry = token
        if end < len(data) and data.endswith(b"\\"):  # a backslash whose escape is in the next chunk
            self._carry = b"\\"
        return False


class FormNul:
    """`%00` or a 0x00 byte in an application/x-www-form-urlencoded body."""

    reason = NUL_IN_FORM

    def __init__(self) -> None:
        self._tail = b""

    def found(self, chunk: bytes) -> bool:
        data = self._tail + chunk
        self._tail = data[-2:]
        return b"\x00" in data or b"%00" in data


def scanner_for(content_type: str | None) -> NulScanner | None:
    """What to look for in a body of this type; None for the types routes parse themselves (a CSV, which
    may be UTF-16 and so full of 0x00 bytes, and multipart uploads)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if not media or media == "application/json" or re.fullmatch(r"application/[^/]+\+json", media):
        return JsonNul()  # FastAPI reads a body without a content type as JSON
    if media == "application/x-www-form-urlencoded":
        return FormNul()
    return None


class BodyRefused(Exception):
    """Raised by `receive` once the body broke a rule; the middleware answers its refusal."""


class _Receiver:
    """The app's `receive`: counts and scans the body, and refuses it past its limit or at a NUL."""

    def __init__(self, receive: Receive, rule: Rule, scanner: NulScanner | None) -> None:
        self._receive, self._rule, self._scanner = receive, rule, scanner
        self.received = 0
        self.complete = False  # the whole body has been read
        self.refusal: Refusal | None = None

    async def __call__(self) -> Message:
        if self.refusal is not None:  # read no more
            raise BodyRefused(self.refusal.reason)
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        chunk: bytes = message.get("body", b"")
        self.received += len(chunk)
        self.complete = not message.get("more_body", False)
        if self.received > self._rule.limit:
            self.refusal = too_large(self._rule)
        elif self._scanner is not None and self._scanner.found(chunk):
            self.refusal = Refusal(NUL_STATUS, self._scanner.reason)
        if self.refusal is not None:
            raise BodyRefused(self.refusal.reason)
        return message


def _declared_length(headers: Headers) -> int | None:
    value = headers.get("content-length", "").strip()
    return int(value) if value.isdigit() else None


class RequestGuard:
    """The middleware (registered in `bot.app.create_app`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rule = rule_for(scope["path"])
        headers = Headers(scope=scope)
        declared = _declared_length(headers)
        has_body = bool(declared) or (declared is None and "transfer-encoding" in headers)
        refusal = self._url_refusal(scope, rule)
        if refusal is None and declared is not None and declared > rule.limit:
            refusal = too_large(rule)
        if refusal is None and rule.token and has_body:
            # Without a body the route's own dependency answers 401 before anything is read; with one,
            # FastAPI would read and validate the body first.
            refusal = await _token_refusal(scope)
        if refusal is not None:
            self._log(scope, refusal)
            await refusal.send(send, rule=rule, close=has_body)
            return

        scanner = scanner_for(headers.get("content-type")) if rule.refuse_nul and has_body else None
        receiver = _Receiver(receive, rule, scanner)
        app_answering = answered = False

        async def guarded_send(message: Message) -> None:
            nonlocal app_answering, answered
            if receiver.refusal is not None and not app_answering:
                # Whatever the route made of the refused body (FastAPI: 400 "error parsing the body"),
                # the answer is the refusal.
                if not answered:
                    answered = True
                    self._log(scope, receiver.refusal)
                    await receiver.refusal.send(send, rule=rule, close=not receiver.complete)
                return
            if message["type"] == "http.response.start":
                app_answering = True
            await send(message)

        try:
            await self.app(scope, receiver, guarded_send)
        except Exception:
            # Once the body is refused, what the app raises is BodyRefused, or what it made of it.
            if receiver.refusal is None or app_answering:
                raise
        if receiver.refusal is not None and not app_answering and not answered:
            answered = True
            self._log(scope, receiver.refusal)
            await receiver.refusal.send(send, rule=rule, close=not receiver.complete)

    @staticmethod
    def _url_refusal(scope: Scope, rule: Rule) -> Refusal | None:
        if rule.refuse_nul_in_path and "\x00" in scope["path"]:
            return Refusal(NUL_STATUS, NUL_IN_PATH)
        query: bytes = scope.get("query_string", b"")
        if rule.refuse_nul and (b"%00" in query or b"\x00" in query):
            return Refusal(NUL_STATUS, NUL_IN_QUERY)
        return None

    @staticmethod
    def _log(scope: Scope, refusal: Refusal) -> None:
        # The path only (a query string may hold a phone number), quoted and cut: it is the caller's.
        path: str = scope["path"]
        log.warning("%s %r -> %d %s", scope["method"], path[:200], refusal.status, refusal.reason)


async def _token_refusal(scope: Scope) -> Refusal | None:
    """The REST API's own 401 (bot.security: the same header parsing, lookup and words), or None."""
    request = Request(scope)
    credentials = await security.bearer(request)
    try:
        principal = await run_in_threadpool(
            security.current_staff, request, credentials, scope["app"].state.engine
        )
    except HTTPException as error:
        return Refusal(error.status_code, str(error.detail), error.headers)
    except SQLAlchemyError:
        # The database is down (or a statement failed): the route's own dependency meets the same error
        # and the app's handlers answer it (503 with Retry-After in an outage); the body stays bounded.
        return None
    setattr(request.state, security.PRINCIPAL, principal)  # the route's dependency need not look again
    return None
