"""One complaint's whole life through the console channel, as a village would live it: two residents
report the same broken lamp, the deadline passes and the head is told, the cadre verifies by SMS, the
operator merges the duplicate, the cadre works and closes it, the reporter says it is not fixed and it
reopens with a new deadline, the head is told again when that one passes, and the reporter confirms the
second fix. The clock is set by the test; escalation runs as the scheduler leader's chore does.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from bot.db import transaction
from bot.providers.registry import configured_channels
from bot.scheduling import chores
from models import AuditEntry, Outbox, OutboxSource, Staff, Ticket, TicketStatus
from models import texts as t
from tests.apiclient import Api
from tests.factories import quick_pin_hash

VILLAGE = "+62800000001"
SLAMET, SRI = "+6281234500001", "+6281234500002"
KADER, KADES = "+6281300000002", "+6281300000003"
PIN = "1234"


def text(api: Api, sender: str, message: str) -> str:
    response = api.client.post("/webhooks/console", json={"from": sender, "to": VILLAGE, "text": message})
    assert response.status_code == 200, response.text
    replies: list[str] = response.json()["replies"]
    assert len(replies) == 1, replies
    return replies[0]


def notices(api: Api, phone: str) -> list[str]:
    with Session(api.engine) as session:
        rows = session.exec(
            select(Outbox.body)
            .where(Outbox.recipient == phone, Outbox.source == OutboxSource.TICKET_NOTICE)
            .order_by(col(Outbox.id))
        ).all()
    return list(rows)


def escalate(api: Api, at: datetime) -> int:
    """What the scheduler leader's escalation chore does at `at`."""
    [chore] = [c for c in chores(configured_channels(api.settings)) if c.name.startswith("escalate")]
    with transaction(api.engine) as session:
        return chore.run(session, at)


def the_ticket(api: Api, code: str) -> Ticket:
    with Session(api.engine) as session:
        return session.exec(select(Ticket).where(Ticket.code == code)).one()


def test_a_complaint_from_report_to_confirmed_fix(api: Api) -> None:
    with transaction(api.engine) as session:
        kader = session.exec(select(Staff).where(Staff.phone == KADER)).one()
        kader.pin_hash = quick_pin_hash(PIN)

    # Wednesday 10.00 WIB: two residents report the same lamp.
    first = text(api, SLAMET, "lampu jalan di RT 3 mati sdh seminggu")
    code = first.split("kode ")[1][:6]
    second = text(api, SRI, "lampu jln RT 3 mati, gelap bgt kalau malam")
    duplicate = second.split("kode ")[1][:6]
    assert code != duplicate

    # Nobody verified it by Monday night: the head is told on Tuesday morning, once.
    assert escalate(api, datetime(2026, 12, 7, 20, 0, tzinfo=UTC)) == 0  # 03.00 WIB: quiet hours
    assert escalate(api, datetime(2026, 12, 8, 1, 0, tzinfo=UTC)) == 2  # 08.00 WIB: both tickets
    assert escalate(api, datetime(2026, 12, 8, 2, 0, tzinfo=UTC)) == 0
    assert notices(api, KADES)[0].startswith(
        f"Aduan {code} (Infrastruktur, RT 3) lewat batas waktu verifikasi"
    )

    # The cadre verifies by SMS; the reporter hears of it.
    api.clock.now = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
    assert text(api, KADER, f"VERIF {code} {PIN} sudah dicek").startswith(f"Aduan {code} kini")
    assert notices(api, SLAMET)[-1].startswith(f"Aduan {code} sudah diverifikasi petugas desa")

    # The operator merges the duplicate: its reporter now follows the surviving ticket.
    merged = api.ok("POST", f"/tickets/{duplicate}/merge", "operator", {"into": code})
    assert (merged["status"], merged["merged_into"]) == ("duplikat", code)
    assert notices(api, SRI)[-1] == t.TICKET_MERGED.format(old=duplicate, code=code)

    # Work, then done: both reporters are told and asked whether it is really fixed.
    assert " kini " in text(api, KADER, f"PROSES {code} {PIN} tukang datang Kamis")
    assert " kini " in text(api, KADER, f"SELESAI {code} {PIN} lampu sudah diganti")
    for phone in (SLAMET, SRI):
        assert "selesai" in notices(api, phone)[-1].lower()
    assert the_ticket(api, code).status == TicketStatus.SELESAI

    # "2": not fixed. It reopens, with a new action deadline counted from today.
    assert text(api, SLAMET, "2") == t.TICKET_REOPENED.format(code=code)
    reopened = the_ticket(api, code)
    assert reopened.status == TicketStatus.DIPROSES
    assert reopened.act_due_at is not None
    assert reopened.act_due_at > api.clock.now + timedelta(days=4)

    # That deadline passes too: the head is told again, once, in the morning after.
    morning_after = reopened.act_due_at + timedelta(hours=8)
    assert escalate(api, morning_after) == 1
    assert escalate(api, morning_after + timedelta(hours=1)) == 0
    assert notices(api, KADES)[-1].startswith(
        f"Aduan {code} (Infrastruktur, RT 3) lewat batas waktu penanganan"
    )

    # Fixed again, and this time the reporter confirms.
    api.clock.now = morning_after + timedelta(hours=1)
    assert " kini " in text(api, KADER, f"SELESAI {code} {PIN} kabel diganti baru")
    assert text(api, SLAMET, "1") == t.TICKET_CONFIRMED.format(code=code)

    # The history tells all of it, in order; the audit log says who did what, from where.
    detail: dict[str, Any] = api.ok("GET", f"/tickets/{code}", "kades")
    moves = [(e["from_status"], e["to_status"]) for e in detail["events"] if e["kind"] == "status_changed"]
    assert moves == [
        ("baru", "diverifikasi"),
        ("diverifikasi", "diproses"),
        ("diproses", "selesai"),
        ("selesai", "diproses"),
        ("diproses", "selesai"),
    ]
    kinds = [e["kind"] for e in detail["events"]]
    assert kinds.count("escalated") == 2
    assert "merged" in kinds
    assert detail["duplicates"] == [duplicate]
    with Session(api.engine) as session:
        actions = session.exec(
            select(AuditEntry.action, AuditEntry.channel).where(AuditEntry.target == f"ticket:{code}")
        ).all()
    assert ("ticket.status", "console") in actions
    assert ("ticket.merge", "api") not in actions  # recorded on the duplicate
    with Session(api.engine) as session:
        on_duplicate = session.exec(
            select(AuditEntry.action, AuditEntry.channel).where(AuditEntry.target == f"ticket:{duplicate}")
        ).all()
    assert ("ticket.merge", "api") in on_duplicate
