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
