"""The database going away, as clients and operators see it.

While the database cannot be reached (PostgreSQL restarted, the network to it cut, SQLite's disk gone),
every request that needs it is answered 503 with `Retry-After` (providers retry a 5xx: Meta and the
Android gateway on their own, Twilio through its fallback URL), never a 500 with a traceback. The log
gets one line when it starts, one line a second while it lasts (how many requests were refused), and one
when the database answers again; the engine's pre-ping makes the next request after recovery work
without a restart.
"""

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from models.errors import KentonganError

log = logging.getLogger("kentongan.database")

RETRY_AFTER_SECONDS = 5


class DatabaseUnavailable(KentonganError):
    """The database did not answer; the client should try again shortly."""

    status_code = 503

    def __init__(self, message: str = "database unavailable, try again shortly") -> None:
        super().__init__(message)


def is_outage(error: BaseException) -> bool:
    """True when `error` says the database cannot be reached or is too busy to answer (not a bug in a
    statement): a refused or lost connection, a locked SQLite file, a server shutting down."""
    if isinstance(error, DatabaseUnavailable):
        return True
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def describe(error: BaseException) -> str:
    """The kind of failure, for the log: the driver's exception class, never its text (a failed
    statement's text can hold a number or a message)."""
    cause = getattr(error, "orig", None) or error
    return type(cause).__name__


class OutageMonitor:
    """Counts requests refused for want of a database and logs them at most once a second.

    The first refusal starts a thread that logs the count each second and pings the database; when the
    ping answers, it logs the recovery and stops. Thread-safe: the event loop and worker threads report.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._since: float | None = None
        self._refused = 0  # since the last line
        self._total = 0  # since the outage began
        self._kind = ""

    @property
    def down(self) -> bool:
        """True from the first refusal until the database answers again."""
        return self._since is not None

    def refused(self, error: BaseException) -> None:
        """Count one request answered 503 because of `error`."""
        with self._lock:
            self._refused += 1
            self._total += 1
            self._kind = describe(error)
            if self._since is not None:
                return
            self._since = self.clock()
            log.error("database unavailable (%s): answering 503 until it is back", self._kind)
            if self._stop.is_set():
                return
            self._thread = threading.Thread(target=self._watch, name="database-outage", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Stop watching (on shutdown)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            if self._ping():
                with self._lock:
                    since, total = self._since or self.clock(), self._total
                    self._since, self._refused, self._total = None, 0, 0
                log.warning(
                    "database available again after %.1f s; %d requests were answered 503",
                    self.clock() - since,
                    total,
                )
                return
            with self._lock:
                refused, self._refused = self._refused, 0
                since, kind = self._since or self.clock(), self._kind
            log.error(
                "database still unavailable after %.0f s (%s): %d requests answered 503 in the last %.0f s",
                self.clock() - since,
                kind,
                refused,
                self.interval,
            )

    def _ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # any failure means: not back yet
            return False
        return True
