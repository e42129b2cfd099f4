"""Normalising informal Indonesian SMS text."""

import pytest

from handlers.normalize import normalize, tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lampu Jalan MATI", "lampu jalan mati"),
        ("yg sdh gk ada", "yang sudah tidak ada"),
        ("gak ga ngga tdk nggak", "tidak tidak tidak tidak tidak"),
        ("sy blm dpt blt", "saya belum dapat blt"),
        (
            "gmn brp knp tlg kpd utk dgn krn skrg",
            "bagaimana berapa kenapa tolong kepada untuk dengan karena sekarang",
        ),
        ("tgl kmrn bsk dr dpn bgt", "tanggal kemarin besok dari depan banget"),
        ("jln rusak di dsn krajan", "jalan rusak di dusun krajan"),
        ("anak2 rusak2", "anak anak rusak rusak"),
        ("mabuk2an tiap malem2", "mabuk mabukan tiap malem malem"),
        ("rt3/rw1", "rt 3 rw 1"),
        ("RT 02/05", "rt 02/05"),
        ("rt03 rw.02", "rt 03 rw 02"),
        ("rt2 rw2", "rt 2 rw 2"),
        ("dipotong 100rb", "dipotong 100 ribu"),
        ("jgn sms lg, gausah dibales", "jangan sms lagi tidak usah dibalas"),
        ("kpn musdes? jd ga?", "kapan musdes jadi tidak"),
        ("kulo pingin angsal kabar", "kula ingin dapat kabar"),
        ("hoyong kenging info", "ingin dapat info"),
        # Betawi, Banyumasan, Banjar and Surabaya words, and the abbreviations of complaint channels
        ("kaga bisa pegimana nih", "tidak bisa bagaimana nih"),
        ("kepriwe kiye", "bagaimana kiye"),
        ("pambakal kada suah ada", "pambakal tidak pernah ada"),
        ("yopo iki, gak dadi2", "bagaimana iki tidak jadi jadi"),
        ("mau tny klw ktp setaun blm jd", "mau tanya kalau ktp setahun belum jadi"),
        ("yg mimpin desa", "yang memimpin desa"),
        ("Rp 3.000.000 jam 08.00", "rp 3000000 jam 08 00"),
        ("cek#307514", "cek 307514"),
        ("TOLONGGGG!!!", "tolong"),
        ("makasih 🙏🙏 👍", "makasih"),
        ("  banyak   spasi \n dan\tbaris  ", "banyak spasi dan baris"),
        ("\U0001d5e6\U0001d5d8\U0001d5df\U0001d5d4\U0001d5e0\U0001d5d4\U0001d5e7 café", "selamat cafe"),
        ("", ""),
        ("😀😀😀", ""),
        ("...!!!???", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_tokens_match_normalize() -> None:
    text = "Assalamualaikum pak, jln di RT 3 rusak2 sdh 2 mgg 😭"
    assert tokens(text) == normalize(text).split()


def test_long_text_is_normalised_whole() -> None:
    text = "jalan rusak parah " * 100
    assert normalize(text).split() == ["jalan", "rusak", "parah"] * 100
