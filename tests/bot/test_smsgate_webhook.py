"""POST /webhooks/smsgate: signatures and timestamps, residents' SMS, delivery reports, odd events."""

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
from bot.channels import smsgate
from bot.db import transaction
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
from tests.conftest import Clock, make_settings
from tests.factories import handed_over_row, inbound_messages, outbox_rows
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
    assert smsgate.signature_is_valid("key", body, "1796180400", vector)
    assert smsgate.signature_is_valid("key", body, "1796180400", vector.upper())
    assert not smsgate.signature_is_valid("key", body, "1796180401", vector)
    assert not smsgate.signature_is_valid("key", body + b" ", "1796180400", vector)
    assert not smsgate.signature_is_valid("other", body, "1796180400", vector)
    assert not smsgate.signature_is_valid("", body, "1796180400", vector)
    assert not smsgate.signature_is_valid("key", body, "1796180400", "é" + vector[1:])


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
    ],
)
def test_senders_are_normalised_or_kept(
    client: TestClient, engine: Engine, clock: Clock, sender: str, stored: str
) -> None:
    response = post(client, smsgate_event("sms:received", smsgate_received("MENU", sender=sender)), clock)
    assert response.status_code == 200
    [message] = inbound_messages(engine)
    assert message.sender == stored


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
        pytest.param(smsgate_event("mms:received", {"messageId": "1", "transactionId": "t"}), id="mms"),
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


@pytest.mark.parametrize("message_id", ["abc123", "", "٣", "12a"])
def test_reports_for_ids_that_are_not_ours_are_200(
    client: TestClient, engine: Engine, clock: Clock, message_id: str
) -> None:
    row_id = sent_row(engine)
    event = smsgate_event("sms:delivered", smsgate_status("sms:delivered", message_id))
    response = post(client, event, clock)
    assert response.status_code == 200
    assert response.json()["unknown"] == 1
    assert row(engine, row_id).status == DeliveryStatus.SENDING


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
