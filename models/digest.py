"""Digests sent to the village head and the BPD chair: one row per person and due time, so a digest
goes once even when the scheduler restarts or two of them overlap."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field

from models.base import EnumText, UTCDateTime, VillageRow, utcnow


class DigestPeriod(StrEnum):
    """Which digest: the daily one, the weekly one, or one asked for by text ("RINGKASAN")."""

    DAILY = "daily"
    WEEKLY = "weekly"
    ON_DEMAND = "on_demand"


class DigestRun(VillageRow, table=True):
    """A digest composed for one staff member for one due time, and what it said."""

    __tablename__ = "digest_run"
    __table_args__ = (UniqueConstraint("staff_id", "period", "due_at"),)

    staff_id: int = Field(foreign_key="staff.id")
    period: DigestPeriod = Field(sa_type=EnumText(DigestPeriod, 12))
    due_at: datetime = Field(sa_type=UTCDateTime)
    channel: str | None = Field(default=None, sa_type=String(20), description="Null: no way to reach them")
    new: int = 0
    open: int = 0
    overdue: int = 0
    resolved: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
