"""POST /webhooks/twilio/status: signed callbacks over the URL with its query, statuses in any order."""

import logging

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.providers.twilio import parse as twilio_parse
from models import (
    Channel,
    ConsentEvent,
    Contact,
    DeliveryStatus,
    FailureReason,
    Outbox,
    SubscriptionState,
)
from models.errors import BadRequest
from tests.conftest import PUBLIC_BASE_URL, T0, TWILIO_TOKEN
from tests.factories import handed_over_row
from tests.providers import message_sid, twilio_signature, twilio_status_form

PATH = "/webhooks/twilio/status"


def post(
    client: TestClient, form: dict[str, str], outbox_id: int | str | None, token: str = TWILIO_TOKEN
) -> httpx.Response:
    """POST the callback to our StatusCallback URL, signed by Twilio over that full URL and the form."""
    query = "" if outbox_id is None else f"?o={outbox_id}"
    signature = twilio_signature(token, PUBLIC_BASE_URL + PATH + query, form)
    response: httpx.Response = client.post(PATH + query, data=form, headers={"X-Twilio-Signature": signature})
    return response


def sent_row(
    engine: Engine, channel: Channel = Channel.TWILIO_SMS, phone: str = "+6281234500001"
) -> tuple[int, str]:
    """An outbox row Twilio accepted (its sid recorded), as the dispatcher writes it."""
    sid = message_sid()
    return handed_over_row(engine, channel=channel, sender="+62800000001", phone=phone, provider_id=sid), sid


def row(engine: Engine, row_id: int) -> Outbox:
    with Session(engine) as session:
        found = session.get(Outbox, row_id)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("twilio_status", "status"),
    [
        ("accepted", DeliveryStatus.QUEUED),
        ("scheduled", DeliveryStatus.QUEUED),
        ("queued", DeliveryStatus.QUEUED),
        ("sending", DeliveryStatus.SENDING),
        ("sent", DeliveryStatus.SENT),
        ("delivered", DeliveryStatus.DELIVERED),
        ("read", DeliveryStatus.READ),
        ("undelivered", DeliveryStatus.UNDELIVERED),
        ("failed", DeliveryStatus.FAILED),
        ("canceled", DeliveryStatus.CANCELLED),
    ],
)
def test_every_twilio_status_has_its_place(twilio_status: str, status: DeliveryStatus) -> None:
    update = twilio_parse.parse_status(twilio_status_form("SM" + "a" * 32, twilio_status), 7)
    assert update.status == status
    assert update.provider_id == "SM" + "a" * 32
    assert update.outbox_id == 7
    assert update.channel == Channel.TWILIO_SMS


def test_parse_status_reads_whatsapp_and_errors() -> None:
    form = twilio_status_form("SM" + "b" * 32, "undelivered", error_code="63016", whatsapp=True)
    update = twilio_parse.parse_status(form, None)
    assert update.channel == Channel.TWILIO_WHATSAPP
    assert update.error_code == "63016"
    assert update.extra["EventType"] == "UNDELIVERED"
    with pytest.raises(BadRequest, match="unknown MessageStatus"):
        twilio_parse.parse_status(twilio_status_form("SM" + "c" * 32, "teleported"), None)
    with pytest.raises(BadRequest, match="MessageSid"):
        twilio_parse.parse_status({"MessageStatus": "sent"}, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        (None, None),
        ("", None),
        ("x1", None),
        ("-1", None),
        ("٤٢", None),
        ("9" * 40, None),
        ("2147483647", 2**31 - 1),  # the largest id the column holds
        ("2147483648", None),  # past the 32-bit column on PostgreSQL
        ("3000000000", None),
        ("99999999999999999999", None),  # 20 digits: past SQLite's 64 bits too
        ("0", None),
        ("042", None),  # we never write our ids with a leading zero
    ],
)
def test_outbox_id_comes_from_a_plain_number(value: str | None, expected: int | None) -> None:
    assert twilio_parse.outbox_id_param(value) == expected


@pytest.mark.parametrize("o", ["2147483648", "3000000000", "99999999999999999999", "0", "007"])
def test_an_o_out_of_range_is_not_ours_200_and_logged(
    client: TestClient, engine: Engine, o: str, caplog: pytest.LogCaptureFixture
) -> None:
    row_id, sid = sent_row(engine)
    with caplog.at_level(logging.INFO, logger="kentongan"):
        unknown = post(client, twilio_status_form(message_sid(), "delivered"), o)
    assert unknown.status_code == 200
    assert unknown.json()["unknown"] == 1
    assert any("not one of our outbox ids" in r.getMessage() for r in caplog.records)
    # The MessageSid still finds our row: the report is applied whatever `o` says.
    known = post(client, twilio_status_form(sid, "delivered"), o)
    assert (known.status_code, known.json()["applied"]) == (200, 1)
    assert row(engine, row_id).status == DeliveryStatus.DELIVERED


def test_an_o_in_range_with_no_row_is_not_ours(client: TestClient) -> None:
    response = post(client, twilio_status_form(message_sid(), "failed", error_code="30003"), 2**31 - 1)
    assert (response.status_code, response.json()["unknown"]) == (200, 1)


def test_callbacks_move_a_row_forward_and_never_back(client: TestClient, engine: Engine) -> None:
    row_id, sid = sent_row(engine)

    def callback(status: str) -> dict[str, int]:
        response = post(client, twilio_status_form(sid, status), row_id)
        assert response.status_code == 200
        body: dict[str, int] = response.json()
        return body

    assert callback("sent")["applied"] == 1
    assert row(engine, row_id).sent_at == T0
    assert callback("delivered")["applied"] == 1
    assert callback("sent")["ignored"] == 1  # late, out of order
    assert callback("delivered")["ignored"] == 1  # repeated
    assert callback("queued")["ignored"] == 1
    current = row(engine, row_id)
    assert current.status == DeliveryStatus.DELIVERED
    assert current.delivered_at == T0


def test_whatsapp_read_receipt(client: TestClient, engine: Engine) -> None:
    row_id, sid = sent_row(engine, Channel.TWILIO_WHATSAPP)
    assert post(client, twilio_status_form(sid, "delivered", whatsapp=True), row_id).json()["applied"] == 1
    assert post(client, twilio_status_form(sid, "read", whatsapp=True), row_id).json()["applied"] == 1
    current = row(engine, row_id)
    assert current.status == DeliveryStatus.READ
    assert current.read_at == T0


def test_a_callback_on_the_wrong_channel_is_not_ours(client: TestClient, engine: Engine) -> None:
    row_id, sid = sent_row(engine, Channel.TWILIO_WHATSAPP)
    response = post(client, twilio_status_form(sid, "delivered"), row_id)  # an SMS callback with that sid
    assert response.json()["unknown"] == 1
    assert row(engine, row_id).status == DeliveryStatus.SENDING


def test_opted_out_recipient_is_unsubscribed(client: TestClient, engine: Engine) -> None:
    row_id, sid = sent_row(engine)
    response = post(client, twilio_status_form(sid, "failed", error_code="21610"), row_id)
    assert response.status_code == 200
    current = row(engine, row_id)
    assert current.status == DeliveryStatus.FAILED
    assert current.error_code == "21610"
    assert current.failure_reason == FailureReason.OPTED_OUT
    with Session(engine) as session:
        contact = session.get(Contact, current.contact_id)
        [event] = session.exec(select(ConsentEvent).where(ConsentEvent.source == "provider_opt_out")).all()
    assert contact is not None
    assert contact.subscription == SubscriptionState.UNSUBSCRIBED
    assert event.contact_id == current.contact_id
    assert event.channel == Channel.TWILIO_SMS
    assert event.evidence is not None
    assert "21610" in event.evidence
    # Twilio repeats the callback: nothing more happens.
    assert post(client, twilio_status_form(sid, "failed", error_code="21610"), row_id).json()["ignored"] == 1
    with Session(engine) as session:
        assert (
            len(session.exec(select(ConsentEvent).where(ConsentEvent.source == "provider_opt_out")).all())
            == 1
        )


def test_carrier_filtering_is_undelivered_and_keeps_consent(client: TestClient, engine: Engine) -> None:
    row_id, sid = sent_row(engine)
    assert post(client, twilio_status_form(sid, "sent"), row_id).status_code == 200
    assert post(client, twilio_status_form(sid, "undelivered", error_code="30007"), row_id).status_code == 200
    current = row(engine, row_id)
    assert current.status == DeliveryStatus.UNDELIVERED
    assert current.failure_reason == FailureReason.CARRIER
    with Session(engine) as session:
        contact = session.get(Contact, current.contact_id)
    assert contact is not None
    assert contact.subscription == SubscriptionState.SUBSCRIBED
    # A late "sent" does not undo "undelivered".
    assert post(client, twilio_status_form(sid, "sent"), row_id).json()["ignored"] == 1
    assert row(engine, row_id).status == DeliveryStatus.UNDELIVERED


def test_unknown_message_is_200(client: TestClient) -> None:
    response = post(client, twilio_status_form(message_sid(), "delivered"), 987654)
    assert response.status_code == 200
    assert response.json()["unknown"] == 1


def test_the_signature_covers_the_query_string(client: TestClient, engine: Engine) -> None:
    row_id, sid = sent_row(engine)
    form = twilio_status_form(sid, "delivered")
    without_query = twilio_signature(TWILIO_TOKEN, PUBLIC_BASE_URL + PATH, form)
    response = client.post(f"{PATH}?o={row_id}", data=form, headers={"X-Twilio-Signature": without_query})
    assert response.status_code == 403
    other_row = twilio_signature(TWILIO_TOKEN, f"{PUBLIC_BASE_URL}{PATH}?o={row_id + 1}", form)
    response = client.post(f"{PATH}?o={row_id}", data=form, headers={"X-Twilio-Signature": other_row})
    assert response.status_code == 403
    assert row(engine, row_id).status == DeliveryStatus.SENDING


@pytest.mark.parametrize("token", ["", "other-token"], ids=["missing", "wrong-key"])
def test_bad_signature_is_403_and_changes_nothing(client: TestClient, engine: Engine, token: str) -> None:
    row_id, sid = sent_row(engine)
    form = twilio_status_form(sid, "failed", error_code="21610")
    if token:
        response = post(client, form, row_id, token=token)
    else:
        response = client.post(f"{PATH}?o={row_id}", data=form)
    assert response.status_code == 403
    assert "X-Twilio-Signature" in response.json()["detail"]
    assert row(engine, row_id).status == DeliveryStatus.SENDING
    with Session(engine) as session:
        assert (
            session.exec(select(ConsentEvent).where(ConsentEvent.source == "provider_opt_out")).first()
            is None
        )


def test_unknown_status_is_400_with_a_reason(client: TestClient, engine: Engine) -> None:
    row_id, sid = sent_row(engine)
    response = post(client, twilio_status_form(sid, "teleported"), row_id)
    assert response.status_code == 400
    assert "teleported" in response.json()["detail"]
