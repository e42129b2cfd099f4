"""Fan-out: one broadcast run becomes one outbox row per reachable recipient.

Streams the audience in chunks and inserts each chunk in one statement, so 100,000 recipients take a few
seconds and little memory (bench/fanout.py). Idempotent: a run that is fanned out again (after a crash
half-way) adds only the rows it lacks, because (run, contact) is unique and conflicts are skipped.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from broadcasts import outbox, routing
from broadcasts.audience import Audience, Recipient, recipients
from broadcasts.channel import Template
from broadcasts.compose import CompiledText, render, variables_in
from models import BroadcastKind, Channel, Lane, OutboxSource
from models.base import insert_unless_taken
from models.tables import OUTBOX

PERSONAL = frozenset({"nama", "dusun", "rt", "rw"})  # variables that differ per recipient


@dataclass(frozen=True, slots=True)
class Message:
    """What a run sends: the SMS and WhatsApp variants, the template outside the window, and values."""

    kind: BroadcastKind
    sms_text: str
    whatsapp_text: str | None = None
    template_name: str | None = None
    template_variables: tuple[str, ...] = ()
    values: Mapping[str, str] = field(default_factory=dict)  # {tanggal}, {jam}, {tempat}, {desa}, ...
    validity_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class VillageRoutes:
    """A village's addresses per channel, its prices, and the channels this deployment can send on."""

    village_id: int
    addresses: Mapping[Channel, str]
    available: Collection[Channel]
    prices: outbox.Prices = field(default_factory=outbox.Prices)


@dataclass
class FanoutResult:
    """How a run fanned out."""

    recipients: int = 0
    queued: int = 0
    unreachable: int = 0
    by_channel: dict[Channel, int] = field(default_factory=dict)


def lane_for(kind: BroadcastKind) -> Lane:
    """Emergencies go first; every other broadcast is bulk."""
    return Lane.URGENT if kind == BroadcastKind.DARURAT else Lane.BULK


def _personal_values(recipient: Recipient) -> dict[str, str | None]:
    return {
        "nama": recipient.name,
        "dusun": recipient.dusun,
        "rt": str(recipient.rt) if recipient.rt is not None else None,
        "rw": str(recipient.rw) if recipient.rw is not None else None,
    }


_INSERT_ROW = insert_unless_taken(OUTBOX, ["run_id", "contact_id"], OUTBOX.c.id)


def fan_out(
    *,
    session: Session,
    run_id: int,
    message: Message,
    audience: Audience,
    village: VillageRoutes,
    now: datetime,
    chunk: int = 5000,
) -> FanoutResult:
    """Queue one outbox row per reachable recipient of `audience` for run `run_id`."""
    connection = session.connection()
    # RETURNING counts what was really inserted (executemany's rowcount is -1 on PostgreSQL).
    statement = _INSERT_ROW[connection.dialect.name]
    lane = lane_for(message.kind)
    personal = bool(variables_in(message.sms_text) & PERSONAL) or bool(
        message.whatsapp_text and variables_in(message.whatsapp_text) & PERSONAL
    )
    shared: dict[str, str | None] = dict(message.values)
    fixed_texts: dict[str, str] = {}
    compiled = {text: CompiledText(text) for text in (message.sms_text, message.whatsapp_text) if text}
    compiled_variables = [CompiledText(v) for v in message.template_variables]
    measured: dict[tuple[Channel, str, bool], dict[str, object]] = {}
    result = FanoutResult()
    batch: list[dict[str, Any]] = []

    for recipient in recipients(
        session=session, village_id=village.village_id, audience=audience, chunk=chunk
    ):
        result.recipients += 1
        route = routing.choose(
            identities=recipient.identities,
            village_addresses=village.addresses,
            available=village.available,
            preferred=recipient.preferred_channel,
        )
        if route is None:
            result.unreachable += 1
            continue
        variant = (
            message.whatsapp_text if route.channel.is_whatsapp and message.whatsapp_text else message.sms_text
        )
        values: Mapping[str, str | None] = {**shared, **_personal_values(recipient)} if personal else shared
        if personal:
            text = compiled[variant](values)
        else:
            if variant not in fixed_texts:
                fixed_texts[variant] = render(variant, shared)
            text = fixed_texts[variant]
        template = None
        if route.channel.is_whatsapp and message.template_name:
            template = Template(message.template_name, tuple(fill(values) for fill in compiled_variables))
        key = (route.channel, text, template is not None)
        sizes = measured.get(key)
        if sizes is None:
            if len(measured) >= 10_000:  # personalised texts all differ: keep the cache small
                measured.clear()
            sizes = measured[key] = outbox.measure(route.channel, text, template, village.prices)
        batch.append(
            outbox.row(
                village_id=village.village_id,
                contact_id=recipient.contact_id,
                channel=route.channel,
                sender=route.sender,
                recipient=route.recipient,
                body=text,
                lane=lane,
                source=OutboxSource.BROADCAST,
                now=now,
                run_id=run_id,
                template=template,
                validity_seconds=message.validity_seconds,
                measured=sizes,
            )
        )
        result.by_channel[route.channel] = result.by_channel.get(route.channel, 0) + 1
        if len(batch) >= chunk:
            result.queued += len(connection.execute(statement, batch).all())
            batch = []
    if batch:
        result.queued += len(connection.execute(statement, batch).all())
    return result
