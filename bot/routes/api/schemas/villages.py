"""Villages, their settings, addresses and areas, as the REST API accepts and answers them."""

from datetime import date
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from bot.routes.api.schemas.base import Body, Id, UTCTime, given_and_not_null
from broadcasts.timing import parse_hhmm
from models import Area, AreaKind, BroadcastKind, Channel, Village, VillageAddress
from models.texts import zone_name


def _hhmm(value: str) -> str:
    parsed = parse_hhmm(value)  # ValueError: answered as 422
    return f"{parsed.hour:02d}:{parsed.minute:02d}"


def _iso_date(value: str) -> str:
    return date.fromisoformat(value).isoformat()  # ValueError for 2026-02-30: answered as 422


HHMM = Annotated[
    str,
    Field(min_length=4, max_length=5, pattern=r"^\d{1,2}[:.]\d{2}$", examples=["21:00"]),
    AfterValidator(_hhmm),
]
IsoDate = Annotated[
    str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-12-25"]), AfterValidator(_iso_date)
]
Code = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
        description="Stable code: letters, digits, '.', '-', '_' (the official kode desa fits)",
        examples=["BARU", "32.04.12.2001"],
    ),
]
Zone = Literal["Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"]
VillageName = Annotated[str, Field(min_length=1, max_length=120, pattern=r"\S")]
DusunName = Annotated[str, Field(min_length=1, max_length=80, pattern=r"\S")]
Price = Annotated[int, Field(ge=0, le=1_000_000, description="Integer Rupiah")]


class AddressCreate(Body):
    """An address the village answers on. Phone channels (console, twilio_sms, twilio_whatsapp) take a
    phone number in any usual form (`whatsapp:` may be given) and store E.164; whatsapp_cloud takes Meta's
    phone number id; smsgate takes the Android gateway's device id."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"channel": "twilio_whatsapp", "address": "+62800000003"},
                {"channel": "whatsapp_cloud", "address": "100000000000003"},
                {"channel": "smsgate", "address": "baru-phone"},
            ]
        },
    )

    channel: Channel
    address: str = Field(min_length=1, max_length=80)


class VillageCreate(Body):
    """A new village (operator only), optionally with its dusun and the addresses it answers on."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "BARU",
                    "name": "Desa Baru",
                    "timezone": "Asia/Jayapura",
                    "dusun": ["Kampung Satu", "Kampung Dua"],
                    "addresses": [{"channel": "console", "address": "+62800000003"}],
                }
            ]
        },
    )

    code: Code
    name: VillageName
    timezone: Zone = "Asia/Jakarta"
    quiet_start: HHMM = Field(
        default="21:00", description="Quiet hours start, HH:MM local (equal to end: none; at most 12 hours)"
    )
    quiet_end: HHMM = Field(default="06:00", description="Quiet hours end, HH:MM local")
    dusun: list[DusunName] = Field(default_factory=list, max_length=100)
    addresses: list[AddressCreate] = Field(default_factory=list, max_length=20)


class Blackout(BaseModel):
    """A weekly window broadcasts wait out, in the village's time (weekday 0 = Monday)."""

    model_config = ConfigDict(extra="forbid")

    weekday: int = Field(ge=0, le=6)
    start: HHMM
    end: HHMM
    label: str = Field(default="", max_length=40)

    @model_validator(mode="after")
    def _has_length(self) -> Self:
        if self.start == self.end:
            raise ValueError("a blackout that starts when it ends has no length")
        return self

    def stored(self) -> dict[str, str]:
        """As the village row keeps it (broadcasts.timing.weekly_blackouts reads it)."""
        return {"weekday": str(self.weekday), "start": self.start, "end": self.end, "label": self.label}


NULLABLE = frozenset({"digest_weekday"})


class VillageUpdate(Body):
    """Settings to change; only what is given changes. `name` and `timezone` are the operator's; the
    village head (kades) may change the rest for their own village."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"digest_time": "06:30", "digest_weekday": None},
                {"quiet_start": "21:30", "quiet_end": "05:30", "holidays": ["2026-12-25"]},
                {"approval_kinds": ["keputusan", "dana_desa"], "sms_price": 300},
            ]
        },
    )

    name: VillageName | None = None
    timezone: Zone | None = None
    quiet_start: HHMM | None = Field(
        default=None,
        description="Quiet hours start, HH:MM local; they may last at most 12 hours (equal to end: none)",
    )
    quiet_end: HHMM | None = Field(default=None, description="Quiet hours end, HH:MM local")
    sms_price: Price | None = None
    whatsapp_template_price: Price | None = None
    blackouts: list[Blackout] | None = Field(default=None, max_length=20)
    holidays: list[IsoDate] | None = Field(default=None, max_length=1000)
    approval_kinds: list[BroadcastKind] | None = Field(
        default=None, max_length=10, description="Broadcast kinds that wait for a second person's approval"
    )
    digest_time: HHMM | None = None
    digest_daily: bool | None = None
    digest_weekday: int | None = Field(default=None, ge=0, le=6, description="0 = Monday; null: no weekly")
    bpd_digest_everything: bool | None = None

    @model_validator(mode="after")
    def _given_and_not_null(self) -> Self:
        given_and_not_null(self, NULLABLE, "setting")
        return self

    def changes(self) -> dict[str, Any]:
        """The given settings as the village row stores them."""
        values: dict[str, Any] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            if name == "blackouts":
                value = [blackout.stored() for blackout in value]
            elif name == "holidays":
                value = sorted(set(value))
            elif name == "approval_kinds":
                value = [kind.value for kind in BroadcastKind if kind in value]
            values[name] = value
        return values


class AreaCreate(Body):
    """A dusun, an RW or an RT. RW and RT are numbers ('2' is stored as '02'); an RT sits in an RW
    (parent_id), an RW in a dusun (or on its own where the village has none); a dusun has no parent."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"kind": "dusun", "name": "Krajan"}, {"kind": "rt", "name": "4", "parent_id": 2}]
        },
    )

    kind: AreaKind
    name: DusunName
    parent_id: Id | None = None


class AddressPublic(BaseModel):
    """An address the village answers on."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: Channel
    address: str

    @classmethod
    def of(cls, row: VillageAddress) -> Self:
        """From the stored row."""
        return cls.model_validate(row)


class AreaPublic(BaseModel):
    """A dusun, RW or RT."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: AreaKind
    name: str
    parent_id: int | None


class VillagePublic(BaseModel):
    """A village and its settings."""

    code: str
    name: str
    timezone: str
    zone: str = Field(description="As messages say it", examples=["WIB", "WITA", "WIT"])
    quiet_start: str
    quiet_end: str
    sms_price: int
    whatsapp_template_price: int
    blackouts: list[dict[str, str]] = Field(
        description="Weekly windows broadcasts wait out, as stored: weekday (0 = Monday), start, end, label"
    )
    holidays: list[str]
    approval_kinds: list[str]
    digest_time: str
    digest_daily: bool
    digest_weekday: int | None
    bpd_digest_everything: bool
    created_at: UTCTime

    @classmethod
    def of(cls, village: Village) -> Self:
        """From the stored village."""
        return cls.model_validate({**village.model_dump(), "zone": zone_name(village.timezone)})


class VillageDetail(VillagePublic):
    """A village with the addresses it answers on and its areas."""

    addresses: list[AddressPublic]
    areas: list[AreaPublic]

    @classmethod
    def with_parts(cls, village: Village, addresses: list[VillageAddress], areas: list[Area]) -> Self:
        """The village with its addresses and areas."""
        return cls(
            **dict(VillagePublic.of(village)),
            addresses=[AddressPublic.of(row) for row in addresses],
            areas=[AreaPublic.model_validate(area) for area in areas],
        )
