"""The decision API's bodies and answers: a village decision or sanction and its announcement."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from bot.routes.api.schemas.base import Body, Id, UTCTime, forbid_extra
from bot.routes.api.schemas.broadcasts import BroadcastCreated
from models import (
    DecisionKind,
)


class DecisionCreate(Body):
    """A decision or sanction agreed in a deliberation; `announce` sends a `keputusan` broadcast now to
    every subscriber who takes that topic."""

    model_config = forbid_extra(
        [
            {
                "kind": "sanksi",
                "title": "Denda Rp50.000 buang sampah ke sungai",
                "text": "Yang membuang sampah ke Sungai Cibodas didenda Rp50.000 dan wajib kerja bakti.",
                "meeting_id": 3,
                "effective_date": "2026-11-02",
                "announce": True,
            }
        ]
    )

    kind: DecisionKind = DecisionKind.KEPUTUSAN
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(default="", max_length=3500, description="The full text (sent in full on WhatsApp)")
    meeting_id: Id | None = Field(default=None, description="The meeting that made it")
    effective_date: date
    announce: bool = False


class DecisionPublic(BaseModel):
    """A decision or sanction."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: DecisionKind
    title: str
    text: str
    meeting_id: int | None
    effective_date: date
    created_at: UTCTime


class DecisionCreated(DecisionPublic):
    """The decision, and its announcement when one was asked for."""

    broadcast: BroadcastCreated | None
