"""The village's own information residents ask about: meetings, decisions, budget, programmes, services."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, String, Text
from sqlmodel import Field

from models.base import EnumText, UTCDateTime, VillageRow, utcnow


class MeetingKind(StrEnum):
    """Kinds of village deliberation (docs/domain.md)."""

    MUSDUS = "musdus"
    MUSDES = "musdes"
    MUSRENBANGDES = "musrenbangdes"
    MUSDES_RKPDES = "musdes_rkpdes"
    MUSDESUS = "musdesus"
    LAINNYA = "lainnya"


MEETING_LABELS: dict[MeetingKind, str] = {
    MeetingKind.MUSDUS: "Musdus",
    MeetingKind.MUSDES: "Musdes",
    MeetingKind.MUSRENBANGDES: "Musrenbangdes",
    MeetingKind.MUSDES_RKPDES: "Musdes RKPDes",
    MeetingKind.MUSDESUS: "Musdesus",
    MeetingKind.LAINNYA: "Rapat",
}


class MeetingStatus(StrEnum):
    """scheduled -> (moved: still scheduled, new time) -> held | cancelled."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    HELD = "held"


class Meeting(VillageRow, table=True):
    """A deliberation with time, place, agenda and audience (a Musdus is for its dusun)."""

    __tablename__ = "meeting"

    kind: MeetingKind = Field(sa_type=EnumText(MeetingKind, 16))
    title: str = Field(sa_type=String(200))
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    place: str = Field(sa_type=String(200))
    agenda: str = Field(default="", sa_type=Text)
    dusun: str | None = Field(default=None, sa_type=String(80), description="Audience; None: whole village")
    status: MeetingStatus = Field(default=MeetingStatus.SCHEDULED, sa_type=EnumText(MeetingStatus, 12))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DecisionKind(StrEnum):
    """A decision of a deliberation, or a sanction it agreed."""

    KEPUTUSAN = "keputusan"
    SANKSI = "sanksi"


class Decision(VillageRow, table=True):
    """A decision or sanction agreed in a deliberation."""

    __tablename__ = "decision"

    kind: DecisionKind = Field(default=DecisionKind.KEPUTUSAN, sa_type=EnumText(DecisionKind, 12))
    title: str = Field(sa_type=String(200))
    text: str = Field(default="", sa_type=Text)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    effective_date: date
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BudgetDirection(StrEnum):
    """APBDes lines are income (pendapatan) or spending (belanja)."""

    INCOME = "income"
    SPENDING = "spending"


class BudgetLine(VillageRow, table=True):
    """One APBDes line: an income source, or a spending activity with location and amount (integer Rupiah)."""

    __tablename__ = "budget_line"

    year: int = Field(index=True)
    direction: BudgetDirection = Field(sa_type=EnumText(BudgetDirection, 10))
    bidang: int | None = Field(default=None, description="Spending field 1-5")
    source: str | None = Field(default=None, sa_type=String(40), description="DD, ADD, PADes, ...")
    activity: str = Field(sa_type=String(200))
    location: str = Field(default="", sa_type=String(120))
    amount: int = Field(sa_type=BigInteger, description="Rupiah; a district's lines pass Rp2.1 miliar")
    realised: int = Field(default=0, sa_type=BigInteger)


class Programme(VillageRow, table=True):
    """A programme or project residents may ask about (BLT-DD, padat karya, Posyandu, ...)."""

    __tablename__ = "programme"

    name: str = Field(sa_type=String(200))
    summary: str = Field(default="", sa_type=Text)
    period: str = Field(default="", sa_type=String(80))
    active: bool = True


class Service(VillageRow, table=True):
    """An office service: what it is, what to bring, when, and what it costs."""

    __tablename__ = "service"

    name: str = Field(sa_type=String(120))
    requirements: str = Field(default="", sa_type=Text)
    hours: str = Field(default="", sa_type=String(120))
    fee: str = Field(default="Gratis", sa_type=String(80))
