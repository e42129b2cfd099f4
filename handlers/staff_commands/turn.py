"""One staff command being acted on: who sent it, to which village, and what every action shares: the
PIN check, refusals for want of a right, the audit log, the PIN masked in the stored message.

Rights come from handlers/rights.py: a complaint about the head does not exist for the head or a cadre
(its code answers exactly as an unknown one), the BPD acts only on those, the head cannot broadcast,
a cadre gets no digest. Every action and every refusal is in the audit log; wrong PINs are counted and
locked by handlers/staff.py.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session

from broadcasts import runs
from broadcasts.fanout import VillageRoutes
from handlers import audit
from handlers import staff as staff_people
from handlers.contacts import ContactState, VillageInfo
from handlers.inbound import InboundMessage
from handlers.staff_commands.pin_mask import mask_pin, masked
from models import Broadcast as BroadcastRow
from models import Channel, Role, Staff, Village
from models.tables import MESSAGE
from models.texts import STAFF_ROLE_NAMES, STAFF_WHAT, zone_name
from models.texts import StaffText as s

_MESSAGE = MESSAGE


@dataclass(frozen=True, slots=True)
class Handled:
    """The replies to a staff command, the note stored on the message, the ticket it acted on, and the
    broadcasts it created that wait for their time (to tell the scheduler after the commit).

    A ticket command names its ticket on the message (`ticket_id`) when the sender may know of it, so
    that the message log can hide it from those who may not."""

    replies: list[str]
    note: str
    ticket_id: int | None = None
    scheduled: tuple[tuple[int, datetime], ...] = ()


@dataclass
class Turn:
    """One staff command being acted on."""

    session: Session
    village: VillageInfo
    staff: Staff
    contact: ContactState
    message: InboundMessage
    message_id: int
    now: datetime
    available: frozenset[Channel]
    ticket_id: int | None = None  # the ticket the command names, when the sender may know of it
    # Broadcasts created that wait for their time, as (id, when): the scheduler is told after the commit.
    scheduled: list[tuple[int, datetime]] = field(default_factory=list)

    def schedule(self, *made: BroadcastRow) -> None:
        for broadcast in made:
            if broadcast.id is not None and (at := broadcast.waits_until) is not None:
                self.scheduled.append((broadcast.id, at))

    @property
    def role(self) -> Role:
        return self.staff.role

    @property
    def actor(self) -> audit.StaffActor:
        return audit.StaffActor(self.staff.id, self.staff.role, self.message.channel.value)

    def record(self, action: str, target: str | None = None, **detail: Any) -> None:
        audit.record(
            session=self.session,
            actor=self.actor,
            village_id=self.village.id,
            action=action,
            now=self.now,
            target=target,
            detail=detail,
        )

    def refuse(self, command: str, reason: str, target: str | None = None) -> None:
        self.record("staff.command_refused", target, command=command, reason=reason)

    def not_allowed(self, right_of: str) -> str:
        self.refuse(right_of, "not_allowed")
        return s.NOT_ALLOWED.format(role=STAFF_ROLE_NAMES[self.role.value], what=STAFF_WHAT[right_of])

    def local_time(self, moment: datetime) -> str:
        local = moment.astimezone(ZoneInfo(self.village.timezone))
        return f"{local.hour:02d}.{local.minute:02d} {zone_name(self.village.timezone)}"

    def village_row(self) -> Village:
        row = self.session.get(Village, self.village.id)
        assert row is not None
        return row

    def routes(self) -> VillageRoutes:
        """The village's routes over the channels this deployment sends on: how a reporter is told of a
        change, and whom a broadcast reaches."""
        return runs.village_routes(session=self.session, village=self.village_row(), available=self.available)

    def check_pin(self, pin: str) -> str | None:
        """None when the PIN is right; otherwise the reply (wrong, locked, not set)."""
        result = staff_people.check_pin(
            session=self.session,
            staff=self.staff,
            pin=pin,
            now=self.now,
            channel=self.message.channel.value,
            village_id=self.village.id,  # the operator's failures are logged in the village texted
        )
        if result == staff_people.PinCheck.OK:
            return None
        if result == staff_people.PinCheck.LOCKED:
            until = self.staff.pin_locked_until or self.now + staff_people.LOCK_FOR
            return s.PIN_LOCKED.format(until=self.local_time(until))
        if result == staff_people.PinCheck.NOT_SET:
            self.refuse("pin", "pin_not_set")
            return s.PIN_NOT_SET
        return s.PIN_WRONG.format(left=staff_people.MAX_FAILURES - self.staff.pin_failures)

    def mask_stored_pin(self, pin: str) -> None:
        """Mask the PIN in the stored message, its text and the provider's payload: the message log
        shows messages to other staff. Right or wrong, the PIN must not be kept."""
        self.session.connection().execute(
            update(_MESSAGE)
            .where(_MESSAGE.c.id == self.message_id)
            .values(body=mask_pin(self.message.text, pin), raw=masked(dict(self.message.raw), pin))
        )
