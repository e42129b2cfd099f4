"""/api/v1/messages over real SQLite and PostgreSQL: the cadre and the operator read the message log,
with the ticket visibility rules of handlers/rights.py (about the head: left out; anonymous: masked)."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.db import transaction
from handlers import tickets
from models import Channel, ContactIdentity, Direction, Message, Village
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
    # Filtering by the anonymous reporter must not tie the complaint to them: nothing of theirs is found.
    assert query("kader", contact_id=log.contacts[SRI]) == []
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
        {"village": "\x00"},
    ],
)
def test_a_filter_that_cannot_be_used_is_422(api: Api, params: dict[str, Any]) -> None:
    response = api.call("GET", "/messages", "kader", params=params)
    assert response.status_code == 422, response.text


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
    assert all(m["sender"] == "anonim" and m["contact_id"] is None for m in masked)
    assert len([m for m in api.ok("GET", "/messages", "operator") if m["sender"] == sender]) == 3


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
