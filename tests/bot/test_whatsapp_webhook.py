"""GET and POST /webhooks/whatsapp: the handshake, signatures, messages of every kind, statuses, repeats."""

import re
import threading
from collections.abc import Mapping
from datetime import UTC, datetime

import httpx
import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.app import create_app
from bot.providers.whatsapp_cloud import verify as whatsapp_verify
from models import (
    Channel,
    ConsentEvent,
    Contact,
    ContactIdentity,
    DeliveryStatus,
    FailureReason,
    IdentityKind,
    Lane,
    Outbox,
    OutboxSource,
    SubscriptionState,
    TicketEvent,
    TicketEventKind,
)
from tests.conftest import T0, Clock, make_settings
from tests.factories import handed_over_row, inbound_messages, outbox_rows, tickets
from tests.providers import (
    T0_UNIX,
    WHATSAPP_PHONE_NUMBER_ID,
    wamid,
    whatsapp_change,
    whatsapp_contact,
    whatsapp_envelope,
    whatsapp_message,
    whatsapp_signature,
    whatsapp_status,
    whatsapp_text,
)

PATH = "/webhooks/whatsapp"
APP_SECRET = "meta-app-secret-for-tests"
VERIFY_TOKEN = "kentongan-verify-token"
RESIDENT = "6281234500001"  # Pak Slamet, a demo resident
NEWCOMER = "6281234500099"


@pytest.fixture
def app(db_url: str, engine: Engine, clock: Clock, demo: None) -> FastAPI:
    settings = make_settings(db_url, whatsapp_app_secret=APP_SECRET, whatsapp_verify_token=VERIFY_TOKEN)
    return create_app(settings, engine=engine, clock=clock)


def post(
    client: TestClient, envelope: Mapping[str, object], secret: str | None = APP_SECRET
) -> httpx.Response:
    """POST the envelope as Meta does: compact JSON, signed over the raw bytes."""
    body = orjson.dumps(envelope)
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Hub-Signature-256"] = whatsapp_signature(secret, body)
    response: httpx.Response = client.post(PATH, content=body, headers=headers)
    return response


def sent_row(engine: Engine, provider_id: str, phone: str = "+6281234500001") -> int:
    """An outbox row the dispatcher has handed to Meta (status sending), as the dispatcher writes it."""
    return handed_over_row(
        engine,
        channel=Channel.WHATSAPP_CLOUD,
        sender=WHATSAPP_PHONE_NUMBER_ID,
        phone=phone,
        provider_id=provider_id,
    )


def row(engine: Engine, row_id: int) -> Outbox:
    with Session(engine) as session:
        found = session.get(Outbox, row_id)
    assert found is not None
    return found


# --- signatures and the handshake ---------------------------------------------------------------


def test_signature_matches_the_documented_vector() -> None:
    vector = "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914"
    assert whatsapp_verify.signature_is_valid("secret", b"test", vector)
    assert whatsapp_verify.signature_is_valid("secret", b"test", vector.upper().replace("SHA256=", "sha256="))
    assert not whatsapp_verify.signature_is_valid("secret", b"test ", vector)
    assert not whatsapp_verify.signature_is_valid("secret", b"test", vector.removeprefix("sha256="))
    assert not whatsapp_verify.signature_is_valid("", b"test", vector)
    assert not whatsapp_verify.signature_is_valid("secret", b"test", "sha256=é" + vector[8:])


def test_verification_handshake_returns_the_raw_challenge(client: TestClient) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    response = client.get(PATH, params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "1158201444"


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        pytest.param(
            {"hub.mode": "subscribe", "hub.verify_token": "guess"}, "verify_token", id="wrong-token"
        ),
        pytest.param(
            {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN}, "hub.mode", id="wrong-mode"
        ),
        pytest.param({"hub.verify_token": VERIFY_TOKEN}, "hub.mode", id="no-mode"),
        pytest.param({"hub.mode": "subscribe"}, "verify_token", id="no-token"),
    ],
)
def test_verification_with_anything_else_is_403(
    client: TestClient, params: dict[str, str], reason: str
) -> None:
    response = client.get(PATH, params={**params, "hub.challenge": "42"})
    assert response.status_code == 403
    assert reason in response.json()["detail"]
    assert "42" not in response.text


def test_verification_without_a_configured_token_is_403(
    db_url: str, engine: Engine, clock: Clock, demo: None
) -> None:
    app = create_app(make_settings(db_url, whatsapp_app_secret=APP_SECRET), engine=engine, clock=clock)
    with TestClient(app) as client:
        params = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "42"}
        response = client.get(PATH, params=params)
    assert response.status_code == 403
    assert "no WhatsApp verify token" in response.json()["detail"]


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(None, id="missing"),
        pytest.param("forged-secret", id="wrong-key"),
    ],
)
def test_bad_signature_is_403_and_stores_nothing(
    client: TestClient, engine: Engine, secret: str | None
) -> None:
    envelope = whatsapp_envelope(whatsapp_change([whatsapp_text("jalan rusak parah di RT 2")]))
    response = post(client, envelope, secret=secret)
    assert response.status_code == 403
    assert "X-Hub-Signature-256" in response.json()["detail"]
    assert inbound_messages(engine) == []
    assert outbox_rows(engine) == []


def test_forged_or_tampered_signature_is_403(client: TestClient, engine: Engine) -> None:
    envelope = whatsapp_envelope(whatsapp_change([whatsapp_text("jalan rusak parah di RT 2")]))
    body = orjson.dumps(envelope)
    good = whatsapp_signature(APP_SECRET, body)
    for headers, content in [
        ({"X-Hub-Signature-256": "sha256=" + "0" * 64}, body),
        ({"X-Hub-Signature-256": good}, body.replace(b"RT 2", b"RT 3")),
        ({"X-Hub-Signature-256": good.removeprefix("sha256=")}, body),
    ]:
        response = client.post(PATH, content=content, headers={"Content-Type": "application/json", **headers})
        assert response.status_code == 403
    assert inbound_messages(engine) == []


def test_without_an_app_secret_every_post_is_403(
    db_url: str, engine: Engine, clock: Clock, demo: None
) -> None:
    app = create_app(make_settings(db_url), engine=engine, clock=clock)
    envelope = whatsapp_envelope(whatsapp_change([whatsapp_text("jalan rusak")]))
    with TestClient(app) as client:
        assert post(client, envelope, secret="").status_code == 403
        assert post(client, envelope, secret=APP_SECRET).status_code == 403
    assert inbound_messages(engine) == []


# --- messages ---------------------------------------------------------------------------------


def test_signed_complaint_opens_a_ticket_and_queues_the_reply(client: TestClient, engine: Engine) -> None:
    envelope = whatsapp_envelope(
        whatsapp_change(
            [whatsapp_text("lampu jalan di RT 3 mati sdh seminggu", sender=NEWCOMER)],
            contacts=[whatsapp_contact(wa_id=NEWCOMER, name="Bu Ani")],
        )
    )
    response = post(client, envelope)
    assert response.status_code == 200
    assert response.json()["messages"] == 1
    [ticket] = tickets(engine)
    assert ticket.channel == Channel.WHATSAPP_CLOUD
    assert ticket.category == "infrastruktur"
    [message] = inbound_messages(engine)
    assert message.sender == "+" + NEWCOMER
    assert message.recipient == WHATSAPP_PHONE_NUMBER_ID
    assert message.provider_id is not None
    assert message.provider_id.startswith("wamid.")
    [reply] = outbox_rows(engine)
    assert reply.status == DeliveryStatus.QUEUED
    assert reply.lane == Lane.URGENT
    assert reply.source == OutboxSource.REPLY
    assert reply.source_id == message.id
    assert reply.channel == Channel.WHATSAPP_CLOUD
    assert reply.recipient == "+" + NEWCOMER
    assert reply.sender == WHATSAPP_PHONE_NUMBER_ID
    assert reply.sent_at is None
    assert re.search(rf"\b{ticket.code}\b", reply.body), reply.body
    with Session(engine) as session:
        identity = session.exec(select(ContactIdentity).where(ContactIdentity.value == "+" + NEWCOMER)).one()
        contact = session.get(Contact, identity.contact_id)
    assert contact is not None
    assert contact.name == "Bu Ani"
    assert contact.whatsapp_last_inbound_at == T0


def test_several_messages_and_statuses_in_one_post(client: TestClient, engine: Engine) -> None:
    sent = wamid()
    row_id = sent_row(engine, sent)
    envelope = whatsapp_envelope(
        whatsapp_change(
            [whatsapp_text("MENU", sender=RESIDENT), whatsapp_text("jadwal musdes?", sender=NEWCOMER)]
        ),
        whatsapp_change(statuses=[whatsapp_status(sent, "sent"), whatsapp_status(sent, "delivered")]),
    )
    response = post(client, envelope)
    assert response.status_code == 200
    assert response.json() == {
        "messages": 2,
        "duplicates": 0,
        "skipped": 0,
        "applied": 2,
        "ignored": 0,
        "unknown": 0,
    }
    assert [m.sender for m in inbound_messages(engine)] == ["+" + RESIDENT, "+" + NEWCOMER]
    replies = [r for r in outbox_rows(engine) if r.source == OutboxSource.REPLY]
    assert [r.recipient for r in replies] == ["+" + RESIDENT, "+" + NEWCOMER]
    assert "Musdes" in replies[1].body
    assert row(engine, row_id).status == DeliveryStatus.DELIVERED


def test_the_same_wamid_twice_is_one_message(client: TestClient, engine: Engine) -> None:
    message = whatsapp_text("got depan SD mampet, banjir kalau hujan", sender=NEWCOMER)
    first = post(client, whatsapp_envelope(whatsapp_change([message, message])))
    assert first.status_code == 200
    assert (first.json()["messages"], first.json()["duplicates"]) == (1, 1)
    retry = post(client, whatsapp_envelope(whatsapp_change([message])))
    assert retry.status_code == 200
    assert (retry.json()["messages"], retry.json()["duplicates"]) == (0, 1)
    assert len(inbound_messages(engine)) == 1
    assert len(tickets(engine)) == 1
    assert len(outbox_rows(engine)) == 1


def test_a_user_without_a_phone_is_a_contact(client: TestClient, engine: Engine) -> None:
    user_id = "ID.13491208655302741918"
    message = whatsapp_message(
        "text", {"body": "sampah numpuk di pinggir kali"}, sender=None, from_user_id=user_id
    )
    contact = whatsapp_contact(wa_id=None, name="Warga", user_id=user_id)
    response = post(client, whatsapp_envelope(whatsapp_change([message], contacts=[contact])))
    assert response.status_code == 200
    with Session(engine) as session:
        identity = session.exec(
            select(ContactIdentity).where(ContactIdentity.kind == IdentityKind.WHATSAPP_USER)
        ).one()
    assert identity.value == user_id
    [reply] = outbox_rows(engine)
    assert reply.recipient == user_id
    assert len(tickets(engine)) == 1


def test_the_user_id_comes_from_contacts_when_the_message_has_none(
    client: TestClient, engine: Engine
) -> None:
    user_id = "ID.99991208655302741918"
    message = whatsapp_message("text", {"body": "MENU"}, sender=None)
    contact = whatsapp_contact(wa_id=None, name="Warga", user_id=user_id)
    assert post(client, whatsapp_envelope(whatsapp_change([message], contacts=[contact]))).status_code == 200
    [stored] = inbound_messages(engine)
    assert stored.sender == user_id


def test_a_phone_wins_over_the_user_id(client: TestClient, engine: Engine) -> None:
    message = whatsapp_message("text", {"body": "MENU"}, sender=RESIDENT, from_user_id="ID.1")
    contact = whatsapp_contact(wa_id=RESIDENT, name="Pak Slamet", user_id="ID.1")
    assert post(client, whatsapp_envelope(whatsapp_change([message], contacts=[contact]))).status_code == 200
    [stored] = inbound_messages(engine)
    assert stored.sender == "+" + RESIDENT


@pytest.mark.parametrize(
    ("kind", "content", "text"),
    [
        pytest.param("button", {"payload": "JADWAL", "text": "Jadwal rapat"}, "Jadwal rapat", id="button"),
        pytest.param(
            "interactive",
            {"type": "button_reply", "button_reply": {"id": "menu-cek", "title": "CEK"}},
            "CEK",
            id="button-reply",
        ),
        pytest.param(
            "interactive",
            {
                "type": "list_reply",
                "list_reply": {
                    "id": "t-air",
                    "title": "Air bersih",
                    "description": "PAMSIMAS tidak mengalir",
                },
            },
            "Air bersih - PAMSIMAS tidak mengalir",
            id="list-reply",
        ),
        pytest.param(
            "location",
            {
                "latitude": -6.9147,
                "longitude": 107.6098,
                "name": "Jembatan Cibodas",
                "address": "RT 02 RW 03",
            },
            "Lokasi: -6.9147,107.6098 (Jembatan Cibodas, RT 02 RW 03)",
            id="location",
        ),
        pytest.param(
            "location", {"latitude": -6.9, "longitude": 107.6}, "Lokasi: -6.9,107.6", id="bare-location"
        ),
    ],
)
def test_other_message_kinds_become_text(
    client: TestClient, engine: Engine, kind: str, content: dict[str, object], text: str
) -> None:
    response = post(
        client, whatsapp_envelope(whatsapp_change([whatsapp_message(kind, content, sender=NEWCOMER)]))
    )
    assert response.status_code == 200
    [message] = inbound_messages(engine)
    assert message.body == text
    assert message.raw["message"]["type"] == kind
    assert len(outbox_rows(engine)) == 1


def test_photo_without_caption_keeps_the_media_id_and_asks_for_a_description(
    client: TestClient, engine: Engine
) -> None:
    image = {"mime_type": "image/jpeg", "sha256": "aGVsbG8=", "id": "1234567890123456"}
    response = post(
        client, whatsapp_envelope(whatsapp_change([whatsapp_message("image", image, sender=NEWCOMER)]))
    )
    assert response.status_code == 200
    [message] = inbound_messages(engine)
    assert message.media == [{"url": "whatsapp-media:1234567890123456", "content_type": "image/jpeg"}]
    [reply] = outbox_rows(engine)
    assert "keterangan" in reply.body
    follow = whatsapp_text("jembatan bambu di dusun Cibodas patah", sender=NEWCOMER)
    assert post(client, whatsapp_envelope(whatsapp_change([follow]))).status_code == 200
    [ticket] = tickets(engine)
    assert ticket.media[0]["url"] == "whatsapp-media:1234567890123456"
    assert "jembatan" in ticket.text
    assert ticket.dusun == "Cibodas"


def test_captioned_photo_and_voice_note(client: TestClient, engine: Engine) -> None:
    image = {"mime_type": "image/jpeg", "id": "111", "caption": "sampah menumpuk di kali RT 1"}
    audio = {"mime_type": "audio/ogg; codecs=opus", "id": "222", "voice": True}
    envelope = whatsapp_envelope(
        whatsapp_change([whatsapp_message("image", image, sender=NEWCOMER), whatsapp_message("audio", audio)])
    )
    assert post(client, envelope).status_code == 200
    photo, voice = inbound_messages(engine)
    assert photo.body == "sampah menumpuk di kali RT 1"
    assert photo.media[0]["url"] == "whatsapp-media:111"
    assert voice.body == ""
    assert voice.media == [{"url": "whatsapp-media:222", "content_type": "audio/ogg; codecs=opus"}]


def test_reactions_and_stickers_are_acknowledged_and_not_answered(client: TestClient, engine: Engine) -> None:
    reaction = whatsapp_message("reaction", {"message_id": wamid(), "emoji": "🙏"})
    sticker = whatsapp_message("sticker", {"mime_type": "image/webp", "id": "333", "animated": False})
    response = post(client, whatsapp_envelope(whatsapp_change([reaction, sticker])))
    assert response.status_code == 200
    assert response.json()["skipped"] == 2
    assert inbound_messages(engine) == []
    assert outbox_rows(engine) == []


def test_unknown_phone_number_id_is_200_and_stores_nothing(client: TestClient, engine: Engine) -> None:
    stray = whatsapp_change(
        [whatsapp_text("jalan rusak parah", sender=NEWCOMER)], phone_number_id="999999999999999"
    )
    response = post(client, whatsapp_envelope(stray))
    assert response.status_code == 200
    assert response.json()["skipped"] == 1
    assert inbound_messages(engine) == []
    assert outbox_rows(engine) == []
    with Session(engine) as session:
        assert (
            session.exec(select(ContactIdentity).where(ContactIdentity.value == "+" + NEWCOMER)).first()
            is None
        )
    # A known number in the same POST is still handled.
    ours = whatsapp_change([whatsapp_text("MENU", sender=NEWCOMER)])
    response = post(client, whatsapp_envelope(stray, ours))
    assert (response.json()["messages"], response.json()["skipped"]) == (1, 1)
    assert [m.recipient for m in inbound_messages(engine)] == [WHATSAPP_PHONE_NUMBER_ID]


def test_other_objects_and_fields_are_acknowledged(client: TestClient, engine: Engine) -> None:
    template_update = {"field": "message_template_status_update", "value": {"event": "APPROVED"}}
    response = post(client, whatsapp_envelope(template_update))
    assert response.status_code == 200
    assert response.json()["skipped"] == 1
    page = {"object": "page", "entry": [{"id": "1", "changes": []}]}
    assert post(client, page).status_code == 200
    assert inbound_messages(engine) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b'{"object": "whatsapp_business_account", "entry": [', "not JSON", id="truncated"),
        pytest.param(b"\xff\xfe", "not JSON", id="binary"),
        pytest.param(b"[]", "JSON object", id="array"),
        pytest.param(b'{"object": "whatsapp_business_account", "entry": {}}', "entry", id="entry-object"),
        pytest.param(
            orjson.dumps(whatsapp_envelope({"field": "messages", "value": 1})),
            "value",
            id="value-number",
        ),
        pytest.param(
            orjson.dumps(whatsapp_envelope(whatsapp_change([{"from": RESIDENT, "type": "text"}]))),
            "without an id",
            id="message-without-id",
        ),
    ],
)
def test_malformed_bodies_are_400_after_the_signature(
    client: TestClient, engine: Engine, body: bytes, reason: str
) -> None:
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": whatsapp_signature(APP_SECRET, body),
    }
    response = client.post(PATH, content=body, headers=headers)
    assert response.status_code == 400
    assert reason in response.json()["detail"]
    unsigned = client.post(PATH, content=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 403
    assert inbound_messages(engine) == []


# --- statuses ---------------------------------------------------------------------------------


def test_statuses_move_a_row_forward_and_never_back(client: TestClient, engine: Engine) -> None:
    sent = wamid()
    row_id = sent_row(engine, sent)

    def status(state: str, at: int) -> dict[str, object]:
        reply = post(
            client, whatsapp_envelope(whatsapp_change(statuses=[whatsapp_status(sent, state, timestamp=at)]))
        )
        assert reply.status_code == 200
        body: dict[str, object] = reply.json()
        return body

    assert status("sent", 1796180410)["applied"] == 1
    assert row(engine, row_id).sent_at == datetime.fromtimestamp(1796180410, UTC)
    assert status("delivered", 1796180420)["applied"] == 1
    assert status("sent", 1796180410)["ignored"] == 1  # late, out of order
    assert status("delivered", 1796180420)["ignored"] == 1  # repeated
    current = row(engine, row_id)
    assert current.status == DeliveryStatus.DELIVERED
    assert current.delivered_at == datetime.fromtimestamp(1796180420, UTC)
    assert status("read", 1796180500)["applied"] == 1
    assert status("failed", 1796180600)["ignored"] == 1
    assert row(engine, row_id).status == DeliveryStatus.READ


def test_statuses_for_messages_that_are_not_ours_are_200(client: TestClient, engine: Engine) -> None:
    statuses = [whatsapp_status(wamid(), "delivered"), whatsapp_status(wamid(), "deleted")]
    response = post(client, whatsapp_envelope(whatsapp_change(statuses=statuses)))
    assert response.status_code == 200
    assert (response.json()["unknown"], response.json()["skipped"]) == (1, 1)


def test_user_stopped_marketing_unsubscribes_the_contact(client: TestClient, engine: Engine) -> None:
    sent = wamid()
    row_id = sent_row(engine, sent)
    failed = whatsapp_status(
        sent, "failed", error_code=131050, error_title="User has stopped marketing messages"
    )
    response = post(client, whatsapp_envelope(whatsapp_change(statuses=[failed])))
    assert response.status_code == 200
    current = row(engine, row_id)
    assert current.status == DeliveryStatus.FAILED
    assert current.error_code == "131050"
    assert current.failure_reason == FailureReason.OPTED_OUT
    with Session(engine) as session:
        contact = session.get(Contact, current.contact_id)
        events = session.exec(select(ConsentEvent).where(ConsentEvent.contact_id == current.contact_id)).all()
    assert contact is not None
    assert contact.subscription == SubscriptionState.UNSUBSCRIBED
    assert [e.source for e in events][-1] == "provider_opt_out"
    assert events[-1].channel == Channel.WHATSAPP_CLOUD
    assert events[-1].state == SubscriptionState.UNSUBSCRIBED


def test_other_failures_keep_the_subscription(client: TestClient, engine: Engine) -> None:
    sent = wamid()
    row_id = sent_row(engine, sent)
    failed = whatsapp_status(sent, "failed", error_code=131026, error_title="Message undeliverable")
    assert post(client, whatsapp_envelope(whatsapp_change(statuses=[failed]))).status_code == 200
    current = row(engine, row_id)
    assert current.failure_reason == FailureReason.UNDELIVERABLE
    with Session(engine) as session:
        contact = session.get(Contact, current.contact_id)
        count = session.exec(
            select(func.count()).select_from(ConsentEvent).where(ConsentEvent.source == "provider_opt_out")
        ).one()
    assert contact is not None
    assert contact.subscription == SubscriptionState.SUBSCRIBED
    assert count == 0


# --- concurrency --------------------------------------------------------------------------------


def test_concurrent_retries_store_one_message(live_server: str, engine: Engine) -> None:
    body = orjson.dumps(
        whatsapp_envelope(whatsapp_change([whatsapp_text("air PAMSIMAS mati 3 hari di RT 2")]))
    )
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": whatsapp_signature(APP_SECRET, body),
    }
    results: list[httpx.Response] = []
    barrier = threading.Barrier(6)

    def send() -> None:
        with httpx.Client(base_url=live_server, timeout=30) as http:
            barrier.wait()
            results.append(http.post(PATH, content=body, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [200] * 6
    assert sum(r.json()["messages"] for r in results) == 1
    assert len(inbound_messages(engine)) == 1
    assert len(tickets(engine)) == 1
    assert len(outbox_rows(engine)) == 1


def rejected(reason: str) -> float:
    return (
        REGISTRY.get_sample_value(
            "kentongan_webhook_rejected_total", {"channel": "whatsapp", "reason": reason}
        )
        or 0.0
    )


def test_refusals_are_counted(client: TestClient) -> None:
    before = {reason: rejected(reason) for reason in ("signature", "unknown_address", "malformed")}
    post(client, whatsapp_envelope(whatsapp_change([whatsapp_text("MENU")])), secret="forged")
    stray = whatsapp_change([whatsapp_text("MENU")], phone_number_id="999999999999999")
    post(client, whatsapp_envelope(stray))
    post(client, {"object": "whatsapp_business_account", "entry": 1})
    assert {reason: rejected(reason) - before[reason] for reason in before} == {
        "signature": 1,
        "unknown_address": 1,
        "malformed": 1,
    }


def test_huge_bodies_are_refused(client: TestClient, engine: Engine) -> None:
    body = b'{"object": "whatsapp_business_account", "entry": [], "pad": "' + b"x" * (4 * 1024 * 1024) + b'"}'
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": whatsapp_signature(APP_SECRET, body),
    }
    response = client.post(PATH, content=body, headers=headers)
    assert response.status_code == 413
    assert inbound_messages(engine) == []


# --- ids, sizes, odd characters (issue 9: items 8, 9) ------------------------------------------------


def test_wamids_sharing_their_first_80_characters_are_two_messages(
    client: TestClient, engine: Engine
) -> None:
    shared = wamid()[:6] + "HBgN" * 20  # 86 characters
    first, second = shared + "A" * 30 + "==", shared + "B" * 30 + "=="
    envelope = whatsapp_envelope(
        whatsapp_change(
            [
                whatsapp_text("lampu jalan di RT 3 mati", sender=NEWCOMER, message_id=first),
                whatsapp_text("got depan SD mampet", sender=NEWCOMER, message_id=second),
            ]
        )
    )
    response = post(client, envelope)
    assert (response.json()["messages"], response.json()["duplicates"]) == (2, 0)
    assert [m.provider_id for m in inbound_messages(engine)] == [first, second]
    assert len(outbox_rows(engine)) == 2


def test_a_wamid_longer_than_the_column_is_400_and_never_cut(client: TestClient, engine: Engine) -> None:
    long_id = "wamid." + "A" * 250  # 256 characters
    response = post(client, whatsapp_envelope(whatsapp_change([whatsapp_text("MENU", message_id=long_id)])))
    assert response.status_code == 400
    assert "255" in response.json()["detail"]
    assert inbound_messages(engine) == []


def test_a_malformed_event_in_a_batch_is_skipped_and_the_others_kept(
    client: TestClient, engine: Engine
) -> None:
    """Meta retries a refused POST whole for days: one bad message must not keep the others out."""
    long_id = "wamid." + "A" * 250
    envelope = whatsapp_envelope(
        whatsapp_change(
            [
                whatsapp_text("MENU", message_id=long_id),
                whatsapp_text("got depan SD mampet", sender=NEWCOMER),
            ]
        )
    )
    response = post(client, envelope)
    assert response.status_code == 200
    assert (response.json()["messages"], response.json()["skipped"]) == (1, 1)
    assert [m.body for m in inbound_messages(engine)] == ["got depan SD mampet"]


def test_a_status_for_a_long_wamid_finds_its_row(client: TestClient, engine: Engine) -> None:
    sent = "wamid." + "HBgN" * 30  # 126 characters: cut to 80 it matched nothing
    row_id = sent_row(engine, sent)
    response = post(client, whatsapp_envelope(whatsapp_change(statuses=[whatsapp_status(sent, "delivered")])))
    assert response.json()["applied"] == 1
    assert row(engine, row_id).status == DeliveryStatus.DELIVERED


def test_nul_in_ids_and_media_is_stored_clean(client: TestClient, engine: Engine) -> None:
    # A 500 on PostgreSQL before: NUL in any text column is refused there.
    image = {"mime_type": "image/jpeg\x00", "id": "1234567890123456"}
    message = whatsapp_message("image", image, sender=NEWCOMER + "\x00", message_id="wamid.HBgN\x00AbC=")
    change = whatsapp_change([message], phone_number_id=WHATSAPP_PHONE_NUMBER_ID + "\x00")
    response = post(client, whatsapp_envelope(change))
    assert response.status_code == 200
    assert response.json()["messages"] == 1
    [stored] = inbound_messages(engine)
    assert (stored.provider_id, stored.recipient) == ("wamid.HBgNAbC=", WHATSAPP_PHONE_NUMBER_ID)
    assert stored.sender == "+" + NEWCOMER
    with Session(engine) as session:
        identity = session.exec(select(ContactIdentity).where(ContactIdentity.value == "+" + NEWCOMER)).one()
    assert identity.kind == IdentityKind.PHONE
    assert stored.media == [{"url": "whatsapp-media:1234567890123456", "content_type": "image/jpeg"}]


def test_a_megabyte_of_text_is_cut_to_whatsapps_own_limit(client: TestClient, engine: Engine) -> None:
    body = "jalan rusak parah di RT 2 dusun Krajan, banyak lubang. " * 19_000  # about 1 MB
    envelope = whatsapp_envelope(whatsapp_change([whatsapp_text(body, sender=NEWCOMER)]))
    response = post(client, envelope)
    assert response.status_code == 200
    [stored] = inbound_messages(engine)
    assert len(stored.body) == 4096
    assert stored.body_cut_from == len(body)
    assert len(stored.raw["message"]["text"]["body"]) == 4096  # the payload does not keep it either
    [ticket] = tickets(engine)
    assert len(ticket.text) <= 4096
    [reply] = outbox_rows(engine)
    assert ticket.code in reply.body


@pytest.mark.parametrize(
    "media_id",
    [
        pytest.param("../../../etc/passwd", id="path"),
        pytest.param("https://evil.example/x.jpg", id="url"),
        pytest.param("1" * 200, id="too-long"),
    ],
)
def test_a_media_id_that_is_not_one_is_dropped(client: TestClient, engine: Engine, media_id: str) -> None:
    image = {"mime_type": "image/jpeg", "id": media_id, "caption": "lampu jalan RT 3 mati"}
    assert (
        post(client, whatsapp_envelope(whatsapp_change([whatsapp_message("image", image)]))).status_code
        == 200
    )
    [stored] = inbound_messages(engine)
    assert stored.media == []
    [ticket] = tickets(engine)
    assert ticket.media == []


# --- message kinds (issue 9: items 11, 13) ------------------------------------------------------------
# Shapes from pywa's fixtures of Meta's webhooks (github.com/david-lev/pywa, tests/data/updates/
# message.json: "voice", "video", "document", "chosen_location", "contacts", "order", "unsupported",
# "interactive_message_with_err"; flow_completion.json: nfm_reply; edit_message.json: "edit_text",
# "edit_caption"; delete_message.json: "original_id"), with this village's numbers and words.


def pywa_message(
    kind: str, content: object, message_id: str | None = None, **extra: object
) -> dict[str, object]:
    """A `value.messages[]` entry of `kind` whose content may be any JSON (contacts is a list)."""
    message: dict[str, object] = {
        "from": NEWCOMER,
        "id": message_id or wamid(),
        "timestamp": str(T0_UNIX),
        "type": kind,
        **extra,
    }
    if content is not None:
        message[kind] = content
    return message


@pytest.mark.parametrize(
    ("kind", "content", "named"),
    [
        pytest.param(
            "audio",
            {
                "mime_type": "audio/ogg; codecs=opus",
                "sha256": "m04pFf2ERdaopTyFkGPA0+bX3i+YY2dYgVFwOgDLSDI=",
                "id": "1234567890987654321",
                "voice": True,
            },
            "Pesan suara diterima",
            id="voice",
        ),
        pytest.param(
            "video",
            {
                "mime_type": "video/mp4",
                "sha256": "Jh+2ij6PzUv/J2y+grrtegr/ZMzRxkEPwc24Oyib4s03w9Jc=",
                "id": "765756756",
            },
            "Video diterima",
            id="video",
        ),
        pytest.param(
            "document",
            {
                "filename": "surat.pdf",
                "mime_type": "application/pdf",
                "sha256": "grwfwe/ZPx0wAbdfbdeFUNItPZ0RylL8gGUvdt3YFqc18SY=",
                "id": "1234567890987654321",
            },
            "Dokumen diterima",
            id="document",
        ),
        pytest.param(
            "image",
            {"mime_type": "image/jpeg", "sha256": "4654+8g=", "id": "65463453"},
            "Foto diterima",
            id="photo",
        ),
    ],
)
def test_a_file_alone_is_named_in_the_reply(
    client: TestClient, engine: Engine, kind: str, content: dict[str, object], named: str
) -> None:
    assert post(client, whatsapp_envelope(whatsapp_change([pywa_message(kind, content)]))).status_code == 200
    [ticket] = tickets(engine)
    [reply] = outbox_rows(engine)
    assert reply.body.startswith(f"{named}, kode aduan {ticket.code}")
    assert ticket.media == [{"url": f"whatsapp-media:{content['id']}", "content_type": content["mime_type"]}]


def test_a_location_alone_opens_a_complaint_that_asks_what_is_wrong_there(
    client: TestClient, engine: Engine
) -> None:
    place = {
        "latitude": -6.9147,
        "longitude": 107.6098,
        "name": "Jembatan Cibodas",
        "address": "Jl. Raya Cibodas RT 02 RW 03",
        "url": "javascript:alert(1)",
    }
    assert (
        post(client, whatsapp_envelope(whatsapp_change([pywa_message("location", place)]))).status_code == 200
    )
    [stored] = inbound_messages(engine)
    assert stored.location == {
        "latitude": -6.9147,
        "longitude": 107.6098,
        "label": "Jembatan Cibodas",
        "address": "Jl. Raya Cibodas RT 02 RW 03",
    }
    [ticket] = tickets(engine)
    assert ticket.text == "Lokasi: -6.9147,107.6098 (Jembatan Cibodas, Jl. Raya Cibodas RT 02 RW 03)"
    [reply] = outbox_rows(engine)
    assert reply.body.startswith(f"Lokasi diterima, kode aduan {ticket.code}")
    follow = whatsapp_text("jembatan bambu di dusun Cibodas patah", sender=NEWCOMER)
    assert post(client, whatsapp_envelope(whatsapp_change([follow]))).status_code == 200
    [ticket] = tickets(engine)
    assert ticket.text.endswith("\njembatan bambu di dusun Cibodas patah")
    assert ticket.dusun == "Cibodas"


FLOW_RESPONSE = '{"comment_text":"Comment Text","flow_token":"AQAAAAACS5FpgQ_cAAAAAD0QI3s."}'


def interactive_error_change() -> dict[str, object]:
    """An interactive message Meta could not show: no interactive object, errors beside it."""
    message = pywa_message("interactive", None, context={"from": "62800000001", "id": wamid()})
    change = whatsapp_change([message])
    value = change["value"]
    assert isinstance(value, dict)
    value["errors"] = [
        {
            "code": 131000,
            "title": "Something went wrong",
            "message": "Something went wrong",
            "error_data": {"details": "Unsupported webhook payload"},
        }
    ]
    return change


@pytest.mark.parametrize(
    ("change", "reply_starts"),
    [
        pytest.param(
            whatsapp_change(
                [
                    pywa_message(
                        "contacts",
                        [
                            {
                                "name": {"first_name": "Slamet", "formatted_name": "Pak Slamet"},
                                "phones": [
                                    {"phone": "+62 812-3450-0001", "wa_id": "6281234500001", "type": "CELL"}
                                ],
                            }
                        ],
                    )
                ]
            ),
            "Kartu kontak diterima",
            id="contacts",
        ),
        pytest.param(
            whatsapp_change(
                [
                    pywa_message(
                        "order",
                        {
                            "catalog_id": "354160437058781",
                            "text": "",
                            "product_items": [
                                {
                                    "product_retailer_id": "BERAS",
                                    "quantity": 3,
                                    "item_price": 30,
                                    "currency": "IDR",
                                }
                            ],
                        },
                    )
                ]
            ),
            "Pesanan diterima",
            id="order",
        ),
        pytest.param(
            whatsapp_change(
                [
                    pywa_message(
                        "unsupported",
                        None,
                        errors=[
                            {
                                "code": 131051,
                                "title": "Message type unknown",
                                "message": "Message type unknown",
                                "error_data": {"details": "Message type is currently not supported."},
                            }
                        ],
                    )
                ]
            ),
            "Jenis pesan ini belum bisa kami baca",
            id="unsupported",
        ),
        pytest.param(
            whatsapp_change(
                [
                    pywa_message(
                        "interactive",
                        {
                            "type": "nfm_reply",
                            "nfm_reply": {
                                "response_json": FLOW_RESPONSE,
                                "body": "Sent",
                                "name": "flow",
                            },
                        },
                        context={"from": "62800000001", "id": "wamid.gvwegfretge=="},
                    )
                ]
            ),
            "Formulir diterima",
            id="form",
        ),
        pytest.param(
            interactive_error_change(), "Jenis pesan ini belum bisa kami baca", id="interactive-error"
        ),
        pytest.param(
            whatsapp_change([pywa_message("poll_2031", {"question": "?"})]), "Jenis pesan", id="future-kind"
        ),
    ],
)
def test_content_with_no_text_says_what_came_and_what_to_do(
    client: TestClient, engine: Engine, change: dict[str, object], reply_starts: str
) -> None:
    response = post(client, whatsapp_envelope(change))
    assert response.status_code == 200
    assert response.json()["messages"] == 1
    [reply] = outbox_rows(engine)
    assert reply.body.startswith(reply_starts)
    assert "kosong" not in reply.body
    assert "MENU" in reply.body
    assert tickets(engine) == []


# --- edits and deletions (issue 9: item 13) ------------------------------------------------------------


def edit_of(
    original_id: str, new: dict[str, object], at: int = T0_UNIX + 60, edit_id: str | None = None
) -> dict[str, object]:
    """pywa's "edit_text" / "edit_caption": the edit is a message of its own naming the original."""
    return pywa_message(
        "edit", {"original_message_id": original_id, "message": new}, message_id=edit_id, timestamp=str(at)
    )


def revoke_of(original_id: str, revoke_id: str | None = None) -> dict[str, object]:
    """pywa's delete_message.json "original_id": the resident deleted a message in the app."""
    return pywa_message(
        "revoke", {"original_message_id": original_id}, message_id=revoke_id, timestamp=str(T0_UNIX + 90)
    )


def text_edit(body: str) -> dict[str, object]:
    return {"type": "text", "text": {"body": body}}


def ticket_events(engine: Engine) -> list[TicketEvent]:
    with Session(engine) as session:
        return list(session.exec(select(TicketEvent).order_by(col(TicketEvent.id))).all())


def test_an_edit_changes_the_message_and_its_complaint_and_is_not_answered(
    client: TestClient, engine: Engine
) -> None:
    original = whatsapp_text("lampu jalan di RT 3 mati", sender=NEWCOMER)
    assert post(client, whatsapp_envelope(whatsapp_change([original]))).status_code == 200
    edit = edit_of(str(original["id"]), text_edit("lampu jalan di RT 5 mati sejak Senin"))
    response = post(client, whatsapp_envelope(whatsapp_change([edit])))
    assert (response.json()["messages"], response.json()["duplicates"]) == (1, 0)
    assert len(outbox_rows(engine)) == 1  # the first message's reply only
    first, edited = inbound_messages(engine)
    assert first.body == "lampu jalan di RT 5 mati sejak Senin"
    assert first.edited_at == datetime.fromtimestamp(T0_UNIX + 60, UTC)
    assert first.raw["message"]["text"]["body"] == "lampu jalan di RT 3 mati"  # what came first is kept
    assert (edited.body, edited.note, edited.intent, edited.ticket_id) == (
        "lampu jalan di RT 5 mati sejak Senin",
        "edit",
        "complaint",
        first.ticket_id,
    )
    [ticket] = tickets(engine)
    assert ticket.text == "lampu jalan di RT 5 mati sejak Senin"
    assert ticket.rt == 5
    history = ticket_events(engine)
    assert [e.kind for e in history] == [TicketEventKind.CREATED, TicketEventKind.DETAIL_ADDED]
    assert history[-1].note == "diubah pelapor di WhatsApp. Sebelumnya: lampu jalan di RT 3 mati"
    assert history[-1].actor == "warga"
    # Meta delivers it again: nothing changes twice.
    again = post(client, whatsapp_envelope(whatsapp_change([edit])))
    assert (again.json()["messages"], again.json()["duplicates"]) == (0, 1)
    assert len(ticket_events(engine)) == 2
    assert len(inbound_messages(engine)) == 2
    assert len(outbox_rows(engine)) == 1


def test_an_older_edit_arriving_late_changes_nothing(client: TestClient, engine: Engine) -> None:
    original = whatsapp_text("got mampet di RT 2", sender=NEWCOMER)
    post(client, whatsapp_envelope(whatsapp_change([original])))
    newer = edit_of(
        str(original["id"]), text_edit("got mampet di RT 2, air meluap ke jalan"), at=T0_UNIX + 120
    )
    older = edit_of(str(original["id"]), text_edit("got mampet di RT 2 dekat masjid"), at=T0_UNIX + 60)
    post(client, whatsapp_envelope(whatsapp_change([newer])))
    post(client, whatsapp_envelope(whatsapp_change([older])))
    assert inbound_messages(engine)[0].body == "got mampet di RT 2, air meluap ke jalan"
    [ticket] = tickets(engine)
    assert ticket.text == "got mampet di RT 2, air meluap ke jalan"


def test_an_edited_caption_changes_a_photo_complaint(client: TestClient, engine: Engine) -> None:
    image = {
        "mime_type": "image/jpeg",
        "sha256": "4654+8g=",
        "id": "65463453",
        "caption": "sampah menumpuk di kali RT 1",
    }
    original = pywa_message("image", image)
    post(client, whatsapp_envelope(whatsapp_change([original])))
    caption = {**image, "caption": "sampah menumpuk di kali RT 4, bau sekali"}
    post(
        client,
        whatsapp_envelope(
            whatsapp_change([edit_of(str(original["id"]), {"type": "image", "image": caption})])
        ),
    )
    [ticket] = tickets(engine)
    assert ticket.text == "sampah menumpuk di kali RT 4, bau sekali"
    assert ticket.rt == 4
    assert len(ticket.media) == 1
    assert len(outbox_rows(engine)) == 1


def test_an_edit_replaces_the_words_a_keyword_opened(client: TestClient, engine: Engine) -> None:
    original = whatsapp_text("ADUAN jalan berlubang di dusun Krajan", sender=NEWCOMER)
    post(client, whatsapp_envelope(whatsapp_change([original])))
    [ticket] = tickets(engine)
    assert ticket.text == "jalan berlubang di dusun Krajan"
    edit = edit_of(str(original["id"]), text_edit("ADUAN jalan berlubang besar di dusun Krajan RT 2"))
    post(client, whatsapp_envelope(whatsapp_change([edit])))
    [ticket] = tickets(engine)
    assert ticket.text == "jalan berlubang besar di dusun Krajan RT 2"
    assert ticket.rt == 2


def test_an_edit_of_a_message_never_seen_is_a_new_message(client: TestClient, engine: Engine) -> None:
    edit = edit_of(wamid(), text_edit("jalan rusak parah di dusun Krajan"))
    assert post(client, whatsapp_envelope(whatsapp_change([edit]))).status_code == 200
    [ticket] = tickets(engine)
    assert ticket.text == "jalan rusak parah di dusun Krajan"
    [reply] = outbox_rows(engine)
    assert ticket.code in reply.body


def test_an_edit_of_another_residents_message_is_not_applied(client: TestClient, engine: Engine) -> None:
    original = whatsapp_text("lampu jalan di RT 3 mati", sender=RESIDENT)
    post(client, whatsapp_envelope(whatsapp_change([original])))
    edit = edit_of(str(original["id"]), text_edit("lampu jalan RT 3 sudah nyala lagi"))  # from NEWCOMER
    post(client, whatsapp_envelope(whatsapp_change([edit])))
    assert inbound_messages(engine)[0].body == "lampu jalan di RT 3 mati"
    assert tickets(engine)[0].text == "lampu jalan di RT 3 mati"


def test_a_deletion_is_recorded_and_never_answered(client: TestClient, engine: Engine) -> None:
    original = whatsapp_text("jembatan gantung dusun Cibodas putus", sender=NEWCOMER)
    post(client, whatsapp_envelope(whatsapp_change([original])))
    revoke = revoke_of(str(original["id"]))
    response = post(client, whatsapp_envelope(whatsapp_change([revoke])))
    assert response.json()["messages"] == 1
    assert len(outbox_rows(engine)) == 1
    first, deleted = inbound_messages(engine)
    assert first.revoked_at == datetime.fromtimestamp(T0_UNIX + 90, UTC)
    assert first.body == "jembatan gantung dusun Cibodas putus"  # the village keeps what was reported
    assert (deleted.body, deleted.note, deleted.ticket_id) == ("", "revoke", first.ticket_id)
    [ticket] = tickets(engine)
    assert ticket.text == "jembatan gantung dusun Cibodas putus"
    history = ticket_events(engine)
    assert history[-1].kind == TicketEventKind.INTERNAL_NOTE
    assert "menghapus" in (history[-1].note or "")
    again = post(client, whatsapp_envelope(whatsapp_change([revoke, revoke_of(str(original["id"]))])))
    assert (again.json()["messages"], again.json()["duplicates"]) == (1, 1)
    assert len(ticket_events(engine)) == len(history)
    assert len(outbox_rows(engine)) == 1


def test_a_deletion_of_a_message_never_seen_is_stored_and_not_answered(
    client: TestClient, engine: Engine
) -> None:
    assert post(client, whatsapp_envelope(whatsapp_change([revoke_of(wamid())]))).status_code == 200
    [stored] = inbound_messages(engine)
    assert (stored.note, stored.body) == ("revoke", "")
    assert outbox_rows(engine) == []


def test_an_edited_staff_command_keeps_no_pin(client: TestClient, engine: Engine) -> None:
    kader = "6281300000002"
    original = whatsapp_text("TIKET", sender=kader)
    post(client, whatsapp_envelope(whatsapp_change([original])))
    edit = pywa_message(
        "edit",
        {"original_message_id": original["id"], "message": text_edit("SIARAN 1234 Kerja bakti Minggu")},
        **{"from": kader},
    )
    post(client, whatsapp_envelope(whatsapp_change([edit])))
    first, edited = inbound_messages(engine)
    assert first.intent == edited.intent == "staff"
    assert first.body == "TIKET"
    assert edited.body == "SIARAN **** Kerja bakti Minggu"
    assert "1234" not in orjson.dumps(edited.raw).decode()
    assert len(outbox_rows(engine)) == 1  # the TIKET list; the edit sends and asks nothing
