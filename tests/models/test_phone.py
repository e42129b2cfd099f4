"""Phone normalisation with phonenumbers, and masking for logs."""

import pytest

from models.phone import mask, to_e164


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("081234567890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("62812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("+62 812-3456-7890", "+6281234567890"),
        ("(021) 555-1234", "+62215551234"),
        ("+62800000001", "+62800000001"),
        ("+14158675309", "+14158675309"),
        ("", None),
        ("abc", None),
        ("08123", None),
        ("0812345678901234567", None),
    ],
)
def test_to_e164(raw: str, e164: str | None) -> None:
    assert to_e164(raw) == e164


def test_mask_hides_the_middle() -> None:
    assert mask("+6281234567890") == "+62812****7890"
    assert "3456" not in mask("+6281234567890")
    assert mask("12345") == "*****"
