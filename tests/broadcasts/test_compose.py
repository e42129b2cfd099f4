"""Composing broadcasts: variables and fallbacks, SMS previews and the cost and duration estimate.

Segment figures are computed by hand from docs/providers.md: GSM-7 fits 160 septets in one SMS and 153 per
part beyond that; UCS-2 fits 70 units in one and 67 per part.
"""

from collections.abc import Mapping

import pytest

from broadcasts.compose import (
    DEFAULT_FALLBACKS,
    WARN_EMPTY,
    ChannelCounts,
    CompiledText,
    Estimate,
    describe,
    estimate,
    filtered_words,
    format_duration,
    preview_text,
    render,
    validate,
    variables_in,
)
from broadcasts.outbox import Prices
from broadcasts.ratelimit import Rate
from broadcasts.sms import Encoding
from models import Channel

# --- render -------------------------------------------------------------------------------------

MUSDES = "Yth. {nama}, Musdes {tanggal} jam {jam} di {tempat}."
FULL = {"nama": "Pak Budi", "tanggal": "Sabtu 23 Mei", "jam": "19.00 WITA", "tempat": "Balai Desa"}


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        (MUSDES, FULL, "Yth. Pak Budi, Musdes Sabtu 23 Mei jam 19.00 WITA di Balai Desa."),
        # Missing, None, empty or blank names take the polite fallback.
        (MUSDES, {**FULL, "nama": None}, "Yth. Bapak/Ibu, Musdes Sabtu 23 Mei jam 19.00 WITA di Balai Desa."),
        (MUSDES, {**FULL, "nama": ""}, "Yth. Bapak/Ibu, Musdes Sabtu 23 Mei jam 19.00 WITA di Balai Desa."),
        (
            MUSDES,
            {**FULL, "nama": "   "},
            "Yth. Bapak/Ibu, Musdes Sabtu 23 Mei jam 19.00 WITA di Balai Desa.",
        ),
        ("Yth. {nama} ({dusun})", {}, "Yth. Bapak/Ibu (warga)"),
        # Other missing values vanish, and the spaces around them are tidied.
        (MUSDES, {**FULL, "tempat": None}, "Yth. Pak Budi, Musdes Sabtu 23 Mei jam 19.00 WITA di."),
        ("Rapat di {tempat} besok", {}, "Rapat di besok"),
        ("Halo {nama}, {acara} besok", {"nama": "Budi"}, "Halo Budi, besok"),
        ("Musdes {acara}.", {}, "Musdes."),
        ("RT {rt}/RW {rw}", {"rw": "03"}, "RT/RW 03"),
        ("RT{rt}/RW{rw}", {"rt": "", "rw": "03"}, "RT/RW03"),
        ("{acara}\nJam {jam}", {"jam": "19.00"}, "Jam 19.00"),
        ("Musdes {acara}\nJam {jam} {tempat}", {"jam": "19.00"}, "Musdes\nJam 19.00"),
        ("Di {tempat} {rt} {rw} ya", {}, "Di ya"),  # several empties in a row leave one space
        # Values are trimmed; names are not case-sensitive.
        ("Halo {NAMA}!", {"nama": "  Siti "}, "Halo Siti!"),
        # Unknown variables and stray braces stay as written.
        ("Kode {kode2} utk {nama}", {"nama": "Budi"}, "Kode {kode2} utk Budi"),
        ("Kode {kode2}", {"kode2": "12345"}, "Kode 12345"),  # ...unless a value is given for them
        ("Harga {nama", {"nama": "Budi"}, "Harga {nama"),
        ("a } b {", {}, "a } b {"),
        ("{ nama } {}", {"nama": "Budi"}, "{ nama } {}"),
        ("{{nama}}", {"nama": "Budi"}, "{Budi}"),
        ("{0} {nama!r} {nama:>10}", {"nama": "Budi"}, "{0} {nama!r} {nama:>10}"),
        # A value is never rendered again: braces in it stay.
        ("Halo {nama}", {"nama": "{desa}"}, "Halo {desa}"),
        ("", {}, ""),
    ],
)
def test_render(template: str, values: Mapping[str, str | None], expected: str) -> None:
    assert render(template, values) == expected


def test_render_with_other_fallbacks() -> None:
    # Given fallbacks are laid over the defaults: {dusun} still falls back to "warga".
    assert render("Yth. {nama} {dusun}", {}, fallbacks={"nama": "Saudara"}) == "Yth. Saudara warga"
    assert (
        render("Yth. {nama} di {desa}", {}, fallbacks={"desa": "desa kita"}) == "Yth. Bapak/Ibu di desa kita"
    )
    assert render("Halo {nama}, ya", {}, fallbacks={"nama": ""}) == "Halo, ya"
    assert render("Info {topik}", {}, fallbacks={"topik": "desa"}) == "Info desa"  # a new known name
    assert DEFAULT_FALLBACKS["nama"] == "Bapak/Ibu"


def test_variables_in() -> None:
    template = "{nama} {Dusun} {x_1} {{a}} {} { b } {nama"
    assert variables_in(template) == {"nama", "dusun", "x_1", "a"}


@pytest.mark.parametrize(
    ("template", "problems"),
    [
        ("Yth. {nama}, rapat {tanggal} di {tempat}.", []),
        ("Tanpa variabel.", []),
        ("Yth. {nam}", ["Variabel {nam} tidak dikenal. Maksudnya {nama}?"]),
        ("Yth. {Tempat}", []),
        ("Yth. {nama", ["Kurung kurawal '{' di posisi 6 tidak ditutup."]),
        ("nama}", ["Kurung kurawal '}' di posisi 5 tanpa pembuka '{'."]),
        (
            "{{nama}}",
            [
                "Kurung kurawal '{' di posisi 1 tidak ditutup.",
                "Kurung kurawal '}' di posisi 8 tanpa pembuka '{'.",
            ],
        ),
    ],
)
def test_validate(template: str, problems: list[str]) -> None:
    assert validate(template) == problems


def test_validate_names_the_choices_when_it_cannot_guess() -> None:
    (problem,) = validate("Halo {xyzzy}")
    assert problem.startswith("Variabel {xyzzy} tidak dikenal. Pilihan: {acara}, {agenda},")
    assert "{nama}" in problem
    (problem,) = validate("Halo { nama }")
    assert problem.startswith("'{ nama }' bukan nama variabel. Pilihan:")


# --- preview ------------------------------------------------------------------------------------

# 175 GSM-7 characters: more than 160, so 2 parts of up to 153 (153 + 22).
LONG_GSM = (
    "Yth. Bapak/Ibu warga Dusun Krajan, Musdes RKPDes diadakan Sabtu 23 Mei 19.00 WITA di Balai Desa "
    "Sukamaju. Mohon hadir tepat waktu & bawa usulan tertulis dari RT masing-masing."
)


def test_a_161_character_gsm_text_is_two_segments() -> None:
    text = LONG_GSM[:161]
    assert len(text) == 161
    preview = preview_text(text)
    assert (preview.encoding, preview.units, preview.segments) == (Encoding.GSM7, 161, 2)  # 161 > 160
    assert (preview.fixed_encoding, preview.fixed_segments) == (Encoding.GSM7, 2)
    assert preview.unicode_chars == ()
    assert not preview.fix_changes
    assert preview.warnings == ()


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        (LONG_GSM[:160], Encoding.GSM7, 160, 1),
        (LONG_GSM, Encoding.GSM7, 175, 2),
        ("Biaya [gratis] {tanpa} ~pungutan~", Encoding.GSM7, 39, 1),  # 33 characters, 6 of them count 2
        ("Rapat besok 🙏", Encoding.UCS2, 14, 1),  # 12 + 1 emoji of 2 UTF-16 units
    ],
)
def test_preview_figures(text: str, encoding: Encoding, units: int, segments: int) -> None:
    preview = preview_text(text)
    assert (preview.encoding, preview.units, preview.segments) == (encoding, units, segments)


def test_curly_quotes_force_ucs2_and_the_fix_brings_gsm7_back() -> None:
    text = (
        "“Musdes” Sabtu 23 Mei 19.00 WITA di balai desa. Warga ’RT 3’ mohon hadir, bawa usulan tertulis ya."
    )
    assert len(text) == 98
    preview = preview_text(text)
    # As written: UCS-2, 98 units > 70, so parts of 67: ceil(98 / 67) = 2.
    assert (preview.encoding, preview.units, preview.segments) == (Encoding.UCS2, 98, 2)
    assert preview.unicode_chars == ("“", "”", "’")
    # Fixed: straight quotes, GSM-7, 98 septets <= 160: 1 SMS.
    assert preview.fixed_text == text.replace("“", '"').replace("”", '"').replace("’", "'")
    assert (preview.fixed_encoding, preview.fixed_segments) == (Encoding.GSM7, 1)
    assert preview.fix_changes
    assert preview.warnings == ()


def test_the_fix_can_lengthen_a_text() -> None:
    text = LONG_GSM[:158] + "…"  # 159 characters
    preview = preview_text(text)
    # As written: UCS-2, ceil(159 / 67) = 3 parts. Fixed: "…" becomes "...", 161 septets: 2 parts.
    assert (preview.encoding, preview.units, preview.segments) == (Encoding.UCS2, 159, 3)
    assert (preview.fixed_encoding, len(preview.fixed_text), preview.fixed_segments) == (
        Encoding.GSM7,
        161,
        2,
    )


def test_characters_the_fix_cannot_replace_are_warned_about() -> None:
    preview = preview_text("Rapat besok 🙏")
    assert preview.fixed_encoding == Encoding.UCS2
    assert preview.warnings == (
        "Karakter 🙏 membuat SMS jadi UCS-2 (70 karakter per bagian); sebaiknya dihapus.",
    )


@pytest.mark.parametrize(
    ("length", "segments", "warned"),
    [(459, 3, False), (460, 4, True)],  # 3 x 153 = 459 septets is the most 3 parts hold
)
def test_more_than_three_segments_is_warned_about(length: int, segments: int, warned: bool) -> None:
    text = ("Informasi Musdes RKPDes. " * 20)[:length]
    preview = preview_text(text)
    assert preview.fixed_segments == segments
    expected = f"SMS ini {segments} bagian (lebih dari 3): mahal dan bisa terpotong; persingkat teks."
    assert (expected in preview.warnings) is warned


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_empty_text_is_warned_about(text: str) -> None:
    assert preview_text(text).warnings == (WARN_EMPTY,)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Info Dana Desa 2026: Rp250 juta utk jalan.", ("dana", "juta")),
        ("SELAMAT! Anda terpilih.", ("selamat",)),
        ("Simpan nomor ini.", ("nomor",)),
        ("dana, Dana dan DANA", ("dana",)),  # each word once
        ("Air danau surut; nomornya salah; penyelamat; Rp2jt", ()),  # not whole words
        ("Rapat jam 19.00 WIB, biaya Rp1.250.000, s.d. pukul 21.00", ()),
        ("Lihat https://desa.example.id/apbdes.", ("https://desa.example.id/apbdes",)),
        ("Info di www.sukamaju.id dan bit.ly/musdes", ("www.sukamaju.id", "bit.ly/musdes")),
        (
            "Dana desa: HTTPS://dana.id/2026",
            ("dana", "HTTPS://dana.id/2026"),
        ),  # the word inside the link once
        ("Rapat besok.Info lengkap di balai desa", ()),  # a missing space is not a link
    ],
)
def test_filtered_words(text: str, found: tuple[str, ...]) -> None:
    assert filtered_words(text) == found
    assert preview_text(text).filtered_words == found


def test_filtered_words_are_warned_about_one_by_one() -> None:
    preview = preview_text("Selamat! Dana desa Rp250 juta. Info: bit.ly/apbdes")
    assert preview.warnings == (
        'Kata "selamat" bisa disaring sebagian operator SMS; sebaiknya diganti.',
        'Kata "dana" bisa disaring sebagian operator SMS; sebaiknya diganti.',
        'Kata "juta" bisa disaring sebagian operator SMS; sebaiknya diganti.',
        'Tautan "bit.ly/apbdes" bisa disaring sebagian operator SMS.',
    )


# --- estimate -----------------------------------------------------------------------------------

TWO_SEGMENTS = LONG_GSM  # 175 GSM-7 septets: 2 parts
ONE_SEGMENT = "Musdes Sabtu 23 Mei 19.00 WITA di Balai Desa."


def test_estimate_of_the_example_in_the_brief() -> None:
    counts = ChannelCounts({Channel.WHATSAPP_CLOUD: 280, Channel.SMSGATE: 132})
    rates = {Channel.WHATSAPP_CLOUD: Rate(80), Channel.SMSGATE: Rate.parse("20 segments/min")}
    result = estimate(counts, TWO_SEGMENTS, "Teks WhatsApp yang lebih panjang.", Prices(), rates)
    # SMS: 132 recipients x 2 segments = 264 segments; 264 x Rp350 = Rp92.400. WhatsApp inside the
    # window: free.
    assert (result.sms, result.sms_segments, result.sms_total_segments) == (132, 2, 264)
    assert result.cost == 132 * 2 * 350 == 92_400
    # Duration: WhatsApp 280 / 80 per s = 3.5 s; the SIM 264 segments / (20/60 per s) = 792 s, slowest.
    assert result.seconds_by_channel[Channel.WHATSAPP_CLOUD] == pytest.approx(3.5)
    assert result.duration_seconds == pytest.approx(792.0)
    # 792 s = 13.2 minutes, rounded up: 14.
    assert describe(result) == (
        "412 penerima: 280 WhatsApp, 132 SMS (2 bagian, GSM-7). "
        "Perkiraan biaya Rp92.400, selesai dalam 14 menit."
    )


def test_estimate_with_the_window_split_and_unicode() -> None:
    counts = ChannelCounts(
        {Channel.TWILIO_WHATSAPP: 300, Channel.TWILIO_SMS: 150, Channel.CONSOLE: 5},
        outside_window_template=120,  # of the 300 on WhatsApp
        outside_window_sms=50,  # of the 150 on SMS: WhatsApp contacts without a template
    )
    sms_text = "Rapat desa " * 6 + "🙏"  # 66 characters + 1 emoji of 2 UTF-16 units = 68: UCS-2
    assert len(sms_text.encode("utf-16-le")) // 2 == 68
    rates = {
        Channel.TWILIO_WHATSAPP: Rate(80),
        Channel.TWILIO_SMS: Rate(10, "segment"),
        Channel.CONSOLE: Rate(10_000),
    }
    prices = Prices(sms_segment=300, whatsapp_template=450)
    result = estimate(counts, sms_text, None, prices, rates)
    assert (result.sms_encoding, result.sms_segments) == (Encoding.UCS2, 1)  # 68 <= 70
    # SMS 150 x 1 x Rp300 = 45.000; templates 120 x Rp450 = 54.000; 180 free-form: 0; console: 0.
    assert result.cost == 150 * 1 * 300 + 120 * 450 == 99_000
    assert (result.whatsapp, result.whatsapp_templates, result.sms, result.sms_fallback) == (
        300,
        120,
        150,
        50,
    )
    assert result.console == 5
    assert result.whatsapp_variant_segments is None
    # WhatsApp 300 / 80 = 3.75 s; SMS 150 x 1 segment / 10 = 15 s; console 5 / 10.000 = 0.0005 s.
    assert result.duration_seconds == pytest.approx(15.0)
    assert describe(result) == (
        "455 penerima: 300 WhatsApp (120 dgn template), 150 SMS (1 bagian, UCS-2; 50 pengganti WhatsApp), "
        "5 konsol. Perkiraan biaya Rp99.000, selesai dalam kurang dari 1 menit."
    )


def test_estimate_counts_the_sms_as_the_outbox_sends_it() -> None:
    # Curly quotes make the text UCS-2 (2 parts as written) but the outbox fixes them: 1 GSM-7 part.
    text = (
        "“Musdes” Sabtu 23 Mei 19.00 WITA di balai desa. Warga ’RT 3’ mohon hadir, bawa usulan tertulis ya."
    )
    assert preview_text(text).segments == 2
    counts = ChannelCounts({Channel.TWILIO_SMS: 40})
    result = estimate(counts, text, text, Prices(), {Channel.TWILIO_SMS: Rate(10, "segment")})
    assert (result.sms_encoding, result.sms_segments, result.whatsapp_variant_segments) == (
        Encoding.GSM7,
        1,
        1,
    )
    assert result.cost == 40 * 1 * 350 == 14_000


@pytest.mark.parametrize(
    ("rate", "seconds", "words"),
    [
        # 30 recipients x 2 segments = 60 segments at 100 per hour: 60 / (100 / 3600) = 2160 s = 36 min.
        (Rate(100 / 3600, "segment"), 2160.0, "36 menit"),
        # Counted per message instead: 30 / (100 / 3600) = 1080 s = 18 min.
        (Rate(100 / 3600), 1080.0, "18 menit"),
    ],
)
def test_segment_and_message_rates(rate: Rate, seconds: float, words: str) -> None:
    result = estimate(
        ChannelCounts({Channel.SMSGATE: 30}), TWO_SEGMENTS, None, Prices(), {Channel.SMSGATE: rate}
    )
    assert result.duration_seconds == pytest.approx(seconds)
    assert result.cost == 30 * 2 * 350 == 21_000
    assert describe(result).endswith(f"Perkiraan biaya Rp21.000, selesai dalam {words}.")


def test_whatsapp_only_and_templates_only() -> None:
    counts = ChannelCounts({Channel.WHATSAPP_CLOUD: 1000}, outside_window_template=1000)
    result = estimate(counts, ONE_SEGMENT, ONE_SEGMENT, Prices(), {Channel.WHATSAPP_CLOUD: Rate(80)})
    # 1000 templates x Rp400 = Rp400.000; 1000 / 80 = 12.5 s.
    assert result.cost == 1000 * 400 == 400_000
    assert result.duration_seconds == pytest.approx(12.5)
    assert describe(result) == (
        "1000 penerima: 1000 WhatsApp (1000 dgn template). Perkiraan biaya Rp400.000, "
        "selesai dalam kurang dari 1 menit."
    )


def test_no_recipients() -> None:
    result = estimate(ChannelCounts({}), ONE_SEGMENT, None, Prices(), {})
    assert (result.recipients, result.cost, result.duration_seconds) == (0, 0, 0.0)
    assert describe(result) == "Tidak ada penerima."
    assert isinstance(result, Estimate)


def test_bad_counts_and_missing_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="template recipients"):
        ChannelCounts({Channel.WHATSAPP_CLOUD: 10}, outside_window_template=11)
    with pytest.raises(ValueError, match="SMS fallbacks"):
        ChannelCounts({Channel.WHATSAPP_CLOUD: 10}, outside_window_sms=1)
    with pytest.raises(ValueError, match="negative"):
        ChannelCounts({Channel.SMSGATE: -1})
    with pytest.raises(ValueError, match="no rate for channel smsgate"):
        estimate(ChannelCounts({Channel.SMSGATE: 1}), ONE_SEGMENT, None, Prices(), {})


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "kurang dari 1 menit"),
        (59.9, "kurang dari 1 menit"),
        (60, "1 menit"),
        (61, "2 menit"),  # rounded up: never promise sooner than it will be
        (792, "14 menit"),
        (3600, "1 jam"),
        (9504, "2 jam 39 menit"),  # 158.4 minutes -> 159
        (86_400, "1 hari"),
        (97_200, "1 hari 3 jam"),
    ],
)
def test_format_duration(seconds: float, words: str) -> None:
    assert format_duration(seconds) == words


@pytest.mark.parametrize(
    ("template", "values"),
    [
        (
            "Yth. {nama} di {dusun}, rapat {tanggal}.",
            {"nama": "Pak Slamet", "dusun": "Krajan", "tanggal": "Sabtu"},
        ),
        (
            "Yth. {nama} di {dusun}, rapat {tanggal}.",
            {"nama": "Pak Slamet", "dusun": None, "tanggal": "Sabtu"},
        ),
        ("Yth. {nama} di {dusun}.", {"nama": "  Bu Sri ", "dusun": ""}),
        ("Halo {Nama}, {unknown} {tempat}", {"nama": "Agus"}),
        ("Tanpa variabel.", {}),
        ("{nama}{nama}", {"nama": "X"}),
    ],
)
def test_compiled_text_is_exactly_render(template: str, values: dict[str, str | None]) -> None:
    assert CompiledText(template)(values) == render(template, values)
