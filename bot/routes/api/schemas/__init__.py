"""What the REST API accepts and answers: XCreate / XUpdate bodies and XPublic answers, with examples.

Times are answered in UTC; bodies take any ISO 8601 time with its offset (a time without one is refused).
Money is integer Rupiah, with the Indonesian spelling beside it (`cost_text`: "Rp2.100").
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from broadcasts import service
from broadcasts.announcements import BudgetTotals
from broadcasts.audience import Audience
from broadcasts.compose import TextPreview, format_duration
from broadcasts.preview import Preview
from models import (
    Broadcast,
    BroadcastEvent,
    BroadcastKind,
    BroadcastRun,
    BroadcastStatus,
    BudgetDirection,
    BudgetLine,
    Channel,
    DecisionKind,
    DeliveryStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    RunStatus,
    Topic,
)
from models.base import MAX_ID
from models.texts import format_rupiah, format_when

INT4_MAX = MAX_ID  # ids are 32-bit integer columns (models.base: the one rule for ids from outside)
RUPIAH_MAX = 10**15  # budget amounts are 64-bit; a village's line is far below Rp1.000 triliun


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _representable(value: datetime) -> datetime:
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("time out of range") from None
    return value


UTCTime = Annotated[datetime, AfterValidator(_utc)]
Moment = Annotated[AwareDatetime, AfterValidator(_representable)]
Id = Annotated[int, Field(ge=1, le=INT4_MAX)]
Label = Annotated[str, Field(min_length=1, max_length=80)]
NoBraces = r"^[^{}]*$"  # a meeting's words go into templates whose {variables} are filled at send time


def _forbid_extra(examples: list[Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": examples})


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate ("\ud800"), which no database can store
        return False
    return True


def _unstorable(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value or (not value.isascii() and not _encodable(value))
    if isinstance(value, dict):
        return any(_unstorable(key) or _unstorable(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_unstorable(item) for item in value)
    return False


class Body(BaseModel):
    """A request body: unknown fields are refused (a typo must not pass silently), and so is text with
    NUL characters or lone surrogates, which PostgreSQL cannot store."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: object) -> object:
        if _unstorable(data):
            raise ValueError("text must not contain NUL characters or lone surrogates")
        return data


class Problem(BaseModel):
    """An error: a sentence saying what is wrong, or (for a malformed body) one entry per field."""

    detail: str | list[dict[str, Any]] = Field(
        examples=["audience is empty: no subscribed contact matches it"]
    )


# --- broadcasts ----------------------------------------------------------------------------------


class AudienceSpec(Body):
    """Who receives it: place, topic, tag and group filters narrow (AND across kinds, OR within one);
    `contacts` adds people by id; `exclude` removes them. Nothing given: every subscriber of the village.
    Only subscribed contacts ever receive a broadcast."""

    model_config = _forbid_extra([{"dusun": ["Krajan"], "rt": [2, 3]}, {"topics": ["dana_desa"]}])

    dusun: list[Label] = Field(default_factory=list, max_length=100, description="Dusun names (any case)")
    rw: list[Annotated[int, Field(ge=0, le=999)]] = Field(default_factory=list, max_length=100)
    rt: list[Annotated[int, Field(ge=0, le=999)]] = Field(default_factory=list, max_length=100)
    topics: list[Topic] = Field(
        default_factory=list, max_length=10, description="Contacts who chose these (or chose no topic)"
    )
    tags: list[Label] = Field(default_factory=list, max_length=100)
    groups: list[Id] = Field(default_factory=list, max_length=100, description="Saved contact groups")
    contacts: list[Id] = Field(default_factory=list, max_length=100_000, description="Contact ids to add")
    exclude: list[Id] = Field(
        default_factory=list, max_length=100_000, description="Contact ids to leave out"
    )

    def to_audience(self) -> Audience:
        """The domain's audience."""
        return Audience(
            dusun=tuple(self.dusun),
            rw=tuple(self.rw),
            rt=tuple(self.rt),
            topics=tuple(topic.value for topic in self.topics),
            tags=tuple(self.tags),
            groups=tuple(self.groups),
            contacts=tuple(self.contacts),
            exclude=tuple(self.exclude),
        )


class BroadcastCreate(Body):
    """A broadcast to create (or preview): what to say, to whom, and when."""

    model_config = _forbid_extra(
        [
            {
                "kind": "umum",
                "title": "Kerja bakti Krajan",
                "sms_text": "Yth. {nama}, kerja bakti Minggu pukul 07.00 di balai desa. Mohon hadir.",
                "audience": {"dusun": ["Krajan"]},
                "send_at": "2026-12-05T08:00:00+07:00",
            },
            {
                "kind": "umum",
                "title": "Posyandu bulanan",
                "sms_text": "Posyandu {dusun} Selasa {tanggal} pukul 08.00. Bawa buku KIA.",
                "whatsapp_text": "Yth. {nama}, Posyandu {dusun} *Selasa {tanggal}* 08.00. Bawa buku KIA.",
                "template_name": "HX0123456789abcdef0123456789abcdef",
                "template_variables": ["{nama}", "{tanggal}"],
                "send_at": "2026-12-08T07:00:00+07:00",
                "rrule": "FREQ=MONTHLY;BYDAY=2TU;COUNT=12",
                "validity_seconds": 21600,
            },
        ]
    )

    kind: BroadcastKind
    title: str = Field(min_length=1, max_length=200)
    sms_text: str = Field(
        min_length=1,
        max_length=1530,
        description="The SMS variant; {nama}, {dusun}, {rt}, {rw}, {desa}, {tanggal}, {jam} are filled per "
        "recipient (a missing value gets a polite fallback)",
    )
    whatsapp_text: str | None = Field(default=None, min_length=1, max_length=4096)
    template_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=120,
        description="The approved WhatsApp template for recipients outside the 24-hour window",
    )
    template_variables: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=10, description="The template's variables, e.g. '{nama}'"
    )
    audience: AudienceSpec = Field(default_factory=AudienceSpec)
    send_at: Moment | None = Field(
        default=None, description="When (with its offset); omitted: now. The first date of a recurrence"
    )
    rrule: str | None = Field(
        default=None,
        min_length=1,
        max_length=400,
        description="RFC 5545 recurrence with an end (COUNT or UNTIL), at most daily",
        examples=["FREQ=MONTHLY;BYDAY=1MO;COUNT=12"],
    )
    validity_seconds: int | None = Field(
        default=None, ge=60, le=30 * 86400, description="Not worth sending this long after it was due"
    )

    @model_validator(mode="after")
    def _template_variables_need_a_template(self) -> Self:
        if self.template_variables and not self.template_name:
            raise ValueError("template_variables given without template_name")
        return self

    def to_draft(self) -> service.Draft:
        """The domain's draft."""
        return service.Draft(
            kind=self.kind,
            title=self.title,
            sms_text=self.sms_text,
            whatsapp_text=self.whatsapp_text,
            template_name=self.template_name,
            template_variables=tuple(self.template_variables),
            audience=self.audience.to_audience(),
            send_at=self.send_at,
            rrule=self.rrule,
            validity_seconds=self.validity_seconds,
        )


class BroadcastPublic(BaseModel):
    """A broadcast definition: what, to whom, when, and where it is in its lifecycle."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: BroadcastKind
    title: str
    sms_text: str
    whatsapp_text: str | None
    template_name: str | None
    template_variables: list[str]
    audience: AudienceSpec
    send_at: UTCTime | None
    rrule: str | None
    validity_seconds: int | None
    meeting_id: int | None
    meeting_key: str | None = Field(description="announce, d-3, d-1, h-2, moved-..., cancelled")
    status: BroadcastStatus
    planned_at: UTCTime | None = Field(description="The next occurrence")
    next_run_at: UTCTime | None = Field(description="When it fires: planned_at, or later after quiet hours")
    created_by: str = Field(examples=["kader:1"])
    approved_by: str | None
    created_at: UTCTime
    updated_at: UTCTime


class TextPreviewPublic(BaseModel):
    """One variant measured as an SMS, as written and after the one-click fix the outbox applies."""

    model_config = ConfigDict(from_attributes=True)

    text: str
    encoding: str = Field(examples=["GSM-7", "UCS-2"])
    units: int = Field(description="Septets (GSM-7) or UTF-16 code units (UCS-2)")
    segments: int
    unicode_chars: list[str] = Field(description="Characters that force UCS-2")
    fixed_text: str
    fixed_encoding: str
    fixed_segments: int
    fix_changes: bool
    filtered_words: list[str] = Field(description="Words and links some Indonesian SMS routes filter")
    warnings: list[str]

    @classmethod
    def of(cls, text: TextPreview) -> Self:
        """From the domain's preview of a text."""
        return cls.model_validate(text)


class PreviewPublic(BaseModel):
    """What a broadcast would do if it went now: recipients by channel, the WhatsApp window, encoding,
    cost and duration; `problems` lists what would stop it being created."""

    recipients: int = Field(description="Recipients reached, each counted once on its channel")
    by_channel: dict[Channel, int]
    unreachable: int = Field(description="Chosen, but no channel of this deployment reaches them")
    outside_window_template: int = Field(description="WhatsApp recipients outside the window: template")
    outside_window_sms: int = Field(description="WhatsApp recipients outside the window: SMS instead")
    without_template: int = Field(description="WhatsApp-only recipients outside the window, no template")
    whatsapp_messages: int
    whatsapp_templates: int
    sms_messages: int
    sms_segments: int = Field(description="Segments of each SMS (after the fix)")
    sms_encoding: str
    sms_total_segments: int
    console_messages: int
    cost: int = Field(description="Estimated cost in Rupiah")
    cost_text: str = Field(examples=["Rp2.100"])
    duration_seconds: float
    duration_text: str = Field(examples=["4 menit"])
    sms: TextPreviewPublic
    whatsapp: TextPreviewPublic | None
    warnings: list[str]
    problems: list[str]
    summary: str

    @classmethod
    def of(cls, result: Preview, problems: Iterable[str]) -> Self:
        """From the domain's preview."""
        estimate = result.estimate
        warnings = [*result.sms.warnings, *(result.whatsapp.warnings if result.whatsapp else ())]
        return cls(
            recipients=result.counts.total,
            by_channel={channel: n for channel, n in result.counts.recipients.items() if n},
            unreachable=result.unreachable,
            outside_window_template=result.counts.outside_window_template,
            outside_window_sms=result.counts.outside_window_sms,
            without_template=result.without_template,
            whatsapp_messages=estimate.whatsapp,
            whatsapp_templates=estimate.whatsapp_templates,
            sms_messages=estimate.sms,
            sms_segments=estimate.sms_segments,
            sms_encoding=estimate.sms_encoding.value,
            sms_total_segments=estimate.sms_total_segments,
            console_messages=estimate.console,
            cost=estimate.cost,
            cost_text=format_rupiah(estimate.cost),
            duration_seconds=estimate.duration_seconds,
            duration_text=format_duration(estimate.duration_seconds),
            sms=TextPreviewPublic.of(result.sms),
            whatsapp=TextPreviewPublic.of(result.whatsapp) if result.whatsapp else None,
            warnings=list(dict.fromkeys(warnings)),
            problems=list(problems),
            summary=result.summary,
        )


class BroadcastCreated(BroadcastPublic):
    """The broadcast just created (scheduled, or pending_approval) and its preview."""

    preview: PreviewPublic

    @classmethod
    def of(cls, broadcast: Broadcast, preview: PreviewPublic) -> Self:
        """The stored broadcast with its preview."""
        public = BroadcastPublic.model_validate(broadcast)
        return cls(**dict(public), preview=preview)


class RunPublic(BaseModel):
    """One firing of a broadcast."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    due_at: UTCTime
    fired_at: UTCTime | None
    status: RunStatus
    recipients: int
    note: str | None


class EventPublic(BaseModel):
    """Who did what to a broadcast, and when."""

    model_config = ConfigDict(from_attributes=True)

    action: str = Field(examples=["created", "approved", "fired", "cancelled"])
    actor: str = Field(examples=["kader:1", "system"])
    detail: str | None
    created_at: UTCTime


class ReportPublic(BaseModel):
    """What the broadcast's runs reached, in a funnel: recipients >= sent >= delivered >= read."""

    recipients: int = Field(description="Outbox messages of every run")
    queued: int = Field(description="Waiting or being handed over")
    sent: int = Field(description="Accepted by a provider (delivered and read included)")
    delivered: int = Field(description="Delivered (read included)")
    read: int
    failed: int = Field(description="Failed or undelivered")
    cancelled: int
    expired: int
    failed_by_reason: dict[str, int] = Field(description="Why messages did not arrive, cancelled included")
    by_status: dict[str, int]
    cost: int = Field(description="Rupiah spent on what went out")
    cost_text: str

    @classmethod
    def of(cls, report: service.RunReport) -> Self:
        """From the domain's report."""
        n = report.by_status.get

        def count(*statuses: DeliveryStatus) -> int:
            return sum(n(status.value, 0) for status in statuses)

        return cls(
            recipients=report.recipients,
            queued=count(DeliveryStatus.QUEUED, DeliveryStatus.SENDING),
            sent=count(DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ),
            delivered=count(DeliveryStatus.DELIVERED, DeliveryStatus.READ),
            read=count(DeliveryStatus.READ),
            failed=count(DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED),
            cancelled=count(DeliveryStatus.CANCELLED),
            expired=count(DeliveryStatus.EXPIRED),
            failed_by_reason=dict(report.failed_by_reason),
            by_status=dict(report.by_status),
            cost=report.cost,
            cost_text=format_rupiah(report.cost),
        )


class BroadcastDetail(BroadcastPublic):
    """A broadcast with its runs, what they reached, and every action taken on it."""

    runs: list[RunPublic]
    report: ReportPublic
    events: list[EventPublic]

    @classmethod
    def of(
        cls,
        broadcast: Broadcast,
        runs: Iterable[BroadcastRun],
        report: service.RunReport,
        events: Iterable[BroadcastEvent],
    ) -> Self:
        """The broadcast with its runs, report and events."""
        public = BroadcastPublic.model_validate(broadcast)
        return cls(
            **dict(public),
            runs=[RunPublic.model_validate(run) for run in runs],
            report=ReportPublic.of(report),
            events=[EventPublic.model_validate(event) for event in events],
        )


class BroadcastCancelled(BroadcastPublic):
    """The cancelled broadcast, and how many of its queued messages were stopped (sent ones stay)."""

    cancelled_messages: int


# --- meetings ------------------------------------------------------------------------------------


class MeetingCreate(Body):
    """A meeting to announce: the announcement and reminders (3 days before at 08:00, the day before at
    08:00, 2 hours before, in the village's zone) are planned at once; those already past are skipped."""

    model_config = _forbid_extra(
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

    model_config = _forbid_extra(
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


# --- decisions -----------------------------------------------------------------------------------


class DecisionCreate(Body):
    """A decision or sanction agreed in a deliberation; `announce` sends a `keputusan` broadcast now to
    every subscriber who takes that topic."""

    model_config = _forbid_extra(
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


# --- budget --------------------------------------------------------------------------------------


class BudgetLineCreate(Body):
    """One APBDes line: an income source, or a spending activity in its field (bidang 1-5)."""

    model_config = _forbid_extra(
        [
            {
                "year": 2026,
                "direction": "spending",
                "bidang": 2,
                "activity": "Rabat beton jalan",
                "location": "Dusun Krajan RT 02",
                "amount": 250_000_000,
                "realised": 180_000_000,
            },
            {
                "year": 2026,
                "direction": "income",
                "source": "DD",
                "activity": "Dana Desa",
                "amount": 1_050_000_000,
            },
        ]
    )

    year: int = Field(ge=2000, le=2100)
    direction: BudgetDirection
    bidang: int | None = Field(
        default=None,
        ge=1,
        le=5,
        description="Spending field: 1 administration, 2 development, 3 community, 4 empowerment, "
        "5 disasters and emergencies",
    )
    source: str | None = Field(default=None, min_length=1, max_length=40, examples=["DD", "ADD", "PADes"])
    activity: str = Field(min_length=1, max_length=200)
    location: str = Field(default="", max_length=120)
    amount: int = Field(gt=0, le=RUPIAH_MAX, description="Integer Rupiah")
    realised: int = Field(default=0, ge=0, le=RUPIAH_MAX, description="Integer Rupiah realised so far")

    @model_validator(mode="after")
    def _bidang_for_spending(self) -> Self:
        if self.direction == BudgetDirection.SPENDING and self.bidang is None:
            raise ValueError("a spending line needs its bidang (1-5)")
        if self.direction == BudgetDirection.INCOME and self.bidang is not None:
            raise ValueError("bidang is for spending lines; an income line has a source")
        return self


class BudgetLinePublic(BaseModel):
    """One APBDes line, with its amounts spelled the Indonesian way."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    year: int
    direction: BudgetDirection
    bidang: int | None
    source: str | None
    activity: str
    location: str
    amount: int
    amount_text: str = Field(examples=["Rp250 juta"])
    realised: int
    realised_text: str

    @classmethod
    def of(cls, line: BudgetLine) -> Self:
        """The line, with its amounts in words."""
        return cls.model_validate(
            {
                **line.model_dump(),
                "amount_text": format_rupiah(line.amount),
                "realised_text": format_rupiah(line.realised),
            }
        )


class BudgetTotalsPublic(BaseModel):
    """A year's totals in integer Rupiah, each with its Indonesian spelling."""

    income: int
    income_text: str = Field(examples=["Rp1,6 miliar"])
    income_realised: int
    spending: int
    spending_text: str
    spending_realised: int
    spending_realised_text: str
    spending_realised_percent: int | None
    balance: int = Field(description="Income less spending")
    balance_text: str

    @classmethod
    def of(cls, sums: BudgetTotals) -> Self:
        """From the domain's totals."""
        return cls(
            income=sums.income,
            income_text=format_rupiah(sums.income),
            income_realised=sums.income_realised,
            spending=sums.spending,
            spending_text=format_rupiah(sums.spending),
            spending_realised=sums.spending_realised,
            spending_realised_text=format_rupiah(sums.spending_realised),
            spending_realised_percent=sums.spending_realised_percent,
            balance=sums.balance,
            balance_text=format_rupiah(sums.balance),
        )


class BudgetPublic(BaseModel):
    """A year's APBDes: its lines (income first, then spending by bidang) and totals."""

    year: int
    lines: list[BudgetLinePublic]
    totals: BudgetTotalsPublic
