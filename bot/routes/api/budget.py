"""/api/v1/budget: APBDes lines, a year's totals, and the `dana_desa` summary broadcast."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from sqlalchemy import case
from sqlmodel import Session, col, select

from bot.deps import NowDep, SettingsDep
from bot.routes.api.broadcasts import create_checked
from bot.routes.api.deps import HooksDep, Reader, Scope, SessionDep, Unprocessable, Writer
from bot.routes.api.schemas.broadcasts import BroadcastCreated
from bot.routes.api.schemas.budget import BudgetLineCreate, BudgetLinePublic, BudgetPublic, BudgetTotalsPublic
from broadcasts import announcements
from models import BudgetDirection, BudgetLine

router = APIRouter(prefix="/budget", tags=["budget"])

Year = Annotated[
    int | None,
    Query(ge=2000, le=2100, description="The budget year; omitted: this year in the village's zone"),
]


def _year(year: int | None, scope: Scope, now: datetime) -> int:
    return year if year is not None else now.astimezone(ZoneInfo(scope.village.timezone)).year


def _lines(session: Session, scope: Scope, year: int) -> Sequence[BudgetLine]:
    income_first = case((col(BudgetLine.direction) == BudgetDirection.INCOME, 0), else_=1)
    return session.exec(
        select(BudgetLine)
        .where(BudgetLine.village_id == scope.village_id, BudgetLine.year == year)
        .order_by(income_first, col(BudgetLine.bidang), col(BudgetLine.amount).desc(), col(BudgetLine.id))
    ).all()


@router.post("", status_code=201)
def create_budget_line(
    body: BudgetLineCreate, scope: Writer, session: SessionDep, now: NowDep
) -> BudgetLinePublic:
    """Add an APBDes line (amounts in integer Rupiah)."""
    line = BudgetLine(village_id=scope.village_id, **body.model_dump())
    session.add(line)
    session.flush()
    scope.audit(session, "budget.create", now, target=f"budget:{line.id}", detail={"year": line.year})
    return BudgetLinePublic.of(line)


@router.get("")
def get_budget(scope: Reader, session: SessionDep, now: NowDep, year: Year = None) -> BudgetPublic:
    """A year's lines (income first, then spending by bidang, largest first) and its totals."""
    chosen = _year(year, scope, now)
    lines = _lines(session, scope, chosen)
    return BudgetPublic(
        year=chosen,
        lines=[BudgetLinePublic.of(line) for line in lines],
        totals=BudgetTotalsPublic.of(announcements.totals(lines)),
    )


@router.post("/announce", status_code=201)
def announce_budget(
    scope: Writer,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    hooks: HooksDep,
    year: Year = None,
) -> BroadcastCreated:
    """Send the year's APBDes summary as a `dana_desa` broadcast now, to every subscriber who takes that
    topic: totals and realisation in one GSM-7 SMS, every line (activity, location, amount) on WhatsApp."""
    chosen = _year(year, scope, now)
    lines = _lines(session, scope, chosen)
    if not lines:
        raise Unprocessable(f"no budget lines for {chosen}: add them first")
    draft = announcements.budget_draft(lines, chosen, scope.village)
    return create_checked(session=session, scope=scope, settings=settings, draft=draft, now=now, hooks=hooks)
