"""POST /webhooks/twilio: signatures, villages, duplicates, WhatsApp senders, odd bodies."""

import logging
import re
import secrets
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.app import create_app
from models import Contact, ContactIdentity, IdentityKind, Message, Ticket
from tests.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN, Clock, make_settings
from tests.providers import twilio_signature, twilio_sms_form, twilio_whatsapp_form

PATH = "/webhooks/twilio"
URL = PUBLIC_BASE_URL + PATH


def post(client: TestClient, form: dict[str, str], signature: str | None = None):  # type: ignore[no-untyped-def]
    headers = {
        "X-Twilio-Signature": signature
        if signature is not None
        else twilio_signature(TWILIO_TOKEN, URL, form)
    }
    return client.post(PATH, data=form, headers=headers)


def messages(engine: Engine) -> list[str]:
    """TwiML <Message> bodies are compared through the stored rows; this counts inbound rows."""
    with Session(engine) as session:
        return list(session.exec(select(Message.provider_id).where(Message.direction == "in")).all())


def replies(twiml: str) -> list[str]:
    return re.findall(r"<Message>(.*?)</Message>", twiml, flags=re.S)


def test_signed_sms_complaint_opens_ticket_and_answers_twiml(client: TestClient, engine: Engine) -> None:
    response = post(client, twilio_sms_form("lampu jalan di RT 3 mati sdh seminggu"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    [reply] = replies(response.text)
    code = re.search(r"kode (\d{6})", reply)
    assert code, reply
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.code == code.group(1)
    assert ticket.category == "infrastruktur"
    assert ticket.rt == 3
    assert ticket.channel == "twilio_sms"


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param("", id="missing"),
        pytest.param("AAAAAAAAAAAAAAAAAAAAAAAAAAA=", id="forged"),
        pytest.param(
            twilio_signature("other-token", URL, twilio_sms_form("x", sid="SM" + "1" * 32)), id="wrong-key"
        ),
    ],
)
def test_bad_signature_is_403_and_stores_nothing(client: TestClient, engine: Engine, signature: str) -> None:
    form = twilio_sms_form("jalan rusak parah", sid="SM" + "1" * 32)
    response = post(client, form, signature=signature)
    assert response.status_code == 403
    assert "Signature" in response.json()["detail"]
    assert messages(engine) == []


def test_signature_over_other_url_or_tampered_body_is_refused(client: TestClient, engine: Engine) -> None:
    form = twilio_sms_form("jalan rusak parah")
    wrong_url = twilio_signature(TWILIO_TOKEN, "http://testserver" + PATH, form)
    assert post(client, form, signature=wrong_url).status_code == 403
    good = twilio_signature(TWILIO_TOKEN, URL, form)
    tampered = {**form, "Body": "jalan rusak parah sekali"}
    assert post(client, tampered, signature=good).status_code == 403
    assert messages(engine) == []


def test_unknown_to_is_404_and_stores_nothing(client: TestClient, engine: Engine) -> None:
    response = post(client, twilio_sms_form("jalan rusak", to="+62800009999"))
    assert response.status_code == 404
    assert "no village" in response.json()["detail"]
    assert messages(engine) == []


def test_missing_fields_are_400(client: TestClient) -> None:
    form = {"Body": "halo", "From": "+6281234500001"}
    response = post(client, form)
    assert response.status_code == 400
    assert "MessageSid" in response.json()["detail"]


def test_repeat_message_sid_changes_nothing_and_answers_the_same(client: TestClient, engine: Engine) -> None:
    form = twilio_sms_form("got depan SD mampet, banjir kalau hujan")
    first = post(client, form)
    second = post(client, form)
    assert first.status_code == second.status_code == 200
    assert first.text == second.text
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Ticket)).one() == 1
        assert (
            session.exec(select(func.count()).select_from(Message).where(Message.direction == "in")).one()
            == 1
        )


def test_unknown_extra_fields_are_accepted(client: TestClient) -> None:
    form = twilio_sms_form("MENU", NewFieldFrom2027="x", AnotherOne="y")
    response = post(client, form)
    assert response.status_code == 200
    assert "CEK" in replies(response.text)[0]


def test_whatsapp_sender_with_phone_shares_the_sms_contact(client: TestClient, engine: Engine) -> None:
    post(client, twilio_sms_form("DAFTAR", sender="+6281299990001"))
    response = post(
        client, twilio_whatsapp_form("jadwal musdes kapan?", sender="+6281299990001", profile_name="Bu Ani")
    )
    assert response.status_code == 200
    assert "Musdes" in replies(response.text)[0]
    with Session(engine) as session:
        ids = session.exec(select(ContactIdentity).where(ContactIdentity.value == "+6281299990001")).all()
        assert len(ids) == 1
        contact = session.get(Contact, ids[0].contact_id)
        assert contact is not None
        assert contact.name == "Bu Ani"
        assert contact.whatsapp_last_inbound_at is not None


def test_whatsapp_user_without_phone_is_a_contact(client: TestClient, engine: Engine) -> None:
    form = twilio_whatsapp_form("sampah numpuk di pinggir kali", sender="US.13491208655302741918")
    form["From"] = "whatsapp:US.13491208655302741918"
    form["WaId"] = ""
    response = post(client, form)
    assert response.status_code == 200
    assert re.search(r"kode \d{6}", replies(response.text)[0])
    with Session(engine) as session:
        identity = session.exec(
            select(ContactIdentity).where(ContactIdentity.kind == IdentityKind.WHATSAPP_USER)
        ).one()
    assert identity.value == "US.13491208655302741918"


def test_photo_without_text_keeps_media_and_asks_for_description(client: TestClient, engine: Engine) -> None:
    media = {"https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1": "image/jpeg"}
    response = post(client, twilio_whatsapp_form("", media=media))
    [reply] = replies(response.text)
    assert "keterangan" in reply
    code = re.search(r"kode aduan (\d{6})", reply)
    assert code
    follow = post(client, twilio_whatsapp_form("jembatan bambu di dusun Cibodas patah"))
    assert f"ditambahkan ke aduan {code.group(1)}" in replies(follow.text)[0]
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.media[0]["url"].endswith("/ME1")
    assert ticket.media[0]["content_type"] == "image/jpeg"
    assert "jembatan" in ticket.text
    assert ticket.dusun == "Cibodas"
    assert ticket.category == "infrastruktur"


@pytest.mark.parametrize(
    ("body", "expect"),
    [
        pytest.param("", "kosong", id="empty"),
        pytest.param("   ", "kosong", id="blank"),
        pytest.param("🙏🙏🙏😭😭", "MENU", id="all-emoji"),
        pytest.param("JALAN DI DUSUN KRAJAN RUSAK PARAH BANYAK LUBANG", "kode", id="all-caps"),
        pytest.param("sampah menumpuk di kali dekat jembatan, bau sekali. " * 31, "kode", id="1600-chars"),
    ],
)
def test_odd_bodies_get_a_sensible_answer(client: TestClient, body: str, expect: str) -> None:
    response = post(client, twilio_sms_form(body))
    assert response.status_code == 200
    [reply] = replies(response.text)
    assert expect in reply


def test_concurrent_repeats_are_handled_once(live_server: str, engine: Engine) -> None:
    import httpx

    form = twilio_sms_form("air PAMSIMAS tidak mengalir 3 hari di RT 2")
    headers = {"X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, URL, form)}
    results: list[httpx.Response] = []
    barrier = threading.Barrier(6)

    def send() -> None:
        with httpx.Client(base_url=live_server, timeout=30) as http:
            barrier.wait()
            results.append(http.post(PATH, data=form, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [200] * 6
    assert len({r.text for r in results}) == 1
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Ticket)).one() == 1
        assert (
            session.exec(select(func.count()).select_from(Message).where(Message.direction == "in")).one()
            == 1
        )


def test_huge_or_foreign_bodies_are_refused_with_a_reason(client: TestClient, engine: Engine) -> None:
    form = twilio_sms_form("x" * 70_000)
    assert post(client, form).status_code == 413
    response = client.post(PATH, json=twilio_sms_form("halo"), headers={"X-Twilio-Signature": "x"})
    assert response.status_code == 415
    assert "x-www-form-urlencoded" in response.json()["detail"]
    assert messages(engine) == []


def test_repeat_after_a_restart_gets_the_stored_answer(
    db_url: str, engine: Engine, clock: Clock, demo: None
) -> None:
    form = twilio_sms_form("jembatan gantung dusun Cibodas putus")
    with TestClient(create_app(make_settings(db_url), engine=engine, clock=clock)) as first_run:
        before = post(first_run, form)
    with TestClient(create_app(make_settings(db_url), engine=engine, clock=clock)) as second_run:
        after = post(second_run, form)
    assert before.status_code == after.status_code == 200
    assert before.text == after.text
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Ticket)).one() == 1


def test_emoji_and_accents_survive_storage(client: TestClient, engine: Engine) -> None:
    body = "Jalan rusak parah 😡🙏 dekat warung Bu Sité, tolong!!"
    response = post(client, twilio_sms_form(body))
    assert response.status_code == 200
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.text.endswith("😡🙏 dekat warung Bu Sité, tolong!!")


def test_operator_promotions_are_kept_but_never_answered(client: TestClient, engine: Engine) -> None:
    response = post(
        client, twilio_sms_form("Selamat! Kuota 10GB hanya Rp10rb. Ketik *123#", sender="TELKOMSEL")
    )
    assert response.status_code == 200
    assert replies(response.text) == []
    with Session(engine) as session:
        stored = session.exec(select(Message)).one()
        assert session.exec(select(func.count()).select_from(Ticket)).one() == 0
    assert (stored.sender, stored.note) == ("TELKOMSEL", "unreachable_sender")


# --- provider ids, odd characters, media URLs, locations (issue 9: items 8, 9, 11) ------------------


def test_sids_sharing_their_first_80_characters_are_two_messages(client: TestClient, engine: Engine) -> None:
    # Cut to 80 characters, the second looked like a repeat of the first and was never stored.
    shared = "SM" + "0123456789abcdef" * 5  # 82 characters
    first, second = shared + "a" * 40, shared + "b" * 40
    post(client, twilio_sms_form("lampu jalan di RT 3 mati sdh seminggu", sid=first))
    post(client, twilio_sms_form("got depan SD mampet, banjir kalau hujan", sid=second))
    assert sorted(messages(engine)) == [first, second]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Ticket)).one() == 2


def test_a_sid_longer_than_the_column_is_400_and_never_cut(client: TestClient, engine: Engine) -> None:
    response = post(client, twilio_sms_form("jalan rusak parah", sid="SM" + "f" * 254))  # 256 characters
    assert response.status_code == 400
    assert "255" in response.json()["detail"]
    assert messages(engine) == []
    exactly = "SM" + "e" * 253
    assert post(client, twilio_sms_form("jalan rusak parah", sid=exactly)).status_code == 200
    assert messages(engine) == [exactly]


def test_nul_in_the_sid_the_addresses_and_media_is_stored_clean(client: TestClient, engine: Engine) -> None:
    # PostgreSQL refuses NUL in text: a 500 there, whatever the field.
    sid = "SM" + secrets.token_hex(16)
    url = "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1"
    form = twilio_whatsapp_form("", sid=sid + "\x00", media={url: "image/jpeg\x00"})
    form["To"] = "whatsapp:+62800000001\x00"
    form["From"] = "whatsapp:+6281234500001\x00"
    form["WaId"] = "6281234500001\x00"
    response = post(client, form)
    assert response.status_code == 200
    assert "kode aduan" in replies(response.text)[0]
    with Session(engine) as session:
        stored = session.exec(select(Message).where(Message.direction == "in")).one()
        ticket = session.exec(select(Ticket)).one()
    assert (stored.provider_id, stored.recipient, stored.sender) == (sid, "+62800000001", "+6281234500001")
    with Session(engine) as session:
        identity = session.exec(
            select(ContactIdentity).where(ContactIdentity.value == "+6281234500001")
        ).one()
    assert identity.kind == IdentityKind.PHONE  # the demo's Pak Slamet, not a new WhatsApp user
    assert stored.media == [{"url": url, "content_type": "image/jpeg"}]
    assert ticket.media == stored.media
    assert "\x00" not in str(stored.raw)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("file:///etc/passwd", id="file"),
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("http://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1", id="http"),
        pytest.param("https://api.twilio.com.evil.example/Media/ME1", id="look-alike-host"),
        pytest.param("https://api.twilio.com@evil.example/Media/ME1", id="userinfo"),
        pytest.param("https://evil.example/?u=https://api.twilio.com/Media/ME1", id="other-host"),
        pytest.param("https://api.twilio.com/Media/ME1 https://evil.example", id="space"),
    ],
)
def test_media_urls_that_are_not_twilios_https_are_dropped(
    client: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture, url: str
) -> None:
    sender = "+6281234500001"
    with caplog.at_level(logging.WARNING, logger="kentongan.media"):
        response = post(
            client, twilio_whatsapp_form("lampu jalan RT 3 mati", sender=sender, media={url: "image/jpeg"})
        )
    assert response.status_code == 200
    assert "kode" in replies(response.text)[0]
    with Session(engine) as session:
        stored = session.exec(select(Message).where(Message.direction == "in")).one()
        ticket = session.exec(select(Ticket)).one()
    assert stored.media == ticket.media == []
    [line] = [r.getMessage() for r in caplog.records if r.name == "kentongan.media"]
    assert "dropped" in line
    assert sender[3:] not in line
    assert "/etc/passwd" not in line  # the scheme and host at most
    assert "alert" not in line


@pytest.mark.parametrize(
    "url",
    [
        "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1",
        "https://media.twiliocdn.com/AC0/abc123",
        "https://mcs.us1.twilio.com/v1/Services/IS0/Media/ME1",
        "http://127.0.0.1:8099/media/ME1",  # a fake provider in tests
    ],
)
def test_twilios_own_media_urls_are_kept(client: TestClient, engine: Engine, url: str) -> None:
    post(client, twilio_whatsapp_form("", media={url: "image/jpeg"}))
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.media == [{"url": url, "content_type": "image/jpeg"}]


def test_a_long_body_is_cut_and_its_length_kept(client: TestClient, engine: Engine) -> None:
    body = "sampah menumpuk di kali dekat jembatan RT 2, bau sekali. " * 200  # 11,400 characters
    response = post(client, twilio_sms_form(body))
    assert response.status_code == 200
    assert "kode" in replies(response.text)[0]
    with Session(engine) as session:
        stored = session.exec(select(Message).where(Message.direction == "in")).one()
        ticket = session.exec(select(Ticket)).one()
    assert len(stored.body) == 4096
    assert stored.body_cut_from == len(body)
    assert len(stored.raw["Body"]) == 4096
    assert len(ticket.text) <= 4096


def location_form(**extra: str) -> dict[str, str]:
    """A WhatsApp location as Twilio posts it: MessageType=location, Latitude and Longitude, Label and
    Address when the resident picked a named place, an empty Body, no media (docs/providers.md; the same
    field set as a form logged in public code posting Twilio's WhatsApp location webhook)."""
    form = twilio_whatsapp_form("", MessageType="location", Latitude="-6.9147", Longitude="107.6098")
    form.update(extra)
    return form


def test_a_location_alone_opens_a_complaint_that_asks_what_is_wrong_there(
    client: TestClient, engine: Engine
) -> None:
    response = post(client, location_form(Label="Jembatan Cibodas", Address="Jl. Raya Cibodas RT 02 RW 03"))
    [reply] = replies(response.text)
    assert reply.startswith("Lokasi diterima")
    code = re.search(r"kode aduan (\d{6})", reply)
    assert code
    with Session(engine) as session:
        stored = session.exec(select(Message).where(Message.direction == "in")).one()
        ticket = session.exec(select(Ticket)).one()
    assert stored.location == {
        "latitude": -6.9147,
        "longitude": 107.6098,
        "label": "Jembatan Cibodas",
        "address": "Jl. Raya Cibodas RT 02 RW 03",
    }
    assert stored.body == "Lokasi: -6.9147,107.6098 (Jembatan Cibodas, Jl. Raya Cibodas RT 02 RW 03)"
    assert ticket.text == stored.body
    follow = post(client, twilio_whatsapp_form("jembatan bambu di dusun Cibodas patah"))
    assert f"ditambahkan ke aduan {code.group(1)}" in replies(follow.text)[0]
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.text.startswith("Lokasi: -6.9147,107.6098 (Jembatan Cibodas")
    assert ticket.text.endswith("\njembatan bambu di dusun Cibodas patah")
    assert (ticket.dusun, ticket.category) == ("Cibodas", "infrastruktur")


def test_a_location_after_a_photo_joins_its_complaint(client: TestClient, engine: Engine) -> None:
    photo = {"https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1": "image/jpeg"}
    code = re.search(
        r"kode aduan (\d{6})", replies(post(client, twilio_whatsapp_form("", media=photo)).text)[0]
    )
    assert code
    [reply] = replies(post(client, location_form()).text)
    assert reply.startswith(f"Lokasi ditambahkan ke aduan {code.group(1)}")
    [reply] = replies(post(client, twilio_whatsapp_form("tiang listrik roboh")).text)
    assert f"keterangan ditambahkan ke aduan {code.group(1)}" in reply
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.text == "Lokasi: -6.9147,107.6098\ntiang listrik roboh"
    assert len(ticket.media) == 1


def test_a_location_completes_a_report_that_waits_for_its_detail(client: TestClient, engine: Engine) -> None:
    assert "tulis" in replies(post(client, twilio_whatsapp_form("ADUAN ANONIM")).text)[0].lower()
    [reply] = replies(post(client, location_form(Label="Balai Desa")).text)
    assert "Lokasi diterima" in reply
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.anonymous
    assert ticket.text == "Lokasi: -6.9147,107.6098 (Balai Desa)"


@pytest.mark.parametrize(
    ("extra", "expect"),
    [
        pytest.param({"Latitude": "abc"}, "kosong", id="not-a-number"),
        pytest.param({"Latitude": "123.5"}, "kosong", id="off-the-globe"),
        pytest.param({"Latitude": "nan"}, "kosong", id="nan"),
    ],
)
def test_a_location_that_is_not_one_is_an_empty_message(
    client: TestClient, engine: Engine, extra: dict[str, str], expect: str
) -> None:
    [reply] = replies(post(client, location_form(**extra)).text)
    assert expect in reply
    with Session(engine) as session:
        stored = session.exec(select(Message).where(Message.direction == "in")).one()
    assert stored.location is None


def test_an_empty_message_of_a_kind_not_read_says_what_came(client: TestClient) -> None:
    form = twilio_whatsapp_form("", MessageType="contacts")
    [reply] = replies(post(client, form).text)
    assert reply.startswith("Kartu kontak diterima")
    [reply] = replies(post(client, twilio_whatsapp_form("", MessageType="unknown")).text)
    assert "belum bisa kami baca" in reply
