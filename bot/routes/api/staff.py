"""/api/v1/staff: who works for a village. Everyone reads their village's staff; the operator creates
staff, sets roles, phones and PINs, and deactivates them.

The rules are handlers/staff.py's (`create`, `update`). PINs are hashed (`hash_pin`) and never answered;
a phone links the person's own contact in the village, where digests and notices go. Deactivating
someone, or changing their role, revokes every API token they hold.
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlmodel import Session

from bot.deps import NowDep
from bot.routes.api.deps import (
    Limit,
    Offset,
    PathId,
    Reader,
    SessionDep,
    VillageCode,
    audit_api,
    refused_as_unprocessable,
    resolve_village,
)
from bot.routes.api.schemas import problems
from bot.routes.api.schemas.staff import StaffCreate, StaffPublic, StaffUpdate
from bot.security import Principal, allow
from handlers import staff as staff_people
from handlers.rights import Right, roles_with
from models import Role, Staff, Village
from models.errors import Conflict

router = APIRouter(prefix="/staff", tags=["staff"])

Manager = Annotated[Principal, Depends(allow(roles_with(Right.STAFF_MANAGE), "manage staff"))]
NOT_FOUND = problems({404: "No such staff member in this village"})
CONFLICT = problems({409: "The phone is used by another active staff member of the village"})


def _code(session: Session, staff: Staff) -> str | None:
    village = session.get(Village, staff.village_id) if staff.village_id is not None else None
    return village.code if village is not None else None


def _public(session: Session, staff: Staff, caller: Principal, now: datetime) -> StaffPublic:
    return StaffPublic.of(staff, _code(session, staff), full_phone=caller.role == Role.OPERATOR, now=now)


@router.get("")
def list_staff(
    scope: Reader,
    session: SessionDep,
    now: NowDep,
    active: bool | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[StaffPublic]:
    """The village's staff, oldest first; phones are masked for everyone but the operator."""
    rows = staff_people.list_staff(
        session=session, village_id=scope.village_id, active=active, limit=limit, offset=offset
    )
    full = scope.staff.role == Role.OPERATOR
    return [StaffPublic.of(row, scope.village.code, full_phone=full, now=now) for row in rows]


@router.get("/{staff_id}", responses=NOT_FOUND)
def get_staff(staff_id: PathId, scope: Reader, session: SessionDep, now: NowDep) -> StaffPublic:
    """One staff member of the village."""
    staff = staff_people.get(session=session, staff_id=staff_id, village_id=scope.village_id)
    return _public(session, staff, scope.staff, now)


@router.post("", status_code=201, responses=CONFLICT)
def create_staff(
    body: StaffCreate, caller: Manager, session: SessionDep, now: NowDep, village: VillageCode = None
) -> StaffPublic:
    """Create a staff member (operator only) in the village named by ?village=; an operator, who serves
    every village, is created without ?village. The PIN is stored hashed and never shown; a phone (any
    Indonesian form) links the person's own contact."""
    target: Village | None = None
    if body.role != Role.OPERATOR or village is not None:
        target = resolve_village(caller, session, village)
    with refused_as_unprocessable():
        staff = staff_people.create(
            session=session,
            village=target,
            name=body.name,
            role=body.role,
            phone=body.phone,
            pin=body.pin,
            preferred_channel=body.preferred_channel,
            now=now,
        )
    detail = {"role": staff.role.value, "phone_set": staff.phone is not None, "pin_set": body.pin is not None}
    audit_api(
        session, caller, staff.village_id, "staff.create", now, target=f"staff:{staff.id}", detail=detail
    )
    return _public(session, staff, caller, now)


@router.patch("/{staff_id}", responses={**NOT_FOUND, **CONFLICT})
def update_staff(
    staff_id: PathId,
    body: StaffUpdate,
    caller: Manager,
    session: SessionDep,
    now: NowDep,
    village: VillageCode = None,
) -> StaffPublic:
    """Change a staff member (operator only): name, role, phone, PIN, preferred channel, active. With
    ?village= the person must be of that village; without it any staff member, operators included.

    Deactivating (`active: false`) or a new role (kader, kades, bpd) also revokes every API token the
    person holds, at once, and drops a text command waiting for their confirmation; reactivating does not
    bring the tokens back, and a token for the new role must be created. A new phone links the contact of
    that phone; a new PIN lifts a lock after wrong PINs.
    """
    scoped = resolve_village(caller, session, village) if village is not None else None
    staff = staff_people.get(session=session, staff_id=staff_id, village_id=scoped.id if scoped else None)
    changes = body.changes()
    if changes.get("active") is False and staff.id == caller.staff_id:
        raise Conflict("you cannot deactivate yourself: ask another operator")
    role_was = staff.role
    with refused_as_unprocessable():
        changed, revoked = staff_people.update(session=session, staff=staff, changes=changes, now=now)
    if changed:
        detail: dict[str, Any] = {"changed": sorted(changed)}  # names of fields only: no phone, no PIN
        if "role" in changed:
            detail["role"] = staff.role.value
            detail["role_was"] = role_was.value
        if "active" in changed:
            detail["active"] = staff.active
        if "active" in changed or "role" in changed:
            detail["tokens_revoked"] = revoked
        audit_api(
            session, caller, staff.village_id, "staff.update", now, target=f"staff:{staff.id}", detail=detail
        )
    return _public(session, staff, caller, now)
