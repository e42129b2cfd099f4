"""The meeting API's bodies and answers: a meeting, its changes, its broadcasts."""

from collections.abc import Iterable
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.routes.api.schemas.base import (
    Body,
    Moment,
    NoBraces,
    UTCTime,
    forbid_extra,
)
from bot.routes.api.schemas.broadcasts import BroadcastPublic
from models import (
    Broadcast,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from models.texts import format_when


class MeetingCreate(Body):
    """A meeting to announce: the announcement and reminders (3 days before at 08:00, the day before at
    08:00, 2 hours before, in the village's zone) are planned at once; those already past are skipped."""

    model_config = forbid_extra(
        [
            {
                "kind": "musdus",
                "title": "Musdus Krajan",
                "starts_at": "2026-12-12T15:00:00+07:00",
                "place": "Mushola Al-Ikhlas Krajan",
                "agenda": "Usulan dusun Krajan untuk RKPDes",
                "dusun": "Krajan",
            }
        ]
    )

    kind: MeetingKind
    title: str = Field(min_length=1, max_length=200, pattern=NoBraces)
    starts_at: Moment
    place: str = Field(min_length=1, max_length=200, pattern=NoBraces)
    agenda: str = Field(default="", max_length=2000, pattern=NoBraces)
    dusun: str | None = Field(
        default=None,
        min_length=1,
        max_length=80,
        pattern=NoBraces,
        description="The dusun it concerns (required for a musdus); omitted: the whole village",
    )

    @model_validator(mode="after")
    def _musdus_needs_its_dusun(self) -> Self:
        if self.kind == MeetingKind.MUSDUS and not self.dusun:
            raise ValueError("a musdus is the meeting of one dusun: give its dusun")
        return self


class MeetingUpdate(Body):
    """Move a meeting or change its place: everyone already told gets a correction, and the reminders
    are planned again."""

    model_config = forbid_extra(
        [{"starts_at": "2026-12-13T15:00:00+07:00"}, {"place": "Balai Desa Sukamaju"}]
    )

    starts_at: Moment | None = None
    place: str | None = Field(default=None, min_length=1, max_length=200, pattern=NoBraces)

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if self.starts_at is None and self.place is None:
            raise ValueError("give starts_at, place or both")
        return self


class MeetingPublic(BaseModel):
    """A meeting."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: MeetingKind
    title: str
    starts_at: UTCTime
    when: str = Field(
        description="As residents read it, in the village's zone", examples=["Sabtu 12 Des 15.00 WIB"]
    )
    place: str
    agenda: str
    dusun: str | None
    status: MeetingStatus
    created_at: UTCTime

    @classmethod
    def of(cls, meeting: Meeting, timezone: str) -> Self:
        """The meeting, with its time as residents read it."""
        return cls.model_validate({**meeting.model_dump(), "when": format_when(meeting.starts_at, timezone)})


class MeetingDetail(MeetingPublic):
    """A meeting and the broadcasts about it (announcement, reminders, corrections, cancellation)."""

    broadcasts: list[BroadcastPublic]

    @classmethod
    def with_broadcasts(cls, meeting: Meeting, timezone: str, broadcasts: Iterable[Broadcast]) -> Self:
        """The meeting with its broadcasts."""
        return cls(
            **dict(MeetingPublic.of(meeting, timezone)),
            broadcasts=[BroadcastPublic.model_validate(b) for b in broadcasts],
        )


class MeetingChanged(MeetingDetail):
    """A moved or cancelled meeting; `notice` is the correction or cancellation sent to everyone
    already told (none when nobody had been told yet)."""

    notice: BroadcastPublic | None
