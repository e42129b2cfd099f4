"""Staff as people who text: their own contact record, and the PIN that guards text commands.

PINs are 4 to 6 ASCII digits (easy on a keypad), stored as scrypt with a per-PIN salt. Wrong PINs are
limited: after `MAX_FAILURES` in a row the PIN is locked for `LOCK_FOR`, and every failure and lock is
in the audit log; a right PIN resets the count.

The operator belongs to no village: texting a village's number, they act on that village, and the
audit entries of their PIN carry that village's id.
"""

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from handlers import audit, contacts
from models import IdentityKind, Role, Staff
from models.errors import BadRequest

PIN = re.compile(r"^[0-9]{4,6}$")
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=30)
_N, _R, _P = 2**14, 8, 1


class PinCheck(StrEnum):
    """The outcome of checking a PIN."""

    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"  # too many wrong PINs: not even checked
    NOT_SET = "not_set"


def hash_pin(pin: str, *, cost: int = _N) -> str:
    """The stored form of a PIN; refuses anything but 4 to 6 digits. `cost` is scrypt's n, kept in the
    stored form (the tests store cheaper hashes; production never passes it)."""
    if not PIN.fullmatch(pin):
        raise BadRequest("a PIN is 4 to 6 digits")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=cost, r=_R, p=_P, dklen=32)
    return f"scrypt${cost}${_R}${_P}${salt.hex()}${digest.hex()}"


def _matches(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(digest) // 2
        )
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


def check_pin(
    *,
    session: Session,
    staff: Staff,
    pin: str,
    now: datetime,
    channel: str,
    village_id: int | None = None,
) -> PinCheck:
    """Check a PIN typed in a text command, counting failures and locking after too many.

    `village_id`: the village the command was sent to, for the audit log (the operator has none of their
    own); by default the staff member's village.
    """
    actor = audit.StaffActor(staff.id, staff.role, channel)
    where = staff.village_id if village_id is None else village_id
    if staff.pin_locked_until is not None and staff.pin_locked_until > now:
        audit.record(session=session, actor=actor, village_id=where, action="staff.pin_locked_try", now=now)
        return PinCheck.LOCKED
    if not staff.pin_hash:
        return PinCheck.NOT_SET
    if PIN.fullmatch(pin) and _matches(pin, staff.pin_hash):
        staff.pin_failures, staff.pin_locked_until = 0, None
        return PinCheck.OK
    staff.pin_failures += 1
    action = "staff.pin_failed"
    if staff.pin_failures >= MAX_FAILURES:
        staff.pin_failures, staff.pin_locked_until = 0, now + LOCK_FOR
        action = "staff.pin_locked"
    audit.record(session=session, actor=actor, village_id=where, action=action, now=now)
    return PinCheck.LOCKED if action == "staff.pin_locked" else PinCheck.WRONG


def by_phone(*, session: Session, village_id: int, phone: str) -> Staff | None:
    """Who texts the village from this E.164 number: its active staff member with that phone, or else an
    active operator with it (who belongs to no village and acts on the one the message was sent to)."""
    return session.exec(
        select(Staff)
        .where(
            Staff.phone == phone,
            col(Staff.active).is_(True),
            or_(
                col(Staff.village_id) == village_id,
                and_(col(Staff.village_id).is_(None), col(Staff.role) == Role.OPERATOR),
            ),
        )
        .order_by(col(Staff.village_id).is_(None), col(Staff.id))  # the village's own staff first
    ).first()


def ensure_contact(*, session: Session, staff: Staff, now: datetime) -> int | None:
    """The staff member's own contact in their village (created from their phone on first need), set to
    reach them on the channel they prefer."""
    if staff.contact_id is not None:
        if staff.preferred_channel is not None:
            session.connection().execute(
                update(contacts.CONTACT)
                .where(contacts.CONTACT.c.id == staff.contact_id)
                .values(preferred_channel=staff.preferred_channel)
            )
        return staff.contact_id
    if staff.village_id is None or not staff.phone:
        return None
    contact = contacts.get_or_create_contact(
        session=session,
        village_id=staff.village_id,
        kind=IdentityKind.PHONE,
        value=staff.phone,
        now=now,
        name=staff.name,
        channel=staff.preferred_channel,
    )
    if staff.preferred_channel is not None:
        contact.set(preferred_channel=staff.preferred_channel)
    contacts.save_contact(session=session, contact=contact)  # the name, if the contact had none
    staff.contact_id = contact.id
    return contact.id
