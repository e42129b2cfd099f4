"""Per-sender pacing: a message (or SMS segment) at a time, never faster than the configured rate.

A strict leaky bucket (GCRA with no burst): each send of cost c is scheduled c / rate seconds after the
previous one, so no one-second window ever holds more than `rate` units, while a steady stream runs at
the full rate. Bursts are what carriers and WhatsApp penalise, so none are allowed.
"""

import asyncio
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

# Pace 0.5% under the limit: rounding and a few milliseconds of network jitter must never put one
# message too many into a provider's one-second window (at 50/s that is 5 ms of slack a second).
SAFETY = 0.995


@dataclass(frozen=True, slots=True)
class Rate:
    """A limit in units (messages or segments) per second."""

    per_second: float
    unit: str = "message"  # "message" or "segment"

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """'80/s', '10 segments/s', '100/h', '30/min' -> Rate."""
        amount, _, period = text.replace(" ", "").partition("/")
        unit = "segment" if "segment" in amount else "message"
        number = float("".join(ch for ch in amount if ch.isdigit() or ch == ".") or "0")
        seconds = {"s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "hour": 3600}.get(period)
        if number <= 0 or seconds is None:
            raise ValueError(f"not a rate: {text!r} (try '80/s', '10 segments/s' or '100/h')")
        return cls(number / seconds, unit)


@dataclass
class Pacer:
    """Spaces sends of one sender at `rate`; `wait(cost)` returns when the send may go.

    Slots follow a fixed schedule (so late wake-ups do not slow the average), and a sliding one-second
    window over the real send times holds at most floor(rate x SAFETY) units, so a sleeper woken late
    by a busy event loop can never go out together with the next one.
    """

    rate: Rate
    clock: Callable[[], float] = field(default_factory=lambda: asyncio.get_running_loop().time)
    _next: float = 0.0
    _waiting: int = 0
    _sent: deque[tuple[float, float]] = field(default_factory=deque)
    _in_window: float = 0.0  # units in _sent
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def interval(self, cost: float = 1.0) -> float:
        """Seconds a send of `cost` units occupies."""
        return cost / (self.rate.per_second * SAFETY)

    @property
    def window_cap(self) -> float:
        """Units allowed in any one second."""
        return max(1.0, math.floor(self.rate.per_second * SAFETY))

    def peek(self) -> float:
        """Seconds until a send asked for now could start, counting those already waiting."""
        return max(0.0, self._next - self.clock()) + self._waiting * self.interval()

    def reserve(self, cost: float = 1.0) -> float:
        """Book the next slot for `cost` units and return the delay before it starts (no waiting)."""
        now = self.clock()
        start = max(now, self._next)
        self._next = start + self.interval(cost)
        return start - now

    async def wait(self, cost: float = 1.0) -> None:
        """Sleep until this sender may send `cost` more units."""
        self._waiting += 1
        try:
            async with self._lock:
                now = self.clock()
                start = max(now, self._next)
                while self._sent and self._sent[0][0] <= start - 1.0:
                    self._in_window -= self._sent.popleft()[1]
                if self._in_window + cost > self.window_cap:
                    in_window = self._in_window
                    for sent_at, units in self._sent:
                        if in_window + cost <= self.window_cap:
                            break
                        start = max(start, sent_at + 1.0)
                        in_window -= units
                if start > now:
                    await asyncio.sleep(start - now)
                self._sent.append((self.clock(), cost))
                self._in_window += cost
                self._next = start + self.interval(cost)
        finally:
            self._waiting -= 1
