"""Every intent end to end through the console channel, as a resident would try it.

Every reply is also checked to be one GSM-7 SMS.
"""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.db import transaction
from broadcasts.fanout import VillageRoutes
from broadcasts.sms import Encoding, analyse
from handlers import lifecycle
from handlers.inbound import InboundMessage
from models import (
    ConsentEvent,
    Contact,
    ContactIdentity,
    ContactTopic,
    Message,
    Role,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketStatus,
    Village,
    VillageAddress,
)
from models import texts as t
from models.village import Channel
from tests.conftest import Clock
from tests.factories import Phone

WARGA = "+6281234500001"
TETANGGA = "+6285712300003"
BARU = "+6281377788899"


def Resident(client: TestClient, number: str, to: str = "+62800000001") -> Phone:
    """A resident's phone (tests/factories.py)."""
    return Phone(client, number, to)


def code_in(reply: str) -> str:
    found = re.search(r"\b(\d{6})\b", reply)
    assert found, reply
    return found.group(1)


def contact_of(engine: Engine, number: str) -> Contact:
    with Session(engine) as session:
        return session.exec(
            select(Contact)
            .join(ContactIdentity, col(ContactIdentity.contact_id) == col(Contact.id))
            .where(ContactIdentity.value == number)
        ).one()


def count_tickets(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Ticket)).one()


def is_anonymous(engine: Engine, code: str) -> bool:
    with Session(engine) as session:
        return bool(session.exec(select(Ticket.anonymous).where(Ticket.code == code)).one())


def test_complaint_without_keyword_gets_code_and_next_steps(client: TestClient, engine: Engine) -> None:
    reply = Resident(client, WARGA).say(
        "Assalamualaikum pak, mau lapor jln di dpn SD dusun Krajan rusak2, lubangnya besar"
    )
    code = code_in(reply)
    assert "CEK " + code in reply
    assert "3 hari kerja" in reply
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
    assert ticket.code == code
    assert len(code) == 6
    assert ticket.status == TicketStatus.BARU
    assert ticket.category == "infrastruktur"
    assert ticket.dusun == "Krajan"
    assert [e.kind for e in events] == [TicketEventKind.CREATED]


def test_codes_are_digits_unique_and_not_sequential(client: TestClient) -> None:
    warga = Resident(client, BARU)
    codes = [
        code_in(warga.say(problem))
        for problem in [
            "jalan rusak di RT 1",
            "lampu jalan mati RT 2",
            "got mampet RT 3",
            "sampah numpuk di kali",
        ]
    ]
    assert len(set(codes)) == 4
    assert all(c.isdigit() and len(c) == 6 for c in codes)
    assert sorted(int(c) for c in codes) != list(range(int(min(codes)), int(min(codes)) + 4))


def test_bare_aduan_asks_for_detail_and_next_message_completes_it(client: TestClient, engine: Engine) -> None:
    warga = Resident(client, WARGA)
    assert "Silakan tulis aduan" in warga.say("ADUAN")
    assert count_tickets(engine) == 0
    code = code_in(warga.say("kapan jembatan Cibodas diperbaiki, sdh ambrol"))
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.code == code
    assert "jembatan" in ticket.text
    # The conversation state is cleared: the next question is a question again.
    assert "Musdes" in warga.say("kapan musdes?")


def test_command_keyword_while_waiting_for_detail_is_obeyed(client: TestClient, engine: Engine) -> None:
    warga = Resident(client, WARGA)
    warga.say("lapor")
    assert "CEK" in warga.say("MENU")
    assert count_tickets(engine) == 0
    assert contact_of(engine, WARGA).pending == "none"


def test_expired_pending_detail_is_forgotten(client: TestClient, engine: Engine, clock: Clock) -> None:
    warga = Resident(client, WARGA)
    warga.say("ADUAN")
    clock.advance(hours=1)
    assert "kode" not in warga.say("terima kasih")
    assert count_tickets(engine) == 0


def test_status_for_reporter_other_number_unknown_and_list(client: TestClient, engine: Engine) -> None:
    warga, tetangga = Resident(client, WARGA), Resident(client, TETANGGA)
    code = code_in(warga.say("air PAMSIMAS di RT 2 tidak mengalir 3 hari"))
    with transaction(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        ticket.status = TicketStatus.DIPROSES
        session.add(
            TicketEvent(
                ticket_id=ticket.id or 0,
                kind=TicketEventKind.PUBLIC_NOTE,
                note="Pipa diganti Kamis",
                public=True,
            )
        )
    own = warga.say(f"CEK {code}")
    assert own.startswith(f"Aduan {code} (Air bersih & sanitasi): sedang diproses.")
    assert "Pipa diganti Kamis" in own
    assert tetangga.say(f"cek {code}") == f"Aduan {code}: sedang diproses. Ketik CEK utk aduan Anda."
    assert "tidak ditemukan" in warga.say("CEK 999999")
    listing = warga.say("CEK")
    assert code in listing
    assert "sedang diproses" in listing
    assert "tidak punya aduan" in tetangga.say("status")


@pytest.mark.parametrize(
    ("question", "expect"),
    [
        pytest.param("kapan musdes?", ["Musdes RKPDes", "19.30 WIB", "Balai Desa"], id="jadwal"),
        pytest.param(
            "DANA", ["APBDes 2026", "pendapatan Rp1,6 miliar", "(Kantor Desa) Rp560 juta"], id="dana"
        ),
        pytest.param(
            "sanksi apa saja yg berlaku",
            ["Keputusan desa: Denda Rp50.000 buang sampah ke sungai (sanksi, sejak "],  # QA: "Sanksi" twice
            id="keputusan",
        ),
        pytest.param("PROGRAM", ["BLT-DD"], id="program"),
        pytest.param("LAYANAN", ["Layanan kantor desa", "KK asli"], id="layanan"),
        # A question that names one service or programme gets that entry alone, and where the rest is.
        pytest.param(
            "syarat bikin surat domisili apa?",
            ["Surat keterangan domisili: bawa KTP & KK;", "Ketik LAYANAN utk yg lain."],
            id="layanan-named",
        ),
        # QA: a ticket, the meeting schedule and the menu before.
        pytest.param("jam buka kantor desa", ["Layanan kantor desa"], id="office-hours"),
        pytest.param(
            "kapan posyandu?",
            ["Posyandu: Tiap Selasa", "dusun. Ketik PROGRAM utk yg lain."],
            id="posyandu-when",
        ),
        pytest.param("posyandu buka hari apa ya", ["Posyandu: Tiap Selasa"], id="posyandu-day"),
        pytest.param("cara daftar BLT gimana", ["BLT-DD: Rp300.000/bulan", "Ketik PROGRAM"], id="blt-how"),
        pytest.param("program desa apa saja", ["Program desa", "Balas PROGRAM 2"], id="programmes"),
        pytest.param("syarat surat pengantar apa saja", ["Layanan kantor desa"], id="several-named"),
    ],
)
def test_information_comes_from_the_village_data(
    client: TestClient, engine: Engine, question: str, expect: list[str]
) -> None:
    reply = Resident(client, WARGA).say(question)
    for fragment in expect:
        assert fragment in reply
    assert count_tickets(engine) == 0


def test_long_answers_offer_the_next_part(client: TestClient) -> None:
    warga = Resident(client, WARGA)
    first = warga.say("DANA")
    assert "Balas DANA 2" in first
    parts = [first]
    page = 1
    while f"Balas DANA {page + 1}" in parts[-1]:
        page += 1
        parts.append(warga.say(f"DANA {page}"))
    assert page >= 2
    assert parts[1] != parts[0]
    text = " ".join(parts)
    for activity in ["Rabat beton jalan", "Drainase", "Lampu jalan tenaga surya", "Honor guru PAUD"]:
        assert activity in text
    assert "Tidak ada lanjutan" in warga.say(f"DANA {page + 5}")
    # The header once, a short prefix after it, and one style of amounts (QA: 9 SMS, mixed styles).
    assert len(parts) <= 5
    assert parts[0].startswith("APBDes 2026: pendapatan")
    assert all(part.startswith(f"DANA {i}/{len(parts)}: ") for i, part in enumerate(parts[1:], start=2))
    assert "Rp75 juta" in text
    assert "Rp75.000.000" not in text


def test_musdus_is_shown_only_to_its_dusun(client: TestClient) -> None:
    assert "Musdus Krajan" in Resident(client, WARGA).say("JADWAL")  # Pak Slamet lives in Krajan
    assert "Musdus Krajan" not in Resident(client, TETANGGA).say("JADWAL")  # Mas Agus lives in Sukamulya


def test_missing_data_is_said_plainly(client: TestClient, engine: Engine) -> None:
    with transaction(engine) as session:
        village = Village(code="KOSONG", name="Desa Kosong", timezone="Asia/Makassar")
        session.add(village)
        session.flush()
        session.add(
            VillageAddress(village_id=village.id or 0, channel=Channel.CONSOLE, address="+62800000002")
        )
    warga = Resident(client, WARGA, to="+62800000002")
    assert "Belum ada jadwal" in warga.say("JADWAL")
    assert "belum dimasukkan" in warga.say("DANA")
    assert "Belum ada keputusan" in warga.say("SANKSI")
    assert "Belum ada program" in warga.say("PROGRAM")
    assert "belum dimasukkan" in warga.say("LAYANAN")


def test_subscribe_and_unsubscribe_record_time_and_source(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    warga = Resident(client, BARU)
    assert warga.say("DAFTAR") == (
        "Anda terdaftar utk semua info Desa Sukamaju. Utk berhenti, ketik BERHENTI."  # QA: "info semua dari"
    )
    assert "sudah terdaftar utk semua info Desa Sukamaju" in warga.say("daftar")
    clock.advance(days=2)
    assert "tidak akan menerima" in warga.say("STOP")
    contact = contact_of(engine, BARU)
    assert contact.subscription == "unsubscribed"
    assert contact.subscription_changed_at == clock.now
    with Session(engine) as session:
        events = session.exec(
            select(ConsentEvent).where(ConsentEvent.contact_id == contact.id).order_by(col(ConsentEvent.id))
        ).all()
    assert [(e.state, e.source, e.channel) for e in events] == [
        ("subscribed", "keyword", "console"),
        ("unsubscribed", "keyword", "console"),
    ]
    assert events[1].evidence == "STOP"
    assert "terdaftar" in warga.say("REG")
    assert contact_of(engine, BARU).subscription == "subscribed"


def test_subscribe_to_topics(client: TestClient, engine: Engine) -> None:
    assert "terdaftar utk info jadwal rapat Desa Sukamaju." in Resident(client, BARU).say("DAFTAR JADWAL")
    contact = contact_of(engine, BARU)
    with Session(engine) as session:
        topics = session.exec(select(ContactTopic.topic).where(ContactTopic.contact_id == contact.id)).all()
    assert topics == ["jadwal"]


def test_unsubscribe_from_a_never_subscribed_number_is_recorded(client: TestClient, engine: Engine) -> None:
    assert Resident(client, BARU).say("UNREG") == (
        "Anda belum terdaftar utk pengumuman Desa Sukamaju. Utk daftar, ketik DAFTAR."  # QA: "memang tidak"
    )
    assert contact_of(engine, BARU).subscription == "unsubscribed"


def test_help_menu_fits_one_sms(client: TestClient) -> None:
    reply = Resident(client, WARGA).say("MENU")
    assert reply.startswith("Desa Sukamaju:")
    for keyword in ["CEK", "JADWAL", "DANA", "DAFTAR", "BERHENTI"]:
        assert keyword in reply


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("terima kasih pak", t.OTHER),
        ("Selamat! Anda mendapat hadiah Rp50 juta, hub 0812xxx", t.SCAM_WARNING),  # warned, never thanked
        ("SELAMAT! Anda menang undian Rp100jt dari Telkomsel, transfer biaya admin dulu", t.SCAM_WARNING),
        ("Pinjaman dana cepat tanpa jaminan, cair 1 hari, hub WA", t.SCAM_WARNING),
        ("Assalamualaikum", t.GREETING),
        ("Assalamu alaikum pak", t.GREETING),
        ("wassalam", t.GREETING),
        ("pak", t.OTHER),  # a courtesy alone is no greeting
    ],
)
def test_thanks_scams_and_greetings_are_not_complaints(
    client: TestClient, engine: Engine, text: str, reply: str
) -> None:
    assert Resident(client, WARGA).say(text) == reply
    assert count_tickets(engine) == 0


def test_about_head_goes_to_bpd_and_flags_are_kept(client: TestClient, engine: Engine) -> None:
    reply = Resident(client, WARGA).say(
        "ADUAN RAHASIA pak kades pakai dana desa utk kepentingan pribadi, anonim"
    )
    assert "BPD" in reply
    assert "dirahasiakan" in reply
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.about_head
    assert ticket.confidential
    assert ticket.anonymous
    assert ticket.category == "tata_kelola"


def test_new_ticket_flood_is_limited_but_every_message_is_stored(client: TestClient, engine: Engine) -> None:
    warga = Resident(client, BARU)
    for i in range(5):
        code_in(warga.say(f"jalan rusak di RT {i + 1}"))
    assert "Mohon tunggu" in warga.say("jalan rusak di RT 9")
    assert count_tickets(engine) == 5
    with Session(engine) as session:
        stored = session.exec(
            select(Message).where(Message.direction == "in").order_by(col(Message.id))
        ).all()
    assert len(stored) == 6
    assert stored[-1].note == "rate_limited"


def test_flood_limit_resets_after_an_hour(client: TestClient, clock: Clock) -> None:
    warga = Resident(client, BARU)
    for i in range(5):
        warga.say(f"lampu jalan mati RT {i + 1}")
    clock.advance(hours=1, seconds=1)
    code_in(warga.say("lampu jalan mati RT 7"))


def test_loop_guard_stops_identical_replies(client: TestClient, engine: Engine, clock: Clock) -> None:
    warga = Resident(client, BARU)
    answers = [warga.say("ok") for _ in range(5)]
    assert answers[0]
    assert answers[:3] == [answers[0]] * 3
    assert answers[3:] == ["", ""]
    with Session(engine) as session:
        notes = session.exec(
            select(Message.note).where(Message.direction == "in").order_by(col(Message.id))
        ).all()
    assert notes == [None, None, None, "loop_guard", "loop_guard"]
    clock.advance(minutes=5, seconds=1)
    assert warga.say("ok") == answers[0]


def test_console_duplicate_id_answers_the_same(client: TestClient, engine: Engine) -> None:
    body = {"from": WARGA, "to": "+62800000001", "text": "jalan rusak RT 2", "id": "console-1"}
    first = client.post("/webhooks/console", json=body).json()
    second = client.post("/webhooks/console", json=body).json()
    assert first["replies"] == second["replies"]
    assert second["duplicate"] is True
    assert count_tickets(engine) == 1


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"from": "bukan nomor", "to": "+62800000001", "text": "x"}, 400, "from"),
        ({"from": WARGA, "to": "+62800009999", "text": "x"}, 404, "no village"),
        ({"from": WARGA, "to": "+62800000001", "text": "x" * 5000}, 422, "text"),
        ({"to": "+62800000001", "text": "x"}, 422, "from"),
    ],
)
def test_console_bad_input_is_a_clear_4xx(
    client: TestClient, body: dict[str, str], status: int, fragment: str
) -> None:
    response = client.post("/webhooks/console", json=body)
    assert response.status_code == status
    assert fragment in str(response.json()["detail"])


# --- privacy across turns --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "private", ["pak kades minta pungutan utk surat domisili", "ADUAN RAHASIA jalan rusak"]
)
def test_only_the_reporter_may_check_a_complaint_about_the_head_or_a_confidential_one(
    client: TestClient, engine: Engine, private: str
) -> None:
    code = code_in(Resident(client, WARGA).say(private))
    head = Resident(client, "+6281300000003")  # the village head's own phone
    assert head.say(f"CEK {code}") == Resident(client, TETANGGA).say("CEK 999999").replace("999999", code)
    assert Resident(client, WARGA).say(f"CEK {code}").startswith(f"Aduan {code} (")
    with Session(engine) as session:
        asked = session.exec(select(Message).where(Message.sender == "+6281300000003")).one()
        ticket = session.exec(select(Ticket).where(Ticket.code == code)).one()
    assert asked.ticket_id == ticket.id  # so the message log can hide it from those who may not see it


@pytest.mark.parametrize(
    ("first", "second", "flags"),
    [
        ("ADUAN ANONIM", "jalan rusak parah di dusun krajan", (False, True, False)),
        ("ADUAN RAHASIA", "bantuan BLT dipotong", (False, False, True)),
        ("ADUAN ANONIM RAHASIA", "posyandu tdk pernah buka sebulan", (False, True, True)),
    ],
)
def test_a_two_step_report_keeps_what_the_first_message_said(
    client: TestClient, engine: Engine, first: str, second: str, flags: tuple[bool, bool, bool]
) -> None:
    warga = Resident(client, WARGA)
    assert "tulis" in warga.say(first).lower()  # asks for the detail
    reply = warga.say(second)
    code = code_in(reply)
    with Session(engine) as session:
        ticket = session.exec(select(Ticket).where(Ticket.code == code)).one()
        contact = contact_of(engine, WARGA)
    assert (ticket.about_head, ticket.anonymous, ticket.confidential) == flags
    assert contact.pending_flags == ""
    # The promise made is what the flags keep: the name (anonim), or the content from the public (rahasia).
    if flags[1]:
        assert reply.endswith(t.COMPLAINT_PRIVATE_SUFFIX)
    elif flags[2]:
        assert reply.endswith(t.COMPLAINT_CONFIDENTIAL_SUFFIX)
        assert "Identitas" not in reply


def test_a_photo_described_as_anonymous_hides_its_reporter(client: TestClient, engine: Engine) -> None:
    body = {
        "from": WARGA,
        "to": "+62800000001",
        "text": "",
        "media": ["https://example.invalid/foto.jpg"],
    }
    assert client.post("/webhooks/console", json=body).status_code == 200
    Resident(client, WARGA).say("pak kades pungli, saya minta anonim")
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
    assert (ticket.about_head, ticket.anonymous) == (True, True)


@pytest.mark.parametrize("text", ["jalan rusak\x00 di krajan", "\x00"])
def test_text_no_database_can_store_is_cleaned_not_refused(
    client: TestClient, engine: Engine, text: str
) -> None:
    reply = Resident(client, WARGA).say(text)
    assert reply
    with Session(engine) as session:
        stored = session.exec(select(Message.body).where(Message.sender == WARGA)).one()
    assert "\x00" not in stored


def test_every_channel_cleans_what_no_database_can_store() -> None:
    # JSON webhooks (WhatsApp Cloud, the gateway) can carry a lone surrogate ("\ud800") that Python
    # decodes but cannot encode; NUL comes from any channel.
    message = InboundMessage(
        channel=Channel.WHATSAPP_CLOUD,
        provider_id="wamid.1",
        to="100000000000001",
        sender="+6281234500001",
        text="lampu \ud800 mati\x00",
        profile_name="Bu\x00 Sari",
        raw={"entry": [{"text": {"body": "lampu \ud800 mati\x00"}}], "k\x00": 1},
    )
    assert message.text == "lampu ? mati"
    assert message.profile_name == "Bu Sari"
    assert message.raw == {"entry": [{"text": {"body": "lampu ? mati"}}], "k": 1}
    clean = InboundMessage(Channel.CONSOLE, "1", "+62800000001", WARGA, "biasa saja", raw={"a": "b"})
    assert clean.text == "biasa saja"


def test_a_question_in_the_middle_of_a_report_keeps_it_waiting_and_anonymous(
    client: TestClient, engine: Engine
) -> None:
    warga = Resident(client, WARGA)
    assert warga.say("ADUAN ANONIM") == t.COMPLAINT_ASK_DETAIL_PRIVATE  # the promise, at once
    assert "Musdes" in warga.say("JADWAL")  # answered; the report still waits
    code = code_in(warga.say("jalan rusak parah di dusun krajan"))
    assert is_anonymous(engine, code)


@pytest.mark.parametrize(
    ("between", "answered"),
    [
        ("syarat bikin KTP apa", "Layanan"),  # a question in plain words: answered from the village's data
        ("kapan bansos cair?", "Program"),
        ("ok pak", None),  # no report: the request for it again, with its promise
        ("terima kasih pak", None),
        ("sebentar ya pak, sy tanya tetangga dulu", None),
        ("\U0001f64f", None),
        ("", None),
    ],
)
def test_what_is_not_the_detail_leaves_an_anonymous_report_waiting(
    client: TestClient, engine: Engine, between: str, answered: str | None
) -> None:
    warga = Resident(client, WARGA)
    assert warga.say("ADUAN ANONYM") == t.COMPLAINT_ASK_DETAIL_PRIVATE  # a slip in ANONIM keeps the promise
    reply = warga.say(between)
    if answered is None:
        assert reply == t.COMPLAINT_ASK_DETAIL_PRIVATE
    else:
        assert answered.lower() in reply.lower(), reply
    assert count_tickets(engine) == 0
    code = code_in(warga.say("ada judi sabung ayam di krajan rt 3"))
    assert is_anonymous(engine, code)


def test_afraid_of_being_found_out_is_asked_for_the_detail_anonymously(
    client: TestClient, engine: Engine
) -> None:
    warga = Resident(client, WARGA)
    assert warga.say("Saya mau lapor tapi takut ketahuan") == t.COMPLAINT_ASK_DETAIL_PRIVATE
    assert count_tickets(engine) == 0
    code = code_in(warga.say("ada pungli di kantor desa waktu bikin surat"))
    assert is_anonymous(engine, code)
    reply = Resident(client, TETANGGA).say("jalan rusak di RT 3, tapi takut ketahuan")
    assert reply.endswith(t.COMPLAINT_PRIVATE_SUFFIX)


def test_asking_for_anonymity_just_after_a_report_makes_that_report_anonymous(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    warga = Resident(client, WARGA)
    code = code_in(warga.say("lampu jalan RT 3 mati sdh seminggu"))
    clock.advance(minutes=10)
    assert warga.say("tolong nama saya dirahasiakan ya") == t.COMPLAINT_MADE_PRIVATE.format(code=code)
    with Session(engine) as session:
        stored = session.exec(select(Ticket).where(Ticket.code == code)).one()
        events = session.exec(select(TicketEvent.note).where(TicketEvent.ticket_id == stored.id)).all()
    assert stored.anonymous
    assert "ditandai: anonim" in events
    clock.advance(hours=2)  # long after: a new report is asked for, the old one is left as it was
    assert warga.say("ADUAN RAHASIA") == t.COMPLAINT_ASK_DETAIL_CONFIDENTIAL  # no promise about the name


def test_asking_to_be_kept_anonymous_never_unsubscribes(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    warga = Resident(client, WARGA)
    warga.say("DAFTAR")
    code = code_in(warga.say("lampu jalan RT 2 mati sudah seminggu"))
    for request in ("tolong rahasiakan nama saya", "tolong dirahasiakan ya pak"):
        clock.advance(minutes=5)
        reply = warga.say(request)
        assert "pengumuman" not in reply.lower(), reply
    assert contact_of(engine, WARGA).subscription == "subscribed"
    assert is_anonymous(engine, code)


def test_a_report_that_only_names_the_head_waits_for_its_detail_as_a_complaint_about_him(
    client: TestClient, engine: Engine
) -> None:
    warga = Resident(client, WARGA)
    assert warga.say("mau lapor soal pak kades") == t.COMPLAINT_ASK_DETAIL
    code = code_in(warga.say("dia minta uang 2 juta utk tanda tangan surat tanah saya"))
    with Session(engine) as session:
        stored = session.exec(select(Ticket).where(Ticket.code == code)).one()
    assert stored.about_head
    assert count_tickets(engine) == 1


def test_a_promise_of_anonymity_outlives_a_late_detail(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    warga = Resident(client, WARGA)
    assert warga.say("ADUAN ANONIM") == t.COMPLAINT_ASK_DETAIL_PRIVATE
    clock.advance(minutes=25)
    assert "Musdes" in warga.say("JADWAL")  # the wait starts again
    clock.advance(minutes=25)
    first = code_in(warga.say("jalan rusak parah di dusun krajan"))  # 50 minutes after the promise
    Resident(client, TETANGGA).say("ADUAN ANONIM")
    clock.advance(hours=3)  # long past the wait: still kept for the next report of that day
    second = code_in(Resident(client, TETANGGA).say("got mampet di RT 4"))
    with Session(engine) as session:
        for code in (first, second):
            assert session.exec(select(Ticket.anonymous).where(Ticket.code == code)).one(), code
    assert contact_of(engine, TETANGGA).pending_flags == ""


# --- "is it really fixed?" answered in the resident's own words ------------------------------------------

ROUTES = VillageRoutes(village_id=1, addresses={Channel.CONSOLE: "+62800000001"}, available={Channel.CONSOLE})


def closed_complaint(client: TestClient, engine: Engine, clock: Clock, number: str = WARGA) -> str:
    """A complaint the village closed as done: its reporter was asked to answer 1 or 2."""
    code = code_in(Resident(client, number).say("jalan di RT 2 dusun Krajan berlubang besar"))
    with transaction(engine) as session:
        stored = session.exec(select(Ticket).where(Ticket.code == code)).one()
        lifecycle.change_status(
            session=session,
            ticket=stored,
            to=TicketStatus.SELESAI,
            actor=lifecycle.Actor("staff:1", Role.KADER),
            now=clock.now,
            routes=ROUTES,
            public_note="lubang sudah ditambal",
        )
    clock.advance(hours=2)
    return code


def status_of(engine: Engine, code: str) -> TicketStatus:
    with Session(engine) as session:
        return session.exec(select(Ticket.status).where(Ticket.code == code)).one()


def reopen_note(engine: Engine, code: str) -> str | None:
    with Session(engine) as session:
        stored = session.exec(select(Ticket).where(Ticket.code == code)).one()
        return session.exec(
            select(TicketEvent.note)
            .where(TicketEvent.ticket_id == stored.id, TicketEvent.kind == TicketEventKind.STATUS_CHANGED)
            .order_by(col(TicketEvent.id).desc())
        ).first()


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("belum pak, masih bolong", "masih bolong"),
        ("blm", None),
        ("belum beres", None),
        ("Belum beres bu, lubangnya makin besar", "lubangnya makin besar"),
        ("masih rusak", "masih rusak"),
        ("tidak, masih mati", "masih mati"),
        ("gak, blm ditambal", "blm ditambal"),
        ("2", None),
        ("durung pak, jembatane isih rusak", "jembatane isih rusak"),  # Javanese
        ("dereng pak", None),
        ("teu acan, masih ruksak", "masih ruksak"),  # Sundanese
        ("iya blm beres", None),  # a yes-word to open, and still not fixed: never closed
        ("ya pak, masih bolong", "masih bolong"),
        ("2 masih bolong", "masih bolong"),  # the number asked for, with the reason
        ("2, blm ditambal", "blm ditambal"),
        ("ya,masih bolong", "masih bolong"),  # a comma and no space
    ],
)
def test_a_not_yet_in_own_words_reopens_and_keeps_the_reason(
    client: TestClient, engine: Engine, clock: Clock, answer: str, reason: str | None
) -> None:
    code = closed_complaint(client, engine, clock)
    before = count_tickets(engine)
    assert Resident(client, WARGA).say(answer) == t.TICKET_REOPENED.format(code=code)
    assert count_tickets(engine) == before  # no new ticket
    assert status_of(engine, code) == TicketStatus.DIPROSES
    expected = "Pelapor: belum beres" + (f" - {reason}" if reason else "")
    assert reopen_note(engine, code) == expected
    assert contact_of(engine, WARGA).pending == "none"  # answered: the question is closed


@pytest.mark.parametrize(
    "answer",
    [
        "sudah pak",
        "udah beres, makasih",
        "sdh",
        "1",
        "Sudah, terima kasih bu",
        "ya sudah beres, makasih banyak ya pak \U0001f64f",
        "alhamdulillah sudah pak",
        "sampun pak, matur suwun",  # Javanese
        "atos pak, hatur nuhun",  # Sundanese
        "1 makasih pak",
        "1. sudah beres",
    ],
)
def test_a_yes_in_own_words_confirms(client: TestClient, engine: Engine, clock: Clock, answer: str) -> None:
    code = closed_complaint(client, engine, clock)
    before = count_tickets(engine)
    assert Resident(client, WARGA).say(answer) == t.TICKET_CONFIRMED.format(code=code)
    assert count_tickets(engine) == before
    assert status_of(engine, code) == TicketStatus.SELESAI


@pytest.mark.parametrize(
    "message",
    [
        "sudah 3 hari air PAMSIMAS di dusun Cibodas tidak mengalir",  # starts with "sudah": a new report
        "sudah lama lampu jalan RT 4 mati",
        "tidak ada air bersih di RT 5",  # "tidak ada ...": a new problem
        "teu aya cai di RT 5",  # the same in Sundanese
        "belum ada petugas yang datang memperbaiki saluran air di dusun Cibodas RT 4 sejak kemarin",  # long
    ],
)
def test_a_new_report_that_starts_like_an_answer_is_a_new_report(
    client: TestClient, engine: Engine, clock: Clock, message: str
) -> None:
    code = closed_complaint(client, engine, clock)
    reply = Resident(client, WARGA).say(message)
    assert code not in reply
    assert "diterima dgn kode" in reply
    assert status_of(engine, code) == TicketStatus.SELESAI
    # The question is still open: a plain answer still counts.
    assert Resident(client, WARGA).say("sudah pak") == t.TICKET_CONFIRMED.format(code=code)


def test_words_like_an_answer_without_the_question_are_read_as_usual(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    code = code_in(Resident(client, WARGA).say("jalan di RT 2 dusun Krajan berlubang besar"))
    reply = Resident(client, WARGA).say("masih rusak")
    assert t.TICKET_REOPENED.format(code=code) != reply
    assert status_of(engine, code) == TicketStatus.BARU
    # Someone else's answer never reopens a ticket they were not asked about.
    other = closed_complaint(client, engine, clock, number=TETANGGA)
    Resident(client, WARGA).say("belum beres")
    assert status_of(engine, other) == TicketStatus.SELESAI


def test_every_reply_to_the_question_fits_one_sms(client: TestClient, engine: Engine, clock: Clock) -> None:
    code = closed_complaint(client, engine, clock)
    for reply in (t.TICKET_REOPENED.format(code=code), t.TICKET_CONFIRMED.format(code=code)):
        assert (analyse(reply).encoding, analyse(reply).segments) == (Encoding.GSM7, 1)


def test_check_alone_says_how_many_more_are_open(client: TestClient, clock: Clock) -> None:
    # QA: CEK listed at most 4 open reports and did not say there were more.
    warga = Resident(client, WARGA)
    problems = [
        "lampu jalan RT 1 mati",
        "got RT 2 mampet",
        "jalan RT 3 berlubang",
        "sampah numpuk di RT 4",
        "jembatan RT 5 retak",
        "air PAMSIMAS RT 6 tidak mengalir",
        "pagar balai desa roboh",
    ]
    codes = []
    for problem in problems:
        codes.append(code_in(warga.say(problem)))
        clock.advance(minutes=15)  # under the flood limit
    listing = warga.say("CEK")
    shown = sorted((c for c in codes if c in listing), key=listing.index)
    assert len(shown) >= 3
    assert shown == codes[::-1][: len(shown)]  # newest first
    assert f"dan {len(codes) - len(shown)} lainnya" in listing
    assert len(listing) <= 160


@pytest.mark.parametrize("text", ["CEK 12345", "cek#1234567", "Cek kode 48291"])
def test_check_with_a_code_of_the_wrong_length_says_a_code_has_six_digits(
    client: TestClient, text: str
) -> None:
    # QA: "CEK 12345" answered "Anda tidak punya aduan yg masih terbuka".
    warga = Resident(client, WARGA)
    code_in(warga.say("lampu jalan RT 1 mati"))
    reply = warga.say(text)
    assert "6 angka" in reply
    assert "tidak punya aduan" not in reply


def test_check_cuts_a_long_note_after_a_whole_word(client: TestClient, engine: Engine) -> None:
    # QA: "... kabelnya putus dimak..."
    warga = Resident(client, WARGA)
    code = code_in(warga.say("lampu jalan RT 1 dusun Krajan mati"))
    note = (
        "Tiang sudah diganti dan lampu baru dipasang kemarin sore tapi ternyata kabelnya putus dimakan "
        "tikus, teknisinya datang Senin pagi"
    )
    with transaction(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        session.add(
            TicketEvent(ticket_id=ticket.id or 0, kind=TicketEventKind.PUBLIC_NOTE, note=note, public=True)
        )
    reply = warga.say(f"CEK {code}")
    assert reply.endswith("...")
    assert reply[:-3].split()[-1] in [word.strip(",") for word in note.split()]  # a whole word
    assert len(reply) <= 160
