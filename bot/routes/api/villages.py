"""/api/v1/villages: the operator creates villages and assigns the addresses they answer on; the village
head (kades) changes the settings of their own village; everyone reads their own village.

A village is addressed by its code in the path. Another village's code answers 404 for everyone but the
operator, so that its existence does not leak. Inbound messages find their village through a cache
(handlers.contacts.Directory): every change here that the cache holds (addresses, dusun, name, zone,
prices, holidays) makes the app forget it, at once and again after the commit, so the next message is
routed by the new state.
"""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Request, Response
from sqlmodel import Session

from bot.deps import NowDep
from bot.routes.api.deps import (
    HooksDep,
    Limit,
    Offset,
    PathId,
    Scope,
    SessionDep,
    audit_api,
    refused_as_unprocessable,
    resolve_village,
)
from bot.routes.api.schemas import problems
from bot.routes.api.schemas.villages import (
    AddressCreate,
    AddressPublic,
    AreaCreate,
    AreaPublic,
    VillageCreate,
    VillageDetail,
    VillagePublic,
    VillageUpdate,
)
from bot.security import Principal, allow
from handlers import villages
from handlers.contacts import Directory
from handlers.rights import Right, roles_with
from models import Role, Village
from models.errors import Forbidden

router = APIRouter(prefix="/villages", tags=["villages"])

CodePath = Annotated[
    str,
    Path(
        min_length=1, max_length=32, pattern=r"^[^\x00]+$", description="The village code", examples=["DEMO"]
    ),
]
Creator = Annotated[
    Principal, Depends(allow(roles_with(Right.VILLAGE_CREATE), "create villages or assign their addresses"))
]
Settler = Annotated[Principal, Depends(allow(roles_with(Right.VILLAGE_SETTINGS), "change village settings"))]
Viewer = Annotated[Principal, Depends(allow(roles_with(Right.READ), "read"))]

NOT_FOUND = problems({404: "No such village"})
IN_USE = problems({409: "The code, address or area is already in use"})


class Forgetter:
    """Makes the app's address cache forget: now, and once more after the request's commit (a message
    arriving between the two would otherwise cache the state that is about to change)."""

    def __init__(self, directory: Directory | None, tasks: BackgroundTasks) -> None:
        self.directory = directory
        self.tasks = tasks

    def __call__(self) -> None:
        """Forget now and after the commit."""
        if self.directory is not None:
            self.directory.forget()
            self.tasks.add_task(self.directory.forget)  # background tasks run after the commit


async def get_forgetter(request: Request, tasks: BackgroundTasks) -> Forgetter:
    """The forgetter of the app's Directory (none when the app runs no inbound service)."""
    inbound = getattr(request.app.state, "inbound", None)
    directory = getattr(inbound, "directory", None)
    return Forgetter(directory if isinstance(directory, Directory) else None, tasks)


ForgetDep = Annotated[Forgetter, Depends(get_forgetter)]


def _detail(session: Session, village: Village) -> VillageDetail:
    assert village.id is not None
    return VillageDetail.with_parts(
        village,
        list(villages.addresses(session=session, village_id=village.id)),
        list(villages.areas(session=session, village_id=village.id)),
    )


@router.post("", status_code=201, responses=IN_USE)
def create_village(
    body: VillageCreate, staff: Creator, session: SessionDep, now: NowDep, forget: ForgetDep
) -> VillageDetail:
    """Create a village (operator only) with its dusun and addresses; it answers on them at once.
    A code already used (in any letter case) or an address any village answers on is 409. Quiet hours
    (default 21:00 to 06:00) last at most 12 hours."""
    with refused_as_unprocessable():
        village = villages.create(
            session=session,
            code=body.code,
            name=body.name,
            timezone=body.timezone,
            quiet_start=body.quiet_start,
            quiet_end=body.quiet_end,
            dusun=body.dusun,
            addresses=[(a.channel, a.address) for a in body.addresses],
            now=now,
        )
    # No Scope yet (resolve_village finds existing villages only): record against the new village directly.
    audit_api(
        session,
        staff,
        village.id,
        "village.create",
        now,
        target=f"village:{village.code}",
        detail={
            "timezone": village.timezone,
            "dusun": len(body.dusun),
            "channels": sorted({a.channel.value for a in body.addresses}),
        },
    )
    forget()
    return _detail(session, village)


@router.get("")
def list_villages(
    staff: Viewer, session: SessionDep, limit: Limit = 50, offset: Offset = 0
) -> list[VillagePublic]:
    """The operator: every village, by code; everyone else: their own village."""
    if staff.role == Role.OPERATOR:
        rows = villages.list_villages(session=session, limit=limit, offset=offset)
        return [VillagePublic.of(village) for village in rows]
    own = session.get(Village, staff.village_id)
    return [VillagePublic.of(own)] if own is not None and offset == 0 else []


@router.get("/{code}", responses=NOT_FOUND)
def get_village(code: CodePath, staff: Viewer, session: SessionDep) -> VillageDetail:
    """One village with its addresses and areas (another village's code is 404 but to the operator)."""
    return _detail(session, resolve_village(staff, session, code))


@router.patch("/{code}", responses=NOT_FOUND)
def update_village(
    code: CodePath,
    body: VillageUpdate,
    staff: Settler,
    session: SessionDep,
    now: NowDep,
    forget: ForgetDep,
    hooks: HooksDep,
) -> VillageDetail:
    """Change settings: quiet hours, prices, weekly blackouts, holidays, the broadcast kinds that need
    approval, and when digests go. The operator may change every village and every setting; the village
    head (kades) his own village's quiet hours, prices, blackouts and digest time, but not what his
    oversight depends on (holidays, which digests go, approvals) nor its name or time zone (403).
    Quiet hours last at most 12 hours, checked with the other end as stored when only one is given
    (422 otherwise); equal start and end mean none. A new time zone keeps every meeting and broadcast
    still ahead at its hour on the village's clock (what residents were told stays true)."""
    village = resolve_village(staff, session, code)
    changes = body.changes()
    reserved = sorted(villages.OPERATOR_ONLY & changes.keys())
    if staff.role != Role.OPERATOR and reserved:
        raise Forbidden(f"role {staff.role.value} may not change {', '.join(reserved)} (allowed: operator)")
    with refused_as_unprocessable():
        change = villages.update_settings(session=session, village=village, changes=changes, now=now)
    if change.values:
        detail: dict[str, object] = {"changed": change.values}
        if change.zone_move is not None:
            moved = change.zone_move
            detail["kept_on_local_clock"] = {"broadcasts": len(moved.broadcasts), "meetings": moved.meetings}
        if change.replanned:
            detail["replanned_for_quiet_hours"] = len(change.replanned)
        hooks.sync(*change.rescheduled)
        Scope(staff, village).audit(
            session, "village.update", now, target=f"village:{village.code}", detail=detail
        )
        forget()
    return _detail(session, village)


@router.post("/{code}/addresses", status_code=201, responses={**NOT_FOUND, **IN_USE})
def add_address(
    code: CodePath, body: AddressCreate, staff: Creator, session: SessionDep, now: NowDep, forget: ForgetDep
) -> AddressPublic:
    """Make the village answer on an address (operator only). 409 when any village already does; 422
    when the address does not fit its channel."""
    village = resolve_village(staff, session, code)
    with refused_as_unprocessable():
        row = villages.add_address(
            session=session, village=village, channel=body.channel, address=body.address
        )
    Scope(staff, village).audit(
        session,
        "village.address_add",
        now,
        target=f"village:{village.code}",
        detail={"address_id": row.id, "channel": row.channel.value},
    )
    forget()
    return AddressPublic.of(row)


@router.delete(
    "/{code}/addresses/{address_id}",
    status_code=204,
    response_class=Response,
    responses=problems({404: "No such village, or no such address of it"}),
)
def remove_address(
    code: CodePath, address_id: PathId, staff: Creator, session: SessionDep, now: NowDep, forget: ForgetDep
) -> Response:
    """Stop the village answering on one of its addresses (operator only); inbound to it is 404 at once."""
    village = resolve_village(staff, session, code)
    row = villages.remove_address(session=session, village=village, address_id=address_id)
    Scope(staff, village).audit(
        session,
        "village.address_remove",
        now,
        target=f"village:{village.code}",
        detail={"address_id": address_id, "channel": row.channel.value},
    )
    forget()
    return Response(status_code=204)


@router.post("/{code}/areas", status_code=201, responses={**NOT_FOUND, **IN_USE})
def add_area(
    code: CodePath, body: AreaCreate, staff: Settler, session: SessionDep, now: NowDep, forget: ForgetDep
) -> AreaPublic:
    """Add a dusun, RW or RT (the operator, or the kades of their own village); 409 when it exists."""
    village = resolve_village(staff, session, code)
    with refused_as_unprocessable():
        area = villages.add_area(
            session=session, village=village, kind=body.kind, name=body.name, parent_id=body.parent_id
        )
    Scope(staff, village).audit(
        session,
        "village.area_add",
        now,
        target=f"area:{area.id}",
        detail={"kind": area.kind.value, "name": area.name, "parent_id": area.parent_id},
    )
    forget()  # the pipeline knows a village's dusun names from the same cache
    return AreaPublic.model_validate(area)
