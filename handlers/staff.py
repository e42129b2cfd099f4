"""Staff: who works for a village, as the operator sets them up (`create`, `update`: roles, phones, PINs,
deactivation, which revokes their API tokens), and as people who text: their own contact record
(`ensure_contact`), who a staff number is (`by_phone`), and the PIN that guards text commands
(`check_pin`). Text commands themselves are handlers/staff_commands/.

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
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy import update as sa_update
from sqlmodel import Session, col, select

from handlers import audit, contacts
from models import ApiToken, Channel, IdentityKind, Role, Staff, Village
from models.errors import BadRequest, Conflict, NotFound
from models.phone import PHONE_TEXT, to_e164
from models.tables import CONTACT

PIN = re.compile(r"^[0-9]{4,6}$")
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=30)
_N, _R, _P = 2**14, 8, 1


# --- who works for a village --------------------------------------------------------------------


def staff_phone(raw: str) -> str:
    """A staff member's phone in any Indonesian way of writing it, as E.164; BadRequest otherwise."""
    phone = to_e164(raw.strip()) if PHONE_TEXT.fullmatch(raw.strip()) else None
    if phone is None:
        raise BadRequest("phone is not a valid phone number")
    return phone


def _phone_free(*, session: Session, village_id: int | None, phone: str, other_than: int | None) -> None:
    # Text commands find their sender by (village, phone) among active staff: two would be ambiguous.
    query = select(Staff.id).where(Staff.phone == phone, col(Staff.active).is_(True))
    if village_id is None:
        query = query.where(col(Staff.village_id).is_(None))
    else:
        query = query.where(Staff.village_id == village_id)
    if other_than is not None:
        query = query.where(Staff.id != other_than)
    if session.exec(query).first() is not None:
        raise Conflict("phone is already used by another active staff member")


def create(
    *,
    session: Session,
    village: Village | None,
    name: str,
    role: Role,
    now: datetime,
    phone: str | None = None,
    pin: str | None = None,
    preferred_channel: Channel | None = None,
) -> Staff:
    """A staff member of the village (an operator: of no village), their PIN hashed and, when they have
    a phone, their own contact linked."""
    if (role == Role.OPERATOR) != (village is None):
        raise BadRequest("an operator serves every village and belongs to none; other roles need a village")
    village_id = village.id if village is not None else None
    phone = staff_phone(phone) if phone is not None else None
    if phone is not None:
        _phone_free(session=session, village_id=village_id, phone=phone, other_than=None)
    staff = Staff(
        village_id=village_id,
        name=name.strip(),
        role=role,
        phone=phone,
        pin_hash=hash_pin(pin) if pin is not None else None,
        preferred_channel=preferred_channel,
        created_at=now,
    )
    session.add(staff)
    session.flush()
    ensure_contact(session=session, staff=staff, now=now)
    session.flush()
    return staff


FIELDS = frozenset({"name", "role", "phone", "pin", "active", "preferred_channel"})
VILLAGE_ROLES = tuple(role for role in Role if role != Role.OPERATOR)


def update(
    *, session: Session, staff: Staff, changes: Mapping[str, Any], now: datetime
) -> tuple[list[str], int]:
    """Change a staff member; returns the fields that changed and how many API tokens were revoked.

    A new role (kader, kades or bpd: an operator belongs to no village, so nobody becomes or stops being
    one by a change) revokes every API token the person holds, since each was given for a role, and drops
    a text command waiting for confirmation. A new phone links the contact of that phone (the old link
    is dropped); a new PIN clears the count of wrong PINs and any lock; `pin: None` removes the PIN.
    Deactivating revokes every API token the person holds, at once, and drops a text command waiting for
    confirmation; reactivating does not bring the tokens back (a new one must be created).
    """
    unknown = set(changes) - FIELDS
    if unknown:
        raise BadRequest(f"cannot change {', '.join(sorted(unknown))}")
    changed: list[str] = []
    revoked = 0
    if "role" in changes and changes["role"] != staff.role:
        role = changes["role"]
        if role not in VILLAGE_ROLES or staff.role not in VILLAGE_ROLES:
            raise BadRequest(
                "role: an operator serves every village and belongs to none, so no one becomes or stops"
                f" being one by a change; a village's staff are {', '.join(r.value for r in VILLAGE_ROLES)}"
            )
        staff.role = Role(role)
        changed.append("role")
        staff.pending_command, staff.pending_until = None, None
        revoked += revoke_tokens(session=session, staff_id=staff.id, now=now)
    if "name" in changes and changes["name"].strip() != staff.name:
        staff.name = changes["name"].strip()
        changed.append("name")
    if "preferred_channel" in changes and changes["preferred_channel"] != staff.preferred_channel:
        staff.preferred_channel = changes["preferred_channel"]
        changed.append("preferred_channel")
    if "pin" in changes:
        pin = changes["pin"]
        staff.pin_hash = hash_pin(pin) if pin is not None else None
        staff.pin_failures, staff.pin_locked_until = 0, None
        changed.append("pin")
    phone = staff.phone
    if "phone" in changes:
        phone = staff_phone(changes["phone"]) if changes["phone"] is not None else None
    active = changes.get("active", staff.active)
    if phone is not None and active and (phone != staff.phone or not staff.active):
        _phone_free(session=session, village_id=staff.village_id, phone=phone, other_than=staff.id)
    if phone != staff.phone:
        staff.phone, staff.contact_id = phone, None
        changed.append("phone")
    if active != staff.active:
        staff.active = bool(active)
        changed.append("active")
        if not staff.active:
            staff.pending_command, staff.pending_until = None, None
            revoked += revoke_tokens(session=session, staff_id=staff.id, now=now)
    session.add(staff)
    session.flush()
    if staff.phone is not None:
        ensure_contact(session=session, staff=staff, now=now)
    session.flush()
    return changed, revoked


def revoke_tokens(*, session: Session, staff_id: int | None, now: datetime) -> int:
    """Revoke every unrevoked API token of the staff member; returns how many."""
    result = session.connection().execute(
        sa_update(ApiToken)
        .where(col(ApiToken.staff_id) == staff_id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount or 0)


def get(*, session: Session, staff_id: int, village_id: int | None = None) -> Staff:
    """A staff member, of the village when `village_id` is given; NotFound otherwise."""
    staff = session.get(Staff, staff_id)
    if staff is None or (village_id is not None and staff.village_id != village_id):
        raise NotFound(f"no staff member {staff_id}")
    return staff


def list_staff(
    *, session: Session, village_id: int, active: bool | None, limit: int, offset: int
) -> Sequence[Staff]:
    """The village's staff, oldest first; only the active (or inactive) ones when `active` is given."""
    query = select(Staff).where(Staff.village_id == village_id)
    if active is not None:
        query = query.where(Staff.active == active)
    return session.exec(query.order_by(col(Staff.id)).offset(offset).limit(limit)).all()


def get_or_create_named(*, session: Session, village_id: int | None, role: Role, name: str) -> Staff:
    """The staff member of the village with this role and name, created (with no phone and no PIN) when
    there is none: whom the command line gives an API token."""
    staff = session.exec(
        select(Staff).where(Staff.village_id == village_id, Staff.role == role, Staff.name == name)
    ).first()
    if staff is None:
        staff = Staff(village_id=village_id, role=role, name=name)
        session.add(staff)
        session.flush()
    return staff


# --- PINs --------------------------------------------------------------------------------------------


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


# --- as people who text ------------------------------------------------------------------------------


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
                sa_update(CONTACT)
                .where(CONTACT.c.id == staff.contact_id)
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
