"""Cutting long answers into SMS-sized parts."""

from handlers.answers import paginate


def test_everything_fits_in_one_part() -> None:
    assert paginate("Program desa: ", ["BLT-DD: tiap bulan", "Posyandu: Selasa"], "PROGRAM", 1) == (
        "Program desa: BLT-DD: tiap bulan; Posyandu: Selasa."
    )


def test_parts_fit_and_offer_the_next_one() -> None:
    items = [f"Kegiatan nomor {i} di Dusun Krajan Rp{i}00 juta" for i in range(1, 12)]
    parts = []
    page = 1
    while True:
        part = paginate("APBDes 2026: ", items, "DANA", page)
        parts.append(part)
        assert len(part) <= 160
        if f"Balas DANA {page + 1}" not in part:
            break
        page += 1
    assert len(parts) > 2
    joined = " ".join(parts)
    assert all(item in joined for item in items)
    assert "Tidak ada lanjutan" in paginate("APBDes 2026: ", items, "DANA", page + 1)


def test_an_item_longer_than_a_part_is_cut() -> None:
    part = paginate("Layanan: ", ["x" * 400], "LAYANAN", 1)
    assert len(part) <= 160
    assert part.endswith("....")


DANA_HEADER = "APBDes 2026: pendapatan Rp1,6 miliar, belanja Rp1,45 miliar. "  # 63 characters
DANA_ITEMS = [
    "Penghasilan tetap & tunjangan perangkat (Kantor Desa) Rp560 juta",
    "Rabat beton jalan (Dusun Krajan RT 02) Rp250 juta",
    "BLT-DD 42 KK (Desa) Rp151,2 juta",
    "Drainase (Dusun Cibodas RW 03) Rp120 juta",
    "Perpipaan air bersih (Dusun Cibodas) Rp95 juta",
    "Operasional kantor desa (Kantor Desa) Rp85 juta",
    "Lampu jalan tenaga surya (Dusun Sukamulya) Rp75 juta",
    "Posyandu & PMT balita (Desa) Rp48 juta",
    "Honor guru PAUD (PAUD Melati) Rp36 juta",
    "Pelatihan BUMDes (Balai Desa) Rp25 juta",
]


def all_parts(header: str, items: list[str], keyword: str) -> list[str]:
    parts = [paginate(header, items, keyword, 1)]
    while f"Balas {keyword} {len(parts) + 1} " in parts[-1]:
        parts.append(paginate(header, items, keyword, len(parts) + 1))
    return parts


def test_the_header_opens_only_the_first_part() -> None:
    # QA: the 63-character APBDes header on every part made 10 budget lines take 9 SMS.
    parts = all_parts(DANA_HEADER, DANA_ITEMS, "DANA")
    assert len(parts) <= 5
    assert parts[0].startswith(DANA_HEADER)
    for number, part in enumerate(parts[1:], start=2):
        assert part.startswith(f"DANA {number}/{len(parts)}: ")
        assert "APBDes" not in part
    for part in parts:
        assert len(part) <= 160
    assert "Balas DANA 2 utk lanjutannya." in parts[0]
    joined = " ".join(parts)
    assert all(item in joined for item in DANA_ITEMS)


def test_two_digit_part_numbers_still_fit() -> None:
    items = [f"Kegiatan nomor {i} di Dusun Krajan RT {i} RW 3 Rp{i}00 juta" for i in range(1, 40)]
    parts = all_parts("APBDes 2026: ", items, "DANA")
    assert len(parts) >= 10
    assert parts[-1].startswith(f"DANA {len(parts)}/{len(parts)}: ")
    assert all(len(part) <= 160 for part in parts)
    joined = " ".join(parts)
    assert all(item in joined for item in items)
