"""The real adapters pointed at the fake providers, their test credentials, and a dispatcher run until
the outbox is drained: what every end-to-end delivery test builds the same way."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.providers.http import make_client
from bot.providers.smsgate.send import SmsGateAdapter
from bot.providers.twilio.send import TwilioAdapter
from bot.providers.whatsapp_cloud.send import WhatsAppCloudAdapter
from broadcasts.channel import ChannelAdapter, OutgoingMessage, SendOutcome, SendResult
from broadcasts.dispatcher import DispatchConfig, Dispatcher
from broadcasts.ratelimit import Rate
from models import Channel, DeliveryStatus, Outbox, utcnow
from tests.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN

from .meta import FakeMeta
from .smsgate import FakeSmsGate
from .twilio import FakeTwilio

ACCOUNT = "AC" + "0" * 32
META_TOKEN, META_SECRET = "meta-test-access-token", "meta-test-app-secret"
GATE_USER, GATE_PASSWORD, GATE_KEY = "SMSGATE", "smsgate-test-password", "smsgate-test-signing-key"

Build = Callable[[httpx.AsyncClient], dict[Channel, ChannelAdapter]]
WAITING = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)


def twilio_adapter(
    client: httpx.AsyncClient, fake: FakeTwilio, channel: Channel = Channel.TWILIO_SMS
) -> TwilioAdapter:
    """The Twilio adapter sending to `fake`, asking for status callbacks at the test app's base URL."""
    return TwilioAdapter(
        client,
        channel=channel,
        account_sid=ACCOUNT,
        auth_token=TWILIO_TOKEN,
        api_base=fake.url,
        status_callback_base=PUBLIC_BASE_URL,
    )


def gateway_adapter(client: httpx.AsyncClient, gate: FakeSmsGate) -> SmsGateAdapter:
    """The Android SMS gateway adapter sending to `gate`."""
    return SmsGateAdapter(client, url=gate.url + "/3rdparty/v1", username=GATE_USER, password=GATE_PASSWORD)


def whatsapp_adapter(client: httpx.AsyncClient, meta: FakeMeta) -> WhatsAppCloudAdapter:
    """The WhatsApp Cloud API adapter sending to `meta`."""
    return WhatsAppCloudAdapter(client, access_token=META_TOKEN, api_base=meta.url + "/v21.0")


def waiting_rows(engine: Engine) -> bool:
    """Whether any outbox row is still queued or being sent."""
    with Session(engine) as session:
        return any(status in WAITING for status in session.scalars(select(Outbox.status)))


def drain(
    engine: Engine,
    build: Build,
    *,
    until: float = 60.0,
    max_attempts: int | None = None,
    waiting: Callable[[Engine], bool] = waiting_rows,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Run a dispatcher over the adapters `build` makes until `waiting` says nothing is left (retries
    come due quickly with a tiny backoff) or `until` seconds have passed; `clock` is the dispatcher's
    (a test's fixed time makes rows due then claimable)."""

    async def run() -> None:
        async with make_client() as client:
            adapters = build(client)
            config = DispatchConfig(rates={channel: Rate(1000) for channel in adapters}, backoff_base=0.05)
            if max_attempts is not None:
                config = replace(config, max_attempts=max_attempts)
            dispatcher = Dispatcher(engine, adapters, config=config, clock=clock)
            deadline = time.monotonic() + until
            while time.monotonic() < deadline:
                if await dispatcher.run_once() == 0:
                    if not waiting(engine):
                        return
                    await asyncio.sleep(0.05)

    asyncio.run(run())


def due_rows(engine: Engine, now: datetime) -> bool:
    """Whether a queued row is due by `now`."""
    with Session(engine) as session:
        found = session.scalars(
            select(Outbox.id).where(
                Outbox.status == DeliveryStatus.QUEUED,  # type: ignore[arg-type]
                Outbox.next_attempt_at <= now,  # type: ignore[arg-type,operator]
            )
        ).first()
    return found is not None


@dataclass
class Accepting:
    """A provider on `channel` that accepts every message at once (what reaches the provider is what a
    test asks about, not how the provider answers)."""

    channel: Channel
    sent: list[OutgoingMessage] = field(default_factory=list)

    async def send(self, message: OutgoingMessage) -> SendResult:
        self.sent.append(message)
        return SendResult(SendOutcome.ACCEPTED, provider_id=f"accepted-{message.outbox_id}")


def deliver(engine: Engine, now: datetime, at_most: int | None = None) -> None:
    """Hand what is due at `now` to providers that accept everything, on every channel, as the
    dispatcher does: all of it, or only the first `at_most` rows (a gateway phone pacing a broadcast
    out over hours)."""
    accepting: dict[Channel, ChannelAdapter] = {c: Accepting(c) for c in Channel}
    if at_most is None:
        drain(engine, lambda _: accepting, until=10, clock=lambda: now, waiting=lambda e: due_rows(e, now))
        return
    config = DispatchConfig(batch_size=at_most, rates={c: Rate(1000) for c in accepting})
    asyncio.run(Dispatcher(engine, accepting, config=config, clock=lambda: now).run_once())
