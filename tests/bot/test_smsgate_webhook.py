"""POST /webhooks/smsgate: signatures and timestamps, residents' SMS, delivery reports, odd events."""

import base64
import logging
import re
from collections.abc import Callable, Mapping
from datetime import timedelta

import httpx
import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot.app import create_app
from bot.db import transaction
from bot.providers.smsgate import parse as smsgate
from bot.providers.smsgate import verify as smsgate_verify
from broadcasts import reports
from broadcasts.channel import StatusUpdate
from models import (
    Channel,
    ConsentEvent,
    ContactIdentity,
    DeliveryStatus,
    FailureReason,
    Lane,
    Outbox,
    OutboxSource,
    Ticket,
)
from models.base import fits_id, id_from_text
from tests.conftest import T0, Clock, make_settings
from tests.factories import handed_over_row, inbound_messages, outbox_rows, tickets
from tests.fakes.smsgate import mms_attachment, mms_downloaded_payload, mms_received_payload
from tests.providers import (
    SMSGATE_DEVICE,
    smsgate_event,
    smsgate_received,
    smsgate_signature,
    smsgate_status,
)

PATH = "/webhooks/smsgate"
SIGNING_KEY = "gateway-signing-key-for-tests"


@pytest.fixture
def app(db_url: str, engine: Engine, clock: Clock, demo: None) -> FastAPI:
    settings = make_settings(db_url, smsgate_signing_key=SIGNING_KEY)
    return create_app(settings, engine=engine, clock=clock)


def post(
    client: TestClient,
    event: Mapping[str, object],
    clock: Clock,
    key: str = SIGNING_KEY,
    skew: timedelta = timedelta(0),
) -> httpx.Response:
    """POST the event as the gateway does: JSON, X-Timestamp in Unix seconds, X-Signature over body + it."""
    body = orjson.dumps(event)
    timestamp = str(int((clock.now + skew).timestamp()))
    headers = {
        "Content-Type": "application/json",
        "X-Timestamp": timestamp,
        "X-Signature": smsgate_signature(key, body, timestamp),
    }
    response: httpx.Response = client.post(PATH, content=body, headers=headers)
    return response


def sent_row(engine: Engine, phone: str = "+6281234500001") -> int:
    """An outbox row handed to the gateway under its own id, as the dispatcher writes it."""
    row_id = handed_over_row(
        engine, channel=Channel.SMSGATE, sender=SMSGATE_DEVICE, phone=phone, provider_id=None
    )
    with transaction(engine) as session:
        session.execute(update(Outbox).where(col(Outbox.id) == row_id).values(provider_id=str(row_id)))
    return row_id


def row(engine: Engine, row_id: int) -> Outbox:
    with Session(engine) as session:
        found = session.get(Outbox, row_id)
    assert found is not None
    return found


# --- signatures ---------------------------------------------------------------------------------


def test_signature_is_hmac_of_body_then_timestamp() -> None:
    body = b'{"event":"sms:received"}'
    # The gateway docs' Python check: hmac.new(key, (payload + timestamp).encode(), sha256).hexdigest()
    vector = "32b5ef9f559a83c74646b4261d768854fae1b26d2f8b81ef7a3b1c90ef5af163"
    assert smsgate_signature("key", body, "1796180400") == vector
    assert smsgate_verify.signature_is_valid("key", body, "1796180400", vector)
    assert smsgate_verify.signature_is_valid("key", body, "1796180400", vector.upper())
    assert not smsgate_verify.signature_is_valid("key", body, "1796180401", vector)
    assert not smsgate_verify.signature_is_valid("key", body + b" ", "1796180400", vector)
    assert not smsgate_verify.signature_is_valid("other", body, "1796180400", vector)
    assert not smsgate_verify.signature_is_valid("", body, "1796180400", vector)
    assert not smsgate_verify.signature_is_valid("key", body, "1796180400", "é" + vector[1:])


@pytest.mark.parametrize(
    "sign",
    [
        pytest.param(lambda body, ts: None, id="missing"),
        pytest.param(lambda body, ts: "0" * 64, id="forged"),
        pytest.param(lambda body, ts: smsgate_signature("other-key", body, ts), id="wrong-key"),
        pytest.param(
            lambda body, ts: smsgate_signature(SIGNING_KEY, body, str(int(ts) - 1)), id="other-timestamp"
        ),
        pytest.param(lambda body, ts: smsgate_signature(SIGNING_KEY, body, ""), id="body-only"),
    ],
)
def test_bad_signatures_are_403_and_store_nothing(
    client: TestClient, engine: Engine, clock: Clock, sign: Callable[[bytes, str], str | None]
) -> None:
    body = orjson.dumps(smsgate_event("sms:received", smsgate_received("jalan rusak parah")))
    timestamp = str(int(clock.now.timestamp()))
    headers = {"Content-Type": "application/json", "X-Timestamp": timestamp}
    signature = sign(body, timestamp)
    if signature is not None:
        headers["X-Signature"] = signature
    response = client.post(PATH, content=body, headers=headers)
    assert response.status_code == 403
    assert "X-Signature" in response.json()["detail"]
    assert inbound_messages(engine) == []


def test_missing_or_unreadable_timestamp_is_403(client: TestClient, engine: Engine) -> None:
    body = orjson.dumps(smsgate_event("sms:received", smsgate_received("MENU")))
    for timestamp in ("", "yesterday", "1.7e9", "99999999999999999999"):
        headers = {"X-Timestamp": timestamp, "X-Signature": smsgate_signature(SIGNING_KEY, body, timestamp)}
        response = client.post(PATH, content=body, headers=headers)
        assert response.status_code == 403, timestamp
    assert inbound_messages(engine) == []


@pytest.mark.parametrize(
    ("skew", "status"),
    [
        pytest.param(timedelta(minutes=-6), 403, id="six-minutes-old"),
        pytest.param(timedelta(hours=-3), 403, id="replayed-later"),
        pytest.param(timedelta(minutes=6), 403, id="six-minutes-ahead"),
        pytest.param(timedelta(minutes=-4), 200, id="four-minutes-old"),
        pytest.param(timedelta(minutes=4), 200, id="four-minutes-ahead"),
    ],
)
def test_x_timestamp_must_be_within_five_minutes(
    client: TestClient, engine: Engine, clock: Clock, skew: timedelta, status: int
) -> None:
    response = post(client, smsgate_event("sms:received", smsgate_received("MENU")), clock, skew=skew)
    assert response.status_code == status
    assert len(inbound_messages(engine)) == (1 if status == 200 else 0)
    if status == 403:
        assert "X-Timestamp" in response.json()["detail"]


def test_the_app_clock_decides_freshness(client: TestClient, engine: Engine, clock: Clock) -> None:
    event = smsgate_event("sms:received", smsgate_received("MENU"))
    body = orjson.dumps(event)
    timestamp = str(int(clock.now.timestamp()))
    headers = {"X-Timestamp": timestamp, "X-Signature": smsgate_signature(SIGNING_KEY, body, timestamp)}
    clock.advance(minutes=10)  # the same signed request, ten minutes later: a replay
    assert client.post(PATH, content=body, headers=headers).status_code == 403
    assert inbound_messages(engine) == []


def test_without_a_signing_key_every_post_is_403(
    db_url: str, engine: Engine, clock: Clock, demo: None
) -> None:
    app = create_app(make_settings(db_url), engine=engine, clock=clock)
    with TestClient(app) as client:
        event = smsgate_event("sms:received", smsgate_received("MENU"))
        assert post(client, event, clock, key="").status_code == 403
        assert post(client, event, clock).status_code == 403
    assert inbound_messages(engine) == []


# --- residents' SMS ---------------------------------------------------------------------------


def test_complaint_opens_a_ticket_and_queues_the_reply(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    event = smsgate_event(
        "sms:received", smsgate_received("lampu jalan di RT 3 mati sdh seminggu", sender="081234500099")
    )
    response = post(client, event, clock)
    assert response.status_code == 200
    assert response.json()["messages"] == 1
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.channel == Channel.SMSGATE
    assert ticket.category == "infrastruktur"
    [message] = inbound_messages(engine)
    assert message.sender == "+6281234500099"
    assert message.recipient == SMSGATE_DEVICE
    [reply] = outbox_rows(engine)
    assert reply.status == DeliveryStatus.QUEUED
    assert reply.lane == Lane.URGENT
    assert reply.source == OutboxSource.REPLY
    assert reply.channel == Channel.SMSGATE
    assert reply.sender == SMSGATE_DEVICE
    assert reply.recipient == "+6281234500099"
    assert reply.encoding == "GSM-7"
    assert re.search(rf"\b{ticket.code}\b", reply.body)


@pytest.mark.parametrize(
    ("sender", "stored"),
    [
        pytest.param("081234500099", "+6281234500099", id="national"),
        pytest.param("6281234500099", "+6281234500099", id="62-without-plus"),
        pytest.param("+6281234500099", "+6281234500099", id="e164"),
        pytest.param("0812-3450-0099", "+6281234500099", id="dashes"),
        pytest.param("TELKOMSEL", "TELKOMSEL", id="operator-name-kept"),
        pytest.param("3636", "3636", id="short-code-kept"),
        # Senders that carry a country code keep it (the gateway docs' own example is "6505551212").
        pytest.param("+16505551212", "+16505551212", id="us-e164"),
        pytest.param("16505551212", "+16505551212", id="us-without-plus"),
        pytest.param("+1 (650) 555-1212", "+16505551212", id="us-written"),
        pytest.param("447911123456", "+447911123456", id="uk-without-plus"),
        pytest.param("00447911123456", "+447911123456", id="uk-with-00"),
        pytest.param("6505551212", "6505551212", id="no-country-code-kept"),  # was +626505551212
        pytest.param("unknown", "unknown", id="unknown-kept"),  # MmsContentReader.kt's placeholder
    ],
)
def test_senders_are_normalised_or_kept(
    client: TestClient, engine: Engine, clock: Clock, sender: str, stored: str
) -> None:
    response = post(client, smsgate_event("sms:received", smsgate_received("MENU", sender=sender)), clock)
    assert response.status_code == 200
    [message] = inbound_messages(engine)
    assert message.sender == stored
    # A sender kept as it came is stored and never answered; a number is.
    assert (message.note == "unreachable_sender") == (not stored.startswith("+"))
    assert len(outbox_rows(engine)) == (1 if stored.startswith("+") else 0)


def test_old_app_versions_send_phone_number_and_no_message_id(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    payload = {
        "message": "MENU",
        "phoneNumber": "081234500099",
        "receivedAt": "2026-12-02T10:00:00.000+07:00",
    }
    event = smsgate_event("sms:received", payload, event_id="Ey6ECgOkVVFjz3CL48B8C")
    assert post(client, event, clock).status_code == 200
    assert post(client, event, clock).status_code == 200  # the same event retried
    [message] = inbound_messages(engine)
    assert message.sender == "+6281234500099"
    assert message.provider_id == "Ey6ECgOkVVFjz3CL48B8C"


def test_a_retried_event_is_one_message(client: TestClient, engine: Engine, clock: Clock) -> None:
    event = smsgate_event("sms:received", smsgate_received("got depan SD mampet", sender="081234500099"))
    first = post(client, event, clock)
    clock.advance(seconds=10)
    retry = post(client, event, clock)
    assert (first.json()["messages"], retry.json()["duplicates"]) == (1, 1)
    assert len(inbound_messages(engine)) == 1
    assert len(outbox_rows(engine)) == 1


def test_two_sms_sharing_the_gateways_hash_id_are_both_kept(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    # The gateway's messageId is a 32-bit hash of the SMS: two different messages may share it.
    first = smsgate_received("DAFTAR", sender="081234500098", message_id="5d1e2f3a")
    second = smsgate_received("MENU", sender="081234500099", message_id="5d1e2f3a")
    assert post(client, smsgate_event("sms:received", first), clock).json()["messages"] == 1
    assert post(client, smsgate_event("sms:received", second), clock).json()["messages"] == 1
    senders = [m.sender for m in inbound_messages(engine)]
    assert senders == ["+6281234500098", "+6281234500099"]
    assert all(m.provider_id and m.provider_id.startswith("5d1e2f3a-") for m in inbound_messages(engine))


def test_unknown_device_is_200_and_stores_nothing(client: TestClient, engine: Engine, clock: Clock) -> None:
    event = smsgate_event(
        "sms:received", smsgate_received("jalan rusak", sender="081234500099"), device_id="lost-phone"
    )
    response = post(client, event, clock)
    assert response.status_code == 200
    assert response.json()["skipped"] == 1
    assert inbound_messages(engine) == []
    assert outbox_rows(engine) == []
    with Session(engine) as session:
        assert (
            session.exec(select(ContactIdentity).where(ContactIdentity.value == "+6281234500099")).first()
            is None
        )


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(smsgate_event("system:ping", {"health": {"status": "pass"}}), id="ping"),
        pytest.param(smsgate_event("sms:data-received", {"messageId": "1", "data": "AAE="}), id="data-sms"),
        pytest.param(smsgate_event("app:started", {"simCards": []}), id="app-started"),
    ],
)
def test_events_we_do_not_act_on_are_200(
    client: TestClient, engine: Engine, clock: Clock, event: dict[str, object]
) -> None:
    response = post(client, event, clock)
    assert response.status_code == 200
    assert response.json()["skipped"] == 1
    assert inbound_messages(engine) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b'{"event": "sms:received", "deviceId": ', "not JSON", id="truncated"),
        pytest.param(b'"sms:received"', "JSON object", id="string"),
        pytest.param(b'{"deviceId": "demo-phone", "payload": {}}', "event", id="no-event"),
        pytest.param(
            b'{"event": "sms:received", "deviceId": "demo-phone", "payload": []}', "payload", id="no-payload"
        ),
        pytest.param(
            b'{"event": "sms:received", "deviceId": "demo-phone", "payload": {"message": "x"}}',
            "sender",
            id="no-sender",
        ),
    ],
)
def test_malformed_bodies_are_400_after_the_signature(
    client: TestClient, engine: Engine, clock: Clock, body: bytes, reason: str
) -> None:
    timestamp = str(int(clock.now.timestamp()))
    headers = {"X-Timestamp": timestamp, "X-Signature": smsgate_signature(SIGNING_KEY, body, timestamp)}
    response = client.post(PATH, content=body, headers={"Content-Type": "application/json", **headers})
    assert response.status_code == 400
    assert reason in response.json()["detail"]
    forged = client.post(PATH, content=body, headers={**headers, "X-Signature": "0" * 64})
    assert forged.status_code == 403


# --- delivery reports ---------------------------------------------------------------------------


def test_reports_move_a_row_forward_and_never_back(client: TestClient, engine: Engine, clock: Clock) -> None:
    row_id = sent_row(engine)

    def report(event: str, reason: str | None = None) -> dict[str, int]:
        response = post(
            client, smsgate_event(event, smsgate_status(event, str(row_id), reason=reason)), clock
        )
        assert response.status_code == 200
        body: dict[str, int] = response.json()
        return body

    assert report("sms:sent")["applied"] == 1
    assert row(engine, row_id).status == DeliveryStatus.SENT
    assert report("sms:delivered")["applied"] == 1
    assert report("sms:delivered")["ignored"] == 1  # one report per SMS part
    assert report("sms:sent")["ignored"] == 1  # late
    assert report("sms:failed", reason="RESULT_ERROR_GENERIC_FAILURE")["ignored"] == 1
    current = row(engine, row_id)
    assert current.status == DeliveryStatus.DELIVERED
    assert current.delivered_at is not None
    assert current.delivered_at.isoformat() == "2026-12-02T03:00:05+00:00"  # the device's +07:00, in UTC
    assert current.error_code is None


def test_failure_keeps_the_reason(client: TestClient, engine: Engine, clock: Clock) -> None:
    row_id = sent_row(engine)
    event = smsgate_event(
        "sms:failed", smsgate_status("sms:failed", str(row_id), reason="RESULT_ERROR_NO_SERVICE")
    )
    assert post(client, event, clock).json()["applied"] == 1
    current = row(engine, row_id)
    assert current.status == DeliveryStatus.FAILED
    assert current.error_code == "RESULT_ERROR_NO_"  # 16 characters
    assert current.failure_reason == FailureReason.PROVIDER
    with Session(engine) as session:
        assert (
            session.exec(select(ConsentEvent).where(ConsentEvent.source == "provider_opt_out")).first()
            is None
        )


@pytest.mark.parametrize(
    "message_id",
    [
        "abc123",
        "",
        "٣",
        "12a",
        "2147483648",  # one past the id column (32-bit on PostgreSQL)
        "3000000000",
        "99999999999999999999",  # 20 digits: OverflowError on SQLite
        "9" * 40,
        "0",
        "01",  # we never write our ids with a leading zero
        "-1",
    ],
)
def test_reports_for_ids_that_are_not_ours_are_200(
    client: TestClient, engine: Engine, clock: Clock, message_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    row_id = sent_row(engine)
    event = smsgate_event("sms:delivered", smsgate_status("sms:delivered", message_id))
    with caplog.at_level(logging.INFO, logger="kentongan.smsgate"):
        response = post(client, event, clock)
    assert response.status_code == 200
    assert response.json()["unknown"] == 1
    assert row(engine, row_id).status == DeliveryStatus.SENDING
    assert any("which is not ours" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("message_id", ["2147483647", "1000000"])
def test_reports_for_ids_in_range_with_no_row_are_200(
    client: TestClient, clock: Clock, message_id: str
) -> None:
    response = post(client, smsgate_event("sms:failed", smsgate_status("sms:failed", message_id)), clock)
    assert response.status_code == 200
    assert response.json()["unknown"] == 1


@pytest.mark.parametrize("outbox_id", [0, -5, 2**31, 3_000_000_000, 10**20, 2**70])
def test_the_recorder_never_looks_up_an_id_out_of_range(engine: Engine, outbox_id: int) -> None:
    """Whatever a channel hands it, the recorder bounds our own ids before they reach a query."""
    update_ = StatusUpdate(channel=Channel.SMSGATE, status=DeliveryStatus.DELIVERED, outbox_id=outbox_id)
    with transaction(engine) as session:
        result = reports.record_statuses(session=session, updates=[update_], now=T0)
    assert (result.applied, result.ignored, result.unknown) == (0, 0, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("2147483647", 2**31 - 1),
        ("2147483648", None),
        ("3000000000", None),
        ("99999999999999999999", None),
        ("0", None),
        ("007", None),
        ("-7", None),
        ("+7", None),
        (" 7", None),
        ("٧", None),
        ("", None),
        (None, None),
    ],
)
def test_an_id_from_outside_is_ours_only_in_the_columns_range(text: str | None, expected: int | None) -> None:
    assert id_from_text(text) == expected
    if expected is not None:
        assert fits_id(expected)
    assert not fits_id(0)
    assert not fits_id(2**31)


def test_reports_for_rows_that_do_not_exist_are_200(client: TestClient, clock: Clock) -> None:
    response = post(client, smsgate_event("sms:sent", smsgate_status("sms:sent", "987654")), clock)
    assert response.status_code == 200
    assert response.json()["unknown"] == 1


def test_reports_from_an_unknown_device_change_nothing(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    row_id = sent_row(engine)
    event = smsgate_event(
        "sms:delivered", smsgate_status("sms:delivered", str(row_id)), device_id="lost-phone"
    )
    response = post(client, event, clock)
    assert response.status_code == 200
    assert response.json()["skipped"] == 1
    assert row(engine, row_id).status == DeliveryStatus.SENDING


# --- MMS: mms:received, then mms:downloaded ---------------------------------------------------------
# Payloads as the gateway's docs (android-sms-gateway/docs-web docs/features/mms.md, commit af975373)
# and the app's source (capcom6/android-sms-gateway, commit 0cdc5d86) send them: tests/fakes/smsgate.py.

PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40 + b"\xff\xd9"  # a small JPEG-ish
RESIDENT = "081234500099"


def mms(kind: str, payload: Mapping[str, object], event_id: str | None = None) -> dict[str, object]:
    return smsgate_event(kind, payload, event_id=event_id)


def decoded(url: str) -> tuple[str, bytes]:
    """The content type and bytes of a data: URL."""
    head, _, data = url.partition(",")
    assert head.startswith("data:"), head
    assert head.endswith(";base64"), head
    return head.removeprefix("data:").removesuffix(";base64"), base64.b64decode(data, validate=True)


def test_an_mms_photo_is_one_message_and_one_ticket_whatever_repeats(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    notice = mms("mms:received", mms_received_payload(RESIDENT, subject="Foto"))
    content = mms(
        "mms:downloaded",
        mms_downloaded_payload(
            RESIDENT,
            body="jalan di RT 3 dusun Krajan berlubang besar",
            subject="Foto",
            attachments=[mms_attachment(PHOTO)],
        ),
    )
    first = post(client, notice, clock)
    assert (first.status_code, first.json()["skipped"]) == (200, 1)
    assert inbound_messages(engine) == []  # the notice: nothing to keep or answer yet
    assert outbox_rows(engine) == []
    second = post(client, content, clock)
    assert (second.status_code, second.json()["messages"]) == (200, 1)
    # The gateway retries each event, and may send the notice after the content.
    assert post(client, notice, clock).json()["skipped"] == 1
    assert post(client, content, clock).json()["duplicates"] == 1
    assert post(client, notice, clock).json()["skipped"] == 1
    [message] = inbound_messages(engine)
    assert message.body == "jalan di RT 3 dusun Krajan berlubang besar"
    assert message.sender == "+6281234500099"
    assert message.provider_id is not None
    assert message.provider_id.startswith("mms-42-")
    [photo] = message.media
    assert photo["content_type"] == "image/jpeg"
    assert decoded(photo["url"]) == ("image/jpeg", PHOTO)
    [ticket] = tickets(engine)
    assert ticket.media == message.media
    assert ticket.category == "infrastruktur"
    [reply] = outbox_rows(engine)
    assert (reply.channel, reply.recipient, reply.lane) == (Channel.SMSGATE, "+6281234500099", Lane.URGENT)
    assert ticket.code in reply.body
    # The stored event says what each attachment was, without its bytes (kept once, in the media).
    [note] = message.raw["payload"]["attachments"]
    assert note == {
        "partId": 1,
        "contentType": "image/jpeg",
        "name": "photo.jpg",
        "size": len(PHOTO),
        "bytes": len(PHOTO),
        "stored": "media",
    }


def test_the_app_gives_the_notice_and_the_content_different_ids(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    """ReceiverService.kt: the notice's messageId is the MMS's Message-ID header (or its transaction id),
    the content's the phone's MMS row id. Still one message."""
    notice = mms_received_payload(RESIDENT, message_id="T1234567890ABC")
    content = mms_downloaded_payload(RESIDENT, message_id="1207", attachments=[mms_attachment(PHOTO)])
    assert post(client, mms("mms:received", notice), clock).json()["skipped"] == 1
    assert post(client, mms("mms:downloaded", content), clock).json()["messages"] == 1
    assert len(inbound_messages(engine)) == 1
    assert len(tickets(engine)) == 1


def test_a_photo_alone_opens_a_ticket_that_asks_for_its_description(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    content = mms_downloaded_payload(RESIDENT, attachments=[mms_attachment(PHOTO, "image/png", name=None)])
    assert post(client, mms("mms:downloaded", content), clock).json()["messages"] == 1
    [ticket] = tickets(engine)
    assert ticket.text == ""
    assert [m["content_type"] for m in ticket.media] == ["image/png"]
    [reply] = outbox_rows(engine)
    assert ticket.code in reply.body
    assert "keterangan" in reply.body  # the photo is taken, the description asked for
    # The description follows by SMS, as after any photo.
    text = smsgate_received("lampu jalan depan masjid mati", sender=RESIDENT)
    assert post(client, smsgate_event("sms:received", text), clock).json()["messages"] == 1
    [ticket] = tickets(engine)
    assert "lampu jalan depan masjid mati" in ticket.text
    assert len(ticket.media) == 1


@pytest.mark.parametrize(
    ("body", "subject", "text"),
    [
        pytest.param("got mampet", "Aduan", "got mampet", id="body"),
        pytest.param(None, "got mampet di RT 2", "got mampet di RT 2", id="subject-without-body"),
        pytest.param("  ", "got mampet di RT 2", "got mampet di RT 2", id="blank-body"),
        pytest.param(None, "NoSubject", "", id="placeholder-subject"),
    ],
)
def test_the_text_is_the_body_or_else_the_subject(
    client: TestClient, engine: Engine, clock: Clock, body: str | None, subject: str, text: str
) -> None:
    content = mms_downloaded_payload(
        RESIDENT, body=body, subject=subject, attachments=[mms_attachment(PHOTO)]
    )
    assert post(client, mms("mms:downloaded", content), clock).json()["messages"] == 1
    [message] = inbound_messages(engine)
    assert message.body == text


def test_a_photo_over_1_mb_is_dropped_with_a_note_and_a_log_line(
    client: TestClient, engine: Engine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    big = b"\xff\xd8" + b"\x01" * (smsgate.MAX_MMS_ATTACHMENT + 1)  # 1.33 MB as base64: the body fits 2 MB
    small = PHOTO
    content = mms_downloaded_payload(
        RESIDENT,
        body="sampah menumpuk di pasar",
        attachments=[mms_attachment(big, part_id=1, name="big.jpg"), mms_attachment(small, part_id=2)],
    )
    with caplog.at_level(logging.WARNING, logger="kentongan.smsgate"):
        response = post(client, mms("mms:downloaded", content), clock)
    assert (response.status_code, response.json()["messages"]) == (200, 1)
    [message] = inbound_messages(engine)
    assert [decoded(m["url"])[1] for m in message.media] == [small]
    big_note, small_note = message.raw["payload"]["attachments"]
    assert big_note["stored"].startswith("not kept: over the size limit")
    assert big_note["bytes"] >= smsgate.MAX_MMS_ATTACHMENT
    assert small_note["stored"] == "media"
    assert "data" not in big_note
    [line] = [r.getMessage() for r in caplog.records if "not kept" in r.getMessage()]
    assert "1 of 2 attachments" in line
    assert "081234500099" not in line
    assert "6281234500099" not in line
    assert len(tickets(engine)) == 1


def test_what_is_not_a_readable_picture_sound_or_video_is_not_kept(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    broken = mms_attachment(PHOTO, part_id=3)
    broken["data"] = "not base64!"
    content = mms_downloaded_payload(
        RESIDENT,
        body="jembatan retak",
        attachments=[
            mms_attachment(b"BEGIN:VCARD\r\nEND:VCARD", "text/x-vcard", part_id=1, name="kontak.vcf"),
            mms_attachment(None, part_id=2),  # the phone could not read the part
            broken,
            mms_attachment(PHOTO, "image/jpeg; name=foto.jpg", part_id=4),
            mms_attachment(b"#!AMR\n" + b"\x00" * 500, "audio/amr", part_id=5, name="suara.amr"),
        ],
    )
    assert post(client, mms("mms:downloaded", content), clock).json()["messages"] == 1
    [message] = inbound_messages(engine)
    assert [m["content_type"] for m in message.media] == ["image/jpeg", "audio/amr"]
    assert [n["stored"].split(":")[0] for n in message.raw["payload"]["attachments"]] == [
        "not kept",
        "not kept",
        "not kept",
        "media",
        "media",
    ]


def test_an_mms_with_nothing_kept_and_no_words_is_not_an_empty_message(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    content = mms_downloaded_payload(RESIDENT, attachments=[mms_attachment(None)])
    assert post(client, mms("mms:downloaded", content), clock).json()["messages"] == 1
    [message] = inbound_messages(engine)
    assert message.media == []
    assert smsgate.parse_event(mms("mms:downloaded", content)).message.unreadable == "unsupported"  # type: ignore[union-attr]


def test_an_mms_for_an_unknown_device_is_200_and_stores_nothing(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    content = mms_downloaded_payload(RESIDENT, body="jalan rusak", attachments=[mms_attachment(PHOTO)])
    event = smsgate_event("mms:downloaded", content, device_id="lost-phone")
    assert post(client, event, clock).json()["skipped"] == 1
    assert inbound_messages(engine) == []


@pytest.mark.parametrize(
    ("sender", "stored"),
    [
        pytest.param("+6281234500099", "+6281234500099", id="e164"),
        pytest.param("6505551212", "6505551212", id="no-country-code-kept"),
        pytest.param("unknown", "unknown", id="unknown-kept"),
    ],
)
def test_mms_senders_follow_the_sms_rule(
    client: TestClient, engine: Engine, clock: Clock, sender: str, stored: str
) -> None:
    content = mms_downloaded_payload(sender, body="jalan rusak", attachments=[mms_attachment(PHOTO)])
    assert post(client, mms("mms:downloaded", content), clock).status_code == 200
    [message] = inbound_messages(engine)
    assert message.sender == stored
    assert len(outbox_rows(engine)) == (1 if stored.startswith("+") else 0)


def test_malformed_mms_events_are_400(client: TestClient, engine: Engine, clock: Clock) -> None:
    notice = post(client, smsgate_event("mms:received", {}), clock)  # nothing to keep from it anyway
    assert (notice.status_code, notice.json()["skipped"]) == (200, 1)
    content = post(client, smsgate_event("mms:downloaded", {}), clock)
    assert (content.status_code, content.json()["detail"]) == (400, "mms:downloaded without a sender")
    assert inbound_messages(engine) == []
    no_payload = {"event": "mms:downloaded", "deviceId": "demo-phone", "id": "x", "payload": "?"}
    assert post(client, no_payload, clock).status_code == 400
    assert post(client, smsgate_event("mms:downloaded", {"body": "x"}), clock).status_code == 400
