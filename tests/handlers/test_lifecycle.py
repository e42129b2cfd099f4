"""A ticket's life end to end through the console channel: deadlines, notices, confirm or reopen,
duplicates merged, and escalation by a clock set in the test."""

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot.db import transaction
from bot.scheduling import SchedulingService
from broadcasts import digest
from broadcasts.fanout import VillageRoutes
from broadcasts.sms import Encoding, analyse
from handlers import lifecycle, workdays
from handlers.lifecycle import Actor
from models import Channel, Outbox, Role, Staff, Ticket, TicketEvent, TicketEventKind, TicketStatus, Village
from models import texts as t
from models.errors import Conflict
from tests import factories
from tests.conftest import Clock, make_settings

say = factories.say

KADER = Actor("staff:1", Role.KADER)
TICKET_NOTICE_STATUSES = frozenset(t.TICKET_NOTICES)
ROUTES = VillageRoutes(village_id=1, addresses={Channel.CONSOLE: "+62800000001"}, available={Channel.CONSOLE})
SLAMET, SRI = "+6281234500001", "+6281234500002"
KADES_PHONE, BPD_PHONE = "+6281300000003", "+6281300000004"


def ticket(engine: Engine, code: str | None = None) -> Ticket:
    with Session(engine) as session:
        query = select(Ticket).order_by(col(Ticket.id).desc())
        if code:
            query = query.where(Ticket.code == code)
        return session.exec(query).first()  # type: ignore[return-value]


def notices_to(engine: Engine, phone: str) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(Outbox.body)
            .where(Outbox.recipient == phone, Outbox.source == "ticket_notice")
            .order_by(col(Outbox.id))
        ).all()
    return list(rows)


def change(engine: Engine, code: str, to: TicketStatus, now: datetime, note: str | None = None) -> None:
    with transaction(engine) as session:
        stored = session.exec(select(Ticket).where(Ticket.code == code)).one()
        lifecycle.change_status(
            session=session, ticket=stored, to=to, actor=KADER, now=now, routes=ROUTES, public_note=note
        )


def test_working_days_skip_weekends_and_holidays() -> None:
    wednesday = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # Wednesday 10.00 WIB
    assert workdays.due(wednesday, 3, "Asia/Jakarta") == datetime(
        2026, 12, 7, 16, 59, 59, tzinfo=UTC
    )  # Monday 23:59 WIB
    holidays = {datetime(2026, 12, 4).date()}
    assert workdays.due(wednesday, 3, "Asia/Jakarta", holidays).date() == datetime(2026, 12, 8).date()
    assert workdays.due(wednesday, 8, "Asia/Makassar") == datetime(2026, 12, 14, 15, 59, 59, tzinfo=UTC)


def test_full_lifecycle_with_notices_and_a_reopen(client: TestClient, engine: Engine, clock: Clock) -> None:
    code = say(client, SLAMET, "lampu jalan di RT 2 dusun Krajan mati sdh seminggu").split("kode ")[1][:6]
    created = ticket(engine, code)
    assert created.verify_due_at == datetime(2026, 12, 7, 16, 59, 59, tzinfo=UTC)
    assert created.act_due_at == datetime(2026, 12, 14, 16, 59, 59, tzinfo=UTC)

    change(engine, code, TicketStatus.DIVERIFIKASI, clock.now, note="Petugas cek lokasi Jumat")
    change(engine, code, TicketStatus.DIPROSES, clock.now)
    change(engine, code, TicketStatus.SELESAI, clock.now, note="Lampu diganti")
    assert notices_to(engine, SLAMET) == [
        f"Aduan {code} sudah diverifikasi petugas desa dan akan ditindaklanjuti. "
        f"Catatan: Petugas cek lokasi Jumat. Ketik CEK {code} utk status.",
        f"Aduan {code} sedang dikerjakan. Ketik CEK {code} utk status.",
        t.TICKET_NOTICES["selesai"].format(code=code, note=" Catatan: Lampu diganti."),
    ]
    assert "dibuka kembali" in say(client, SLAMET, "2")
    assert ticket(engine, code).status == TicketStatus.DIPROSES
    change(engine, code, TicketStatus.SELESAI, clock.now)
    assert "ditutup" in say(client, SLAMET, "sdh beres")
    assert ticket(engine, code).status == TicketStatus.SELESAI
    with Session(engine) as session:
        history = session.exec(
            select(TicketEvent.kind).where(TicketEvent.ticket_id == created.id).order_by(col(TicketEvent.id))
        ).all()
    assert list(history) == [
        "created",
        "status_changed",
        "public_note",
        "status_changed",
        "status_changed",
        "public_note",
        "status_changed",
        "status_changed",
        "public_note",
    ]


def test_answers_after_14_days_do_not_reopen(client: TestClient, engine: Engine, clock: Clock) -> None:
    code = say(client, SLAMET, "got depan masjid mampet").split("kode ")[1][:6]
    change(engine, code, TicketStatus.SELESAI, clock.now)
    clock.advance(days=15)
    assert "dibuka kembali" not in say(client, SLAMET, "2")
    assert ticket(engine, code).status == TicketStatus.SELESAI


def test_closed_tickets_only_reopen(client: TestClient, engine: Engine, clock: Clock) -> None:
    code = say(client, SLAMET, "sampah numpuk di kali").split("kode ")[1][:6]
    change(engine, code, TicketStatus.DITOLAK, clock.now, note="Bukan laporan masalah")
    with pytest.raises(Conflict, match="reopened"):
        change(engine, code, TicketStatus.SELESAI, clock.now)
    change(engine, code, TicketStatus.DIPROSES, clock.now)


def merged_bridge_reports(client: TestClient, engine: Engine, clock: Clock) -> tuple[str, str]:
    """Pak Slamet's and Bu Sri's reports of one broken bridge, Sri's merged into Slamet's: both codes."""
    first = say(client, SLAMET, "jembatan bambu di Cibodas patah").split("kode ")[1][:6]
    second = say(client, SRI, "jembatan Cibodas putus, anak2 tdk bisa sekolah").split("kode ")[1][:6]
    with transaction(engine) as session:
        survivor = session.exec(select(Ticket).where(Ticket.code == first)).one()
        duplicate = session.exec(select(Ticket).where(Ticket.code == second)).one()
        lifecycle.merge(
            session=session, duplicate=duplicate, into=survivor, actor=KADER, now=clock.now, routes=ROUTES
        )
    return first, second


def test_duplicates_merge_and_every_reporter_follows_the_survivor(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    first, second = merged_bridge_reports(client, engine, clock)
    assert notices_to(engine, SRI) == [
        f"Aduan {second} digabung dgn aduan {first} (masalah yg sama). Ketik CEK {first} utk status."
    ]
    change(engine, first, TicketStatus.DIPROSES, clock.now)
    assert notices_to(engine, SLAMET)[-1].startswith(f"Aduan {first} sedang dikerjakan")
    assert notices_to(engine, SRI)[-1].startswith(f"Aduan {first} sedang dikerjakan")
    assert ticket(engine, second).status == TicketStatus.DUPLIKAT


def test_overdue_tickets_go_to_the_head_or_to_the_bpd(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    plain = say(client, SLAMET, "jalan RT 3 berlubang besar").split("kode ")[1][:6]
    about_head = say(client, SRI, "pak kades tdk pernah ada di kantor, pelayanan terbengkalai").split(
        "kode "
    )[1][:6]
    assert ticket(engine, about_head).about_head
    with transaction(engine) as session:
        assert lifecycle.escalate_overdue(session=session, now=clock.now, routes_for=lambda _: ROUTES) == 0
    clock.now = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # Tuesday: the verify deadline (Monday night) passed
    with transaction(engine) as session:
        assert lifecycle.escalate_overdue(session=session, now=clock.now, routes_for=lambda _: ROUTES) == 2
    with transaction(engine) as session:  # told once, not again
        assert (
            lifecycle.escalate_overdue(
                session=session, now=clock.now + timedelta(days=1), routes_for=lambda _: ROUTES
            )
            == 0
        )
    to_head = notices_to(engine, KADES_PHONE)
    to_bpd = notices_to(engine, BPD_PHONE)
    assert [n.split()[1] for n in to_head] == [plain]  # never the complaint about himself
    assert [n.split()[1] for n in to_bpd] == [about_head]
    assert (
        to_head[0]
        == f"Aduan {plain} (Infrastruktur, RT 3) lewat batas waktu verifikasi. Mohon ditindaklanjuti."
    )


def test_holidays_move_the_deadline(client: TestClient, engine: Engine) -> None:
    with transaction(engine) as session:
        session.execute(update(Village).values(holidays=["2026-12-04", "bukan tanggal"]))
    client.app.state.inbound.directory.forget()  # type: ignore[attr-defined]
    code = say(client, SLAMET, "air PAMSIMAS mati").split("kode ")[1][:6]
    assert ticket(engine, code).verify_due_at == datetime(2026, 12, 8, 16, 59, 59, tzinfo=UTC)


def escalate(engine: Engine, now: datetime) -> int:
    with transaction(engine) as session:
        return lifecycle.escalate_overdue(session=session, now=now, routes_for=lambda _: ROUTES)


def test_an_escalation_waits_out_the_night_and_comes_again_for_the_next_deadline(
    client: TestClient, engine: Engine
) -> None:
    code = say(client, SLAMET, "jalan RT 3 berlubang besar").split("kode ")[1][:6]
    verify_due = ticket(engine, code).verify_due_at
    assert verify_due == datetime(2026, 12, 7, 16, 59, 59, tzinfo=UTC)  # Monday 23:59:59 WIB
    assert escalate(engine, verify_due + timedelta(minutes=5)) == 0  # 00:04 WIB: quiet hours
    assert escalate(engine, datetime(2026, 12, 7, 22, 55, tzinfo=UTC)) == 0  # 05:55 WIB
    assert escalate(engine, datetime(2026, 12, 7, 23, 0, tzinfo=UTC)) == 1  # 06:00 WIB: the morning
    assert escalate(engine, datetime(2026, 12, 8, 3, 0, tzinfo=UTC)) == 0  # once per deadline
    change(engine, code, TicketStatus.DIVERIFIKASI, datetime(2026, 12, 8, 3, 0, tzinfo=UTC))
    act_due = ticket(engine, code).act_due_at
    assert act_due is not None
    assert escalate(engine, act_due - timedelta(hours=1)) == 0
    change(engine, code, TicketStatus.DIPROSES, act_due - timedelta(minutes=30))  # same deadline
    assert escalate(engine, act_due + timedelta(hours=8)) == 1  # the action deadline, in the morning
    assert escalate(engine, act_due + timedelta(days=1, hours=8)) == 0
    assert len(notices_to(engine, KADES_PHONE)) == 2


def test_a_reopened_ticket_gets_a_new_action_deadline(client: TestClient, engine: Engine) -> None:
    code = say(client, SLAMET, "jalan RT 3 berlubang besar").split("kode ")[1][:6]
    old = ticket(engine, code).act_due_at
    assert old is not None
    closed = old + timedelta(days=2)
    change(engine, code, TicketStatus.SELESAI, closed)
    reopened = closed + timedelta(days=1)
    with transaction(engine) as session:
        stored = session.exec(select(Ticket).where(Ticket.code == code)).one()
        lifecycle.confirm_fix(session=session, ticket=stored, fixed=False, now=reopened)
    again = ticket(engine, code)
    assert again.status == TicketStatus.DIPROSES
    assert again.act_due_at is not None
    assert again.act_due_at > reopened + timedelta(days=4)  # five working days from the reopening
    assert again.escalated_at is None


def test_the_scheduler_leader_escalates_overdue_tickets(
    client: TestClient, engine: Engine, db_url: str
) -> None:
    code = say(client, SLAMET, "jalan RT 3 berlubang besar").split("kode ")[1][:6]
    morning = Clock(datetime(2026, 12, 8, 1, 0, tzinfo=UTC))  # Tuesday 08:00 WIB, the deadline passed
    service = SchedulingService(engine, make_settings(db_url, scheduler_chores=True), clock=morning)
    service.scheduler.start()  # its chores run once at start, then every few minutes
    try:
        for _ in range(200):
            if ticket(engine, code).escalated_at is not None:
                break
            threading.Event().wait(0.05)
    finally:
        service.scheduler.stop()
    assert ticket(engine, code).escalated_at == morning.now
    assert [n.split()[1] for n in notices_to(engine, KADES_PHONE)] == [code]


# --- escalation reaches someone, or waits -------------------------------------------------------------

KADES_TOO = "+6281300000009"


def overdue_ticket(client: TestClient, engine: Engine) -> str:
    """A complaint whose verification deadline (Monday night) has passed by Tuesday morning."""
    return say(client, SLAMET, "jalan RT 3 berlubang besar").split("kode ")[1][:6]


TUESDAY = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # 08:00 WIB, the verify deadline passed


def escalations(engine: Engine, code: str) -> list[str | None]:
    with Session(engine) as session:
        stored = session.exec(select(Ticket).where(Ticket.code == code)).one()
        return list(
            session.exec(
                select(TicketEvent.note).where(
                    TicketEvent.ticket_id == stored.id, TicketEvent.kind == TicketEventKind.ESCALATED
                )
            ).all()
        )


def phoneless_head(engine: Engine) -> None:
    """The demo head as `kentongan token create` makes one: no phone, so no contact."""
    with transaction(engine) as session:
        session.execute(
            update(Staff).where(col(Staff.role) == Role.KADES).values(phone=None, contact_id=None)
        )


def test_an_escalation_nobody_can_receive_is_not_recorded_and_is_tried_again(
    client: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    code = overdue_ticket(client, engine)
    phoneless_head(engine)
    with caplog.at_level(logging.WARNING, logger="kentongan.lifecycle"):
        assert escalate(engine, TUESDAY) == 0
    assert ticket(engine, code).escalated_at is None
    assert escalations(engine, code) == []
    [warning] = [r.getMessage() for r in caplog.records if r.name == "kentongan.lifecycle"]
    assert code in warning
    assert "kades" in warning
    assert "+62" not in warning
    assert "Darmawan" not in warning
    # A phone is set: the next check tells the head, once.
    with transaction(engine) as session:
        session.execute(update(Staff).where(col(Staff.role) == Role.KADES).values(phone=KADES_PHONE))
    assert escalate(engine, TUESDAY + timedelta(minutes=5)) == 1
    assert ticket(engine, code).escalated_at == TUESDAY + timedelta(minutes=5)
    assert escalations(engine, code) == ["lewat batas verifikasi; ke kades"]
    assert escalate(engine, TUESDAY + timedelta(minutes=10)) == 0
    assert [n.split()[1] for n in notices_to(engine, KADES_PHONE)] == [code]


def test_an_escalation_skips_an_unreachable_head_and_tells_every_reachable_one(
    client: TestClient, engine: Engine
) -> None:
    code = overdue_ticket(client, engine)
    phoneless_head(engine)  # the oldest head row: never reached, but not in the way
    with transaction(engine) as session:
        village_id = session.exec(select(Village.id).where(Village.code == "DEMO")).one()
        session.add(Staff(village_id=village_id, name="Kades baru", role=Role.KADES, phone=KADES_TOO))
        session.add(Staff(village_id=village_id, name="Kades lama", role=Role.KADES, phone="+6281300000008"))
        session.flush()
        session.execute(update(Staff).where(Staff.name == "Kades lama").values(active=False))
    assert escalate(engine, TUESDAY) == 1
    assert [n.split()[1] for n in notices_to(engine, KADES_TOO)] == [code]
    assert notices_to(engine, "+6281300000008") == []  # not active
    # Two reachable heads: both are told (the digests go to both too).
    with transaction(engine) as session:
        session.execute(
            update(Staff)
            .where(col(Staff.role) == Role.KADES, Staff.name != "Kades lama")
            .values(phone=KADES_PHONE)
        )
        session.execute(update(Staff).where(Staff.name == "Kades baru").values(phone=KADES_TOO))
    other = say(client, SRI, "got di RT 4 mampet").split("kode ")[1][:6]
    assert escalate(engine, datetime(2026, 12, 9, 1, 0, tzinfo=UTC)) == 2
    assert notices_to(engine, KADES_PHONE)[-1].split()[1] == other
    assert notices_to(engine, KADES_TOO)[-1].split()[1] == other
    with Session(engine) as session:
        heads = digest.holders(session=session, village_id=village_id, roles=(Role.KADES,))
        assert [h.name for h in heads] == [
            h.name for h in digest.recipients(session=session, village_id=village_id) if h.role == Role.KADES
        ]
        assert "Kades lama" not in [h.name for h in heads]


# --- CEK after a reopen ---------------------------------------------------------------------------------


def test_check_after_a_reopen_does_not_show_the_closing_note(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    code = say(client, SLAMET, "lampu jalan RT 2 dusun Krajan mati").split("kode ")[1][:6]
    change(engine, code, TicketStatus.SELESAI, clock.now, note="lampu sudah diganti")
    assert say(client, SLAMET, f"CEK {code}").endswith("Catatan: lampu sudah diganti.")
    clock.advance(hours=1)
    say(client, SLAMET, "2")
    assert say(client, SLAMET, f"CEK {code}") == f"Aduan {code} (Infrastruktur): sedang diproses."
    # A note after the reopening is shown again.
    clock.advance(hours=1)
    with transaction(engine) as session:
        stored = session.exec(select(Ticket).where(Ticket.code == code)).one()
        lifecycle.add_note(
            session=session,
            ticket=stored,
            text="tukang datang besok",
            public=True,
            actor=KADER,
            now=clock.now,
            routes=ROUTES,
        )
    assert say(client, SLAMET, f"CEK {code}").endswith("Catatan: tukang datang besok.")
    # Staff close and reopen it themselves, with a note: that note is the one shown.
    clock.advance(hours=1)
    change(engine, code, TicketStatus.SELESAI, clock.now, note="sudah diperbaiki")
    change(engine, code, TicketStatus.DIPROSES, clock.now, note="dicek ulang Senin")
    assert say(client, SLAMET, f"CEK {code}").endswith("Catatan: dicek ulang Senin.")
    # Reopened at the same moment it was closed, without a note: nothing is shown.
    change(engine, code, TicketStatus.SELESAI, clock.now, note="beres total")
    change(engine, code, TicketStatus.DIPROSES, clock.now)
    assert say(client, SLAMET, f"CEK {code}") == f"Aduan {code} (Infrastruktur): sedang diproses."


def test_notes_with_emoji_stay_gsm7_and_whole_within_two_sms(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    code = say(client, SLAMET, "lampu jalan RT 2 dusun Krajan mati").split("kode ")[1][:6]
    note = "Lampu sudah diganti \U0001f44d\U0001f60a, terima kasih atas laporannya \u2014 Bu Siti"
    change(engine, code, TicketStatus.SELESAI, clock.now, note=note)
    [sent] = notices_to(engine, SLAMET)
    assert "Catatan: Lampu sudah diganti, terima kasih atas laporannya - Bu Siti." in sent
    assert analyse(sent).encoding == Encoding.GSM7
    # A longer note than the API accepts (by text command) is cut, never more than two parts.
    long = "kabel diganti baru dan tiang dicat ulang " * 10
    change(engine, code, TicketStatus.DIPROSES, clock.now, note=long)
    cut = notices_to(engine, SLAMET)[-1]
    assert "..." in cut
    assert analyse(cut).segments <= lifecycle.NOTICE_SEGMENTS
    assert lifecycle.public_note_units(note) < lifecycle.PUBLIC_NOTE_MAX


@pytest.mark.parametrize("status", sorted(TICKET_NOTICE_STATUSES))
def test_every_notice_carries_the_longest_note_within_two_gsm7_sms(status: str) -> None:
    for filler in ("x", "[", "x["):  # escape pairs never split between parts
        note = (filler * lifecycle.PUBLIC_NOTE_MAX)[: lifecycle.PUBLIC_NOTE_MAX]
        while lifecycle.public_note_units(note) > lifecycle.PUBLIC_NOTE_MAX:
            note = note[:-1]
        text = lifecycle._with_note(t.TICKET_NOTICES[status], "482913", note)
        assert note in text
        assert analyse(text).segments <= lifecycle.NOTICE_SEGMENTS
        assert analyse(text).encoding == Encoding.GSM7


@pytest.mark.parametrize(
    ("note", "room", "expect"),
    [
        # QA: "... kabelnya putus dimak..." in a CEK answer.
        ("Tiang diganti tapi kabelnya putus dimakan tikus", 40, "Tiang diganti tapi kabelnya putus..."),
        ("Sudah dicek, tukang datang Senin pagi", 24, "Sudah dicek, tukang..."),
        ("Sudah dicek, tukang datang Senin pagi", 18, "Sudah dicek..."),  # no comma before "..."
        ("y" * 200, 40, "y" * 37 + "..."),  # one long word: cut inside it, still within room
        ("Lampu diganti", 40, "Lampu diganti."),
    ],
)
def test_a_long_note_is_cut_after_a_whole_word(note: str, room: int, expect: str) -> None:
    assert lifecycle.fit_note(note, room) == expect
    assert len(expect) <= room


def test_a_reporter_who_reopens_a_merged_ticket_tells_the_other_reporters(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    # QA: B merged into A, A selesai; Slamet answers 1 ("ditutup"), then Sri answers 2 and A reopens
    # without a word to Slamet.
    first, _ = merged_bridge_reports(client, engine, clock)
    change(engine, first, TicketStatus.SELESAI, clock.now, note="Jembatan sudah diganti")
    assert "ditutup" in say(client, SLAMET, "1")
    told_before = len(notices_to(engine, SLAMET))
    reply = say(client, SRI, "2")
    assert "dibuka kembali" in reply
    assert f"Ketik CEK {first} utk status." in reply
    assert ticket(engine, first).status == TicketStatus.DIPROSES
    assert notices_to(engine, SLAMET)[told_before:] == [t.TICKET_REOPENED_BY_OTHER.format(code=first)]
    assert notices_to(engine, SRI)[-1].startswith(f"Aduan {first} dinyatakan selesai")  # not told twice


def test_a_reopening_by_one_reporter_answers_the_question_for_the_others(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    first, _ = merged_bridge_reports(client, engine, clock)
    change(engine, first, TicketStatus.SELESAI, clock.now)
    say(client, SRI, "belum, masih goyang")
    assert notices_to(engine, SLAMET)[-1] == t.TICKET_REOPENED_BY_OTHER.format(code=first)
    # Slamet's "1" now is no answer to a question he was no longer asked: it closes nothing.
    assert "ditutup" not in say(client, SLAMET, "1")
    assert ticket(engine, first).status == TicketStatus.DIPROSES


def test_a_follow_up_on_an_open_report_is_a_nudge_not_a_new_ticket(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    # Issue 11, item 8: "sdh lapor 2 minggu blm ada tindakan" from a number with an open ticket made a
    # new ticket. It is answered with that report's status and recorded on it for staff; only a new
    # problem makes a new ticket.
    sender = "+6285711112222"
    first = say(client, sender, "lampu jalan di RT 3 dusun Krajan mati sudah seminggu")
    made = ticket(engine)
    assert made.code in first
    clock.advance(days=14)
    again = say(client, sender, "sdh lapor 2 minggu blm ada tindakan")
    assert again.startswith(f"Aduan {made.code}")
    assert again.endswith(t.NUDGE_SUFFIX)
    assert analyse(again).segments == 1
    same_thing = say(client, sender, "lampu jalan masih mati, padahal sudah lapor")
    assert same_thing.startswith(f"Aduan {made.code}")
    with Session(engine) as session:
        assert len(session.exec(select(Ticket).where(Ticket.reporter_id == made.reporter_id)).all()) == 1
        nudges = session.exec(
            select(TicketEvent).where(
                TicketEvent.ticket_id == made.id, TicketEvent.kind == TicketEventKind.NUDGED
            )
        ).all()
    assert [n.note for n in nudges] == [
        "sdh lapor 2 minggu blm ada tindakan",
        "lampu jalan masih mati, padahal sudah lapor",
    ]
    # A new problem, even from someone who says they reported before, is a ticket of its own.
    other = say(client, sender, "sudah lapor juga, skrg ada pohon tumbang nutup jalan desa")
    assert ticket(engine).code in other
    assert ticket(engine).id != made.id
