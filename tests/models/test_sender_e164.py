"""`sender_e164`: a sender's number as a phone or the Android gateway reports it, read without guessing.

The gateway passes on what the phone shows (its docs' own example sender is "6505551212", a US number as
an American phone shows it). A leading 0 is a national number of the village's country; other digits
carry their country code, with or without the "+"; anything else is kept as given (None here).
"""

import pytest

from models.phone import sender_e164, to_e164


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        # Indonesian numbers, every way a phone shows them.
        ("081234500099", "+6281234500099"),
        ("0812-3450-0099", "+6281234500099"),
        ("0812 3450 0099", "+6281234500099"),
        ("0812.3450.0099", "+6281234500099"),
        ("6281234500099", "+6281234500099"),
        ("62-812-3450-0099", "+6281234500099"),
        ("+6281234500099", "+6281234500099"),
        ("+62 812-3450-0099", "+6281234500099"),
        ("+62 (0) 812-3450-0099", "+6281234500099"),
        ("  +6281234500099\n", "+6281234500099"),
        ("(0265) 123456", "+62265123456"),  # a landline with its area code
        ("0800000001", "+62800000001"),
        ("62800000001", "+62800000001"),
        ("006281234500099", "+6281234500099"),  # the ITU international prefix
        ("0086281234500099", "+6281234500099"),  # an Indonesian one (008)
        # Other countries keep their code, with or without the plus.
        ("+16505551212", "+16505551212"),
        ("16505551212", "+16505551212"),
        ("1 650 555 1212", "+16505551212"),
        ("+1 (650) 555-1212", "+16505551212"),
        ("0016505551212", "+16505551212"),
        ("+447911123456", "+447911123456"),
        ("447911123456", "+447911123456"),
        ("00447911123456", "+447911123456"),
        ("60123456789", "+60123456789"),  # Malaysia: a migrant worker's phone
        ("+60 12-345 6789", "+60123456789"),
        # What cannot be read as a valid number: kept as given by the caller, never answered.
        ("6505551212", None),  # no country code: +65 05551212 is no Singapore number, nor made +62
        ("+6505551212", None),
        ("62812345", None),
        ("3636", None),  # a short code
        ("+3636", None),
        ("0812345", None),  # too short
        ("08123450009912345", None),  # too long
        ("TELKOMSEL", None),
        ("INFO-BPJS", None),
        ("unknown", None),  # what the gateway app writes when the phone has no sender
        ("0812345OO99", None),  # letters O for zeros
        ("+62+81234500099", None),
        ("٠٨١٢٣٤٥٠٠٠٩٩", None),  # digits a phone does not report
        ("", None),
        ("   ", None),
        ("+", None),
        ("()-", None),
    ],
)
def test_sender_e164(raw: str, e164: str | None) -> None:
    assert sender_e164(raw) == e164


@pytest.mark.parametrize(
    ("raw", "listed", "sent"),
    [
        ("6505551212", "+626505551212", None),  # the bug: a US sender made Indonesian
        ("81234500099", "+6281234500099", "+81234500099"),  # a list's 0812 that lost its 0; a Japanese sender
        ("16505551212", None, "+16505551212"),  # to_e164 reads 1650... as an Indonesian number
    ],
)
def test_to_e164_keeps_its_reading_for_lists(raw: str, listed: str | None, sent: str | None) -> None:
    """Lists rely on to_e164 reading digits as Indonesian; senders are read as the phone shows them."""
    assert to_e164(raw) == listed
    assert sender_e164(raw) == sent
