"""/api/v1/meetings: announce a meeting (its reminders planned), move it, call it off."""

from collections.abc import Sequence
from datetime import UTC, datetime

from fastapi import APIRouter
from sqlalchemy import case
from sqlmodel import Session, and_, col, select

from bot.deps import NowDep
from bot.routes.api.deps import (
    HooksDep,
    Limit,
    Offset,
    PathId,
    Reader,
    SchedulerHooks,
    Scope,
    SessionDep,
    Unprocessable,
    Writer,
    refused_as_unprocessable,
)
from bot.routes.api.schemas import problems
from bot.routes.api.schemas.broadcasts import BroadcastPublic
from bot.routes.api.schemas.meetings import (
    MeetingChanged,
    MeetingCreate,
    MeetingDetail,
    MeetingPublic,
    MeetingUpdate,
)
from broadcasts import meetings
from models import Area, AreaKind, Broadcast, BroadcastStatus, Meeting, MeetingStatus

router = APIRouter(prefix="/meetings", tags=["meetings"])

NOT_FOUND = problems({404: "No such meeting in this village"})
CONFLICT = problems({409: "The meeting was already cancelled or held"})


def _broadcasts(session: Session, meeting: Meeting) -> Sequence[Broadcast]:
    return session.exec(
        select(Broadcast)
        .where(Broadcast.meeting_id == meeting.id)
        .order_by(col(Broadcast.send_at), col(Broadcast.id))
    ).all()


def _future(starts_at: datetime, now: datetime) -> datetime:
    if starts_at <= now:
        raise Unprocessable(f"starts_at {starts_at.isoformat()} is in the past")
    if starts_at > now + meetings.FURTHEST:
        raise Unprocessable(f"starts_at {starts_at.isoformat()} is more than a year ahead")
    return starts_at.astimezone(UTC)


def _known_dusun(session: Session, scope: Scope, dusun: str) -> str:
    """The dusun as the village spells it; 422 for one it does not have (when it has listed any)."""
    names = session.exec(
        select(Area.name).where(Area.village_id == scope.village_id, Area.kind == AreaKind.DUSUN)
    ).all()
    if not names:
        return dusun
    for name in names:
        if name.lower() == dusun.strip().lower():
            return name
    raise Unprocessable(f"no dusun {dusun!r} in {scope.village.name} (known: {', '.join(sorted(names))})")


def _changed(
    session: Session, meeting: Meeting, before: dict[int | None, BroadcastStatus], hooks: SchedulerHooks
) -> list[Broadcast]:
    """Every broadcast of the meeting, telling the scheduler about the new and the dropped ones."""
    everything = list(_broadcasts(session, meeting))
    hooks.sync(*(b for b in everything if before.get(b.id) != b.status))
    return everything


@router.post("", status_code=201)
def create_meeting(
    body: MeetingCreate, scope: Writer, session: SessionDep, now: NowDep, hooks: HooksDep
) -> MeetingDetail:
    """Announce a meeting: the announcement goes now, the reminders are planned (those already past are
    skipped). A musdus goes to its dusun, every other meeting to the whole village."""
    meeting = Meeting(
        village_id=scope.village_id,
        kind=body.kind,
        title=body.title,
        starts_at=_future(body.starts_at, now),
        place=body.place,
        agenda=body.agenda,
        dusun=_known_dusun(session, scope, body.dusun) if body.dusun else None,
    )
    with refused_as_unprocessable():
        made = meetings.create(
            session=session, village=scope.village, meeting=meeting, actor=scope.actor, now=now
        )
    scope.audit(session, "meeting.create", now, target=f"meeting:{meeting.id}", detail={"kind": meeting.kind})
    hooks.sync(*made)
    return MeetingDetail.with_broadcasts(meeting, scope.village.timezone, made)


@router.get("")
def list_meetings(
    scope: Reader,
    session: SessionDep,
    now: NowDep,
    status: MeetingStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[MeetingPublic]:
    """The village's meetings: upcoming ones first (soonest first), then the rest (latest first)."""
    upcoming = and_(col(Meeting.starts_at) >= now, col(Meeting.status) == MeetingStatus.SCHEDULED)
    query = select(Meeting).where(Meeting.village_id == scope.village_id)
    if status is not None:
        query = query.where(Meeting.status == status)
    rows = session.exec(
        query.order_by(
            case((upcoming, 0), else_=1),
            case((upcoming, col(Meeting.starts_at)), else_=None),
            col(Meeting.starts_at).desc(),
            col(Meeting.id),
        )
        .offset(offset)
        .limit(limit)
    ).all()
    return [MeetingPublic.of(row, scope.village.timezone) for row in rows]


@router.get("/{meeting_id}", responses=NOT_FOUND)
def get_meeting(meeting_id: PathId, scope: Reader, session: SessionDep) -> MeetingDetail:
    """A meeting and every broadcast about it."""
    meeting = scope.get(session, Meeting, meeting_id, "meeting")
    return MeetingDetail.with_broadcasts(meeting, scope.village.timezone, _broadcasts(session, meeting))


@router.patch("/{meeting_id}", responses=NOT_FOUND | CONFLICT)
def move_meeting(
    meeting_id: PathId, body: MeetingUpdate, scope: Writer, session: SessionDep, now: NowDep, hooks: HooksDep
) -> MeetingChanged:
    """Move a meeting and/or change its place: everyone already told gets a correction now, pending
    reminders are dropped and planned again for the new time. The same time and place: nothing happens."""
    meeting = scope.get(session, Meeting, meeting_id, "meeting")
    starts_at = _future(body.starts_at, now) if body.starts_at is not None else meeting.starts_at
    place = body.place if body.place is not None else meeting.place
    if starts_at == meeting.starts_at and place == meeting.place:
        detail = MeetingDetail.with_broadcasts(meeting, scope.village.timezone, _broadcasts(session, meeting))
        return MeetingChanged(**dict(detail), notice=None)
    before = {b.id: b.status for b in _broadcasts(session, meeting)}
    with refused_as_unprocessable():
        notice = meetings.move(
            session=session,
            village=scope.village,
            meeting=meeting,
            starts_at=starts_at,
            place=place,
            actor=scope.actor,
            now=now,
        )
    scope.audit(session, "meeting.move", now, target=f"meeting:{meeting.id}")
    everything = _changed(session, meeting, before, hooks)
    return _answer(meeting, scope, everything, notice)


@router.post("/{meeting_id}/cancel", responses=NOT_FOUND | CONFLICT)
def cancel_meeting(
    meeting_id: PathId, scope: Writer, session: SessionDep, now: NowDep, hooks: HooksDep
) -> MeetingChanged:
    """Call a meeting off: pending reminders are dropped and everyone already told gets a cancellation."""
    meeting = scope.get(session, Meeting, meeting_id, "meeting")
    before = {b.id: b.status for b in _broadcasts(session, meeting)}
    with refused_as_unprocessable():
        notice = meetings.cancel(
            session=session, village=scope.village, meeting=meeting, actor=scope.actor, now=now
        )
    scope.audit(session, "meeting.cancel", now, target=f"meeting:{meeting.id}")
    everything = _changed(session, meeting, before, hooks)
    return _answer(meeting, scope, everything, notice)


def _answer(
    meeting: Meeting, scope: Scope, broadcasts: list[Broadcast], notice: Broadcast | None
) -> MeetingChanged:
    detail = MeetingDetail.with_broadcasts(meeting, scope.village.timezone, broadcasts)
    return MeetingChanged(**dict(detail), notice=BroadcastPublic.model_validate(notice) if notice else None)
