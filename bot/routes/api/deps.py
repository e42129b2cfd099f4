"""What every API route needs: the request's transaction, the caller's village and rights, and the
scheduler's hooks once that transaction has committed."""

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import BackgroundTasks, Depends, Path, Query, Request
from sqlmodel import Session, select

from bot.db import transaction
from bot.deps import EngineDep
from bot.providers.registry import configured_channels
from bot.routes.api.schemas import INT4_MAX
from bot.security import Principal, allow
from bot.settings import Settings
from broadcasts import runs
from broadcasts.fanout import VillageRoutes
from handlers import audit
from handlers.audit import StaffActor
from handlers.rights import Right, roles_with
from models import Broadcast, BroadcastKind, BroadcastStatus, Village
from models.base import VillageRow
from models.errors import BadRequest, KentonganError, NotFound

log = logging.getLogger("kentongan.api")


PathId = Annotated[int, Path(ge=1, le=INT4_MAX)]
Offset = Annotated[int, Query(ge=0, le=INT4_MAX)]
Limit = Annotated[int, Query(ge=1, le=500)]


class Unprocessable(KentonganError):
    """Well-formed input that cannot be acted on (a past time, an empty audience): 422, like every other
    invalid value in a request body."""

    status_code = 422


@contextmanager
def refused_as_unprocessable() -> Iterator[None]:
    """The domain's BadRequest about submitted values, answered as 422 like the schema's own checks."""
    try:
        yield
    except BadRequest as error:
        raise Unprocessable(error.message) from error


def get_session(engine: EngineDep) -> Iterator[Session]:
    """The request's transaction: committed when the route returns, rolled back when it raises."""
    with transaction(engine) as session:
        yield session


# scope="function": committed before the answer is sent, so a client never sees a 201 that was lost.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

VillageCode = Annotated[
    str | None,
    Query(
        alias="village",
        min_length=1,
        max_length=32,
        pattern=r"^[^\x00]+$",
        description="Operator only: the code of the village to act on (other roles act on their own).",
        examples=["DEMO"],
    ),
]


def api_actor(staff: Principal) -> StaffActor:
    """A caller of the REST API as the audit log records them."""
    return StaffActor(staff.staff_id, staff.role, "api")


def audit_api(
    session: Session,
    staff: Principal,
    village_id: int | None,
    action: str,
    now: datetime,
    *,
    target: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Record an API caller's action in the audit log (committed with the action); `Scope.audit` where
    the route acts on a village it resolved."""
    audit.record(
        session=session,
        actor=api_actor(staff),
        village_id=village_id,
        action=action,
        now=now,
        target=target,
        detail=detail,
    )


Owned = TypeVar("Owned", bound=VillageRow)


@dataclass(frozen=True, slots=True)
class Scope:
    """Who acts, and on which village."""

    staff: Principal
    village: Village

    @property
    def actor(self) -> str:
        """How the action is recorded: 'kader:3'."""
        return self.staff.actor

    @property
    def village_id(self) -> int:
        """The village's id."""
        assert self.village.id is not None
        return self.village.id

    @property
    def by(self) -> StaffActor:
        """The caller as the audit log records them."""
        return api_actor(self.staff)

    def audit(
        self,
        session: Session,
        action: str,
        now: datetime,
        target: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Record the caller's action on this village in the audit log (committed with the action)."""
        audit_api(session, self.staff, self.village_id, action, now, target=target, detail=detail)

    def routes(self, session: Session, settings: Settings) -> VillageRoutes:
        """How messages reach this village's residents on the channels this deployment sends on."""
        return runs.village_routes(
            session=session, village=self.village, available=configured_channels(settings)
        )

    def owned(self, session: Session, model: type[Owned], row_id: int) -> Owned | None:
        """The row of `model` with this id when it belongs to this village; None otherwise."""
        row = session.get(model, row_id)
        return row if row is not None and row.village_id == self.village_id else None

    def get(self, session: Session, model: type[Owned], row_id: int, what: str) -> Owned:
        """The village's row of `model` with this id; 404 "no <what> <id>" for another village's too."""
        row = self.owned(session, model, row_id)
        if row is None:
            raise NotFound(f"no {what} {row_id}")
        return row

    @property
    def needs_approval(self) -> frozenset[BroadcastKind]:
        """Broadcast kinds this village holds for a second person's approval."""
        return frozenset(BroadcastKind(kind) for kind in self.village.approval_kinds)


def resolve_village(staff: Principal, session: Session, code: str | None) -> Village:
    """The staff member's own village; the operator names one with ?village=CODE.

    Another village (or an unknown code) is 404: whether it exists does not leak.
    """
    village: Village | None
    if staff.village_id is None:
        if not code:
            raise BadRequest("the operator acts on every village: name one with ?village=CODE")
        village = session.exec(select(Village).where(Village.code == code)).first()
    else:
        village = session.get(Village, staff.village_id)
        if village is not None and code and code != village.code:
            village = None
    if village is None:
        raise NotFound(f"no village {code}")
    return village


def _scoped(check: Callable[..., Any]) -> Callable[..., Scope]:
    def scope(
        staff: Annotated[Principal, Depends(check)], session: SessionDep, village: VillageCode = None
    ) -> Scope:
        return Scope(staff, resolve_village(staff, session, village))

    return scope


def requires(right: Right, what: str) -> Callable[..., Scope]:
    """A dependency giving the caller's Scope when their role has `right` (handlers/rights.py); 403
    naming `what` they may not do otherwise."""
    return _scoped(allow(roles_with(right), what))


Reader = Annotated[Scope, Depends(requires(Right.READ, "read"))]
Writer = Annotated[
    Scope,
    Depends(requires(Right.BROADCAST, "create or change broadcasts, meetings, decisions or budget lines")),
]
Approver = Annotated[Scope, Depends(requires(Right.APPROVE, "approve broadcasts"))]


class Scheduling(Protocol):
    """What the API tells the scheduler about a broadcast, once the change is committed.

    bot/scheduling.py: `SchedulingService` is the one implementation (both calls are no-ops unless this
    process leads the scheduling); tests stand in for it.
    """

    async def schedule(self, broadcast_id: int, at: datetime) -> object:
        """The broadcast waits for `at`: (re)plan its firing."""
        ...

    async def unschedule(self, broadcast_id: int) -> object:
        """The broadcast no longer waits: drop its firing."""
        ...


@dataclass(frozen=True, slots=True)
class SchedulerHooks:
    """Tells the scheduler, when the app has one, about broadcasts that changed, after the commit.

    Optional: the scheduler also finds due broadcasts in the tables by itself. A failure is logged, never
    the client's problem.
    """

    scheduling: Scheduling | None
    tasks: BackgroundTasks

    def sync(self, *broadcasts: Broadcast) -> None:
        """Schedule each broadcast that waits for its time; unschedule each that no longer does."""
        if self.scheduling is None:
            return
        for broadcast in broadcasts:
            if broadcast.id is None:
                continue
            if (at := broadcast.waits_until) is not None:
                self.tasks.add_task(_schedule, self.scheduling, broadcast.id, at)
            elif broadcast.status != BroadcastStatus.PENDING_APPROVAL:
                self.tasks.add_task(_unschedule, self.scheduling, broadcast.id)


# On the event loop (not a worker thread), as an asyncio scheduler expects its callers to be.
async def _schedule(scheduling: Scheduling, broadcast_id: int, at: datetime) -> None:
    try:
        await scheduling.schedule(broadcast_id, at)
    except Exception:
        log.exception(
            "scheduling broadcast %d at %s failed; the scheduler will find it itself", broadcast_id, at
        )


async def _unschedule(scheduling: Scheduling, broadcast_id: int) -> None:
    try:
        await scheduling.unschedule(broadcast_id)
    except Exception:
        log.exception("unscheduling broadcast %d failed; the scheduler will find it itself", broadcast_id)


async def get_hooks(request: Request, tasks: BackgroundTasks) -> SchedulerHooks:
    """The scheduler hooks of this request (none when the app has no scheduler)."""
    scheduling: Scheduling | None = getattr(request.app.state, "scheduling", None)
    return SchedulerHooks(scheduling, tasks)


HooksDep = Annotated[SchedulerHooks, Depends(get_hooks)]
