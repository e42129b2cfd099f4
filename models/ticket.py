"""Complaint tickets and their append-only history."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ColumnElement, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel, col

from models.base import EnumText, UTCDateTime, VillageRow, utcnow
from models.vocabulary import Category


class TicketStatus(StrEnum):
    """The lifecycle of a complaint (LAPOR! practice).

        baru -> diverifikasi -> diproses -> selesai
          |          |              |
          +----------+--------------+--> ditolak | bukan_wewenang | duplikat | diteruskan

    `selesai` asks the reporter whether it is really fixed; a "no" within 14 days reopens it (diproses).
    Open311 maps baru, diverifikasi, diproses to "open" and the rest to "closed".
    """

    BARU = "baru"
    DIVERIFIKASI = "diverifikasi"
    DIPROSES = "diproses"
    SELESAI = "selesai"
    DITOLAK = "ditolak"
    BUKAN_WEWENANG = "bukan_wewenang"
    DUPLIKAT = "duplikat"
    DITERUSKAN = "diteruskan"

    @property
    def is_open(self) -> bool:
        """True while the village still owes the reporter an outcome."""
        return self in (TicketStatus.BARU, TicketStatus.DIVERIFIKASI, TicketStatus.DIPROSES)

    @property
    def label(self) -> str:
        """The Indonesian label residents read."""
        return STATUS_LABELS[self]


STATUS_LABELS: dict[TicketStatus, str] = {
    TicketStatus.BARU: "diterima",
    TicketStatus.DIVERIFIKASI: "diverifikasi",
    TicketStatus.DIPROSES: "sedang diproses",
    TicketStatus.SELESAI: "selesai",
    TicketStatus.DITOLAK: "ditolak",
    TicketStatus.BUKAN_WEWENANG: "bukan wewenang desa",
    TicketStatus.DUPLIKAT: "digabung dengan laporan lain",
    TicketStatus.DITERUSKAN: "diteruskan ke instansi lain",
}


class Ticket(VillageRow, table=True):
    """A resident's complaint. The code is six random digits, unique per village, easy to type."""

    __tablename__ = "ticket"
    __table_args__ = (UniqueConstraint("village_id", "code"), Index(None, "reporter_id", "created_at"))

    code: str = Field(sa_type=String(6))
    reporter_id: int = Field(foreign_key="contact.id")
    category: Category = Field(default=Category.LAINNYA, sa_type=EnumText(Category, 20))
    status: TicketStatus = Field(default=TicketStatus.BARU, sa_type=EnumText(TicketStatus, 16), index=True)
    text: str = Field(default="", sa_type=Text)
    about_head: bool = False
    anonymous: bool = False
    confidential: bool = False
    dusun: str | None = Field(default=None, sa_type=String(80))
    rw: int | None = None
    rt: int | None = None
    media: list[dict[str, str]] = Field(default_factory=list, sa_type=JSON)
    channel: str = Field(default="", sa_type=String(20))
    merged_into_id: int | None = None
    verify_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, description="3 working days")
    act_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, description="5 working days more")
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    assignee_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def is_overdue(self, now: datetime) -> bool:
        """Open and past its deadline: verification for a new ticket, action for one being handled."""
        if self.status == TicketStatus.BARU:
            return self.verify_due_at is not None and self.verify_due_at < now
        if self.status in (TicketStatus.DIVERIFIKASI, TicketStatus.DIPROSES):
            return self.act_due_at is not None and self.act_due_at < now
        return False


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """The SQL form of `Ticket.is_overdue`."""
    late_verify = (col(Ticket.status) == TicketStatus.BARU) & (col(Ticket.verify_due_at) < now)
    late_act = col(Ticket.status).in_([TicketStatus.DIVERIFIKASI, TicketStatus.DIPROSES]) & (
        col(Ticket.act_due_at) < now
    )
    return late_verify | late_act


class TicketEventKind(StrEnum):
    """What happened to a ticket."""

    CREATED = "created"
    DETAIL_ADDED = "detail_added"
    MEDIA_ADDED = "media_added"
    STATUS_CHANGED = "status_changed"
    PUBLIC_NOTE = "public_note"
    INTERNAL_NOTE = "internal_note"
    CATEGORY_CHANGED = "category_changed"
    ASSIGNED = "assigned"
    MERGED = "merged"
    ESCALATED = "escalated"
    NUDGED = "nudged"  # the reporter asked again how it stands ("sdh 2 minggu blm ada tindakan")


class TicketEvent(SQLModel, table=True):
    """Append-only history: nothing is edited away."""

    __tablename__ = "ticket_event"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: TicketEventKind = Field(sa_type=EnumText(TicketEventKind, 20))
    actor: str = Field(default="warga", sa_type=String(80), description="warga, staff:<id>, system")
    from_status: TicketStatus | None = Field(default=None, sa_type=EnumText(TicketStatus, 16))
    to_status: TicketStatus | None = Field(default=None, sa_type=EnumText(TicketStatus, 16))
    note: str | None = Field(default=None, sa_type=Text)
    public: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
