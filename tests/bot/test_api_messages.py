"""/api/v1/messages over real SQLite and PostgreSQL: the cadre and the operator read the message log,
with the ticket visibility rules of handlers/rights.py (about the head: left out; anonymous: masked)."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert
from sqlmodel import Session, col, select

from bot.db import transaction
from handlers import tickets
from models import (
    RANK,
    Channel,
    Contact,
    ContactIdentity,
    DeliveryStatus,
    Direction,
    FailureReason,
    Lane,
    Message,
    Outbox,
    OutboxSource,
    Village,
)
from tests import factories
from tests.apiclient import Api
from tests.conftest import T0

PRINCIPALS = ["none", "bad", "kader", "kades", "bpd", "operator", "other", "operator@LAIN"]
SLAMET, SRI, AGUS, YATI = "+6281234500001", "+6281234500002", "+6285712300003", "+6287812300004"
VILLAGE_NUMBER = "+62800000001"


@dataclass(frozen=True)
class Log:
    ids: dict[str, int]  # message name -> id
    codes: dict[str, str]  # ticket name -> tracking code
    contacts: dict[str, int]  # phone -> contact id


def seed_log(api: Api) -> Log:
    """Messages in DEMO, a minute apart: m1 (no ticket), m2 (anonymous complaint), m3 (about the head),
    m4 (a plain complaint), m5 (the anonymous reporter again, no ticket), m6 (an answer sent to the
    anonymous reporter); and m7 in LAIN."""
    ids, codes, contacts = {}, {}, {}
    with transaction(api.engine) as session:
        demo = session.exec(select(Village).where(Village.code == "DEMO")).one()
        lain = session.exec(select(Village).where(Village.code == "LAIN")).one()
        assert demo.id is not None
        assert lain.id is not None
        for phone in (SLAMET, SRI, AGUS, YATI, "+6281200000099"):
            identity = session.exec(select(ContactIdentity).where(ContactIdentity.value == phone)).one()
            contacts[phone] = identity.contact_id
        for name, reporter, anonymous, about_head in (
            ("anon", SRI, True, False),
            ("head", AGUS, False, True),
            ("plain", YATI, False, False),
        ):
            ticket_id, codes[name] = tickets.create(
                session=session,
                village_id=demo.id,
                reporter_id=contacts[reporter],
                text=f"aduan {name}",
                category=None,
                now=T0,
                channel="console",
                anonymous=anonymous,
                about_head=about_head,
            )
            ids[f"ticket:{name}"] = ticket_id
        rows: list[tuple[str, int, Direction, str, str, str, str | None]] = [
            ("m1", demo.id, Direction.IN, SLAMET, VILLAGE_NUMBER, "MENU", None),
            (
                "m2",
                demo.id,
                Direction.IN,
                SRI,
                VILLAGE_NUMBER,
                "jalan rusak di dpn rumah, hp 0812-3333-4444",
                "anon",
            ),
            ("m3", demo.id, Direction.IN, AGUS, VILLAGE_NUMBER, "kades pungli", "head"),
            ("m4", demo.id, Direction.IN, YATI, VILLAGE_NUMBER, "lampu jalan mati", "plain"),
            ("m5", demo.id, Direction.IN, SRI, VILLAGE_NUMBER, "JADWAL", None),
            ("m6", demo.id, Direction.OUT, VILLAGE_NUMBER, SRI, "Aduan Anda diproses", "anon"),
            ("m7", lain.id, Direction.IN, "+6281200000099", "+62800000002", "MENU", None),
        ]
        for i, (name, village_id, direction, sender, recipient, body, ticket) in enumerate(rows):
            resident = sender if direction == Direction.IN else recipient
            message = Message(
                village_id=village_id,
                contact_id=contacts[resident],
                direction=direction,
                channel=Channel.CONSOLE,
                provider_id=f"p-{name}",
                sender=sender,
                recipient=recipient,
                body=body,
                ticket_id=ids[f"ticket:{ticket}"] if ticket else None,
                reply="Balasan satu\fBalasan dua" if name == "m1" else None,
                created_at=T0 + timedelta(minutes=i),
            )
            session.add(message)
            session.flush()
            assert message.id is not None
            ids[name] = message.id
    return Log(ids, codes, contacts)


def names(log: Log, answer: list[dict[str, Any]]) -> list[str]:
    by_id = {v: k for k, v in log.ids.items() if k.startswith("m")}
    return [by_id[m["id"]] for m in answer]


def test_who_may_read_the_log(api: Api) -> None:
    log = seed_log(api)
    answers = {who: api.call("GET", "/messages", who).status_code for who in PRINCIPALS}
    assert answers == {
        "none": 401,
        "bad": 401,
        "kader": 200,
        "kades": 403,
        "bpd": 403,
        "operator": 200,
        "other": 200,
        "operator@LAIN": 200,
    }
    assert api.call("GET", "/messages", "kades").json()["detail"] == (
        "role kades may not read the message log (allowed: kader, operator)"
    )
    assert names(log, api.ok("GET", "/messages", "other")) == ["m7"]
    assert names(log, api.ok("GET", "/messages", "operator@LAIN")) == ["m7"]
    assert api.call("GET", "/messages", "kader", params={"village": "LAIN"}).status_code == 404


def test_the_kader_reads_without_complaints_about_the_head_and_without_anonymous_reporters(api: Api) -> None:
    log = seed_log(api)
    answer = api.ok("GET", "/messages", "kader")
    assert names(log, answer) == ["m6", "m5", "m4", "m2", "m1"]  # newest first; m3 is about the head
    by_name = dict(zip(names(log, answer), answer, strict=True))
    m2, m6 = by_name["m2"], by_name["m6"]
    assert (m2["sender"], m2["contact_id"], m2["masked"]) == ("anonim", None, True)
    # The content is theirs to act on; a number typed in it would name the reporter through the contacts.
    assert m2["body"] == "jalan rusak di dpn rumah, hp [disembunyikan]"
    assert m2["ticket"] == log.codes["anon"]
    assert (m6["sender"], m6["recipient"], m6["contact_id"]) == (VILLAGE_NUMBER, "anonim", None)
    # Every message of an anonymous reporter is masked: "ADUAN ANONIM" before the detail, or a CEK
    # listing their codes, would give them away as well as the complaint itself.
    assert (by_name["m5"]["sender"], by_name["m5"]["masked"], by_name["m5"]["contact_id"]) == (
        "anonim",
        True,
        None,
    )
    m1 = by_name["m1"]
    assert (m1["replies"], m1["direction"], m1["channel"], m1["ticket"]) == (
        ["Balasan satu", "Balasan dua"],
        "in",
        "console",
        None,
    )
    assert "raw" not in m1


def test_the_operator_reads_everything(api: Api) -> None:
    log = seed_log(api)
    answer = api.ok("GET", "/messages", "operator")
    assert names(log, answer) == ["m6", "m5", "m4", "m3", "m2", "m1"]
    assert not any(m["masked"] for m in answer)
    by_name = dict(zip(names(log, answer), answer, strict=True))
    assert (by_name["m2"]["sender"], by_name["m2"]["contact_id"]) == (SRI, log.contacts[SRI])
    assert by_name["m3"]["ticket"] == log.codes["head"]


def test_filters(api: Api) -> None:
    log = seed_log(api)

    def query(who: str, **params: Any) -> list[str]:
        return names(log, api.ok("GET", "/messages", who, **params))

    assert query("kader", direction="out") == ["m6"]
    assert query("kader", direction="in", limit=2) == ["m5", "m4"]
    assert query("kader", limit=2, offset=2) == ["m4", "m2"]
    # Filtering by person is the operator's: for a cadre, whose messages are left out or masked would
    # tell who complained anonymously or about the head.
    response = api.call("GET", "/messages", "kader", params={"contact_id": log.contacts[SLAMET]})
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "only the operator may filter the message log by contact"},
    )
    assert query("operator", contact_id=log.contacts[SRI]) == ["m6", "m5", "m2"]
    assert query("kader", ticket=log.codes["anon"]) == ["m6", "m2"]
    assert query("kader", ticket=log.codes["head"]) == []
    assert query("operator", ticket=log.codes["head"]) == ["m3"]
    unused = next(code for code in ("000000", "000001") if code not in log.codes.values())
    assert query("operator", ticket=unused) == []
    since = (T0 + timedelta(minutes=1)).isoformat()
    until = (T0 + timedelta(minutes=4)).astimezone().isoformat()  # any offset
    assert query("kader", since=since, until=until) == ["m4", "m2"]
    assert query("kader", since="2026-12-02T10:04:00+07:00") == ["m6", "m5"]  # T0 is 10:00 WIB


@pytest.mark.parametrize(
    "params",
    [
        {"direction": "sideways"},
        {"contact_id": 0},
        {"contact_id": "abc"},
        {"contact_id": 2**40},
        {"ticket": "abc"},
        {"ticket": "1" * 13},
        {"since": "2026-12-02T10:00:00"},  # no offset: ambiguous
        {"since": "yesterday"},
        {"since": "2026-12-02T10:00:00+07:00", "until": "2026-12-02T09:00:00+07:00"},
        {"limit": 0},
        {"limit": 501},
        {"offset": -1},
    ],
)
def test_a_filter_that_cannot_be_used_is_422(api: Api, params: dict[str, Any]) -> None:
    response = api.call("GET", "/messages", "kader", params=params)
    assert response.status_code == 422, response.text


def test_a_filter_with_a_nul_character_is_400(api: Api) -> None:
    response = api.call("GET", "/messages", "kader", params={"village": "\x00"})
    assert response.status_code == 400, response.text


def test_a_message_just_received_is_in_the_log(api: Api) -> None:
    body = {"from": "0812 9999 0001", "to": VILLAGE_NUMBER, "text": "MENU", "id": "console-1"}
    replies = api.client.post("/webhooks/console", json=body).json()["replies"]
    [message] = api.ok("GET", "/messages", "kader", limit=1)
    assert (message["sender"], message["body"], message["replies"]) == ("+6281299990001", "MENU", replies)
    assert message["contact_id"] is not None
    with Session(api.engine) as session:
        stored = session.get(Message, message["id"])
        assert stored is not None
        assert stored.provider_id == "console-1"


def test_staff_text_commands_are_left_out_but_for_the_operator(api: Api) -> None:
    # The BPD's TIKET answer lists complaints about the head; a cadre must not read it here.
    for phone in ("+6281300000004", "+6281300000002"):
        response = api.client.post(
            "/webhooks/console", json={"from": phone, "to": VILLAGE_NUMBER, "text": "TIKET"}
        )
        assert response.status_code == 200
    assert all(m["intent"] != "staff" for m in api.ok("GET", "/messages", "kader"))
    staff = [m for m in api.ok("GET", "/messages", "operator") if m["intent"] == "staff"]
    assert len(staff) == 2


def test_the_messages_before_an_anonymous_report_do_not_give_it_away(api: Api) -> None:
    sender = "+6281299990002"
    for text in ("ADUAN ANONIM", "jalan rusak parah di dusun krajan", "CEK"):
        response = api.client.post(
            "/webhooks/console", json={"from": sender, "to": VILLAGE_NUMBER, "text": text}
        )
        assert response.status_code == 200
    mine = [m for m in api.ok("GET", "/messages", "kader") if sender in (m["sender"], m["recipient"])]
    assert mine == []
    masked = [m for m in api.ok("GET", "/messages", "kader") if m["masked"]]
    assert len(masked) >= 3
    # What came in reads "anonim" as its sender; the replies that went out, as their recipient.
    assert all(m["contact_id"] is None for m in masked)
    assert all(m["sender" if m["direction"] == "in" else "recipient"] == "anonim" for m in masked)
    assert {m["direction"] for m in masked} == {"in", "out"}
    assert len([m for m in api.ok("GET", "/messages", "operator") if m["sender"] == sender]) == 3
    assert len([m for m in api.ok("GET", "/messages", "operator") if m["recipient"] == sender]) >= 3


def test_nothing_of_someone_who_complained_about_the_head_reaches_the_cadre(api: Api) -> None:
    sender = "+6281299990001"
    for text in ("pak kades minta pungutan utk surat domisili", "CEK", "terima kasih"):
        api.client.post("/webhooks/console", json={"from": sender, "to": VILLAGE_NUMBER, "text": text})
    assert all(m["sender"] != sender for m in api.ok("GET", "/messages", "kader"))
    assert len([m for m in api.ok("GET", "/messages", "operator") if m["sender"] == sender]) == 3


def test_a_report_in_progress_is_private_before_its_ticket_exists(api: Api) -> None:
    sender = "+6281299990003"
    body = {"from": sender, "to": VILLAGE_NUMBER, "text": "ADUAN ANONIM"}
    assert api.client.post("/webhooks/console", json=body).status_code == 200
    log = api.ok("GET", "/messages", "kader")
    assert all(sender not in (m["sender"], m["recipient"]) for m in log)
    assert any(m["body"] == "ADUAN ANONIM" and m["sender"] == "anonim" for m in log)


# --- what went out (the outbox) ------------------------------------------------------------------

BPD_PHONE = "+6281300000004"


def outbound(
    village_id: int,
    contact_id: int,
    recipient: str,
    body: str,
    source: OutboxSource,
    at: timedelta,
    source_id: int | None = None,
    status: DeliveryStatus = DeliveryStatus.SENT,
    **extra: Any,
) -> Outbox:
    return Outbox(
        village_id=village_id,
        contact_id=contact_id,
        channel=Channel.TWILIO_SMS,
        sender=VILLAGE_NUMBER,
        recipient=recipient,
        body=body,
        lane=Lane.NOTICE,
        source=source,
        source_id=source_id,
        status=status,
        status_rank=RANK[status],
        created_at=T0 + at,
        **extra,
    )


def seed_outbox(api: Api, log: Log) -> dict[str, int]:
    """What went out around seed_log's messages: o1 the reply to m1 (at the same moment), o2 a notice
    about the anonymous complaint to its reporter, o3 a notice about the complaint about the head to its
    reporter, o4 a broadcast that failed, o5 a digest, o6 the BPD chair's escalation about the head, o7
    a broadcast in LAIN."""
    c = log.contacts
    with transaction(api.engine) as session:
        demo = session.exec(select(Village).where(Village.code == "DEMO")).one()
        lain = session.exec(select(Village).where(Village.code == "LAIN")).one()
        bpd = Contact(village_id=demo.id, name="Ibu Wulandari (Ketua BPD)")
        session.add(bpd)
        session.flush()
        assert bpd.id is not None
        assert demo.id is not None
        assert lain.id is not None
        d, minutes = demo.id, lambda m: timedelta(minutes=m)
        rows = {
            "o1": outbound(
                d, c[SLAMET], SLAMET, "Balasan satu", OutboxSource.REPLY, minutes(0), log.ids["m1"]
            ),
            "o2": outbound(
                d,
                c[SRI],
                SRI,
                "Aduan diverifikasi. Petugas: 0812-7777-8888",
                OutboxSource.TICKET_NOTICE,
                minutes(1.5),
                log.ids["ticket:anon"],
                DeliveryStatus.DELIVERED,
            ),
            "o3": outbound(
                d,
                c[AGUS],
                AGUS,
                "Aduan diteruskan ke BPD",
                OutboxSource.TICKET_NOTICE,
                minutes(2.5),
                log.ids["ticket:head"],
            ),
            "o4": outbound(
                d,
                c[YATI],
                YATI,
                "Kerja bakti Minggu pagi",
                OutboxSource.BROADCAST,
                minutes(7),
                status=DeliveryStatus.FAILED,
                run_id=1,
                error_code="30003",
                failure_reason=FailureReason.UNDELIVERABLE,
            ),
            "o5": outbound(
                d, c[SLAMET], SLAMET, "Ringkasan: 3 aduan baru", OutboxSource.DIGEST, minutes(8), 1
            ),
            "o6": outbound(
                d,
                bpd.id,
                BPD_PHONE,
                "Aduan belum diverifikasi",
                OutboxSource.TICKET_NOTICE,
                minutes(9),
                log.ids["ticket:head"],
                DeliveryStatus.QUEUED,
            ),
            "o7": outbound(
                lain.id,
                c["+6281200000099"],
                "+6281200000099",
                "Gotong royong",
                OutboxSource.BROADCAST,
                minutes(10),
            ),
        }
        session.add_all(rows.values())
        session.flush()
        ids = {}
        for name, row in rows.items():
            assert row.id is not None
            ids[name] = row.id
        return ids


def labels(log: Log, sent: dict[str, int], answer: list[dict[str, Any]]) -> list[str]:
    by_key = {("message", v): k for k, v in log.ids.items() if k.startswith("m")}
    by_key |= {("outbox", v): k for k, v in sent.items()}
    return [by_key[(m["stored_in"], m["id"])] for m in answer]


def test_the_log_holds_what_went_out_too(api: Api) -> None:
    log = seed_log(api)
    sent = seed_outbox(api, log)

    def query(who: str, **params: Any) -> list[str]:
        return labels(log, sent, api.ok("GET", "/messages", who, **params))

    # Newest first over both tables; at the same moment the message comes before its reply.
    everything = ["o6", "o5", "o4", "m6", "m5", "m4", "o3", "m3", "o2", "m2", "m1", "o1"]
    assert query("operator") == everything
    # The cadre: nothing about the head (o3, o6: to its reporter, to the BPD), no digest (o5), no
    # broadcast message (o4): who a fan-out leaves out or masks would name the private reporters.
    assert query("kader") == ["m6", "m5", "m4", "o2", "m2", "m1", "o1"]
    assert query("kader", direction="out") == ["m6", "o2", "o1"]
    assert query("operator", direction="out") == ["o6", "o5", "o4", "m6", "o3", "o2", "o1"]
    assert query("kader", direction="in") == ["m5", "m4", "m2", "m1"]
    assert query("other") == ["m7"]  # o7 is LAIN's broadcast: the operator's to list, like o4
    assert query("other", direction="out") == []
    assert query("operator@LAIN", direction="out") == ["o7"]

    answer = {
        m["id"]: m for m in api.ok("GET", "/messages", "kader", direction="out") if m["stored_in"] == "outbox"
    }
    o1, o2 = answer[sent["o1"]], answer[sent["o2"]]
    assert (o1["direction"], o1["source"], o1["status"], o1["in_reply_to"]) == (
        "out",
        "reply",
        "sent",
        log.ids["m1"],
    )
    assert (o1["recipient"], o1["sender"], o1["contact_id"], o1["body"]) == (
        SLAMET,
        VILLAGE_NUMBER,
        log.contacts[SLAMET],
        "Balasan satu",
    )
    assert (o1["replies"], o1["media"], o1["masked"], o1["ticket"]) == ([], [], False, None)
    # The reporter of an anonymous complaint is its notices' recipient: masked like their messages.
    assert (o2["recipient"], o2["contact_id"], o2["masked"]) == ("anonim", None, True)
    assert (o2["source"], o2["status"], o2["ticket"]) == ("ticket_notice", "delivered", log.codes["anon"])
    assert o2["body"] == "Aduan diverifikasi. Petugas: [disembunyikan]"
    by_operator = {
        m["id"]: m
        for m in api.ok("GET", "/messages", "operator", direction="out")
        if m["stored_in"] == "outbox"
    }
    o4 = by_operator[sent["o4"]]
    assert (o4["source"], o4["status"], o4["error_code"], o4["failure_reason"]) == (
        "broadcast",
        "failed",
        "30003",
        "undeliverable",
    )
    assert (by_operator[sent["o2"]]["recipient"], by_operator[sent["o2"]]["masked"]) == (SRI, False)
    assert by_operator[sent["o6"]]["ticket"] == log.codes["head"]
    assert by_operator[sent["o5"]]["source"] == "digest"


def test_filters_hold_for_what_went_out(api: Api) -> None:
    log = seed_log(api)
    sent = seed_outbox(api, log)

    def query(who: str, **params: Any) -> list[str]:
        return labels(log, sent, api.ok("GET", "/messages", who, **params))

    assert query("kader", ticket=log.codes["anon"]) == ["m6", "o2", "m2"]
    assert query("kader", ticket=log.codes["head"]) == []
    assert query("operator", ticket=log.codes["head"]) == ["o6", "o3", "m3"]
    assert query("operator", contact_id=log.contacts[YATI]) == ["o4", "m4"]
    assert query("operator", contact_id=log.contacts[SRI]) == ["m6", "m5", "o2", "m2"]
    since = (T0 + timedelta(minutes=1)).isoformat()
    until = (T0 + timedelta(minutes=4)).isoformat()
    assert query("kader", since=since, until=until) == ["m4", "o2", "m2"]
    late = (T0 + timedelta(minutes=6)).isoformat()
    assert query("kader", direction="out", since=late) == []  # o4, a broadcast, is the operator's
    assert "o4" in query("operator", direction="out", since=late)


@pytest.mark.parametrize("who", ["kader", "operator"])
def test_pages_over_both_tables_are_slices_of_the_whole(api: Api, who: str) -> None:
    log = seed_log(api)
    sent = seed_outbox(api, log)
    whole = labels(log, sent, api.ok("GET", "/messages", who, limit=500))
    for direction in (None, "out"):
        params = {"direction": direction} if direction else {}
        full = labels(log, sent, api.ok("GET", "/messages", who, limit=500, **params))
        for limit in (1, 2, 3, 5):
            for offset in range(len(full) + 1):
                page = labels(
                    log, sent, api.ok("GET", "/messages", who, limit=limit, offset=offset, **params)
                )
                assert page == full[offset : offset + limit], (direction, limit, offset)
    assert len(whole) == len(set(whole))


def test_a_reply_sent_in_the_webhook_answer_is_in_the_log_as_sent(api: Api) -> None:
    body = {"from": "0812 9999 0001", "to": VILLAGE_NUMBER, "text": "MENU", "id": "console-2"}
    replies = api.client.post("/webhooks/console", json=body).json()["replies"]
    assert replies
    [received] = api.ok("GET", "/messages", "kader", direction="in", limit=1)
    out = api.ok("GET", "/messages", "kader", direction="out")
    assert [m["body"] for m in out] == list(reversed(replies))  # the same moment: newest id first
    assert {(m["stored_in"], m["source"], m["status"], m["in_reply_to"]) for m in out} == {
        ("outbox", "reply", "sent", received["id"])
    }
    assert {(m["recipient"], m["contact_id"]) for m in out} == {("+6281299990001", received["contact_id"])}
    assert all(m["sent_at"] is not None for m in out)
    both = api.ok("GET", "/messages", "kader")
    assert [m["direction"] for m in both] == ["in"] + ["out"] * len(replies)


def test_answers_to_staff_commands_are_the_operators_to_read(api: Api) -> None:
    for phone in (BPD_PHONE, "+6281300000002"):
        response = api.client.post(
            "/webhooks/console", json={"from": phone, "to": VILLAGE_NUMBER, "text": "TIKET"}
        )
        assert response.status_code == 200
    staff_phones = {BPD_PHONE, "+6281300000002"}
    assert [m for m in api.ok("GET", "/messages", "kader") if m["recipient"] in staff_phones] == []
    to_staff = [
        m for m in api.ok("GET", "/messages", "operator", direction="out") if m["recipient"] in staff_phones
    ]
    assert len(to_staff) >= 2
    assert {m["source"] for m in to_staff} == {"reply"}


def test_a_large_fan_out_is_read_a_page_at_a_time(api: Api) -> None:
    with transaction(api.engine) as session:
        demo = session.exec(select(Village).where(Village.code == "DEMO")).one()
        contact = session.exec(select(ContactIdentity).where(ContactIdentity.value == YATI)).one()
        assert demo.id is not None
        rows = [
            {
                "village_id": demo.id,
                "contact_id": contact.contact_id,
                "channel": Channel.SMSGATE,
                "sender": VILLAGE_NUMBER,
                "recipient": YATI,
                "body": f"Siaran {n}",
                "lane": int(Lane.BULK),
                "source": OutboxSource.BROADCAST,
                "run_id": 1000 + n,  # one contact per run: unique (run_id, contact_id)
                "status": DeliveryStatus.QUEUED,
                "status_rank": 0,
                "created_at": T0 + timedelta(seconds=n // 10),
                "next_attempt_at": T0,
                "updated_at": T0,
            }
            for n in range(3000)
        ]
        session.connection().execute(insert(Outbox), rows)
    with Session(api.engine) as session:
        ids = list(
            session.exec(
                select(Outbox.id)
                .where(Outbox.village_id == demo.id)
                .order_by(col(Outbox.created_at).desc(), col(Outbox.id).desc())
            )
        )
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(api.engine, "before_cursor_execute", record)
    try:
        page = api.ok("GET", "/messages", "operator", direction="out", limit=7, offset=1500)
    finally:
        event.remove(api.engine, "before_cursor_execute", record)
    assert [m["id"] for m in page] == ids[1500:1507]
    # One query for the page, one for its rows: never a row at a time, nor the whole fan-out.
    assert len([s for s in statements if "outbox" in s.lower()]) == 2


def say(api: Api, phone: str, text: str) -> list[str]:
    return factories.replies(api.client, phone, text, VILLAGE_NUMBER)


def test_an_anonymous_reporters_name_and_numbers_are_hidden_in_texts_and_replies(api: Api) -> None:
    say(api, SRI, "ADUAN ANONIM")
    say(api, SRI, "saya Sri Wahyuni RT 3, jalan rusak parah, hp 0812-3333-4444")
    echoed = say(api, SRI, "CEK 081234500002")  # the reply repeats the number typed
    assert "081234500002" in echoed[0]
    shown = api.ok("GET", "/messages", "kader", direction="in")
    texts = [m["body"] for m in shown] + [reply for m in shown for reply in m["replies"]]
    assert all(m["masked"] for m in shown)
    assert "saya [disembunyikan] [disembunyikan] RT 3, jalan rusak parah, hp [disembunyikan]" in texts
    assert not [text for text in texts if "Wahyuni" in text or "0812" in text]
    # The operator reads them as written.
    by_operator = api.ok("GET", "/messages", "operator", direction="in")
    assert "saya Sri Wahyuni RT 3, jalan rusak parah, hp 0812-3333-4444" in [m["body"] for m in by_operator]


def test_a_complaint_held_by_the_flood_limit_is_not_shown_to_a_cadre(api: Api) -> None:
    for n in range(5):
        say(api, YATI, f"lampu jalan RT {n + 1} mati")
        api.clock.advance(minutes=1)
    held = say(api, YATI, "pak kades minta pungutan liar utk surat domisili")
    assert "kode" not in held[0]  # no ticket: nothing flags it as about the head
    bodies = [m["body"] for m in api.ok("GET", "/messages", "kader", direction="in", limit=100)]
    assert len(bodies) == 5
    assert not [body for body in bodies if "kades" in body]
    assert "pak kades minta pungutan liar utk surat domisili" in [
        m["body"] for m in api.ok("GET", "/messages", "operator", direction="in", limit=100)
    ]
