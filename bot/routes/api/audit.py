"""/api/v1/audit: the log of staff actions (who, what, when, from which channel), for supervision.

The operator, the head and the BPD read it (handlers/rights.py). Entries about a complaint about the
head are left out for the head, like the complaint itself.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import literal
from sqlmodel import col, select

from bot.routes.api.deps import Limit, Offset, Scope, SessionDep, requires
from bot.routes.api.schemas import Moment
from bot.routes.api.schemas.audit import AuditEntryPublic
from handlers import rights
from handlers.rights import Right
from models import AuditEntry, Ticket

router = APIRouter(prefix="/audit", tags=["audit"])

ACTION = r"^[a-z_.]+$"
ACTOR = r"^(operator|kader|kades|bpd)(:\d{1,10})?$"
Auditor = Annotated[Scope, Depends(requires(Right.AUDIT_READ, "read the audit log"))]


@router.get("")
def list_audit(
    scope: Auditor,
    session: SessionDep,
    action: Annotated[str | None, Query(max_length=48, pattern=ACTION, examples=["ticket"])] = None,
    actor: Annotated[str | None, Query(max_length=80, pattern=ACTOR, examples=["kader:3"])] = None,
    since: Moment | None = None,
    until: Moment | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[AuditEntryPublic]:
    """The village's staff actions, newest first. `action` matches a prefix ("ticket" finds
    ticket.status, ticket.note, ...); `actor` is exact ("kader:3") or a role ("kades")."""
    query = select(AuditEntry).where(AuditEntry.village_id == scope.village_id)
    if action:
        query = query.where(col(AuditEntry.action).startswith(action, autoescape=True))
    if actor:
        column = col(AuditEntry.actor) if ":" in actor else col(AuditEntry.role)
        query = query.where(column == actor)
    if since is not None:
        query = query.where(col(AuditEntry.created_at) >= since)
    if until is not None:
        query = query.where(col(AuditEntry.created_at) < until)
    if rights.hides_about_head(scope.staff.role):
        hidden = select(literal("ticket:") + col(Ticket.code)).where(
            Ticket.village_id == scope.village_id, col(Ticket.about_head).is_(True)
        )
        query = query.where(col(AuditEntry.target).is_(None) | col(AuditEntry.target).not_in(hidden))
    rows = session.exec(
        query.order_by(col(AuditEntry.created_at).desc(), col(AuditEntry.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [AuditEntryPublic.model_validate(row) for row in rows]
