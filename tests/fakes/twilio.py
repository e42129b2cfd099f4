"""A fake Twilio Programmable Messaging API (SMS and WhatsApp) with signed status callbacks.

    POST /2010-04-01/Accounts/{AccountSid}/Messages.json   basic auth AccountSid:AuthToken, form fields
         -> 201 Message JSON (status "queued", or "accepted" with a MessagingServiceSid)
         -> 4xx/5xx {"code", "message", "more_info", "status"} like Twilio

Status callbacks are form POSTs to the message's StatusCallback, signed with X-Twilio-Signature over that
exact URL and the params (twilio's RequestValidator). No callback for the initial status. Sequences:

    SMS       [queued ->] sent -> delivered | undelivered (30003/30005/30007/30008) ;  failed
    WhatsApp  [queued ->] sent -> delivered -> read ;  failed 63016 (free-form outside the window)
"""

from __future__ import annotations

import json
import re
import secrets
import time
import urllib.parse
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from email.utils import formatdate
from typing import Literal

from aiohttp import web
from twilio.request_validator import RequestValidator

from ._server import (
    Accepted,
    AutoCallbacks,
    CallbackResult,
    FakeServer,
    Faults,
    Outgoing,
    RecordedRequest,
    basic_credentials,
    e164,
    sms_parts,
)

API_VERSION = "2010-04-01"
DEFAULT_ACCOUNT_SID = "AC" + "0" * 32
DEFAULT_AUTH_TOKEN = "twilio-test-auth-token"
WHATSAPP = "whatsapp:"
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
WHATSAPP_USER_ID = re.compile(r"^[A-Z]{2}\.[A-Za-z0-9.]{1,128}$")  # a WhatsApp user without a phone number
MAX_BODY = 1600
MAX_VALIDITY = 36000

Outcome = Literal["delivered", "read", "sent", "undelivered", "failed"]

# Send-response errors: code -> (message, HTTP status). {to} and {sender} are filled in.
RESPONSE_ERRORS: dict[str, tuple[str, int]] = {
    "20003": ("Authenticate", 401),
    "20404": ("The requested resource {path} was not found", 404),
    "20429": ("Too Many Requests", 429),
    "20500": ("Internal Server Error", 500),
    "21211": ("The 'To' number {to} is not a valid phone number.", 400),
    "21408": (
        "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {to}.",
        400,
    ),
    "21602": ("Message body is required.", 400),
    "21603": ("A 'From' phone number is required.", 400),
    "21604": ("A 'To' phone number is required.", 400),
    "21606": (
        "The 'From' phone number provided ({sender}) is not a valid message-capable Twilio phone number "
        "for this destination.",
        400,
    ),
    "21610": ("Attempt to send to unsubscribed recipient", 400),
    "21611": ("This 'From' number has exceeded the maximum number of queued messages", 400),
    "21612": (
        "The 'To' phone number: {to}, is not currently reachable using the 'From' phone number: {sender} "
        "via SMS.",
        400,
    ),
    "21614": ("'To' number {to} is not a valid mobile number", 400),
    "21617": ("The concatenated message body exceeds the 1600 character limit.", 400),
    "21624": ("Invalid validity period value", 400),
    "21655": ("The ContentSid is Invalid.", 400),
    "21656": ("The ContentVariables Parameter is invalid.", 400),
    "21910": ("Invalid From and To pair. From and To should be of the same channel", 400),
}
# Errors that arrive in status callbacks, and the status they arrive with.
CALLBACK_ERRORS: dict[str, Literal["undelivered", "failed"]] = {
    "21610": "failed",
    "30003": "undelivered",
    "30004": "undelivered",
    "30005": "undelivered",
    "30006": "undelivered",
    "30007": "undelivered",
    "30008": "undelivered",
    "30036": "failed",
    "63016": "failed",
    "63018": "failed",
    "63024": "failed",
}
EVENT_TYPES = {
    "delivered": "DELIVERED",
    "read": "READ",
    "undelivered": "UNDELIVERED",
    "failed": "UNDELIVERED",
}


def error_body(
    code: str | int, *, to: str = "", sender: str = "", path: str = ""
) -> tuple[dict[str, object], int]:
    """Twilio's error JSON for `code`, and its HTTP status."""
    code = str(code)
    message, status = RESPONSE_ERRORS.get(code, (f"Error {code}", 400))
    body: dict[str, object] = {
        "code": int(code),
        "message": message.format(to=to, sender=sender, path=path),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    if code == "20003":
        body["detail"] = "Your AccountSid or AuthToken was incorrect."
    return body, status


def sign(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """X-Twilio-Signature, computed by twilio's own RequestValidator."""
    return str(RequestValidator(auth_token).compute_signature(url, dict(params)))


class FakeTwilio(FakeServer):
    """Fake Twilio Messages API on 127.0.0.1. See the module docstring for the protocol."""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        *,
        senders: Collection[str] | None = None,
        content_sids: Collection[str] | None = None,
        pool_sender: str = "+62800000001",
        enforce_window: bool = False,
        faults: Faults | None = None,
        latency: float = 0.0,
        callback_routes: Mapping[str, str] | None = None,
        auto_callbacks: AutoCallbacks | None = None,
        callback_timeout: float = 10.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """`senders`: allowed From numbers (None: any); `content_sids`: known templates (None: any HX...);
        `pool_sender`: the From a Messaging Service picks; `enforce_window`: WhatsApp free-form to a user
        without an open window (see open_window) fails with 63016 in the callbacks."""
        super().__init__(
            faults=faults,
            latency=latency,
            callback_routes=callback_routes,
            auto_callbacks=auto_callbacks,
            callback_timeout=callback_timeout,
            clock=clock,
        )
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.senders = None if senders is None else {s.removeprefix(WHATSAPP) for s in senders}
        self.content_sids = None if content_sids is None else set(content_sids)
        self.pool_sender = pool_sender
        self.enforce_window = enforce_window
        self.channel_install_sid = "XE" + secrets.token_hex(16)
        self._start()

    @property
    def messages_path(self) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"

    @property
    def api_url(self) -> str:
        """The URL to POST messages to."""
        return self.url + self.messages_path

    def _routes(self, app: web.Application) -> None:
        app.router.add_post("/2010-04-01/Accounts/{account_sid}/Messages.json", self._send)
        app.router.add_route("*", "/{tail:.*}", self._not_found)

    async def _not_found(self, request: web.Request) -> web.Response:
        record = await self._record(request)
        body, status = error_body("20404", path=request.path)
        return self._answer(record, web.json_response(body, status=status), "not_found")

    def _default_via(self, code: str) -> Literal["response", "callback"]:
        return "callback" if code in CALLBACK_ERRORS and code != "21610" else "response"

    # -- send ------------------------------------------------------------------------------------------

    def _authorize(self, request: web.Request, record: RecordedRequest) -> web.Response | None:
        credentials = basic_credentials(request.headers.get("Authorization", ""))
        if credentials != (self.account_sid, self.auth_token):
            body, status = error_body("20003")
            record.outcome = "unauthorized"
            return web.json_response(
                body, status=status, headers={"WWW-Authenticate": 'Basic realm="Twilio API"'}
            )
        if request.match_info["account_sid"] != self.account_sid:
            body, status = error_body("20404", path=request.path)
            record.outcome = "not_found"
            return web.json_response(body, status=status)
        return None

    def _fault_response(self, kind: Literal["500", "429"]) -> web.Response:
        body, status = error_body("20500" if kind == "500" else "20429")
        return web.json_response(body, status=status)

    def _reject(self, record: RecordedRequest, code: str, *, to: str = "", sender: str = "") -> web.Response:
        body, status = error_body(code, to=to, sender=sender)
        record.outcome = f"rejected:{code}"
        return web.json_response(body, status=status)

    def _process(self, request: web.Request, record: RecordedRequest) -> tuple[web.Response, list[Accepted]]:
        form: dict[str, str] = record.body if isinstance(record.body, dict) else {}
        pairs = urllib.parse.parse_qsl(record.raw.decode("utf-8", "replace"), keep_blank_values=True)
        media = [value for name, value in pairs if name == "MediaUrl"]
        to = form.get("To", "").strip()
        sender = form.get("From", "").strip()
        service = form.get("MessagingServiceSid", "").strip()
        body = form.get("Body", "")
        content_sid = form.get("ContentSid", "").strip()
        if not to:
            return self._reject(record, "21604"), []
        if not sender and not service:
            return self._reject(record, "21603"), []
        whatsapp = to.startswith(WHATSAPP)
        if sender and whatsapp != sender.startswith(WHATSAPP):
            return self._reject(record, "21910"), []
        number = to.removeprefix(WHATSAPP)
        if not E164.match(number) and not (whatsapp and WHATSAPP_USER_ID.match(number)):
            return self._reject(record, "21211", to=number), []
        if sender and self.senders is not None and sender.removeprefix(WHATSAPP) not in self.senders:
            return self._reject(record, "21606", sender=sender), []
        variables: tuple[str, ...] = ()
        if content_sid:
            if not CONTENT_SID.match(content_sid) or (
                self.content_sids is not None and content_sid not in self.content_sids
            ):
                return self._reject(record, "21655"), []
            raw_variables = form.get("ContentVariables")
            if raw_variables is not None:
                try:
                    parsed = json.loads(raw_variables)
                except ValueError:
                    parsed = None
                if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
                    return self._reject(record, "21656"), []
                variables = tuple(parsed[k] for k in sorted(parsed, key=lambda k: (len(k), k)))
        elif not body and not media:
            return self._reject(record, "21602"), []
        if len(body) > MAX_BODY:
            return self._reject(record, "21617"), []
        if "ValidityPeriod" in form:
            try:
                validity = int(form["ValidityPeriod"])
            except ValueError:
                validity = 0
            if not 1 <= validity <= MAX_VALIDITY:
                return self._reject(record, "21624"), []
        planned: str | None = None
        rule = self._take_rule(number)
        if rule is not None and rule.via == "response":
            return self._reject(record, rule.code, to=number, sender=sender), []
        if rule is not None:
            planned = rule.code
        if whatsapp and self.enforce_window and not content_sid and planned is None:
            with self._lock:
                if not self._window_open(number):
                    planned = "63016"
        from_address = sender or ((WHATSAPP if whatsapp else "") + self.pool_sender)
        sid = ("MM" if media else "SM") + secrets.token_hex(16)
        parts = 1 if whatsapp else sms_parts(body)
        item = Accepted(
            id=sid,
            to=e164(number),
            address=to,
            sender=from_address,
            body=body,
            channel="whatsapp" if whatsapp else "sms",
            at=record.at,
            request=record,
            template=content_sid or None,
            variables=variables,
            callback_url=form.get("StatusCallback") or None,
            parts=parts,
            planned_error=planned,
            extra={"messaging_service_sid": service or None, "num_media": len(media)},
        )
        now = formatdate(self.clock())
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}"
        resource = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sender or None,
            "messaging_service_sid": service or None,
            "num_media": str(len(media)),
            "num_segments": "0" if service else str(parts),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if service else "queued",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": to,
            "uri": f"{uri}.json",
        }
        return web.json_response(resource, status=201), [item]

    # -- status callbacks ------------------------------------------------------------------------------

    def status_form(self, sid: str, status: str, error_code: int | str | None = None) -> dict[str, str]:
        """The form Twilio posts for this status of an accepted message."""
        item = self.message(sid)
        whatsapp = item.channel == "whatsapp"
        params: dict[str, str] = {}
        if whatsapp:
            params["ChannelPrefix"] = "whatsapp"
            params["ChannelInstallSid"] = self.channel_install_sid
            params["ChannelToAddress"] = item.to
        params.update(
            ApiVersion=API_VERSION,
            MessageStatus=status,
            SmsSid=sid,
            SmsStatus=status,
            To=item.address,
            MessageSid=sid,
            AccountSid=self.account_sid,
            From=item.sender,
        )
        if item.extra.get("messaging_service_sid"):
            params["MessagingServiceSid"] = str(item.extra["messaging_service_sid"])
        if whatsapp and status in EVENT_TYPES:
            params["EventType"] = EVENT_TYPES[status]
        if error_code is not None and status in ("failed", "undelivered"):
            params["ErrorCode"] = str(error_code)
        if not whatsapp and status in ("delivered", "undelivered"):
            params["RawDlrDoneDate"] = time.strftime("%y%m%d%H%M", time.gmtime(self.clock()))
        return params

    def sequence(
        self,
        sid: str,
        outcome: Outcome | None = None,
        *,
        error_code: int | str | None = None,
    ) -> list[tuple[str, str | None]]:
        """(status, error code) pairs Twilio would post for this message and outcome."""
        item = self.message(sid)
        whatsapp = item.channel == "whatsapp"
        code = str(error_code) if error_code is not None else item.planned_error
        if outcome is None:
            outcome = CALLBACK_ERRORS.get(code, "failed") if code else ("read" if whatsapp else "delivered")
        head = ["queued"] if item.extra.get("messaging_service_sid") else []
        if outcome == "read" and not whatsapp:
            raise ValueError("SMS has no read receipts")
        if outcome == "undelivered":
            code = code or ("63024" if whatsapp else "30003")
            return [(s, None) for s in [*head, "sent"]] + [("undelivered", code)]
        if outcome == "failed":
            code = code or ("63016" if whatsapp else "30008")
            return [(s, None) for s in head] + [("failed", code)]
        tail = {"sent": ["sent"], "delivered": ["sent", "delivered"], "read": ["sent", "delivered", "read"]}
        return [(s, None) for s in [*head, *tail[outcome]]]

    def _outgoing(self, item: Accepted, status: str, error_code: str | None, url: str | None) -> Outgoing:
        signed_url = url or item.callback_url
        if not signed_url:
            raise ValueError(f"message {item.id} has no StatusCallback; pass url=")
        target = self.resolve_url(signed_url)
        params = self.status_form(item.id, status, error_code)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "TwilioProxy/1.1",
            "X-Twilio-Signature": sign(self.auth_token, signed_url, params),
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "X-Home-Region": "us1",
        }
        body = urllib.parse.urlencode(params).encode()
        return Outgoing(item.id, status, target, signed_url, headers, body)

    def _default_outgoing(self, item: Accepted) -> list[Outgoing]:
        return [self._outgoing(item, s, code, None) for s, code in self.sequence(item.id)]

    def emit_statuses(
        self,
        sid: str,
        outcome: Outcome | None = None,
        *,
        statuses: Sequence[str] | None = None,
        error_code: int | str | None = None,
        shuffle: bool = False,
        repeat: int = 0,
        seed: int = 0,
        url: str | None = None,
    ) -> list[CallbackResult]:
        """Post this message's status callbacks, signed, in order; returns the app's answers.

        `outcome` picks the realistic sequence (default: the planned failure, else delivered for SMS and
        read for WhatsApp); `statuses` gives an explicit list instead; `error_code` goes on failed and
        undelivered. `shuffle`/`repeat` reorder and duplicate (repeats are exact retries: same body and
        I-Twilio-Idempotency-Token). `url` overrides StatusCallback (signed as given, then routed)."""
        item = self.message(sid)
        if statuses is not None:
            code = str(error_code) if error_code is not None else item.planned_error
            pairs = [(s, code if s in ("failed", "undelivered") else None) for s in statuses]
        else:
            pairs = self.sequence(sid, outcome, error_code=error_code)
        outgoing = [self._outgoing(item, s, code, url) for s, code in pairs]
        return self._emit(outgoing, shuffle=shuffle, repeat=repeat, seed=seed)
