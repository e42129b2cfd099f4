"""Staff as the REST API accepts and answers them. A PIN goes in, never out: answers say `has_pin`."""

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from bot.routes.api.schemas.base import Body, UTCTime, given_and_not_null
from handlers import staff as staff_pins
from models import Channel, Role, Staff
from models.phone import PHONE_TEXT, mask, to_e164


def _phone(value: str) -> str:
    phone = to_e164(value.strip()) if PHONE_TEXT.fullmatch(value.strip()) else None
    if phone is None:
        raise ValueError("not a valid phone number (e.g. 0812 3456 7890 or +6281234567890)")
    return phone


StaffName = Annotated[str, Field(min_length=1, max_length=120, pattern=r"\S")]
Phone = Annotated[
    str,
    Field(
        min_length=3,
        max_length=32,
        description="Any usual Indonesian form; stored as E.164",
        examples=["0812 3456 7890"],
    ),
    AfterValidator(_phone),
]
Pin = Annotated[
    str,
    Field(
        pattern=staff_pins.PIN.pattern,
        description="4 to 6 digits (0-9), for text commands",
        examples=["4821"],
    ),
]


class StaffCreate(Body):
    """A staff member (operator only). Kader, kades and bpd belong to the village named by ?village=; an
    operator serves every village and is created without ?village."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Pak Joko (KPMD)",
                    "role": "kader",
                    "phone": "0813 0000 0009",
                    "pin": "4821",
                    "preferred_channel": "twilio_whatsapp",
                }
            ]
        },
    )

    name: StaffName
    role: Role
    phone: Phone | None = None
    pin: Pin | None = None
    preferred_channel: Channel | None = None


NULLABLE = frozenset({"phone", "pin", "preferred_channel"})


VillageRole = Literal["kader", "kades", "bpd"]  # Role's values but the operator's, who has no village


class StaffUpdate(Body):
    """What to change; only what is given changes. `phone: null` or `pin: null` removes it; a new PIN also
    lifts a lock after wrong PINs; `active: false` and a new `role` also revoke every API token the person
    holds (a token was given for a role). Roles change among kader, kades and bpd: an operator belongs to
    no village, so nobody becomes or stops being one by a change."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"pin": "7315"}, {"phone": "081300000010"}, {"role": "bpd"}, {"active": False}]
        },
    )

    name: StaffName | None = None
    role: VillageRole | None = Field(
        default=None, description="kader, kades or bpd; revokes the person's API tokens"
    )
    phone: Phone | None = None
    pin: Pin | None = None
    active: bool | None = None
    preferred_channel: Channel | None = None

    @model_validator(mode="after")
    def _given_and_not_null(self) -> Self:
        given_and_not_null(self, NULLABLE, "field")
        return self

    def changes(self) -> dict[str, Any]:
        """The given fields."""
        changes = {name: getattr(self, name) for name in self.model_fields_set}
        if "role" in changes:
            changes["role"] = Role(changes["role"])
        return changes


class StaffPublic(BaseModel):
    """A staff member. The phone is shown in full to the operator only (others see it masked); the PIN
    never: `has_pin` says whether one is set, `pin_locked_until` whether wrong PINs locked it."""

    id: int
    village: str | None = Field(description="The village code; null for an operator")
    name: str
    role: Role
    phone: str | None
    has_pin: bool
    pin_locked_until: UTCTime | None
    contact_id: int | None = Field(description="Their own contact, where digests and notices go")
    preferred_channel: Channel | None
    active: bool
    created_at: UTCTime

    @classmethod
    def of(cls, staff: Staff, village_code: str | None, *, full_phone: bool, now: datetime) -> Self:
        """From the stored row; `pin_locked_until` only while the lock lasts."""
        assert staff.id is not None
        locked = staff.pin_locked_until
        return cls(
            id=staff.id,
            village=village_code,
            name=staff.name,
            role=staff.role,
            phone=staff.phone if full_phone or staff.phone is None else mask(staff.phone),
            has_pin=staff.pin_hash is not None,
            pin_locked_until=locked if locked is not None and locked > now else None,
            contact_id=staff.contact_id,
            preferred_channel=staff.preferred_channel,
            active=staff.active,
            created_at=staff.created_at,
        )
