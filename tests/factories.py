"""Small typed factories and readers shared by the tests."""

import functools

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.db import transaction
from broadcasts import outbox
from broadcasts.sms import Encoding, analyse
from handlers.staff import hash_pin
from models import (
    Channel,
    ContactIdentity,
    DeliveryStatus,
    Lane,
    Message,
    Outbox,
    OutboxSource,
    Ticket,
    Village,
)
from tests.conftest import T0


@functools.cache
def quick_pin_hash(pin: str) -> str:
    """A PIN stored as handlers.staff stores one, but with scrypt at n=2**4 instead of 2**14, made once.

    Checking it runs the same code as in production (the cost is read from the stored form), in
    microseconds instead of ~60 ms; across the suite's thousands of commands with a PIN that is
    minutes. `test_a_stored_pin_is_scrypt_at_full_cost` checks what `hash_pin` really stores.
    """
    return hash_pin(pin, cost=2**4)


def inbound_messages(engine: Engine) -> list[Message]:
    """Every stored inbound message, oldest first."""
    with Session(engine) as session:
        return list(
            session.exec(select(Message).where(Message.direction == "in").order_by(col(Message.id))).all()
        )


def outbox_rows(engine: Engine) -> list[Outbox]:
    """Every outbox row, oldest first."""
    with Session(engine) as session:
        return list(session.exec(select(Outbox).order_by(col(Outbox.id))).all())


def tickets(engine: Engine) -> list[Ticket]:
    """Every ticket."""
    with Session(engine) as session:
        return list(session.exec(select(Ticket)).all())


def handed_over_row(
    engine: Engine, *, channel: Channel, sender: str, phone: str, provider_id: str | None
) -> int:
    """An outbox row a provider has accepted (as the dispatcher leaves it); returns its id."""
    with transaction(engine) as session:
        village = session.exec(select(Village).where(Village.code == "DEMO")).one()
        identity = session.exec(select(ContactIdentity).where(ContactIdentity.value == phone)).one()
        assert village.id is not None
        values = outbox.row(
            village_id=village.id,
            contact_id=identity.contact_id,
            channel=channel,
            sender=sender,
            recipient=phone,
            body="Musdes RKPDes Kamis 19.30 di Balai Desa.",
            lane=Lane.BULK,
            source=OutboxSource.BROADCAST,
            now=T0,
        )
        values.update(provider_id=provider_id, status=DeliveryStatus.SENDING, status_rank=1, attempts=1)
        row_id: int = session.connection().execute(outbox.INSERT_RETURNING_ID, values).scalar_one()
    return row_id


VILLAGE_NUMBER = "+62800000001"  # the demo village's console address


def replies(client: TestClient, sender: str, text: str, to: str = VILLAGE_NUMBER) -> list[str]:
    """Send `text` from `sender` through the console channel; every reply (checked: 200)."""
    response = client.post("/webhooks/console", json={"from": sender, "to": to, "text": text})
    assert response.status_code == 200, response.text
    found: list[str] = response.json()["replies"]
    return found


def say(client: TestClient, sender: str, text: str, to: str = VILLAGE_NUMBER) -> str:
    """Send `text`; the first reply ("" when none). `Phone` also checks that each is one GSM-7 SMS."""
    found = replies(client, sender, text, to)
    return found[0] if found else ""


class Phone:
    """A phone texting a village through the console channel; every reply must be one GSM-7 SMS."""

    def __init__(
        self, client: TestClient, number: str, to: str = VILLAGE_NUMBER, *, one: bool = False
    ) -> None:
        self.client, self.number, self.to = client, number, to
        self.one = one  # every message must get exactly one reply

    def say(self, text: str) -> str:
        """Send `text`; the first reply ("" when none)."""
        found = replies(self.client, self.number, text, self.to)
        if self.one:
            assert len(found) == 1, found
        for reply in found:
            info = analyse(reply)
            assert info.encoding == Encoding.GSM7, (reply, info.unicode_chars)
            assert info.segments == 1, (len(reply), reply)
        return found[0] if found else ""
