"""Staff of a village (or the operator of the deployment) and their API tokens."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlmodel import Field, SQLModel

from models.base import EnumText, UTCDateTime, utcnow
from models.village import Channel
from models.vocabulary import Role


class Staff(SQLModel, table=True):
    """A person with a role: kader, kades, bpd in one village; operator for the whole deployment."""

    __tablename__ = "staff"

    id: int | None = Field(default=None, primary_key=True)
    village_id: int | None = Field(default=None, foreign_key="village.id", index=True)
    name: str = Field(sa_type=String(120))
    role: Role = Field(sa_type=EnumText(Role, 12))
    phone: str | None = Field(default=None, sa_type=String(20), description="E.164, for staff text commands")
    pin_hash: str | None = Field(
        default=None, sa_type=String(200), description="scrypt, for staff text commands"
    )
    pin_failures: int = Field(default=0, description="Wrong PINs in a row")
    pin_locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    contact_id: int | None = Field(
        default=None, foreign_key="contact.id", description="Their own contact: digests and notices go there"
    )
    preferred_channel: Channel | None = Field(default=None, sa_type=EnumText(Channel, 20))
    pending_command: dict[str, Any] | None = Field(
        default=None, sa_type=JSON, description="A text command waiting for its confirmation reply"
    )
    pending_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A bearer token, stored as its SHA-256; shown once when created."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    token_hash: str = Field(sa_type=String(64), unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
