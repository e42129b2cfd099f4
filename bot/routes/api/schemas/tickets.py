"""What the ticket endpoints accept and answer: complaints addressed by their six-digit tracking code.

Who sees what follows handlers/rights.py: complaints about the village head exist only for the BPD and
the operator; an anonymous (anonim) complaint's reporter is shown only to the operator.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bot.routes.api.schemas.base import Body, Id, UTCTime, forbid_extra
from handlers.lifecycle import NOTICE_SEGMENTS, PUBLIC_NOTE_MAX, public_note_units
from models import Category, Role, Staff, Ticket, TicketEvent, TicketEventKind, TicketStatus

NOTE_MAX = 1000  # an internal note: a sentence or two for staff

CODE_PATTERN = r"^[0-9]{6}$"  # ASCII digits only: a keypad's, not any Unicode digit
TicketCode = Annotated[
    str, Field(pattern=CODE_PATTERN, description="A ticket's six-digit tracking code", examples=["482913"])
]


def _visible(note: str) -> str:
    # Python counts a few more characters as space than the strip above (U+001C..U+001F): a note of
    # only those would reach a resident as an empty "Catatan:".
    if not note.split():
        raise ValueError("note must not be blank")
    return note


NoteText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NOTE_MAX),
    AfterValidator(_visible),
]

PUBLIC_NOTE_RULE = (
    f"At most {PUBLIC_NOTE_MAX} characters, so that the residents' notice with it stays within "
    f"{NOTICE_SEGMENTS} SMS; characters an SMS cannot carry (emoji) are left out of the SMS, the history "
    "keeps the note as written."
)


def _fits_notice(note: str) -> str:
    units = public_note_units(note)
    if units > PUBLIC_NOTE_MAX:
        raise ValueError(
            f"a public note may be at most {PUBLIC_NOTE_MAX} characters, so that the residents' notice "
            f"stays within {NOTICE_SEGMENTS} SMS; this one has {units}. Shorten it, or put the rest in "
            "an internal note"
        )
    return note


PublicNoteText = Annotated[NoteText, AfterValidator(_fits_notice)]


# --- requests ------------------------------------------------------------------------------------


class StatusChange(Body):
    """Move a ticket along its lifecycle. `public_note` is recorded and sent whole to the reporters with
    the notice (so it is limited to what fits two SMS); `internal_note` stays in the history for staff
    only."""

    model_config = forbid_extra(
        [
            {"status": "diverifikasi", "public_note": "Petugas cek lokasi Jumat"},
            {"status": "selesai", "public_note": "Lampu sudah diganti", "internal_note": "Biaya Rp150.000"},
            {"status": "ditolak", "public_note": "Bukan laporan masalah"},
        ]
    )

    status: TicketStatus = Field(
        description="diverifikasi, diproses, selesai, ditolak, bukan_wewenang or diteruskan; a closed "
        "ticket can only be reopened (diproses). Duplicates go through /merge."
    )
    public_note: PublicNoteText | None = Field(
        default=None, description="Told to the reporters. " + PUBLIC_NOTE_RULE
    )
    internal_note: NoteText | None = Field(default=None, description="Never told to residents")


class NoteCreate(Body):
    """A note in the ticket's history; a public one is also sent to the reporters."""

    model_config = forbid_extra(
        [
            {"text": "Tukang datang hari Senin", "public": True},
            {"text": "Pelapor sudah ditelepon, lokasi di belakang masjid", "public": False},
        ]
    )

    text: NoteText = Field(description="Up to 1000 characters; a public one: " + PUBLIC_NOTE_RULE)
    public: bool = Field(default=False, description="True: the reporters receive it by SMS or WhatsApp")

    @model_validator(mode="after")
    def _public_fits(self) -> Self:
        if self.public:
            _fits_notice(self.text)
        return self


class Assignment(Body):
    """Who handles the ticket: an active staff member of the village who may act on it, or null."""

    model_config = forbid_extra([{"staff_id": 3}, {"staff_id": None}])

    staff_id: Id | None = Field(description="A staff id of this village; null takes the assignment away")


class CategoryChange(Body):
    """The ticket's right category, when the message was read wrongly."""

    model_config = forbid_extra([{"category": "air_sanitasi"}])

    category: Category


class FlagsChange(Body):
    """Privacy flags to turn on (they are never turned off: what was hidden stays hidden)."""

    model_config = forbid_extra([{"anonymous": True}, {"about_head": True}])

    anonymous: Literal[True] | None = Field(None, description="Hide the reporter from all but the operator")
    confidential: Literal[True] | None = Field(None, description="Keep it out of every public output")
    about_head: Literal[True] | None = Field(
        None, description="A complaint about the village head: only the BPD and the operator see it from now"
    )

    @model_validator(mode="after")
    def _one_at_least(self) -> Self:
        if not (self.anonymous or self.confidential or self.about_head):
            raise ValueError("name at least one flag to turn on: anonymous, confidential or about_head")
        return self


class FlagsPublic(BaseModel):
    """The ticket's privacy flags after the change, and which were newly set."""

    code: str
    anonymous: bool
    confidential: bool
    about_head: bool
    newly_set: list[str]


class MergeRequest(Body):
    """Close this ticket as a duplicate of another: its reporters get the surviving code."""

    model_config = forbid_extra([{"into": "482913"}])

    into: TicketCode = Field(description="The code of the ticket that survives")


# --- answers -------------------------------------------------------------------------------------


class ReporterPublic(BaseModel):
    """The resident who reported it (never shown for an anonymous complaint, but to the operator)."""

    contact_id: int
    name: str | None
    phone: str | None = Field(description="E.164; null for a WhatsApp user without a known number")


class StaffRef(BaseModel):
    """A staff member, as a ticket names them."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: Role


class MediaPublic(BaseModel):
    """A photo or file the reporter sent."""

    url: str
    content_type: str | None = None


class TicketEventPublic(BaseModel):
    """One entry of the append-only history."""

    model_config = ConfigDict(from_attributes=True)

    kind: TicketEventKind
    actor: str = Field(examples=["warga", "kader:3", "system"])
    from_status: TicketStatus | None
    to_status: TicketStatus | None
    note: str | None
    public: bool = Field(description="True: this note was told to the reporters")
    created_at: UTCTime


class TicketPublic(BaseModel):
    """A complaint as staff see it in a list."""

    code: str = Field(examples=["482913"])
    status: TicketStatus
    status_label: str = Field(description="As residents read it", examples=["sedang diproses"])
    open: bool = Field(description="Open311: true is 'open' (baru, diverifikasi, diproses), false 'closed'")
    category: Category
    category_label: str = Field(examples=["Infrastruktur"])
    text: str = Field(description="The complaint as the resident wrote it (with details added later)")
    dusun: str | None
    rw: int | None
    rt: int | None
    about_head: bool = Field(description="About the village head: seen only by the BPD and the operator")
    anonymous: bool = Field(description="Anonim: the reporter is shown only to the operator")
    confidential: bool = Field(description="Rahasia: never in a public output (Open311)")
    overdue: bool = Field(description="Open and past its deadline (verification, then action)")
    verify_due_at: UTCTime | None = Field(description="Verify within 3 working days")
    act_due_at: UTCTime | None = Field(description="Act within 5 working days more")
    escalated_at: UTCTime | None = Field(description="When the head (or the BPD chair) was told it is late")
    resolved_at: UTCTime | None
    channel: str = Field(examples=["twilio_sms", "console"])
    reporter: ReporterPublic | None = Field(description="Null when the caller may not see who reported it")
    assignee: StaffRef | None
    created_at: UTCTime
    updated_at: UTCTime

    @classmethod
    def of(
        cls,
        ticket: Ticket,
        *,
        now: datetime,
        reporter: ReporterPublic | None,
        assignee: Staff | None,
    ) -> Self:
        """The ticket as the caller may see it (the reporter already left out when they may not)."""
        return cls(
            code=ticket.code,
            status=ticket.status,
            status_label=ticket.status.label,
            open=ticket.status.is_open,
            category=ticket.category,
            category_label=ticket.category.label,
            text=ticket.text,
            dusun=ticket.dusun,
            rw=ticket.rw,
            rt=ticket.rt,
            about_head=ticket.about_head,
            anonymous=ticket.anonymous,
            confidential=ticket.confidential,
            overdue=ticket.is_overdue(now),
            verify_due_at=ticket.verify_due_at,
            act_due_at=ticket.act_due_at,
            escalated_at=ticket.escalated_at,
            resolved_at=ticket.resolved_at,
            channel=ticket.channel,
            reporter=reporter,
            assignee=StaffRef.model_validate(assignee) if assignee is not None else None,
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
        )


class TicketDetail(TicketPublic):
    """A complaint with its photos, its merges and its whole history, oldest first."""

    media: list[MediaPublic]
    merged_into: str | None = Field(description="For a duplicate: the code of the ticket that survives")
    duplicates: list[str] = Field(description="Codes of the tickets merged into this one")
    events: list[TicketEventPublic]

    @classmethod
    def with_history(
        cls,
        public: TicketPublic,
        *,
        media: Iterable[Mapping[str, str]],
        merged_into: str | None,
        duplicates: Iterable[str],
        events: Iterable[TicketEvent],
    ) -> Self:
        """The listed ticket with its detail."""
        return cls(
            **dict(public),
            media=[
                MediaPublic(url=m["url"], content_type=m.get("content_type")) for m in media if "url" in m
            ],
            merged_into=merged_into,
            duplicates=list(duplicates),
            events=[TicketEventPublic.model_validate(event) for event in events],
        )
