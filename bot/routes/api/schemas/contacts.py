"""What /api/v1/contacts accepts and answers: ContactCreate / ContactUpdate bodies, ContactPublic and
ContactDetail answers, and the report of a CSV import."""

from datetime import UTC, date, datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from bot.routes.api.schemas.base import Body
from handlers.contact_book import csv_import, edits, fields, records
from models import Channel, SubscriptionState, Topic
from models.errors import BadRequest


def _phone(value: str) -> str:
    try:
        return fields.parse_phone(value)
    except BadRequest as error:
        raise ValueError(error.message) from None


Phone = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        description="Any Indonesian form: 0812..., 62812..., +62 812-...; answered as E.164",
        examples=["0812-3456-7890"],
    ),
    AfterValidator(_phone),
]
WhatsAppId = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{2}\.[A-Za-z0-9.]{1,61}$",
        description="A WhatsApp user id, for someone who shares no phone number",
        examples=["ID.13491208655302741918"],
    ),
]
Name = Annotated[str, Field(min_length=1, max_length=fields.NAME_MAX)]
Dusun = Annotated[
    str, Field(min_length=1, max_length=fields.DUSUN_MAX, description="One of the village's dusun")
]
AreaNumber = Annotated[int, Field(ge=0, le=999)]
Tag = Annotated[str, Field(min_length=1, max_length=fields.TAG_MAX, pattern=r"^[^,;]+$")]
Evidence = Annotated[
    str,
    Field(
        min_length=fields.EVIDENCE_MIN,
        max_length=fields.EVIDENCE_MAX,
        description="Where and when the resident agreed to receive broadcasts (kept with the consent "
        "record, with who recorded it)",
        examples=["formulir Posyandu Krajan 12/11"],
    ),
]


class ContactFields(Body):
    """What ContactCreate and ContactUpdate both take, first: who, how to reach them, where they live."""

    name: Name | None = None
    phone: Phone | None = None
    whatsapp_id: WhatsAppId | None = None
    dusun: Dusun | None = None
    rw: AreaNumber | None = None
    rt: AreaNumber | None = None


class ContactCreate(ContactFields):
    """A contact to add: a phone number (any Indonesian form) or a WhatsApp id, and where they live.
    `subscribed` needs `consent_evidence`: an honest record of where consent came from."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Bu Sumarni",
                    "phone": "0812-3456-7890",
                    "dusun": "Krajan",
                    "rw": 1,
                    "rt": 2,
                    "topics": ["jadwal", "dana_desa"],
                    "subscribed": True,
                    "consent_evidence": "formulir Posyandu Krajan 12/11",
                },
                {"name": "Pak Darto", "phone": "+62 857 1234 5678", "dusun": "Cibodas"},
            ]
        },
    )

    tags: list[Tag] = Field(default_factory=list, max_length=20, description="Labels, e.g. 'kader PKK'")
    topics: list[Topic] = Field(
        default_factory=list, max_length=len(Topic), description="Topics chosen; none means every topic"
    )
    preferred_channel: Channel | None = None
    subscribed: bool = False
    consent_evidence: Evidence | None = None

    @model_validator(mode="after")
    def _reachable_and_consented(self) -> Self:
        if self.phone is None and self.whatsapp_id is None:
            raise ValueError("give a phone number or a WhatsApp id")
        if self.subscribed and not self.consent_evidence:
            raise ValueError(
                "subscribed needs consent_evidence: where and when did the resident agree "
                "(e.g. 'formulir Posyandu 12/11')"
            )
        return self

    def to_draft(self) -> edits.ContactDraft:
        """The domain's draft."""
        return edits.ContactDraft(
            name=self.name,
            phone=self.phone,
            whatsapp_id=self.whatsapp_id,
            dusun=self.dusun,
            rw=self.rw,
            rt=self.rt,
            tags=tuple(self.tags),
            topics=tuple(topic.value for topic in self.topics),
            preferred_channel=self.preferred_channel,
            subscribed=self.subscribed,
            consent_evidence=self.consent_evidence,
        )


class ContactUpdate(ContactFields):
    """Fields to change; `null` clears one (a contact keeps a phone or a WhatsApp id). `subscribed: true`
    needs `consent_evidence`, also for someone who unsubscribed; `subscribed: false` may say why."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"dusun": "Sukamulya", "rw": 2, "rt": 1},
                {"subscribed": True, "consent_evidence": "daftar hadir Musdes 14/12, tanda tangan"},
                {"phone": "0813 1111 2222", "topics": ["keputusan"]},
            ]
        },
    )

    tags: list[Tag] | None = Field(default=None, max_length=20)
    topics: list[Topic] | None = Field(default=None, max_length=len(Topic))
    preferred_channel: Channel | None = None
    subscribed: bool | None = None
    consent_evidence: Evidence | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("nothing to change")
        if "subscribed" in self.model_fields_set and self.subscribed is None:
            raise ValueError("subscribed is true or false")
        if self.consent_evidence is not None and self.subscribed is None:
            raise ValueError("consent_evidence goes with subscribed")
        return self

    def to_changes(self) -> edits.ContactChanges:
        """The domain's changes: only the fields given."""
        values: dict[str, Any] = {
            key: getattr(self, key) for key in self.model_fields_set if key in edits.EDITABLE
        }
        if values.get("topics") is not None:
            values["topics"] = [topic.value for topic in values["topics"]]
        return edits.ContactChanges(
            values=values, subscribed=self.subscribed, consent_evidence=self.consent_evidence
        )


def _day(value: object) -> object:
    return value.astimezone(UTC).date() if isinstance(value, datetime) else value


class ContactPublic(BaseModel):
    """A contact: personal data, shown only to roles that may read contacts."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str | None
    phone: str | None = Field(description="E.164", examples=["+6281234567890"])
    whatsapp_id: str | None
    dusun: str | None
    rw: int | None
    rt: int | None
    tags: list[str]
    topics: list[str] = Field(description="Topics chosen; empty means every topic")
    preferred_channel: Channel | None
    subscription: SubscriptionState
    subscription_changed_at: Annotated[date | None, BeforeValidator(_day)] = Field(
        description="The day (UTC) of the last consent change: a time of day would match the time of a "
        "masked BERHENTI in the message log, and so name a resident who complained anonymously",
        examples=["2026-12-02"],
    )
    created_at: Annotated[date, BeforeValidator(_day)] = Field(
        description="The day (UTC) the contact became known: no time of day, so that it cannot be matched "
        "with the time of an anonymous complaint",
        examples=["2026-12-02"],
    )


class ConsentPublic(BaseModel):
    """One consent change: to what, when, from where (keyword, staff, csv_import, provider_opt_out), and
    the evidence behind it."""

    model_config = ConfigDict(from_attributes=True)

    state: SubscriptionState
    source: str
    channel: Channel | None
    evidence: str | None
    created_at: Annotated[date, BeforeValidator(_day)] = Field(
        description="The day (UTC): no time of day, for the reason given at subscription_changed_at",
        examples=["2026-12-02"],
    )


class ContactDetail(ContactPublic):
    """A contact with its consent history, latest first."""

    consent: list[ConsentPublic]

    @classmethod
    def of(cls, record: records.ContactRecord, history: list[records.ConsentRecord]) -> Self:
        """The contact with its consent history."""
        return cls(
            **dict(ContactPublic.model_validate(record)),
            consent=[ConsentPublic.model_validate(event) for event in history],
        )


class RejectionPublic(BaseModel):
    """A row left out, by its spreadsheet row number (the header is row 1)."""

    model_config = ConfigDict(from_attributes=True)

    row: int
    reason: csv_import.RejectReason
    message: str = Field(examples=["'0812-345' is not a valid phone number"])


class RowNotePublic(BaseModel):
    """Something worth knowing about an imported row, by its spreadsheet row number (the header is 1)."""

    model_config = ConfigDict(from_attributes=True)

    row: int
    contact_id: int | None
    message: str = Field(
        examples=["list says no consent; contact stays subscribed (unsubscribe with BERHENTI or PATCH ...)"]
    )


class ImportPublic(BaseModel):
    """What an import did, or with `dry_run` would do: counts, and each rejected row with its reason."""

    model_config = ConfigDict(from_attributes=True)

    dry_run: bool
    encoding: str = Field(examples=["utf-8", "windows-1252"])
    delimiter: str = Field(examples=[";"])
    columns: dict[str, str] = Field(
        description="Each field read, and the header it was read from", examples=[{"phone": "No. HP"}]
    )
    ignored_columns: list[str]
    rows: int = Field(description="Non-empty rows under the header")
    created: int
    updated: int = Field(description="Existing contacts (same phone) given the row's non-empty cells")
    unchanged: int = Field(description="Existing contacts the row had nothing new for")
    rejected: int
    skipped_empty: int
    subscribed: int = Field(description="Contacts subscribed by this import (consent events recorded)")
    kept_unsubscribed: int = Field(description="Listed, but kept unsubscribed: they had asked to stop")
    kept_subscribed: int = Field(
        default=0,
        description="Listed without consent, but kept subscribed: a list never unsubscribes anyone "
        "(BERHENTI or a change of the contact does); each is in `notes`",
    )
    rejections: list[RejectionPublic]
    notes: list[RowNotePublic] = Field(
        description="Rows imported with something to know (kept unsubscribed or kept subscribed), "
        "by row number"
    )
