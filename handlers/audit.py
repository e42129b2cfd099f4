"""Recording staff actions in the audit log (models/audit.py), whatever door they came through."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from models import AuditEntry, Role


@dataclass(frozen=True, slots=True)
class StaffActor:
    """A staff member acting through one channel: 'api', 'cli', or a text channel ('twilio_sms')."""

    staff_id: int | None
    role: Role | None
    channel: str

    @property
    def name(self) -> str:
        """How actions are recorded elsewhere too (ticket history, broadcast events): 'kader:3'."""
        if self.staff_id is None or self.role is None:
            return self.channel
        return f"{self.role.value}:{self.staff_id}"


def record(
    *,
    session: Session,
    actor: StaffActor,
    village_id: int | None,
    action: str,
    now: datetime,
    target: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append one entry; the caller's transaction commits it with the action itself."""
    session.add(
        AuditEntry(
            village_id=village_id,
            staff_id=actor.staff_id,
            actor=actor.name,
            role=actor.role,
            action=action,
            target=target,
            channel=actor.channel,
            detail=dict(detail or {}),
            created_at=now,
        )
    )
