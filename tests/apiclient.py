"""A REST API client for tests: tokens for every role in DEMO, a second village LAIN, and a recorder in
place of the scheduler. The `api` fixture (tests/bot/conftest.py) builds one per test.

Callers: 'kader', 'kades', 'bpd' (DEMO), 'operator' (acts on DEMO unless 'operator@LAIN'), 'other'
(LAIN's kader), 'none' (no token), 'bad' (a token nobody was given).
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import col, select

from bot.app import create_app
from bot.auth import create_token
from bot.db import transaction
from bot.providers.registry import configured_channels
from bot.settings import Settings
from broadcasts import runs, service
from handlers import tickets
from models import (
    BroadcastKind,
    Category,
    Channel,
    Contact,
    ContactIdentity,
    Decision,
    IdentityKind,
    Meeting,
    MeetingKind,
    Role,
    Staff,
    SubscriptionState,
    Village,
    VillageAddress,
)
from tests.conftest import T0, Clock, make_settings


@dataclass
class Recorder:
    """Stands in for the scheduler: records what the API asks of it (async, as the real one is)."""

    calls: list[tuple[Any, ...]] = field(default_factory=list)

    async def schedule(self, broadcast_id: int, at: datetime) -> bool:
        self.calls.append(("schedule", broadcast_id, at))
        return True

    async def unschedule(self, broadcast_id: int) -> bool:
        self.calls.append(("unschedule", broadcast_id))
        return True


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    engine: Engine
    clock: Clock
    settings: Settings
    tokens: dict[str, str]
    scheduler: Recorder

    def call(
        self,
        method: str,
        path: str,
        who: str = "kader",
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """A request as `who`: a role in DEMO, 'other' (LAIN's kader), 'operator@LAIN', 'none', 'bad'."""
        who, _, village = who.partition("@")
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who in self.tokens else {}
        if who == "operator":
            params = {"village": village or "DEMO", **(params or {})}
        response: httpx.Response = self.client.request(
            method, "/api/v1" + path, json=json, params=params, headers=headers
        )
        return response

    def ok(self, method: str, path: str, who: str = "kader", json: Any = None, **params: Any) -> Any:
        """The JSON of a 2xx answer."""
        response = self.call(method, path, who, json, params or None)
        assert response.is_success, (response.status_code, response.text)
        return response.json()

    def fire(self, broadcast_id: int, at: datetime) -> runs.FireResult:
        """What the scheduler does when the broadcast is due."""
        with transaction(self.engine) as session:
            return runs.fire(
                session=session,
                broadcast_id=broadcast_id,
                now=at,
                available=configured_channels(self.settings),
            )


def other_village(engine: Engine) -> int:
    """A second village (WITA) with one subscriber and one scheduled broadcast; returns the broadcast."""
    with transaction(engine) as session:
        village = Village(code="LAIN", name="Desa Lain", timezone="Asia/Makassar")
        session.add(village)
        session.flush()
        assert village.id is not None
        session.add(VillageAddress(village_id=village.id, channel=Channel.TWILIO_SMS, address="+62800000002"))
        contact = Contact(village_id=village.id, name="Pak Made", subscription=SubscriptionState.SUBSCRIBED)
        session.add(contact)
        session.flush()
        assert contact.id is not None
        session.add(
            ContactIdentity(
                village_id=village.id, contact_id=contact.id, kind=IdentityKind.PHONE, value="+6281200000099"
            )
        )
        draft = service.Draft(kind=BroadcastKind.UMUM, title="Gotong royong", sms_text="Gotong royong Sabtu.")
        broadcast = service.create(session=session, village=village, draft=draft, actor="kader:99", now=T0)
        assert broadcast.id is not None
        return broadcast.id


def make_api(db_url: str, engine: Engine, clock: Clock) -> Iterator[Api]:
    """An API over the DEMO village (already seeded) and LAIN, with a token for every caller."""
    settings = make_settings(db_url, smsgate_url="http://127.0.0.1:9/gateway")
    other_village(engine)
    with transaction(engine) as session:
        tokens = {
            "kader": create_token(
                session=session, village_code="DEMO", role=Role.KADER, name="Siti Rahma (KPMD)"
            ),
            "kades": create_token(
                session=session, village_code="DEMO", role=Role.KADES, name="Bapak Darmawan (Kepala Desa)"
            ),
            "bpd": create_token(
                session=session, village_code="DEMO", role=Role.BPD, name="Ibu Wulandari (Ketua BPD)"
            ),
            "operator": create_token(session=session, village_code=None, role=Role.OPERATOR, name="Operator"),
            "other": create_token(session=session, village_code="LAIN", role=Role.KADER, name="Kader Lain"),
        }
    tokens["bad"] = "ktg_not-a-token-anyone-was-given"
    app = create_app(settings, engine=engine, clock=clock)
    scheduler = Recorder()
    app.state.scheduling = scheduler
    with TestClient(app) as client:
        yield Api(app, client, engine, clock, settings, tokens, scheduler)


_serial = itertools.count(1)


def serial() -> int:
    """A number no other call in this test used (fresh codes, phones, names)."""
    return next(_serial)


def fresh_resources(engine: Engine) -> dict[str, Any]:
    """New DEMO resources for one call: tickets (one about the head), broadcasts, a meeting, a decision,
    a contact, a staff member and an address, so that no call depends on what another changed."""
    made: dict[str, Any] = {}
    with transaction(engine) as session:
        village = session.exec(select(Village).where(Village.code == "DEMO")).one()
        vid = village.id
        assert vid is not None
        for name, about_head in (("ticket", False), ("other_ticket", False), ("about_head", True)):
            _, made[name] = tickets.create(
                session=session,
                village_id=vid,
                reporter_id=1,
                text="lampu jalan mati" if not about_head else "kades jarang di kantor",
                category=Category.TATA_KELOLA if about_head else Category.INFRASTRUKTUR,
                now=T0,
                channel=Channel.CONSOLE,
                about_head=about_head,
            )
        for name, kind in (("scheduled", BroadcastKind.UMUM), ("pending", BroadcastKind.KEPUTUSAN)):
            draft = service.Draft(
                kind=kind, title=name, sms_text="Rapat RT Sabtu malam.", send_at=T0 + timedelta(hours=2)
            )
            broadcast = service.create(
                session=session,
                village=village,
                draft=draft,
                actor="kader:99",  # a second cadre: any DEMO kader may approve
                now=T0,
                needs_approval={BroadcastKind.KEPUTUSAN},
            )
            made[name] = broadcast.id
        meeting = Meeting(
            village_id=vid,
            kind=MeetingKind.MUSDES,
            title="Musdes",
            starts_at=T0 + timedelta(days=5),
            place="Balai Desa",
        )
        decision = Decision(village_id=vid, title="Jam malam ronda", effective_date=T0.date())
        contact = Contact(village_id=vid, name=f"Warga {serial()}")
        staff = Staff(village_id=vid, name=f"Kader {serial()}", role=Role.KADER)
        address = VillageAddress(village_id=vid, channel=Channel.SMSGATE, address=f"device-{serial()}")
        session.add_all([meeting, decision, contact, staff, address])
        session.flush()
        assert contact.id is not None
        session.add(
            ContactIdentity(
                village_id=vid,
                contact_id=contact.id,
                kind=IdentityKind.PHONE,
                value=f"+62812600{serial():05d}",
            )
        )
        made.update(
            meeting=meeting.id, decision=decision.id, contact=contact.id, staff=staff.id, address=address.id
        )
        made["kader_id"] = session.exec(
            select(Staff.id).where(Staff.village_id == vid, Staff.role == Role.KADER).order_by(col(Staff.id))
        ).first()
    return made
