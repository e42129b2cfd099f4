"""The boundary of the delivery engine: the dispatcher's lifecycle, and the transaction provider status
reports are recorded in (what each report means is decided in broadcasts/reports.py)."""

import asyncio
import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import URL, Engine

from bot.db import make_engine, transaction
from bot.providers.http import make_client
from bot.providers.registry import build_adapters, configured_channels
from bot.settings import Settings
from broadcasts import reports
from broadcasts.channel import ChannelAdapter, StatusUpdate
from broadcasts.dispatcher import DispatchConfig, Dispatcher
from broadcasts.journal import SentJournal
from broadcasts.ratelimit import Rate
from models import Channel, utcnow

log = logging.getLogger("kentongan.delivery")


def dispatch_config(settings: Settings) -> DispatchConfig:
    """The dispatcher's configuration from the settings."""
    rates = {
        Channel.TWILIO_SMS: Rate.parse(settings.rate_twilio_sms),
        Channel.TWILIO_WHATSAPP: Rate.parse(settings.rate_twilio_whatsapp),
        Channel.WHATSAPP_CLOUD: Rate.parse(settings.rate_whatsapp_cloud),
        Channel.SMSGATE: Rate.parse(settings.rate_smsgate),
        Channel.CONSOLE: Rate.parse(settings.rate_console),
    }
    return DispatchConfig(
        batch_size=settings.dispatcher_batch_size,
        concurrency=settings.dispatcher_concurrency,
        max_attempts=settings.dispatcher_max_attempts,
        lease=timedelta(seconds=settings.dispatcher_lease_seconds),
        backoff_base=settings.dispatcher_backoff_seconds,
        rates=rates,
    )


def journal_directory(url: URL) -> Path | None:
    """Where the dispatchers of this database keep their sent journals (broadcasts/journal.py): beside
    the SQLite file, or under var/ for PostgreSQL (one directory per database and schema). None for an
    in-memory database, which dies with the process anyway."""
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            return None
        database = Path(url.database)
        return database.with_name(database.name + ".sent-journal")
    key = url.render_as_string(hide_password=True).encode()
    return Path("var") / "sent-journal" / hashlib.sha256(key).hexdigest()[:16]


class DeliveryService:
    """Runs the dispatcher (when asked) and records provider status reports."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        adapters: dict[Channel, ChannelAdapter] | None = None,
        journal_directory: Path | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self._adapters = adapters
        self._journal_directory = journal_directory
        self.dispatcher: Dispatcher | None = None
        self._journal: SentJournal | None = None
        self._dispatch_engine: Engine | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        """Start the dispatcher in this event loop, with one HTTP client for every adapter and its sent
        journal open."""
        self._loop = asyncio.get_running_loop()
        self._client = make_client(max_connections=max(self.settings.dispatcher_concurrency, 10))
        adapters = (
            self._adapters if self._adapters is not None else build_adapters(self.settings, self._client)
        )
        directory = self._journal_directory or journal_directory(self.engine.url)
        if directory is not None:
            journal = SentJournal(directory)
            try:
                await asyncio.to_thread(journal.open)
                self._journal = journal
            except OSError:  # sending matters more: without it the window is the database's again
                log.exception(
                    "cannot open a sent journal in %s; sends are recorded in the database only", directory
                )
        self._dispatch_engine = self._own_engine()
        self.dispatcher = Dispatcher(
            self._dispatch_engine,
            adapters,
            config=dispatch_config(self.settings),
            clock=self.clock,
            journal=self._journal,
        )
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self.dispatcher.run(self._stop), name="dispatcher")
        log.info("dispatcher started for %s", ", ".join(sorted(adapters)) or "no channels")

    def _own_engine(self) -> Engine:
        """On PostgreSQL the dispatcher has connections of its own, so that under inbound load it never
        queues for one behind the webhooks' transactions (they share the app's pool). SQLite has one
        write lock whatever the connection: the journal is what keeps its sends safe there."""
        if self.engine.dialect.name != "postgresql":
            return self.engine
        url = self.engine.url.render_as_string(hide_password=False)
        return make_engine(url, pool_size=2, max_overflow=2)

    async def stop(self) -> None:
        """Let the current pass finish, then stop; the journal goes when the database has all it held."""
        self._stop.set()
        try:
            if self._task is not None:
                await asyncio.wait_for(self._task, timeout=30)
                self._task = None
        finally:
            if self._journal is not None:
                recorded = self.dispatcher is None or self.dispatcher.unrecorded == 0
                await asyncio.to_thread(self._journal.close, everything_recorded=recorded)
                self._journal = None
            if self._dispatch_engine is not None and self._dispatch_engine is not self.engine:
                self._dispatch_engine.dispose()
            self._dispatch_engine = None
            if getattr(self, "_client", None) is not None:
                await self._client.aclose()

    def wake(self) -> None:
        """Tell the dispatcher new urgent rows are waiting (safe from any thread)."""
        if self.dispatcher is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.dispatcher.wake)

    def record_statuses(self, updates: Sequence[StatusUpdate], *, now: datetime) -> reports.StatusResult:
        """Record provider status reports, and what they say (broadcasts/reports.py: `receive`), in one
        transaction; wake the dispatcher for an SMS queued instead of a refused WhatsApp message."""
        channels = set(self._adapters) if self._adapters is not None else configured_channels(self.settings)
        with transaction(self.engine) as session:
            result = reports.receive(session=session, updates=updates, channels=channels, now=now)
        if result.sms_queued:
            self.wake()
        if result.unknown:
            log.info("%d status reports for messages that are not ours (ignored)", result.unknown)
        return result
