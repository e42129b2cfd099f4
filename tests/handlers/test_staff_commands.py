"""Staff working by text message, end to end through the console channel, for each role.

Every reply is checked to be one GSM-7 SMS; the staff texts of the catalogue are checked with realistic
values too.
"""

import re
from datetime import UTC, datetime, timedelta
from string import Formatter
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, col, func, select

from bot.app import create_app
from bot.db import transaction
from broadcasts import runs
from broadcasts.runs import FireOutcome
from broadcasts.sms import Encoding, analyse
from handlers import rights, tickets
from handlers.staff_commands.commands import right_of
from handlers.staff_commands.grammar import ALIASES, BROADCAST_COMMANDS, parse
from models import (
    AuditEntry,
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    Category,
    Channel,
    Contact,
    ContactIdentity,
    DeliveryStatus,
    IdentityKind,
    Lane,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Message,
    Outbox,
    Role,
    Staff,
    SubscriptionState,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketStatus,
    Village,
    VillageAddress,
)
from models import texts as t
from models.texts import StaffText
from models.ticket import STATUS_LABELS
from tests import factories
from tests.conftest import T0, Clock, make_settings

KADER, KADES, BPD = "+6281300000002", "+6281300000003", "+6281300000004"
SLAMET, SRI, NEW = "+6281234500001", "+6281234500002", "+6281377788899"
SUBSCRIBERS = 8  # the demo residents
PIN = "1234"


def Phone(client: TestClient, number: str, to: str = "+62800000001") -> factories.Phone:
    """A staff or resident phone: every message gets exactly one reply, one GSM-7 SMS."""
    return factories.Phone(client, number, to, one=True)


@pytest.fixture
def pins(engine: Engine) -> None:
    """Every demo staff member has the PIN 1234 (the demo sets none)."""
    with transaction(engine) as session:
        session.execute(update(Staff).values(pin_hash=factories.quick_pin_hash(PIN)))


@pytest.fixture
def kader(client: TestClient, pins: None) -> Phone:
    return Phone(client, KADER)


@pytest.fixture
def kades(client: TestClient, pins: None) -> Phone:
    return Phone(client, KADES)


@pytest.fixture
def bpd(client: TestClient, pins: None) -> Phone:
    return Phone(client, BPD)


def complain(client: TestClient, number: str, text: str) -> str:
    found = re.search(r"kode (\d{6})", Phone(client, number).say(text))
    assert found, text
    return found.group(1)


def add_ticket(
    engine: Engine, *, about_head: bool = False, category: Category = Category.INFRASTRUKTUR
) -> str:
    """A ticket from Pak Slamet straight into the table (no flood limit), due like any other."""
    with transaction(engine) as session:
        village = session.exec(select(Village)).one()
        assert village.id is not None
        _, code = tickets.create(
            session=session,
            village_id=village.id,
            reporter_id=1,
            text="laporan",
            category=category,
            now=T0,
            channel="console",
            about_head=about_head,
            verify_due_at=datetime(2026, 12, 7, 16, 59, 59, tzinfo=UTC),
            act_due_at=datetime(2026, 12, 14, 16, 59, 59, tzinfo=UTC),
        )
    return code


def ticket(engine: Engine, code: str) -> Ticket:
    with Session(engine) as session:
        return session.exec(select(Ticket).where(Ticket.code == code)).one()


def staff_member(engine: Engine, phone: str) -> Staff:
    with Session(engine) as session:
        return session.exec(select(Staff).where(Staff.phone == phone)).one()


def audit_actions(engine: Engine, phone: str | None = None) -> list[str]:
    with Session(engine) as session:
        query = select(AuditEntry.action).order_by(col(AuditEntry.id))
        if phone is None:
            query = query.where(col(AuditEntry.staff_id).is_not(None))  # not the demo's token
        else:
            query = query.where(AuditEntry.staff_id == staff_member(engine, phone).id)
        return list(session.exec(query).all())


def broadcasts(engine: Engine) -> list[Broadcast]:
    with Session(engine) as session:
        return list(session.exec(select(Broadcast).order_by(col(Broadcast.id))).all())


def fire_due(engine: Engine, now: datetime) -> list[FireOutcome]:
    """What the scheduler does at `now`: fire every broadcast due by then."""
    with Session(engine) as session:
        due = session.exec(
            select(Broadcast.id).where(
                Broadcast.status == BroadcastStatus.SCHEDULED, col(Broadcast.next_run_at) <= now
            )
        ).all()
    outcomes = []
    for broadcast_id in due:
        assert broadcast_id is not None
        with transaction(engine) as session:
            result = runs.fire(
                session=session, broadcast_id=broadcast_id, now=now, available={Channel.CONSOLE}
            )
            outcomes.append(result.outcome)
    return outcomes


def broadcast_rows(engine: Engine) -> list[Outbox]:
    with Session(engine) as session:
        return list(session.exec(select(Outbox).where(Outbox.source == "broadcast")).all())


def notices_to(engine: Engine, phone: str) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(Outbox.body)
            .where(Outbox.recipient == phone, Outbox.source == "ticket_notice")
            .order_by(col(Outbox.id))
        ).all()
    return list(rows)


def unknown(code: str) -> str:
    return StaffText.TICKET_UNKNOWN.format(code=code)


# --- the catalogue ---------------------------------------------------------------------------------

VALUES: dict[str, Any] = {
    "commands": ", ".join(t.STAFF_MENU_PARTS.values()),
    "command": "RAPAT",
    "role": "Operator",
    "what": "meminta ringkasan",
    "example": "SELESAI 482913 1234 catatan",
    "left": 4,
    "until": "10.30 WITA",
    "verb": "SELESAI",
    "code": "482913",
    "status": "digabung dengan laporan lain",
    "n": "12.345",
    "page": 12,
    "pages": 12,
    "keyword": "TELAT",
    "category": "Tatakelola",
    "segments": 3,
    "cost": "Rp12.962.250",
    "kapan": "Selasa 8 Des 19.30 WITA",
    "kirim": "Selasa 8 Des 06.00 WITA",  # when a meeting's invitation goes, held by quiet hours
    "acara": "Musdes RKPDes Penetapan Prior...",  # cut at ACARA_ROOM characters
    "tempat": "Balai Desa Sukamaju Ki...",  # cut at TEMPAT_ROOM
    "reminders": 3,
    "where": "Sukamulya RT 12 RW 10",  # LIHAT: the longest parts; the complaint's text is cut to fit
    "due": " Lewat batas penanganan 14 Des!",
    "text": "(hanya foto)",
    "stage": "penanganan",
    "date": "14 Des",
    "dari": "Selasa 8 Des 19.30 WITA",  # RAPAT PINDAH: the time a meeting moves from
    "told": "12.345",  # residents already told of a meeting
    "no": 123456,  # a meeting's number
    # RAPAT alone: as many meetings as fit (list_meetings stops before the SMS is full)
    "daftar": "12. Musdes RKPDes Penetapan 08/12 19.30; 13. Musdus Krajan 09/12 19.30",
}
TEXTS = {name: value for name, value in vars(StaffText).items() if name.isupper() and isinstance(value, str)}
TABLES = {
    f"{table}:{key}": text
    for table, values in (("usage", t.STAFF_USAGE), ("menu_part", t.STAFF_MENU_PARTS))
    for key, text in values.items()
}


@pytest.mark.parametrize("name", sorted(TEXTS) + sorted(TABLES))
def test_staff_texts_fit_one_gsm7_sms(name: str) -> None:
    template = TEXTS.get(name) or TABLES[name]
    assert {field for _, field, _, _ in Formatter().parse(template) if field} <= set(VALUES), template
    text = template.format(**VALUES)
    if name == "QUIET_SUFFIX":  # said after the longest confirmation question
        text = StaffText.BROADCAST_CONFIRM.format(**VALUES) + text
    info = analyse(text)
    assert info.encoding == Encoding.GSM7, info.unicode_chars
    assert info.segments == 1, (len(text), text)


def test_the_fullest_menu_fits() -> None:
    text = StaffText.MENU.format(commands=", ".join(t.STAFF_MENU_PARTS.values()), command="RAPAT")
    assert analyse(text).segments == 1, len(text)


# --- menu -------------------------------------------------------------------------------------------


def test_menu_follows_the_role(kader: Phone, kades: Phone, bpd: Phone) -> None:
    to_kader = kader.say("STAF")
    assert "SIARAN" in to_kader
    assert "DARURAT" in to_kader
    assert "RAPAT" in to_kader
    assert "RINGKASAN" not in to_kader
    assert to_kader.endswith(" Ketik STAF RAPAT dll utk contoh.")
    to_kades = kades.say("bantuan staf")
    assert "RINGKASAN" in to_kades
    assert "SIARAN" not in to_kades
    assert "DARURAT" not in to_kades
    assert "RAPAT" not in to_kades  # not even as the example to ask for
    assert to_kades.endswith(" Ketik STAF VERIF dll utk contoh.")
    assert bpd.say("MENU STAF") == to_kades
    assert kader.say("STAF RAPAT") == t.STAFF_USAGE["meeting"]
    assert kader.say("STAF selesai").startswith("Format: VERIF kode PIN catatan.")


# --- lists ------------------------------------------------------------------------------------------


def test_open_tickets_in_pages_without_about_head_for_the_head(
    engine: Engine, kader: Phone, kades: Phone, bpd: Phone
) -> None:
    assert kader.say("TIKET") == StaffText.LIST_EMPTY
    plain = [add_ticket(engine, category=Category.AIR_SANITASI) for _ in range(11)]
    about_head = add_ticket(engine, about_head=True, category=Category.TATA_KELOLA)

    first = kader.say("TIKET")
    assert first.startswith("Aduan terbuka (11) hal 1/")
    assert f"{plain[-1]} Air baru" in first  # newest first
    assert first.endswith(". Balas TIKET 2 utk lanjutannya.")
    listed: list[str] = []
    page = 1
    while True:
        text = kader.say(f"TIKET {page}") if page > 1 else first
        listed += re.findall(r"\b(\d{6})\b", text)
        if "Balas TIKET" not in text:
            break
        page += 1
    assert sorted(listed) == sorted(plain)
    assert kader.say(f"TIKET {page + 1}") == f"Tidak ada halaman {page + 1}. Ketik TIKET utk halaman pertama."

    assert about_head not in " ".join(kades.say(f"TIKET {n}") for n in range(1, page + 1))
    to_bpd = bpd.say("TIKET")
    assert to_bpd.startswith("Aduan terbuka (12)")
    assert f"{about_head} Tatakelola baru" in to_bpd
    assert audit_actions(engine, KADER).count("staff.tickets_listed") == page + 2


def test_overdue_tickets(engine: Engine, clock: Clock, kader: Phone) -> None:
    late = add_ticket(engine)
    assert kader.say("TELAT") == StaffText.LIST_EMPTY_OVERDUE
    clock.now = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # Tuesday: the verify deadline passed
    fresh = add_ticket(engine)  # due later (the factory gives every ticket the same deadlines)
    with transaction(engine) as session:
        session.execute(
            update(Ticket)
            .where(col(Ticket.code) == fresh)
            .values(verify_due_at=clock.now + timedelta(days=3))
        )
    reply = kader.say("telat")
    assert reply == f"Aduan lewat batas (1) hal 1/1: {late} Infra baru."


# --- tickets ----------------------------------------------------------------------------------------


def test_verify_progress_close_with_notes_to_the_reporter(
    engine: Engine, client: TestClient, kader: Phone
) -> None:
    code = complain(client, NEW, "lampu jalan RT 2 dusun Krajan mati sdh seminggu")
    assert (
        kader.say(f"VERIF {code} 1234 sudah dicek")
        == f"Aduan {code} kini diverifikasi. Pelapor sudah diberi kabar."
    )
    assert kader.say(f"proses 1234 {code} tukang datang Senin").startswith(
        f"Aduan {code} kini sedang diproses."
    )
    assert kader.say(f"SELESAI#{code}#1234#lampu sudah diganti").startswith(f"Aduan {code} kini selesai.")
    assert ticket(engine, code).status == TicketStatus.SELESAI
    assert notices_to(engine, NEW) == [
        f"Aduan {code} sudah diverifikasi petugas desa dan akan ditindaklanjuti. Catatan: sudah dicek. "
        f"Ketik CEK {code} utk status.",
        f"Aduan {code} sedang dikerjakan. Catatan: tukang datang Senin. Ketik CEK {code} utk status.",
        f"Aduan {code} dinyatakan selesai. Catatan: lampu sudah diganti. Apakah sudah benar-benar "
        "beres? Balas 1 jika ya, 2 jika belum.",
    ]
    kader_id = staff_member(engine, KADER).id
    with Session(engine) as session:
        actors = session.exec(
            select(TicketEvent.actor).where(TicketEvent.kind == TicketEventKind.STATUS_CHANGED)
        ).all()
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "ticket.status")).all()
    assert set(actors) == {f"kader:{kader_id}"}
    assert [(e.target, e.detail["to"], e.channel, e.actor) for e in entries] == [
        (f"ticket:{code}", status, "console", f"kader:{kader_id}")
        for status in ("diverifikasi", "diproses", "selesai")
    ]
    # Going back is refused, plainly.
    assert kader.say(f"VERIF {code} 1234") == (
        f"Aduan {code} sudah berstatus selesai, jadi tidak diubah. Ketik TIKET utk daftar aduan terbuka."
    )
    # The reporter still answers the "beres?" question as a resident.
    assert "ditutup" in Phone(client, NEW).say("1")


def test_notices_go_on_the_channels_this_deployment_sends_on(
    db_url: str, engine: Engine, clock: Clock, demo: None, pins: None
) -> None:
    """A deployment with the console alone (no Twilio): Pak Slamet prefers WhatsApp by Twilio, so his
    notice goes on the console instead of failing there. A reporter no channel reaches: staff are told."""
    app = create_app(make_settings(db_url, twilio_account_sid=""), engine=engine, clock=clock)
    with TestClient(app) as client:
        kader = Phone(client, KADER)
        slamet = complain(client, SLAMET, "lampu jalan RT 2 dusun Krajan mati sdh seminggu")
        assert kader.say(f"VERIF {slamet} 1234 sudah dicek").endswith("Pelapor sudah diberi kabar.")
        with Session(engine) as session:
            channels = session.exec(
                select(Outbox.channel).where(Outbox.recipient == SLAMET, Outbox.source == "ticket_notice")
            ).all()
        assert channels == [Channel.CONSOLE]
        untold = add_unreachable_ticket(engine)
        assert kader.say(f"VERIF {untold} 1234 dicek") == StaffText.TICKET_CHANGED_UNTOLD.format(
            code=untold, status="diverifikasi"
        )
        assert ticket(engine, untold).status == TicketStatus.DIVERIFIKASI


def add_unreachable_ticket(engine: Engine) -> str:
    """A ticket from a reporter known only by a WhatsApp Cloud user id (a channel not configured)."""
    with transaction(engine) as session:
        village_id = session.exec(select(Village.id)).one()
        contact = Contact(village_id=village_id, name="Wawan")
        session.add(contact)
        session.flush()
        assert contact.id is not None
        session.add(
            ContactIdentity(
                village_id=village_id, contact_id=contact.id, kind=IdentityKind.WHATSAPP_USER, value="6281999"
            )
        )
        _, code = tickets.create(
            session=session,
            village_id=village_id,
            reporter_id=contact.id,
            text="jalan rusak",
            category=Category.INFRASTRUKTUR,
            now=T0,
            channel="whatsapp_cloud",
        )
    return code


def test_reject_needs_a_reason(engine: Engine, kader: Phone) -> None:
    code = add_ticket(engine)
    assert kader.say(f"TOLAK {code} 1234") == StaffText.REASON_MISSING.format(code=code)
    assert ticket(engine, code).status == TicketStatus.BARU
    assert kader.say(f"TOLAK {code} 1234 bukan wilayah desa").startswith(f"Aduan {code} kini ditolak.")
    assert notices_to(engine, SLAMET)[-1].startswith(
        f"Aduan {code} tidak dapat ditindaklanjuti. Catatan: bukan"
    )


def test_missing_parts_say_what_is_missing(engine: Engine, kader: Phone) -> None:
    code = add_ticket(engine)
    assert kader.say(f"VERIF {code} sudah dicek") == StaffText.PIN_MISSING.format(
        example=f"VERIF {code} 1234 catatan"
    )
    assert kader.say("SELESAI 1234 lampu diganti") == StaffText.CODE_MISSING.format(verb="SELESAI")
    assert kader.say("VERIF").startswith("Format: VERIF kode PIN catatan.")
    assert ticket(engine, code).status == TicketStatus.BARU
    assert staff_member(engine, KADER).pin_failures == 0  # no PIN was tried
    assert audit_actions(engine) == []


def test_who_acts_on_which_ticket(engine: Engine, kader: Phone, kades: Phone, bpd: Phone) -> None:
    plain = add_ticket(engine)
    about_head = add_ticket(engine, about_head=True)
    missing = "999999" if "999999" not in (plain, about_head) else "999998"

    # The head and the cadre never learn that a complaint about the head exists.
    assert kades.say(f"VERIF {about_head} 1234 dicek") == unknown(about_head)
    assert kades.say(f"VERIF {missing} 1234 dicek") == unknown(missing)
    assert kader.say(f"PROSES {about_head} 1234") == unknown(about_head)
    # The BPD acts only on those.
    assert bpd.say(f"VERIF {plain} 1234") == StaffText.TICKET_NOT_YOURS.format(code=plain, role="BPD")
    assert bpd.say(f"VERIF {about_head} 1234 diterima BPD").startswith(
        f"Aduan {about_head} kini diverifikasi."
    )
    assert kades.say(f"VERIF {plain} 1234").startswith(f"Aduan {plain} kini diverifikasi.")
    assert ticket(engine, plain).status == TicketStatus.DIVERIFIKASI
    assert ticket(engine, about_head).status == TicketStatus.DIVERIFIKASI
    with Session(engine) as session:
        refused = session.exec(select(AuditEntry).where(AuditEntry.action == "staff.command_refused")).all()
    assert [(e.actor.split(":")[0], e.detail["reason"]) for e in refused] == [
        ("kades", "not_found"),
        ("kades", "not_found"),
        ("kader", "not_found"),
        ("bpd", "not_actionable"),
    ]


# --- PIN ----------------------------------------------------------------------------------------------


def test_five_wrong_pins_lock_for_30_minutes(engine: Engine, clock: Clock, kader: Phone) -> None:
    code = add_ticket(engine)
    for left in (4, 3, 2, 1):
        assert kader.say(f"VERIF {code} 9999 dicek") == StaffText.PIN_WRONG.format(left=left)
    locked = StaffText.PIN_LOCKED.format(until="10.30 WIB")  # T0 is 10.00 WIB
    assert kader.say(f"VERIF {code} 9999 dicek") == locked
    assert kader.say(f"VERIF {code} 1234 dicek") == locked  # even the right PIN waits
    assert kader.say("SIARAN 1234 Kerja bakti") == locked
    assert ticket(engine, code).status == TicketStatus.BARU
    assert kader.say("TIKET").startswith("Aduan terbuka (1)")  # reading needs no PIN

    clock.advance(minutes=31)
    assert kader.say(f"VERIF {code} 1234 dicek").startswith(f"Aduan {code} kini diverifikasi.")
    assert staff_member(engine, KADER).pin_failures == 0
    assert [a for a in audit_actions(engine, KADER) if a.startswith("staff.pin")] == [
        "staff.pin_failed",
        "staff.pin_failed",
        "staff.pin_failed",
        "staff.pin_failed",
        "staff.pin_locked",
        "staff.pin_locked_try",
        "staff.pin_locked_try",
    ]


def test_no_pin_set_yet(engine: Engine, client: TestClient) -> None:
    code = add_ticket(engine)
    assert Phone(client, KADER).say(f"VERIF {code} 1234 dicek") == StaffText.PIN_NOT_SET
    assert ticket(engine, code).status == TicketStatus.BARU


# --- residents' messages stay residents' ----------------------------------------------------------


def test_an_unregistered_number_sending_verif_is_a_resident(
    engine: Engine, client: TestClient, pins: None
) -> None:
    code = add_ticket(engine)
    reply = Phone(client, SRI).say(f"VERIF {code} 1234 sudah dicek")
    assert "kini" not in reply
    assert "PIN" not in reply
    assert ticket(engine, code).status == TicketStatus.BARU
    assert audit_actions(engine) == []
    with Session(engine) as session:
        message = session.exec(select(Message).where(Message.sender == SRI)).one()
    assert message.intent != "staff"


def test_an_inactive_staff_number_is_a_resident(engine: Engine, client: TestClient, pins: None) -> None:
    with transaction(engine) as session:
        session.execute(update(Staff).where(col(Staff.phone) == KADER).values(active=False))
    assert "Perintah staf" not in Phone(client, KADER).say("STAF")


def test_staff_can_still_complain_and_ask(engine: Engine, client: TestClient, kades: Phone) -> None:
    code = re.search(r"kode (\d{6})", kades.say("lampu jalan di RT 3 Krajan mati"))
    assert code
    assert ticket(engine, code.group(1)).status == TicketStatus.BARU
    assert "Musdes" in kades.say("JADWAL")
    assert "Musdes" in kades.say("rapat musdes kapan?")
    with Session(engine) as session:
        intents = session.exec(select(Message.intent).where(Message.sender == KADES)).all()
    assert "staff" not in intents


# --- SIARAN -------------------------------------------------------------------------------------------


def test_siaran_then_ya_queues_once(engine: Engine, clock: Clock, kader: Phone) -> None:
    ask = kader.say("SIARAN 1234 Kerja bakti Minggu 07.00 di balai desa, mohon bawa cangkul.")
    assert ask == (
        f"Siaran ke {SUBSCRIBERS} pelanggan, 1 SMS per orang (maks Rp2.800). "
        "Balas YA dlm 15 menit utk kirim, atau BATAL."
    )
    assert broadcasts(engine) == []
    assert kader.say("YA") == StaffText.BROADCAST_QUEUED.format(n=SUBSCRIBERS)
    (made,) = broadcasts(engine)
    assert (made.kind, made.status, made.created_by) == (
        BroadcastKind.UMUM,
        BroadcastStatus.SCHEDULED,
        f"kader:{staff_member(engine, KADER).id}",
    )
    assert made.sms_text == "Kerja bakti Minggu 07.00 di balai desa, mohon bawa cangkul."
    assert fire_due(engine, clock.now) == [FireOutcome.SENT]  # the scheduler's sweep
    rows = broadcast_rows(engine)
    assert len(rows) == SUBSCRIBERS
    assert len({row.contact_id for row in rows}) == SUBSCRIBERS

    # A second YA finds nothing waiting: it is told so and sends nothing.
    assert kader.say("YA") == StaffText.CONFIRM_NOTHING
    assert fire_due(engine, clock.now + timedelta(minutes=1)) == []
    assert len(broadcasts(engine)) == 1
    assert len(broadcast_rows(engine)) == SUBSCRIBERS
    actions = audit_actions(engine, KADER)
    assert actions == ["staff.confirm_asked", "broadcast.create"]


def test_another_command_replaces_the_waiting_siaran(
    engine: Engine, client: TestClient, kader: Phone
) -> None:
    kader.say("SIARAN 1234 Posyandu besok jam 8")
    kader.say("TIKET")  # another command replaces it
    assert kader.say("YA") == StaffText.CONFIRM_NOTHING
    kader.say("SIARAN 1234 Posyandu besok jam 8")
    assert kader.say("BATAL") == StaffText.CANCELLED
    assert kader.say("YA") == StaffText.CONFIRM_NOTHING
    assert broadcasts(engine) == []
    assert audit_actions(engine, KADER).count("staff.confirm_cancelled") == 1


def test_a_message_that_is_no_command_is_told_the_siaran_still_waits(engine: Engine, kader: Phone) -> None:
    """Not a silent cancel found out only at YA: the cadre hears at once that nothing went and what to do;
    the message is kept (it is in the log) but not read as a complaint meanwhile."""
    kader.say("SIARAN 1234 Posyandu besok jam 8")
    for text in ("lampu jalan depan rumah sy mati", "Pak Kades minta teksnya dicek dulu", "👍"):
        assert kader.say(text) == StaffText.CONFIRM_UNCLEAR
    assert stored(engine, KADER).intent == "staff"
    assert tickets_count(engine) == 0
    assert kader.say("YA") == StaffText.BROADCAST_QUEUED.format(n=SUBSCRIBERS)
    assert len(broadcasts(engine)) == 1
    # Nothing waits any more: the cadre's next message is a resident's again, at no staff lookup.
    assert contact_of(engine, KADER).staff_waits_until is None
    assert "kode" in kader.say("lampu jalan depan rumah sy mati")
    assert tickets_count(engine) == 1


def test_an_auto_reply_from_a_staff_phone_is_told_at_most_three_times(
    engine: Engine, client: TestClient, kader: Phone
) -> None:
    """Two auto-responders must not talk for 15 minutes, one paid SMS each time (the loop guard)."""
    kader.say("SIARAN 1234 Posyandu besok jam 8")
    auto = "Maaf saya sedang mengemudi, akan saya balas nanti."
    phone = factories.Phone(client, KADER, "+62800000001")  # any number of replies, none too
    assert [phone.say(auto) for _ in range(6)] == [StaffText.CONFIRM_UNCLEAR] * 3 + [""] * 3
    assert kader.say("YA") == StaffText.BROADCAST_QUEUED.format(n=SUBSCRIBERS)  # still waited


def test_an_opt_out_works_while_a_siaran_waits(engine: Engine, client: TestClient, kader: Phone) -> None:
    kader.say("DAFTAR")
    kader.say("SIARAN 1234 Posyandu besok jam 8")
    assert kader.say("STOP").startswith("Anda tidak akan menerima")
    assert contact_of(engine, KADER).subscription == SubscriptionState.UNSUBSCRIBED
    assert kader.say("YA") == StaffText.CONFIRM_NOTHING  # the opt-out came in between
    # BATALKAN is a resident's "unsubscribe me" when nothing waits, even from staff.
    kader.say("DAFTAR")
    assert kader.say("BATALKAN").startswith("Anda tidak akan menerima")
    assert contact_of(engine, KADER).subscription == SubscriptionState.UNSUBSCRIBED


def test_a_photo_without_text_while_a_siaran_waits_is_told_it_waits(
    engine: Engine, client: TestClient, kader: Phone
) -> None:
    kader.say("SIARAN 1234 Posyandu besok jam 8")
    response = client.post(
        "/webhooks/console",
        json={"from": KADER, "to": "+62800000001", "text": "", "media": ["https://example.id/foto.jpg"]},
    )
    assert response.status_code == 200
    assert response.json()["replies"] == [StaffText.CONFIRM_UNCLEAR]
    assert tickets_count(engine) == 0


def test_after_the_wait_ends_a_message_is_a_residents_again(
    engine: Engine, clock: Clock, kader: Phone
) -> None:
    kader.say("SIARAN 1234 Posyandu besok jam 8")
    assert contact_of(engine, KADER).staff_waits_until == clock.now + timedelta(minutes=15)
    clock.advance(minutes=16)
    assert "kode" in kader.say("lampu jalan depan rumah sy mati")
    assert kader.say("YA") == StaffText.CONFIRM_NOTHING
    assert broadcasts(engine) == []
    kader.say("SIARAN 1234 Posyandu besok jam 8")
    assert kader.say("BATAL") == StaffText.CANCELLED
    assert contact_of(engine, KADER).staff_waits_until is None


def test_a_reporters_answer_to_beres_goes_through_while_a_siaran_waits(
    engine: Engine, client: TestClient, kader: Phone, kades: Phone
) -> None:
    """The cadre is also a reporter asked "beres? 1/2": "2 masih rusak" answers that, not the SIARAN."""
    code = complain(client, KADER, "jembatan Cibodas patah")
    kades.say(f"SELESAI {code} 1234 sudah diperbaiki")
    kader.say("SIARAN 1234 Posyandu besok jam 8")
    assert kader.say("2 masih rusak") == t.TICKET_REOPENED.format(code=code)
    assert ticket(engine, code).status != TicketStatus.SELESAI
    assert kader.say("YA") == StaffText.CONFIRM_NOTHING  # the answer came in between: nothing is sent
    assert broadcasts(engine) == []


def test_a_late_ya_sends_nothing(engine: Engine, clock: Clock, kader: Phone) -> None:
    kader.say("SIARAN 1234 Posyandu besok jam 8")
    clock.advance(minutes=16)
    assert kader.say("ya") == StaffText.CONFIRM_NOTHING
    assert broadcasts(engine) == []
    kader.say("SIARAN 1234 Posyandu besok jam 8")
    clock.advance(minutes=16)
    assert kader.say("batal") == StaffText.CANCEL_NOTHING  # not "send the command again"


def test_the_head_cannot_broadcast(engine: Engine, kades: Phone, bpd: Phone) -> None:
    refused = StaffText.NOT_ALLOWED.format(role="Kades", what="mengirim siaran")
    assert kades.say("SIARAN 1234 Pengumuman") == refused
    assert kades.say("SIARAN 9999 Pengumuman") == refused  # refused before any PIN is spent
    assert bpd.say("DARURAT 1234 Banjir").startswith("Maaf, BPD tidak berwenang")
    assert kades.say("RAPAT 1234 12/12 19.30 Balai Desa Musdes") == StaffText.NOT_ALLOWED.format(
        role="Kades", what="mengumumkan rapat"
    )
    assert staff_member(engine, KADES).pin_failures == 0
    assert broadcasts(engine) == []


def test_siaran_at_night_waits_for_morning_but_darurat_does_not(
    engine: Engine, clock: Clock, kader: Phone
) -> None:
    clock.now = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 22.00 WIB
    ask = kader.say("SIARAN 1234 Kerja bakti besok pagi")
    assert ask.endswith(" Krn jam tenang, dikirim Kamis 3 Des 06.00 WIB.")
    assert kader.say("YA") == StaffText.BROADCAST_HELD.format(n=SUBSCRIBERS, kapan="Kamis 3 Des 06.00 WIB")
    assert fire_due(engine, clock.now) == [FireOutcome.HELD]
    assert broadcast_rows(engine) == []

    ask = kader.say("DARURAT 1234 Air sungai naik, warga Krajan harap mengungsi ke balai desa.")
    assert "jam tenang" not in ask
    assert kader.say("YA") == StaffText.BROADCAST_QUEUED.format(n=SUBSCRIBERS)
    assert fire_due(engine, clock.now) == [FireOutcome.SENT]
    assert {row.lane for row in broadcast_rows(engine)} == {Lane.URGENT}


def test_siaran_and_rapat_wait_for_approval_when_the_village_asks(engine: Engine, kader: Phone) -> None:
    with transaction(engine) as session:
        session.execute(update(Village).values(approval_kinds=["umum", "musdes"]))
    kader.say("SIARAN 1234 Kerja bakti Minggu")
    assert kader.say("YA") == StaffText.BROADCAST_APPROVAL
    assert [b.status for b in broadcasts(engine)] == [BroadcastStatus.PENDING_APPROVAL]
    kader.say("RAPAT 1234 12/12 19.30 Balai Desa Musdes perencanaan")
    assert kader.say("YA") == StaffText.MEETING_APPROVAL.format(
        acara="Musdes perencanaan", kapan="Sabtu 12 Des 19.30 WIB"
    )
    assert {b.status for b in broadcasts(engine)} == {BroadcastStatus.PENDING_APPROVAL}
    assert fire_due(engine, T0) == []


def test_siaran_needs_text_and_subscribers(engine: Engine, kader: Phone) -> None:
    assert kader.say("SIARAN 1234") == StaffText.BROADCAST_NO_TEXT
    assert kader.say("SIARAN Kerja bakti") == t.STAFF_USAGE["broadcast"]
    with transaction(engine) as session:
        session.execute(update(Contact).values(subscription=SubscriptionState.UNSUBSCRIBED))
    assert kader.say("SIARAN 1234 Kerja bakti") == StaffText.BROADCAST_NOBODY
    assert kader.say("YA") != StaffText.BROADCAST_QUEUED.format(n=0)
    assert broadcasts(engine) == []


def test_siaran_goes_to_whom_it_can_reach_and_says_who_it_leaves_out(engine: Engine, kader: Phone) -> None:
    # The rule every door shares (broadcasts/validate.py): contact 8 is known only by a WhatsApp id and
    # has not written in 24 hours, so nothing may reach them but a template, which an SMS cannot name.
    with transaction(engine) as session:
        session.execute(
            update(ContactIdentity).where(col(ContactIdentity.contact_id) == 8).values(kind="whatsapp_user")
        )
    ask = kader.say("SIARAN 1234 Kerja bakti Minggu 07.00 di balai desa.")
    assert ask == (
        f"Siaran ke {SUBSCRIBERS - 1} pelanggan, 1 SMS per orang (maks Rp2.450). "
        "Balas YA dlm 15 menit utk kirim, atau BATAL. 1 pelanggan WA tdk terjangkau."
    )
    assert kader.say("YA") == StaffText.BROADCAST_QUEUED.format(n=SUBSCRIBERS - 1)
    assert len(broadcasts(engine)) == 1


def test_siaran_refuses_when_nobody_can_be_reached(engine: Engine, kader: Phone) -> None:
    with transaction(engine) as session:
        session.execute(update(ContactIdentity).values(kind="whatsapp_user"))  # residents and staff alike
    assert kader.say("SIARAN 1234 Kerja bakti") == StaffText.BROADCAST_NONE_REACHABLE.format(n=SUBSCRIBERS)
    assert kader.say("YA") != StaffText.BROADCAST_QUEUED.format(n=0)
    assert broadcasts(engine) == []
    assert audit_actions(engine, KADER) == ["staff.command_refused"]


def test_siaran_checks_again_at_ya(engine: Engine, kader: Phone) -> None:
    assert kader.say("SIARAN 1234 Kerja bakti").startswith(f"Siaran ke {SUBSCRIBERS} pelanggan")
    with transaction(engine) as session:  # everyone unsubscribes while the cadre reads the reply
        session.execute(update(Contact).values(subscription=SubscriptionState.UNSUBSCRIBED))
    assert kader.say("YA") == StaffText.BROADCAST_NOBODY
    assert broadcasts(engine) == []


# --- RAPAT --------------------------------------------------------------------------------------------


def meetings_titled(engine: Engine, title: str) -> list[Meeting]:
    with Session(engine) as session:
        return list(session.exec(select(Meeting).where(Meeting.title == title)).all())


def test_rapat_creates_a_meeting_with_reminders(engine: Engine, clock: Clock, kader: Phone) -> None:
    ask = kader.say("RAPAT 1234 12/12 19.30 Balai Desa Musdes RKPDes 2027 agenda prioritas pembangunan")
    assert ask == (
        f"Musdes RKPDes 2027, Sabtu 12 Des 19.30 WIB, Balai Desa. Undangan ke {SUBSCRIBERS} warga + "
        "3 pengingat. Balas YA (15 menit) atau BATAL."
    )
    assert meetings_titled(engine, "Musdes RKPDes 2027") == []
    assert kader.say("YA") == StaffText.MEETING_CREATED.format(
        acara="Musdes RKPDes 2027", kapan="Sabtu 12 Des 19.30 WIB", reminders=3
    )
    (meeting,) = meetings_titled(engine, "Musdes RKPDes 2027")
    assert (meeting.kind, meeting.place, meeting.agenda, meeting.dusun) == (
        MeetingKind.MUSDES_RKPDES,
        "Balai Desa",
        "prioritas pembangunan",
        None,
    )
    assert meeting.starts_at == datetime(2026, 12, 12, 12, 30, tzinfo=UTC)
    with Session(engine) as session:
        made = session.exec(select(Broadcast).where(Broadcast.meeting_id == meeting.id)).all()
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "meeting.create")).one()
    assert sorted(b.meeting_key or "" for b in made) == sorted(["announce", "d-3", "d-1", "h-2"])
    assert entry.target == f"meeting:{meeting.id}"
    fire_due(engine, clock.now)
    bodies = {row.body for row in broadcast_rows(engine)}
    assert bodies == {
        "Undangan Musdes RKPDes 2027: Sabtu 12 Des 19.30 WIB di Balai Desa. Agenda: prioritas pembangunan. "
        "Mohon hadir."
    }


def test_rapat_pindah_and_batal_by_sms(engine: Engine, clock: Clock, kader: Phone) -> None:
    kader.say("RAPAT 1234 5/12 19.30 Balai Desa Musdes RKPDes 2027")
    kader.say("YA")
    (meeting,) = meetings_titled(engine, "Musdes RKPDes 2027")
    listed = kader.say("RAPAT")  # soonest first, then the demo's
    assert listed.startswith(f"Rapat: {meeting.id}. Musdes RKPDes 2027 05/12 19.30; ")
    assert listed.endswith(". Ubah: RAPAT PINDAH/BATAL no PIN.")
    fire_due(engine, clock.now)  # the invitation is queued, not yet handed to a provider

    ask = kader.say(f"RAPAT PINDAH {meeting.id} 1234 13/12 19.30")
    assert ask == StaffText.MEETING_MOVE_CONFIRM.format(
        acara="Musdes RKPDes 2027", dari="Sabtu 5 Des 19.30 WIB", kapan="Minggu 13 Des 19.30 WIB", told=0
    )
    assert meetings_titled(engine, "Musdes RKPDes 2027")[0].starts_at == meeting.starts_at  # not before YA
    assert kader.say("YA") == StaffText.MEETING_MOVE_DONE.format(
        acara="Musdes RKPDes 2027", kapan="Minggu 13 Des 19.30 WIB"
    )
    (moved,) = meetings_titled(engine, "Musdes RKPDes 2027")
    assert moved.starts_at == datetime(2026, 12, 13, 12, 30, tzinfo=UTC)
    fire_due(engine, clock.now)
    rows = broadcast_rows(engine)
    queued = [r.body for r in rows if r.status == DeliveryStatus.QUEUED]
    # The old invitation was withdrawn: only the one with the new date waits for each resident.
    assert len(queued) == SUBSCRIBERS
    assert all("Minggu 13 Des 19.30 WIB" in body for body in queued)
    assert audit_actions(engine, KADER)[-1] == "meeting.move"

    assert kader.say(f"RAPAT BATAL {meeting.id} 1234") == StaffText.MEETING_CANCEL_CONFIRM.format(
        acara="Musdes RKPDes 2027", kapan="Minggu 13 Des 19.30 WIB", told=0
    )
    assert kader.say("YA") == StaffText.MEETING_CANCEL_DONE.format(
        acara="Musdes RKPDes 2027", kapan="Minggu 13 Des 19.30 WIB"
    )
    assert meetings_titled(engine, "Musdes RKPDes 2027")[0].status == MeetingStatus.CANCELLED
    assert {r.status for r in broadcast_rows(engine)} == {DeliveryStatus.CANCELLED}  # nobody was told
    assert kader.say(f"RAPAT BATAL {meeting.id} 1234") == StaffText.MEETING_UNKNOWN.format(no=meeting.id)


def test_rapat_pindah_and_batal_need_a_number_a_pin_and_a_time(kader: Phone, kades: Phone) -> None:
    assert kader.say("RAPAT PINDAH") == t.STAFF_USAGE["meeting_change"]
    assert kader.say("RAPAT BATAL 3") == t.STAFF_USAGE["meeting_change"]
    assert kader.say("RAPAT PINDAH 3 1234 kapan2") == StaffText.MEETING_WHEN
    assert kader.say("RAPAT BATAL 999 1234") == StaffText.MEETING_UNKNOWN.format(no=999)
    assert kader.say("RAPAT PINDAH 999 1111 13/12 19.30").startswith("PIN salah")


def test_a_rapat_waiting_across_a_zone_correction_keeps_the_hour_typed(
    engine: Engine, client: TestClient, kader: Phone
) -> None:
    kader.say("RAPAT 1234 12/12 19.30 Balai Desa Musdes RKPDes 2027")
    with transaction(engine) as session:
        session.execute(update(Village).values(timezone="Asia/Makassar"))  # the operator corrects it
    client.app.state.inbound.directory.forget()  # type: ignore[attr-defined]  # as PATCH /villages does
    assert kader.say("YA") == StaffText.MEETING_CREATED.format(
        acara="Musdes RKPDes 2027", kapan="Sabtu 12 Des 19.30 WITA", reminders=3
    )
    (meeting,) = meetings_titled(engine, "Musdes RKPDes 2027")
    assert meeting.starts_at == datetime(2026, 12, 12, 11, 30, tzinfo=UTC)


def test_rapat_musdus_goes_to_its_dusun(engine: Engine, kader: Phone) -> None:
    ask = kader.say("rapat 1234 besok jam 3 sore Musdus Krajan II di Mushola Al-Ikhlas")
    assert ask.startswith("Musdus Krajan II, Kamis 3 Des 15.00 WIB, Mushola Al-Ikhlas. Undangan ke 3 warga +")
    assert kader.say("ya").startswith("Musdus Krajan II Kamis 3 Des 15.00 WIB dicatat.")
    (meeting,) = meetings_titled(engine, "Musdus Krajan II")
    assert (meeting.kind, meeting.dusun) == (MeetingKind.MUSDUS, "Krajan")


def test_rapat_that_cannot_be_read(engine: Engine, clock: Clock, kader: Phone) -> None:
    assert kader.say("RAPAT 1234 kapan2 di balai desa") == StaffText.MEETING_WHEN
    assert kader.say("RAPAT 1234 12/12 19.30 Musdes") == t.STAFF_USAGE["meeting"]
    assert kader.say("RAPAT 1234 hari ini jam 9 pagi Balai Desa Musdes") == StaffText.MEETING_PAST.format(
        kapan="Rabu 2 Des 09.00 WIB"
    )
    # A meeting asked for, then confirmed after its time passed, is not announced.
    kader.say("RAPAT 1234 hari ini jam 10.10 Balai Desa Rapat kilat")
    clock.advance(minutes=11)
    assert kader.say("YA") == StaffText.MEETING_PAST.format(kapan="Rabu 2 Des 10.10 WIB")
    assert meetings_titled(engine, "Rapat kilat") == []


# --- RINGKASAN ----------------------------------------------------------------------------------------


def test_digest_by_text_leaves_the_head_out_of_his_own(
    engine: Engine, clock: Clock, kader: Phone, kades: Phone, bpd: Phone
) -> None:
    add_ticket(engine)
    add_ticket(engine)
    add_ticket(engine, about_head=True)
    clock.advance(minutes=1)  # the tickets came in during the last 24 hours
    assert kades.say("RINGKASAN") == (
        "Ringkasan Kades Desa Sukamaju: 2 aduan baru, 2 terbuka, 0 lewat batas, 0 selesai."
    )
    assert bpd.say("ringkasan hari ini") == (
        "Ringkasan BPD Desa Sukamaju: 1 aduan baru, 1 terbuka, 0 lewat batas, 0 selesai."
    )
    assert kader.say("RINGKASAN") == StaffText.NOT_ALLOWED.format(role="Kader", what="meminta ringkasan")
    assert audit_actions(engine, KADES) == ["staff.digest"]
    assert audit_actions(engine, KADER) == ["staff.command_refused"]


# --- the audit log ------------------------------------------------------------------------------------


def test_every_staff_action_is_audited_with_the_channel(engine: Engine, kader: Phone) -> None:
    code = add_ticket(engine)
    kader.say("TIKET")
    kader.say(f"VERIF {code} 0000")
    kader.say(f"VERIF {code} 1234 ok")
    kader.say("SIARAN 1234 Kerja bakti")
    kader.say("YA")
    with Session(engine) as session:
        entries = session.exec(
            select(AuditEntry).where(col(AuditEntry.staff_id).is_not(None)).order_by(col(AuditEntry.id))
        ).all()
        total = session.exec(
            select(func.count()).select_from(AuditEntry).where(col(AuditEntry.staff_id).is_not(None))
        ).one()
    member = staff_member(engine, KADER)
    assert total == len(entries) == 5
    assert [e.action for e in entries] == [
        "staff.tickets_listed",
        "staff.pin_failed",
        "ticket.status",
        "staff.confirm_asked",
        "broadcast.create",
    ]
    assert {(e.staff_id, e.role, e.channel, e.actor) for e in entries} == {
        (member.id, Role.KADER, "console", f"kader:{member.id}")
    }


def test_a_reporters_ya_is_still_theirs(
    engine: Engine, client: TestClient, kader: Phone, kades: Phone
) -> None:
    code = complain(client, KADES, "jembatan Cibodas patah")
    kader.say(f"SELESAI {code} 1234 sudah diperbaiki")
    assert kades.say("ya") == t.TICKET_CONFIRMED.format(code=code)
    assert ticket(engine, code).status == TicketStatus.SELESAI


# --- the PIN is not kept ------------------------------------------------------------------------------


def contact_of(engine: Engine, phone: str) -> Contact:
    """The contact with this phone in the demo village."""
    with Session(engine) as session:
        return session.exec(
            select(Contact)
            .join(ContactIdentity, col(ContactIdentity.contact_id) == col(Contact.id))
            .where(ContactIdentity.kind == IdentityKind.PHONE, ContactIdentity.value == phone)
        ).one()


def tickets_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Ticket)).one()


def stored(engine: Engine, phone: str) -> Message:
    """The latest message stored from a number."""
    with Session(engine) as session:
        row = session.exec(
            select(Message).where(Message.sender == phone).order_by(col(Message.id).desc())
        ).first()
    assert row is not None
    return row


def test_the_pin_is_masked_in_the_stored_message(
    engine: Engine, client: TestClient, kader: Phone, kades: Phone, bpd: Phone
) -> None:
    code = add_ticket(engine)
    about_head = add_ticket(engine, about_head=True)
    with transaction(engine) as session:
        session.execute(
            update(Staff).where(col(Staff.phone) == BPD).values(pin_locked_until=T0 + timedelta(minutes=30))
        )
    cases = [
        (kader, f"VERIF {code} 1234 sudah dicek", f"VERIF {code} **** sudah dicek"),  # the right PIN
        (kader, f"PROSES {code} 9876 dicek", f"PROSES {code} **** dicek"),  # a wrong one
        (kader, f" selesai#1234#{code}#ganti lampu 1234", f" selesai#****#{code}#ganti lampu 1234"),
        (kader, f"TOLAK {code} {code} bukan desa", f"TOLAK {code} **** bukan desa"),  # the code's digits
        (kader, "VERIF 999999 5678 dicek", "VERIF 999999 **** dicek"),  # no such ticket
        (kader, f"TOLAK {code} 1234", f"TOLAK {code} ****"),  # no reason: not even checked
        (kader, "RAPAT 1234 12/12 19.30 Balai Desa Musdes", "RAPAT **** 12/12 19.30 Balai Desa Musdes"),
        (kader, "RAPAT 4321 kapan2 di balai", "RAPAT **** kapan2 di balai"),  # unreadable
        (kader, "SIARAN pin 4321 Kerja bakti", "SIARAN pin **** Kerja bakti"),
        (kades, "SIARAN 1234 Pengumuman", "SIARAN **** Pengumuman"),  # refused before the PIN
        (kades, f"VERIF {about_head} 2468 dicek", f"VERIF {about_head} **** dicek"),  # unknown to him
        (bpd, f"VERIF {about_head} 1234 diterima", f"VERIF {about_head} **** diterima"),  # locked
    ]
    for phone, text, body in cases:
        phone.say(text)
        row = stored(engine, phone.number)
        assert row.intent == "staff", text
        assert row.body == body, text
        assert row.raw == {"from": phone.number, "to": "+62800000001", "text": body, "id": None, "media": []}
    assert staff_member(engine, BPD).pin_locked_until is not None
    assert ticket(engine, code).status == TicketStatus.SELESAI

    # Without a PIN, or not a staff command at all, the message is kept as it came.
    for phone, text in (
        (kader, "TIKET"),
        (kader, f"VERIF {code} sudah dicek 1234"),  # no PIN read: 1234 is the note
        (kader, "lampu jalan 1234 mati"),
    ):
        phone.say(text)
        assert stored(engine, phone.number).body == text
    Phone(client, SRI).say(f"VERIF {code} 1234 sudah dicek")  # not a staff number: a resident's text
    assert stored(engine, SRI).body == f"VERIF {code} 1234 sudah dicek"


def test_a_confirmed_command_still_sends_after_masking(engine: Engine, clock: Clock, kader: Phone) -> None:
    kader.say("SIARAN 1234 Kerja bakti Minggu 1234 orang")
    assert stored(engine, KADER).body == "SIARAN **** Kerja bakti Minggu 1234 orang"
    assert kader.say("YA") == StaffText.BROADCAST_QUEUED.format(n=SUBSCRIBERS)
    (made,) = broadcasts(engine)
    assert made.sms_text == "Kerja bakti Minggu 1234 orang"  # the text as written, only the PIN gone


# --- the ticket a message is about ----------------------------------------------------------------------


def test_a_ticket_command_names_its_ticket_only_to_who_may_see_it(
    engine: Engine, kader: Phone, kades: Phone, bpd: Phone
) -> None:
    plain = add_ticket(engine)
    about_head = add_ticket(engine, about_head=True)
    ids = {code: ticket(engine, code).id for code in (plain, about_head)}
    missing = next(c for c in ("999999", "999998", "999997") if c not in ids)
    cases = [
        (kader, f"VERIF {plain} 1234 dicek", plain),  # acted on
        (kader, f"VERIF {plain} 1234", plain),  # already verified: unchanged
        (kader, f"PROSES {plain} 9999 dicek", plain),  # a wrong PIN
        (kader, f"SELESAI {plain} lampu diganti", plain),  # no PIN
        (kader, f"TOLAK {plain} 1234", plain),  # no reason
        (kader, f"PROSES {about_head} 1234", None),  # a cadre may not know of it
        (kades, f"VERIF {about_head} 1234 dicek", None),  # nor the head
        (kades, f"VERIF {about_head} 9999 dicek", None),
        (bpd, f"VERIF {plain} 1234", plain),  # the BPD sees it but may not act on it
        (bpd, f"TOLAK {about_head} 1234", about_head),
        (bpd, f"VERIF {about_head} 1234 diterima", about_head),
        (kader, f"VERIF {missing} 1234", None),
        (kader, "SELESAI 1234 lampu diganti", None),  # no code
        (kader, "TIKET", None),
        (bpd, "RINGKASAN", None),
    ]
    for phone, text, code in cases:
        phone.say(text)
        assert stored(engine, phone.number).ticket_id == (ids[code] if code else None), text


# --- no counts in the audit log -------------------------------------------------------------------------


def test_listing_and_digests_audit_no_counts(
    engine: Engine, clock: Clock, kader: Phone, kades: Phone, bpd: Phone
) -> None:
    add_ticket(engine)
    add_ticket(engine, about_head=True)
    clock.advance(minutes=1)
    for phone in (kader, kades, bpd):
        phone.say("TIKET")
        phone.say("TELAT 2")
        phone.say("RINGKASAN")
    with Session(engine) as session:
        entries = session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action).in_(["staff.tickets_listed", "staff.digest"]))
            .order_by(col(AuditEntry.id))
        ).all()
    assert [(e.actor.split(":")[0], e.action, e.detail) for e in entries] == [
        (role, action, detail)
        for role in ("kader", "kades", "bpd")
        for action, detail in (
            ("staff.tickets_listed", {"overdue": False, "page": 1}),
            ("staff.tickets_listed", {"overdue": True, "page": 2}),
            ("staff.digest", {"period": "on_demand"}),
        )
        if role != "kader" or action != "staff.digest"  # a cadre gets no digest
    ]


# --- digits, pages, dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("RAPAT 1234 12 des ²⁰²⁶ jam 19 balai desa musdes", StaffText.MEETING_WHEN),
        ("RAPAT 1234 12/12 jam ¹⁹ balai desa musdes", StaffText.MEETING_WHEN),
        ("RAPAT 1234 ١٢/١٢ 19.30 balai desa musdes", StaffText.MEETING_WHEN),
        ("SIARAN ¹²³⁴ Kerja bakti", t.STAFF_USAGE["broadcast"]),
    ],
)
def test_other_digits_are_not_numbers_end_to_end(engine: Engine, kader: Phone, text: str, reply: str) -> None:
    assert kader.say(text) == reply
    assert staff_member(engine, KADER).pin_failures == 0


@pytest.mark.parametrize(
    "text", ["tiket ²", "TELAT ³", "PROSES ¹²³⁴ ⁴⁸²⁹¹³", "VERIF ⁴⁸²⁹¹³ ¹²³⁴", "rapat ¹²³⁴ besok"]
)
def test_other_digits_after_a_resident_word_are_a_residents_message(kader: Phone, text: str) -> None:
    kader.say(text)  # answered as any resident's text, not a server error


def test_a_page_far_beyond_is_no_such_page(engine: Engine, kader: Phone) -> None:
    add_ticket(engine)
    assert kader.say("TIKET 99999999999999999999") == StaffText.LIST_NO_PAGE.format(
        page=99999999999999999999, keyword="TIKET"
    )
    assert kader.say("telat 1000") == StaffText.LIST_NO_PAGE.format(page=1000, keyword="TELAT")
    assert kader.say("TIKET " + "9" * 1000) == StaffText.LIST_NO_PAGE.format(page=1000, keyword="TIKET")
    assert kader.say("TIKET 999") == StaffText.LIST_NO_PAGE.format(page=999, keyword="TIKET")
    assert kader.say("TIKET 1").startswith("Aduan terbuka (1) hal 1/1: ")
    assert stored(engine, KADER).intent == "staff"


def test_rapat_more_than_a_year_ahead_is_refused(engine: Engine, kader: Phone) -> None:
    far = "RAPAT 9999 31/12/9999 19.30 Balai Desa Musdes"
    assert kader.say(far) == StaffText.MEETING_TOO_FAR.format(kapan="31 Des 9999")
    assert kader.say("RAPAT 1234 12/12/2027 19.30 Balai Desa Musdes") == StaffText.MEETING_TOO_FAR.format(
        kapan="12 Des 2027"
    )
    assert kader.say("RAPAT 1234 12 Des 2030 jam 7 malam Balai Desa Musdes") == (
        StaffText.MEETING_TOO_FAR.format(kapan="12 Des 2030")
    )
    assert staff_member(engine, KADER).pin_failures == 0  # refused before the PIN is checked
    assert stored(engine, KADER).body == "RAPAT **** 12 Des 2030 jam 7 malam Balai Desa Musdes"
    # Within the year (364 days ahead) it is asked as usual.
    assert kader.say("RAPAT 1234 1/12/2027 19.30 Balai Desa Musdes").startswith(
        "Musdes, Rabu 1 Des 19.30 WIB, Balai Desa. Undangan ke"
    )
    assert kader.say("BATAL") == StaffText.CANCELLED
    assert meetings_titled(engine, "Musdes") == []


# --- the operator ---------------------------------------------------------------------------------------

OPERATOR = "+6281300000001"
LAIN_NUMBER = "+62800000002"


@pytest.fixture
def operator(engine: Engine, client: TestClient, pins: None) -> Phone:
    """The deployment's operator (no village of their own) with a phone and PIN 1234."""
    with transaction(engine) as session:
        session.add(
            Staff(name="Operator", role=Role.OPERATOR, phone=OPERATOR, pin_hash=factories.quick_pin_hash(PIN))
        )
    return Phone(client, OPERATOR)


def second_village(engine: Engine) -> int:
    """Desa Lain, answering on its own console number, with one subscriber; returns its id."""
    with transaction(engine) as session:
        village = Village(code="LAIN", name="Desa Lain", timezone="Asia/Makassar")
        session.add(village)
        session.flush()
        assert village.id is not None
        session.add(VillageAddress(village_id=village.id, channel=Channel.CONSOLE, address=LAIN_NUMBER))
        session.add(
            Contact(village_id=village.id, name="Pak Made", subscription=SubscriptionState.SUBSCRIBED)
        )
        return village.id


def demo_id(engine: Engine) -> int:
    with Session(engine) as session:
        village_id = session.exec(select(Village.id).where(Village.code == "DEMO")).one()
    assert village_id is not None
    return village_id


def test_the_operator_works_on_the_village_texted(engine: Engine, clock: Clock, operator: Phone) -> None:
    code = add_ticket(engine)
    about_head = add_ticket(engine, about_head=True)
    clock.advance(minutes=1)
    assert "RINGKASAN" in operator.say("STAF")
    assert "SIARAN/DARURAT" in operator.say("STAF")
    assert operator.say("TIKET").startswith("Aduan terbuka (2)")  # complaints about the head too
    assert operator.say("RINGKASAN").startswith("Ringkasan ")
    assert operator.say(f"VERIF {about_head} 1234 dicek").startswith(f"Aduan {about_head} kini diverifikasi.")
    assert operator.say(f"PROSES {code} 9999 dicek") == StaffText.PIN_WRONG.format(left=4)
    assert operator.say("RAPAT 1234 12/12 19.30 Balai Desa Musdes").startswith("Musdes, Sabtu 12 Des 19.30")
    assert operator.say("YA").startswith("Musdes Sabtu 12 Des 19.30 WIB dicatat.")
    assert operator.say("SIARAN 1234 Kerja bakti Minggu").startswith(f"Siaran ke {SUBSCRIBERS} pelanggan")
    assert operator.say("YA") == StaffText.BROADCAST_QUEUED.format(n=SUBSCRIBERS)
    member = staff_member(engine, OPERATOR)
    with Session(engine) as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.staff_id == member.id).order_by(col(AuditEntry.id))
        ).all()
        made = session.exec(select(Broadcast).where(Broadcast.created_by == f"operator:{member.id}")).all()
    assert [e.action for e in entries] == [
        "staff.tickets_listed",
        "staff.digest",
        "ticket.status",
        "staff.pin_failed",
        "staff.confirm_asked",
        "meeting.create",
        "staff.confirm_asked",
        "broadcast.create",
    ]
    # Every entry, the wrong PIN's too, is in the village texted: the operator has none of their own.
    assert {(e.village_id, e.channel, e.actor) for e in entries} == {
        (demo_id(engine), "console", f"operator:{member.id}")
    }
    assert {b.village_id for b in made} == {demo_id(engine)}
    assert member.village_id is None


def test_the_villages_own_staff_come_before_the_operator(
    engine: Engine, client: TestClient, pins: None
) -> None:
    """An operator sharing a phone with a cadre acts as the operator only where the cadre is not staff."""
    second_village(engine)
    with transaction(engine) as session:
        session.add(
            Staff(name="Operator", role=Role.OPERATOR, phone=KADER, pin_hash=factories.quick_pin_hash(PIN))
        )
    assert "RINGKASAN" not in Phone(client, KADER).say("STAF")  # DEMO: the cadre
    assert "RINGKASAN" in Phone(client, KADER, to=LAIN_NUMBER).say("STAF")  # LAIN: the operator


def test_an_inactive_operator_is_a_resident(engine: Engine, operator: Phone) -> None:
    with transaction(engine) as session:
        session.execute(update(Staff).where(col(Staff.phone) == OPERATOR).values(active=False))
    operator.say("STAF")
    assert stored(engine, OPERATOR).intent != "staff"


def test_what_waits_for_ya_belongs_to_the_village_asked(
    engine: Engine, operator: Phone, client: TestClient
) -> None:
    second_village(engine)
    in_lain = Phone(client, OPERATOR, to=LAIN_NUMBER)
    operator.say("SIARAN 1234 Kerja bakti Minggu")
    assert in_lain.say("YA") == StaffText.CONFIRM_NOTHING  # another village's YA sends nothing
    assert operator.say("YA") != StaffText.BROADCAST_QUEUED.format(n=SUBSCRIBERS)
    # A message to another village's number in between is a message in between, command or not.
    operator.say("SIARAN 1234 Kerja bakti Minggu")
    in_lain.say("halo pak, apa kabar")
    assert operator.say("YA") == StaffText.CONFIRM_NOTHING
    operator.say("SIARAN 1234 Kerja bakti Minggu")
    in_lain.say("TIKET")
    assert operator.say("YA") != StaffText.BROADCAST_QUEUED.format(n=SUBSCRIBERS)
    assert broadcasts(engine) == []


# --- typing slips and stray PINs --------------------------------------------------------------------------


def tickets_from(engine: Engine, phone: str) -> int:
    with Session(engine) as session:
        return session.exec(
            select(func.count())
            .select_from(Ticket)
            .join(Contact, col(Contact.id) == col(Ticket.reporter_id))
            .join(Message, col(Message.contact_id) == col(Contact.id))
            .where(Message.sender == phone)
        ).one()


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("VERIFY {code} 1234 ok", "VERIFY {code} **** ok"),
        ("verif{code} 1234 ok", "verif{code} **** ok"),
        ("Verfi {code} 1234 sudah dicek", "Verfi {code} **** sudah dicek"),
        ("verifikasi{code} pin 1234", "verifikasi{code} pin ****"),
    ],
)
def test_a_slipped_or_glued_command_word_still_works(
    engine: Engine, kader: Phone, text: str, body: str
) -> None:
    code = add_ticket(engine)
    assert kader.say(text.format(code=code)).startswith(f"Aduan {code} kini diverifikasi.")
    row = stored(engine, KADER)
    assert (row.intent, row.body, row.raw["text"]) == (
        "staff",
        body.format(code=code),
        body.format(code=code),
    )
    assert ticket(engine, code).status == TicketStatus.DIVERIFIKASI


def test_slips_of_every_command(engine: Engine, kader: Phone, kades: Phone) -> None:
    code = add_ticket(engine)
    assert kader.say("STAFF").startswith("Staf: TIKET")
    assert kader.say("bantuan staff").startswith("Staf: TIKET")
    assert kader.say("tikt").startswith("Aduan terbuka (1)")
    assert kades.say("ringkasn").startswith("Ringkasan ")
    assert kader.say(f"selesei {code} 1234 lampu diganti").startswith(f"Aduan {code} kini selesai.")
    assert kader.say(f"prosess {code} 1234 dibuka lagi").startswith(f"Aduan {code} kini sedang diproses.")
    assert kader.say("siarn 1234 Kerja bakti").startswith("Siaran ke")
    assert kader.say("BATAL") == StaffText.CANCELLED


@pytest.mark.parametrize(
    "text",
    [
        "staff desa tidak ada di kantor",  # a slip with no number after it is a resident's
        "selesei rapatnya jam brp?",
        "Telah terjadi longsor di Cibodas",  # everyday words are never slips
        "saran saya lampu jalan diperbaiki",
        "dapat bantuan blt blm",
        "lapr jalan rusak",  # a resident keyword's slip stays theirs
    ],
)
def test_near_words_without_a_number_stay_residents(engine: Engine, kader: Phone, text: str) -> None:
    kader.say(text)
    assert stored(engine, KADER).intent != "staff"


@pytest.mark.parametrize(
    ("text", "reply", "body"),
    [
        ("RINGKASAN 1234", t.STAFF_USAGE["digest"], "RINGKASAN ****"),
        ("TIKET 1234 5678", t.STAFF_USAGE["list"], "TIKET **** 5678"),
        ("telat 4321 terus", t.STAFF_USAGE["list"], "telat **** terus"),
        ("LIHAT 1234", t.STAFF_USAGE["lookup"], "LIHAT ****"),
        ("STAF 1234", None, "STAF ****"),
        ("ya 1234", StaffText.CONFIRM_NOTHING, "ya ****"),
        ("BATAL pin 1234", StaffText.CANCEL_NOTHING, "BATAL pin ****"),
    ],
)
def test_a_command_word_with_a_pin_is_never_a_residents_message(
    engine: Engine, kader: Phone, text: str, reply: str | None, body: str
) -> None:
    answer = kader.say(text)
    if reply is not None:
        assert answer == reply
    row = stored(engine, KADER)
    assert (row.intent, row.body) == ("staff", body)
    assert tickets_from(engine, KADER) == 0
    assert staff_member(engine, KADER).pin_failures == 0  # nothing was checked


def test_a_pin_after_a_command_word_never_becomes_a_complaint_even_when_one_waits(
    engine: Engine, kader: Phone
) -> None:
    """ADUAN alone asks for the detail; the next message would be the complaint, but not this one."""
    assert kader.say("ADUAN") == t.COMPLAINT_ASK_DETAIL
    assert kader.say("ringkasan 1234") == t.STAFF_USAGE["digest"]
    assert tickets_from(engine, KADER) == 0
    assert stored(engine, KADER).body == "ringkasan ****"


def test_the_same_from_a_resident_is_a_residents_message(
    engine: Engine, client: TestClient, pins: None
) -> None:
    code = add_ticket(engine)
    for text in ("VERIFY {code} 1234 ok", "ringkasan 1234", "LIHAT {code}"):
        Phone(client, SRI).say(text.format(code=code))
        row = stored(engine, SRI)
        assert row.intent != "staff"
        assert row.body == text.format(code=code)  # a resident's text is kept as written
    assert ticket(engine, code).status == TicketStatus.BARU


def test_ya_with_a_pin_confirms(engine: Engine, kader: Phone) -> None:
    kader.say("SIARAN 1234 Kerja bakti Minggu")
    assert kader.say("YA 1234") == StaffText.BROADCAST_QUEUED.format(n=SUBSCRIBERS)
    assert stored(engine, KADER).body == "YA ****"
    assert len(broadcasts(engine)) == 1


# --- LIHAT --------------------------------------------------------------------------------------------------


def test_lihat_shows_one_complaint_in_one_sms(
    engine: Engine, client: TestClient, clock: Clock, kader: Phone
) -> None:
    code = complain(client, SLAMET, "lampu jalan RT 2 dusun Krajan mati sdh seminggu")
    expected = (
        f"Aduan {code}: Infra, baru, Krajan RT 2. Batas verifikasi 7 Des. "
        "Isi: lampu jalan RT 2 dusun Krajan mati sdh seminggu"
    )
    assert kader.say(f"LIHAT {code}") == expected
    assert kader.say(f"tiket {code}") == expected  # TIKET with a code is LIHAT
    assert kader.say(f"liat kode {code}") == expected
    row = stored(engine, KADER)
    assert (row.intent, row.ticket_id) == ("staff", ticket(engine, code).id)
    for name in ("Slamet", SLAMET, SLAMET[1:], "Pak"):
        assert name not in expected

    clock.now = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # Tuesday: the verify deadline passed
    assert " Lewat batas verifikasi 7 Des! Isi: " in kader.say(f"LIHAT {code}")
    kader.say(f"VERIF {code} 1234 dicek")
    assert f"Aduan {code}: Infra, diverifikasi, Krajan RT 2. Batas penanganan " in kader.say(f"LIHAT {code}")
    kader.say(f"SELESAI {code} 1234 diganti")
    assert kader.say(f"LIHAT {code}").startswith(f"Aduan {code}: Infra, selesai, Krajan RT 2. Isi: ")
    assert audit_actions(engine, KADER).count("staff.ticket_viewed") == 6


def test_lihat_cuts_the_text_and_keeps_it_gsm7_and_anonymous(
    engine: Engine, client: TestClient, kader: Phone
) -> None:
    text = (
        "ADUAN ANONIM “jalan” ke sawah – rusak 🙏 parah sekali sudah 3 bulan, kalau hujan tidak bisa "
        "lewat, hubungi saya di 0812-3450-0001 atau 081234500001, NIK 3201234567890001, mohon dibantu "
        "secepatnya pak karena anak2 sekolah lewat situ setiap hari"
    )
    code = complain(client, SLAMET, text)
    assert ticket(engine, code).anonymous
    reply = kader.say(f"LIHAT {code}")  # Phone.say checks one GSM-7 SMS
    assert reply.startswith(f"Aduan {code}: ")
    assert 'jalan" ke sawah - rusak parah sekali sudah 3 bulan' in reply  # look-alikes, no emoji
    assert reply.endswith("...")
    assert len(reply) >= 150
    assert "Slamet" not in reply


def test_lihat_leaves_out_the_reporters_name_in_the_text(client: TestClient, kader: Phone) -> None:
    """A forwarded SMS must not name who reported, as the text of an anonymous complaint in the API."""
    code = complain(client, SRI, "ADUAN ANONIM saya Sri Wahyuni RT 3, BLT sy dipotong 100rb")
    reply = kader.say(f"LIHAT {code}")
    assert reply.endswith("Isi: saya *** *** RT 3, BLT sy dipotong 100rb"), reply


def test_lihat_leaves_out_long_numbers_in_the_text(engine: Engine, client: TestClient, kader: Phone) -> None:
    """A phone or an NIK typed in a complaint is the reporter's more often than not."""
    text = "bansos blm cair, NIK 3201234567890001, hub saya 0812-3450-0001 / +62 812 3450 0001, RT 3"
    code = complain(client, SRI, text)
    reply = kader.say(f"LIHAT {code}")
    assert reply.endswith("Isi: bansos blm cair, NIK ***, hub saya *** / ***, RT 3"), reply
    for secret in ("0812", "3450", "0001", "3201234567890001", "Sri", "Wahyuni"):
        assert secret not in reply


def test_lihat_of_a_photo_only_complaint(engine: Engine, kader: Phone) -> None:
    code = add_ticket(engine)
    with transaction(engine) as session:
        session.execute(
            update(Ticket)
            .where(col(Ticket.code) == code)
            .values(text="", media=[{"url": "https://x.example/1.jpg", "content_type": "image/jpeg"}])
        )
    assert kader.say(f"LIHAT {code}") == (
        f"Aduan {code}: Infra, baru, lokasi belum disebut. Batas verifikasi 7 Des. Isi: (hanya foto)"
    )


def test_lihat_sees_what_the_role_may_see(
    engine: Engine, kader: Phone, kades: Phone, bpd: Phone, operator: Phone
) -> None:
    plain = add_ticket(engine)
    about_head = add_ticket(engine, about_head=True, category=Category.TATA_KELOLA)
    missing = next(c for c in ("999999", "999998", "999997") if c not in (plain, about_head))
    for phone in (kader, kades):
        # A complaint about the head answers exactly like a code that does not exist.
        assert phone.say(f"LIHAT {about_head}") == unknown(about_head)
        assert stored(engine, phone.number).ticket_id is None
        assert phone.say(f"LIHAT {missing}") == unknown(missing)
        assert phone.say(f"LIHAT {plain}").startswith(f"Aduan {plain}: Infra, baru,")
    for phone in (bpd, operator):
        assert phone.say(f"LIHAT {about_head}").startswith(f"Aduan {about_head}: Tatakelola, baru,")
        assert stored(engine, phone.number).ticket_id == ticket(engine, about_head).id
    assert bpd.say(f"LIHAT {plain}").startswith(f"Aduan {plain}: Infra, baru,")  # reads, may not act
    with Session(engine) as session:
        refused = session.exec(select(AuditEntry).where(AuditEntry.action == "staff.command_refused")).all()
    assert [(e.role, e.detail) for e in refused] == [
        (role, {"command": "lihat", "reason": "not_found"}) for role in (Role.KADER,) * 2 + (Role.KADES,) * 2
    ]


def test_lihat_with_a_pin_typed_out_of_habit(engine: Engine, kader: Phone) -> None:
    code = add_ticket(engine)
    assert kader.say(f"LIHAT {code} 9999").startswith(f"Aduan {code}: ")
    assert stored(engine, KADER).body == f"LIHAT {code} ****"
    assert staff_member(engine, KADER).pin_failures == 0  # read-only: not checked


# --- TERUSKAN and BUKAN -------------------------------------------------------------------------------


def test_teruskan_and_bukan_need_a_note_and_tell_the_reporter(engine: Engine, kader: Phone) -> None:
    forwarded, not_ours = add_ticket(engine), add_ticket(engine)
    assert kader.say(f"TERUSKAN {forwarded} 1234") == StaffText.FORWARD_MISSING.format(code=forwarded)
    assert kader.say(f"BUKAN {not_ours} 1234") == StaffText.NOT_OURS_MISSING.format(code=not_ours)
    assert ticket(engine, forwarded).status == ticket(engine, not_ours).status == TicketStatus.BARU
    assert staff_member(engine, KADER).pin_failures == 0

    assert kader.say(f"TERUSKAN {forwarded} 1234 ke Dinas PU kabupaten") == StaffText.TICKET_CHANGED.format(
        code=forwarded, status="diteruskan ke instansi lain"
    )
    assert kader.say(f"bukan wewenang {not_ours} 1234 jalan provinsi") == StaffText.TICKET_CHANGED.format(
        code=not_ours, status="bukan wewenang desa"
    )
    assert ticket(engine, forwarded).status == TicketStatus.DITERUSKAN
    assert ticket(engine, not_ours).status == TicketStatus.BUKAN_WEWENANG
    assert notices_to(engine, SLAMET)[-2:] == [
        f"Aduan {forwarded} diteruskan ke instansi yg berwenang. Catatan: ke Dinas PU kabupaten. "
        f"Ketik CEK {forwarded} utk status.",
        f"Aduan {not_ours} bukan wewenang desa. Catatan: jalan provinsi. Hubungi kantor desa bila perlu "
        "bantuan.",
    ]
    # Closed now: only PROSES reopens it.
    assert kader.say(f"DITERUSKAN {forwarded} 1234 lagi") == StaffText.TICKET_UNCHANGED.format(
        code=forwarded, status="diteruskan"
    )
    assert stored(engine, KADER).body == f"DITERUSKAN {forwarded} **** lagi"
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "ticket.status")).all()
    assert [(e.target, e.detail["to"]) for e in entries] == [
        (f"ticket:{forwarded}", "diteruskan"),
        (f"ticket:{not_ours}", "bukan_wewenang"),
    ]


def test_teruskan_and_bukan_follow_the_ticket_rights(engine: Engine, kader: Phone, bpd: Phone) -> None:
    plain = add_ticket(engine)
    about_head = add_ticket(engine, about_head=True)
    assert kader.say(f"TERUSKAN {about_head} 1234 ke inspektorat") == unknown(about_head)
    assert bpd.say(f"BUKAN {plain} 1234 urusan kabupaten") == StaffText.TICKET_NOT_YOURS.format(
        code=plain, role="BPD"
    )
    assert bpd.say(f"TERUSKAN {about_head} 1234 ke Inspektorat kabupaten").startswith(
        f"Aduan {about_head} kini diteruskan"
    )
    assert ticket(engine, plain).status == TicketStatus.BARU


# --- what staff typed, said back in GSM-7 -----------------------------------------------------------------


def test_rapat_with_curly_quotes_and_dashes_is_confirmed_in_gsm7(engine: Engine, kader: Phone) -> None:
    ask = kader.say("RAPAT 1234 12/12 19.30 “Balai” – Desa Musdes “RKPDes” 2027")  # say() checks GSM-7
    assert ask.startswith('Musdes "RKPDes" 2027, Sabtu 12 Des 19.30 WIB, "Balai" - Desa. Undangan ke')
    assert kader.say("YA") == StaffText.MEETING_CREATED.format(
        acara='Musdes "RKPDes" 2027', kapan="Sabtu 12 Des 19.30 WIB", reminders=3
    )


def test_rapat_echo_leaves_out_what_gsm7_cannot_say(kader: Phone) -> None:
    ask = kader.say("RAPAT 1234 12/12 19.30 Balai Desa 🏠 Musdes 🙏 RKPDes")
    assert ask.startswith("Musdes RKPDes, Sabtu 12 Des 19.30 WIB, Balai Desa. Undangan ke")


# --- review findings: near-commands, natural answers, broadcasts without a PIN, questions -----------------


def test_a_pin_in_a_nearly_parsed_command_is_masked_and_never_a_ticket(engine: Engine, kader: Phone) -> None:
    code = add_ticket(engine)
    usage = t.STAFF_USAGE["ticket"]
    cases = [
        (f"Terus {code} 1234 ke puskesmas", usage.format(verb="TERUSKAN"), f"Terus {code} **** ke puskesmas"),
        (f"slsai {code} 1234", usage.format(verb="SELESAI"), f"slsai {code} ****"),
        (f"trskn {code} 1234", usage.format(verb="TERUSKAN"), f"trskn {code} ****"),
        (f"vrf {code} 1234", usage.format(verb="VERIF"), f"vrf {code} ****"),
        (f"Sdh selesai {code} 1234", usage.format(verb="SELESAI"), f"Sdh selesai {code} ****"),
        (f"{code} selesai 1234", usage.format(verb="SELESAI"), f"{code} selesai ****"),
        (f"{code} 1234 mohon dicek", None, f"{code} **** mohon dicek"),  # the menu
    ]
    for text, reply, body in cases:
        answer = kader.say(text)
        if reply is not None:
            assert answer == reply, text
        else:
            assert answer.startswith("Staf: "), answer
        row = stored(engine, KADER)
        assert (row.intent, row.body) == ("staff", body), text
        assert row.raw["text"] == body
    assert tickets_from(engine, KADER) == 0
    assert ticket(engine, code).status == TicketStatus.BARU
    assert staff_member(engine, KADER).pin_failures == 0


def test_glued_fillers_underscores_quotes_and_a_trailing_pin_are_read(engine: Engine, kader: Phone) -> None:
    for text, body in (
        ("selesai kode{code} 1234", "selesai kode{code} ****"),
        ("selesai {code}_1234", "selesai {code}_****"),
        ("‘selesai {code} 1234", "‘selesai {code} ****"),
        ("selesai {code} pin1234", "selesai {code} pin****"),
        ("selesai {code} sudah beres pin 1234", "selesai {code} sudah beres pin ****"),
    ):
        code = add_ticket(engine)
        answer = kader.say(text.format(code=code))
        assert answer == StaffText.TICKET_CHANGED.format(
            code=code, status=STATUS_LABELS[TicketStatus.SELESAI]
        )
        assert stored(engine, KADER).body == body.format(code=code)
        assert ticket(engine, code).status == TicketStatus.SELESAI
    assert tickets_from(engine, KADER) == 0


def test_the_same_numbers_from_a_resident_or_an_unknown_code_stay_a_residents(
    engine: Engine, client: TestClient, kader: Phone
) -> None:
    code = add_ticket(engine)
    Phone(client, SRI).say(f"Sdh selesai {code} 1234")
    assert stored(engine, SRI).intent != "staff"
    kader.say("Sdh selesai 999999 1234")  # no such ticket: not a staff command
    assert stored(engine, KADER).intent != "staff"


@pytest.mark.parametrize(
    "answer", ["ya pak", "Ya betul", "ya silakan", "ya kirim sekarang", "Yaa", "ok", "oke kirim", "Siap bu"]
)
def test_natural_confirmations_send_the_broadcast(engine: Engine, kader: Phone, answer: str) -> None:
    kader.say("SIARAN 1234 Kerja bakti Minggu 07.00 di balai desa")
    assert kader.say(answer) == StaffText.BROADCAST_QUEUED.format(n=SUBSCRIBERS)
    assert len(broadcasts(engine)) == 1


@pytest.mark.parametrize("answer", ["batal", "jangan", "tidak jadi", "jangan dulu pak"])
def test_natural_cancels_drop_it(engine: Engine, kader: Phone, answer: str) -> None:
    kader.say("SIARAN 1234 Kerja bakti Minggu")
    assert kader.say(answer) == StaffText.CANCELLED
    assert broadcasts(engine) == []


def test_an_unclear_answer_says_nothing_was_sent_and_it_still_waits(engine: Engine, kader: Phone) -> None:
    kader.say("SIARAN 1234 Kerja bakti Minggu")
    assert kader.say("oke tapi jamnya benar?") == StaffText.CONFIRM_UNCLEAR
    assert broadcasts(engine) == []
    assert kader.say("ya") == StaffText.BROADCAST_QUEUED.format(n=SUBSCRIBERS)
    assert len(broadcasts(engine)) == 1


def test_natural_answers_with_nothing_waiting_are_a_residents(engine: Engine, kader: Phone) -> None:
    for text in ("ok", "ya pak", "oke tapi jamnya benar?"):
        kader.say(text)
        assert stored(engine, KADER).intent != "staff"


def test_darurat_and_rapat_without_a_pin_ask_for_it(engine: Engine, kader: Phone) -> None:
    text = "DARURAT banjir di Krajan, warga harap mengungsi ke balai desa"
    assert kader.say(text) == t.STAFF_USAGE["emergency"]
    assert kader.say("Rapat besok jam 19 di balai desa") == t.STAFF_USAGE["meeting"]
    assert tickets_from(engine, KADER) == 0
    assert broadcasts(engine) == []


def test_innocent_questions_from_the_head_are_a_residents(engine: Engine, kades: Phone) -> None:
    for text in (
        "verifikasi data bansos gimana",
        "Siaran radio desa kapan?",
        "Rapat 2026 kapan ya pak",
        "staf desa tidak ada di kantor",
    ):
        kades.say(text)
        row = stored(engine, KADES)
        assert row.intent != "staff", text
        assert row.body == text
    assert audit_actions(engine, KADES) == []


def test_meeting_fields_are_stored_in_gsm7_and_the_echo_cut_by_septets(engine: Engine, kader: Phone) -> None:
    ask = kader.say(
        "RAPAT 1234 12/12 19.30 Balai [Desa] 🏠 Musdes “RKPDes” [2027] [tahap] [satu] 🙏 agenda: «APBDes»"
    )
    assert ask.startswith('Musdes "RKPDes" [2027]')  # say() checks one GSM-7 SMS
    kader.say("YA")
    with Session(engine) as session:
        meeting = session.exec(select(Meeting).order_by(col(Meeting.id).desc())).first()
    assert meeting is not None
    for field in (meeting.title, meeting.place, meeting.agenda):
        assert analyse(field).encoding == Encoding.GSM7, field
    assert meeting.title.startswith('Musdes "RKPDes" [2027]')


# --- QA: what RAPAT promises, menus, pages, YA with nothing waiting, wording ---------------------------


def test_rapat_in_quiet_hours_says_when_the_invitation_really_goes(
    engine: Engine, clock: Clock, kader: Phone
) -> None:
    clock.now = datetime(2026, 12, 2, 21, 13, tzinfo=UTC)  # Thursday 3 Dec 04.13 WIB: quiet until 06.00
    kader.say("RAPAT 1234 12/12 19.30 Balai Desa Musdes RKPDes")
    reply = kader.say("YA")
    assert reply == StaffText.MEETING_HELD.format(
        acara="Musdes RKPDes", kapan="Sabtu 12 Des 19.30 WIB", kirim="Kamis 3 Des 06.00 WIB", reminders=3
    )
    assert "1 menit" not in reply
    assert fire_due(engine, clock.now) == [FireOutcome.HELD]  # the scheduler holds it, as promised
    assert broadcast_rows(engine) == []
    assert fire_due(engine, datetime(2026, 12, 2, 23, 0, 5, tzinfo=UTC)) == [FireOutcome.SENT]  # 06.00 WIB


def test_a_meeting_before_the_quiet_hours_end_is_refused_with_a_way_out(
    engine: Engine, clock: Clock, kader: Phone
) -> None:
    clock.now = datetime(2026, 12, 2, 21, 13, tzinfo=UTC)  # Thursday 3 Dec 04.13 WIB: quiet until 06.00
    reply = kader.say("RAPAT 1234 hari ini 05.30 Balai Desa Rapat kerja bakti")
    assert reply == StaffText.MEETING_BEFORE_QUIET_END.format(
        kapan="Kamis 3 Des 05.30 WIB", until="06.00 WIB"
    )
    assert kader.say("YA") == StaffText.CONFIRM_NOTHING  # nothing waits
    assert staff_member(engine, KADER).pin_failures == 0
    # Half an hour after the quiet hours end, the invitation is in time: asked to confirm as usual.
    assert "Balas YA" in kader.say("RAPAT 1234 hari ini 06.30 Balai Desa Rapat kerja bakti")


def test_rapat_in_quiet_hours_waiting_for_approval_promises_no_time(
    engine: Engine, clock: Clock, kader: Phone
) -> None:
    with transaction(engine) as session:
        session.execute(update(Village).values(approval_kinds=["musdes"]))
    clock.now = datetime(2026, 12, 2, 21, 13, tzinfo=UTC)
    kader.say("RAPAT 1234 12/12 19.30 Balai Desa Musdes RKPDes")
    assert kader.say("YA") == StaffText.MEETING_APPROVAL.format(
        acara="Musdes RKPDes", kapan="Sabtu 12 Des 19.30 WIB"
    )


def test_rapat_without_an_agenda_invites_without_one(engine: Engine, clock: Clock, kader: Phone) -> None:
    kader.say("RAPAT 1234 12/12 19.30 Balai Desa Musdes RKPDes")
    kader.say("YA")
    fire_due(engine, clock.now)
    assert {row.body for row in broadcast_rows(engine)} == {
        "Undangan Musdes RKPDes: Sabtu 12 Des 19.30 WIB di Balai Desa. Mohon hadir."
    }


def test_every_menu_offers_only_what_the_role_may_use(
    kader: Phone, kades: Phone, bpd: Phone, operator: Phone
) -> None:
    for phone, role in ((kader, Role.KADER), (kades, Role.KADES), (bpd, Role.BPD), (operator, Role.OPERATOR)):
        menu = phone.say("STAF")
        words = set(re.findall(r"\b[A-Z]{4,}\b", menu)) - {"STAF", "PIN"}
        for word in words:
            assert word in ALIASES, (role, word)
            command = parse(f"{word} 482913 1234 catatan", now_local=T0)
            assert command is not None, word
            need = right_of(command)
            if ALIASES[word] in BROADCAST_COMMANDS:
                need = rights.Right.BROADCAST
            assert need is None or rights.can(role, need), (role, word, menu)
        may_broadcast = rights.can(role, rights.Right.BROADCAST)
        assert ("DARURAT" in words) == ("SIARAN" in words) == ("RAPAT" in words) == may_broadcast, menu
        assert ("RINGKASAN" in words) == rights.can(role, rights.Right.DIGEST), menu
        # The example the menu points to is one the role may use.
        example = re.search(r"Ketik STAF (\w+) dll utk contoh\.$", menu)
        assert example is not None, menu
        assert example.group(1) in words, menu
    assert "DARURAT" in operator.say("STAF")


def test_a_page_number_after_ringkasan_or_staf_is_still_the_command(
    engine: Engine, clock: Clock, kades: Phone, kader: Phone
) -> None:
    add_ticket(engine)
    clock.advance(minutes=1)
    digest = kades.say("RINGKASAN")
    assert digest.startswith("Ringkasan Kades")
    for text in ("ringkasan 2", "Ringkasan hal 2", "REKAP 1"):
        assert kades.say(text) == digest, text
        assert stored(engine, KADES).intent == "staff"
    assert kader.say("ringkasan 2") == StaffText.NOT_ALLOWED.format(role="Kader", what="meminta ringkasan")
    assert kades.say("STAF 2") == kades.say("STAF")
    # Pages of lists are unaffected.
    assert kader.say("TIKET 2") == "Tidak ada halaman 2. Ketik TIKET utk halaman pertama."
    assert kader.say("TELAT 2") == StaffText.LIST_EMPTY_OVERDUE
    assert tickets_from(engine, KADES) == 0


def test_ya_with_nothing_waiting_is_told_so(
    engine: Engine, client: TestClient, kader: Phone, kades: Phone, operator: Phone
) -> None:
    for text in ("YA", "ya", "Ya.", "iya"):
        assert kader.say(text) == StaffText.CONFIRM_NOTHING, text
        assert stored(engine, KADER).intent == "staff"
    assert operator.say("YA") == StaffText.CONFIRM_NOTHING
    assert kader.say("ya 1234") == StaffText.CONFIRM_NOTHING
    # BATAL alike: nothing waits, nothing is dropped (not a resident's unreadable message).
    for text in ("BATAL", "batal", "batal kirim", "BATAL 1234", "batalkan 1234"):
        assert kader.say(text) == StaffText.CANCEL_NOTHING, text
        assert stored(engine, KADER).intent == "staff"
    kader.say("Batalkan")  # without a PIN, a resident's "unsubscribe me" (test_an_opt_out_works_...)
    assert stored(engine, KADER).intent == "unsubscribe"
    # A natural answer with nothing waiting is still a resident's ("ya pak" may answer anything).
    kader.say("ya pak")
    assert stored(engine, KADER).intent != "staff"
    # The head can have nothing waiting for YA: his YA is a resident's, as a resident's is.
    for phone, number in ((kades, KADES), (Phone(client, SRI), SRI)):
        phone.say("YA")
        assert stored(engine, number).intent != "staff"
    assert audit_actions(engine) == []
    assert broadcasts(engine) == []


def test_a_reporters_ya_with_nothing_waiting_still_answers_beres(
    engine: Engine, client: TestClient, kader: Phone, kades: Phone
) -> None:
    code = complain(client, KADER, "jembatan Cibodas patah")
    kades.say(f"SELESAI {code} 1234 sudah diperbaiki")
    assert kader.say("YA") == t.TICKET_CONFIRMED.format(code=code)
    assert ticket(engine, code).status == TicketStatus.SELESAI
    # Once answered, nothing waits for the cadre's YA.
    assert kader.say("YA") == StaffText.CONFIRM_NOTHING


UNCHANGED_READS = {
    TicketStatus.DIVERIFIKASI: "sudah berstatus diverifikasi",
    TicketStatus.DIPROSES: "sudah berstatus diproses",
    TicketStatus.SELESAI: "sudah berstatus selesai",
    TicketStatus.DITOLAK: "sudah berstatus ditolak",
    TicketStatus.BUKAN_WEWENANG: "sudah berstatus bukan wewenang desa",
    TicketStatus.DUPLIKAT: "sudah berstatus digabung",
    TicketStatus.DITERUSKAN: "sudah berstatus diteruskan",
}


@pytest.mark.parametrize("status", list(TicketStatus))
def test_an_unchanged_ticket_reads_naturally_in_every_status(
    engine: Engine, kader: Phone, status: TicketStatus
) -> None:
    code = add_ticket(engine)
    with transaction(engine) as session:
        session.execute(update(Ticket).where(col(Ticket.code) == code).values(status=status))
    reply = kader.say(f"VERIF {code} 1234 dicek")
    if status == TicketStatus.BARU:  # the one status VERIF moves
        assert reply.startswith(f"Aduan {code} kini diverifikasi.")
        reply = StaffText.TICKET_UNCHANGED.format(code=code, status=t.STAFF_STATUS_NAMES[status.value])
        assert f"Aduan {code} sudah berstatus baru, jadi tidak diubah." in reply
        return
    assert reply == (
        f"Aduan {code} {UNCHANGED_READS[status]}, jadi tidak diubah. Ketik TIKET utk daftar aduan terbuka."
    )
    assert "sudah sedang" not in reply
    assert ticket(engine, code).status == status


def test_the_selesai_notice_asks_if_it_is_really_fixed_in_one_sms() -> None:
    note = t.TICKET_NOTE.format(note="x" * 49 + ".")  # the longest note lifecycle keeps
    text = t.TICKET_NOTICES["selesai"].format(code="482913", note=note)
    assert "Apakah sudah benar-benar beres?" in text
    assert analyse(text).encoding == Encoding.GSM7
    assert analyse(text).segments == 1, len(text)


def test_naming_the_head_and_asking_anonymity_keeps_the_report_from_him_end_to_end(
    engine: Engine, client: TestClient, kades: Phone, bpd: Phone
) -> None:
    # Issue 11, item 6: "pak mau lapor soal kades, tp jgn sebut nama sy" made a ticket the head
    # could read by LIHAT. Now it is about the head and anonymous, in one message or two.
    resident = Phone(client, NEW)
    first = resident.say("mau lapor kades tapi rahasiakan nama saya")
    code = re.search(r"\b(\d{6})\b", first) or re.search(
        r"\b(\d{6})\b", resident.say("dia minta uang 500rb buat tanda tangan surat tanah")
    )
    assert code
    made = ticket(engine, code.group(1))
    assert (made.about_head, made.anonymous) == (True, True)
    assert kades.say(f"LIHAT {code.group(1)}") == unknown(code.group(1))
    assert bpd.say(f"LIHAT {code.group(1)}").startswith(f"Aduan {code.group(1)}")
