"""Messages that arrive together: a new resident's first messages, a flood from one number, and the
same person's keywords at once. Nothing is lost and the flood limit holds (SQLite and PostgreSQL, over a
real socket so that requests really race)."""

import threading
import time
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.db import transaction
from handlers import tickets
from models import Contact, ContactIdentity, ContactTopic, Message, Ticket
from models import texts as t
from tests.conftest import PUBLIC_BASE_URL, T0, TWILIO_TOKEN
from tests.providers import twilio_signature, twilio_sms_form

PATH = "/webhooks/twilio"
NEW_NUMBER = "+6281299900001"


Send = Callable[[httpx.Client, int], httpx.Response]


def at_once(base_url: str, count: int, work: Send) -> list[httpx.Response]:
    """Run `work` in `count` threads released together; the responses in order of index."""
    barrier = threading.Barrier(count)
    results: list[httpx.Response | None] = [None] * count

    def run(index: int) -> None:
        with httpx.Client(base_url=base_url, timeout=60) as http:
            barrier.wait()
            results[index] = work(http, index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result is not None for result in results)
    return [result for result in results if result is not None]


QUESTIONS = ["JADWAL", "DANA", "SANKSI", "PROGRAM", "LAYANAN", "MENU"]  # six different answers


def twilio(text: str, sender: str) -> Send:
    def send(http: httpx.Client, index: int) -> httpx.Response:
        form = twilio_sms_form(text.format(question=QUESTIONS[index % 6]), sender=sender)
        headers = {"X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, PUBLIC_BASE_URL + PATH, form)}
        return http.post(PATH, data=form, headers=headers)

    return send


def console(text: str, sender: str) -> Send:
    def send(http: httpx.Client, index: int) -> httpx.Response:
        json = {"from": sender, "to": "+62800000001", "text": text.format(question=QUESTIONS[index % 6])}
        return http.post("/webhooks/console", json=json)

    return send


def count(engine: Engine, model: type, *where: object) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()  # type: ignore[call-overload, no-any-return]


@pytest.mark.parametrize("door", [twilio, console], ids=["twilio", "console"])
def test_a_new_residents_messages_arriving_together_are_all_kept(
    live_server: str, engine: Engine, door: Callable[[str, str], Send]
) -> None:
    results = at_once(live_server, 6, door("{question}", NEW_NUMBER))
    assert [r.status_code for r in results] == [200] * 6
    assert count(engine, ContactIdentity, ContactIdentity.value == NEW_NUMBER) == 1
    assert count(engine, Contact) == count(engine, ContactIdentity)  # no contact left behind by a race
    with Session(engine) as session:
        stored = session.exec(select(Message).where(Message.sender == NEW_NUMBER)).all()
    assert len(stored) == 6
    assert len({m.contact_id for m in stored}) == 1
    assert all(m.reply for m in stored)  # every one answered (six different answers: no loop guard)


def test_the_flood_limit_holds_for_complaints_sent_at_once(live_server: str, engine: Engine) -> None:
    results = at_once(live_server, 10, twilio("lampu jalan di RT 3 mati sdh seminggu", NEW_NUMBER))
    assert [r.status_code for r in results] == [200] * 10
    with Session(engine) as session:
        contact_id = session.exec(
            select(ContactIdentity.contact_id).where(ContactIdentity.value == NEW_NUMBER)
        ).one()
        notes = Counter(session.exec(select(Message.note).where(Message.contact_id == contact_id)).all())
    assert count(engine, Ticket, Ticket.reporter_id == contact_id) == 5
    # Every message kept; the extra five told why, until the loop guard stops repeating the same answer.
    assert notes == {None: 5, "rate_limited": 3, "loop_guard": 2}
    limited = t.COMPLAINT_RATE_LIMITED.split("{")[0]
    assert sum(limited in r.text for r in results) == 3


def test_the_flood_limit_holds_for_many_numbers_at_once(live_server: str, engine: Engine) -> None:
    numbers = [f"+628129990{i:04d}" for i in range(8)]

    def send(http: httpx.Client, index: int) -> httpx.Response:
        return twilio("jalan di dusun krajan rusak parah", numbers[index % len(numbers)])(http, index)

    results = at_once(live_server, len(numbers) * 7, send)
    assert {r.status_code for r in results} == {200}
    assert count(engine, Ticket) == len(numbers) * 5
    assert count(engine, Message, Message.direction == "in") == len(numbers) * 7


def test_the_same_residents_keywords_at_once_do_not_fail(live_server: str, engine: Engine) -> None:
    at_once(live_server, 1, console("halo", NEW_NUMBER))  # an existing contact: the topics rows are what race
    results = at_once(live_server, 6, console("DAFTAR JADWAL DANA", NEW_NUMBER))
    assert [r.status_code for r in results] == [200] * 6
    with Session(engine) as session:
        topics = session.exec(select(ContactTopic.topic)).all()
    assert sorted(topics) == ["dana_desa", "jadwal"]


def test_two_complaints_drawing_the_same_code_at_once_both_get_a_ticket(
    engine: Engine, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first draw of both is the same free code; the second complaint waits, then draws again."""
    draws = iter([382_913, 382_913, 512_044])  # +100_000: codes 482913, 482913, 612044
    lock = threading.Lock()

    def randbelow(_bound: int) -> int:
        with lock:
            return next(draws)

    monkeypatch.setattr(tickets.secrets, "randbelow", randbelow)
    with Session(engine) as session:
        village_id, reporter_id = session.exec(select(Contact.village_id, Contact.id)).first()  # type: ignore[misc]
    first_inserted, first_may_commit = threading.Event(), threading.Event()
    codes: list[str] = []

    def open_ticket(wait: bool) -> None:
        with transaction(engine) as session:
            codes.append(
                tickets.create(
                    session=session,
                    village_id=village_id,
                    reporter_id=reporter_id,
                    text="jalan rusak",
                    category=None,
                    now=T0,
                    channel="console",
                )[1]
            )
            if wait:
                first_inserted.set()
                first_may_commit.wait(10)

    first = threading.Thread(target=open_ticket, args=(True,))
    first.start()
    assert first_inserted.wait(10)
    second = threading.Thread(target=open_ticket, args=(False,))
    second.start()
    time.sleep(0.3)  # the second is now waiting on the first's code (PostgreSQL) or write lock (SQLite)
    first_may_commit.set()
    first.join(10)
    second.join(10)
    assert sorted(codes) == ["482913", "612044"]
    assert count(engine, Ticket) == 2
