"""A fake capcom6 "SMS Gateway for Android" (cloud/private server mode, and the phone's local server),
with signed webhooks, plus builders for inbound sms:received events.

    POST /3rdparty/v1/messages (also /3rdparty/v1/message, and /message, /messages of the local server)
         basic auth; JSON {"id"?, "textMessage": {"text"} | "message", "phoneNumbers": [...], "ttl"?,
         "validUntil"?, "withDeliveryReport"?, "priority"?, "simNumber"?}
         -> 202 message state {"id", "deviceId", "state": "Pending", "isHashed", "isEncrypted",
            "recipients": [{"phoneNumber", "state": "Pending"}], "states": {}}  + Location header
         -> 400 {"message": ...} validation; 401 {"message": "Unauthorized"}; 409 {"message": "duplicate id"}
    GET  /3rdparty/v1/messages/{id}                 the message state as the webhooks moved it
    GET/POST /3rdparty/v1/webhooks, DELETE /3rdparty/v1/webhooks/{id}   (also /webhooks locally)

Webhooks: JSON {"deviceId", "event", "id", "payload", "webhookId"}, X-Timestamp (Unix seconds) and
X-Signature = hex HMAC-SHA256(signing key, raw body + X-Timestamp). Per recipient: sms:sent (with
partsCount), then one sms:delivered per SMS part, or sms:failed with a reason. Timestamps in the payload
are the phone's local time (WIB, +07:00). sms:received's messageId comes from the content: the same text
from the same sender gets the same messageId (it is not unique); the event "id" is.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal

import phonenumbers
from aiohttp import web

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
    nanoid,
    sms_parts,
)

DEFAULT_USERNAME = "SMSGATE"
DEFAULT_PASSWORD = "smsgate-test-password"
DEFAULT_SIGNING_KEY = "smsgate-test-signing-key"
DEFAULT_DEVICE_ID = "ffffffffceb0b1db0000018e937c815b"
DEFAULT_DEVICE_PHONE = "+6281200000000"
WIB = timezone(timedelta(hours=7))
EVENTS = frozenset(
    {"sms:received", "sms:sent", "sms:delivered", "sms:failed", "system:ping"}
    | {"mms:received", "mms:downloaded"}
)
SEND_PATHS = ("/3rdparty/v1/messages", "/3rdparty/v1/message", "/messages", "/message")
GENERIC_FAILURE = "RESULT_ERROR_GENERIC_FAILURE"

Outcome = Literal["delivered", "sent", "failed"]
Event = Literal["sms:sent", "sms:delivered", "sms:failed"]


def field_error(field: str, tag: str, struct: str = "Message") -> str:
    """A validation message as the server's validator words it."""
    leaf = field.rsplit(".", 1)[-1]
    return f"Key: '{struct}.{field}' Error:Field validation for '{leaf}' failed on the '{tag}' tag"


def gson_json(payload: object) -> bytes:
    """Serialise as the Android app (Gson) does: compact, UTF-8, with < > & = ' escaped as \\u00XX."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    for ch in "<>&='":
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text.encode()


def sign(signing_key: str, body: bytes, timestamp: str) -> str:
    """X-Signature: hex HMAC-SHA256(signing key, raw body + X-Timestamp)."""
    return hmac.new(signing_key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


def signed(
    event: Mapping[str, Any],
    signing_key: str = DEFAULT_SIGNING_KEY,
    *,
    timestamp: int | None = None,
    skew: float = 0,
) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers the app would post for this event (for TestClient posts); `skew` shifts
    X-Timestamp (the receiver should refuse beyond 5 minutes)."""
    body = gson_json(event)
    stamp = str(timestamp if timestamp is not None else int(time.time() + skew))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Ktor client",
        "X-Timestamp": stamp,
        "X-Signature": sign(signing_key, body, stamp),
    }
    return body, headers


def local_time(at: datetime | None = None) -> str:
    """A payload timestamp as the phone writes it: local time with offset, milliseconds."""
    return (at or datetime.now(WIB)).astimezone(WIB).isoformat(timespec="milliseconds")


def received_event(
    sender: str,
    text: str,
    *,
    device_id: str = DEFAULT_DEVICE_ID,
    webhook_id: str | None = None,
    recipient: str | None = DEFAULT_DEVICE_PHONE,
    sim_number: int | None = 1,
    received_at: datetime | None = None,
    message_id: str | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """An sms:received event; `sender` exactly as the phone reports it (0812..., 62812..., +62812...)."""
    payload: dict[str, Any] = {
        "messageId": message_id or hashlib.sha256(f"{sender}\n{text}".encode()).hexdigest()[:16],
        "message": text,
        "phoneNumber": sender,
        "sender": sender,
        "recipient": recipient,
        "simNumber": sim_number,
        "receivedAt": local_time(received_at),
    }
    return {
        "deviceId": device_id,
        "event": "sms:received",
        "id": event_id or nanoid(),
        "payload": payload,
        "webhookId": webhook_id or nanoid(),
    }


# --- MMS --------------------------------------------------------------------------------------------
# Shapes from the gateway's docs (android-sms-gateway/docs-web, docs/features/mms.md and
# docs/features/webhooks.md, commit af975373) and the app's source (capcom6/android-sms-gateway, commit
# 0cdc5d86): modules/webhooks/payload/MmsReceivedPayload.kt and MmsDownloadedPayload.kt;
# modules/receiver/ReceiverService.kt gives mms:received the MMS's Message-ID header (or its transaction
# id) as messageId, and mms:downloaded the phone's MMS row id (MmsContentObserver.kt): the two differ.
# MmsContentReader.kt joins the text/plain parts into `body`, leaves the SMIL part out and sends every
# other part as an attachment with its bytes in base64 (NO_WRAP), or data null when it cannot read them.


def mms_received_payload(
    sender: str,
    *,
    message_id: str = "mms_12345abcde",
    transaction_id: str = "T1234567890ABC",
    subject: str | None = None,
    size: int = 125684,
    content_class: str | None = "IMAGE_BASIC",
    recipient: str | None = DEFAULT_DEVICE_PHONE,
    sim_number: int | None = 1,
    received_at: datetime | None = None,
) -> dict[str, Any]:
    """The payload of `mms:received`: the notice that an MMS waits on the phone (no content)."""
    return {
        "messageId": message_id,
        "sender": sender,
        "recipient": recipient,
        "simNumber": sim_number,
        "phoneNumber": sender,  # deprecated, still sent (MessageEventPayload.kt)
        "transactionId": transaction_id,
        "subject": subject,
        "size": size,
        "contentClass": content_class,
        "receivedAt": local_time(received_at),
    }


def mms_attachment(
    data: bytes | None, content_type: str = "image/jpeg", *, part_id: int = 1, name: str | None = "photo.jpg"
) -> dict[str, Any]:
    """One `attachments[]` entry of `mms:downloaded`."""
    return {
        "partId": part_id,
        "contentType": content_type,
        "name": name,
        "size": None if data is None else len(data),
        "data": None if data is None else base64.b64encode(data).decode(),
    }


def mms_downloaded_payload(
    sender: str,
    *,
    message_id: str = "42",
    body: str | None = None,
    subject: str | None = None,
    attachments: Sequence[Mapping[str, Any]] = (),
    recipient: str | None = DEFAULT_DEVICE_PHONE,
    sim_number: int | None = 1,
    received_at: datetime | None = None,
) -> dict[str, Any]:
    """The payload of `mms:downloaded`: the MMS as the phone downloaded it."""
    return {
        "messageId": message_id,
        "sender": sender,
        "recipient": recipient,
        "simNumber": sim_number,
        "phoneNumber": sender,
        "body": body,
        "subject": subject,
        "attachments": [dict(a) for a in attachments],
        "receivedAt": local_time(received_at),
    }


class FakeSmsGate(FakeServer):
    """Fake SMS Gateway for Android server on 127.0.0.1. See the module docstring for the protocol."""

    def __init__(
        self,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        *,
        signing_key: str = DEFAULT_SIGNING_KEY,
        device_id: str = DEFAULT_DEVICE_ID,
        device_phone: str | None = DEFAULT_DEVICE_PHONE,
        webhook_url: str | None = None,
        accept_status: int = 202,
        timestamp_skew: float = 0.0,
        faults: Faults | None = None,
        latency: float = 0.0,
        callback_routes: Mapping[str, str] | None = None,
        auto_callbacks: AutoCallbacks | None = None,
        callback_timeout: float = 10.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """`webhook_url`: where events go when no webhook is registered for them (POST /webhooks
        registers like the real API); `accept_status`: 202 (201 for old versions); `timestamp_skew`:
        seconds added to X-Timestamp (test the 5-minute rule)."""
        super().__init__(
            faults=faults,
            latency=latency,
            callback_routes=callback_routes,
            auto_callbacks=auto_callbacks,
            callback_timeout=callback_timeout,
            clock=clock,
        )
        self.username = username
        self.password = password
        self.signing_key = signing_key
        self.device_id = device_id
        self.device_phone = device_phone
        self.webhook_url = webhook_url
        self.accept_status = accept_status
        self.timestamp_skew = timestamp_skew
        self._webhooks: list[dict[str, str]] = []
        self._states: dict[str, dict[str, Any]] = {}
        self._start()

    @property
    def api_url(self) -> str:
        """The cloud/private server's send URL."""
        return self.url + "/3rdparty/v1/messages"

    def _routes(self, app: web.Application) -> None:
        for path in SEND_PATHS:
            app.router.add_post(path, self._send)
            app.router.add_get(path + "/{id}", self._get_state)
        for base in ("/3rdparty/v1/webhooks", "/webhooks"):
            app.router.add_get(base, self._list_webhooks)
            app.router.add_post(base, self._add_webhook)
            app.router.add_delete(base + "/{id}", self._delete_webhook)
        app.router.add_route("*", "/{tail:.*}", self._unknown)

    async def _unknown(self, request: web.Request) -> web.Response:
        record = await self._record(request)
        return self._answer(
            record, web.Response(status=404, text=f"Cannot {request.method} {request.path}"), "not_found"
        )

    def _default_via(self, code: str) -> Literal["response", "callback"]:
        return "callback"  # the phone reports failures in sms:failed; via="response" gives a 400 instead

    # -- auth and errors -------------------------------------------------------------------------------

    def _authorize(self, request: web.Request, record: RecordedRequest) -> web.Response | None:
        credentials = basic_credentials(request.headers.get("Authorization", ""))
        if credentials != (self.username, self.password):
            record.outcome = "unauthorized"
            return web.json_response({"message": "Unauthorized"}, status=401)
        return None

    def _fault_response(self, kind: Literal["500", "429"]) -> web.Response:
        if kind == "500":
            return web.json_response({"message": "failed to handle request"}, status=500)
        return web.Response(status=429, text="Too Many Requests")

    @staticmethod
    def _bad(record: RecordedRequest, message: str, status: int = 400) -> web.Response:
        record.outcome = f"rejected:{status}"
        return web.json_response({"message": message}, status=status)

    async def _authorized(self, request: web.Request) -> tuple[RecordedRequest, web.Response | None]:
        record = await self._record(request)
        denied = self._authorize(request, record)
        if denied is not None:
            record.status = denied.status
        return record, denied

    # -- send ------------------------------------------------------------------------------------------

    def _process(self, request: web.Request, record: RecordedRequest) -> tuple[web.Response, list[Accepted]]:
        data = record.body
        if not isinstance(data, dict):
            return self._bad(record, "failed to parse request body: expected a JSON object"), []
        message_id = data.get("id")
        if message_id is not None and (not isinstance(message_id, str) or len(message_id) > 36):
            return self._bad(record, field_error("ID", "max")), []
        text_message = data.get("textMessage")
        legacy = data.get("message")
        contents = [c for c in (text_message, legacy, data.get("dataMessage")) if c]
        if len(contents) > 1:
            return self._bad(
                record, "conflict fields: must specify exactly one of: textMessage or dataMessage"
            ), []
        if not contents:
            return self._bad(
                record, "validation failed: must specify exactly one of: textMessage or dataMessage"
            ), []
        if text_message is not None:
            if (
                not isinstance(text_message, dict)
                or not isinstance(text_message.get("text"), str)
                or not text_message["text"]
            ):
                return self._bad(
                    record,
                    field_error("TextMessage.Text", "required"),
                ), []
            text = text_message["text"]
        elif isinstance(legacy, str):
            text = legacy
        else:
            return self._bad(record, "data messages are not supported by this fake"), []
        phones = data.get("phoneNumbers")
        if not isinstance(phones, list) or not phones or not all(isinstance(p, str) and p for p in phones):
            return self._bad(
                record,
                field_error("PhoneNumbers", "required"),
            ), []
        if len(phones) > 100:
            return self._bad(
                record,
                field_error("PhoneNumbers", "max"),
            ), []
        ttl = data.get("ttl")
        if ttl is not None and (not isinstance(ttl, int) or ttl < 5):
            return self._bad(record, field_error("TTL", "min")), []
        if ttl is not None and data.get("validUntil") is not None:
            return self._bad(record, "conflict fields: ttl and validUntil"), []
        sim = data.get("simNumber")
        if sim is not None and (not isinstance(sim, int) or not 1 <= sim <= 3):
            return self._bad(
                record,
                field_error("SimNumber", "max"),
            ), []
        priority = data.get("priority", 0)
        if not isinstance(priority, int) or not -128 <= priority <= 127:
            return self._bad(
                record,
                field_error("Priority", "max"),
            ), []
        skip_validation = record.query.get("skipPhoneValidation", "").lower() == "true" or bool(
            data.get("isEncrypted")
        )
        numbers: list[str] = []
        for row, phone in enumerate(phones, 1):
            if skip_validation:
                numbers.append(phone)
                continue
            problem, number = self._clean_phone(phone)
            if problem:
                return self._bad(record, f"can't use phone in row {row}: {problem}"), []
            numbers.append(number)
        for row, number in enumerate(numbers, 1):
            rule = self._peek_rule(number)
            if rule is not None and rule.via == "response":
                self._take_rule(number)
                return self._bad(record, f"can't use phone in row {row}: {rule.code}"), []
        with self._lock:
            message_id = message_id or nanoid()
            if message_id in self._states:
                return self._bad(record, "duplicate id", status=409), []
            state = {
                "id": message_id,
                "deviceId": self.device_id,
                "state": "Pending",
                "isHashed": False,
                "isEncrypted": bool(data.get("isEncrypted")),
                "recipients": [{"phoneNumber": n, "state": "Pending"} for n in numbers],
                "states": {},
            }
            self._states[message_id] = state
            response_body = json.loads(json.dumps(state))
        parts = sms_parts(text)
        items: list[Accepted] = []
        for number, raw in zip(numbers, phones, strict=True):
            rule = self._take_rule(number)
            items.append(
                Accepted(
                    id=message_id,
                    to=e164(number),
                    address=raw,
                    sender=self.device_id,
                    body=text,
                    channel="sms",
                    at=record.at,
                    request=record,
                    parts=parts,
                    planned_error=rule.code if rule else None,
                    extra={
                        "phone_number": number,
                        "sim_number": sim if sim is not None else 1,
                        "with_delivery_report": data.get("withDeliveryReport", True) is not False,
                        "ttl": ttl,
                        "priority": priority,
                    },
                )
            )
        location = f"{request.path.rstrip('/')}/{message_id}"
        return web.json_response(
            response_body, status=self.accept_status, headers={"Location": location}
        ), items

    @staticmethod
    def _clean_phone(phone: str) -> tuple[str | None, str]:
        try:
            parsed = phonenumbers.parse(phone, None)
        except phonenumbers.NumberParseException:
            return "can't parse phone number: invalid country code", phone
        if not phonenumbers.is_valid_number(parsed):
            return "invalid phone number", phone
        kind = phonenumbers.number_type(parsed)
        if kind not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            return "not mobile phone number", phone
        return None, str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))

    async def _get_state(self, request: web.Request) -> web.Response:
        record, denied = await self._authorized(request)
        if denied is not None:
            return denied
        with self._lock:
            state = self._states.get(request.match_info["id"])
            body = json.loads(json.dumps(state)) if state is not None else None
        if body is None:
            return self._answer(
                record, web.json_response({"message": "message not found"}, status=404), "not_found"
            )
        return self._answer(record, web.json_response(body), "state")

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def reset(self) -> None:
        """Also forget message ids (so they can be used again) and registered webhooks."""
        super().reset()
        with self._lock:
            self._states.clear()
            self._webhooks.clear()

    def message_state(self, message_id: str) -> dict[str, Any]:
        """The message state the API would return now (moved by the webhooks emitted so far)."""
        with self._lock:
            state = self._states[message_id]
            result: dict[str, Any] = json.loads(json.dumps(state))
            return result

    # -- webhook registrations -------------------------------------------------------------------------

    async def _list_webhooks(self, request: web.Request) -> web.Response:
        record, denied = await self._authorized(request)
        if denied is not None:
            return denied
        return self._answer(record, web.json_response(self.webhooks), "webhooks")

    async def _add_webhook(self, request: web.Request) -> web.Response:
        record, denied = await self._authorized(request)
        if denied is not None:
            return denied
        data = record.body if isinstance(record.body, dict) else {}
        url, event = data.get("url"), data.get("event")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            message = field_error("URL", "required", "Webhook")
            return self._answer(record, self._bad(record, message), "rejected:400")
        if event not in EVENTS:
            return self._answer(record, self._bad(record, f"invalid event type: {event}"), "rejected:400")
        hook_id = data.get("id") if isinstance(data.get("id"), str) and data.get("id") else nanoid()
        hook = {"id": str(hook_id), "url": url, "event": str(event), "deviceId": self.device_id}
        with self._lock:
            self._webhooks = [h for h in self._webhooks if h["id"] != hook["id"]] + [hook]
        return self._answer(record, web.json_response(hook, status=201), "webhook_registered")

    async def _delete_webhook(self, request: web.Request) -> web.Response:
        record, denied = await self._authorized(request)
        if denied is not None:
            return denied
        with self._lock:
            self._webhooks = [h for h in self._webhooks if h["id"] != request.match_info["id"]]
        return self._answer(record, web.Response(status=204), "webhook_deleted")

    @property
    def webhooks(self) -> list[dict[str, str]]:
        """Registered webhooks: [{"id", "url", "event", "deviceId"}]."""
        with self._lock:
            return [dict(h) for h in self._webhooks]

    def register_webhook(self, url: str, event: str) -> str:
        """Register a webhook directly (as POST /webhooks would); returns its id."""
        if event not in EVENTS:
            raise ValueError(f"unknown event {event!r}")
        hook = {"id": nanoid(), "url": url, "event": event, "deviceId": self.device_id}
        with self._lock:
            self._webhooks.append(hook)
        return hook["id"]

    def _targets(self, event: str, url: str | None) -> list[tuple[str, str]]:
        """(webhook id, URL) pairs an event goes to."""
        if url is not None:
            return [(nanoid(), url)]
        with self._lock:
            hooks = [(h["id"], h["url"]) for h in self._webhooks if h["event"] == event]
        if hooks:
            return hooks
        if self.webhook_url:
            return [("default-" + event.replace(":", "-"), self.webhook_url)]
        raise ValueError(f"no webhook for {event}: register one, set fake.webhook_url, or pass url=")

    # -- webhooks --------------------------------------------------------------------------------------

    def _outgoing_for(
        self, event: Mapping[str, Any], url: str, message_id: str | None, skew: float | None
    ) -> Outgoing:
        target = self.resolve_url(url)
        shift = self.timestamp_skew if skew is None else skew
        body, headers = signed(event, self.signing_key, timestamp=int(self.clock() + shift))
        return Outgoing(message_id, str(event["event"]), target, url, headers, body)

    def status_payload(self, item: Accepted, event: Event, reason: str | None = None) -> dict[str, Any]:
        """The payload of an outbound event for one recipient of a message."""
        number = str(item.extra.get("phone_number", item.to))
        payload: dict[str, Any] = {
            "messageId": item.id,
            "phoneNumber": number,
            "sender": self.device_phone,
            "recipient": number,
            "simNumber": item.extra.get("sim_number", 1),
        }
        if event == "sms:sent":
            payload["partsCount"] = item.parts
            payload["sentAt"] = local_time(self._now())
        elif event == "sms:delivered":
            payload["deliveredAt"] = local_time(self._now())
        else:
            payload["failedAt"] = local_time(self._now())
            payload["reason"] = reason or item.planned_error or GENERIC_FAILURE
        return payload

    def sequence(self, item: Accepted, outcome: Outcome | None = None) -> list[Event]:
        """The events the phone would report for one recipient."""
        if outcome is None:
            outcome = "failed" if item.planned_error else "delivered"
        if outcome == "failed":
            return ["sms:failed"]
        events: list[Event] = ["sms:sent"]
        if outcome == "delivered" and item.extra.get("with_delivery_report", True):
            events += ["sms:delivered"] * item.parts
        return events

    def _build(
        self, item: Accepted, events: Sequence[Event], reason: str | None, url: str | None, skew: float | None
    ) -> list[Outgoing]:
        outgoing: list[Outgoing] = []
        for event in events:
            payload = self.status_payload(item, event, reason)
            for hook_id, hook_url in self._targets(event, url):
                envelope = {
                    "deviceId": self.device_id,
                    "event": event,
                    "id": nanoid(),
                    "payload": payload,
                    "webhookId": hook_id,
                }
                outgoing.append(self._outgoing_for(envelope, hook_url, item.id, skew))
            self._advance(item, event, reason)
        return outgoing

    def _advance(self, item: Accepted, event: Event, reason: str | None) -> None:
        """Move the stored message state as the phone's report would."""
        new = {"sms:sent": "Sent", "sms:delivered": "Delivered", "sms:failed": "Failed"}[event]
        order = {"Pending": 0, "Processed": 1, "Sent": 2, "Delivered": 3, "Failed": 4}
        with self._lock:
            state = self._states.get(item.id)
            if state is None:
                return
            number = str(item.extra.get("phone_number", item.to))
            for recipient in state["recipients"]:
                if recipient["phoneNumber"] == number and order[new] > order[recipient["state"]]:
                    recipient["state"] = new
                    if new == "Failed":
                        recipient["error"] = reason or item.planned_error or GENERIC_FAILURE
            state["states"][new] = self._now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
            states = [r["state"] for r in state["recipients"]]
            if any(s == "Pending" for s in states):
                state["state"] = "Pending"
            elif all(s == "Delivered" for s in states):
                state["state"] = "Delivered"
            elif all(s == "Failed" for s in states):
                state["state"] = "Failed"
            else:
                state["state"] = "Sent"

    def _default_outgoing(self, item: Accepted) -> list[Outgoing]:
        return self._build(item, self.sequence(item), None, None, None)

    def emit_statuses(
        self,
        message_id: str,
        outcome: Outcome | None = None,
        *,
        phone: str | None = None,
        events: Sequence[Event] | None = None,
        reason: str | None = None,
        shuffle: bool = False,
        repeat: int = 0,
        seed: int = 0,
        url: str | None = None,
        skew: float | None = None,
    ) -> list[CallbackResult]:
        """Post this message's webhooks for each recipient (or only `phone`), signed, in order; returns
        the app's answers. `outcome`: delivered (default: sent + one delivered per part), sent, failed
        (default when a failure is planned); `events` an explicit list; `reason` for sms:failed;
        `skew` shifts X-Timestamp. Posts go to the webhooks registered for each event (or `url`)."""
        items = self._messages(message_id)
        if phone is not None:
            items = [i for i in items if i.to == e164(phone)]
            if not items:
                raise KeyError(f"message {message_id!r} has no recipient {phone!r}")
        outgoing: list[Outgoing] = []
        for item in items:
            wanted = list(events) if events is not None else self.sequence(item, outcome)
            outgoing += self._build(item, wanted, reason, url, skew)
        return self._emit(outgoing, shuffle=shuffle, repeat=repeat, seed=seed)

    def post_webhook(
        self, event: Mapping[str, Any], *, url: str | None = None, skew: float | None = None
    ) -> list[CallbackResult]:
        """Sign and post an event as it is (see received_event) to its registered webhooks (or `url`)."""
        outgoing = [
            self._outgoing_for(
                {**event, "webhookId": hook_id} if url is None else event, hook_url, None, skew
            )
            for hook_id, hook_url in self._targets(str(event["event"]), url)
        ]
        return self._emit(outgoing, shuffle=False, repeat=0, seed=0)

    def post_received(
        self,
        sender: str,
        text: str,
        *,
        sim_number: int | None = 1,
        received_at: datetime | None = None,
        url: str | None = None,
        skew: float | None = None,
    ) -> list[CallbackResult]:
        """An SMS from `sender` (national format welcome: 0812..., 62812...) arrives at the phone."""
        event = received_event(
            sender,
            text,
            device_id=self.device_id,
            recipient=self.device_phone,
            sim_number=sim_number,
            received_at=received_at or self._now(),
        )
        return self.post_webhook(event, url=url, skew=skew)
