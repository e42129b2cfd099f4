"""A staff command's PIN, masked in the stored message.

The PIN is not kept: once a command that carries one is handled (right PIN or wrong, locked or
refused), the stored message's text and the provider's payload have it masked as ****, since the message
log shows message bodies to other staff. Only the token read as the PIN is masked, not a ticket code
with the same digits (turn.py: `Turn.mask_stored_pin` writes it).
"""

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from handlers.staff_commands.commands import Broadcast, NewMeeting, pin_of
from handlers.staff_commands.grammar import TRAILING_PIN, code_and_pin_at, head, number_tokens, parse

MASK = "****"  # what a PIN is replaced with in the stored message
_ANY_TIME = datetime(2026, 1, 1, tzinfo=UTC)  # pin_span reads no dates


def pin_span(text: str) -> tuple[int, int] | None:
    """Where in `text` (as received, unstripped) is the PIN that `parse` reads in it; None for none."""
    command = parse(text, now_local=_ANY_TIME)
    pin = pin_of(command) if command is not None else None
    found = head(text)
    if pin is None or found is None:
        return None
    numbers, _ = number_tokens(text, found.end, 2)
    at = code_and_pin_at([number for number, _ in numbers])[1]
    if isinstance(command, NewMeeting | Broadcast) or at is None or numbers[at][0] != pin:
        at = next((i for i, (number, _) in enumerate(numbers) if number == pin), None)
    if at is None:
        trailing = TRAILING_PIN.search(text, found.end)  # "selesai 482913 sudah beres pin 1234"
        if trailing is None or trailing.group(1) != pin:
            return None
        return trailing.start(1), trailing.end(1)
    start = numbers[at][1]
    return start, start + len(pin)


def mask_pin(text: str, pin: str) -> str:
    """`text` with `pin` masked: where the grammar reads it, when the text reads as the command (so that
    a ticket code with the same digits stays); otherwise every whole token of its digits."""
    span = pin_span(text)
    if span is not None and text[span[0] : span[1]] == pin:
        return text[: span[0]] + MASK + text[span[1] :]
    return re.sub(rf"(?<![0-9]){re.escape(pin)}(?![0-9A-Za-z])", MASK, text)


def masked(value: Any, pin: str) -> Any:
    """A JSON value (a provider's payload) with `pin` masked in every string in it."""
    if isinstance(value, str):
        return mask_pin(value, pin)
    if isinstance(value, Mapping):
        return {key: masked(item, pin) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [masked(item, pin) for item in value]
    return value
