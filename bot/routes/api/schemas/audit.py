"""What the audit log answers."""

from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.routes.api.schemas.base import UTCTime
from models import Role


class AuditEntryPublic(BaseModel):
    """One staff action: who, what, on what, when, and through which channel."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "actor": "kader:3",
                    "role": "kader",
                    "action": "ticket.status",
                    "target": "ticket:482913",
                    "channel": "twilio_sms",
                    "detail": {"from": "baru", "to": "diverifikasi"},
                    "created_at": "2026-12-02T03:00:00Z",
                }
            ]
        },
    )

    # No id: ids are consecutive, and gaps would show the head where entries about him were left out.
    actor: str
    role: Role | None
    action: str
    target: str | None
    channel: str
    detail: dict[str, Any]
    created_at: UTCTime
