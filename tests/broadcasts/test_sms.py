"""SMS encoding and segments, table-driven against hand-computed figures (docs/providers.md)."""

import pytest

from broadcasts.sms import Encoding, analyse, fit, is_gsm7, sanitize, septets, to_gsm7


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", Encoding.GSM7, 0, 1),
        ("a" * 160, Encoding.GSM7, 160, 1),
        ("a" * 161, Encoding.GSM7, 161, 2),
        ("a" * 306, Encoding.GSM7, 306, 2),
        ("a" * 307, Encoding.GSM7, 307, 3),
        ("€" * 80, Encoding.GSM7, 160, 1),  # each extension character is two septets
        ("€" * 81, Encoding.GSM7, 162, 2),
        ("a" * 152 + "[", Encoding.GSM7, 154, 1),
        ("a" * 152 + "[" + "a" * 152, Encoding.GSM7, 306, 3),  # 306 = 2 x 153, but the pair is not split
        ("Rapat @ Balai Desa: 19.00 WIB!", Encoding.GSM7, 30, 1),
        ("é" * 160, Encoding.GSM7, 160, 1),  # é is in the basic table
        ("á", Encoding.UCS2, 1, 1),  # á is not
        ("a" * 70 + "“", Encoding.UCS2, 71, 2),
        ("😀" * 35, Encoding.UCS2, 70, 1),  # an emoji is two UTF-16 units
        ("😀" * 36, Encoding.UCS2, 72, 2),
        ("a" * 66 + "😀", Encoding.UCS2, 68, 1),
        ("a" * 66 + "😀" + "a" * 66, Encoding.UCS2, 134, 3),  # 134 = 2 x 67, but the pair moves whole
    ],
)
def test_segments(text: str, encoding: Encoding, units: int, segments: int) -> None:
    info = analyse(text)
    assert (info.encoding, info.units, info.segments) == (encoding, units, segments)


def test_unicode_characters_are_named_once() -> None:
    assert analyse("“Rapat” “besok” …").unicode_chars == ("“", "”", "…")


def test_sanitize_removes_needless_unicode() -> None:
    text = "“Musdes” – Kamis… jam 19.00 ‘WIB’"
    clean = sanitize(text)
    assert clean == "\"Musdes\" - Kamis... jam 19.00 'WIB'"
    assert is_gsm7(clean)
    assert not is_gsm7(text)


def test_peoples_text_is_made_gsm7_without_changing_its_words() -> None:
    # é is GSM-7 and stays; ê is not and loses its accent; the emoji has no GSM-7 form.
    assert (
        to_gsm7("“Jalan” ke sawah – rusak 🙏, café crêpe\n\ttutup")
        == '"Jalan" ke sawah - rusak, café crepe tutup'
    )
    assert to_gsm7("lampu sudah diganti 👍, terima kasih") == "lampu sudah diganti, terima kasih"
    assert septets("a[b]c") == 7  # the extension characters take two


@pytest.mark.parametrize(
    ("text", "room", "whole", "cut"),
    [
        ("kabelnya putus dimakan tikus", 100, True, "kabelnya putus dimakan tikus"),  # fits: unchanged
        ("kabelnya putus dimakan tikus", 22, True, "kabelnya putus..."),  # never half a word
        ("kabelnya putus dimakan tikus", 22, False, "kabelnya putus dima..."),
        ("x" * 60, 20, True, "x" * 17 + "..."),  # one long word: cut inside it
        ("[[[[[[", 8, True, "[[..."),  # septets, not characters
    ],
)
def test_fit_cuts_by_septets_and_at_a_word(text: str, room: int, whole: bool, cut: str) -> None:
    assert fit(text, room, whole_words=whole) == cut
    assert septets(cut) <= room
