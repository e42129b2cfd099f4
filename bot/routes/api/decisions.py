"""/api/v1/decisions: record a decision or sanction, and announce it as a `keputusan` broadcast."""

from zoneinfo import ZoneInfo

from fastapi import APIRouter
from sqlmodel import col, select

from bot.deps import NowDep, SettingsDep
from bot.routes.api.broadcasts import create_checked
from bot.routes.api.deps import HooksDep, Limit, Offset, PathId, Reader, SessionDep, Unprocessable, Writer
from bot.routes.api.schemas import problems
from bot.routes.api.schemas.decisions import DecisionCreate, DecisionCreated, DecisionPublic
from broadcasts import announcements
from models import Decision, DecisionKind, Meeting

router = APIRouter(prefix="/decisions", tags=["decisions"])


@router.post("", status_code=201)
def create_decision(
    body: DecisionCreate,
    scope: Writer,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    hooks: HooksDep,
) -> DecisionCreated:
    """Record a decision or sanction; with `announce`, a `keputusan` broadcast goes now to every
    subscriber who takes that topic (one GSM-7 SMS where the title allows, the full text on WhatsApp).
    If the announcement cannot be made (422), the decision is not recorded either."""
    if body.meeting_id is not None and scope.owned(session, Meeting, body.meeting_id) is None:
        raise Unprocessable(f"meeting_id {body.meeting_id}: no such meeting in this village")
    decision = Decision(
        village_id=scope.village_id,
        kind=body.kind,
        title=body.title,
        text=body.text,
        meeting_id=body.meeting_id,
        effective_date=body.effective_date,
    )
    session.add(decision)
    session.flush()
    scope.audit(
        session, "decision.create", now, target=f"decision:{decision.id}", detail={"kind": decision.kind}
    )
    broadcast = None
    if body.announce:
        today = now.astimezone(ZoneInfo(scope.village.timezone)).date()
        draft = announcements.decision_draft(decision, scope.village, today=today)
        broadcast = create_checked(
            session=session, scope=scope, settings=settings, draft=draft, now=now, hooks=hooks
        )
    return DecisionCreated(**dict(DecisionPublic.model_validate(decision)), broadcast=broadcast)


@router.get("")
def list_decisions(
    scope: Reader,
    session: SessionDep,
    kind: DecisionKind | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[DecisionPublic]:
    """The village's decisions and sanctions, latest in force first."""
    query = select(Decision).where(Decision.village_id == scope.village_id)
    if kind is not None:
        query = query.where(Decision.kind == kind)
    rows = session.exec(
        query.order_by(col(Decision.effective_date).desc(), col(Decision.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [DecisionPublic.model_validate(row) for row in rows]


@router.get("/{decision_id}", responses=problems({404: "No such decision"}))
def get_decision(decision_id: PathId, scope: Reader, session: SessionDep) -> DecisionPublic:
    """One decision or sanction."""
    return DecisionPublic.model_validate(scope.get(session, Decision, decision_id, "decision"))
