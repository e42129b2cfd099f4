"""Phone normalisation with phonenumbers, and masking for logs."""

import pytest

from models.phone import hide_personal, mask, to_e164


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


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("NIK sy 3204123456780001 hp 081311115555", "NIK sy * hp *"),
        ("KTP 3204 1234 5678 0002, KK 3204-1234-5678-0003", "KTP *, KK *"),
        ("wa +62 812-3456-7890 atau 0812.3456.7890", "wa * atau *"),
        ("no rek BRI 1234567890", "no rek BRI *"),
        ("hp 081.234.567.890", "hp *"),  # grouped in threes like money, but money never starts with 0
        ("telp kantor (0265) 123456 atau (0265)654321", "telp kantor * atau *"),
        # Kept: money in thousands, dates, ticket codes, years, RT/RW, times, short amounts.
        ("dana 1.200.000.000 kemana, Rp 150.000,50", "dana 1.200.000.000 kemana, Rp 150.000,50"),
        ("sejak 12-12-2026 atau 1/2/26, aduan 482913", "sejak 12-12-2026 atau 1/2/26, aduan 482913"),
        ("RT 3 RW 5 th 2026 jam 19.30 potong 100rb", "RT 3 RW 5 th 2026 jam 19.30 potong 100rb"),
        ("dana desa Rp 1.200.000.000.", "dana desa Rp 1.200.000.000."),
        ("", ""),
    ],
)
def test_hide_personal_hides_identifying_numbers_only(text: str, shown: str) -> None:
    assert hide_personal(text, marker="*") == shown


def test_hide_personal_hides_each_word_of_a_name_but_honorifics() -> None:
    text = "saya Pak Slamet Riyadi, tetangga Bu Sri lapor ke pak RT"
    assert hide_personal(text, marker="*", names=["Pak Slamet Riyadi", None, "Bu Sri"]) == (
        "saya Pak * *, tetangga Bu * lapor ke pak RT"
    )
    assert hide_personal("Slametan di balai", marker="*", names=["Slamet"]) == "Slametan di balai"
