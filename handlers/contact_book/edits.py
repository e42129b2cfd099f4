"""Contacts as staff change them one by one: `create` (a phone or a WhatsApp id, in any Indonesian
form) and `update` (only the fields given). Every consent change goes through broadcasts.consent with
source "staff" and its evidence: where the resident agreed, and which staff member vouched for it.
Everything is checked before anything is written.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy import update as sa_update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from broadcasts import consent
from handlers.contact_book.fields import (
    EVIDENCE_MAX,
    parse_area_number,
    parse_dusun,
    parse_evidence,
    parse_name,
    parse_phone,
    parse_tags,
    parse_topics,
    parse_whatsapp_id,
)
from handlers.contact_book.records import (
    IDENTITY_WHAT,
    RACE,
    ContactRecord,
    get,
    known_dusun,
    new_contact_row,
    owner_of,
    replace_identity,
    set_topics,
)
from models import Channel, IdentityKind, SubscriptionState
from models.errors import BadRequest, Conflict
from models.tables import CONTACT, IDENTITY

STAFF_SOURCE = "staff"


@dataclass(frozen=True, slots=True)
class ContactDraft:
    """A new contact as staff give it: the phone in any Indonesian format, a phone or a WhatsApp id."""

    name: str | None = None
    phone: str | None = None
    whatsapp_id: str | None = None
    dusun: str | None = None
    rw: int | None = None
    rt: int | None = None
    tags: Sequence[str] = ()
    topics: Sequence[str] = ()
    preferred_channel: Channel | None = None
    subscribed: bool = False
    consent_evidence: str | None = None


@dataclass(frozen=True, slots=True)
class ContactChanges:
    """Fields to change (only those given; None clears one), and a subscription change with its evidence."""

    values: Mapping[str, Any] = field(default_factory=dict)
    subscribed: bool | None = None
    consent_evidence: str | None = None


EDITABLE = ("name", "phone", "whatsapp_id", "dusun", "rw", "rt", "tags", "topics", "preferred_channel")


def create(
    *, session: Session, village_id: int, draft: ContactDraft, now: datetime, actor: str
) -> ContactRecord:
    """Add a contact; Conflict (naming the owner) when its phone or WhatsApp id is taken in the village.

    Subscribing needs `consent_evidence`; it is recorded as a ConsentEvent from source "staff".
    """
    connection = session.connection()
    identities = {
        IdentityKind.PHONE: parse_phone(draft.phone) if draft.phone else None,
        IdentityKind.WHATSAPP_USER: parse_whatsapp_id(draft.whatsapp_id) if draft.whatsapp_id else None,
    }
    if not any(identities.values()):
        raise BadRequest("give a phone number or a WhatsApp id")
    for kind, value in identities.items():
        owner = owner_of(connection, village_id, kind, value) if value else None
        if owner is not None:
            raise Conflict(f"this {IDENTITY_WHAT[kind]} already belongs to contact {owner}")
    evidence = parse_evidence(draft.consent_evidence, actor) if draft.subscribed else None
    values = new_contact_row(
        village_id,
        now,
        name=parse_name(draft.name),
        dusun=parse_dusun(draft.dusun, known_dusun(connection, village_id)),
        rw=parse_area_number(draft.rw, "rw"),
        rt=parse_area_number(draft.rt, "rt"),
        tags=parse_tags(draft.tags),
        preferred_channel=draft.preferred_channel,
        created_by=actor,
    )
    topics = parse_topics(draft.topics)
    try:
        contact_id: int = connection.execute(insert(CONTACT).returning(CONTACT.c.id), values).scalar_one()
        connection.execute(
            insert(IDENTITY),
            [
                {"village_id": village_id, "contact_id": contact_id, "kind": kind, "value": value}
                for kind, value in identities.items()
                if value
            ],
        )
    except IntegrityError as error:  # a concurrent request took the number between the check and here
        raise Conflict(RACE.format("phone number or WhatsApp id")) from error
    set_topics(connection, contact_id, topics)
    if evidence is not None:
        consent.change(
            session=session,
            contact_id=contact_id,
            state=SubscriptionState.SUBSCRIBED,
            source=STAFF_SOURCE,
            now=now,
            current=SubscriptionState.NEVER,
            evidence=evidence,
        )
    return get(session=session, village_id=village_id, contact_id=contact_id)


def _column_changes(given: Mapping[str, Any], current: ContactRecord, known: Sequence[str]) -> dict[str, Any]:
    wanted: dict[str, Any] = {}
    if "name" in given:
        wanted["name"] = parse_name(given["name"])
    if "dusun" in given:
        wanted["dusun"] = parse_dusun(given["dusun"], known)
    for key in ("rw", "rt"):
        if key in given:
            wanted[key] = parse_area_number(given[key], key)
    if "preferred_channel" in given:
        wanted["preferred_channel"] = given["preferred_channel"]
    if "tags" in given:
        wanted["tags"] = parse_tags(given["tags"] or ())
    have = {**{key: getattr(current, key) for key in wanted}, "tags": ",".join(current.tags)}
    return {key: value for key, value in wanted.items() if value != have[key]}


def _identity_changes(
    connection: Connection, village_id: int, given: Mapping[str, Any], current: ContactRecord
) -> list[tuple[str, IdentityKind, str | None, str | None]]:
    """(field, kind, old, new) for each identity that changes; Conflict when another contact has it."""
    changes = []
    for key, kind, old in (
        ("phone", IdentityKind.PHONE, current.phone),
        ("whatsapp_id", IdentityKind.WHATSAPP_USER, current.whatsapp_id),
    ):
        if key not in given:
            continue
        raw = given[key]
        new = (parse_phone(raw) if kind == IdentityKind.PHONE else parse_whatsapp_id(raw)) if raw else None
        if new == old:
            continue
        owner = owner_of(connection, village_id, kind, new) if new else None
        if owner is not None and owner != current.id:
            raise Conflict(f"this {IDENTITY_WHAT[kind]} already belongs to contact {owner}")
        changes.append((key, kind, old, new))
    after = {key: new for key, _, _, new in changes}
    if after.get("phone", current.phone) is None and after.get("whatsapp_id", current.whatsapp_id) is None:
        raise BadRequest("a contact needs a phone number or a WhatsApp id")
    return changes


def _subscription_change(
    current: ContactRecord, changes: ContactChanges, actor: str
) -> tuple[SubscriptionState, str] | None:
    """The consent state to record and its evidence, or None when the subscription stays as it is."""
    if changes.subscribed is True and current.subscription != SubscriptionState.SUBSCRIBED:
        unsubscribed = current.subscription == SubscriptionState.UNSUBSCRIBED
        if unsubscribed and not (changes.consent_evidence or "").strip():
            when = current.subscription_changed_at
            since = f" on {when:%Y-%m-%d}" if when else ""
            raise BadRequest(
                f"contact {current.id} unsubscribed{since}: subscribing them again needs consent_evidence "
                "saying where and when they agreed again"
            )
        return SubscriptionState.SUBSCRIBED, parse_evidence(changes.consent_evidence, actor)
    if changes.subscribed is False and current.subscription == SubscriptionState.SUBSCRIBED:
        note = " ".join((changes.consent_evidence or "").split())[:EVIDENCE_MAX]
        return SubscriptionState.UNSUBSCRIBED, f"{note} ({actor})" if note else f"({actor})"
    return None


def update(
    *,
    session: Session,
    village_id: int,
    contact_id: int,
    changes: ContactChanges,
    now: datetime,
    actor: str,
) -> tuple[ContactRecord, list[str]]:
    """Change a contact; returns it and the names of the fields that changed (never their values).

    A subscription needs `consent_evidence`, and so does a return after the resident unsubscribed: their
    own BERHENTI outranks an old list, so staff say where they agreed again.
    """
    current = get(session=session, village_id=village_id, contact_id=contact_id)
    unknown = set(changes.values) - set(EDITABLE)
    if unknown:
        raise BadRequest(f"cannot change {', '.join(sorted(unknown))}")
    connection = session.connection()
    given = changes.values
    # Everything is checked before anything is written.
    columns = _column_changes(given, current, known_dusun(connection, village_id))
    identities = _identity_changes(connection, village_id, given, current)
    topics = parse_topics(given["topics"] or ()) if "topics" in given else current.topics
    subscription = _subscription_change(current, changes, actor)

    for _, kind, old, new in identities:
        replace_identity(connection, village_id, contact_id, kind, old, new)
    if columns:
        connection.execute(sa_update(CONTACT).where(CONTACT.c.id == contact_id).values(**columns))
    if set(topics) != set(current.topics):
        set_topics(connection, contact_id, topics)
    if subscription is not None:
        state, evidence = subscription
        consent.change(
            session=session,
            contact_id=contact_id,
            state=state,
            source=STAFF_SOURCE,
            now=now,
            current=current.subscription,
            evidence=evidence,
        )
    changed = {key for key, _, _, _ in identities} | set(columns)
    if set(topics) != set(current.topics):
        changed.add("topics")
    if subscription is not None:
        changed.add("subscription")
    ordered = [key for key in (*EDITABLE, "subscription") if key in changed]
    return get(session=session, village_id=village_id, contact_id=contact_id), ordered
