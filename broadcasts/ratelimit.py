"""Per-sender pacing: a message (or SMS segment) at a time, never faster than the configured rate.

A strict leaky bucket (GCRA with no burst): each send of cost c is scheduled c / rate seconds after the
previous one, so no one-second window ever holds more than `rate` units, while a steady stream runs at
the full rate. Bursts are what carriers and WhatsApp penalise, so none are allowed.
"""

import asyncio
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
    """Spaces sends of one sender at `rate`; `wait(cost)` returns when the send may go."""

    rate: Rate
    clock: Callable[[], float] = field(default_factory=lambda: asyncio.get_running_loop().time)
    _next: float = 0.0

    def peek(self) -> float:
        """Seconds until the next send could start."""
        return max(0.0, self._next - self.clock())

    def reserve(self, cost: float = 1.0) -> float:
        """Book a slot for `cost` units and return the delay (seconds) before it starts."""
        now = self.clock()
        start = max(now, self._next)
        self._next = start + cost / (self.rate.per_second * SAFETY)
        return start - now

    async def wait(self, cost: float = 1.0) -> None:
        """Sleep until this sender may send `cost` more units."""
        delay = self.reserve(cost)
        if delay > 0:
            await asyncio.sleep(delay)
