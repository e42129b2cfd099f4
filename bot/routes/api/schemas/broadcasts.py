"""The broadcast API's bodies and answers: create, preview, detail, runs, events, reports."""

from collections.abc import Iterable
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.routes.api.schemas.base import (
    Body,
    Id,
    Label,
    Moment,
    UTCTime,
    forbid_extra,
)
from broadcasts import service
from broadcasts.audience import Audience
from broadcasts.compose import TextPreview, format_duration
from broadcasts.preview import Preview
from models import (
    Broadcast,
    BroadcastEvent,
    BroadcastKind,
    BroadcastRun,
    BroadcastStatus,
    Channel,
    DeliveryStatus,
    RunStatus,
    Topic,
)
from models.texts import format_rupiah


class AudienceSpec(Body):
    """Who receives it: place, topic, tag and group filters narrow (AND across kinds, OR within one);
    `contacts` adds people by id; `exclude` removes them. Nothing given: every subscriber of the village.
    Only subscribed contacts ever receive a broadcast."""

    model_config = forbid_extra([{"dusun": ["Krajan"], "rt": [2, 3]}, {"topics": ["dana_desa"]}])

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

    model_config = forbid_extra(
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
    """What the broadcast's runs reached, in a funnel: recipients >= sent >= delivered >= read; each
    recipient once, by the message that reached them (an SMS in place of WhatsApp counts as that SMS).
    Available while the broadcast runs: `queued` falls as `sent` rises."""

    recipients: int = Field(description="Outbox messages of every run")
    queued: int = Field(description="Waiting or being handed over")
    sent: int = Field(description="Accepted by a provider (delivered and read included)")
    delivered: int = Field(description="Delivered (read included)")
    read: int
    failed: int = Field(description="Failed or undelivered")
    cancelled: int
    expired: int
    failed_by_reason: dict[str, int] = Field(description="Why messages did not arrive, cancelled included")
    sms_instead: int = Field(
        0, description="Recipients reached by an SMS sent in place of their WhatsApp message (counted once)"
    )
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
            sms_instead=report.sms_instead,
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
