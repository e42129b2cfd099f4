"""/api/v1/broadcasts: preview, create, list, read, approve, cancel (or stop in flight)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import Session, col, select

from bot.delivery import dispatch_config
from bot.deps import NowDep, SettingsDep
from bot.routes.api.deps import (
    Approver,
    HooksDep,
    Limit,
    Offset,
    PathId,
    Reader,
    SchedulerHooks,
    Scope,
    SessionDep,
    Writer,
    refused_as_unprocessable,
)
from bot.routes.api.schemas import INT4_MAX, problems
from bot.routes.api.schemas.broadcasts import (
    BroadcastCancelled,
    BroadcastCreate,
    BroadcastCreated,
    BroadcastDetail,
    BroadcastPublic,
    PreviewPublic,
)
from bot.settings import Settings
from broadcasts import preview, service, validate
from models import Broadcast, BroadcastEvent, BroadcastKind, BroadcastRun, BroadcastStatus

router = APIRouter(prefix="/broadcasts", tags=["broadcasts"])

NOT_FOUND = problems({404: "No such broadcast in this village"})
CONFLICT = problems({409: "The broadcast's status forbids it"})


def create_checked(
    *,
    session: Session,
    scope: Scope,
    settings: Settings,
    draft: service.Draft,
    now: datetime,
    hooks: SchedulerHooks,
) -> BroadcastCreated:
    """Create a broadcast only when nothing stops it (broadcasts/validate.py: `check`); 422 says what
    does."""
    with refused_as_unprocessable():
        result = validate.check(
            session=session,
            village=scope.routes(session, settings),
            draft=draft,
            now=now,
            rates=dispatch_config(settings).rates,
        )
        broadcast = service.create(
            session=session,
            village=scope.village,
            draft=draft,
            actor=scope.actor,
            now=now,
            needs_approval=scope.needs_approval,
        )
    scope.audit(
        session,
        "broadcast.create",
        now,
        target=f"broadcast:{broadcast.id}",
        detail={
            "kind": broadcast.kind,
            "status": broadcast.status,
            "recipients": sum(result.counts.recipients.values()),
        },
    )
    hooks.sync(broadcast)
    return BroadcastCreated.of(broadcast, PreviewPublic.of(result, []))


@router.post("/preview")
def preview_broadcast(
    body: BroadcastCreate, scope: Writer, session: SessionDep, settings: SettingsDep, now: NowDep
) -> PreviewPublic:
    """What the broadcast would do if it went now; nothing is stored. `problems` lists what would make
    creating it fail."""
    draft = body.to_draft()
    result = preview.of_draft(
        session=session,
        village=scope.routes(session, settings),
        draft=draft,
        now=now,
        rates=dispatch_config(settings).rates,
    )
    return PreviewPublic.of(result, validate.problems(draft, result))


@router.post("", status_code=201)
def create_broadcast(
    body: BroadcastCreate,
    scope: Writer,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    hooks: HooksDep,
) -> BroadcastCreated:
    """Create a broadcast: `scheduled`, or `pending_approval` for the kinds the village holds for
    approval. 422 for a past time, an empty audience, WhatsApp recipients outside the window with no
    template, a bad recurrence rule or an unknown {variable}."""
    return create_checked(
        session=session, scope=scope, settings=settings, draft=body.to_draft(), now=now, hooks=hooks
    )


@router.get("")
def list_broadcasts(
    scope: Reader,
    session: SessionDep,
    status: BroadcastStatus | None = None,
    kind: BroadcastKind | None = None,
    meeting_id: Annotated[int | None, Query(ge=1, le=INT4_MAX)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[BroadcastPublic]:
    """The village's broadcasts, newest first."""
    query = select(Broadcast).where(Broadcast.village_id == scope.village_id)
    if status is not None:
        query = query.where(Broadcast.status == status)
    if kind is not None:
        query = query.where(Broadcast.kind == kind)
    if meeting_id is not None:
        query = query.where(Broadcast.meeting_id == meeting_id)
    rows = session.exec(
        query.order_by(col(Broadcast.created_at).desc(), col(Broadcast.id).desc()).offset(offset).limit(limit)
    ).all()
    return [BroadcastPublic.model_validate(row) for row in rows]


@router.get("/{broadcast_id}", responses=NOT_FOUND)
def get_broadcast(broadcast_id: PathId, scope: Reader, session: SessionDep) -> BroadcastDetail:
    """A broadcast with its runs, what they reached (sent, delivered, read, failed by reason, cost) and
    who did what to it."""
    broadcast = service.get(session=session, village_id=scope.village_id, broadcast_id=broadcast_id)
    run_rows = session.exec(
        select(BroadcastRun)
        .where(BroadcastRun.broadcast_id == broadcast_id)
        .order_by(col(BroadcastRun.due_at))
    ).all()
    events = session.exec(
        select(BroadcastEvent)
        .where(BroadcastEvent.broadcast_id == broadcast_id)
        .order_by(col(BroadcastEvent.created_at), col(BroadcastEvent.id))
    ).all()
    report = service.report(session=session, broadcast=broadcast)
    return BroadcastDetail.of(broadcast, run_rows, report, events)


@router.post("/{broadcast_id}/approve", responses=NOT_FOUND | CONFLICT)
def approve_broadcast(
    broadcast_id: PathId, scope: Approver, session: SessionDep, now: NowDep, hooks: HooksDep
) -> BroadcastPublic:
    """Approve a broadcast waiting for it (`pending_approval` -> `scheduled`); its creator cannot (409)."""
    broadcast = service.get(session=session, village_id=scope.village_id, broadcast_id=broadcast_id)
    service.approve(session=session, broadcast=broadcast, actor=scope.actor, now=now)
    scope.audit(session, "broadcast.approve", now, target=f"broadcast:{broadcast.id}")
    hooks.sync(broadcast)
    return BroadcastPublic.model_validate(broadcast)


@router.post("/{broadcast_id}/cancel", responses=NOT_FOUND | CONFLICT)
def cancel_broadcast(
    broadcast_id: PathId, scope: Writer, session: SessionDep, now: NowDep, hooks: HooksDep
) -> BroadcastCancelled:
    """Cancel a broadcast that has not gone yet, or stop one in flight: its queued messages are
    cancelled (how many is answered), those already sent stay counted."""
    broadcast = service.get(session=session, village_id=scope.village_id, broadcast_id=broadcast_id)
    stopped = service.cancel(session=session, broadcast=broadcast, actor=scope.actor, now=now)
    scope.audit(
        session, "broadcast.cancel", now, target=f"broadcast:{broadcast.id}", detail={"cancelled": stopped}
    )
    hooks.sync(broadcast)
    return BroadcastCancelled(**dict(BroadcastPublic.model_validate(broadcast)), cancelled_messages=stopped)
