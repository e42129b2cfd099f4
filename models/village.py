"""Villages, their areas (dusun / RW / RT) and the channel addresses they answer on."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import EnumText, UTCDateTime, VillageRow, utcnow


class Channel(StrEnum):
    """A way messages reach Kentongan and leave it (docs/providers.md explains why there are four)."""

    CONSOLE = "console"
    TWILIO_SMS = "twilio_sms"
    TWILIO_WHATSAPP = "twilio_whatsapp"
    WHATSAPP_CLOUD = "whatsapp_cloud"
    SMSGATE = "smsgate"

    @property
    def is_whatsapp(self) -> bool:
        """True for the channels bound by WhatsApp's 24-hour window."""
        return self in (Channel.TWILIO_WHATSAPP, Channel.WHATSAPP_CLOUD)


class VillageBase(SQLModel):
    code: str = Field(sa_type=String(32), unique=True, index=True, description="Stable village code")
    name: str = Field(sa_type=String(120))
    timezone: str = Field(default="Asia/Jakarta", sa_type=String(64))
    quiet_start: str = Field(default="21:00", sa_type=String(5), description="Quiet hours start, HH:MM")
    quiet_end: str = Field(default="06:00", sa_type=String(5), description="Quiet hours end, HH:MM")
    sms_price: int = Field(default=350, description="Rupiah per SMS segment")
    whatsapp_template_price: int = Field(default=400, description="Rupiah per WhatsApp template message")
    blackouts: list[dict[str, str]] = Field(
        default_factory=lambda: [{"weekday": "4", "start": "11:30", "end": "13:00", "label": "salat Jumat"}],
        sa_type=JSON,
        description="Weekly windows broadcasts wait out (weekday 0 = Monday), besides the quiet hours",
    )
    holidays: list[str] = Field(
        default_factory=list,
        sa_type=JSON,
        description="ISO dates the village office is closed (deadlines skip them)",
    )
    approval_kinds: list[str] = Field(
        default_factory=list,
        sa_type=JSON,
        description="Broadcast kinds that wait for a second person's approval",
    )
    digest_time: str = Field(default="07:00", sa_type=String(5), description="When digests go, HH:MM local")
    digest_daily: bool = Field(default=True, description="A digest every day")
    digest_weekday: int | None = Field(
        default=0, description="A weekly digest on this weekday (0 = Monday); null: none"
    )
    bpd_digest_everything: bool = Field(
        default=False, description="The BPD chair's digest covers every ticket, not only those about the head"
    )


class Village(VillageBase, table=True):
    __tablename__ = "village"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VillageAddress(VillageRow, table=True):
    """An address a village answers on: a phone number, a WhatsApp phone number id, a gateway device.

    Inbound messages find their village by the address they were sent to.
    """

    __tablename__ = "village_address"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    channel: Channel = Field(sa_type=EnumText(Channel, 20))
    address: str = Field(sa_type=String(64))


class AreaKind(StrEnum):
    """Levels of a village's territory: dusun contains RW, RW contains RT."""

    DUSUN = "dusun"
    RW = "rw"
    RT = "rt"


class Area(VillageRow, table=True):
    """A dusun (hamlet), RW or RT of a village."""

    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("village_id", "kind", "name", "parent_id"),)

    kind: AreaKind = Field(sa_type=EnumText(AreaKind, 8))
    name: str = Field(sa_type=String(80))
    parent_id: int | None = Field(default=None, foreign_key="area.id")
