"""The real adapters pointed at the fake providers, their test credentials, and a dispatcher run until
the outbox is drained: what every end-to-end delivery test builds the same way."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.providers.http import make_client
from bot.providers.smsgate.send import SmsGateAdapter
from bot.providers.twilio.send import TwilioAdapter
from bot.providers.whatsapp_cloud.send import WhatsAppCloudAdapter
from broadcasts.channel import ChannelAdapter
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
) -> None:
    """Run a dispatcher over the adapters `build` makes until `waiting` says nothing is left (retries
    come due quickly with a tiny backoff) or `until` seconds have passed."""

    async def run() -> None:
        async with make_client() as client:
            adapters = build(client)
            config = DispatchConfig(rates={channel: Rate(1000) for channel in adapters}, backoff_base=0.05)
            if max_attempts is not None:
                config = replace(config, max_attempts=max_attempts)
            dispatcher = Dispatcher(engine, adapters, config=config, clock=utcnow)
            deadline = time.monotonic() + until
            while time.monotonic() < deadline:
                if await dispatcher.run_once() == 0:
                    if not waiting(engine):
                        return
                    await asyncio.sleep(0.05)

    asyncio.run(run())
