"""A fake WhatsApp Cloud API (Meta Graph API) with signed webhooks, plus builders for webhook payloads.

    POST /{version}/{phone_number_id}/messages   Authorization: Bearer <token>, JSON body
         -> 200 {"messaging_product": "whatsapp", "contacts": [{"input", "wa_id"}],
                 "messages": [{"id": "wamid..."}]}
         -> 4xx/5xx {"error": {"message", "type", "code", "error_data": {"messaging_product", "details"},
                               "error_subcode"?, "fbtrace_id"}}

Webhooks are JSON POSTs {"object": "whatsapp_business_account", "entry": [{"id", "changes": [{"field":
"messages", "value": {...}}]}]} signed X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>.
The body is serialised as Meta does (non-ASCII escaped \\uXXXX, "/" escaped), so verify the raw bytes.

Where an error arrives is as at Meta: throughput (130429), pair rate (131056), spam (131048), token (190),
bad parameters (100) and templates (132000, 132001) in the send response; outside the window (131047),
undeliverable (131026), marketing stopped (131050) and ecosystem (131049) as a "failed" status webhook
after a 200. Statuses: sent -> delivered -> read, or failed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

from aiohttp import web

from ._server import (
    Accepted,
    AutoCallbacks,
    CallbackResult,
    FakeServer,
    Faults,
    Outgoing,
    RecordedRequest,
    arrange,
    e164,
)

DEFAULT_ACCESS_TOKEN = "meta-test-access-token"
DEFAULT_APP_SECRET = "meta-test-app-secret"
DEFAULT_PHONE_NUMBER_ID = "106540352242922"
DEFAULT_DISPLAY_NUMBER = "6280000000001"
DEFAULT_WABA_ID = "102290129340398"
MAX_TEXT = 4096
MESSAGE_TYPES = frozenset(
    {
        "text",
        "template",
        "image",
        "audio",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "interactive",
        "reaction",
    }
)
ERROR_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
USER_ID = re.compile(r"^[A-Z]{2}\.[A-Za-z0-9.]+$")

Outcome = Literal["read", "delivered", "sent", "failed"]

# code -> (title, details, HTTP status, where it arrives)
ERRORS: dict[str, tuple[str, str, int, Literal["response", "callback"]]] = {
    "1": ("An unknown error has occurred.", "An unknown error has occurred.", 500, "response"),
    "100": ("Invalid parameter", "Invalid parameter", 400, "response"),
    "190": ("Error validating access token: Session has expired.", "", 401, "response"),
    "130429": ("Rate limit hit", "Cloud API message throughput has been reached.", 400, "response"),
    "131000": ("Something went wrong", "Message failed to send due to an unknown error.", 500, "response"),
    "131005": ("Access denied", "Permission is either not granted or has been removed.", 403, "response"),
    "131008": ("Required parameter is missing", "A required parameter is missing.", 400, "response"),
    "131009": ("Parameter value is not valid", "One or more parameter values are invalid.", 400, "response"),
    "131026": (
        "Message undeliverable",
        "Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp "
        "phone number; the recipient has not accepted the new Terms of Service; the recipient is using "
        "an old WhatsApp version.",
        400,
        "callback",
    ),
    "131047": (
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last replied "
        "to this number.",
        400,
        "callback",
    ),
    "131048": (
        "Spam rate limit hit",
        "Message failed to send because there are restrictions on how many messages can be sent from "
        "this phone number. This may be because too many previous messages were blocked or flagged as spam.",
        400,
        "response",
    ),
    "131049": (
        "This message was not delivered to maintain healthy ecosystem engagement.",
        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
        400,
        "callback",
    ),
    "131050": (
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages "
        "on WhatsApp from your business.",
        "The recipient has stopped marketing messages from this business.",
        400,
        "callback",
    ),
    "131056": (
        "(Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number to the "
        "same phone number in a short period of time.",
        400,
        "response",
    ),
    "132000": (
        "Number of parameters does not match the expected number of params",
        "The number of variable parameter values does not match the template.",
        400,
        "response",
    ),
    "132001": (
        "Template name does not exist in the translation",
        "The template does not exist.",
        404,
        "response",
    ),
}


def meta_json(payload: object) -> bytes:
    """Serialise as Meta's webhooks do: compact, non-ASCII escaped as \\uXXXX, "/" escaped as "\\/"."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/").encode()


def signature(app_secret: str, body: bytes) -> str:
    """The X-Hub-Signature-256 header value: sha256=<hex HMAC-SHA256(app secret, raw body)>."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signed(payload: object, app_secret: str = DEFAULT_APP_SECRET) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers Meta would post for this payload (for TestClient posts)."""
    body = meta_json(payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "facebookexternalua",
        "X-Hub-Signature-256": signature(app_secret, body),
        "X-Hub-Signature": "sha1=" + hmac.new(app_secret.encode(), body, hashlib.sha1).hexdigest(),
    }
    return body, headers


def fbtrace_id() -> str:
    return "A" + base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")


def wamid(wa_id: str = "6281234500001") -> str:
    """A message id in Meta's shape: wamid. + base64 of a small protobuf-like blob carrying the number."""
    digits = wa_id.encode()
    blob = b"\x1c\x18" + bytes([len(digits)]) + digits + b"\x15\x02\x00\x11\x18\x12"
    blob += secrets.token_hex(9).upper().encode() + b"\x00"
    return "wamid." + base64.b64encode(blob).decode()


def error_body(code: str | int, details: str | None = None) -> tuple[dict[str, Any], int]:
    """Meta's send-error JSON for `code`, and its HTTP status."""
    code = str(code)
    title, default_details, status, _ = ERRORS.get(code, ("Error", "Error", 400, "response"))
    error: dict[str, Any] = {"message": f"(#{code}) {title}", "type": "OAuthException", "code": int(code)}
    if code == "190":
        error["message"] = (
            "Error validating access token: Session has expired on Tuesday, 01-Dec-26 09:00:00 PST."
        )
        error["error_subcode"] = 463
    else:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details or default_details}
    error["fbtrace_id"] = fbtrace_id()
    return {"error": error}, status


def error_object(code: str | int) -> dict[str, Any]:
    """One entry of a failed status's "errors" list."""
    code = str(code)
    title, details, _, _ = ERRORS.get(code, ("Error", "Error", 400, "callback"))
    return {
        "code": int(code),
        "title": title,
        "message": title,
        "error_data": {"details": details},
        "href": ERROR_HREF,
    }


# -- webhook payload builders -------------------------------------------------------------------------


def webhook(
    *,
    messages: Sequence[Mapping[str, Any]] = (),
    statuses: Sequence[Mapping[str, Any]] = (),
    contacts: Sequence[Mapping[str, Any]] | None = None,
    phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
    display_phone_number: str = DEFAULT_DISPLAY_NUMBER,
    waba_id: str = DEFAULT_WABA_ID,
) -> dict[str, Any]:
    """A messages webhook: any number of inbound messages and statuses in one POST. Contacts default to
    one per distinct sender of `messages` (name "Slamet")."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": display_phone_number, "phone_number_id": phone_number_id},
    }
    if messages:
        if contacts is None:
            seen: dict[str, dict[str, Any]] = {}
            for m in messages:
                key = m.get("from") or m.get("from_user_id") or ""
                if key not in seen:
                    seen[key] = contact(m.get("from"), user_id=m.get("from_user_id"))
            contacts = list(seen.values())
        value["contacts"] = [dict(c) for c in contacts]
        value["messages"] = [dict(m) for m in messages]
    if statuses:
        value["statuses"] = [dict(s) for s in statuses]
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": [{"value": value, "field": "messages"}]}],
    }


def contact(
    wa_id: str | None, name: str = "Slamet", *, user_id: str | None = None, username: str | None = None
) -> dict[str, Any]:
    """A contacts entry; a user who hides the phone number has only user_id (and maybe a username)."""
    profile: dict[str, Any] = {"name": name}
    if username:
        profile["username"] = username
    entry: dict[str, Any] = {"profile": profile}
    if wa_id:
        entry["wa_id"] = wa_id.lstrip("+")
    if user_id:
        entry["user_id"] = user_id
    return entry


def _inbound(
    sender: str | None,
    kind: str,
    content: Mapping[str, Any],
    *,
    id: str | None,
    timestamp: int | None,
    user_id: str | None,
    context: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {}
    if sender:
        message["from"] = sender.lstrip("+")
    if user_id:
        message["from_user_id"] = user_id
    if context:
        message["context"] = dict(context)
    message["id"] = id or wamid((sender or "0").lstrip("+"))
    message["timestamp"] = str(timestamp if timestamp is not None else int(time.time()))
    message["type"] = kind
    message[kind] = dict(content)
    return message


def text_message(
    sender: str | None,
    body: str,
    *,
    id: str | None = None,
    timestamp: int | None = None,
    user_id: str | None = None,
) -> dict[str, Any]:
    """An inbound text message (sender "6281..." or "+6281..."; None with user_id for a hidden number)."""
    return _inbound(sender, "text", {"body": body}, id=id, timestamp=timestamp, user_id=user_id)


def image_message(
    sender: str | None,
    *,
    caption: str | None = None,
    media_id: str | None = None,
    mime_type: str = "image/jpeg",
    id: str | None = None,
    timestamp: int | None = None,
    user_id: str | None = None,
) -> dict[str, Any]:
    content: dict[str, Any] = {
        "mime_type": mime_type,
        "sha256": base64.b64encode(secrets.token_bytes(32)).decode(),
        "id": media_id or str(secrets.randbelow(10**15) + 10**15),
    }
    if caption is not None:
        content["caption"] = caption
    return _inbound(sender, "image", content, id=id, timestamp=timestamp, user_id=user_id)


def audio_message(
    sender: str | None,
    *,
    media_id: str | None = None,
    voice: bool = True,
    id: str | None = None,
    timestamp: int | None = None,
    user_id: str | None = None,
) -> dict[str, Any]:
    content = {
        "mime_type": "audio/ogg; codecs=opus",
        "sha256": base64.b64encode(secrets.token_bytes(32)).decode(),
        "id": media_id or str(secrets.randbelow(10**15) + 10**15),
        "voice": voice,
    }
    return _inbound(sender, "audio", content, id=id, timestamp=timestamp, user_id=user_id)


def button_message(
    sender: str | None,
    text: str,
    payload: str,
    *,
    context_id: str | None = None,
    id: str | None = None,
    timestamp: int | None = None,
    user_id: str | None = None,
) -> dict[str, Any]:
    """A quick-reply button press on a template (type "button")."""
    context = {"from": DEFAULT_DISPLAY_NUMBER, "id": context_id or wamid()}
    return _inbound(
        sender,
        "button",
        {"text": text, "payload": payload},
        id=id,
        timestamp=timestamp,
        user_id=user_id,
        context=context,
    )


def interactive_message(
    sender: str | None,
    reply_id: str,
    title: str,
    *,
    kind: Literal["button_reply", "list_reply"] = "button_reply",
    description: str | None = None,
    context_id: str | None = None,
    id: str | None = None,
    timestamp: int | None = None,
    user_id: str | None = None,
) -> dict[str, Any]:
    """A reply to an interactive message: button_reply or list_reply."""
    reply: dict[str, Any] = {"id": reply_id, "title": title}
    if description is not None and kind == "list_reply":
        reply["description"] = description
    context = {"from": DEFAULT_DISPLAY_NUMBER, "id": context_id or wamid()}
    return _inbound(
        sender,
        "interactive",
        {"type": kind, kind: reply},
        id=id,
        timestamp=timestamp,
        user_id=user_id,
        context=context,
    )


def location_message(
    sender: str | None,
    latitude: float,
    longitude: float,
    *,
    name: str | None = None,
    address: str | None = None,
    id: str | None = None,
    timestamp: int | None = None,
    user_id: str | None = None,
) -> dict[str, Any]:
    content: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    if name is not None:
        content["name"] = name
    if address is not None:
        content["address"] = address
    return _inbound(sender, "location", content, id=id, timestamp=timestamp, user_id=user_id)


def status_object(
    message_id: str,
    status: str,
    recipient: str | None,
    *,
    user_id: str | None = None,
    error_code: str | int | None = None,
    category: str = "utility",
    billable: bool = True,
    timestamp: int | None = None,
) -> dict[str, Any]:
    """One entry of "statuses": sent, delivered, read, or failed (with errors)."""
    now = int(time.time()) if timestamp is None else timestamp
    entry: dict[str, Any] = {"id": message_id, "status": status, "timestamp": str(now)}
    if recipient:
        entry["recipient_id"] = recipient.lstrip("+")
    if user_id:
        entry["recipient_user_id"] = user_id
    if status in ("sent", "delivered"):
        if status == "sent":
            entry["conversation"] = {
                "id": hashlib.md5(f"{recipient}{category}".encode(), usedforsecurity=False).hexdigest(),
                "expiration_timestamp": str(now + 24 * 3600),
                "origin": {"type": category},
            }
        entry["pricing"] = {
            "billable": billable,
            "pricing_model": "PMP",
            "category": category,
            "type": "regular" if billable else "free_customer_service",
        }
    if status == "failed":
        entry["errors"] = [error_object(error_code or "131026")]
    return entry


class FakeMeta(FakeServer):
    """Fake WhatsApp Cloud API on 127.0.0.1. See the module docstring for the protocol."""

    def __init__(
        self,
        access_token: str = DEFAULT_ACCESS_TOKEN,
        *,
        app_secret: str = DEFAULT_APP_SECRET,
        phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
        display_phone_number: str = DEFAULT_DISPLAY_NUMBER,
        waba_id: str = DEFAULT_WABA_ID,
        webhook_url: str | None = None,
        templates: Mapping[str, int] | None = None,
        enforce_window: bool = False,
        rate_limit_status: int = 400,
        faults: Faults | None = None,
        latency: float = 0.0,
        callback_routes: Mapping[str, str] | None = None,
        auto_callbacks: AutoCallbacks | None = None,
        callback_timeout: float = 10.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """`templates`: approved template names -> number of body parameters (None: accept any);
        `enforce_window`: free-form to a user without an open window (open_window, or an inbound message
        posted through post_webhook) fails with 131047; `rate_limit_status`: HTTP status of 130429."""
        super().__init__(
            faults=faults,
            latency=latency,
            callback_routes=callback_routes,
            auto_callbacks=auto_callbacks,
            callback_timeout=callback_timeout,
            clock=clock,
        )
        self.access_token = access_token
        self.app_secret = app_secret
        self.phone_number_id = phone_number_id
        self.display_phone_number = display_phone_number
        self.waba_id = waba_id
        self.webhook_url = webhook_url
        self.templates = None if templates is None else dict(templates)
        self.enforce_window = enforce_window
        self.rate_limit_status = rate_limit_status
        self.token_expired = False
        self._start()

    def api_url(self, version: str = "v21.0") -> str:
        """The URL to POST messages to."""
        return f"{self.url}/{version}/{self.phone_number_id}/messages"

    def _routes(self, app: web.Application) -> None:
        app.router.add_post("/{version}/{phone_number_id}/messages", self._send)
        app.router.add_route("*", "/{tail:.*}", self._unknown)

    async def _unknown(self, request: web.Request) -> web.Response:
        record = await self._record(request)
        body = {
            "error": {
                "message": f"Unknown path components: {request.path}",
                "type": "OAuthException",
                "code": 2500,
                "fbtrace_id": fbtrace_id(),
            }
        }
        return self._answer(record, web.json_response(body, status=400), "not_found")

    def _default_via(self, code: str) -> Literal["response", "callback"]:
        return ERRORS.get(code, ("", "", 400, "response"))[3]

    # -- send ------------------------------------------------------------------------------------------

    def _error(self, record: RecordedRequest, code: str, details: str | None = None) -> web.Response:
        body, status = error_body(code, details)
        if code == "130429":
            status = self.rate_limit_status
        record.outcome = f"rejected:{code}"
        headers = {}
        if code == "190":
            headers["WWW-Authenticate"] = (
                'OAuth "Facebook Platform" "invalid_token" "Error validating access token"'
            )
        return web.json_response(body, status=status, headers=headers)

    def _authorize(self, request: web.Request, record: RecordedRequest) -> web.Response | None:
        auth = request.headers.get("Authorization", "")
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else request.query.get("access_token", "")
        if token != self.access_token:
            body = {
                "error": {
                    "message": "Invalid OAuth access token - Cannot parse access token",
                    "type": "OAuthException",
                    "code": 190,
                    "fbtrace_id": fbtrace_id(),
                }
            }
            record.outcome = "unauthorized"
            return web.json_response(body, status=401)
        if self.token_expired:
            response = self._error(record, "190")
            record.outcome = "unauthorized"
            return response
        if request.match_info["phone_number_id"] != self.phone_number_id:
            body = {
                "error": {
                    "message": "Unsupported post request. Object with ID "
                    f"'{request.match_info['phone_number_id']}' does not exist, cannot be loaded due to "
                    "missing permissions, or does not support this "
                    "operation. Please read the Graph API documentation at "
                    "https://developers.facebook.com/docs/graph-api",
                    "type": "GraphMethodException",
                    "code": 100,
                    "error_subcode": 33,
                    "fbtrace_id": fbtrace_id(),
                }
            }
            record.outcome = "rejected:100"
            return web.json_response(body, status=400)
        return None

    def _fault_response(self, kind: Literal["500", "429"]) -> web.Response:
        if kind == "500":
            body, status = error_body("131000")
        else:
            body, status = error_body("130429")
            status = self.rate_limit_status
        return web.json_response(body, status=status)

    def _invalid(self, record: RecordedRequest, message: str) -> web.Response:
        body = {
            "error": {
                "message": f"(#100) {message}",
                "type": "OAuthException",
                "code": 100,
                "error_data": {"messaging_product": "whatsapp", "details": message},
                "fbtrace_id": fbtrace_id(),
            }
        }
        record.outcome = "rejected:100"
        return web.json_response(body, status=400)

    def _process(self, request: web.Request, record: RecordedRequest) -> tuple[web.Response, list[Accepted]]:
        data = record.body
        if not isinstance(data, dict):
            return self._invalid(record, "The request body must be a JSON object."), []
        product = data.get("messaging_product")
        if product is None:
            return self._invalid(record, "The parameter messaging_product is required."), []
        if product != "whatsapp":
            return self._invalid(
                record, f'Param messaging_product must be one of {{WHATSAPP}} - got "{product}".'
            ), []
        to = data.get("to")
        user_id = data.get("recipient") if to is None else None
        if not isinstance(to, str) and not isinstance(user_id, str):
            return self._invalid(record, "The parameter to is required."), []
        address = to if isinstance(to, str) else str(user_id)
        if isinstance(to, str) and not re.fullmatch(r"\+?[\d ()-]{5,20}", to):
            body, status = error_body("131009", f"Recipient phone number {to!r} is not valid")
            record.outcome = "rejected:131009"
            return web.json_response(body, status=status), []
        if isinstance(user_id, str) and not USER_ID.match(user_id):
            return self._invalid(
                record, f"Param recipient must be a valid business-scoped user ID - got {user_id!r}."
            ), []
        kind = data.get("type", "text")
        if kind not in MESSAGE_TYPES:
            return self._invalid(
                record, f"Param type must be one of {{{', '.join(sorted(MESSAGE_TYPES))}}}."
            ), []
        text = ""
        template_name: str | None = None
        variables: tuple[str, ...] = ()
        if kind == "text":
            content = data.get("text")
            if not isinstance(content, dict) or not isinstance(content.get("body"), str):
                return self._invalid(record, "The parameter text['body'] is required."), []
            text = content["body"]
            if len(text) > MAX_TEXT:
                return self._invalid(
                    record, f"Param text['body'] must be at most {MAX_TEXT} characters long."
                ), []
        elif kind == "template":
            template = data.get("template")
            if not isinstance(template, dict) or not isinstance(template.get("name"), str):
                return self._invalid(record, "The parameter template['name'] is required."), []
            language = template.get("language")
            if not isinstance(language, dict) or not isinstance(language.get("code"), str):
                return self._invalid(record, "The parameter template['language'] is required."), []
            template_name = template["name"]
            variables = tuple(
                str(p.get("text", ""))
                for c in template.get("components") or ()
                if isinstance(c, dict) and c.get("type") == "body"
                for p in c.get("parameters") or ()
                if isinstance(p, dict)
            )
            if self.templates is not None:
                if template_name not in self.templates:
                    details = f"template name ({template_name}) does not exist in {language['code']}"
                    response = self._error(record, "132001", details)
                    return response, []
                expected = self.templates[template_name]
                if len(variables) != expected:
                    details = (
                        f"body: number of localizable_params ({len(variables)}) does not match the expected "
                        f"number of params ({expected})"
                    )
                    return self._error(record, "132000", details), []
        rule = self._take_rule(address)
        planned: str | None = None
        if rule is not None and rule.via == "response":
            return self._error(record, rule.code), []
        if rule is not None:
            planned = rule.code
        if self.enforce_window and kind != "template" and planned is None:
            with self._lock:
                if not self._window_open(address):
                    planned = "131047"
        wa_id = "".join(ch for ch in address if ch.isdigit()) if isinstance(to, str) else ""
        message_id = wamid(wa_id or "0")
        item = Accepted(
            id=message_id,
            to=e164(address),
            address=address,
            sender=self.phone_number_id,
            body=text,
            channel="whatsapp",
            at=record.at,
            request=record,
            template=template_name,
            variables=variables,
            planned_error=planned,
            extra={"type": kind, "wa_id": wa_id or None, "user_id": user_id},
        )
        contact_entry: dict[str, str] = {"input": address}
        if wa_id:
            contact_entry["wa_id"] = wa_id
        else:
            contact_entry["user_id"] = address
        message_entry: dict[str, str] = {"id": message_id}
        if kind == "template":
            message_entry["message_status"] = "accepted"
        body = {"messaging_product": "whatsapp", "contacts": [contact_entry], "messages": [message_entry]}
        return web.json_response(body), [item]

    # -- webhooks --------------------------------------------------------------------------------------

    def _target(self, url: str | None) -> tuple[str, str]:
        signed_url = url or self.webhook_url
        if not signed_url:
            raise ValueError("no webhook URL: set fake.webhook_url or pass url=")
        return self.resolve_url(signed_url), signed_url

    def _outgoing(
        self, payload: Mapping[str, Any], message_id: str | None, event: str, url: str | None
    ) -> Outgoing:
        target, signed_url = self._target(url)
        body, headers = signed(payload, self.app_secret)
        return Outgoing(message_id, event, target, signed_url, headers, body)

    def sequence(self, message_id: str, outcome: Outcome | None = None) -> list[str]:
        """The statuses Meta would report for this message and outcome."""
        item = self.message(message_id)
        if outcome is None:
            outcome = "failed" if item.planned_error else "read"
        return {
            "sent": ["sent"],
            "delivered": ["sent", "delivered"],
            "read": ["sent", "delivered", "read"],
            "failed": ["failed"],
        }[outcome]

    def status_payload(
        self, message_id: str, statuses: Iterable[str], error_code: str | int | None = None
    ) -> dict[str, Any]:
        """A webhook carrying these statuses of an accepted message."""
        item = self.message(message_id)
        code = error_code if error_code is not None else item.planned_error
        template = item.extra.get("type") == "template"
        entries = [
            status_object(
                item.id,
                s,
                item.extra.get("wa_id"),
                user_id=item.extra.get("user_id"),
                error_code=code,
                category="utility" if template else "service",
                billable=template,
                timestamp=int(self.clock()),
            )
            for s in statuses
        ]
        return self._webhook(statuses=entries)

    def _webhook(self, **parts: Any) -> dict[str, Any]:
        return webhook(
            phone_number_id=self.phone_number_id,
            display_phone_number=self.display_phone_number,
            waba_id=self.waba_id,
            **parts,
        )

    def _default_outgoing(self, item: Accepted) -> list[Outgoing]:
        return [
            self._outgoing(self.status_payload(item.id, [s]), item.id, s, None)
            for s in self.sequence(item.id)
        ]

    def emit_statuses(
        self,
        message_id: str,
        outcome: Outcome | None = None,
        *,
        statuses: Sequence[str] | None = None,
        error_code: int | str | None = None,
        shuffle: bool = False,
        repeat: int = 0,
        seed: int = 0,
        batch: bool = False,
        url: str | None = None,
    ) -> list[CallbackResult]:
        """Post this message's status webhooks, signed, in order; returns the app's answers.

        `outcome`: read (default), delivered, sent, failed (default when a failure is planned);
        `statuses` an explicit list instead; `error_code` for failed. One POST per status, or all in one
        POST with `batch` (after shuffle/repeat, so a batch can hold the same status twice)."""
        wanted = list(statuses) if statuses is not None else self.sequence(message_id, outcome)
        if batch:
            arranged_statuses = arrange(wanted, shuffle=shuffle, repeat=repeat, seed=seed)
            payload = self.status_payload(message_id, arranged_statuses, error_code)
            event = ",".join(arranged_statuses)
            return self._emit(
                [self._outgoing(payload, message_id, event, url)], shuffle=False, repeat=0, seed=0
            )
        outgoing = [
            self._outgoing(self.status_payload(message_id, [s], error_code), message_id, s, url)
            for s in wanted
        ]
        return self._emit(outgoing, shuffle=shuffle, repeat=repeat, seed=seed)

    def post_webhook(self, payload: Mapping[str, Any], *, url: str | None = None) -> CallbackResult:
        """Sign and post any webhook payload (see webhook() and the message builders). Inbound messages
        open the 24-hour window for their senders."""
        value_lists = [
            change.get("value", {}).get("messages", [])
            for entry in payload.get("entry", [])
            for change in entry.get("changes", [])
        ]
        for messages in value_lists:
            for m in messages:
                if m.get("from"):
                    self.open_window(m["from"])
        out = self._outgoing(payload, None, "webhook", url)
        return self._emit([out], shuffle=False, repeat=0, seed=0)[0]

    def post_messages(self, *messages: Mapping[str, Any], url: str | None = None) -> CallbackResult:
        """Post inbound messages (from the builders) in one webhook to this fake's number."""
        return self.post_webhook(self._webhook(messages=messages), url=url)
